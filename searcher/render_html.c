/* The search page: HTML5 with a small inline style sheet, no script, no
 * resource from anywhere. Every value is escaped for where it goes: text
 * and attributes with civ_html_escape(), URL parameters with
 * civ_url_encode(), snippets with civ_render_snippet(). Links are relative
 * ("?q=…"), so the page works under any path the server gives it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgi.h"
#include "render.h"
#include "civ/utf8.h"

/* Longest document text shown on one page. */
#define DOC_TEXT_MAX (4u * 1024 * 1024)

/* ---- small helpers ------------------------------------------------- */

static void esc(civ_buf *out, const char *s)
{
    if (s)
        civ_html_escape(out, s, strlen(s));
}

static void put_count(civ_buf *out, unsigned long long n)
{
    char digits[32];
    int len = snprintf(digits, sizeof digits, "%llu", n);
    for (int i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            civ_buf_putc(out, ',');
        civ_buf_putc(out, digits[i]);
    }
}

/* A language code safe for a lang attribute, or NULL. */
static const char *lang_attr(const char *lang)
{
    if (!lang)
        return NULL;
    size_t n = strlen(lang);
    if (n == 0 || n > 16 || strspn(lang, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != n)
        return NULL;
    if (strcmp(lang, "und") == 0)
        return NULL;
    return lang;
}

/* The name of a language code for people, or the code itself. */
static const char *lang_name(const char *code)
{
    static const char *const names[][2] = {
        { "en", "English" }, { "fr", "French" },   { "de", "German" },   { "es", "Spanish" },
        { "it", "Italian" }, { "pt", "Portuguese" }, { "nl", "Dutch" }, { "sv", "Swedish" },
        { "pl", "Polish" },  { "ru", "Russian" },  { "uk", "Ukrainian" }, { "ar", "Arabic" },
        { "he", "Hebrew" },  { "el", "Greek" },    { "hi", "Hindi" },    { "th", "Thai" },
        { "zh", "Chinese" }, { "ja", "Japanese" }, { "ko", "Korean" },   { "tr", "Turkish" },
        { "und", "undetermined" },
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], code) == 0)
            return names[i][1];
    return code;
}

/* The schema's name of a field for people. */
static const char *field_label(const char *field)
{
    const civ_field_def *def = civ_schema_field(field);
    return def && def->label ? def->label : field;
}

static const char *sort_param(civ_sort s)
{
    return s == CIV_SORT_RELEVANCE ? NULL : civ_sort_name(s);
}

/* ---- links --------------------------------------------------------- */

static void param(civ_buf *out, int *n, const char *name, const char *value)
{
    if (!value)
        return;
    civ_buf_puts(out, (*n)++ ? "&amp;" : "?");
    civ_buf_puts(out, name);
    civ_buf_putc(out, '=');
    civ_url_encode(out, value, strlen(value));
}

static void param_uint(civ_buf *out, int *n, const char *name, unsigned v)
{
    char num[16];
    snprintf(num, sizeof num, "%u", v);
    param(out, n, name, num);
}

static int has_filter(const civ_page *pg, const char *f)
{
    for (size_t i = 0; pg && i < pg->nfilters; i++)
        if (strcmp(pg->filters[i], f) == 0)
            return 1;
    return 0;
}

/* A link to a search with this page's settings. q: the query (NULL: none);
 * page > 1 is added; add/drop: one filter more or less; bare: no filters,
 * dates or sort. The link is written for an attribute value. */
typedef struct search_link {
    const char *q;
    unsigned page;
    const char *add, *drop;
    int bare;
    const char *like;
} search_link;

/* The parameters of a search with this page's settings (see
 * search_link), after the n written already. */
static void search_params(civ_buf *out, int *n, const civ_render_info *info, const search_link *l)
{
    const civ_page *pg = info->page;
    if (l->q && *l->q)
        param(out, n, "q", l->q);
    if (l->like)
        param(out, n, "like", l->like);
    if (!l->bare) {
        for (size_t i = 0; pg && i < pg->nfilters; i++)
            if (!l->drop || strcmp(pg->filters[i], l->drop) != 0)
                param(out, n, "f", pg->filters[i]);
        if (l->add && !has_filter(pg, l->add))
            param(out, n, "f", l->add);
        if (pg) {
            param(out, n, "from", pg->from);
            param(out, n, "until", pg->until);
        }
        if (info->opts)
            param(out, n, "sort", sort_param(info->opts->sort));
    }
    if (pg && pg->limit)
        param_uint(out, n, "limit", pg->limit);
    if (pg && pg->snippets)
        param_uint(out, n, "snippets", pg->snippets);
    if (l->page > 1)
        param_uint(out, n, "page", l->page);
    if (pg)
        param(out, n, "c", pg->collection);
}

