/* One civindex run: walk → queue → workers (pipeline) → shards or the live
 * index → a published generation. See indexrun.h for the two ways of
 * writing and their guarantees; each part is a module of its own:
 *
 *   known.c     what the index holds per file (unchanged, moved, gone)
 *   queue.c     the work queue and the memory big files share
 *   shards.c    building from scratch: shards, merges, the new generation
 *   live.c      updating in place: batches of whole files, pruning
 *   progress.c  counts, events, progress
 */
#include "indexrun.h"
#include "civ/utf8.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "dom.h"

#include "badfiles.h"
#include "citegraph.h"
#include "civ/hash.h"
#include "indexdir.h"
#include "live.h"
#include "progress.h"
#include "queue.h"
#include "sandbox.h"
#include "shards.h"
#include "shardset.h"
#include "walk.h"

typedef struct walk_error {
    size_t root;
    char *rel;
} walk_error;

typedef struct run run;

typedef struct worker {
    run *r;
    unsigned idx;
    pthread_t th;
    int started;
    int writing;            /* updating: inside a file's write phase */
    const char *cur_path;   /* the file being processed, for warnings */
} worker;

struct run {
    const civ_run_opts *o;
    civ_run_counts *c;
    civ_indexdir *dir;
    run_log *log;
    work_queue *queue;
    shard_build *build;      /* building from scratch, or … */
    live_update *live;       /* … updating in place */
    known_set *known;        /* updating: what the index holds */
    long long prev_started;  /* updating: start of the previous run */
    int replacing;           /* building over an existing index (--full) */
    char *lang;              /* building: the stemming language an empty index had */
    char **roots;            /* real paths of the roots */
    size_t nroots, cur_root;
    civ_pipeline_opts popts;
    walk_error *werr;        /* folders the walk could not read */
    size_t nwerr;
    worker *workers;
    unsigned nworkers;
    char tag[17];            /* what this run reads (badfiles.h) */
    bad_file *bad;           /* files that went wrong in this run */
    size_t nbad, capbad;
    pthread_mutex_t mu;      /* fatal, stopped_early, the known files' marks, bad */
    civ_status fatal;
    civ_error fatal_err;
    int stopped_early;       /* a stop left files undone */
};

static int should_stop(run *r)
{
    return queue_stopped(r->queue) || (r->o->stop && *r->o->stop);
}

/* A fatal error: the first one is kept, everything stops. */
static void run_fail(run *r, civ_status s, const civ_error *e)
{
    pthread_mutex_lock(&r->mu);
    if (r->fatal == CIV_OK) {
        r->fatal = s;
        if (e && e->code != CIV_OK)
            r->fatal_err = *e;
        else
            civ_error_set(&r->fatal_err, s, "%s", civ_status_name(s));
    }
    pthread_mutex_unlock(&r->mu);
    if (r->live)
        live_abort(r->live);
    queue_stop(r->queue);
}

/* ---- one file, in a worker -------------------------------------------------- */

static void on_warning(void *ctx, const char *msg)
{
    worker *wk = ctx;
    run_log_warning(wk->r->log, wk->cur_path, msg);
}

static civ_status emit_doc(void *ctx, civ_doc *doc, const char *sub, civ_error *err)
{
    (void)sub;
    worker *wk = ctx;
    run *r = wk->r;
    civ_status s;
    if (r->build) {
        s = shards_put(r->build, wk->idx, doc, err);
    } else {
        live_begin(r->live, &wk->writing);
        s = live_put(r->live, doc, err);
    }
    if (s == CIV_OK)
        run_log_docs(r->log, 1);
    return s;
}

typedef struct claim_ctx {
    run *r;
    const char *hash;
    uint64_t size;
} claim_ctx;

static known_file *claim(void *vctx)
{
    claim_ctx *c = vctx;
    pthread_mutex_lock(&c->r->mu);
    known_file *f = known_claim_move(c->r->known, c->hash, c->size);
    /* A file whose scanned pages were left unread is read again under
     * --ocr, moved too: the documents of its old place go as a vanished
     * file's. */
    if (f && c->r->o->ocr && f->unread_scans) {
        f->claimed = 0;
        f = NULL;
    }
    pthread_mutex_unlock(&c->r->mu);
    return f;
}

