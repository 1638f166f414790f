/* Fuzz target: a file named "input.tar" through the whole extraction
 * pipeline (the tar reader, and every member or part it hands back). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pipeline("input.tar", data, size);
    return 0;
}
