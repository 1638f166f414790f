/* Unit tests: PDFs, OCR and the sandbox through the pipeline. The PDFs are
 * drawn here with cairo from text written here. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <cmocka.h>
#include <libxml/parser.h>

#include "civ/buf.h"
#include "pipeline.h"
#include "sandbox.h"

/* ---- drawing PDFs ---------------------------------------------------------- */

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int length)
{
    civ_buf_append(closure, data, length);
    return CAIRO_STATUS_SUCCESS;
}

typedef struct pdf_spec {
    const char *const *pages[8]; /* each a NULL-terminated list of lines */
    int npages;
    const char *header, *footer; /* %d: the page number */
    const char *title, *author, *keywords, *created;
    int scanned;                 /* draw each page as a 300 dpi image */
} pdf_spec;

static void draw_lines(cairo_t *cr, const pdf_spec *s, int page)
{
    char line[256];
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_select_font_face(cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, 9);
    if (s->header) {
        snprintf(line, sizeof line, s->header, page + 1);
        cairo_move_to(cr, 60, 40);
        cairo_show_text(cr, line);
    }
    if (s->footer) {
        snprintf(line, sizeof line, s->footer, page + 1);
        cairo_move_to(cr, 60, 812);
        cairo_show_text(cr, line);
    }
    cairo_set_font_size(cr, 12);
    double y = 80;
    for (const char *const *l = s->pages[page]; *l; l++, y += 18) {
        cairo_move_to(cr, 60, y);
        cairo_show_text(cr, *l);
    }
}

static void draw_pdf(civ_buf *out, const pdf_spec *s)
{
    cairo_surface_t *surf = cairo_pdf_surface_create_for_stream(to_buf, out, 595, 842);
    if (s->title)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_TITLE, s->title);
    if (s->author)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_AUTHOR, s->author);
    if (s->keywords)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_KEYWORDS, s->keywords);
    if (s->created)
        cairo_pdf_surface_set_metadata(surf, CAIRO_PDF_METADATA_CREATE_DATE, s->created);
    cairo_t *cr = cairo_create(surf);
    for (int p = 0; p < s->npages; p++) {
        if (s->scanned) {
            cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 2480, 3508);
            cairo_t *ic = cairo_create(img);
            cairo_set_source_rgb(ic, 1, 1, 1);
            cairo_paint(ic);
            cairo_scale(ic, 300.0 / 72, 300.0 / 72);
            draw_lines(ic, s, p);
            cairo_destroy(ic);
            cairo_save(cr);
            cairo_scale(cr, 72.0 / 300, 72.0 / 300);
            cairo_set_source_surface(cr, img, 0, 0);
            cairo_paint(cr);
            cairo_restore(cr);
            cairo_surface_destroy(img);
        } else {
            draw_lines(cr, s, p);
        }
        cairo_show_page(cr);
    }
    cairo_destroy(cr);
    cairo_surface_finish(surf);
    assert_int_equal(cairo_surface_status(surf), CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy(surf);
}

/* ---- the pipeline ------------------------------------------------------------ */

#include "pipeline_harness.h"

static civ_file_report process_opts(seen *s, civ_pipeline_opts *o, const char *name,
                                    const void *bytes, size_t len)
{
    return seen_process(s, o, name, bytes, len);
}

static civ_file_report process(seen *s, const char *name, const void *bytes, size_t len)
{
    civ_pipeline_opts o = { 0 };
    return seen_process(s, &o, name, bytes, len);
}

/* ---- PDF ----------------------------------------------------------------------- */

static const char *const p1[] = { "Opinion and order on the motion to suppress",
                                  "The defendant asks the court to suppress evidence found",
                                  "in a search of his home.", NULL };
static const char *const p2[] = { "The warrant authorized a search of the apart-",
                                  "ment on Elm Street but named no electronic devices.",
                                  NULL };
static const char *const p3[] = { "Officers nevertheless copied two phones; the word",
                                  "zanzibarite marks this third page.", NULL };
static const char *const p4[] = { "The motion is granted in part.", NULL };

