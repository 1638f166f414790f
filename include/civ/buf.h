/*
 * civ/buf.h — a growable byte buffer, always NUL-terminated.
 *
 * Appends are "sticky": after an allocation failure every later append does
 * nothing and civ_buf_failed() is true, so a sequence of appends can be
 * checked once at the end (the pattern SQLite FTS5 uses with `int *rc`).
 */
#ifndef CIV_BUF_H
#define CIV_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_buf {
    char *data;   /* owned; NUL-terminated when len > 0 or after any append */
    size_t len;   /* bytes used, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
    int failed;   /* set once an allocation failed */
} civ_buf;

#define CIV_BUF_INIT { .data = NULL }

/* Ensures room for `extra` more bytes plus a NUL. Returns 0, or -1 (and sets
 * failed) when memory runs out. */
int civ_buf_reserve(civ_buf *b, size_t extra);
void civ_buf_append(civ_buf *b, const void *data, size_t len);
void civ_buf_puts(civ_buf *b, const char *s);
void civ_buf_putc(civ_buf *b, char c);
void civ_buf_printf(civ_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void civ_buf_vprintf(civ_buf *b, const char *fmt, va_list ap);
/* Empties the buffer, keeping its memory (and clearing `failed`). */
void civ_buf_reset(civ_buf *b);
/* Frees the memory; the buffer is CIV_BUF_INIT afterwards. NULL is a no-op. */
void civ_buf_free(civ_buf *b);
/* Frees tmp, a scratch buffer whose text went into `into`, and hands on
 * its failure: when an append to tmp failed, `into` is failed too, so that
 * the output is known to be incomplete. NULL tmp is a no-op. */
void civ_buf_free_into(civ_buf *tmp, civ_buf *into);
/* Gives the caller ownership of the data (never NULL unless allocation
 * failed: an empty buffer yields ""), leaving b empty. */
char *civ_buf_steal(civ_buf *b);
/* The contents as a C string: never NULL ("" when empty). Borrowed. */
const char *civ_buf_str(const civ_buf *b);
static inline int civ_buf_failed(const civ_buf *b) { return b->failed; }

#ifdef __cplusplus
}
#endif
#endif
