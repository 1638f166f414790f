/* Unit tests: indexer/letter.c — open letters in text and HTML, through
 * the pipeline (extractor, then every enricher), on tests/fixtures/letters/
 * and on small texts written here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "civ/buf.h"
#include "pipeline.h"

#include "pipeline_harness.h"

static void process_bytes(seen *s, const char *name, const char *bytes, size_t len)
{
    civ_pipeline_opts o = { 0 };
    seen_process(s, &o, name, bytes, len);
    if (!s->doc)
        fail_msg("%s: no document (%s)", name, s->rep.reason);
}

static void process(seen *s, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/letters/%s", CIV_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    civ_buf b = CIV_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        civ_buf_append(&b, chunk, n);
    fclose(f);
    process_bytes(s, name, civ_buf_str(&b), b.len);
    civ_buf_free(&b);
}


/* All values of a field joined with " | ". Caller frees. */
static char *all(seen *s, const char *field)
{
    civ_buf b = CIV_BUF_INIT;
    size_t n = civ_doc_nvalues(s->doc);
    for (size_t k = 0; k < n; k++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(s->doc, k, &v, &len);
        if (strcmp(f->name, field) == 0)
            civ_buf_printf(&b, "%s%.*s", b.len ? " | " : "", (int)len, v);
    }
    return civ_buf_steal(&b);
}

#define assert_values(s, field, want)        \
    do {                                     \
        char *got_ = all((s), (field));      \
        assert_string_equal(got_, (want));   \
        free(got_);                          \
    } while (0)

static void test_twelve_signatories(void **state)
{
    (void)state;
    seen s;
    process(&s, "open-letter-amazon.txt");
    assert_string_equal(get(&s, "type"), "letter");
    assert_values(&s, "signatories",
                  "American Civil Liberties Union | Electronic Frontier Foundation | "
                  "Fight for the Future | Data for Black Lives | "
                  "Council on American-Islamic Relations | Human Rights Watch | "
                  "Media Justice Network | Privacy Rights Clearinghouse | "
                  "National Immigration Law Center | "
                  "Jane Okafor (Executive Director, Privacy Now) | "
                  "Tom\xc3\xa1s Ortega (Professor of Law, Lakeside University) | "
                  "Freedom of the Press Foundation");
    assert_values(&s, "from", "American Civil Liberties Union");
    /* The recipient block's first line and the salutation's addressee. */
    assert_values(&s, "to", "Jeff Bezos | Mr. Bezos");
    assert_values(&s, "cc", "Andy Jassy, Amazon Web Services");
    assert_string_equal(get(&s, "subject"),
                        "Stop selling face surveillance technology to governments");
    /* A letter is titled by its subject line. */
    assert_string_equal(get(&s, "title"),
                        "Stop selling face surveillance technology to governments");
    assert_string_equal(get(&s, "date"), "2018-05-22");
    assert_string_equal(get(&s, "date_source"), "document");
    done(&s);
}

static void test_html_committee(void **state)
{
    (void)state;
    seen s;
    process(&s, "open-letter-committee.html");
    assert_string_equal(get(&s, "type"), "letter");
    assert_values(&s, "to", "the Members of the House Judiciary Committee");
    /* Comma-separated in one paragraph; the page footer is not a signatory. */
    assert_values(&s, "signatories",
                  "Access Now | Brennan Center for Justice | Center for Democracy & Technology | "
                  "Demand Progress | FreedomWorks | New America's Open Technology Institute");
    assert_values(&s, "from", "Access Now");
    assert_string_equal(get(&s, "date"), "2017-10-03");
    assert_string_equal(get(&s, "subject"), "Coalition letter on Section 702 reauthorization");
    done(&s);
}

