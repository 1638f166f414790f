/*
 * Open letters in text and HTML documents.
 *
 * A document is a letter when it has the shape of one: a salutation near
 * the start ("Dear Mr. Bezos,", "To the Members of the Committee:"), a
 * closing in its second half ("Sincerely,", "Respectfully,") and at least
 * one signature after the closing. Then it gets type=letter and the fields
 * mail has: to (the addressee), from (the first signatory), signatories
 * (people and organisations, one value each), date (from the date line),
 * subject (a "Re:" line, else the title), cc.
 *
 * Articles that quote a letter, or greet their readers, keep their type:
 * the salutation must come early, the closing late, and the lines after
 * the closing must look like names.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civ/date.h"
#include "enrich.h"
#include "civ/lines.h"

#define MAX_TEXT ((size_t)2 * 1024 * 1024) /* longer documents are not letters */
#define HEAD_LINES 40                      /* salutation within these lines */
#define MAX_SIGNATORIES 2000

typedef struct line {
    const char *s;
    size_t n; /* trimmed; 0 for a blank line */
} line;

typedef struct lines {
    line *v;
    size_t n, cap;
} lines;

static int push(lines *ls, const char *s, size_t n)
{
    if (ls->n == ls->cap) {
        size_t cap = ls->cap ? ls->cap * 2 : 256;
        line *v = realloc(ls->v, cap * sizeof *v);
        if (!v)
            return -1;
        ls->v = v;
        ls->cap = cap;
    }
    ls->v[ls->n].s = s;
    ls->v[ls->n].n = n;
    ls->n++;
    return 0;
}

/* Removes decorations: spaces, Markdown emphasis and quoting, bullets. */
static void strip(const char **s, size_t *n)
{
    const char *p = *s;
    size_t k = *n;
    for (;;) {
        while (k && (*p == ' ' || *p == '\t' || *p == '*' || *p == '_' || *p == '>' || *p == '#'))
            p++, k--;
        if (k >= 2 && (*p == '-' || *p == '+') && p[1] == ' ') {
            p += 2, k -= 2;
            continue;
        }
        if (k >= 4 && memcmp(p, "\xe2\x80\xa2", 3) == 0 && p[3] == ' ') { /* • */
            p += 4, k -= 4;
            continue;
        }
        if (k >= 4 && memcmp(p, "/s/", 3) == 0) { /* an electronic signature mark */
            p += 3, k -= 3;
            continue;
        }
        break;
    }
    while (k && (p[k - 1] == ' ' || p[k - 1] == '\t' || p[k - 1] == '*' || p[k - 1] == '_'))
        k--;
    *s = p;
    *n = k;
}

static int words(const char *s, size_t n)
{
    int w = 0, in = 0;
    for (size_t i = 0; i < n; i++) {
        int sp = s[i] == ' ' || s[i] == '\t';
        if (!sp && !in)
            w++;
        in = !sp;
    }
    return w;
}

static int starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

static int contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (strncasecmp(s + i, needle, k) == 0)
            return 1;
    return 0;
}

/* ---- salutation ------------------------------------------------------- */

/* "Dear Mr. Bezos," → addressee "Mr. Bezos". Returns 1 when the line is a
 * salutation; who and wn receive the addressee (may be empty). */
static int salutation(const char *s, size_t n, const char **who, size_t *wn)
{
    static const char *const dear[] = {
        "Dear ", "My dear ", "Sehr geehrte ", "Sehr geehrter ", "Liebe ", "Lieber ",
        "Chère ", "Cher ", "Chers ", "Chères ", "Madame", "Monsieur", "Mesdames",
        "Estimado ", "Estimada ", "Estimados ", "Estimadas ", "Querido ", "Querida ",
        "Egregio ", "Egregi ", "Gentile ", "Gentili ", "Geachte ", "Beste ", NULL,
    };
    if (n < 6 || n > 160)
        return 0;
    char last = s[n - 1];
    int punct = last == ',' || last == ':' || last == '!' || last == ';';
    size_t body = punct ? n - 1 : n;
    for (int i = 0; dear[i]; i++) {
        if (!starts(s, n, dear[i]))
            continue;
        /* Without the comma only a short "Dear …" line counts. */
        if (!punct && (i > 1 || words(s, n) > 8))
            return 0;
        size_t k = strlen(dear[i]);
        if (dear[i][k - 1] != ' ')
            k = 0; /* "Madame," is all addressee */
        *who = s + k;
        *wn = body - k;
        return 1;
    }
    /* "To the Members of the Committee:", "To whom it may concern:". */
    if (punct && (starts(s, n, "To the ") || starts(s, n, "To all ") ||
                  starts(s, n, "To whom it may concern") || starts(s, n, "To our "))) {
        if (words(s, n) > 20)
            return 0;
        int whom = starts(s, n, "To whom");
        *who = s + 3;
        *wn = whom ? 0 : body - 3;
        return 1;
    }
    return 0;
}

