/*
 * Mail: single RFC 5322 messages (.eml) and mbox files (one document per
 * message), parsed in-process with GMime 3.
 *
 * Every message becomes a letter: from/to/cc ("Name <addr>", one value per
 * address), subject (also the title), date (UTC, to the second), message
 * id, the thread it belongs to, and the readable text of its parts:
 * text/plain preferred in multipart/alternative, HTML through the HTML
 * extractor, text-like attachments appended, binary ones listed by name.
 * Broken MIME gives one-line warnings, never a failed file.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "civ/charset.h"
#include "civ/date.h"
#include "civ/dom.h"
#include "civ/extract.h"
#include "civ/hash.h"
#include "civ/mail.h"
#include "civ/utf8.h"

static const char *const mail_exts[] = { "eml", NULL };
static const char *const mbox_exts[] = { "mbox", NULL };

/* MIME trees deeper than this are not followed (GMime has its own limit). */
#define MAX_DEPTH 24

/* ---- GMime set-up ----------------------------------------------------- */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

/* ---- the mbox "From " line --------------------------------------------- */

static int month_of(const char *s, size_t n)
{
    static const char *const names[] = { "jan", "feb", "mar", "apr", "may", "jun",
                                         "jul", "aug", "sep", "oct", "nov", "dec" };
    if (n < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        if (strncasecmp(s, names[i], 3) == 0)
            return i + 1;
    return 0;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

int civ_mail_from_line(const char *line, size_t n, civ_date *date)
{
    if (n < 5 || memcmp(line, "From ", 5) != 0)
        return 0;
    size_t i = 5;
    while (i < n && line[i] == ' ')
        i++;
    /* The envelope sender: one token. */
    size_t s = i;
    while (i < n && line[i] != ' ' && line[i] != '\t')
        i++;
    if (i == s)
        return 0;
    /* The rest holds an asctime() date: "Thu Aug 22 12:36:23 2002", maybe
     * with a zone, maybe in RFC 5322 order; find its parts in any order. */
    civ_date d;
    memset(&d, 0, sizeof d);
    int have_time = 0;
    while (i < n) {
        while (i < n && (line[i] == ' ' || line[i] == '\t' || line[i] == ','))
            i++;
        size_t t = i;
        while (i < n && line[i] != ' ' && line[i] != '\t' && line[i] != ',')
            i++;
        const char *w = line + t;
        size_t wl = i - t;
        if (wl == 0)
            break;
        int h, m, sec = 0;
        if (!have_time && (wl == 8 || wl == 5) && isdigit((unsigned char)w[0]) && w[2] == ':' &&
            sscanf(w, "%2d:%2d", &h, &m) == 2) {
            if (wl == 8 && sscanf(w + 6, "%2d", &sec) != 1)
                return 0;
            if (h > 23 || m > 59 || sec > 60)
                return 0;
            d.hour = h, d.min = m, d.sec = sec > 59 ? 59 : sec;
            have_time = 1;
        } else if (!d.year && wl == 4 && all_digits(w, 4)) {
            d.year = atoi(w);
        } else if (!d.day && wl <= 2 && all_digits(w, wl)) {
            d.day = atoi(w);
        } else if (!d.month && wl >= 3 && isalpha((unsigned char)w[0])) {
            d.month = month_of(w, wl);
            if (d.month && wl > 3 && !isalpha((unsigned char)w[3]))
                d.month = 0;
        }
    }
    if (!have_time || !d.year || !d.month || d.day < 1 || d.day > 31 || d.year < 1970 ||
        d.year > 2999)
        return 0;
    d.has_time = 1;
    if (date)
        *date = d;
    return 1;
}

/* Length of the line at p (without its newline) and of the newline. */
static size_t line_len(const char *p, size_t left, size_t *nl)
{
    const char *e = memchr(p, '\n', left);
    size_t n = e ? (size_t)(e - p) : left;
    *nl = e ? 1 : 0;
    if (n && p[n - 1] == '\r')
        n--, (*nl)++;
    return n;
}

/* ---- sniffing ------------------------------------------------------------ */

/* Checks that bytes start with an RFC 5322 header block holding at least
 * two headers mail always has. Returns how many such headers were seen. */
static int header_block(const unsigned char *bytes, size_t len)
{
    static const char *const known[] = {
        "from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
        "mime-version", "delivered-to", "reply-to", "in-reply-to", "references", "sender",
        "content-type", "x-mailer", "user-agent", "envelope-to", "x-original-to", NULL,
    };
    const char *p = (const char *)bytes;
    size_t lim = len < 16384 ? len : 16384, i = 0;
    int lines = 0, hits = 0;
    while (i < lim) {
        size_t nl;
        size_t n = line_len(p + i, lim - i, &nl);
        const char *l = p + i;
        if (n == 0)
            break;
        if (l[0] == ' ' || l[0] == '\t') {
            if (lines == 0)
                return 0;
        } else {
            size_t k = 0;
            while (k < n && l[k] != ':' && (unsigned char)l[k] > ' ' && (unsigned char)l[k] < 127)
                k++;
            if (k == 0 || k >= n || l[k] != ':' || k > 76)
                return 0;
            for (int j = 0; known[j]; j++)
                if (strlen(known[j]) == k && strncasecmp(l, known[j], k) == 0) {
                    hits++;
                    break;
                }
            lines++;
        }
        if (!nl)
            break;
        i += n + nl;
    }
    return hits;
}

/* Offset just past a leading mbox "From " line, or 0 when there is none. */
static size_t skip_from_line(const unsigned char *bytes, size_t len, civ_date *d)
{
    size_t nl;
    size_t n = line_len((const char *)bytes, len, &nl);
    if (nl && civ_mail_from_line((const char *)bytes, n, d))
        return n + nl;
    return 0;
}

/* Offset of the next separator line at or after `from` (which must be at
 * the start of a line), or len. */
static size_t next_separator(const char *b, size_t len, size_t from)
{
    size_t i = from;
    while (i < len) {
        if (len - i >= 5 && b[i] == 'F' && memcmp(b + i, "From ", 5) == 0) {
            size_t nl;
            size_t n = line_len(b + i, len - i, &nl);
            if (civ_mail_from_line(b + i, n, NULL))
                return i;
        }
        const char *e = memchr(b + i, '\n', len - i);
        if (!e)
            break;
        i = (size_t)(e - b) + 1;
    }
    return len;
}

static int mail_sniff(const unsigned char *b, size_t len)
{
    size_t skip = skip_from_line(b, len, NULL);
    int hits = header_block(b + skip, len - skip);
    if (hits < 2)
        return 0;
    return skip ? 85 : 80;
}

static int mbox_sniff(const unsigned char *b, size_t len)
{
    size_t skip = skip_from_line(b, len, NULL);
    if (!skip || header_block(b + skip, len - skip) < 2)
        return 0;
    /* A second message makes it a mailbox rather than one saved mail. */
    return next_separator((const char *)b, len, skip) < len ? 90 : 0;
}

/* ---- one message ---------------------------------------------------------- */

typedef struct mail {
    const civ_input *in;
    civ_doc *doc;
    civ_buf *text;
    GMimeParserOptions *popts;
    const char *label;    /* "message #3: " inside an mbox, else "" */
    unsigned parts;       /* leaf parts seen (numbers parts in warnings) */
    unsigned warned;      /* GMime warning kinds already reported */
    civ_status fatal;     /* out of memory */
} mail;

static void mwarn(mail *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void mwarn(mail *m, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    civ_input_warn(m->in, "%s%s", m->label, msg);
}

/* GMime reports what it had to repair; the kinds that change what we read
 * become warnings (once per message each). */
static void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
                              gpointer data)
{
    (void)offset;
    (void)item;
    mail *m = data;
    const char *what;
    switch (code) {
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: what = "missing MIME boundary"; break;
    case GMIME_WARN_MALFORMED_MULTIPART: what = "malformed multipart: end boundary missing"; break;
    case GMIME_WARN_TRUNCATED_MESSAGE: what = "truncated message"; break;
    case GMIME_WARN_MALFORMED_MESSAGE: what = "malformed message headers"; break;
    case GMIME_CRIT_NESTING_OVERFLOW: what = "MIME parts nested too deeply"; break;
    default: return;
    }
    unsigned bit = 1u << ((unsigned)code & 31);
    if (m->warned & bit)
        return;
    m->warned |= bit;
    mwarn(m, "%s", what);
}

/* 1 when iconv (through civ_charset_to_utf8) knows the charset. */
static int charset_known(const char *cs)
{
    civ_buf tmp = CIV_BUF_INIT;
    civ_status s = civ_charset_to_utf8(&tmp, cs, "", 0, NULL, NULL);
    civ_buf_free(&tmp);
    return s == CIV_OK;
}

/* Windows font charset names some mailers put in MIME labels. */
static const char *font_charset(const char *cs)
{
    static const struct { const char *label, *charset; } map[] = {
        { "ANSI_CHARSET", "windows-1252" },    { "GB2312_CHARSET", "GB2312" },
        { "SHIFTJIS_CHARSET", "Shift_JIS" },   { "HANGEUL_CHARSET", "CP949" },
        { "HANGUL_CHARSET", "CP949" },         { "CHINESEBIG5_CHARSET", "BIG5" },
        { "RUSSIAN_CHARSET", "windows-1251" }, { "GREEK_CHARSET", "windows-1253" },
        { "TURKISH_CHARSET", "windows-1254" }, { "HEBREW_CHARSET", "windows-1255" },
        { "ARABIC_CHARSET", "windows-1256" },  { "BALTIC_CHARSET", "windows-1257" },
        { "EASTEUROPE_CHARSET", "windows-1250" }, { "THAI_CHARSET", "CP874" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcasecmp(cs, map[i].label) == 0)
            return map[i].charset;
    return cs;
}

/* Decodes bytes in a declared charset to UTF-8, appending to out. */
static void decode_text(mail *m, civ_buf *out, const char *bytes, size_t len,
                        const char *charset, unsigned part)
{
    civ_text_info info;
    const char *declared = charset && *charset ? font_charset(charset) : NULL;
    int bad = declared && !charset_known(declared);
    if (civ_text_decode(out, bytes, len, bad ? NULL : declared, &info, NULL) != CIV_OK) {
        m->fatal = CIV_ENOMEM;
        return;
    }
    if (bad) {
        char lower[32];
        size_t i = 0;
        for (; info.charset[i] && i + 1 < sizeof lower; i++)
            lower[i] = (char)tolower((unsigned char)info.charset[i]);
        lower[i] = '\0';
        mwarn(m, "bad charset %.40s in part %u, decoded as %s", declared, part, lower);
    }
}

/* Reads the decoded content of a leaf part (transfer encoding undone) into
 * out. *truncated is set when base64 content ends in the middle of a group.
 * With out NULL nothing is decoded or kept: only *truncated is found (for
 * binary attachments, which are listed by name). Reading stops once out
 * holds `enough` bytes (SIZE_MAX: read all; *truncated is then only
 * known for what was read). */
static void part_content_upto(mail *m, GMimePart *part, civ_buf *out, int *truncated,
                              size_t enough)
{
    *truncated = 0;
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
    if (!raw)
        return;
    GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
    GMimeEncoding st;
    g_mime_encoding_init_decode(&st, enc);
    int decode = enc == GMIME_CONTENT_ENCODING_BASE64 ||
                 enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
                 enc == GMIME_CONTENT_ENCODING_UUENCODE;
    size_t b64 = 0;
    char chunk[16384];
    g_mime_stream_reset(raw);
    for (;;) {
        if (out && out->len >= enough)
            break;
        ssize_t n = g_mime_stream_read(raw, chunk, sizeof chunk);
        if (n <= 0)
            break;
        /* Decoded so far (base64: three bytes a group of four). */
        size_t have = out ? out->len : b64 / 4 * 3;
        if (have + (size_t)n > m->in->max_size) {
            mwarn(m, "part %u larger than the maximum size: cut", m->parts);
            break;
        }
        if (!decode) {
            if (out)
                civ_buf_append(out, chunk, (size_t)n);
            continue;
        }
        if (enc == GMIME_CONTENT_ENCODING_BASE64)
            for (ssize_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)chunk[i];
                if (isalnum(c) || c == '+' || c == '/' || c == '=')
                    b64++;
            }
        if (!out)
            continue;
        if (civ_buf_reserve(out, g_mime_encoding_outlen(&st, (size_t)n)) < 0)
            break;
        out->len += g_mime_encoding_step(&st, chunk, (size_t)n, out->data + out->len);
        out->data[out->len] = '\0';
    }
    if (out && decode && civ_buf_reserve(out, g_mime_encoding_outlen(&st, 0) + 16) == 0) {
        out->len += g_mime_encoding_flush(&st, "", 0, out->data + out->len);
        out->data[out->len] = '\0';
    }
    if (b64 % 4 != 0)
        *truncated = 1;
    if (out && civ_buf_failed(out))
        m->fatal = CIV_ENOMEM;
}

static void part_content(mail *m, GMimePart *part, civ_buf *out, int *truncated)
{
    part_content_upto(m, part, out, truncated, SIZE_MAX);
}

/* Starts a new paragraph in the message text. */
static void paragraph(mail *m)
{
    civ_buf *t = m->text;
    if (t->len == 0)
        return;
    if (t->data[t->len - 1] != '\n')
        civ_buf_putc(t, '\n');
    if (t->len < 2 || t->data[t->len - 2] != '\n')
        civ_buf_putc(t, '\n');
}

/* Appends UTF-8 text (already clean) as a paragraph. */
static void add_text(mail *m, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == '\n' || s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == i)
        return;
    paragraph(m);
    civ_buf_append(m->text, s + i, n - i);
}

/* Runs one extraction into a scratch document and appends its text to the
 * message's. The extraction is html_extract_bytes (bytes, charset) or, when
 * ex is set, ex->extract_one on sub. A failure becomes a warning starting
 * with `what` (only running out of memory stops the message). Returns 0 or
 * -1. */
static int absorb(mail *m, const civ_extractor *ex, const civ_input *sub, const char *bytes,
                  size_t len, const char *charset, const char *what)
{
    civ_doc *scratch = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_doc_new(&scratch, &err) != CIV_OK) {
        m->fatal = CIV_ENOMEM;
        return -1;
    }
    civ_status s = ex ? ex->extract_one(sub, scratch, &err)
                      : civ_html_extract_bytes(scratch, bytes, len, charset, &err);
    if (s == CIV_OK) {
        size_t tl;
        const char *t = civ_doc_text(scratch, &tl);
        add_text(m, t, tl);
    } else if (s == CIV_ENOMEM) {
        m->fatal = s;
    } else {
        mwarn(m, "%s could not be read: %s", what, err.msg);
    }
    civ_doc_free(scratch);
    return s == CIV_OK ? 0 : -1;
}

