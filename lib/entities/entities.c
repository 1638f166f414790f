/* The entity scanner's public face: building it from the tables, the
 * result list, formatting, query normalisation. The scan is in scan.c and
 * the scan_*.c files beside it. */
#include "entities_int.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[CIV_ENTITY_KINDS] = {
    "usc", "cfr", "publaw", "case", "amendment", "exemption", "act", "agency",
    "redaction", "casename", "clause", "body", "docket", "court",
};

const char *civ_entity_kind_name(civ_entity_kind kind)
{
    if ((unsigned)kind >= CIV_ENTITY_KINDS)
        return "?";
    return kind_names[kind];
}

int civ_entity_kind_parse(civ_entity_kind *out, const char *name)
{
    for (int i = 0; i < CIV_ENTITY_KINDS; i++)
        if (name && strcmp(name, kind_names[i]) == 0) {
            *out = (civ_entity_kind)i;
            return 0;
        }
    return -1;
}

const char *civ_doc_kind_name(civ_doc_kind kind)
{
    static const char *const names[CIV_DOC_KINDS] = {
        "", "opinion", "transcript", "filing", "foia-request", "foia-response", "press-release",
    };
    if ((unsigned)kind >= CIV_DOC_KINDS)
        return "";
    return names[kind];
}

/* ---- the tables' lookups (built by build.c) ----------------------------- */

uint32_t civ_ent_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

int civ_ent_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (!q)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

const ent_wentry *civ_ent_word_lookup(const civ_entities *e, const char *w, size_t n)
{
    if (n == 0 || n > 255)
        return NULL;
    return civ_ent_word_lookup_hash(e, w, n, civ_ent_hash(w, n));
}

const ent_wentry *civ_ent_word_lookup_hash(const civ_entities *e, const char *w, size_t n,
                                           uint32_t h)
{
    for (size_t i = h & e->wmask;; i = (i + 1) & e->wmask) {
        int32_t k = e->wtab[i];
        if (k < 0)
            return NULL;
        const ent_wentry *we = &e->words[k];
        if (we->hash == h && we->len == n && memcmp(civ_ent_str(e, we->w), w, n) == 0)
            return we;
    }
}

const char *civ_ent_reporter_lookup(const civ_entities *e, const char *key, size_t n, int lower)
{
    if (n == 0 || n > 255)
        return NULL;
    const ent_rentry *t = lower ? e->repl : e->rep;
    size_t mask = lower ? e->replmask : e->repmask;
    uint32_t h = civ_ent_hash(key, n);
    for (size_t j = h & mask; t[j].slug; j = (j + 1) & mask)
        if (t[j].hash == h && t[j].len == n && memcmp(civ_ent_str(e, t[j].key), key, n) == 0)
            return civ_ent_str(e, t[j].slug);
    return NULL;
}

void civ_entities_free(civ_entities *e)
{
    if (!e || e->frozen)
        return;
    free(e->words);
    free(e->wtab);
    free(e->phr);
    free(e->phr_words);
    free(e->phr_order);
    free(e->abbr);
    free(e->abbr_order);
    free(e->rep);
    free(e->repl);
    free(e->cue_order);
    civ_buf_free(&e->strings);
    free(e);
}

/* ---- the list ------------------------------------------------------------ */

civ_status civ_entity_list_new(civ_entity_list **out, civ_error *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return civ_error_set(err, CIV_ENOMEM, "entities: out of memory");
    return CIV_OK;
}

void civ_entity_list_free(civ_entity_list *l)
{
    if (!l)
        return;
    free(l->items);
    free(l->out);
    free(l->ring);
    civ_buf_free(&l->vals);
    civ_buf_free(&l->tmp);
    free(l);
}

long civ_ent_add(civ_entity_list *l, civ_entity_kind kind, unsigned flags, const char *value,
                 size_t vlen, size_t start, size_t end, uint32_t need)
{
    if (l->failed)
        return -1;
    if (civ_ent_grow((void **)&l->items, &l->cap, l->n + 1, sizeof *l->items)) {
        l->failed = 1;
        return -1;
    }
    ent_item *it = &l->items[l->n];
    it->kind = kind;
    it->flags = flags;
    it->voff = l->vals.len;
    it->vlen = vlen;
    it->start = start;
    it->end = end;
    it->need = need;
    it->seq = (uint32_t)l->n;
    civ_buf_append(&l->vals, value, vlen);
    civ_buf_putc(&l->vals, '\0');
    if (civ_buf_failed(&l->vals)) {
        l->failed = 1;
        return -1;
    }
    return (long)l->n++;
}

