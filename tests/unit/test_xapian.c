/* Unit tests: the Xapian layer (lib/xapian/) through its C interface. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "civ/db.h"
#include "civ/query.h"
#include "civ/writer.h"


/* A hit's snippet with its spans marked <b>…</b> (the form the page and
 * JSON give it). Valid until the next call. */
static const char *marked(const civ_hit *h)
{
    static char out[4096];
    size_t n = 0, at = 0;
    for (size_t k = 0; k <= h->nspans; k++) {
        size_t end = k < h->nspans ? h->spans[k].start : strlen(h->snippet);
        n += (size_t)snprintf(out + n, sizeof out - n, "%.*s", (int)(end - at), h->snippet + at);
        if (k < h->nspans) {
            n += (size_t)snprintf(out + n, sizeof out - n, "<b>%.*s</b>", (int)h->spans[k].len,
                                  h->snippet + h->spans[k].start);
            at = h->spans[k].start + h->spans[k].len;
        }
        if (n >= sizeof out)
            break;
    }
    return out;
}

static char tmpdir[256];

static void rm_rf(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", path);
}

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/civ-unit-xapian.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rm_rf(tmpdir);
    return 0;
}

static void path_in_tmp(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", tmpdir, name);
}

static civ_doc *make_doc(const char *id, const char *title, const char *date, const char *type,
                         const char *author, const char *text)
{
    civ_doc *d = NULL;
    assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
    civ_doc_add_str(d, "id", id);
    civ_doc_add_str(d, "file", id);
    if (title)
        civ_doc_add_str(d, "title", title);
    if (date) {
        civ_doc_add_str(d, "date", date);
        char y[5];
        memcpy(y, date, 4);
        y[4] = 0;
        civ_doc_add_str(d, "year", y);
    }
    civ_doc_add_str(d, "type", type ? type : "article");
    civ_doc_add_str(d, "lang", "en");
    if (author)
        civ_doc_add_str(d, "author", author);
    if (text)
        civ_doc_append_text(d, text, strlen(text));
    assert_int_equal(civ_doc_check(d, NULL), CIV_OK);
    return d;
}

static void put(civ_writer *w, civ_doc *d)
{
    civ_error err = CIV_ERROR_INIT;
    if (civ_writer_put(w, d, NULL, &err) != CIV_OK)
        fail_msg("put: %s", err.msg);
    civ_doc_free(d);
}

/* A small index used by several tests. stemming is NULL (the default for
 * new indexes) or a value of "civ:stemming" to build it with instead. */
static void build_index_with(const char *path, const char *stemming)
{
    civ_writer *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (stemming) {
        /* The strategy is read when a writer opens an index. */
        if (civ_writer_open(&w, path, NULL, &err) != CIV_OK)
            fail_msg("open: %s", err.msg);
        assert_int_equal(civ_writer_set_meta(w, "civ:stemming", stemming, NULL), CIV_OK);
        assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
        civ_writer_free(w);
    }
    if (civ_writer_open(&w, path, NULL, &err) != CIV_OK)
        fail_msg("open: %s", err.msg);
    put(w, make_doc("a.txt", "Drones over protests", "2019-05-03", "article", "Jane Doe",
                    "The police flew drones over peaceful protests in the city. Surveillance grew."));
    put(w, make_doc("b.html", "Warrantless phone searches", "2018-06-12", "article", "John Roe",
                    "The court held that warrantless searches of phones at the border violate the Fourth Amendment."));
    put(w, make_doc("c.txt", "Open letter on facial recognition", "2020-01-15", "letter", "Ada Lane",
                    "We write to urge a moratorium on facial recognition surveillance by police."));
    put(w, make_doc("d.xml", "Library privacy", "2015-09-30", "article", NULL,
                    "Library records deserve privacy; patrons read without being watched."));
    if (civ_writer_flush(w, &err) != CIV_OK || civ_writer_commit(w, &err) != CIV_OK)
        fail_msg("commit: %s", err.msg);
    civ_writer_free(w);
}

static void build_index(const char *path)
{
    build_index_with(path, NULL);
}

static civ_results *search(civ_db *db, const char *q, civ_status want)
{
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = q;
    civ_results *r = NULL;
    civ_error err = CIV_ERROR_INIT;
    civ_status s = civ_search(&r, db, &o, &err);
    if (s != want)
        fail_msg("query \"%s\": status %s (%s), wanted %s", q, civ_status_name(s), err.msg,
                 civ_status_name(want));
    if (s != CIV_OK) {
        assert_non_null(strlen(err.msg) ? err.msg : NULL);
        assert_null(strchr(err.msg, '\n'));
    }
    return r;
}

