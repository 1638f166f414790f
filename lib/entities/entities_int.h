/*
 * lib/entities/entities_int.h — inside the entity scanner (not installed).
 *
 * Sections: tables (generated and hand-written), the compiled scanner,
 * the result list with its scan workspace, the scan itself, the document
 * classifier.
 */
#ifndef CIV_ENTITIES_INT_H
#define CIV_ENTITIES_INT_H

#include <stddef.h>
#include <stdint.h>

#include "civ/buf.h"
#include "civ/entities.h"

/* ---- tables --------------------------------------------------------------- */

typedef struct civ_ent_reporter {
    const char *key;   /* a spelling with whitespace removed: "F.Supp.2d" */
    const char *slug;  /* canonical edition key: "fsupp2d" */
} civ_ent_reporter;

/* The reporters table is generated in parts, one a file (tables_reporters_N.c),
 * so no file grows too long; the parts are read in order, as one table. */
typedef struct civ_ent_reporter_part {
    const civ_ent_reporter *rows;
    size_t n;
} civ_ent_reporter_part;

typedef struct civ_ent_phrase {
    const char *text;  /* phrases: normalised words, space-separated; abbrevs: exact form */
    const char *key;
    unsigned flags;    /* CIV_ENT_F_* | CIV_ENT_CTX_* */
} civ_ent_phrase;

/* Phrase and abbreviation flags. */
#define CIV_ENT_F_SURV    (1u << 0)  /* only in a document about surveillance */
#define CIV_ENT_F_NOTOF   (1u << 1)  /* not when followed by "of the <another act>" */
#define CIV_ENT_F_ANYCASE (1u << 2)  /* first word may be lower-case */

/* Context a document shows by its words (or, for FBI, by naming it).
 * An abbreviation with CIV_ENT_CTX_x counts only in such a document. */
enum {
    CTX_SURV = 1u << 0, CTX_FOIA = 1u << 1, CTX_ICE = 1u << 2, CTX_DOE = 1u << 3,
    CTX_DOS = 1u << 4, CTX_BOP = 1u << 5, CTX_DOT = 1u << 6, CTX_DOI = 1u << 7,
    CTX_INS = 1u << 8, CTX_FBI = 1u << 9, CTX_RECORDS = 1u << 10,
    CTX_AGENCY = 1u << 11  /* another federal agency is named */
};
#define CIV_ENT_CTX_SHIFT 8
#define CIV_ENT_CTX_ICE (CTX_ICE << CIV_ENT_CTX_SHIFT)
#define CIV_ENT_CTX_DOE (CTX_DOE << CIV_ENT_CTX_SHIFT)
#define CIV_ENT_CTX_DOS (CTX_DOS << CIV_ENT_CTX_SHIFT)
#define CIV_ENT_CTX_BOP (CTX_BOP << CIV_ENT_CTX_SHIFT)
#define CIV_ENT_CTX_DOT (CTX_DOT << CIV_ENT_CTX_SHIFT)
#define CIV_ENT_CTX_DOI (CTX_DOI << CIV_ENT_CTX_SHIFT)
#define CIV_ENT_CTX_INS (CTX_INS << CIV_ENT_CTX_SHIFT)
#define CIV_ENT_CTX_FOIA ((CTX_FOIA | CTX_RECORDS) << CIV_ENT_CTX_SHIFT)

/* Generated (scripts/gen-entity-tables). */
extern const civ_ent_reporter_part civ_ent_reporter_parts[];
extern const size_t civ_ent_nreporter_parts;
extern const size_t civ_ent_nreporters;  /* rows in all the parts */
extern const civ_ent_phrase civ_ent_agencies_phrases[];
extern const size_t civ_ent_agencies_nphrases;
extern const civ_ent_phrase civ_ent_agencies_abbrevs[];
extern const size_t civ_ent_agencies_nabbrevs;
extern const civ_ent_phrase civ_ent_acts_phrases[];
extern const size_t civ_ent_acts_nphrases;
extern const civ_ent_phrase civ_ent_acts_abbrevs[];
extern const size_t civ_ent_acts_nabbrevs;

/* Hand-written (tables.c). */
typedef struct civ_ent_word {
    const char *word;     /* normalised: lower-case, no dots or apostrophes */
    uint32_t roles;       /* R_* */
    uint32_t ctx;         /* CTX_* the word shows */
    int value;            /* ordinal, number word, ... (role-dependent) */
} civ_ent_word;
extern const civ_ent_word civ_ent_words[];
extern const size_t civ_ent_nwords;

