#include "civ/doc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/compress.h"
#include "civ/utf8.h"

typedef struct doc_value {
    const civ_field_def *def;
    char *value;
    size_t len;
} doc_value;

typedef struct page_mark {
    size_t offset;
    unsigned page;
} page_mark;

struct civ_doc {
    doc_value *values;
    size_t n, cap;
    civ_buf text;
    page_mark *pages;
    size_t npages, pages_cap;
    civ_passage *passages;   /* text stored apart (read back from an index) */
    size_t npassages;
    size_t passages_read;    /* civ_doc_append_passage: the next one due */
    civ_status status;
    char msg[128];
    const char *bounded;     /* civ_doc_note_bounded: the first bound met */
};

static civ_status doc_fail(civ_doc *doc, civ_status s, const char *msg)
{
    if (doc->status == CIV_OK) {
        doc->status = s;
        snprintf(doc->msg, sizeof doc->msg, "%s", msg);
    }
    return s;
}

civ_status civ_doc_new(civ_doc **out, civ_error *err)
{
    civ_doc *d = calloc(1, sizeof *d);
    if (!d)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    *out = d;
    return CIV_OK;
}

void civ_doc_note_bounded(civ_doc *doc, const char *why)
{
    if (doc && why && !doc->bounded)
        doc->bounded = why;
}

const char *civ_doc_bounded(const civ_doc *doc)
{
    return doc ? doc->bounded : NULL;
}

void civ_doc_clear(civ_doc *doc)
{
    for (size_t i = 0; i < doc->n; i++)
        free(doc->values[i].value);
    doc->n = 0;
    doc->npages = 0;
    free(doc->passages);
    doc->passages = NULL;
    doc->npassages = 0;
    doc->passages_read = 0;
    civ_buf_reset(&doc->text);
    doc->status = CIV_OK;
    doc->msg[0] = '\0';
    doc->bounded = NULL;
}

void civ_doc_free(civ_doc *doc)
{
    if (!doc)
        return;
    civ_doc_clear(doc);
    free(doc->values);
    free(doc->pages);
    civ_buf_free(&doc->text);
    free(doc);
}

void civ_doc_remove(civ_doc *doc, const char *field)
{
    size_t j = 0;
    for (size_t i = 0; i < doc->n; i++) {
        if (strcmp(doc->values[i].def->name, field) == 0)
            free(doc->values[i].value);
        else
            doc->values[j++] = doc->values[i];
    }
    doc->n = j;
}

/* Cleans a value: valid UTF-8, trimmed, whitespace runs collapsed. */
/* 1 when clean_value() would return the value unchanged (the common case,
 * always so for values read back from the index): then it is copied. */
static int already_clean(const char *v, size_t len)
{
    if (len == 0 || v[0] == ' ' || v[len - 1] == ' ')
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7F)
            return 0;
        if (c == ' ' && v[i + 1] == ' ')
            return 0;
        if (c == 0xC2 && i + 1 < len && (unsigned char)v[i + 1] == 0xA0)
            return 0;
    }
    return civ_utf8_valid(v, len);
}

static char *clean_value(const char *value, size_t len, size_t *outlen)
{
    if (already_clean(value, len)) {
        char *copy = malloc(len + 1);
        if (!copy)
            return NULL;
        memcpy(copy, value, len);
        copy[len] = '\0';
        *outlen = len;
        return copy;
    }
    civ_buf tmp = CIV_BUF_INIT, out = CIV_BUF_INIT;
    civ_utf8_sanitize(&tmp, value, len);
    const char *s = civ_buf_str(&tmp);
    int space = 0;
    for (size_t i = 0; i < tmp.len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            space = out.len > 0;
            continue;
        }
        /* U+00A0 no-break space counts as space too. */
        if (c == 0xC2 && i + 1 < tmp.len && (unsigned char)s[i + 1] == 0xA0) {
            space = out.len > 0;
            i++;
            continue;
        }
        if (space) {
            civ_buf_putc(&out, ' ');
            space = 0;
        }
        civ_buf_putc(&out, (char)c);
    }
    int failed = civ_buf_failed(&tmp);
    civ_buf_free(&tmp);
    if (failed) {
        civ_buf_free(&out);
        return NULL;
    }
    *outlen = out.len;
    return civ_buf_steal(&out);
}

/* civ_doc_add for a field already looked up. The values of a multi-valued
 * field read back from the index (`stored`) were made unique and bounded
 * when they were added: they are appended without comparing them with
 * the others (a damaged record cannot make this quadratic either). */