static void href_search(civ_buf *out, const civ_render_info *info, const search_link *l)
{
    int n = 0;
    civ_buf_puts(out, "href=\"");
    search_params(out, &n, info, l);
    if (n == 0)
        civ_buf_putc(out, '?');
    civ_buf_putc(out, '"');
}

/* The page of results a listing shows (1 for the first). */
static unsigned result_page(const civ_render_info *info)
{
    const civ_search_opts *o = info->opts;
    return o && o->limit ? o->offset / o->limit + 1 : 1;
}

/* ?id=ID (the document view), carrying the search (query, filters, sort,
 * page) for the way back; the HTML view opens at the first match. */
static void href_doc_at(civ_buf *out, const civ_render_info *info, const char *id,
                        const char *format, const char *fragment)
{
    int n = 0;
    civ_buf_puts(out, "href=\"");
    param(out, &n, "id", id);
    search_link l = { .q = info->query, .page = result_page(info) };
    search_params(out, &n, info, &l);
    param(out, &n, "format", format);
    if (fragment) {
        civ_buf_putc(out, '#');
        esc(out, fragment);
    }
    civ_buf_putc(out, '"');
}

static void href_doc(civ_buf *out, const civ_render_info *info, const char *id, const char *format)
{
    href_doc_at(out, info, id, format, !format && info->query && *info->query ? "hit" : NULL);
}

static void href_like(civ_buf *out, const civ_render_info *info, const char *id)
{
    int n = 0;
    civ_buf_puts(out, "href=\"");
    param(out, &n, "like", id);
    if (info->page)
        param(out, &n, "c", info->page->collection);
    civ_buf_putc(out, '"');
}

/* ---- page frame ---------------------------------------------------- */

static const char *site_title(const civ_render_info *info)
{
    return info->page && info->page->site_title ? info->page->site_title : "civsearch";
}

static void head(civ_buf *out, const civ_render_info *info, const char *title)
{
    civ_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                      "<meta name=\"referrer\" content=\"no-referrer\">\n"
                      "<meta name=\"robots\" content=\"noindex, nofollow\">\n<title>");
    if (title && *title) {
        esc(out, title);
        civ_buf_puts(out, " – ");
    }
    esc(out, site_title(info));
    civ_buf_puts(out, "</title>\n<style>");
    civ_buf_puts(out, civ_page_style);
    civ_buf_puts(out, "</style>\n</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n");
}

static void option(civ_buf *out, const char *value, const char *label, int selected)
{
    civ_buf_puts(out, "<option value=\"");
    esc(out, value);
    civ_buf_putc(out, '"');
    if (selected)
        civ_buf_puts(out, " selected");
    civ_buf_putc(out, '>');
    esc(out, label);
    civ_buf_puts(out, "</option>");
}

