/* The document view's legal side: see civ_doc_legal in render.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/entities.h"
#include "civ/legal.h"
#include "civ/parse.h"
#include "civ/schema.h"
#include "render.h"

void civ_doc_legal_free(civ_doc_legal *l)
{
    if (!l)
        return;
    for (size_t i = 0; i < l->nentities; i++) {
        free(l->entities[i].value);
        free(l->entities[i].query);
    }
    free(l->entities);
    for (size_t i = 0; i < l->ncites; i++) {
        free(l->cites[i].id);
        free(l->cites[i].title);
    }
    free(l->cites);
    for (size_t i = 0; i < l->ncited_by; i++) {
        free(l->cited_by[i].id);
        free(l->cited_by[i].title);
    }
    free(l->cited_by);
    free(l->cited_by_query);
    memset(l, 0, sizeof *l);
}

/* A malloc'd formatted string, NULL when out of memory. */
static char *dup_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* A value as a query's operand: as it is when it is one plain token,
 * else quoted (a case name, a docket with a colon). */
static int plain_token(const char *v, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = v[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '.'))
            return 0;
    }
    return len > 0;
}

static char *entity_query(const char *field, const char *v, size_t len)
{
    const civ_field_def *f = civ_schema_field(field);
    /* Case names are searched through case: (their words). */
    const char *name = strcmp(field, "casename") == 0 ? "case" : f && f->query_name ? f->query_name : field;
    const char *quote = plain_token(v, len) ? "" : "\"";
    return dup_printf("%s:%s%.*s%s", name, quote, (int)len, v, quote);
}

static civ_status take_entities(civ_doc_legal *out, const civ_doc *doc, civ_error *err)
{
    civ_entities *scanner = NULL; /* constant data, shared */
    civ_status s = civ_entities_new(&scanner, err);
    if (s != CIV_OK)
        return s;
    size_t len;
    const char *text = civ_doc_text(doc, &len);
    const char *title = civ_doc_get(doc, "title");
    civ_buf input = CIV_BUF_INIT;
    civ_legal_input(&input, title, text ? text : "", text ? len : 0);
    civ_entity_list *list = NULL;
    civ_entity_tally *tally = NULL;
    s = civ_buf_failed(&input) ? civ_error_set(err, CIV_ENOMEM, "out of memory") : CIV_OK;
    if (s == CIV_OK)
        s = civ_entity_list_new(&list, err);
    if (s == CIV_OK)
        s = civ_entity_tally_new(&tally, err);
    civ_entity_scan_opts o = CIV_ENTITY_SCAN_OPTS_INIT;
    o.title = title;
    o.title_len = title ? strlen(title) : 0;
    if (s == CIV_OK)
        s = civ_entities_scan(list, scanner, input.data ? input.data : "", input.len, &o, err);
    if (s == CIV_OK)
        s = civ_entity_tally_count(tally, list, err);
    size_t n = 0;
    const civ_entity_count *cs = s == CIV_OK ? civ_entity_tally_items(tally, &n) : NULL;
    if (n) {
        out->entities = calloc(n, sizeof *out->entities);
        if (!out->entities) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            n = 0; /* nothing to take them into */
        }
    }
    for (size_t i = 0; i < n && s == CIV_OK; i++) {
        const char *field = civ_legal_field(cs[i].kind);
        if (!field || (cs[i].flags & CIV_ENTITY_FINE))
            continue;
        civ_doc_entity *e = &out->entities[out->nentities];
        e->field = field;
        e->count = cs[i].count;
        e->value = strndup(cs[i].value, cs[i].value_len);
        e->query = entity_query(field, cs[i].value, cs[i].value_len);
        out->nentities++;
        if (!e->value || !e->query)
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    civ_entity_tally_free(tally);
    civ_entity_list_free(list);
    civ_buf_free(&input);
    return s;
}

/* The documents doc cites, with their titles (a link whose document has
 * gone since the last run keeps its id). */
static civ_status take_cites(civ_doc_legal *out, civ_db *db, const civ_doc *doc, civ_error *err)
{
    size_t nv = civ_doc_nvalues(doc), n = 0;
    for (size_t k = 0; k < nv; k++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(doc, k, &v, &len);
        n += f && strcmp(f->name, "cites") == 0;
    }
    if (!n)
        return CIV_OK;
    out->cites = calloc(n, sizeof *out->cites);
    if (!out->cites)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    for (size_t k = 0; k < nv; k++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(doc, k, &v, &len);
        if (!f || strcmp(f->name, "cites") != 0)
            continue;
        civ_doc_link *l = &out->cites[out->ncites++];
        l->id = strndup(v, len);
        if (!l->id)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        civ_doc *cited = NULL;
        civ_status s = civ_db_get(&cited, db, l->id, 0, err);
        if (s == CIV_ENOTFOUND) {
            civ_error_clear(err);
            continue;
        }
        if (s != CIV_OK)
            return s;
        const char *t = civ_doc_get(cited, "title");
        l->title = t ? strdup(t) : NULL;
        civ_doc_free(cited);
        if (t && !l->title)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    return CIV_OK;
}

/* The documents citing doc: cites:ID. */
static civ_status take_cited_by(civ_doc_legal *out, civ_db *db, const civ_doc *doc, civ_error *err)
{
    const char *id = civ_doc_get(doc, "id");
    long long by = 0;
    if (!id || civ_parse_stored(&by, civ_doc_get(doc, "cited_by")) != 0 || by <= 0)
        return CIV_OK;
    out->cited_by_query = dup_printf("cites:\"%s\"", id);
    if (!out->cited_by_query)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    civ_search_opts so = CIV_SEARCH_OPTS_INIT;
    so.query = out->cited_by_query;
    so.limit = CIV_DOC_CITED_BY_MAX;
    so.snippet_len = 0;
    so.sort = CIV_SORT_DATE_DESC;
    so.no_collapse = 1;
    civ_results *r = NULL;
    civ_status s = civ_search(&r, db, &so, err);
    if (s != CIV_OK)
        return s;
    out->cited_by_total = civ_results_total(r, NULL);
    size_t n = civ_results_size(r);
    out->cited_by = n ? calloc(n, sizeof *out->cited_by) : NULL;
    if (n && !out->cited_by) {
        civ_results_free(r);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n && s == CIV_OK; i++) {
        const civ_hit *h = civ_results_hit(r, i);
        const char *hid = civ_doc_get(h->doc, "id"), *t = civ_doc_get(h->doc, "title");
        civ_doc_link *l = &out->cited_by[out->ncited_by++];
        l->id = strdup(hid ? hid : "");
        l->title = t ? strdup(t) : NULL;
        if (!l->id || (t && !l->title))
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    civ_results_free(r);
    return s;
}

civ_status civ_doc_legal_load(civ_doc_legal *out, civ_db *db, const civ_doc *doc, civ_error *err)
{
    memset(out, 0, sizeof *out);
    civ_status s = take_entities(out, doc, err);
    if (s == CIV_OK)
        s = take_cites(out, db, doc, err);
    if (s == CIV_OK)
        s = take_cited_by(out, db, doc, err);
    return s;
}