static civ_status add_value(civ_doc *doc, const civ_field_def *def, const char *value, size_t len,
                            int stored)
{
    if (doc->status != CIV_OK)
        return doc->status;
    if (!value)
        return CIV_OK;
    size_t clen = 0;
    char *copy = clean_value(value, len, &clen);
    if (!copy)
        return doc_fail(doc, CIV_ENOMEM, "out of memory");
    if (clen == 0) {
        free(copy);
        return CIV_OK;
    }
    if (!(def->flags & CIV_FIELD_MULTI)) {
        for (size_t i = 0; i < doc->n; i++) {
            if (doc->values[i].def == def) {
                free(doc->values[i].value);
                doc->values[i].value = copy;
                doc->values[i].len = clen;
                return CIV_OK;
            }
        }
    } else if (!stored) {
        /* Keep multi-valued fields free of duplicates, and bounded: a
         * hostile file's 100,000 keywords would make this quadratic. */
        size_t same = 0;
        for (size_t i = 0; i < doc->n; i++) {
            if (doc->values[i].def != def)
                continue;
            int full = ++same >= CIV_DOC_VALUES_MAX;
            if (full || (doc->values[i].len == clen && memcmp(doc->values[i].value, copy, clen) == 0)) {
                if (full)
                    civ_doc_note_bounded(doc, "a field with more than " CIV_STR(CIV_DOC_VALUES_MAX)
                                              " values kept the first ones");
                free(copy);
                return CIV_OK;
            }
        }
    }
    if (doc->n == doc->cap) {
        size_t cap = doc->cap ? doc->cap * 2 : 16;
        doc_value *v = realloc(doc->values, cap * sizeof *v);
        if (!v) {
            free(copy);
            return doc_fail(doc, CIV_ENOMEM, "out of memory");
        }
        doc->values = v;
        doc->cap = cap;
    }
    doc->values[doc->n].def = def;
    doc->values[doc->n].value = copy;
    doc->values[doc->n].len = clen;
    doc->n++;
    return CIV_OK;
}

civ_status civ_doc_add(civ_doc *doc, const char *field, const char *value, size_t len)
{
    if (doc->status != CIV_OK)
        return doc->status;
    const civ_field_def *def = civ_schema_field(field);
    if (!def)
        return doc_fail(doc, CIV_EINVAL, "unknown document field");
    return add_value(doc, def, value, len, 0);
}

civ_status civ_doc_add_str(civ_doc *doc, const char *field, const char *value)
{
    return civ_doc_add(doc, field, value, value ? strlen(value) : 0);
}

civ_status civ_doc_set_str(civ_doc *doc, const char *field, const char *value)
{
    civ_doc_remove(doc, field);
    return civ_doc_add_str(doc, field, value);
}

const char *civ_doc_get(const civ_doc *doc, const char *field)
{
    for (size_t i = 0; i < doc->n; i++)
        if (strcmp(doc->values[i].def->name, field) == 0)
            return doc->values[i].value;
    return NULL;
}

const char *civ_doc_get_def(const civ_doc *doc, const civ_field_def *f)
{
    for (size_t i = 0; i < doc->n; i++)
        if (doc->values[i].def == f)
            return doc->values[i].value;
    return NULL;
}

size_t civ_doc_nvalues(const civ_doc *doc)
{
    return doc->n;
}

const civ_field_def *civ_doc_value(const civ_doc *doc, size_t i,
                                   const char **value, size_t *len)
{
    if (i >= doc->n)
        return NULL;
    if (value)
        *value = doc->values[i].value;
    if (len)
        *len = doc->values[i].len;
    return doc->values[i].def;
}

civ_status civ_doc_append_text(civ_doc *doc, const char *text, size_t len)
{
    if (doc->status != CIV_OK)
        return doc->status;
    civ_utf8_sanitize(&doc->text, text, len);
    if (civ_buf_failed(&doc->text))
        return doc_fail(doc, CIV_ENOMEM, "out of memory");
    return CIV_OK;
}

void civ_doc_new_paragraph(civ_doc *doc)
{
    civ_buf *t = &doc->text;
    if (t->len == 0)
        return;
    if (t->data[t->len - 1] != '\n')
        civ_buf_putc(t, '\n');
    if (t->len < 2 || t->data[t->len - 2] != '\n')
        civ_buf_putc(t, '\n');
}

