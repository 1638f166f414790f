/* Legal entities as document fields (lib/legal.c) and the citation graph
 * (indexer/citegraph.c) on a small index. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "citegraph.h"
#include "civ/db.h"
#include "civ/doc.h"
#include "civ/entities.h"
#include "civ/legal.h"
#include "civ/writer.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/civ-unit-legal.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_fields(void **state)
{
    (void)state;
    for (int k = 0; k < CIV_ENTITY_KINDS; k++) {
        const char *f = civ_legal_field((civ_entity_kind)k);
        if (k == CIV_ENTITY_REDACTION) {
            assert_null(f);
            continue;
        }
        assert_non_null(f);
        assert_int_equal(civ_legal_kind(f), k);
    }
    assert_string_equal(civ_legal_field(CIV_ENTITY_AGENCY), "agency");
    assert_int_equal(civ_legal_kind("title"), -1);
    assert_int_equal(civ_legal_kind(NULL), -1);
    assert_null(civ_legal_field((civ_entity_kind)CIV_ENTITY_KINDS));
}

static void test_input(void **state)
{
    (void)state;
    civ_buf b = CIV_BUF_INIT;
    const char *text = "\n  Memo on FBI\nThe FBI wrote.";
    civ_legal_input(&b, "Memo on FBI", text, strlen(text));
    assert_string_equal(civ_buf_str(&b), text); /* the title is the first line: once */
    civ_buf_reset(&b);
    civ_legal_input(&b, "A title", "Body.", 5);
    assert_string_equal(civ_buf_str(&b), "A title\n\nBody.");
    civ_buf_reset(&b);
    civ_legal_input(&b, NULL, "Body.", 5);
    assert_string_equal(civ_buf_str(&b), "Body.");
    civ_buf_free(&b);
}

static const civ_entity_count *find(const civ_entity_count *cs, size_t n, civ_entity_kind kind,
                                    const char *value)
{
    for (size_t i = 0; i < n; i++)
        if (cs[i].kind == kind && !(cs[i].flags & CIV_ENTITY_FINE) && cs[i].value_len == strlen(value) &&
            memcmp(cs[i].value, value, cs[i].value_len) == 0)
            return &cs[i];
    return NULL;
}

static void test_tally(void **state)
{
    (void)state;
    civ_entities *ents = NULL;
    civ_entity_list *list = NULL;
    civ_entity_tally *t = NULL;
    assert_int_equal(civ_entities_new(&ents, NULL), CIV_OK);
    assert_int_equal(civ_entity_list_new(&list, NULL), CIV_OK);
    assert_int_equal(civ_entity_tally_new(&t, NULL), CIV_OK);
    const char *text = "The FBI relied on Carpenter v. United States, 585 U.S. 296 (2018). Id. at 300. "
                       "The Federal Bureau of Investigation then cited 18 U.S.C. § 2703(d) and "
                       "18 USC 2703. [REDACTED] met [REDACTED].";
    assert_int_equal(civ_entities_scan(list, ents, text, strlen(text), NULL, NULL), CIV_OK);
    assert_int_equal(civ_entity_tally_count(t, list, NULL), CIV_OK);
    size_t n;
    const civ_entity_count *cs = civ_entity_tally_items(t, &n);
    assert_non_null(cs);
    const civ_entity_count *c = find(cs, n, CIV_ENTITY_AGENCY, "fbi");
    assert_non_null(c);
    assert_int_equal(c->count, 2);
    assert_int_equal(c->first, strstr(text, "FBI") - text);
    c = find(cs, n, CIV_ENTITY_CASE, "585-us-296");
    assert_non_null(c);
    assert_int_equal(c->count, 2); /* Id. counts with its cite, adds no case */
    c = find(cs, n, CIV_ENTITY_USC, "18/2703");
    assert_non_null(c);
    assert_int_equal(c->count, 2);
    /* The finer form is an entry of its own, flagged. */
    int fine = 0;
    for (size_t i = 0; i < n; i++) {
        assert_int_not_equal(cs[i].kind, CIV_ENTITY_REDACTION); /* counted apart */
        fine += (cs[i].flags & CIV_ENTITY_FINE) && cs[i].kind == CIV_ENTITY_USC;
    }
    assert_int_equal(fine, 1);
    assert_int_equal(civ_entity_list_docinfo(list)->redactions, 2);
    /* Distinct entries, in order of first mention. */
    for (size_t i = 1; i < n; i++)
        assert_true(cs[i - 1].first <= cs[i].first);
    /* Reused: a text without entities empties it. */
    assert_int_equal(civ_entities_scan(list, ents, "nothing here", 12, NULL, NULL), CIV_OK);
    assert_int_equal(civ_entity_tally_count(t, list, NULL), CIV_OK);
    assert_null(civ_entity_tally_items(t, &n));
    assert_int_equal(n, 0);
    civ_entity_tally_free(t);
    civ_entity_tally_free(NULL);
    civ_entity_list_free(list);
    civ_entities_free(ents);
}