typedef struct civ_ent_synonym { const char *from, *to; } civ_ent_synonym;
extern const civ_ent_synonym civ_ent_synonyms[];
extern const size_t civ_ent_nsynonyms;

typedef struct civ_ent_kphrase {
    const char *text;
    const char *key;
    civ_entity_kind kind;
    unsigned flags;
} civ_ent_kphrase;
extern const civ_ent_kphrase civ_ent_more_phrases[];  /* clauses, courts */
extern const size_t civ_ent_nmore_phrases;

typedef struct civ_ent_state {
    char name[24];        /* normalised words: "new york" */
    char slug[24];        /* "new-york" */
    char abbr[8];         /* Bluebook, lower-case, no dots: "ny", "cal" */
} civ_ent_state;
extern const civ_ent_state civ_ent_states[];
extern const size_t civ_ent_nstates;

typedef struct civ_ent_alias { const char *form, *kind_key; } civ_ent_alias;
extern const civ_ent_alias civ_ent_body_aliases[];   /* "NYPD" -> "new-york-city-police" */
extern const size_t civ_ent_nbody_aliases;

/* Word roles. */
enum {
    R_USC = 1u << 0, R_CFR = 1u << 1, R_TITLE = 1u << 2, R_SECTION = 1u << 3,
    R_PUB = 1u << 4, R_PUBLIC = 1u << 5, R_EXEMPTION = 1u << 6, R_AMEND = 1u << 7,
    R_CONST = 1u << 8, R_ID = 1u << 9, R_SUPRA = 1u << 10, R_V = 1u << 11,
    R_NO = 1u << 12, R_POLICE = 1u << 13, R_SHERIFF = 1u << 14, R_ATTORNEY = 1u << 15,
    R_DEPT = 1u << 16, R_CIRCUIT = 1u << 17, R_DISTRICT = 1u << 18, R_STOP = 1u << 19,
    R_CONNECT = 1u << 20, R_CITECUE = 1u << 21, R_XNEG = 1u << 22, R_ICENEG = 1u << 23,
    R_BCODE = 1u << 24, R_ORD = 1u << 25, R_NUMWORD = 1u << 26, R_DOCKNEG = 1u << 27,
    R_VITNEG = 1u << 28, R_SUFFIX = 1u << 29, R_PATROL = 1u << 30, R_BUREAU = 1u << 31
};

/* ---- the compiled scanner --------------------------------------------------- */

/* The scanner's tables hold no pointers: strings are offsets into
 * civ_entities.strings (civ_ent_str), so the tables civindex and civsearch
 * use can be constant data made at build time (lib/entities/freeze.c),
 * mapped from the binary, not built by every process. */
typedef struct ent_wentry {
    uint32_t w;           /* the word (normalised): civ_ent_str */
    uint32_t hash;
    uint8_t len;
    uint32_t roles;
    uint32_t ctx;
    int value;
    int32_t canon;        /* index of the word phrases compare (synonyms point elsewhere) */
    int32_t phr_first;    /* phrases starting with this word: index into phr_order */
    int32_t phr_n;
    int32_t abbr_first;   /* abbreviations of this spelling: index into abbr_order */
    int32_t abbr_n;
    int32_t cue_first;    /* classifier cues starting with this word: index into cue_order */
    int32_t cue_n;
} ent_wentry;

typedef struct ent_phrase {
    civ_entity_kind kind;
    uint32_t key;         /* civ_ent_str */
    unsigned flags;
    int32_t first;        /* words: index into phr_words */
    int32_t n;
} ent_phrase;

typedef struct ent_abbrev {
    civ_entity_kind kind;
    uint32_t form;        /* exact letters, dots removed: "FBI", "DoD" (civ_ent_str) */
    uint32_t form_len;
    uint32_t key;         /* civ_ent_str */
    unsigned flags;
} ent_abbrev;

typedef struct ent_rentry {
    uint32_t key, slug;   /* civ_ent_str; slug 0 for an empty entry */
    uint32_t hash;
    uint8_t len;
} ent_rentry;

struct civ_entities {
    ent_wentry *words;    /* dictionary, in order added */
    size_t nwords, capwords;
    int32_t *wtab;        /* open addressing: index into words, -1 empty */
    size_t wmask;
    ent_phrase *phr;
    size_t nphr, capphr;
    int32_t *phr_words;
    size_t nphr_words, capphr_words;
    int32_t *phr_order;   /* phrase indices grouped by first word, longest first */
    ent_abbrev *abbr;
    size_t nabbr, capabbr;
    int32_t *abbr_order;
    ent_rentry *rep;      /* reporters, exact */
    size_t repmask;
    ent_rentry *repl;     /* reporters, lower-cased (queries) */
    size_t replmask;
    civ_buf strings;      /* lower-cased copies and the like */
    uint16_t *cue_order;  /* classifier cues grouped by first word */
    uint16_t cue_punct[8];/* cues that start with punctuation ("###", "(whereupon") */
    int ncue_punct;
    size_t ncue_order;    /* entries of cue_order */
    int frozen;           /* constant data (civ_ent_frozen): never freed */
};

