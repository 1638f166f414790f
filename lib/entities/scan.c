/* The entity scan: a tokenizer feeding a ring of tokens, and recognizers
 * that look a bounded number of tokens around the current one.
 *
 * Tokens: words (letters, digits, inner apostrophes and inner dots, so
 * "U.S.C.", "Dep't", "F.B.I." are one word each), numbers (digits, then
 * letters or decimals: "2703", "1028A", "16.1", "3d", "4th"), runs of
 * redaction blocks, runs of underscores, and single punctuation
 * characters. A dot right after a word or number is folded into it (the
 * token's flag F_DOT). Each word is looked up once in the scanner's
 * dictionary, which gives its roles (what recognizer it starts), the
 * context it shows (surveillance, FOIA, immigration, ...) and the phrases
 * and abbreviations that start with it.
 *
 * Every recognizer reads at most LOOKAHEAD tokens ahead and HISTORY
 * tokens behind, and the main loop always moves forward, so a scan is
 * linear in its input. */
#include "entities_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- characters ---------------------------------------------------------- */

static int is_alpha(int c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_digit(int c) { return c >= '0' && c <= '9'; }
static int is_alnum(int c) { return is_alpha(c) || is_digit(c); }
static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int islower_(int c) { return c >= 'a' && c <= 'z'; }

/* Decodes one UTF-8 sequence at s[i]; *n gets its length (1 for a bad byte,
 * which yields 0xFFFD). */
static uint32_t utf8(const unsigned char *s, size_t i, size_t len, size_t *n)
{
    unsigned c = s[i];
    if (c < 0x80) {
        *n = 1;
        return c;
    }
    size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (k == 0 || i + k > len) {
        *n = 1;
        return 0xFFFD;
    }
    uint32_t cp = c & (0xFF >> (k + 1));
    for (size_t j = 1; j < k; j++) {
        if ((s[i + j] & 0xC0) != 0x80) {
            *n = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    *n = k;
    return cp;
}

static int is_space_cp(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
           cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x3000 ||
           cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
}

static int is_block_cp(uint32_t cp) { return cp == 0x2588 || cp == 0x25A0 || cp == 0x2587 || cp == 0x2589; }

/* Non-ASCII code points that continue a word (accented letters, ...). */
static int is_letter_cp(uint32_t cp)
{
    return cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 && !(cp >= 0x2000 && cp <= 0x2BFF) &&
           !(cp >= 0x3000 && cp <= 0x303F) && !(cp >= 0xFE30 && cp <= 0xFE4F) && cp != 0xFEFF &&
           cp != 0xFFFD;
}

/* ---- tokens ---------------------------------------------------------------- */

static void lookup_word(scan *S, ent_tok *tk)
{
    tk->we = NULL;
    tk->canon = -1;
    if (tk->flags & F_LONG || tk->nlen == 0)
        return;
    const ent_wentry *we = civ_ent_word_lookup_hash(S->e, tk->norm, tk->nlen, tk->hash);
    if (we) {
        tk->we = we;
        tk->canon = we->canon;
        S->ctx |= we->ctx;
        if (we->cue_n && S->cues && tk->start < CIV_ENT_CLASSIFY_MAX)
            civ_ent_cues_at(S->e, we, (const char *)S->t, S->len, tk->start, S->cues);
    }
}

static inline void norm_put(ent_tok *tk, int c)
{
    if (tk->nlen + 1 < NORM_MAX) {
        tk->norm[tk->nlen++] = (char)c;
        tk->hash = (tk->hash ^ (unsigned char)c) * 16777619u;
    } else {
        tk->flags |= F_LONG;
    }
}

/* Makes the next token into tk; 0 at the end of the text. */
static int next_token(scan *S, ent_tok *tk)
{
    const unsigned char *s = S->t;
    size_t i = S->pos, len = S->len;
    unsigned fl = 0;
    for (;;) {
        if (i >= len) {
            S->pos = i;
            return 0;
        }
        unsigned c = s[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            fl |= F_SP;
            i++;
            continue;
        }
        if (c == '\n') {
            fl |= F_SP | F_NL;
            i++;
            continue;
        }
        if (c >= 0x80 || c == '\f' || c == '\v') {
            size_t n;
            uint32_t cp = utf8(s, i, len, &n);
            if (is_space_cp(cp)) {
                fl |= F_SP;
                if (cp == 0x2028 || cp == 0x2029)
                    fl |= F_NL;
                i += n;
                continue;
            }
        }
        break;
    }
    memset(tk, 0, offsetof(ent_tok, norm));
    tk->norm[0] = '\0';
    tk->hash = 2166136261u;
    tk->start = i;
    tk->flags = (uint16_t)fl;
    unsigned c = s[i];
    size_t n0;
    if (is_alpha((int)c) || (c >= 0x80 && is_letter_cp(utf8(s, i, len, &n0)))) {
        tk->type = T_WORD;
        int upper = 0, lowerc = 0;
        size_t poss_end = 0;
        if (c >= 'A' && c <= 'Z')
            tk->flags |= F_CAP;
        size_t seg = 0;
        while (i < len) {
            c = s[i];
            if (is_alnum((int)c)) {
                if (c >= 'A' && c <= 'Z')
                    upper++;
                else if (c >= 'a' && c <= 'z')
                    lowerc++;
                norm_put(tk, lower((int)c));
                i++;
                seg++;
                continue;
            }
            if (c == '\'' || (c == 0xE2 && i + 2 < len && s[i + 1] == 0x80 && s[i + 2] == 0x99)) {
                size_t w = c == '\'' ? 1 : 3;
                if (i + w < len && is_alpha(s[i + w])) {
                    if ((s[i + w] == 's' || s[i + w] == 'S') &&
                        (i + w + 1 >= len || !is_alnum(s[i + w + 1]))) {
                        tk->flags |= F_POSS;
                        poss_end = i;
                        i += w + 1;
                        break;
                    }
                    tk->flags |= F_APOS;
                    i += w;
                    continue;
                }
                break;
            }
            if (c == '.' && i + 1 < len && is_alpha(s[i + 1]) && seg <= 6) {
                tk->flags |= F_INNER;
                i++;
                seg = 0;
                continue;
            }
            if (c >= 0x80) {
                size_t n;
                uint32_t cp = utf8(s, i, len, &n);
                if (is_letter_cp(cp)) {
                    for (size_t k = 0; k < n; k++)
                        norm_put(tk, s[i + k]);
                    i += n;
                    seg++;
                    continue;
                }
            }
            break;
        }
        if (upper && !lowerc)
            tk->flags |= F_UPPER;
        tk->end = (tk->flags & F_POSS) ? poss_end : i;
        if (i < len && s[i] == '.' && !(tk->flags & F_POSS)) {
            tk->flags |= F_DOT;
            i++;
        }
        tk->dend = (tk->flags & F_POSS) ? tk->end : i;
        tk->norm[tk->nlen] = '\0';
        S->pos = i;
        lookup_word(S, tk);
        return 1;
    }
    if (is_digit((int)c)) {
        tk->type = T_NUM;
        uint32_t v = 0;
        while (i < len && is_digit(s[i])) {
            if (v < 100000000u)
                v = v * 10 + (uint32_t)(s[i] - '0');
            tk->ndig++;
            norm_put(tk, s[i]);
            i++;
        }
        tk->numval = v;
        int only = 1;
        while (i + 1 < len && s[i] == '.' && is_digit(s[i + 1])) {
            tk->flags |= F_DEC;
            only = 0;
            norm_put(tk, '.');
            i++;
            while (i < len && is_digit(s[i]))
                norm_put(tk, s[i++]);
        }
        while (i < len && is_alnum(s[i])) {
            only = 0;
            norm_put(tk, lower(s[i]));
            i++;
        }
        if (only)
            tk->flags |= F_ALLDIG;
        tk->end = i;
        if (i < len && s[i] == '.' && !(i + 1 < len && is_digit(s[i + 1]))) {
            tk->flags |= F_DOT;
            i++;
        }
        tk->dend = i;
        tk->norm[tk->nlen] = '\0';
        S->pos = i;
        return 1;
    }
    if (c == '_') {
        tk->type = T_BLANK;
        while (i < len && s[i] == '_')
            i++;
        tk->end = tk->dend = i;
        S->pos = i;
        return 1;
    }
    size_t n;
    uint32_t cp = utf8(s, i, len, &n);
    if (is_block_cp(cp)) {
        tk->type = T_BLOCK;
        while (i < len) {
            uint32_t c2 = utf8(s, i, len, &n);
            if (!is_block_cp(c2))
                break;
            i += n;
        }
        tk->end = tk->dend = i;
        S->pos = i;
        return 1;
    }
    tk->type = T_PUNCT;
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212)
        cp = '-';
    else if (cp == 0x2018 || cp == 0x2019)
        cp = '\'';
    else if (cp == 0x201C || cp == 0x201D)
        cp = '"';
    tk->cp = cp;
    i += n;
    tk->end = tk->dend = i;
    S->pos = i;
    if ((cp == '#' || cp == '(') && S->cues && tk->start < CIV_ENT_CLASSIFY_MAX)
        civ_ent_cues_at(S->e, NULL, (const char *)S->t, S->len, tk->start, S->cues);
    return 1;
}

/* Token k (absolute), or NULL past the end or too far behind. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
static ent_tok *fill(scan *S, long k)
{
    while (k >= S->ntok) {
        if (S->eof)
            return NULL;
        if (!next_token(S, &S->ring[S->ntok & (RING - 1)])) {
            S->eof = 1;
            return NULL;
        }
        S->ntok++;
    }
    return &S->ring[k & (RING - 1)];
}

static inline ent_tok *T(scan *S, long k)
{
    if (k < 0 || k < S->ntok - (RING - 8))
        return NULL;
    if (k < S->ntok)
        return &S->ring[k & (RING - 1)];
    return fill(S, k);
}

/* The first token starting at or after byte position p, from token k on. */
static long tok_from_pos(scan *S, long k, size_t p)
{
    ent_tok *tk;
    while ((tk = T(S, k)) && tk->start < p)
        k++;
    return k;
}

static int punct(const ent_tok *tk, uint32_t c) { return tk && tk->type == T_PUNCT && tk->cp == c; }
static int word(const ent_tok *tk, const char *w)
{
    return tk && tk->type == T_WORD && strcmp(tk->norm, w) == 0;
}
static uint32_t roles(const ent_tok *tk) { return tk && tk->type == T_WORD && tk->we ? tk->we->roles : 0; }
static int is_cap(const ent_tok *tk) { return tk && tk->type == T_WORD && (tk->flags & F_CAP); }

/* Is the token part of a URL, an address, markup or an encoded blob? The
 * white-space-delimited chunk around it tells ("://", "www.", "@", "=",
 * or 60 bytes without a space). */
static int in_junk(scan *S, const ent_tok *tk)
{
    size_t b = tk->start, e = tk->end;
    size_t lim = b > 200 ? b - 200 : 0;
    while (b > lim && S->t[b - 1] != ' ' && S->t[b - 1] != '\n' && S->t[b - 1] != '\t' &&
           S->t[b - 1] != '>' && S->t[b - 1] != '"')
        b--;
    while (e < S->len && e - tk->end < 200 && S->t[e] != ' ' && S->t[e] != '\n' &&
           S->t[e] != '\t' && S->t[e] != '<' && S->t[e] != '"')
        e++;
    if (e - b > 60)
        return 1;
    for (size_t i = b; i < e; i++) {
        unsigned char c = S->t[i];
        if (c == '@' || c == '=' || c == '#' || c == '\\')
            return 1;
        if (c == ':' && i + 2 < e && S->t[i + 1] == '/' && S->t[i + 2] == '/')
            return 1;
        if (c == 'w' && i + 4 <= e && memcmp(S->t + i, "www.", 4) == 0)
            return 1;
        if (c == '/' && i + 1 < e && S->t[i + 1] != ' ' && i > b && is_alpha(S->t[i - 1]) &&
            islower_(S->t[i + 1]))
            return 1; /* a path: /cs/CDA/story */
    }
    return 0;
}

/* Title 18's surveillance chapters: the Wiretap Act (§§ 2510-2523), the
 * Stored Communications Act (§§ 2701-2713), pen registers (§§ 3121-3127). */
static int surveillance_section(const char *v, size_t vn)
{
    if (vn < 7 || memcmp(v, "18/", 3) != 0)
        return 0;
    long sec = 0;
    for (size_t i = 3; i < vn && i < 8 && v[i] >= '0' && v[i] <= '9'; i++)
        sec = sec * 10 + (v[i] - '0');
    return (sec >= 2510 && sec <= 2523) || (sec >= 2701 && sec <= 2713) ||
           (sec >= 3121 && sec <= 3127);
}

/* ---- emitting ------------------------------------------------------------------ */

static long emit(scan *S, civ_entity_kind kind, unsigned flags, size_t start, size_t end,
                 uint32_t need, const char *v, size_t vn)
{
    if (S->query) {
        if (kind == CIV_ENTITY_REDACTION)
            return -2; /* a query names things; it redacts nothing */
        need = 0;
    }
    long k = civ_ent_add(S->l, kind, flags, v, vn, start, end, need);
    if (kind == CIV_ENTITY_AGENCY && !need)
        S->ctx |= CTX_AGENCY; /* "the EPA and DOE": a government document */
    if (kind == CIV_ENTITY_AGENCY && !need && vn == 3 && memcmp(v, "fbi", 3) == 0)
        S->ctx |= CTX_FBI;
    /* Police and federal law enforcement make "ICE" the agency. */
    if ((kind == CIV_ENTITY_BODY && !need) ||
        (kind == CIV_ENTITY_AGENCY && !need && vn == 3 &&
         (!memcmp(v, "fbi", 3) || !memcmp(v, "dhs", 3) || !memcmp(v, "cbp", 3) ||
          !memcmp(v, "doj", 3) || !memcmp(v, "dea", 3) || !memcmp(v, "ice", 3))))
        S->ctx |= CTX_ICE | CTX_INS;
    /* Intelligence agencies and Title 50 (FISA's title) are about surveillance. */
    if ((kind == CIV_ENTITY_AGENCY && !need &&
         ((vn == 3 && (!memcmp(v, "nsa", 3) || !memcmp(v, "cia", 3))) ||
          (vn == 4 && !memcmp(v, "odni", 4)) || (vn == 5 && !memcmp(v, "pclob", 5)))) ||
        (kind == CIV_ENTITY_USC && vn > 3 && !memcmp(v, "50/", 3)) ||
        (kind == CIV_ENTITY_USC && surveillance_section(v, vn)) ||
        (kind == CIV_ENTITY_ACT && !need && ((vn >= 4 && !memcmp(v, "fisa", 4)) ||
                                    (vn >= 7 && !memcmp(v, "patriot", 7)))))
        S->ctx |= CTX_SURV;
    return k;
}

#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
static long emitf(scan *S, civ_entity_kind kind, unsigned flags, size_t start, size_t end,
                  uint32_t need, const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    return emit(S, kind, flags, start, end, need, buf, (size_t)n);
}

static const char *item_value(scan *S, long item, size_t *n)
{
    const ent_item *it = &S->l->items[item];
    *n = it->vlen;
    return S->l->vals.data + it->voff;
}

static void marker(scan *S, long tokidx, size_t start, size_t end)
{
    emit(S, CIV_ENTITY_REDACTION, 0, start, end, 0, "", 0);
    S->last_marker = tokidx;
}

/* ---- raw readers -------------------------------------------------------------- */

static size_t skip_sp(const unsigned char *t, size_t len, size_t p, size_t max)
{
    size_t k = 0;
    while (p < len && k < max && (t[p] == ' ' || t[p] == '\t')) {
        p++;
        k++;
    }
    return p;
}

/* A dash at t[p] (ASCII or en/em dash, non-breaking hyphen): its length, or 0. */
static size_t dash_at(const unsigned char *t, size_t len, size_t p)
{
    if (p < len && t[p] == '-')
        return 1;
    if (p + 2 < len && t[p] == 0xE2 && t[p + 1] == 0x80 && t[p + 2] >= 0x90 && t[p + 2] <= 0x94)
        return 3;
    return 0;
}

typedef struct section {
    char sec[24];         /* "2703", "2000e-2", "16.1" */
    char subs[6][8];      /* "d", "b", "7", "c" */
    int nsubs;
    char range_end[24];   /* the other end of a range, or "" */
    size_t end;           /* after the subsections */
    size_t sec_end;       /* after the section */
} section;

/* Reads a section number at t[p]: digits, letters, decimals, hyphenated
 * parts; a hyphen between two numbers is a range when `plural` or when
 * both sides are alike. Then parenthesised subsections. 0 if none. */
static int read_section(const unsigned char *t, size_t len, size_t p, int plural, int cfr,
                        section *out)
{
    memset(out, 0, sizeof *out);
    size_t k = 0;
    if (p >= len || !is_digit(t[p]))
        return 0;
    int digits_only = 1;
    while (p < len && (is_alnum(t[p]) || (t[p] == '.' && p + 1 < len && is_digit(t[p + 1]) && cfr))) {
        if (!is_digit(t[p]))
            digits_only = 0;
        if (k + 1 >= sizeof out->sec)
            return 0;
        out->sec[k++] = (char)lower(t[p++]);
    }
    for (int parts = 0; parts < 4; parts++) {
        size_t d = dash_at(t, len, p);
        if (!d || p + d >= len || !is_alnum(t[p + d]))
            break;
        size_t q = p + d, m = 0;
        char part[24];
        int part_digits = 1, part_dot = 0;
        while (q < len && (is_alnum(t[q]) || (t[q] == '.' && q + 1 < len && is_digit(t[q + 1]) && cfr))) {
            if (!is_digit(t[q]))
                part_digits = 0;
            if (t[q] == '.')
                part_dot = 1;
            if (m + 1 >= sizeof part)
                return 0;
            part[m++] = (char)lower(t[q++]);
        }
        part[m] = '\0';
        int range;
        if (cfr)
            range = plural || part_dot;
        else
            range = digits_only && part_digits &&
                    (plural || (m == k && strcmp(part, out->sec) > 0));
        if (range) {
            if (part_digits && m < k && !cfr) {
                /* §§ 2510-22: the end shares the start's leading digits. */
                char full[24];
                memcpy(full, out->sec, k - m);
                memcpy(full + (k - m), part, m + 1);
                memcpy(out->range_end, full, k + 1);
            } else {
                memcpy(out->range_end, part, m + 1);
            }
            p = q;
            break;
        }
        if (k + m + 2 >= sizeof out->sec)
            return 0;
        out->sec[k++] = '-';
        memcpy(out->sec + k, part, m);
        k += m;
        p = q;
        digits_only = 0;
    }
    out->sec[k] = '\0';
    out->sec_end = p;
    while (out->nsubs < 6 && p < len && t[p] == '(') {
        size_t q = p + 1, m = 0;
        char sub[8];
        while (q < len && is_alnum(t[q]) && m < 6)
            sub[m++] = (char)lower(t[q++]);
        if (m == 0 || q >= len || t[q] != ')')
            break;
        sub[m] = '\0';
        memcpy(out->subs[out->nsubs++], sub, m + 1);
        p = q + 1;
    }
    out->end = p;
    return 1;
}

/* A FOIA exemption code at t[p]: "(b)(6)", "(b) (7) (C)", "b(7)(C)", "b7C",
 * "b7(C)"; with `loose`, also "7C", "7(C)"; with `bare`, also "6". The
 * code ("b7c") goes into code[4]; returns the position after it, or 0. */
static size_t read_code(const unsigned char *t, size_t len, size_t p, int loose, int bare,
                        char code[4])
{
    size_t q = p;
    int d = 0, have_b = 0;
    if (q < len && t[q] == '(') {
        q = skip_sp(t, len, q + 1, 2);
        if (q >= len || (t[q] != 'b' && t[q] != 'B'))
            return 0;
        q = skip_sp(t, len, q + 1, 2);
        if (q >= len || t[q] != ')')
            return 0;
        q = skip_sp(t, len, q + 1, 2);
        if (q >= len || t[q] != '(')
            return 0;
        q = skip_sp(t, len, q + 1, 2);
        if (q >= len || !is_digit(t[q]) || t[q] == '0')
            return 0;
        d = t[q] - '0';
        q = skip_sp(t, len, q + 1, 2);
        if (q >= len || t[q] != ')')
            return 0;
        q++;
        have_b = 1;
    } else if (q < len && (t[q] == 'b' || (t[q] == 'B' && loose))) {
        q++;
        if (q < len && t[q] == '(') {
            q++;
            if (q + 1 >= len || !is_digit(t[q]) || t[q] == '0' || t[q + 1] != ')')
                return 0;
            d = t[q] - '0';
            q += 2;
        } else if (q < len && is_digit(t[q]) && t[q] != '0') {
            d = t[q] - '0';
            q++;
            if (q < len && is_digit(t[q]))
                return 0;
        } else {
            return 0;
        }
        have_b = 1;
    } else if (loose || bare) {
        if (q >= len || !is_digit(t[q]) || t[q] == '0')
            return 0;
        d = t[q] - '0';
        q++;
        if (q < len && is_digit(t[q]))
            return 0;
    } else {
        return 0;
    }
    char letter = 0;
    size_t r = have_b ? skip_sp(t, len, q, 1) : q;
    if (r + 2 < len && t[r] == '(' && is_alpha(t[r + 1]) && t[r + 2] == ')' &&
        lower(t[r + 1]) <= 'f') {
        letter = (char)lower(t[r + 1]);
        q = r + 3;
    } else if (q < len && is_alpha(t[q]) && lower(t[q]) <= 'f' && !(q + 1 < len && is_alnum(t[q + 1]))) {
        letter = (char)lower(t[q]);
        q++;
    }
    if (q < len && is_alnum(t[q]))
        return 0;
    if (!have_b && !letter && !bare)
        return 0;
    if (!have_b && !bare && d != 7)
        return 0;
    code[0] = 'b';
    code[1] = (char)('0' + d);
    code[2] = d == 7 && letter ? letter : '\0';
    code[3] = '\0';
    return q;
}

/* ---- statutes --------------------------------------------------------------------- */

/* Is the text at token k "U.S.C." (or a spelling of it)? *after gets the
 * token after it. */
static int usc_at(scan *S, long k, long *after)
{
    ent_tok *a = T(S, k);
    if (!a)
        return 0;
    if (roles(a) & R_USC) {
        *after = k + 1;
        return 1;
    }
    ent_tok *b = T(S, k + 1);
    if (word(a, "us") && word(b, "code")) {
        *after = k + 2;
        return 1;
    }
    if (word(a, "u") && word(b, "s") && word(T(S, k + 2), "c")) {
        *after = k + 3;
        return 1;
    }
    long j = k;
    if (punct(a, ','))
        j++;
    if (word(T(S, j), "united") && word(T(S, j + 1), "states") && word(T(S, j + 2), "code")) {
        *after = j + 3;
        if (punct(T(S, *after), ','))
            (*after)++;
        return 1;
    }
    return 0;
}

static int cfr_at(scan *S, long k, long *after)
{
    ent_tok *a = T(S, k);
    if (!a)
        return 0;
    if (roles(a) & R_CFR) {
        *after = k + 1;
        return 1;
    }
    if (word(a, "c") && word(T(S, k + 1), "f") && word(T(S, k + 2), "r")) {
        *after = k + 3;
        return 1;
    }
    long j = k;
    if (punct(a, ','))
        j++;
    if (word(T(S, j), "code") && word(T(S, j + 1), "of") && word(T(S, j + 2), "federal") &&
        word(T(S, j + 3), "regulations")) {
        *after = j + 4;
        if (punct(T(S, *after), ','))
            (*after)++;
        return 1;
    }
    return 0;
}

static void emit_exemption_552(scan *S, const section *sc, size_t start, size_t end)
{
    if (strcmp(sc->sec, "552") != 0 || sc->nsubs < 2 || strcmp(sc->subs[0], "b") != 0)
        return;
    const char *d = sc->subs[1];
    if (!(d[0] >= '1' && d[0] <= '9') || d[1])
        return;
    char code[4] = { 'b', d[0], 0, 0 };
    if (d[0] == '7' && sc->nsubs >= 3 && sc->subs[2][0] >= 'a' && sc->subs[2][0] <= 'f' &&
        !sc->subs[2][1])
        code[2] = sc->subs[2][0];
    emit(S, CIV_ENTITY_EXEMPTION, 0, start, end, 0, code, strlen(code));
    S->last_cited_end = end;
}

static void emit_section(scan *S, civ_entity_kind kind, unsigned title, const section *sc,
                         size_t start)
{
    emitf(S, kind, 0, start, sc->end, 0, "%u/%s", title, sc->sec);
    if (kind == CIV_ENTITY_USC && sc->nsubs) {
        char fine[96];
        int n = snprintf(fine, sizeof fine, "%u/%s", title, sc->sec);
        for (int i = 0; i < sc->nsubs && n > 0 && (size_t)n < sizeof fine; i++)
            n += snprintf(fine + n, sizeof fine - (size_t)n, "/%s", sc->subs[i]);
        if (n > 0 && (size_t)n < sizeof fine)
            emit(S, kind, CIV_ENTITY_FINE, start, sc->end, 0, fine, (size_t)n);
    }
    if (kind == CIV_ENTITY_USC && title == 5)
        emit_exemption_552(S, sc, sc->sec_end, sc->end);
    if (sc->range_end[0])
        emitf(S, kind, 0, start, sc->end, 0, "%u/%s", title, sc->range_end);
}

/* After "18 U.S.C." (k: the token after it): the section marker, the
 * sections, lists and ranges. Returns the token after what was read, or 0. */
static long statute_sections(scan *S, civ_entity_kind kind, unsigned title, long k, size_t start)
{
    int plural = 0, marked = 0;
    ent_tok *tk = T(S, k);
    if (punct(tk, 0xA7)) {
        marked = 1;
        k++;
        if (punct(T(S, k), 0xA7)) {
            plural = 1;
            k++;
        }
    } else if (tk && tk->type == T_WORD &&
               ((roles(tk) & R_SECTION) || word(tk, "s") || word(tk, "part") ||
                word(tk, "parts") || word(tk, "pt") || word(tk, "pts"))) {
        marked = 1;
        plural = tk->norm[tk->nlen - 1] == 's' && tk->nlen > 1 && strcmp(tk->norm, "s") != 0;
        k++;
    }
    tk = T(S, k);
    if (!tk || tk->type != T_NUM)
        return 0;
    int cfr = kind == CIV_ENTITY_CFR;
    section sc;
    if (!read_section(S->t, S->len, tk->start, plural, cfr, &sc))
        return 0;
    if (kind == CIV_ENTITY_USC && (title < 1 || title > 54))
        return 0;
    emit_section(S, kind, title, &sc, start);
    S->last_auth_case = 0;
    size_t p = sc.end;
    long kk = tok_from_pos(S, k, p);
    (void)marked;
    for (int items = 0; items < 64; items++) {
        long j = kk;
        ent_tok *a = T(S, j);
        int sep = 0, range = 0, itemmark = 0;
        if (punct(a, ',') || punct(a, ';') || punct(a, '&')) {
            if (punct(a, ';'))
                break;
            sep = 1;
            j++;
            a = T(S, j);
        }
        if (word(a, "and") || word(a, "or")) {
            sep = 1;
            j++;
        } else if (word(a, "through") || word(a, "thru") || word(a, "to") || punct(a, '-')) {
            sep = 1;
            range = 1;
            j++;
        }
        if (!sep)
            break;
        a = T(S, j);
        if (punct(a, 0xA7)) {
            itemmark = 1;
            j++;
            if (punct(T(S, j), 0xA7))
                j++;
            a = T(S, j);
        }
        if (!a || a->type != T_NUM || !(plural || itemmark || range))
            break;
        section s2;
        if (!read_section(S->t, S->len, a->start, plural, cfr, &s2))
            break;
        /* "..., 585 U.S. 296": the next citation's volume, not a section. */
        long after = tok_from_pos(S, j, s2.end);
        ent_tok *b = T(S, after);
        long dummy;
        if (b && b->type == T_WORD && ((b->flags & F_CAP) || usc_at(S, after, &dummy) ||
                                       cfr_at(S, after, &dummy)) &&
            !word(b, "et"))
            break;
        if (range && !plural && !itemmark && !punct(T(S, kk), '-') && kind == CIV_ENTITY_USC &&
            !word(T(S, kk), "through"))
            break;
        emit_section(S, kind, title, &s2, a->start);
        p = s2.end;
        kk = after;
    }
    return tok_from_pos(S, k, p);
}

/* "Title 18, United States Code, Section 3500"; "Title 28 of the Code of
 * Federal Regulations, part 16". */
static long on_title(scan *S, long i)
{
    ent_tok *n = T(S, i + 1);
    if (!n || !(n->flags & F_ALLDIG) || n->numval < 1 || n->numval > 54)
        return 0;
    long k = i + 2, after;
    if (punct(T(S, k), ','))
        k++;
    if (word(T(S, k), "of") && word(T(S, k + 1), "the"))
        k += 2;
    else if (word(T(S, k), "of"))
        k++;
    civ_entity_kind kind;
    if (usc_at(S, k, &after))
        kind = CIV_ENTITY_USC;
    else if (cfr_at(S, k, &after))
        kind = CIV_ENTITY_CFR;
    else
        return 0;
    if (punct(T(S, after), ','))
        after++;
    return statute_sections(S, kind, n->numval, after, T(S, i)->start);
}

/* ---- acts, agencies, phrases -------------------------------------------------------- */

/* The longest phrase starting at token i, of a kind in `kinds`. */
static const ent_phrase *match_phrase(scan *S, long i, unsigned kinds, long *end)
{
    ent_tok *tk = T(S, i);
    if (!tk || tk->canon < 0)
        return NULL;
    const ent_wentry *first = &S->e->words[tk->canon];
    /* The second word, read once: most candidates fail on it. */
    long k2 = i + 1;
    ent_tok *a2 = T(S, k2);
    while (a2 && a2->type == T_PUNCT && (a2->cp == ',' || a2->cp == '-' || a2->cp == '/'))
        a2 = T(S, ++k2);
    int32_t second = !a2 ? -2 : a2->type == T_WORD ? a2->canon : punct(a2, '&') ? S->and_canon : -2;
    for (int32_t c = 0; c < first->phr_n; c++) {
        const ent_phrase *p = &S->e->phr[S->e->phr_order[first->phr_first + c]];
        if (!(kinds & CIV_ENTITY_BIT(p->kind)))
            continue;
        if (p->n > 1 && S->e->phr_words[p->first + 1] != second)
            continue;
        if (!S->query && !(p->flags & CIV_ENT_F_ANYCASE) && !(tk->flags & F_CAP))
            continue;
        long k = i + 1;
        int32_t w;
        for (w = 1; w < p->n; w++) {
            ent_tok *a = T(S, k);
            while (a && a->type == T_PUNCT && (a->cp == ',' || a->cp == '-' || a->cp == '/')) {
                k++;
                a = T(S, k);
            }
            if (!a)
                break;
            int32_t want = S->e->phr_words[p->first + w];
            int32_t have = a->type == T_WORD ? a->canon : punct(a, '&') ? S->and_canon : -1;
            if (have != want)
                break;
            /* A word of a name does not end a sentence in its middle. */
            k++;
        }
        if (w == p->n) {
            *end = k;
            return p;
        }
    }
    return NULL;
}

/* An abbreviation at token i (exact case unless querying). */
static const ent_abbrev *match_abbrev(scan *S, long i, unsigned kinds)
{
    ent_tok *tk = T(S, i);
    if (!tk || tk->type != T_WORD || !tk->we || tk->we->abbr_n == 0)
        return NULL;
    char letters[NORM_MAX];
    size_t n = 0;
    for (size_t p = tk->start; p < tk->end && n + 1 < sizeof letters; p++)
        if (is_alnum(S->t[p]))
            letters[n++] = (char)S->t[p];
    for (int32_t c = 0; c < tk->we->abbr_n; c++) {
        const ent_abbrev *a = &S->e->abbr[S->e->abbr_order[tk->we->abbr_first + c]];
        if (!(kinds & CIV_ENTITY_BIT(a->kind)) || a->form_len != n)
            continue;
        if (S->query) {
            size_t m = 0;
            while (m < n && lower(a->form[m]) == lower(letters[m]))
                m++;
            if (m == n)
                return a;
        } else if (memcmp(a->form, letters, n) == 0) {
            return a;
        }
    }
    return NULL;
}

/* After an act at [i, j): "§ 702", "Section 702", "sec. 702" make it the
 * section form. Returns the token after the section, or 0. */
static long act_section_after(scan *S, long j, const char *key, size_t start)
{
    ent_tok *a = T(S, j);
    long k = j;
    if (punct(a, 0xA7) || (roles(a) & R_SECTION))
        k++;
    else if (!(S->query && a && a->type == T_NUM))
        return 0;
    ent_tok *n = T(S, k);
    if (!n || n->type != T_NUM)
        return 0;
    section sc;
    if (!read_section(S->t, S->len, n->start, 0, 0, &sc))
        return 0;
    emitf(S, CIV_ENTITY_ACT, 0, start, sc.end, 0, "%s/%s", key, sc.sec);
    return tok_from_pos(S, k, sc.end);
}

/* "of the <act>" at token k: the act's key and the token after it. */
static const char *act_at(scan *S, long k, long *end, unsigned *flags)
{
    long e;
    const ent_phrase *p = match_phrase(S, k, CIV_ENTITY_BIT(CIV_ENTITY_ACT), &e);
    if (p) {
        *end = e;
        *flags = p->flags;
        return p->key;
    }
    const ent_abbrev *a = match_abbrev(S, k, CIV_ENTITY_BIT(CIV_ENTITY_ACT));
    if (a) {
        *end = k + 1;
        *flags = a->flags;
        return a->key;
    }
    return NULL;
}

/* A US state's name ending at token `last` (backwards): its index, and
 * the first token in *first; -1 when none. */
/* Whether the words of name (lower case, one space between) stand at
 * tokens j…, capitalised (or any case in a query): the token after the
 * last, or -1. */
static long match_name(scan *S, long j, const char *name)
{
    const char *c = name;
    while (*c) {
        ent_tok *a = T(S, j);
        if (!a || a->type != T_WORD || (!(a->flags & F_CAP) && !S->query))
            return -1;
        size_t m = strcspn(c, " ");
        if (a->nlen != m || memcmp(a->norm, c, m) != 0)
            return -1;
        c += m;
        if (*c == ' ')
            c++;
        j++;
    }
    return j;
}

static int state_back(scan *S, long last, long *first)
{
    ent_tok *lt = T(S, last);
    if (!lt || lt->type != T_WORD || (!(lt->flags & F_CAP) && !S->query))
        return -1;
    for (size_t s = 0; s < civ_ent_nstates; s++) {
        const char *name = civ_ent_states[s].name;
        const char *lw = strrchr(name, ' ');
        lw = lw ? lw + 1 : name;
        if (lw[0] != lt->norm[0] || strcmp(lw, lt->norm) != 0)
            continue;
        int nw = 1;
        for (const char *c = name; *c; c++)
            nw += *c == ' ';
        long k = last - nw + 1;
        if (k < 0 || k < S->cur - HISTORY)
            continue;
        if (match_name(S, k, name) == last + 1) {
            *first = k;
            return (int)s;
        }
    }
    return -1;
}

static int state_fwd(scan *S, long k, long *end)
{
    ent_tok *ft = T(S, k);
    if (!ft || ft->type != T_WORD || (!(ft->flags & F_CAP) && !S->query))
        return -1;
    for (size_t s = 0; s < civ_ent_nstates; s++) {
        const char *c = civ_ent_states[s].name;
        if (c[0] != ft->norm[0])
            continue;
        long j = match_name(S, k, c);
        if (j >= 0) {
            *end = j;
            return (int)s;
        }
    }
    return -1;
}

/* The words of a place before token `last` (backwards, at most 4
 * capitalised words; "City of" dropped) as a slug in out. Returns the first
 * token, or -1. */
static long place_back(scan *S, long last, char *out, size_t outsz)
{
    long k = last, first = -1;
    int words = 0;
    while (k >= 0 && k >= S->cur - HISTORY && words < 4) {
        ent_tok *a = T(S, k);
        if (!a || a->type != T_WORD || !(a->flags & F_CAP) || (a->flags & (F_DOT | F_POSS)))
            break;
        if ((roles(a) & R_STOP) || word(a, "the") || (a->flags & F_NL && k != last && 0))
            break;
        if (a->we && a->we->abbr_n && (a->flags & F_UPPER))
            break;
        first = k;
        words++;
        k--;
        ent_tok *b = T(S, k);
        if (word(b, "of") && (word(T(S, k - 1), "city") || word(T(S, k - 1), "town") ||
                              word(T(S, k - 1), "village") || word(T(S, k - 1), "county"))) {
            /* "City of Seattle": keep "Seattle" only. */
            k -= 2;
            break;
        }
        if (a->flags & F_NL)
            break;
    }
    if (first < 0)
        return -1;
    size_t n = 0;
    int generic = 1;
    for (long j = first; j <= last; j++) {
        ent_tok *a = T(S, j);
        if (!word(a, "state") && !word(a, "city") && !word(a, "county") && !word(a, "local"))
            generic = 0;
        for (size_t c = 0; c < a->nlen && n + 2 < outsz; c++)
            out[n++] = a->norm[c];
        if (j < last && n + 2 < outsz)
            out[n++] = '-';
    }
    out[n] = '\0';
    return generic ? -1 : first;
}

static long on_body(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    ent_tok *nx = T(S, i + 1);
    uint32_t r = roles(tk);
    char place[96];
    long first;
    if (!(tk->flags & F_CAP))
        return 0;
    if (r & R_POLICE) {
        int dept = nx && (nx->canon >= 0 && (word(nx, "department") || word(nx, "dept") ||
                                             word(nx, "bureau") || word(nx, "force")));
        if (!dept && !word(T(S, i - 1), "state"))
            return 0;
        first = place_back(S, i - 1, place, sizeof place);
        if (first < 0)
            return 0;
        if (strcmp(place, "new-york") == 0)
            snprintf(place, sizeof place, "new-york-city");
        emitf(S, CIV_ENTITY_BODY, 0, T(S, first)->start, dept ? nx->end : tk->end, 0,
              "%s-police", place);
        return dept ? i + 2 : i + 1;
    }
    if (r & R_PATROL) {
        ent_tok *pv = T(S, i - 1);
        if (!word(pv, "highway") && !word(pv, "state"))
            return 0;
        long sf;
        int st = state_back(S, i - 2, &sf);
        if (st < 0)
            return 0;
        emitf(S, CIV_ENTITY_BODY, 0, T(S, sf)->start, tk->end, 0, "%s-%s-patrol",
              civ_ent_states[st].slug, pv->norm);
        return i + 1;
    }
    if (r & R_SHERIFF) {
        if (!(nx && (word(nx, "office") || word(nx, "department") || word(nx, "dept"))))
            return 0;
        first = place_back(S, i - 1, place, sizeof place);
        if (first < 0)
            return 0;
        emitf(S, CIV_ENTITY_BODY, 0, T(S, first)->start, nx->end, 0, "%s-sheriff", place);
        return i + 2;
    }
    if (r & R_ATTORNEY) {
        ent_tok *pv = T(S, i - 1);
        if (word(pv, "district") && (tk->flags & F_POSS) && word(nx, "office")) {
            first = place_back(S, i - 2, place, sizeof place);
            if (first < 0)
                return 0;
            emitf(S, CIV_ENTITY_BODY, 0, T(S, first)->start, nx->end, 0, "%s-district-attorney",
                  place);
            return i + 2;
        }
        if (!word(nx, "general"))
            return 0;
        long sf, se;
        int st = state_back(S, i - 1, &sf);
        if (st >= 0) {
            emitf(S, CIV_ENTITY_BODY, 0, T(S, sf)->start, nx->end, 0, "%s-attorney-general",
                  civ_ent_states[st].slug);
            return i + 2;
        }
        long k = i + 2;
        if (!word(T(S, k), "of"))
            return 0;
        k++;
        if (word(T(S, k), "the") && word(T(S, k + 1), "state") && word(T(S, k + 2), "of"))
            k += 3;
        st = state_fwd(S, k, &se);
        if (st < 0)
            return 0;
        emitf(S, CIV_ENTITY_BODY, 0, tk->start, T(S, se - 1)->end, 0, "%s-attorney-general",
              civ_ent_states[st].slug);
        return se;
    }
    return 0;
}

/* Does token k begin a sentence (or a line)? */
static int sentence_start(scan *S, long k)
{
    ent_tok *a = T(S, k), *b = T(S, k - 1);
    if (!a || !b || (a->flags & F_NL))
        return 1;
    if (b->type == T_PUNCT)
        return b->cp == '.' || b->cp == '!' || b->cp == '?' || b->cp == ':' || b->cp == ';' ||
               b->cp == '"' || b->cp == '(';
    return (b->flags & F_DOT) && !(b->flags & F_INNER) && b->nlen >= 4 && !(b->flags & F_CAP);
}

/* "<State> Department of X": a state body, not the federal department. */
static long state_department(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    if (!(tk->flags & F_CAP) || !word(T(S, i + 1), "of"))
        return 0;
    long sf;
    int st = state_back(S, i - 1, &sf);
    if (st < 0)
        return 0;
    char what[64];
    size_t n = 0;
    long k = i + 2;
    for (int w = 0; w < 3; w++, k++) {
        ent_tok *a = T(S, k);
        if (!a || a->type != T_WORD || !(a->flags & F_CAP))
            break;
        if (n && n + 1 < sizeof what)
            what[n++] = '-';
        for (size_t c = 0; c < a->nlen && n + 1 < sizeof what; c++)
            what[n++] = a->norm[c];
        if (a->flags & F_DOT)
            break;
    }
    if (n == 0)
        return 0;
    what[n] = '\0';
    emitf(S, CIV_ENTITY_BODY, 0, T(S, sf)->start, T(S, k - 1)->end, 0, "%s-%s",
          civ_ent_states[st].slug, what);
    return k;
}

static const char *const ord_key[] = { "", "1st", "2d", "3d", "4th", "5th", "6th", "7th",
                                       "8th", "9th", "10th", "11th" };

/* Ordinal at token k: 1..27 (First, 4th, Twenty-First), *next after it. */
static int ordinal_at(scan *S, long k, long *next)
{
    ent_tok *a = T(S, k);
    if (!a)
        return 0;
    if (a->type == T_WORD && (roles(a) & R_ORD)) {
        int v = a->we->value;
        if (v > 0) {
            *next = k + 1;
            return v;
        }
        /* twenty-first, twenty first */
        long j = k + 1;
        if (punct(T(S, j), '-'))
            j++;
        ent_tok *b = T(S, j);
        if (b && (roles(b) & R_ORD) && b->we->value > 0 && b->we->value < 10) {
            *next = j + 1;
            return 20 + b->we->value;
        }
        return 0;
    }
    if (a->type == T_NUM && a->ndig <= 2 && a->numval >= 1 && a->numval <= 27) {
        const char *suf = a->norm + a->ndig;
        if (!strcmp(suf, "st") || !strcmp(suf, "nd") || !strcmp(suf, "rd") ||
            !strcmp(suf, "th") || !strcmp(suf, "d")) {
            *next = k + 1;
            return (int)a->numval;
        }
    }
    return 0;
}

static int roman(const ent_tok *a)
{
    if (!a || a->type != T_WORD || !(a->flags & F_UPPER) || a->nlen > 7)
        return 0;
    static const char *const r[] = { "", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix",
                                      "x", "xi", "xii", "xiii", "xiv", "xv", "xvi", "xvii",
                                      "xviii", "xix", "xx", "xxi", "xxii", "xxiii", "xxiv",
                                      "xxv", "xxvi", "xxvii" };
    for (int v = 1; v <= 27; v++)
        if (strcmp(a->norm, r[v]) == 0)
            return v;
    return 0;
}

/* After an amendment word at token k: "to the lease", "of the Ohio
 * Constitution" are not the federal Constitution. 1 if fine. */
static int amendment_ok(scan *S, long k)
{
    ent_tok *a = T(S, k);
    /* "the First Amendment dated June 1", "... hereto": a contract's. */
    if (word(a, "dated") || word(a, "hereto") || word(a, "thereto") || word(a, "executed") ||
        word(a, "effective"))
        return 0;
    if (!(word(a, "to") || word(a, "of")))
        return 1;
    for (long j = k + 1; j < k + 8; j++) {
        ent_tok *b = T(S, j);
        if (!b || b->type != T_WORD)
            return 0;
        if (roles(b) & R_CONST) {
            long sf;
            for (long m = k + 1; m < j; m++)
                if (word(T(S, m), "state") || state_back(S, m, &sf) >= 0)
                    return 0;
            return 1;
        }
        if (word(b, "bill") && word(T(S, j + 1), "of") && word(T(S, j + 2), "rights"))
            return 1;
    }
    return 0;
}

static long on_ordinal(scan *S, long i)
{
    int ords[12];
    long spans[12][2];
    int n = 0;
    long k = i, next;
    for (;;) {
        int v = ordinal_at(S, k, &next);
        if (!v || n == 12)
            break;
        ords[n] = v;
        spans[n][0] = k;
        spans[n][1] = next - 1;
        n++;
        k = next;
        long j = k;
        if (punct(T(S, j), ','))
            j++;
        if (word(T(S, j), "and") || word(T(S, j), "or") || punct(T(S, j), '&'))
            j++;
        if (j == k)
            break;
        long dummy;
        if (!ordinal_at(S, j, &dummy))
            break;
        k = j;
    }
    if (n == 1 && punct(T(S, k), '-') && (roles(T(S, k + 1)) & R_AMEND))
        k++;
    ent_tok *am = T(S, k);
    if (n == 0 || !(roles(am) & R_AMEND))
        return 0;
    if (!word(am, "amendment") && !word(am, "amendments") && !(am->flags & F_DOT))
        return 0;
    if (!amendment_ok(S, k + 1))
        return 0;
    /* "the first amendment proposed by the senator": a bill's. */
    ent_tok *nx = T(S, k + 1);
    if (T(S, i)->type == T_WORD && !(T(S, i)->flags & F_CAP) && !S->query &&
        (word(nx, "proposed") || word(nx, "offered") || word(nx, "passed") || word(nx, "failed") ||
         word(nx, "adopted") || word(nx, "introduced") || word(nx, "sponsored")))
        return 0;
    /* "the committee's first amendment", "its second amendment": a motion's. */
    ent_tok *first = T(S, i), *pv = T(S, i - 1);
    if (first->type == T_WORD && !(first->flags & F_CAP) && !S->query &&
        (pv && ((pv->flags & F_POSS) || word(pv, "a") || word(pv, "an") || word(pv, "its") ||
                word(pv, "their") || word(pv, "his") || word(pv, "her") || word(pv, "our") ||
                word(pv, "this") || word(pv, "each") || word(pv, "proposed"))))
        return 0;
    for (int j = 0; j < n; j++)
        emitf(S, CIV_ENTITY_AMENDMENT, 0, T(S, spans[j][0])->start,
              j == n - 1 ? am->end : T(S, spans[j][1])->end, 0, "%d", ords[j]);
    return k + 1;
}

/* "Amendment IV"; "amend. XIV"; "amends. I, XIV". */
static long on_amend(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    int abbr = (word(tk, "amend") || word(tk, "amends") || word(tk, "amdt") ||
                word(tk, "amdts")) && ((tk->flags & F_DOT) || (roles(T(S, i - 1)) & R_CONST));
    int full = word(tk, "amendment") && ((tk->flags & F_CAP) || S->query);
    if (!abbr && !full)
        return 0;
    if (abbr) {
        ent_tok *pv = T(S, i - 1);
        ent_tok *pv2 = T(S, i - 2);
        if ((roles(pv) & R_CONST) && pv2 && pv2->type == T_WORD && !word(pv2, "us") &&
            !word(pv2, "federal")) {
            for (size_t s = 0; s < civ_ent_nstates; s++)
                if (strcmp(pv2->norm, civ_ent_states[s].abbr) == 0)
                    return 0;
        }
    }
    long k = i + 1;
    int n = 0;
    long end = 0;
    for (int items = 0; items < 27; items++) {
        ent_tok *a = T(S, k);
        int v = roman(a);
        if (!v && S->query && a && a->type == T_WORD && a->nlen <= 7) {
            ent_tok up = *a;
            up.flags |= F_UPPER; /* a query may type "amendment iv" */
            v = roman(&up);
        }
        if (!v && (abbr || S->query) && a && a->type == T_NUM && (a->flags & F_ALLDIG) &&
            a->numval >= 1 && a->numval <= 27)
            v = (int)a->numval;
        if (!v)
            break;
        if (full && !amendment_ok(S, k + 1))
            return 0;
        emitf(S, CIV_ENTITY_AMENDMENT, 0, n ? a->start : tk->start, a->end, 0, "%d", v);
        n++;
        end = k + 1;
        if (full)
            break;
        long j = k + 1;
        if (punct(T(S, j), ','))
            j++;
        if (word(T(S, j), "and") || punct(T(S, j), '&'))
            j++;
        if (j == k + 1)
            break;
        k = j;
    }
    return n ? end : 0;
}

/* ---- exemptions and redactions ----------------------------------------------------- */

static int be_verb(const ent_tok *a)
{
    return word(a, "was") || word(a, "were") || word(a, "is") || word(a, "are") ||
           word(a, "has") || word(a, "have") || word(a, "had") || word(a, "been") || word(a, "be");
}

/* A group of codes standing where text was, or codes cited? */
static int cited(scan *S, long first, long after)
{
    int seen = 0;
    for (long j = first - 1; j >= 0 && j >= first - 8 && seen < 5; j--) {
        ent_tok *a = T(S, j);
        if (!a)
            break;
        if (a->type == T_WORD) {
            if (roles(a) & (R_CITECUE | R_EXEMPTION))
                return 1;
            seen++;
        } else if (a->type == T_NUM) {
            if (strcmp(a->norm, "552") == 0)
                return 1;
            seen++;
        } else if (punct(a, 0xA7)) {
            return 1;
        } else if (!punct(a, ',') && !punct(a, '(') && !punct(a, ')') && !punct(a, ':') &&
                   !punct(a, '"') && !punct(a, '\'') && !punct(a, '-')) {
            break;
        }
    }
    /* "§§ 552(b)(6) and (b)(7)(C)": the list of a citation goes on. */
    if (S->last_cited_end && T(S, first)->start <= S->last_cited_end + 12)
        return 1;
    ent_tok *pv = T(S, first - 1);
    if (word(pv, "the") || word(pv, "its") || word(pv, "their") || word(pv, "these") ||
        word(pv, "those") || word(pv, "this") || word(pv, "a") || word(pv, "an") ||
        (pv && pv->type == T_NUM && strcmp(pv->norm, "552") == 0))
        return 1; /* "the (b)(6) redactions": the code names a kind of withholding */
    ent_tok *a = T(S, after);
    if (punct(a, ')') || punct(a, ','))
        a = T(S, ++after);
    if (roles(a) & (R_CITECUE | R_EXEMPTION))
        return 1;
    if (be_verb(a) && (roles(T(S, after + 1)) & R_CITECUE))
        return 1;
    return 0;
}

static int adjacent_marker(scan *S, long first, long after)
{
    ent_tok *a = T(S, after);
    if (S->last_marker >= 0 && S->last_marker == first - 1)
        return 1;
    if (a && a->type == T_BLOCK)
        return 1;
    if (a && a->type == T_WORD && a->nlen >= 3 && (a->flags & F_UPPER) &&
        strspn(a->norm, "x") == a->nlen)
        return 1;
    return 0;
}

/* Exemption codes starting at token i: "(b)(6), (b)(7)(C)", "b6 and b7C",
 * "(b)(6)/(b)(7)(C)". */
static long on_codes(scan *S, long i, int loose_first)
{
    ent_tok *tk = T(S, i);
    ent_tok *pv = T(S, i - 1);
    /* "Rule 12(b)(6)", "§ 552a(b)(7)", "501(c)(3)": a subsection, not a code. */
    if (pv && pv->end == tk->start && pv->type != T_PUNCT)
        return 0;
    if (pv && pv->dend == tk->start && pv->type != T_PUNCT)
        return 0;
    int after552 = pv && pv->type == T_NUM && strcmp(pv->norm, "552") == 0 && tk->start > pv->dend;
    if (pv && !after552 &&
        (pv->type == T_NUM || (roles(pv) & (R_VITNEG | R_SECTION)) || punct(pv, 0xA7)))
        return 0;
    if (S->t[tk->start] != '(' && in_junk(S, tk))
        return 0;
    char codes[16][4];
    size_t cstart[16], cend[16];
    int n = 0, bforms = 0, upper_b = 0;
    size_t p = tk->start, lastend = p;
    for (;;) {
        char code[4];
        size_t q = read_code(S->t, S->len, p, n > 0 || loose_first, 0, code);
        if (!q && n == 0 && S->t[p] == 'B') {
            /* "B6, B7C" in a log: upper case, so only in a FOIA document. */
            q = read_code(S->t, S->len, p, 1, 0, code);
            upper_b = q != 0;
        }
        if (!q)
            break;
        if (S->t[p] == 'b' || S->t[p] == 'B')
            bforms++;
        if (n < 16) {
            memcpy(codes[n], code, 4);
            cstart[n] = p;
            cend[n] = q;
        }
        n++;
        lastend = q;
        /* separators */
        size_t r = skip_sp(S->t, S->len, q, 3);
        if (r < S->len && (S->t[r] == ',' || S->t[r] == ';' || S->t[r] == '/' || S->t[r] == '&'))
            r = skip_sp(S->t, S->len, r + 1, 3);
        if (r + 4 <= S->len && memcmp(S->t + r, "and ", 4) == 0)
            r = skip_sp(S->t, S->len, r + 4, 3);
        else if (r + 3 <= S->len && memcmp(S->t + r, "or ", 3) == 0)
            r = skip_sp(S->t, S->len, r + 3, 3);
        if (r == q)
            break;
        p = r;
        if (n >= 256)
            break;
    }
    if (n == 0)
        return 0;
    long after = tok_from_pos(S, i, lastend);
    /* "(b)(6) of the contract": a subsection of something else. */
    if (word(T(S, after), "of")) {
        int foia = 0;
        for (long j = after + 1; j <= after + 3 && !foia; j++) {
            ent_tok *a = T(S, j);
            foia = word(a, "foia") || word(a, "freedom") || (roles(a) & R_USC) ||
                   (a && a->type == T_NUM && strcmp(a->norm, "552") == 0);
        }
        if (!foia)
            return after;
    }
    /* A lone "b6" (or "7C") is a code only in a document about FOIA. */
    uint32_t need = 0;
    int adj = adjacent_marker(S, i, after);
    ent_tok *cue = pv;
    if (punct(cue, '"') || punct(cue, '\'') || punct(cue, '('))
        cue = T(S, i - 2);
    if (n == 1 && bforms == 1 && S->t[tk->start] != '(' && !adj &&
        !(roles(cue) & (R_CITECUE | R_EXEMPTION)))
        need = CTX_FOIA;
    if (upper_b) {
        int letter = 0;
        for (int j = 0; j < n && j < 16; j++)
            letter |= codes[j][2] != '\0';
        if (n < 2 || !letter)
            need = CTX_FOIA | CTX_RECORDS;
    }
    if (n == 1 && !bforms && S->t[tk->start] != '(' && !adj && !S->query)
        return 0;
    for (int j = 0; j < n && j < 16; j++)
        emit(S, CIV_ENTITY_EXEMPTION, 0, cstart[j], cend[j], need, codes[j], strlen(codes[j]));
    /* A list or table of codes ("(b)(6)    Information in personnel files",
     * "(b)(5): deliberative", "| (b)(6) |") describes them. */
    int table = 0;
    {
        size_t q = lastend, sp = 0;
        while (q < S->len && (S->t[q] == ' ' || S->t[q] == '\t')) {
            sp += S->t[q] == '\t' ? 2 : 1;
            q++;
        }
        if (sp >= 2 || (q < S->len && (S->t[q] == ':' || S->t[q] == '|' || S->t[q] == '=')) ||
            ((tk->flags & F_NL || i == 0) && dash_at(S->t, S->len, q) &&
             q + dash_at(S->t, S->len, q) < S->len && S->t[q + dash_at(S->t, S->len, q)] == ' ') ||
            punct(pv, '|'))
            table = 1;
    }
    if (!adj && !table && !cited(S, i, after)) {
        emit(S, CIV_ENTITY_REDACTION, 0, tk->start, lastend, need, "", 0);
        S->last_marker = after - 1;
    } else {
        S->last_cited_end = lastend;
    }
    return after;
}

/* "Exemption 6", "Exemption Five", "Exemptions 6 and 7(C)", "Exemption (b)(5)". */
static long on_exemption(scan *S, long i)
{
    long k = i + 1;
    int n = 0;
    long end = 0;
    for (int items = 0; items < 12; items++) {
        ent_tok *a = T(S, k);
        if (!a)
            break;
        char code[4] = { 0 };
        size_t q = 0;
        if (a->type == T_WORD && (roles(a) & R_NUMWORD)) {
            int v = a->we->value;
            code[0] = 'b';
            code[1] = (char)('0' + v);
            q = a->end;
            if (v == 7 && q + 2 < S->len && S->t[q] == '(' && is_alpha(S->t[q + 1]) &&
                lower(S->t[q + 1]) <= 'f' && S->t[q + 2] == ')') {
                code[2] = (char)lower(S->t[q + 1]);
                q += 3;
            }
        } else if (a->type == T_NUM || punct(a, '(') || (a->type == T_WORD && a->norm[0] == 'b')) {
            long dummy;
            /* "Exemption 7(A), 5 U.S.C. § 552(b)(7)(A)": a new citation, not an item. */
            if (a->type == T_NUM && n > 0 &&
                (usc_at(S, k + 1, &dummy) || cfr_at(S, k + 1, &dummy) || is_cap(T(S, k + 1))))
                break;
            q = read_code(S->t, S->len, a->start, 1, 1, code);
        }
        if (!q)
            break;
        emit(S, CIV_ENTITY_EXEMPTION, 0, n ? a->start : T(S, i)->start, q, 0, code, strlen(code));
        n++;
        k = tok_from_pos(S, k, q);
        end = k;
        long j = k;
        if (punct(T(S, j), ','))
            j++;
        if (word(T(S, j), "and") || word(T(S, j), "or") || punct(T(S, j), '&') ||
            word(T(S, j), "through"))
            j++;
        if (j == k)
            break;
        k = j;
    }
    return n ? end : 0;
}

static int redaction_word(const unsigned char *s, size_t n)
{
    static const char *const yes[] = { "redact", "withh", "delet", "excis", "sanitiz",
                                       "blacked out", "page denied" };
    static const char *const no[] = { "emphasis", "citation", "omitted", "quotation",
                                      "alteration", "footnote", "sic" };
    char low[128];
    size_t m = n < sizeof low - 1 ? n : sizeof low - 1;
    for (size_t i = 0; i < m; i++)
        low[i] = (char)lower(s[i]);
    low[m] = '\0';
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (strstr(low, no[i]))
            return 0;
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (strstr(low, yes[i]))
            return 1;
    return 0;
}

/* "[REDACTED]", "[PAGE WITHHELD ...]", "[b6]": one marker; codes inside count. */
static long on_bracket(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    size_t p = tk->start + 1, q = p;
    while (q < S->len && q - p < 120 && S->t[q] != ']' && S->t[q] != '[' && S->t[q] != '\n')
        q++;
    if (q >= S->len || S->t[q] != ']' || q == p)
        return 0;
    int only_codes = 0;
    {
        size_t r = skip_sp(S->t, S->len, p, 4);
        char code[4];
        size_t e = read_code(S->t, S->len, r, 1, 0, code);
        if (e && skip_sp(S->t, S->len, e, 4) >= q)
            only_codes = 1;
    }
    if (!only_codes && !redaction_word(S->t + p, q - p))
        return 0;
    for (size_t r = p; r < q; r++) {
        if (S->t[r] != '(' && S->t[r] != 'b' && S->t[r] != 'B')
            continue;
        if (r > p && is_alnum(S->t[r - 1]))
            continue;
        char code[4];
        size_t e = read_code(S->t, S->len, r, 1, 0, code);
        if (e && e <= q) {
            emit(S, CIV_ENTITY_EXEMPTION, 0, r, e, 0, code, strlen(code));
            r = e - 1;
        }
    }
    long after = tok_from_pos(S, i, q + 1);
    marker(S, after - 1, tk->start, q + 1);
    return after;
}

/* "(REDACTED)", "(redacted)", "(NAME WITHHELD)": a marker in parentheses,
 * when the parentheses hold nothing but it. */
static long on_paren(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    size_t p = tk->start + 1, q = p;
    int lowerc = 0;
    while (q < S->len && q - p < 32 && S->t[q] != ')' && S->t[q] != '(' && S->t[q] != '\n') {
        lowerc += S->t[q] >= 'a' && S->t[q] <= 'z';
        q++;
    }
    if (q >= S->len || S->t[q] != ')' || q == p || !redaction_word(S->t + p, q - p))
        return 0;
    int exact = (q - p == 8 && !memcmp(S->t + p, "redacted", 8)) ||
                (q - p == 8 && !memcmp(S->t + p, "withheld", 8)) ||
                (q - p == 7 && !memcmp(S->t + p, "deleted", 7));
    if (lowerc && !exact)
        return 0;
    long after = tok_from_pos(S, i, q + 1);
    marker(S, after - 1, tk->start, q + 1);
    return after;
}

/* ---- cases ---------------------------------------------------------------------------- */

static int edition_num(const ent_tok *a)
{
    if (!a || a->type != T_NUM || a->ndig > 2 || (a->flags & F_ALLDIG))
        return 0;
    const char *s = a->norm + a->ndig;
    return !strcmp(s, "d") || !strcmp(s, "th") || !strcmp(s, "st") || !strcmp(s, "nd") ||
           !strcmp(s, "rd");
}

static int sentence_start(scan *S, long k);

/* Verbs that lead into a case name at the start of a sentence. */
static int lead_verb(const ent_tok *a)
{
    static const char *const v[] = { "consider", "contrast", "noting", "explaining", "holding",
                                     "describing", "reaffirming", "adopting", "rejecting",
                                     "extending", "analyzing", "construing", "interpreting",
                                     "invoking", "addressing", "considering", "comparing",
                                     "contrasting", "limiting", "narrowing", "questioning",
                                     "criticizing", "rejected", "followed", "cited", "quoted" };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (strcmp(a->norm, v[i]) == 0)
            return 1;
    return 0;
}

/* Is the comma at token k inside the second party's name: capitalised
 * words back to a "v." within a few tokens? */
static int comma_in_party(scan *S, long k, long lo)
{
    for (long j = k - 1; j >= lo && j >= k - 5; j--) {
        ent_tok *a = T(S, j);
        if (!a)
            return 0;
        if (roles(a) & R_V)
            return j < k - 1;
        if (!(is_cap(a) || punct(a, '&')) || (roles(a) & R_STOP))
            return 0;
    }
    return 0;
}

/* The case name before a citation whose volume is token i. */
static void case_name(scan *S, long i, long case_item)
{
    ent_tok *c = T(S, i - 1);
    if (!punct(c, ','))
        return;
    long lo = S->cur - HISTORY + 2;
    if (lo < 0)
        lo = 0;
    long k = i - 2, first = -1;
    int has_v = 0, left = 0, right = 0, count = 0;
    long prev_added = -1;
    while (k >= lo && count < 24) {
        ent_tok *a = T(S, k);
        if (!a)
            break;
        int add = 0, stop_after = 0;
        if (a->type == T_WORD) {
            int low = a->norm[0] >= 'a' && a->norm[0] <= 'z' && !(a->flags & F_CAP);
            if (roles(a) & R_V) {
                if (has_v)
                    break;
                has_v = 1;
                add = 1;
            } else if (low && !word(a, "in")) {
                if (roles(a) & R_CONNECT)
                    add = 1;
                else
                    break;
            } else {
                if (word(a, "in") && prev_added >= 0 && word(T(S, prev_added), "re")) {
                    add = 1;
                    stop_after = 1;
                } else if (roles(a) & R_STOP || word(a, "the")) {
                    break;
                } else if (sentence_start(S, k) && lead_verb(a)) {
                    break; /* "Consider Katz v. United States": a verb leads in */
                } else if ((a->flags & F_DOT) && !(a->flags & (F_INNER | F_APOS)) && a->nlen >= 5 &&
                           !(roles(a) & R_SUFFIX) && count > 0) {
                    break; /* "... in Maryland. Smith v. Jones": a sentence ended */
                } else {
                    add = 1;
                }
            }
            if (add && !(roles(a) & R_V)) {
                if (has_v)
                    left++;
                else
                    right++;
            }
            if (has_v && left > 12)
                break;
        } else if (a->type == T_PUNCT) {
            if (a->cp == '&' || a->cp == '-' || a->cp == '\'')
                add = 1;
            else if (a->cp == ',' && prev_added >= 0 && (roles(T(S, prev_added)) & R_SUFFIX))
                add = 1;
            else if (a->cp == ',' && !has_v && comma_in_party(S, k, lo))
                add = 1; /* "NLRB v. Sears, Roebuck & Co." */
            else
                break;
        } else {
            break;
        }
        if (!add)
            break;
        first = k;
        prev_added = k;
        count++;
        k--;
        if (stop_after)
            break;
        if (a->flags & F_NL && a->type == T_WORD) {
            /* A name may wrap, but not across a blank line or a heading. */
        }
    }
    if (first < 0)
        return;
    /* Trim lower-case words and punctuation at the front. */
    while (first < i - 2) {
        ent_tok *a = T(S, first);
        if (a->type == T_WORD && ((a->flags & F_CAP) || word(a, "in")))
            break;
        if (a->type == T_WORD && (roles(a) & R_V))
            return;
        first++;
    }
    ent_tok *f = T(S, first);
    int inre = (word(f, "in") && word(T(S, first + 1), "re")) ||
               (word(f, "ex") && word(T(S, first + 1), "parte")) ||
               (word(f, "matter") && word(T(S, first + 1), "of"));
    if (!(has_v && left > 0 && right > 0) && !inre)
        return;
    char name[200];
    size_t n = 0;
    for (long j = first; j <= i - 2; j++) {
        ent_tok *a = T(S, j);
        const char *w = NULL;
        size_t wl = 0;
        if (a->type == T_WORD) {
            w = (roles(a) & R_V) ? "v" : a->norm;
            wl = strlen(w);
        } else if (punct(a, '&')) {
            w = "&";
            wl = 1;
        } else {
            continue;
        }
        if (n + wl + 2 >= sizeof name)
            break;
        if (n)
            name[n++] = ' ';
        memcpy(name + n, w, wl);
        n += wl;
    }
    /* "et al" is no part of the name. */
    name[n] = '\0';
    for (char *x; (x = strstr(name, " et al")) && (x[6] == ' ' || x[6] == '\0');) {
        memmove(x, x + 6, strlen(x + 6) + 1);
        n -= 6;
    }
    if (n == 0)
        return;
    emit(S, CIV_ENTITY_CASENAME, 0, f->start, T(S, i - 2)->end, 0, name, n);
    if (case_item < 0)
        return;
    if (S->nrn == 8) {
        memmove(S->rn, S->rn + 1, 7 * sizeof *S->rn);
        S->nrn--;
    }
    recent_name *rn = &S->rn[S->nrn++];
    memcpy(rn->first, f->norm, f->nlen + 1);
    if (word(f, "in") || word(f, "ex") || word(f, "matter")) {
        ent_tok *g = T(S, first + 2);
        if (g && g->type == T_WORD)
            memcpy(rn->first, g->norm, g->nlen + 1);
    }
    rn->item = case_item;
}

static int own_cite_line(scan *S, size_t start)
{
    size_t b = start, lim = start > 200 ? start - 200 : 0;
    while (b > lim && S->t[b - 1] != '\n')
        b--;
    while (b < start && (S->t[b] == ' ' || S->t[b] == '\t'))
        b++;
    return start - b >= 7 && (S->t[b] == 'C' || S->t[b] == 'c') &&
           lower(S->t[b + 1]) == 'i' && lower(S->t[b + 2]) == 't' && lower(S->t[b + 3]) == 'e' &&
           S->t[b + 4] == ' ' && lower(S->t[b + 5]) == 'a' && lower(S->t[b + 6]) == 's';
}

/* "585 U.S. 296", "138 S. Ct. 2206", "123 F.3d 456"; "585 U.S. at 310". */
static long on_cite(scan *S, long i)
{
    ent_tok *vol = T(S, i);
    if (!(vol->flags & F_ALLDIG) || vol->ndig > 4 || vol->numval == 0)
        return 0;
    ent_tok *r0 = T(S, i + 1);
    if (!r0 || r0->type != T_WORD || (!(r0->flags & F_CAP) && !S->query))
        return 0;
    char key[48];
    size_t kn = 0;
    long k = i + 1;
    int ok = 1;
    for (int n = 0; n < 7; n++, k++) {
        ent_tok *a = T(S, k);
        if (!a) {
            ok = 0;
            break;
        }
        if (a->type == T_NUM && (a->flags & F_ALLDIG))
            break;
        if (a->type == T_BLANK || (word(a, "at") && n > 0))
            break;
        if (!(a->type == T_WORD || edition_num(a) || punct(a, '&') || punct(a, '\'') ||
              punct(a, '(') || punct(a, ')'))) {
            ok = 0;
            break;
        }
        if (n > 0 && (a->flags & F_NL)) {
            ok = 0;
            break;
        }
        for (size_t p = a->start; p < a->dend; p++) {
            unsigned ch = S->t[p];
            if (ch == 0xE2 && p + 2 < a->dend && S->t[p + 1] == 0x80 && S->t[p + 2] == 0x99) {
                ch = '\'';
                p += 2;
            }
            if (kn + 1 >= sizeof key) {
                ok = 0;
                break;
            }
            key[kn++] = S->query ? (char)lower((int)ch) : (char)ch;
        }
        if (!ok)
            break;
    }
    if (!ok || kn == 0)
        return 0;
    ent_tok *pg = T(S, k);
    if (!pg)
        return 0;
    const char *slug = civ_ent_reporter_lookup(S->e, key, kn, S->query);
    if (!slug && kn > 1 && key[kn - 1] == '.')
        slug = civ_ent_reporter_lookup(S->e, key, kn - 1, S->query);
    if (!slug)
        return 0;
    if (pg->type == T_BLANK) {
        case_name(S, i, -1); /* "Carpenter v. United States, 585 U.S. ___, 138 S. Ct. 2206" */
        return k + 1;
    }
    if (word(pg, "at")) {
        ent_tok *pin = T(S, k + 1);
        if (!pin || pin->type != T_NUM)
            return 0;
        for (int j = S->nrc - 1; j >= 0; j--)
            if (S->rc[j].vol == vol->numval && strcmp(S->rc[j].slug, slug) == 0) {
                size_t vn;
                const char *v = item_value(S, S->rc[j].item, &vn);
                char val[96];
                if (vn >= sizeof val)
                    break;
                memcpy(val, v, vn);
                long it = emit(S, CIV_ENTITY_CASE, CIV_ENTITY_REF, vol->start, pin->end, 0, val, vn);
                if (it >= 0) {
                    S->last_case = S->rc[j].item;
                    S->last_auth_case = 1;
                }
                break;
            }
        return k + 2;
    }
    if (pg->type != T_NUM || !(pg->flags & F_ALLDIG) || pg->ndig > 7)
        return 0;
    /* "rose 5 F. 10 minutes later": a measure, not a page. */
    {
        static const char *const units[] = { "minutes", "minute", "hours", "hour", "seconds",
                                             "days", "weeks", "months", "years", "degrees",
                                             "percent", "feet", "miles", "meters", "people",
                                             "persons", "times", "pounds", "dollars", "cents" };
        ent_tok *u = T(S, k + 1);
        for (size_t j = 0; u && u->type == T_WORD && j < sizeof units / sizeof *units; j++)
            if (strcmp(u->norm, units[j]) == 0)
                return 0;
    }
    long item = emitf(S, CIV_ENTITY_CASE, 0, vol->start, pg->end, 0, "%u-%s-%u", vol->numval, slug,
                      pg->numval);
    if (item < 0)
        return k + 1;
    if (S->own_cite < 0 && own_cite_line(S, vol->start))
        S->own_cite = (long)vol->start;
    S->last_case = item;
    S->last_auth_case = 1;
    if (S->nrc == 8) {
        memmove(S->rc, S->rc + 1, 7 * sizeof *S->rc);
        S->nrc--;
    }
    recent_cite *rc = &S->rc[S->nrc++];
    rc->vol = vol->numval;
    snprintf(rc->slug, sizeof rc->slug, "%s", slug);
    rc->item = item;
    case_name(S, i, item);
    return k + 1;
}

static void ref_case(scan *S, long item, size_t start, size_t end)
{
    size_t vn;
    const char *v = item_value(S, item, &vn);
    char val[96];
    if (vn >= sizeof val)
        return;
    memcpy(val, v, vn);
    emit(S, CIV_ENTITY_CASE, CIV_ENTITY_REF, start, end, 0, val, vn);
}

/* ---- dockets and courts ------------------------------------------------------------------- */

static long on_docket(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    if (!(tk->flags & F_DOT))
        return 0;
    ent_tok *pv = T(S, i - 1);
    if (roles(pv) & R_DOCKNEG || word(pv, "l") || word(pv, "publ") || word(pv, "pl"))
        return 0;
    ent_tok *nx = T(S, i + 1);
    if (!nx || nx->type != T_NUM)
        return 0;
    const unsigned char *t = S->t;
    size_t p = nx->start, q = p, len = S->len;
    char out[48];
    size_t n = 0;
    size_t d1 = 0;
    while (q < len && is_digit(t[q]) && d1 < 5)
        out[n++] = (char)t[q++], d1++;
    if (q < len && t[q] == ':' && d1 <= 2) {
        /* 1:20-cv-01234-ABC */
        out[n++] = ':';
        q++;
        size_t d = 0;
        while (q < len && is_digit(t[q]) && d < 2)
            out[n++] = (char)t[q++], d++;
        if (d != 2)
            return 0;
    }
    size_t dl = dash_at(t, len, q);
    if (!dl || d1 == 0)
        return 0;
    out[n++] = '-';
    q += dl;
    size_t letters = 0;
    while (q < len && is_alpha(t[q]) && letters < 4)
        out[n++] = (char)lower(t[q++]), letters++;
    if (letters) {
        static const char *const kinds[] = { "cv", "cr", "mc", "mj", "md", "po", "sw", "bk", "ap",
                                             "civ", "crim", "ml", "dp", "pt", "ms", "gj", "cm" };
        int known = 0;
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
            known |= strlen(kinds[k]) == letters && memcmp(out + n - letters, kinds[k], letters) == 0;
        if (!known)
            return 0;
        dl = dash_at(t, len, q);
        if (!dl)
            return 0;
        out[n++] = '-';
        q += dl;
    } else if (d1 > 2 && strchr((const char *)out, ':') == NULL) {
        return 0; /* "2019-12345" is a year and a serial, not a docket */
    }
    size_t d2 = 0;
    while (q < len && is_digit(t[q]) && d2 < 7)
        out[n++] = (char)t[q++], d2++;
    if (d2 == 0 || (q < len && is_digit(t[q])))
        return 0;
    /* Judges' initials after the number are not part of it. */
    size_t end = q;
    while (dash_at(t, len, q) && q + dash_at(t, len, q) < len && is_alnum(t[q + dash_at(t, len, q)])) {
        q += dash_at(t, len, q);
        while (q < len && is_alnum(t[q]))
            q++;
    }
    if (q < len && is_alnum(t[q]))
        return 0;
    emit(S, CIV_ENTITY_DOCKET, 0, tk->start, end, 0, out, n);
    return tok_from_pos(S, i + 1, q);
}

static long on_circuit(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    if (!(tk->flags & F_CAP) && !S->query)
        return 0;
    ent_tok *pv = T(S, i - 1);
    long first = i - 1, nx;
    int v = 0;
    for (long j = i - 1; j >= i - 3 && j >= 0; j--) {
        ent_tok *a = T(S, j);
        int w = ordinal_at(S, j, &nx);
        if (w && nx == i) {
            v = w;
            first = j;
            break;
        }
        if (!a || a->type != T_WORD)
            break;
    }
    if (v >= 1 && v <= 11) {
        emitf(S, CIV_ENTITY_COURT, 0, T(S, first)->start, tk->end, 0, "%s-cir", ord_key[v]);
        return i + 1;
    }
    if (word(pv, "dc") || (word(pv, "columbia") && word(T(S, i - 2), "of") && word(T(S, i - 3), "district"))) {
        emit(S, CIV_ENTITY_COURT, 0, pv->start, tk->end, 0, "dc-cir", 6);
        return i + 1;
    }
    if (word(pv, "federal") && (pv->flags & F_CAP)) {
        emit(S, CIV_ENTITY_COURT, 0, pv->start, tk->end, 0, "fed-cir", 7);
        return i + 1;
    }
    return 0;
}

static long on_district(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    if (!(tk->flags & F_CAP) || !word(T(S, i + 1), "of"))
        return 0;
    ent_tok *pv = T(S, i - 1);
    const char *dir = "d";
    long first = i;
    if (word(pv, "northern"))
        dir = "nd";
    else if (word(pv, "southern"))
        dir = "sd";
    else if (word(pv, "eastern"))
        dir = "ed";
    else if (word(pv, "western"))
        dir = "wd";
    else if (word(pv, "central"))
        dir = "cd";
    else if (word(pv, "middle"))
        dir = "md";
    if (dir[1])
        first = i - 1;
    int court = dir[1] != '\0';
    for (long j = i - 1; j >= i - 6 && j >= 0 && !court; j--)
        if (word(T(S, j), "court"))
            court = 1;
    if (!court)
        return 0;
    long end;
    const char *abbr;
    if (word(T(S, i + 2), "columbia")) {
        abbr = "dc";
        end = i + 3;
    } else {
        int st = state_fwd(S, i + 2, &end);
        if (st < 0)
            return 0;
        abbr = civ_ent_states[st].abbr;
    }
    emitf(S, CIV_ENTITY_COURT, 0, T(S, first)->start, T(S, end - 1)->end, 0, "%s-%s", dir, abbr);
    return end;
}

/* ---- words ------------------------------------------------------------------------------- */

static long on_pub(scan *S, long i);

/* "Pub. L. No. 107-56" at token k, when it is a named act's number: the
 * act's key (and the token after the number in *end). */
static const char *publaw_act(scan *S, long k, long *end)
{
    static const char *const laws[][2] = {
        { "107-56", "patriot" }, { "114-23", "usa-freedom" }, { "95-511", "fisa" },
        { "110-261", "fisa" }, { "93-579", "privacy-act" }, { "89-487", "foia" },
        { "99-508", "ecpa" }, { "90-351", "wiretap" }, { "103-141", "rfra" },
        { "82-414", "ina" }, { "103-414", "calea" }, { "99-474", "cfaa" },
    };
    ent_tok *a = T(S, k);
    if (!(roles(a) & (R_PUB | R_PUBLIC)))
        return NULL;
    size_t before = S->l->n;
    long e = on_pub(S, k);
    if (!e || S->l->n == before)
        return NULL;
    const ent_item *it = &S->l->items[S->l->n - 1];
    const char *v = S->l->vals.data + it->voff;
    for (size_t i = 0; i < sizeof laws / sizeof *laws; i++)
        if (strcmp(v, laws[i][0]) == 0) {
            *end = e;
            return laws[i][1];
        }
    return NULL;
}

/* "Section 702 of FISA", "section 1983 of title 42", bare "Section 702". */
static long on_section(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    long k = i + 1;
    int plural = 0;
    if (punct(tk, 0xA7) && punct(T(S, k), 0xA7)) {
        plural = 1;
        k++;
    }
    ent_tok *n = T(S, k);
    if (!n || n->type != T_NUM)
        return 0;
    section sc;
    if (!read_section(S->t, S->len, n->start, plural, 0, &sc))
        return 0;
    long j = tok_from_pos(S, k, sc.end);
    /* "Sections 702 and 704 of FISA": the others of the list, if an act follows. */
    section more[8];
    int nmore = 0;
    size_t more_start[8];
    if ((word(tk, "sections") || word(tk, "secs") || plural) && !word(T(S, j), "of")) {
        long m = j;
        while (nmore < 8) {
            long q = m;
            if (punct(T(S, q), ','))
                q++;
            if (word(T(S, q), "and") || word(T(S, q), "or"))
                q++;
            ent_tok *a = T(S, q);
            if (q == m || !a || a->type != T_NUM ||
                !read_section(S->t, S->len, a->start, 0, 0, &more[nmore]))
                break;
            more_start[nmore++] = a->start;
            m = tok_from_pos(S, q, more[nmore - 1].end);
        }
        long e2;
        unsigned f2;
        if (nmore && word(T(S, m), "of") &&
            act_at(S, word(T(S, m + 1), "the") ? m + 2 : m + 1, &e2, &f2))
            j = m;
        else
            nmore = 0;
    }
    if (word(T(S, j), "of")) {
        long m = j + 1;
        if (word(T(S, m), "title") || word(T(S, m), "the") ) {
            long t = word(T(S, m), "the") ? m + 1 : m;
            ent_tok *tt = T(S, t + 1);
            if (word(T(S, t), "title") && tt && (tt->flags & F_ALLDIG) && tt->numval >= 1 &&
                tt->numval <= 54) {
                long after = t + 2, dummy, c = after;
                if (punct(T(S, c), ','))
                    c++;
                if (word(T(S, c), "of") && word(T(S, c + 1), "the"))
                    c += 2;
                if (cfr_at(S, c, &dummy)) {
                    section s2;
                    if (!read_section(S->t, S->len, n->start, plural, 1, &s2))
                        return 0;
                    emit_section(S, CIV_ENTITY_CFR, tt->numval, &s2, tk->start);
                    return dummy;
                }
                if (usc_at(S, c, &dummy))
                    after = dummy;
                emit_section(S, CIV_ENTITY_USC, tt->numval, &sc, tk->start);
                S->last_auth_case = 0;
                return after;
            }
            m = word(T(S, m), "the") ? m + 1 : m;
        }
        long end;
        unsigned flags = 0;
        const char *key = act_at(S, m, &end, &flags);
        if (!key)
            key = publaw_act(S, m, &end);
        if (key) {
            if (flags & CIV_ENT_F_NOTOF) {
                /* "Section 3 of Title III of the ..." is rare: treat as the act. */
            }
            emitf(S, CIV_ENTITY_ACT, 0, tk->start, T(S, end - 1)->end,
                  (flags & CIV_ENT_F_SURV) ? CTX_SURV : 0, "%s/%s", key, sc.sec);
            for (int x = 0; x < nmore; x++)
                emitf(S, CIV_ENTITY_ACT, 0, more_start[x], more[x].sec_end,
                      (flags & CIV_ENT_F_SURV) ? CTX_SURV : 0, "%s/%s", key, more[x].sec);
            if (!strcmp(key, "foia"))
                emit_exemption_552(S, &sc, sc.sec_end, sc.end);
            return end;
        }
        return j;
    }
    if (!strcmp(sc.sec, "702") || !strcmp(sc.sec, "215")) {
        emitf(S, CIV_ENTITY_ACT, 0, tk->start, sc.sec_end, CTX_SURV, "%s/%s",
              sc.sec[0] == '7' ? "fisa" : "patriot", sc.sec);
        return j;
    }
    if (!strcmp(sc.sec, "552"))
        emit_exemption_552(S, &sc, sc.sec_end, sc.end);
    return j;
}

static long on_phrase(scan *S, long i)
{
    long end;
    const ent_phrase *p = match_phrase(S, i, ~0u, &end);
    if (!p)
        return 0;
    ent_tok *tk = T(S, i);
    size_t last = T(S, end - 1)->end;
    if (p->kind == CIV_ENTITY_AGENCY && (word(tk, "department") || word(tk, "dept"))) {
        long r = state_department(S, i);
        if (r)
            return r;
        /* "L.A. Dep't of Transp.", "Chicago Department of Aviation": a city's. */
        ent_tok *pv = T(S, i - 1);
        if (pv && pv->type == T_WORD && (pv->flags & F_CAP) && !(pv->flags & F_NL) &&
            (!(pv->flags & F_DOT) || (pv->flags & F_INNER)) && !word(pv, "us") &&
            !word(pv, "states") && !word(pv, "federal") && !word(pv, "the") &&
            !(roles(pv) & (R_V | R_STOP)) && !(pv->we && pv->we->abbr_n) &&
            !sentence_start(S, i - 1))
            return end;
    }
    if (p->kind == CIV_ENTITY_ACT) {
        if (p->flags & CIV_ENT_F_NOTOF) {
            long m = end;
            if (word(T(S, m), "of"))
                m++;
            if (word(T(S, m), "the"))
                m++;
            long e2;
            unsigned f2;
            const char *other = m > end ? act_at(S, m, &e2, &f2) : NULL;
            if (other && strcmp(other, p->key) != 0)
                return end;
            if (other) {
                emit(S, CIV_ENTITY_ACT, 0, tk->start, T(S, e2 - 1)->end, 0, p->key, strlen(p->key));
                return e2;
            }
        }
        long s = act_section_after(S, end, p->key, tk->start);
        if (s)
            return s;
    }
    if (p->kind == CIV_ENTITY_COURT && word(tk, "fisa"))
        emit(S, CIV_ENTITY_ACT, 0, tk->start, tk->end, 0, "fisa", 4); /* the act names it */
    emit(S, p->kind, 0, tk->start, last, (p->flags & CIV_ENT_F_SURV) ? CTX_SURV : 0, p->key,
         strlen(p->key));
    return end;
}

static long on_abbrev(scan *S, long i)
{
    const ent_abbrev *a = match_abbrev(S, i, ~0u);
    if (!a)
        return 0;
    ent_tok *tk = T(S, i);
    ent_tok *nx = T(S, i + 1);
    ent_tok *pv = T(S, i - 1);
    uint32_t need = a->flags >> CIV_ENT_CTX_SHIFT;
    if (need && !(need & CTX_ICE))
        need |= CTX_AGENCY;
    if (!strcmp(a->key, "ice") && (roles(nx) & R_ICENEG))
        return 0;
    /* "ICE's program", "ICE said": an organisation, whatever the document. */
    if (need && ((tk->flags & F_POSS) || word(nx, "said") || word(nx, "says") ||
                 word(nx, "announced") || word(nx, "spokesman") || word(nx, "spokeswoman") ||
                 word(nx, "spokesperson") || word(nx, "director") || word(nx, "officials") ||
                 word(nx, "official") || word(nx, "confirmed") || word(nx, "declined") ||
                 word(nx, "denied") || word(nx, "agents") || word(nx, "officers")))
        need = 0;
    if (!strcmp(a->key, "doe") && (word(pv, "john") || word(pv, "jane") || word(pv, "richard") ||
                                   word(pv, "roe") || (nx && nx->type == T_NUM) || punct(nx, '#') ||
                                   (roles(nx) & R_V) || (roles(pv) & R_V) || punct(nx, ',')))
        return 0;
    if (a->kind == CIV_ENTITY_ACT && !strcmp(a->key, "ada") && is_cap(nx) && !word(nx, "title"))
        return 0;
    if (a->kind == CIV_ENTITY_ACT && !strcmp(a->key, "fisa") && word(nx, "ct") &&
        (nx->flags & F_DOT))
        return i + 1; /* "(FISA Ct. Rev. 2002)": the court of a cited case */
    if (a->kind == CIV_ENTITY_ACT && !strcmp(a->key, "apa") &&
        (word(nx, "style") || word(nx, "format") || word(nx, "citation")))
        return 0;
    if (in_junk(S, tk))
        return 0;
    size_t end = (tk->flags & F_INNER) ? tk->dend : tk->end;
    if (a->kind == CIV_ENTITY_ACT) {
        long s = act_section_after(S, i + 1, a->key, tk->start);
        if (s)
            return s;
    }
    emit(S, a->kind, 0, tk->start, end, need, a->key, strlen(a->key));
    return i + 1;
}

static long on_pub(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    long k = i + 1;
    if (word(tk, "pub")) {
        if (!(tk->flags & F_DOT) && !S->query)
            return 0;
        ent_tok *l = T(S, k);
        if (!(word(l, "l") || word(l, "law")))
            return 0;
        k++;
    } else if (word(tk, "pl")) {
        if (!(tk->flags & F_UPPER) && !S->query)
            return 0;
    } else if (word(tk, "public")) {
        if (!word(T(S, k), "law"))
            return 0;
        k++;
    } else if (!word(tk, "publ")) {
        return 0;
    }
    if (word(T(S, k), "no") || word(T(S, k), "number"))
        k++;
    ent_tok *c = T(S, k);
    if (!c || !(c->flags & F_ALLDIG) || c->numval < 1 || c->numval > 199)
        return 0;
    size_t q = c->end, dl = dash_at(S->t, S->len, q);
    if (!dl)
        return 0;
    q += dl;
    uint32_t law = 0;
    size_t d = 0;
    while (q < S->len && is_digit(S->t[q]) && d < 5)
        law = law * 10 + (uint32_t)(S->t[q++] - '0'), d++;
    if (d == 0 || (q < S->len && is_alnum(S->t[q])))
        return 0;
    emitf(S, CIV_ENTITY_PUBLAW, 0, tk->start, q, 0, "%u-%u", c->numval, law);
    return tok_from_pos(S, k, q);
}

/* "Free XXX Links": the other XXX. */
static int xxx_adult(scan *S, long i)
{
    static const char *const w[] = { "free", "adult", "adults", "porn", "sex", "hot", "movies",
                                     "videos", "pics", "links", "sites", "site", "passwords",
                                     "amateurs", "rated", "teens", "live", "hardcore", "girls",
                                     "chat", "cams", "dvd", "dvds", "smut", "smuttiest" };
    ent_tok *a[2] = { T(S, i - 1), T(S, i + 1) };
    for (int k = 0; k < 2; k++)
        for (size_t j = 0; a[k] && a[k]->type == T_WORD && j < sizeof w / sizeof *w; j++)
            if (strcmp(a[k]->norm, w[j]) == 0)
                return 1;
    return 0;
}

static long on_word(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    /* XXX, XXXXX: a redaction (XXXVIII and XXXL are not). */
    if (tk->nlen >= 3 && (tk->flags & F_UPPER) && tk->norm[0] == 'x' &&
        strspn(tk->norm, "x") == tk->nlen && !(roles(T(S, i - 1)) & R_XNEG) &&
        !word(T(S, i - 1), "title") && !word(T(S, i - 1), "amendment") &&
        !word(T(S, i + 1), "anniversary") && !word(T(S, i + 1), "century") &&
        !word(T(S, i + 1), "olympiad") && !word(T(S, i + 1), "congress") &&
        !word(T(S, i + 1), "edition") && !word(T(S, i + 1), "annual") &&
        !word(T(S, i + 1), "corps") && !xxx_adult(S, i) &&
        !in_junk(S, tk)) {
        marker(S, i, tk->start, tk->end);
        return i + 1;
    }
    if (!tk->we) {
        if (tk->nlen == 1 && tk->norm[0] == 'b' && tk->end < S->len && S->t[tk->end] == '(')
            return on_codes(S, i, 0);
        return 0;
    }
    uint32_t r = tk->we->roles;
    long n;
    if ((r & R_TITLE) && (n = on_title(S, i)))
        return n;
    if ((r & R_SECTION) && (n = on_section(S, i)))
        return n;
    if ((r & (R_PUB | R_PUBLIC)) && (n = on_pub(S, i)))
        return n;
    if ((r & R_EXEMPTION) && (n = on_exemption(S, i)))
        return n;
    if ((r & R_ORD) && (n = on_ordinal(S, i)))
        return n;
    if ((r & R_AMEND) && (n = on_amend(S, i)))
        return n;
    if ((r & R_BCODE) && (n = on_codes(S, i, 0)))
        return n;
    if ((r & R_ID) && (tk->flags & F_DOT)) {
        if (S->last_case >= 0 && S->last_auth_case)
            ref_case(S, S->last_case, tk->start, tk->dend);
        return i + 1;
    }
    if (r & R_SUPRA) {
        ent_tok *nm = T(S, i - 2);
        if (punct(T(S, i - 1), ',') && nm && nm->type == T_WORD)
            for (int j = S->nrn - 1; j >= 0; j--)
                if (strcmp(S->rn[j].first, nm->norm) == 0) {
                    ref_case(S, S->rn[j].item, nm->start, tk->end);
                    break;
                }
        return i + 1;
    }
    if ((r & R_NO) && (n = on_docket(S, i)))
        return n;
    if ((r & (R_POLICE | R_SHERIFF | R_PATROL | R_ATTORNEY)) && (n = on_body(S, i)))
        return n;
    if ((r & R_DEPT) && (n = state_department(S, i)))
        return n;
    if (((r & R_CIRCUIT) || (S->query && word(tk, "cir"))) && (n = on_circuit(S, i)))
        return n;
    if ((r & R_DISTRICT) && (n = on_district(S, i)))
        return n;
    if ((r & R_BUREAU) && (tk->flags & F_CAP) && word(T(S, i - 1), "the") &&
        !word(T(S, i + 1), "of") && !is_cap(T(S, i + 1)) && !is_cap(T(S, i - 2))) {
        emit(S, CIV_ENTITY_AGENCY, 0, tk->start, tk->end, CTX_FBI, "fbi", 3);
        return i + 1;
    }
    if (tk->canon >= 0 && S->e->words[tk->canon].phr_n && (n = on_phrase(S, i)))
        return n;
    if (tk->we->abbr_n && (n = on_abbrev(S, i)))
        return n;
    return 0;
}

static long on_num(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    long after, n;
    if ((tk->flags & F_ALLDIG) && tk->numval >= 1 && tk->numval <= 54 && usc_at(S, i + 1, &after))
        return statute_sections(S, CIV_ENTITY_USC, tk->numval, after, tk->start);
    if ((tk->flags & F_ALLDIG) && tk->numval >= 1 && tk->numval <= 50 && cfr_at(S, i + 1, &after))
        return statute_sections(S, CIV_ENTITY_CFR, tk->numval, after, tk->start);
    if ((tk->flags & F_ALLDIG) && (n = on_cite(S, i)))
        return n;
    if (strcmp(tk->norm, "552") == 0 && tk->end < S->len && S->t[tk->end] == '(') {
        section sc;
        if (read_section(S->t, S->len, tk->start, 0, 0, &sc)) {
            emit_exemption_552(S, &sc, sc.sec_end, sc.end);
            return tok_from_pos(S, i, sc.end);
        }
    }
    if (!(tk->flags & F_ALLDIG) && (n = on_ordinal(S, i)))
        return n;
    if (tk->ndig == 1 && tk->norm[0] == '7' && (n = on_codes(S, i, 1)))
        return n;
    return 0;
}

int civ_ent_scan(civ_entity_list *l, const civ_entities *e, const char *t, size_t len, int query,
                 ent_scan_result *res)
{
    if (!l->ring) {
        l->ring = malloc(RING * sizeof *l->ring);
        if (!l->ring)
            return -1;
    }
    scan S;
    memset(&S, 0, sizeof S);
    S.e = e;
    S.l = l;
    S.t = (const unsigned char *)t;
    S.len = len;
    S.ring = l->ring;
    S.query = query;
    S.last_case = -1;
    S.last_marker = -2;
    S.own_cite = -1;
    S.cues = res->cues;
    const ent_wentry *andw = civ_ent_word_lookup(e, "and", 3);
    S.and_canon = andw ? andw->canon : -1;
    for (S.cur = 0;;) {
        ent_tok *tk = T(&S, S.cur);
        if (!tk)
            break;
        long next = 0;
        switch (tk->type) {
        case T_WORD:
            next = on_word(&S, S.cur);
            break;
        case T_NUM:
            next = on_num(&S, S.cur);
            break;
        case T_BLOCK:
            marker(&S, S.cur, tk->start, tk->end);
            break;
        case T_PUNCT:
            if (tk->cp == '(') {
                next = on_codes(&S, S.cur, 0);
                if (!next)
                    next = on_paren(&S, S.cur);
            }
            else if (tk->cp == '[')
                next = on_bracket(&S, S.cur);
            else if (tk->cp == 0xA7)
                next = on_section(&S, S.cur);
            break;
        default:
            break;
        }
        if (l->failed)
            return -1;
        S.cur = next > S.cur ? next : S.cur + 1;
    }
    if (query && l->n == 0) {
        /* A case name alone: "Carpenter v. United States". */
        int has_v = 0, words = 0;
        char name[200];
        size_t n = 0;
        S.pos = 0;
        S.ntok = 0;
        S.eof = 0;
        for (long k = 0;; k++) {
            ent_tok *a = T(&S, k);
            if (!a)
                break;
            if (a->type != T_WORD)
                continue;
            const char *w = (roles(a) & R_V) ? "v" : a->norm;
            has_v |= (roles(a) & R_V) != 0;
            words++;
            size_t wl = strlen(w);
            if (n + wl + 2 >= sizeof name)
                break;
            if (n)
                name[n++] = ' ';
            memcpy(name + n, w, wl);
            n += wl;
        }
        if (has_v && words >= 3)
            emit(&S, CIV_ENTITY_CASENAME, 0, 0, len, 0, name, n);
    }
    res->ctx = S.ctx;
    res->own_cite = S.own_cite;
    return l->failed ? -1 : 0;
}
