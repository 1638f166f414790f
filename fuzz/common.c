/* The pipeline harness of the file-format targets: see fuzz.h. */
#include "fuzz.h"

#include <libxml/parser.h>

#include "civ/buf.h"
#include "civ/doc.h"
#include "pipeline.h"

/* Each document as the writer would store it: the encoder and the decoder
 * read what the extractors made. */
static civ_status emit(void *ctx, civ_doc *doc, const char *sub, civ_error *err)
{
    (void)ctx, (void)sub;
    civ_buf b = CIV_BUF_INIT;
    civ_status s = civ_doc_encode(&b, doc, 1, err);
    if (s == CIV_OK) {
        civ_doc *back = NULL;
        if (civ_doc_decode(&back, b.data, b.len, 1, NULL) == CIV_OK)
            civ_doc_free(back);
    }
    civ_buf_free(&b);
    return s == CIV_ENOMEM ? s : CIV_OK;
}

static void quiet(void *ctx, const char *msg)
{
    (void)ctx, (void)msg;
}

void fuzz_pipeline(const char *name, const uint8_t *data, size_t size)
{
    static int started;
    if (!started) {
        xmlInitParser();
        started = 1;
    }
    civ_pipeline_opts o = { .max_size = 1 << 20, .root = "/fuzz", .warn = quiet };
    civ_file_report rep;
    civ_error err = CIV_ERROR_INIT;
    civ_pipeline_bytes(&o, name, name, name, data, size, 1700000000, emit, NULL, &rep, &err);
}
