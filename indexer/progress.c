/* What a run tells its user: see progress.h. */
#include "progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "badfiles.h"
#include "civ/date.h"
#include "walk.h"

struct run_log {
    const civ_run_opts *o;
    civ_run_counts *c;
    pthread_mutex_t mu;      /* counts, done, total, phase */
    pthread_mutex_t ev_mu;   /* events reach the caller one at a time */
    pthread_cond_t tick;
    uint64_t total;          /* from the counting walk, 0 until known */
    uint64_t done;           /* files finished */
    const char *phase;
    double t0;
    int finished, halted;
    pthread_t counter, ticker;
    int counter_on, ticker_on;
    civ_walk_opts wopts;
    dev_t dev;
    ino_t ino;
};

civ_status run_log_new(run_log **out, const civ_run_opts *o, civ_run_counts *counts,
                       civ_error *err)
{
    *out = NULL;
    run_log *l = calloc(1, sizeof *l);
    if (!l)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    l->o = o;
    l->c = counts;
    l->phase = "indexing";
    l->t0 = civ_monotonic();
    pthread_mutex_init(&l->mu, NULL);
    pthread_mutex_init(&l->ev_mu, NULL);
    pthread_cond_init(&l->tick, NULL);
    *out = l;
    return CIV_OK;
}

void run_log_free(run_log *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->mu);
    l->finished = 1;
    pthread_cond_broadcast(&l->tick);
    pthread_mutex_unlock(&l->mu);
    if (l->ticker_on)
        pthread_join(l->ticker, NULL);
    if (l->counter_on)
        pthread_join(l->counter, NULL);
    pthread_mutex_destroy(&l->mu);
    pthread_mutex_destroy(&l->ev_mu);
    pthread_cond_destroy(&l->tick);
    free(l);
}

static int stopped(run_log *l)
{
    return l->halted || l->finished || (l->o->stop && *l->o->stop);
}

/* ---- counting ahead --------------------------------------------------------- */

typedef struct count_ctx {
    run_log *l;
    uint64_t n;
} count_ctx;

static int count_one(void *ctx, const char *path, const char *rel, const struct stat *st, int errnum)
{
    (void)path, (void)rel, (void)st, (void)errnum;
    count_ctx *c = ctx;
    c->n++; /* special files too: on_walk counts them found and done */
    return stopped(c->l);
}

static void *counter_main(void *arg)
{
    run_log *l = arg;
    count_ctx c = { l, 0 };
    for (size_t i = 0; i < l->o->nroots; i++)
        civ_walk(l->o->roots[i], &l->wopts, count_one, &c, NULL);
    pthread_mutex_lock(&l->mu);
    if (!stopped(l))
        l->total = c.n ? c.n : 1;
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

static void send_progress(run_log *l)
{
    civ_run_progress p;
    pthread_mutex_lock(&l->mu);
    p.done = l->done;
    p.total = l->total > l->c->files ? l->total : (l->total ? l->c->files : 0);
    p.bytes = l->c->bytes;
    p.skipped = l->c->unchanged + l->c->skipped;
    p.phase = l->phase;
    pthread_mutex_unlock(&l->mu);
    p.elapsed = civ_monotonic() - l->t0;
    pthread_mutex_lock(&l->ev_mu);
    l->o->events.progress(l->o->events.ctx, &p);
    pthread_mutex_unlock(&l->ev_mu);
}

static void *ticker_main(void *arg)
{
    run_log *l = arg;
    pthread_mutex_lock(&l->mu);
    while (!l->finished) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&l->tick, &l->mu, &ts);
        if (l->finished)
            break;
        pthread_mutex_unlock(&l->mu);
        send_progress(l);
        pthread_mutex_lock(&l->mu);
    }
    pthread_mutex_unlock(&l->mu);
    return NULL;
}

void run_log_start(run_log *l, dev_t skip_dev, ino_t skip_ino, int have_skip)
{
    if (!l->o->events.progress)
        return;
    l->dev = skip_dev;
    l->ino = skip_ino;
    if (have_skip) {
        l->wopts.skip_dev = &l->dev;
        l->wopts.skip_ino = &l->ino;
        l->wopts.nskip = 1;
    }
    l->counter_on = pthread_create(&l->counter, NULL, counter_main, l) == 0;
    l->ticker_on = pthread_create(&l->ticker, NULL, ticker_main, l) == 0;
}

void run_log_phase(run_log *l, const char *phase)
{
    pthread_mutex_lock(&l->mu);
    l->phase = phase;
    pthread_mutex_unlock(&l->mu);
}

void run_log_halt(run_log *l)
{
    pthread_mutex_lock(&l->mu);
    l->halted = 1;
    pthread_mutex_unlock(&l->mu);
}

/* ---- counts and events ---------------------------------------------------- */

void run_log_found(run_log *l, int unchanged)
{
    pthread_mutex_lock(&l->mu);
    l->c->files++;
    if (unchanged) {
        l->c->unchanged++;
        l->done++;
    }
    pthread_mutex_unlock(&l->mu);
}

