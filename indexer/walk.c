/* Recursive directory walk: sorted, loop-free, skipping what is not ours. */
#include "walk.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "civ/buf.h"

typedef struct seen_dir {
    dev_t dev;
    ino_t ino;
    int used;
} seen_dir;

typedef struct walk_state {
    const civ_walk_opts *opts;
    civ_walk_fn fn;
    void *ctx;
    seen_dir *seen;
    size_t nseen, capseen;
    int stop;
    int oom;
} walk_state;

/* Directories entered so far: an open-addressing hash set of (dev, ino). */
static size_t seen_slot(const walk_state *w, dev_t dev, ino_t ino)
{
    uint64_t h = ((uint64_t)dev * 0x9E3779B97F4A7C15ULL) ^ ((uint64_t)ino * 0xC2B2AE3D27D4EB4FULL);
    return (size_t)(h ^ (h >> 29)) & (w->capseen - 1);
}

static int seen_before(walk_state *w, const struct stat *st)
{
    if ((w->nseen + 1) * 2 > w->capseen) {
        size_t cap = w->capseen ? w->capseen * 2 : 64;
        seen_dir *old = w->seen;
        size_t oldcap = w->capseen;
        seen_dir *s = calloc(cap, sizeof *s);
        if (!s) {
            w->oom = 1;
            return 1;
        }
        w->seen = s;
        w->capseen = cap;
        for (size_t i = 0; i < oldcap; i++) {
            if (!old[i].used)
                continue;
            size_t k = seen_slot(w, old[i].dev, old[i].ino);
            while (w->seen[k].used)
                k = (k + 1) & (cap - 1);
            w->seen[k] = old[i];
        }
        free(old);
    }
    size_t k = seen_slot(w, st->st_dev, st->st_ino);
    while (w->seen[k].used) {
        if (w->seen[k].dev == st->st_dev && w->seen[k].ino == st->st_ino)
            return 1;
        k = (k + 1) & (w->capseen - 1);
    }
    w->seen[k].dev = st->st_dev;
    w->seen[k].ino = st->st_ino;
    w->seen[k].used = 1;
    w->nseen++;
    return 0;
}

static int skipped_dir(const walk_state *w, const struct stat *st, const char *path)
{
    for (size_t i = 0; i < w->opts->nskip; i++)
        if (w->opts->skip_dev[i] == st->st_dev && w->opts->skip_ino[i] == st->st_ino)
            return 1;
    /* A Xapian database (glass backend) is never a document folder. */
    civ_buf p = CIV_BUF_INIT;
    civ_buf_printf(&p, "%s/iamglass", path);
    int db = access(civ_buf_str(&p), F_OK) == 0;
    civ_buf_free(&p);
    return db;
}

static int vcs_name(const char *n)
{
    static const char *const names[] = { "CVS", "_darcs", "RCS", "SCCS", "lost+found", NULL };
    for (size_t i = 0; names[i]; i++)
        if (strcmp(n, names[i]) == 0)
            return 1;
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk_dir(walk_state *w, civ_buf *path, civ_buf *rel)
{
    DIR *d = opendir(civ_buf_str(path));
    if (!d) {
        w->stop = w->fn(w->ctx, civ_buf_str(path), civ_buf_str(rel), NULL, errno);
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *nm = e->d_name;
        if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
            continue;
        if (nm[0] == '.' && !w->opts->include_hidden)
            continue;
        if (vcs_name(nm))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) {
                w->oom = 1;
                break;
            }
            names = nn;
        }
        names[n] = strdup(nm);
        if (!names[n]) {
            w->oom = 1;
            break;
        }
        n++;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names); /* names is NULL when the folder is empty */
    size_t plen = path->len, rlen = rel->len;
    for (size_t i = 0; i < n && !w->stop && !w->oom; i++) {
        if (plen && path->data[plen - 1] != '/')
            civ_buf_putc(path, '/');
        civ_buf_puts(path, names[i]);
        if (rlen)
            civ_buf_putc(rel, '/');
        civ_buf_puts(rel, names[i]);
        if (civ_buf_failed(path) || civ_buf_failed(rel)) {
            w->oom = 1;
            break;
        }
        struct stat st;
        if (stat(civ_buf_str(path), &st) != 0) {
            /* A dangling symlink is not worth a warning; others are (a
             * loop of links among them). */
            int why = errno;
            struct stat lst;
            int dangling = why == ENOENT && lstat(civ_buf_str(path), &lst) == 0 && S_ISLNK(lst.st_mode);
            errno = why;
            if (!dangling)
                w->stop = w->fn(w->ctx, civ_buf_str(path), civ_buf_str(rel), NULL, errno);
        } else if (S_ISDIR(st.st_mode)) {
            if (!skipped_dir(w, &st, civ_buf_str(path)) && !seen_before(w, &st))
                walk_dir(w, path, rel);
        } else {
            /* Files, and the special files a folder may hold (FIFOs,
             * devices, sockets), which the callback reports unread. */
            w->stop = w->fn(w->ctx, civ_buf_str(path), civ_buf_str(rel), &st, 0);
        }
        path->len = plen;
        path->data[plen] = '\0';
        rel->len = rlen;
        if (rel->data)
            rel->data[rlen] = '\0';
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

civ_status civ_walk(const char *root, const civ_walk_opts *opts, civ_walk_fn fn, void *ctx,
                    civ_error *err)
{
    civ_walk_opts none = { 0 };
    walk_state w = { opts ? opts : &none, fn, ctx, NULL, 0, 0, 0, 0 };
    struct stat st;
    if (stat(root, &st) != 0)
        return civ_error_set(err, errno == ENOENT ? CIV_ENOTFOUND : CIV_EIO, "%s: %s", root,
                             strerror(errno));
    if (S_ISREG(st.st_mode)) {
        const char *base = strrchr(root, '/');
        base = base && base[1] ? base + 1 : root;
        fn(ctx, root, base, &st, 0);
        return CIV_OK;
    }
    if (!S_ISDIR(st.st_mode))
        return civ_error_set(err, CIV_EINVAL, "%s is neither a file nor a folder", root);
    civ_buf path = CIV_BUF_INIT, rel = CIV_BUF_INIT;
    civ_buf_puts(&path, root);
    /* Drop trailing slashes, but keep "/" itself. */
    while (path.len > 1 && path.data[path.len - 1] == '/')
        path.data[--path.len] = '\0';
    civ_buf_reserve(&rel, 256);
    if (rel.data)
        rel.data[0] = '\0';
    if (!skipped_dir(&w, &st, civ_buf_str(&path))) {
        seen_before(&w, &st);
        walk_dir(&w, &path, &rel);
    }
    civ_buf_free(&path);
    civ_buf_free(&rel);
    free(w.seen);
    if (w.oom)
        return civ_error_set(err, CIV_ENOMEM, "out of memory while walking %s", root);
    return CIV_OK;
}