/* The text of HTML bytes, through the HTML extractor. Returns 0 or -1. */
static int html_text(mail *m, const char *bytes, size_t len, const char *charset, unsigned part)
{
    char what[48];
    snprintf(what, sizeof what, "HTML in part %u", part);
    const char *declared = charset && *charset && charset_known(charset) ? charset : NULL;
    return absorb(m, NULL, NULL, bytes, len, declared, what);
}

static void add_message(mail *m, GMimeMessage *msg, int depth, int nested);
static void add_object(mail *m, GMimeObject *obj, int depth);

static int is_type(GMimeObject *obj, const char *type, const char *sub)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    return ct && g_mime_content_type_is_type(ct, type, sub);
}

/* Text of another format (an attachment civindex reads), through its
 * extractor. Warnings name the attachment. */
typedef struct sub_warn {
    const civ_input *parent;
    const char *prefix;
} sub_warn;

static void forward_warning(void *ctx, const char *msg)
{
    sub_warn *w = ctx;
    civ_input_warn(w->parent, "%s%s", w->prefix, msg);
}

static void add_other_format(mail *m, const civ_extractor *ex, const char *name,
                             const char *bytes, size_t len)
{
    char prefix[200];
    snprintf(prefix, sizeof prefix, "%sattachment %.120s: ", m->label, name);
    sub_warn sw = { m->in, prefix };
    civ_input sub = *m->in;
    sub.name = name;
    sub.bytes = (const unsigned char *)bytes;
    sub.len = len;
    sub.warn = forward_warning;
    sub.warn_ctx = &sw;
    char what[160];
    snprintf(what, sizeof what, "attachment %.120s", name);
    absorb(m, ex, &sub, NULL, 0, NULL, what);
}

