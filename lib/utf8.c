#include "civ/utf8.h"

size_t civ_utf8_decode(uint32_t *cp, const unsigned char *s, size_t len)
{
    if (len == 0)
        return 0;
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t n;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2; v = c & 0x1F; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3; v = c & 0x0F; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4; v = c & 0x07; min = 0x10000;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

void civ_utf8_encode(civ_buf *out, uint32_t cp)
{
    char b[4];
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        cp = 0xFFFD;
    if (cp < 0x80) {
        civ_buf_putc(out, (char)cp);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        civ_buf_append(out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        civ_buf_append(out, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        civ_buf_append(out, b, 4);
    }
}

int civ_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = civ_utf8_decode(&cp, p + i, len - i);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

void civ_utf8_scan(civ_utf8_stats *st, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    st->ascii = st->multibyte = st->invalid = st->controls = st->nuls = 0;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c < 0x80) {
            st->ascii++;
            if (c == 0)
                st->nuls++;
            else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' &&
                     c != '\f' && c != '\v' && c != 0x1B)
                st->controls++;
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = civ_utf8_decode(&cp, p + i, len - i);
        if (n) {
            st->multibyte++;
            i += n;
        } else {
            st->invalid++;
            i++;
        }
    }
}

size_t civ_utf8_sanitize(civ_buf *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t bad = 0, i = 0, run = 0;
    civ_buf_reserve(out, len);
    while (i < len) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x80) {
            run++;
            i++;
            continue;
        }
        if (run) {
            civ_buf_append(out, s + i - run, run);
            run = 0;
        }
        if (c < 0x80) {
            if (c == '\t' || c == '\n' || c == '\f')
                civ_buf_putc(out, (char)c);
            else if (c == '\r') {
                civ_buf_putc(out, '\n');
                if (i + 1 < len && p[i + 1] == '\n')
                    i++;
            }
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = civ_utf8_decode(&cp, p + i, len - i);
        if (n) {
            civ_buf_append(out, s + i, n);
            i += n;
        } else {
            civ_utf8_encode(out, 0xFFFD);
            bad++;
            i++;
        }
    }
    if (run)
        civ_buf_append(out, s + i - run, run);
    return bad;
}

size_t civ_utf8_clip(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

size_t civ_utf8_name_id(civ_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *u = (const unsigned char *)s;
    size_t escaped = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp = 0;
        size_t n = civ_utf8_decode(&cp, u + i, len - i);
        int bad = n == 0 || cp < 0x20 || cp == 0x7F || cp == 0xA0 || cp == 0xFFFD ||
                  (cp == ' ' && (i == 0 || i + 1 == len || u[i - 1] == ' '));
        if (!bad) {
            civ_buf_append(out, s + i, n);
            i += n;
            continue;
        }
        /* Each byte of it on its own: U+FFFD and two hex digits. */
        for (size_t k = 0; k < (n ? n : 1); k++) {
            civ_buf_append(out, "\xEF\xBF\xBD", 3);
            civ_buf_putc(out, hex[u[i + k] >> 4]);
            civ_buf_putc(out, hex[u[i + k] & 15]);
            escaped++;
        }
        i += n ? n : 1;
    }
    return escaped;
}
