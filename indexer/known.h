/*
 * indexer/known.h — what the index already holds, one entry per file:
 * the basis of an incremental run's decisions (unchanged, changed,
 * moved, gone).
 *
 * Loaded once before the walk (civ_files_each). The walk marks the files
 * it finds (seen); a new file whose content equals that of a known file
 * no longer on disk claims it (a move); what stays unseen and unclaimed
 * under this run's roots is pruned at the end. Lookups are by file id and
 * by content hash. The table is read by many workers: marks are made
 * under the caller's lock, as the functions say.
 */
#ifndef CIV_KNOWN_H
#define CIV_KNOWN_H

#include <stddef.h>
#include <stdint.h>

#include "civ/status.h"
#include "civ/writer.h"

typedef struct known_file {
    char *file;            /* file id (path relative to its root) */
    const char *root;      /* interned */
    long long mtime;
    uint64_t size;
    char hash[17];
    unsigned ndocs;
    unsigned char seen;    /* found by this run's walk */
    unsigned char claimed; /* its documents were moved to a new path */
    unsigned unread_scans; /* scanned pages its documents left unread (no --ocr) */
    /* A file remembered as bad (badfiles.h): it has no documents; bad is
     * 1 + its outcome, kept is set when this run leaves it unread. */
    unsigned char bad, kept;
    char tag[17];
    char *reason;
    struct known_file *next_name, *next_hash;
} known_file;

typedef struct known_set known_set;

/* Reads what the index w holds into a new table (*out, owned by the
 * caller: known_free): the files with documents, and the files
 * remembered as bad. CIV_ENOMEM, or the index's errors. */
civ_status known_load(known_set **out, civ_writer *w, civ_error *err);

/* NULL is a no-op. */
void known_free(known_set *k);

/* The entry of a file id, or NULL. */
known_file *known_find(const known_set *k, const char *file);

/* A known file with this content that has vanished from disk, now
 * claimed as the source of a move (claimed set), or NULL. Checks the
 * disk; call it with the run's lock held (it marks the entry). */
known_file *known_claim_move(known_set *k, const char *hash, uint64_t size);

/* Calls fn for every entry with documents neither seen nor claimed; fn
 * returning non-zero stops (and is returned). */
int known_each_unseen(known_set *k, int (*fn)(void *ctx, known_file *f), void *ctx);

/* Calls fn for every file remembered as bad (also those whose id a file
 * with documents holds: their record is stale); fn returning non-zero
 * stops (and is returned). */
int known_each_bad(known_set *k, int (*fn)(void *ctx, known_file *f), void *ctx);

#endif
