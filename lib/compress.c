#include "civ/compress.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int civ_is_gzip(const void *bytes, size_t len)
{
    const unsigned char *p = bytes;
    return len >= 2 && p[0] == 0x1F && p[1] == 0x8B;
}

civ_status civ_deflate(civ_buf *out, const void *in, size_t len, int level,
                       civ_error *err)
{
    uLong bound = compressBound((uLong)len);
    if (civ_buf_reserve(out, bound) < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    uLongf dlen = bound;
    int rc = compress2((Bytef *)out->data + out->len, &dlen, in, (uLong)len, level);
    if (rc != Z_OK)
        return civ_error_set(err, rc == Z_MEM_ERROR ? CIV_ENOMEM : CIV_EOTHER,
                             "zlib compression failed (%d)", rc);
    out->len += dlen;
    out->data[out->len] = '\0';
    return CIV_OK;
}

struct civ_deflater {
    z_stream zs;
};

civ_status civ_deflater_new(civ_deflater **out, int level, civ_error *err)
{
    *out = NULL;
    civ_deflater *z = calloc(1, sizeof *z);
    if (!z || deflateInit(&z->zs, level) != Z_OK) {
        free(z);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    *out = z;
    return CIV_OK;
}

civ_status civ_deflater_run(civ_deflater *z, civ_buf *out, const void *in, size_t len,
                            civ_error *err)
{
    uLong bound = deflateBound(&z->zs, (uLong)len);
    if (len > UINT_MAX || civ_buf_reserve(out, bound) < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    deflateReset(&z->zs);
    z->zs.next_in = (Bytef *)in;
    z->zs.avail_in = (unsigned)len;
    z->zs.next_out = (Bytef *)out->data + out->len;
    z->zs.avail_out = (unsigned)bound;
    int rc = deflate(&z->zs, Z_FINISH);
    if (rc != Z_STREAM_END)
        return civ_error_set(err, CIV_EOTHER, "zlib compression failed (%d)", rc);
    out->len += bound - z->zs.avail_out;
    out->data[out->len] = '\0';
    return CIV_OK;
}

void civ_deflater_free(civ_deflater *z)
{
    if (!z)
        return;
    deflateEnd(&z->zs);
    free(z);
}

/* windowBits: 15 for zlib, 15 + 16 for gzip. */
static civ_status inflate_any(civ_buf *out, const void *in, size_t len,
                              size_t max_out, int window, const char *what,
                              civ_error *err)
{
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (inflateInit2(&zs, window) != Z_OK)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    const unsigned char *p = in;
    size_t left = len, produced = 0;
    civ_status st = CIV_OK;
    int rc = Z_OK;
    /* Room for all of it at once when max_out is the size the caller
     * expects (stored texts know theirs): one call with Z_FINISH then
     * writes straight to the buffer, without zlib's window or a copy
     * into it. */
    size_t guess = len * 3 + 1024;
    if (max_out < SIZE_MAX / 2 && max_out / 16 <= len + 4096)
        guess = max_out + 1;
    for (;;) {
        if (rc == Z_STREAM_END) {
            /* gzip allows several members one after the other. */
            if (window > 15 && left > 0 && civ_is_gzip(p, left)) {
                inflateReset(&zs);
            } else {
                break;
            }
        }
        if (civ_buf_reserve(out, guess) < 0) {
            st = civ_error_set(err, CIV_ENOMEM, "out of memory");
            break;
        }
        unsigned chunk_in = left > UINT_MAX ? UINT_MAX : (unsigned)left;
        size_t room = out->cap - out->len - 1;
        unsigned chunk_out = room > UINT_MAX ? UINT_MAX : (unsigned)room;
        zs.next_in = (Bytef *)p;
        zs.avail_in = chunk_in;
        zs.next_out = (Bytef *)out->data + out->len;
        zs.avail_out = chunk_out;
        rc = inflate(&zs, Z_FINISH); /* all the input is there */
        size_t used = chunk_in - zs.avail_in, made = chunk_out - zs.avail_out;
        p += used;
        left -= used;
        out->len += made;
        out->data[out->len] = '\0';
        produced += made;
        if (produced > max_out) {
            st = civ_error_set(err, CIV_ETOOBIG, "%s data expands beyond %zu bytes",
                               what, max_out);
            break;
        }
        if (rc == Z_STREAM_END)
            continue;
        if (rc == Z_MEM_ERROR) {
            st = civ_error_set(err, CIV_ENOMEM, "out of memory");
            break;
        }
        if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR) {
            st = civ_error_set(err, CIV_EFORMAT, "corrupt %s data%s%s", what,
                               zs.msg ? ": " : "", zs.msg ? zs.msg : "");
            break;
        }
        if (made == 0 && used == 0) {
            if (left == 0) {
                st = civ_error_set(err, CIV_EFORMAT, "truncated %s data", what);
                break;
            }
            guess = guess * 2;
        }
    }
    inflateEnd(&zs);
    return st;
}

civ_status civ_inflate(civ_buf *out, const void *in, size_t len,
                       size_t max_out, civ_error *err)
{
    return inflate_any(out, in, len, max_out, 15, "zlib", err);
}

struct civ_inflater {
    z_stream zs;
    int state; /* 0 reading, 1 ended, -1 failed */
};

civ_status civ_inflater_new(civ_inflater **out, const void *in, size_t len, civ_error *err)
{
    *out = NULL;
    civ_inflater *z = calloc(1, sizeof *z);
    if (!z || inflateInit2(&z->zs, 15) != Z_OK) {
        free(z);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    z->zs.next_in = (Bytef *)in;
    z->zs.avail_in = len > UINT_MAX ? UINT_MAX : (unsigned)len;
    *out = z;
    return CIV_OK;
}

civ_status civ_inflater_read(civ_inflater *z, civ_buf *out, size_t max_more, int *complete,
                             civ_error *err)
{
    *complete = z->state == 1;
    if (z->state < 0)
        return civ_error_set(err, CIV_EFORMAT, "corrupt zlib data");
    if (z->state == 1 || max_more == 0)
        return CIV_OK;
    if (civ_buf_reserve(out, max_more) < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    z->zs.next_out = (Bytef *)out->data + out->len;
    z->zs.avail_out = max_more > UINT_MAX ? UINT_MAX : (unsigned)max_more;
    unsigned room = z->zs.avail_out;
    int rc = inflate(&z->zs, Z_SYNC_FLUSH);
    out->len += room - z->zs.avail_out;
    out->data[out->len] = '\0';
    if (rc == Z_STREAM_END) {
        z->state = 1;
        *complete = 1;
        return CIV_OK;
    }
    /* Stopped short of max_more without the end of the stream: the
     * input ran out. */
    if ((rc == Z_OK || rc == Z_BUF_ERROR) && z->zs.avail_out == 0)
        return CIV_OK;
    z->state = -1;
    if (rc == Z_MEM_ERROR)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_STREAM_ERROR)
        return civ_error_set(err, CIV_EFORMAT, "corrupt zlib data%s%s", z->zs.msg ? ": " : "",
                             z->zs.msg ? z->zs.msg : "");
    return civ_error_set(err, CIV_EFORMAT, "truncated zlib data");
}

void civ_inflater_free(civ_inflater *z)
{
    if (!z)
        return;
    inflateEnd(&z->zs);
    free(z);
}

civ_status civ_gunzip(civ_buf *out, const void *in, size_t len, size_t max_out,
                      civ_error *err)
{
    return inflate_any(out, in, len, max_out, 15 + 16, "gzip", err);
}
