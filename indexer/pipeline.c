/* One file from disk to finished documents. */
#include "civ/pipeline.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "civ/charset.h"
#include "civ/compress.h"
#include "civ/enrich.h"
#include "civ/hash.h"

typedef struct run {
    const civ_pipeline_opts *o;
    civ_file_report *rep;
    const civ_input *in;
    const civ_extractor *ex;
    civ_emit_fn emit;
    void *ctx;
    char hash[17];
    unsigned seq;
} run;

static void report(civ_file_report *rep, civ_outcome outcome, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

static void report(civ_file_report *rep, civ_outcome outcome, const char *fmt, ...)
{
    rep->outcome = outcome;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rep->reason, sizeof rep->reason, fmt, ap);
    va_end(ap);
}

static void count_warning(void *ctx, const char *msg)
{
    run *r = ctx;
    r->rep->warnings++;
    if (r->o->warn)
        r->o->warn(r->o->warn_ctx, msg);
}

static void format_size(char *out, size_t n, size_t bytes)
{
    if (bytes >= 1024 * 1024)
        snprintf(out, n, "%zu MB", bytes / (1024 * 1024));
    else
        snprintf(out, n, "%zu KB", bytes / 1024);
}

/* Gives a finished document its common fields, enriches it, emits it. */
static civ_status finish(void *ctx, civ_doc *doc, const char *sub, civ_error *err)
{
    run *r = ctx;
    const civ_input *in = r->in;
    char num[32];
    r->seq++;
    if (sub && *sub) {
        civ_buf id = CIV_BUF_INIT;
        civ_buf_printf(&id, "%s%s%s", in->id, sub[0] == '#' ? "" : "#", sub);
        civ_doc_set_str(doc, "id", civ_buf_str(&id));
        civ_buf_free(&id);
    } else {
        civ_doc_set_str(doc, "id", in->id);
    }
    civ_doc_set_str(doc, "path", in->path);
    civ_doc_set_str(doc, "file", in->id);
    snprintf(num, sizeof num, "%llu", (unsigned long long)in->size);
    civ_doc_set_str(doc, "size", num);
    snprintf(num, sizeof num, "%lld", in->mtime);
    civ_doc_set_str(doc, "mtime", num);
    civ_doc_set_str(doc, "hash", r->hash);
    civ_doc_set_str(doc, "format", r->ex->name);
    if (r->o->root)
        civ_doc_set_str(doc, "root", r->o->root);
    civ_status s = civ_enrich(doc, in, err);
    if (s != CIV_OK)
        return s;
    s = r->emit(r->ctx, doc, sub, err);
    if (s == CIV_OK)
        r->rep->docs++;
    return s;
}

