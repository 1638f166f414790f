/* Unit tests: the index folder (lock, generations, publish) and the
 * writer's file-level operations used by incremental runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "civ/db.h"
#include "civ/doc.h"
#include "files.h"
#include "indexdir.h"
#include "civ/writer.h"

static char tmpdir[256];

static int setup(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/civ-unit-indexdir.XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static civ_doc *make_doc(const char *id, const char *file, const char *text)
{
    civ_doc *d = NULL;
    assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
    civ_doc_set_str(d, "id", id);
    civ_doc_set_str(d, "file", file);
    civ_doc_set_str(d, "path", file);
    civ_doc_set_str(d, "root", "/r");
    civ_doc_set_str(d, "mtime", "100");
    civ_doc_set_str(d, "size", "42");
    civ_doc_set_str(d, "hash", "0123456789abcdef");
    civ_doc_set_str(d, "title", text);
    civ_doc_append_text(d, text, strlen(text));
    return d;
}

/* Builds a database at path with docs of two files ("a.txt", and "m.mbox"
 * with two messages). */
static void build(const char *path)
{
    civ_writer *w = NULL;
    civ_writer_opts o = CIV_WRITER_OPTS_INIT;
    o.nosync = 1;
    assert_int_equal(civ_writer_open(&w, path, &o, NULL), CIV_OK);
    civ_doc *docs[3] = { make_doc("a.txt", "a.txt", "habeas corpus petition"),
                         make_doc("m.mbox#1", "m.mbox", "first message about warrants"),
                         make_doc("m.mbox#2", "m.mbox", "second message about drones") };
    for (int i = 0; i < 3; i++) {
        assert_int_equal(civ_writer_put(w, docs[i], NULL, NULL), CIV_OK);
        civ_doc_free(docs[i]);
    }
    assert_int_equal(civ_writer_commit(w, NULL), CIV_OK);
    civ_writer_free(w);
}

static void test_lock_and_publish(void **state)
{
    (void)state;
    char idx[300], built[320];
    snprintf(idx, sizeof idx, "%s/idx", tmpdir);
    civ_indexdir *d = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_indexdir_open(&d, idx, &err), CIV_OK);
    assert_null(civ_indexdir_current(d));
    assert_false(civ_indexdir_legacy(d));

    /* A second opener (another process: flock is per open file) is refused
     * with our pid in the message. */
    pid_t child = fork();
    if (child == 0) {
        civ_indexdir *d2 = NULL;
        civ_error e2 = CIV_ERROR_INIT;
        civ_status s = civ_indexdir_open(&d2, idx, &e2);
        char want[64];
        snprintf(want, sizeof want, "(pid %ld)", (long)getppid());
        _exit(s == CIV_ELOCKED && strstr(e2.msg, want) && strstr(e2.msg, "locked by another civindex") ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);

    /* Publish a first generation, then a second: the first is removed. */
    char *scratch = NULL;
    assert_int_equal(civ_indexdir_scratch(&scratch, d, "one", &err), CIV_OK);
    build(scratch);
    assert_int_equal(civ_indexdir_publish(d, scratch, 0, &err), CIV_OK);
    free(scratch);
    assert_non_null(civ_indexdir_current(d));
    snprintf(built, sizeof built, "%s/db.1", idx);
    assert_string_equal(civ_indexdir_current(d), built);
    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, idx, &err), CIV_OK);
    assert_int_equal(civ_db_doc_count(db), 3);
    civ_db_free(db);

    assert_int_equal(civ_indexdir_scratch(&scratch, d, "two", &err), CIV_OK);
    const char *src = civ_indexdir_current(d);
    assert_int_equal(civ_compact(scratch, &src, 1, 1, &err), CIV_OK);
    assert_int_equal(civ_indexdir_publish(d, scratch, 1, &err), CIV_OK);
    free(scratch);
    assert_true(civ_indexdir_current_is_file(d));
    struct stat st;
    assert_int_not_equal(stat(built, &st), 0); /* db.1 is gone */
    assert_int_equal(civ_db_open(&db, idx, &err), CIV_OK);
    assert_int_equal(civ_db_doc_count(db), 3);
    civ_db_free(db);
    civ_indexdir_free(d);

    /* The lock is released: opening again works and finds the generation. */
    assert_int_equal(civ_indexdir_open(&d, idx, &err), CIV_OK);
    assert_true(civ_indexdir_current_is_file(d));
    civ_indexdir_free(d);
}

static int count_known(void *ctx, const civ_known *k)
{
    int *n = ctx;
    if (strcmp(k->file, "m.mbox") == 0 || strcmp(k->file, "moved/m2.mbox") == 0) {
        assert_string_equal(k->root, "/r");
        assert_string_equal(k->hash, "0123456789abcdef");
        assert_int_equal(k->size, 42);
    }
    (*n)++;
    return 0;
}

static void test_writer_file_ops(void **state)
{
    (void)state;
    char path[300];
    snprintf(path, sizeof path, "%s/w", tmpdir);
    build(path);
    civ_writer *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_writer_open(&w, path, NULL, &err), CIV_OK);
    int n = 0;
    assert_int_equal(civ_files_each(w, count_known, &n, &err), CIV_OK);
    assert_int_equal(n, 3);

    /* Move the two messages of m.mbox to a new file id. */
    unsigned moved = 0;
    assert_int_equal(civ_files_relocate(w, "m.mbox", "moved/m2.mbox", "/r/moved/m2.mbox", NULL, 200,
                                         &moved, &err), CIV_OK);
    assert_int_equal(moved, 2);
    unsigned removed = 0;
    assert_int_equal(civ_files_delete(w, "a.txt", &removed, &err), CIV_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(civ_files_delete(w, "none.txt", &removed, &err), CIV_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(civ_writer_commit(w, &err), CIV_OK);
    civ_writer_free(w);

    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, path, &err), CIV_OK);
    assert_int_equal(civ_db_doc_count(db), 2);
    civ_doc *doc = NULL;
    assert_int_equal(civ_db_get(&doc, db, "moved/m2.mbox#2", 1, &err), CIV_OK);
    assert_string_equal(civ_doc_get(doc, "file"), "moved/m2.mbox");
    assert_string_equal(civ_doc_get(doc, "path"), "/r/moved/m2.mbox");
    assert_string_equal(civ_doc_get(doc, "mtime"), "200");
    assert_string_equal(civ_doc_get(doc, "root"), "/r");
    size_t tlen;
    assert_string_equal(civ_doc_text(doc, &tlen), "second message about drones");
    civ_doc_free(doc);
    assert_int_equal(civ_db_get(&doc, db, "m.mbox#1", 0, &err), CIV_ENOTFOUND);
    /* Terms stayed: the moved document is found by its words and new id. */
    civ_search_opts so = CIV_SEARCH_OPTS_INIT;
    so.query = "warrants id:moved/m2.mbox#1";
    so.limit = 10;
    civ_results *r = NULL;
    assert_int_equal(civ_search(&r, db, &so, &err), CIV_OK);
    assert_int_equal(civ_results_size(r), 1);
    civ_results_free(r);
    civ_db_free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lock_and_publish),
        cmocka_unit_test(test_writer_file_ops),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