/* A leaf part: body text, a text-like attachment, or a binary one. */
static void add_leaf(mail *m, GMimePart *part, int depth)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    unsigned no = ++m->parts;
    const char *name = g_mime_part_get_filename(part);
    if (name && !*name)
        name = NULL;
    const char *disp = g_mime_object_get_disposition(obj);
    int attachment = disp && strcasecmp(disp, "attachment") == 0;
    int plain = is_type(obj, "text", "plain");
    int html = is_type(obj, "text", "html") || is_type(obj, "application", "xhtml+xml");
    const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
    /* Signatures and key material carry no text. */
    if (is_type(obj, "application", "pgp-signature") ||
        is_type(obj, "application", "pkcs7-signature") ||
        is_type(obj, "application", "x-pkcs7-signature") ||
        is_type(obj, "application", "pgp-keys"))
        return;

    const civ_extractor *ex = name ? civ_extractor_for_name(name) : NULL;
    int mailfile = ex == &civ_extractor_mail || is_type(obj, "message", "*");
    int textlike = plain || html || is_type(obj, "text", "*") ||
                   is_type(obj, "application", "xml") || mailfile ||
                   (ex && ex->extract_one);
    if (name && (attachment || !(plain || html)))
        civ_doc_add_str(m->doc, "attachment", name);
    if (!textlike) {
        /* Binary: listed by name only, but say when its data is cut short. */
        GMimeDataWrapper *w = g_mime_part_get_content(part);
        if (w && g_mime_data_wrapper_get_encoding(w) == GMIME_CONTENT_ENCODING_BASE64) {
            int truncated;
            part_content(m, part, NULL, &truncated);
            if (truncated && name)
                mwarn(m, "truncated base64 in attachment %.120s", name);
            else if (truncated)
                mwarn(m, "truncated base64 in part %u", no);
        }
        return;
    }
    civ_buf raw = CIV_BUF_INIT;
    int truncated;
    part_content(m, part, &raw, &truncated);
    if (truncated) {
        if (name)
            mwarn(m, "truncated base64 in attachment %.120s", name);
        else
            mwarn(m, "truncated base64 in part %u", no);
    }
    if (m->fatal || raw.len == 0) {
        civ_buf_free(&raw);
        return;
    }
    const char *bytes = civ_buf_str(&raw);
    if (attachment || (name && !(plain || html))) {
        if (mailfile) {
            /* A mail saved as an attachment: read it as a forwarded message
             * (one level deeper, so that mail in mail in mail… ends). */
            GMimeStream *stream = g_mime_stream_mem_new_with_buffer(bytes, raw.len);
            GMimeParser *parser = g_mime_parser_new_with_stream(stream);
            GMimeMessage *inner = g_mime_parser_construct_message(parser, m->popts);
            if (inner) {
                add_message(m, inner, depth + 1, 1);
                g_object_unref(inner);
            }
            g_object_unref(parser);
            g_object_unref(stream);
        } else if (html) {
            html_text(m, bytes, raw.len, charset, no);
        } else if (ex && ex->extract_one && ex != &civ_extractor_mail &&
                   ((ex->flags & CIV_EXTRACTOR_BINARY_OK) || !civ_text_is_binary(bytes, raw.len))) {
            add_other_format(m, ex, name, bytes, raw.len);
        } else if (!civ_text_is_binary(bytes, raw.len)) {
            civ_buf t = CIV_BUF_INIT;
            decode_text(m, &t, bytes, raw.len, charset, no);
            add_text(m, civ_buf_str(&t), t.len);
            civ_buf_free(&t);
        }
        civ_buf_free(&raw);
        return;
    }
    if (html) {
        html_text(m, bytes, raw.len, charset, no);
    } else {
        civ_buf t = CIV_BUF_INIT;
        decode_text(m, &t, bytes, raw.len, charset, no);
        add_text(m, civ_buf_str(&t), t.len);
        civ_buf_free(&t);
    }
    civ_buf_free(&raw);
}

