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
 * linear in its input.
 *
 * The recognizers live by subject in scan_token.c, scan_statutes.c,
 * scan_bodies.c, scan_amend.c and scan_cases.c (scan.h). */
#include "scan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- emitting ------------------------------------------------------------------ */

long scan_emit(scan *S, civ_entity_kind kind, unsigned flags, size_t start, size_t end,
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
        (kind == CIV_ENTITY_USC && scan_surveillance_section(v, vn)) ||
        (kind == CIV_ENTITY_ACT && !need && ((vn >= 4 && !memcmp(v, "fisa", 4)) ||
                                    (vn >= 7 && !memcmp(v, "patriot", 7)))))
        S->ctx |= CTX_SURV;
    return k;
}

#if defined(__GNUC__)
__attribute__((format(printf, 7, 8)))
#endif
long scan_emitf(scan *S, civ_entity_kind kind, unsigned flags, size_t start, size_t end,
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
    return scan_emit(S, kind, flags, start, end, need, buf, (size_t)n);
}

const char *scan_item_value(scan *S, long item, size_t *n)
{
    const ent_item *it = &S->l->items[item];
    *n = it->vlen;
    return S->l->vals.data + it->voff;
}

void scan_marker(scan *S, long tokidx, size_t start, size_t end)
{
    scan_emit(S, CIV_ENTITY_REDACTION, 0, start, end, 0, "", 0);
    S->last_marker = tokidx;
}

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
        !scan_in_junk(S, tk)) {
        scan_marker(S, i, tk->start, tk->end);
        return i + 1;
    }
    if (!tk->we) {
        if (tk->nlen == 1 && tk->norm[0] == 'b' && tk->end < S->len && S->t[tk->end] == '(')
            return scan_on_codes(S, i, 0);
        return 0;
    }
    uint32_t r = tk->we->roles;
    long n;
    if ((r & R_TITLE) && (n = scan_on_title(S, i)))
        return n;
    if ((r & R_SECTION) && (n = scan_on_section(S, i)))
        return n;
    if ((r & (R_PUB | R_PUBLIC)) && (n = scan_on_pub(S, i)))
        return n;
    if ((r & R_EXEMPTION) && (n = scan_on_exemption(S, i)))
        return n;
    if ((r & R_ORD) && (n = scan_on_ordinal(S, i)))
        return n;
    if ((r & R_AMEND) && (n = scan_on_amend(S, i)))
        return n;
    if ((r & R_BCODE) && (n = scan_on_codes(S, i, 0)))
        return n;
    if ((r & R_ID) && (tk->flags & F_DOT)) {
        if (S->last_case >= 0 && S->last_auth_case)
            scan_ref_case(S, S->last_case, tk->start, tk->dend);
        return i + 1;
    }
    if (r & R_SUPRA) {
        ent_tok *nm = T(S, i - 2);
        if (punct(T(S, i - 1), ',') && nm && nm->type == T_WORD)
            for (int j = S->nrn - 1; j >= 0; j--)
                if (strcmp(S->rn[j].first, nm->norm) == 0) {
                    scan_ref_case(S, S->rn[j].item, nm->start, tk->end);
                    break;
                }
        return i + 1;
    }
    if ((r & R_NO) && (n = scan_on_docket(S, i)))
        return n;
    if ((r & (R_POLICE | R_SHERIFF | R_PATROL | R_ATTORNEY)) && (n = scan_on_body(S, i)))
        return n;
    if ((r & R_DEPT) && (n = scan_state_department(S, i)))
        return n;
    if (((r & R_CIRCUIT) || (S->query && word(tk, "cir"))) && (n = scan_on_circuit(S, i)))
        return n;
    if ((r & R_DISTRICT) && (n = scan_on_district(S, i)))
        return n;
    if ((r & R_BUREAU) && (tk->flags & F_CAP) && word(T(S, i - 1), "the") &&
        !word(T(S, i + 1), "of") && !is_cap(T(S, i + 1)) && !is_cap(T(S, i - 2))) {
        scan_emit(S, CIV_ENTITY_AGENCY, 0, tk->start, tk->end, CTX_FBI, "fbi", 3);
        return i + 1;
    }
    if (tk->canon >= 0 && S->e->words[tk->canon].phr_n && (n = scan_on_phrase(S, i)))
        return n;
    if (tk->we->abbr_n && (n = scan_on_abbrev(S, i)))
        return n;
    return 0;
}

static long on_num(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    long after, n;
    if ((tk->flags & F_ALLDIG) && tk->numval >= 1 && tk->numval <= 54 && scan_usc_at(S, i + 1, &after))
        return scan_statute_sections(S, CIV_ENTITY_USC, tk->numval, after, tk->start);
    if ((tk->flags & F_ALLDIG) && tk->numval >= 1 && tk->numval <= 50 && scan_cfr_at(S, i + 1, &after))
        return scan_statute_sections(S, CIV_ENTITY_CFR, tk->numval, after, tk->start);
    if ((tk->flags & F_ALLDIG) && (n = scan_on_cite(S, i)))
        return n;
    if (strcmp(tk->norm, "552") == 0 && tk->end < S->len && S->t[tk->end] == '(') {
        section sc;
        if (scan_read_section(S->t, S->len, tk->start, 0, 0, &sc)) {
            scan_emit_exemption_552(S, &sc, sc.sec_end, sc.end);
            return scan_tok_from_pos(S, i, sc.end);
        }
    }
    if (!(tk->flags & F_ALLDIG) && (n = scan_on_ordinal(S, i)))
        return n;
    if (tk->ndig == 1 && tk->norm[0] == '7' && (n = scan_on_codes(S, i, 1)))
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
            scan_marker(&S, S.cur, tk->start, tk->end);
            break;
        case T_PUNCT:
            if (tk->cp == '(') {
                next = scan_on_codes(&S, S.cur, 0);
                if (!next)
                    next = scan_on_paren(&S, S.cur);
            }
            else if (tk->cp == '[')
                next = scan_on_bracket(&S, S.cur);
            else if (tk->cp == 0xA7)
                next = scan_on_section(&S, S.cur);
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
            memcpy(name + n, w, wl + 1); /* name stays a string */
            n += wl;
        }
        if (has_v && words >= 3)
            scan_emit(&S, CIV_ENTITY_CASENAME, 0, 0, len, 0, name, n);
    }
    res->ctx = S.ctx;
    res->own_cite = S.own_cite;
    return l->failed ? -1 : 0;
}