/* ---- closing and signatures ------------------------------------------- */

static int closing(const char *s, size_t n)
{
    static const char *const phrases[] = {
        "sincerely", "sincerely yours", "yours sincerely", "yours truly", "very truly yours",
        "truly yours", "yours faithfully", "faithfully", "faithfully yours", "respectfully",
        "respectfully yours", "respectfully submitted", "yours respectfully", "regards",
        "best regards", "kind regards", "warm regards", "warmest regards", "with regards",
        "with best regards", "with kind regards", "best wishes", "with best wishes",
        "cordially", "in solidarity", "with gratitude", "thank you", "with thanks",
        "signed", "signed by", "signatories", "the signatories", "signatures",
        "mit freundlichen grüßen", "mit freundlichen gruessen", "freundliche grüße",
        "cordialement", "bien cordialement", "salutations distinguées", "atentamente",
        "saludos cordiales", "cordiali saluti", "distinti saluti", "met vriendelijke groet",
        "hochachtungsvoll", NULL,
    };
    while (n && (s[n - 1] == ',' || s[n - 1] == '.' || s[n - 1] == ':' || s[n - 1] == '!' ||
                 s[n - 1] == ' '))
        n--;
    if (n < 4 || n > 40)
        return 0;
    for (int i = 0; phrases[i]; i++)
        if (strlen(phrases[i]) == n && strncasecmp(s, phrases[i], n) == 0)
            return 1;
    return 0;
}

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
        if (contains(s, n, marks[i]))
            return 1;
    return 0;
}

/* Contact details in a signature block: skipped, not names. */
static int contact_line(const char *s, size_t n)
{
    if (memchr(s, '@', n) || contains(s, n, "http") || contains(s, n, "www."))
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
    strip(&s, &n);
    while (n && (s[n - 1] == ',' || s[n - 1] == ';' || s[n - 1] == ' '))
        n--;
    if (n && s[n - 1] == '.' && !(n >= 2 && (isupper((unsigned char)s[n - 2]) || s[n - 2] == ')')))
        n--;
    if (starts(s, n, "and "))
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
            strip(&v, &vn);
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
        if (!(aff.len && contains(aff.data, aff.len, civ_buf_str(&piece))))
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
static void add_items(civ_doc *doc, const char *field, const char *s, size_t n)
{
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ';') {
            const char *v = s + start;
            size_t vn = i - start;
            strip(&v, &vn);
            if (vn)
                civ_doc_add(doc, field, v, vn);
            start = i + 1;
        }
    }
}