static void test_pdf_pages(void **state)
{
    (void)state;
    pdf_spec spec = { { p1, p2, p3, p4 }, 4, "CASE 1:21-cv-00417   Document 12", "Page %d of 4",
                      "Microsoft Word - opinion_final.docx", "R. Calloway", "suppression; warrant",
                      "2021-03-04T10:05:00Z", 0 };
    civ_buf pdf = CIV_BUF_INIT;
    draw_pdf(&pdf, &spec);
    seen s;
    civ_file_report r = process(&s, "rulings/opinion.pdf", pdf.data, pdf.len);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(r.format, "pdf");
    assert_int_equal(r.pages, 4);
    assert_int_equal(r.scanned, 0);
    assert_string_equal(get(&s, "format"), "pdf");
    assert_string_equal(get(&s, "pages"), "4");
    /* The metadata title is junk: the text's first line instead. */
    assert_string_equal(get(&s, "title"), "Opinion and order on the motion to suppress");
    assert_string_equal(get(&s, "author"), "R. Calloway");
    assert_string_equal(get(&s, "keywords"), "suppression");
    assert_string_equal(get(&s, "date"), "2021-03-04T10:05:00Z");
    assert_string_equal(get(&s, "date_source"), "document");
    /* Running header and footer out of the text; hyphenation joined. */
    assert_null(strstr(text(&s), "CASE 1:21"));
    assert_null(strstr(text(&s), "Page 2 of 4"));
    assert_non_null(strstr(text(&s), "apartment on Elm Street"));
    /* Page marks: a word is found on its page. */
    assert_int_equal(civ_doc_npages(s.doc), 4);
    const char *z = strstr(text(&s), "zanzibarite");
    assert_non_null(z);
    assert_int_equal(civ_doc_page_at(s.doc, (size_t)(z - text(&s))), 3);
    const char *g = strstr(text(&s), "granted");
    assert_int_equal(civ_doc_page_at(s.doc, (size_t)(g - text(&s))), 4);
    assert_int_equal(civ_doc_page_at(s.doc, 0), 1);
    done(&s);

    /* Detected by its magic without a .pdf name. */
    r = process(&s, "scan0001", pdf.data, pdf.len);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_string_equal(get(&s, "format"), "pdf");
    done(&s);

    /* Truncated and garbage PDFs fail with the reason. */
    r = process(&s, "cut.pdf", pdf.data, pdf.len / 3);
    assert_int_equal(r.outcome, CIV_FILE_FAILED);
    assert_non_null(strstr(r.reason, "damaged PDF"));
    char junk[4000];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (char)(i * 7919 % 251);
    memcpy(junk, "%PDF-1.7\n", 9);
    r = process(&s, "junk.pdf", junk, sizeof junk);
    assert_int_equal(r.outcome, CIV_FILE_FAILED);
    assert_int_equal(s.ndocs, 0);
    civ_buf_free(&pdf);
}

/* A scanned page is counted, not read, without OCR. */
static void test_pdf_scanned_count(void **state)
{
    (void)state;
    pdf_spec spec = { { p1, p4 }, 2, NULL, NULL, NULL, NULL, NULL, NULL, 1 };
    civ_buf pdf = CIV_BUF_INIT;
    draw_pdf(&pdf, &spec);
    seen s;
    civ_file_report r = process(&s, "scan.pdf", pdf.data, pdf.len);
    /* Indexed by its name and page count, marked for a run with --ocr. */
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_int_equal(s.ndocs, 1);
    assert_string_equal(civ_doc_get(s.doc, "title"), "scan");
    assert_string_equal(civ_doc_get(s.doc, "pages"), "2");
    assert_string_equal(civ_doc_get(s.doc, "unread_scans"), "2");
    assert_int_equal(r.scanned, 2);
    assert_int_equal(r.ocr_pages, 0);
    done(&s);
    civ_buf_free(&pdf);
}

/* ---- OCR --------------------------------------------------------------------------- */

static const char *const ocr_page[] = {
    "Freedom of Information Act request number 2021-0457",
    "The agency withheld four pages under exemption b(7)(C)",
    "and released the remaining records to the requester.",
    "Questions about this letter may be sent to the records office.",
    NULL };

static int word_char(char c)
{
    return isalnum((unsigned char)c) || c == '(' || c == ')';
}

/* Whether w is in text as a whole word (not inside a longer one). */
static int has_word(const char *text, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = strstr(text, w); p; p = strstr(p + 1, w))
        if ((p == text || !word_char(p[-1])) && !word_char(p[n]))
            return 1;
    return 0;
}

