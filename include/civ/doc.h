/*
 * civ/doc.h — a document on its way into the index, or read back from it.
 *
 * A civ_doc holds field values (names from civ/schema.h) and the document's
 * full text. Extractors fill it; enrichers add derived fields; the writer
 * indexes it according to the schema. Read back from the index it carries
 * the stored fields and, on request, the text.
 *
 * Errors are sticky: civ_doc_add() and friends return a status and also
 * remember the first failure, so an extractor can make many calls and
 * check civ_doc_check() once.
 */
#ifndef CIV_DOC_H
#define CIV_DOC_H

#include <stddef.h>

#include "civ/buf.h"
#include "civ/compress.h"
#include "civ/schema.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_doc civ_doc;

/* Bytes [offset, offset + len) of a document's text (civ/passage.h). */
typedef struct civ_passage {
    size_t offset;
    size_t len;
} civ_passage;

/* Creates an empty document. *out is owned by the caller (civ_doc_free). */
civ_status civ_doc_new(civ_doc **out, civ_error *err);

/* Frees doc and everything it owns. NULL is a no-op. */
void civ_doc_free(civ_doc *doc);

/* Empties doc for reuse (keeps its memory). */
void civ_doc_clear(civ_doc *doc);

/* A macro's value as a string literal: CIV_STR(CIV_DOC_VALUES_MAX). */
#define CIV_STR_(x) #x
#define CIV_STR(x) CIV_STR_(x)

/* Most values a multi-valued field keeps (more are ignored). */
#define CIV_DOC_VALUES_MAX 1000

/* Notes that reading doc met a bound that left something out or read it
 * otherwise (a field's values cut at CIV_DOC_VALUES_MAX, nesting read
 * flat): why, a string that outlives doc (a literal), the first one kept
 * until civ_doc_clear() (why NULL: nothing). The indexer warns of it
 * once a file. */
void civ_doc_note_bounded(civ_doc *doc, const char *why);
/* The first bound noted, or NULL. */
const char *civ_doc_bounded(const civ_doc *doc);

/* Appends a value to `field` (a schema field name). The value is copied,
 * repaired to valid UTF-8, trimmed and, unless the field is the body-like
 * "heading", its whitespace collapsed to single spaces. Empty values are
 * ignored. A second value for a field without CIV_FIELD_MULTI replaces the
 * first; a multi-valued field keeps each value once, and at most
 * CIV_DOC_VALUES_MAX of them. Returns CIV_EINVAL for an unknown field,
 * CIV_ENOMEM. */
civ_status civ_doc_add(civ_doc *doc, const char *field, const char *value, size_t len);
/* Same with a NUL-terminated value. */
civ_status civ_doc_add_str(civ_doc *doc, const char *field, const char *value);
/* Removes all values of field, then adds value (if not NULL). */
civ_status civ_doc_set_str(civ_doc *doc, const char *field, const char *value);
/* Removes all values of field. */
void civ_doc_remove(civ_doc *doc, const char *field);

/* First value of field, or NULL. Borrowed: valid until doc changes. */
const char *civ_doc_get(const civ_doc *doc, const char *field);
/* The same for a field given by its definition (from the schema): no
 * comparison of names. */
const char *civ_doc_get_def(const civ_doc *doc, const civ_field_def *f);

/* Number of values held (all fields), and the i-th (0-based) in insertion
 * order. name and value are borrowed; either out-pointer may be NULL. */
size_t civ_doc_nvalues(const civ_doc *doc);
const civ_field_def *civ_doc_value(const civ_doc *doc, size_t i,
                                   const char **value, size_t *len);

/* Appends text to the body. Text must already be UTF-8 (it is repaired
 * if not). Returns CIV_ENOMEM. */
civ_status civ_doc_append_text(civ_doc *doc, const char *text, size_t len);
/* Starts a new paragraph: unless the text is empty, it ends with a blank
 * line afterwards. */
void civ_doc_new_paragraph(civ_doc *doc);

/* Appends clean UTF-8 text, without the spaces and newlines at its ends,
 * as a paragraph of its own; nothing when it is blank. */
civ_status civ_doc_add_paragraph(civ_doc *doc, const char *s, size_t n);

