/*
 * indexer/pipeline.h — one file from disk to finished documents.
 *
 *   read → civ_pipeline_bytes: the registry (extract.h) → common fields →
 *   enrich → emit
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

#include "extract.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_file_report {
    civ_outcome outcome;
    unsigned docs;          /* documents emitted */
    unsigned warnings;      /* warnings passed to the warn callback */
    char reason[256];       /* why skipped / failed / ignored (one line) */
    char format[16];        /* extractor used ("html"), "" if none */
    /* Paged formats and the sandbox (docs/documents.md). */
    unsigned pages;         /* pages read (PDF, scanned images) */
    unsigned scanned;       /* scanned pages not read as text (no --ocr) */
    unsigned ocr_pages;     /* pages read by OCR ... */
    unsigned ocr_cached;    /* ... of them, found in the OCR cache */
    unsigned over_limit;    /* documents or OCR pages stopped by --doc-timeout
                               or --doc-memory */
} civ_file_report;

#define CIV_DEFAULT_MAX_SIZE ((size_t)64 * 1024 * 1024)

/* Receives each finished document. The document is borrowed: the callee
 * must not keep it. sub is the document's id suffix within the file ("#3"),
 * or NULL for the file's own document. Returning an error stops the file
 * and is passed up. */
typedef civ_status (*civ_emit_fn)(void *ctx, civ_doc *doc, const char *sub, civ_error *err);

/* Reports a problem in a file that was still indexed (one line). */
typedef void (*civ_warn_fn)(void *ctx, const char *msg);

typedef struct civ_pipeline_opts {
    size_t max_size;        /* larger files (or decompressed data) are skipped; 0: 64 MB */
    const char *root;       /* the folder given on the command line (stored) */
    const char *format;     /* force this extractor for every file, or NULL */
    civ_warn_fn warn;       /* receives warnings about partly bad files */
    void *warn_ctx;
    const char *hash;       /* the bytes' content hash (civ_hash64_hex of
                               civ_hash64(bytes, len, 0)) when the caller has
                               it already, or NULL */
    /* Documents read in the sandbox (PDF, scans, converters). */
    int ocr;                /* read scanned pages and images with Tesseract */
    const char *ocr_lang;   /* Tesseract languages ("eng+deu"), NULL: eng */
    const char *ocr_cache;  /* folder of cached OCR text, or NULL: no cache */
    unsigned doc_cpu;       /* CPU seconds a document (an OCR page) may use; 0: 120 */
    size_t doc_memory;      /* memory a document (an OCR page) may use; 0: 1 GB */
    volatile int *stop;     /* non-zero: the run is stopping, and a document
                               being read in the sandbox is given up; or NULL */
} civ_pipeline_opts;

/* The options of the extraction in (never NULL: defaults when in is not
 * part of one). Borrowed, like in. */
const civ_pipeline_opts *civ_input_opts(const civ_input *in);

/* The report of the file in comes from, for its counters (pages, scans,
 * limits); NULL when in is not part of an extraction. Borrowed. */
civ_file_report *civ_input_report(const civ_input *in);

/* Takes n bytes from what the file's parts may still expand to (shared
 * with gzip, CIV_DEFAULT_MAX_SIZE × 4 by default): 0, or -1 when that
 * would exceed it (nothing is taken then). Archives count every member
 * they expand. */
int civ_input_take_budget(const civ_input *in, size_t n);

/* Whether the file in comes from has used up its time: the CPU time
 * civindex's own thread spent on it (parsing, enriching, writing; not the
 * sandbox's, which has its own limit) is past --doc-timeout (doc_cpu).
 * Containers and long loops check it between steps; civ_extract_part and
 * civ_extract_emit refuse to go on once it is (CIV_ETIMEOUT), and the file
 * is skipped — or, when some of its documents were already emitted, kept
 * with what was read and one warning. 0 when in is not part of an
 * extraction. */
int civ_input_expired(const civ_input *in);

/* Reads the file at path (at most the maximum size) for
 * civ_pipeline_bytes. st may be NULL. On success *bytes (malloc'd,
 * NUL-terminated, caller frees) and *len are set; when the file cannot be
 * opened or read, or is too large, *bytes is NULL and rep says why
 * (outcome FAILED or SKIPPED). Errors: CIV_ENOMEM only. */
civ_status civ_pipeline_read(unsigned char **bytes, size_t *len, const civ_pipeline_opts *o,
                             const char *path, const struct stat *st, civ_file_report *rep,
                             civ_error *err);

/* Extracts the documents of a file's bytes (borrowed): path is the file,
 * name picks the format like a file name would, id is the file's document
 * id, mtime its modification time. Tests and fuzzers call it directly. */
civ_status civ_pipeline_bytes(const civ_pipeline_opts *o, const char *path, const char *name,
                              const char *id, const unsigned char *bytes, size_t len,
                              long long mtime, civ_emit_fn emit, void *ctx,
                              civ_file_report *rep, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
