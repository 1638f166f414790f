/*
 * civ/indexrun.h — one civindex run: walk the roots, process every file,
 * write the documents, commit in batches, count what happened.
 */
#ifndef CIV_INDEXRUN_H
#define CIV_INDEXRUN_H

#include <stddef.h>
#include <stdint.h>

#include "civ/pipeline.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_run_counts {
    uint64_t indexed;   /* files that gave documents */
    uint64_t skipped;   /* empty, binary, too big, no text */
    uint64_t failed;    /* unreadable, malformed, truncated */
    uint64_t ignored;   /* formats civindex does not read */
    uint64_t warnings;  /* problems in files that were still indexed */
    uint64_t docs;      /* documents written */
    uint64_t bytes;     /* bytes of input read */
} civ_run_counts;

/* What the run tells its user, one call per event. */
typedef struct civ_run_events {
    void *ctx;
    /* A file's outcome (every file, whatever happened). */
    void (*file)(void *ctx, const char *path, const civ_file_report *rep);
    /* A warning about a file that was still indexed. */
    void (*warning)(void *ctx, const char *path, const char *msg);
} civ_run_events;

#define CIV_RUN_OPTS_VERSION 1

typedef struct civ_run_opts {
    unsigned version;           /* CIV_RUN_OPTS_VERSION */
    const char *index;          /* index path */
    const char *const *roots;   /* files and folders to index */
    size_t nroots;
    size_t max_size;            /* 0: CIV_DEFAULT_MAX_SIZE */
    const char *format;         /* force an extractor, or NULL */
    const char *stemmer;        /* for a new index; NULL: english */
    int full;                   /* rebuild the index from scratch */
    unsigned batch_docs;        /* commit after this many documents (0: 2000) */
    size_t batch_bytes;         /* ... or this many bytes of pending changes (0: 64 MB) */
    civ_run_events events;
} civ_run_opts;

#define CIV_RUN_OPTS_INIT { CIV_RUN_OPTS_VERSION, NULL, NULL, 0, 0, NULL, NULL, 0, 0, 0, { 0 } }

/* Runs civindex. counts is filled even when an error stops the run (with
 * what was done until then; documents committed before stay committed).
 * Errors are fatal ones only: CIV_ELOCKED, CIV_EIO (index not writable,
 * disk full), CIV_ENOMEM, CIV_ENOTFOUND (a root does not exist) … */
civ_status civ_index_run(civ_run_counts *counts, const civ_run_opts *opts, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
