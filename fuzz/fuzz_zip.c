/* Fuzz target: a file named "input.zip" through the whole extraction
 * pipeline (the zip reader, and every member or part it hands back). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pipeline("input.zip", data, size);
    return 0;
}
