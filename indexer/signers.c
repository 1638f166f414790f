/* The signatures of an open letter: the blocks of names after its
 * closing, read into signatories (one person or organisation each, with
 * their affiliation) and cc. See letter.c. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civ/buf.h"
#include "letter.h"

/* 1 when s[0..n) holds one of the words or phrases of list as whole
 * words (case-insensitive). */
static int has_word(const char *s, size_t n, const char *const *list)
{
    for (int i = 0; list[i]; i++) {
        size_t k = strlen(list[i]);
        for (size_t j = 0; j + k <= n; j++) {
            if (strncasecmp(s + j, list[i], k) != 0)
                continue;
            int before = j == 0 || !isalnum((unsigned char)s[j - 1]);
            int after = j + k == n || !isalnum((unsigned char)s[j + k]);
            if (before && after)
                return 1;
        }
    }
    return 0;
}

/* Words that make a line someone's position rather than a name. */
static const char *const title_words[] = {
    "director", "president", "chair", "chairman", "chairwoman", "chairperson", "counsel",
    "executive", "officer", "professor", "founder", "co-founder", "coordinator", "manager",
    "attorney", "lawyer", "secretary", "ceo", "cto", "coo", "fellow", "editor", "analyst",
    "advocate", "organizer", "organiser", "researcher", "lecturer", "dean", "campaigner",
    "spokesperson", "associate", "assistant", "deputy", "trustee", "commissioner",
    "rapporteur", "journalist", "reporter", "correspondent", "pastor", "reverend", "rabbi",
    "imam", "priest", "minister", "bishop", "judge", "defender", "specialist", "chief", "head",
    "senior", "former", "retired", "emeritus", "student", "scientist", "engineer",
    "cryptographer", "technologist", "developer", "partner", "member", "representative",
    "senator", "councilmember", "mayor", "governor", "volunteer", "activist", "author",
    "writer", "photographer", "historian", "librarian", "teacher", "physician", "principal",
    "superintendent", "administrator", "consultant", "strategist", "producer", "staff",
    "on behalf of", "in a personal capacity", NULL,
};

/* Words that make a line an organisation's name. */
static const char *const org_words[] = {
    "union", "institute", "society", "project", "lab", "labs", "network", "council",
    "coalition", "foundation", "association", "center", "centre", "guild", "alliance", "watch",
    "committee", "rights", "circle", "league", "fund", "trust", "clinic", "church", "parish",
    "university", "college", "school", "library", "radio", "courier", "ledger", "press",
    "times", "news", "group", "initiative", "campaign", "partnership", "forum", "federation",
    "aid", "action", "defense", "defence", "liberties", "justice", "media", "collective",
    "office", "department", "division", "section", "agency", "bureau", "commission",
    "ministry", "inc", "llc", "ltd", "gmbh", "corporation", "company", "international",
    "now", "future", "clearinghouse", "accountability", "progress", "technology", "democracy",
    "privacy", "freedom", "liberty", "amnesty", "program", "programme", "city", "county",
    "state", "board", "house", "senate", "congress", "government", NULL,
};

static int title_like(const char *s, size_t n)
{
    return has_word(s, n, title_words);
}

static int org_like(const char *s, size_t n)
{
    return has_word(s, n, org_words);
}

/* A person's name: two to five capitalised words (name particles and
 * honorifics allowed, parentheses ignored), nothing that names a position
 * or an organisation. */
