/* One civindex run: walk → workers (pipeline) → shards or the live index.
 * See civ/indexrun.h for the two ways of writing and their guarantees. */
#include "indexrun.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "civ/hash.h"
#include "indexdir.h"
#include "walk.h"
#include "civ/writer.h"
#include "civ/date.h"

#define QUEUE_CAP 512
#define META_STARTED "civ:started"

/* ---- what the index already holds, one entry per file ----------------- */

typedef struct known_file {
    char *file;           /* file id (path relative to its root) */
    const char *root;     /* interned */
    long long mtime;
    uint64_t size;
    char hash[17];
    unsigned ndocs;
    unsigned char seen;   /* found by this run's walk */
    unsigned char claimed; /* its documents were moved to a new path */
    struct known_file *next_name, *next_hash;
} known_file;

typedef struct known_set {
    known_file **by_name, **by_hash;
    size_t cap, n;
    char **roots;         /* interned root strings */
    size_t nroots;
} known_set;

static uint64_t str_hash(const char *s)
{
    return civ_hash64(s, strlen(s), 0x5eed);
}

static known_file *known_find(const known_set *k, const char *file)
{
    if (!k->cap)
        return NULL;
    for (known_file *f = k->by_name[str_hash(file) & (k->cap - 1)]; f; f = f->next_name)
        if (strcmp(f->file, file) == 0)
            return f;
    return NULL;
}

static int known_grow(known_set *k)
{
    size_t cap = k->cap ? k->cap * 2 : 1024;
    known_file **bn = calloc(cap, sizeof *bn);
    if (!bn)
        return -1;
    for (size_t i = 0; i < k->cap; i++) {
        known_file *f = k->by_name[i];
        while (f) {
            known_file *next = f->next_name;
            size_t b = str_hash(f->file) & (cap - 1);
            f->next_name = bn[b];
            bn[b] = f;
            f = next;
        }
    }
    free(k->by_name);
    k->by_name = bn;
    k->cap = cap;
    return 0;
}

static const char *known_root(known_set *k, const char *root)
{
    for (size_t i = 0; i < k->nroots; i++)
        if (strcmp(k->roots[i], root) == 0)
            return k->roots[i];
    char **nr = realloc(k->roots, (k->nroots + 1) * sizeof *nr);
    if (!nr)
        return NULL;
    k->roots = nr;
    if (!(nr[k->nroots] = strdup(root)))
        return NULL;
    return nr[k->nroots++];
}

typedef struct load_ctx {
    known_set *k;
    int oom;
} load_ctx;

static int load_one(void *ctx, const civ_known *d)
{
    load_ctx *l = ctx;
    known_set *k = l->k;
    const char *file = *d->file ? d->file : d->id;
    known_file *f = known_find(k, file);
    if (f) {
        f->ndocs++;
        return 0;
    }
    if ((k->n + 1) * 2 > k->cap && known_grow(k) != 0)
        goto oom;
    f = calloc(1, sizeof *f);
    if (!f || !(f->file = strdup(file)) || !(f->root = known_root(k, d->root))) {
        if (f)
            free(f->file);
        free(f);
        goto oom;
    }
    f->mtime = d->mtime;
    f->size = d->size;
    snprintf(f->hash, sizeof f->hash, "%s", d->hash);
    f->ndocs = 1;
    size_t b = str_hash(f->file) & (k->cap - 1);
    f->next_name = k->by_name[b];
    k->by_name[b] = f;
    k->n++;
    return 0;
oom:
    l->oom = 1;
    return 1;
}

/* Builds the content-hash chains used to recognise moved files. */
static int known_index_hashes(known_set *k)
{
    if (!k->cap)
        return 0;
    k->by_hash = calloc(k->cap, sizeof *k->by_hash);
    if (!k->by_hash)
        return -1;
    for (size_t i = 0; i < k->cap; i++)
        for (known_file *f = k->by_name[i]; f; f = f->next_name) {
            if (!f->hash[0])
                continue;
            size_t b = str_hash(f->hash) & (k->cap - 1);
            f->next_hash = k->by_hash[b];
            k->by_hash[b] = f;
        }
    return 0;
}

static void known_free(known_set *k)
{
    for (size_t i = 0; i < k->cap; i++) {
        known_file *f = k->by_name[i];
        while (f) {
            known_file *next = f->next_name;
            free(f->file);
            free(f);
            f = next;
        }
    }
    free(k->by_name);
    free(k->by_hash);
    for (size_t i = 0; i < k->nroots; i++)
        free(k->roots[i]);
    free(k->roots);
    memset(k, 0, sizeof *k);
}

/* ---- the run ------------------------------------------------------------ */

typedef struct job {
    char *path, *rel;
    struct stat st;
    size_t root;
    known_file *kf;
} job;

typedef struct run_state run_state;

typedef struct worker {
    run_state *r;
    unsigned idx;
    pthread_t th;
    int started;
    civ_writer *shard;       /* build: this worker's own database */
    char *shard_path;
    unsigned shard_docs;     /* documents in it */
    unsigned pending_docs;
    size_t pending_bytes;
    int writing;             /* update: inside a file's write phase */
    size_t reserved;         /* memory reserved for the current file */
    const char *cur_path;
} worker;

typedef struct walk_error {
    size_t root;
    char *rel;
} walk_error;

struct run_state {
    const civ_run_opts *o;
    civ_run_counts *c;
    civ_indexdir *dir;
    int build;
    int replacing;           /* build: --full over an existing index */
    civ_pipeline_opts popts;
    char **roots;            /* real paths of the roots */
    size_t nroots;
    size_t cur_root;         /* root being walked (main thread) */
    known_set known;
    long long prev_started;
    unsigned batch_docs;
    size_t batch_bytes;