/* A file not read, counted by its extension (l->mu held). */
static void count_not_read(run_log *l, const char *path)
{
    civ_run_counts *c = l->c;
    char ext[16];
    bad_extension(ext, path);
    c->ignored++;
    for (size_t i = 0; i < c->nnot_read; i++)
        if (strcmp(c->not_read[i].ext, ext) == 0) {
            c->not_read[i].n++;
            return;
        }
    size_t max = sizeof c->not_read / sizeof c->not_read[0];
    if (c->nnot_read == max) {
        c->not_read_other++;
        return;
    }
    memcpy(c->not_read[c->nnot_read].ext, ext, sizeof ext);
    c->not_read[c->nnot_read++].n = 1;
}

static void file_event(run_log *l, const char *path, const civ_file_report *rep)
{
    if (!l->o->events.file)
        return;
    pthread_mutex_lock(&l->ev_mu);
    l->o->events.file(l->o->events.ctx, path, rep);
    pthread_mutex_unlock(&l->ev_mu);
}

static void change_event(run_log *l, const char *what, const char *path, const char *detail)
{
    if (!l->o->events.change)
        return;
    pthread_mutex_lock(&l->ev_mu);
    l->o->events.change(l->o->events.ctx, what, path, detail);
    pthread_mutex_unlock(&l->ev_mu);
}

void run_log_known_bad(run_log *l, const char *path, int ignored, const char *reason)
{
    pthread_mutex_lock(&l->mu);
    l->c->files++;
    l->done++;
    if (ignored)
        count_not_read(l, path);
    else
        l->c->known_bad++;
    pthread_mutex_unlock(&l->mu);
    change_event(l, "known bad", path, reason);
}

void run_log_unreadable(run_log *l, const char *path, int errnum)
{
    civ_file_report rep;
    memset(&rep, 0, sizeof rep);
    rep.outcome = CIV_FILE_FAILED;
    snprintf(rep.reason, sizeof rep.reason, "cannot read: %s", strerror(errnum));
    pthread_mutex_lock(&l->mu);
    l->c->files++;
    l->c->failed++;
    l->done++;
    pthread_mutex_unlock(&l->mu);
    file_event(l, path, &rep);
}

void run_log_bytes(run_log *l, uint64_t n)
{
    pthread_mutex_lock(&l->mu);
    l->c->bytes += n;
    pthread_mutex_unlock(&l->mu);
}

void run_log_docs(run_log *l, uint64_t n)
{
    pthread_mutex_lock(&l->mu);
    l->c->docs += n;
    pthread_mutex_unlock(&l->mu);
}

void run_log_file(run_log *l, const char *path, const civ_file_report *rep, int changed)
{
    pthread_mutex_lock(&l->mu);
    l->c->pages += rep->pages;
    l->c->scanned_pages += rep->scanned;
    l->c->scanned_files += rep->scanned > 0;
    l->c->ocr_pages += rep->ocr_pages;
    l->c->ocr_cached += rep->ocr_cached;
    l->c->over_limit += rep->over_limit;
    switch (rep->outcome) {
    case CIV_FILE_INDEXED:
        l->c->indexed++;
        if (changed)
            l->c->changed++;
        else
            l->c->added++;
        break;
    case CIV_FILE_SKIPPED: l->c->skipped++; break;
    case CIV_FILE_FAILED: l->c->failed++; break;
    case CIV_FILE_IGNORED: count_not_read(l, path); break;
    }
    pthread_mutex_unlock(&l->mu);
    file_event(l, path, rep);
}

void run_log_settled(run_log *l, const char *path, int moved, int touched, const char *detail)
{
    pthread_mutex_lock(&l->mu);
    if (moved)
        l->c->moved++;
    else
        l->c->unchanged++;
    pthread_mutex_unlock(&l->mu);
    if (moved)
        change_event(l, "moved", path, detail);
    else if (touched)
        change_event(l, "touched", path, NULL);
}

void run_log_unread_scans(run_log *l, unsigned pages)
{
    if (!pages)
        return;
    pthread_mutex_lock(&l->mu);
    l->c->scanned_pages += pages;
    l->c->scanned_files++;
    pthread_mutex_unlock(&l->mu);
}

void run_log_warning(run_log *l, const char *path, const char *msg)
{
    pthread_mutex_lock(&l->mu);
    l->c->warnings++;
    pthread_mutex_unlock(&l->mu);
    if (l->o->events.warning) {
        pthread_mutex_lock(&l->ev_mu);
        l->o->events.warning(l->o->events.ctx, path, msg);
        pthread_mutex_unlock(&l->ev_mu);
    }
}

void run_log_removed(run_log *l, const char *file, const char *root, unsigned ndocs)
{
    pthread_mutex_lock(&l->mu);
    l->c->removed++;
    l->c->removed_docs += ndocs;
    pthread_mutex_unlock(&l->mu);
    change_event(l, "removed", file, root);
}

void run_log_done(run_log *l)
{
    pthread_mutex_lock(&l->mu);
    l->done++;
    pthread_mutex_unlock(&l->mu);
}
