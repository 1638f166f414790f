/* Text output for people at a terminal (and for pipes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render.h"

#define BOLD "\033[1m"
#define HIGHLIGHT "\033[1;33m"
#define DIM "\033[2m"
#define RESET "\033[0m"

static void append_raw(civ_buf *out, const char *s, size_t len)
{
    civ_buf_append(out, s, len);
}

/* One snippet on a line of its own, after its place in the document:
 * "p. 12" for a page, "¶ 31" for a passage of a document of several. */
static void snippet_line(civ_buf *out, const civ_hit *h, const civ_snippet *sn, int color)
{
    if (!sn->text || !*sn->text)
        return;
    civ_buf_puts(out, "     ");
    char place[32];
    if (civ_render_place(place, sizeof place, h, sn)) {
        civ_buf_printf(out, "%s%s%s ", color ? DIM : "", place, color ? RESET : "");
    }
    civ_render_snippet_of(out, sn, append_raw, color ? HIGHLIGHT : "**", color ? RESET : "**");
    civ_buf_putc(out, '\n');
}

/* --facets: one line a facet, its values with their counts. */
static void facet_table(civ_buf *out, const civ_results *r, int color)
{
    size_t nf;
    const civ_facet *fs = civ_results_facets(r, &nf);
    civ_buf_printf(out, "\n%sFacets%s\n", color ? BOLD : "", color ? RESET : "");
    for (size_t i = 0; i < nf; i++) {
        /* Legal facets only where the results have them: most
         * collections hold no citations. */
        const civ_field_def *def = civ_schema_field(fs[i].field);
        if (fs[i].n == 0 && def && (def->flags & CIV_FIELD_LEGAL))
            continue;
        civ_buf_printf(out, "  %-10s", fs[i].field);
        if (fs[i].n == 0)
            civ_buf_puts(out, " -");
        for (size_t k = 0; k < fs[i].n; k++)
            civ_buf_printf(out, "%s %s %s(%llu)%s", k ? " ·" : "", fs[i].values[k].value,
                           color ? DIM : "", (unsigned long long)fs[i].values[k].count,
                           color ? RESET : "");
        civ_buf_putc(out, '\n');
    }
}

