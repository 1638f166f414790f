/* Helpers every renderer shares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/date.h"
#include "civ/parse.h"

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

void civ_render_folded(civ_buf *out, const civ_results *r)
{
    int exact;
    civ_results_total(r, &exact);
    unsigned long long folded = (unsigned long long)civ_results_folded(r);
    if (folded)
        civ_buf_printf(out, " (%s%llu cop%s folded)", exact ? "" : "about ", folded,
                       folded == 1 ? "y" : "ies");
}

const char *civ_render_when(const civ_doc *doc, char *buf, size_t n)
{
    const char *d = civ_doc_get(doc, "date");
    if (d)
        return d;
    long long mt;
    if (civ_parse_stored(&mt, civ_doc_get(doc, "mtime")) != 0)
        return NULL;
    civ_date cd;
    civ_date_from_time(&cd, (time_t)mt);
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

/* A snippet's text with its spans marked. */
static void marked(civ_buf *out, const char *t, const civ_span *spans, size_t nspans,
                   void (*text)(civ_buf *out, const char *s, size_t len), const char *on,
                   const char *off)
{
    t = t ? t : "";
    size_t n = strlen(t), at = 0;
    for (size_t k = 0; k < nspans; k++) {
        const civ_span *sp = &spans[k];
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

void civ_render_snippet(civ_buf *out, const civ_hit *h,
                        void (*text)(civ_buf *out, const char *s, size_t len), const char *on,
                        const char *off)
{
    marked(out, h->snippet, h->spans, h->nspans, text, on, off);
}

void civ_render_snippet_of(civ_buf *out, const civ_snippet *sn,
                           void (*text)(civ_buf *out, const char *s, size_t len), const char *on,
                           const char *off)
{
    marked(out, sn->text, sn->spans, sn->nspans, text, on, off);
}

int civ_render_place(char *buf, size_t n, const civ_hit *h, const civ_snippet *sn)
{
    buf[0] = '\0';
    if (sn->page)
        snprintf(buf, n, "p. %u", sn->page);
    else if (h->npassages > 1 && sn->passage)
        snprintf(buf, n, "\xc2\xb6 %u", sn->passage);
    return buf[0] != '\0';
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

int civ_render_page_text(const civ_doc *doc, unsigned page, const char **text, size_t *len)
{
    size_t tlen;
    const char *t = civ_doc_text(doc, &tlen);
    size_t n = civ_doc_npages(doc);
    for (size_t i = 0; i < n; i++) {
        unsigned p;
        size_t start, end = tlen;
        civ_doc_page_mark(doc, i, &p, &start);
        if (p != page)
            continue;
        /* Up to the next mark further on (a page may hold no text). */
        for (size_t k = i + 1; k < n; k++) {
            size_t at;
            civ_doc_page_mark(doc, k, NULL, &at);
            if (at > start) {
                end = at;
                break;
            }
        }
        if (start > tlen)
            start = tlen;
        if (end > tlen || end < start)
            end = tlen;
        *text = t + start;
        *len = end - start;
        return 0;
    }
    *text = "";
    *len = 0;
    return -1;
}