    pthread_mutex_t mu;      /* counts, known flags, queue, fatal */
    pthread_cond_t q_get, q_put;
    job q[QUEUE_CAP];
    size_t qhead, qlen;
    int q_closed;
    civ_status fatal;
    civ_error fatal_err;
    volatile int stopping;
    int stopped_early;       /* a stop left files undone */
    uint64_t total;          /* from the counting walk, 0 until known */
    uint64_t done;           /* files finished */
    int finished;
    pthread_cond_t tick;

    size_t file_budget;      /* memory for files being processed at once */
    size_t file_reserved;
    pthread_cond_t file_cond;

    pthread_mutex_t wmu;     /* update: the live writer and the commit protocol */
    pthread_cond_t wcond;
    civ_writer *live;
    int writers, want_commit;
    unsigned pending_docs;
    size_t pending_bytes;

    pthread_mutex_t ev_mu;   /* events reach the caller one at a time */
    const char *phase;
    double t0;

    walk_error *werr;
    size_t nwerr;

    worker *workers;
    unsigned nworkers;

    /* build: shards are closed at shard_max documents (small B-trees keep
     * commits cheap); MERGE_FANIN closed shards of one level are merged
     * into one of the next level while the other workers go on, and what
     * is left is merged at the end */
    civ_writer_opts shard_opts;
    unsigned shard_max;
    unsigned shard_seq;
    char **closed;
    unsigned *closed_level;
    size_t nclosed;
    unsigned merge_seq;

    /* build: one spelling dictionary for all shards, in a database of its
     * own that joins the final merge */
    pthread_mutex_t smu;
    civ_spelling *spell;
    civ_writer *spell_w;
    char *spell_path;
    size_t spell_mark;       /* words waiting after the last addition */
    char *lang;              /* build: stemming language kept from an empty
                                index (shard_opts.stemmer points here) */
};

static int should_stop(const run_state *r)
{
    return r->stopping || (r->o->stop && *r->o->stop);
}

static void set_fatal(run_state *r, civ_status s, const civ_error *e)
{
    pthread_mutex_lock(&r->mu);
    if (r->fatal == CIV_OK) {
        r->fatal = s;
        if (e && e->code != CIV_OK)
            r->fatal_err = *e;
        else
            civ_error_set(&r->fatal_err, s, "%s", civ_status_name(s));
    }
    r->stopping = 1;
    pthread_cond_broadcast(&r->q_get);
    pthread_cond_broadcast(&r->q_put);
    pthread_cond_broadcast(&r->file_cond);
    pthread_mutex_unlock(&r->mu);
}

static void emit_file_event(run_state *r, const char *path, const civ_file_report *rep)
{
    if (!r->o->events.file)
        return;
    pthread_mutex_lock(&r->ev_mu);
    r->o->events.file(r->o->events.ctx, path, rep);
    pthread_mutex_unlock(&r->ev_mu);
}

static void emit_change(run_state *r, const char *what, const char *path, const char *detail)
{
    if (!r->o->events.change)
        return;
    pthread_mutex_lock(&r->ev_mu);
    r->o->events.change(r->o->events.ctx, what, path, detail);
    pthread_mutex_unlock(&r->ev_mu);
}

static void on_warning(void *ctx, const char *msg)
{
    worker *wk = ctx;
    run_state *r = wk->r;
    pthread_mutex_lock(&r->mu);
    r->c->warnings++;
    pthread_mutex_unlock(&r->mu);
    if (r->o->events.warning) {
        pthread_mutex_lock(&r->ev_mu);
        r->o->events.warning(r->o->events.ctx, wk->cur_path, msg);
        pthread_mutex_unlock(&r->ev_mu);
    }
}

/* ---- update: writes to the live index, whole files per commit --------- */

static int over_bounds(const run_state *r, unsigned docs, size_t bytes)
{
    return docs >= r->batch_docs || bytes >= r->batch_bytes;
}

static civ_status live_commit_locked(run_state *r, civ_error *err)
{
    civ_crash_point("commit");
    civ_status s = civ_writer_commit(r->live, err);
    if (s == CIV_OK)
        civ_crash_point("committed");
    else
        set_fatal(r, s, err); /* before another writer sees the closed index */
    r->pending_docs = 0;
    r->pending_bytes = 0;
    return s;
}

/* Starts the write phase of one file: no commit happens until it ends, so
 * a commit never holds half of a file's changes. */
static void write_begin(worker *wk)
{
    run_state *r = wk->r;
    if (wk->writing)
        return;
    pthread_mutex_lock(&r->wmu);
    while (r->want_commit)
        pthread_cond_wait(&r->wcond, &r->wmu);
    r->writers++;
    pthread_mutex_unlock(&r->wmu);
    wk->writing = 1;
}

static civ_status write_end(worker *wk, civ_error *err)
{
    run_state *r = wk->r;
    civ_status s = CIV_OK;
    if (!wk->writing)
        return CIV_OK;
    wk->writing = 0;
    pthread_mutex_lock(&r->wmu);
    r->writers--;
    if (over_bounds(r, r->pending_docs, r->pending_bytes))
        r->want_commit = 1;
    if (r->want_commit && r->writers == 0) {
        if (r->fatal == CIV_OK) /* after a fatal error nothing more is committed */
            s = live_commit_locked(r, err);
        r->want_commit = 0;
        pthread_cond_broadcast(&r->wcond);
    }
    pthread_mutex_unlock(&r->wmu);
    return s;
}

/* Receives each finished document of a file from the pipeline. */
static civ_status rotate_shard(worker *wk, civ_error *err);

