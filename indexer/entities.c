/* The legal entities enricher: one scan of each document's title and text
 * with the extractor of civ/entities.h (docs/entities.md), whatever the
 * document's format, into the fields of docs/fields.md. */
#include "enrich.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/entities.h"
#include "civ/legal.h"

static atomic_int disabled;

/* What each thread reuses from one document to the next: the result
 * list, the tally and the scanned text (title and text). */
typedef struct scratch {
    civ_entity_list *list;
    civ_entity_tally *tally;
    civ_buf input;
} scratch;

static pthread_key_t scratch_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static int key_ok;

static void scratch_free(void *p)
{
    scratch *s = p;
    if (!s)
        return;
    civ_entity_list_free(s->list);
    civ_entity_tally_free(s->tally);
    civ_buf_free(&s->input);
    free(s);
}

static void make_key(void)
{
    key_ok = pthread_key_create(&scratch_key, scratch_free) == 0;
}

static scratch *thread_scratch(civ_error *err)
{
    pthread_once(&key_once, make_key);
    if (!key_ok) {
        civ_error_set(err, CIV_ENOMEM, "entities: no thread-local storage");
        return NULL;
    }
    scratch *s = pthread_getspecific(scratch_key);
    if (s)
        return s;
    s = calloc(1, sizeof *s);
    if (!s || civ_entity_list_new(&s->list, err) != CIV_OK ||
        civ_entity_tally_new(&s->tally, err) != CIV_OK || pthread_setspecific(scratch_key, s) != 0) {
        scratch_free(s);
        civ_error_set(err, CIV_ENOMEM, "out of memory");
        return NULL;
    }
    return s;
}

void civ_enrich_entities_set(int on)
{
    atomic_store(&disabled, !on);
}

/* A document's own case citations: the first is its citation, the others
 * its parallel cites. */
typedef struct own_cites {
    char v[CIV_ENTITY_PARALLEL_MAX * 2 + 1][CIV_TERM_MAX];
    size_t n;
} own_cites;

static void own_add(own_cites *c, const char *v, size_t len)
{
    if (c->n == sizeof c->v / sizeof c->v[0] || len >= sizeof c->v[0])
        return;
    for (size_t i = 0; i < c->n; i++)
        if (strlen(c->v[i]) == len && memcmp(c->v[i], v, len) == 0)
            return;
    memcpy(c->v[c->n], v, len);
    c->v[c->n++][len] = '\0';
}

/* The document's own citation: from its metadata ("citation" as an
 * extractor found it: <meta name="citation">, a "Citation:" header line)
 * read as a user's query would be, every case cite in it (a citation's
 * parallel cites), else what the scan found (a "Cite as" line, an
 * opinion's first page: scanned). The scan's parallel cites join the
 * metadata's when they cite the same case. The list is the document's
 * scan and is reused for the metadata's. */
static civ_status own_citation(civ_doc *doc, const civ_entities *scanner, civ_entity_list *list,
                               const own_cites *scanned, civ_error *err)
{
    const char *meta = civ_doc_get(doc, "citation");
    own_cites *c = calloc(1, sizeof *c);
    if (!c)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    civ_status s = CIV_OK;
    if (meta) {
        char copy[256];
        snprintf(copy, sizeof copy, "%s", meta);
        s = civ_entities_normalise(list, scanner, copy, strlen(copy), err);
        size_t n = 0;
        const civ_entity *es = s == CIV_OK ? civ_entity_list_items(list, &n) : NULL;
        for (size_t i = 0; i < n; i++)
            if (es[i].kind == CIV_ENTITY_CASE && !(es[i].flags & (CIV_ENTITY_FINE | CIV_ENTITY_REF)))
                own_add(c, es[i].value, es[i].value_len);
    }
    int same = c->n == 0;
    for (size_t i = 0; i < scanned->n && !same; i++)
        same = strcmp(scanned->v[i], c->v[0]) == 0;
    for (size_t i = 0; i < scanned->n && same; i++)
        own_add(c, scanned->v[i], strlen(scanned->v[i]));
    /* A citation the reporters do not know cannot be matched: dropped. */
    if (s == CIV_OK && meta)
        civ_doc_remove(doc, "citation");
    if (s == CIV_OK && c->n)
        s = civ_doc_set_str(doc, "citation", c->v[0]);
    for (size_t i = 1; i < c->n && s == CIV_OK; i++)
        s = civ_doc_add_str(doc, "parallel", c->v[i]);
    free(c);
    return s;
}

