/*
 * civ/parse.h — reading numbers typed by people: command-line options,
 * request parameters, configuration settings. Strict: the whole string,
 * digits only (no sign, no spaces, no leading "0x"), within the range.
 * And reading back the numbers civsearch wrote itself (civ_parse_stored).
 */
#ifndef CIV_PARSE_H
#define CIV_PARSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A whole number from min to max into *out. Returns 0, or -1 (and *out
 * unchanged) for anything else. */
int civ_parse_uint(uint64_t *out, const char *s, uint64_t min, uint64_t max);

/* The same into an unsigned (max must fit one). */
int civ_parse_unsigned(unsigned *out, const char *s, unsigned min, unsigned max);

/* A size in bytes: a number (a decimal point allowed) with an optional
 * suffix K, M or G (powers of 1024, any case, an optional B after it),
 * from min to max. Returns 0, or -1. */
int civ_parse_size(size_t *out, const char *s, size_t min, size_t max);

/* A whole number as civsearch writes it ("%lld") into stored fields (mtime,
 * size, cited_by, ...), index metadata and its helpers' replies: an
 * optional '-', then decimal digits, nothing else (no spaces, no '+'),
 * within long long. Returns 0, or -1 (and *out unchanged) for NULL, an
 * empty string or anything else, so that a caller can preset *out with
 * its fallback. */
int civ_parse_stored(long long *out, const char *s);

#ifdef __cplusplus
}
#endif
#endif
