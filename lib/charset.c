#include "civ/charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

#include "civ/utf8.h"

/* Maps a declared charset label to the name we hand to iconv. */
static const char *charset_canonical(const char *cs, char *tmp, size_t tmpsz)
{
    size_t n = 0;
    while (*cs == ' ' || *cs == '"' || *cs == '\'')
        cs++;
    for (; *cs && *cs != '"' && *cs != '\'' && *cs != ' ' && n + 1 < tmpsz; cs++)
        tmp[n++] = (char)((*cs >= 'a' && *cs <= 'z') ? *cs - 32 : *cs);
    tmp[n] = '\0';
    static const struct { const char *alias, *name; } map[] = {
        { "UTF8", "UTF-8" },          { "UTF-8", "UTF-8" },
        { "US-ASCII", "WINDOWS-1252" }, { "ASCII", "WINDOWS-1252" },
        { "ANSI_X3.4-1968", "WINDOWS-1252" },
        { "ISO-8859-1", "WINDOWS-1252" }, { "ISO8859-1", "WINDOWS-1252" },
        { "ISO_8859-1", "WINDOWS-1252" }, { "LATIN1", "WINDOWS-1252" },
        { "LATIN-1", "WINDOWS-1252" },    { "L1", "WINDOWS-1252" },
        { "CP1252", "WINDOWS-1252" },     { "X-CP1252", "WINDOWS-1252" },
        { "WIN-1252", "WINDOWS-1252" },   { "WINDOWS-1252", "WINDOWS-1252" },
        { "X-SJIS", "SHIFT_JIS" },        { "SJIS", "SHIFT_JIS" },
        { "SHIFT-JIS", "SHIFT_JIS" },     { "X-EUC-JP", "EUC-JP" },
        { "KS_C_5601-1987", "CP949" },    { "X-GBK", "GBK" },
        { "GB2312", "GBK" },              { "X-MAC-ROMAN", "MACINTOSH" },
        { "UNICODE-1-1-UTF-7", "UTF-7" }, { "X-UNKNOWN", "" },
        { "UNKNOWN-8BIT", "" },           { "DEFAULT", "" },
        { "X-USER-DEFINED", "" },         { "CHARSET", "" },
        /* Windows font charset names some mailers put in MIME labels. */
        { "ANSI_CHARSET", "WINDOWS-1252" },    { "GB2312_CHARSET", "GBK" },
        { "SHIFTJIS_CHARSET", "SHIFT_JIS" },   { "HANGEUL_CHARSET", "CP949" },
        { "HANGUL_CHARSET", "CP949" },         { "CHINESEBIG5_CHARSET", "BIG5" },
        { "RUSSIAN_CHARSET", "WINDOWS-1251" }, { "GREEK_CHARSET", "WINDOWS-1253" },
        { "TURKISH_CHARSET", "WINDOWS-1254" }, { "HEBREW_CHARSET", "WINDOWS-1255" },
        { "ARABIC_CHARSET", "WINDOWS-1256" },  { "BALTIC_CHARSET", "WINDOWS-1257" },
        { "EASTEUROPE_CHARSET", "WINDOWS-1250" }, { "THAI_CHARSET", "CP874" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(tmp, map[i].alias) == 0)
            return map[i].name;
    return tmp;
}

int civ_charset_known(const char *label)
{
    char tmp[64];
    const char *cs = charset_canonical(label ? label : "", tmp, sizeof tmp);
    if (!*cs)
        return 0;
    if (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "WINDOWS-1252") == 0)
        return 1;
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return 0;
    iconv_close(cd);
    return 1;
}

void civ_ascii_lower(char *out, size_t outsz, const char *s)
{
    size_t i = 0;
    if (outsz == 0)
        return;
    for (; s && s[i] && i + 1 < outsz; i++)
        out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
    out[i] = '\0';
}

civ_status civ_charset_to_utf8(civ_buf *out, const char *charset,
                               const char *in, size_t len, size_t *replaced,
                               civ_error *err)
{
    char tmp[64];
    const char *cs = charset_canonical(charset ? charset : "", tmp, sizeof tmp);
    size_t bad = 0;
    if (!*cs)
        return civ_error_set(err, CIV_EUNSUPPORTED, "unknown charset \"%s\"",
                             charset ? charset : "");
    if (strcmp(cs, "UTF-8") == 0) {
        bad = civ_utf8_sanitize(out, in, len);
        if (replaced)
            *replaced = bad;
        return civ_buf_failed(out) ? civ_error_set(err, CIV_ENOMEM, "out of memory") : CIV_OK;
    }
    iconv_t cd = iconv_open("UTF-8", cs);
    if (cd == (iconv_t)-1)
        return civ_error_set(err, CIV_EUNSUPPORTED, "unknown charset \"%s\"", charset);
    civ_buf mid = CIV_BUF_INIT;
    char *ip = (char *)in;
    size_t il = len;
    civ_buf_reserve(&mid, len * 2 + 16);
    while (il > 0 && !civ_buf_failed(&mid)) {
        if (civ_buf_reserve(&mid, il * 2 + 16) < 0)
            break;
        char *op = mid.data + mid.len;
        size_t ol = mid.cap - mid.len - 1;
        size_t r = iconv(cd, &ip, &il, &op, &ol);
        mid.len = (size_t)(op - mid.data);
        mid.data[mid.len] = '\0';
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG)
            continue;
        /* EILSEQ or EINVAL (truncated sequence at the end): skip a byte. */
        civ_utf8_encode(&mid, 0xFFFD);
        bad++;
        ip++;
        il--;
        iconv(cd, NULL, NULL, NULL, NULL);
    }
    iconv_close(cd);
    if (civ_buf_failed(&mid)) {
        civ_buf_free(&mid);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    civ_utf8_sanitize(out, mid.data ? mid.data : "", mid.len);
    civ_buf_free(&mid);
    if (replaced)
        *replaced = bad;
    return civ_buf_failed(out) ? civ_error_set(err, CIV_ENOMEM, "out of memory") : CIV_OK;
}

