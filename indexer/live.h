/*
 * indexer/live.h — updating an index in place: the live generation is
 * written by every worker in batches, each batch holding whole files
 * only, so a crash loses nothing the next run does not redo.
 *
 * A worker brackets each file's changes with live_begin / live_end: a
 * commit waits until no file is half written, and happens when the
 * pending changes reach the batch bounds. Per file the worker settles
 * what it can without extracting (live_settle: same content at the same
 * or a vanished path), else removes the file's old documents
 * (live_replace) and puts the new ones (live_put).
 */
#ifndef CIV_LIVE_H
#define CIV_LIVE_H

#include "civ/doc.h"
#include "civ/writer.h"
#include "indexdir.h"
#include "known.h"
#include "progress.h"

typedef struct live_update live_update;

/* Opens the current generation of dir for updating (a single-file
 * generation is first expanded back into a folder; a legacy folder is
 * written in place). *empty is set when it holds no documents (the run
 * builds afresh instead: free it). */
civ_status live_open(live_update **out, civ_indexdir *dir, const char *stemmer,
                     unsigned batch_docs, size_t batch_bytes, run_log *log, int *empty,
                     civ_error *err);

/* Discards uncommitted changes and frees. NULL is a no-op. */
void live_free(live_update *l);

/* After a fatal error elsewhere in the run: nothing more is committed. */
void live_abort(live_update *l);

/* The live writer (for reading what the index holds). */
civ_writer *live_writer(live_update *l);

/* Starts and ends the write phase of one file (see above); *writing is
 * the worker's own flag. live_end commits when a batch is due; after any
 * failure nothing more is committed. */
void live_begin(live_update *l, int *writing);
civ_status live_end(live_update *l, int *writing, civ_error *err);

/* A file with this content hash: when the index holds the same content
 * (kf, the file's own entry, or a vanished file's, claimed through
 * claim_move), its documents get the file's place and time without being
 * extracted again, and *settled is set (with *moved and *touched). The
 * caller serialises claim_move with the run's other marks. */
typedef struct live_file {
    const char *rel, *path, *root;  /* the file found by the walk */
    long long mtime;
    uint64_t size;
    const char *hash;
    known_file *kf;                 /* the file's entry, or NULL */
} live_file;

civ_status live_settle(live_update *l, const live_file *f, known_file *(*claim_move)(void *ctx),
                       void *claim_ctx, int *writing, int *settled, known_file **src,
                       civ_error *err);

/* Removes the documents the index holds of kf's file (within the file's
 * write phase). */
civ_status live_replace(live_update *l, const known_file *kf, civ_error *err);

/* Puts a finished document (within the file's write phase). */
civ_status live_put(live_update *l, const civ_doc *doc, civ_error *err);

/* Removes the documents of files under the run's roots that the walk did
 * not find (skip(ctx, f) says which unseen files to keep: other roots,
 * folders that could not be read), committing in batches. */
civ_status live_prune(live_update *l, known_set *k, int (*skip)(void *ctx, const known_file *f),
                      void *ctx, civ_error *err);

/* The run's last commit: `started` (the run's start time, or NULL when
 * it was interrupted) is recorded, the spelling counts flushed. */
civ_status live_finish(live_update *l, const char *started, civ_error *err);

/* The start time recorded by the previous run (LLONG_MAX if none):
 * files changed at or after it may have changed again unseen. */
long long live_prev_started(live_update *l);

#endif