static int person_like(const char *s, size_t n)
{
    static const char *const particles[] = { "van", "von", "de", "da", "del", "della", "di",
                                             "du", "le", "la", "bin", "ibn", "al", "el", "y",
                                             "dos", "das", "ter", "ten", "zu", "af", NULL };
    static const char *const honorifics[] = { "dr.", "prof.", "rev.", "fr.", "hon.", "mr.",
                                              "ms.", "mrs.", "mx.", "sen.", "rep.", "sr.",
                                              "jr.", "sister", "brother", "ii", "iii", "phd",
                                              "esq.", NULL };
    if (title_like(s, n) || org_like(s, n))
        return 0;
    int names = 0, depth = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && (s[i] == ' ' || s[i] == '\t'))
            i++;
        size_t b = i;
        while (i < n && s[i] != ' ' && s[i] != '\t')
            i++;
        if (i == b)
            continue;
        const char *w = s + b;
        size_t wl = i - b;
        if (w[0] == '(')
            depth++;
        int in_paren = depth > 0;
        if (w[wl - 1] == ')' && depth > 0)
            depth--;
        if (in_paren)
            continue;
        int skip = 0;
        for (int k = 0; honorifics[k] && !skip; k++)
            if (strlen(honorifics[k]) == wl && strncasecmp(w, honorifics[k], wl) == 0)
                skip = 1;
        for (int k = 0; particles[k] && !skip; k++)
            if (strlen(particles[k]) == wl && strncmp(w, particles[k], wl) == 0)
                skip = 1;
        if (skip)
            continue;
        for (size_t k = 0; k < wl; k++)
            if (isdigit((unsigned char)w[k]) || w[k] == '@' || w[k] == '/')
                return 0;
        if (!(isupper((unsigned char)w[0]) || (unsigned char)w[0] >= 0xC0))
            return 0;
        names++;
    }
    return names >= 2 && names <= 5;
}

/* Page furniture after the signatures ends them. */
static int footer_line(const char *s, size_t n)
{
    static const char *const marks[] = {
        "\xc2\xa9", "copyright", "all rights reserved", "privacy policy", "terms of use",
        "cookie", "subscribe", "newsletter", "donate", "share this", "follow us",
        "back to top", "related articles", "enclosure", "attachment", NULL,
    };
    for (int i = 0; marks[i]; i++)
        if (letter_contains(s, n, marks[i]))
            return 1;
    return 0;
}

/* Contact details in a signature block: skipped, not names. */
static int contact_line(const char *s, size_t n)
{
    if (memchr(s, '@', n) || letter_contains(s, n, "http") || letter_contains(s, n, "www."))
        return 1;
    size_t digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += isdigit((unsigned char)s[i]) != 0;
    return digits >= 5 || (n && isdigit((unsigned char)s[0]) && memchr(s, ',', n));
}

/* Small words names of people and organisations may hold in lower case. */
static int connector(const char *w, size_t n)
{
    static const char *const small[] = {
        "of", "for", "the", "and", "on", "in", "at", "to", "a", "an", "de", "del", "della",
        "la", "le", "les", "des", "du", "da", "do", "dos", "das", "der", "die", "den", "und",
        "f\xc3\xbcr", "van", "von", "y", "e", "et", "per", "por", "los", "las", "el", "i", "zu",
        "och", "af", "al", "with", "&", "-", "emeritus", NULL,
    };
    for (int i = 0; small[i]; i++)
        if (strlen(small[i]) == n && strncmp(w, small[i], n) == 0)
            return 1;
    return 0;
}

/* A line that reads like a name, a list of names or a position, not like
 * prose: a few words, nearly all capitalised (parentheses aside). */
static int name_like(const char *s, size_t n)
{
    if (n > 400)
        return 0;
    int lower = 0, total = 0, depth = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && (s[i] == ' ' || s[i] == ',' || s[i] == ';' || s[i] == '"' ||
                         s[i] == '\''))
            i++;
        size_t b = i;
        while (i < n && s[i] != ' ' && s[i] != ',' && s[i] != ';')
            i++;
        if (i == b)
            continue;
        int in_paren = depth > 0 || s[b] == '(';
        for (size_t k = b; k < i; k++)
            depth += s[k] == '(' ? 1 : s[k] == ')' ? (depth > 0 ? -1 : 0) : 0;
        if (in_paren)
            continue;
        total++;
        if (islower((unsigned char)s[b]) && !connector(s + b, i - b))
            lower++;
    }
    /* Lists of names are long but capitalised; a sentence is not. */
    return lower <= 2 && (total <= 12 || memchr(s, ',', n) || memchr(s, ';', n)) &&
           !(total >= 6 && s[n - 1] == '.' && !memchr(s, ',', n));
}

