/*
 * indexer/documents.h — what the readers of documents share: PDF, scanned
 * images, office files and converted formats (docs/documents.md).
 *
 * All of it runs in civindex's own process, on what the sandbox's
 * children sent back (sandbox.h): the outcome of a sandboxed read as the
 * registry's status, metadata with its junk left out, the text of pages
 * (running headers and footers dropped, hyphenated line ends joined, page
 * marks), and OCR through its cache.
 */
#ifndef CIV_DOCUMENTS_H
#define CIV_DOCUMENTS_H

#include <stddef.h>
#include <stdint.h>

#include "civ/buf.h"
#include "civ/doc.h"
#include "civ/status.h"
#include "extract.h"
#include "sandbox.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Runs req in the sandbox with the input's limits (--doc-timeout,
 * --doc-memory) filled in. On CIV_OK with *done set the reply is in out;
 * otherwise *done is 0 and the status says what the registry should make
 * of the input: CIV_EFORMAT (the reader failed or crashed: the message
 * says how, naming `reader`), CIV_ETOOBIG (over a limit: counted in the
 * file's report). Fatal errors: CIV_ENOMEM. */
civ_status civ_docs_run(civ_buf *out, int *done, const civ_input *in, civ_sandbox_req *req,
                        const char *reader, civ_error *err);

/* Whether OCR in langs ("eng+deu"; NULL: eng) can be done: the sandbox's
 * helper loads the languages as for every OCR request, and ends. *ok is
 * 1, or 0 with the reason in reason[0..rsz) ("OCR language deu is not
 * installed (Debian: tesseract-ocr-deu)", or why the sandbox could not
 * start). Fatal errors only (CIV_ENOMEM). */
civ_status civ_docs_ocr_check(int *ok, char *reason, size_t rsz, const char *langs,
                              civ_error *err);

/* Fills doc from the PDF reader's reply (records from the sandbox: metadata,
 * the page count, each page's text, the scanned pages, which are read by
 * OCR when the input's options ask for it). The reply may be anything: a
 * record out of place is ignored. Fatal errors only (CIV_ENOMEM). */
civ_status civ_pdf_from_reply(civ_doc *doc, const civ_input *in, const unsigned char *reply,
                              size_t reply_len, civ_error *err);

/* 1 when a metadata title says nothing ("Microsoft Word - draft3.docx",
 * "untitled", "Document1", a file name, a scanner's image name). */
int civ_docs_junk_title(const char *t);

/* 1 when a metadata author names an account, not a person or body
 * ("Administrator", "user", "Owner"). */
int civ_docs_junk_author(const char *a);

/* Metadata of a document, as its format keeps it (any may be NULL/0). */
typedef struct civ_docs_meta {
    const char *title, *author, *subject, *description, *keywords;
    long long created, modified;   /* seconds since 1970, 0: unknown */
    const char *created_text;      /* or as text ("2021-03-04T10:05:00Z") */
    const char *modified_text;
    long pages;                    /* page count, 0: unknown */
} civ_docs_meta;

/* Fills title, author, description, keywords, date and pages from m where
 * the text gives nothing better: a title or author that is junk is left
 * out (the text's first line becomes the title); a date written near the
 * top of the text wins over the file's creation date. Call after the text
 * is in doc. Sticky doc errors. */
void civ_docs_set_meta(civ_doc *doc, const civ_docs_meta *m);

/* The text of one page, as read (owned by the caller). */
typedef struct civ_page_text {
    unsigned page;   /* 1-based */
    civ_buf text;
} civ_page_text;

/* Appends the pages' text to doc with a page mark for each: lines that
 * repeat at the top or bottom of most pages (running headers, footers,
 * page numbers; digits may differ) are dropped from the text and indexed
 * once as headings; a word hyphenated at a line end (or a page end) is
 * joined. Sticky doc errors. */
void civ_docs_add_pages(civ_doc *doc, civ_page_text *pages, size_t n);

/* OCR of one page through the cache. key (16 hex digits, "" for none)
 * names the page by the bytes of its file and its number: free to make,
 * and what re-runs, moves and rebuilds find. When it is not in the cache
 * and by_content is set (PDF pages), the page's content key is asked of
 * the sandbox (the page drawn small and hashed, CIV_SANDBOX_KEYS), which
 * finds the same page in another file. A miss of both runs req (op
 * CIV_SANDBOX_PDF_OCR or CIV_SANDBOX_IMAGE_OCR) in the sandbox and stores
 * the text under both keys. On success
 * *ok is 1 and the text is appended to text; a page that could not be
 * read costs one warning (and is counted when over a limit); *ok is then
 * 0, and *stop is set when no further page of the input can be read
 * (OCR language missing, sandbox unavailable). Errors: CIV_EUNSUPPORTED
 * when the run is being stopped (the input is then skipped, and read
 * again by the next run), else fatal ones only. */
civ_status civ_docs_ocr(civ_buf *text, int *ok, int *stop, const civ_input *in,
                        civ_sandbox_req *req, const char *key, int by_content, civ_error *err);

/* Counts pages waiting for OCR (found scanned; negative: no longer
 * waiting without civ_docs_ocr), for the progress line. */
void civ_docs_ocr_expect(int pages);

/* OCR so far in this process. */
typedef struct civ_ocr_stats {
    uint64_t pages;     /* pages read by OCR (not from the cache) */
    uint64_t cached;    /* pages found in the cache */
    uint64_t waiting;   /* pages known to wait for OCR (or the cache) */
    double seconds;     /* CPU seconds of the pages read */
} civ_ocr_stats;

void civ_ocr_stats_get(civ_ocr_stats *out);

#ifdef __cplusplus
}
#endif
#endif