/* A document of the graph: its own citation and the cases it cites. */
static void put(civ_writer *w, const char *id, const char *citation, const char *const *cases)
{
    civ_doc *d = NULL;
    assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
    civ_doc_add_str(d, "id", id);
    civ_doc_add_str(d, "title", id);
    civ_doc_add_str(d, "type", "article");
    if (citation)
        civ_doc_add_str(d, "citation", citation);
    for (size_t i = 0; cases && cases[i]; i++)
        civ_doc_add_str(d, "case", cases[i]);
    civ_doc_append_text(d, "text", 4);
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_doc_check(d, &err), CIV_OK);
    if (civ_writer_put(w, d, NULL, &err) != CIV_OK)
        fail_msg("put: %s", err.msg);
    civ_doc_free(d);
}

/* The values of field of document id, joined by ','. */
static void values(char *out, size_t n, civ_writer *w, const char *id, const char *field)
{
    civ_doc *d = NULL;
    assert_int_equal(civ_writer_get(&d, w, id, 0, NULL), CIV_OK);
    out[0] = '\0';
    size_t nv = civ_doc_nvalues(d);
    for (size_t k = 0; k < nv; k++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(d, k, &v, &len);
        if (f && strcmp(f->name, field) == 0)
            snprintf(out + strlen(out), n - strlen(out), "%s%.*s", *out ? "," : "", (int)len, v);
    }
    civ_doc_free(d);
}

/* A new writer on tmpdir/name, its path into path[n]. */
static civ_writer *open_writer(char *path, size_t n, const char *name)
{
    snprintf(path, n, "%s/%s", tmpdir, name);
    civ_writer *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_writer_open(&w, path, NULL, &err) != CIV_OK)
        fail_msg("open: %s", err.msg);
    return w;
}

