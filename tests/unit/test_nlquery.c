/* Unit tests: natural-language query helpers in lib/query.c, and reading
 * only the head of a stored text (lib/compress.c, lib/doc.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "civ/compress.h"
#include "civ/doc.h"
#include "civ/query.h"

static void plain(const char *q, int want, size_t want_words)
{
    size_t n = 99;
    int got = civ_query_is_plain(q, strlen(q), &n);
    if (got != want)
        fail_msg("\"%s\": plain %d, want %d", q, got, want);
    if (n != want_words)
        fail_msg("\"%s\": %zu words, want %zu", q, n, want_words);
}

static void test_plain(void **state)
{
    (void)state;
    plain("what similarity laws must be obeyed", 1, 6);
    plain("high-speed aircraft (MEDLARS) and the user's needs.", 1, 7);
    plain("Note: three things, one; two? (yes)", 1, 6);
    plain("pp. 438-444, Vol. 31", 1, 4);
    plain("", 1, 0);
    plain("\"free and full consent\" marriage", 0, 5);
    plain("torture OR detention", 0, 3);
    plain("torture NOT detention", 0, 3);
    plain("a NEAR/3 b", 0, 4);
    plain("title:warrant police", 0, 3);
    plain("surveil* cameras", 0, 2);
    plain("police -brutality", 0, 2);
    plain("+habeas corpus", 0, 2);
    plain("Grundrechte für alle Menschen", 1, 4);
}

static void test_question_words(void **state)
{
    (void)state;
    /* No word of the question list is also in the base list (they are
     * added to it), and all are lower case. */
    for (const char *const *q = civ_stopwords_question; *q; q++) {
        for (const char *const *b = civ_stopwords_english; *b; b++)
            if (strcmp(*q, *b) == 0)
                fail_msg("\"%s\" is in both lists", *q);
        for (const char *c = *q; *c; c++)
            assert_false(*c >= 'A' && *c <= 'Z');
    }
}

/* The first max bytes of a zlib stream, as snippets read them first. */
static civ_status inflate_head(civ_buf *out, const void *in, size_t len, size_t max,
                               int *complete, civ_error *err)
{
    civ_inflater *z = NULL;
    civ_status s = civ_inflater_new(&z, in, len, err);
    if (s == CIV_OK)
        s = civ_inflater_read(z, out, max, complete, err);
    civ_inflater_free(z);
    return s;
}

static void test_inflate_head(void **state)
{
    (void)state;
    char text[5000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    civ_buf z = CIV_BUF_INIT, out = CIV_BUF_INIT;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_deflate(&z, text, sizeof text, 6, &err), CIV_OK);
    int complete = -1;
    assert_int_equal(inflate_head(&out, z.data, z.len, 1000, &complete, &err), CIV_OK);
    assert_int_equal(out.len, 1000);
    assert_int_equal(complete, 0);
    assert_memory_equal(out.data, text, 1000);
    civ_buf_reset(&out);
    assert_int_equal(inflate_head(&out, z.data, z.len, 8000, &complete, &err), CIV_OK);
    assert_int_equal(out.len, sizeof text);
    assert_int_equal(complete, 1);
    /* Damaged and truncated data are errors, not short text. */
    civ_buf_reset(&out);
    assert_int_equal(inflate_head(&out, z.data, z.len / 2, 8000, &complete, &err),
                     CIV_EFORMAT);
    z.data[3] ^= 0x55;
    civ_buf_reset(&out);
    assert_int_not_equal(inflate_head(&out, z.data, z.len, 8000, &complete, &err), CIV_OK);
    civ_buf_free(&z);
    civ_buf_free(&out);
}

/* A record's fields, and the first max bytes of its text. */
static civ_status decode_head(civ_doc **out, const char *data, size_t len, size_t max,
                              int *complete, civ_error *err)
{
    civ_inflater *z = NULL;
    size_t total;
    civ_status s = civ_doc_decode_stream(out, &z, &total, data, len, err);
    if (s == CIV_OK && z)
        s = civ_inflater_read(z, civ_doc_text_buf(*out), max, complete, err);
    civ_inflater_free(z);
    return s;
}