/* The header with the search form; q is what the box shows. */
static void header(civ_buf *out, const civ_render_info *info, const char *q)
{
    const civ_page *pg = info->page;
    search_link home = { 0 };
    home.bare = 1;
    civ_buf_puts(out, "<header class=\"top\">\n<p class=\"site\"><a ");
    href_search(out, info, &home);
    civ_buf_putc(out, '>');
    esc(out, site_title(info));
    civ_buf_puts(out, "</a></p>\n<form class=\"search\" role=\"search\" method=\"get\">\n"
                      "<div class=\"row\"><label class=\"sr\" for=\"q\">Search the archive</label>"
                      "<input id=\"q\" name=\"q\" type=\"search\" ");
    civ_buf_printf(out, "maxlength=\"%zu\" ", pg && pg->max_query ? pg->max_query : (size_t)CIV_QUERY_MAX);
    civ_buf_puts(out, "autocomplete=\"off\" spellcheck=\"false\" placeholder=\"Search\" value=\"");
    esc(out, q);
    civ_buf_puts(out, "\"><button type=\"submit\">Search</button></div>\n<div class=\"opts\">");
    if (pg && pg->ncollections > 1) {
        civ_buf_puts(out, "<label>Collection <select name=\"c\">");
        for (size_t i = 0; i < pg->ncollections; i++) {
            const char *name = pg->collections[i];
            int sel = pg->collection ? strcmp(pg->collection, name) == 0 : i == 0;
            option(out, name, name, sel);
        }
        civ_buf_puts(out, "</select></label>");
    } else if (pg && pg->collection) {
        civ_buf_puts(out, "<input type=\"hidden\" name=\"c\" value=\"");
        esc(out, pg->collection);
        civ_buf_puts(out, "\">");
    }
    civ_sort s = info->opts ? info->opts->sort : CIV_SORT_RELEVANCE;
    civ_buf_puts(out, "<label>Sort <select name=\"sort\">");
    option(out, civ_sort_name(CIV_SORT_RELEVANCE), "best match", s == CIV_SORT_RELEVANCE);
    option(out, civ_sort_name(CIV_SORT_DATE_DESC), "newest first", s == CIV_SORT_DATE_DESC);
    option(out, civ_sort_name(CIV_SORT_DATE_ASC), "oldest first", s == CIV_SORT_DATE_ASC);
    option(out, civ_sort_name(CIV_SORT_CITED), "most cited", s == CIV_SORT_CITED);
    option(out, civ_sort_name(CIV_SORT_REDACTIONS), "most redacted", s == CIV_SORT_REDACTIONS);
    civ_buf_puts(out, "</select></label>");
    /* Snippets a result: more show more passages of long documents. */
    unsigned sn = info->opts && info->opts->snippets ? info->opts->snippets : pg && pg->snippets ? pg->snippets : 1;
    civ_buf_puts(out, "<label>Snippets <select name=\"snippets\">");
    for (unsigned k = 1; k <= CIV_CGI_SNIPPETS_MAX; k++) {
        char v[4];
        snprintf(v, sizeof v, "%u", k);
        option(out, v, v, k == sn);
    }
    civ_buf_puts(out, "</select></label>");
    static const char pattern[] = "[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?";
    civ_buf_printf(out, "<label>From <input name=\"from\" inputmode=\"numeric\" pattern=\"%s\" "
                        "placeholder=\"YYYY-MM-DD\" value=\"", pattern);
    esc(out, pg ? pg->from : NULL);
    civ_buf_printf(out, "\"></label><label>Until <input name=\"until\" inputmode=\"numeric\" "
                        "pattern=\"%s\" placeholder=\"YYYY-MM-DD\" value=\"", pattern);
    esc(out, pg ? pg->until : NULL);
    civ_buf_puts(out, "\"></label>");
    if (pg && pg->limit) {
        civ_buf_printf(out, "<input type=\"hidden\" name=\"limit\" value=\"%u\">", pg->limit);
    }
    for (size_t i = 0; pg && i < pg->nfilters; i++) {
        civ_buf_puts(out, "<input type=\"hidden\" name=\"f\" value=\"");
        esc(out, pg->filters[i]);
        civ_buf_puts(out, "\">");
    }
    civ_buf_puts(out, "</div>\n</form>\n</header>\n");
}

static void footer(civ_buf *out, const civ_render_info *info)
{
    civ_buf_puts(out, "<footer>");
    if (info->page && info->page->documents) {
        put_count(out, info->page->documents);
        civ_buf_puts(out, info->page->documents == 1 ? " document" : " documents");
        civ_buf_puts(out, " · ");
    }
    civ_buf_puts(out, "This page sets no cookies and loads nothing from elsewhere. "
                      "Query syntax: <code>\"a phrase\"</code>, <code>a OR b</code>, "
                      "<code>-word</code>, <code>surveil*</code>, <code>title:warrant</code>, "
                      "<code>date:2018..2019</code>.</footer>\n</body>\n</html>\n");
}

/* ---- search results ------------------------------------------------ */

static int cmp_year_desc(const void *a, const void *b)
{
    const civ_facet_value *x = a, *y = b;
    return strcmp(y->value, x->value);
}