static civ_status emit_doc(void *ctx, civ_doc *doc, const char *sub, civ_error *err)
{
    (void)sub;
    worker *wk = ctx;
    run_state *r = wk->r;
    size_t bytes = 0;
    civ_status s;
    if (r->build) {
        s = civ_writer_put(wk->shard, doc, &bytes, err);
        if (s != CIV_OK)
            return s;
        wk->shard_docs++;
        wk->pending_docs++;
        wk->pending_bytes += bytes;
        /* Counted a document at a time: an mbox of many messages is split
         * across shards and commits like as many files. */
        int full = wk->shard_docs >= r->shard_max;
        if (full || over_bounds(r, wk->pending_docs, wk->pending_bytes)) {
            s = full ? rotate_shard(wk, err) : civ_writer_commit(wk->shard, err);
            wk->pending_docs = 0;
            wk->pending_bytes = 0;
            if (s != CIV_OK)
                return s;
        }
    } else {
        write_begin(wk);
        pthread_mutex_lock(&r->wmu);
        s = civ_writer_put(r->live, doc, &bytes, err);
        if (s != CIV_OK)
            set_fatal(r, s, err);
        r->pending_docs++;
        r->pending_bytes += bytes;
        pthread_mutex_unlock(&r->wmu);
        if (s != CIV_OK)
            return s;
    }
    pthread_mutex_lock(&r->mu);
    r->c->docs++;
    pthread_mutex_unlock(&r->mu);
    return CIV_OK;
}

/* A known file that vanished from disk and had exactly this content. */
static known_file *claim_move_source(run_state *r, const char *hash, uint64_t size)
{
    known_set *k = &r->known;
    if (!k->by_hash)
        return NULL;
    known_file *found = NULL;
    pthread_mutex_lock(&r->mu);
    for (known_file *f = k->by_hash[str_hash(hash) & (k->cap - 1)]; f; f = f->next_hash) {
        if (f->seen || f->claimed || f->size != size || strcmp(f->hash, hash) != 0 || !*f->root)
            continue;
        /* Still on disk (walked later, or outside this run's roots)? Then
         * the new file is a copy, not a move. */
        char path[PATH_MAX];
        struct stat st;
        int n = snprintf(path, sizeof path, "%s/%s", f->root, f->file);
        if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0)
            continue;
        struct stat rst;
        if (stat(f->root, &rst) == 0 && S_ISREG(rst.st_mode))
            continue; /* a root that is a file: the id is its name */
        f->claimed = 1;
        found = f;
        break;
    }
    pthread_mutex_unlock(&r->mu);
    return found;
}

/* Opens a new scratch shard for worker wk. */
static civ_status open_shard(worker *wk, civ_error *err)
{
    run_state *r = wk->r;
    char name[32];
    pthread_mutex_lock(&r->mu);
    unsigned seq = r->shard_seq++;
    pthread_mutex_unlock(&r->mu);
    snprintf(name, sizeof name, "shard.%u", seq);
    free(wk->shard_path);
    wk->shard_path = NULL;
    wk->shard_docs = 0;
    civ_status s = civ_indexdir_scratch(&wk->shard_path, r->dir, name, err);
    if (s == CIV_OK)
        s = civ_writer_open(&wk->shard, wk->shard_path, &r->shard_opts, err);
    return s;
}

/* The first addition to the spelling dictionary, the costly one (a new
 * word's letter groups are indexed), comes early, beside the other
 * workers' indexing, once this many words wait; a word already there only
 * needs its count raised, so later additions wait until the counts would
 * take too much memory, or the end. */
#define SPELL_FIRST_WORDS 20000
#define SPELL_MORE_WORDS 500000

/* Moves shard's spelling counts (may be NULL) to the run's, and adds the
 * waiting words to the dictionary database when it is time (above) or
 * final. */
static civ_status gather_spelling(run_state *r, civ_writer *shard, int final, civ_error *err)
{
    if (!r->spell)
        return CIV_OK;
    civ_status s = CIV_OK;
    pthread_mutex_lock(&r->smu);
    if (shard)
        s = civ_writer_take_spelling(r->spell, shard, err);
    size_t pending = civ_spelling_pending(r->spell);
    if (s == CIV_OK &&
        (final || (!r->spell_w && pending >= SPELL_FIRST_WORDS) ||
         pending >= r->spell_mark + SPELL_MORE_WORDS)) {
        if (!r->spell_w) {
            s = civ_indexdir_scratch(&r->spell_path, r->dir, "spelling", err);
            if (s == CIV_OK)
                s = civ_writer_open(&r->spell_w, r->spell_path, &r->shard_opts, err);
        }
        if (s == CIV_OK)
            s = civ_writer_add_spelling(r->spell_w, r->spell, final, err);
        if (s == CIV_OK)
            s = civ_writer_commit(r->spell_w, err);
        r->spell_mark = civ_spelling_pending(r->spell);
    }
    pthread_mutex_unlock(&r->smu);
    return s;
}

/* Adds a closed database of the given merge level to the list. Takes
 * path (freed on failure). */
