#include "civ/lines.h"

#include <string.h>

void civ_lines_init(civ_lines *it, const char *t, size_t len)
{
    it->t = t;
    it->len = len;
    it->pos = 0;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

int civ_lines_next(civ_lines *it, const char **line, size_t *n, int trim)
{
    if (it->pos >= it->len)
        return 0;
    const char *s = it->t + it->pos;
    size_t left = it->len - it->pos;
    const char *nl = memchr(s, '\n', left);
    size_t k = nl ? (size_t)(nl - s) : left;
    it->pos += k + (nl ? 1 : 0);
    if (trim) {
        while (k && blank(*s))
            s++, k--;
        while (k && blank(s[k - 1]))
            k--;
    }
    *line = s;
    *n = k;
    return 1;
}
