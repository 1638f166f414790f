/* Fuzz target: a file named "input" through the whole extraction pipeline. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pipeline("input", data, size);
    return 0;
}
