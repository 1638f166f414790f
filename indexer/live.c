/* Updating an index in place: see live.h. */
#include "live.h"

#include "civ/db.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "files.h"

#define META_STARTED "civ:started"

struct live_update {
    civ_indexdir *dir;
    run_log *log;
    civ_writer *w;
    pthread_mutex_t mu;     /* the writer and the commit protocol */
    pthread_cond_t cond;
    int writers, want_commit, failed;
    unsigned pending_docs, batch_docs;
    size_t pending_bytes, batch_bytes;
};

civ_writer *live_writer(live_update *l)
{
    return l->w;
}

civ_status live_open(live_update **out, civ_indexdir *dir, const char *stemmer,
                     unsigned batch_docs, size_t batch_bytes, run_log *log, int *empty,
                     civ_error *err)
{
    *out = NULL;
    *empty = 0;
    live_update *l = calloc(1, sizeof *l);
    if (!l)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    l->dir = dir;
    l->log = log;
    l->batch_docs = batch_docs;
    l->batch_bytes = batch_bytes;
    pthread_mutex_init(&l->mu, NULL);
    pthread_cond_init(&l->cond, NULL);
    civ_status s = CIV_OK;
    if (!civ_indexdir_legacy(dir) && civ_indexdir_current_is_file(dir)) {
        /* A single-file generation is expanded back into a folder. */
        char *tmp = NULL;
        const char *src = civ_indexdir_current(dir);
        run_log_phase(log, "expanding");
        s = civ_indexdir_scratch(&tmp, dir, "expand", err);
        if (s == CIV_OK)
            s = civ_compact(tmp, &src, 1, 0, err);
        if (s == CIV_OK)
            s = civ_indexdir_publish(dir, tmp, 0, err);
        free(tmp);
        run_log_phase(log, "indexing");
    }
    civ_writer_opts wo = CIV_WRITER_OPTS_INIT;
    wo.stemmer = stemmer;
    /* Never write into a damaged index: only --full makes it whole. */
    if (s == CIV_OK && !civ_indexdir_legacy(dir))
        s = civ_db_check(civ_indexdir_current(dir), err);
    if (s == CIV_OK)
        s = civ_writer_open(&l->w, civ_indexdir_current(dir), &wo, err);
    if (s != CIV_OK) {
        live_free(l);
        return s;
    }
    *empty = !civ_indexdir_legacy(dir) && civ_writer_doc_count(l->w) == 0;
    *out = l;
    return CIV_OK;
}

void live_free(live_update *l)
{
    if (!l)
        return;
    civ_writer_free(l->w); /* uncommitted changes are dropped */
    pthread_mutex_destroy(&l->mu);
    pthread_cond_destroy(&l->cond);
    free(l);
}

void live_abort(live_update *l)
{
    pthread_mutex_lock(&l->mu);
    l->failed = 1;
    pthread_mutex_unlock(&l->mu);
}

long long live_prev_started(live_update *l)
{
    char *st = NULL;
    civ_writer_get_meta(&st, l->w, META_STARTED, NULL);
    long long v = st ? strtoll(st, NULL, 10) : LLONG_MAX;
    free(st);
    return v;
}

/* Commits (l->mu held). After a failure nothing more is committed. */
static civ_status commit_locked(live_update *l, civ_error *err)
{
    civ_status s = CIV_OK;
    if (!l->failed) {
        civ_crash_point("commit");
        s = civ_writer_commit(l->w, err);
        if (s == CIV_OK)
            civ_crash_point("committed");
        else
            l->failed = 1; /* before another writer sees the closed index */
    }
    l->pending_docs = 0;
    l->pending_bytes = 0;
    return s;
}

void live_begin(live_update *l, int *writing)
{
    if (*writing)
        return;
    pthread_mutex_lock(&l->mu);
    while (l->want_commit)
        pthread_cond_wait(&l->cond, &l->mu);
    l->writers++;
    pthread_mutex_unlock(&l->mu);
    *writing = 1;
}

civ_status live_end(live_update *l, int *writing, civ_error *err)
{
    civ_status s = CIV_OK;
    if (!*writing)
        return CIV_OK;
    *writing = 0;
    pthread_mutex_lock(&l->mu);
    l->writers--;
    if (l->pending_docs >= l->batch_docs || l->pending_bytes >= l->batch_bytes)
        l->want_commit = 1;
    if (l->want_commit && l->writers == 0) {
        s = commit_locked(l, err);
        l->want_commit = 0;
        pthread_cond_broadcast(&l->cond);
    }
    pthread_mutex_unlock(&l->mu);
    return s;
}