/* The document kind into "type". Letters stay letters, unless the
 * classifier is sure: a letter of a text or HTML file that it finds to be
 * FOIA correspondence (letters by nature, found only in a text naming
 * FOIA). A mail message is a letter whatever it says: an agency's
 * acknowledgement quotes the request it answers. */
static civ_status set_kind(civ_doc *doc, civ_doc_kind kind)
{
    if (kind == CIV_DOC_KIND_NONE)
        return CIV_OK;
    const char *type = civ_doc_get(doc, "type");
    int foia = kind == CIV_DOC_KIND_FOIA_REQUEST || kind == CIV_DOC_KIND_FOIA_RESPONSE;
    const char *format = civ_doc_get(doc, "format");
    int mail = civ_doc_get(doc, "message_id") ||
               (format && (strcmp(format, "mail") == 0 || strcmp(format, "mbox") == 0));
    if (type && strcmp(type, "article") != 0 && !(foia && !mail && strcmp(type, "letter") == 0))
        return CIV_OK;
    return civ_doc_set_str(doc, "type", civ_doc_kind_name(kind));
}

static civ_status add_fields(civ_doc *doc, const civ_entity_count *cs, size_t n)
{
    char fine[CIV_TERM_MAX];
    for (size_t i = 0; i < n; i++) {
        const char *field = civ_legal_field(cs[i].kind);
        if (!field)
            continue;
        if (cs[i].flags & CIV_ENTITY_FINE) {
            int k = snprintf(fine, sizeof fine, "%s:%.*s", civ_entity_kind_name(cs[i].kind),
                             (int)cs[i].value_len, cs[i].value);
            if (k > 0 && (size_t)k < sizeof fine)
                civ_doc_add(doc, "fine", fine, (size_t)k);
        } else {
            civ_doc_add(doc, field, cs[i].value, cs[i].value_len);
        }
    }
    return CIV_OK;
}

static civ_status run_entities(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
    if (atomic_load(&disabled))
        return CIV_OK;
    /* The tables are constant data, shared read-only by every worker. */
    civ_entities *scanner = NULL;
    civ_status s = civ_entities_new(&scanner, err);
    if (s != CIV_OK)
        return s;
    scratch *sc = thread_scratch(err);
    if (!sc)
        return CIV_ENOMEM;
    /* Title and text as one input: entities in the title count too. */
    size_t len;
    const char *text = civ_doc_text(doc, &len);
    const char *title = civ_doc_get(doc, "title");
    civ_buf_reset(&sc->input);
    civ_legal_input(&sc->input, title, text, len);
    if (civ_buf_failed(&sc->input))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    civ_entity_scan_opts o = CIV_ENTITY_SCAN_OPTS_INIT;
    o.title = title;
    o.title_len = title ? strlen(title) : 0;
    s = civ_entities_scan(sc->list, scanner, sc->input.data, sc->input.len, &o, err);
    if (s == CIV_OK)
        s = civ_entity_tally_count(sc->tally, sc->list, err);
    if (s != CIV_OK)
        return s;
    size_t n;
    const civ_entity_count *cs = civ_entity_tally_items(sc->tally, &n);
    add_fields(doc, cs, n);
    const civ_entity_docinfo *d = civ_entity_list_docinfo(sc->list);
    if (d->docket)
        civ_doc_add_str(doc, "docket", d->docket);
    if (d->casename)
        civ_doc_add_str(doc, "casename", d->casename);
    if (d->redactions) {
        char num[16];
        snprintf(num, sizeof num, "%u", d->redactions);
        civ_doc_set_str(doc, "redactions", num);
        civ_doc_set_str(doc, "redacted", "yes");
    }
    set_kind(doc, d->kind);
    /* Last: it scans the metadata's citation with the same list. */
    own_cites scanned = { .n = 0 };
    if (d->cite)
        own_add(&scanned, d->cite, strlen(d->cite));
    for (size_t i = 0; i < d->nparallel; i++)
        own_add(&scanned, d->parallel[i], strlen(d->parallel[i]));
    s = own_citation(doc, scanner, sc->list, &scanned, err);
    if (s != CIV_OK)
        return s;
    return civ_doc_check(doc, err);
}

const civ_enricher civ_enrich_entities = { "entities", run_entities };
