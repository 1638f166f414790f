/* Unit tests: buf, utf8, charset, json, doc, compress, hash, query checks, warm. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "civ/buf.h"
#include "civ/charset.h"
#include "civ/compress.h"
#include "civ/doc.h"
#include "civ/hash.h"
#include "civ/json.h"
#include "civ/parse.h"
#include "civ/lines.h"
#include "civ/query.h"
#include "civ/schema.h"
#include "civ/utf8.h"
#include "civ/warm.h"

static void test_buf(void **state)
{
    (void)state;
    civ_buf b = CIV_BUF_INIT;
    assert_string_equal(civ_buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        civ_buf_printf(&b, "%d,", i);
    assert_false(civ_buf_failed(&b));
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    size_t len = b.len;
    char *s = civ_buf_steal(&b);
    assert_int_equal(strlen(s), len);
    free(s);
    assert_null(b.data);
    civ_buf_free(&b);
    civ_buf_free(NULL);
    /* A scratch buffer's failure is handed on to the output it fed. */
    civ_buf out = CIV_BUF_INIT, tmp = CIV_BUF_INIT;
    civ_buf_puts(&out, "x");
    civ_buf_puts(&tmp, "y");
    civ_buf_free_into(&tmp, &out);
    assert_false(civ_buf_failed(&out));
    assert_null(tmp.data);
    assert_int_equal(civ_buf_reserve(&tmp, (size_t)-1), -1); /* fails */
    civ_buf_free_into(&tmp, &out);
    assert_true(civ_buf_failed(&out));
    assert_false(civ_buf_failed(&tmp));
    civ_buf_free_into(NULL, &out);
    civ_buf_free(&out);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(civ_utf8_valid("caf\xc3\xa9", 5));
    assert_false(civ_utf8_valid("caf\xe9", 4));
    assert_false(civ_utf8_valid("\xc0\xaf", 2));          /* overlong */
    assert_false(civ_utf8_valid("\xed\xa0\x80", 3));      /* surrogate */
    assert_false(civ_utf8_valid("\xf4\x90\x80\x80", 4));  /* > U+10FFFF */
    civ_buf b = CIV_BUF_INIT;
    size_t bad = civ_utf8_sanitize(&b, "a\xffz\r\nb\0c", 8);
    assert_int_equal(bad, 1);
    assert_string_equal(civ_buf_str(&b), "a\xef\xbf\xbdz\nbc");
    civ_buf_free(&b);
    /* A form feed (a page's end) stays; other controls go. */
    civ_utf8_sanitize(&b, "p1\fp2\v\x01x", 8);
    assert_string_equal(civ_buf_str(&b), "p1\fp2x");
    civ_buf_free(&b);
    assert_int_equal(civ_utf8_clip("caf\xc3\xa9", 5, 4), 3);

    /* Names as ids: kept when a field keeps them; otherwise each byte a
     * field would change as U+FFFD and its hex digits, one id a name. */
    static const struct {
        const char *name, *id;
        size_t escaped;
    } ids[] = {
        { "letters/caf\xc3\xa9 2021.txt", "letters/caf\xc3\xa9 2021.txt", 0 },
        { "caf\xe9.txt", "caf\xef\xbf\xbd" "E9.txt", 1 },
        { "caf\xe8.txt", "caf\xef\xbf\xbd" "E8.txt", 1 },
        { "new\nline", "new\xef\xbf\xbd" "0Aline", 1 },
        { "a  b", "a \xef\xbf\xbd" "20b", 1 },
        { " a ", "\xef\xbf\xbd" "20a\xef\xbf\xbd" "20", 2 },
        { "x\xc2\xa0y", "x\xef\xbf\xbd" "C2\xef\xbf\xbd" "A0y", 2 },
        /* A literal U+FFFD is escaped too: "caf<U+FFFD>E9.txt" is not
         * the id of caf\xe9.txt. */
        { "caf\xef\xbf\xbd" "E9.txt", "caf\xef\xbf\xbd" "EF\xef\xbf\xbd" "BF\xef\xbf\xbd" "BDE9.txt", 3 },
    };
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        civ_buf id = CIV_BUF_INIT;
        assert_int_equal(civ_utf8_name_id(&id, ids[i].name, strlen(ids[i].name)), ids[i].escaped);
        assert_string_equal(civ_buf_str(&id), ids[i].id);
        assert_true(civ_utf8_valid(id.data, id.len));
        civ_buf_free(&id);
    }
}

