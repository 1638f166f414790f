/* Fuzz target: the stored-record decoder (document data read back from
 * the index), whole and as a stream. */
#include "fuzz.h"

#include "civ/compress.h"
#include "civ/doc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    civ_doc *doc = NULL;
    if (civ_doc_decode(&doc, (const char *)data, size, 1, NULL) == CIV_OK)
        civ_doc_free(doc);
    civ_inflater *z = NULL;
    size_t total = 0;
    doc = NULL;
    if (civ_doc_decode_stream(&doc, &z, &total, (const char *)data, size, NULL) == CIV_OK) {
        int complete = 0;
        while (z && !complete &&
               civ_inflater_read(z, civ_doc_text_buf(doc), 4096, &complete, NULL) == CIV_OK)
            ;
        civ_inflater_free(z);
        civ_doc_free(doc);
    }
    return 0;
}