static civ_status add_closed(run_state *r, char *path, unsigned level, civ_error *err)
{
    pthread_mutex_lock(&r->mu);
    char **nc = realloc(r->closed, (r->nclosed + 1) * sizeof *nc);
    if (nc)
        r->closed = nc;
    unsigned *nl = nc ? realloc(r->closed_level, (r->nclosed + 1) * sizeof *nl) : NULL;
    if (nl) {
        r->closed_level = nl;
        nc[r->nclosed] = path;
        nl[r->nclosed++] = level;
    }
    pthread_mutex_unlock(&r->mu);
    if (!nl) {
        free(path);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    return CIV_OK;
}

/* Closed databases merged into one at a time: few enough to keep open
 * files low, many enough that each document is merged about twice on the
 * way to a million. */
#define MERGE_FANIN 32

/* Merges MERGE_FANIN closed databases of one level, if there are that
 * many, into one of the next level; the worker does it while the others
 * keep indexing. */
static civ_status merge_closed(run_state *r, civ_error *err)
{
    const char *srcs[MERGE_FANIN];
    char *taken[MERGE_FANIN];
    size_t n = 0;
    unsigned level = 0, seq = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->nclosed && n == 0; i++) {
        size_t same = 0;
        for (size_t k = 0; k < r->nclosed; k++)
            same += r->closed_level[k] == r->closed_level[i];
        if (same < MERGE_FANIN)
            continue;
        level = r->closed_level[i];
        size_t keep = 0;
        for (size_t k = 0; k < r->nclosed; k++) {
            if (n < MERGE_FANIN && r->closed_level[k] == level) {
                taken[n] = r->closed[k];
                srcs[n++] = r->closed[k];
            } else {
                r->closed[keep] = r->closed[k];
                r->closed_level[keep++] = r->closed_level[k];
            }
        }
        r->nclosed = keep;
        seq = r->merge_seq++;
    }
    pthread_mutex_unlock(&r->mu);
    if (n == 0)
        return CIV_OK;
    char name[32];
    char *merged = NULL;
    snprintf(name, sizeof name, "merge.%u", seq);
    civ_status s = civ_indexdir_scratch(&merged, r->dir, name, err);
    if (s == CIV_OK)
        s = civ_compact(merged, srcs, n, 0, err);
    if (s == CIV_OK)
        civ_crash_point("shards-merged");
    for (size_t i = 0; i < n; i++) {
        civ_indexdir_drop_scratch(r->dir, taken[i]);
        free(taken[i]);
    }
    if (s == CIV_OK)
        return add_closed(r, merged, level + 1, err);
    free(merged);
    return s;
}

/* Closes a full shard (kept for merging) and starts another. */
static civ_status rotate_shard(worker *wk, civ_error *err)
{
    run_state *r = wk->r;
    civ_status s = gather_spelling(r, wk->shard, 0, err);
    if (s == CIV_OK)
        s = civ_writer_commit(wk->shard, err);
    civ_writer_free(wk->shard);
    wk->shard = NULL;
    if (s == CIV_OK) {
        s = add_closed(r, wk->shard_path, 0, err);
        wk->shard_path = NULL;
    }
    if (s == CIV_OK)
        s = merge_closed(r, err);
    if (s != CIV_OK)
        return s;
    return open_shard(wk, err);
}

/* Memory one file needs while it is extracted and indexed: measured at
 * about 5 times its size for big text files (the term generator's
 * positions and Xapian's pending postings). Big files wait for each other
 * so that two of them never exceed the budget together; one alone always
 * goes ahead. */
static size_t file_reserve(run_state *r, size_t len)
{
    size_t need = len > SIZE_MAX / 6 ? SIZE_MAX / 6 : len * 5;
    if (need < (size_t)1 << 20)
        return 0; /* small files: covered by the fixed part of the budget */
    pthread_mutex_lock(&r->mu);
    while (r->file_reserved > 0 && r->file_reserved + need > r->file_budget && !r->stopping)
        pthread_cond_wait(&r->file_cond, &r->mu);
    r->file_reserved += need;
    pthread_mutex_unlock(&r->mu);
    return need;
}

static void file_release(run_state *r, size_t need)
{
    if (!need)
        return;
    /* Give the big file's memory back to the system before the next one
     * (freed memory otherwise stays in this thread's malloc arena). */
    malloc_trim(0);
    pthread_mutex_lock(&r->mu);
    r->file_reserved -= need;
    pthread_cond_broadcast(&r->file_cond);
    pthread_mutex_unlock(&r->mu);
}

static void count_outcome(run_state *r, const civ_file_report *rep, const known_file *kf)
{
    pthread_mutex_lock(&r->mu);
    switch (rep->outcome) {
    case CIV_FILE_INDEXED:
        r->c->indexed++;
        if (kf)
            r->c->changed++;
        else
            r->c->added++;
        break;
    case CIV_FILE_SKIPPED: r->c->skipped++; break;
    case CIV_FILE_FAILED: r->c->failed++; break;
    case CIV_FILE_IGNORED: r->c->ignored++; break;
    }
    r->c->pages += rep->pages;
    r->c->scanned_pages += rep->scanned;
    r->c->scanned_files += rep->scanned > 0;
    r->c->ocr_pages += rep->ocr_pages;
    r->c->ocr_cached += rep->ocr_cached;
    r->c->over_limit += rep->over_limit;
    pthread_mutex_unlock(&r->mu);
}