static void test_single_signer(void **state)
{
    (void)state;
    seen s;
    process(&s, "letter-single-signer.md");
    assert_string_equal(get(&s, "type"), "letter");
    /* Name, position and organisation on three lines: one signatory. */
    assert_values(&s, "signatories", "Amara Osei (Policy Director, Riders' Privacy Alliance)");
    assert_values(&s, "from", "Amara Osei (Policy Director, Riders' Privacy Alliance)");
    assert_values(&s, "to", "Board Members");
    assert_string_equal(get(&s, "date"), "2020-03-12");
    /* The letter's signer is not taken for a byline author. */
    assert_string_equal(get(&s, "author"), "(null)");
    done(&s);
}

static void test_not_letters(void **state)
{
    (void)state;
    seen s;
    /* An article that quotes a whole letter near its start. */
    process(&s, "article-quoting-letter.txt");
    assert_string_equal(get(&s, "type"), "article");
    assert_string_equal(get(&s, "signatories"), "(null)");
    assert_string_equal(get(&s, "from"), "(null)");
    assert_string_equal(get(&s, "author"), "Lena Fischer");
    done(&s);
    /* "Dear readers," without a closing. */
    process(&s, "article-dear-reader.txt");
    assert_string_equal(get(&s, "type"), "article");
    done(&s);
    /* A closing and names, but no salutation. */
    const char *t = "Annual report\n\nWe grew this year and filed nine lawsuits.\n\n"
                    "Sincerely,\n\nJane Doe\nJohn Roe\n";
    process_bytes(&s, "report.txt", t, strlen(t));
    assert_string_equal(get(&s, "type"), "article");
    done(&s);
    /* A salutation and a closing with nothing after it. */
    const char *u = "Dear Ms. Smith,\n\nPlease find the records attached.\n\nSincerely,\n";
    process_bytes(&s, "note.txt", u, strlen(u));
    assert_string_equal(get(&s, "type"), "article");
    done(&s);
    /* Prose after the closing: a "Sincerely," inside a story. */
    const char *v = "Dear Mr. Park,\n\nShort note.\n\nSincerely,\n\nRuth Adler\n\n"
                    "The council did not answer the letter, and residents kept asking why the "
                    "data was shared.\nThey met again on Friday and asked the mayor to intervene.\n"
                    "The mayor said the city would review the agreement before the vote.\n"
                    "A spokesperson for the police declined to comment on the review.\n";
    process_bytes(&s, "story.txt", v, strlen(v));
    assert_string_equal(get(&s, "type"), "article");
    done(&s);
}

static void test_forms(void **state)
{
    (void)state;
    seen s;
    /* German salutation and closing; a signature with contact details. */
    const char *de = "Berlin, 3. Mai 2021\n\nSehr geehrte Damen und Herren,\n\n"
                     "wir fordern ein Verbot der biometrischen Massen\xc3\xbc" "berwachung.\n\n"
                     "Mit freundlichen Gr\xc3\xbc\xc3\x9f" "en\n\nDigitale Freiheit e.V.\n"
                     "info@digitale-freiheit.example\nChaos Gruppe Nord\n";
    process_bytes(&s, "brief.txt", de, strlen(de));
    assert_string_equal(get(&s, "type"), "letter");
    assert_values(&s, "signatories", "Digitale Freiheit e.V. | Chaos Gruppe Nord");
    assert_values(&s, "to", "Damen und Herren");
    done(&s);
    /* "To whom it may concern:", a Re: line that wraps, /s/ signatures and
     * a comma-separated list wrapped over lines. */
    const char *w = "January 5, 2022\n\nRe: Records of the camera network\n    and its vendors\n\n"
                    "To whom it may concern:\n\nWe ask for the records.\n\nRespectfully,\n\n"
                    "/s/ Ana Ruiz, Staff Attorney, Open Records Clinic\n\n"
                    "Kestrel Digital Rights Lab, Open Ledger\nRecords Project, Harbor Tenants Union\n";
    process_bytes(&s, "req.txt", w, strlen(w));
    assert_string_equal(get(&s, "type"), "letter");
    assert_string_equal(get(&s, "subject"), "Records of the camera network and its vendors");
    assert_values(&s, "signatories",
                  "Ana Ruiz (Staff Attorney, Open Records Clinic) | Kestrel Digital Rights Lab | "
                  "Open Ledger Records Project | Harbor Tenants Union");
    assert_string_equal(get(&s, "to"), "(null)");
    assert_string_equal(get(&s, "date"), "2022-01-05");
    done(&s);
}

