/*
 * indexer/extract.h — the extractor registry: the one way from bytes to
 * documents.
 *
 *   bytes → (gunzip) → pick the extractor → extract → common fields →
 *   enrich → emit
 *
 * Every input goes through it: a file found by the walk (pipeline.h), and
 * every part a container finds inside one — a mail attachment or HTML
 * body, an mbox message, and later a zip member or an office file's
 * content — which the container hands back with civ_extract_part(). The
 * registry picks the extractor by the name, then by the media type a
 * container declared, then by the content; a gzip-compressed part is
 * decompressed first, whatever its depth. So an attachment is read
 * exactly as the same file would be.
 *
 * An extractor reads one input's bytes and fills the document it is
 * given: text (civ_doc_append_text; civ_doc_begin_page for formats with pages),
 * title, author, date, whatever the format knows. A container may instead
 * emit documents of its own (civ_extract_emit) or hand parts back
 * (civ_extract_part). Extractors do no I/O and keep no state: civindex
 * runs them in parallel threads.
 *
 * Per file, the registry bounds what hostile input can cost: nesting
 * depth, number of parts and total bytes decompressed (civ_extract_limits);
 * a part beyond them is refused with one warning and the rest goes on.
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

/* One file being extracted: where its documents and warnings go. Owned by
 * the pipeline; extractors only pass it on (through civ_input). */
typedef struct civ_extract civ_extract;

/* The file every input of one extraction comes from. */
typedef struct civ_file_info {
    const char *path;   /* as found by the walk */
    const char *id;     /* document id of the file (path relative to its root) */
    const char *root;   /* the folder given to civindex, or NULL */
    long long mtime;    /* seconds since 1970 */
    uint64_t size;      /* bytes on disk */
    const char *hash;   /* content hash of the file's bytes (16 hex digits) */
} civ_file_info;

typedef struct civ_input {
    const char *name;            /* name that picks the format (".gz" removed): the
                                    file's, or a part's own file name; "" if none */
    const char *media_type;      /* type a container declared ("text/html"), or NULL */
    const char *charset;         /* charset a container declared, or NULL */
    const unsigned char *bytes;  /* the content, decompressed, NUL-terminated */
    size_t len;
    unsigned depth;              /* 0 for a file; each container adds one */
    const char *sub;             /* id suffix of the document this input is
                                    ("" for the file itself, "#3" for a message) */
    const char *where;           /* where it is, for warnings ("attachment
                                    x.pdf: "); "" for the file itself */
    const char *format;          /* name of the extractor reading it */
    civ_doc *into;               /* the document its text joins (a CIV_PART_TEXT
                                    part): what it emits is appended there */
    const civ_file_info *file;   /* the file it all comes from */
    size_t max_size;             /* limit for anything decompressed inside */
    civ_extract *x;              /* the extraction in progress */
} civ_input;

/* Reports a problem that did not stop extraction (a bad charset, a broken
 * MIME part), prefixed with where in the file it is ("attachment x.html:
 * "). One line, no file name: the caller adds it. */