/* 1 when a text/plain leaf holds nothing but white space. Its start
 * nearly always tells; the whole part is decoded only when that start is
 * blank (the chosen part is decoded again as the message's text). */
static int blank_plain(mail *m, GMimeObject *obj)
{
    civ_buf raw = CIV_BUF_INIT;
    int truncated;
    part_content_upto(m, GMIME_PART(obj), &raw, &truncated, 1);
    int blank = 1;
    for (size_t i = 0; i < raw.len && blank; i++)
        if (!isspace((unsigned char)raw.data[i]))
            blank = 0;
    if (!blank) {
        civ_buf_free(&raw);
        return 0;
    }
    civ_buf_reset(&raw);
    part_content(m, GMIME_PART(obj), &raw, &truncated);
    for (size_t i = 0; i < raw.len && blank; i++)
        if (!isspace((unsigned char)raw.data[i]))
            blank = 0;
    civ_buf_free(&raw);
    return blank;
}

/* multipart/alternative: the plain text if there is some, else the richest
 * other version (HTML, or a multipart/related holding it). */
static void add_alternative(mail *m, GMimeMultipart *mp, int depth)
{
    int n = g_mime_multipart_get_count(mp);
    GMimeObject *plain = NULL, *rich = NULL;
    for (int i = 0; i < n; i++) {
        GMimeObject *p = g_mime_multipart_get_part(mp, i);
        if (!p)
            continue;
        if (!plain && GMIME_IS_PART(p) && is_type(p, "text", "plain") && !blank_plain(m, p))
            plain = p;
        else if (is_type(p, "text", "html") || GMIME_IS_MULTIPART(p))
            rich = p;
    }
    if (plain) {
        add_object(m, plain, depth + 1);
        /* The other versions still count as parts for warning numbers. */
        m->parts += (unsigned)(n - 1);
    } else if (rich) {
        add_object(m, rich, depth + 1);
    } else {
        for (int i = 0; i < n; i++) {
            GMimeObject *p = g_mime_multipart_get_part(mp, i);
            if (p)
                add_object(m, p, depth + 1);
        }
    }
}