static void test_decode_head(void **state)
{
    (void)state;
    civ_doc *doc = NULL, *head = NULL, *small = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_doc_new(&doc, &err), CIV_OK);
    civ_doc_add_str(doc, "id", "a.txt");
    civ_doc_add_str(doc, "title", "Habeas corpus");
    char text[3000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = i % 7 == 6 ? ' ' : 'x';
    civ_doc_append_text(doc, text, sizeof text);
    civ_buf data = CIV_BUF_INIT;
    assert_int_equal(civ_doc_encode(&data, doc, 6, &err), CIV_OK);
    int complete = -1;
    assert_int_equal(decode_head(&head, data.data, data.len, 512, &complete, &err), CIV_OK);
    size_t len;
    civ_doc_text(head, &len);
    assert_int_equal(len, 512);
    assert_int_equal(complete, 0);
    assert_string_equal(civ_doc_get(head, "title"), "Habeas corpus");
    assert_int_equal(decode_head(&small, data.data, data.len, 4096, &complete, &err), CIV_OK);
    civ_doc_text(small, &len);
    assert_int_equal(len, sizeof text);
    assert_int_equal(complete, 1);
    /* A record claiming more text than its compressed bytes can hold is
     * damaged, not a reason to allocate that much. */
    civ_buf z = CIV_BUF_INIT, bad = CIV_BUF_INIT;
    assert_int_equal(civ_deflate(&z, text, sizeof text, 6, &err), CIV_OK);
    assert_true(z.len < 128);
    /* "CIV1", field "id" = "b", end of fields, text length 2^40 (LEB128),
     * compressed length, the zlib stream. */
    static const unsigned char head_bytes[] = { 'C', 'I', 'V', '1', 2, 'i', 'd', 1, 'b', 0,
                                                0x80, 0x80, 0x80, 0x80, 0x80, 0x20 };
    civ_buf_append(&bad, head_bytes, sizeof head_bytes);
    civ_buf_putc(&bad, (char)z.len);
    civ_buf_append(&bad, z.data, z.len);
    civ_doc *whole = NULL;
    civ_inflater *zi = NULL;
    size_t total;
    assert_int_equal(civ_doc_decode(&whole, bad.data, bad.len, 1, &err), CIV_ECORRUPT);
    assert_int_equal(civ_doc_decode_stream(&whole, &zi, &total, bad.data, bad.len, &err),
                     CIV_ECORRUPT);
    assert_null(zi);
    civ_buf_free(&z);
    civ_doc_free(doc);
    civ_doc_free(head);
    civ_doc_free(small);
    civ_buf_free(&data);
    civ_buf_free(&bad);
}

/* The stored text read a part at a time: the parts make the whole text,
 * the end is reported once, and a damaged stream is an error. */
static void test_decode_stream(void **state)
{
    (void)state;
    civ_doc *doc = NULL, *got = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_doc_new(&doc, &err), CIV_OK);
    civ_doc_add_str(doc, "id", "b.txt");
    civ_doc_add_str(doc, "title", "Due process");
    char text[20000];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = i % 9 == 8 ? ' ' : (char)('a' + (i * 7) % 26);
    civ_doc_append_text(doc, text, sizeof text);
    civ_buf data = CIV_BUF_INIT;
    assert_int_equal(civ_doc_encode(&data, doc, 6, &err), CIV_OK);
    civ_inflater *z = NULL;
    size_t total = 0;
    assert_int_equal(civ_doc_decode_stream(&got, &z, &total, data.data, data.len, &err), CIV_OK);
    assert_non_null(z);
    assert_int_equal(total, sizeof text);
    assert_string_equal(civ_doc_get(got, "title"), "Due process");
    civ_buf *tb = civ_doc_text_buf(got);
    assert_int_equal(tb->len, 0);
    int complete = -1, parts = 0;
    while (complete != 1) {
        assert_int_equal(civ_inflater_read(z, tb, 3000, &complete, &err), CIV_OK);
        parts++;
        assert_true(parts <= 7);
    }
    assert_int_equal(parts, 7);
    assert_int_equal(tb->len, sizeof text);
    assert_memory_equal(tb->data, text, sizeof text);
    /* Reading on after the end adds nothing. */
    assert_int_equal(civ_inflater_read(z, tb, 3000, &complete, &err), CIV_OK);
    assert_int_equal(complete, 1);
    assert_int_equal(tb->len, sizeof text);
    civ_inflater_free(z);
    civ_inflater_free(NULL);
    civ_doc_free(got);

    /* Truncated: the part read so far stands, then an error. */
    civ_buf zl = CIV_BUF_INIT, out = CIV_BUF_INIT;
    assert_int_equal(civ_deflate(&zl, text, sizeof text, 6, &err), CIV_OK);
    assert_int_equal(civ_inflater_new(&z, zl.data, zl.len / 2, &err), CIV_OK);
    civ_status s = CIV_OK;
    for (int i = 0; i < 20 && s == CIV_OK && complete != 0; i++)
        s = civ_inflater_read(z, &out, 4000, &complete, &err);
    while (s == CIV_OK)
        s = civ_inflater_read(z, &out, 4000, &complete, &err);
    assert_int_equal(s, CIV_EFORMAT);
    assert_int_equal(complete, 0);
    assert_true(out.len > 0 && out.len < sizeof text);
    assert_memory_equal(out.data, text, out.len);
    assert_int_equal(civ_inflater_read(z, &out, 4000, &complete, &err), CIV_EFORMAT);
    civ_inflater_free(z);

    /* No text: no stream. */
    civ_doc *bare = NULL;
    assert_int_equal(civ_doc_new(&bare, &err), CIV_OK);
    civ_doc_add_str(bare, "id", "c.txt");
    civ_buf_reset(&data);
    assert_int_equal(civ_doc_encode(&data, bare, 6, &err), CIV_OK);
    assert_int_equal(civ_doc_decode_stream(&got, &z, &total, data.data, data.len, &err), CIV_OK);
    assert_null(z);
    assert_int_equal(total, 0);
    civ_doc_free(got);
    civ_doc_free(bare);
    civ_doc_free(doc);
    civ_buf_free(&data);
    civ_buf_free(&zl);
    civ_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_question_words),
        cmocka_unit_test(test_inflate_head),
        cmocka_unit_test(test_decode_head),
        cmocka_unit_test(test_decode_stream),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
