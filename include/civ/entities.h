/*
 * civ/entities.h — legal entities in text: citations, exemptions, agencies.
 *
 * A civ_entities is a scanner compiled once (its tables hashed) and then
 * shared, read-only, by any number of threads. Each scan fills a
 * civ_entity_list owned by the caller (one per thread; reused from one
 * document to the next, so that steady-state scanning allocates nothing).
 *
 * A scan reports every mention it finds, in order of position, each with
 * its kind, its canonical value (docs/entities.md has the forms, which are
 * a contract: "usc" 18/2703, "case" 585-us-296, "agency" fbi, ...) and the
 * byte span of the mention in the text, plus document-level results: the
 * number of redaction markers, the kind of document (opinion, filing, …),
 * its docket number, its court and its own citation.
 *
 * Work is linear in the text: every recognizer looks a bounded number of
 * tokens ahead and behind, so hostile input ("§ § § 1 1 1", thousands of
 * "v.") cannot make a scan quadratic.
 */
#ifndef CIV_ENTITIES_H
#define CIV_ENTITIES_H

#include <stddef.h>

#include "civ/buf.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The kinds. The first CIV_ENTITY_CORE_KINDS are the ones `civindex
 * --entities` prints; the others are added by --entities=all. */
typedef enum civ_entity_kind {
    CIV_ENTITY_USC = 0,     /* US Code section: "18/2703", "42/2000e-2" */
    CIV_ENTITY_CFR,         /* Code of Federal Regulations: "28/16.1", "28/16" */
    CIV_ENTITY_PUBLAW,      /* public law: "107-56" */
    CIV_ENTITY_CASE,        /* case citation: "585-us-296", "123-f3d-456" */
    CIV_ENTITY_AMENDMENT,   /* constitutional amendment: "4" */
    CIV_ENTITY_EXEMPTION,   /* FOIA exemption: "b6", "b7c" */
    CIV_ENTITY_ACT,         /* named act, or a section of it: "fisa", "fisa/702" */
    CIV_ENTITY_AGENCY,      /* federal agency: "fbi" */
    CIV_ENTITY_REDACTION,   /* one redaction marker (value "") */
    CIV_ENTITY_CASENAME,    /* case name before a citation: "carpenter v united states" */
    CIV_ENTITY_CLAUSE,      /* constitutional clause: "equal-protection" */
    CIV_ENTITY_BODY,        /* state or local body: "washington-county-sheriff" */
    CIV_ENTITY_DOCKET,      /* docket number: "20-1234", "1:20-cv-01234" */
    CIV_ENTITY_COURT,       /* court: "scotus", "9th-cir", "d-md" */
    CIV_ENTITY_KINDS
} civ_entity_kind;

#define CIV_ENTITY_CORE_KINDS 9

/* Bit of a kind in a mask of kinds (civ_entity_list_format). */
#define CIV_ENTITY_BIT(kind) (1u << (kind))
#define CIV_ENTITY_CORE_MASK ((1u << CIV_ENTITY_CORE_KINDS) - 1u)
#define CIV_ENTITY_ALL_MASK ((1u << CIV_ENTITY_KINDS) - 1u)

enum civ_entity_flags {
    /* A finer form of the entity reported just before it at the same
     * place ("usc" 18/2703/d beside 18/2703; "exemption" b7 beside b7c is
     * not reported): an extra index term, never a separate entity. */
    CIV_ENTITY_FINE = 1u << 0,
    /* A short form ("Carpenter, 585 U.S. at 310", "id.", "supra")
     * resolved to an earlier full citation: same value, nothing new. */
    CIV_ENTITY_REF = 1u << 1
};

typedef struct civ_entity {
    civ_entity_kind kind;
    unsigned flags;         /* enum civ_entity_flags */
    const char *value;      /* canonical value, no kind prefix; NUL-terminated */
    size_t value_len;
    size_t start, end;      /* byte span [start, end) of the mention in the text */
} civ_entity;

/* Kinds of documents the classifier recognises. NONE leaves the type to
 * the indexer's other enrichers (article, letter). */
typedef enum civ_doc_kind {
    CIV_DOC_KIND_NONE = 0,
    CIV_DOC_KIND_OPINION,        /* court opinion */
    CIV_DOC_KIND_TRANSCRIPT,     /* oral argument or hearing transcript */
    CIV_DOC_KIND_FILING,         /* complaint, motion, brief, memorandum */
    CIV_DOC_KIND_FOIA_REQUEST,
    CIV_DOC_KIND_FOIA_RESPONSE,  /* release or determination letter */
    CIV_DOC_KIND_PRESS_RELEASE,
    CIV_DOC_KINDS
} civ_doc_kind;

/* The most parallel cites of a document's own citation kept. */
#define CIV_ENTITY_PARALLEL_MAX 4

/* Document-level results of a scan. Strings are borrowed from the list
 * (valid until its next scan or its free) and NULL when absent. */
typedef struct civ_entity_docinfo {
    unsigned redactions;     /* redaction markers in the text */
    civ_doc_kind kind;
    const char *docket;      /* first docket number ("20-1234") */
    const char *court;       /* first court named ("9th-cir") */
    const char *cite;        /* the document's own case citation ("585-us-296") */
    const char *casename;    /* ... and its case name, when the caption gives one */
    /* ... and the other reporters' citations of that case written just
     * after it, its parallel cites ("573 U.S. 373, 134 S. Ct. 2473, 189
     * L. Ed. 2d 430": "134-sct-2473", "189-led2d-430"), in order */
    const char *parallel[CIV_ENTITY_PARALLEL_MAX];
    size_t nparallel;
} civ_entity_docinfo;

typedef struct civ_entities civ_entities;
typedef struct civ_entity_list civ_entity_list;

/* The scanner of the compiled-in tables (reporters, agencies, acts,
 * clauses, courts), built when the project was built: constant data, so
 * this allocates nothing and cannot fail today. *out is owned by the
 * caller (civ_entities_free, a no-op on it) and is safe to use from
 * several threads at once. CIV_ENOMEM. */
civ_status civ_entities_new(civ_entities **out, civ_error *err);

/* Frees the scanner. NULL is a no-op. */
void civ_entities_free(civ_entities *ents);

/* Creates an empty result list. *out is owned by the caller
 * (civ_entity_list_free). CIV_ENOMEM. */
civ_status civ_entity_list_new(civ_entity_list **out, civ_error *err);

/* Frees the list and the strings it holds. NULL is a no-op. */
void civ_entity_list_free(civ_entity_list *list);

typedef struct civ_entity_scan_opts {
    unsigned version;        /* CIV_ENTITY_SCAN_OPTS_VERSION */
    const char *title;       /* the document's title, for the classifier; may be NULL */
    size_t title_len;
    int no_doc;              /* skip the document classifier (kind, own cite) */
} civ_entity_scan_opts;

#define CIV_ENTITY_SCAN_OPTS_VERSION 1
#define CIV_ENTITY_SCAN_OPTS_INIT { CIV_ENTITY_SCAN_OPTS_VERSION, NULL, 0, 0 }

/* Scans one document's text (UTF-8; invalid bytes are skipped) and
 * replaces the contents of `out` with what it finds. opts may be NULL.
 * Context never crosses documents: "id.", "the Bureau" and ambiguous
 * abbreviations are judged within this text only. Returns CIV_ENOMEM
 * (out is then empty), CIV_EINVAL for a NULL scanner or list. */
civ_status civ_entities_scan(civ_entity_list *out, const civ_entities *ents,
                             const char *text, size_t len,
                             const civ_entity_scan_opts *opts, civ_error *err);

/* Normalises a citation or name as a user types it in a query
 * (`18 U.S.C. § 2703`, `18 usc 2703`, `585 U.S. 296`, `Pub. L. 107-56`,
 * `28 CFR 16.1`, `Carpenter v. United States`, `FBI`, `fbi`, `fourth
 * amendment`, `b6`, `exemption 7(C)`, `fisa 702`) into `out`: the entities
 * it denotes, spans relative to `query`. Lenient where text scanning is
 * strict (case, missing dots, no context needed); a text that is only a
 * case name gives a "casename" entity. An empty list means "not a
 * citation": search the words. CIV_ENOMEM, CIV_EINVAL. */
civ_status civ_entities_normalise(civ_entity_list *out, const civ_entities *ents,
                                  const char *query, size_t len, civ_error *err);

/* The entities found, in order of their start (ties: the order found),
 * NULL when there are none. Borrowed: valid until the list's next scan or
 * its free. *count gets the number (0 after a failed scan). FINE and REF
 * entities are among them: skip them to count distinct entities. */
const civ_entity *civ_entity_list_items(const civ_entity_list *list, size_t *count);

/* The document-level results of the last scan. Borrowed, never NULL. */
const civ_entity_docinfo *civ_entity_list_docinfo(const civ_entity_list *list);

/* Appends to out the distinct canonical forms of the kinds in `kinds`
 * (a mask of CIV_ENTITY_BIT()), in order of first appearance, separated
 * by commas: "usc:18/2703,case:585-us-296,casename:\"carpenter v united
 * states\",redaction:2". Redactions are one form, "redaction:N", at the
 * place of the first marker; FINE and REF entities add no form. This is
 * what `civindex --entities` prints for a line. CIV_ENOMEM. */
civ_status civ_entity_list_format(civ_buf *out, const civ_entity_list *list,
                                  unsigned kinds, civ_error *err);

/* "usc", "cfr", "publaw", "case", "amendment", "exemption", "act",
 * "agency", "redaction", "casename", "clause", "body", "docket", "court";
 * "?" for a value out of range. Never NULL. */
const char *civ_entity_kind_name(civ_entity_kind kind);

/* The kind named `name` (as above) in *out; -1 when there is none. */
int civ_entity_kind_parse(civ_entity_kind *out, const char *name);

/* "opinion", "transcript", "filing", "foia-request", "foia-response",
 * "press-release"; "" for CIV_DOC_KIND_NONE. Never NULL. */
const char *civ_doc_kind_name(civ_doc_kind kind);

#ifdef __cplusplus
}
#endif
#endif