void civ_input_warn(const civ_input *in, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* A document of its own found inside in (an mbox message, an archive
 * member): it gets the file's common fields, its id is the file's id plus
 * in->sub plus sub ("#3"), then it is enriched and emitted. When in is
 * itself a part whose text joins another document (in->into), the
 * document's text is appended there instead. doc is only borrowed. Errors
 * are fatal ones (out of memory, the index failing). */
civ_status civ_extract_emit(const civ_input *in, civ_doc *doc, const char *sub, civ_error *err);

typedef enum civ_part_mode {
    CIV_PART_TEXT = 0,  /* its text joins the document being extracted, as a
                           paragraph (an attachment, an HTML body part) */
    CIV_PART_DOCUMENT   /* it becomes a document of its own, id suffix `sub` */
} civ_part_mode;

/* A part a container found, handed back to the registry. All borrowed. */
typedef struct civ_part {
    civ_part_mode mode;
    const char *name;        /* its file name, or NULL */
    const char *media_type;  /* declared media type, or NULL */
    const char *charset;     /* declared charset, or NULL */
    const unsigned char *bytes;
    size_t len;
    const char *format;      /* read it with this extractor, or NULL (detect) */
    const char *sub;         /* CIV_PART_DOCUMENT: its id suffix ("#report.pdf") */
    const char *label;       /* names it in warnings ("attachment x.pdf"), or NULL */
} civ_part;

typedef enum civ_outcome {
    CIV_FILE_INDEXED = 0, /* one or more documents emitted (a part: read) */
    CIV_FILE_SKIPPED,     /* deliberately not indexed: empty, binary, too big, no text */
    CIV_FILE_FAILED,      /* could not be read or parsed */
    CIV_FILE_IGNORED      /* not a format civindex reads */
} civ_outcome;

/* What became of a part. */
typedef struct civ_part_result {
    civ_outcome outcome;
    char format[16];      /* the extractor that read it, "" if none */
    char reason[200];     /* why skipped, failed or ignored */
} civ_part_result;

/* Reads a part through the registry. CIV_PART_TEXT appends its text to
 * `into` (the document in's extractor is filling); CIV_PART_DOCUMENT emits
 * it as a document of its own. *res (may be NULL) says what became of it:
 * a part that could not be read is not an error, and the caller decides
 * whether to warn (a failed part has already been reported when it was
 * over a limit). Errors are fatal ones only. */
civ_status civ_extract_part(const civ_input *in, const civ_part *part, civ_doc *into,
                            civ_part_result *res, civ_error *err);

/* Per-file limits (pipeline options can lower them). */
#define CIV_EXTRACT_MAX_DEPTH 16     /* containers inside containers */
#define CIV_EXTRACT_MAX_PARTS 10000  /* parts handed back, all told */

enum civ_extractor_flags {
    CIV_EXTRACTOR_BINARY_OK = 1u << 0, /* input may hold NULs / 8-bit data */
    CIV_EXTRACTOR_OCR = 1u << 1,       /* read only by OCR: ignored without --ocr */
    CIV_EXTRACTOR_OWN_DOC = 1u << 2    /* a file of its own (PDF, office file,
                                          archive): as a mail attachment it
                                          becomes a document, MAIL#name */
};

typedef struct civ_extractor {
    const char *name;                /* "text", "html", "xml", "mail", "mbox" */
    unsigned flags;                  /* enum civ_extractor_flags */
    const char *const *extensions;   /* lower-case, without the dot; NULL-terminated */
    const char *const *media_types;  /* "text/html", or "text/" and "*" for any text; NULL-terminated */
    /* How sure (0..100) the extractor is that the bytes are its format,
     * for inputs whose name says nothing. May be NULL. */
    int (*sniff)(const unsigned char *bytes, size_t len);
    /* Fills doc from in; may emit documents and hand back parts.
     * CIV_EFORMAT when the input is malformed beyond use (the message
     * says why), CIV_ETOOBIG / CIV_EUNSUPPORTED to skip it; other codes
     * are fatal. */
    civ_status (*extract)(const civ_input *in, civ_doc *doc, civ_error *err);
} civ_extractor;

/* The extractor for a file name (by extension, ignoring a ".gz" suffix
 * the caller already removed), or NULL. */
const civ_extractor *civ_extractor_for_name(const char *name);

/* The extractor for a declared media type ("text/html; charset=…" is
 * fine), or NULL. */
const civ_extractor *civ_extractor_for_media_type(const char *type);

/* The extractor by name ("html"), or NULL. */
const civ_extractor *civ_extractor_by_name(const char *name);

/* The best extractor by content, or NULL when none is at least fairly sure. */
const civ_extractor *civ_extractor_sniff(const unsigned char *bytes, size_t len);

/* The extractors, in order of preference; NULL-terminated. */
extern const civ_extractor *const civ_extractors[];

/* Built-in extractors (one file each under indexer/). */
extern const civ_extractor civ_extractor_text;
extern const civ_extractor civ_extractor_html;
extern const civ_extractor civ_extractor_xml;
extern const civ_extractor civ_extractor_mail;  /* .eml (indexer/mail.c) */
extern const civ_extractor civ_extractor_mbox;  /* .mbox, one document per message */
/* Documents (docs/documents.md). */
extern const civ_extractor civ_extractor_pdf;   /* .pdf, in the sandbox (indexer/pdf.c) */
extern const civ_extractor civ_extractor_image; /* .tif .png .jpg, OCR only (indexer/image.c) */
extern const civ_extractor civ_extractor_docx;  /* .docx (indexer/office.c) */
extern const civ_extractor civ_extractor_odt;   /* .odt (indexer/office.c) */
extern const civ_extractor civ_extractor_rtf;   /* .rtf, unrtf in the sandbox (indexer/convert.c) */
extern const civ_extractor civ_extractor_doc;   /* .doc, antiword in the sandbox (indexer/convert.c) */
extern const civ_extractor civ_extractor_zip;   /* .zip: a document per member (indexer/archive.c) */
extern const civ_extractor civ_extractor_tar;   /* .tar, .tar.gz, .tgz (indexer/archive.c) */

#ifdef __cplusplus
}
#endif
#endif