typedef struct found {
    civ_doc *doc;
    unsigned count;
} found;

static void add_signatory(found *f, const char *s, size_t n, const char *aff, size_t an)
{
    letter_strip(&s, &n);
    while (n && (s[n - 1] == ',' || s[n - 1] == ';' || s[n - 1] == ' '))
        n--;
    if (n && s[n - 1] == '.' && !(n >= 2 && (isupper((unsigned char)s[n - 2]) || s[n - 2] == ')')))
        n--;
    if (letter_starts(s, n, "and "))
        s += 4, n -= 4;
    while (n && *s == ' ')
        s++, n--;
    if (n < 2 || f->count >= MAX_SIGNATORIES)
        return;
    if (an) {
        civ_buf v = CIV_BUF_INIT;
        civ_buf_printf(&v, "%.*s (%.*s)", (int)n, s, (int)an, aff);
        civ_doc_add(f->doc, "signatories", civ_buf_str(&v), v.len);
        civ_buf_free(&v);
    } else {
        civ_doc_add(f->doc, "signatories", s, n);
    }
    f->count++;
}

/* Splits at commas and semicolons outside parentheses: up to max items. */
static size_t split_items(const char *s, size_t n, line *items, size_t max)
{
    size_t k = 0, start = 0;
    int depth = 0;
    for (size_t i = 0; i <= n && k < max; i++) {
        if (i < n && s[i] == '(')
            depth++;
        else if (i < n && s[i] == ')' && depth > 0)
            depth--;
        if (i == n || (depth == 0 && (s[i] == ',' || s[i] == ';'))) {
            const char *v = s + start;
            size_t vn = i - start;
            letter_strip(&v, &vn);
            if (vn) {
                items[k].s = v;
                items[k].n = vn;
                k++;
            }
            start = i + 1;
        }
    }
    return k;
}

/* "Name, Position, Organisation": one person and an affiliation. */
static int person_with_affiliation(const line *items, size_t k)
{
    return k >= 2 && k <= 4 && person_like(items[0].s, items[0].n) &&
           !person_like(items[1].s, items[1].n);
}

static void add_joined(found *f, const line *first, const line *rest, size_t nrest)
{
    civ_buf aff = CIV_BUF_INIT;
    for (size_t j = 0; j < nrest; j++) {
        /* A line repeating what is already there adds nothing. */
        civ_buf piece = CIV_BUF_INIT;
        civ_buf_append(&piece, rest[j].s, rest[j].n);
        if (!(aff.len && letter_contains(aff.data, aff.len, civ_buf_str(&piece))))
            civ_buf_printf(&aff, "%s%.*s", aff.len ? ", " : "", (int)rest[j].n, rest[j].s);
        civ_buf_free(&piece);
    }
    add_signatory(f, first->s, first->n, civ_buf_str(&aff), aff.len);
    civ_buf_free(&aff);
}

/* One line of a list: a name, "Org, Org, Org", or "Name, Position, Org". */
static void signatory_line(found *f, const char *s, size_t n)
{
    line items[64];
    size_t k = split_items(s, n, items, 64);
    if (k == 0)
        return;
    if (person_with_affiliation(items, k)) {
        add_joined(f, &items[0], items + 1, k - 1);
        return;
    }
    for (size_t i = 0; i < k; i++)
        add_signatory(f, items[i].s, items[i].n, NULL, 0);
}

/* Adds each ';'-separated item of s[0..n) to field. */
void letter_add_items(civ_doc *doc, const char *field, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ';') {
            const char *v = s + start;
            size_t vn = i - start;
            letter_strip(&v, &vn);
            if (vn)
                civ_doc_add(doc, field, v, vn);
            start = i + 1;
        }
    }
}

