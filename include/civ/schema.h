/*
 * civ/schema.h — the fields of a civsearch document and how each is indexed.
 *
 * One table describes every field: its name in documents and output, its
 * name in the query language, its Xapian term prefix, whether it is free
 * text, an exact-match filter, stored, sortable or facetable, and its value
 * slot. The writer, the query parser and the renderers are all driven by
 * this table, so a new kind of extracted data (citations, FOIA exemption
 * codes, agencies, …) is one new row plus an enricher that fills it
 * (docs/fields.md shows how).
 *
 * Index layout (docs/index-format.md has the full description):
 *   - unprefixed terms: body text and every CIV_FIELD_BODY field, with
 *     positions; stemmed forms carry Xapian's "Z" prefix;
 *   - prefixed terms: one prefix per field (table below);
 *   - value slots: listed per field; CIV_SLOT_* names the fixed ones;
 *   - document data: stored fields and the zlib-compressed text (doc.h);
 *   - metadata keys: "civ:format", "civ:stemmer", "civ:updated", ….
 */
#ifndef CIV_SCHEMA_H
#define CIV_SCHEMA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum civ_field_flags {
    CIV_FIELD_TEXT = 1u << 0,     /* free text, indexed with positions under the prefix */
    CIV_FIELD_BODY = 1u << 1,     /* also indexed unprefixed, so plain queries find it */
    CIV_FIELD_BOOL = 1u << 2,     /* exact-match filter term: prefix + normalised value */
    CIV_FIELD_STORED = 1u << 3,   /* kept in the document data and returned in results */
    CIV_FIELD_MULTI = 1u << 4,    /* may hold several values */
    CIV_FIELD_FACET = 1u << 5,    /* value slot is counted for facets */
    CIV_FIELD_SORT = 1u << 6,     /* value slot holds a sortable key */
    CIV_FIELD_LOWER = 1u << 7,    /* filter terms are lower-cased (ASCII) */
    CIV_FIELD_INTERNAL = 1u << 8, /* bookkeeping; not shown to users */
    CIV_FIELD_SPELL = 1u << 9,    /* words feed the spelling dictionary */
    CIV_FIELD_NUMBER = 1u << 10,  /* a whole number: its value slot holds it
                                     sortable (Xapian's sortable_serialise);
                                     query_name:N..M filters on it */
    CIV_FIELD_SHOW = 1u << 11,    /* every renderer shows it by its label
                                     (--show, JSON, the document view) */
    CIV_FIELD_LEGAL = 1u << 12    /* a legal entity or citation link
                                     (indexer/entities.c, citegraph.c): --show
                                     and the document view list these
                                     together, entities with their counts and
                                     links, instead of as plain fields */
};

