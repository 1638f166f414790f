/*
 * fuzz/fuzz.h — what the fuzz targets share. Each fuzz/fuzz_<name>.c
 * defines LLVMFuzzerTestOneInput for one parser or entry point; built with
 * -DCIV_FUZZ=ON (clang, -fsanitize=fuzzer,address,undefined) they are
 * libFuzzer programs (`make fuzz`); in every other build they are linked
 * with replay.c into programs that run saved inputs, so that each seed and
 * each crash ever found is replayed by ctest (tests/fuzz/).
 */
#ifndef CIV_FUZZ_H
#define CIV_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Runs the extraction pipeline over data as a file of this name (its
 * extension picks the format), discarding the documents after encoding
 * them as the index would store them. */
void fuzz_pipeline(const char *name, const uint8_t *data, size_t size);

#endif
