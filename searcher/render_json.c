/* JSON output: one object, always valid. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "civ/json.h"
#include "civ/parse.h"
#include "render.h"

static void field_or_null(civ_json *j, const char *key, const civ_doc *doc, const char *field)
{
    civ_json_key(j, key);
    civ_json_cstr(j, civ_doc_get(doc, field));
}

/* Several values joined for the plain string field, and as an array. */
static void multi(civ_json *j, const civ_doc *doc, const char *key, const char *arraykey,
                  const char *field)
{
    civ_buf tmp = CIV_BUF_INIT;
    size_t n = civ_render_join(&tmp, doc, field, ", ");
    civ_json_key(j, key);
    if (n)
        civ_json_string(j, tmp.data, tmp.len);
    else
        civ_json_null(j);
    civ_buf_free_into(&tmp, j->out);
    if (arraykey) {
        civ_json_key(j, arraykey);
        civ_json_begin_array(j);
        size_t nv = civ_doc_nvalues(doc);
        for (size_t i = 0; i < nv; i++) {
            const char *v;
            size_t len;
            if (strcmp(civ_doc_value(doc, i, &v, &len)->name, field) == 0)
                civ_json_string(j, v, len);
        }
        civ_json_end_array(j);
    }
}

/* Letters, and FOIA letters typed by their kind, have a letter's fields. */
static int is_letter(const civ_doc *doc)
{
    const char *t = civ_doc_get(doc, "type");
    return (t && strcmp(t, "letter") == 0) || civ_doc_get(doc, "from") || civ_doc_get(doc, "signatories");
}

/* The fields the schema shows by their label (CIV_FIELD_SHOW): numbers,
 * strings, or arrays for multi-valued fields. */
static void shown_fields(civ_json *j, const civ_doc *doc)
{
    size_t nf;
    const civ_field_def *fs = civ_schema_fields(&nf);
    for (size_t i = 0; i < nf; i++) {
        const civ_field_def *f = &fs[i];
        if (!(f->flags & CIV_FIELD_SHOW))
            continue;
        const char *v = civ_doc_get_def(doc, f);
        if (!v)
            continue;
        civ_json_key(j, f->name);
        if (f->flags & CIV_FIELD_MULTI) {
            civ_json_begin_array(j);
            size_t nv = civ_doc_nvalues(doc);
            for (size_t k = 0; k < nv; k++) {
                const char *val;
                size_t len;
                if (civ_doc_value(doc, k, &val, &len) == f)
                    civ_json_string(j, val, len);
            }
            civ_json_end_array(j);
        } else if (f->flags & CIV_FIELD_NUMBER) {
            long long num;
            if (civ_parse_stored(&num, v) == 0)
                civ_json_int(j, num);
            else
                civ_json_null(j);
        } else {
            civ_json_cstr(j, v);
        }
    }
}

/* The fields every listing shows for a document. */
static void doc_fields(civ_json *j, const civ_doc *doc)
{
    char date[11];
    field_or_null(j, "id", doc, "id");
    field_or_null(j, "path", doc, "path");
    field_or_null(j, "title", doc, "title");
    multi(j, doc, "author", "authors", "author");
    civ_json_key(j, "date");
    if (civ_render_date(doc, date) == 0)
        civ_json_cstr(j, date);
    else
        civ_json_null(j);
    field_or_null(j, "datetime", doc, "date");
    field_or_null(j, "type", doc, "type");
    field_or_null(j, "lang", doc, "lang");
    field_or_null(j, "format", doc, "format");
    if (is_letter(doc)) {
        multi(j, doc, "from", "from_list", "from");
        multi(j, doc, "to", "to_list", "to");
        multi(j, doc, "cc", "cc_list", "cc");
        field_or_null(j, "subject", doc, "subject");
        field_or_null(j, "thread", doc, "thread");
        field_or_null(j, "message_id", doc, "message_id");
        field_or_null(j, "in_reply_to", doc, "in_reply_to");
        field_or_null(j, "date_source", doc, "date_source");
        if (civ_doc_get(doc, "signatories"))
            multi(j, doc, "signatories", "signatory_list", "signatories");
    }
    shown_fields(j, doc);
}

/* "highlights": [[start, length], ...] of the query's words in a text. */
static void highlights(civ_json *j, const civ_span *spans, size_t n)
{
    civ_json_key(j, "highlights");
    civ_json_begin_array(j);
    for (size_t k = 0; k < n; k++) {
        civ_json_begin_array(j);
        civ_json_int(j, (long long)spans[k].start);
        civ_json_int(j, (long long)spans[k].len);
        civ_json_end_array(j);
    }
    civ_json_end_array(j);
}

/* A snippet as the page shows it (HTML, words in <b>), as plain text with
 * the byte ranges of the query's words, and where it is: its page (null
 * without pages) and passage (null without a snippet). */