static void test_charset(void **state)
{
    (void)state;
    civ_buf b = CIV_BUF_INIT;
    civ_text_info info;
    /* Latin-1 without a label is recognised, never mojibake. */
    assert_int_equal(civ_text_decode(&b, "Montr\xe9" "al", 8, NULL, &info, NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&b), "Montr\xc3\xa9" "al");
    assert_false(info.mixed);
    civ_buf_reset(&b);
    /* Windows-1252 quotes. */
    assert_int_equal(civ_text_decode(&b, "\x93quoted\x94", 8, NULL, &info, NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&b), "\xe2\x80\x9cquoted\xe2\x80\x9d");
    civ_buf_reset(&b);
    /* Mostly UTF-8 with a stray byte: repaired and flagged. */
    const char *mixed = "na\xc3\xafve caf\xc3\xa9 r\xc3\xa9sum\xc3\xa9 \xff end";
    assert_int_equal(civ_text_decode(&b, mixed, strlen(mixed), NULL, &info, NULL), CIV_OK);
    assert_true(info.mixed);
    assert_int_equal(info.replaced, 1);
    civ_buf_reset(&b);
    /* A declared charset. */
    size_t rep;
    assert_int_equal(civ_charset_to_utf8(&b, "iso-8859-15", "\xa4", 1, &rep, NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&b), "\xe2\x82\xac"); /* euro sign */
    civ_buf_reset(&b);
    assert_int_equal(civ_charset_to_utf8(&b, "Shift_JIS", "\x93\xfa\x96\x7b", 4, &rep, NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&b), "\xe6\x97\xa5\xe6\x9c\xac"); /* 日本 */
    civ_buf_reset(&b);
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_charset_to_utf8(&b, "x-no-such-charset", "a", 1, &rep, &err), CIV_EUNSUPPORTED);
    civ_buf_reset(&b);
    /* UTF-16 with a byte order mark. */
    assert_int_equal(civ_text_decode(&b, "\xff\xfeh\0i\0", 6, NULL, &info, NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&b), "hi");
    civ_buf_free(&b);
    assert_true(civ_text_is_binary("\x7f" "ELF\x02\x01\x01\0\0\0", 10));
    assert_false(civ_text_is_binary("plain text\n", 11));
}

static void test_json(void **state)
{
    (void)state;
    civ_buf b = CIV_BUF_INIT;
    civ_json j;
    civ_json_init(&j, &b);
    civ_json_begin_object(&j);
    civ_json_key(&j, "s");
    civ_json_cstr(&j, "q\"\\\n\x01 bad\xff end");
    civ_json_key(&j, "n");
    civ_json_null(&j);
    civ_json_key(&j, "a");
    civ_json_begin_array(&j);
    civ_json_int(&j, 1);
    civ_json_double(&j, 2.5);
    civ_json_bool(&j, 1);
    civ_json_end_array(&j);
    civ_json_end_object(&j);
    assert_string_equal(civ_buf_str(&b),
                        "{\"s\":\"q\\\"\\\\\\n\\u0001 bad\\ufffd end\",\"n\":null,\"a\":[1,2.5,true]}");
    civ_buf_free(&b);
}