/* Runs a change under the writer's lock, counting what it holds. */
static civ_status locked_change(live_update *l, civ_status s, unsigned docs, size_t bytes)
{
    if (s != CIV_OK)
        l->failed = 1;
    l->pending_docs += docs;
    l->pending_bytes += bytes;
    return s;
}

civ_status live_settle(live_update *l, const live_file *f, known_file *(*claim_move)(void *ctx),
                       void *claim_ctx, int *writing, int *settled, known_file **srcp,
                       civ_error *err)
{
    *settled = 0;
    known_file *kf = f->kf, *src = NULL;
    if (kf && strcmp(kf->hash, f->hash) == 0)
        src = kf; /* same content: at most the time or place changed */
    else if (!kf)
        src = claim_move(claim_ctx);
    if (!src)
        return CIV_OK;
    *srcp = src;
    int moved = src != kf;
    int touch = moved || src->mtime != f->mtime || src->size != f->size || strcmp(src->root, f->root) != 0;
    civ_status s = CIV_OK;
    if (touch) {
        live_begin(l, writing);
        pthread_mutex_lock(&l->mu);
        s = locked_change(l, civ_files_relocate(l->w, src->file, f->rel, f->path, f->root, f->mtime,
                                                NULL, err),
                          src->ndocs, 4096 * (size_t)src->ndocs);
        pthread_mutex_unlock(&l->mu);
        civ_status s2 = live_end(l, writing, s == CIV_OK ? err : NULL);
        if (s == CIV_OK)
            s = s2;
    }
    if (s != CIV_OK)
        return s;
    *settled = 1;
    char old[PATH_MAX];
    snprintf(old, sizeof old, "%s/%s", src->root, src->file);
    run_log_settled(l->log, f->path, moved, touch, old);
    run_log_unread_scans(l->log, src->unread_scans);
    return CIV_OK;
}

civ_status live_replace(live_update *l, const known_file *kf, civ_error *err)
{
    pthread_mutex_lock(&l->mu);
    civ_status s = locked_change(l, civ_files_delete(l->w, kf->file, NULL, err), kf->ndocs, 0);
    pthread_mutex_unlock(&l->mu);
    return s;
}

civ_status live_put(live_update *l, const civ_doc *doc, civ_error *err)
{
    size_t bytes = 0;
    pthread_mutex_lock(&l->mu);
    civ_status s = locked_change(l, civ_writer_put(l->w, doc, &bytes, err), 1, 0);
    l->pending_bytes += bytes;
    pthread_mutex_unlock(&l->mu);
    return s;
}

typedef struct prune_ctx {
    live_update *l;
    int (*skip)(void *ctx, const known_file *f);
    void *ctx;
    civ_status s;
    civ_error *err;
} prune_ctx;

static int prune_one(void *vctx, known_file *f)
{
    prune_ctx *p = vctx;
    live_update *l = p->l;
    if (p->skip(p->ctx, f))
        return 0;
    unsigned n = 0;
    p->s = civ_files_delete(l->w, f->file, &n, p->err);
    if (p->s != CIV_OK)
        return 1;
    run_log_removed(l->log, f->file, f->root, n);
    l->pending_docs += n;
    if (l->pending_docs >= l->batch_docs || l->pending_bytes >= l->batch_bytes)
        p->s = commit_locked(l, p->err);
    return p->s != CIV_OK;
}

civ_status live_prune(live_update *l, known_set *k, int (*skip)(void *ctx, const known_file *f),
                      void *ctx, civ_error *err)
{
    prune_ctx p = { l, skip, ctx, CIV_OK, err };
    run_log_phase(l->log, "removing");
    known_each_unseen(k, prune_one, &p);
    return p.s;
}

civ_status live_finish(live_update *l, const char *started, civ_error *err)
{
    civ_status s = CIV_OK;
    if (started)
        s = civ_writer_set_meta(l->w, META_STARTED, started, err);
    run_log_phase(l->log, "committing");
    if (s == CIV_OK)
        s = civ_writer_flush(l->w, err);
    if (s == CIV_OK)
        s = commit_locked(l, err);
    if (s == CIV_OK && !civ_indexdir_legacy(l->dir))
        civ_db_check_note(civ_indexdir_current(l->dir));
    return s;
}