static const char *first_id(const civ_results *r)
{
    const civ_hit *h = civ_results_hit(r, 0);
    return h ? civ_doc_get(h->doc, "id") : "(none)";
}

static void test_missing_index(void **state)
{
    (void)state;
    civ_db *db = NULL;
    civ_error err = CIV_ERROR_INIT;
    char p[300];
    path_in_tmp(p, sizeof p, "does-not-exist");
    assert_int_equal(civ_db_open(&db, p, &err), CIV_ENOTFOUND);
    assert_null(db);
    assert_int_equal(err.code, CIV_ENOTFOUND);
    /* An empty directory is not an index either. */
    path_in_tmp(p, sizeof p, "empty-dir");
    mkdir(p, 0755);
    civ_error_clear(&err);
    civ_status s = civ_db_open(&db, p, &err);
    assert_true(s == CIV_ENOTFOUND || s == CIV_ECORRUPT);
    assert_null(db);
}

static void test_locked(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "locked");
    civ_writer *w1 = NULL, *w2 = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_writer_open(&w1, p, NULL, &err), CIV_OK);
    assert_int_equal(civ_writer_open(&w2, p, NULL, &err), CIV_ELOCKED);
    assert_null(w2);
    assert_non_null(strstr(err.msg, "locked"));
    civ_writer_free(w1);
    /* Once released, a new writer gets it. */
    assert_int_equal(civ_writer_open(&w2, p, NULL, &err), CIV_OK);
    civ_writer_free(w2);
}

static void test_null_arguments(void **state)
{
    (void)state;
    civ_error err = CIV_ERROR_INIT;
    civ_db *db = NULL;
    civ_results *r = NULL;
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    assert_int_equal(civ_db_open(NULL, "x", &err), CIV_EINVAL);
    assert_int_equal(civ_db_open(&db, NULL, &err), CIV_EINVAL);
    assert_int_equal(civ_search(&r, NULL, &o, &err), CIV_EINVAL);
    assert_int_equal(civ_writer_open(NULL, "x", NULL, &err), CIV_EINVAL);
    assert_int_equal(civ_writer_put(NULL, NULL, NULL, &err), CIV_EINVAL);
    assert_int_equal(civ_writer_commit(NULL, NULL), CIV_EINVAL);
    assert_int_equal(civ_db_get(NULL, NULL, NULL, 0, NULL), CIV_EINVAL);
    /* Every free accepts NULL. */
    civ_db_free(NULL);
    civ_writer_free(NULL);
    civ_results_free(NULL);
    civ_stats_free(NULL);
    civ_doc_free(NULL);
    assert_int_equal(civ_results_size(NULL), 0);
    assert_null(civ_results_hit(NULL, 0));
}

static void test_malformed_queries(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "queries");
    build_index(p);
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    const char *bad[] = { "AND", "((((", "drones AND", "OR protests", "\xff\xfe drones",
                          "drones (protests", "drones ) x", "NOT", "", "   ", "a AND OR b",
                          "date:2019..2018", "date:soon..later", "()", NULL };
    for (size_t i = 0; bad[i]; i++)
        civ_results_free(search(db, bad[i], CIV_EQUERY));
    /* Long queries are refused with a clear message. */
    char longq[CIV_QUERY_MAX + 100];
    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    civ_results_free(search(db, longq, CIV_EQUERY));
    /* And ordinary ones work. */
    civ_results *r = search(db, "drones", CIV_OK);
    assert_int_equal(civ_results_size(r), 1);
    assert_string_equal(first_id(r), "a.txt");
    civ_results_free(r);
    civ_db_free(db);
}

static void test_replace_by_id(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "replace");
    civ_writer *w = NULL;
    assert_int_equal(civ_writer_open(&w, p, NULL, NULL), CIV_OK);
    put(w, make_doc("x.txt", "First version", NULL, NULL, NULL, "alpha bravo"));
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    put(w, make_doc("x.txt", "Second version", NULL, NULL, NULL, "charlie delta"));
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    assert_int_equal(civ_writer_doc_count(w), 1);
    civ_writer_free(w);
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    assert_int_equal(civ_db_doc_count(db), 1);
    civ_results *r = search(db, "alpha", CIV_OK);
    assert_int_equal(civ_results_size(r), 0);
    civ_results_free(r);
    r = search(db, "charlie", CIV_OK);
    assert_int_equal(civ_results_size(r), 1);
    assert_string_equal(civ_doc_get(civ_results_hit(r, 0)->doc, "title"), "Second version");
    civ_results_free(r);
    civ_db_free(db);
}