static int cmp_item(const void *a, const void *b)
{
    const ent_item *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->seq < y->seq ? -1 : 1;
}

static void reset(civ_entity_list *l)
{
    l->n = 0;
    l->nout = 0;
    l->failed = 0;
    civ_buf_reset(&l->vals);
    memset(&l->doc, 0, sizeof l->doc);
    l->doc_docket = l->doc_court = l->doc_cite = l->doc_casename = 0;
}

/* Drops items whose context the document lacks, sorts, builds the output. */
static civ_status finish(civ_entity_list *l, uint32_t ctx, civ_error *err)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->items[i].need && !(l->items[i].need & ctx))
            continue;
        l->items[k++] = l->items[i];
    }
    l->n = k;
    if (l->n > 1)
        qsort(l->items, l->n, sizeof *l->items, cmp_item);
    if (civ_ent_grow((void **)&l->out, &l->capout, l->n + 1, sizeof *l->out)) {
        reset(l);
        return civ_error_set(err, CIV_ENOMEM, "entities: out of memory");
    }
    unsigned red = 0;
    for (size_t i = 0; i < l->n; i++) {
        const ent_item *it = &l->items[i];
        civ_entity *o = &l->out[i];
        o->kind = it->kind;
        o->flags = it->flags;
        o->value = l->vals.data + it->voff;
        o->value_len = it->vlen;
        o->start = it->start;
        o->end = it->end;
        if (it->kind == CIV_ENTITY_REDACTION)
            red++;
        if (it->kind == CIV_ENTITY_DOCKET && !l->doc.docket && !(it->flags & CIV_ENTITY_FINE))
            l->doc.docket = o->value;
        if (it->kind == CIV_ENTITY_COURT && !l->doc.court)
            l->doc.court = o->value;
    }
    l->nout = l->n;
    l->doc.redactions = red;
    return CIV_OK;
}

/* Whether t[a..b) is what comes between parallel cites: commas and
 * spaces, a pin page or range after a comma ("585 U.S. 296, 310-311, 138
 * S. Ct. 2206"), ending on a comma or a line's end (a caption's cites one
 * a line). */
static int parallel_gap(const char *t, size_t a, size_t b)
{
    if (b - a > 40)
        return 0;
    int after_comma = 0, newline = 0, pin = 0;
    for (size_t p = a; p < b;) {
        unsigned char c = (unsigned char)t[p];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            newline |= c == '\n';
            p++;
        } else if (c == ',' && !after_comma) {
            after_comma = 1, pin = 0;
            p++;
        } else if (c >= '0' && c <= '9' && after_comma && !pin) {
            while (p < b && ((t[p] >= '0' && t[p] <= '9') || t[p] == '-'))
                p++;
            if (p + 2 < b && (unsigned char)t[p] == 0xE2 && (unsigned char)t[p + 1] == 0x80 &&
                (unsigned char)t[p + 2] == 0x93) /* an en dash */
                for (p += 3; p < b && t[p] >= '0' && t[p] <= '9'; p++)
                    ;
            after_comma = 0, pin = 1;
        } else {
            return 0;
        }
    }
    return after_comma || (newline && !pin);
}

/* The parallel cites of the document's own citation, out[i]: the full
 * case cites that follow it with only a parallel_gap between each. */
static void parallel_cites(civ_entity_list *l, size_t i, const char *t)
{
    size_t end = l->out[i].end;
    for (size_t j = i + 1; j < l->nout && l->doc.nparallel < CIV_ENTITY_PARALLEL_MAX; j++) {
        const civ_entity *en = &l->out[j];
        if (en->kind != CIV_ENTITY_CASE || (en->flags & (CIV_ENTITY_REF | CIV_ENTITY_FINE)) ||
            en->start < end)
            continue;
        if (!parallel_gap(t, end, en->start))
            break;
        end = en->end;
        int seen = strcmp(en->value, l->doc.cite) == 0;
        for (size_t k = 0; k < l->doc.nparallel && !seen; k++)
            seen = strcmp(en->value, l->doc.parallel[k]) == 0;
        if (!seen)
            l->doc.parallel[l->doc.nparallel++] = en->value;
    }
}

