/*
 * PDF: read in the sandbox (sandbox.h, helper_pdf.c) with poppler, page by
 * page in reading order. Here, in civindex: the pages' text with running
 * headers and footers dropped and hyphenated words joined (documents.h),
 * a page mark for each page, metadata where the text gives nothing better,
 * the page count, and scanned pages read by OCR (through its cache) or
 * counted for the summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/hash.h"
#include "civ/parse.h"
#include "documents.h"
#include "extract.h"
#include "pipeline.h"

static const char *const pdf_exts[] = { "pdf", NULL };
static const char *const pdf_types[] = { "application/pdf", "application/x-pdf", NULL };

static int pdf_sniff(const unsigned char *b, size_t len)
{
    /* The header may follow some junk (up to 1 KB, as readers allow). */
    size_t scan = len < 1024 ? len : 1024;
    for (size_t i = 0; i + 5 <= scan; i++)
        if (b[i] == '%' && memcmp(b + i, "%PDF-", 5) == 0)
            return 95;
    return 0;
}

typedef struct scanned_page {
    unsigned page;
} scanned_page;

/* The file's name without folder and extension: the title of a PDF that
 * cannot be opened. */
static void base_title(civ_doc *doc, const char *name)
{
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    civ_doc_add(doc, "title", base, n);
}

/* A time from the reply (the helper's "%lld"), 0 (unknown) if none. */
static long long meta_time(const civ_buf *b)
{
    long long t = 0;
    (void)civ_parse_stored(&t, civ_buf_str(b));
    return t;
}