static void test_uncommitted_is_discarded(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "discard");
    civ_writer *w = NULL;
    assert_int_equal(civ_writer_open(&w, p, NULL, NULL), CIV_OK);
    put(w, make_doc("kept.txt", "Kept", NULL, NULL, NULL, "kept words"));
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    put(w, make_doc("lost.txt", "Lost", NULL, NULL, NULL, "lost words"));
    civ_writer_free(w); /* no commit */
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    assert_int_equal(civ_db_doc_count(db), 1);
    civ_db_free(db);
}

/* A reader whose generation is replaced by a rebuild with another
 * stemming strategy follows the new one: searches that only the new
 * strategy answers find their document after civ_db_reopen(). */
static void test_reopen_after_rebuild(void **state)
{
    (void)state;
    char dir[300], gen1[320], gen2[320], stub[320];
    path_in_tmp(dir, sizeof dir, "generations");
    assert_int_equal(mkdir(dir, 0755), 0);
    snprintf(gen1, sizeof gen1, "%s/db.1", dir);
    snprintf(gen2, sizeof gen2, "%s/db.2", dir);
    snprintf(stub, sizeof stub, "%s/XAPIANDB", dir);
    build_index_with(gen1, "some");
    FILE *f = fopen(stub, "w");
    assert_non_null(f);
    fputs("auto db.1\n", f);
    fclose(f);
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, dir, NULL), CIV_OK);
    civ_results *r = search(db, "\"facial recognitions\"", CIV_OK);
    assert_int_equal(civ_results_size(r), 0); /* exact forms in a "some" index */
    civ_results_free(r);
    /* civindex's way: a new generation, the stub switched, the old one gone. */
    build_index_with(gen2, NULL);
    f = fopen(stub, "w");
    assert_non_null(f);
    fputs("auto db.2\n", f);
    fclose(f);
    rm_rf(gen1);
    int changed = 0;
    assert_int_equal(civ_db_reopen(db, &changed, NULL), CIV_OK);
    assert_int_equal(changed, 1);
    r = search(db, "\"facial recognitions\"", CIV_OK);
    assert_int_equal(civ_results_size(r), 1);
    civ_results_free(r);
    civ_db_free(db);
}

/* Suggestion for q in the index at path ("" when none). */
static void expect_suggestion(const char *path, const char *q, const char *want)
{
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, path, NULL), CIV_OK);
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = q;
    o.spelling = 1;
    civ_results *r = NULL;
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    const char *got = civ_results_suggestion(r);
    if (strcmp(got ? got : "", want) != 0)
        fail_msg("suggestion for \"%s\": \"%s\", wanted \"%s\"", q, got ? got : "", want);
    civ_results_free(r);
    civ_db_free(db);
}

/* Suggestions come for words the dictionary has seldom or never seen
 * (a typing error the collection itself holds once included), not for
 * words it often has. */
static void test_suggestions_for_rare_words(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "rare-words");
    civ_writer *w = NULL;
    assert_int_equal(civ_writer_open(&w, p, NULL, NULL), CIV_OK);
    put(w, make_doc("1.txt", "Privacy one", NULL, NULL, NULL, "privacy of readers matters"));
    put(w, make_doc("2.txt", "Privacy two", NULL, NULL, NULL, "privacy of the press"));
    put(w, make_doc("3.txt", "Privacy three", NULL, NULL, NULL, "privacy of library records"));
    put(w, make_doc("4.txt", "Notes", NULL, NULL, NULL, "a privasy typo in a memo"));
    put(w, make_doc("5.txt", "Notes", NULL, NULL, NULL, "said off the record"));
    assert_int_equal(civ_writer_flush(w, NULL), CIV_OK);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    civ_writer_free(w);
    expect_suggestion(p, "privasy", "privacy");   /* in the dictionary once */
    expect_suggestion(p, "privecy", "privacy");   /* not at all */
    expect_suggestion(p, "privacy", "");          /* often: spelt right */
    expect_suggestion(p, "privacy recrods", "privacy records");
    /* Two-letter words are in the dictionary: a correction elsewhere in
     * the query leaves a common one alone ("of" once became "off", the
     * nearest word the dictionary had). */
    expect_suggestion(p, "privacy of library recrods", "privacy of library records");
}

/* A shard at path holding doc, its spelling counts moved to counts. */
static void count_shard(const char *path, const civ_writer_opts *wo, civ_spelling *counts,
                        civ_doc *doc)
{
    civ_writer *w = NULL;
    assert_int_equal(civ_writer_open(&w, path, wo, NULL), CIV_OK);
    put(w, doc);
    assert_int_equal(civ_writer_take_spelling(counts, w, NULL), CIV_OK);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    civ_writer_free(w);
}

