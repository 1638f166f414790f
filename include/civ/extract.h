/*
 * civ/extract.h — the extractor interface: one file's bytes in, documents out.
 *
 * Data flows one way:  file → detect → extract → enrich → writer.
 *
 * An extractor (indexer/<format>.c) reads the bytes of one input and fills
 * civ_doc values: title, author, date, text and whatever else the format
 * knows. It does no I/O and keeps no state, so extractors can run in
 * parallel threads. Most formats make one document per file (extract_one);
 * containers such as mbox make many (extract_many).
 *
 * Enrichers (civ/enrich.h) then derive fields every document gets —
 * defaults, the date found in the text, the language, letter structure and,
 * later, legal citations or FOIA exemption codes — without the extractors
 * knowing about them.
 */
#ifndef CIV_EXTRACT_H
#define CIV_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

#include "civ/doc.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_input civ_input;

/* Reports a problem that did not stop extraction (a bad charset, a broken
 * MIME part). One line, no file name: the caller adds it. */
typedef void (*civ_warn_fn)(void *ctx, const char *msg);

struct civ_input {
    const char *path;            /* the file, as found by the walk */
    const char *name;            /* name used to pick the format (".gz" removed) */
    const char *id;              /* document id (path relative to the root) */
    const unsigned char *bytes;  /* the content, decompressed */
    size_t len;
    long long mtime;             /* seconds since 1970 */
    uint64_t size;               /* size of the file on disk */
    civ_warn_fn warn;            /* may be NULL */
    void *warn_ctx;
    size_t max_size;             /* limit for anything decompressed inside */
};

/* Calls in->warn (if set) with a formatted one-line message. */
void civ_input_warn(const civ_input *in, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Receives each document of a multi-document input. The document is
 * borrowed: the callee must not keep it. sub is the document's suffix
 * within the file ("#3" or a Message-ID), or NULL. Returning an error stops
 * the extraction and is passed up. */
typedef civ_status (*civ_emit_fn)(void *ctx, civ_doc *doc, const char *sub, civ_error *err);

enum civ_extractor_flags {
    CIV_EXTRACTOR_BINARY_OK = 1u << 0  /* input may hold NULs / 8-bit data (mail) */
};

typedef struct civ_extractor {
    const char *name;                /* "text", "html", "xml", "mail", "mbox" */
    unsigned flags;                  /* enum civ_extractor_flags */
    const char *const *extensions;   /* lower-case, without the dot; NULL-terminated */
    /* How sure (0..100) the extractor is that the bytes are its format,
     * for files whose extension says nothing. May be NULL. */
    int (*sniff)(const unsigned char *bytes, size_t len);
    /* One document: fill doc. CIV_EFORMAT when the input is malformed
     * beyond use (message says why); other codes as usual. */
    civ_status (*extract_one)(const civ_input *in, civ_doc *doc, civ_error *err);
    /* Many documents: call emit for each. */
    civ_status (*extract_many)(const civ_input *in, civ_emit_fn emit, void *ctx,
                               civ_error *err);
} civ_extractor;

/* The extractors, in order of preference; NULL-terminated. */
extern const civ_extractor *const civ_extractors[];

/* The extractor for a file name (by extension, ignoring a ".gz" suffix
 * the caller already removed), or NULL. */
const civ_extractor *civ_extractor_for_name(const char *name);

/* The extractor by name ("html"), or NULL. */
const civ_extractor *civ_extractor_by_name(const char *name);

/* The best extractor by content, or NULL when none is at least fairly sure. */
const civ_extractor *civ_extractor_sniff(const unsigned char *bytes, size_t len);

/* Built-in extractors (one file each under indexer/). */
extern const civ_extractor civ_extractor_text;
extern const civ_extractor civ_extractor_html;
extern const civ_extractor civ_extractor_xml;
extern const civ_extractor civ_extractor_mail;  /* .eml (indexer/mail.c) */
extern const civ_extractor civ_extractor_mbox;  /* .mbox, one document per message */

#ifdef __cplusplus
}
#endif
#endif