static void test_doc_roundtrip(void **state)
{
    (void)state;
    civ_doc *d = NULL;
    assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
    civ_doc_add_str(d, "id", "x/y.txt");
    civ_doc_add_str(d, "title", "  A   title\n with  spaces ");
    civ_doc_add_str(d, "author", "Jane Doe");
    civ_doc_add_str(d, "author", "John Roe");
    civ_doc_add_str(d, "author", "Jane Doe"); /* duplicate ignored */
    civ_doc_add_str(d, "heading", "not stored");
    civ_doc_append_text(d, "Body text, body text, body text.", 32);
    assert_int_equal(civ_doc_add_str(d, "no_such_field", "x"), CIV_EINVAL);
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_doc_check(d, &err), CIV_EINVAL); /* sticky */
    civ_doc_free(d);

    assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
    civ_doc_add_str(d, "id", "x/y.txt");
    civ_doc_add_str(d, "title", "  A   title\n with  spaces ");
    civ_doc_add_str(d, "author", "Jane Doe");
    civ_doc_add_str(d, "author", "John Roe");
    civ_doc_add_str(d, "heading", "A heading");
    civ_doc_add_str(d, "digest", "not stored");
    civ_doc_append_text(d, "Body text, body text, body text.", 32);
    assert_string_equal(civ_doc_get(d, "title"), "A title with spaces");
    civ_buf enc = CIV_BUF_INIT;
    assert_int_equal(civ_doc_encode(&enc, d, 6, NULL), CIV_OK);
    civ_doc *e = NULL;
    assert_int_equal(civ_doc_decode(&e, enc.data, enc.len, 1, NULL), CIV_OK);
    assert_string_equal(civ_doc_get(e, "id"), "x/y.txt");
    assert_string_equal(civ_doc_get(e, "heading"), "A heading"); /* shown in the document view */
    assert_null(civ_doc_get(e, "digest"));
    size_t len;
    assert_string_equal(civ_doc_text(e, &len), "Body text, body text, body text.");
    civ_buf all = CIV_BUF_INIT;
    size_t nv = civ_doc_nvalues(e), authors = 0;
    for (size_t i = 0; i < nv; i++) {
        const char *v;
        if (strcmp(civ_doc_value(e, i, &v, NULL)->name, "author") == 0)
            authors++;
    }
    assert_int_equal(authors, 2);
    civ_buf_free(&all);
    civ_doc_free(e);
    /* Damaged data is reported, not crashed on. */
    for (size_t cut = 0; cut < enc.len; cut++) {
        e = NULL;
        civ_status s = civ_doc_decode(&e, enc.data, cut, 1, NULL);
        assert_true(s == CIV_ECORRUPT || s == CIV_OK);
        civ_doc_free(e);
    }
    assert_int_equal(civ_doc_decode(&e, "junk", 4, 0, NULL), CIV_ECORRUPT);
    civ_buf_free(&enc);
    civ_doc_free(d);
}

/* Page marks survive the stored form; readers find the page of any byte. */
static void test_doc_pages(void **state)
{
    (void)state;
    civ_doc *d = NULL, *back = NULL;
    assert_int_equal(civ_doc_new(&d, NULL), CIV_OK);
    assert_int_equal(civ_doc_page_at(d, 0), 0);
    civ_doc_add_str(d, "id", "f.pdf");
    civ_doc_begin_page(d, 1);
    civ_doc_append_text(d, "first page\n", 11);
    civ_doc_begin_page(d, 2);
    civ_doc_begin_page(d, 3); /* page 2 was empty: the mark moves on */
    civ_doc_append_text(d, "third page\n", 11);
    civ_doc_begin_page(d, 4);
    civ_doc_append_text(d, "fourth", 6);
    assert_int_equal(civ_doc_npages(d), 3);
    civ_buf b = CIV_BUF_INIT;
    assert_int_equal(civ_doc_encode(&b, d, 6, NULL), CIV_OK);
    assert_int_equal(civ_doc_decode(&back, b.data, b.len, 1, NULL), CIV_OK);
    assert_int_equal(civ_doc_npages(back), 3);
    unsigned page;
    size_t off;
    assert_int_equal(civ_doc_page_mark(back, 1, &page, &off), 0);
    assert_int_equal(page, 3);
    assert_int_equal(off, 11);
    assert_int_equal(civ_doc_page_mark(back, 3, &page, &off), -1);
    assert_int_equal(civ_doc_page_at(back, 0), 1);
    assert_int_equal(civ_doc_page_at(back, 10), 1);
    assert_int_equal(civ_doc_page_at(back, 11), 3);
    assert_int_equal(civ_doc_page_at(back, 25), 4);
    /* A damaged page section is damage, not a crash. */
    b.data[b.len - 1] = (char)0xff;
    civ_doc *bad = NULL;
    assert_int_equal(civ_doc_decode(&bad, b.data, b.len, 0, NULL), CIV_ECORRUPT);
    civ_buf_free(&b);
    civ_doc_free(d);
    civ_doc_free(back);
}