civ_status civ_entities_scan(civ_entity_list *out, const civ_entities *ents, const char *text,
                             size_t len, const civ_entity_scan_opts *opts, civ_error *err)
{
    if (!out || !ents || (!text && len))
        return civ_error_set(err, CIV_EINVAL, "entities: no scanner, list or text");
    reset(out);
    ent_scan_result res;
    int classify = !opts || !opts->no_doc;
    memset(out->cues, 0, sizeof out->cues);
    res.cues = classify ? out->cues : NULL;
    if (civ_ent_scan(out, ents, text ? text : "", len, 0, &res) != 0 || out->failed) {
        reset(out);
        return civ_error_set(err, CIV_ENOMEM, "entities: out of memory scanning");
    }
    civ_status s = finish(out, res.ctx, err);
    if (s != CIV_OK)
        return s;
    if (!opts || !opts->no_doc) {
        out->doc.kind = civ_ent_classify(ents, text ? text : "", len, opts ? opts->title : NULL,
                                         opts && opts->title ? opts->title_len : 0, out->cues);
        /* The document's own citation: a "Cite as" line, or the first
         * full citation of an opinion's first page. */
        for (size_t i = 0; i < out->nout; i++) {
            const civ_entity *en = &out->out[i];
            if (en->kind != CIV_ENTITY_CASE || (en->flags & (CIV_ENTITY_REF | CIV_ENTITY_FINE)))
                continue;
            if (res.own_cite >= 0 && en->start != (size_t)res.own_cite)
                continue;
            if (res.own_cite < 0 && (out->doc.kind != CIV_DOC_KIND_OPINION || en->start > 1500))
                break;
            out->doc.cite = en->value;
            parallel_cites(out, i, text);
            for (size_t j = i; j-- > 0;) {
                if (out->out[j].kind == CIV_ENTITY_CASENAME) {
                    if (out->out[j].end + 8 >= en->start)
                        out->doc.casename = out->out[j].value;
                    break;
                }
            }
            break;
        }
    }
    return CIV_OK;
}

const civ_entity *civ_entity_list_items(const civ_entity_list *l, size_t *count)
{
    *count = l ? l->nout : 0;
    return l && l->nout ? l->out : NULL;
}

const civ_entity_docinfo *civ_entity_list_docinfo(const civ_entity_list *l)
{
    return &l->doc;
}

civ_status civ_entity_list_format(civ_buf *out, const civ_entity_list *l, unsigned kinds,
                                  civ_error *err)
{
    size_t first = out->len;
    int red_done = 0;
    for (size_t i = 0; i < l->nout; i++) {
        const civ_entity *en = &l->out[i];
        if (!(kinds & CIV_ENTITY_BIT(en->kind)) || (en->flags & CIV_ENTITY_FINE))
            continue;
        if (en->kind == CIV_ENTITY_REDACTION) {
            if (red_done)
                continue;
            red_done = 1;
            if (out->len > first)
                civ_buf_putc(out, ',');
            civ_buf_printf(out, "redaction:%u", l->doc.redactions);
            continue;
        }
        /* Already printed? Entities are few a line: a linear look back. */
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++) {
            const civ_entity *o = &l->out[j];
            dup = o->kind == en->kind && !(o->flags & CIV_ENTITY_FINE) &&
                  o->value_len == en->value_len && memcmp(o->value, en->value, en->value_len) == 0;
        }
        if (dup)
            continue;
        if (out->len > first)
            civ_buf_putc(out, ',');
        civ_buf_puts(out, kind_names[en->kind]);
        civ_buf_putc(out, ':');
        if (en->kind == CIV_ENTITY_CASENAME) {
            civ_buf_putc(out, '"');
            civ_buf_append(out, en->value, en->value_len);
            civ_buf_putc(out, '"');
        } else {
            civ_buf_append(out, en->value, en->value_len);
        }
    }
    if (civ_buf_failed(out))
        return civ_error_set(err, CIV_ENOMEM, "entities: out of memory");
    return CIV_OK;
}

/* ---- queries --------------------------------------------------------------- */

civ_status civ_entities_normalise(civ_entity_list *out, const civ_entities *ents,
                                  const char *q, size_t len, civ_error *err)
{
    if (!out || !ents || (!q && len))
        return civ_error_set(err, CIV_EINVAL, "entities: no scanner, list or query");
    reset(out);
    /* Quotes around the whole query (cite:"...") are not part of it. */
    size_t off = 0;
    while (len && (q[len - 1] == ' ' || q[len - 1] == '"'))
        len--;
    while (off < len && (q[off] == ' ' || q[off] == '"'))
        off++;
    ent_scan_result res;
    res.cues = NULL;
    if (civ_ent_scan(out, ents, q + off, len - off, 1, &res) != 0 || out->failed) {
        reset(out);
        return civ_error_set(err, CIV_ENOMEM, "entities: out of memory");
    }
    for (size_t i = 0; i < out->n; i++) {
        out->items[i].start += off;
        out->items[i].end += off;
    }
    return finish(out, res.ctx | 0xffffffffu, err);
}
