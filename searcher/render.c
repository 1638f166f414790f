/* Helpers every renderer shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/date.h"

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

const char *civ_render_when(const civ_doc *doc, char *buf, size_t n)
{
    const char *d = civ_doc_get(doc, "date");
    if (d)
        return d;
    const char *mt = civ_doc_get(doc, "mtime");
    if (!mt || !*mt)
        return NULL;
    civ_date cd;
    civ_date_from_time(&cd, (time_t)atoll(mt));
    char ymd[11];
    civ_date_ymd(&cd, ymd);
    snprintf(buf, n, "none of its own (the file was last changed on %s)", ymd);
    return buf;
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

void civ_render_snippet(civ_buf *out, const civ_hit *h,
                        void (*text)(civ_buf *out, const char *s, size_t len), const char *on,
                        const char *off)
{
    const char *t = h->snippet ? h->snippet : "";
    size_t n = strlen(t), at = 0;
    for (size_t k = 0; k < h->nspans; k++) {
        const civ_span *sp = &h->spans[k];
        if (sp->start < at || sp->start + sp->len > n)
            continue; /* not in the text: never from civ_search */
        text(out, t + at, sp->start - at);
        civ_buf_puts(out, on);
        text(out, t + sp->start, sp->len);
        civ_buf_puts(out, off);
        at = sp->start + sp->len;
    }
    text(out, t + at, n - at);
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
