/* What the unit tests of extractors share: a file's bytes through the
 * whole pipeline (civ_pipeline_bytes), keeping the first document as the
 * index would store it (encoded, then decoded), the count of documents and
 * the last warning. Include after cmocka.h; every function is static inline (a test
 * uses what it needs). */
#ifndef CIV_TEST_PIPELINE_HARNESS_H
#define CIV_TEST_PIPELINE_HARNESS_H

#include <stdio.h>
#include <string.h>

#include "civ/buf.h"
#include "civ/doc.h"
#include "pipeline.h"

typedef struct seen {
    civ_doc *doc;         /* the first document, re-decoded */
    int ndocs;
    int nwarn;
    char warn[512];       /* the last warning */
    civ_file_report rep;  /* the file's report */
} seen;

static inline civ_status seen_keep(void *ctx, civ_doc *doc, const char *sub, civ_error *err)
{
    (void)sub;
    seen *s = ctx;
    s->ndocs++;
    if (s->doc)
        return CIV_OK;
    civ_buf b = CIV_BUF_INIT;
    civ_status st = civ_doc_encode(&b, doc, 1, err);
    if (st == CIV_OK)
        st = civ_doc_decode(&s->doc, b.data, b.len, 1, err);
    civ_buf_free(&b);
    return st;
}

static inline void seen_warn(void *ctx, const char *msg)
{
    seen *s = ctx;
    s->nwarn++;
    snprintf(s->warn, sizeof s->warn, "%s", msg);
}

/* Runs the pipeline over bytes as a file called name, with options o (its
 * warning callback is set here; NULL: defaults, 1 MB limit), mtime
 * 2019-01-01. A fatal status fails the test. */
static inline civ_file_report seen_process(seen *s, civ_pipeline_opts *o, const char *name,
                                    const void *bytes, size_t len)
{
    civ_pipeline_opts defaults = { .max_size = 1 << 20 };
    if (!o)
        o = &defaults;
    memset(s, 0, sizeof *s);
    o->warn = seen_warn;
    o->warn_ctx = s;
    civ_error err = CIV_ERROR_INIT;
    civ_status st = civ_pipeline_bytes(o, name, name, name, (const unsigned char *)bytes, len,
                                       1546300800 /* 2019-01-01 */, seen_keep, s, &s->rep, &err);
    if (st != CIV_OK)
        fail_msg("%s: fatal %s", name, err.msg);
    return s->rep;
}

/* A field of the kept document, "(null)" when it has none. */
static inline const char *get(seen *s, const char *field)
{
    const char *v = s->doc ? civ_doc_get(s->doc, field) : NULL;
    return v ? v : "(null)";
}

static inline const char *text(seen *s)
{
    return s->doc ? civ_doc_text(s->doc, NULL) : "";
}

static inline void done(seen *s)
{
    civ_doc_free(s->doc);
    memset(s, 0, sizeof *s);
}

#endif