static void process(worker *wk, job *j)
{
    run_state *r = wk->r;
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
        set_fatal(r, s, &e);
        return;
    }
    if (!buf) {
        count_outcome(r, &rep, j->kf);
        emit_file_event(r, j->path, &rep);
        return;
    }
    pthread_mutex_lock(&r->mu);
    r->c->bytes += len;
    pthread_mutex_unlock(&r->mu);
    wk->reserved = file_reserve(r, len);
    char hash[17];
    civ_hash64_hex(hash, civ_hash64(buf, len, 0));
    po.hash = hash; /* the pipeline would hash the bytes again */
    known_file *kf = j->kf;
    long long mtime = (long long)j->st.st_mtime;
    if (!r->build) {
        known_file *src = NULL;
        if (kf && strcmp(kf->hash, hash) == 0) {
            src = kf; /* same content: at most the mtime changed */
        } else if (!kf) {
            src = claim_move_source(r, hash, len);
        }
        if (src) {
            int moved = src != kf;
            int touch = moved || src->mtime != mtime || src->size != len ||
                        strcmp(src->root, po.root) != 0;
            if (touch) {
                write_begin(wk);
                pthread_mutex_lock(&r->wmu);
                s = civ_writer_relocate(r->live, src->file, j->rel, j->path, po.root, mtime, NULL, &e);
                if (s != CIV_OK)
                    set_fatal(r, s, &e);
                r->pending_docs += src->ndocs;
                r->pending_bytes += 4096 * (size_t)src->ndocs;
                pthread_mutex_unlock(&r->wmu);
                civ_status s2 = write_end(wk, s == CIV_OK ? &e : NULL);
                if (s == CIV_OK)
                    s = s2;
            }
            free(buf);
            if (s != CIV_OK) {
                set_fatal(r, s, &e);
                return;
            }
            pthread_mutex_lock(&r->mu);
            if (moved)
                r->c->moved++;
            else
                r->c->unchanged++;
            pthread_mutex_unlock(&r->mu);
            if (moved) {
                char old[PATH_MAX];
                snprintf(old, sizeof old, "%s/%s", src->root, src->file);
                emit_change(r, "moved", j->path, old);
            } else if (touch) {
                emit_change(r, "touched", j->path, NULL);
            }
            return;
        }
        write_begin(wk);
        if (kf) {
            pthread_mutex_lock(&r->wmu);
            s = civ_writer_delete_file(r->live, kf->file, NULL, &e);
            if (s != CIV_OK)
                set_fatal(r, s, &e);
            r->pending_docs += kf->ndocs;
            pthread_mutex_unlock(&r->wmu);
            if (s != CIV_OK) {
                free(buf);
                write_end(wk, NULL);
                set_fatal(r, s, &e);
                return;
            }
        }
    }
    const char *name = strrchr(j->path, '/');
    name = name ? name + 1 : j->path;
    s = civ_pipeline_bytes(&po, j->path, name, j->rel, buf, len, mtime, emit_doc, wk, &rep, &e);
    free(buf);
    if (s == CIV_OK) {
        if (!r->build)
            s = write_end(wk, &e);
    } else if (!r->build) {
        write_end(wk, NULL);
    }
    if (s != CIV_OK) {
        set_fatal(r, s, &e);
        return;
    }
    count_outcome(r, &rep, kf);
    emit_file_event(r, j->path, &rep);
    civ_crash_point("file");
}

static void job_free(job *j)
{
    free(j->path);
    free(j->rel);
}

