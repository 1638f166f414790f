/*
 * indexer/files.h — the documents of a file in an index.
 *
 * A file gives one document (its id is the file's id) or several (an mbox,
 * an archive: ids "FILE#3", "FILE#dir/a.txt", each with the field "file"
 * naming the file). These are the file-level operations an incremental
 * run needs, built on the writer's generic ones (civ/writer.h): what the
 * index knows of each document, removing a file's documents, and moving
 * them to a new path without extracting the file again.
 */
#ifndef CIV_FILES_H
#define CIV_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "civ/status.h"
#include "civ/writer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the index knows about one document, for incremental runs. */
typedef struct civ_known {
    const char *id;
    long long mtime;   /* -1 if unknown */
    uint64_t size;
    const char *hash;  /* "" if unknown */
    const char *file;  /* id of the file it came from (its own id for a file of one document) */
    const char *root;  /* folder it was found under ("" if unknown) */
    unsigned unread_scans; /* scanned pages it left unread (no --ocr) */
} civ_known;

/* Calls fn for every document of the index (committed state), in no
 * particular order; fn returning non-zero stops the walk. Strings are
 * borrowed for the call. */
civ_status civ_files_each(civ_writer *w, int (*fn)(void *ctx, const civ_known *k), void *ctx,
                          civ_error *err);

/* Removes every document that came from the file with this id. *ndocs
 * (may be NULL) receives how many. */
civ_status civ_files_delete(civ_writer *w, const char *file, unsigned *ndocs, civ_error *err);

/* Gives the documents of file `old_file` a new place without extracting
 * them again: their id (new_file plus the old suffix, "#3"), "file",
 * "path", "root" and "mtime" change; terms and stored text stay. Used for
 * moved files (same content hash) and for touched ones (new_file equal to
 * old_file, new mtime). new_root may be NULL (kept). *ndocs (may be NULL)
 * receives how many documents were changed. */
civ_status civ_files_relocate(civ_writer *w, const char *old_file, const char *new_file,
                              const char *new_path, const char *new_root, long long mtime,
                              unsigned *ndocs, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