/* A multipart GMime found no parts in (its boundary parameter is missing
 * or wrong): everything is in the prologue. When the prologue starts with
 * a boundary line, the parts are read again with that boundary; otherwise
 * the prologue is read as plain text. */
static void recover_multipart(mail *m, GMimeMultipart *mp, int depth)
{
    const char *pro = g_mime_multipart_get_prologue(mp);
    if (!pro)
        return;
    const char *p = pro;
    while (*p == '\n' || *p == '\r' || *p == ' ')
        p++;
    size_t bl = 0;
    if (p[0] == '-' && p[1] == '-') {
        while (p[2 + bl] && !isspace((unsigned char)p[2 + bl]) && bl < 70)
            bl++;
    }
    if (bl > 0 && bl < 70) {
        const char *sub = g_mime_content_type_get_media_subtype(
            g_mime_object_get_content_type(GMIME_OBJECT(mp)));
        civ_buf b = CIV_BUF_INIT;
        civ_buf_printf(&b, "Content-Type: multipart/%s; boundary=\"%.*s\"\n\n%s",
                       sub && *sub ? sub : "mixed", (int)bl, p + 2, pro);
        if (civ_buf_failed(&b)) {
            m->fatal = CIV_ENOMEM;
            civ_buf_free(&b);
            return;
        }
        GMimeStream *stream = g_mime_stream_mem_new_with_buffer(b.data, b.len);
        GMimeParser *parser = g_mime_parser_new_with_stream(stream);
        GMimeObject *part = g_mime_parser_construct_part(parser, m->popts);
        int ok = part && GMIME_IS_MULTIPART(part) &&
                 g_mime_multipart_get_count(GMIME_MULTIPART(part)) > 0;
        if (ok)
            add_object(m, part, depth + 1);
        if (part)
            g_object_unref(part);
        g_object_unref(parser);
        g_object_unref(stream);
        civ_buf_free(&b);
        if (ok)
            return;
    }
    civ_buf t = CIV_BUF_INIT;
    decode_text(m, &t, pro, strlen(pro), NULL, ++m->parts);
    add_text(m, civ_buf_str(&t), t.len);
    civ_buf_free(&t);
}

static void add_object(mail *m, GMimeObject *obj, int depth)
{
    if (!obj || m->fatal)
        return;
    if (depth > MAX_DEPTH) {
        if (!(m->warned & 1u)) {
            m->warned |= 1u;
            mwarn(m, "MIME parts nested too deeply");
        }
        return;
    }
    if (GMIME_IS_MULTIPART_ENCRYPTED(obj)) {
        civ_doc_add_str(m->doc, "attachment", "(encrypted content)");
        return;
    }
    if (GMIME_IS_MULTIPART_SIGNED(obj)) {
        add_object(m, g_mime_multipart_get_part(GMIME_MULTIPART(obj), 0), depth + 1);
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        if (is_type(obj, "multipart", "alternative")) {
            add_alternative(m, mp, depth);
            return;
        }
        int n = g_mime_multipart_get_count(mp);
        if (n == 0) {
            recover_multipart(m, mp, depth);
            return;
        }
        for (int i = 0; i < n && !m->fatal; i++)
            add_object(m, g_mime_multipart_get_part(mp, i), depth + 1);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        m->parts++;
        if (inner)
            add_message(m, inner, depth + 1, 1);
        return;
    }
    if (GMIME_IS_PART(obj))
        add_leaf(m, GMIME_PART(obj), depth);
}

