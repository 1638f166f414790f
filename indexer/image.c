/*
 * Scanned images: TIFF (every frame a page), PNG, JPEG. Read only under
 * --ocr (the registry ignores them otherwise): each frame is decoded and
 * read by Tesseract in the sandbox, one request a page (so the limits are
 * per page), through the OCR cache keyed by the image's content and the
 * frame.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/hash.h"
#include "documents.h"
#include "extract.h"
#include "pipeline.h"

static const char *const image_exts[] = { "tif", "tiff", "png", "jpg", "jpeg", NULL };
static const char *const image_types[] = { "image/tiff", "image/png", "image/jpeg", NULL };

/* Most frames read from one image. */
#define MAX_FRAMES 5000

static int image_sniff(const unsigned char *b, size_t len)
{
    if (len >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
                     (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42)))
        return 70;
    if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
        return 70;
    if (len >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF)
        return 60;
    return 0;
}

static civ_status image_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    civ_file_report *rep = civ_input_report(in);
    civ_buf reply = CIV_BUF_INIT;
    const civ_pipeline_opts *o = civ_input_opts(in);
    civ_sandbox_req req = { .op = CIV_SANDBOX_IMAGE_OCR, .bytes = in->bytes, .len = in->len,
                            .page = 0, .flags = CIV_SANDBOX_KEEP,
                            .arg = o->ocr_lang && *o->ocr_lang ? o->ocr_lang : "eng" };
    int done;
    civ_status s = civ_docs_run(&reply, &done, in, &req, "the image reader", err);
    if (s != CIV_OK) {
        civ_buf_free(&reply);
        return s;
    }
    unsigned frames = 0;
    size_t pos = 0, dlen;
    unsigned type;
    uint32_t num;
    const unsigned char *data;
    while (civ_rec_next((const unsigned char *)reply.data, reply.len, &pos, &type, &num, &data,
                        &dlen) == 1)
        if (type == CIV_REC_PAGES)
            frames = num;
    civ_buf_free(&reply);
    if (frames > MAX_FRAMES) {
        civ_input_warn(in, "%u frames: only the first %d read", frames, MAX_FRAMES);
        frames = MAX_FRAMES;
    }
    civ_page_text *pages = calloc(frames ? frames : 1, sizeof *pages);
    if (!pages)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    civ_docs_ocr_expect((int)frames);
    uint64_t h = civ_hash64(in->bytes, in->len, 0);
    int stop = 0;
    for (unsigned f = 0; f < frames && s == CIV_OK; f++) {
        pages[f].page = f + 1;
        if (stop) {
            civ_docs_ocr_expect(-1);
            if (rep)
                rep->scanned++;
            continue;
        }
        char key[17];
        civ_hash64_hex(key, civ_hash64(&h, sizeof h, (uint64_t)f + 0x1000));
        civ_sandbox_req oreq = { .op = CIV_SANDBOX_IMAGE_OCR, .bytes = in->bytes, .len = in->len,
                                 .page = f + 1,
                                 .flags = CIV_SANDBOX_SAME_DOC | CIV_SANDBOX_KEEP };
        int ok;
        s = civ_docs_ocr(&pages[f].text, &ok, &stop, in, &oreq, key, 0, err);
        if (s == CIV_OK && !ok && rep)
            rep->scanned++;
    }
    if (s == CIV_OK) {
        civ_docs_add_pages(doc, pages, frames);
        civ_docs_meta m = { .pages = (long)frames };
        civ_docs_set_meta(doc, &m);
        if (rep)
            rep->pages += frames;
    }
    for (unsigned f = 0; f < frames; f++)
        civ_buf_free(&pages[f].text);
    free(pages);
    if (s != CIV_OK)
        return s;
    return civ_doc_check(doc, err);
}

const civ_extractor civ_extractor_image = {
    .name = "image",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OCR | CIV_EXTRACTOR_OWN_DOC,
    .extensions = image_exts,
    .media_types = image_types,
    .sniff = image_sniff,
    .extract = image_extract,
};
