/*
 * shardset.h — civindex --shards N: one corpus written as N shard indexes
 * that civsearch searches as one (civ/db.h), locally or served each by
 * xapian-tcpsrv on its own host.
 *
 * Layout of a shard set folder OUT:
 *   shard-0/ … shard-(N-1)/  each an index folder of its own (indexdir.h):
 *                            compacted, copied, served and re-indexed alone
 *   shard-K.db               a symbolic link to shard-K's current generation
 *                            (db.N), a stable name for xapian-replicate-server
 *   XAPIANDB                 a Xapian stub naming the shards ("auto shard-0"
 *                            …), so that `civsearch -i OUT` searches them all
 *   spelling/                the shards' spelling dictionaries merged
 *                            (civ_spelling_merge), for search hosts that read
 *                            the shards remotely
 *
 * A file goes to shard civ_shard_of(its id, N): its path relative to the
 * indexed folder, the id of its documents; an mbox's messages (PATH#N)
 * share their file's id and stay together. The same file always lands in
 * the same shard, so re-runs stay incremental; a file moved to a path of
 * another shard leaves the first (pruned) and is indexed by the second.
 */
#ifndef CIV_SHARDSET_H
#define CIV_SHARDSET_H

#include "indexrun.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CIV_SHARDS_MAX 256

/* The shard of a file id among nshards (> 0): FNV-1a (64 bits) of the
 * id's bytes modulo nshards. Fixed forever: changing it would move
 * documents between shards. */
unsigned civ_shard_of(const char *file_id, unsigned nshards);

/* Number of shards of the set at path (its XAPIANDB names only
 * "shard-K" folders), 0 when path is not a shard set (or does not exist). */
unsigned civ_shardset_count(const char *path);

/* Runs civindex over o->roots into the shard set at o->index with
 * nshards shards (creating it), all shards at once, each with its share of
 * o->jobs and o->memory; only shard `only` when only >= 0 (the others are
 * left as they are). Then writes XAPIANDB, the shard-K.db links and the
 * merged dictionary. counts are the sum over the shards. Events are
 * passed on one at a time (progress is not). Errors: CIV_EINVAL (nshards
 * out of 1..CIV_SHARDS_MAX, only out of range, o->index is an index that
 * is not a shard set, or a set of another size without o->full), and
 * those of civ_index_run() (the first shard's to fail, named). */
civ_status civ_shardset_run(civ_run_counts *counts, const civ_run_opts *o, unsigned nshards,
                            int only, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