/* Updating: settles a file whose content the index holds already
 * (returns 1), or removes the file's old documents before it is
 * extracted again. */
static int update_before(worker *wk, const job *j, const char *hash, size_t len, civ_status *s,
                         civ_error *e)
{
    run *r = wk->r;
    live_file f = {
        .rel = j->rel, .path = j->path, .root = r->roots[j->root],
        .mtime = (long long)j->st.st_mtime, .size = len, .hash = hash, .kf = j->kf,
    };
    claim_ctx cc = { r, hash, len };
    int settled = 0;
    known_file *src = NULL;
    /* A file whose scanned pages were left unread is read again under
     * --ocr, even with the content the index holds. */
    int reread = r->o->ocr && j->kf && j->kf->unread_scans;
    if (!reread)
        *s = live_settle(r->live, &f, claim, &cc, &wk->writing, &settled, &src, e);
    if (*s != CIV_OK || settled)
        return 1;
    if (j->kf) {
        live_begin(r->live, &wk->writing);
        *s = live_replace(r->live, j->kf, e);
        if (*s != CIV_OK)
            return 1;
    }
    return 0;
}

/* Remembers a file that went wrong, so that the next runs leave it
 * unread while it stays unchanged (badfiles.h). */
static void remember_bad(run *r, const job *j, const civ_file_report *rep)
{
    if (rep->outcome == CIV_FILE_INDEXED)
        return;
    bad_file b = {
        .root = strdup(r->roots[j->root]), .file = strdup(j->rel), .reason = strdup(rep->reason),
        .mtime = (long long)j->st.st_mtime, .size = (uint64_t)j->st.st_size, .outcome = rep->outcome,
    };
    memcpy(b.tag, r->tag, sizeof b.tag);
    pthread_mutex_lock(&r->mu);
    if (r->nbad == r->capbad) {
        size_t cap = r->capbad ? r->capbad * 2 : 64;
        bad_file *nb = realloc(r->bad, cap * sizeof *nb);
        if (nb) {
            r->bad = nb;
            r->capbad = cap;
        }
    }
    if (b.root && b.file && b.reason && r->nbad < r->capbad) {
        r->bad[r->nbad++] = b; /* else forgotten: read again next time */
        b.root = b.file = b.reason = NULL;
    }
    pthread_mutex_unlock(&r->mu);
    bad_file_clear(&b);
}

static void process(worker *wk, job *j)
{
    run *r = wk->r;
    civ_pipeline_opts po = r->popts;
    po.root = r->roots[j->root];
    po.warn = on_warning;
    po.warn_ctx = wk;
    wk->cur_path = j->path;
    civ_file_report rep;
    civ_error e = CIV_ERROR_INIT;
    unsigned char *buf = NULL;
    size_t len = 0;
    civ_status s = civ_pipeline_read(&buf, &len, &po, j->path, &j->st, &rep, &e);
    if (s != CIV_OK) {
        run_fail(r, s, &e);
        return;
    }
    if (!buf) {
        run_log_file(r->log, j->path, &rep, j->kf != NULL);
        remember_bad(r, j, &rep);
        return;
    }
    run_log_bytes(r->log, len);
    size_t reserved = queue_reserve(r->queue, len);
    char hash[17];
    civ_hash64_hex(hash, civ_hash64(buf, len, 0));
    po.hash = hash; /* the pipeline would hash the bytes again */
    int settled = !r->build && update_before(wk, j, hash, len, &s, &e);
    if (!settled) {
        const char *name = strrchr(j->path, '/');
        name = name ? name + 1 : j->path;
        s = civ_pipeline_bytes(&po, j->path, name, j->rel, buf, len, (long long)j->st.st_mtime,
                               emit_doc, wk, &rep, &e);
    }
    free(buf);
    if (!r->build) {
        civ_status s2 = live_end(r->live, &wk->writing, s == CIV_OK ? &e : NULL);
        if (s == CIV_OK)
            s = s2;
    }
    queue_release(r->queue, reserved);
    if (s != CIV_OK) {
        run_fail(r, s, &e);
        return;
    }
    if (!settled) {
        run_log_file(r->log, j->path, &rep, j->kf != NULL);
        remember_bad(r, j, &rep);
        civ_crash_point("file");
    }
}

