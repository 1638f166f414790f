/* Helpers every renderer shares. */
#include <string.h>

#include "render.h"
#include "civ/utf8.h"

int civ_render_date(const civ_doc *doc, char out[11])
{
    const char *d = civ_doc_get(doc, "date");
    out[0] = '\0';
    if (!d || strlen(d) < 10)
        return -1;
    memcpy(out, d, 10);
    out[10] = '\0';
    return 0;
}

size_t civ_render_join(civ_buf *out, const civ_doc *doc, const char *field, const char *sep)
{
    size_t n = civ_doc_nvalues(doc), k = 0;
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(doc, i, &v, &len);
        if (strcmp(f->name, field) != 0)
            continue;
        if (k++)
            civ_buf_puts(out, sep);
        civ_buf_append(out, v, len);
    }
    return k;
}

void civ_render_snippet_plain(civ_buf *out, const char *html, const char *on, const char *off)
{
    static const struct { const char *ent; char c; } ents[] = {
        { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
        { "&#39;", '\'' }, { "&apos;", '\'' }, { "&#x27;", '\'' },
    };
    for (const char *p = html; *p;) {
        if (strncmp(p, "<b>", 3) == 0) {
            civ_buf_puts(out, on);
            p += 3;
            continue;
        }
        if (strncmp(p, "</b>", 4) == 0) {
            civ_buf_puts(out, off);
            p += 4;
            continue;
        }
        if (*p == '&') {
            int done = 0;
            for (size_t i = 0; i < sizeof ents / sizeof ents[0]; i++) {
                size_t n = strlen(ents[i].ent);
                if (strncmp(p, ents[i].ent, n) == 0) {
                    civ_buf_putc(out, ents[i].c);
                    p += n;
                    done = 1;
                    break;
                }
            }
            if (done)
                continue;
        }
        /* Newlines in snippets read better as spaces on one line. */
        if (*p == '\n' || *p == '\t' || *p == '&' || *p == '<') {
            civ_buf_putc(out, *p == '\n' || *p == '\t' ? ' ' : *p);
            p++;
            continue;
        }
        size_t run = strcspn(p, "\n\t&<");
        civ_buf_append(out, p, run);
        p += run;
    }
}

void civ_html_escape(civ_buf *out, const char *s, size_t len)
{
    size_t run = 0, i;
    for (i = 0; i < len; i++) {
        const char *rep = NULL;
        switch (s[i]) {
        case '&': rep = "&amp;"; break;
        case '<': rep = "&lt;"; break;
        case '>': rep = "&gt;"; break;
        case '"': rep = "&quot;"; break;
        case '\'': rep = "&#39;"; break;
        default: break;
        }
        if (!rep) {
            run++;
            continue;
        }
        civ_buf_append(out, s + i - run, run);
        run = 0;
        civ_buf_puts(out, rep);
    }
    civ_buf_append(out, s + i - run, run);
}

/* Length of a character reference at s ("&amp;", "&#39;", "&#x27;"), or 0. */
static size_t char_ref(const char *s)
{
    size_t i = 1;
    if (s[i] == '#') {
        i++;
        int hex = s[i] == 'x' || s[i] == 'X';
        if (hex)
            i++;
        size_t start = i;
        while (i - start < 8 && (hex ? strchr("0123456789abcdefABCDEF", s[i]) != NULL
                                      : s[i] >= '0' && s[i] <= '9') && s[i])
            i++;
        if (i == start)
            return 0;
    } else {
        size_t start = i;
        while (i - start < 8 && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z')))
            i++;
        if (i == start)
            return 0;
    }
    return s[i] == ';' ? i + 1 : 0;
}

void civ_html_snippet(civ_buf *out, const char *s)
{
    while (*s) {
        size_t run = strcspn(s, "&<>\"'");
        civ_buf_append(out, s, run);
        s += run;
        if (!*s)
            break;
        if (strncmp(s, "<b>", 3) == 0 || strncmp(s, "</b>", 4) == 0) {
            size_t n = s[1] == '/' ? 4 : 3;
            civ_buf_append(out, s, n);
            s += n;
            continue;
        }
        if (*s == '&') {
            size_t n = char_ref(s);
            if (n) {
                civ_buf_append(out, s, n);
                s += n;
                continue;
            }
        }
        civ_html_escape(out, s, 1);
        s++;
    }
}