static void facet_block(civ_buf *out, const civ_render_info *info, const civ_facet *f)
{
    if (f->n == 0)
        return;
    const civ_facet_value *vals = f->values;
    civ_facet_value *sorted = NULL;
    if (strcmp(f->field, "year") == 0) {
        sorted = malloc(f->n * sizeof *sorted);
        if (!sorted) { /* the page is known incomplete: a 500 */
            out->failed = 1;
            return;
        }
        memcpy(sorted, f->values, f->n * sizeof *sorted);
        qsort(sorted, f->n, sizeof *sorted, cmp_year_desc);
        vals = sorted;
    }
    civ_buf_printf(out, "<section class=\"facet\" aria-labelledby=\"facet-%s\">"
                        "<h2 id=\"facet-%s\">", f->field, f->field);
    esc(out, field_label(f->field));
    civ_buf_puts(out, "</h2><ul>");
    civ_buf filter = CIV_BUF_INIT;
    for (size_t i = 0; i < f->n; i++) {
        civ_buf_reset(&filter);
        civ_buf_printf(&filter, "%s:%s", f->field, vals[i].value);
        if (civ_buf_failed(&filter))
            break;
        int on = has_filter(info->page, civ_buf_str(&filter));
        search_link l = { 0 };
        l.q = info->query;
        l.like = info->page ? info->page->like : NULL;
        if (on)
            l.drop = civ_buf_str(&filter);
        else
            l.add = civ_buf_str(&filter);
        civ_buf_puts(out, "<li><a ");
        href_search(out, info, &l);
        if (on)
            civ_buf_puts(out, " class=\"on\" aria-current=\"true\"");
        civ_buf_puts(out, " dir=\"auto\">");
        esc(out, strcmp(f->field, "lang") == 0 ? lang_name(vals[i].value) : vals[i].value);
        civ_buf_puts(out, "</a> <span class=\"n\">");
        put_count(out, vals[i].count);
        civ_buf_puts(out, "</span>");
        if (on)
            civ_buf_puts(out, "<span class=\"sr\"> (selected; follow to remove)</span>");
        civ_buf_puts(out, "</li>");
    }
    civ_buf_free_into(&filter, out);
    free(sorted);
    civ_buf_puts(out, "</ul></section>\n");
}

static void facets(civ_buf *out, const civ_render_info *info, const civ_results *r, const char *heading)
{
    size_t nf;
    const civ_facet *fs = civ_results_facets(r, &nf);
    size_t shown = 0;
    for (size_t i = 0; i < nf; i++)
        shown += fs[i].n > 0;
    if (!shown)
        return;
    civ_buf_puts(out, "<aside aria-label=\"Refine\"><h2 class=\"sr\">");
    esc(out, heading);
    civ_buf_puts(out, "</h2>\n");
    /* The most useful first; any facet not named here comes last. */
    static const char *const order[] = { "type", "year", "author", "from", "court", "agency",
                                         "exemption", "amendment", "clause", "case", "act", "usc",
                                         "cfr", "publaw", "body", "docket", "lang", "format", NULL };
    for (size_t k = 0; order[k]; k++)
        for (size_t i = 0; i < nf; i++)
            if (strcmp(fs[i].field, order[k]) == 0)
                facet_block(out, info, &fs[i]);
    for (size_t i = 0; i < nf; i++) {
        size_t k = 0;
        while (order[k] && strcmp(fs[i].field, order[k]) != 0)
            k++;
        if (!order[k])
            facet_block(out, info, &fs[i]);
    }
    civ_buf_puts(out, "</aside>\n");
}

/* Active filters and date range, each with a link that removes it. */
static void active_filters(civ_buf *out, const civ_render_info *info)
{
    const civ_page *pg = info->page;
    if (!pg || (pg->nfilters == 0 && !pg->from && !pg->until))
        return;
    civ_buf_puts(out, "<ul class=\"chips\" aria-label=\"Active filters\">");
    for (size_t i = 0; i < pg->nfilters; i++) {
        const char *f = pg->filters[i];
        const char *colon = strchr(f, ':');
        search_link l = { 0 };
        l.q = info->query;
        l.like = pg->like;
        l.drop = f;
        civ_buf_puts(out, "<li><a ");
        href_search(out, info, &l);
        civ_buf_puts(out, " title=\"Remove this filter\">");
        if (colon) {
            char field[32];
            size_t n = (size_t)(colon - f) < sizeof field - 1 ? (size_t)(colon - f) : sizeof field - 1;
            memcpy(field, f, n);
            field[n] = '\0';
            esc(out, field_label(field));
            civ_buf_puts(out, ": ");
            esc(out, strcmp(field, "lang") == 0 ? lang_name(colon + 1) : colon + 1);
        } else {
            esc(out, f);
        }
        civ_buf_puts(out, " <span aria-hidden=\"true\">✕</span><span class=\"sr\"> (remove)</span></a></li>");
    }
    if (pg->from || pg->until) {
        civ_buf_puts(out, "<li><span class=\"chipnote\">Dates: ");
        esc(out, pg->from ? pg->from : "…");
        civ_buf_puts(out, " to ");
        esc(out, pg->until ? pg->until : "…");
        civ_buf_puts(out, "</span></li>");
    }
    search_link clear = { 0 };
    clear.q = info->query;
    clear.like = pg->like;
    clear.bare = 1;
    civ_buf_puts(out, "<li><a ");
    href_search(out, info, &clear);
    civ_buf_puts(out, ">Clear all</a></li></ul>\n");
}

