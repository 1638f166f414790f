/* Unit tests: the extractors (text, HTML, XML, gzip) through the pipeline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libxml/parser.h>
#include <zlib.h>

#include "civ/buf.h"
#include "civ/compress.h"
#include "pipeline.h"

#include "pipeline_harness.h"

static civ_file_report process(seen *s, const char *name, const char *bytes, size_t len)
{
    return seen_process(s, NULL, name, bytes, len);
}

static void test_text(void **state)
{
    (void)state;
    seen s;
    const char *t = "City council votes on drone limits\n\nBy Maria Ortiz and Sam Lee\n\n"
                    "SPRINGFIELD, March 14, 2021 — The council voted seven to two.\n";
    civ_file_report r = process(&s, "news/drones.txt", t, strlen(t));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(get(&s, "title"), "City council votes on drone limits");
    assert_string_equal(get(&s, "author"), "Maria Ortiz");
    assert_string_equal(get(&s, "date"), "2021-03-14");
    assert_string_equal(get(&s, "date_source"), "text");
    assert_string_equal(get(&s, "type"), "article");
    assert_string_equal(get(&s, "lang"), "en");
    assert_string_equal(get(&s, "format"), "text");
    assert_string_equal(get(&s, "id"), "news/drones.txt");
    assert_int_equal(strlen(get(&s, "hash")), 16);
    done(&s);

    /* Latin-1: converted, never mojibake. */
    const char *l1 = "Les manifestants de Montr\xe9" "al ont d\xe9" "nonc\xe9 la surveillance.\n";
    r = process(&s, "latin1.txt", l1, strlen(l1));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_non_null(strstr(text(&s), "Montr\xc3\xa9" "al"));
    assert_string_equal(get(&s, "charset"), "WINDOWS-1252");
    assert_int_equal(s.nwarn, 0);
    done(&s);

    /* Mostly UTF-8 with invalid bytes: indexed, with a warning. */
    const char *mx = "R\xc3\xa9sum\xc3\xa9 of the caf\xc3\xa9 hearing \xff\xfe done\n";
    r = process(&s, "mixed.txt", mx, strlen(mx));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_int_equal(r.warnings, 1);
    assert_non_null(strstr(s.warn, "invalid UTF-8"));
    done(&s);

    /* No date anywhere: none, never the file's time (kept in mtime). */
    const char *nd = "Undated memo\n\nNothing but words here.\n";
    r = process(&s, "memo.txt", nd, strlen(nd));
    assert_string_equal(get(&s, "date"), "(null)");
    assert_string_equal(get(&s, "date_source"), "mtime");
    assert_string_equal(get(&s, "mtime"), "1546300800");
    done(&s);

    /* A court caption names the court: the title is what the document is,
     * or else the line after the caption. */
    const char *cap = "IN THE SUPERIOR COURT OF HALVORSEN COUNTY\nState v. Dario Quintero\n"
                      "Order on the motion to suppress\n\nThe defendant moves to suppress.\n";
    process(&s, "order.txt", cap, strlen(cap));
    assert_string_equal(get(&s, "title"), "Order on the motion to suppress");
    done(&s);
    const char *cap2 = "UNITED STATES DISTRICT COURT\nFOR THE DISTRICT OF NOWHERE\n"
                       "Doe v. Roe\n\nThe parties agree on the schedule.\n";
    process(&s, "stip.txt", cap2, strlen(cap2));
    assert_string_equal(get(&s, "title"), "Doe v. Roe");
    done(&s);
    /* A headline about a court is no caption. */
    const char *news = "Court rules on geofence warrants\n\nThe appeals court ruled today.\n";
    process(&s, "news.txt", news, strlen(news));
    assert_string_equal(get(&s, "title"), "Court rules on geofence warrants");
    done(&s);
}

static void test_markdown(void **state)
{
    (void)state;
    seen s;
    const char *md = "---\ntitle: \"Geofence warrants explained\"\nauthor: Ana Ruiz, Ben Cole\n"
                     "date: 2022-02-03\nkeywords: [geofence, warrants]\nlang: en-US\n---\n"
                     "# Ignored as title\n\nIntro.\n\n## How they work\n\nText.\n";
    civ_file_report r = process(&s, "g.md", md, strlen(md));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(get(&s, "title"), "Geofence warrants explained");
    assert_string_equal(get(&s, "author"), "Ana Ruiz");
    assert_string_equal(get(&s, "date"), "2022-02-03");
    assert_string_equal(get(&s, "date_source"), "document");
    assert_string_equal(get(&s, "keywords"), "geofence");
    assert_string_equal(get(&s, "lang"), "en");
    assert_null(strstr(text(&s), "title:"));
    done(&s);
}

