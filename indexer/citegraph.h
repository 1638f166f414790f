/*
 * indexer/citegraph.h — which documents of the index cite which.
 *
 * A document's own case citation ("citation": its metadata, a "Cite as"
 * line, an opinion's first page) and that case's parallel cites
 * ("parallel") make it the target of every document whose cited cases
 * ("case") include any of them: those get its id in "cites", once
 * (cites:ID finds them), it gets their number in "cited_by" (--sort
 * cited). The enricher sees one document at a time, so the links are
 * made at the end of each civindex run, over the whole index: a citing
 * or cited document added, changed, moved or removed leaves them right.
 * Only documents whose links change are rewritten (their stored record
 * and exact terms; their words are not indexed again).
 */
#ifndef CIV_CITEGRAPH_H
#define CIV_CITEGRAPH_H

#include <stdint.h>

#include "civ/writer.h"
#include "indexrun.h"
#include "progress.h"

/* Recomputes the links of every document in the index w writes (its
 * committed state) and rewrites those that changed, uncommitted.
 * *changed (may be NULL) receives how many. CIV_ENOMEM, the writer's
 * errors. */
civ_status citegraph_update(civ_writer *w, uint64_t *changed, civ_error *err);

/* The same over a set of shard indexes searched as one (--shards): the
 * graph spans them, each document's links are rewritten in the index
 * that holds it, uncommitted. */
civ_status citegraph_update_set(civ_writer *const *ws, size_t nw, uint64_t *changed,
                                civ_error *err);

/* A set of shards, after their runs: opens the indexes at paths[0..n),
 * links citations across them and commits each. Each run has linked its
 * own shard already; this adds the links between shards. */
civ_status citegraph_link_shards(const char *const *paths, size_t n, civ_error *err);

/* Building: the links of the merged database at path, before it is
 * published (shard_opts.before_publish; ctx is the run_log). Opens,
 * updates and commits it. */
civ_status citegraph_build(void *ctx, const char *path, civ_error *err);

/* Updating, before the run's last commit: when this run wrote, removed
 * or moved documents, marks the links as out of date in the index (a
 * metadata key committed with the documents, so that a crash before
 * citegraph_finish leaves the mark for the next run). */
civ_status citegraph_mark(civ_writer *w, const civ_run_counts *c, civ_error *err);

/* Updating, after the run's last commit: when marked, recomputes the
 * links, clears the mark and commits. */
civ_status citegraph_finish(civ_writer *w, run_log *log, civ_error *err);

#endif
