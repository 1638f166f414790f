/*
 * civ/indexrun.h — one civindex run: walk the roots, process every file,
 * write the documents, commit in batches, count what happened.
 *
 * Two ways to write, chosen per run:
 *   - build (new or empty index, or --full): `jobs` worker threads each
 *     extract files from a shared queue into their own shard (a scratch
 *     Xapian database in the index's tmp/; a new one every shard_docs
 *     documents, so that commits stay cheap), all merged at the end by
 *     Xapian's compaction into a new generation that replaces the old one
 *     atomically (civ/indexdir.h);
 *   - update (an index with documents): files whose size and mtime are
 *     unchanged are skipped without being read; the others are read and
 *     hashed by the workers: same content → only the mtime is updated;
 *     same content as a file that has vanished → its documents are moved;
 *     otherwise the file's old documents are replaced. Writes go to the
 *     live index in batches, each batch holding whole files only, so a
 *     crash loses nothing that the next run does not redo. Documents of
 *     files gone from the indexed roots are removed at the end (prune).
 */
#ifndef CIV_INDEXRUN_H
#define CIV_INDEXRUN_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_ext_count {
    char ext[16];
    uint64_t n;
} civ_ext_count;

typedef struct civ_run_counts {
    uint64_t indexed;   /* files that gave documents */
    uint64_t skipped;   /* empty, binary, too big, no text */
    uint64_t failed;    /* unreadable, malformed, truncated */
    uint64_t ignored;   /* formats civindex does not read */
    uint64_t warnings;  /* problems in files that were still indexed */
    uint64_t docs;      /* documents written */
    uint64_t bytes;     /* bytes of input read */
    /* Incremental bookkeeping (files). */
    uint64_t files;     /* files found by the walk */
    uint64_t unchanged; /* same size and mtime (or same content): not re-indexed */
    uint64_t added;     /* new files indexed */
    uint64_t changed;   /* files whose content changed, re-indexed */
    uint64_t moved;     /* new paths of vanished files (same content): not re-extracted */
    uint64_t removed;   /* files gone: their documents removed */
    uint64_t removed_docs;
    /* Files skipped, failed or not read before and unchanged since: not
     * read again (civ_run_opts.retry_failed does), not reported again. */
    uint64_t known_bad;
    /* Files in formats civindex does not read (ignored, also those known
     * from before), by extension (".pdf", "" for none) in the order first
     * met; extensions past the table's size in not_read_other. */
    civ_ext_count not_read[32];
    size_t nnot_read;
    uint64_t not_read_other;
    unsigned jobs;      /* worker threads used */
    int build;          /* 1: built shards and merged them; 0: updated in place */
    int interrupted;    /* stopped early by *opts->stop: no pruning happened */
    int compacted;      /* the index is now a single compacted file */
    int kept_previous;  /* an interrupted --full: the previous index stays */
    /* Documents (docs/documents.md). */
    uint64_t pages;         /* pages read (PDF, scanned images) */
    uint64_t scanned_pages; /* scanned pages not read as text (no --ocr) ... */
    uint64_t scanned_files; /* ... in this many files */
    uint64_t ocr_pages;     /* pages read by OCR ... */
    uint64_t ocr_cached;    /* ... of them from the OCR cache */
    uint64_t over_limit;    /* documents or OCR pages past --doc-timeout/--doc-memory */
} civ_run_counts;

/* Progress, sent about ten times a second while the run lasts. */
typedef struct civ_run_progress {
    uint64_t done;       /* files finished (any outcome, unchanged included) */
    uint64_t total;      /* files to do, 0 while still counting */
    uint64_t bytes;      /* input bytes read so far */
    uint64_t skipped;    /* unchanged + skipped files so far */
    double elapsed;      /* seconds since the start */
    const char *phase;   /* "indexing", "merging", "removing", "compacting" */
} civ_run_progress;

/* What the run tells its user, one call per event. */
typedef struct civ_run_events {
    void *ctx;
    /* A file's outcome (every file, whatever happened). */
    void (*file)(void *ctx, const char *path, const civ_file_report *rep);
    /* A warning about a file that was still indexed. */
    void (*warning)(void *ctx, const char *path, const char *msg);
    /* Incremental changes: what is "moved" (detail: the old path),
     * "removed" (path: the file id gone; detail: its root) or "touched"
     * (same content, new mtime). May be NULL. */
    void (*change)(void *ctx, const char *what, const char *path, const char *detail);
    /* Progress (may be NULL: then nothing is counted ahead). */
    void (*progress)(void *ctx, const civ_run_progress *p);
} civ_run_events;

#define CIV_RUN_OPTS_VERSION 2

typedef struct civ_run_opts {
    unsigned version;           /* CIV_RUN_OPTS_VERSION */
    const char *index;          /* index path */
    const char *const *roots;   /* files and folders to index */
    size_t nroots;
    size_t max_size;            /* 0: CIV_DEFAULT_MAX_SIZE */
    const char *format;         /* force an extractor, or NULL */
    const char *stemmer;        /* for a new index; NULL: english */
    int full;                   /* rebuild the index from scratch */
    unsigned batch_docs;        /* commit after this many documents (0: 500 when
                                   updating, 100 per shard when building) */
    size_t batch_bytes;         /* ... or this many bytes of pending changes
                                   per writer (0: from `memory`) */
    civ_run_events events;
    unsigned jobs;              /* worker threads (0: number of cores) */
    int no_prune;               /* keep documents of files that disappeared */
    int compact;                /* end with a single-file compacted index */
    size_t memory;              /* memory budget in bytes (0: 512 MB) */
    volatile int *stop;         /* set to non-zero (e.g. by a signal handler)
                                   to stop early; what is done is committed */
    unsigned shard_docs;        /* build: a worker starts a new shard after this
                                   many documents (0: CIV_DEFAULT_SHARD_DOCS);
                                   32 of them are merged into one while the
                                   run goes on, the rest at the end */
    int retry_failed;           /* read again the files that failed, were
                                   skipped or not read before though unchanged */
    /* Documents read in the sandbox (docs/documents.md). */
    int ocr;                    /* read scanned pages and images by OCR */
    const char *ocr_lang;       /* Tesseract languages ("eng+deu"); NULL: eng */
    const char *ocr_cache;      /* folder of cached OCR text (INDEX/ocr-cache), or NULL */
    unsigned doc_timeout;       /* CPU seconds a document (an OCR page) may use; 0: 120 */
    size_t doc_memory;          /* memory it may use; 0: 1 GB */
    unsigned nshards, shard;    /* nshards > 1: this index is shard `shard` of
                                   a set, and takes only the files whose id
                                   civ_shard_of() routes to it (shardset.h) */
} civ_run_opts;

#define CIV_RUN_OPTS_INIT { .version = CIV_RUN_OPTS_VERSION }

#define CIV_DEFAULT_MEMORY ((size_t)512 * 1024 * 1024)
#define CIV_DEFAULT_SHARD_DOCS 2000

/* Runs civindex. counts is filled even when an error stops the run (with
 * what was done until then; documents committed before stay committed).
 * Errors are fatal ones only: CIV_ELOCKED, CIV_EIO (index not writable,
 * disk full), CIV_ENOMEM, CIV_ENOTFOUND (a root does not exist) … */
civ_status civ_index_run(civ_run_counts *counts, const civ_run_opts *opts, civ_error *err);

/* Compacts the index at path into a single file: in place (the index
 * becomes one read-only file that the next civindex run turns back into a
 * folder) when output is NULL, else into the new file output, leaving the
 * index as it is. Takes the writer lock like a run. */
civ_status civ_index_compact(const char *path, const char *output, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