/* Numbers typed by people: strict, in range. */
static void test_parse(void **state)
{
    (void)state;
    uint64_t v = 7;
    assert_int_equal(civ_parse_uint(&v, "42", 0, 100), 0);
    assert_int_equal(v, 42);
    const char *bad[] = { "", "-1", "+1", " 1", "1 ", "1x", "0x10", "101", "99999999999999999999999", NULL };
    for (int i = 0; bad[i]; i++)
        assert_int_equal(civ_parse_uint(&v, bad[i], 0, 100), -1);
    assert_int_equal(v, 42);
    assert_int_equal(civ_parse_uint(&v, NULL, 0, 1), -1);
    unsigned u;
    assert_int_equal(civ_parse_unsigned(&u, "0", 1, 9), -1);
    assert_int_equal(civ_parse_unsigned(&u, "9", 1, 9), 0);
    size_t sz;
    assert_int_equal(civ_parse_size(&sz, "64M", 1, SIZE_MAX), 0);
    assert_int_equal(sz, (size_t)64 << 20);
    assert_int_equal(civ_parse_size(&sz, "1.5k", 1, SIZE_MAX), 0);
    assert_int_equal(sz, 1536);
    assert_int_equal(civ_parse_size(&sz, "2GB", 1, SIZE_MAX), 0);
    assert_int_equal(civ_parse_size(&sz, "10", 1, SIZE_MAX), 0);
    assert_int_equal(sz, 10);
    assert_int_equal(civ_parse_size(&sz, "32M", (size_t)64 << 20, SIZE_MAX), -1);
    assert_int_equal(civ_parse_size(&sz, "-1M", 1, SIZE_MAX), -1);
    assert_int_equal(civ_parse_size(&sz, "5T", 1, SIZE_MAX), -1);
    assert_int_equal(civ_parse_size(&sz, "M", 1, SIZE_MAX), -1);
}

/* Numbers we stored ("%lld"): a sign allowed, nothing else around them. */
static void test_parse_stored(void **state)
{
    (void)state;
    long long v = 5;
    assert_int_equal(civ_parse_stored(&v, "1700000000"), 0);
    assert_true(v == 1700000000LL);
    assert_int_equal(civ_parse_stored(&v, "-86400"), 0);
    assert_true(v == -86400LL);
    assert_int_equal(civ_parse_stored(&v, "0"), 0);
    assert_true(v == 0);
    assert_int_equal(civ_parse_stored(&v, "9223372036854775807"), 0);
    assert_true(v == LLONG_MAX);
    v = 5;
    const char *bad[] = { "", "-", "+1", " 1", "1 ", "1x", "0x10", "--1", "- 1",
                          "9223372036854775808", "-99999999999999999999", NULL };
    for (int i = 0; bad[i]; i++)
        assert_int_equal(civ_parse_stored(&v, bad[i]), -1);
    assert_int_equal(civ_parse_stored(&v, NULL), -1);
    assert_true(v == 5);
}

