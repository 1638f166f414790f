/* lib/entities/build.c — building the legal entity scanner's tables from
 * lib/entities/tables*.c (civ_ent_build). Run at build time by
 * lib/entities/freeze.c, which writes the result as constant data: the
 * programs link neither this file nor the source tables (their thousands
 * of pointers would each cost a relocation at start-up). */
#include "entities_int.h"

#include <stdlib.h>
#include <string.h>

/* Copies a string into store; returns its offset, -1 out of memory (or
 * past what an offset holds). */
static long keep_in(civ_buf *store, const char *s, size_t n)
{
    size_t off = store->len;
    civ_buf_append(store, s, n);
    civ_buf_putc(store, '\0');
    return civ_buf_failed(store) || store->len > UINT32_MAX ? -1 : (long)off;
}

/* Copies a string into the scanner's own storage; returns its offset. */
static long keep(civ_entities *e, const char *s, size_t n)
{
    return keep_in(&e->strings, s, n);
}

/* Words are added while the dictionary is an array; pointers into the
 * string store are fixed up once everything is in (it may move). */
static long word_find(civ_entities *e, const char *w, size_t n)
{
    for (size_t i = 0; i < e->nwords; i++)
        if (e->words[i].len == n && memcmp(civ_ent_str(e, e->words[i].w), w, n) == 0)
            return (long)i;
    return -1;
}

/* Building uses a temporary hash (index by string) to stay fast. */
typedef struct bmap {
    int32_t *tab;
    size_t mask;
} bmap;

static long bmap_find(const civ_entities *e, const bmap *m, const char *w, size_t n)
{
    uint32_t h = civ_ent_hash(w, n);
    for (size_t i = h & m->mask;; i = (i + 1) & m->mask) {
        int32_t k = m->tab[i];
        if (k < 0)
            return -1;
        const ent_wentry *we = &e->words[k];
        if (we->hash == h && we->len == n && memcmp(civ_ent_str(e, we->w), w, n) == 0)
            return k;
    }
}

static int bmap_put(bmap *m, const ent_wentry *words, int32_t k)
{
    for (size_t i = words[k].hash & m->mask;; i = (i + 1) & m->mask) {
        if (m->tab[i] < 0) {
            m->tab[i] = k;
            return 0;
        }
    }
}

static long word_add(civ_entities *e, bmap *m, const char *w, size_t n)
{
    if (n == 0 || n > 255)
        return -1;
    long k = bmap_find(e, m, w, n);
    if (k >= 0)
        return k;
    if (civ_ent_grow((void **)&e->words, &e->capwords, e->nwords + 1, sizeof *e->words))
        return -2;
    long off = keep(e, w, n);
    if (off < 0)
        return -2;
    ent_wentry *we = &e->words[e->nwords];
    memset(we, 0, sizeof *we);
    we->w = (uint32_t)off;
    we->hash = civ_ent_hash(w, n);
    we->len = (uint8_t)n;
    we->canon = (int32_t)e->nwords;
    we->phr_first = we->abbr_first = we->cue_first = -1;
    k = (long)e->nwords++;
    bmap_put(m, e->words, (int32_t)k);
    return k;
}

/* Lower-cases and strips dots and apostrophes, as the tokenizer does. */
static size_t norm_word(const char *s, size_t n, char *out, size_t outsz)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < outsz; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' || c == '\'')
            continue;
        out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[k] = '\0';
    return k;
}

static int add_phrase(civ_entities *e, bmap *m, civ_entity_kind kind, const char *text,
                      const char *key, unsigned flags)
{
    if (civ_ent_grow((void **)&e->phr, &e->capphr, e->nphr + 1, sizeof *e->phr))
        return -1;
    long koff = keep(e, key, strlen(key));
    if (koff < 0)
        return -1;
    ent_phrase *p = &e->phr[e->nphr];
    p->kind = kind;
    p->key = (uint32_t)koff;
    p->flags = flags;
    p->first = (int32_t)e->nphr_words;
    p->n = 0;
    const char *s = text;
    while (*s) {
        while (*s == ' ')
            s++;
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        if (s == w)
            break;
        char buf[64];
        size_t n = norm_word(w, (size_t)(s - w), buf, sizeof buf);
        long k = word_add(e, m, buf, n);
        if (k == -2)
            return -1;
        if (k < 0)
            continue;
        if (civ_ent_grow((void **)&e->phr_words, &e->capphr_words, e->nphr_words + 1, sizeof *e->phr_words))
            return -1;
        e->phr_words[e->nphr_words++] = (int32_t)k;
        p->n++;
    }
    if (p->n)
        e->nphr++;
    return 0;
}