/* The share of the words of lines that OCR found, as whole words. */
static double words_found(const char *const *lines, const char *got)
{
    int total = 0, found = 0;
    char low[8192];
    size_t k = 0;
    for (const char *p = got; *p && k + 1 < sizeof low; p++)
        low[k++] = (char)tolower((unsigned char)*p);
    low[k] = '\0';
    for (const char *const *l = lines; *l; l++) {
        const char *p = *l;
        while (*p) {
            while (*p && !isalnum((unsigned char)*p))
                p++;
            char w[64];
            size_t n = 0;
            while (*p && (isalnum((unsigned char)*p) || *p == '(' || *p == ')') && n + 1 < sizeof w)
                w[n++] = (char)tolower((unsigned char)*p++);
            w[n] = '\0';
            if (!n)
                continue;
            total++;
            if (has_word(low, w))
                found++;
        }
    }
    return total ? (double)found / total : 0;
}

static void test_ocr(void **state)
{
    (void)state;
    pdf_spec spec = { { ocr_page }, 1, NULL, NULL, NULL, NULL, NULL, NULL, 1 };
    civ_buf pdf = CIV_BUF_INIT;
    draw_pdf(&pdf, &spec);
    char cache[] = "/tmp/civ-ocr-cache.XXXXXX";
    assert_non_null(mkdtemp(cache));
    civ_pipeline_opts o = { 0 };
    o.ocr = 1;
    o.ocr_cache = cache;
    seen s;
    civ_file_report r = process_opts(&s, &o, "foia/release.pdf", pdf.data, pdf.len);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_int_equal(r.ocr_pages, 1);
    assert_int_equal(r.ocr_cached, 0);
    assert_int_equal(r.scanned, 0);
    double share = words_found(ocr_page, text(&s));
    if (share < 0.95)
        fail_msg("OCR found %.0f%% of the words: %s", share * 100, text(&s));
    assert_int_equal(civ_doc_page_at(s.doc, 0), 1);
    done(&s);
    /* Again: from the cache. */
    r = process_opts(&s, &o, "moved/release.pdf", pdf.data, pdf.len);
    assert_int_equal(r.ocr_pages, 1);
    assert_int_equal(r.ocr_cached, 1);
    assert_true(words_found(ocr_page, text(&s)) >= 0.95);
    done(&s);
    /* The same page in another PDF (other bytes): found by its content. */
    pdf_spec other = spec;
    other.title = "Re-release of request 2021-0457";
    civ_buf pdf2 = CIV_BUF_INIT;
    draw_pdf(&pdf2, &other);
    assert_true(pdf2.len != pdf.len || memcmp(pdf2.data, pdf.data, pdf.len) != 0);
    r = process_opts(&s, &o, "again/release-2.pdf", pdf2.data, pdf2.len);
    assert_int_equal(r.ocr_pages, 1);
    assert_int_equal(r.ocr_cached, 1);
    assert_true(words_found(ocr_page, text(&s)) >= 0.95);
    done(&s);
    civ_buf_free(&pdf2);
    civ_buf_free(&pdf);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", cache);
    assert_int_equal(system(cmd), 0);
}

/* The OCR check counts whole words only. */
static void test_words_found(void **state)
{
    (void)state;
    static const char *const lines[] = { "The request number b(7)(C)", NULL };
    assert_true(words_found(lines, "then requester numbers b(7)(c)(d)") == 0);
    assert_true(words_found(lines, "the REQUEST, number b(7)(c).") == 1);
    assert_true(words_found(lines, "request: b(7)(c)") == 0.5);
}

/* ---- the sandbox ----------------------------------------------------------------- */

/* Runs req on a document holding a test mode's word (fmt formats it),
 * copying the reason into reason[200]. */
static civ_sandbox_outcome run_test_req(civ_sandbox_req req, const char *fmt, const char *mode,
                                        char *reason)
{
    char doc[64];
    int n = snprintf(doc, sizeof doc, fmt, mode);
    req.bytes = (const unsigned char *)doc;
    req.len = (size_t)n;
    civ_buf out = CIV_BUF_INIT;
    civ_sandbox_result res;
    assert_int_equal(civ_sandbox_run(&out, &res, &req, NULL), CIV_OK);
    civ_buf_free(&out);
    snprintf(reason, 200, "%s", res.reason);
    return res.outcome;
}