/* Text-like content with no extension to go by. */
static int looks_like_text(const unsigned char *b, size_t len)
{
    if (civ_text_is_binary((const char *)b, len))
        return 0;
    return 1;
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
    char sz[32];
    if (len == 0) {
        report(rep, CIV_FILE_SKIPPED, "empty file");
        return CIV_OK;
    }
    if (len > max) {
        format_size(sz, sizeof sz, max);
        report(rep, CIV_FILE_SKIPPED, "larger than the maximum size (%s; see --max-size)", sz);
        return CIV_OK;
    }
    run r;
    memset(&r, 0, sizeof r);
    r.o = o;
    r.rep = rep;
    r.emit = emit;
    r.ctx = ctx;
    if (o->hash)
        snprintf(r.hash, sizeof r.hash, "%s", o->hash);
    else
        civ_hash64_hex(r.hash, civ_hash64(bytes, len, 0));

    /* 1. Decompress: ".gz" by name or by magic bytes. */
    civ_buf plain = CIV_BUF_INIT;
    char inner[1024];
    snprintf(inner, sizeof inner, "%s", name);
    size_t nl = strlen(inner);
    int gz_name = nl > 3 && strcasecmp(inner + nl - 3, ".gz") == 0;
    if (gz_name)
        inner[nl - 3] = '\0';
    else if (nl > 4 && strcasecmp(inner + nl - 4, ".tgz") == 0) {
        report(rep, CIV_FILE_IGNORED, "tar archives are not supported");
        return CIV_OK;
    }
    const unsigned char *data = bytes;
    size_t dlen = len;
    if (civ_is_gzip(bytes, len)) {
        civ_error zerr = CIV_ERROR_INIT;
        civ_status s = civ_gunzip(&plain, bytes, len, max, &zerr);
        if (s == CIV_ENOMEM) {
            civ_buf_free(&plain);
            return civ_error_set(err, s, "out of memory");
        }
        if (s == CIV_ETOOBIG) {
            civ_buf_free(&plain);
            format_size(sz, sizeof sz, max);
            report(rep, CIV_FILE_SKIPPED, "decompresses to more than the maximum size (%s)", sz);
            return CIV_OK;
        }
        if (s != CIV_OK) {
            civ_buf_free(&plain);
            report(rep, CIV_FILE_FAILED, "%s", zerr.msg);
            return CIV_OK;
        }
        data = (const unsigned char *)civ_buf_str(&plain);
        dlen = plain.len;
        if (dlen == 0) {
            civ_buf_free(&plain);
            report(rep, CIV_FILE_SKIPPED, "empty after decompression");
            return CIV_OK;
        }
    } else if (gz_name) {
        report(rep, CIV_FILE_FAILED, "named .gz but not gzip data");
        return CIV_OK;
    }

    /* 2. Pick the extractor. */
    const civ_extractor *ex = NULL;
    if (o->format) {
        ex = civ_extractor_by_name(o->format);
    } else {
        ex = civ_extractor_for_name(inner);
        if (!ex) {
            const char *base = strrchr(inner, '/');
            base = base ? base + 1 : inner;
            const char *dot = strrchr(base, '.');
            ex = civ_extractor_sniff(data, dlen);
            if (!ex && (!dot || dot == base || gz_name) && looks_like_text(data, dlen))
                ex = &civ_extractor_text;
            if (!ex) {
                civ_buf_free(&plain);
                report(rep, CIV_FILE_IGNORED, "not a format civindex reads%s%s",
                       dot && dot != base ? ": " : "", dot && dot != base ? dot : "");
                return CIV_OK;
            }
        }
    }
    snprintf(rep->format, sizeof rep->format, "%s", ex->name);
    r.ex = ex;
    if (!(ex->flags & CIV_EXTRACTOR_BINARY_OK) && civ_text_is_binary((const char *)data, dlen)) {
        civ_buf_free(&plain);
        report(rep, CIV_FILE_SKIPPED, "binary data, not %s", ex->name);
        return CIV_OK;
    }

    /* 3. Extract. */
    civ_input in;
    memset(&in, 0, sizeof in);
    in.path = path;
    in.name = inner;
    in.id = id;
    in.bytes = data;
    in.len = dlen;
    in.mtime = mtime;
    in.size = len;
    in.warn = count_warning;
    in.warn_ctx = &r;
    in.max_size = max;
    r.in = &in;
    civ_error xerr = CIV_ERROR_INIT;
    civ_status s;
    if (ex->extract_many) {
        s = ex->extract_many(&in, finish, &r, &xerr);
    } else {
        civ_doc *doc = NULL;
        s = civ_doc_new(&doc, &xerr);
        if (s == CIV_OK)
            s = ex->extract_one(&in, doc, &xerr);
        if (s == CIV_OK) {
            size_t tlen;
            civ_doc_text(doc, &tlen);
            if (tlen == 0 && !civ_doc_get(doc, "title")) {
                civ_doc_free(doc);
                civ_buf_free(&plain);
                report(rep, CIV_FILE_SKIPPED, "no text found");
                return CIV_OK;
            }
            s = finish(&r, doc, NULL, &xerr);
        }
        civ_doc_free(doc);
    }
    civ_buf_free(&plain);
    switch (s) {
    case CIV_OK:
        if (rep->docs == 0)
            report(rep, CIV_FILE_SKIPPED, "no documents found");
        else
            rep->outcome = CIV_FILE_INDEXED;
        return CIV_OK;
    case CIV_EFORMAT:
        report(rep, CIV_FILE_FAILED, "%s", xerr.msg);
        return CIV_OK;
    case CIV_ETOOBIG:
    case CIV_EUNSUPPORTED:
        report(rep, CIV_FILE_SKIPPED, "%s", xerr.msg);
        return CIV_OK;
    default:
        /* Out of memory, or the writer failed: the run cannot go on. */
        if (err)
            *err = xerr;
        return s;
    }
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
        report(rep, CIV_FILE_FAILED, "cannot open: %s", strerror(errno));
        return CIV_OK;
    }
    struct stat own;
    if (!st) {
        if (fstat(fd, &own) != 0) {
            report(rep, CIV_FILE_FAILED, "cannot stat: %s", strerror(errno));
            close(fd);
            return CIV_OK;
        }
        st = &own;
    }
    if ((uint64_t)st->st_size > max) {
        close(fd);
        char sz[32];
        format_size(sz, sizeof sz, max);
        report(rep, CIV_FILE_SKIPPED, "larger than the maximum size (%s; see --max-size)", sz);
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
            report(rep, CIV_FILE_FAILED, "cannot read: %s", strerror(errno));
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

civ_status civ_pipeline_file(const civ_pipeline_opts *o, const char *path, const char *id,
                             const struct stat *st, civ_emit_fn emit, void *ctx,
                             civ_file_report *rep, civ_error *err)
{
    unsigned char *buf;
    size_t got;
    struct stat own;
    if (!st) {
        if (stat(path, &own) != 0) {
            memset(rep, 0, sizeof *rep);
            report(rep, CIV_FILE_FAILED, "cannot stat: %s", strerror(errno));
            return CIV_OK;
        }
        st = &own;
    }
    civ_status s = civ_pipeline_read(&buf, &got, o, path, st, rep, err);
    if (s != CIV_OK || !buf)
        return s;
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    s = civ_pipeline_bytes(o, path, name, id, buf, got, (long long)st->st_mtime, emit, ctx, rep,
                           err);
    free(buf);
    return s;
}
