/*
 * civ/utf8.h — UTF-8 validation, decoding and repair.
 */
#ifndef CIV_UTF8_H
#define CIV_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "civ/buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decodes one code point from s[0..len). Returns the number of bytes it
 * uses (1..4) and stores it in *cp, or returns 0 when the bytes are not
 * valid UTF-8 (overlong forms, surrogates and values above U+10FFFF are
 * invalid) or len is 0. */
size_t civ_utf8_decode(uint32_t *cp, const unsigned char *s, size_t len);

/* Appends the UTF-8 encoding of cp (U+FFFD if cp is not a scalar value). */
void civ_utf8_encode(civ_buf *out, uint32_t cp);

/* 1 if all of s[0..len) is valid UTF-8, else 0. */
int civ_utf8_valid(const char *s, size_t len);

/* Statistics used to tell UTF-8 from legacy 8-bit text. */
typedef struct civ_utf8_stats {
    size_t ascii;      /* bytes below 0x80 */
    size_t multibyte;  /* valid sequences of 2..4 bytes */
    size_t invalid;    /* bytes that start no valid sequence */
    size_t controls;   /* C0 controls other than TAB, LF, CR, FF, VT, ESC */
    size_t nuls;       /* NUL bytes */
} civ_utf8_stats;

void civ_utf8_scan(civ_utf8_stats *out, const char *s, size_t len);

/* Appends s[0..len) to out, replacing every invalid byte by U+FFFD and
 * dropping NULs and C0 controls other than TAB, LF and FF (CR LF and
 * lone CR become LF; FF ends a page of plain text, and is white space to
 * the word splitters). Returns the number of replacements made. */
size_t civ_utf8_sanitize(civ_buf *out, const char *s, size_t len);

/* Appends the file name (or relative path) s[0..len) to out as a document
 * id: clean UTF-8 that a document field keeps as it is, one id for each
 * name (two names never share one). Bytes a field would change or lose
 * are written as U+FFFD and their two hex digits: invalid UTF-8, control
 * characters, a space at either end or after another space, a no-break
 * space, and U+FFFD itself. Returns how many bytes were so written (0: the
 * id is the name). */
size_t civ_utf8_name_id(civ_buf *out, const char *s, size_t len);

/* Length of the longest prefix of s[0..len) that is at most max bytes and
 * does not cut a UTF-8 sequence in two. */
size_t civ_utf8_clip(const char *s, size_t len, size_t max);

#ifdef __cplusplus
}
#endif
#endif
