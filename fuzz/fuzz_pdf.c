/* Fuzz target: the PDF helper's reading of a document (poppler, page
 * texts, metadata, scanned-page detection), run in-process as the
 * sandbox's child runs it, then its reply read back as civindex reads it. */
#include "fuzz.h"

#include "civ/buf.h"
#include "civ/doc.h"
#include "documents.h"
#include "sandbox.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    civ_helper_req r = { .op = CIV_SANDBOX_PDF, .bytes = data, .len = size };
    civ_buf out = CIV_BUF_INIT;
    char reason[200] = "";
    if (civ_helper_pdf(&r, &out, reason) == 0) {
        static const civ_file_info file = { .path = "/fuzz/input.pdf", .id = "input.pdf",
                                            .hash = "0123456789abcdef" };
        civ_input in = { .name = "input.pdf", .bytes = data, .len = size, .sub = "", .where = "",
                         .format = "pdf", .file = &file, .max_size = 1 << 20 };
        civ_doc *doc = NULL;
        if (civ_doc_new(&doc, NULL) == CIV_OK)
            civ_pdf_from_reply(doc, &in, (const unsigned char *)out.data, out.len, NULL);
        civ_doc_free(doc);
    }
    civ_buf_free(&out);
    return 0;
}
