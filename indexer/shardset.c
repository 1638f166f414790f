#define _XOPEN_SOURCE 700 /* nftw */
/* civindex --shards N: one run per shard, all at once, then the set's stub,
 * links and merged dictionary. See shardset.h. */
#include "shardset.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "citegraph.h"
#include "dom.h"
#include "indexdir.h"

#include "civ/db.h"
#include "civ/parse.h"
#include "civ/writer.h"

/* snprintf into a path buffer; -1 when it does not fit. */
#define PATHF(buf, ...) (snprintf((buf), sizeof(buf), __VA_ARGS__) >= (int)sizeof(buf) ? -1 : 0)

unsigned civ_shard_of(const char *file_id, unsigned nshards)
{
    uint64_t h = 14695981039346656037ULL;
    for (const unsigned char *p = (const unsigned char *)file_id; *p; p++) {
        h ^= *p;
        h *= 1099511628211ULL;
    }
    return nshards ? (unsigned)(h % nshards) : 0;
}

/* Reads path/XAPIANDB into buf; 0, or -1 when there is none. */
static int read_stub(const char *path, char *buf, size_t n)
{
    char file[PATH_MAX];
    if (PATHF(file, "%s/XAPIANDB", path) < 0)
        return -1;
    FILE *f = fopen(file, "r");
    if (!f)
        return -1;
    size_t got = fread(buf, 1, n - 1, f);
    fclose(f);
    buf[got] = '\0';
    return 0;
}

unsigned civ_shardset_count(const char *path)
{
    char text[16384];
    if (!path || read_stub(path, text, sizeof text) != 0)
        return 0;
    unsigned n = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        unsigned k;
        if (strncmp(line, "auto shard-", 11) != 0 ||
            civ_parse_unsigned(&k, line + 11, 0, UINT_MAX) != 0 || k != n)
            return 0;
        n++;
    }
    return n;
}

/* ---- the runs -------------------------------------------------------------- */

typedef struct shard_run {
    struct set *set;
    unsigned k;
    civ_run_opts o;
    char index[PATH_MAX];
    civ_run_counts counts;
    civ_run_progress last;
    civ_status s;
    civ_error err;
} shard_run;

typedef struct set {
    const civ_run_opts *o;
    pthread_mutex_t mu;     /* one event at a time */
    shard_run *runs;
    unsigned n;
} set;

static void ev_file(void *ctx, const char *path, const civ_file_report *rep)
{
    shard_run *sr = ctx;
    pthread_mutex_lock(&sr->set->mu);
    sr->set->o->events.file(sr->set->o->events.ctx, path, rep);
    pthread_mutex_unlock(&sr->set->mu);
}

static void ev_warning(void *ctx, const char *path, const char *msg)
{
    shard_run *sr = ctx;
    pthread_mutex_lock(&sr->set->mu);
    sr->set->o->events.warning(sr->set->o->events.ctx, path, msg);
    pthread_mutex_unlock(&sr->set->mu);
}

static void ev_change(void *ctx, const char *what, const char *path, const char *detail)
{
    shard_run *sr = ctx;
    pthread_mutex_lock(&sr->set->mu);
    sr->set->o->events.change(sr->set->o->events.ctx, what, path, detail);
    pthread_mutex_unlock(&sr->set->mu);
}

/* Progress of the whole set: the shards' counts added up. */
static void ev_progress(void *ctx, const civ_run_progress *p)
{
    shard_run *sr = ctx;
    set *st = sr->set;
    pthread_mutex_lock(&st->mu);
    sr->last = *p;
    civ_run_progress sum = { .phase = p->phase, .elapsed = p->elapsed };
    for (unsigned i = 0; i < st->n; i++) {
        sum.done += st->runs[i].last.done;
        sum.total += st->runs[i].last.total;
        sum.bytes += st->runs[i].last.bytes;
        sum.skipped += st->runs[i].last.skipped;
    }
    st->o->events.progress(st->o->events.ctx, &sum);
    pthread_mutex_unlock(&st->mu);
}

/* Every shard of an update is checked before any is written, here in one
 * thread: a damaged shard stops the run while the others are as they were
 * (only --full rebuilds it), and no check forks a copy of a process whose
 * other threads are building shards. A shard found whole is noted so, and
 * its run does not read its tables again. */
