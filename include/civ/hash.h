/*
 * civ/hash.h — a fast 64-bit content hash (not cryptographic).
 */
#ifndef CIV_HASH_H
#define CIV_HASH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

uint64_t civ_hash64(const void *data, size_t len, uint64_t seed);

/* Writes the hash as 16 lower-case hex digits and a NUL into out[17]. */
void civ_hash64_hex(char out[17], uint64_t h);

/* The inverse of civ_hash64_hex: s[0..len) as 16 lower-case hex digits
 * into *out and 1, one to one (equal numbers, equal strings); 0 for any
 * other string (*out untouched). */
int civ_hash64_from_hex(uint64_t *out, const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