static void test_html(void **state)
{
    (void)state;
    seen s;
    const char *h =
        "<!DOCTYPE html><html lang=\"fr-CA\"><head><meta charset=\"utf-8\">"
        "<title>Reconnaissance faciale &amp; libert\xc3\xa9s</title>"
        "<meta name=\"author\" content=\"Claire Dubois\">"
        "<meta name=\"DC.date\" content=\"2020-11-05\">"
        "<meta name=\"description\" content=\"Un r\xc3\xa9sum\xc3\xa9.\">"
        "<meta name=\"keywords\" content=\"surveillance, police\">"
        "<style>body{color:red}</style><script>var secret='scriptword';</script></head>"
        "<body><nav>Menu</nav><h1>Le d\xc3\xa9" "bat</h1><p>Premier paragraphe.</p>"
        "<p>Second<br>ligne</p><img src=x alt=\"photo de manifestation\"></body></html>";
    civ_file_report r = process(&s, "a.html", h, strlen(h));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(get(&s, "title"), "Reconnaissance faciale & libert\xc3\xa9s");
    assert_string_equal(get(&s, "author"), "Claire Dubois");
    assert_string_equal(get(&s, "date"), "2020-11-05");
    assert_string_equal(get(&s, "lang"), "fr");
    assert_string_equal(get(&s, "keywords"), "surveillance");
    assert_string_equal(get(&s, "description"), "Un r\xc3\xa9sum\xc3\xa9.");
    assert_null(strstr(text(&s), "scriptword"));
    assert_null(strstr(text(&s), "color:red"));
    assert_null(strstr(text(&s), "Menu"));
    assert_non_null(strstr(text(&s), "Premier paragraphe."));
    assert_non_null(strstr(text(&s), "photo de manifestation"));
    assert_non_null(strstr(text(&s), "Le d\xc3\xa9" "bat"));
    done(&s);

    /* Legacy charset declared in a meta tag. */
    const char *l = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=iso-8859-1\">"
                    "<title>Caf\xe9</title></head><body><p>Cr\xe8me br\xfbl\xe9" "e</p></body></html>";
    r = process(&s, "l.htm", l, strlen(l));
    assert_string_equal(get(&s, "title"), "Caf\xc3\xa9");
    assert_non_null(strstr(text(&s), "Cr\xc3\xa8me"));
    done(&s);

    /* Tag soup is recovered; the first h1 is the title when <title> is missing. */
    const char *soup = "<html><body><h1>Broken <b>page</h1><p>unclosed <i>text<div>more";
    r = process(&s, "soup.html", soup, strlen(soup));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(get(&s, "title"), "Broken page");
    assert_non_null(strstr(text(&s), "more"));
    done(&s);

    /* Scripts only: nothing to index. */
    const char *empty = "<html><head><script>x=1</script></head><body></body></html>";
    r = process(&s, "e.html", empty, strlen(empty));
    assert_int_equal(r.outcome, CIV_FILE_SKIPPED);
    assert_non_null(strstr(r.reason, "no text"));
    assert_int_equal(s.ndocs, 0);
    done(&s);
}