static void hit_item(civ_buf *out, const civ_render_info *info, const civ_hit *h)
{
    const civ_doc *d = h->doc;
    const char *id = civ_doc_get(d, "id");
    const char *title = civ_doc_get(d, "title");
    const char *lang = lang_attr(civ_doc_get(d, "lang"));
    civ_buf_puts(out, "<li class=\"hit\"");
    if (lang)
        civ_buf_printf(out, " lang=\"%s\"", lang);
    civ_buf_puts(out, "><h2 dir=\"auto\">");
    if (id) {
        civ_buf_puts(out, "<a ");
        href_doc(out, info, id, NULL);
        civ_buf_putc(out, '>');
    }
    esc(out, title && *title ? title : "(untitled)");
    if (id)
        civ_buf_puts(out, "</a>");
    civ_buf_puts(out, "</h2>\n<p class=\"meta\">");
    int sep = 0;
    char date[11];
    if (civ_render_date(d, date) == 0) {
        civ_buf_puts(out, "<time datetime=\"");
        esc(out, date);
        civ_buf_puts(out, "\">");
        esc(out, date);
        civ_buf_puts(out, "</time>");
        sep = 1;
    }
    const char *type = civ_doc_get(d, "type");
    if (type) {
        civ_buf_puts(out, sep ? " · " : "");
        esc(out, type);
        sep = 1;
    }
    civ_buf names = CIV_BUF_INIT;
    if (civ_render_join(&names, d, "from", ", ") || civ_render_join(&names, d, "author", ", ")) {
        civ_buf_puts(out, sep ? " · " : "");
        civ_buf_puts(out, "<span dir=\"auto\">");
        civ_html_escape(out, names.data, names.len);
        civ_buf_puts(out, "</span>");
    }
    civ_buf_free_into(&names, out);
    civ_buf_puts(out, "</p>\n");
    /* Its snippets in the order of the text, each from another passage,
     * each naming its place with a link to the document view there
     * (#p12: a page, #s31: a passage), its words marked. */
    civ_snippet best = { h->snippet, h->spans, h->nspans, h->page, h->passage };
    const civ_snippet *sns = h->nsnippets ? h->snippets : &best;
    size_t nsn = h->nsnippets ? h->nsnippets : 1;
    for (size_t k = 0; k < nsn; k++) {
        const civ_snippet *sn = &sns[k];
        if (!sn->text || !*sn->text)
            continue;
        civ_buf_puts(out, "<p class=\"snip\" dir=\"auto\">");
        char place[32], frag[24];
        if (id && civ_render_place(place, sizeof place, h, sn)) {
            if (sn->page)
                snprintf(frag, sizeof frag, "p%u", sn->page);
            else
                snprintf(frag, sizeof frag, "s%u", sn->passage);
            civ_buf_puts(out, "<a class=\"at\" ");
            href_doc_at(out, info, id, NULL, frag);
            civ_buf_putc(out, '>');
            esc(out, place);
            civ_buf_puts(out, "</a> ");
        }
        civ_render_snippet_of(out, sn, civ_html_escape, "<b>", "</b>");
        civ_buf_puts(out, "</p>\n");
    }
    if (h->copies) {
        civ_buf_puts(out, "<p class=\"more\">Also at: ");
        for (size_t k = 0; k < h->ncopy_ids; k++) {
            civ_buf_puts(out, k ? ", <a " : "<a ");
            href_doc(out, info, h->copy_ids[k], NULL);
            civ_buf_putc(out, '>');
            esc(out, h->copy_ids[k]);
            civ_buf_puts(out, "</a>");
        }
        if (h->copies > h->ncopy_ids)
            civ_buf_printf(out, " and %zu more", (size_t)h->copies - h->ncopy_ids);
        civ_buf_puts(out, "</p>\n");
    }
    if (id) {
        civ_buf_puts(out, "<p class=\"more\"><a ");
        href_like(out, info, id);
        civ_buf_puts(out, ">Similar documents</a></p>");
    }
    civ_buf_puts(out, "</li>\n");
}

