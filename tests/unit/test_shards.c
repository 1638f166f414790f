/* Unit tests for several indexes as one (lib/xapian/shards.cc): the list
 * syntax, malformed specs and stub files, and — with xapian-tcpsrv on
 * loopback — a replica failing between two searches of one open handle
 * (the query moves to the next replica), and a shard left out. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civ/db.h"
#include "civ/doc.h"
#include "civ/writer.h"
#include "tcpsrv.h"

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
    snprintf(tmpdir, sizeof tmpdir, "/tmp/civ-unit-shards.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    rm_rf(tmpdir);
    return 0;
}

static void build(const char *path, const char *prefix, int n)
{
    civ_writer *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_writer_open(&w, path, NULL, &err) != CIV_OK)
        fail_msg("open: %s", err.msg);
    for (int i = 0; i < n; i++) {
        civ_doc *d = NULL;
        char id[64], text[200];
        snprintf(id, sizeof id, "%s-%d.txt", prefix, i);
        snprintf(text, sizeof text, "Drones watched protest number %d; surveillance of %s.", i, prefix);
        assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
        civ_doc_add_str(d, "id", id);
        civ_doc_add_str(d, "file", id);
        civ_doc_add_str(d, "title", id);
        civ_doc_add_str(d, "type", "article");
        civ_doc_add_str(d, "lang", "en");
        civ_doc_append_text(d, text, strlen(text));
        assert_int_equal(civ_doc_check(d, NULL), CIV_OK);
        if (civ_writer_put(w, d, NULL, &err) != CIV_OK)
            fail_msg("put: %s", err.msg);
        civ_doc_free(d);
    }
    if (civ_writer_flush(w, &err) != CIV_OK || civ_writer_commit(w, &err) != CIV_OK)
        fail_msg("commit: %s", err.msg);
    civ_writer_free(w);
}

static uint64_t count(civ_db *db, civ_status *st)
{
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = "drones";
    o.limit = 100;
    civ_results *r = NULL;
    civ_error err = CIV_ERROR_INIT;
    *st = civ_search(&r, db, &o, &err);
    uint64_t n = civ_results_total(r, NULL);
    civ_results_free(r);
    return n;
}

static void test_list_span(void **state)
{
    (void)state;
    assert_int_equal(civ_db_list_span("/a/b:/c"), 4);
    assert_int_equal(civ_db_list_span("tcp://h:5050:/c"), 12);
    assert_int_equal(civ_db_list_span("tcp://h:5050|tcp://g:5051:x"), 25);
    assert_int_equal(civ_db_list_span("tcp://[::1]:5050:x"), 16);
    assert_int_equal(civ_db_list_span("/only"), 5);
    assert_int_equal(civ_db_list_span(""), 0);
    assert_int_equal(civ_db_list_span(NULL), 0);
}

static void test_bad_specs(void **state)
{
    (void)state;
    const char *bad[] = { "tcp://h", "tcp://h:", "tcp://:5050", "tcp://h:0", "tcp://h:65536",
                          "tcp://h:50x", "tcp://a/b:1", "tcp://h:1|", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        civ_db *db = (civ_db *)1;
        civ_error err = CIV_ERROR_INIT;
        assert_int_equal(civ_db_open_many(&db, &bad[i], 1, NULL, &err), CIV_EINVAL);
        assert_null(db);
        assert_non_null(strchr(err.msg, ' '));
    }
    char stub[300];
    snprintf(stub, sizeof stub, "%s/bad.stub", tmpdir);
    FILE *f = fopen(stub, "w");
    assert_non_null(f);
    fputs("# comment\n\nremote 127.0.0.1\n", f);
    fclose(f);
    const char *spec = stub;
    civ_db *db = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_db_open_many(&db, &spec, 1, NULL, &err), CIV_EINVAL);
    assert_non_null(strstr(err.msg, "bad.stub:3:"));
    assert_int_equal(civ_db_open_many(&db, NULL, 0, NULL, &err), CIV_EINVAL);
    civ_db_opts o = CIV_DB_OPTS_INIT;
    o.version = 99;
    assert_int_equal(civ_db_open_many(&db, &spec, 1, &o, &err), CIV_EINVAL);
    assert_null(civ_db_missing(NULL, NULL));
    assert_int_equal(civ_db_shard_count(NULL), 0);
    civ_db_free(NULL);
}

static void test_local_shards_and_stub(void **state)
{
    (void)state;
    char a[300], b[300], stub[300];
    snprintf(a, sizeof a, "%s/a", tmpdir);
    snprintf(b, sizeof b, "%s/b", tmpdir);
    snprintf(stub, sizeof stub, "%s/two.stub", tmpdir);
    build(a, "a", 3);
    build(b, "b", 4);
    FILE *f = fopen(stub, "w");
    assert_non_null(f);
    fputs("auto a\nauto b\n", f);
    fclose(f);
    const char *specs[] = { a, b };
    civ_db *db = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_db_open_many(&db, specs, 2, NULL, &err), CIV_OK);
    assert_int_equal(civ_db_doc_count(db), 7);
    assert_int_equal(civ_db_shard_count(db), 2);
    civ_status st;
    assert_int_equal(count(db, &st), 7);
    civ_doc *d = NULL;
    assert_int_equal(civ_db_get(&d, db, "b-3.txt", 0, &err), CIV_OK);
    civ_doc_free(d);
    civ_db_free(db);
    const char *one = stub;
    assert_int_equal(civ_db_open_many(&db, &one, 1, NULL, &err), CIV_OK);
    assert_int_equal(civ_db_shard_count(db), 2);
    assert_int_equal(civ_db_doc_count(db), 7);
    civ_db_free(db);
}

static void test_failover_and_partial(void **state)
{
    (void)state;
    char a[300], b[300];
    snprintf(a, sizeof a, "%s/fa", tmpdir);
    snprintf(b, sizeof b, "%s/fb", tmpdir);
    build(a, "a", 3);
    build(b, "b", 4);
    int p1 = 0, p2 = 0, p3 = 0;
    pid_t s1 = serve(a, &p1);
    if (!s1)
        skip();
    pid_t s2 = serve(a, &p2), s3 = serve(b, &p3);

    /* Shard a on two replicas, shard b on one. */
    char ra[128], rb[64];
    snprintf(ra, sizeof ra, "tcp://127.0.0.1:%d|tcp://127.0.0.1:%d", p1, p2);
    snprintf(rb, sizeof rb, "tcp://127.0.0.1:%d", p3);
    const char *specs[] = { ra, rb };
    civ_db_opts o = CIV_DB_OPTS_INIT;
    o.timeout_ms = 2000;
    civ_db *db = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_db_open_many(&db, specs, 2, &o, &err), CIV_OK);
    civ_status st;
    assert_int_equal(count(db, &st), 7);

    /* The replica in use dies; the same handle, no reopen: the search
     * moves to the other replica. */
    stop(s1);
    assert_int_equal(count(db, &st), 7);
    assert_int_equal(st, CIV_OK);
    size_t n;
    civ_db_missing(db, &n);
    assert_int_equal(n, 0);

    /* Shard b has no replica: an error naming it... */
    stop(s3);
    uint64_t got = count(db, &st);
    assert_int_not_equal(st, CIV_OK);
    (void)got;
    civ_db_free(db);
    err = (civ_error)CIV_ERROR_INIT;
    assert_int_not_equal(civ_db_open_many(&db, specs, 2, &o, &err), CIV_OK);
    assert_non_null(strstr(err.msg, rb));

    /* ... or, allowed, the other shard alone, b named as missing. */
    o.allow_partial = 1;
    assert_int_equal(civ_db_open_many(&db, specs, 2, &o, &err), CIV_OK);
    assert_int_equal(count(db, &st), 3);
    const char *const *m = civ_db_missing(db, &n);
    assert_int_equal(n, 1);
    assert_string_equal(m[0], rb);
    civ_db_free(db);

    /* Nothing answers at all: an error even with allow_partial. */
    stop(s2);
    assert_int_not_equal(civ_db_open_many(&db, specs, 2, &o, &err), CIV_OK);
    assert_null(db);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_span),
        cmocka_unit_test(test_bad_specs),
        cmocka_unit_test(test_local_shards_and_stub),
        cmocka_unit_test(test_failover_and_partial),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