static void test_xml(void **state)
{
    (void)state;
    seen s;
    const char *x = "<?xml version=\"1.0\"?>\n<article xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                    "<dc:title>Stingray disclosure</dc:title><dc:creator>Lee Park</dc:creator>"
                    "<dc:date>2017-08-21</dc:date><body><p>The cell-site simulator</p><p>was used.</p>"
                    "</body></article>";
    civ_file_report r = process(&s, "s.xml", x, strlen(x));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(get(&s, "title"), "Stingray disclosure");
    assert_string_equal(get(&s, "author"), "Lee Park");
    assert_string_equal(get(&s, "date"), "2017-08-21");
    assert_non_null(strstr(text(&s), "The cell-site simulator"));
    assert_non_null(strstr(text(&s), "was used."));
    assert_int_equal(s.nwarn, 0);
    done(&s);

    /* Not well-formed: what could be read is indexed, with a warning. */
    const char *bad = "<?xml version=\"1.0\"?><doc><title>Half</title><p>readable text</p><p>cut";
    r = process(&s, "bad.xml", bad, strlen(bad));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_int_equal(r.warnings, 1);
    assert_non_null(strstr(s.warn, "malformed XML"));
    assert_non_null(strstr(text(&s), "readable text"));
    done(&s);

    /* External entities are never resolved. */
    const char *xxe = "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
                      "<d><title>XXE</title><p>before &x; after</p></d>";
    r = process(&s, "xxe.xml", xxe, strlen(xxe));
    assert_null(strstr(text(&s), "root:"));
    done(&s);

    /* Garbage with an .xml name fails cleanly. */
    const char *junk = "this is <<<>>> not xml";
    r = process(&s, "junk.xml", junk, strlen(junk));
    assert_int_equal(r.outcome, CIV_FILE_FAILED);
    assert_non_null(strstr(r.reason, "malformed XML"));
    done(&s);
}

static void test_gzip_and_outcomes(void **state)
{
    (void)state;
    seen s;
    const char *plain = "Compressed report\n\nThe gzip member holds the whole text.\n";
    civ_buf z = CIV_BUF_INIT;
    /* Build a gzip member by hand around a raw deflate stream. */
    {
        civ_buf zl = CIV_BUF_INIT;
        assert_int_equal(civ_deflate(&zl, plain, strlen(plain), 9, NULL), CIV_OK);
        static const unsigned char hdr[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3 };
        civ_buf_append(&z, hdr, 10);
        civ_buf_append(&z, zl.data + 2, zl.len - 6); /* strip zlib header and adler32 */
        unsigned long crc = crc32(0, (const unsigned char *)plain, (unsigned)strlen(plain));
        unsigned char tail[8];
        unsigned long n = strlen(plain);
        for (int i = 0; i < 4; i++) {
            tail[i] = (unsigned char)(crc >> (8 * i));
            tail[4 + i] = (unsigned char)(n >> (8 * i));
        }
        civ_buf_append(&z, tail, 8);
        civ_buf_free(&zl);
    }
    civ_file_report r = process(&s, "r.txt.gz", z.data, z.len);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(get(&s, "title"), "Compressed report");
    assert_string_equal(get(&s, "id"), "r.txt.gz");
    done(&s);
    /* Detected by magic bytes even without the .gz name. */
    r = process(&s, "r.txt", z.data, z.len);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    done(&s);
    r = process(&s, "t.txt.gz", z.data, z.len - 12);
    assert_int_equal(r.outcome, CIV_FILE_FAILED);
    assert_non_null(strstr(r.reason, "truncated gzip"));
    done(&s);
    r = process(&s, "fake.txt.gz", "not gzip", 8);
    assert_int_equal(r.outcome, CIV_FILE_FAILED);
    done(&s);
    civ_buf_free(&z);

    r = process(&s, "empty.txt", "", 0);
    assert_int_equal(r.outcome, CIV_FILE_SKIPPED);
    assert_string_equal(r.reason, "empty file");
    r = process(&s, "bin.txt", "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0", 16);
    assert_int_equal(r.outcome, CIV_FILE_SKIPPED);
    assert_non_null(strstr(r.reason, "binary"));
    r = process(&s, "photo.jpg", "\xff\xd8\xff\xe0", 4);
    assert_int_equal(r.outcome, CIV_FILE_IGNORED);
    /* No extension, but text: read as text. */
    r = process(&s, "README", "Read me first\n\nplain words\n", 27);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    done(&s);
    /* Too big. */
    char *big = malloc((1 << 20) + 10);
    memset(big, 'a', (1 << 20) + 10);
    r = process(&s, "big.txt", big, (1 << 20) + 10);
    assert_int_equal(r.outcome, CIV_FILE_SKIPPED);
    assert_non_null(strstr(r.reason, "maximum size"));
    free(big);
}

int main(void)
{
    xmlInitParser();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_markdown),
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_xml),
        cmocka_unit_test(test_gzip_and_outcomes),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    xmlCleanupParser();
    return rc;
}
