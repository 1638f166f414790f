/* The citation graph of an index: see citegraph.h. */
#include "citegraph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/schema.h"
#include "indexdir.h"

/* "1" while the links lag behind the documents (updates). */
#define META_GRAPH "civ:citegraph"

/* A document with a citation, cited cases, or links: the others take no
 * part. Strings are owned. */
typedef struct node {
    char *id;
    char *citation;     /* its own case citations (the citation, then its
                           parallel cites), NUL after each, or "" */
    size_t ncitations;
    char *cases;        /* cited cases, CIV_FACET_SEP between them */
    char *cites;        /* its links now: ids, CIV_FACET_SEP between them */
    unsigned long cited_by;
    char **to;          /* its links as they should be, sorted */
    size_t nto;
    unsigned long want_by;
    size_t w;           /* the index (of a set of shards) holding it */
} node;

/* A node by a key (its citation, or its id), for sorting and looking up. */
typedef struct ref {
    const char *key;
    const char *id;
    size_t i;
} ref;

typedef struct graph {
    node *v;
    size_t n, cap;
    ref *by_cite;       /* nodes by each own citation, then id */
    size_t nby;
    size_t w;           /* the index being scanned */
    int failed;
} graph;

static void graph_free(graph *g)
{
    for (size_t i = 0; i < g->n; i++) {
        free(g->v[i].id);
        free(g->v[i].citation);
        free(g->v[i].cases);
        free(g->v[i].cites);
        free(g->v[i].to);
    }
    free(g->v);
    free(g->by_cite);
}

static const char *const FIELDS[] = { "citation", "case", "cites", "cited_by", "parallel" };

/* "citation" and "parallel" as one string: each citation followed by a
 * NUL; *n gets their number. NULL when out of memory. */
static char *own_citations(const char *citation, const char *parallel, size_t *n)
{
    size_t a = strlen(citation), b = strlen(parallel);
    char *s = malloc(a + b + 3);
    if (!s)
        return NULL;
    *n = 0;
    size_t k = 0;
    if (a) {
        memcpy(s, citation, a + 1);
        k = a + 1;
        (*n)++;
    }
    /* Parallel cites are joined by CIV_FACET_SEP (civ_writer_scan). */
    for (const char *p = parallel; *p;) {
        const char *e = strchr(p, CIV_FACET_SEP);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        memcpy(s + k, p, len);
        s[k + len] = '\0';
        k += len + 1;
        (*n)++;
        p = e ? e + 1 : p + len;
    }
    s[k] = '\0';
    return s;
}

static int take(void *ctx, const char *id, const char *const *values)
{
    graph *g = ctx;
    if (!*values[0] && !*values[1] && !*values[2] && (!*values[3] || strcmp(values[3], "0") == 0) &&
        !*values[4])
        return 0;
    if (g->n == g->cap) {
        size_t cap = g->cap ? g->cap * 2 : 256;
        node *nv = realloc(g->v, cap * sizeof *nv);
        if (!nv) {
            g->failed = 1;
            return 1;
        }
        g->v = nv;
        g->cap = cap;
    }
    node *d = &g->v[g->n];
    memset(d, 0, sizeof *d);
    d->id = strdup(id);
    d->citation = own_citations(values[0], values[4], &d->ncitations);
    d->cases = strdup(values[1]);
    d->cites = strdup(values[2]);
    d->cited_by = strtoul(values[3], NULL, 10);
    d->w = g->w;
    g->n++;
    if (!d->id || !d->citation || !d->cases || !d->cites) {
        g->failed = 1;
        return 1;
    }
    return 0;
}