static void snippet_fields(civ_json *j, const civ_snippet *sn)
{
    civ_buf html = CIV_BUF_INIT;
    civ_render_snippet_of(&html, sn, civ_html_escape, "<b>", "</b>");
    civ_json_key(j, "snippet");
    civ_json_string(j, civ_buf_str(&html), html.len);
    civ_buf_free_into(&html, j->out);
    civ_json_key(j, "snippet_text");
    civ_json_cstr(j, sn->text ? sn->text : "");
    highlights(j, sn->spans, sn->nspans);
    civ_json_key(j, "page");
    if (sn->page)
        civ_json_int(j, sn->page);
    else
        civ_json_null(j);
    civ_json_key(j, "passage");
    if (sn->passage)
        civ_json_int(j, sn->passage);
    else
        civ_json_null(j);
}

static void json_results(civ_buf *out, const civ_render_info *info, const civ_results *r)
{
    civ_json j;
    civ_json_init(&j, out);
    civ_json_begin_object(&j);
    civ_json_key(&j, "query");
    civ_json_cstr(&j, info->query ? info->query : "");
    civ_json_key(&j, "total");
    int exact;
    civ_json_int(&j, (long long)civ_results_total(r, &exact));
    civ_json_key(&j, "total_exact");
    civ_json_bool(&j, exact);
    civ_json_key(&j, "folded");
    civ_json_int(&j, (long long)civ_results_folded(r));
    civ_json_key(&j, "offset");
    civ_json_int(&j, info->opts->offset);
    civ_json_key(&j, "limit");
    civ_json_int(&j, info->opts->limit);
    civ_json_key(&j, "elapsed_ms");
    civ_json_double(&j, info->elapsed * 1000.0);
    if (info->nmissing_shards) {
        civ_json_key(&j, "missing_shards");
        civ_json_begin_array(&j);
        for (size_t i = 0; i < info->nmissing_shards; i++)
            civ_json_cstr(&j, info->missing_shards[i]);
        civ_json_end_array(&j);
    }
    const char *sugg = civ_results_suggestion(r);
    if (info->opts->spelling) {
        civ_json_key(&j, "suggestion");
        civ_json_cstr(&j, sugg);
    }
    civ_json_key(&j, "results");
    civ_json_begin_array(&j);
    for (size_t i = 0; i < civ_results_size(r); i++) {
        const civ_hit *h = civ_results_hit(r, i);
        civ_json_begin_object(&j);
        civ_json_key(&j, "rank");
        civ_json_int(&j, h->rank);
        doc_fields(&j, h->doc);
        civ_json_key(&j, "score");
        civ_json_double(&j, h->score);
        civ_json_key(&j, "percent");
        civ_json_int(&j, h->percent);
        civ_snippet best = { h->snippet, h->spans, h->nspans, h->page, h->passage };
        snippet_fields(&j, &best);
        /* More than one asked for: each, in the order of the text. */
        if (info->opts->snippets > 1) {
            civ_json_key(&j, "snippets");
            civ_json_begin_array(&j);
            for (size_t k = 0; k < h->nsnippets; k++) {
                civ_json_begin_object(&j);
                snippet_fields(&j, &h->snippets[k]);
                civ_json_end_object(&j);
            }
            civ_json_end_array(&j);
        }
        /* Copies of this document folded into the hit. */
        civ_json_key(&j, "copies");
        civ_json_int(&j, h->copies);
        civ_json_key(&j, "duplicates");
        civ_json_begin_array(&j);
        for (size_t k = 0; k < h->ncopy_ids; k++)
            civ_json_cstr(&j, h->copy_ids[k]);
        civ_json_end_array(&j);
        civ_json_end_object(&j);
    }
    civ_json_end_array(&j);
    size_t nf;
    const civ_facet *fs = civ_results_facets(r, &nf);
    if (info->opts->facet_values) {
        civ_json_key(&j, "facets");
        civ_json_begin_object(&j);
        for (size_t i = 0; i < nf; i++) {
            civ_json_key(&j, fs[i].field);
            civ_json_begin_array(&j);
            for (size_t k = 0; k < fs[i].n; k++) {
                civ_json_begin_object(&j);
                civ_json_key(&j, "value");
                civ_json_cstr(&j, fs[i].values[k].value);
                civ_json_key(&j, "count");
                civ_json_int(&j, (long long)fs[i].values[k].count);
                civ_json_end_object(&j);
            }
            civ_json_end_array(&j);
        }
        civ_json_end_object(&j);
    }
    civ_json_end_object(&j);
    civ_buf_putc(out, '\n');
}

static void links(civ_json *j, const char *key, const civ_doc_link *l, size_t n)
{
    civ_json_key(j, key);
    civ_json_begin_array(j);
    for (size_t i = 0; i < n; i++) {
        civ_json_begin_object(j);
        civ_json_key(j, "id");
        civ_json_cstr(j, l[i].id);
        civ_json_key(j, "title");
        if (l[i].title)
            civ_json_cstr(j, l[i].title);
        else
            civ_json_null(j);
        civ_json_end_object(j);
    }
    civ_json_end_array(j);
}

/* The document's entities with their counts and queries, the documents it
 * cites and those citing it (the first of them; cited_by is the count). */
