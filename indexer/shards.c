/* Building an index from scratch in shards: see shards.h. */
#include "shards.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Closed databases merged into one at a time: few enough to keep open
 * files low, many enough that each document is merged about twice on the
 * way to a million. */
#define MERGE_FANIN 32

/* The first addition to the spelling dictionary, the costly one (a new
 * word's letter groups are indexed), comes early, beside the other
 * workers' indexing, once this many words wait; a word already there only
 * needs its count raised, so later additions wait until the counts would
 * take too much memory, or the end. */
#define SPELL_FIRST_WORDS 20000
#define SPELL_MORE_WORDS 500000
/* Words seen once may be typing errors: they wait for a second sighting,
 * at most this many of them (about 100 MB), and are dropped at the end —
 * unless the whole collection is small (then every word is kept). */
#define SPELL_MAX_WAITING 2000000
#define SPELL_KEEP_ALL_DOCS 500

#define META_STARTED "civ:started"

typedef struct shard {
    civ_writer *w;
    char *path;
    unsigned docs;          /* documents in it */
    unsigned pending_docs;  /* since its last commit */
    size_t pending_bytes;
} shard;

struct shard_build {
    civ_indexdir *dir;
    shard_opts o;
    civ_writer_opts wo;
    shard *open;            /* one per worker */
    pthread_mutex_t mu;     /* seq, closed */
    unsigned seq, merge_seq;
    char **closed;          /* closed databases waiting to be merged */
    unsigned *closed_level;
    size_t nclosed;
    pthread_mutex_t smu;    /* the spelling dictionary */
    civ_spelling *spell;
    civ_writer *spell_w;
    char *spell_path;
    size_t spell_mark;      /* words waiting after the last addition */
};

static civ_status open_shard(shard_build *b, shard *s, civ_error *err)
{
    char name[32];
    pthread_mutex_lock(&b->mu);
    unsigned seq = b->seq++;
    pthread_mutex_unlock(&b->mu);
    snprintf(name, sizeof name, "shard.%u", seq);
    free(s->path);
    s->path = NULL;
    s->docs = 0;
    civ_status st = civ_indexdir_scratch(&s->path, b->dir, name, err);
    if (st == CIV_OK)
        st = civ_writer_open(&s->w, s->path, &b->wo, err);
    return st;
}