/* Fixed value slots. */
enum civ_slot {
    CIV_SLOT_DATE = 0,   /* "YYYYMMDDhhmmss" UTC, sortable as a string */
    CIV_SLOT_YEAR = 1,   /* "YYYY" (facet) */
    CIV_SLOT_SIZE = 2,   /* Xapian sortable_serialise(bytes) */
    CIV_SLOT_MTIME = 3,  /* decimal seconds since the epoch: incremental runs */
    CIV_SLOT_TYPE = 4,   /* facet */
    CIV_SLOT_AUTHOR = 5, /* facet: authors or senders, joined by 0x1F */
    CIV_SLOT_LANG = 6,   /* facet */
    CIV_SLOT_FORMAT = 7, /* facet */
    CIV_SLOT_HASH = 8,   /* content hash (hex), for moves and changes */
    CIV_SLOT_THREAD = 9, /* thread id */
    CIV_SLOT_PAGES = 10, /* number of pages (sortable_serialise) */
    CIV_SLOT_WORDS = 11, /* number of words (sortable_serialise) */
    CIV_SLOT_DIGEST = 12, /* hash of the document's title and text: copies
                            share it (search results fold them) */
    CIV_SLOT_CITED_BY = 13, /* documents in the index citing this one
                               (sortable_serialise): --sort cited, and
                               a mild prior in ranking where it is set */
    /* Facets of legal entities (docs/fields.md), values joined by
     * CIV_FACET_SEP. */
    CIV_SLOT_USC = 14,
    CIV_SLOT_CFR = 15,
    CIV_SLOT_PUBLAW = 16,
    CIV_SLOT_CASE = 17,
    CIV_SLOT_ACT = 18,
    CIV_SLOT_AMENDMENT = 19,
    CIV_SLOT_CLAUSE = 20,
    CIV_SLOT_EXEMPTION = 21,
    CIV_SLOT_AGENCY = 22,
    CIV_SLOT_BODY = 23,
    CIV_SLOT_COURT = 24,
    CIV_SLOT_DOCKET = 25,
    CIV_SLOT_REDACTIONS = 26, /* redaction markers (sortable_serialise) */
    CIV_SLOT_CITES = 27,      /* ids of the documents it cites, joined by
                                 CIV_FACET_SEP: read back by the citation
                                 graph of each run */
    CIV_SLOT_ID = 28,         /* the document's id: results of equal weight
                                 come in the order of their ids, however
                                 the index was built (one or many shards,
                                 any number of workers) */
    CIV_SLOT_FACETS = 29,     /* the values of all facet slots in one
                                 (lib/xapian/facets.cc): counting facets
                                 reads one value a match, not one a slot */
    CIV_SLOT_MATCH = 30,      /* the match key (docs/index-format.md): the
                                 id, then what weighing the best matches
                                 again reads (cited_by, the passage index);
                                 over remote shards matches are sorted by
                                 weight then this key, which Xapian sends
                                 with each match */
    /* Passages stored apart (civ/passage.h), far above the fields' slots: */
    CIV_SLOT_PASSAGE_INDEX = 200, /* where each passage's words end: varint
                                     position before the text, count, then
                                     each passage's last position as a delta */
    CIV_SLOT_PASSAGE_TEXT = 256   /* + i: passage i's text, zlib (i from 0) */
};

/* Separator between several values of a multi-valued facet slot. */
#define CIV_FACET_SEP '\x1f'

typedef struct civ_field_def {
    const char *name;       /* name in documents, JSON and facets: "title" */
    const char *query_name; /* name in the query language ("signed"), or NULL */
    const char *prefix;     /* Xapian term prefix, or NULL */
    unsigned flags;         /* enum civ_field_flags */
    unsigned weight;        /* wdf increment per word (text fields) */
    int slot;               /* value slot (enum civ_slot), or -1 */
    const char *help;       /* one line for --help and the man page */
    const char *label;      /* its name for people ("Pages"), or NULL */
} civ_field_def;

/* The whole table, in a stable order. Never NULL; *count receives its
 * length. The table is static: borrow it freely. */
const civ_field_def *civ_schema_fields(size_t *count);

/* The field named `name`, or NULL. */
const civ_field_def *civ_schema_field(const char *name);

/* The field whose query_name is `name` (as typed before a colon), or NULL. */
const civ_field_def *civ_schema_query_field(const char *name);

/* Writes the normalised filter term value of `value` for field f into out
 * (at most outsz-1 bytes, NUL-terminated, not cutting UTF-8 sequences):
 * trimmed, inner whitespace collapsed, lower-cased if CIV_FIELD_LOWER.
 * Returns the length written. */
size_t civ_schema_normalise(const civ_field_def *f, const char *value,
                            size_t len, char *out, size_t outsz);

/* Writes the whole term that marks "field f has exactly this value" into
 * out (NUL-terminated; at most outsz-1 bytes): for CIV_FIELD_BOOL fields
 * the prefix and the normalised value; for other facet fields (authors,
 * senders) "XE<slot>" and the lower-cased value, so that a facet click
 * matches the whole value and not its words. Returns its length, or 0 when
 * the field has no such term (then nothing is written but the NUL). */
size_t civ_schema_exact_term(const civ_field_def *f, const char *value,
                             size_t len, char *out, size_t outsz);

/* Longest term Xapian accepts is 245 bytes; ours stay below this. */
#define CIV_TERM_MAX 240

/* Index format version written to metadata key "civ:format". */
#define CIV_INDEX_FORMAT "1"

#ifdef __cplusplus
}
#endif
#endif