static void legal(civ_json *j, const civ_doc_legal *l)
{
    civ_json_key(j, "entities");
    civ_json_begin_array(j);
    for (size_t i = 0; i < l->nentities; i++) {
        civ_json_begin_object(j);
        civ_json_key(j, "field");
        civ_json_cstr(j, l->entities[i].field);
        civ_json_key(j, "value");
        civ_json_cstr(j, l->entities[i].value);
        civ_json_key(j, "count");
        civ_json_int(j, l->entities[i].count);
        civ_json_key(j, "query");
        civ_json_cstr(j, l->entities[i].query);
        civ_json_end_object(j);
    }
    civ_json_end_array(j);
    links(j, "cites_documents", l->cites, l->ncites);
    links(j, "cited_by_documents", l->cited_by, l->ncited_by);
}

static void json_document(civ_buf *out, const civ_render_info *info, const civ_doc *doc)
{
    civ_json j;
    civ_json_init(&j, out);
    civ_json_begin_object(&j);
    doc_fields(&j, doc);
    field_or_null(&j, "description", doc, "description");
    multi(&j, doc, "keywords", "keyword_list", "keywords");
    if (!is_letter(doc)) /* else among the letter's fields */
        field_or_null(&j, "date_source", doc, "date_source");
    /* The file's own time, never the document's date (ISO 8601, UTC). */
    long long mt, size;
    int have_mt = civ_parse_stored(&mt, civ_doc_get(doc, "mtime")) == 0;
    char when[32];
    time_t t = have_mt ? (time_t)mt : 0;
    struct tm tm;
    civ_json_key(&j, "mtime");
    if (have_mt && gmtime_r(&t, &tm) && strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
        civ_json_cstr(&j, when);
    else
        civ_json_null(&j);
    civ_json_key(&j, "size");
    if (civ_parse_stored(&size, civ_doc_get(doc, "size")) == 0)
        civ_json_int(&j, size);
    else
        civ_json_null(&j);
    field_or_null(&j, "hash", doc, "hash");
    if (civ_doc_get(doc, "attachment"))
        multi(&j, doc, "attachments", "attachment_list", "attachment");
    size_t len;
    const char *text = civ_doc_text(doc, &len);
    if (info->doc_page) {
        /* One page: which, and its text alone. */
        civ_json_key(&j, "page");
        civ_json_int(&j, info->doc_page);
        civ_render_page_text(doc, info->doc_page, &text, &len);
    }
    civ_json_key(&j, "text");
    civ_json_string(&j, text, len);
    if (info && info->spans) /* the page, asked with a query: its words in the text */
        highlights(&j, info->spans, info->nspans);
    if (info && info->legal)
        legal(&j, info->legal);
    civ_json_end_object(&j);
    civ_buf_putc(out, '\n');
}

static void counts(civ_json *j, const char *key, const civ_count *c, size_t n)
{
    civ_json_key(j, key);
    civ_json_begin_object(j);
    for (size_t i = 0; i < n; i++) {
        civ_json_key(j, c[i].value);
        civ_json_int(j, (long long)c[i].count);
    }
    civ_json_end_object(j);
}

static void json_stats(civ_buf *out, const civ_stats *s)
{
    civ_json j;
    civ_json_init(&j, out);
    civ_json_begin_object(&j);
    civ_json_key(&j, "documents");
    civ_json_int(&j, (long long)s->documents);
    civ_json_key(&j, "terms");
    civ_json_int(&j, (long long)s->terms);
    civ_json_key(&j, "disk_bytes");
    civ_json_int(&j, (long long)s->disk_bytes);
    civ_json_key(&j, "updated");
    if (s->updated >= 0)
        civ_json_int(&j, s->updated);
    else
        civ_json_null(&j);
    civ_json_key(&j, "stemmer");
    civ_json_cstr(&j, s->stemmer);
    counts(&j, "types", s->types, s->ntypes);
    counts(&j, "langs", s->langs, s->nlangs);
    counts(&j, "formats", s->formats, s->nformats);
    civ_json_end_object(&j);
    civ_buf_putc(out, '\n');
}

/* {"error": {"status": 400, "code": "bad_query", "message": "..."}}, on
 * the command line and on the page. */
static void json_error(civ_buf *out, const civ_render_info *info, int status, const char *code,
                       const char *message)
{
    civ_json j;
    (void)info;
    civ_json_init(&j, out);
    civ_json_begin_object(&j);
    civ_json_key(&j, "error");
    civ_json_begin_object(&j);
    civ_json_key(&j, "status");
    civ_json_int(&j, status);
    civ_json_key(&j, "code");
    civ_json_cstr(&j, code);
    civ_json_key(&j, "message");
    civ_json_cstr(&j, message);
    civ_json_end_object(&j);
    civ_json_end_object(&j);
    civ_buf_putc(out, '\n');
}

const civ_renderer civ_render_json = {
    .name = "json",
    .results = json_results,
    .document = json_document,
    .stats = json_stats,
    .error = json_error,
};
