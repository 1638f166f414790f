/* The entity scan: constitutional amendments and clauses, FOIA and
 * other exemption codes, redactions (see scan.c). */
#include "scan.h"

const char *const scan_ord_key[] = { "", "1st", "2d", "3d", "4th", "5th", "6th", "7th",
                                     "8th", "9th", "10th", "11th" };

/* Ordinal at token k: 1..27 (First, 4th, Twenty-First), *next after it. */
int scan_ordinal_at(scan *S, long k, long *next)
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
                if (word(T(S, m), "state") || scan_state_back(S, m, &sf) >= 0)
                    return 0;
            return 1;
        }
        if (word(b, "bill") && word(T(S, j + 1), "of") && word(T(S, j + 2), "rights"))
            return 1;
    }
    return 0;
}

long scan_on_ordinal(scan *S, long i)
{
    int ords[12];
    long spans[12][2];
    int n = 0;
    long k = i, next;
    for (;;) {
        int v = scan_ordinal_at(S, k, &next);
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
        if (!scan_ordinal_at(S, j, &dummy))
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
        scan_emitf(S, CIV_ENTITY_AMENDMENT, 0, T(S, spans[j][0])->start,
                   j == n - 1 ? am->end : T(S, spans[j][1])->end, 0, "%d", ords[j]);
    return k + 1;
}

/* "Amendment IV"; "amend. XIV"; "amends. I, XIV". */
long scan_on_amend(scan *S, long i)
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
        scan_emitf(S, CIV_ENTITY_AMENDMENT, 0, n ? a->start : tk->start, a->end, 0, "%d", v);
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
long scan_on_codes(scan *S, long i, int loose_first)
{
    ent_tok *tk = T(S, i);
    if (!tk) /* not reached: callers pass a token they have read */
        return 0;
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
    if (S->t[tk->start] != '(' && scan_in_junk(S, tk))
        return 0;
    char codes[16][4];
    size_t cstart[16], cend[16];
    int n = 0, bforms = 0, upper_b = 0;
    size_t p = tk->start, lastend = p;
    for (;;) {
        char code[4];
        size_t q = scan_read_code(S->t, S->len, p, n > 0 || loose_first, 0, code);
        if (!q && n == 0 && S->t[p] == 'B') {
            /* "B6, B7C" in a log: upper case, so only in a FOIA document. */
            q = scan_read_code(S->t, S->len, p, 1, 0, code);
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
        size_t r = scan_skip_sp(S->t, S->len, q, 3);
        if (r < S->len && (S->t[r] == ',' || S->t[r] == ';' || S->t[r] == '/' || S->t[r] == '&'))
            r = scan_skip_sp(S->t, S->len, r + 1, 3);
        if (r + 4 <= S->len && memcmp(S->t + r, "and ", 4) == 0)
            r = scan_skip_sp(S->t, S->len, r + 4, 3);
        else if (r + 3 <= S->len && memcmp(S->t + r, "or ", 3) == 0)
            r = scan_skip_sp(S->t, S->len, r + 3, 3);
        if (r == q)
            break;
        p = r;
        if (n >= 256)
            break;
    }
    if (n == 0)
        return 0;
    long after = scan_tok_from_pos(S, i, lastend);
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
        scan_emit(S, CIV_ENTITY_EXEMPTION, 0, cstart[j], cend[j], need, codes[j], strlen(codes[j]));
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
            ((tk->flags & F_NL || i == 0) && scan_dash_at(S->t, S->len, q) &&
             q + scan_dash_at(S->t, S->len, q) < S->len && S->t[q + scan_dash_at(S->t, S->len, q)] == ' ') ||
            punct(pv, '|'))
            table = 1;
    }
    if (!adj && !table && !cited(S, i, after)) {
        scan_emit(S, CIV_ENTITY_REDACTION, 0, tk->start, lastend, need, "", 0);
        S->last_marker = after - 1;
    } else {
        S->last_cited_end = lastend;
    }
    return after;
}

/* "Exemption 6", "Exemption Five", "Exemptions 6 and 7(C)", "Exemption (b)(5)". */
long scan_on_exemption(scan *S, long i)
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
                (scan_usc_at(S, k + 1, &dummy) || scan_cfr_at(S, k + 1, &dummy) || is_cap(T(S, k + 1))))
                break;
            q = scan_read_code(S->t, S->len, a->start, 1, 1, code);
        }
        if (!q)
            break;
        scan_emit(S, CIV_ENTITY_EXEMPTION, 0, n ? a->start : T(S, i)->start, q, 0, code, strlen(code));
        n++;
        k = scan_tok_from_pos(S, k, q);
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
long scan_on_bracket(scan *S, long i)
{
    ent_tok *tk = T(S, i);
    size_t p = tk->start + 1, q = p;
    while (q < S->len && q - p < 120 && S->t[q] != ']' && S->t[q] != '[' && S->t[q] != '\n')
        q++;
    if (q >= S->len || S->t[q] != ']' || q == p)
        return 0;
    int only_codes = 0;
    {
        size_t r = scan_skip_sp(S->t, S->len, p, 4);
        char code[4];
        size_t e = scan_read_code(S->t, S->len, r, 1, 0, code);
        if (e && scan_skip_sp(S->t, S->len, e, 4) >= q)
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
        size_t e = scan_read_code(S->t, S->len, r, 1, 0, code);
        if (e && e <= q) {
            scan_emit(S, CIV_ENTITY_EXEMPTION, 0, r, e, 0, code, strlen(code));
            r = e - 1;
        }
    }
    long after = scan_tok_from_pos(S, i, q + 1);
    scan_marker(S, after - 1, tk->start, q + 1);
    return after;
}

/* "(REDACTED)", "(redacted)", "(NAME WITHHELD)": a marker in parentheses,
 * when the parentheses hold nothing but it. */
long scan_on_paren(scan *S, long i)
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
    long after = scan_tok_from_pos(S, i, q + 1);
    scan_marker(S, after - 1, tk->start, q + 1);
    return after;
}