civ_status shards_new(shard_build **out, civ_indexdir *dir, const shard_opts *o, civ_error *err)
{
    *out = NULL;
    shard_build *b = calloc(1, sizeof *b);
    if (!b || !(b->open = calloc(o->workers, sizeof *b->open))) {
        free(b);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    b->dir = dir;
    b->o = *o;
    pthread_mutex_init(&b->mu, NULL);
    pthread_mutex_init(&b->smu, NULL);
    civ_writer_opts wo = CIV_WRITER_OPTS_INIT;
    wo.stemmer = o->stemmer;
    wo.nosync = 1;
    wo.overwrite = 1;
    wo.spelling = o->spelling ? CIV_SPELL_COUNT : CIV_SPELL_OFF;
    b->wo = wo;
    civ_status s = o->spelling ? civ_spelling_new(&b->spell, err) : CIV_OK;
    for (unsigned i = 0; i < o->workers && s == CIV_OK; i++)
        s = open_shard(b, &b->open[i], err);
    if (s != CIV_OK) {
        shards_free(b);
        return s;
    }
    *out = b;
    return CIV_OK;
}

void shards_free(shard_build *b)
{
    if (!b)
        return;
    for (unsigned i = 0; i < b->o.workers; i++) {
        civ_writer_free(b->open[i].w);
        free(b->open[i].path);
    }
    free(b->open);
    for (size_t i = 0; i < b->nclosed; i++)
        free(b->closed[i]);
    free(b->closed);
    free(b->closed_level);
    civ_writer_free(b->spell_w);
    free(b->spell_path);
    civ_spelling_free(b->spell);
    pthread_mutex_destroy(&b->mu);
    pthread_mutex_destroy(&b->smu);
    free(b);
}

/* Moves w's spelling counts (w may be NULL) to the build's, and adds the
 * waiting words to the dictionary database when it is time (above) or
 * final. */
static civ_status gather_spelling(shard_build *b, civ_writer *w, int final, civ_error *err)
{
    if (!b->spell)
        return CIV_OK;
    civ_status s = CIV_OK;
    pthread_mutex_lock(&b->smu);
    if (w)
        s = civ_writer_take_spelling(b->spell, w, err);
    size_t pending = civ_spelling_pending(b->spell);
    if (s == CIV_OK && (final || (!b->spell_w && pending >= SPELL_FIRST_WORDS) ||
                        pending >= b->spell_mark + SPELL_MORE_WORDS)) {
        if (!b->spell_w) {
            s = civ_indexdir_scratch(&b->spell_path, b->dir, "spelling", err);
            if (s == CIV_OK)
                s = civ_writer_open(&b->spell_w, b->spell_path, &b->wo, err);
        }
        unsigned min = final && civ_spelling_docs(b->spell) < SPELL_KEEP_ALL_DOCS ? 1 : 2;
        if (s == CIV_OK)
            s = civ_writer_add_spelling(b->spell_w, b->spell, min, err);
        if (s == CIV_OK && (final || civ_spelling_pending(b->spell) > SPELL_MAX_WAITING))
            civ_spelling_clear(b->spell);
        if (s == CIV_OK)
            s = civ_writer_commit(b->spell_w, err);
        b->spell_mark = civ_spelling_pending(b->spell);
    }
    pthread_mutex_unlock(&b->smu);
    return s;
}

/* Adds a closed database of the given merge level to the list. Takes
 * path (freed on failure). */
static civ_status add_closed(shard_build *b, char *path, unsigned level, civ_error *err)
{
    pthread_mutex_lock(&b->mu);
    char **nc = realloc(b->closed, (b->nclosed + 1) * sizeof *nc);
    if (nc)
        b->closed = nc;
    unsigned *nl = nc ? realloc(b->closed_level, (b->nclosed + 1) * sizeof *nl) : NULL;
    if (nl) {
        b->closed_level = nl;
        nc[b->nclosed] = path;
        nl[b->nclosed++] = level;
    }
    pthread_mutex_unlock(&b->mu);
    if (!nl) {
        free(path);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    return CIV_OK;
}

/* Merges MERGE_FANIN closed databases of one level, if there are that
 * many, into one of the next level; the worker does it while the others
 * keep indexing. */
static civ_status merge_closed(shard_build *b, civ_error *err)
{
    const char *srcs[MERGE_FANIN];
    char *taken[MERGE_FANIN];
    size_t n = 0;
    unsigned level = 0, seq = 0;
    pthread_mutex_lock(&b->mu);
    for (size_t i = 0; i < b->nclosed && n == 0; i++) {
        size_t same = 0;
        for (size_t k = 0; k < b->nclosed; k++)
            same += b->closed_level[k] == b->closed_level[i];
        if (same < MERGE_FANIN)
            continue;
        level = b->closed_level[i];
        size_t keep = 0;
        for (size_t k = 0; k < b->nclosed; k++) {
            if (n < MERGE_FANIN && b->closed_level[k] == level) {
                taken[n] = b->closed[k];
                srcs[n++] = b->closed[k];
            } else {
                b->closed[keep] = b->closed[k];
                b->closed_level[keep++] = b->closed_level[k];
            }
        }
        b->nclosed = keep;
        seq = b->merge_seq++;
    }
    pthread_mutex_unlock(&b->mu);
    if (n == 0)
        return CIV_OK;
    char name[32];
    char *merged = NULL;
    snprintf(name, sizeof name, "merge.%u", seq);
    civ_status s = civ_indexdir_scratch(&merged, b->dir, name, err);
    if (s == CIV_OK)
        s = civ_compact(merged, srcs, n, 0, err);
    if (s == CIV_OK)
        civ_crash_point("shards-merged");
    for (size_t i = 0; i < n; i++) {
        civ_indexdir_drop_scratch(b->dir, taken[i]);
        free(taken[i]);
    }
    if (s == CIV_OK)
        return add_closed(b, merged, level + 1, err);
    free(merged);
    return s;
}

/* Closes a full shard (kept for merging) and starts another. */
static civ_status rotate(shard_build *b, shard *sh, civ_error *err)
{
    civ_status s = gather_spelling(b, sh->w, 0, err);
    if (s == CIV_OK)
        s = civ_writer_commit(sh->w, err);
    civ_writer_free(sh->w);
    sh->w = NULL;
    if (s == CIV_OK)
        civ_crash_point("shard");
    if (s == CIV_OK) {
        s = add_closed(b, sh->path, 0, err);
        sh->path = NULL;
    }
    if (s == CIV_OK)
        s = merge_closed(b, err);
    if (s != CIV_OK)
        return s;
    return open_shard(b, sh, err);
}

civ_status shards_put(shard_build *b, unsigned worker, const civ_doc *doc, civ_error *err)
{
    shard *sh = &b->open[worker];
    size_t bytes = 0;
    civ_status s = civ_writer_put(sh->w, doc, &bytes, err);
    if (s != CIV_OK)
        return s;
    sh->docs++;
    sh->pending_docs++;
    sh->pending_bytes += bytes;
    /* Counted a document at a time: an mbox of many messages is split
     * across shards and commits like as many files. */
    int full = sh->docs >= b->o.shard_max;
    if (full || sh->pending_docs >= b->o.batch_docs || sh->pending_bytes >= b->o.batch_bytes) {
        s = full ? rotate(b, sh, err) : civ_writer_commit(sh->w, err);
        sh->pending_docs = 0;
        sh->pending_bytes = 0;
    }
    return s;
}

civ_writer *shards_writer(shard_build *b, unsigned worker)
{
    return b->open[worker].w;
}

civ_status shards_finish(shard_build *b, const char *started, run_log *log, civ_error *err)
{
    civ_status s = CIV_OK;
    size_t n = 0;
    const char **srcs = calloc(b->o.workers + b->nclosed + 1, sizeof *srcs);
    if (!srcs)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    run_log_phase(log, "committing");
    for (size_t i = 0; i < b->nclosed; i++)
        srcs[n++] = b->closed[i];
    for (unsigned i = 0; i < b->o.workers; i++) {
        shard *sh = &b->open[i];
        if (s == CIV_OK)
            s = civ_writer_set_meta(sh->w, META_STARTED, started, err);
        if (s == CIV_OK)
            s = gather_spelling(b, sh->w, 0, err);
        if (s == CIV_OK)
            s = civ_writer_commit(sh->w, err);
        civ_writer_free(sh->w);
        sh->w = NULL;
        srcs[n++] = sh->path;
    }
    if (s == CIV_OK)
        s = gather_spelling(b, NULL, 1, err);
    if (s == CIV_OK && b->spell_w) {
        civ_writer_free(b->spell_w);
        b->spell_w = NULL;
        srcs[n++] = b->spell_path;
    }
    if (s == CIV_OK) {
        run_log_phase(log, "merging");
        char *merged = NULL;
        s = civ_indexdir_scratch(&merged, b->dir, "merged", err);
        if (s == CIV_OK)
            s = civ_compact(merged, srcs, n, 0, err);
        if (s == CIV_OK)
            civ_crash_point("merged");
        if (s == CIV_OK)
            s = civ_indexdir_publish(b->dir, merged, 0, err);
        free(merged);
    }
    free(srcs);
    return s;
}