static void text_results(civ_buf *out, const civ_render_info *info, const civ_results *r)
{
    int color = info->color;
    int exact;
    unsigned long long total = (unsigned long long)civ_results_total(r, &exact);
    size_t n = civ_results_size(r);
    if (info->title)
        civ_buf_printf(out, "%s%s%s\n", color ? BOLD : "", info->title, color ? RESET : "");
    if (info->opts->limit == 0 && !info->title && !info->opts->facet_values) {
        /* --limit 0: the count alone, for scripts (exact: see search). */
        civ_buf_printf(out, "%llu\n", total);
        return;
    }
    if (total == 0) {
        civ_buf_printf(out, "No results (%.3f s).\n", info->elapsed);
    } else if (n == 0) {
        /* A page beyond the last: the count alone. */
        civ_buf_printf(out, "%s%llu result%s", exact ? "" : "about ", total, total == 1 ? "" : "s");
        civ_render_folded(out, r);
        civ_buf_printf(out, " (%.3f s)\n", info->elapsed);
    } else {
        civ_buf_printf(out, "%s%llu result%s", exact ? "" : "about ", total, total == 1 ? "" : "s");
        civ_render_folded(out, r);
        civ_buf_printf(out, "; showing %u-%u (%.3f s)\n", civ_results_hit(r, 0)->rank,
                       civ_results_hit(r, n - 1)->rank, info->elapsed);
    }
    const char *sugg = civ_results_suggestion(r);
    if (sugg)
        civ_buf_printf(out, "Did you mean: %s\n", sugg);
    for (size_t i = 0; i < n; i++) {
        const civ_hit *h = civ_results_hit(r, i);
        const civ_doc *d = h->doc;
        const char *title = civ_doc_get(d, "title");
        civ_buf_printf(out, "\n%3u. %s%s%s", h->rank, color ? BOLD : "", title ? title : "(untitled)",
                       color ? RESET : "");
        if (info->opts->sort == CIV_SORT_RELEVANCE && h->score > 0)
            civ_buf_printf(out, "  [%d%%]", h->percent);
        civ_buf_putc(out, '\n');
        civ_buf_puts(out, "     ");
        if (color)
            civ_buf_puts(out, DIM);
        char date[11];
        const char *type = civ_doc_get(d, "type");
        const char *iso = civ_doc_get(d, "date");
        if (civ_render_date(d, date) == 0) {
            /* Letters of one day are told apart by their time. */
            if (type && strcmp(type, "letter") == 0 && iso && strlen(iso) >= 16 && iso[10] == 'T')
                civ_buf_printf(out, "%s %.5s UTC · ", date, iso + 11);
            else
                civ_buf_printf(out, "%s · ", date);
        }
        if (type)
            civ_buf_printf(out, "%s · ", type);
        if (civ_render_join(out, d, "from", ", ") || civ_render_join(out, d, "author", ", "))
            civ_buf_puts(out, " · ");
        const char *id = civ_doc_get(d, "id");
        civ_buf_puts(out, id ? id : "?");
        if (color)
            civ_buf_puts(out, RESET);
        civ_buf_putc(out, '\n');
        for (size_t k = 0; k < h->nsnippets; k++)
            snippet_line(out, h, &h->snippets[k], color);
        if (h->copies) {
            civ_buf_printf(out, "     %salso at: ", color ? DIM : "");
            for (size_t k = 0; k < h->ncopy_ids; k++)
                civ_buf_printf(out, "%s%s", k ? ", " : "", h->copy_ids[k]);
            if (h->copies > h->ncopy_ids)
                civ_buf_printf(out, " (+%zu more)", (size_t)h->copies - h->ncopy_ids);
            civ_buf_printf(out, "%s\n", color ? RESET : "");
        }
    }
    if (info->opts->facet_values)
        facet_table(out, r, color);
}

static void line(civ_buf *out, const char *label, const char *value)
{
    if (value && *value)
        civ_buf_printf(out, "%-12s %s\n", label, value);
}

static void lines(civ_buf *out, const civ_doc *doc, const char *label, const char *field)
{
    civ_buf tmp = CIV_BUF_INIT;
    if (civ_render_join(&tmp, doc, field, "; "))
        line(out, label, civ_buf_str(&tmp));
    civ_buf_free_into(&tmp, out);
}

/* A document's legal entities with their counts, each as the query that
 * finds the other documents with it, then its citation links. */
static void legal_lines(civ_buf *out, const civ_doc_legal *l)
{
    if (l->nentities) {
        civ_buf_puts(out, "Entities:\n");
        for (size_t i = 0; i < l->nentities; i++)
            civ_buf_printf(out, "  %-40s %u\n", l->entities[i].query, l->entities[i].count);
    }
    if (l->ncites) {
        civ_buf_printf(out, "Cites:       %zu document%s here\n", l->ncites, l->ncites == 1 ? "" : "s");
        for (size_t i = 0; i < l->ncites; i++)
            civ_buf_printf(out, "  %s  %s\n", l->cites[i].id, l->cites[i].title ? l->cites[i].title : "");
    }
    if (l->cited_by_total) {
        civ_buf_printf(out, "Cited by:    %llu document%s here (%s)\n",
                       (unsigned long long)l->cited_by_total, l->cited_by_total == 1 ? "" : "s",
                       l->cited_by_query);
        for (size_t i = 0; i < l->ncited_by; i++)
            civ_buf_printf(out, "  %s  %s\n", l->cited_by[i].id,
                           l->cited_by[i].title ? l->cited_by[i].title : "");
    }
}