static void test_compress(void **state)
{
    (void)state;
    const char *text = "The Fourth Amendment protects against unreasonable searches. ";
    civ_buf z = CIV_BUF_INIT, out = CIV_BUF_INIT;
    assert_int_equal(civ_deflate(&z, text, strlen(text), 6, NULL), CIV_OK);
    assert_int_equal(civ_inflate(&out, z.data, z.len, 1000, NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&out), text);
    civ_buf_reset(&out);
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_inflate(&out, z.data, z.len - 3, 1000, &err), CIV_EFORMAT);
    civ_buf_reset(&out);
    assert_int_equal(civ_inflate(&out, z.data, z.len, 10, &err), CIV_ETOOBIG);
    /* The exact size as the limit (one call into zlib), one byte less. */
    civ_buf_reset(&out);
    assert_int_equal(civ_inflate(&out, z.data, z.len, strlen(text), NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&out), text);
    civ_buf_reset(&out);
    assert_int_equal(civ_inflate(&out, z.data, z.len, strlen(text) - 1, &err), CIV_ETOOBIG);
    /* Text that shrinks 1000-fold: read in steps, to its exact size. */
    civ_buf big = CIV_BUF_INIT;
    for (int i = 0; i < 20000; i++)
        civ_buf_append(&big, "civil ", 6);
    civ_buf_reset(&z);
    assert_int_equal(civ_deflate(&z, big.data, big.len, 9, NULL), CIV_OK);
    assert_true(z.len * 100 < big.len);
    civ_buf_reset(&out);
    assert_int_equal(civ_inflate(&out, z.data, z.len, big.len, NULL), CIV_OK);
    assert_int_equal(out.len, big.len);
    assert_memory_equal(out.data, big.data, big.len);
    /* civ_deflater, used twice: read back by civ_inflate. */
    civ_deflater *d = NULL;
    assert_int_equal(civ_deflater_new(&d, 6, NULL), CIV_OK);
    for (int round = 0; round < 2; round++) {
        civ_buf_reset(&z);
        assert_int_equal(civ_deflater_run(d, &z, text, strlen(text), NULL), CIV_OK);
        civ_buf_reset(&out);
        assert_int_equal(civ_inflate(&out, z.data, z.len, strlen(text), NULL), CIV_OK);
        assert_string_equal(civ_buf_str(&out), text);
    }
    civ_deflater_free(d);
    civ_deflater_free(NULL);
    civ_buf_free(&big);
    civ_buf_free(&z);
    civ_buf_free(&out);
    /* gzip: "hello\n" made by gzip -n, then truncated. */
    static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,
                                        0xcb, 0x48, 0xcd, 0xc9, 0xc9, 0xe7, 0x02, 0x00, 0x20, 0x30,
                                        0x3a, 0x36, 0x06, 0x00, 0x00, 0x00 };
    assert_true(civ_is_gzip(gz, sizeof gz));
    assert_int_equal(civ_gunzip(&out, gz, sizeof gz, 100, NULL), CIV_OK);
    assert_string_equal(civ_buf_str(&out), "hello\n");
    civ_buf_reset(&out);
    assert_int_equal(civ_gunzip(&out, gz, 14, 100, &err), CIV_EFORMAT);
    assert_non_null(strstr(err.msg, "truncated"));
    civ_buf_free(&out);
}

static void test_hash(void **state)
{
    (void)state;
    char a[17], b[17];
    civ_hash64_hex(a, civ_hash64("abc", 3, 0));
    civ_hash64_hex(b, civ_hash64("abd", 3, 0));
    assert_int_equal(strlen(a), 16);
    assert_string_not_equal(a, b);
    assert_true(civ_hash64("abc", 3, 0) == civ_hash64("abc", 3, 0));
    /* From hex and back, one to one: digests compare as numbers. */
    uint64_t n = 0;
    const uint64_t hs[] = { 0, 1, 0xfedcba9876543210u, UINT64_MAX, civ_hash64("abc", 3, 0) };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++) {
        civ_hash64_hex(a, hs[i]);
        assert_int_equal(civ_hash64_from_hex(&n, a, 16), 1);
        assert_true(n == hs[i]);
    }
    n = 7;
    const char *bad[] = { "", "0123456789abcde", "0123456789abcdef0", "0123456789ABCDEF", "0123456789abcdeg",
                          "0123456789abcd f", NULL };
    for (size_t i = 0; bad[i]; i++)
        assert_int_equal(civ_hash64_from_hex(&n, bad[i], strlen(bad[i])), 0);
    assert_true(n == 7);
}

static void test_query_check(void **state)
{
    (void)state;
    const char *good[] = { "drones", "a AND b", "a OR (b AND c)", "NOT a", "\"a AND\" b",
                           "a NEAR/3 b", "title:x", "-a b", "*", NULL };
    for (size_t i = 0; good[i]; i++)
        if (civ_query_check(good[i], strlen(good[i]), NULL) != CIV_OK)
            fail_msg("rejected good query %s", good[i]);
    const char *bad[] = { "AND", "a AND", "OR a", "((", "a)", "a AND AND b", "NOT", "(AND b)", "",
                          "\xc3", NULL };
    for (size_t i = 0; bad[i]; i++)
        if (civ_query_check(bad[i], strlen(bad[i]), NULL) != CIV_EQUERY)
            fail_msg("accepted bad query %s", bad[i]);
    char q[64] = "* type:letter";
    assert_int_equal(civ_query_strip_star(q), 1);
    assert_string_equal(q, "  type:letter");
    char q2[64] = "surveil* AND *";
    assert_int_equal(civ_query_strip_star(q2), 1);
    assert_null(strstr(q2, "AND"));
    assert_non_null(strstr(q2, "surveil*"));
}

