/* The entity scan's tokenizer: characters, tokens, the ring of tokens the
 * recognizers read, and tests on a token's surroundings (see scan.c). */
#include "scan.h"

/* ---- characters ---------------------------------------------------------- */

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

/* Skips white space from s[i] on, noting it in *fl (F_SP, F_NL); the
 * position of the next token, len or more at the end of the text. */
static size_t skip_space(const unsigned char *s, size_t i, size_t len, unsigned *fl)
{
    for (;;) {
        if (i >= len)
            return i;
        unsigned c = s[i];
        if (c == ' ' || c == '\t' || c == '\r') {
            *fl |= F_SP;
            i++;
            continue;
        }
        if (c == '\n') {
            *fl |= F_SP | F_NL;
            i++;
            continue;
        }
        if (c >= 0x80 || c == '\f' || c == '\v') {
            size_t n;
            uint32_t cp = utf8(s, i, len, &n);
            if (is_space_cp(cp)) {
                *fl |= F_SP;
                if (cp == 0x2028 || cp == 0x2029)
                    *fl |= F_NL;
                i += n;
                continue;
            }
        }
        return i;
    }
}

/* A word token from s[i] on (i is its first letter): letters, digits,
 * inner apostrophes and dots, a possessive 's and a dot after it. */
static void read_word(scan *S, ent_tok *tk, size_t i)
{
    const unsigned char *s = S->t;
    size_t len = S->len;
    unsigned c = s[i];
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
}

/* A number token from s[i] on (i is its first digit): digits, decimals,
 * then letters ("1028A", "3d") and a dot after it. */
static void read_number(scan *S, ent_tok *tk, size_t i)
{
    const unsigned char *s = S->t;
    size_t len = S->len;
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
}

/* Any other token from s[i] on: a run of underscores, a run of redaction
 * blocks or one punctuation character (dashes and curly quotes made plain). */
static void read_other(scan *S, ent_tok *tk, size_t i)
{
    const unsigned char *s = S->t;
    size_t len = S->len;
    if (s[i] == '_') {
        tk->type = T_BLANK;
        while (i < len && s[i] == '_')
            i++;
        tk->end = tk->dend = i;
        S->pos = i;
        return;
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
        return;
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
}

/* Makes the next token into tk; 0 at the end of the text. */
static int next_token(scan *S, ent_tok *tk)
{
    const unsigned char *s = S->t;
    size_t i = S->pos, len = S->len;
    unsigned fl = 0;
    i = skip_space(s, i, len, &fl);
    if (i >= len) {
        S->pos = i;
        return 0;
    }
    memset(tk, 0, offsetof(ent_tok, norm));
    tk->norm[0] = '\0';
    tk->hash = 2166136261u;
    tk->start = i;
    tk->flags = (uint16_t)fl;
    unsigned c = s[i];
    size_t n0;
    if (is_alpha((int)c) || (c >= 0x80 && is_letter_cp(utf8(s, i, len, &n0))))
        read_word(S, tk, i);
    else if (is_digit((int)c))
        read_number(S, tk, i);
    else
        read_other(S, tk, i);
    return 1;
}

/* Token k (absolute), or NULL past the end or too far behind. */
#if defined(__GNUC__)
__attribute__((noinline))
#endif
ent_tok *scan_fill(scan *S, long k)
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

/* The first token starting at or after byte position p, from token k on. */
long scan_tok_from_pos(scan *S, long k, size_t p)
{
    ent_tok *tk;
    while ((tk = T(S, k)) && tk->start < p)
        k++;
    return k;
}

/* Is the token part of a URL, an address, markup or an encoded blob? The
 * white-space-delimited chunk around it tells ("://", "www.", "@", "=",
 * or 60 bytes without a space). */
int scan_in_junk(scan *S, const ent_tok *tk)
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
int scan_surveillance_section(const char *v, size_t vn)
{
    if (vn < 7 || memcmp(v, "18/", 3) != 0)
        return 0;
    long sec = 0;
    for (size_t i = 3; i < vn && i < 8 && v[i] >= '0' && v[i] <= '9'; i++)
        sec = sec * 10 + (v[i] - '0');
    return (sec >= 2510 && sec <= 2523) || (sec >= 2701 && sec <= 2713) ||
           (sec >= 3121 && sec <= 3127);
}