static void text_document(civ_buf *out, const civ_render_info *info, const civ_doc *doc)
{
    line(out, "Title:", civ_doc_get(doc, "title"));
    lines(out, doc, "Author:", "author");
    lines(out, doc, "From:", "from");
    lines(out, doc, "To:", "to");
    lines(out, doc, "Cc:", "cc");
    line(out, "Subject:", civ_doc_get(doc, "subject"));
    char when[80];
    line(out, "Date:", civ_render_when(doc, when, sizeof when));
    line(out, "Type:", civ_doc_get(doc, "type"));
    line(out, "Language:", civ_doc_get(doc, "lang"));
    line(out, "Format:", civ_doc_get(doc, "format"));
    line(out, "Id:", civ_doc_get(doc, "id"));
    line(out, "Path:", civ_doc_get(doc, "path"));
    line(out, "Thread:", civ_doc_get(doc, "thread"));
    line(out, "Message-ID:", civ_doc_get(doc, "message_id"));
    lines(out, doc, "Signed by:", "signatories");
    lines(out, doc, "Attachments:", "attachment");
    lines(out, doc, "Keywords:", "keywords");
    line(out, "Summary:", civ_doc_get(doc, "description"));
    /* Every other field the schema shows, by its label. */
    size_t nf;
    const civ_field_def *fs = civ_schema_fields(&nf);
    for (size_t i = 0; i < nf; i++) {
        if (!(fs[i].flags & CIV_FIELD_SHOW))
            continue;
        /* With the legal view, the entities come below with their counts. */
        if (info->legal && (fs[i].flags & CIV_FIELD_LEGAL))
            continue;
        char label[48];
        snprintf(label, sizeof label, "%s:", fs[i].label ? fs[i].label : fs[i].name);
        lines(out, doc, label, fs[i].name);
    }
    if (info->legal)
        legal_lines(out, info->legal);
    size_t len;
    const char *text = civ_doc_text(doc, &len);
    if (info->doc_page) {
        civ_buf_printf(out, "%-12s %u of %zu\n", "Page:", info->doc_page, civ_doc_npages(doc));
        civ_render_page_text(doc, info->doc_page, &text, &len);
    }
    civ_buf_putc(out, '\n');
    civ_buf_append(out, text, len);
    if (len && text[len - 1] != '\n')
        civ_buf_putc(out, '\n');
}

static void count_line(civ_buf *out, const char *label, const civ_count *c, size_t n)
{
    civ_buf_printf(out, "%-14s", label);
    if (n == 0)
        civ_buf_puts(out, "-");
    for (size_t i = 0; i < n; i++)
        civ_buf_printf(out, "%s%s %llu", i ? ", " : "", c[i].value, (unsigned long long)c[i].count);
    civ_buf_putc(out, '\n');
}

static void text_stats(civ_buf *out, const civ_stats *s)
{
    civ_buf_printf(out, "%-14s%llu\n", "Documents:", (unsigned long long)s->documents);
    civ_buf_printf(out, "%-14s%llu\n", "Terms:", (unsigned long long)s->terms);
    double mb = (double)s->disk_bytes / (1024.0 * 1024.0);
    civ_buf_printf(out, "%-14s%.1f MB\n", "Size on disk:", mb);
    if (s->updated >= 0) {
        time_t t = (time_t)s->updated;
        struct tm tm;
        char buf[64];
        gmtime_r(&t, &tm);
        strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
        civ_buf_printf(out, "%-14s%s\n", "Updated:", buf);
    }
    civ_buf_printf(out, "%-14s%s\n", "Stemming:", s->stemmer ? s->stemmer : "?");
    count_line(out, "Types:", s->types, s->ntypes);
    count_line(out, "Languages:", s->langs, s->nlangs);
    count_line(out, "Formats:", s->formats, s->nformats);
}

const civ_renderer civ_render_text = {
    .name = "text",
    .results = text_results,
    .document = text_document,
    .stats = text_stats,
};