/* "Name <addr>", "addr" or "Name" for one mailbox into out. */
static void format_mailbox(civ_buf *out, InternetAddress *ia)
{
    const char *name = internet_address_get_name(ia);
    const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    while (name && (*name == ' ' || *name == '"' || *name == '\''))
        name++;
    size_t nl = name ? strlen(name) : 0;
    while (nl && (name[nl - 1] == ' ' || name[nl - 1] == '"' || name[nl - 1] == '\''))
        nl--;
    int have_addr = addr && *addr;
    if (nl && have_addr && !(strlen(addr) == nl && strncasecmp(addr, name, nl) == 0))
        civ_buf_printf(out, "%.*s <%s>", (int)nl, name, addr);
    else if (have_addr)
        civ_buf_puts(out, addr);
    else if (nl)
        civ_buf_append(out, name, nl);
}

static void add_list(mail *m, const char *field, InternetAddressList *list, int depth)
{
    int n = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n && depth < 4; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_list(m, field, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                     depth + 1);
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        civ_buf v = CIV_BUF_INIT;
        format_mailbox(&v, ia);
        char *dec = NULL;
        /* Encoded words where RFC 2047 allows none (inside the address)
         * are still decoded: senders meant them to be read. */
        if (v.len && strstr(v.data, "=?"))
            dec = g_mime_utils_header_decode_text(m->popts, v.data);
        if (dec)
            civ_doc_add_str(m->doc, field, dec);
        else if (v.len)
            civ_doc_add(m->doc, field, v.data, v.len);
        g_free(dec);
        civ_buf_free(&v);
    }
}

/* Addresses of a header; when GMime could make nothing of a header that is
 * there, its decoded text is kept as written. */
static void add_addresses(mail *m, GMimeMessage *msg, const char *field, const char *header,
                          GMimeAddressType type)
{
    InternetAddressList *list = g_mime_message_get_addresses(msg, type);
    if (list && internet_address_list_length(list) > 0) {
        add_list(m, field, list, 0);
        return;
    }
    const char *raw = g_mime_object_get_header(GMIME_OBJECT(msg), header);
    if (!raw || !*raw)
        return;
    char *dec = g_mime_utils_header_decode_text(m->popts, raw);
    if (dec) {
        civ_doc_add_str(m->doc, field, dec);
        g_free(dec);
    }
}

/* A Message-ID made comparable: no <>, trimmed, domain in lower case. */
static size_t msgid_norm(char *out, size_t outsz, const char *id)
{
    while (*id == ' ' || *id == '\t' || *id == '<')
        id++;
    size_t n = strlen(id);
    while (n && (id[n - 1] == ' ' || id[n - 1] == '\t' || id[n - 1] == '>' ||
                 id[n - 1] == '\r' || id[n - 1] == '\n'))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, id, n);
    out[n] = '\0';
    char *at = strrchr(out, '@');
    for (char *p = at; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return n;
}

/* The first Message-ID in a References / In-Reply-To header, normalised. */
static size_t first_ref(mail *m, GMimeMessage *msg, const char *header, int last, char *out,
                        size_t outsz)
{
    const char *raw = g_mime_object_get_header(GMIME_OBJECT(msg), header);
    out[0] = '\0';
    if (!raw || !*raw)
        return 0;
    GMimeReferences *refs = g_mime_references_parse(m->popts, raw);
    int n = refs ? g_mime_references_length(refs) : 0;
    size_t len = 0;
    if (n > 0)
        len = msgid_norm(out, outsz, g_mime_references_get_message_id(refs, last ? n - 1 : 0));
    if (refs)
        g_mime_references_free(refs);
    if (len == 0 && !strchr(raw, '<') && strchr(raw, '@') && !strchr(raw, ' '))
        len = msgid_norm(out, outsz, raw);
    return len;
}

void civ_mail_thread_id(char out[17], const char *msgid)
{
    char norm[1024];
    size_t n = msgid_norm(norm, sizeof norm, msgid);
    civ_hash64_hex(out, civ_hash64(norm, n, 0));
}

/* Mailers with a year-2000 bug wrote 2002 as "0102" or "102" (years since
 * 1900): parses v with such a year repaired. Returns 0 or -1. */
static int fix_year(const char *v, civ_date *d)
{
    size_t n = strlen(v);
    if (n > 200)
        return -1;
    for (size_t i = 0; i + 3 <= n; i++) {
        if (i > 0 && v[i - 1] != ' ')
            continue;
        size_t k = i;
        while (k < n && isdigit((unsigned char)v[k]))
            k++;
        if (k - i < 3 || k - i > 4 || (k < n && v[k] != ' '))
            continue;
        int y = atoi(v + i);
        if (y < 100 || y > 199)
            continue;
        char fixed[256];
        snprintf(fixed, sizeof fixed, "%.*s%d%s", (int)i, v, 1900 + y, v + k);
        return civ_date_parse(d, fixed, strlen(fixed));
    }
    return -1;
}

/* Date of the message: the Date header, else the envelope (From line),
 * else the first Received header. Returns the source, or NULL. */