/* Shards that only count words (CIV_SPELL_COUNT) hand their counts over;
 * one dictionary is written once and merged with the shards. */
static void test_spelling_from_shards(void **state)
{
    (void)state;
    char a[300], b[300], sp[300], merged[300];
    path_in_tmp(a, sizeof a, "shard-a");
    path_in_tmp(b, sizeof b, "shard-b");
    path_in_tmp(sp, sizeof sp, "shard-spelling");
    path_in_tmp(merged, sizeof merged, "shard-merged");
    civ_writer_opts wo = CIV_WRITER_OPTS_INIT;
    wo.spelling = CIV_SPELL_COUNT;
    civ_spelling *counts = NULL;
    assert_int_equal(civ_spelling_new(&counts, NULL), CIV_OK);
    assert_int_equal(civ_spelling_pending(counts), 0);
    count_shard(a, &wo, counts, make_doc("a.txt", "Surveillance cameras", NULL, NULL, NULL,
                                         "Municipal surveillance expanded; surveillance cameras watch the square."));
    count_shard(b, &wo, counts, make_doc("b.txt", "Encryption matters", NULL, NULL, NULL,
                                         "Journalists rely on encryption; encryption protects sources."));
    /* "surveillance", "cameras", "encryption", "municipal", ... */
    assert_true(civ_spelling_pending(counts) >= 8);
    /* The shards hold no dictionary of their own. */
    expect_suggestion(a, "survelance", "");
    civ_writer *sw = NULL;
    assert_int_equal(civ_writer_open(&sw, sp, &wo, NULL), CIV_OK);
    /* Not final: words seen once wait, the others are added. */
    assert_int_equal(civ_writer_add_spelling(sw, counts, 2, NULL), CIV_OK);
    assert_true(civ_spelling_pending(counts) > 0);
    assert_int_equal(civ_writer_add_spelling(sw, counts, 1, NULL), CIV_OK);
    assert_int_equal(civ_spelling_pending(counts), 0);
    assert_int_equal(civ_writer_commit(sw, NULL), CIV_OK);
    civ_writer_free(sw);
    const char *srcs[] = { a, b, sp };
    assert_int_equal(civ_compact(merged, srcs, 3, 0, NULL), CIV_OK);
    expect_suggestion(merged, "survelance", "surveillance");
    /* Seen once, in a small collection: kept at the final addition. */
    expect_suggestion(merged, "municipl", "municipal");
    expect_suggestion(merged, "encryptoin", "encryption");
    civ_spelling_free(counts);
    civ_spelling_free(NULL);
    assert_int_equal(civ_writer_take_spelling(NULL, NULL, NULL), CIV_EINVAL);
    assert_int_equal(civ_writer_add_spelling(NULL, NULL, 0, NULL), CIV_EINVAL);
}

/* The query language over an index of each stemming strategy: "all" (new
 * indexes) and "some" (indexes made by earlier versions). */
