/*
 * indexer/shards.h — building an index from scratch (a new index, an
 * empty one, --full): each worker thread writes its own scratch shards
 * in the index's tmp/ folder, closed every shard_max documents so that
 * commits stay cheap (small B-trees); MERGE_FANIN closed shards of one
 * level are merged into one of the next while the other workers go on;
 * the spelling dictionary is counted in the shards and written once. At
 * the end everything is merged by Xapian's compaction into a new
 * generation that replaces the old one atomically (indexdir.h).
 */
#ifndef CIV_SHARDS_H
#define CIV_SHARDS_H

#include "civ/doc.h"
#include "civ/writer.h"
#include "indexdir.h"
#include "progress.h"

typedef struct shard_build shard_build;

typedef struct shard_opts {
    const char *stemmer;    /* for the new index, or NULL (english) */
    int spelling;           /* build a spelling dictionary */
    unsigned workers;       /* one shard open per worker */
    unsigned shard_max;     /* documents a shard, then a new one */
    unsigned batch_docs;    /* commit a shard after this many documents … */
    size_t batch_bytes;     /* … or this many bytes of pending changes */
    /* Called with the merged database's path before it is published
     * (the citation graph), or NULL. */
    civ_status (*before_publish)(void *ctx, const char *path, civ_error *err);
    void *before_publish_ctx;
} shard_opts;

/* Opens a first shard for every worker. CIV_ENOMEM, CIV_EIO. */
civ_status shards_new(shard_build **out, civ_indexdir *dir, const shard_opts *o, civ_error *err);

/* Drops the shards (uncommitted work is lost) and frees. NULL is a no-op. */
void shards_free(shard_build *b);

/* Adds a finished document to the shard of worker `worker` (called by that
 * worker only), committing, closing and merging shards as they fill. */
civ_status shards_put(shard_build *b, unsigned worker, const civ_doc *doc, civ_error *err);

/* The open shard of worker `worker`, for metadata (called by that worker,
 * or once the workers have stopped). */
civ_writer *shards_writer(shard_build *b, unsigned worker);

/* Commits every shard (with `started` as the run's start time), merges
 * them all with the spelling dictionary into a new generation and
 * publishes it. */
civ_status shards_finish(shard_build *b, const char *started, run_log *log, civ_error *err);

#endif
