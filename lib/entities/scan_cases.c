/* The entity scan: case cites (volume, reporter, page), the case names
 * before them and references back to them (see scan.c). */
#include "scan.h"

#include <stdio.h>

/* ---- cases ---------------------------------------------------------------------------- */

static int edition_num(const ent_tok *a)
{
    if (!a || a->type != T_NUM || a->ndig > 2 || (a->flags & F_ALLDIG))
        return 0;
    const char *s = a->norm + a->ndig;
    return !strcmp(s, "d") || !strcmp(s, "th") || !strcmp(s, "st") || !strcmp(s, "nd") ||
           !strcmp(s, "rd");
}

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

/* The words of a case name, tokens first to last, into name (of size
 * bytes): "v" for any spelling of versus, "&" kept, other punctuation
 * left out, " et al" removed. Its length. */
static size_t name_words(scan *S, long first, long last, char *name, size_t size)
{
    size_t n = 0;
    for (long j = first; j <= last; j++) {
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
        if (n + wl + 2 >= size)
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
    return n;
}

/* Notes the first word of the case name at token first ("In re X",
 * "Ex parte X", "Matter of X": X) with its case item, for short forms
 * ("Carpenter, 585 U.S. at 310"); the latest 8 are kept. */
static void remember_name(scan *S, long first, long case_item)
{
    ent_tok *f = T(S, first);
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
                } else if (scan_sentence_start(S, k) && lead_verb(a)) {
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
    size_t n = name_words(S, first, i - 2, name, sizeof name);
    if (n == 0)
        return;
    scan_emit(S, CIV_ENTITY_CASENAME, 0, f->start, T(S, i - 2)->end, 0, name, n);
    if (case_item < 0)
        return;
    remember_name(S, first, case_item);
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
long scan_on_cite(scan *S, long i)
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
                const char *v = scan_item_value(S, S->rc[j].item, &vn);
                char val[96];
                if (vn >= sizeof val)
                    break;
                memcpy(val, v, vn);
                long it = scan_emit(S, CIV_ENTITY_CASE, CIV_ENTITY_REF, vol->start, pin->end, 0, val, vn);
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
    long item = scan_emitf(S, CIV_ENTITY_CASE, 0, vol->start, pg->end, 0, "%u-%s-%u", vol->numval, slug,
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

void scan_ref_case(scan *S, long item, size_t start, size_t end)
{
    size_t vn;
    const char *v = scan_item_value(S, item, &vn);
    char val[96];
    if (vn >= sizeof val)
        return;
    memcpy(val, v, vn);
    scan_emit(S, CIV_ENTITY_CASE, CIV_ENTITY_REF, start, end, 0, val, vn);
}