static void test_citegraph(void **state)
{
    (void)state;
    char path[300], got[256];
    civ_writer *w = open_writer(path, sizeof path, "graph");
    civ_error err = CIV_ERROR_INIT;
    static const char *const cites_carp[] = { "585-us-296", "138-sct-2206", NULL };
    static const char *const cites_both[] = { "573-us-373", "585-us-296", NULL };
    static const char *const cites_none[] = { "1-us-1", NULL };
    put(w, "carpenter", "585-us-296", NULL);
    put(w, "riley", "573-us-373", cites_carp); /* a cited case citing another */
    put(w, "brief", NULL, cites_both);
    put(w, "memo", NULL, cites_none);
    put(w, "plain", NULL, NULL);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);

    uint64_t changed = 0;
    assert_int_equal(citegraph_update(w, &changed, &err), CIV_OK);
    assert_int_equal(changed, 3); /* carpenter, riley, brief */
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    values(got, sizeof got, w, "brief", "cites");
    assert_string_equal(got, "carpenter,riley");
    values(got, sizeof got, w, "riley", "cites");
    assert_string_equal(got, "carpenter");
    values(got, sizeof got, w, "carpenter", "cited_by");
    assert_string_equal(got, "2");
    values(got, sizeof got, w, "riley", "cited_by");
    assert_string_equal(got, "1");
    values(got, sizeof got, w, "memo", "cites");
    assert_string_equal(got, "");
    values(got, sizeof got, w, "carpenter", "cites");
    assert_string_equal(got, "");

    /* Nothing changed: nothing rewritten. */
    assert_int_equal(citegraph_update(w, &changed, &err), CIV_OK);
    assert_int_equal(changed, 0);

    /* A citing document removed, another added: the counts follow. */
    assert_int_equal(civ_writer_delete(w, "brief", NULL), CIV_OK);
    put(w, "press", NULL, (const char *const[]){ "585-us-296", NULL });
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    assert_int_equal(citegraph_update(w, &changed, &err), CIV_OK);
    assert_int_equal(changed, 2); /* riley (cited by none now), press */
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    values(got, sizeof got, w, "carpenter", "cited_by");
    assert_string_equal(got, "2");
    values(got, sizeof got, w, "riley", "cited_by");
    assert_string_equal(got, "");
    values(got, sizeof got, w, "press", "cites");
    assert_string_equal(got, "carpenter");

    /* The cited case gone: the links to it go too. */
    assert_int_equal(civ_writer_delete(w, "carpenter", NULL), CIV_OK);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    assert_int_equal(citegraph_update(w, &changed, &err), CIV_OK);
    assert_int_equal(changed, 2);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    values(got, sizeof got, w, "press", "cites");
    assert_string_equal(got, "");
    values(got, sizeof got, w, "riley", "cites");
    assert_string_equal(got, "");
    civ_writer_free(w);
}

/* A document holding the entity values vals ("field", "value", ...). */
static void put_values(civ_writer *w, const char *id, const char *const *vals)
{
    civ_doc *d = NULL;
    assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
    civ_doc_add_str(d, "id", id);
    civ_doc_add_str(d, "title", id);
    civ_doc_add_str(d, "type", "article");
    for (size_t i = 0; vals[i]; i += 2)
        civ_doc_add_str(d, vals[i], vals[i + 1]);
    civ_doc_append_text(d, "text", 4);
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_doc_check(d, &err), CIV_OK);
    if (civ_writer_put(w, d, NULL, &err) != CIV_OK)
        fail_msg("put: %s", err.msg);
    civ_doc_free(d);
}

/* A case known by several parallel cites is cited by a document citing
 * any of them, once however many it cites. */
static void test_citegraph_parallel(void **state)
{
    (void)state;
    char path[300], got[256];
    civ_writer *w = open_writer(path, sizeof path, "parallel");
    civ_error err = CIV_ERROR_INIT;
    put_values(w, "riley", (const char *const[]){ "citation", "573-us-373", "parallel", "134-sct-2473",
                                                  "parallel", "189-led2d-430", NULL });
    put_values(w, "sct", (const char *const[]){ "case", "134-sct-2473", NULL });
    put_values(w, "led", (const char *const[]){ "case", "189-led2d-430", NULL });
    put_values(w, "both", (const char *const[]){ "case", "573-us-373", "case", "134-sct-2473", NULL });
    put_values(w, "other", (const char *const[]){ "case", "1-us-1", NULL });
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    uint64_t changed = 0;
    assert_int_equal(citegraph_update(w, &changed, &err), CIV_OK);
    assert_int_equal(changed, 4); /* riley, sct, led, both */
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    values(got, sizeof got, w, "riley", "cited_by");
    assert_string_equal(got, "3");
    values(got, sizeof got, w, "both", "cites");
    assert_string_equal(got, "riley");
    values(got, sizeof got, w, "led", "cites");
    assert_string_equal(got, "riley");
    values(got, sizeof got, w, "other", "cites");
    assert_string_equal(got, "");
    assert_int_equal(citegraph_update(w, &changed, &err), CIV_OK);
    assert_int_equal(changed, 0);
    civ_writer_free(w);
}