static int add_abbrev(civ_entities *e, bmap *m, civ_entity_kind kind, const char *form,
                      const char *key, unsigned flags)
{
    char buf[64];
    size_t n = norm_word(form, strlen(form), buf, sizeof buf);
    if (word_add(e, m, buf, n) == -2)
        return -1;
    if (civ_ent_grow((void **)&e->abbr, &e->capabbr, e->nabbr + 1, sizeof *e->abbr))
        return -1;
    long foff = keep(e, form, strlen(form)), koff = keep(e, key, strlen(key));
    if (foff < 0 || koff < 0)
        return -1;
    ent_abbrev *a = &e->abbr[e->nabbr++];
    a->kind = kind;
    a->form = (uint32_t)foff;
    a->form_len = (uint32_t)strlen(form);
    a->key = (uint32_t)koff;
    a->flags = flags;
    return 0;
}

/* Sorting without global state: each element carries its own keys. */
typedef struct sortkey {
    long k1, k2;      /* compared in order; k2 descending when `desc2` */
    int32_t idx;
} sortkey;

static int cmp_key_desc2(const void *a, const void *b)
{
    const sortkey *x = a, *y = b;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 > y->k2 ? -1 : 1;
    return x->idx < y->idx ? -1 : 1;
}

static long abbr_word(const civ_entities *e, const ent_abbrev *a, const bmap *m)
{
    char buf[64];
    size_t n = norm_word(civ_ent_str(e, a->form), a->form_len, buf, sizeof buf);
    return bmap_find(e, m, buf, n);
}

/* Sorts n indices by (k1 ascending, k2 descending) into out. */
static int sort_by(int32_t *out, size_t n, const long *k1, const long *k2)
{
    sortkey *t = malloc((n + 1) * sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < n; i++) {
        t[i].k1 = k1[i];
        t[i].k2 = k2 ? k2[i] : 0;
        t[i].idx = out[i];
    }
    qsort(t, n, sizeof *t, cmp_key_desc2);
    for (size_t i = 0; i < n; i++)
        out[i] = t[i].idx;
    free(t);
    return 0;
}

