/*
 * civ/compress.h — zlib: stored text and .gz inputs.
 */
#ifndef CIV_COMPRESS_H
#define CIV_COMPRESS_H

#include <stddef.h>

#include "civ/buf.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when the bytes start with the gzip magic number. */
int civ_is_gzip(const void *bytes, size_t len);

/* Appends the zlib (RFC 1950) compression of in[0..len) to out at `level`
 * (1..9). Returns CIV_OK or CIV_ENOMEM. */
civ_status civ_deflate(civ_buf *out, const void *in, size_t len, int level,
                       civ_error *err);

/* A zlib compressor kept for many small inputs (the passages of a
 * document), which spares setting one up for each. */
typedef struct civ_deflater civ_deflater;

/* *out is owned by the caller (civ_deflater_free); level 1..9. CIV_ENOMEM. */
civ_status civ_deflater_new(civ_deflater **out, int level, civ_error *err);

/* Appends the zlib compression of in[0..len) to out, as civ_deflate()
 * does. CIV_ENOMEM. */
civ_status civ_deflater_run(civ_deflater *z, civ_buf *out, const void *in, size_t len,
                            civ_error *err);

/* NULL is a no-op. */
void civ_deflater_free(civ_deflater *z);

/* Appends the zlib-decompressed in[0..len) to out. CIV_EFORMAT when the
 * data is damaged or truncated, CIV_ETOOBIG when the output would exceed
 * max_out bytes, CIV_ENOMEM. */
civ_status civ_inflate(civ_buf *out, const void *in, size_t len,
                       size_t max_out, civ_error *err);

/* A zlib stream decompressed a part at a time (the stored text of a
 * document, read until a snippet is found). It reads from the caller's
 * in[0..len), which must outlive it. */
typedef struct civ_inflater civ_inflater;

/* *out is owned by the caller (civ_inflater_free). CIV_ENOMEM. */
civ_status civ_inflater_new(civ_inflater **out, const void *in, size_t len, civ_error *err);

/* Appends up to max_more further bytes of the decompressed stream to out;
 * *complete is set to 1 once the stream has ended (and stays so). Errors
 * as civ_inflate(), never CIV_ETOOBIG; after an error it reads nothing
 * more. */
civ_status civ_inflater_read(civ_inflater *z, civ_buf *out, size_t max_more, int *complete,
                             civ_error *err);

/* NULL is a no-op. */
void civ_inflater_free(civ_inflater *z);

/* Like civ_inflate() for gzip data (RFC 1952, several members allowed);
 * truncated input is CIV_EFORMAT ("truncated gzip data"). */
civ_status civ_gunzip(civ_buf *out, const void *in, size_t len, size_t max_out,
                      civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
