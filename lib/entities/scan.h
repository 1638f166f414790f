/* lib/entities/scan.h — shared by the files of the entity scan (not installed).
 *
 * The scan is split by subject into scan.c (the main loop and emitting),
 * scan_token.c, scan_statutes.c, scan_bodies.c, scan_amend.c and
 * scan_cases.c; see scan.c for how it works. Functions one file calls in
 * another carry the prefix scan_; the smallest token tests are inline here. */
#ifndef CIV_ENTITIES_SCAN_H
#define CIV_ENTITIES_SCAN_H

#include "entities_int.h"

#include <string.h>

enum { T_WORD = 1, T_NUM, T_PUNCT, T_BLOCK, T_BLANK };
enum {
    F_CAP = 1u << 0,     /* first letter upper-case */
    F_UPPER = 1u << 1,   /* every letter upper-case (and at least one) */
    F_DOT = 1u << 2,     /* a dot follows (folded into the token) */
    F_INNER = 1u << 3,   /* inner dots: U.S.C. */
    F_POSS = 1u << 4,    /* possessive 's folded */
    F_NL = 1u << 5,      /* a newline before the token */
    F_SP = 1u << 6,      /* white space before the token */
    F_ALLDIG = 1u << 7,  /* a number of digits only */
    F_DEC = 1u << 8,     /* a number with a decimal part */
    F_APOS = 1u << 9,    /* an inner apostrophe (Dep't) */
    F_LONG = 1u << 10    /* longer than the normalised form holds */
};

#define NORM_MAX 32
#define RING 512
#define HISTORY 64
#define LOOKAHEAD 160

struct ent_tok {
    size_t start, end;   /* raw span, without a folded dot */
    size_t dend;         /* end with the folded dot */
    uint32_t cp;         /* punctuation: the code point ('-' for dashes) */
    uint16_t type, flags;
    uint8_t nlen, ndig;
    char norm[NORM_MAX];
    uint32_t numval;     /* numbers: value of the leading digits (capped) */
    uint32_t hash;       /* FNV-1a of norm */
    const ent_wentry *we;
    int32_t canon;       /* the word phrases compare, or -1 */
};

typedef struct recent_cite {
    uint32_t vol;
    char slug[24];
    long item;           /* index of the case item */
} recent_cite;

typedef struct recent_name {
    char first[NORM_MAX];
    long item;           /* the case item the name belongs to */
} recent_name;

typedef struct scan {
    const civ_entities *e;
    civ_entity_list *l;
    const unsigned char *t;
    size_t len, pos;
    ent_tok *ring;
    long ntok;           /* tokens made so far */
    int eof;
    int query;
    uint32_t ctx;
    long cur;
    int32_t and_canon;
    recent_cite rc[8];
    int nrc;
    recent_name rn[8];
    int nrn;
    long last_case;      /* item of the latest full case cite, -1 */
    int last_auth_case;  /* the latest authority cited was a case */
    long last_marker;    /* token index of the latest redaction marker */
    long own_cite;       /* start of a case cite on a "Cite as" line, or -1 */
    size_t last_cited_end; /* end of the latest exemption code cited (not a marker) */
    unsigned char *cues;   /* classifier cues seen, or NULL */
} scan;

/* A section number read from the text: "2703(d)", "2000e-2(b)(7)(C)". */
typedef struct section {
    char sec[24];         /* "2703", "2000e-2", "16.1" */
    char subs[6][8];      /* "d", "b", "7", "c" */
    int nsubs;
    char range_end[24];   /* the other end of a range, or "" */
    size_t end;           /* after the subsections */
    size_t sec_end;       /* after the section */
} section;

/* ---- characters and tokens (the smallest tests, inline) -------------------- */

static inline int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static inline int is_digit(int c) { return c >= '0' && c <= '9'; }
static inline int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static inline int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

ent_tok *scan_fill(scan *S, long k);