static void query_language(const char *name, const char *stemming)
{
    char p[300];
    path_in_tmp(p, sizeof p, name);
    build_index_with(p, stemming);
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    struct { const char *q; size_t n; const char *first; } cases[] = {
        { "drones", 1, "a.txt" },
        { "drone", 1, "a.txt" },                 /* stemming */
        { "police surveillance", 2, NULL },      /* AND: both words */
        { "drones OR library", 2, NULL },
        { "surveillance NOT drones", 1, "c.txt" },
        { "surveillance -drones", 1, "c.txt" },
        { "\"facial recognition\"", 1, "c.txt" },
        { "\"recognition facial\"", 0, NULL },   /* phrase order matters */
        { "police NEAR/3 drones", 1, "a.txt" },
        { "surveil*", 2, NULL },
        { "title:privacy", 1, "d.xml" },
        { "title:police", 0, NULL },             /* police is not in a title */
        { "author:roe", 1, "b.html" },
        { "type:letter", 1, "c.txt" },
        { "type:LETTER", 1, "c.txt" },
        { "* type:article", 3, NULL },
        { "*", 4, NULL },
        { "* date:2018..2019", 2, NULL },
        { "* date:2018-06-01..2018-06-30", 1, "b.html" },
        { "* date:2019..", 2, NULL },
        { "* date:..2015", 1, "d.xml" },
        { "date:2020", 1, "c.txt" },
        { "surveillance date:2020", 1, "c.txt" },
        { "lang:en police", 2, NULL },
        { "id:b.html", 1, "b.html" },
        { "year:2015", 1, "d.xml" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        civ_results *r = search(db, cases[i].q, CIV_OK);
        if (civ_results_total(r, NULL) != cases[i].n)
            fail_msg("\"%s\": %llu results, wanted %zu", cases[i].q,
                     (unsigned long long)civ_results_total(r, NULL), cases[i].n);
        if (cases[i].first && strcmp(first_id(r), cases[i].first) != 0)
            fail_msg("\"%s\": first %s, wanted %s", cases[i].q, first_id(r), cases[i].first);
        civ_results_free(r);
    }
    /* The default can be OR. */
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = "drones library";
    o.default_or = 1;
    civ_results *r = NULL;
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    assert_int_equal(civ_results_total(r, NULL), 2);
    civ_results_free(r);
    /* Snippets highlight inflected forms and whole phrases. */
    r = search(db, "protest", CIV_OK);
    assert_non_null(strstr(marked(civ_results_hit(r, 0)), "<b>protests</b>"));
    civ_results_free(r);
    r = search(db, "\"facial recognitions\"", CIV_OK);
    if (stemming && strcmp(stemming, "some") == 0) {
        /* Exact forms: the plural is not in the text. */
        assert_int_equal(civ_results_size(r), 0);
    } else {
        assert_int_equal(civ_results_size(r), 1);
        assert_non_null(strstr(marked(civ_results_hit(r, 0)), "<b>facial recognition</b>"));
    }
    civ_results_free(r);
    civ_db_free(db);
}

static void test_query_language(void **state)
{
    (void)state;
    query_language("language-all", NULL);
    query_language("language-some", "some");
}

static void test_sort_filters_facets(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "facets");
    build_index(p);
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = "*";
    o.sort = CIV_SORT_DATE_DESC;
    o.facet_values = 10;
    civ_results *r = NULL;
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    assert_int_equal(civ_results_size(r), 4);
    assert_string_equal(first_id(r), "c.txt");
    assert_string_equal(civ_doc_get(civ_results_hit(r, 3)->doc, "id"), "d.xml");
    size_t nf;
    const civ_facet *f = civ_results_facets(r, &nf);
    int saw_type = 0;
    for (size_t i = 0; i < nf; i++) {
        if (strcmp(f[i].field, "type") == 0) {
            saw_type = 1;
            assert_string_equal(f[i].values[0].value, "article");
            assert_int_equal(f[i].values[0].count, 3);
        }
    }
    assert_true(saw_type);
    civ_results_free(r);
    /* Facet filters: same field ORed, fields ANDed. */
    const char *filters[] = { "type:article", "year:2019", "year:2015" };
    o.filters = filters;
    o.nfilters = 3;
    o.facet_values = 0;
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    assert_int_equal(civ_results_total(r, NULL), 2);
    civ_results_free(r);
    const char *byauthor[] = { "author:Jane Doe" };
    o.filters = byauthor;
    o.nfilters = 1;
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    assert_int_equal(civ_results_total(r, NULL), 1);
    assert_string_equal(first_id(r), "a.txt");
    civ_results_free(r);
    /* Date bounds as options. */
    o.nfilters = 0;
    o.date_from = "2018";
    o.date_until = "2019-12-31";
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    assert_int_equal(civ_results_total(r, NULL), 2);
    civ_results_free(r);
    civ_db_free(db);
}

static void test_snippets_and_get(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "snippets");
    build_index(p);
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    civ_results *r = search(db, "warrantless", CIV_OK);
    assert_int_equal(civ_results_size(r), 1);
    const char *snip = marked(civ_results_hit(r, 0));
    assert_non_null(strstr(snip, "<b>warrantless</b>"));
    civ_results_free(r);
    civ_doc *d = NULL;
    assert_int_equal(civ_db_get(&d, db, "b.html", 1, NULL), CIV_OK);
    assert_string_equal(civ_doc_get(d, "title"), "Warrantless phone searches");
    size_t len;
    assert_non_null(strstr(civ_doc_text(d, &len), "Fourth Amendment"));
    civ_doc_free(d);
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_db_get(&d, db, "nope", 1, &err), CIV_ENOTFOUND);
    /* Similar documents exclude the document itself. */
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.like = "c.txt";
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    for (size_t i = 0; i < civ_results_size(r); i++)
        assert_string_not_equal(civ_doc_get(civ_results_hit(r, i)->doc, "id"), "c.txt");
    assert_true(civ_results_size(r) >= 1);
    /* The document it started from, for the page's heading. */
    assert_non_null(civ_results_like(r));
    assert_string_equal(civ_doc_get(civ_results_like(r), "title"), "Open letter on facial recognition");
    civ_results_free(r);
    r = search(db, "police", CIV_OK);
    assert_null(civ_results_like(r));
    civ_results_free(r);
    o.like = "missing-id";
    assert_int_equal(civ_search(&r, db, &o, &err), CIV_ENOTFOUND);
    civ_stats *st = NULL;
    assert_int_equal(civ_db_stats(&st, db, p, NULL), CIV_OK);
    assert_int_equal(st->documents, 4);
    assert_true(st->terms > 20);
    assert_true(st->disk_bytes > 0);
    assert_true(st->updated > 0);
    assert_int_equal(st->ntypes, 2);
    civ_stats_free(st);
    civ_db_free(db);
}

