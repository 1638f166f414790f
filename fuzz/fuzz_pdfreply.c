/* Fuzz target: the PDF reader's reply as civindex reads it from the
 * sandbox (records: metadata, page count, pages, scanned pages), and the
 * document it makes, encoded as the index would store it. */
#include "fuzz.h"

#include "civ/buf.h"
#include "civ/doc.h"
#include "documents.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const civ_file_info file = { .path = "/fuzz/input.pdf", .id = "input.pdf",
                                        .hash = "0123456789abcdef" };
    civ_input in = { .name = "input.pdf", .bytes = data, .len = size, .sub = "", .where = "",
                     .format = "pdf", .file = &file, .max_size = 1 << 20 };
    civ_doc *doc = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_doc_new(&doc, &err) != CIV_OK)
        return 0;
    if (civ_pdf_from_reply(doc, &in, data, size, &err) == CIV_OK) {
        civ_buf b = CIV_BUF_INIT;
        civ_doc_encode(&b, doc, 1, NULL);
        civ_buf_free(&b);
    }
    civ_doc_free(doc);
    return 0;
}
