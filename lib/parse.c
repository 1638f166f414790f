/* Reading numbers typed by people, and those we stored: see civ/parse.h. */
#include "civ/parse.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int civ_parse_uint(uint64_t *out, const char *s, uint64_t min, uint64_t max)
{
    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v < min || v > max)
        return -1;
    *out = (uint64_t)v;
    return 0;
}

int civ_parse_unsigned(unsigned *out, const char *s, unsigned min, unsigned max)
{
    uint64_t v;
    if (civ_parse_uint(&v, s, min, max) != 0)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int civ_parse_size(size_t *out, const char *s, size_t min, size_t max)
{
    if (!s || !*s || !((*s >= '0' && *s <= '9') || *s == '.'))
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v >= 0))
        return -1;
    double mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    default: break;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    v *= mul;
    if (v < (double)min || v > (double)max || v > 1e15)
        return -1;
    *out = (size_t)v;
    return 0;
}

int civ_parse_stored(long long *out, const char *s)
{
    if (!s)
        return -1;
    const char *d = *s == '-' ? s + 1 : s;
    if (*d < '0' || *d > '9') /* strtoll would skip spaces, take '+' */
        return -1;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}