/* The string at offset off of e's string store. */
static inline const char *civ_ent_str(const civ_entities *e, uint32_t off)
{
    return e->strings.data + off;
}

/* Grows the array *p of *cap elements of size bytes to hold need (the
 * capacity doubles). 0, or -1 out of memory (*p unchanged). */
int civ_ent_grow(void **p, size_t *cap, size_t need, size_t size);

/* Builds the tables from lib/entities/tables*.c into a new *out (freed by
 * civ_entities_free). lib/entities/freeze.c runs it at build time;
 * civ_entities_new() returns the result, frozen. CIV_ENOMEM. */
civ_status civ_ent_build(civ_entities **out, civ_error *err);

/* The tables as built by civ_ent_build() when the project was built
 * (generated: entities_frozen.c in the build folder). */
extern civ_entities civ_ent_frozen;

uint32_t civ_ent_hash(const char *s, size_t n);
/* The dictionary entry of a normalised word, or NULL. */
const ent_wentry *civ_ent_word_lookup(const civ_entities *e, const char *w, size_t n);
/* The same with the word's civ_ent_hash() already known. */
const ent_wentry *civ_ent_word_lookup_hash(const civ_entities *e, const char *w, size_t n,
                                           uint32_t h);
/* The slug of a reporter spelling (whitespace removed), or NULL. */
const char *civ_ent_reporter_lookup(const civ_entities *e, const char *key, size_t n, int lower);

/* ---- the result list and its workspace -------------------------------------- */

typedef struct ent_item {
    civ_entity_kind kind;
    unsigned flags;
    size_t voff, vlen;     /* value in vals */
    size_t start, end;
    uint32_t need;         /* CTX_* the document must show, else dropped */
    uint32_t seq;
} ent_item;

typedef struct ent_tok ent_tok;

struct civ_entity_list {
    ent_item *items;
    size_t n, cap;
    civ_buf vals;          /* values, NUL-separated */
    civ_entity *out;       /* built at the end of a scan */
    size_t nout, capout;
    civ_entity_docinfo doc;
    size_t doc_docket, doc_court, doc_cite, doc_casename; /* offsets into vals + 1 (0: none) */
    ent_tok *ring;         /* scan workspace */
    civ_buf tmp;           /* classifier workspace */
    unsigned char cues[256]; /* classifier cues seen by the scan */
    int failed;
};

/* Adds an item; value is copied. Returns its index, or -1 (list->failed). */
long civ_ent_add(civ_entity_list *l, civ_entity_kind kind, unsigned flags,
                 const char *value, size_t vlen, size_t start, size_t end, uint32_t need);

/* The scan (scan.c, scan_*.c). query: lenient mode for civ_entities_normalise. */
typedef struct ent_scan_result {
    uint32_t ctx;          /* context shown by the whole text */
    long own_cite;         /* index of the first case cite in a "Cite as" line, or -1 */
    unsigned char *cues;   /* in: where to mark the classifier cues seen, or NULL */
} ent_scan_result;
int civ_ent_scan(civ_entity_list *l, const civ_entities *e, const char *t, size_t len,
                 int query, ent_scan_result *res);

/* The classifier (dockind.c). */
typedef struct civ_ent_cue {
    const char *text;     /* lower-case, at least 2 bytes */
    civ_doc_kind kind;
    int weight;
    size_t len;
} civ_ent_cue;
extern const civ_ent_cue civ_ent_cues[];
extern const size_t civ_ent_ncues;
/* Cues are looked for in the first CIV_ENT_CLASSIFY_MAX bytes only. */
#define CIV_ENT_CLASSIFY_MAX 16384
/* Marks in seen[] the cues found in text[pos...] (a word or punctuation
 * starting there). */
void civ_ent_cues_at(const civ_entities *e, const ent_wentry *we, const char *t, size_t len,
                     size_t pos, unsigned char *seen);
/* The kind, from the cues the scan saw and the title. */
civ_doc_kind civ_ent_classify(const civ_entities *e, const char *t, size_t len,
                              const char *title, size_t tlen, unsigned char *seen);

#endif