static void *worker_main(void *arg)
{
    worker *wk = arg;
    run_state *r = wk->r;
    for (;;) {
        pthread_mutex_lock(&r->mu);
        while (r->qlen == 0 && !r->q_closed && !r->stopping)
            pthread_cond_wait(&r->q_get, &r->mu);
        if (r->qlen == 0 || r->stopping) {
            if (r->qlen)
                r->stopped_early = 1;
            pthread_mutex_unlock(&r->mu);
            break;
        }
        job j = r->q[r->qhead];
        r->qhead = (r->qhead + 1) % QUEUE_CAP;
        r->qlen--;
        pthread_cond_signal(&r->q_put);
        pthread_mutex_unlock(&r->mu);
        if (!should_stop(r))
            process(wk, &j);
        else
            r->stopped_early = 1;
        file_release(r, wk->reserved);
        wk->reserved = 0;
        job_free(&j);
        pthread_mutex_lock(&r->mu);
        r->done++;
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

/* ---- the walk (main thread) -------------------------------------------- */

static int enqueue(run_state *r, job *j)
{
    pthread_mutex_lock(&r->mu);
    while (r->qlen == QUEUE_CAP && !r->stopping)
        pthread_cond_wait(&r->q_put, &r->mu);
    if (r->stopping) {
        pthread_mutex_unlock(&r->mu);
        return -1;
    }
    r->q[(r->qhead + r->qlen) % QUEUE_CAP] = *j;
    r->qlen++;
    pthread_cond_signal(&r->q_get);
    pthread_mutex_unlock(&r->mu);
    return 0;
}

static int on_walk(void *ctx, const char *path, const char *rel, const struct stat *st, int errnum)
{
    run_state *r = ctx;
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
        civ_file_report rep;
        memset(&rep, 0, sizeof rep);
        rep.outcome = CIV_FILE_FAILED;
        snprintf(rep.reason, sizeof rep.reason, "cannot read: %s", strerror(errnum));
        pthread_mutex_lock(&r->mu);
        r->c->files++;
        r->c->failed++;
        r->done++;
        pthread_mutex_unlock(&r->mu);
        emit_file_event(r, path, &rep);
        return 0;
    }
    known_file *kf = NULL;
    if (!r->build) {
        kf = known_find(&r->known, rel);
        if (kf) {
            const char *root = r->roots[r->cur_root];
            pthread_mutex_lock(&r->mu);
            kf->seen = 1;
            int same = kf->size == (uint64_t)st->st_size && kf->mtime == (long long)st->st_mtime &&
                       kf->mtime < r->prev_started - 1 && strcmp(kf->root, root) == 0;
            if (same) {
                r->c->files++;
                r->c->unchanged++;
                r->done++;
            }
            pthread_mutex_unlock(&r->mu);
            if (same)
                return 0;
        }
    }
    job j;
    memset(&j, 0, sizeof j);
    j.path = strdup(path);
    j.rel = strdup(rel);
    j.st = *st;
    j.root = r->cur_root;
    j.kf = kf;
    if (!j.path || !j.rel) {
        job_free(&j);
        civ_error e;
        civ_error_set(&e, CIV_ENOMEM, "out of memory");
        set_fatal(r, CIV_ENOMEM, &e);
        return 1;
    }
    pthread_mutex_lock(&r->mu);
    r->c->files++;
    pthread_mutex_unlock(&r->mu);
    if (enqueue(r, &j) != 0) {
        job_free(&j);
        return 1;
    }
    return 0;
}

/* ---- progress ------------------------------------------------------------ */

typedef struct count_ctx {
    run_state *r;
    uint64_t n;
} count_ctx;

static int count_one(void *ctx, const char *path, const char *rel, const struct stat *st, int errnum)
{
    (void)path;
    (void)rel;
    (void)errnum;
    count_ctx *c = ctx;
    c->n++;
    (void)st;
    return should_stop(c->r) || c->r->finished;
}

static civ_walk_opts walk_opts(const run_state *r, dev_t *dev, ino_t *ino)
{
    civ_walk_opts w = { 0 };
    struct stat ist;
    if (stat(civ_indexdir_path(r->dir), &ist) == 0) {
        *dev = ist.st_dev;
        *ino = ist.st_ino;
        w.skip_dev = dev;
        w.skip_ino = ino;
        w.nskip = 1;
    }
    return w;
}

/* Counts the files ahead of the workers, so that progress has a total. */
static void *counter_main(void *arg)
{
    run_state *r = arg;
    dev_t dev;
    ino_t ino;
    civ_walk_opts w = walk_opts(r, &dev, &ino);
    count_ctx c = { r, 0 };
    for (size_t i = 0; i < r->o->nroots; i++) {
        if (civ_walk(r->o->roots[i], &w, count_one, &c, NULL) != CIV_OK)
            continue;
    }
    pthread_mutex_lock(&r->mu);
    if (!should_stop(r))
        r->total = c.n ? c.n : 1;
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void send_progress(run_state *r)
{
    civ_run_progress p;
    pthread_mutex_lock(&r->mu);
    p.done = r->done;
    p.total = r->total > r->c->files ? r->total : (r->total ? r->c->files : 0);
    p.bytes = r->c->bytes;
    p.skipped = r->c->unchanged + r->c->skipped;
    p.phase = r->phase;
    pthread_mutex_unlock(&r->mu);
    p.elapsed = civ_monotonic() - r->t0;
    pthread_mutex_lock(&r->ev_mu);
    r->o->events.progress(r->o->events.ctx, &p);
    pthread_mutex_unlock(&r->ev_mu);
}

static void *ticker_main(void *arg)
{
    run_state *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->finished) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000 * 1000;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->tick, &r->mu, &ts);
        if (r->finished)
            break;
        pthread_mutex_unlock(&r->mu);
        send_progress(r);
        pthread_mutex_lock(&r->mu);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

static void set_phase(run_state *r, const char *phase)
{
    pthread_mutex_lock(&r->mu);
    r->phase = phase;
    pthread_mutex_unlock(&r->mu);
}

/* ---- setting up and finishing -------------------------------------------- */

static unsigned default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* Opens the live generation for updating; a single-file generation is
 * first expanded back into a folder. */
static civ_status open_live(run_state *r, const civ_writer_opts *wo, civ_error *err)
{
    civ_status s;
    if (civ_indexdir_current_is_file(r->dir)) {
        char *tmp = NULL;
        if ((s = civ_indexdir_scratch(&tmp, r->dir, "expand", err)) != CIV_OK)
            return s;
        const char *src = civ_indexdir_current(r->dir);
        set_phase(r, "expanding");
        s = civ_compact(tmp, &src, 1, 0, err);
        if (s == CIV_OK)
            s = civ_indexdir_publish(r->dir, tmp, 0, err);
        free(tmp);
        if (s != CIV_OK)
            return s;
    }
    return civ_writer_open(&r->live, civ_indexdir_current(r->dir), wo, err);
}

static int under_walk_error(const run_state *r, const known_file *f)
{
    for (size_t i = 0; i < r->nwerr; i++) {
        if (strcmp(r->roots[r->werr[i].root], f->root) != 0)
            continue;
        size_t n = strlen(r->werr[i].rel);
        if (n == 0 || (strncmp(f->file, r->werr[i].rel, n) == 0 && (f->file[n] == '/' || f->file[n] == '\0')))
            return 1;
    }
    return 0;
}

/* Removes the documents of files under this run's roots that the walk did
 * not find. */
static civ_status prune(run_state *r, civ_error *err)
{
    known_set *k = &r->known;
    set_phase(r, "removing");
    for (size_t b = 0; b < k->cap; b++) {
        for (known_file *f = k->by_name[b]; f; f = f->next_name) {
            if (f->seen || f->claimed)
                continue;
            int ours = 0;
            for (size_t i = 0; i < r->nroots && !ours; i++)
                ours = strcmp(r->roots[i], f->root) == 0;
            if (!ours || under_walk_error(r, f))
                continue;
            unsigned n = 0;
            civ_status s = civ_writer_delete_file(r->live, f->file, &n, err);
            if (s != CIV_OK)
                return s;
            r->c->removed++;
            r->c->removed_docs += n;
            r->pending_docs += n;
            emit_change(r, "removed", f->file, f->root);
            if (over_bounds(r, r->pending_docs, r->pending_bytes) &&
                (s = live_commit_locked(r, err)) != CIV_OK)
                return s;
        }
    }
    return CIV_OK;
}

/* Build: commit the shards and merge them into a new generation. */
static civ_status finish_build(run_state *r, civ_error *err)
{
    civ_status s = CIV_OK;
    size_t n = 0;
    const char **srcs = calloc(r->nworkers + r->nclosed + 1, sizeof *srcs);
    if (!srcs)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    set_phase(r, "committing");
    for (size_t i = 0; i < r->nclosed; i++)
        srcs[n++] = r->closed[i];
    for (unsigned i = 0; i < r->nworkers; i++) {
        worker *wk = &r->workers[i];
        if (s == CIV_OK)
            s = gather_spelling(r, wk->shard, 0, err);
        if (s == CIV_OK)
            s = civ_writer_commit(wk->shard, err);
        civ_writer_free(wk->shard);
        wk->shard = NULL;
        srcs[n++] = wk->shard_path;
    }
    if (s == CIV_OK)
        s = gather_spelling(r, NULL, 1, err);
    if (s == CIV_OK && r->spell_w) {
        civ_writer_free(r->spell_w);
        r->spell_w = NULL;
        srcs[n++] = r->spell_path;
    }
    if (s == CIV_OK) {
        set_phase(r, "merging");
        {
            char *merged = NULL;
            s = civ_indexdir_scratch(&merged, r->dir, "merged", err);
            if (s == CIV_OK)
                s = civ_compact(merged, srcs, n, 0, err);
            if (s == CIV_OK)
                civ_crash_point("merged");
            if (s == CIV_OK)
                s = civ_indexdir_publish(r->dir, merged, 0, err);
            free(merged);
        }
    }
    free(srcs);
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
    if (s == CIV_OK)
        s = civ_indexdir_publish(dir, tmp, 1, err);
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
    xmlInitParser();
    run_state *r = calloc(1, sizeof *r);
    if (!r)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    r->o = o;
    r->c = counts;
    r->t0 = civ_monotonic();
    r->phase = "indexing";
    pthread_mutex_init(&r->mu, NULL);
    pthread_mutex_init(&r->wmu, NULL);
    pthread_mutex_init(&r->ev_mu, NULL);
    pthread_mutex_init(&r->smu, NULL);
    pthread_cond_init(&r->q_get, NULL);
    pthread_cond_init(&r->q_put, NULL);
    pthread_cond_init(&r->wcond, NULL);
    pthread_cond_init(&r->tick, NULL);
    pthread_cond_init(&r->file_cond, NULL);
    long long started = (long long)time(NULL);
    civ_status s = CIV_OK;
    pthread_t counter, ticker;
    int counter_on = 0, ticker_on = 0;
    civ_writer_opts wo = CIV_WRITER_OPTS_INIT;
    wo.stemmer = o->stemmer;

    r->nroots = o->nroots;
    r->roots = calloc(o->nroots ? o->nroots : 1, sizeof *r->roots);
    if (!r->roots) {
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < o->nroots; i++) {
        char real[PATH_MAX];
        r->roots[i] = strdup(realpath(o->roots[i], real) ? real : o->roots[i]);
        if (!r->roots[i]) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            goto done;
        }
    }
    if ((s = civ_indexdir_open(&r->dir, o->index, err)) != CIV_OK)
        goto done;

    /* Build or update? */
    unsigned jobs = o->jobs ? o->jobs : default_jobs();
    size_t memory = o->memory ? o->memory : CIV_DEFAULT_MEMORY;
    if (civ_indexdir_legacy(r->dir) && !o->full) {
        /* An index folder that is itself a database (older layout): updated
         * in place; --full turns it into generations. */
        if ((s = civ_writer_open(&r->live, civ_indexdir_current(r->dir), &wo, err)) != CIV_OK)
            goto done;
    } else if (civ_indexdir_current(r->dir) && !o->full) {
        if ((s = open_live(r, &wo, err)) != CIV_OK)
            goto done;
        if (civ_writer_doc_count(r->live) == 0) {
            /* Empty: build afresh, keeping its stemming language. */
            civ_writer_get_meta(&r->lang, r->live, "civ:stemmer", NULL);
            civ_writer_free(r->live);
            r->live = NULL;
            r->build = 1;
        }
    } else {
        r->build = 1;
        r->replacing = civ_indexdir_current(r->dir) != NULL;
        if (!civ_indexdir_current(r->dir)) {
            /* A new index: publish an empty generation first, so that the
             * folder is an index that opens whatever happens next. */
            char *empty = NULL;
            civ_writer *ew = NULL;
            civ_writer_opts eo = wo;
            eo.overwrite = 1;
            s = civ_indexdir_scratch(&empty, r->dir, "empty", err);
            if (s == CIV_OK)
                s = civ_writer_open(&ew, empty, &eo, err);
            if (s == CIV_OK)
                s = civ_writer_commit(ew, err);
            civ_writer_free(ew);
            if (s == CIV_OK)
                s = civ_indexdir_publish(r->dir, empty, 0, err);
            free(empty);
            if (s != CIV_OK)
                goto done;
        }
    }
    r->nworkers = jobs;
    counts->jobs = jobs;
    counts->build = r->build;
    /* Pending changes are bounded by bytes: what the budget leaves after
     * the fixed costs (file buffers, caches, the known-files table). */
    size_t fixed = (size_t)160 * 1024 * 1024;
    size_t avail = memory > fixed + (size_t)32 * 1024 * 1024 ? memory - fixed : (size_t)32 * 1024 * 1024;
    unsigned nwriters = r->build ? jobs : 1;
    r->batch_bytes = o->batch_bytes ? o->batch_bytes : avail / nwriters / 2;
    r->file_budget = avail / 2;
    /* Small batches are much faster: Xapian's pending-change maps stay in
     * the CPU caches (bench/README.md: 100 documents a shard commit took
     * 14 s of CPU for what 20,000 took 34 s). Commits to the live index are
     * synced, so they are fewer. */
    r->batch_docs = o->batch_docs ? o->batch_docs : r->build ? 100 : 500;

    if (!r->build) {
        /* What the index knows, per file. */
        load_ctx l = { &r->known, 0 };
        if ((s = civ_writer_each(r->live, load_one, &l, err)) != CIV_OK)
            goto done;
        if (l.oom || known_index_hashes(&r->known) != 0) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            goto done;
        }
        char *st = NULL;
        civ_writer_get_meta(&st, r->live, META_STARTED, NULL);
        r->prev_started = st ? atoll(st) : LLONG_MAX;
        free(st);
    } else {
        civ_writer_opts so = wo;
        so.nosync = 1;
        so.overwrite = 1;
        if (so.spelling) {
            so.spelling = CIV_SPELL_COUNT;
            if ((s = civ_spelling_new(&r->spell, err)) != CIV_OK)
                goto done;
        }
        if (r->lang)
            so.stemmer = r->lang;
        r->workers = calloc(jobs, sizeof *r->workers);
        if (!r->workers) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            goto done;
        }
        r->shard_opts = so;
        r->shard_max = o->shard_docs ? o->shard_docs : CIV_DEFAULT_SHARD_DOCS;
        for (unsigned i = 0; i < jobs && s == CIV_OK; i++) {
            r->workers[i].r = r;
            s = open_shard(&r->workers[i], err);
        }
        if (s != CIV_OK)
            goto done;
    }
    if (!r->workers && !(r->workers = calloc(jobs, sizeof *r->workers))) {
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
        goto done;
    }

    r->popts.max_size = o->max_size;
    r->popts.format = o->format;
    r->popts.ocr = o->ocr;
    r->popts.ocr_lang = o->ocr_lang;
    r->popts.ocr_cache = o->ocr_cache;
    r->popts.doc_cpu = o->doc_timeout;
    r->popts.doc_memory = o->doc_memory;
    r->popts.stop = o->stop;
    if (o->events.progress) {
        counter_on = pthread_create(&counter, NULL, counter_main, r) == 0;
        ticker_on = pthread_create(&ticker, NULL, ticker_main, r) == 0;
    }
    for (unsigned i = 0; i < jobs; i++) {
        r->workers[i].r = r;
        r->workers[i].idx = i;
        if (pthread_create(&r->workers[i].th, NULL, worker_main, &r->workers[i]) != 0) {
            civ_error e;
            civ_error_set(&e, CIV_ENOMEM, "cannot start a worker thread");
            set_fatal(r, CIV_ENOMEM, &e);
            break;
        }
        r->workers[i].started = 1;
    }

    dev_t dev;
    ino_t ino;
    civ_walk_opts wopts = walk_opts(r, &dev, &ino);
    for (size_t i = 0; i < o->nroots && !should_stop(r); i++) {
        civ_error we = CIV_ERROR_INIT;
        r->cur_root = i;
        civ_status ws = civ_walk(o->roots[i], &wopts, on_walk, r, &we);
        if (ws != CIV_OK) {
            set_fatal(r, ws, &we);
            break;
        }
    }
    pthread_mutex_lock(&r->mu);
    r->q_closed = 1;
    pthread_cond_broadcast(&r->q_get);
    pthread_mutex_unlock(&r->mu);
    for (unsigned i = 0; i < jobs; i++)
        if (r->workers[i].started)
            pthread_join(r->workers[i].th, NULL);
    /* Jobs left in the queue by a stop. */
    while (r->qlen) {
        job_free(&r->q[r->qhead]);
        r->qhead = (r->qhead + 1) % QUEUE_CAP;
        r->qlen--;
    }
    /* A stop after the last file left nothing undone: a normal finish. */
    counts->interrupted = o->stop && *o->stop && r->fatal == CIV_OK && r->stopped_early;
    if (r->fatal != CIV_OK) {
        s = r->fatal;
        if (err)
            *err = r->fatal_err;
        goto done;
    }

    /* Finish: prune and commit, or merge the shards. */
    if (r->build && counts->interrupted && r->replacing) {
        /* A partial rebuild must not replace a complete index. */
        counts->kept_previous = 1;
    } else if (r->build) {
        for (unsigned i = 0; i < jobs && s == CIV_OK; i++) {
            char v[32];
            snprintf(v, sizeof v, "%lld", started);
            s = civ_writer_set_meta(r->workers[i].shard, META_STARTED, v, err);
        }
        if (s == CIV_OK)
            s = finish_build(r, err);
    } else {
        if (!o->no_prune && !counts->interrupted)
            s = prune(r, err);
        if (s == CIV_OK && !counts->interrupted) {
            char v[32];
            snprintf(v, sizeof v, "%lld", started);
            s = civ_writer_set_meta(r->live, META_STARTED, v, err);
        }
        set_phase(r, "committing");
        if (s == CIV_OK)
            s = civ_writer_flush(r->live, err);
        if (s == CIV_OK)
            s = live_commit_locked(r, err);
        civ_writer_free(r->live);
        r->live = NULL;
    }
    if (s == CIV_OK && o->compact && !counts->interrupted) {
        set_phase(r, "compacting");
        s = compact_current(r->dir, err);
        counts->compacted = s == CIV_OK;
    }

