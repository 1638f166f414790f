/* The entity scan: the US Code, the CFR, public laws and "§" sections; the
 * raw readers of section numbers and exemption codes (see scan.c). */
#include "scan.h"

#include <stdio.h>

/* ---- raw readers -------------------------------------------------------------- */

size_t scan_skip_sp(const unsigned char *t, size_t len, size_t p, size_t max)
{
    size_t k = 0;
    while (p < len && k < max && (t[p] == ' ' || t[p] == '\t')) {
        p++;
        k++;
    }
    return p;
}

/* A dash at t[p] (ASCII or en/em dash, non-breaking hyphen): its length, or 0. */
size_t scan_dash_at(const unsigned char *t, size_t len, size_t p)
{
    if (p < len && t[p] == '-')
        return 1;
    if (p + 2 < len && t[p] == 0xE2 && t[p + 1] == 0x80 && t[p + 2] >= 0x90 && t[p + 2] <= 0x94)
        return 3;
    return 0;
}

/* Reads a section number at t[p]: digits, letters, decimals, hyphenated
 * parts; a hyphen between two numbers is a range when `plural` or when
 * both sides are alike. Then parenthesised subsections. 0 if none. */
int scan_read_section(const unsigned char *t, size_t len, size_t p, int plural, int cfr,
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
        size_t d = scan_dash_at(t, len, p);
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
size_t scan_read_code(const unsigned char *t, size_t len, size_t p, int loose, int bare,
                      char code[4])
{
    size_t q = p;
    int d = 0, have_b = 0;
    if (q < len && t[q] == '(') {
        q = scan_skip_sp(t, len, q + 1, 2);
        if (q >= len || (t[q] != 'b' && t[q] != 'B'))
            return 0;
        q = scan_skip_sp(t, len, q + 1, 2);
        if (q >= len || t[q] != ')')
            return 0;
        q = scan_skip_sp(t, len, q + 1, 2);
        if (q >= len || t[q] != '(')
            return 0;
        q = scan_skip_sp(t, len, q + 1, 2);
        if (q >= len || !is_digit(t[q]) || t[q] == '0')
            return 0;
        d = t[q] - '0';
        q = scan_skip_sp(t, len, q + 1, 2);
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
    size_t r = have_b ? scan_skip_sp(t, len, q, 1) : q;
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
int scan_usc_at(scan *S, long k, long *after)
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

int scan_cfr_at(scan *S, long k, long *after)
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

void scan_emit_exemption_552(scan *S, const section *sc, size_t start, size_t end)
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
    scan_emit(S, CIV_ENTITY_EXEMPTION, 0, start, end, 0, code, strlen(code));
    S->last_cited_end = end;
}

static void emit_section(scan *S, civ_entity_kind kind, unsigned title, const section *sc,
                         size_t start)
{
    scan_emitf(S, kind, 0, start, sc->end, 0, "%u/%s", title, sc->sec);
    if (kind == CIV_ENTITY_USC && sc->nsubs) {
        char fine[96];
        int n = snprintf(fine, sizeof fine, "%u/%s", title, sc->sec);
        for (int i = 0; i < sc->nsubs && n > 0 && (size_t)n < sizeof fine; i++)
            n += snprintf(fine + n, sizeof fine - (size_t)n, "/%s", sc->subs[i]);
        if (n > 0 && (size_t)n < sizeof fine)
            scan_emit(S, kind, CIV_ENTITY_FINE, start, sc->end, 0, fine, (size_t)n);
    }
    if (kind == CIV_ENTITY_USC && title == 5)
        scan_emit_exemption_552(S, sc, sc->sec_end, sc->end);
    if (sc->range_end[0])
        scan_emitf(S, kind, 0, start, sc->end, 0, "%u/%s", title, sc->range_end);
}

/* After "18 U.S.C." (k: the token after it): the section marker, the
 * sections, lists and ranges. Returns the token after what was read, or 0. */
long scan_statute_sections(scan *S, civ_entity_kind kind, unsigned title, long k, size_t start)
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
    if (!scan_read_section(S->t, S->len, tk->start, plural, cfr, &sc))
        return 0;
    if (kind == CIV_ENTITY_USC && (title < 1 || title > 54))
        return 0;
    emit_section(S, kind, title, &sc, start);
    S->last_auth_case = 0;
    size_t p = sc.end;
    long kk = scan_tok_from_pos(S, k, p);
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
        if (!scan_read_section(S->t, S->len, a->start, plural, cfr, &s2))
            break;
        /* "..., 585 U.S. 296": the next citation's volume, not a section. */
        long after = scan_tok_from_pos(S, j, s2.end);
        ent_tok *b = T(S, after);
        long dummy;
        if (b && b->type == T_WORD && ((b->flags & F_CAP) || scan_usc_at(S, after, &dummy) ||
                                       scan_cfr_at(S, after, &dummy)) &&
            !word(b, "et"))
            break;
        if (range && !plural && !itemmark && !punct(T(S, kk), '-') && kind == CIV_ENTITY_USC &&
            !word(T(S, kk), "through"))
            break;
        emit_section(S, kind, title, &s2, a->start);
        p = s2.end;
        kk = after;
    }
    return scan_tok_from_pos(S, k, p);
}