static civ_status check_shards(const set *st, civ_error *err)
{
    civ_status s = CIV_OK;
    for (unsigned i = 0; i < st->n && s == CIV_OK; i++) {
        const shard_run *sr = &st->runs[i];
        civ_indexdir *d = NULL;
        civ_error e = CIV_ERROR_INIT;
        s = civ_indexdir_open(&d, sr->index, &e);
        const char *cur = s == CIV_OK ? civ_indexdir_current(d) : NULL;
        if (cur && !civ_indexdir_legacy(d) && (s = civ_db_check(cur, &e)) == CIV_OK)
            civ_db_check_note(cur);
        civ_indexdir_free(d);
        if (s != CIV_OK)
            civ_error_set(err, s, "shard %u: %s", sr->k, e.msg);
    }
    return s;
}

static void *run_one(void *arg)
{
    shard_run *sr = arg;
    sr->s = civ_index_run(&sr->counts, &sr->o, &sr->err);
    return NULL;
}

static void add_counts(civ_run_counts *to, const civ_run_counts *c)
{
    to->indexed += c->indexed;
    to->skipped += c->skipped;
    to->failed += c->failed;
    to->ignored += c->ignored;
    to->warnings += c->warnings;
    to->docs += c->docs;
    to->bytes += c->bytes;
    to->files += c->files;
    to->unchanged += c->unchanged;
    to->added += c->added;
    to->changed += c->changed;
    to->moved += c->moved;
    to->removed += c->removed;
    to->removed_docs += c->removed_docs;
    to->known_bad += c->known_bad;
    to->not_read_other += c->not_read_other;
    for (size_t i = 0; i < c->nnot_read; i++) {
        size_t j = 0;
        while (j < to->nnot_read && strcmp(to->not_read[j].ext, c->not_read[i].ext) != 0)
            j++;
        if (j == to->nnot_read) {
            if (to->nnot_read == sizeof to->not_read / sizeof to->not_read[0]) {
                to->not_read_other += c->not_read[i].n;
                continue;
            }
            to->not_read[to->nnot_read++] = c->not_read[i];
            to->not_read[j].n = 0;
        }
        to->not_read[j].n += c->not_read[i].n;
    }
    to->pages += c->pages;
    to->scanned_pages += c->scanned_pages;
    to->scanned_files += c->scanned_files;
    to->ocr_pages += c->ocr_pages;
    to->ocr_cached += c->ocr_cached;
    to->over_limit += c->over_limit;
    to->jobs += c->jobs;
    to->build |= c->build;
    to->interrupted |= c->interrupted;
    to->compacted |= c->compacted;
    to->kept_previous |= c->kept_previous;
}

/* ---- after the runs ---------------------------------------------------------- */

/* Writes text to path through a temporary file renamed over it. */
static civ_status write_atomic(const char *path, const char *text, civ_error *err)
{
    char tmp[PATH_MAX];
    if (PATHF(tmp, "%s.new", path) < 0)
        return civ_error_set(err, CIV_EINVAL, "%s: path too long", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return civ_error_set(err, CIV_EIO, "%s: %s", tmp, strerror(errno));
    int bad = fputs(text, f) < 0;
    bad |= fflush(f) != 0 || fsync(fileno(f)) != 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        civ_error_set(err, CIV_EIO, "%s: %s", path, strerror(errno));
        unlink(tmp);
        return CIV_EIO;
    }
    return CIV_OK;
}

/* shard-K.db → shard-K/db.N (the generation its XAPIANDB names), replaced
 * atomically. A shard compacted to one file has none (xapian-replicate
 * needs a database folder). */