int civ_text_is_binary(const char *bytes, size_t len)
{
    const unsigned char *p = (const unsigned char *)bytes;
    if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return 0;
    size_t n = len < 65536 ? len : 65536;
    civ_utf8_stats st;
    civ_utf8_scan(&st, bytes, n);
    if (st.nuls > 0)
        return 1;
    /* A few stray control characters occur in real text; many do not. */
    return n > 0 && st.controls * 100 > n * 2 + 1;
}

/* Windows-1252 leaves these five bytes undefined; seeing them suggests
 * ISO-8859-1 C1 controls (rare) — decode as ISO-8859-1 then. */
static int has_cp1252_holes(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] == 0x81 || p[i] == 0x8D || p[i] == 0x8F || p[i] == 0x90 || p[i] == 0x9D)
            return 1;
    return 0;
}

civ_status civ_text_decode(civ_buf *out, const char *bytes, size_t len,
                           const char *declared, civ_text_info *info,
                           civ_error *err)
{
    const unsigned char *p = (const unsigned char *)bytes;
    civ_text_info dummy;
    if (!info)
        info = &dummy;
    memset(info, 0, sizeof *info);
    const char *cs = NULL;
    size_t skip = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) {
        cs = "UTF-8";
        skip = 3;
    } else if (len >= 2 && p[0] == 0xFF && p[1] == 0xFE) {
        cs = "UTF-16LE";
        skip = 2;
    } else if (len >= 2 && p[0] == 0xFE && p[1] == 0xFF) {
        cs = "UTF-16BE";
        skip = 2;
    }
    civ_utf8_stats st;
    civ_utf8_scan(&st, bytes + skip, len - skip);
    if (!cs && declared && *declared) {
        char tmp[64];
        const char *c = charset_canonical(declared, tmp, sizeof tmp);
        if (strcmp(c, "UTF-8") == 0) {
            /* Trust a UTF-8 label only when the bytes agree; legacy files
             * are often mislabelled. */
            if (st.invalid == 0 || (st.multibyte > 0 && st.multibyte * 4 >= st.invalid))
                cs = "UTF-8";
        } else if (*c) {
            /* A legacy label on bytes that are valid, non-ASCII UTF-8 is a
             * mislabel (common in mail and HTML). */
            if (!(st.invalid == 0 && st.multibyte > 0)) {
                size_t before = out->len;
                size_t bad = 0;
                civ_status s = civ_charset_to_utf8(out, declared, bytes, len, &bad, NULL);
                if (s == CIV_OK) {
                    info->charset = strcmp(c, "WINDOWS-1252") == 0 ? "WINDOWS-1252" : "declared";
                    info->replaced = bad;
                    return CIV_OK;
                }
                if (s == CIV_ENOMEM)
                    return civ_error_set(err, s, "out of memory");
                out->len = before;
                if (out->data)
                    out->data[before] = '\0';
            }
        }
    }
    int iso_strict = 0;
    if (!cs) {
        if (st.invalid == 0)
            cs = "UTF-8";
        else if (st.multibyte > 0 && st.multibyte * 4 >= st.invalid) {
            /* Legacy 8-bit text almost never forms valid UTF-8 sequences by
             * accident; some valid ones mean UTF-8 with damage. */
            cs = "UTF-8";
            info->mixed = 1;
        } else if (has_cp1252_holes(p + skip, len - skip))
            iso_strict = 1;
        else
            cs = "WINDOWS-1252";
    }
    size_t bad = 0;
    civ_status s;
    if (iso_strict) {
        /* ISO-8859-1 maps byte n to U+00nn; C1 controls become U+FFFD. */
        s = CIV_OK;
        for (size_t i = skip; i < len; ) {
            size_t j = i;
            while (j < len && p[j] < 0x80)
                j++;
            civ_utf8_sanitize(out, bytes + i, j - i);
            if (j < len) {
                civ_utf8_encode(out, p[j] >= 0xA0 ? p[j] : 0xFFFD);
                j++;
            }
            i = j;
        }
        info->charset = "ISO-8859-1";
    } else {
        s = civ_charset_to_utf8(out, cs, bytes + skip, len - skip, &bad, err);
        info->charset = cs;
    }
    info->replaced = bad;
    if (s != CIV_OK)
        return s;
    return civ_buf_failed(out) ? civ_error_set(err, CIV_ENOMEM, "out of memory") : CIV_OK;
}