civ_status civ_doc_add_paragraph(civ_doc *doc, const char *s, size_t n)
{
    if (doc->status != CIV_OK)
        return doc->status;
    size_t i = 0;
    while (i < n && (s[i] == '\n' || s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == i)
        return CIV_OK;
    civ_doc_new_paragraph(doc);
    civ_buf_append(&doc->text, s + i, n - i);
    if (civ_buf_failed(&doc->text))
        return doc_fail(doc, CIV_ENOMEM, "out of memory");
    return CIV_OK;
}

const char *civ_doc_text(const civ_doc *doc, size_t *len)
{
    if (len)
        *len = doc->text.len;
    return civ_buf_str(&doc->text);
}

civ_buf *civ_doc_text_buf(civ_doc *doc)
{
    return &doc->text;
}

civ_status civ_doc_begin_page(civ_doc *doc, unsigned page)
{
    if (doc->status != CIV_OK)
        return doc->status;
    size_t at = doc->text.len;
    if (doc->npages && doc->pages[doc->npages - 1].offset == at) {
        doc->pages[doc->npages - 1].page = page;
        return CIV_OK;
    }
    if (doc->npages == doc->pages_cap) {
        size_t cap = doc->pages_cap ? doc->pages_cap * 2 : 16;
        page_mark *p = realloc(doc->pages, cap * sizeof *p);
        if (!p)
            return doc_fail(doc, CIV_ENOMEM, "out of memory");
        doc->pages = p;
        doc->pages_cap = cap;
    }
    doc->pages[doc->npages].offset = at;
    doc->pages[doc->npages].page = page;
    doc->npages++;
    return CIV_OK;
}

size_t civ_doc_npages(const civ_doc *doc)
{
    return doc->npages;
}

int civ_doc_page_mark(const civ_doc *doc, size_t i, unsigned *page, size_t *offset)
{
    if (i >= doc->npages)
        return -1;
    if (page)
        *page = doc->pages[i].page;
    if (offset)
        *offset = doc->pages[i].offset;
    return 0;
}

unsigned civ_doc_page_at(const civ_doc *doc, size_t offset)
{
    size_t lo = 0, hi = doc->npages;
    /* The last mark at or before offset. */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (doc->pages[mid].offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? doc->pages[lo - 1].page : (doc->npages ? doc->pages[0].page : 0);
}

size_t civ_doc_npassages(const civ_doc *doc)
{
    return doc->npassages;
}

int civ_doc_passage(const civ_doc *doc, size_t i, size_t *offset, size_t *len)
{
    if (i >= doc->npassages)
        return -1;
    if (offset)
        *offset = doc->passages[i].offset;
    if (len)
        *len = doc->passages[i].len;
    return 0;
}

civ_status civ_doc_append_passage(civ_doc *doc, size_t i, const void *z, size_t zlen,
                                  civ_error *err)
{
    if (i >= doc->npassages || i != doc->passages_read || doc->text.len != doc->passages[i].offset)
        return civ_error_set(err, CIV_EINVAL, "passage %zu read out of order", i + 1);
    size_t before = doc->text.len, want = doc->passages[i].len;
    civ_error zerr = CIV_ERROR_INIT;
    civ_status s = civ_inflate(&doc->text, z, zlen, want, &zerr);
    if (s == CIV_OK && doc->text.len - before != want)
        s = CIV_ECORRUPT;
    if (s != CIV_OK) {
        doc->text.len = before;
        if (doc->text.data)
            doc->text.data[before] = '\0';
        if (s == CIV_ENOMEM)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        return civ_error_set(err, CIV_ECORRUPT, "stored text of passage %zu is damaged", i + 1);
    }
    doc->passages_read++;
    return CIV_OK;
}

civ_status civ_doc_check(const civ_doc *doc, civ_error *err)
{
    if (doc->status == CIV_OK && civ_buf_failed(&doc->text))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    if (doc->status != CIV_OK)
        return civ_error_set(err, doc->status, "%s", doc->msg);
    return CIV_OK;
}

/* ---- serialisation --------------------------------------------------- */

#define DOC_MAGIC "CIV1"

static void put_varint(civ_buf *b, uint64_t v)
{
    unsigned char tmp[10];
    size_t n = 0;
    do {
        unsigned char c = v & 0x7F;
        v >>= 7;
        tmp[n++] = c | (v ? 0x80 : 0);
    } while (v);
    civ_buf_append(b, tmp, n);
}

static int get_varint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
    uint64_t r = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*p >= end)
            return -1;
        unsigned char c = *(*p)++;
        r |= (uint64_t)(c & 0x7F) << shift;
        if (!(c & 0x80)) {
            *v = r;
            return 0;
        }
    }
    return -1;
}