static const char *message_date(GMimeMessage *msg, const civ_date *envelope, civ_date *d)
{
    const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), "Date");
    if (v && civ_date_parse(d, v, strlen(v)) == 0)
        return "header";
    if (v && fix_year(v, d) == 0)
        return "header";
    if (v) {
        GDateTime *gd = g_mime_utils_header_decode_date(v);
        if (gd) {
            gint64 t = g_date_time_to_unix(gd);
            g_date_time_unref(gd);
            civ_date_from_time(d, (time_t)t);
            if (d->year >= 1970 && d->year < 3000)
                return "header";
        }
    }
    if (envelope) {
        *d = *envelope;
        return "envelope";
    }
    GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
    int n = hl ? g_mime_header_list_get_count(hl) : 0;
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *name = g_mime_header_get_name(h);
        if (!name || strcasecmp(name, "Received") != 0)
            continue;
        const char *rv = g_mime_header_get_value(h);
        const char *semi = rv ? strrchr(rv, ';') : NULL;
        if (semi && civ_date_parse(d, semi + 1, strlen(semi + 1)) == 0)
            return "received";
        break;
    }
    return NULL;
}

/* A forwarded or attached message: its headers as a paragraph, then its
 * body. The top-level message: fields, then body. */
static void add_message(mail *m, GMimeMessage *msg, int depth, int nested)
{
    if (nested) {
        static const char *const shown[] = { "From", "To", "Cc", "Date", "Subject", NULL };
        paragraph(m);
        for (int i = 0; shown[i]; i++) {
            const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), shown[i]);
            if (!v || !*v)
                continue;
            char *dec = g_mime_utils_header_decode_text(m->popts, v);
            civ_buf line = CIV_BUF_INIT;
            civ_buf_printf(&line, "%s: %s\n", shown[i], dec ? dec : v);
            civ_utf8_sanitize(m->text, line.data ? line.data : "", line.len);
            civ_buf_free(&line);
            g_free(dec);
        }
    }
    add_object(m, g_mime_message_get_mime_part(msg), depth);
}

/* Fills doc from one message's bytes. */
static civ_status read_message(const civ_input *in, civ_doc *doc, const char *bytes, size_t len,
                               const civ_date *envelope, const char *label, const char *sub,
                               civ_error *err)
{
    pthread_once(&gmime_once, gmime_start);
    mail m;
    memset(&m, 0, sizeof m);
    m.in = in;
    m.doc = doc;
    m.text = civ_doc_text_buf(doc);
    m.label = label ? label : "";
    m.popts = g_mime_parser_options_new();
    static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
    g_mime_parser_options_set_fallback_charsets(m.popts, fallback);
    g_mime_parser_options_set_warning_callback(m.popts, on_parser_warning, &m);
    g_mime_parser_options_set_allow_addresses_without_domain(m.popts, TRUE);

    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(bytes, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, m.popts);
    civ_status s = CIV_OK;
    GMimeHeaderList *hl = msg ? g_mime_object_get_header_list(GMIME_OBJECT(msg)) : NULL;
    if (!msg || !hl || g_mime_header_list_get_count(hl) == 0) {
        s = civ_error_set(err, CIV_EFORMAT, "not a mail message: no headers");
        goto done;
    }
    civ_doc_set_str(doc, "type", "letter");
    add_addresses(&m, msg, "from", "From", GMIME_ADDRESS_TYPE_FROM);
    if (!civ_doc_get(doc, "from"))
        add_addresses(&m, msg, "from", "Sender", GMIME_ADDRESS_TYPE_SENDER);
    add_addresses(&m, msg, "to", "To", GMIME_ADDRESS_TYPE_TO);
    add_addresses(&m, msg, "cc", "Cc", GMIME_ADDRESS_TYPE_CC);

    const char *subject = g_mime_message_get_subject(msg);
    civ_doc_add_str(doc, "subject", subject ? subject : "");
    const char *subj = civ_doc_get(doc, "subject");
    civ_doc_set_str(doc, "title", subj ? subj : "(no subject)");

    civ_date d;
    const char *src = message_date(msg, envelope, &d);
    if (src) {
        char iso[21];
        civ_date_iso(&d, iso);
        civ_doc_set_str(doc, "date", iso);
        civ_doc_set_str(doc, "date_source", src);
    }

    char own[1024], root[1024], parent[1024];
    const char *mid = g_mime_message_get_message_id(msg);
    size_t ownlen = mid ? msgid_norm(own, sizeof own, mid) : 0;
    if (ownlen)
        civ_doc_set_str(doc, "message_id", own);
    size_t plen = first_ref(&m, msg, "In-Reply-To", 0, parent, sizeof parent);
    if (plen)
        civ_doc_set_str(doc, "in_reply_to", parent);
    size_t rlen = first_ref(&m, msg, "References", 0, root, sizeof root);
    /* A message with no id at all is a thread of its own, named after
     * the document. */
    char self[1024];
    snprintf(self, sizeof self, "civ:%s%s", in->id ? in->id : "", sub ? sub : "");
    const char *key = rlen ? root : plen ? parent : ownlen ? own : self;
    char tid[17];
    civ_mail_thread_id(tid, key);
    civ_doc_set_str(doc, "thread", tid);

    /* Content-Language (of the message, else of its body part). */
    const char *lang = g_mime_object_get_header(GMIME_OBJECT(msg), "Content-Language");
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    if ((!lang || !*lang) && body)
        lang = g_mime_object_get_header(body, "Content-Language");
    if (lang && *lang) {
        size_t ln = 0;
        while (lang[ln] == ' ')
            lang++;
        while (lang[ln] && lang[ln] != ',' && lang[ln] != ' ' && lang[ln] != ';' && ln < 35)
            ln++;
        civ_doc_add(doc, "lang", lang, ln);
    }

    add_message(&m, msg, 0, 0);
    if (m.fatal)
        s = civ_error_set(err, m.fatal, "out of memory");
    else
        s = civ_doc_check(doc, err);
done:
    if (msg)
        g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(m.popts);
    return s;
}