/* Paragraphs of `words` words each of neutral filler, `topic` put in
 * every `every`-th paragraph (at its fifth word) `times` times. */
static char *filler_text(unsigned paras, unsigned words, const char *topic, unsigned every,
                         unsigned times)
{
    static const char *const w[] = { "the", "committee", "met", "on", "tuesday", "and", "read",
                                     "minutes", "of", "a", "long", "session", "about", "roads",
                                     "budget", "river", "bridge", "weather" };
    size_t cap = (size_t)paras * words * 16 + 64, n = 0;
    char *t = malloc(cap);
    assert_non_null(t);
    unsigned r = 7;
    for (unsigned p = 0; p < paras; p++) {
        for (unsigned k = 0; k < words; k++) {
            r = r * 1103515245u + 12345u;
            const char *x = w[(r >> 16) % (sizeof w / sizeof *w)];
            if (topic && p % every == 0 && k >= 4 && k < 4 + times)
                x = topic;
            n += (size_t)snprintf(t + n, cap - n, "%s%s", k ? " " : "", x);
        }
        n += (size_t)snprintf(t + n, cap - n, ".\n\n");
    }
    return t;
}

/* The cited-by prior (CIV_SLOT_CITED_BY): lifts a landmark above its
 * uncited twin, by a share of its weight, and does not bury an uncited
 * document that is more about the query; without a citation graph it is
 * nothing. */
static void test_cited_by_prior(void **state)
{
    (void)state;
    char p[300], q[300];
    path_in_tmp(p, sizeof p, "cited");
    path_in_tmp(q, sizeof q, "uncited");
    for (int graph = 1; graph >= 0; graph--) {
        civ_writer *w = NULL;
        assert_int_equal(civ_writer_open(&w, graph ? p : q, NULL, NULL), CIV_OK);
        char *once = filler_text(1, 120, "miranda", 1, 1);
        char *more = filler_text(1, 120, "miranda", 1, 4);
        civ_doc *d = make_doc("landmark.txt", "Case summary", NULL, NULL, NULL, once);
        if (graph)
            civ_doc_add_str(d, "cited_by", "100");
        put(w, d);
        put(w, make_doc("recent.txt", "Case summary", NULL, NULL, NULL, once));
        put(w, make_doc("about.txt", "Case summary", NULL, NULL, NULL, more));
        d = make_doc("other.txt", "Another summary", NULL, NULL, NULL, "nothing to do with it");
        if (graph)
            civ_doc_add_str(d, "cited_by", "3");
        put(w, d);
        free(once);
        free(more);
        assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
        civ_writer_free(w);
    }
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    civ_results *r = search(db, "miranda", CIV_OK);
    assert_int_equal(civ_results_size(r), 3);
    /* More about it, uncited, stays first; the landmark passes its twin. */
    assert_string_equal(first_id(r), "about.txt");
    const civ_hit *l = civ_results_hit(r, 1), *t = civ_results_hit(r, 2);
    assert_string_equal(civ_doc_get(l->doc, "id"), "landmark.txt");
    assert_string_equal(civ_doc_get(t->doc, "id"), "recent.txt");
    assert_int_equal(l->cited_by, 100);
    /* A share of its weight: 3% x log(1 + 100), about 14%. */
    double share = l->prior / (l->score - l->prior);
    assert_true(share > 0.1384 && share < 0.1385);
    assert_true(l->score - l->prior < t->score + 1e-9 && l->score - l->prior > t->score - 1e-9);
    assert_int_equal(t->cited_by, 0);
    assert_true(t->prior == 0 && t->score == t->text_score);
    civ_results_free(r);
    civ_db_free(db);

    /* No citation graph: the same texts score as plain BM25. */
    assert_int_equal(civ_db_open(&db, q, NULL), CIV_OK);
    r = search(db, "miranda", CIV_OK);
    assert_int_equal(civ_results_size(r), 3);
    for (size_t i = 0; i < 3; i++) {
        const civ_hit *h = civ_results_hit(r, i);
        assert_true(h->prior == 0 && h->cited_by == 0 && h->score == h->text_score);
    }
    assert_string_equal(first_id(r), "about.txt");
    civ_results_free(r);
    civ_db_free(db);
}

