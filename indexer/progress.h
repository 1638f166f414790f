/*
 * indexer/progress.h — what a run tells its user: the counts of the
 * summary (civ_run_counts), the events (one at a time, from any thread),
 * and progress about ten times a second, with a total counted by a walk
 * of its own ahead of the workers.
 */
#ifndef CIV_PROGRESS_H
#define CIV_PROGRESS_H

#include <stddef.h>
#include <sys/types.h>

#include "indexrun.h"

typedef struct run_log run_log;

/* Counts into *counts and reports through o->events. CIV_ENOMEM. */
civ_status run_log_new(run_log **out, const civ_run_opts *o, civ_run_counts *counts,
                       civ_error *err);

/* Stops the progress threads and frees. NULL is a no-op. */
void run_log_free(run_log *l);

/* Starts the progress threads when the caller wants progress: a walk
 * counting the files (skipping the folder of the index, dev/ino) and the
 * ticker. */
void run_log_start(run_log *l, dev_t skip_dev, ino_t skip_ino, int have_skip);

/* The phase progress names ("indexing", "merging", …). */
void run_log_phase(run_log *l, const char *phase);

/* Stops counting ahead (a stop was asked for). */
void run_log_halt(run_log *l);

/* The walk found a file; unchanged ones are done already. */
void run_log_found(run_log *l, int unchanged);

/* The walk found a file remembered as bad and unchanged: not read again,
 * counted (known_bad, or ignored and not_read) but not reported. */
void run_log_known_bad(run_log *l, const char *path, int ignored, const char *reason);

/* The walk could not read an entry: a failed file, reported. */
void run_log_unreadable(run_log *l, const char *path, int errnum);

/* A worker read n bytes of input; wrote n documents. */
void run_log_bytes(run_log *l, uint64_t n);
void run_log_docs(run_log *l, uint64_t n);

/* A file's outcome (every file processed; changed: the index knew an
 * older version of it). */
void run_log_file(run_log *l, const char *path, const civ_file_report *rep, int changed);

/* A file settled without extracting it: moved (detail: the old path) or
 * the same content (touched: only its time changed). */
void run_log_settled(run_log *l, const char *path, int moved, int touched, const char *detail);

/* The scanned pages a file not read again (unchanged, moved) left unread
 * when it was read without --ocr, as the index remembers them: the
 * summary counts them like those of the files read in this run. */
void run_log_unread_scans(run_log *l, unsigned pages);

/* A warning about a file that was still indexed. */
void run_log_warning(run_log *l, const char *path, const char *msg);

/* Documents of a file gone from disk removed (file id, its root). */
void run_log_removed(run_log *l, const char *file, const char *root, unsigned ndocs);

/* One job finished, whatever happened to it. */
void run_log_done(run_log *l);

#endif