/* The magic and the stored fields, up to their terminating 0. */
static void encode_fields(civ_buf *out, const civ_doc *doc)
{
    civ_buf_append(out, DOC_MAGIC, 4);
    for (size_t i = 0; i < doc->n; i++) {
        const civ_field_def *def = doc->values[i].def;
        if (!(def->flags & CIV_FIELD_STORED))
            continue;
        size_t nl = strlen(def->name);
        put_varint(out, nl);
        civ_buf_append(out, def->name, nl);
        put_varint(out, doc->values[i].len);
        civ_buf_append(out, doc->values[i].value, doc->values[i].len);
    }
    put_varint(out, 0);
}

/* Optional sections after the text, each a letter and its content;
 * readers skip what they do not know. P: page marks, as (offset delta,
 * page) pairs. */
static void encode_pages(civ_buf *out, const civ_doc *doc)
{
    if (!doc->npages)
        return;
    civ_buf_putc(out, 'P');
    put_varint(out, doc->npages);
    size_t prev = 0;
    for (size_t i = 0; i < doc->npages; i++) {
        put_varint(out, doc->pages[i].offset - prev);
        put_varint(out, doc->pages[i].page);
        prev = doc->pages[i].offset;
    }
}

civ_status civ_doc_encode(civ_buf *out, const civ_doc *doc, int level, civ_error *err)
{
    encode_fields(out, doc);
    if (level > 0 && doc->text.len > 0) {
        civ_buf z = CIV_BUF_INIT;
        civ_status s = civ_deflate(&z, doc->text.data, doc->text.len, level, err);
        if (s != CIV_OK) {
            civ_buf_free(&z);
            return s;
        }
        put_varint(out, doc->text.len);
        put_varint(out, z.len);
        civ_buf_append(out, z.data, z.len);
        civ_buf_free(&z);
    } else {
        put_varint(out, 0);
        put_varint(out, 0);
    }
    encode_pages(out, doc);
    if (civ_buf_failed(out))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return CIV_OK;
}

civ_status civ_doc_encode_passages(civ_buf *out, const civ_doc *doc, const civ_passage *ps,
                                   size_t n, civ_error *err)
{
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        if (ps[i].offset != at || ps[i].len == 0)
            return civ_error_set(err, CIV_EINVAL, "passages do not cover the text in order");
        at += ps[i].len;
    }
    /* (A document read back without its text keeps its passages.) */
    if (at != doc->text.len && doc->text.len != 0)
        return civ_error_set(err, CIV_EINVAL, "passages do not cover the text in order");
    /* No text in the record: a reader that knows no passages sees an
     * empty text, not damage, and stops at 'T', which says how long each
     * passage is. */
    encode_fields(out, doc);
    put_varint(out, 0);
    put_varint(out, 0);
    encode_pages(out, doc);
    civ_buf_putc(out, 'T');
    put_varint(out, n);
    for (size_t i = 0; i < n; i++)
        put_varint(out, ps[i].len);
    if (civ_buf_failed(out))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return CIV_OK;
}

/* Section 'T': the lengths of passages stored apart. */
static int decode_passages(civ_doc *doc, const unsigned char **pp, const unsigned char *end)
{
    uint64_t n, len;
    if (get_varint(pp, end, &n) < 0 || n == 0 || n > (uint64_t)(end - *pp) || doc->npassages)
        return -1;
    doc->passages = malloc((size_t)n * sizeof *doc->passages);
    if (!doc->passages)
        return -2;
    size_t at = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (get_varint(pp, end, &len) < 0 || len == 0 || len > SIZE_MAX / 2 - at)
            return -1;
        doc->passages[i].offset = at;
        doc->passages[i].len = (size_t)len;
        at += (size_t)len;
    }
    doc->npassages = (size_t)n;
    return 0;
}

/* The optional sections after the text (see civ_doc_encode). */
static int decode_sections(civ_doc *doc, const unsigned char *p, const unsigned char *end)
{
    while (p < end) {
        unsigned char tag = *p++;
        if (tag == 'T') {
            int r = decode_passages(doc, &p, end);
            if (r < 0)
                return r;
            continue;
        }
        if (tag != 'P')
            return 0; /* a later version's section: the rest is skipped */
        uint64_t n, delta, page;
        if (get_varint(&p, end, &n) < 0 || n > (uint64_t)(end - p))
            return -1;
        size_t at = 0;
        for (uint64_t i = 0; i < n; i++) {
            if (get_varint(&p, end, &delta) < 0 || get_varint(&p, end, &page) < 0 ||
                page > UINT32_MAX || delta > SIZE_MAX - at)
                return -1;
            at += (size_t)delta;
            if (doc->npages == doc->pages_cap) {
                size_t cap = doc->pages_cap ? doc->pages_cap * 2 : 16;
                page_mark *pm = realloc(doc->pages, cap * sizeof *pm);
                if (!pm)
                    return -2;
                doc->pages = pm;
                doc->pages_cap = cap;
            }
            doc->pages[doc->npages].offset = at;
            doc->pages[doc->npages].page = (unsigned)page;
            doc->npages++;
        }
    }
    return 0;
}

