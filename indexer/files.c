/* The documents of a file in an index: see files.h. */
#include "files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct each_ctx {
    int (*fn)(void *ctx, const civ_known *k);
    void *ctx;
} each_ctx;

static int each_doc(void *vctx, const char *id, const char *const *v)
{
    each_ctx *c = vctx;
    civ_known k;
    k.id = id;
    k.mtime = *v[0] ? strtoll(v[0], NULL, 10) : -1;
    k.size = (uint64_t)strtoull(v[1], NULL, 10);
    k.hash = v[2];
    /* A file of one document has no "file" term: its id is the file's. */
    k.file = *v[3] ? v[3] : id;
    k.root = v[4];
    k.unread_scans = (unsigned)strtoul(v[5], NULL, 10);
    return c->fn(c->ctx, &k);
}

civ_status civ_files_each(civ_writer *w, int (*fn)(void *ctx, const civ_known *k), void *ctx,
                          civ_error *err)
{
    static const char *const fields[] = { "mtime", "size", "hash", "file", "root", "unread_scans" };
    each_ctx c = { fn, ctx };
    return civ_writer_scan(w, fields, 6, each_doc, &c, err);
}

/* The ids of a file's documents: those naming it, and its own. */
typedef struct ids {
    char **v;
    size_t n;
    int oom;
} ids;

static int add_id(void *ctx, const char *id)
{
    ids *l = ctx;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], id) == 0)
            return 0;
    char **nv = realloc(l->v, (l->n + 1) * sizeof *nv);
    if (!nv || !(nv[l->n] = strdup(id))) {
        if (nv)
            l->v = nv;
        l->oom = 1;
        return 1;
    }
    l->v = nv;
    l->n++;
    return 0;
}

static void ids_free(ids *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
}

static civ_status file_ids(ids *l, civ_writer *w, const char *file, civ_error *err)
{
    memset(l, 0, sizeof *l);
    civ_status s = civ_writer_ids_with(w, "file", file, add_id, l, err);
    if (s == CIV_OK && !l->oom) {
        civ_doc *d = NULL;
        civ_error gerr = CIV_ERROR_INIT;
        s = civ_writer_get(&d, w, file, 0, &gerr);
        civ_doc_free(d);
        if (s == CIV_OK)
            add_id(l, file);
        else if (s == CIV_ENOTFOUND)
            s = CIV_OK;
        else if (err)
            *err = gerr;
    }
    if (s == CIV_OK && l->oom)
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    return s;
}

civ_status civ_files_delete(civ_writer *w, const char *file, unsigned *ndocs, civ_error *err)
{
    if (ndocs)
        *ndocs = 0;
    ids l;
    civ_status s = file_ids(&l, w, file, err);
    for (size_t i = 0; i < l.n && s == CIV_OK; i++)
        s = civ_writer_delete(w, l.v[i], err);
    if (s == CIV_OK && ndocs)
        *ndocs = (unsigned)l.n;
    ids_free(&l);
    return s;
}

civ_status civ_files_relocate(civ_writer *w, const char *old_file, const char *new_file,
                              const char *new_path, const char *new_root, long long mtime,
                              unsigned *ndocs, civ_error *err)
{
    if (ndocs)
        *ndocs = 0;
    ids l;
    civ_status s = file_ids(&l, w, old_file, err);
    size_t oldlen = strlen(old_file);
    char num[32];
    snprintf(num, sizeof num, "%lld", mtime);
    for (size_t i = 0; i < l.n && s == CIV_OK; i++) {
        civ_doc *doc = NULL;
        s = civ_writer_get(&doc, w, l.v[i], 1, err);
        if (s != CIV_OK)
            break;
        const char *old_id = l.v[i];
        const char *suffix = strncmp(old_id, old_file, oldlen) == 0 ? old_id + oldlen : "";
        civ_buf new_id = CIV_BUF_INIT;
        civ_buf_printf(&new_id, "%s%s", new_file, suffix);
        civ_doc_set_str(doc, "id", civ_buf_str(&new_id));
        /* The "file" field names the file only for its parts. */
        civ_doc_set_str(doc, "file", *suffix ? new_file : NULL);
        civ_doc_set_str(doc, "path", new_path);
        civ_doc_set_str(doc, "mtime", num);
        if (new_root)
            civ_doc_set_str(doc, "root", new_root);
        s = civ_buf_failed(&new_id) ? civ_error_set(err, CIV_ENOMEM, "out of memory")
                                    : civ_writer_update(w, old_id, doc, err);
        civ_buf_free(&new_id);
        civ_doc_free(doc);
    }
    if (s == CIV_OK && ndocs)
        *ndocs = (unsigned)l.n;
    ids_free(&l);
    return s;
}
