/* One file from disk to finished documents, and the registry's way through
 * a file and every part inside it (extract.h). */
#include "pipeline.h"

#include "civ/hash.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "civ/charset.h"
#include "civ/compress.h"
#include "civ/hash.h"
#include "enrich.h"
#include "sandbox.h"

/* One file's extraction: where its documents and warnings go, and what
 * its parts may still cost. */
struct civ_extract {
    const civ_pipeline_opts *o;
    civ_file_report *rep;
    civ_emit_fn emit;
    void *ctx;
    size_t budget;       /* bytes that decompressing parts may still produce */
    unsigned parts;      /* parts handed back so far */
    int limit_warned;    /* the parts limit was reported */
    int bound_warned;    /* a document's bound (civ_doc_bounded) was */
    uint64_t warned[8];  /* hashes of the warnings given (a file's same
                            warning is given once) */
    unsigned nwarned;
    double cpu_end;      /* the thread's CPU clock past which the file has
                            used up its time (--doc-timeout) */
    int timed_out;       /* it has: nothing more is read */
};

/* The calling thread's CPU time in seconds (each worker reads its own
 * files, so this is the file's cost, whatever the other workers do). */
static double thread_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int civ_input_expired(const civ_input *in)
{
    civ_extract *x = in ? in->x : NULL;
    if (!x)
        return 0;
    if (!x->timed_out && thread_cpu() > x->cpu_end)
        x->timed_out = 1;
    return x->timed_out;
}

/* The error that stops a file past its time; the first one counts the
 * file as stopped at a limit and, when part of it was already indexed,
 * warns that the rest was not read. */
static civ_status expired(civ_extract *x, const civ_input *in, civ_error *err)
{
    unsigned secs = x->o->doc_cpu ? x->o->doc_cpu : CIV_SANDBOX_DEFAULT_CPU;
    if (x->timed_out == 1) {
        x->timed_out = 2;
        x->rep->over_limit++;
        if (x->rep->docs > 0)
            civ_input_warn(in, "stopped after %u s of CPU time (--doc-timeout): %u document%s "
                               "indexed, the rest not read",
                           secs, x->rep->docs, x->rep->docs == 1 ? "" : "s");
    }
    return civ_error_set(err, CIV_ETIMEOUT, "took longer than %u s of CPU time (--doc-timeout)",
                         secs);
}

static void report(civ_outcome *outcome, char *reason, size_t rsz, civ_outcome o, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static void report(civ_outcome *outcome, char *reason, size_t rsz, civ_outcome o, const char *fmt, ...)
{
    *outcome = o;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, rsz, fmt, ap);
    va_end(ap);
}

static void format_size(char *out, size_t n, size_t bytes)
{
    if (bytes >= 1024 * 1024)
        snprintf(out, n, "%zu MB", bytes / (1024 * 1024));
    else
        snprintf(out, n, "%zu KB", bytes / 1024);
}