static void test_lines(void **state)
{
    (void)state;
    const char *t = "  first \r\n\nthird\tline\nlast";
    civ_lines it;
    const char *l;
    size_t n;
    civ_lines_init(&it, t, strlen(t));
    assert_true(civ_lines_next(&it, &l, &n, 1));
    assert_int_equal(n, 5);
    assert_memory_equal(l, "first", 5);
    assert_true(civ_lines_next(&it, &l, &n, 1));
    assert_int_equal(n, 0);
    assert_true(civ_lines_next(&it, &l, &n, 0));
    assert_int_equal(n, 10);
    assert_true(civ_lines_next(&it, &l, &n, 0));
    assert_memory_equal(l, "last", 4);
    assert_false(civ_lines_next(&it, &l, &n, 0));
    civ_lines_init(&it, "", 0);
    assert_false(civ_lines_next(&it, &l, &n, 1));
}

static void test_schema(void **state)
{
    (void)state;
    size_t n;
    const civ_field_def *f = civ_schema_fields(&n);
    assert_true(n > 10);
    /* Prefixes are unique. */
    for (size_t i = 0; i < n; i++)
        for (size_t k = i + 1; k < n; k++)
            if (f[i].prefix && f[k].prefix && strcmp(f[i].prefix, f[k].prefix) == 0)
                fail_msg("prefix %s used twice", f[i].prefix);
    char t[64];
    assert_int_equal(civ_schema_exact_term(civ_schema_field("type"), " Letter ", 8, t, sizeof t), 8);
    assert_string_equal(t, "XTletter");
    civ_schema_exact_term(civ_schema_field("author"), "Jane  Doe", 9, t, sizeof t);
    assert_string_equal(t, "XE5jane doe");
    assert_int_equal(civ_schema_exact_term(civ_schema_field("title"), "x", 1, t, sizeof t), 0);
    /* Cutting never splits a UTF-8 sequence. */
    char small[6];
    civ_schema_normalise(civ_schema_field("title"), "abcd\xc3\xa9", 6, small, sizeof small);
    assert_true(civ_utf8_valid(small, strlen(small)));
    assert_string_equal(civ_schema_query_field("signed")->name, "signatories");
}

static long minor_faults(void)
{
    struct rusage r;
    getrusage(RUSAGE_SELF, &r);
    return r.ru_minflt;
}

/* Under a sanitizer or valgrind the heap is theirs: mallopt does not
 * reach it. */
static int own_heap(void)
{
#if defined(__SANITIZE_ADDRESS__)
    return 0;
#else
    const char *pre = getenv("LD_PRELOAD");
    return !(pre && strstr(pre, "vgpreload"));
#endif
}

static void test_warm(void **state)
{
    (void)state;
    size_t heap = 1, code = 1, prog = 0, with_libc = 0;
    setenv("CIV_WARM", "0", 1);
    assert_int_equal(civ_warm_start(&heap, &code, 256 << 10, NULL), CIV_OK);
    assert_int_equal(heap, 0);
    assert_int_equal(code, 0);
    unsetenv("CIV_WARM");
    /* The program's own code and read-only data; then libc's too. */
    assert_int_equal(civ_warm_start(NULL, &prog, 0, NULL), CIV_OK);
    assert_true(prog > 4096);
    static const char *const libs[] = { "libc.so", NULL };
    assert_int_equal(civ_warm_start(&heap, &with_libc, 512 << 10, libs), CIV_OK);
    assert_true(with_libc > prog + 4096);
    if (!own_heap())
        return;
    assert_true(heap >= (512 << 10) - 2 * 4096);
    /* Writing 256 KiB of fresh heap takes (almost) no faults now: 64
     * without. */
    long before = minor_faults();
    char *p = malloc(256 << 10);
    assert_non_null(p);
    memset(p, 1, 256 << 10);
    long taken = minor_faults() - before;
    free(p);
    assert_true(taken < 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf),        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_charset),    cmocka_unit_test(test_json),
        cmocka_unit_test(test_doc_roundtrip), cmocka_unit_test(test_compress),
        cmocka_unit_test(test_doc_pages),  cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_stored),
        cmocka_unit_test(test_hash),       cmocka_unit_test(test_query_check),
        cmocka_unit_test(test_schema),     cmocka_unit_test(test_lines),
        cmocka_unit_test(test_warm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
