/* What the index already holds, one entry per file: see known.h. */
#include "known.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "badfiles.h"
#include "civ/hash.h"
#include "files.h"

struct known_set {
    known_file **by_name, **by_hash;
    size_t cap, n;
    char **roots;         /* interned root strings */
    size_t nroots;
    known_file *stale;    /* bad records of ids a file with documents holds */
};

static uint64_t str_hash(const char *s)
{
    return civ_hash64(s, strlen(s), 0x5eed);
}

known_file *known_find(const known_set *k, const char *file)
{
    if (!k || !k->cap)
        return NULL;
    for (known_file *f = k->by_name[str_hash(file) & (k->cap - 1)]; f; f = f->next_name)
        if (strcmp(f->file, file) == 0)
            return f;
    return NULL;
}

static int known_grow(known_set *k)
{
    size_t cap = k->cap ? k->cap * 2 : 1024;
    known_file **bn = calloc(cap, sizeof *bn); // NOLINT(bugprone-sizeof-expression): an array of pointers
    if (!bn)
        return -1;
    for (size_t i = 0; i < k->cap; i++) {
        known_file *f = k->by_name[i];
        while (f) {
            known_file *next = f->next_name;
            size_t b = str_hash(f->file) & (cap - 1);
            f->next_name = bn[b];
            bn[b] = f;
            f = next;
        }
    }
    free(k->by_name);
    k->by_name = bn;
    k->cap = cap;
    return 0;
}

static const char *known_root(known_set *k, const char *root)
{
    for (size_t i = 0; i < k->nroots; i++)
        if (strcmp(k->roots[i], root) == 0)
            return k->roots[i];
    char **nr = realloc(k->roots, (k->nroots + 1) * sizeof *nr);
    if (!nr)
        return NULL;
    k->roots = nr;
    if (!(nr[k->nroots] = strdup(root)))
        return NULL;
    return nr[k->nroots++];
}

typedef struct load_ctx {
    known_set *k;
    int oom;
} load_ctx;

static int load_one(void *ctx, const civ_known *d)
{
    load_ctx *l = ctx;
    known_set *k = l->k;
    known_file *f = known_find(k, d->file);
    if (f) {
        f->ndocs++;
        f->unread_scans += d->unread_scans;
        return 0;
    }
    if ((k->n + 1) * 2 > k->cap && known_grow(k) != 0)
        goto oom;
    f = calloc(1, sizeof *f);
    if (!f || !(f->file = strdup(d->file)) || !(f->root = known_root(k, d->root))) {
        if (f)
            free(f->file);
        free(f);
        goto oom;
    }
    f->mtime = d->mtime;
    f->size = d->size;
    snprintf(f->hash, sizeof f->hash, "%s", d->hash);
    f->ndocs = 1;
    f->unread_scans = d->unread_scans;
    size_t b = str_hash(f->file) & (k->cap - 1);
    f->next_name = k->by_name[b];
    k->by_name[b] = f;
    k->n++;
    return 0;
oom:
    l->oom = 1;
    return 1;
}

static void free_entry(known_file *f)
{
    free(f->file);
    free(f->reason);
    free(f);
}

/* A file remembered as bad: an entry without documents. */
static int load_bad(void *ctx, const char *key, const char *value)
{
    (void)key;
    load_ctx *l = ctx;
    known_set *k = l->k;
    bad_file b;
    int rc = bad_parse(&b, value);
    if (rc == -1)
        return 0; /* unreadable: forgotten, the file is read again */
    known_file *f = rc == 0 ? calloc(1, sizeof *f) : NULL;
    if (!f || !(f->root = known_root(k, b.root)))
        goto oom;
    f->file = b.file;
    f->reason = b.reason;
    b.file = b.reason = NULL;
    f->mtime = b.mtime;
    f->size = b.size;
    f->bad = (unsigned char)(1 + b.outcome);
    memcpy(f->tag, b.tag, sizeof f->tag);
    bad_file_clear(&b);
    if (known_find(k, f->file)) {
        f->next_name = k->stale;
        k->stale = f;
        return 0;
    }
    if ((k->n + 1) * 2 > k->cap && known_grow(k) != 0) {
        free_entry(f);
        l->oom = 1;
        return 1;
    }
    size_t h = str_hash(f->file) & (k->cap - 1);
    f->next_name = k->by_name[h];
    k->by_name[h] = f;
    k->n++;
    return 0;
oom:
    free(f);
    bad_file_clear(&b);
    l->oom = 1;
    return 1;
}