static void pagination(civ_buf *out, const civ_render_info *info, const civ_results *r)
{
    unsigned limit = info->opts->limit;
    if (limit == 0)
        return;
    unsigned long long total = civ_results_total(r, NULL);
    unsigned cur = info->opts->offset / limit + 1;
    unsigned long long last = (total + limit - 1) / limit;
    unsigned long long deepest = (unsigned long long)(info->page ? info->page->max_offset : 10000) / limit + 1;
    if (last > deepest)
        last = deepest;
    if (last <= 1 && cur <= 1)
        return;
    if (last < cur)
        last = cur;
    unsigned lo = cur > 3 ? cur - 3 : 1;
    unsigned long long hi = (unsigned long long)cur + 3 < last ? cur + 3 : last;
    search_link l = { 0 };
    l.q = info->query;
    l.like = info->page ? info->page->like : NULL;
    civ_buf_puts(out, "<nav class=\"pages\" aria-label=\"Result pages\"><ul>");
    if (cur > 1) {
        l.page = cur - 1;
        civ_buf_puts(out, "<li><a rel=\"prev\" ");
        href_search(out, info, &l);
        civ_buf_puts(out, ">‹ Previous</a></li>");
    }
    if (lo > 1) {
        l.page = 1;
        civ_buf_puts(out, "<li><a ");
        href_search(out, info, &l);
        civ_buf_puts(out, " aria-label=\"Page 1\">1</a></li>");
        if (lo > 2)
            civ_buf_puts(out, "<li><span aria-hidden=\"true\">…</span></li>");
    }
    for (unsigned p = lo; p <= hi; p++) {
        if (p == cur) {
            civ_buf_printf(out, "<li><span aria-current=\"page\">%u</span></li>", p);
            continue;
        }
        l.page = p;
        civ_buf_puts(out, "<li><a ");
        href_search(out, info, &l);
        civ_buf_printf(out, " aria-label=\"Page %u\">%u</a></li>", p, p);
    }
    if (cur < last) {
        l.page = cur + 1;
        civ_buf_puts(out, "<li><a rel=\"next\" ");
        href_search(out, info, &l);
        civ_buf_puts(out, ">Next ›</a></li>");
    }
    civ_buf_puts(out, "</ul></nav>\n");
}

static void front_page(civ_buf *out, const civ_render_info *info, const civ_results *r)
{
    head(out, info, NULL);
    header(out, info, "");
    civ_buf_puts(out, "<div class=\"wrap\">\n<main id=\"main\">\n<h1>");
    esc(out, site_title(info));
    civ_buf_puts(out, "</h1>\n<p>");
    if (info->page) {
        civ_buf_puts(out, "Search ");
        put_count(out, info->page->documents);
        civ_buf_puts(out, info->page->documents == 1 ? " document" : " documents");
        civ_buf_puts(out, " by words, phrases, people, dates and type, or browse them "
                          "with the lists on this page.");
    }
    civ_buf_puts(out, "</p>\n<p>Words are all required unless you write OR; "
                      "<code>\"a phrase\"</code> keeps words together, <code>-word</code> "
                      "leaves documents out and <code>surveil*</code> matches words that "
                      "start so.</p>\n</main>\n");
    facets(out, info, r, "Browse");
    civ_buf_puts(out, "</div>\n");
    footer(out, info);
}

