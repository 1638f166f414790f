/*
 * civ/indexdir.h — the index folder: generations, the writer lock, scratch
 * space and atomic switches.
 *
 * Layout of an index folder made by civindex:
 *   XAPIANDB        Xapian stub file naming the current generation
 *                   ("auto db.7"); readers open the folder and Xapian
 *                   follows the stub
 *   db.N/           the current generation (a glass database), or
 *   db.N.glass      a single-file compacted generation (read-only)
 *   civindex.lock   held (flock) by the civindex writing the index; holds
 *                   its pid
 *   tmp/            scratch: shards and merge outputs of the running civindex
 *
 * A new generation is built in tmp/, synced, renamed to db.N+1 and then
 * published by renaming a new stub over XAPIANDB: a crash at any moment
 * leaves the previous generation in use and intact. Older generations are
 * removed after the switch and when the folder is next opened for writing.
 *
 * An index folder that is itself a glass database (made before
 * generations existed) is "legacy": it is updated in place; publishing into
 * it (a --full rebuild) turns it into the layout above, the removal of its
 * "iamglass" file being the atomic switch.
 */
#ifndef CIV_INDEXDIR_H
#define CIV_INDEXDIR_H

#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_indexdir civ_indexdir;

/* Opens the index folder at path for writing, creating it if needed, and
 * takes the writer lock. Errors: CIV_ELOCKED ("index X is locked by
 * another civindex (pid N)"), CIV_EIO (cannot create or write the folder:
 * read-only, permissions, disk full), CIV_EINVAL (path is not a folder).
 * Leftovers of an interrupted run (tmp/, unused generations) are removed.
 * *out is owned by the caller; civ_indexdir_free releases the lock. */
civ_status civ_indexdir_open(civ_indexdir **out, const char *path, civ_error *err);

/* Releases the lock and frees d. NULL is a no-op. */
void civ_indexdir_free(civ_indexdir *d);

/* The folder path given to civ_indexdir_open. */
const char *civ_indexdir_path(const civ_indexdir *d);

/* Path of the current generation, or NULL when there is none yet. Borrowed:
 * valid until the next publish. */
const char *civ_indexdir_current(const civ_indexdir *d);

/* 1 if the current generation is a single file (read-only). */
int civ_indexdir_current_is_file(const civ_indexdir *d);

/* 1 for a legacy folder (a glass database itself: written in place). */
int civ_indexdir_legacy(const civ_indexdir *d);

/* 1 if the folder holds generations but its XAPIANDB names none (lost or
 * garbled): only a rebuild (--full) may write there. */
int civ_indexdir_damaged(const civ_indexdir *d);

/* Path of name inside the scratch folder tmp/ (created on first use),
 * malloc'd (caller frees) into *out. */
civ_status civ_indexdir_scratch(char **out, civ_indexdir *d, const char *name, civ_error *err);

/* Makes the database at built (a folder, or a single file if single_file;
 * normally inside tmp/) the current generation: syncs it, renames it into
 * place, switches the stub atomically and removes older generations (and
 * the files of a legacy folder). */
civ_status civ_indexdir_publish(civ_indexdir *d, const char *built, int single_file,
                                civ_error *err);

/* Removes one database made in tmp/ (a path from civ_indexdir_scratch)
 * once it is no longer needed. Paths outside tmp/ are left alone. */
void civ_indexdir_drop_scratch(civ_indexdir *d, const char *path);

/* Removes tmp/ and everything in it. */
void civ_indexdir_clean_scratch(civ_indexdir *d);

/* Fault injection for the crash tests: when the environment variable
 * CIVINDEX_CRASH_AT is "NAME" or "NAME:N", the N-th (default first) call
 * with that name kills the process with SIGKILL, as a power cut would;
 * "NAME:N:stop" stops it with SIGSTOP instead, holding whatever it holds
 * (the lock test freezes a writer this way until it sends SIGCONT).
 * Points, in the order of a run: "walk" (a path found by the walk, before
 * it is queued), "file" (after a file is done), "shard" (a worker's
 * scratch shard committed and closed during a build), "commit" (before a
 * commit of the live index), "committed" (after it), "shards-merged" (32
 * closed shards merged into one during a build), "merged" (all shards
 * merged, not yet published), "prune" (before the documents of files gone
 * are removed), "renamed" (new generation in place, stub not yet
 * switched), "compacted" (civindex --compact: the compacted copy written,
 * not yet published). */
void civ_crash_point(const char *name);

/* Syncs a file, or a folder and everything in it, to disk. */
civ_status civ_sync_tree(const char *path, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
