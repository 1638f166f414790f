/* Legal entities as document fields: see civ/legal.h. */
#include "civ/legal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "civ/hash.h"

static const char *const fields[CIV_ENTITY_KINDS] = {
    [CIV_ENTITY_USC] = "usc",
    [CIV_ENTITY_CFR] = "cfr",
    [CIV_ENTITY_PUBLAW] = "publaw",
    [CIV_ENTITY_CASE] = "case",
    [CIV_ENTITY_AMENDMENT] = "amendment",
    [CIV_ENTITY_EXEMPTION] = "exemption",
    [CIV_ENTITY_ACT] = "act",
    [CIV_ENTITY_AGENCY] = "agency",
    [CIV_ENTITY_REDACTION] = NULL,
    [CIV_ENTITY_CASENAME] = "casename",
    [CIV_ENTITY_CLAUSE] = "clause",
    [CIV_ENTITY_BODY] = "body",
    [CIV_ENTITY_DOCKET] = "docket",
    [CIV_ENTITY_COURT] = "court",
};

const char *civ_legal_field(civ_entity_kind kind)
{
    return (unsigned)kind < CIV_ENTITY_KINDS ? fields[kind] : NULL;
}

int civ_legal_kind(const char *field)
{
    for (int k = 0; field && k < CIV_ENTITY_KINDS; k++)
        if (fields[k] && strcmp(fields[k], field) == 0)
            return k;
    return -1;
}

void civ_legal_input(civ_buf *out, const char *title, const char *text, size_t len)
{
    size_t tl = title ? strlen(title) : 0;
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t'))
        i++;
    if (tl && !(len - i >= tl && memcmp(text + i, title, tl) == 0)) {
        civ_buf_append(out, title, tl);
        civ_buf_puts(out, "\n\n");
    }
    civ_buf_append(out, text, len);
}

struct civ_entity_tally {
    civ_entity_count *items;
    size_t n, cap;
    uint32_t *slots;   /* open addressing: index + 1 into items, 0 empty */
    size_t nslots;     /* a power of two */
};

civ_status civ_entity_tally_new(civ_entity_tally **out, civ_error *err)
{
    *out = calloc(1, sizeof **out);
    return *out ? CIV_OK : civ_error_set(err, CIV_ENOMEM, "out of memory");
}

void civ_entity_tally_free(civ_entity_tally *t)
{
    if (!t)
        return;
    free(t->items);
    free(t->slots);
    free(t);
}

static uint64_t key_hash(const civ_entity *e)
{
    unsigned fine = (e->flags & CIV_ENTITY_FINE) != 0;
    return civ_hash64(e->value, e->value_len, (uint64_t)e->kind * 2 + fine + 1);
}

static int same(const civ_entity_count *c, const civ_entity *e)
{
    return c->kind == e->kind && (c->flags & CIV_ENTITY_FINE) == (e->flags & CIV_ENTITY_FINE) &&
           c->value_len == e->value_len && memcmp(c->value, e->value, e->value_len) == 0;
}

static civ_status fail(civ_entity_tally *t, civ_error *err)
{
    t->n = 0;
    return civ_error_set(err, CIV_ENOMEM, "out of memory");
}

civ_status civ_entity_tally_count(civ_entity_tally *t, const civ_entity_list *list, civ_error *err)
{
    size_t n;
    const civ_entity *es = civ_entity_list_items(list, &n);
    t->n = 0;
    /* At most half full. */
    size_t want = 16;
    while (want < 2 * n)
        want *= 2;
    if (want > t->nslots) {
        uint32_t *ns = realloc(t->slots, want * sizeof *ns);
        if (!ns)
            return fail(t, err);
        t->slots = ns;
        t->nslots = want;
    }
    memset(t->slots, 0, t->nslots * sizeof *t->slots);
    if (n > t->cap) {
        civ_entity_count *ni = realloc(t->items, n * sizeof *ni);
        if (!ni)
            return fail(t, err);
        t->items = ni;
        t->cap = n;
    }
    for (size_t i = 0; i < n; i++) {
        const civ_entity *e = &es[i];
        if (e->kind == CIV_ENTITY_REDACTION || e->value_len == 0)
            continue;
        size_t h = (size_t)key_hash(e) & (t->nslots - 1);
        while (t->slots[h] && !same(&t->items[t->slots[h] - 1], e))
            h = (h + 1) & (t->nslots - 1);
        if (t->slots[h]) {
            t->items[t->slots[h] - 1].count++;
            continue;
        }
        civ_entity_count *c = &t->items[t->n++];
        c->kind = e->kind;
        c->flags = e->flags & CIV_ENTITY_FINE;
        c->value = e->value;
        c->value_len = e->value_len;
        c->count = 1;
        c->first = e->start;
        t->slots[h] = (uint32_t)t->n;
    }
    return CIV_OK;
}

const civ_entity_count *civ_entity_tally_items(const civ_entity_tally *t, size_t *n)
{
    *n = t ? t->n : 0;
    return t && t->n ? t->items : NULL;
}
