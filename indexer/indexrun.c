/* One civindex run: walk → pipeline → writer, committing in batches. */
#include "civ/indexrun.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "civ/walk.h"
#include "civ/writer.h"

typedef struct run_state {
    const civ_run_opts *o;
    civ_run_counts *c;
    civ_writer *w;
    civ_pipeline_opts popts;
    const char *cur_path;
    unsigned pending_docs;
    size_t pending_bytes;
    civ_status fatal;
    civ_error *err;
} run_state;

static void on_warning(void *ctx, const char *msg)
{
    run_state *r = ctx;
    r->c->warnings++;
    if (r->o->events.warning)
        r->o->events.warning(r->o->events.ctx, r->cur_path, msg);
}

static civ_status commit(run_state *r, civ_error *err)
{
    civ_status s = civ_writer_commit(r->w, err);
    r->pending_docs = 0;
    r->pending_bytes = 0;
    return s;
}

static civ_status put_doc(void *ctx, civ_doc *doc, const char *sub, civ_error *err)
{
    (void)sub;
    run_state *r = ctx;
    size_t bytes = 0;
    civ_status s = civ_writer_put(r->w, doc, &bytes, err);
    if (s != CIV_OK)
        return s;
    r->c->docs++;
    r->pending_docs++;
    r->pending_bytes += bytes;
    unsigned bd = r->o->batch_docs ? r->o->batch_docs : 2000;
    size_t bb = r->o->batch_bytes ? r->o->batch_bytes : (size_t)64 * 1024 * 1024;
    if (r->pending_docs >= bd || r->pending_bytes >= bb)
        return commit(r, err);
    return CIV_OK;
}

static int on_file(void *ctx, const char *path, const char *rel, const struct stat *st, int errnum)
{
    run_state *r = ctx;
    civ_file_report rep;
    if (!st) {
        memset(&rep, 0, sizeof rep);
        rep.outcome = CIV_FILE_FAILED;
        snprintf(rep.reason, sizeof rep.reason, "cannot read: %s", strerror(errnum));
    } else {
        r->cur_path = path;
        civ_status s = civ_pipeline_file(&r->popts, path, rel, st, put_doc, r, &rep, r->err);
        if (s != CIV_OK) {
            r->fatal = s;
            return 1;
        }
        r->c->bytes += (uint64_t)st->st_size;
    }
    switch (rep.outcome) {
    case CIV_FILE_INDEXED: r->c->indexed++; break;
    case CIV_FILE_SKIPPED: r->c->skipped++; break;
    case CIV_FILE_FAILED: r->c->failed++; break;
    case CIV_FILE_IGNORED: r->c->ignored++; break;
    }
    if (r->o->events.file)
        r->o->events.file(r->o->events.ctx, path, &rep);
    return 0;
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
    run_state r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.c = counts;
    r.err = err;
    civ_writer_opts wo = CIV_WRITER_OPTS_INIT;
    wo.stemmer = o->stemmer;
    wo.overwrite = o->full;
    civ_status s = civ_writer_open(&r.w, o->index, &wo, err);
    if (s != CIV_OK)
        return s;
    /* Never index the index. */
    struct stat ist;
    dev_t skip_dev[1];
    ino_t skip_ino[1];
    civ_walk_opts wopts = { 0 };
    if (stat(o->index, &ist) == 0) {
        skip_dev[0] = ist.st_dev;
        skip_ino[0] = ist.st_ino;
        wopts.skip_dev = skip_dev;
        wopts.skip_ino = skip_ino;
        wopts.nskip = 1;
    }
    r.popts.max_size = o->max_size;
    r.popts.format = o->format;
    r.popts.warn = on_warning;
    r.popts.warn_ctx = &r;
    for (size_t i = 0; i < o->nroots && r.fatal == CIV_OK; i++) {
        char real[PATH_MAX];
        r.popts.root = realpath(o->roots[i], real) ? real : o->roots[i];
        s = civ_walk(o->roots[i], &wopts, on_file, &r, err);
        if (s != CIV_OK) {
            r.fatal = s;
            break;
        }
    }
    if (r.fatal == CIV_OK)
        r.fatal = commit(&r, err);
    civ_writer_free(r.w);
    return r.fatal;
}