/* The fields of data into a new *out, and where its stored text is:
 * *z (zlen bytes of zlib data, NULL when there is no text), *rawlen. */
static civ_status decode_fields(civ_doc **out, const unsigned char **z, uint64_t *zlen,
                                uint64_t *rawlen, const char *data, size_t len, civ_error *err)
{
    const unsigned char *p = (const unsigned char *)data, *end = p + len;
    *out = NULL;
    if (len < 4 || memcmp(p, DOC_MAGIC, 4) != 0)
        return civ_error_set(err, CIV_ECORRUPT, "document data is not in civsearch format");
    p += 4;
    civ_doc *doc = NULL;
    civ_status s = civ_doc_new(&doc, err);
    if (s != CIV_OK)
        return s;
    const civ_field_def *def = NULL;
    for (;;) {
        uint64_t nl, vl;
        if (get_varint(&p, end, &nl) < 0)
            goto corrupt;
        if (nl == 0)
            break;
        if (nl > 64 || (uint64_t)(end - p) < nl)
            goto corrupt;
        char name[65];
        memcpy(name, p, nl);
        name[nl] = '\0';
        p += nl;
        if (get_varint(&p, end, &vl) < 0 || (uint64_t)(end - p) < vl)
            goto corrupt;
        /* Fields this version does not know are skipped, not fatal. The
         * values of one field come one after the other. */
        if (!def || strcmp(def->name, name) != 0)
            def = civ_schema_field(name);
        if (def)
            add_value(doc, def, (const char *)p, vl, 1);
        p += vl;
    }
    /* deflate expands at most 1032 to 1: a larger length is damage, and
     * must not size an allocation. */
    if (get_varint(&p, end, rawlen) < 0 || get_varint(&p, end, zlen) < 0 ||
        (uint64_t)(end - p) < *zlen || *rawlen > *zlen * 1032 + 64)
        goto corrupt;
    *z = *zlen ? p : NULL;
    switch (decode_sections(doc, p + *zlen, end)) {
    case -1: goto corrupt;
    case -2:
        civ_doc_free(doc);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    default: break;
    }
    if (doc->npassages) /* the text is stored apart */
        *z = NULL;
    s = civ_doc_check(doc, err);
    if (s != CIV_OK) {
        civ_doc_free(doc);
        return s;
    }
    *out = doc;
    return CIV_OK;
corrupt:
    civ_doc_free(doc);
    return civ_error_set(err, CIV_ECORRUPT, "document data is damaged");
}

static civ_status damaged_text(civ_doc *doc, civ_status s, civ_error *err)
{
    civ_doc_free(doc);
    return s == CIV_ENOMEM ? s : civ_error_set(err, CIV_ECORRUPT, "stored text is damaged");
}

civ_status civ_doc_decode_stream(civ_doc **out, civ_inflater **text, size_t *text_len,
                                 const char *data, size_t len, civ_error *err)
{
    const unsigned char *z = NULL;
    uint64_t zlen = 0, rawlen = 0;
    civ_doc *doc = NULL;
    *text = NULL;
    *text_len = 0;
    civ_status s = decode_fields(&doc, &z, &zlen, &rawlen, data, len, err);
    if (s != CIV_OK)
        return s;
    if (z && (s = civ_inflater_new(text, z, zlen, err)) != CIV_OK)
        return damaged_text(doc, s, err);
    *text_len = z ? rawlen : 0;
    *out = doc;
    return CIV_OK;
}

civ_status civ_doc_decode(civ_doc **out, const char *data, size_t len,
                          int want_text, civ_error *err)
{
    const unsigned char *z = NULL;
    uint64_t zlen = 0, rawlen = 0;
    civ_doc *doc = NULL;
    civ_status s = decode_fields(&doc, &z, &zlen, &rawlen, data, len, err);
    if (s != CIV_OK)
        return s;
    if (want_text && z && (s = civ_inflate(&doc->text, z, zlen, rawlen, err)) != CIV_OK)
        return damaged_text(doc, s, err);
    *out = doc;
    return CIV_OK;
}
