/* Fuzz target: a file named "input.odt" through the whole extraction
 * pipeline (the odt reader, and every member or part it hands back). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_pipeline("input.odt", data, size);
    return 0;
}