static civ_sandbox_outcome run_test_doc(const char *mode, unsigned cpu, size_t mem, char *reason)
{
    civ_sandbox_req req = { .op = CIV_SANDBOX_PDF, .cpu_seconds = cpu, .memory = mem };
    return run_test_req(req, "%%PDF-1.4\n%% %s\n", mode, reason);
}

/* A converter's request (op CONVERT, arg its program) on a document
 * holding a test mode's word. */
static civ_sandbox_outcome run_test_convert(const char *prog, const char *mode, unsigned cpu,
                                            char *reason)
{
    civ_sandbox_req req = { .op = CIV_SANDBOX_CONVERT, .arg = prog, .cpu_seconds = cpu };
    return run_test_req(req, "{\\rtf1 %s}\n", mode, reason);
}

/* Converters (programs exec'd in the child) crash and spin like readers. */
static void test_sandbox_converter(void **state)
{
    (void)state;
    char why[200];
    assert_int_equal(run_test_convert("unrtf", "CIV-TEST-CRASH", 5, why), CIV_SANDBOX_CRASHED);
    assert_string_equal(why, "crashed: Segmentation fault");
    assert_int_equal(run_test_convert("antiword", "CIV-TEST-SPIN", 1, why), CIV_SANDBOX_CPU_LIMIT);
    assert_int_equal(run_test_convert("unrtf", "CIV-TEST-SOCKET", 5, why), CIV_SANDBOX_CRASHED);
    assert_non_null(strstr(why, "forbidden system call"));
    /* Through the pipeline: a crashed converter is the file's failure. */
    seen s;
    const char *crash = "{\\rtf1 CIV-TEST-CRASH}\n";
    civ_file_report r = process(&s, "crash.rtf", crash, strlen(crash));
    assert_int_equal(r.outcome, CIV_FILE_FAILED);
    assert_string_equal(r.reason, "the RTF converter (unrtf) crashed: Segmentation fault");
    assert_int_equal(s.ndocs, 0);
    /* And the next document is read. */
    const char *good = "{\\rtf1 The okapi minutes.}\n";
    r = process(&s, "good.rtf", good, strlen(good));
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_non_null(strstr(text(&s), "okapi"));
    done(&s);
    civ_sandbox_stop();
}

/* A child that cannot arm its filter reads nothing: it ends, and the
 * file is skipped. (CIV_SANDBOX_TEST=no-filter: a helper without
 * filters, as when seccomp cannot make them.) */
static void test_sandbox_no_filter(void **state)
{
    (void)state;
    civ_sandbox_stop();
    setenv("CIV_SANDBOX_TEST", "no-filter", 1);
    pdf_spec spec = { { p4 }, 1, NULL, NULL, NULL, NULL, NULL, NULL, 0 };
    civ_buf pdf = CIV_BUF_INIT;
    draw_pdf(&pdf, &spec);
    civ_sandbox_req req = { .op = CIV_SANDBOX_PDF, .bytes = (const unsigned char *)pdf.data,
                            .len = pdf.len };
    civ_buf out = CIV_BUF_INIT;
    civ_sandbox_result res;
    assert_int_equal(civ_sandbox_run(&out, &res, &req, NULL), CIV_OK);
    assert_int_equal(res.outcome, CIV_SANDBOX_UNSAFE);
    assert_int_equal(out.len, 0);
    char why[200];
    assert_int_equal(run_test_convert("unrtf", "nothing to test", 5, why), CIV_SANDBOX_UNSAFE);
    assert_string_equal(why, "the sandbox could not arm its system-call filter (seccomp)");
    seen s;
    civ_file_report r = process(&s, "plain.pdf", pdf.data, pdf.len);
    assert_int_equal(r.outcome, CIV_FILE_SKIPPED);
    assert_string_equal(r.reason, "not read: the sandbox could not arm its system-call filter (seccomp)");
    assert_int_equal(s.ndocs, 0);
    civ_sandbox_stop();
    setenv("CIV_SANDBOX_TEST", "1", 1);
    /* With its filter, the same file is read. */
    r = process(&s, "plain.pdf", pdf.data, pdf.len);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    done(&s);
    civ_buf_free(&out);
    civ_buf_free(&pdf);
    civ_sandbox_stop();
}