done:
    pthread_mutex_lock(&r->mu);
    r->finished = 1;
    pthread_cond_broadcast(&r->tick);
    pthread_mutex_unlock(&r->mu);
    if (ticker_on)
        pthread_join(ticker, NULL);
    if (counter_on)
        pthread_join(counter, NULL);
    if (r->live)
        civ_writer_free(r->live); /* uncommitted changes are dropped */
    if (r->workers) {
        for (unsigned i = 0; i < r->nworkers; i++) {
            civ_writer_free(r->workers[i].shard);
            free(r->workers[i].shard_path);
        }
        free(r->workers);
    }
    for (size_t i = 0; i < r->nclosed; i++)
        free(r->closed[i]);
    free(r->closed);
    free(r->closed_level);
    civ_writer_free(r->spell_w);
    free(r->spell_path);
    civ_spelling_free(r->spell);
    free(r->lang);
    if (r->dir) {
        civ_indexdir_clean_scratch(r->dir);
        civ_indexdir_free(r->dir);
    }
    known_free(&r->known);
    for (size_t i = 0; i < r->nwerr; i++)
        free(r->werr[i].rel);
    free(r->werr);
    if (r->roots)
        for (size_t i = 0; i < r->nroots; i++)
            free(r->roots[i]);
    free(r->roots);
    pthread_mutex_destroy(&r->mu);
    pthread_mutex_destroy(&r->wmu);
    pthread_mutex_destroy(&r->ev_mu);
    pthread_mutex_destroy(&r->smu);
    pthread_cond_destroy(&r->q_get);
    pthread_cond_destroy(&r->q_put);
    pthread_cond_destroy(&r->wcond);
    pthread_cond_destroy(&r->tick);
    pthread_cond_destroy(&r->file_cond);
    free(r);
    return s;
}