/* The body text (borrowed, never NULL, NUL-terminated) and its length. */
const char *civ_doc_text(const civ_doc *doc, size_t *len);
/* Direct access for extractors that build the text themselves: append to
 * it, then call nothing else. */
civ_buf *civ_doc_text_buf(civ_doc *doc);

/* ---- pages ---------------------------------------------------------
 * Formats with pages (PDF, scanned images) say where each page begins in
 * the text, so that hits can name the page their snippet comes from and
 * one page can be shown alone. Pages are stored with the document. */

/* Marks that the text appended from now on belongs to page `page`
 * (1-based, increasing) of the source. A second mark at the same text
 * offset replaces the first. Sticky errors as civ_doc_add. */
civ_status civ_doc_begin_page(civ_doc *doc, unsigned page);

/* Number of page marks. */
size_t civ_doc_npages(const civ_doc *doc);

/* The i-th page mark: its page number and the byte offset in the text
 * where it begins. Returns 0, or -1 when i is out of range. */
int civ_doc_page_mark(const civ_doc *doc, size_t i, unsigned *page, size_t *offset);

/* The page holding byte `offset` of the text, 0 when the document has no
 * pages. */
unsigned civ_doc_page_at(const civ_doc *doc, size_t offset);

/* ---- passages stored apart ------------------------------------------
 * The writer stores the text of a document of two passages or more
 * (civ/passage.h) passage by passage, each compressed on its own, and the
 * record only their lengths. Read back, such a document knows its
 * passages but carries no text until the reader adds it passage by
 * passage (lib/xapian does, for civ_db_get and snippets). */

/* Passages whose text is stored apart: 0 for a document built in memory
 * or whose record holds its text (one passage, or an index made before
 * passages). */
size_t civ_doc_npassages(const civ_doc *doc);

/* Where the i-th of them (0-based) is in the text: *offset and *len in
 * bytes. Returns 0, or -1 when i is out of range. */
int civ_doc_passage(const civ_doc *doc, size_t i, size_t *offset, size_t *len);

/* Appends passage i's text, read from its stored form (z[0..zlen), zlib)
 * to the text: the passages must come in order, each once. CIV_ECORRUPT
 * when the data is damaged or its length is not the passage's, CIV_EINVAL
 * for a passage out of order, CIV_ENOMEM. */
civ_status civ_doc_append_passage(civ_doc *doc, size_t i, const void *z, size_t zlen,
                                  civ_error *err);

/* CIV_OK, or the first failure of any call above (with its message). */
civ_status civ_doc_check(const civ_doc *doc, civ_error *err);

/* Serialises the stored fields, the text compressed with zlib at
 * `level` (0 = do not store the text) and the page marks into the form
 * kept as Xapian document data. Appends to out. */
civ_status civ_doc_encode(civ_buf *out, const civ_doc *doc, int level, civ_error *err);

/* Like civ_doc_encode() for a text stored apart as the passages
 * ps[0..n), which must cover it in order: the record keeps their lengths
 * instead of the text (section 'T'); the caller stores each passage's
 * text (civ_deflate at its level). */
civ_status civ_doc_encode_passages(civ_buf *out, const civ_doc *doc, const civ_passage *ps,
                                   size_t n, civ_error *err);

/* Rebuilds a document from data made by civ_doc_encode() or
 * civ_doc_encode_passages(). The text is decompressed only when want_text
 * is set, and only when the record holds it (civ_doc_npassages is 0).
 * *out is owned by the caller. CIV_ECORRUPT when the data is not in this
 * format. */
civ_status civ_doc_decode(civ_doc **out, const char *data, size_t len,
                          int want_text, civ_error *err);

/* Like civ_doc_decode() without the text, which comes as a stream instead:
 * *text (NULL when the record holds none; the caller frees it) reads it a
 * part at a time into civ_doc_text_buf(*out), from data, which must
 * outlive it; *text_len is the whole text's length. Snippets read until
 * they find the query's words, and no further. */
civ_status civ_doc_decode_stream(civ_doc **out, civ_inflater **text, size_t *text_len,
                                 const char *data, size_t len, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