/* ---- .eml ------------------------------------------------------------------ */

static int unquote_from(civ_buf *out, const char *b, size_t len);

static civ_status mail_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    civ_date env;
    size_t skip = skip_from_line(in->bytes, in->len, &env);
    const char *b = (const char *)in->bytes + skip;
    size_t len = in->len - skip;
    /* A message saved from a mailbox (it starts with the "From " line)
     * keeps the mailbox's ">From " quoting: undo it. */
    civ_buf unq = CIV_BUF_INIT;
    if (skip && unquote_from(&unq, b, len)) {
        if (civ_buf_failed(&unq)) {
            civ_buf_free(&unq);
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        }
        b = unq.data;
        len = unq.len;
    }
    civ_status s = read_message(in, doc, b, len, skip ? &env : NULL, NULL, NULL, err);
    civ_buf_free(&unq);
    return s;
}

/* ---- mbox ------------------------------------------------------------------ */

/* Undoes mbox quoting: a line ">From " (any number of '>') loses one '>'.
 * Returns 1 and fills out when something changed. */
static int unquote_from(civ_buf *out, const char *b, size_t len)
{
    int changed = 0;
    size_t i = 0, copied = 0;
    while (i < len) {
        size_t j = i;
        while (j < len && b[j] == '>')
            j++;
        if (j > i && len - j >= 5 && memcmp(b + j, "From ", 5) == 0) {
            civ_buf_append(out, b + copied, i - copied);
            copied = i + 1;
            changed = 1;
        }
        const char *e = memchr(b + i, '\n', len - i);
        if (!e)
            break;
        i = (size_t)(e - b) + 1;
    }
    if (changed)
        civ_buf_append(out, b + copied, len - copied);
    return changed;
}

static civ_status mbox_extract(const civ_input *in, civ_emit_fn emit, void *ctx, civ_error *err)
{
    const char *b = (const char *)in->bytes;
    size_t len = in->len, pos = 0;
    /* Blank lines before the first message are harmless. */
    while (pos < len && (b[pos] == '\n' || b[pos] == '\r'))
        pos++;
    civ_doc *doc = NULL;
    civ_status s = civ_doc_new(&doc, err);
    if (s != CIV_OK)
        return s;
    civ_buf unq = CIV_BUF_INIT;
    unsigned n = 0;
    if (pos < len) {
        size_t nl;
        size_t ll = line_len(b + pos, len - pos, &nl);
        if (!civ_mail_from_line(b + pos, ll, NULL))
            civ_input_warn(in, "does not start with an mbox \"From \" line; read as one message");
    }
    while (pos < len && s == CIV_OK) {
        civ_date env;
        int have_env = 0;
        size_t start = pos;
        size_t nl;
        size_t ll = line_len(b + pos, len - pos, &nl);
        if (civ_mail_from_line(b + pos, ll, &env)) {
            have_env = 1;
            start = pos + ll + nl;
        }
        size_t next = next_separator(b, len, start);
        size_t end = next;
        /* The blank line before the next "From " belongs to the mailbox. */
        if (next < len && end > start && b[end - 1] == '\n') {
            end--;
            if (end > start && b[end - 1] == '\r')
                end--;
        }
        n++;
        char label[32], sub[16];
        snprintf(label, sizeof label, "message #%u: ", n);
        snprintf(sub, sizeof sub, "#%u", n);
        const char *mb = b + start;
        size_t ml = end - start;
        civ_buf_reset(&unq);
        if (unquote_from(&unq, mb, ml)) {
            if (civ_buf_failed(&unq)) {
                s = civ_error_set(err, CIV_ENOMEM, "out of memory");
                break;
            }
            mb = unq.data;
            ml = unq.len;
        }
        civ_doc_clear(doc);
        civ_error merr = CIV_ERROR_INIT;
        civ_status ms = ml ? read_message(in, doc, mb, ml, have_env ? &env : NULL, label, sub, &merr)
                           : civ_error_set(&merr, CIV_EFORMAT, "empty message");
        if (ms == CIV_OK) {
            s = emit(ctx, doc, sub, err);
        } else if (ms == CIV_EFORMAT) {
            civ_input_warn(in, "message #%u skipped: %s", n, merr.msg);
        } else {
            if (err)
                *err = merr;
            s = ms;
        }
        pos = next;
    }
    civ_buf_free(&unq);
    civ_doc_free(doc);
    return s;
}

const civ_extractor civ_extractor_mail = {
    .name = "mail",
    .flags = CIV_EXTRACTOR_BINARY_OK,
    .extensions = mail_exts,
    .sniff = mail_sniff,
    .extract_one = mail_extract,
};

const civ_extractor civ_extractor_mbox = {
    .name = "mbox",
    .flags = CIV_EXTRACTOR_BINARY_OK,
    .extensions = mbox_exts,
    .sniff = mbox_sniff,
    .extract_many = mbox_extract,
};