static void *worker_main(void *arg)
{
    worker *wk = arg;
    run *r = wk->r;
    job j;
    int left = 0;
    while (queue_take(r->queue, &j, &left)) {
        if (!should_stop(r)) {
            process(wk, &j);
        } else {
            pthread_mutex_lock(&r->mu);
            r->stopped_early = 1;
            pthread_mutex_unlock(&r->mu);
        }
        job_free(&j);
        run_log_done(r->log);
    }
    if (left) {
        pthread_mutex_lock(&r->mu);
        r->stopped_early = 1;
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* ---- the walk (main thread) -------------------------------------------------- */

/* A FIFO, device or socket in a folder (one not already known bad and
 * unchanged: on_walk passes those over like any known bad file): never
 * opened (a FIFO would block the run), one line, remembered like a bad
 * file so that nightly runs pass it over quietly while it stays. */
static void special_file(run *r, const char *path, const char *rel, const struct stat *st)
{
    const char *what = S_ISFIFO(st->st_mode)   ? "a named pipe (FIFO)"
                       : S_ISSOCK(st->st_mode) ? "a socket"
                       : S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode) ? "a device"
                                                                      : "a special file";
    civ_file_report rep;
    memset(&rep, 0, sizeof rep);
    rep.outcome = CIV_FILE_SKIPPED;
    snprintf(rep.reason, sizeof rep.reason, "%s, not a regular file", what);
    job j = { .path = (char *)path, .rel = (char *)rel, .st = *st, .root = r->cur_root };
    run_log_found(r->log, 0);
    run_log_file(r->log, path, &rep, 0);
    remember_bad(r, &j, &rep);
    run_log_done(r->log);
}

static int on_walk_id(run *r, const char *path, const char *rel, const struct stat *st, int errnum);

/* A file found: rel (its path in its root) becomes its id, which a
 * document keeps as it is and which no other name shares
 * (civ_utf8_name_id): the known files, shards, jobs and walk errors all
 * go by the id. */
static int on_walk(void *ctx, const char *path, const char *name, const struct stat *st, int errnum)
{
    run *r = ctx;
    civ_buf id = CIV_BUF_INIT;
    civ_utf8_name_id(&id, name, strlen(name));
    if (civ_buf_failed(&id)) {
        civ_buf_free(&id);
        civ_error e;
        civ_error_set(&e, CIV_ENOMEM, "out of memory");
        run_fail(r, CIV_ENOMEM, &e);
        return 1;
    }
    int rc = on_walk_id(r, path, civ_buf_str(&id), st, errnum);
    civ_buf_free(&id);
    return rc;
}

static int on_walk_id(run *r, const char *path, const char *rel, const struct stat *st, int errnum)
{
    if (should_stop(r)) {
        r->stopped_early = 1;
        return 1;
    }
    if (!st) {
        walk_error *nw = realloc(r->werr, (r->nwerr + 1) * sizeof *nw);
        if (nw) {
            r->werr = nw;
            nw[r->nwerr].root = r->cur_root;
            nw[r->nwerr].rel = strdup(rel);
            if (nw[r->nwerr].rel)
                r->nwerr++;
        }
        run_log_unreadable(r->log, path, errnum);
        return 0;
    }
    civ_crash_point("walk");
    if (r->o->nshards > 1 && civ_shard_of(rel, r->o->nshards) != r->o->shard)
        return 0; /* another shard's file */
    known_file *kf = NULL;
    if (r->known && (kf = known_find(r->known, rel)) != NULL) {
        pthread_mutex_lock(&r->mu);
        kf->seen = 1;
        pthread_mutex_unlock(&r->mu);
        /* Same size and time as indexed, and not touched while the last
         * run was going on: unchanged, not even read. */
        /* (With --ocr, a file whose scanned pages were left unread is read
         * again.) */
        int same = kf->size == (uint64_t)st->st_size && kf->mtime == (long long)st->st_mtime &&
                   kf->mtime < r->prev_started - 1 && strcmp(kf->root, r->roots[r->cur_root]) == 0 &&
                   !(r->o->ocr && kf->unread_scans);
        if (kf->bad) {
            /* Remembered as bad: left unread while unchanged and read by
             * the same civindex with the same options. */
            if (same && strcmp(kf->tag, r->tag) == 0 && !r->o->retry_failed) {
                kf->kept = 1;
                run_log_known_bad(r->log, path, kf->bad == 1 + CIV_FILE_IGNORED, kf->reason);
                return 0;
            }
            kf = NULL; /* no documents to replace */
        } else if (same) {
            run_log_found(r->log, 1);
            run_log_unread_scans(r->log, kf->unread_scans);
            return 0;
        }
    }
    if (!S_ISREG(st->st_mode)) {
        if (kf) { /* a file that became a FIFO or a device: its documents go */
            pthread_mutex_lock(&r->mu);
            kf->seen = 0;
            pthread_mutex_unlock(&r->mu);
        }
        special_file(r, path, rel, st);
        return 0;
    }
    job j = { .path = strdup(path), .rel = strdup(rel), .st = *st, .root = r->cur_root, .kf = kf };
    if (!j.path || !j.rel) {
        job_free(&j);
        civ_error e;
        civ_error_set(&e, CIV_ENOMEM, "out of memory");
        run_fail(r, CIV_ENOMEM, &e);
        return 1;
    }
    run_log_found(r->log, 0);
    if (queue_put(r->queue, &j) != 0) {
        job_free(&j);
        return 1;
    }
    return 0;
}

static civ_walk_opts walk_opts(const run *r, dev_t *dev, ino_t *ino, int *have)
{
    civ_walk_opts w = { 0 };
    struct stat ist;
    *have = stat(civ_indexdir_path(r->dir), &ist) == 0;
    if (*have) {
        *dev = ist.st_dev;
        *ino = ist.st_ino;
        w.skip_dev = dev;
        w.skip_ino = ino;
        w.nskip = 1;
    }
    return w;
}

/* Walks every root into the queue while the workers take from it. */
static civ_status index_files(run *r)
{
    dev_t dev = 0;
    ino_t ino = 0;
    int have = 0;
    civ_walk_opts wopts = walk_opts(r, &dev, &ino, &have);
    run_log_start(r->log, dev, ino, have);
    for (unsigned i = 0; i < r->nworkers; i++) {
        r->workers[i].r = r;
        r->workers[i].idx = i;
        if (pthread_create(&r->workers[i].th, NULL, worker_main, &r->workers[i]) != 0) {
            civ_error e;
            civ_error_set(&e, CIV_ENOMEM, "cannot start a worker thread");
            run_fail(r, CIV_ENOMEM, &e);
            break;
        }
        r->workers[i].started = 1;
    }
    for (size_t i = 0; i < r->o->nroots && !should_stop(r); i++) {
        civ_error we = CIV_ERROR_INIT;
        r->cur_root = i;
        civ_status ws = civ_walk(r->o->roots[i], &wopts, on_walk, r, &we);
        if (ws != CIV_OK) {
            run_fail(r, ws, &we);
            break;
        }
    }
    queue_close(r->queue);
    for (unsigned i = 0; i < r->nworkers; i++)
        if (r->workers[i].started)
            pthread_join(r->workers[i].th, NULL);
    return r->fatal;
}

/* ---- setting up and finishing -------------------------------------------- */

static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* A new index: an empty generation is published first, so that the folder
 * is an index that opens whatever happens next. */
static civ_status publish_empty(civ_indexdir *dir, const char *stemmer, civ_error *err)
{
    char *empty = NULL;
    civ_writer *ew = NULL;
    civ_writer_opts eo = CIV_WRITER_OPTS_INIT;
    eo.stemmer = stemmer;
    eo.overwrite = 1;
    civ_status s = civ_indexdir_scratch(&empty, dir, "empty", err);
    if (s == CIV_OK)
        s = civ_writer_open(&ew, empty, &eo, err);
    if (s == CIV_OK)
        s = civ_writer_commit(ew, err);
    civ_writer_free(ew);
    if (s == CIV_OK)
        s = civ_indexdir_publish(dir, empty, 0, err);
    free(empty);
    return s;
}

/* Build or update: opens the live index when there is one to update,
 * else prepares the shards of a build. */
static civ_status choose_mode(run *r, unsigned jobs, size_t live_bytes, size_t shard_bytes,
                              civ_error *err)
{
    const civ_run_opts *o = r->o;
    civ_status s;
    if (civ_indexdir_current(r->dir) && !o->full) {
        int empty = 0;
        /* Commits to the live index are synced, so they are fewer. */
        s = live_open(&r->live, r->dir, o->stemmer, o->batch_docs ? o->batch_docs : 500,
                      live_bytes, r->log, &empty, err);
        if (s != CIV_OK || !empty)
            return s;
        /* Empty: build afresh, keeping its stemming language. */
        civ_writer_get_meta(&r->lang, live_writer(r->live), "civ:stemmer", NULL);
        live_free(r->live);
        r->live = NULL;
    } else {
        r->replacing = civ_indexdir_current(r->dir) != NULL;
        if (!r->replacing && (s = publish_empty(r->dir, o->stemmer, err)) != CIV_OK)
            return s;
    }
    civ_writer_opts defaults = CIV_WRITER_OPTS_INIT;
    shard_opts so = {
        .stemmer = r->lang ? r->lang : o->stemmer,
        .spelling = defaults.spelling != CIV_SPELL_OFF,
        .workers = jobs,
        .shard_max = o->shard_docs ? o->shard_docs : CIV_DEFAULT_SHARD_DOCS,
        /* Small batches are much faster: Xapian's pending-change maps stay
         * in the CPU caches (bench/README.md: 100 documents a shard commit
         * took 14 s of CPU for what 20,000 took 34 s). */
        .batch_docs = o->batch_docs ? o->batch_docs : 100,
        .batch_bytes = shard_bytes,
        .before_publish = citegraph_build,
        .before_publish_ctx = r->log,
    };
    return shards_new(&r->build, r->dir, &so, err);
}

static civ_status set_up(run *r, civ_error *err)
{
    const civ_run_opts *o = r->o;
    civ_status s = run_log_new(&r->log, o, r->c, err);
    r->nroots = o->nroots;
    if (s == CIV_OK && !(r->roots = calloc(o->nroots ? o->nroots : 1, sizeof *r->roots)))
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    for (size_t i = 0; i < o->nroots && s == CIV_OK; i++) {
        char real[PATH_MAX];
        /* roots is set: its calloc failing sets s, which ends the loop. */
        if (!(r->roots[i] = strdup(realpath(o->roots[i], real) ? real : o->roots[i]))) // NOLINT(clang-analyzer-core.NullDereference)
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    if (s == CIV_OK)
        s = civ_indexdir_open(&r->dir, o->index, err);
    if (s == CIV_OK && !o->full && civ_indexdir_damaged(r->dir))
        s = civ_error_set(err, CIV_ECORRUPT, "index damaged (%s: XAPIANDB names no generation): "
                          "run civindex --full to rebuild it", o->index);
    unsigned jobs = o->jobs ? o->jobs : default_jobs();
    size_t memory = o->memory ? o->memory : CIV_DEFAULT_MEMORY;
    /* Pending changes are bounded by bytes: what the budget leaves after
     * the fixed costs (file buffers, caches, the known-files table). */
    size_t fixed = (size_t)160 * 1024 * 1024;
    size_t avail = memory > fixed + (size_t)32 * 1024 * 1024 ? memory - fixed : (size_t)32 * 1024 * 1024;
    if (s == CIV_OK)
        s = queue_new(&r->queue, avail / 2, err);
    if (s == CIV_OK) {
        /* Pending changes per writer: the live index, or a shard each. */
        size_t live_bytes = o->batch_bytes ? o->batch_bytes : avail / 2;
        size_t shard_bytes = o->batch_bytes ? o->batch_bytes : avail / jobs / 2;
        s = choose_mode(r, jobs, live_bytes, shard_bytes, err);
    }
    if (s == CIV_OK && r->live) {
        r->prev_started = live_prev_started(r->live);
        s = known_load(&r->known, live_writer(r->live), err);
    }
    if (s == CIV_OK && !(r->workers = calloc(jobs, sizeof *r->workers)))
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    r->nworkers = jobs;
    r->c->jobs = jobs;
    r->c->build = r->build != NULL;
    r->popts.max_size = o->max_size;
    r->popts.format = o->format;
    r->popts.ocr = o->ocr;
    r->popts.ocr_lang = o->ocr_lang;
    r->popts.ocr_cache = o->ocr_cache;
    r->popts.doc_cpu = o->doc_timeout;
    r->popts.doc_memory = o->doc_memory;
    r->popts.stop = o->stop;
    bad_tag(r->tag, o->max_size ? o->max_size : CIV_DEFAULT_MAX_SIZE, o->format, o->ocr,
            o->doc_timeout ? o->doc_timeout : CIV_SANDBOX_DEFAULT_CPU,
            o->doc_memory ? o->doc_memory : CIV_SANDBOX_DEFAULT_MEMORY);
    return s;
}

/* Files under this run's roots that the walk did not find are pruned,
 * unless they lie under a folder the walk could not read. */
static int keep_unseen(void *ctx, const known_file *f)
{
    run *r = ctx;
    int ours = 0;
    for (size_t i = 0; i < r->nroots && !ours; i++)
        ours = strcmp(r->roots[i], f->root) == 0;
    if (!ours)
        return 1;
    for (size_t i = 0; i < r->nwerr; i++) {
        if (strcmp(r->roots[r->werr[i].root], f->root) != 0)
            continue;
        size_t n = strlen(r->werr[i].rel);
        if (n == 0 || (strncmp(f->file, r->werr[i].rel, n) == 0 && (f->file[n] == '/' || f->file[n] == '\0')))
            return 1;
    }
    return 0;
}

typedef struct forget_ctx {
    run *r;
    civ_writer *w;
    civ_status s;
    civ_error *err;
} forget_ctx;

/* A bad file's record is forgotten when the file was read again, or is
 * gone (as pruning would see it). */
static int forget_bad(void *vctx, known_file *f)
{
    forget_ctx *c = vctx;
    if (f->kept || (!f->seen && (c->r->c->interrupted || c->r->o->no_prune || keep_unseen(c->r, f))))
        return 0;
    c->s = bad_forget(c->w, f->root, f->file, c->err);
    return c->s != CIV_OK;
}

/* Updates the records of bad files in w: stale ones forgotten, this
 * run's remembered. */
static civ_status write_bad(run *r, civ_writer *w, civ_error *err)
{
    forget_ctx fc = { r, w, CIV_OK, err };
    known_each_bad(r->known, forget_bad, &fc);
    civ_status s = fc.s;
    for (size_t i = 0; i < r->nbad && s == CIV_OK; i++)
        s = bad_remember(w, &r->bad[i], err);
    return s;
}

/* Prune and commit, or merge the shards into a new generation. */
static civ_status finish(run *r, long long started, civ_error *err)
{
    char when[32];
    snprintf(when, sizeof when, "%lld", started);
    civ_run_counts *c = r->c;
    if (r->build && c->interrupted && r->replacing) {
        c->kept_previous = 1; /* a partial rebuild must not replace a complete index */
        return CIV_OK;
    }
    civ_status s;
    if (r->build) {
        s = write_bad(r, shards_writer(r->build, 0), err);
        return s == CIV_OK ? shards_finish(r->build, when, r->log, err) : s;
    }
    s = write_bad(r, live_writer(r->live), err);
    if (s == CIV_OK && !r->o->no_prune && !c->interrupted) {
        civ_crash_point("prune");
        s = live_prune(r->live, r->known, keep_unseen, r, err);
    }
    if (s == CIV_OK)
        s = citegraph_mark(live_writer(r->live), c, err);
    if (s == CIV_OK)
        s = live_finish(r->live, c->interrupted ? NULL : when, err);
    if (s == CIV_OK)
        s = citegraph_finish(live_writer(r->live), r->log, err);
    /* The run's last commit: the table of word counts for the index as it
     * is now (the one of an earlier run names an earlier revision). */
    if (s == CIV_OK)
        s = civ_writer_note_counts(live_writer(r->live), err);
    return s;
}

static civ_status compact_current(civ_indexdir *dir, civ_error *err)
{
    const char *cur = civ_indexdir_current(dir);
    if (!cur)
        return civ_error_set(err, CIV_ENOTFOUND, "no index at %s", civ_indexdir_path(dir));
    if (civ_indexdir_current_is_file(dir))
        return CIV_OK;
    if (civ_indexdir_legacy(dir))
        return civ_error_set(err, CIV_EINVAL,
                             "index %s is in the old layout; rebuild it with --full first",
                             civ_indexdir_path(dir));
    char *tmp = NULL;
    civ_status s = civ_indexdir_scratch(&tmp, dir, "compact.glass", err);
    if (s == CIV_OK)
        s = civ_compact(tmp, &cur, 1, 1, err);
    if (s == CIV_OK) {
        civ_crash_point("compacted");
        s = civ_indexdir_publish(dir, tmp, 1, err);
    }
    free(tmp);
    return s;
}

civ_status civ_index_compact(const char *path, const char *output, civ_error *err)
{
    civ_indexdir *dir = NULL;
    struct stat st;
    if (stat(path, &st) != 0)
        return civ_error_set(err, CIV_ENOTFOUND, "no index at %s", path);
    civ_status s = civ_indexdir_open(&dir, path, err);
    if (s != CIV_OK)
        return s;
    if (output) {
        const char *cur = civ_indexdir_current(dir);
        if (!cur)
            s = civ_error_set(err, CIV_ENOTFOUND, "no index at %s", path);
        else if (access(output, F_OK) == 0)
            s = civ_error_set(err, CIV_EINVAL, "%s exists already", output);
        else
            s = civ_compact(output, &cur, 1, 1, err);
    } else {
        s = compact_current(dir, err);
    }
    civ_indexdir_clean_scratch(dir);
    civ_indexdir_free(dir);
    return s;
}

static void tear_down(run *r)
{
    run_log_free(r->log); /* stops the progress threads first */
    live_free(r->live);
    shards_free(r->build);
    free(r->workers);
    free(r->lang);
    if (r->dir) {
        civ_indexdir_clean_scratch(r->dir);
        civ_indexdir_free(r->dir);
    }
    known_free(r->known);
    queue_free(r->queue);
    for (size_t i = 0; i < r->nwerr; i++)
        free(r->werr[i].rel);
    free(r->werr);
    for (size_t i = 0; i < r->nbad; i++)
        bad_file_clear(&r->bad[i]);
    free(r->bad);
    for (size_t i = 0; r->roots && i < r->nroots; i++)
        free(r->roots[i]);
    free(r->roots);
    pthread_mutex_destroy(&r->mu);
}

civ_status civ_index_run(civ_run_counts *counts, const civ_run_opts *o, civ_error *err)
{
    memset(counts, 0, sizeof *counts);
    if (!o || o->version != CIV_RUN_OPTS_VERSION || !o->index)
        return civ_error_set(err, CIV_EINVAL, "civ_index_run: bad options");
    /* Every root must exist before we touch the index. */
    for (size_t i = 0; i < o->nroots; i++) {
        struct stat st;
        if (stat(o->roots[i], &st) != 0)
            return civ_error_set(err, errno == ENOENT ? CIV_ENOTFOUND : CIV_EIO, "%s: %s",
                                 o->roots[i], strerror(errno));
    }
    civ_dom_quiet();
    xmlInitParser();
    run r = { .o = o, .c = counts };
    pthread_mutex_init(&r.mu, NULL);
    long long started = (long long)time(NULL);

    civ_status s = set_up(&r, err);               /* 1. the index and the way to write it */
    if (s == CIV_OK && index_files(&r) != CIV_OK) { /* 2. walk and extract */
        s = r.fatal;
        if (err)
            *err = r.fatal_err;
    }
    /* A stop after the last file left nothing undone: a normal finish. */
    counts->interrupted = s == CIV_OK && o->stop && *o->stop && r.stopped_early;
    if (s == CIV_OK)
        s = finish(&r, started, err);             /* 3. commit, or merge and publish */
    if (s == CIV_OK && o->compact && !counts->interrupted) {
        run_log_phase(r.log, "compacting");       /* 4. one file, if asked */
        s = compact_current(r.dir, err);
        counts->compacted = s == CIV_OK;
    }
    tear_down(&r);
    return s;
}