/* Adds cc values from a "cc:" line. */
static void cc_line(civ_doc *doc, const char *s, size_t n)
{
    letter_add_items(doc, "cc", s + 3, n - 3);
}

static int has_comma(const line *l)
{
    line items[2];
    return split_items(l->s, l->n, items, 2) > 1;
}

/* One block of signature lines (no blank line inside). */
static void signature_block(found *f, const line *blk, size_t k)
{
    /* A comma-separated list wrapped over several lines: read as one. */
    int wrapped = k >= 2;
    for (size_t i = 0; i < k && wrapped; i++) {
        line items[8];
        size_t ni = split_items(blk[i].s, blk[i].n, items, 8);
        int ends = blk[i].n && blk[i].s[blk[i].n - 1] == ',';
        if ((ni < 2 && !(ends || i == k - 1)) || person_with_affiliation(items, ni))
            wrapped = 0;
    }
    if (wrapped) {
        civ_buf all = CIV_BUF_INIT;
        for (size_t i = 0; i < k; i++)
            civ_buf_printf(&all, "%s%.*s", i ? " " : "", (int)blk[i].n, blk[i].s);
        signatory_line(f, civ_buf_str(&all), all.len);
        civ_buf_free(&all);
        return;
    }
    size_t i = 0;
    while (i < k) {
        const line *l = &blk[i];
        if (has_comma(l)) {
            signatory_line(f, l->s, l->n);
            i++;
            continue;
        }
        int person = person_like(l->s, l->n);
        int office = !person && i == 0 && k <= 4 && title_like(l->s, l->n);
        if (!person && !office) {
            add_signatory(f, l->s, l->n, NULL, 0);
            i++;
            continue;
        }
        /* A name (or an office), then its position and organisation. */
        size_t j = i + 1;
        while (j < k && j - i <= 4) {
            const line *m = &blk[j];
            if (person_like(m->s, m->n))
                break;
            /* An office ("Section Chief") takes the rest of its short block. */
            int attach = office || title_like(m->s, m->n) ||
                         title_like(blk[j - 1].s, blk[j - 1].n) || (j == i + 1 && k - i <= 4);
            if (!attach)
                break;
            j++;
        }
        if (j > i + 1)
            add_joined(f, l, blk + i + 1, j - i - 1);
        else
            add_signatory(f, l->s, l->n, NULL, 0);
        i = j;
    }
}

unsigned letter_signatures(civ_doc *doc, const lines *ls, size_t from, size_t to, size_t *prose)
{
    found f = { doc, 0 };
    *prose = to;
    size_t i = from;
    while (i < to) {
        if (ls->v[i].n == 0) {
            i++;
            continue;
        }
        /* One block: consecutive non-blank lines. */
        size_t b = i;
        while (i < to && ls->v[i].n)
            i++;
        size_t e = i;
        line blk[64];
        size_t k = 0;
        int stop = 0;
        for (size_t j = b; j < e && k < 64; j++) {
            const char *s = ls->v[j].s;
            size_t n = ls->v[j].n;
            letter_strip(&s, &n);
            if (n == 0)
                continue;
            if (letter_starts(s, n, "cc:") || letter_starts(s, n, "cc ")) {
                cc_line(doc, s, n);
                stop = 1;
                break;
            }
            if (footer_line(s, n) || letter_starts(s, n, "P.S") || letter_starts(s, n, "PS:")) {
                stop = 1;
                break;
            }
            if (contact_line(s, n))
                continue;
            if (!name_like(s, n)) {
                *prose = j;
                stop = 1;
                break;
            }
            blk[k].s = s;
            blk[k].n = n;
            k++;
        }
        signature_block(&f, blk, k);
        if (stop || (e - b) > 64)
            break;
    }
    return f.count;
}