/* The ids query q finds, sorted, joined by ','. */
static void found(char *out, size_t n, civ_db *db, const char *q)
{
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = q;
    o.limit = 20;
    civ_results *r = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_search(&r, db, &o, &err) != CIV_OK)
        fail_msg("query %s: %s", q, err.msg);
    const char *ids[20];
    size_t k = 0;
    for (const civ_hit *h; k < 20 && (h = civ_results_hit(r, k)); k++)
        ids[k] = civ_doc_get(h->doc, "id");
    for (size_t i = 1; i < k; i++)
        for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            const char *t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    out[0] = '\0';
    for (size_t i = 0; i < k; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", ids[i]);
    civ_results_free(r);
}

/* Every entity field's canonical form, typed as it is, finds the
 * documents holding it, and only those: "act:fisa/702" is FISA's section
 * 702, which the extractor alone would read as FISA (and find the
 * document naming FISA only). */
static void test_canonical_queries(void **state)
{
    (void)state;
    char path[300], got[256];
    civ_writer *w = open_writer(path, sizeof path, "canonical");
    civ_error err = CIV_ERROR_INIT;
    static const char *const sec[] = {
        "act", "fisa/702", "act", "ina/236", "act", "title-vii/703", "usc", "42/2000e-2",
        "cfr", "28/16.1", "publaw", "107-56", "case", "585-us-296", "amendment", "4",
        "exemption", "b7c", "agency", "fbi", "clause", "equal-protection",
        "body", "washington-county-sheriff", "court", "9th-cir", "docket", "2:23-cr-00417",
        "fine", "usc:18/2703/d", "usc", "18/2703", NULL
    };
    static const char *const whole[] = { "act", "fisa", "act", "ina", "act", "title-vii", "usc", "42/2000e",
                                         "cfr", "28/16", "publaw", "107-5", "case", "585-us-29",
                                         "amendment", "1", "exemption", "b7", "agency", "cia",
                                         "clause", "due-process", "court", "4th-cir", "docket", "20-1234",
                                         NULL };
    put_values(w, "sec", sec);
    put_values(w, "whole", whole);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    civ_writer_free(w);
    civ_db *db = NULL;
    if (civ_db_open(&db, path, &err) != CIV_OK)
        fail_msg("db: %s", err.msg);
    static const char *const only_sec[] = {
        "act:fisa/702", "act:ina/236", "act:title-vii/703", "usc:42/2000e-2", "cfr:28/16.1",
        "publaw:107-56", "case:585-us-296", "amendment:4", "exemption:b7c", "agency:fbi",
        "clause:equal-protection", "body:washington-county-sheriff", "court:9th-cir",
        "docket:\"2:23-cr-00417\"", "usc:18/2703/d", "usc:18/2703",
        "cite:fisa/702", "cite:ina/236", "cite:\"Section 702 of FISA\"", "cite:42/2000e-2",
        "cite:28/16.1", "cite:107-56", "cite:585-us-296", NULL
    };
    for (size_t i = 0; only_sec[i]; i++) {
        found(got, sizeof got, db, only_sec[i]);
        if (strcmp(got, "sec") != 0)
            fail_msg("%s found \"%s\", wanted sec", only_sec[i], got);
    }
    static const char *const only_whole[] = { "act:fisa", "act:ina", "act:title-vii", "usc:42/2000e",
                                              "cfr:28/16", "case:585-us-29", "amendment:1",
                                              "agency:cia", "court:4th-cir", "docket:20-1234",
                                              "cite:fisa", NULL };
    for (size_t i = 0; only_whole[i]; i++) {
        found(got, sizeof got, db, only_whole[i]);
        if (strcmp(got, "whole") != 0)
            fail_msg("%s found \"%s\", wanted whole", only_whole[i], got);
    }
    found(got, sizeof got, db, "exemption:b7"); /* 7 holds 7(A) to 7(F) */
    assert_string_equal(got, "sec,whole");
    civ_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_input),
        cmocka_unit_test(test_tally),
        cmocka_unit_test(test_citegraph),
        cmocka_unit_test(test_citegraph_parallel),
        cmocka_unit_test(test_canonical_queries),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