static int cmp_ref(const void *a, const void *b)
{
    const ref *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : strcmp(x->id, y->id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first of refs[0..n) whose key is not below key. */
static size_t lower_bound(const ref *refs, size_t n, const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(refs[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The links of node d as they should be: the ids of the other nodes one
 * of whose own citations is one of d's cases, each once. */
static int links_of(graph *g, node *d)
{
    const char *p = d->cases;
    size_t cap = 0;
    char cite[CIV_TERM_MAX];
    while (*p) {
        const char *e = strchr(p, CIV_FACET_SEP);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n < sizeof cite) {
            memcpy(cite, p, n);
            cite[n] = '\0';
            for (size_t k = lower_bound(g->by_cite, g->nby, cite);
                 k < g->nby && strcmp(g->by_cite[k].key, cite) == 0; k++) {
                node *t = &g->v[g->by_cite[k].i];
                if (t == d)
                    continue;
                if (d->nto == cap) {
                    cap = cap ? cap * 2 : 4;
                    char **nt = realloc(d->to, cap * sizeof *nt);
                    if (!nt)
                        return -1;
                    d->to = nt;
                }
                d->to[d->nto++] = t->id;
            }
        }
        p = e ? e + 1 : p + n;
    }
    if (d->nto > 1)
        qsort(d->to, d->nto, sizeof *d->to, cmp_str);
    size_t k = 0;
    for (size_t i = 0; i < d->nto; i++)
        if (k == 0 || strcmp(d->to[k - 1], d->to[i]) != 0)
            d->to[k++] = d->to[i];
    d->nto = k;
    return 0;
}

/* Every node's wanted links, and how many link to each: a document
 * citing a case by any of its parallel cites links to it, once. */
static int compute(graph *g)
{
    size_t ncites = 0;
    for (size_t i = 0; i < g->n; i++)
        ncites += g->v[i].ncitations;
    g->by_cite = malloc((ncites + 1) * sizeof *g->by_cite);
    ref *by_id = malloc((g->n + 1) * sizeof *by_id);
    if (!g->by_cite || !by_id) {
        free(by_id);
        return -1;
    }
    for (size_t i = 0; i < g->n; i++) {
        by_id[i] = (ref){ g->v[i].id, g->v[i].id, i };
        const char *c = g->v[i].citation;
        for (size_t k = 0; k < g->v[i].ncitations; k++, c += strlen(c) + 1)
            g->by_cite[g->nby++] = (ref){ c, g->v[i].id, i };
    }
    qsort(g->by_cite, g->nby, sizeof *g->by_cite, cmp_ref);
    qsort(by_id, g->n, sizeof *by_id, cmp_ref);
    int rc = 0;
    for (size_t i = 0; i < g->n && rc == 0; i++)
        rc = links_of(g, &g->v[i]);
    for (size_t i = 0; i < g->n && rc == 0; i++)
        for (size_t k = 0; k < g->v[i].nto; k++) {
            size_t at = lower_bound(by_id, g->n, g->v[i].to[k]);
            if (at < g->n && strcmp(by_id[at].key, g->v[i].to[k]) == 0)
                g->v[by_id[at].i].want_by++;
        }
    free(by_id);
    return rc;
}

/* Whether node d's links or count differ from what the index holds. */
static int differs(const node *d)
{
    if (d->cited_by != d->want_by)
        return 1;
    const char *p = d->cites;
    for (size_t i = 0; i < d->nto; i++) {
        size_t n = strlen(d->to[i]);
        if (strncmp(p, d->to[i], n) != 0 || (p[n] != '\0' && p[n] != CIV_FACET_SEP))
            return 1;
        p += n;
        if (*p)
            p++;
    }
    return *p != '\0';
}

/* Rewrites one document's links. */
static civ_status relink(civ_writer *w, const node *d, civ_error *err)
{
    civ_doc *doc = NULL;
    civ_status s = civ_writer_get(&doc, w, d->id, 1, err);
    if (s != CIV_OK)
        return s == CIV_ENOTFOUND ? CIV_OK : s;
    civ_doc_remove(doc, "cites");
    for (size_t i = 0; i < d->nto; i++)
        civ_doc_add_str(doc, "cites", d->to[i]);
    civ_doc_remove(doc, "cited_by");
    if (d->want_by) {
        char num[24];
        snprintf(num, sizeof num, "%lu", d->want_by);
        civ_doc_add_str(doc, "cited_by", num);
    }
    s = civ_doc_check(doc, err);
    if (s == CIV_OK)
        s = civ_writer_update(w, d->id, doc, err);
    civ_doc_free(doc);
    return s;
}

civ_status citegraph_update_set(civ_writer *const *ws, size_t nw, uint64_t *changed, civ_error *err)
{
    graph g = { 0 };
    uint64_t n = 0;
    civ_status s = CIV_OK;
    for (g.w = 0; g.w < nw && s == CIV_OK && !g.failed; g.w++)
        s = civ_writer_scan(ws[g.w], FIELDS, sizeof FIELDS / sizeof FIELDS[0], take, &g, err);
    if (s == CIV_OK && (g.failed || compute(&g) != 0))
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    for (size_t i = 0; i < g.n && s == CIV_OK; i++) {
        if (!differs(&g.v[i]))
            continue;
        s = relink(ws[g.v[i].w], &g.v[i], err);
        n++;
    }
    graph_free(&g);
    if (changed)
        *changed = n;
    return s;
}

civ_status citegraph_update(civ_writer *w, uint64_t *changed, civ_error *err)
{
    return citegraph_update_set(&w, 1, changed, err);
}

civ_status citegraph_link_shards(const char *const *paths, size_t n, civ_error *err)
{
    civ_indexdir **dirs = calloc(n ? n : 1, sizeof(civ_indexdir *));
    civ_writer **ws = calloc(n ? n : 1, sizeof(civ_writer *));
    if (!dirs || !ws) {
        free(dirs);
        free(ws);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    civ_status s = CIV_OK;
    civ_writer_opts o = CIV_WRITER_OPTS_INIT;
    o.spelling = CIV_SPELL_OFF;
    /* Each shard's current generation, written in place as an update
     * writes it, under the shard's lock. A single-file shard (compacted
     * for deployment) cannot be written: the set keeps its links within
     * shards. */
    int writable = 1;
    for (size_t i = 0; i < n && s == CIV_OK; i++) {
        s = civ_indexdir_open(&dirs[i], paths[i], err);
        if (s == CIV_OK && (!civ_indexdir_current(dirs[i]) || civ_indexdir_current_is_file(dirs[i])))
            writable = 0;
    }
    for (size_t i = 0; i < n && s == CIV_OK && writable; i++)
        s = civ_writer_open(&ws[i], civ_indexdir_current(dirs[i]), &o, err);
    if (s == CIV_OK && writable)
        s = citegraph_update_set(ws, n, NULL, err);
    /* Each shard commits its own links (a document's links live in its
     * shard, whichever shards hold the documents it cites), with its table
     * of word counts made again for that commit. */
    for (size_t i = 0; i < n && s == CIV_OK && writable; i++)
        s = civ_writer_note_counts(ws[i], err);
    for (size_t i = 0; i < n; i++)
        civ_writer_free(ws[i]);
    for (size_t i = 0; i < n; i++)
        civ_indexdir_free(dirs[i]);
    free(ws);
    free(dirs);
    return s;
}

civ_status citegraph_build(void *ctx, const char *path, civ_error *err)
{
    civ_writer *w = NULL;
    civ_writer_opts o = CIV_WRITER_OPTS_INIT;
    o.spelling = CIV_SPELL_OFF;
    run_log_phase(ctx, "linking citations");
    uint64_t changed = 0;
    civ_status s = civ_writer_open(&w, path, &o, err);
    if (s == CIV_OK)
        s = citegraph_update(w, &changed, err);
    /* The last commit before it is published: the table of word counts
     * goes with it. */
    if (s == CIV_OK)
        s = civ_writer_note_counts(w, err);
    civ_writer_free(w);
    return s;
}

civ_status citegraph_mark(civ_writer *w, const civ_run_counts *c, civ_error *err)
{
    if (!c->docs && !c->removed_docs && !c->moved && !c->changed && !c->added)
        return CIV_OK;
    return civ_writer_set_meta(w, META_GRAPH, "1", err);
}

civ_status citegraph_finish(civ_writer *w, run_log *log, civ_error *err)
{
    char *mark = NULL;
    civ_status s = civ_writer_get_meta(&mark, w, META_GRAPH, err);
    int due = mark != NULL;
    free(mark);
    if (s != CIV_OK || !due)
        return s;
    run_log_phase(log, "linking citations");
    s = citegraph_update(w, NULL, err);
    if (s == CIV_OK)
        s = civ_writer_set_meta(w, META_GRAPH, NULL, err);
    if (s == CIV_OK)
        s = civ_writer_commit(w, err);
    return s;
}
