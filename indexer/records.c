/* The records of the sandbox's replies (sandbox.h): a type byte, a
 * number and a byte string, lengths in host order (both ends are the same
 * binary). Kept apart from the sandbox so that readers of replies and the
 * fuzz targets need no process machinery. */
#include <stdint.h>
#include <string.h>

#include "sandbox.h"

void civ_rec_put(civ_buf *b, unsigned type, uint32_t num, const void *data, size_t len)
{
    unsigned char hdr[9];
    uint32_t l = len > UINT32_MAX ? UINT32_MAX : (uint32_t)len;
    hdr[0] = (unsigned char)type;
    memcpy(hdr + 1, &num, 4);
    memcpy(hdr + 5, &l, 4);
    civ_buf_append(b, hdr, sizeof hdr);
    if (l)
        civ_buf_append(b, data, l);
}

int civ_rec_next(const unsigned char *b, size_t len, size_t *pos, unsigned *type, uint32_t *num,
                 const unsigned char **data, size_t *dlen)
{
    if (*pos >= len)
        return 0;
    if (len - *pos < 9)
        return -1;
    uint32_t l;
    *type = b[*pos];
    memcpy(num, b + *pos + 1, 4);
    memcpy(&l, b + *pos + 5, 4);
    if (len - *pos - 9 < l)
        return -1;
    *data = b + *pos + 9;
    *dlen = l;
    *pos += 9 + (size_t)l;
    return 1;
}