/* Passages: a short document about a thing ranks above a long one that
 * names it in passing, a long one whose one passage is about it still
 * ranks first, and the hit says which passage and how it was weighed. */
static void test_passage_ranking(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "passages");
    civ_writer *w = NULL;
    assert_int_equal(civ_writer_open(&w, p, NULL, NULL), CIV_OK);
    /* 60 paragraphs of 150 words: passages of two paragraphs each. */
    char *passing = filler_text(60, 150, "habeas", 1, 2);
    char *summary = filler_text(2, 150, "habeas", 1, 5);
    char *dense = filler_text(60, 150, NULL, 1, 0);
    /* Paragraph 31 (passage 16) of this one is about "certiorari". */
    char *at = dense;
    for (int k = 0; k < 31; k++)
        at = strstr(at, "\n\n") + 2;
    for (int k = 0; k < 12; k++) {
        at = strchr(at, ' ') + 1;
        char *end = strchr(at, ' ');
        size_t n = (size_t)(end - at);
        if (n >= 3) {
            memset(at, ' ', n);
            memcpy(at, "cert", 4 <= n ? 4 : n);
        }
        at = end;
    }
    put(w, make_doc("passing.txt", "Transcript", NULL, NULL, NULL, passing));
    put(w, make_doc("summary.txt", "Summary", NULL, NULL, NULL, summary));
    put(w, make_doc("dense.txt", "Opinion", NULL, NULL, NULL, dense));
    put(w, make_doc("brief.txt", "Brief", NULL, NULL, NULL, "a brief that names cert once"));
    free(passing);
    free(summary);
    free(dense);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    civ_writer_free(w);

    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    civ_results *r = search(db, "habeas", CIV_OK);
    assert_int_equal(civ_results_size(r), 2);
    assert_string_equal(first_id(r), "summary.txt");
    const civ_hit *h = civ_results_hit(r, 1);
    assert_int_equal(h->npassages, 30);
    assert_true(h->best_passage >= 1 && h->best_passage <= 30);
    assert_true(h->passage_share > 0 && h->passage_share < 1);
    assert_true(h->score < h->text_score); /* its passages are weaker than its whole */
    civ_results_free(r);

    r = search(db, "cert", CIV_OK);
    assert_int_equal(civ_results_size(r), 2);
    assert_string_equal(first_id(r), "dense.txt");
    h = civ_results_hit(r, 0);
    assert_int_equal(h->best_passage, 16);
    assert_int_equal(h->passage, 16);
    assert_int_equal(h->page, 0);
    civ_results_free(r);
    civ_db_free(db);
}

/* Feedback (a natural-language question) reads the words of the best
 * short matches only: the words of two long transcripts about everything
 * (here the filler's "session", "budget", "road", ...) are not added, as
 * they were when the transcripts served; the word the two short summaries
 * share is. */
static void test_feedback_short_documents(void **state)
{
    (void)state;
    char p[300];
    path_in_tmp(p, sizeof p, "feedback");
    civ_writer *w = NULL;
    assert_int_equal(civ_writer_open(&w, p, NULL, NULL), CIV_OK);
    char *body = filler_text(40, 150, "interrogation", 1, 3); /* 6,000 words */
    size_t n = strlen(body) + 64;
    char *a = malloc(n), *b = malloc(n);
    assert_true(a && b);
    snprintf(a, n, "%s longmarker custody alpha", body);
    snprintf(b, n, "%s longmarker custody beta", body);
    put(w, make_doc("long-a.txt", "Transcript", NULL, NULL, NULL, a));
    put(w, make_doc("long-b.txt", "Transcript", NULL, NULL, NULL, b));
    put(w, make_doc("short-a.txt", "Summary", NULL, NULL, NULL,
                    "The interrogation in custody came before the warnings; shortmarker."));
    put(w, make_doc("short-b.txt", "Summary", NULL, NULL, NULL,
                    "Custody, interrogation and the confession that followed; shortmarker."));
    put(w, make_doc("other.txt", "Minutes", NULL, NULL, NULL, "The committee met about the bridge."));
    free(body);
    free(a);
    free(b);
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    civ_writer_free(w);

    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = "whether the interrogation in custody came before the warnings were given";
    o.default_or = 1;
    civ_results *r = NULL;
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    assert_true(civ_results_size(r) >= 4);
    const char *d = civ_results_query_description(r);
    if (!strstr(d, "shortmark"))
        fail_msg("feedback without the short summaries' word: %s", d);
    static const char *const filler[] = { "session", "budget", "river", "weather", "road",
                                          "longmark", "tuesday" };
    for (size_t i = 0; i < sizeof filler / sizeof *filler; i++)
        if (strstr(d, filler[i]))
            fail_msg("feedback added \"%s\", a word of the long transcripts: %s", filler[i], d);
    civ_results_free(r);
    civ_db_free(db);
}