static void html_results(civ_buf *out, const civ_render_info *info, const civ_results *r)
{
    const civ_page *pg = info->page;
    if (!info->query && !(pg && (pg->nfilters || pg->from || pg->until || pg->like))) {
        front_page(out, info, r);
        return;
    }
    const char *q = info->query ? info->query : "";
    civ_buf title = CIV_BUF_INIT;
    if (pg && pg->like)
        civ_buf_printf(&title, "Similar to %s", pg->like_title ? pg->like_title : pg->like);
    else
        civ_buf_puts(&title, *q ? q : "All documents");
    head(out, info, civ_buf_str(&title));
    header(out, info, q);
    civ_buf_puts(out, "<div class=\"wrap\">\n<main id=\"main\">\n<h1>");
    if (pg && pg->like) {
        civ_buf_puts(out, "Documents similar to <a ");
        href_doc(out, info, pg->like, NULL);
        civ_buf_puts(out, " dir=\"auto\">");
        esc(out, pg->like_title ? pg->like_title : pg->like);
        civ_buf_puts(out, "</a>");
    } else if (*q) {
        civ_buf_puts(out, "Results for <q dir=\"auto\">");
        esc(out, q);
        civ_buf_puts(out, "</q>");
    } else {
        civ_buf_puts(out, "All documents");
    }
    civ_buf_puts(out, "</h1>\n");
    civ_buf_free_into(&title, out);
    active_filters(out, info);
    if (info->nmissing_shards)
        civ_buf_printf(out, "<p class=\"error notice\" role=\"alert\">Part of the collection (%zu of %zu "
                       "shards) did not answer: these results are incomplete.</p>\n",
                       info->nmissing_shards, info->nshards);
    const char *sugg = civ_results_suggestion(r);
    if (sugg && *sugg && strcmp(sugg, q) != 0) {
        search_link l = { 0 };
        l.q = sugg;
        civ_buf_puts(out, "<p class=\"sugg\">Did you mean <a ");
        href_search(out, info, &l);
        civ_buf_puts(out, " dir=\"auto\">");
        esc(out, sugg);
        civ_buf_puts(out, "</a>?</p>\n");
    }
    int exact;
    unsigned long long total = civ_results_total(r, &exact);
    size_t n = civ_results_size(r);
    civ_buf_puts(out, "<p class=\"count\" role=\"status\">");
    if (n == 0 && total == 0) {
        civ_buf_puts(out, "No documents match");
    } else {
        if (!exact)
            civ_buf_puts(out, "About ");
        put_count(out, total);
        civ_buf_puts(out, total == 1 ? " result" : " results");
        civ_render_folded(out, r);
        if (n)
            civ_buf_printf(out, ", showing %u–%u", civ_results_hit(r, 0)->rank,
                           civ_results_hit(r, n - 1)->rank);
    }
    civ_buf_printf(out, " <span class=\"time\">(%.3f s)</span></p>\n", info->elapsed);
    if (n) {
        civ_buf_printf(out, "<ol class=\"hits\" start=\"%u\">\n", civ_results_hit(r, 0)->rank);
        for (size_t i = 0; i < n; i++)
            hit_item(out, info, civ_results_hit(r, i));
        civ_buf_puts(out, "</ol>\n");
    } else if (total == 0) {
        civ_buf_puts(out, "<p>Try fewer or other words, remove a filter, or widen the dates.</p>\n");
    }
    pagination(out, info, r);
    civ_buf_puts(out, "</main>\n");
    facets(out, info, r, "Refine the results");
    civ_buf_puts(out, "</div>\n");
    footer(out, info);
}

/* ---- one document -------------------------------------------------- */

static void row(civ_buf *out, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    civ_buf_puts(out, "<dt>");
    esc(out, label);
    civ_buf_puts(out, "</dt><dd dir=\"auto\">");
    esc(out, value);
    civ_buf_puts(out, "</dd>\n");
}

static void rows(civ_buf *out, const civ_doc *doc, const char *label, const char *field)
{
    civ_buf tmp = CIV_BUF_INIT;
    if (civ_render_join(&tmp, doc, field, "; "))
        row(out, label, civ_buf_str(&tmp));
    civ_buf_free_into(&tmp, out);
}

static void link_list(civ_buf *out, const civ_render_info *info, const civ_doc_link *l, size_t n)
{
    civ_buf_puts(out, "<ul class=\"links\">");
    for (size_t i = 0; i < n; i++) {
        civ_buf_puts(out, "<li><a ");
        href_doc(out, info, l[i].id, NULL);
        civ_buf_puts(out, " dir=\"auto\">");
        esc(out, l[i].title ? l[i].title : l[i].id);
        civ_buf_puts(out, "</a></li>");
    }
    civ_buf_puts(out, "</ul>");
}

/* The document's entities, each a search for the others with it, and its
 * citation links. */
static void legal_rows(civ_buf *out, const civ_render_info *info, const civ_doc_legal *l)
{
    if (l->nentities) {
        civ_buf_puts(out, "<dt>Entities</dt><dd><ul class=\"entities\">");
        for (size_t i = 0; i < l->nentities; i++) {
            search_link sl = { .q = l->entities[i].query, .bare = 1 };
            civ_buf_puts(out, "<li><a ");
            href_search(out, info, &sl);
            civ_buf_puts(out, ">");
            esc(out, l->entities[i].query);
            civ_buf_printf(out, "</a> <span class=\"n\">(%u)</span></li>", l->entities[i].count);
        }
        civ_buf_puts(out, "</ul></dd>\n");
    }
    if (l->ncites) {
        civ_buf_printf(out, "<dt>Cites</dt><dd>%zu document%s here", l->ncites, l->ncites == 1 ? "" : "s");
        link_list(out, info, l->cites, l->ncites);
        civ_buf_puts(out, "</dd>\n");
    }
    if (l->cited_by_total) {
        search_link sl = { .q = l->cited_by_query, .bare = 1 };
        civ_buf_puts(out, "<dt>Cited by</dt><dd><a ");
        href_search(out, info, &sl);
        civ_buf_printf(out, ">cited by %llu document%s here</a>", (unsigned long long)l->cited_by_total,
                       l->cited_by_total == 1 ? "" : "s");
        link_list(out, info, l->cited_by, l->ncited_by);
        civ_buf_puts(out, "</dd>\n");
    }
}

