#include "civ/json.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "civ/utf8.h"

void civ_json_init(civ_json *j, civ_buf *out)
{
    memset(j, 0, sizeof *j);
    j->out = out;
    j->first[0] = 1;
}

static void sep(civ_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (!j->first[j->depth])
        civ_buf_putc(j->out, ',');
    j->first[j->depth] = 0;
}

static void open_level(civ_json *j, char c)
{
    sep(j);
    civ_buf_putc(j->out, c);
    assert(j->depth + 1 < CIV_JSON_MAX_DEPTH);
    j->depth++;
    j->first[j->depth] = 1;
}

void civ_json_begin_object(civ_json *j) { open_level(j, '{'); }
void civ_json_begin_array(civ_json *j) { open_level(j, '['); }

void civ_json_end_object(civ_json *j)
{
    assert(j->depth > 0);
    j->depth--;
    civ_buf_putc(j->out, '}');
}

void civ_json_end_array(civ_json *j)
{
    assert(j->depth > 0);
    j->depth--;
    civ_buf_putc(j->out, ']');
}

void civ_json_quote(civ_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    civ_buf_putc(out, '"');
    size_t i = 0, run = 0;
    while (i < len) {
        unsigned c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            run++;
            i++;
            continue;
        }
        if (run) {
            civ_buf_append(out, s + i - run, run);
            run = 0;
        }
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = civ_utf8_decode(&cp, p + i, len - i);
            if (n) {
                /* U+2028/2029 are valid JSON but break JavaScript. */
                if (cp == 0x2028 || cp == 0x2029)
                    civ_buf_printf(out, "\\u%04x", (unsigned)cp);
                else
                    civ_buf_append(out, s + i, n);
                i += n;
            } else {
                civ_buf_puts(out, "\\ufffd");
                i++;
            }
            continue;
        }
        switch (c) {
        case '"': civ_buf_puts(out, "\\\""); break;
        case '\\': civ_buf_puts(out, "\\\\"); break;
        case '\n': civ_buf_puts(out, "\\n"); break;
        case '\r': civ_buf_puts(out, "\\r"); break;
        case '\t': civ_buf_puts(out, "\\t"); break;
        default: {
            char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            civ_buf_append(out, e, 6);
        }
        }
        i++;
    }
    if (run)
        civ_buf_append(out, s + i - run, run);
    civ_buf_putc(out, '"');
}

void civ_json_key(civ_json *j, const char *key)
{
    sep(j);
    civ_json_quote(j->out, key, strlen(key));
    civ_buf_putc(j->out, ':');
    j->after_key = 1;
}

void civ_json_string(civ_json *j, const char *s, size_t len)
{
    sep(j);
    civ_json_quote(j->out, s, len);
}

void civ_json_cstr(civ_json *j, const char *s)
{
    if (!s)
        civ_json_null(j);
    else
        civ_json_string(j, s, strlen(s));
}

void civ_json_int(civ_json *j, long long v)
{
    sep(j);
    civ_buf_printf(j->out, "%lld", v);
}

void civ_json_double(civ_json *j, double v)
{
    sep(j);
    if (!isfinite(v))
        civ_buf_puts(j->out, "null");
    else
        civ_buf_printf(j->out, "%.6g", v);
}

void civ_json_bool(civ_json *j, int v)
{
    sep(j);
    civ_buf_puts(j->out, v ? "true" : "false");
}

void civ_json_null(civ_json *j)
{
    sep(j);
    civ_buf_puts(j->out, "null");
}
