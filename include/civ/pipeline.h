/*
 * civ/pipeline.h — one file from disk to finished documents.
 *
 *   read → (gunzip) → pick extractor → extract → common fields → enrich → emit
 *
 * The pipeline does no indexing itself: it hands each finished document to
 * an emit callback (the writer, or a queue feeding it), so files can be
 * processed in parallel threads. It never fails because of a bad file:
 * what happened to the file is in the report; only fatal conditions (out of
 * memory, the emit callback failing) are returned as errors.
 */
#ifndef CIV_PIPELINE_H
#define CIV_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "civ/extract.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum civ_outcome {
    CIV_FILE_INDEXED = 0, /* one or more documents emitted */
    CIV_FILE_SKIPPED,     /* deliberately not indexed: empty, binary, too big, no text */
    CIV_FILE_FAILED,      /* could not be read or parsed */
    CIV_FILE_IGNORED      /* not a format civindex reads (by its extension) */
} civ_outcome;

typedef struct civ_file_report {
    civ_outcome outcome;
    unsigned docs;          /* documents emitted */
    unsigned warnings;      /* warnings passed to the warn callback */
    char reason[256];       /* why skipped / failed / ignored (one line) */
    char format[16];        /* extractor used ("html"), "" if none */
} civ_file_report;

#define CIV_DEFAULT_MAX_SIZE ((size_t)64 * 1024 * 1024)

typedef struct civ_pipeline_opts {
    size_t max_size;        /* larger files (or decompressed data) are skipped; 0: 64 MB */
    const char *root;       /* the folder given on the command line (stored) */
    const char *format;     /* force this extractor for every file, or NULL */
    civ_warn_fn warn;       /* receives warnings about partly bad files */
    void *warn_ctx;
    const char *hash;       /* the bytes' content hash (civ_hash64_hex of
                               civ_hash64(bytes, len, 0)) when the caller has
                               it already, or NULL */
} civ_pipeline_opts;

/* Processes the file at path, whose document id is id. st may be NULL (it
 * is then read from the file). See the file comment for the contract. */
civ_status civ_pipeline_file(const civ_pipeline_opts *o, const char *path, const char *id,
                             const struct stat *st, civ_emit_fn emit, void *ctx,
                             civ_file_report *rep, civ_error *err);

/* Reads the file at path (at most the maximum size) for
 * civ_pipeline_bytes. st may be NULL. On success *bytes (malloc'd,
 * NUL-terminated, caller frees) and *len are set; when the file cannot be
 * opened or read, or is too large, *bytes is NULL and rep says why
 * (outcome FAILED or SKIPPED). Errors: CIV_ENOMEM only. */
civ_status civ_pipeline_read(unsigned char **bytes, size_t *len, const civ_pipeline_opts *o,
                             const char *path, const struct stat *st, civ_file_report *rep,
                             civ_error *err);

/* The same for bytes already in memory (tests, fuzzers, mail attachments).
 * name picks the format like a file name would. The bytes are borrowed. */
civ_status civ_pipeline_bytes(const civ_pipeline_opts *o, const char *path, const char *name,
                              const char *id, const unsigned char *bytes, size_t len,
                              long long mtime, civ_emit_fn emit, void *ctx,
                              civ_file_report *rep, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