civ_status civ_pdf_from_reply(civ_doc *doc, const civ_input *in, const unsigned char *reply,
                              size_t reply_len, civ_error *err)
{
    const civ_pipeline_opts *o = civ_input_opts(in);
    civ_file_report *rep = civ_input_report(in);
    civ_status s = CIV_OK;

    /* The reply: metadata, the page count, then each page. */
    civ_buf meta[CIV_META_ENCRYPTED + 1];
    for (size_t i = 0; i <= CIV_META_ENCRYPTED; i++)
        meta[i] = (civ_buf)CIV_BUF_INIT;
    civ_page_text *pages = NULL;
    scanned_page *scans = NULL;
    size_t npages = 0, nscans = 0;
    size_t pos = 0, dlen;
    unsigned type;
    uint32_t num;
    const unsigned char *data;
    while (s == CIV_OK && civ_rec_next(reply, reply_len, &pos, &type, &num, &data, &dlen) == 1) {
        if (type == CIV_REC_META && num >= 1 && num <= CIV_META_ENCRYPTED) {
            civ_buf_reset(&meta[num]);
            civ_buf_append(&meta[num], data, dlen);
        } else if (type == CIV_REC_PAGES && !pages && num > 0) {
            if (num > 1000000 || !(pages = calloc(num, sizeof *pages)) ||
                !(scans = calloc(num, sizeof *scans)))
                s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            else
                npages = num;
        } else if (type == CIV_REC_PAGE && num >= 1 && num <= npages) {
            pages[num - 1].page = num;
            civ_buf_append(&pages[num - 1].text, data, dlen);
        } else if (type == CIV_REC_SCANNED && num >= 1 && num <= npages && nscans < npages) {
            scans[nscans++].page = num;
        }
    }
    for (size_t i = 0; i < npages; i++)
        if (!pages[i].page)
            pages[i].page = (unsigned)i + 1;

    if (s == CIV_OK && meta[CIV_META_ENCRYPTED].len &&
        strcmp(meta[CIV_META_ENCRYPTED].data, "password") == 0) {
        /* Nothing inside can be read without the password: the file is
         * still found by its name. */
        civ_input_warn(in, "encrypted: needs a password to open; only its name is indexed");
        base_title(doc, in->name);
        civ_doc_set_str(doc, "type", "article");
    } else if (s == CIV_OK) {
        if (o->ocr && nscans)
            civ_docs_ocr_expect((int)nscans);
        int stop = 0;
        size_t unread = 0; /* scanned pages left for a run with --ocr */
        /* OCR cache keys: the PDF's bytes and the page number. */
        uint64_t fh = o->ocr && nscans ? civ_hash64(in->bytes, in->len, 0) : 0;
        for (size_t i = 0; i < nscans && s == CIV_OK; i++) {
            civ_page_text *pt = &pages[scans[i].page - 1];
            if (!o->ocr || stop) {
                if (rep)
                    rep->scanned++;
                unread += !o->ocr;
                if (stop)
                    civ_docs_ocr_expect(-1);
                continue;
            }
            civ_buf ocr = CIV_BUF_INIT;
            civ_sandbox_req oreq = { .op = CIV_SANDBOX_PDF_OCR, .bytes = in->bytes, .len = in->len,
                                     .page = scans[i].page,
                                     .flags = CIV_SANDBOX_SAME_DOC | CIV_SANDBOX_KEEP };
            int ok;
            char key[17];
            civ_hash64_hex(key, civ_hash64(&fh, sizeof fh, ((uint64_t)1 << 40) + scans[i].page));
            s = civ_docs_ocr(&ocr, &ok, &stop, in, &oreq, key, 1, err);
            if (s == CIV_OK && ok && ocr.len) {
                if (pt->text.len)
                    civ_buf_putc(&pt->text, '\n');
                civ_buf_append(&pt->text, ocr.data, ocr.len);
            } else if (s == CIV_OK && !ok && rep) {
                rep->scanned++;
            }
            civ_buf_free(&ocr);
        }
        if (s == CIV_OK) {
            civ_docs_add_pages(doc, pages, npages);
            civ_docs_meta m = {
                .title = civ_buf_str(&meta[CIV_META_TITLE]),
                .author = civ_buf_str(&meta[CIV_META_AUTHOR]),
                .subject = civ_buf_str(&meta[CIV_META_SUBJECT]),
                .keywords = civ_buf_str(&meta[CIV_META_KEYWORDS]),
                .created = meta_time(&meta[CIV_META_CREATED]),
                .modified = meta_time(&meta[CIV_META_MODIFIED]),
                .pages = (long)npages,
            };
            civ_docs_set_meta(doc, &m);
            if (unread) {
                char nb[24];
                snprintf(nb, sizeof nb, "%zu", unread);
                civ_doc_set_str(doc, "unread_scans", nb);
                /* Scans only: indexed by its name and metadata (the
                 * summary counts the pages left unread), and read again
                 * by a run with --ocr. */
                size_t tlen;
                civ_doc_text(doc, &tlen);
                if (tlen == 0 && !civ_doc_get(doc, "title"))
                    base_title(doc, in->name);
            }
            if (rep)
                rep->pages += (unsigned)npages;
        }
    }
    for (size_t i = 0; i < npages; i++)
        civ_buf_free(&pages[i].text);
    for (size_t i = 0; i <= CIV_META_ENCRYPTED; i++)
        civ_buf_free(&meta[i]);
    free(pages);
    free(scans);
    if (s != CIV_OK)
        return s;
    return civ_doc_check(doc, err);
}

static civ_status pdf_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    const civ_pipeline_opts *o = civ_input_opts(in);
    civ_buf reply = CIV_BUF_INIT;
    civ_sandbox_req req = { .op = CIV_SANDBOX_PDF, .bytes = in->bytes, .len = in->len,
                            .flags = o->ocr ? CIV_SANDBOX_KEEP : 0 };
    int done;
    civ_status s = civ_docs_run(&reply, &done, in, &req, "the PDF reader", err);
    if (s == CIV_OK)
        s = civ_pdf_from_reply(doc, in, (const unsigned char *)reply.data, reply.len, err);
    civ_buf_free(&reply);
    return s;
}

const civ_extractor civ_extractor_pdf = {
    .name = "pdf",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OWN_DOC,
    .extensions = pdf_exts,
    .media_types = pdf_types,
    .sniff = pdf_sniff,
    .extract = pdf_extract,
};