static void test_sandbox_recovery(void **state)
{
    (void)state;
    char why[200];
    assert_int_equal(run_test_doc("CIV-TEST-CRASH", 5, 0, why), CIV_SANDBOX_CRASHED);
    assert_non_null(strstr(why, "Segmentation fault"));
    assert_int_equal(run_test_doc("CIV-TEST-SPIN", 1, 0, why), CIV_SANDBOX_CPU_LIMIT);
    assert_int_equal(run_test_doc("CIV-TEST-HANG", 1, 0, why), CIV_SANDBOX_WALL_LIMIT);
    assert_int_equal(run_test_doc("CIV-TEST-MEMORY", 5, (size_t)256 << 20, why),
                     CIV_SANDBOX_MEMORY_LIMIT);
    /* The filter: no new files, no sockets. */
    assert_int_equal(run_test_doc("CIV-TEST-OPEN", 5, 0, why), CIV_SANDBOX_REFUSED);
    assert_string_equal(why, "opening a file: Permission denied");
    assert_int_equal(run_test_doc("CIV-TEST-SOCKET", 5, 0, why), CIV_SANDBOX_CRASHED);
    assert_non_null(strstr(why, "forbidden system call"));
    /* Signals to any other process (here: the helper) end the child. */
    assert_int_equal(run_test_doc("CIV-TEST-KILL-PARENT", 5, 0, why), CIV_SANDBOX_CRASHED);
    assert_non_null(strstr(why, "forbidden system call"));
    /* Given up when the run stops (Ctrl-C), at once even if it hangs. */
    {
        static volatile int cancel = 1;
        const char *hang = "%PDF-1.4\n% CIV-TEST-HANG\n";
        civ_sandbox_req req = { .op = CIV_SANDBOX_PDF, .bytes = (const unsigned char *)hang,
                                .len = strlen(hang), .cpu_seconds = 100, .cancel = &cancel };
        civ_buf out = CIV_BUF_INIT;
        civ_sandbox_result res;
        assert_int_equal(civ_sandbox_run(&out, &res, &req, NULL), CIV_OK);
        assert_int_equal(res.outcome, CIV_SANDBOX_CANCELLED);
        civ_buf_free(&out);
    }
    /* The helper itself dies: reported, and replaced for the next one. */
    assert_int_equal(run_test_doc("CIV-TEST-KILL-HELPER", 5, 0, why), CIV_SANDBOX_UNAVAILABLE);
    assert_non_null(strstr(why, "helper died"));
    pdf_spec spec = { { p4 }, 1, NULL, NULL, NULL, NULL, NULL, NULL, 0 };
    civ_buf pdf = CIV_BUF_INIT;
    draw_pdf(&pdf, &spec);
    seen s;
    civ_file_report r = process(&s, "after.pdf", pdf.data, pdf.len);
    assert_int_equal(r.outcome, CIV_FILE_INDEXED);
    assert_non_null(strstr(text(&s), "granted"));
    done(&s);
    /* Through the pipeline: a crash is the file's failure, one line. */
    const char *crash = "%PDF-1.4\n% CIV-TEST-CRASH\n";
    r = process(&s, "crash.pdf", crash, strlen(crash));
    assert_int_equal(r.outcome, CIV_FILE_FAILED);
    assert_string_equal(r.reason, "the PDF reader crashed: Segmentation fault");
    assert_int_equal(s.nwarn, 0);
    const char *spin = "%PDF-1.4\n% CIV-TEST-SPIN\n";
    civ_pipeline_opts o = { 0 };
    o.doc_cpu = 1;
    r = process_opts(&s, &o, "spin.pdf", spin, strlen(spin));
    assert_int_equal(r.outcome, CIV_FILE_SKIPPED);
    assert_int_equal(r.over_limit, 1);
    assert_non_null(strstr(r.reason, "more than 1 s of CPU time (see --doc-timeout)"));
    civ_buf_free(&pdf);
    civ_sandbox_stop();
}

int main(void)
{
    setenv("CIV_SANDBOX_TEST", "1", 1);
    xmlInitParser();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pdf_pages),
        cmocka_unit_test(test_pdf_scanned_count),
        cmocka_unit_test(test_words_found),
        cmocka_unit_test(test_ocr),
        cmocka_unit_test(test_sandbox_recovery),
        cmocka_unit_test(test_sandbox_converter),
        cmocka_unit_test(test_sandbox_no_filter),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    civ_sandbox_stop();
    xmlCleanupParser();
    return rc;
}
