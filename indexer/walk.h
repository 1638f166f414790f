/*
 * civ/walk.h — finding the files under the folders given to civindex.
 */
#ifndef CIV_WALK_H
#define CIV_WALK_H

#include <stddef.h>
#include <sys/stat.h>

#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called for every file found that is not a folder (st filled, errnum 0:
 * regular files, and special files — FIFOs, devices, sockets — which must
 * never be opened), and for every entry that could not be read (st NULL,
 * errnum says why). path is the
 * path to open; rel is the path relative to the root (for a root that is a
 * file: its name). Both are borrowed for the call. Returning non-zero
 * stops the walk (civ_walk then returns CIV_OK). */
typedef int (*civ_walk_fn)(void *ctx, const char *path, const char *rel,
                           const struct stat *st, int errnum);

typedef struct civ_walk_opts {
    /* Directories never to enter (the index itself), by device and inode. */
    const dev_t *skip_dev;
    const ino_t *skip_ino;
    size_t nskip;
    int include_hidden;    /* also walk names starting with "." */
} civ_walk_opts;

/* Walks root depth-first in name order. Symbolic links are followed, but a
 * directory is entered only once (no loops, no duplicates). Hidden entries
 * (".name"), version-control folders and Xapian databases are skipped.
 * Returns CIV_ENOTFOUND / CIV_EIO when root itself cannot be read. */
civ_status civ_walk(const char *root, const civ_walk_opts *opts, civ_walk_fn fn, void *ctx,
                    civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
