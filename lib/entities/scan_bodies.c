/* The entity scan: named acts, agencies and other bodies (phrases and
 * abbreviations), states, dockets and courts (see scan.c). */
#include "scan.h"

#include <stdio.h>

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
            while (m < n && lower(civ_ent_str(S->e, a->form)[m]) == lower(letters[m]))
                m++;
            if (m == n)
                return a;
        } else if (memcmp(civ_ent_str(S->e, a->form), letters, n) == 0) {
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
    if (!scan_read_section(S->t, S->len, n->start, 0, 0, &sc))
        return 0;
    scan_emitf(S, CIV_ENTITY_ACT, 0, start, sc.end, 0, "%s/%s", key, sc.sec);
    return scan_tok_from_pos(S, k, sc.end);
}

/* "of the <act>" at token k: the act's key and the token after it. */
const char *scan_act_at(scan *S, long k, long *end, unsigned *flags)
{
    long e;
    const ent_phrase *p = match_phrase(S, k, CIV_ENTITY_BIT(CIV_ENTITY_ACT), &e);
    if (p) {
        *end = e;
        *flags = p->flags;
        return civ_ent_str(S->e, p->key);
    }
    const ent_abbrev *a = match_abbrev(S, k, CIV_ENTITY_BIT(CIV_ENTITY_ACT));
    if (a) {
        *end = k + 1;
        *flags = a->flags;
        return civ_ent_str(S->e, a->key);
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

int scan_state_back(scan *S, long last, long *first)
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

long scan_on_body(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    ent_tok *nx = T(S, i + 1);
    uint32_t r = roles(tk);
    char place[96];
    long first;
    if (!(tk->flags & F_CAP))
        return 0;
    if (r & R_POLICE) {
        /* word() checks the type: a punctuation token has no canon set. */
        int dept = word(nx, "department") || word(nx, "dept") || word(nx, "bureau") || word(nx, "force");
        if (!dept && !word(T(S, i - 1), "state"))
            return 0;
        first = place_back(S, i - 1, place, sizeof place);
        if (first < 0)
            return 0;
        if (strcmp(place, "new-york") == 0)
            snprintf(place, sizeof place, "new-york-city");
        scan_emitf(S, CIV_ENTITY_BODY, 0, T(S, first)->start, dept ? nx->end : tk->end, 0,
                   "%s-police", place);
        return dept ? i + 2 : i + 1;
    }
    if (r & R_PATROL) {
        ent_tok *pv = T(S, i - 1);
        if (!word(pv, "highway") && !word(pv, "state"))
            return 0;
        long sf;
        int st = scan_state_back(S, i - 2, &sf);
        if (st < 0)
            return 0;
        scan_emitf(S, CIV_ENTITY_BODY, 0, T(S, sf)->start, tk->end, 0, "%s-%s-patrol",
                   civ_ent_states[st].slug, pv->norm);
        return i + 1;
    }
    if (r & R_SHERIFF) {
        if (!(nx && (word(nx, "office") || word(nx, "department") || word(nx, "dept"))))
            return 0;
        first = place_back(S, i - 1, place, sizeof place);
        if (first < 0)
            return 0;
        scan_emitf(S, CIV_ENTITY_BODY, 0, T(S, first)->start, nx->end, 0, "%s-sheriff", place);
        return i + 2;
    }
    if (r & R_ATTORNEY) {
        ent_tok *pv = T(S, i - 1);
        if (word(pv, "district") && (tk->flags & F_POSS) && word(nx, "office")) {
            first = place_back(S, i - 2, place, sizeof place);
            if (first < 0)
                return 0;
            scan_emitf(S, CIV_ENTITY_BODY, 0, T(S, first)->start, nx->end, 0, "%s-district-attorney",
                       place);
            return i + 2;
        }
        if (!word(nx, "general"))
            return 0;
        long sf, se;
        int st = scan_state_back(S, i - 1, &sf);
        if (st >= 0) {
            scan_emitf(S, CIV_ENTITY_BODY, 0, T(S, sf)->start, nx->end, 0, "%s-attorney-general",
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
        scan_emitf(S, CIV_ENTITY_BODY, 0, tk->start, T(S, se - 1)->end, 0, "%s-attorney-general",
                   civ_ent_states[st].slug);
        return se;
    }
    return 0;
}

/* Does token k begin a sentence (or a line)? */
int scan_sentence_start(scan *S, long k)
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
long scan_state_department(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    if (!(tk->flags & F_CAP) || !word(T(S, i + 1), "of"))
        return 0;
    long sf;
    int st = scan_state_back(S, i - 1, &sf);
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
    scan_emitf(S, CIV_ENTITY_BODY, 0, T(S, sf)->start, T(S, k - 1)->end, 0, "%s-%s",
               civ_ent_states[st].slug, what);
    return k;
}

/* ---- dockets and courts ------------------------------------------------------------------- */

long scan_on_docket(scan *S, long i)
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
    size_t dl = scan_dash_at(t, len, q);
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
        dl = scan_dash_at(t, len, q);
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
    while (scan_dash_at(t, len, q) && q + scan_dash_at(t, len, q) < len && is_alnum(t[q + scan_dash_at(t, len, q)])) {
        q += scan_dash_at(t, len, q);
        while (q < len && is_alnum(t[q]))
            q++;
    }
    if (q < len && is_alnum(t[q]))
        return 0;
    scan_emit(S, CIV_ENTITY_DOCKET, 0, tk->start, end, 0, out, n);
    return scan_tok_from_pos(S, i + 1, q);
}

long scan_on_circuit(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    if (!(tk->flags & F_CAP) && !S->query)
        return 0;
    ent_tok *pv = T(S, i - 1);
    long first = i - 1, nx;
    int v = 0;
    for (long j = i - 1; j >= i - 3 && j >= 0; j--) {
        ent_tok *a = T(S, j);
        int w = scan_ordinal_at(S, j, &nx);
        if (w && nx == i) {
            v = w;
            first = j;
            break;
        }
        if (!a || a->type != T_WORD)
            break;
    }
    if (v >= 1 && v <= 11) {
        scan_emitf(S, CIV_ENTITY_COURT, 0, T(S, first)->start, tk->end, 0, "%s-cir", scan_ord_key[v]);
        return i + 1;
    }
    if (word(pv, "dc") || (word(pv, "columbia") && word(T(S, i - 2), "of") && word(T(S, i - 3), "district"))) {
        scan_emit(S, CIV_ENTITY_COURT, 0, pv->start, tk->end, 0, "dc-cir", 6);
        return i + 1;
    }
    if (word(pv, "federal") && (pv->flags & F_CAP)) {
        scan_emit(S, CIV_ENTITY_COURT, 0, pv->start, tk->end, 0, "fed-cir", 7);
        return i + 1;
    }
    return 0;
}

long scan_on_district(scan *S, long i)
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
    scan_emitf(S, CIV_ENTITY_COURT, 0, T(S, first)->start, T(S, end - 1)->end, 0, "%s-%s", dir, abbr);
    return end;
}

long scan_on_phrase(scan *S, long i)
{
    long end;
    const ent_phrase *p = match_phrase(S, i, ~0u, &end);
    if (!p)
        return 0;
    ent_tok *tk = T(S, i);
    size_t last = T(S, end - 1)->end;
    if (p->kind == CIV_ENTITY_AGENCY && (word(tk, "department") || word(tk, "dept"))) {
        long r = scan_state_department(S, i);
        if (r)
            return r;
        /* "L.A. Dep't of Transp.", "Chicago Department of Aviation": a city's. */
        ent_tok *pv = T(S, i - 1);
        if (pv && pv->type == T_WORD && (pv->flags & F_CAP) && !(pv->flags & F_NL) &&
            (!(pv->flags & F_DOT) || (pv->flags & F_INNER)) && !word(pv, "us") &&
            !word(pv, "states") && !word(pv, "federal") && !word(pv, "the") &&
            !(roles(pv) & (R_V | R_STOP)) && !(pv->we && pv->we->abbr_n) &&
            !scan_sentence_start(S, i - 1))
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
            const char *other = m > end ? scan_act_at(S, m, &e2, &f2) : NULL;
            if (other && strcmp(other, civ_ent_str(S->e, p->key)) != 0)
                return end;
            if (other) {
                scan_emit(S, CIV_ENTITY_ACT, 0, tk->start, T(S, e2 - 1)->end, 0, civ_ent_str(S->e, p->key), strlen(civ_ent_str(S->e, p->key)));
                return e2;
            }
        }
        long s = act_section_after(S, end, civ_ent_str(S->e, p->key), tk->start);
        if (s)
            return s;
    }
    if (p->kind == CIV_ENTITY_COURT && word(tk, "fisa"))
        scan_emit(S, CIV_ENTITY_ACT, 0, tk->start, tk->end, 0, "fisa", 4); /* the act names it */
    scan_emit(S, p->kind, 0, tk->start, last, (p->flags & CIV_ENT_F_SURV) ? CTX_SURV : 0, civ_ent_str(S->e, p->key),
              strlen(civ_ent_str(S->e, p->key)));
    return end;
}

long scan_on_abbrev(scan *S, long i)
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
    if (!strcmp(civ_ent_str(S->e, a->key), "ice") && (roles(nx) & R_ICENEG))
        return 0;
    /* "ICE's program", "ICE said": an organisation, whatever the document. */
    if (need && ((tk->flags & F_POSS) || word(nx, "said") || word(nx, "says") ||
                 word(nx, "announced") || word(nx, "spokesman") || word(nx, "spokeswoman") ||
                 word(nx, "spokesperson") || word(nx, "director") || word(nx, "officials") ||
                 word(nx, "official") || word(nx, "confirmed") || word(nx, "declined") ||
                 word(nx, "denied") || word(nx, "agents") || word(nx, "officers")))
        need = 0;
    if (!strcmp(civ_ent_str(S->e, a->key), "doe") && (word(pv, "john") || word(pv, "jane") || word(pv, "richard") ||
                                   word(pv, "roe") || (nx && nx->type == T_NUM) || punct(nx, '#') ||
                                   (roles(nx) & R_V) || (roles(pv) & R_V) || punct(nx, ',')))
        return 0;
    if (a->kind == CIV_ENTITY_ACT && !strcmp(civ_ent_str(S->e, a->key), "ada") && is_cap(nx) && !word(nx, "title"))
        return 0;
    if (a->kind == CIV_ENTITY_ACT && !strcmp(civ_ent_str(S->e, a->key), "fisa") && word(nx, "ct") &&
        (nx->flags & F_DOT))
        return i + 1; /* "(FISA Ct. Rev. 2002)": the court of a cited case */
    if (a->kind == CIV_ENTITY_ACT && !strcmp(civ_ent_str(S->e, a->key), "apa") &&
        (word(nx, "style") || word(nx, "format") || word(nx, "citation")))
        return 0;
    if (scan_in_junk(S, tk))
        return 0;
    size_t end = (tk->flags & F_INNER) ? tk->dend : tk->end;
    if (a->kind == CIV_ENTITY_ACT) {
        long s = act_section_after(S, i + 1, civ_ent_str(S->e, a->key), tk->start);
        if (s)
            return s;
    }
    scan_emit(S, a->kind, 0, tk->start, end, need, civ_ent_str(S->e, a->key), strlen(civ_ent_str(S->e, a->key)));
    return i + 1;
}