/* Builds the content-hash chains used to recognise moved files. */
static int index_hashes(known_set *k)
{
    if (!k->cap)
        return 0;
    k->by_hash = calloc(k->cap, sizeof *k->by_hash); // NOLINT(bugprone-sizeof-expression): an array of pointers
    if (!k->by_hash)
        return -1;
    for (size_t i = 0; i < k->cap; i++)
        for (known_file *f = k->by_name[i]; f; f = f->next_name) {
            if (!f->hash[0])
                continue;
            size_t b = str_hash(f->hash) & (k->cap - 1);
            f->next_hash = k->by_hash[b];
            k->by_hash[b] = f;
        }
    return 0;
}

civ_status known_load(known_set **out, civ_writer *w, civ_error *err)
{
    *out = NULL;
    known_set *k = calloc(1, sizeof *k);
    if (!k)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    load_ctx l = { k, 0 };
    civ_status s = civ_files_each(w, load_one, &l, err);
    if (s == CIV_OK && !l.oom)
        s = civ_writer_each_meta(w, BAD_META_PREFIX, load_bad, &l, err);
    if (s == CIV_OK && (l.oom || index_hashes(k) != 0))
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    if (s != CIV_OK) {
        known_free(k);
        return s;
    }
    *out = k;
    return CIV_OK;
}

void known_free(known_set *k)
{
    if (!k)
        return;
    for (size_t i = 0; i < k->cap; i++) {
        known_file *f = k->by_name[i];
        while (f) {
            known_file *next = f->next_name;
            free_entry(f);
            f = next;
        }
    }
    while (k->stale) {
        known_file *next = k->stale->next_name;
        free_entry(k->stale);
        k->stale = next;
    }
    free(k->by_name);
    free(k->by_hash);
    for (size_t i = 0; i < k->nroots; i++)
        free(k->roots[i]);
    free(k->roots);
    free(k);
}

known_file *known_claim_move(known_set *k, const char *hash, uint64_t size)
{
    if (!k || !k->by_hash)
        return NULL;
    for (known_file *f = k->by_hash[str_hash(hash) & (k->cap - 1)]; f; f = f->next_hash) {
        if (f->seen || f->claimed || f->size != size || strcmp(f->hash, hash) != 0 || !*f->root)
            continue;
        /* Still on disk (walked later, or outside this run's roots)? Then
         * the new file is a copy, not a move. */
        char path[PATH_MAX];
        struct stat st;
        int n = snprintf(path, sizeof path, "%s/%s", f->root, f->file);
        if (n > 0 && (size_t)n < sizeof path && stat(path, &st) == 0)
            continue;
        struct stat rst;
        if (stat(f->root, &rst) == 0 && S_ISREG(rst.st_mode))
            continue; /* a root that is a file: the id is its name */
        f->claimed = 1;
        return f;
    }
    return NULL;
}

int known_each_unseen(known_set *k, int (*fn)(void *ctx, known_file *f), void *ctx)
{
    for (size_t b = 0; k && b < k->cap; b++)
        for (known_file *f = k->by_name[b]; f; f = f->next_name) {
            if (f->seen || f->claimed || f->bad)
                continue;
            int rc = fn(ctx, f);
            if (rc)
                return rc;
        }
    return 0;
}

int known_each_bad(known_set *k, int (*fn)(void *ctx, known_file *f), void *ctx)
{
    for (size_t b = 0; k && b < k->cap; b++)
        for (known_file *f = k->by_name[b]; f; f = f->next_name) {
            int rc = f->bad ? fn(ctx, f) : 0;
            if (rc)
                return rc;
        }
    for (known_file *f = k ? k->stale : NULL; f; f = f->next_name) {
        int rc = fn(ctx, f);
        if (rc)
            return rc;
    }
    return 0;
}