/* "Title 18, United States Code, Section 3500"; "Title 28 of the Code of
 * Federal Regulations, part 16". */
long scan_on_title(scan *S, long i)
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
    if (scan_usc_at(S, k, &after))
        kind = CIV_ENTITY_USC;
    else if (scan_cfr_at(S, k, &after))
        kind = CIV_ENTITY_CFR;
    else
        return 0;
    if (punct(T(S, after), ','))
        after++;
    return scan_statute_sections(S, kind, n->numval, after, T(S, i)->start);
}

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
    long e = scan_on_pub(S, k);
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
long scan_on_section(scan *S, long i)
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
    if (!scan_read_section(S->t, S->len, n->start, plural, 0, &sc))
        return 0;
    long j = scan_tok_from_pos(S, k, sc.end);
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
                !scan_read_section(S->t, S->len, a->start, 0, 0, &more[nmore]))
                break;
            more_start[nmore++] = a->start;
            m = scan_tok_from_pos(S, q, more[nmore - 1].end);
        }
        long e2;
        unsigned f2;
        if (nmore && word(T(S, m), "of") &&
            scan_act_at(S, word(T(S, m + 1), "the") ? m + 2 : m + 1, &e2, &f2))
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
                if (scan_cfr_at(S, c, &dummy)) {
                    section s2;
                    if (!scan_read_section(S->t, S->len, n->start, plural, 1, &s2))
                        return 0;
                    emit_section(S, CIV_ENTITY_CFR, tt->numval, &s2, tk->start);
                    return dummy;
                }
                if (scan_usc_at(S, c, &dummy))
                    after = dummy;
                emit_section(S, CIV_ENTITY_USC, tt->numval, &sc, tk->start);
                S->last_auth_case = 0;
                return after;
            }
            m = word(T(S, m), "the") ? m + 1 : m;
        }
        long end;
        unsigned flags = 0;
        const char *key = scan_act_at(S, m, &end, &flags);
        if (!key)
            key = publaw_act(S, m, &end);
        if (key) {
            if (flags & CIV_ENT_F_NOTOF) {
                /* "Section 3 of Title III of the ..." is rare: treat as the act. */
            }
            scan_emitf(S, CIV_ENTITY_ACT, 0, tk->start, T(S, end - 1)->end,
                       (flags & CIV_ENT_F_SURV) ? CTX_SURV : 0, "%s/%s", key, sc.sec);
            for (int x = 0; x < nmore; x++)
                scan_emitf(S, CIV_ENTITY_ACT, 0, more_start[x], more[x].sec_end,
                           (flags & CIV_ENT_F_SURV) ? CTX_SURV : 0, "%s/%s", key, more[x].sec);
            if (!strcmp(key, "foia"))
                scan_emit_exemption_552(S, &sc, sc.sec_end, sc.end);
            return end;
        }
        return j;
    }
    if (!strcmp(sc.sec, "702") || !strcmp(sc.sec, "215")) {
        scan_emitf(S, CIV_ENTITY_ACT, 0, tk->start, sc.sec_end, CTX_SURV, "%s/%s",
                   sc.sec[0] == '7' ? "fisa" : "patriot", sc.sec);
        return j;
    }
    if (!strcmp(sc.sec, "552"))
        scan_emit_exemption_552(S, &sc, sc.sec_end, sc.end);
    return j;
}

long scan_on_pub(scan *S, long i)
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
    size_t q = c->end, dl = scan_dash_at(S->t, S->len, q);
    if (!dl)
        return 0;
    q += dl;
    uint32_t law = 0;
    size_t d = 0;
    while (q < S->len && is_digit(S->t[q]) && d < 5)
        law = law * 10 + (uint32_t)(S->t[q++] - '0'), d++;
    if (d == 0 || (q < S->len && is_alnum(S->t[q])))
        return 0;
    scan_emitf(S, CIV_ENTITY_PUBLAW, 0, tk->start, q, 0, "%u-%u", c->numval, law);
    return scan_tok_from_pos(S, k, q);
}

/* "Free XXX Links": the other XXX. */
