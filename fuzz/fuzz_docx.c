/* Fuzz target: a file named "input.docx" through the whole extraction
 * pipeline (the docx reader, and every member or part it hands back). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pipeline("input.docx", data, size);
    return 0;
}