static civ_status link_generation(const char *out, unsigned k, civ_error *err)
{
    char shard[PATH_MAX], text[256], gen[200], target[PATH_MAX], link[PATH_MAX], tmp[PATH_MAX];
    if (PATHF(shard, "%s/shard-%u", out, k) < 0 || PATHF(link, "%s/shard-%u.db", out, k) < 0)
        return civ_error_set(err, CIV_EINVAL, "%s: path too long", out);
    if (read_stub(shard, text, sizeof text) != 0 || sscanf(text, "auto %199s", gen) != 1)
        return CIV_OK; /* a legacy folder: it is the database */
    if (PATHF(target, "shard-%u/%s", k, gen) < 0)
        return CIV_OK;
    struct stat st;
    if (PATHF(tmp, "%s/%s", out, target) < 0 || stat(tmp, &st) != 0 || !S_ISDIR(st.st_mode)) {
        unlink(link);
        return CIV_OK;
    }
    if (PATHF(tmp, "%s.new", link) < 0)
        return civ_error_set(err, CIV_EINVAL, "%s: path too long", out);
    unlink(tmp);
    if (symlink(target, tmp) != 0 || rename(tmp, link) != 0)
        return civ_error_set(err, CIV_EIO, "%s: %s", link, strerror(errno));
    return CIV_OK;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

/* Removes a file or a folder and everything in it. */
static int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* OUT/spelling: the dictionaries of every shard merged, built aside and
 * switched in by renames. */
static civ_status merge_spelling(const char *out, unsigned n, civ_error *err)
{
    char dst[PATH_MAX], built[PATH_MAX], old[PATH_MAX];
    if (PATHF(dst, "%s/spelling", out) < 0 || PATHF(built, "%s/spelling.new", out) < 0 ||
        PATHF(old, "%s/spelling.old", out) < 0)
        return civ_error_set(err, CIV_EINVAL, "%s: path too long", out);
    remove_tree(built);
    remove_tree(old);
    char (*paths)[PATH_MAX] = calloc(n, sizeof *paths);
    const char **srcs = calloc(n, sizeof *srcs);
    if (!paths || !srcs) {
        free(paths);
        free(srcs);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    for (unsigned k = 0; k < n; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/shard-%u", out, k);
        srcs[k] = paths[k];
    }
    civ_status s = civ_spelling_merge(built, srcs, n, err);
    free(paths);
    free(srcs);
    if (s != CIV_OK)
        return s;
    struct stat st;
    if (stat(dst, &st) == 0 && rename(dst, old) != 0)
        return civ_error_set(err, CIV_EIO, "%s: %s", dst, strerror(errno));
    if (rename(built, dst) != 0)
        return civ_error_set(err, CIV_EIO, "%s: %s", dst, strerror(errno));
    remove_tree(old);
    return CIV_OK;
}

static civ_status finish_set(const char *out, unsigned n, civ_error *err)
{
    size_t cap = (size_t)n * 24 + 1;
    char *text = malloc(cap);
    if (!text)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    size_t len = 0;
    for (unsigned k = 0; k < n; k++)
        len += (size_t)snprintf(text + len, cap - len, "auto shard-%u\n", k);
    char stub[PATH_MAX];
    if (PATHF(stub, "%s/XAPIANDB", out) < 0) {
        free(text);
        return civ_error_set(err, CIV_EINVAL, "%s: path too long", out);
    }
    civ_status s = write_atomic(stub, text, err);
    free(text);
    for (unsigned k = 0; k < n && s == CIV_OK; k++)
        s = link_generation(out, k, err);
    if (s == CIV_OK)
        s = merge_spelling(out, n, err);
    return s;
}

static civ_status link_citations(const char *out, unsigned n, civ_error *err)
{
    char(*paths)[PATH_MAX] = calloc(n, sizeof *paths);
    const char **ps = calloc(n, sizeof *ps);
    if (!paths || !ps) {
        free(ps);
        free(paths);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    civ_status s = CIV_OK;
    for (unsigned k = 0; k < n && s == CIV_OK; k++) {
        if (PATHF(paths[k], "%s/shard-%u", out, k) < 0)
            s = civ_error_set(err, CIV_EINVAL, "%s: path too long", out);
        ps[k] = paths[k];
    }
    if (s == CIV_OK)
        s = citegraph_link_shards(ps, n, err);
    free(ps);
    free(paths);
    return s;
}

/* Shards past n of a smaller set rebuilt with --full. */
static void drop_extra(const char *out, unsigned from, unsigned to)
{
    for (unsigned k = from; k < to; k++) {
        char p[PATH_MAX];
        if (PATHF(p, "%s/shard-%u.db", out, k) == 0)
            unlink(p);
        if (PATHF(p, "%s/shard-%u", out, k) == 0)
            remove_tree(p);
    }
}

civ_status civ_shardset_run(civ_run_counts *counts, const civ_run_opts *o, unsigned nshards,
                            int only, civ_error *err)
{
    memset(counts, 0, sizeof *counts);
    if (!o || !o->index)
        return civ_error_set(err, CIV_EINVAL, "civ_shardset_run: bad options");
    if (nshards < 1 || nshards > CIV_SHARDS_MAX)
        return civ_error_set(err, CIV_EINVAL, "--shards: expected 1 to %d shards", CIV_SHARDS_MAX);
    if (only >= (int)nshards)
        return civ_error_set(err, CIV_EINVAL, "--shard %d: the set has shards 0 to %u", only,
                             nshards - 1);
    char text[64];
    unsigned have = civ_shardset_count(o->index);
    if (!have && read_stub(o->index, text, sizeof text) == 0)
        return civ_error_set(err, CIV_EINVAL,
                             "%s is an index, not a set of shards: give --shards a new folder",
                             o->index);
    if (have && have != nshards && (!o->full || only >= 0))
        return civ_error_set(err, CIV_EINVAL,
                             "%s holds %u shards, not %u: rebuild all of it with --full to change that",
                             o->index, have, nshards);
    if (only >= 0 && have != nshards)
        return civ_error_set(err, CIV_EINVAL, "%s is not a set of %u shards: build all of them first",
                             o->index, nshards);
    if (mkdir(o->index, 0777) != 0 && errno != EEXIST)
        return civ_error_set(err, CIV_EIO, "cannot create %s: %s", o->index, strerror(errno));

    unsigned nrun = only >= 0 ? 1 : nshards;
    set st = { .o = o, .n = nrun };
    st.runs = calloc(nrun, sizeof *st.runs);
    pthread_t *threads = calloc(nrun, sizeof *threads);
    if (!st.runs || !threads) {
        free(st.runs);
        free(threads);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&st.mu, NULL);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = o->jobs ? o->jobs : (unsigned)(cores > 0 ? cores : 1);
    size_t memory = o->memory ? o->memory : CIV_DEFAULT_MEMORY;
    civ_dom_quiet();
    xmlInitParser(); /* once, before the threads */
    /* Shards are shipped with Xapian's replication, which copies only
     * what changed when the database keeps changesets of its commits. */
    setenv("XAPIAN_MAX_CHANGESETS", "16", 0);
    for (unsigned i = 0; i < nrun; i++) {
        shard_run *sr = &st.runs[i];
        sr->set = &st;
        sr->k = only >= 0 ? (unsigned)only : i;
        snprintf(sr->index, sizeof sr->index, "%s/shard-%u", o->index, sr->k);
        sr->o = *o;
        sr->o.index = sr->index;
        sr->o.nshards = nshards;
        sr->o.shard = sr->k;
        sr->o.jobs = jobs / nrun + (i < jobs % nrun);
        if (!sr->o.jobs)
            sr->o.jobs = 1;
        sr->o.memory = memory / nrun < ((size_t)64 << 20) ? (size_t)64 << 20 : memory / nrun;
        sr->o.events.ctx = sr;
        sr->o.events.file = o->events.file ? ev_file : NULL;
        sr->o.events.warning = o->events.warning ? ev_warning : NULL;
        sr->o.events.change = o->events.change ? ev_change : NULL;
        sr->o.events.progress = o->events.progress ? ev_progress : NULL;
        sr->err = (civ_error)CIV_ERROR_INIT;
    }
    unsigned started = 0;
    civ_status s = o->full ? CIV_OK : check_shards(&st, err);
    for (; started < nrun && s == CIV_OK; started++)
        if (pthread_create(&threads[started], NULL, run_one, &st.runs[started]) != 0) {
            s = civ_error_set(err, CIV_ENOMEM, "cannot start a thread for shard %u", started);
            break;
        }
    for (unsigned i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    for (unsigned i = 0; i < started; i++) {
        add_counts(counts, &st.runs[i].counts);
        if (s == CIV_OK && st.runs[i].s != CIV_OK)
            s = civ_error_set(err, st.runs[i].s, "shard %u: %s", st.runs[i].k, st.runs[i].err.msg);
    }
    pthread_mutex_destroy(&st.mu);
    free(st.runs);
    free(threads);
    /* Citations between shards: over all of them, whichever ran. */
    if (s == CIV_OK && !counts->interrupted && nshards > 1)
        s = link_citations(o->index, nshards, err);
    if (s == CIV_OK && !counts->interrupted) {
        s = finish_set(o->index, nshards, err);
        if (s == CIV_OK && have > nshards)
            drop_extra(o->index, nshards, have);
    }
    return s;
}