static void html_document(civ_buf *out, const civ_render_info *info, const civ_doc *doc)
{
    const char *title = civ_doc_get(doc, "title");
    const char *id = civ_doc_get(doc, "id");
    const char *lang = lang_attr(civ_doc_get(doc, "lang"));
    if (!title || !*title)
        title = "(untitled)";
    head(out, info, title);
    header(out, info, info->query ? info->query : "");
    civ_buf_puts(out, "<div class=\"wrap\">\n<main id=\"main\">\n<article");
    if (lang)
        civ_buf_printf(out, " lang=\"%s\"", lang);
    civ_buf_puts(out, ">\n<h1 dir=\"auto\">");
    esc(out, title);
    civ_buf_puts(out, "</h1>\n<p class=\"more\">");
    if (info->query && *info->query) {
        search_link back = { .q = info->query, .page = result_page(info) };
        civ_buf_puts(out, "<a ");
        href_search(out, info, &back);
        civ_buf_puts(out, ">‹ Back to the results</a> · ");
        if (info->nspans)
            civ_buf_puts(out, "<a href=\"#hit\">First match</a> · ");
    }
    if (id) {
        civ_buf_puts(out, "<a ");
        href_like(out, info, id);
        civ_buf_puts(out, ">Similar documents</a> · <a ");
        href_doc(out, info, id, "json");
        civ_buf_puts(out, ">JSON</a>");
    }
    civ_buf_puts(out, "</p>\n<dl class=\"doc\">\n");
    rows(out, doc, "Author", "author");
    rows(out, doc, "From", "from");
    rows(out, doc, "To", "to");
    rows(out, doc, "Cc", "cc");
    row(out, "Subject", civ_doc_get(doc, "subject"));
    char when[80];
    row(out, "Date", civ_render_when(doc, when, sizeof when));
    row(out, "Type", civ_doc_get(doc, "type"));
    const char *dl = civ_doc_get(doc, "lang");
    row(out, "Language", dl ? lang_name(dl) : NULL);
    row(out, "Format", civ_doc_get(doc, "format"));
    rows(out, doc, "Signed by", "signatories");
    rows(out, doc, "Attachments", "attachment");
    rows(out, doc, "Keywords", "keywords");
    row(out, "Summary", civ_doc_get(doc, "description"));
    size_t nf;
    const civ_field_def *fs = civ_schema_fields(&nf);
    for (size_t i = 0; i < nf; i++)
        if ((fs[i].flags & CIV_FIELD_SHOW) && !(info->legal && (fs[i].flags & CIV_FIELD_LEGAL)))
            rows(out, doc, fs[i].label ? fs[i].label : fs[i].name, fs[i].name);
    if (info->legal)
        legal_rows(out, info, info->legal);
    row(out, "Thread", civ_doc_get(doc, "thread"));
    row(out, "Message-ID", civ_doc_get(doc, "message_id"));
    row(out, "Id", id);
    civ_buf_puts(out, "</dl>\n<div class=\"text\" dir=\"auto\">\n");
    size_t len;
    const char *text = civ_doc_text(doc, &len);
    size_t shown = civ_utf8_clip(text, len, DOC_TEXT_MAX);
    civ_html_doc_text(out, info, doc, text, shown);
    civ_buf_puts(out, "</div>\n");
    if (shown < len)
        civ_buf_printf(out, "<p class=\"more\">(The text goes on for %zu more bytes, not shown here.)</p>\n",
                       len - shown);
    civ_buf_puts(out, "</article>\n</main>\n</div>\n");
    footer(out, info);
}

/* ---- errors ---------------------------------------------------------- */

static void html_error(civ_buf *out, const civ_render_info *info, int status, const char *code,
                       const char *message)
{
    (void)code;
    head(out, info, civ_http_reason(status));
    header(out, info, info->query ? info->query : "");
    civ_buf_printf(out, "<div class=\"wrap\">\n<main id=\"main\">\n<h1>%s</h1>\n"
                        "<p class=\"error\" role=\"alert\">",
                   civ_http_reason(status));
    esc(out, message);
    civ_buf_puts(out, "</p>\n");
    if (status >= 500)
        civ_buf_puts(out, "<p>The administrator can find the details in the web server's error log.</p>\n");
    civ_buf_puts(out, "</main>\n</div>\n");
    footer(out, info);
}

const civ_renderer civ_render_html = {
    .name = "html",
    .results = html_results,
    .document = html_document,
    .error = html_error,
};
