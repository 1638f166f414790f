/* CSV output for scripts (RFC 4180): a header row, then one row a hit:
 * id, title, date, type, authors, score, path. Quoted where needed, CRLF
 * line ends, UTF-8. */
#include <stdio.h>
#include <string.h>

#include "render.h"

/* One field: quoted when it holds a comma, a quote or a line break, its
 * quotes doubled. */
static void field(civ_buf *out, const char *s, size_t n, int last)
{
    if (strcspn(s, ",\"\r\n") < n) {
        civ_buf_putc(out, '"');
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '"')
                civ_buf_putc(out, '"');
            civ_buf_putc(out, s[i]);
        }
        civ_buf_putc(out, '"');
    } else {
        civ_buf_append(out, s, n);
    }
    civ_buf_puts(out, last ? "\r\n" : ",");
}

static void cstr(civ_buf *out, const char *s, int last)
{
    field(out, s ? s : "", s ? strlen(s) : 0, last);
}

static void csv_results(civ_buf *out, const civ_render_info *info, const civ_results *r)
{
    if (info->opts->limit == 0) {
        /* --limit 0: the count alone, as in text (scripts use it). */
        civ_buf_printf(out, "%llu\n", (unsigned long long)civ_results_total(r, NULL));
        return;
    }
    civ_buf_puts(out, "id,title,date,type,authors,score,path\r\n");
    for (size_t i = 0; i < civ_results_size(r); i++) {
        const civ_hit *h = civ_results_hit(r, i);
        const civ_doc *d = h->doc;
        char date[11], score[32];
        civ_render_date(d, date);
        snprintf(score, sizeof score, "%.4f", h->score);
        civ_buf names = CIV_BUF_INIT;
        if (!civ_render_join(&names, d, "from", "; "))
            civ_render_join(&names, d, "author", "; ");
        cstr(out, civ_doc_get(d, "id"), 0);
        cstr(out, civ_doc_get(d, "title"), 0);
        cstr(out, date, 0);
        cstr(out, civ_doc_get(d, "type"), 0);
        field(out, civ_buf_str(&names), names.len, 0);
        cstr(out, score, 0);
        cstr(out, civ_doc_get(d, "path"), 1);
        civ_buf_free_into(&names, out);
    }
}

/* --show: the same columns for the one document. */
static void csv_document(civ_buf *out, const civ_render_info *info, const civ_doc *d)
{
    (void)info;
    char date[11];
    civ_render_date(d, date);
    civ_buf names = CIV_BUF_INIT;
    if (!civ_render_join(&names, d, "from", "; "))
        civ_render_join(&names, d, "author", "; ");
    civ_buf_puts(out, "id,title,date,type,authors,score,path\r\n");
    cstr(out, civ_doc_get(d, "id"), 0);
    cstr(out, civ_doc_get(d, "title"), 0);
    cstr(out, date, 0);
    cstr(out, civ_doc_get(d, "type"), 0);
    field(out, civ_buf_str(&names), names.len, 0);
    cstr(out, "", 0);
    cstr(out, civ_doc_get(d, "path"), 1);
    civ_buf_free_into(&names, out);
}

const civ_renderer civ_render_csv = {
    .name = "csv",
    .results = csv_results,
    .document = csv_document,
};