/* A question's search, its feedback round's words (the description)
 * into desc; the round's words counted from the table (1) or from the
 * posting lists (0). */
static int counted_from_table(civ_db *db, char *desc, size_t n)
{
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = "whether the interrogation in custody came before the warnings were given";
    o.default_or = 1;
    civ_results *r = NULL;
    assert_int_equal(civ_search(&r, db, &o, NULL), CIV_OK);
    civ_search_times t;
    civ_results_times(r, &t);
    snprintf(desc, n, "%s", civ_results_query_description(r));
    civ_results_free(r);
    assert_true(t.feedback_tabled + t.feedback_listed > 0);
    assert_true(t.feedback_tabled == 0 || t.feedback_listed == 0);
    return t.feedback_tabled > 0;
}

/* The table of word counts (civ_writer_note_counts) serves the feedback
 * round while the index is at the revision it was made for; a commit
 * after it leaves it unused (the counts come from the posting lists, and
 * they count the new document), and made again it serves with the same
 * words chosen. */
static void test_word_count_table(void **state)
{
    (void)state;
    char p[300], made[4096], stale[4096], again[4096];
    path_in_tmp(p, sizeof p, "wordcounts");
    civ_writer *w = NULL;
    assert_int_equal(civ_writer_open(&w, p, NULL, NULL), CIV_OK);
    put(w, make_doc("a.txt", "Summary", NULL, NULL, NULL,
                    "The interrogation in custody came before the warnings; lanternword."));
    put(w, make_doc("b.txt", "Summary", NULL, NULL, NULL,
                    "Custody, interrogation and the confession that followed; lanternword."));
    put(w, make_doc("c.txt", "Minutes", NULL, NULL, NULL, "The committee met about the bridge."));
    assert_int_equal(civ_writer_note_counts(w, NULL), CIV_OK);
    civ_writer_free(w);

    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    assert_int_equal(counted_from_table(db, made, sizeof made), 1);
    civ_db_free(db);
    if (!strstr(made, "lanternword"))
        fail_msg("feedback without the summaries' word: %s", made);

    /* Three more documents holding the question's words and a word of
     * their own: committed without a table, which then names an older
     * revision. */
    assert_int_equal(civ_writer_open(&w, p, NULL, NULL), CIV_OK);
    for (int i = 0; i < 3; i++) {
        char id[16];
        snprintf(id, sizeof id, "d%d.txt", i);
        put(w, make_doc(id, "Summary", NULL, NULL, NULL,
                        "Interrogation in custody before the warnings: harborword and lanternword."));
    }
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    db = NULL;
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    assert_int_equal(counted_from_table(db, stale, sizeof stale), 0);
    civ_db_free(db);
    if (!strstr(stale, "harborword"))
        fail_msg("feedback without the new documents' word: %s", stale);

    assert_int_equal(civ_writer_note_counts(w, NULL), CIV_OK);
    civ_writer_free(w);
    assert_int_equal(civ_db_open(&db, p, NULL), CIV_OK);
    assert_int_equal(counted_from_table(db, again, sizeof again), 1);
    civ_db_free(db);
    assert_string_equal(again, stale);
    assert_int_equal(civ_writer_note_counts(NULL, NULL), CIV_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_missing_index),
        cmocka_unit_test(test_feedback_short_documents),
        cmocka_unit_test(test_word_count_table),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_malformed_queries),
        cmocka_unit_test(test_replace_by_id),
        cmocka_unit_test(test_uncommitted_is_discarded),
        cmocka_unit_test(test_spelling_from_shards),
        cmocka_unit_test(test_suggestions_for_rare_words),
        cmocka_unit_test(test_reopen_after_rebuild),
        cmocka_unit_test(test_query_language),
        cmocka_unit_test(test_sort_filters_facets),
        cmocka_unit_test(test_snippets_and_get),
        cmocka_unit_test(test_cited_by_prior),
        cmocka_unit_test(test_passage_ranking),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
