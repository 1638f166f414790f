#include "civ/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int civ_buf_reserve(civ_buf *b, size_t extra)
{
    if (b->failed)
        return -1;
    if (extra > (size_t)-1 - b->len - 1) {
        b->failed = 1;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->cap = cap;
    return 0;
}

void civ_buf_append(civ_buf *b, const void *data, size_t len)
{
    if (civ_buf_reserve(b, len) < 0)
        return;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void civ_buf_puts(civ_buf *b, const char *s)
{
    civ_buf_append(b, s, strlen(s));
}

void civ_buf_putc(civ_buf *b, char c)
{
    if (civ_buf_reserve(b, 1) < 0)
        return;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
}

void civ_buf_vprintf(civ_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap2);
    va_end(ap2);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if ((size_t)n < sizeof small) {
        civ_buf_append(b, small, (size_t)n);
        return;
    }
    if (civ_buf_reserve(b, (size_t)n) < 0)
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void civ_buf_printf(civ_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    civ_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void civ_buf_reset(civ_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data)
        b->data[0] = '\0';
}

void civ_buf_free(civ_buf *b)
{
    if (!b)
        return;
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

void civ_buf_free_into(civ_buf *tmp, civ_buf *into)
{
    if (!tmp)
        return;
    if (tmp->failed && into)
        into->failed = 1;
    civ_buf_free(tmp);
}

char *civ_buf_steal(civ_buf *b)
{
    if (b->failed) {
        civ_buf_free(b);
        return NULL;
    }
    if (!b->data) {
        char *e = malloc(1);
        if (e)
            e[0] = '\0';
        return e;
    }
    char *p = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *civ_buf_str(const civ_buf *b)
{
    return b->data && !b->failed ? b->data : "";
}