static ent_rentry *rep_table(const civ_ent_reporter_part *parts, size_t nparts, size_t n,
                             size_t *mask, int lower, civ_buf *store)
{
    size_t size = 1;
    while (size < n * 3)
        size *= 2;
    ent_rentry *t = calloc(size, sizeof *t);
    if (!t)
        return NULL;
    *mask = size - 1;
    for (size_t p = 0; p < nparts; p++) {
        for (size_t i = 0; i < parts[p].n; i++) {
            const civ_ent_reporter *r = parts[p].rows;
            size_t len = strlen(r[i].key);
            if (len > 255)
                continue;
            char key[256];
            for (size_t j = 0; j < len; j++) {
                char c = r[i].key[j];
                key[j] = (char)(lower && c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            uint32_t h = civ_ent_hash(key, len);
            size_t j = h & *mask;
            int dup = 0;
            while (t[j].slug) {
                if (t[j].hash == h && t[j].len == len && memcmp(store->data + t[j].key, key, len) == 0) {
                    dup = 1;
                    break;
                }
                j = (j + 1) & *mask;
            }
            if (dup)
                continue;
            long koff = keep_in(store, key, len), soff = keep_in(store, r[i].slug, strlen(r[i].slug));
            if (koff < 0 || soff < 0) {
                free(t);
                return NULL;
            }
            t[j].key = (uint32_t)koff;
            t[j].slug = (uint32_t)soff;
            t[j].hash = h;
            t[j].len = (uint8_t)len;
        }
    }
    return t;
}

/* Adds the words, phrases, abbreviations and synonyms of the tables. 0, or
 * -1 out of memory. */
static int add_tables(civ_entities *e, bmap *m)
{
    for (size_t i = 0; i < civ_ent_nwords; i++) {
        const civ_ent_word *w = &civ_ent_words[i];
        long k = word_add(e, m, w->word, strlen(w->word));
        if (k < 0)
            return -1;
        e->words[k].roles |= w->roles;
        e->words[k].ctx |= w->ctx;
        if (w->value)
            e->words[k].value = w->value;
    }
    for (size_t i = 0; i < civ_ent_agencies_nphrases; i++)
        if (add_phrase(e, m, CIV_ENTITY_AGENCY, civ_ent_agencies_phrases[i].text,
                       civ_ent_agencies_phrases[i].key, civ_ent_agencies_phrases[i].flags))
            return -1;
    for (size_t i = 0; i < civ_ent_acts_nphrases; i++)
        if (add_phrase(e, m, CIV_ENTITY_ACT, civ_ent_acts_phrases[i].text,
                       civ_ent_acts_phrases[i].key, civ_ent_acts_phrases[i].flags))
            return -1;
    for (size_t i = 0; i < civ_ent_nmore_phrases; i++)
        if (add_phrase(e, m, civ_ent_more_phrases[i].kind, civ_ent_more_phrases[i].text,
                       civ_ent_more_phrases[i].key, civ_ent_more_phrases[i].flags))
            return -1;
    for (size_t i = 0; i < civ_ent_agencies_nabbrevs; i++)
        if (add_abbrev(e, m, CIV_ENTITY_AGENCY, civ_ent_agencies_abbrevs[i].text,
                       civ_ent_agencies_abbrevs[i].key, civ_ent_agencies_abbrevs[i].flags))
            return -1;
    for (size_t i = 0; i < civ_ent_acts_nabbrevs; i++)
        if (add_abbrev(e, m, CIV_ENTITY_ACT, civ_ent_acts_abbrevs[i].text,
                       civ_ent_acts_abbrevs[i].key, civ_ent_acts_abbrevs[i].flags))
            return -1;
    for (size_t i = 0; i < civ_ent_nbody_aliases; i++)
        if (add_abbrev(e, m, CIV_ENTITY_BODY, civ_ent_body_aliases[i].form,
                       civ_ent_body_aliases[i].kind_key, 0))
            return -1;
    /* Synonyms: the abbreviated spelling compares as the full word. */
    for (size_t i = 0; i < civ_ent_nsynonyms; i++) {
        long from = word_add(e, m, civ_ent_synonyms[i].from, strlen(civ_ent_synonyms[i].from));
        long to = word_add(e, m, civ_ent_synonyms[i].to, strlen(civ_ent_synonyms[i].to));
        if (from < 0 || to < 0)
            return -1;
        e->words[from].canon = (int32_t)to;
    }
    return 0;
}

/* Adds the classifier cues, ordered by their first word; the cues that
 * begin with punctuation are listed apart. 0, or -1 out of memory. */
static int add_cues(civ_entities *e, bmap *m)
{
    /* Classifier cues, by their first word (or punctuation). */
    e->cue_order = malloc((civ_ent_ncues + 1) * sizeof *e->cue_order);
    long *cue_word = malloc((civ_ent_ncues + 1) * sizeof *cue_word);
    if (!e->cue_order || !cue_word) {
        free(cue_word);
        return -1;
    }
    size_t ncw = 0;
    for (size_t i = 0; i < civ_ent_ncues; i++) {
        const char *t = civ_ent_cues[i].text;
        size_t n = 0;
        while ((t[n] >= 'a' && t[n] <= 'z') || (t[n] >= '0' && t[n] <= '9'))
            n++;
        if (n == 0) {
            if (e->ncue_punct < (int)(sizeof e->cue_punct / sizeof *e->cue_punct))
                e->cue_punct[e->ncue_punct++] = (uint16_t)i;
            continue;
        }
        long w = word_add(e, m, t, n);
        if (w < 0) {
            free(cue_word);
            return -1;
        }
        cue_word[i] = w;
        e->cue_order[ncw++] = (uint16_t)i;
    }
    {
        /* Zeroed only because GCC, inlining sort_by here, cannot see that
         * it reads no more than the ncw entries set. */
        int32_t ord[256] = { 0 };
        long k1[256] = { 0 };
        for (size_t i = 0; i < ncw && i < 256; i++) {
            ord[i] = e->cue_order[i];
            k1[i] = cue_word[e->cue_order[i]];
        }
        if (ncw > 256 || sort_by(ord, ncw, k1, NULL)) {
            free(cue_word);
            return -1;
        }
        for (size_t i = 0; i < ncw; i++)
            e->cue_order[i] = (uint16_t)ord[i];
    }
    e->ncue_order = ncw;
    for (size_t i = 0; i < ncw; i++) {
        ent_wentry *we = &e->words[cue_word[e->cue_order[i]]];
        if (we->cue_first < 0)
            we->cue_first = (int32_t)i;
        we->cue_n++;
    }
    free(cue_word);
    return 0;
}

/* Orders the phrases and abbreviations by their first word, so the
 * scanner finds those starting at a word at once. 0, or -1 out of memory. */
static int order_phrases(civ_entities *e, bmap *m)
{
    /* Phrases compare canonical words ("dept" reads as "department"). */
    for (size_t i = 0; i < e->nphr_words; i++)
        e->phr_words[i] = e->words[e->phr_words[i]].canon;

    /* Phrases grouped by their first word, longest first. */
    e->phr_order = malloc((e->nphr + 1) * sizeof *e->phr_order);
    e->abbr_order = malloc((e->nabbr + 1) * sizeof *e->abbr_order);
    if (!e->phr_order || !e->abbr_order)
        return -1;
    for (size_t i = 0; i < e->nphr; i++)
        e->phr_order[i] = (int32_t)i;
    {
        long *k1 = malloc((e->nphr + 1) * sizeof *k1), *k2 = malloc((e->nphr + 1) * sizeof *k2);
        int bad = !k1 || !k2;
        for (size_t i = 0; !bad && i < e->nphr; i++) {
            k1[i] = e->phr_words[e->phr[i].first];
            k2[i] = e->phr[i].n;
        }
        bad = bad || sort_by(e->phr_order, e->nphr, k1, k2);
        free(k1);
        free(k2);
        if (bad)
            return -1;
    }
    for (size_t i = 0; i < e->nphr; i++) {
        int32_t w = e->phr_words[e->phr[e->phr_order[i]].first];
        if (e->words[w].phr_first < 0)
            e->words[w].phr_first = (int32_t)i;
        e->words[w].phr_n++;
    }
    for (size_t i = 0; i < e->nabbr; i++)
        e->abbr_order[i] = (int32_t)i;
    {
        long *k1 = malloc((e->nabbr + 1) * sizeof *k1);
        if (!k1)
            return -1;
        for (size_t i = 0; i < e->nabbr; i++)
            k1[i] = abbr_word(e, &e->abbr[i], m);
        int bad = sort_by(e->abbr_order, e->nabbr, k1, NULL);
        free(k1);
        if (bad)
            return -1;
    }
    for (size_t i = 0; i < e->nabbr; i++) {
        long w = abbr_word(e, &e->abbr[e->abbr_order[i]], m);
        if (w < 0)
            continue;
        if (e->words[w].abbr_first < 0)
            e->words[w].abbr_first = (int32_t)i;
        e->words[w].abbr_n++;
    }
    return 0;
}

/* Builds the final hash of the words. 0, or -1 out of memory. */
static int finish_tables(civ_entities *e)
{
    size_t size = 1;
    while (size < e->nwords * 3)
        size *= 2;
    e->wtab = malloc(size * sizeof *e->wtab);
    if (!e->wtab)
        return -1;
    memset(e->wtab, 0xff, size * sizeof *e->wtab);
    e->wmask = size - 1;
    for (size_t i = 0; i < e->nwords; i++)
        for (size_t j = e->words[i].hash & e->wmask;; j = (j + 1) & e->wmask)
            if (e->wtab[j] < 0) {
                e->wtab[j] = (int32_t)i;
                break;
            }
    return 0;
}

civ_status civ_ent_build(civ_entities **out, civ_error *err)
{
    *out = NULL;
    civ_entities *e = calloc(1, sizeof *e);
    if (!e)
        return civ_error_set(err, CIV_ENOMEM, "entities: out of memory");
    /* Offset 0 holds "": an empty reporter entry has slug 0. */
    if (keep(e, "", 0) != 0) {
        civ_entities_free(e);
        return civ_error_set(err, CIV_ENOMEM, "entities: out of memory");
    }
    bmap m = { NULL, 0 };
    size_t est = 4096;
    m.tab = malloc(est * sizeof *m.tab);
    if (!m.tab)
        goto nomem;
    memset(m.tab, 0xff, est * sizeof *m.tab);
    m.mask = est - 1;

    if (add_tables(e, &m))
        goto nomem;
    if (add_cues(e, &m))
        goto nomem;
    if (e->nwords * 2 > est)
        goto nomem; /* the temporary map would be too full: raise est */
    if (order_phrases(e, &m))
        goto nomem;

    /* Reporters. */
    e->rep = rep_table(civ_ent_reporter_parts, civ_ent_nreporter_parts, civ_ent_nreporters,
                       &e->repmask, 0, &e->strings);
    if (!e->rep)
        goto nomem;
    e->repl = rep_table(civ_ent_reporter_parts, civ_ent_nreporter_parts, civ_ent_nreporters,
                        &e->replmask, 1, &e->strings);
    if (!e->repl)
        goto nomem;

    if (finish_tables(e))
        goto nomem;
    free(m.tab);
    (void)word_find;
    *out = e;
    return CIV_OK;
nomem:
    free(m.tab);
    civ_entities_free(e);
    return civ_error_set(err, CIV_ENOMEM, "entities: out of memory building the tables");
}