static void test_printed_mail(void **state)
{
    (void)state;
    seen s;
    /* Mail as agencies release it, printed to text. */
    const char *t = "From: Ashcombe-Reyes, Gwendolyn (CBP) <g.ashcombe@cbp.example>\n"
                    "Sent: Tuesday, March 3, 2020 10:14 AM\n"
                    "To: Doe, Jane <jane.doe@cbp.example>; Roe, John <john.roe@cbp.example>\n"
                    "Cc: FOIA Division\n"
                    "Subject: RE: device search statistics for\n"
                    "  the second quarter\n\n"
                    "Jane, the numbers are attached.\n";
    process_bytes(&s, "release-0042.txt", t, strlen(t));
    assert_string_equal(get(&s, "type"), "letter");
    assert_values(&s, "from", "Ashcombe-Reyes, Gwendolyn (CBP) <g.ashcombe@cbp.example>");
    assert_values(&s, "to", "Doe, Jane <jane.doe@cbp.example> | Roe, John <john.roe@cbp.example>");
    assert_values(&s, "cc", "FOIA Division");
    assert_string_equal(get(&s, "subject"), "RE: device search statistics for the second quarter");
    /* The time as printed; its zone is unknown. */
    assert_string_equal(get(&s, "date"), "2020-03-03T10:14:00Z");
    done(&s);
    /* Two header-like lines are not enough. */
    const char *u = "From: the editors\nSubject: our year\n\nWe grew this year.\n";
    process_bytes(&s, "editorial.txt", u, strlen(u));
    assert_string_equal(get(&s, "type"), "article");
    done(&s);
}

/* Every prefix of every letter fixture, and a few odd texts: no crash,
 * and a document always comes out (ASan and valgrind watch the memory). */
static void test_prefixes(void **state)
{
    (void)state;
    const char *names[] = { "open-letter-amazon.txt", "open-letter-committee.html",
                            "letter-single-signer.md", "article-quoting-letter.txt" };
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/tests/fixtures/letters/%s", CIV_SOURCE_DIR, names[f]);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        civ_buf b = CIV_BUF_INIT;
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
            civ_buf_append(&b, chunk, n);
        fclose(fp);
        for (size_t cut = 8; cut < b.len; cut += 5) {
            seen s;
            seen_process(&s, NULL, names[f], b.data, cut); /* fails the test if fatal */
            /* A document, or (an HTML head cut before any text) none. */
            if (s.doc)
                assert_non_null(civ_doc_get(s.doc, "type"));
            else
                assert_int_equal(s.rep.outcome, CIV_FILE_SKIPPED);
            done(&s);
        }
        civ_buf_free(&b);
    }
    const char *odd[] = {
        "Dear ,\n\nx\n\nSincerely,\n\n,\n;\n",
        "Dear X,\n\nSincerely,\n\n(((((((\n",
        "To the :\n\n\n\nRegards\n\nA, B, C, D, E, F, G, H, I, J, K, L, M, N, O, P\n",
        "Dear Sir,\n\nbody\n\nSincerely,\n\nJane Doe\nDirector\nDirector\nDirector\nDirector\nDirector\n",
    };
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        seen s;
        process_bytes(&s, "odd.txt", odd[i], strlen(odd[i]));
        done(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_twelve_signatories),
        cmocka_unit_test(test_html_committee),
        cmocka_unit_test(test_single_signer),
        cmocka_unit_test(test_not_letters),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_printed_mail),
        cmocka_unit_test(test_prefixes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