void civ_input_warn(const civ_input *in, const char *fmt, ...)
{
    civ_extract *x = in->x;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    int n = snprintf(msg, sizeof msg, "%s", in->where ? in->where : "");
    if (n < 0 || (size_t)n >= sizeof msg)
        n = 0;
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    for (char *p = msg; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    if (!x)
        return;
    /* The same line twice about one file says nothing more (nested
     * parts each too deep, a message's parts each truncated). */
    uint64_t h = civ_hash64(msg, strlen(msg), 0);
    for (unsigned i = 0; i < x->nwarned && i < 8; i++)
        if (x->warned[i] == h)
            return;
    x->warned[x->nwarned++ % 8] = h;
    x->rep->warnings++;
    if (x->o->warn)
        x->o->warn(x->o->warn_ctx, msg);
}

static const civ_pipeline_opts no_opts;

const civ_pipeline_opts *civ_input_opts(const civ_input *in)
{
    return in && in->x ? in->x->o : &no_opts;
}

civ_file_report *civ_input_report(const civ_input *in)
{
    return in && in->x ? in->x->rep : NULL;
}

int civ_input_take_budget(const civ_input *in, size_t n)
{
    civ_extract *x = in->x;
    if (!x)
        return 0;
    if (n > x->budget)
        return -1;
    x->budget -= n;
    return 0;
}

/* Gives a finished document its common fields, enriches it, emits it. */
civ_status civ_extract_emit(const civ_input *in, civ_doc *doc, const char *sub, civ_error *err)
{
    civ_extract *x = in->x;
    if (in->into) {
        size_t tlen;
        const char *t = civ_doc_text(doc, &tlen);
        civ_doc_add_paragraph(in->into, t, tlen);
        civ_doc_note_bounded(in->into, civ_doc_bounded(doc));
        return civ_doc_check(in->into, err);
    }
    if (civ_input_expired(in))
        return expired(x, in, err);
    const civ_file_info *f = in->file;
    char num[32];
    civ_buf id = CIV_BUF_INIT;
    civ_buf_printf(&id, "%s%s%s", f->id, in->sub ? in->sub : "", sub ? sub : "");
    civ_doc_set_str(doc, "id", civ_buf_str(&id));
    civ_doc_set_str(doc, "path", f->path);
    /* The file a part came from; a file's own document is found by its id. */
    civ_doc_set_str(doc, "file", id.len > strlen(f->id) ? f->id : NULL);
    snprintf(num, sizeof num, "%llu", (unsigned long long)f->size);
    civ_doc_set_str(doc, "size", num);
    snprintf(num, sizeof num, "%lld", f->mtime);
    civ_doc_set_str(doc, "mtime", num);
    civ_doc_set_str(doc, "hash", f->hash);
    civ_doc_set_str(doc, "format", in->format);
    if (f->root)
        civ_doc_set_str(doc, "root", f->root);
    civ_status s = civ_enrich(doc, in, err);
    if (civ_doc_bounded(doc) && !x->bound_warned) {
        x->bound_warned = 1;
        civ_input_warn(in, "%s", civ_doc_bounded(doc));
    }
    if (s == CIV_OK)
        s = x->emit(x->ctx, doc, id.len > strlen(f->id) ? civ_buf_str(&id) + strlen(f->id) : NULL,
                    err);
    civ_buf_free(&id);
    if (s == CIV_OK)
        x->rep->docs++;
    return s;
}

/* Text-like content with no name or type to go by. */
static int looks_like_text(const unsigned char *b, size_t len)
{
    return !civ_text_is_binary((const char *)b, len);
}

/* The extractor for an input, or NULL (res says why). */
static const civ_extractor *pick_one(const civ_part *p, const char *name, int gz_name,
                                     const unsigned char *data, size_t dlen, civ_part_result *res);

static const civ_extractor *pick(const civ_extract *x, const civ_part *p, const char *name,
                                 int gz_name, const unsigned char *data, size_t dlen,
                                 civ_part_result *res)
{
    const civ_extractor *ex = pick_one(p, name, gz_name, data, dlen, res);
    /* Images are read by OCR only, which is asked for. */
    if (ex && (ex->flags & CIV_EXTRACTOR_OCR) && !x->o->ocr) {
        report(&res->outcome, res->reason, sizeof res->reason, CIV_FILE_IGNORED,
               "an image: read only with --ocr");
        return NULL;
    }
    return ex;
}

static const civ_extractor *pick_one(const civ_part *p, const char *name, int gz_name,
                                     const unsigned char *data, size_t dlen, civ_part_result *res)
{
    const civ_extractor *ex = NULL;
    if (p->format)
        return civ_extractor_by_name(p->format);
    if ((ex = civ_extractor_for_name(name)) != NULL)
        return ex;
    if (p->media_type && (ex = civ_extractor_for_media_type(p->media_type)) != NULL)
        return ex;
    if ((ex = civ_extractor_sniff(data, dlen)) != NULL)
        return ex;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    int has_ext = dot && dot != base;
    if ((!has_ext || gz_name) && !p->media_type && looks_like_text(data, dlen))
        return &civ_extractor_text;
    report(&res->outcome, res->reason, sizeof res->reason, CIV_FILE_IGNORED,
           "not a format civindex reads%s%s", has_ext ? ": " : "", has_ext ? dot : "");
    return NULL;
}

#define SAY(res, o, ...) report(&(res)->outcome, (res)->reason, sizeof (res)->reason, (o), __VA_ARGS__)

/* The bytes of a part as its extractor reads them: within the size limit,
 * decompressed when gzip ("x.txt.gz" or by magic), with the name that
 * picks the format in name (".gz" removed). *data is NULL when res says
 * why the part is not read; plain holds decompressed bytes. */
static civ_status unwrap(civ_extract *x, const civ_part *p, size_t max, civ_buf *plain, char *name,
                         size_t namesz, int *gz_name, const unsigned char **data, size_t *dlen,
                         civ_part_result *res, civ_error *err)
{
    char sz[32];
    *data = NULL;
    if (p->len == 0) {
        SAY(res, CIV_FILE_SKIPPED, "empty file");
        return CIV_OK;
    }
    if (p->len > max) {
        format_size(sz, sizeof sz, max);
        SAY(res, CIV_FILE_SKIPPED, "larger than the maximum size (%s; see --max-size)", sz);
        return CIV_OK;
    }
    snprintf(name, namesz, "%s", p->name ? p->name : "");
    size_t nl = strlen(name);
    *gz_name = nl > 3 && strcasecmp(name + nl - 3, ".gz") == 0;
    if (*gz_name) {
        name[nl - 3] = '\0';
    } else if (nl > 4 && strcasecmp(name + nl - 4, ".tgz") == 0) {
        memcpy(name + nl - 4, ".tar", 4); /* a gzipped tar, read as one */
    }
    if (!civ_is_gzip(p->bytes, p->len)) {
        if (*gz_name) {
            SAY(res, CIV_FILE_FAILED, "named .gz but not gzip data");
            return CIV_OK;
        }
        *data = p->bytes;
        *dlen = p->len;
        return CIV_OK;
    }
    size_t cap = x->budget < max ? x->budget : max;
    civ_error zerr = CIV_ERROR_INIT;
    civ_status s = civ_gunzip(plain, p->bytes, p->len, cap, &zerr);
    if (s == CIV_ENOMEM)
        return civ_error_set(err, s, "out of memory");
    if (s == CIV_ETOOBIG) {
        format_size(sz, sizeof sz, cap);
        SAY(res, CIV_FILE_SKIPPED, "decompresses to more than the maximum size (%s)", sz);
        return CIV_OK;
    }
    if (s != CIV_OK) {
        SAY(res, CIV_FILE_FAILED, "%s", zerr.msg);
        return CIV_OK;
    }
    x->budget -= plain->len < x->budget ? plain->len : x->budget;
    if (plain->len == 0) {
        SAY(res, CIV_FILE_SKIPPED, "empty after decompression");
        return CIV_OK;
    }
    *data = (const unsigned char *)civ_buf_str(plain);
    *dlen = plain->len;
    return CIV_OK;
}

/* Runs extractor ex on the part's bytes and hands on what it found: its
 * text to `into` (CIV_PART_TEXT), or its document to the emit callback. */
static civ_status extract_with(civ_extract *x, const civ_extractor *ex, const civ_input *in,
                               const civ_part *p, civ_doc *into, civ_part_result *res,
                               civ_error *err)
{
    civ_doc *doc = NULL;
    civ_error xerr = CIV_ERROR_INIT;
    unsigned before = x->rep->docs;
    civ_status s = civ_doc_new(&doc, &xerr);
    if (s == CIV_OK)
        s = ex->extract(in, doc, &xerr);
    if (s == CIV_OK && civ_input_expired(in))
        s = expired(x, in, &xerr);
    if (s == CIV_OK) {
        size_t tlen;
        const char *t = civ_doc_text(doc, &tlen);
        if (p->mode == CIV_PART_TEXT) {
            civ_doc_add_paragraph(into, t, tlen);
            if (tlen == 0)
                SAY(res, CIV_FILE_SKIPPED, "no text found");
        } else if (tlen > 0 || civ_doc_get(doc, "title")) {
            s = civ_extract_emit(in, doc, NULL, &xerr);
        } else if (x->rep->docs == before) {
            SAY(res, CIV_FILE_SKIPPED, "no text found");
        }
    }
    civ_doc_free(doc);
    switch (s) {
    case CIV_OK:
        return CIV_OK;
    case CIV_EFORMAT:
        SAY(res, CIV_FILE_FAILED, "%s", xerr.msg);
        return CIV_OK;
    case CIV_ETIMEOUT:
        /* Out of time: every container up to the file stops too. */
        if (in->depth > 0) {
            if (err)
                *err = xerr;
            return s;
        }
        SAY(res, CIV_FILE_SKIPPED, "%s", xerr.msg);
        return CIV_OK;
    case CIV_ETOOBIG:
    case CIV_EUNSUPPORTED:
        SAY(res, CIV_FILE_SKIPPED, "%s", xerr.msg);
        return CIV_OK;
    default:
        /* Out of memory, or the writer failed: the run cannot go on. */
        if (err)
            *err = xerr;
        return s;
    }
}

/* Decompresses, picks the extractor and extracts one input: the file
 * (parent NULL) or a part of it. */
static civ_status run_part(civ_extract *x, const civ_input *parent, const civ_file_info *file,
                           const civ_part *p, civ_doc *into, civ_part_result *res, civ_error *err)
{
    size_t max = x->o->max_size ? x->o->max_size : CIV_DEFAULT_MAX_SIZE;
    memset(res, 0, sizeof *res);
    civ_buf plain = CIV_BUF_INIT;
    char name[1024];
    int gz_name = 0;
    const unsigned char *data;
    size_t dlen = 0;
    civ_status s = unwrap(x, p, max, &plain, name, sizeof name, &gz_name, &data, &dlen, res, err);
    const civ_extractor *ex = s == CIV_OK && data ? pick(x, p, name, gz_name, data, dlen, res) : NULL;
    if (ex) {
        snprintf(res->format, sizeof res->format, "%s", ex->name);
        if (!(ex->flags & CIV_EXTRACTOR_BINARY_OK) && civ_text_is_binary((const char *)data, dlen))
            ex = NULL, SAY(res, CIV_FILE_SKIPPED, "binary data, not %s", res->format);
    }
    if (!ex) {
        civ_buf_free(&plain);
        return s;
    }
    civ_buf where = CIV_BUF_INIT, sub = CIV_BUF_INIT;
    civ_buf_puts(&where, parent ? parent->where : "");
    if (p->label)
        civ_buf_printf(&where, "%s: ", p->label);
    civ_buf_puts(&sub, parent ? parent->sub : "");
    if (p->mode == CIV_PART_DOCUMENT && p->sub)
        civ_buf_puts(&sub, p->sub);
    civ_input in = {
        .name = name,
        .media_type = p->media_type,
        .charset = p->charset,
        .bytes = data,
        .len = dlen,
        .depth = parent ? parent->depth + 1 : 0,
        .sub = civ_buf_str(&sub),
        .where = civ_buf_str(&where),
        .format = ex->name,
        .into = p->mode == CIV_PART_TEXT ? into : NULL,
        .file = file,
        .max_size = max,
        .x = x,
    };
    if (civ_buf_failed(&where) || civ_buf_failed(&sub))
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    else
        s = extract_with(x, ex, &in, p, into, res, err);
    civ_buf_free(&plain);
    civ_buf_free(&where);
    civ_buf_free(&sub);
    return s;
}

civ_status civ_extract_part(const civ_input *in, const civ_part *part, civ_doc *into,
                            civ_part_result *res, civ_error *err)
{
    civ_extract *x = in->x;
    civ_part_result own;
    if (!res)
        res = &own;
    memset(res, 0, sizeof *res);
    const char *what = part->label ? part->label : "a part";
    if (civ_input_expired(in))
        return expired(x, in, err);
    if (in->depth + 1 > CIV_EXTRACT_MAX_DEPTH) {
        report(&res->outcome, res->reason, sizeof res->reason, CIV_FILE_SKIPPED,
               "parts nested too deeply");
        civ_input_warn(in, "%s not read: parts nested too deeply", what);
        return CIV_OK;
    }
    if (x->parts >= CIV_EXTRACT_MAX_PARTS) {
        report(&res->outcome, res->reason, sizeof res->reason, CIV_FILE_SKIPPED,
               "too many parts");
        if (!x->limit_warned)
            civ_input_warn(in, "more than %d parts: the rest not read", CIV_EXTRACT_MAX_PARTS);
        x->limit_warned = 1;
        return CIV_OK;
    }
    x->parts++;
    return run_part(x, in, in->file, part, into, res, err);
}

civ_status civ_pipeline_bytes(const civ_pipeline_opts *o, const char *path, const char *name,
                              const char *id, const unsigned char *bytes, size_t len,
                              long long mtime, civ_emit_fn emit, void *ctx,
                              civ_file_report *rep, civ_error *err)
{
    civ_pipeline_opts defaults = { 0 };
    if (!o)
        o = &defaults;
    size_t max = o->max_size ? o->max_size : CIV_DEFAULT_MAX_SIZE;
    memset(rep, 0, sizeof *rep);
    char hash[17];
    if (o->hash)
        snprintf(hash, sizeof hash, "%s", o->hash);
    else
        civ_hash64_hex(hash, civ_hash64(bytes, len, 0));
    civ_file_info file = {
        .path = path, .id = id, .root = o->root, .mtime = mtime, .size = len, .hash = hash,
    };
    civ_extract x = {
        .o = o, .rep = rep, .emit = emit, .ctx = ctx,
        .budget = max > SIZE_MAX / 4 ? SIZE_MAX : max * 4,
        .cpu_end = thread_cpu() + (o->doc_cpu ? o->doc_cpu : CIV_SANDBOX_DEFAULT_CPU),
    };
    civ_part whole = {
        .mode = CIV_PART_DOCUMENT, .name = name, .bytes = bytes, .len = len, .format = o->format,
    };
    civ_part_result res;
    civ_status s = run_part(&x, NULL, &file, &whole, NULL, &res, err);
    if (s != CIV_OK)
        return s;
    snprintf(rep->format, sizeof rep->format, "%s", res.format);
    if (res.reason[0]) {
        rep->outcome = res.outcome;
        snprintf(rep->reason, sizeof rep->reason, "%s", res.reason);
        if (rep->docs > 0 && rep->outcome == CIV_FILE_SKIPPED)
            rep->outcome = CIV_FILE_INDEXED;
    } else if (rep->docs == 0) {
        rep->outcome = CIV_FILE_SKIPPED;
        snprintf(rep->reason, sizeof rep->reason, "no documents found");
    } else {
        rep->outcome = CIV_FILE_INDEXED;
    }
    return CIV_OK;
}

civ_status civ_pipeline_read(unsigned char **bytes, size_t *len, const civ_pipeline_opts *o,
                             const char *path, const struct stat *st, civ_file_report *rep,
                             civ_error *err)
{
    civ_pipeline_opts defaults = { 0 };
    if (!o)
        o = &defaults;
    size_t max = o->max_size ? o->max_size : CIV_DEFAULT_MAX_SIZE;
    memset(rep, 0, sizeof *rep);
    *bytes = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        report(&rep->outcome, rep->reason, sizeof rep->reason, CIV_FILE_FAILED,
               "cannot open: %s", strerror(errno));
        return CIV_OK;
    }
    struct stat own;
    if (!st) {
        if (fstat(fd, &own) != 0) {
            report(&rep->outcome, rep->reason, sizeof rep->reason, CIV_FILE_FAILED,
                   "cannot stat: %s", strerror(errno));
            close(fd);
            return CIV_OK;
        }
        st = &own;
    }
    if ((uint64_t)st->st_size > max) {
        close(fd);
        char sz[32];
        format_size(sz, sizeof sz, max);
        report(&rep->outcome, rep->reason, sizeof rep->reason, CIV_FILE_SKIPPED,
               "larger than the maximum size (%s; see --max-size)", sz);
        return CIV_OK;
    }
    size_t cap = (size_t)st->st_size;
    unsigned char *buf = malloc(cap + 1);
    if (!buf) {
        close(fd);
        return civ_error_set(err, CIV_ENOMEM, "out of memory reading %s", path);
    }
    size_t got = 0;
    for (;;) {
        if (got == cap) {
            /* The file grew while we read it: read no more than allowed. */
            if (cap >= max)
                break;
            size_t ncap = cap ? cap * 2 : 4096;
            if (ncap > max)
                ncap = max;
            unsigned char *nb = realloc(buf, ncap + 1);
            if (!nb) {
                free(buf);
                close(fd);
                return civ_error_set(err, CIV_ENOMEM, "out of memory reading %s", path);
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + got, cap - got);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            report(&rep->outcome, rep->reason, sizeof rep->reason, CIV_FILE_FAILED,
                   "cannot read: %s", strerror(errno));
            free(buf);
            close(fd);
            return CIV_OK;
        }
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *bytes = buf;
    *len = got;
    return CIV_OK;
}