/* Token k (absolute), or NULL past the end or too far behind. */
static inline ent_tok *T(scan *S, long k)
{
    if (k < 0 || k < S->ntok - (RING - 8))
        return NULL;
    if (k < S->ntok)
        return &S->ring[k & (RING - 1)];
    return scan_fill(S, k);
}

static inline int punct(const ent_tok *tk, uint32_t c) { return tk && tk->type == T_PUNCT && tk->cp == c; }
static inline int word(const ent_tok *tk, const char *w)
{
    return tk && tk->type == T_WORD && strcmp(tk->norm, w) == 0;
}
static inline uint32_t roles(const ent_tok *tk) { return tk && tk->type == T_WORD && tk->we ? tk->we->roles : 0; }
static inline int is_cap(const ent_tok *tk) { return tk && tk->type == T_WORD && (tk->flags & F_CAP); }

/* ---- scan_token.c: the tokenizer and the token ring. ----------------------- */

long scan_tok_from_pos(scan *S, long k, size_t p);
int scan_in_junk(scan *S, const ent_tok *tk);
int scan_surveillance_section(const char *v, size_t vn);

/* ---- scan.c: emitting, the main loop. -------------------------------------- */

long scan_emit(scan *S, civ_entity_kind kind, unsigned flags, size_t start, size_t end,
               uint32_t need, const char *v, size_t vn);
#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
long scan_emitf(scan *S, civ_entity_kind kind, unsigned flags, size_t start, size_t end,
                uint32_t need, const char *fmt, ...);
const char *scan_item_value(scan *S, long item, size_t *n);
void scan_marker(scan *S, long tokidx, size_t start, size_t end);

/* ---- scan_statutes.c: US Code, CFR, public laws, sections. ----------------- */

size_t scan_skip_sp(const unsigned char *t, size_t len, size_t p, size_t max);
size_t scan_dash_at(const unsigned char *t, size_t len, size_t p);
int scan_read_section(const unsigned char *t, size_t len, size_t p, int plural, int cfr,
                      section *out);
size_t scan_read_code(const unsigned char *t, size_t len, size_t p, int loose, int bare,
                      char code[4]);
int scan_usc_at(scan *S, long k, long *after);
int scan_cfr_at(scan *S, long k, long *after);
void scan_emit_exemption_552(scan *S, const section *sc, size_t start, size_t end);
long scan_statute_sections(scan *S, civ_entity_kind kind, unsigned title, long k, size_t start);
long scan_on_title(scan *S, long i);
long scan_on_section(scan *S, long i);
long scan_on_pub(scan *S, long i);

/* ---- scan_bodies.c: acts, agencies, bodies, states, dockets and courts. ---- */

const char *scan_act_at(scan *S, long k, long *end, unsigned *flags);
int scan_state_back(scan *S, long last, long *first);
long scan_on_body(scan *S, long i);
int scan_sentence_start(scan *S, long k);
long scan_state_department(scan *S, long i);
long scan_on_docket(scan *S, long i);
long scan_on_circuit(scan *S, long i);
long scan_on_district(scan *S, long i);
long scan_on_phrase(scan *S, long i);
long scan_on_abbrev(scan *S, long i);

/* ---- scan_amend.c: amendments, clauses, exemptions, redactions. ------------ */

extern const char *const scan_ord_key[12];  /* "", "1st", "2d", ... "11th" */
int scan_ordinal_at(scan *S, long k, long *next);
long scan_on_ordinal(scan *S, long i);
long scan_on_amend(scan *S, long i);
long scan_on_codes(scan *S, long i, int loose_first);
long scan_on_exemption(scan *S, long i);
long scan_on_bracket(scan *S, long i);
long scan_on_paren(scan *S, long i);

/* ---- scan_cases.c: case cites and case names. ------------------------------ */

long scan_on_cite(scan *S, long i);
void scan_ref_case(scan *S, long item, size_t start, size_t end);

#endif