/* Adds cc values from a "cc:" line. */
static void cc_line(civ_doc *doc, const char *s, size_t n)
{
    add_items(doc, "cc", s + 3, n - 3);
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

/* Reads the signatures from lines [from, to). Returns how many; *prose
 * receives the line where prose resumed, or `to`. */
static unsigned signatures(civ_doc *doc, const lines *ls, size_t from, size_t to, size_t *prose)
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
            strip(&s, &n);
            if (n == 0)
                continue;
            if (starts(s, n, "cc:") || starts(s, n, "cc ")) {
                cc_line(doc, s, n);
                stop = 1;
                break;
            }
            if (footer_line(s, n) || starts(s, n, "P.S") || starts(s, n, "PS:")) {
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

/* ---- the enricher ------------------------------------------------------- */

static int date_line(const char *s, size_t n, civ_date *d)
{
    if (n > 80)
        return 0;
    if (civ_date_parse(d, s, n) == 0 && d->day)
        return 1;
    size_t where;
    return words(s, n) <= 8 && civ_date_find(d, s, n, n, &where) == 0;
}

static int subject_line(const char *s, size_t n, const char **v, size_t *vn)
{
    static const char *const pre[] = { "Re:", "RE:", "Subject:", "Betreff:", "Objet:",
                                       "Asunto:", "Oggetto:", NULL };
    for (int i = 0; pre[i]; i++)
        if (starts(s, n, pre[i])) {
            size_t k = strlen(pre[i]);
            *v = s + k;
            *vn = n - k;
            strip(v, vn);
            return *vn > 0;
        }
    return 0;
}

static int honorific(const char *s, size_t n)
{
    static const char *const h[] = { "The Honorable", "The Honourable", "Hon.", "Senator ",
                                     "Representative ", "Chairman ", "Chairwoman ", "Chair ",
                                     "Mr. ", "Ms. ", "Mrs. ", "Dr. ", "Prof. ", "Secretary ",
                                     NULL };
    for (int i = 0; h[i]; i++)
        if (starts(s, n, h[i]))
            return 1;
    return 0;
}

/* ---- printed mail ---------------------------------------------------------- */

/* Mail printed to text, as agencies release it: a header block at the top
 * ("From:", "Sent:" or "Date:", "To:", "Cc:", "Subject:"). Values of To and
 * Cc are split at semicolons ("Doe, Jane" is one name). Returns 1 when the
 * document is such a mail and its fields were set. */
static int printed_mail(civ_doc *doc, const lines *ls)
{
    static const char *const names[] = { "From", "Sent", "Date", "To", "Cc", "Bcc",
                                         "Subject", "Importance", "Attachments", NULL };
    enum { NH = 9 };
    size_t first = 0;
    while (first < ls->n && first < 20 && ls->v[first].n == 0)
        first++;
    civ_buf val[NH];
    for (int k = 0; k < NH; k++)
        memset(&val[k], 0, sizeof val[k]);
    int hdrs = 0, last = -1, ok = 1;
    for (size_t i = first; i < ls->n && i < first + 30 && ok; i++) {
        const char *s = ls->v[i].s;
        size_t n = ls->v[i].n;
        if (n == 0)
            break;
        int k = -1;
        for (int j = 0; names[j]; j++) {
            size_t nl = strlen(names[j]);
            if (n > nl && strncasecmp(s, names[j], nl) == 0 && s[nl] == ':') {
                k = j;
                break;
            }
        }
        if (k < 0) {
            /* A wrapped value continues the header before it. */
            if (last < 0) {
                ok = 0;
                break;
            }
            civ_buf_putc(&val[last], ' ');
            civ_buf_append(&val[last], s, n);
            continue;
        }
        size_t nl = strlen(names[k]) + 1;
        const char *v = s + nl;
        size_t vn = n - nl;
        strip(&v, &vn);
        last = val[k].len || val[k].data ? -1 : k; /* the first of each kind counts */
        if (last >= 0)
            civ_buf_append(&val[k], v, vn);
        hdrs++;
    }
    const civ_buf *date = val[1].data ? &val[1] : &val[2];
    int found = ok && val[0].data && val[6].data && date->data && hdrs >= 3;
    if (found) {
        civ_doc_set_str(doc, "type", "letter");
        civ_doc_add(doc, "from", civ_buf_str(&val[0]), val[0].len);
        civ_doc_add(doc, "subject", civ_buf_str(&val[6]), val[6].len);
        add_items(doc, "to", civ_buf_str(&val[3]), val[3].len);
        add_items(doc, "cc", civ_buf_str(&val[4]), val[4].len);
        civ_date d;
        size_t where;
        const char *dv = civ_buf_str(date);
        if (civ_date_parse(&d, dv, date->len) == 0 ||
            civ_date_find(&d, dv, date->len, date->len, &where) == 0) {
            char iso[21];
            civ_date_iso(&d, iso);
            civ_doc_set_str(doc, "date", iso);
            civ_doc_set_str(doc, "date_source", "document");
        }
    }
    for (int k = 0; k < NH; k++)
        civ_buf_free(&val[k]);
    return found;
}

/* Lines the first checks read at most: a printed mail's headers (30
 * lines after up to 20 blank ones) and HEAD_LINES non-blank lines for the
 * salutation. */
#define HEAD_SPAN 50

/* Adds lines from it to ls until ls has at least `want` lines and
 * HEAD_LINES non-blank ones, or the text ends (want SIZE_MAX: all of it).
 * -1 when out of memory (ls is then freed). */
static int more_lines(lines *ls, civ_lines *it, size_t want)
{
    size_t nonblank = 0;
    for (size_t i = 0; i < ls->n; i++)
        nonblank += ls->v[i].n > 0;
    const char *s;
    size_t n;
    while ((ls->n < want || nonblank < HEAD_LINES) && civ_lines_next(it, &s, &n, 1)) {
        if (push(ls, s, n) < 0) {
            free(ls->v);
            ls->v = NULL;
            return -1;
        }
        nonblank += n > 0;
    }
    return 0;
}

static civ_status run_letter(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
    (void)err;
    /* Prose formats: text, HTML and the documents (PDF, scans, office
     * files); mail has its own letter fields. */
    static const char *const prose_formats[] = { "text", "html", "pdf", "image", "docx", "odt",
                                                 "rtf", "doc", NULL };
    const char *format = civ_doc_get(doc, "format");
    int is_prose = 0;
    for (size_t i = 0; format && prose_formats[i] && !is_prose; i++)
        is_prose = strcmp(format, prose_formats[i]) == 0;
    if (!is_prose)
        return CIV_OK;
    if (civ_doc_get(doc, "type") || civ_doc_get(doc, "from"))
        return CIV_OK;
    size_t len;
    const char *t = civ_doc_text(doc, &len);
    if (len < 40 || len > MAX_TEXT)
        return CIV_OK;

    /* Lines are gathered only as far as the first checks look (a printed
     * mail's headers, the salutation); the rest only for a document that
     * has a salutation: most texts are no letters. */
    lines ls = { NULL, 0, 0 };
    civ_lines it;
    civ_lines_init(&it, t, len);
    if (more_lines(&ls, &it, HEAD_SPAN) < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    if (printed_mail(doc, &ls)) {
        free(ls.v);
        return civ_doc_check(doc, err);
    }
    /* 1. The salutation, early. */
    size_t sal = ls.n, seen = 0;
    const char *who = NULL;
    size_t wn = 0;
    for (size_t i = 0; i < ls.n && seen < HEAD_LINES; i++) {
        if (!ls.v[i].n)
            continue;
        seen++;
        const char *s = ls.v[i].s;
        size_t n = ls.v[i].n;
        strip(&s, &n);
        if (salutation(s, n, &who, &wn)) {
            sal = i;
            break;
        }
    }
    if (sal < ls.n && more_lines(&ls, &it, SIZE_MAX) < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    /* 2. The closing: the last one after the salutation and some text. */
    size_t clo = ls.n;
    if (sal < ls.n) {
        size_t after = 0;
        for (size_t i = sal + 1; i < ls.n; i++) {
            if (!ls.v[i].n)
                continue;
            after++;
            const char *s = ls.v[i].s;
            size_t n = ls.v[i].n;
            strip(&s, &n);
            if (closing(s, n) && after >= 2)
                clo = i;
        }
    }
    if (sal >= ls.n || clo >= ls.n) {
        free(ls.v);
        return CIV_OK;
    }
    /* Signatures go into a scratch document first: no signature, no letter. */
    civ_doc *sig = NULL;
    if (civ_doc_new(&sig, err) != CIV_OK) {
        free(ls.v);
        return CIV_ENOMEM;
    }
    /* 3. Signatures, and then the end of the letter: a document that goes
     * on with prose after them (an article quoting a letter) is no letter. */
    size_t prose = ls.n;
    unsigned nsig = signatures(sig, &ls, clo + 1, ls.n, &prose);
    size_t more = 0;
    for (size_t i = prose; i < ls.n; i++)
        more += ls.v[i].n > 0;
    if (nsig == 0 || more > 3) {
        civ_doc_free(sig);
        free(ls.v);
        return CIV_OK;
    }

    civ_doc_set_str(doc, "type", "letter");
    size_t nv = civ_doc_nvalues(sig);
    int first = 1;
    for (size_t i = 0; i < nv; i++) {
        const char *v;
        size_t vl;
        const civ_field_def *f = civ_doc_value(sig, i, &v, &vl);
        civ_doc_add(doc, f->name, v, vl);
        if (first && strcmp(f->name, "signatories") == 0) {
            civ_doc_add(doc, "from", v, vl);
            first = 0;
        }
    }
    civ_doc_free(sig);

    /* 4. Above the salutation: date line, recipient block, subject line. */
    civ_date d;
    size_t dl = ls.n, subj_at = 0, subj_end = 0;
    int have_date = 0;
    const char *subj = NULL;
    size_t subjn = 0;
    for (size_t i = 0; i < sal; i++) {
        const char *s = ls.v[i].s;
        size_t n = ls.v[i].n;
        strip(&s, &n);
        if (!n)
            continue;
        if (!have_date && date_line(s, n, &d)) {
            have_date = 1;
            dl = i;
        } else if (!subj && subject_line(s, n, &subj, &subjn)) {
            subj_at = i;
        }
    }
    /* A subject line may wrap onto the next ones. */
    civ_buf subject = CIV_BUF_INIT;
    if (subj) {
        civ_buf_append(&subject, subj, subjn);
        for (size_t i = subj_at + 1; i < sal && i < subj_at + 3 && ls.v[i].n; i++) {
            subj_end = i + 1;
            const char *s = ls.v[i].s;
            size_t n = ls.v[i].n;
            strip(&s, &n);
            civ_buf_putc(&subject, ' ');
            civ_buf_append(&subject, s, n);
        }
    }
    if (have_date && !civ_doc_get(doc, "date")) {
        char iso[21];
        civ_date_iso(&d, iso);
        civ_doc_set_str(doc, "date", iso);
        civ_doc_set_str(doc, "date_source", "document");
    }
    /* The recipient block: short lines after the date line (or starting
     * with an honorific) up to the salutation; its first line is the
     * addressee. */
    size_t rb = have_date ? dl + 1 : sal;
    if (!have_date) {
        size_t j = sal;
        while (j > 0 && ls.v[j - 1].n == 0)
            j--;
        while (j > 0 && ls.v[j - 1].n)
            j--;
        if (j < sal && honorific(ls.v[j].s, ls.v[j].n))
            rb = j;
    }
    civ_date d2;
    for (size_t i = rb; i < sal; i++) {
        const char *s = ls.v[i].s;
        size_t n = ls.v[i].n;
        strip(&s, &n);
        const char *sv;
        size_t svn;
        if (!n || (i > subj_at && i < subj_end) || subject_line(s, n, &sv, &svn) ||
            starts(s, n, "via ") ||
            starts(s, n, "by ") || starts(s, n, "sent via") || date_line(s, n, &d2))
            continue;
        if (starts(s, n, "To "))
            s += 3, n -= 3;
        if (n <= 100 && words(s, n) <= 10)
            civ_doc_add(doc, "to", s, n);
        break;
    }
    if (who) {
        strip(&who, &wn);
        if (wn)
            civ_doc_add(doc, "to", who, wn);
    }
    if (subj)
        civ_doc_add(doc, "subject", civ_buf_str(&subject), subject.len);
    else if (civ_doc_get(doc, "title"))
        civ_doc_add_str(doc, "subject", civ_doc_get(doc, "title"));
    else {
        for (size_t i = 0; i < sal; i++) {
            const char *s = ls.v[i].s;
            size_t n = ls.v[i].n;
            strip(&s, &n);
            if (!n)
                continue;
            if (i != dl && n <= 200)
                civ_doc_add(doc, "subject", s, n);
            break;
        }
    }
    civ_buf_free(&subject);
    free(ls.v);
    return civ_doc_check(doc, err);
}

const civ_enricher civ_enrich_letter = { "letter", run_letter };
