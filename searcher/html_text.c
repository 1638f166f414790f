/* The document view's text as HTML: paragraphs, headings, the query's
 * words marked, and the anchors hits link to (civ_html_doc_text in
 * render.h). */
#include <string.h>

#include "render.h"

/* Whether paragraph p[0..n) is one of the document's headings. */
static int is_heading(const civ_doc *doc, const char *p, size_t n)
{
    size_t nv = civ_doc_nvalues(doc);
    for (size_t i = 0; i < nv; i++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(doc, i, &v, &len);
        if (strcmp(f->name, "heading") == 0 && len == n && memcmp(v, p, n) == 0)
            return 1;
    }
    return 0;
}

/* The end of the paragraph starting at t[i]: the next blank line. */
static size_t paragraph_end(const char *t, size_t i, size_t len)
{
    while (i < len) {
        const char *nl = memchr(t + i, '\n', len - i);
        if (!nl)
            return len;
        size_t j = (size_t)(nl - t) + 1;
        size_t k = j;
        while (k < len && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r'))
            k++;
        if (k >= len || t[k] == '\n')
            return (size_t)(nl - t);
        i = j;
    }
    return len;
}

/* Writes t[a..b) escaped, the query's words in it marked (*k: the next
 * span; the first span of all is the place "#hit" jumps to). */
static void marked(civ_buf *out, const char *t, size_t a, size_t b, const civ_span *sp, size_t nsp,
                   size_t *k)
{
    while (*k < nsp && sp[*k].start < b) {
        size_t s = sp[*k].start, e = s + sp[*k].len;
        if (s < a || e > b) { /* across a paragraph's end: not marked */
            (*k)++;
            continue;
        }
        civ_html_escape(out, t + a, s - a);
        civ_buf_puts(out, *k == 0 ? "<mark id=\"hit\">" : "<mark>");
        civ_html_escape(out, t + s, e - s);
        civ_buf_puts(out, "</mark>");
        a = e;
        (*k)++;
    }
    civ_html_escape(out, t + a, b - a);
}

void civ_html_doc_text(civ_buf *out, const civ_render_info *info, const civ_doc *doc, const char *t,
                       size_t len)
{
    size_t k = 0, pm = 0, npm = civ_doc_npages(doc);
    size_t ps = 0, nps = civ_doc_npassages(doc);
    size_t i = 0;
    while (i < len) {
        while (i < len && (t[i] == '\n' || t[i] == '\r'))
            i++;
        if (i >= len)
            break;
        size_t e = paragraph_end(t, i, len);
        unsigned page;
        size_t off;
        for (; pm < npm && civ_doc_page_mark(doc, pm, &page, &off) == 0 && off < e; pm++)
            civ_buf_printf(out, "<p class=\"pg\" id=\"p%u\">Page %u</p>\n", page, page);
        for (; nps > 1 && ps < nps && civ_doc_passage(doc, ps, &off, NULL) == 0 && off < e; ps++)
            civ_buf_printf(out, "<span id=\"s%zu\"></span>\n", ps + 1);
        size_t b = e;
        while (b > i && (t[b - 1] == ' ' || t[b - 1] == '\r' || t[b - 1] == '\n'))
            b--;
        const char *tag = is_heading(doc, t + i, b - i) ? "h2" : "p";
        civ_buf_printf(out, "<%s>", tag);
        marked(out, t, i, b, info->spans, info->nspans, &k);
        civ_buf_printf(out, "</%s>\n", tag);
        i = e;
    }
}
