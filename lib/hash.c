#include "civ/hash.h"

#include <string.h>

/* A multiply-xorshift hash over 8-byte words: fast on 64-bit machines and
 * good enough to tell file contents apart. */
static inline uint64_t mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

uint64_t civ_hash64(const void *data, size_t len, uint64_t seed)
{
    const unsigned char *p = data;
    const uint64_t m = 0x9E3779B97F4A7C15ULL;
    uint64_t h = seed ^ (len * m);
    while (len >= 8) {
        uint64_t k;
        memcpy(&k, p, 8);
        h = (h ^ mix(k)) * m;
        h ^= h >> 29;
        p += 8;
        len -= 8;
    }
    uint64_t k = 0;
    for (size_t i = 0; i < len; i++)
        k |= (uint64_t)p[i] << (8 * i);
    h = (h ^ mix(k ^ 0xA5)) * m;
    return mix(h);
}

void civ_hash64_hex(char out[17], uint64_t h)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; i--) {
        out[i] = hex[h & 15];
        h >>= 4;
    }
    out[16] = '\0';
}

int civ_hash64_from_hex(uint64_t *out, const char *s, size_t len)
{
    if (len != 16)
        return 0;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else
            return 0;
        n = n << 4 | d;
    }
    *out = n;
    return 1;
}
