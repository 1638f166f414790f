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
#include "civ/lines.h"
#include "civ/utf8.h"
#include "enrich.h"
#include "letter.h"

#define MAX_TEXT ((size_t)2 * 1024 * 1024) /* longer documents are not letters */
#define HEAD_LINES 40                      /* salutation within these lines */

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

void letter_strip(const char **s, size_t *n)
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

int letter_words(const char *s, size_t n)
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

int letter_contains(const char *s, size_t n, const char *needle)
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
        if (!letter_starts(s, n, dear[i]))
            continue;
        /* Without the comma only a short "Dear …" line counts. */
        if (!punct && (i > 1 || letter_words(s, n) > 8))
            return 0;
        size_t k = strlen(dear[i]);
        if (dear[i][k - 1] != ' ')
            k = 0; /* "Madame," is all addressee */
        *who = s + k;
        *wn = body - k;
        return 1;
    }
    /* "To the Members of the Committee:", "To whom it may concern:". */
    if (punct && (letter_starts(s, n, "To the ") || letter_starts(s, n, "To all ") ||
                  letter_starts(s, n, "To whom it may concern") || letter_starts(s, n, "To our "))) {
        if (letter_words(s, n) > 20)
            return 0;
        int whom = letter_starts(s, n, "To whom");
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

/* ---- the enricher ------------------------------------------------------- */

static int date_line(const char *s, size_t n, civ_date *d)
{
    if (n > 80)
        return 0;
    if (civ_date_parse(d, s, n) == 0 && d->day)
        return 1;
    size_t where;
    return letter_words(s, n) <= 8 && civ_date_find(d, s, n, n, &where) == 0;
}

static int subject_line(const char *s, size_t n, const char **v, size_t *vn)
{
    static const char *const pre[] = { "Re:", "RE:", "Subject:", "Betreff:", "Objet:",
                                       "Asunto:", "Oggetto:", NULL };
    for (int i = 0; pre[i]; i++)
        if (letter_starts(s, n, pre[i])) {
            size_t k = strlen(pre[i]);
            *v = s + k;
            *vn = n - k;
            letter_strip(v, vn);
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
        if (letter_starts(s, n, h[i]))
            return 1;
    return 0;
}

/* An address line of a letterhead: a street number, a post box, a ZIP
 * code, a telephone number, a web or mail address. */
static int address_line(const char *s, size_t n)
{
    if (letter_contains(s, n, "P.O. Box") || letter_contains(s, n, "Suite ") ||
        letter_contains(s, n, "Tel") || letter_contains(s, n, "www.") || memchr(s, '@', n))
        return 1;
    size_t digits = 0;
    for (size_t i = 0; i < n; i++)
        digits += isdigit((unsigned char)s[i]) != 0;
    /* "950 Pennsylvania Avenue", "Washington, DC 20530", "(202) 514-2000" */
    return digits >= 3 || (n > 0 && isdigit((unsigned char)s[0]) && letter_words(s, n) >= 2);
}

/* Whether the letter opens with a letterhead: the sender's name (a
 * department, an office, a firm) over its address, rather than a title. */
static int letterhead(const lines *ls, size_t sal)
{
    size_t i = 0, block = 0, addr = 0;
    while (i < sal && ls->v[i].n == 0)
        i++;
    for (; i < sal && ls->v[i].n && block < 8; i++, block++) {
        const char *s = ls->v[i].s;
        size_t n = ls->v[i].n;
        letter_strip(&s, &n);
        addr += address_line(s, n);
    }
    return block >= 2 && addr >= 1;
}

/* The first sentence of the letter proper (after its salutation), into
 * out: what a letter is about when it has no subject line above it; a
 * subject line just below the salutation gives its value instead. */
static void first_sentence(const lines *ls, size_t sal, civ_buf *out)
{
    for (size_t i = sal + 1; i < ls->n && out->len < 200; i++) {
        const char *s = ls->v[i].s;
        size_t n = ls->v[i].n;
        letter_strip(&s, &n);
        if (!n) {
            if (out->len)
                break;
            continue;
        }
        const char *v;
        size_t vn;
        if (!out->len && subject_line(s, n, &v, &vn)) {
            civ_buf_append(out, v, vn);
            return;
        }
        if (out->len)
            civ_buf_putc(out, ' ');
        for (size_t k = 0; k < n; k++) {
            civ_buf_putc(out, s[k]);
            if ((s[k] == '.' || s[k] == '?' || s[k] == '!') && (k + 1 == n || s[k + 1] == ' ') &&
                out->len > 20)
                return;
        }
    }
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
        letter_strip(&v, &vn);
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
        letter_add_items(doc, "to", civ_buf_str(&val[3]), val[3].len);
        letter_add_items(doc, "cc", civ_buf_str(&val[4]), val[4].len);
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

/* 1. The salutation, early: its line (ls->n when none) and addressee. */
static size_t find_salutation(const lines *ls, const char **who, size_t *wn)
{
    size_t seen = 0;
    for (size_t i = 0; i < ls->n && seen < HEAD_LINES; i++) {
        if (!ls->v[i].n)
            continue;
        seen++;
        const char *s = ls->v[i].s;
        size_t n = ls->v[i].n;
        letter_strip(&s, &n);
        if (salutation(s, n, who, wn))
            return i;
    }
    return ls->n;
}

/* 2. The closing: the last one after the salutation and some text, or
 * ls->n. */
static size_t find_closing(const lines *ls, size_t sal)
{
    size_t clo = ls->n, after = 0;
    for (size_t i = sal + 1; i < ls->n; i++) {
        if (!ls->v[i].n)
            continue;
        after++;
        const char *s = ls->v[i].s;
        size_t n = ls->v[i].n;
        letter_strip(&s, &n);
        if (closing(s, n) && after >= 2)
            clo = i;
    }
    return clo;
}

/* 3. Signatures, and then the end of the letter: a document that goes on
 * with prose after them (an article quoting a letter) is no letter. The
 * signatures go into a scratch document first: no signature, no letter.
 * Returns 1 when doc is a letter (its signatories added), 0, or -1 when
 * out of memory. */
static int take_signatures(civ_doc *doc, const lines *ls, size_t clo)
{
    civ_doc *sig = NULL;
    if (civ_doc_new(&sig, NULL) != CIV_OK)
        return -1;
    size_t prose = ls->n, more = 0;
    unsigned nsig = letter_signatures(sig, ls, clo + 1, ls->n, &prose);
    for (size_t i = prose; i < ls->n; i++)
        more += ls->v[i].n > 0;
    if (nsig == 0 || more > 3) {
        civ_doc_free(sig);
        return 0;
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
    return 1;
}

/* The recipient block: short lines after the date line (or starting with
 * an honorific) up to the salutation; its first line is the addressee. */
static void add_recipient(civ_doc *doc, const lines *ls, size_t sal, size_t dl, int have_date,
                          size_t subj_at, size_t subj_end)
{
    size_t rb = have_date ? dl + 1 : sal;
    if (!have_date) {
        size_t j = sal;
        while (j > 0 && ls->v[j - 1].n == 0)
            j--;
        while (j > 0 && ls->v[j - 1].n)
            j--;
        if (j < sal && honorific(ls->v[j].s, ls->v[j].n))
            rb = j;
    }
    civ_date d2;
    for (size_t i = rb; i < sal; i++) {
        const char *s = ls->v[i].s;
        size_t n = ls->v[i].n;
        letter_strip(&s, &n);
        const char *sv;
        size_t svn;
        if (!n || (i > subj_at && i < subj_end) || subject_line(s, n, &sv, &svn) ||
            letter_starts(s, n, "via ") || letter_starts(s, n, "by ") ||
            letter_starts(s, n, "sent via") || date_line(s, n, &d2))
            continue;
        if (letter_starts(s, n, "To "))
            s += 3, n -= 3;
        if (n <= 100 && letter_words(s, n) <= 10)
            civ_doc_add(doc, "to", s, n);
        break;
    }
}

/* 4. Above the salutation: date line, recipient block, subject line. */
static void heading_fields(civ_doc *doc, const lines *ls, size_t sal, const char *who, size_t wn)
{
    civ_date d;
    size_t dl = ls->n, subj_at = 0, subj_end = 0;
    int have_date = 0;
    const char *subj = NULL;
    size_t subjn = 0;
    for (size_t i = 0; i < sal; i++) {
        const char *s = ls->v[i].s;
        size_t n = ls->v[i].n;
        letter_strip(&s, &n);
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
        for (size_t i = subj_at + 1; i < sal && i < subj_at + 3 && ls->v[i].n; i++) {
            subj_end = i + 1;
            const char *s = ls->v[i].s;
            size_t n = ls->v[i].n;
            letter_strip(&s, &n);
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
    add_recipient(doc, ls, sal, dl, have_date, subj_at, subj_end);
    if (who) {
        letter_strip(&who, &wn);
        if (wn)
            civ_doc_add(doc, "to", who, wn);
    }
    if (subj) {
        civ_doc_add(doc, "subject", civ_buf_str(&subject), subject.len);
    } else if (civ_doc_get(doc, "title")) {
        civ_doc_add_str(doc, "subject", civ_doc_get(doc, "title"));
    } else if (letterhead(ls, sal)) {
        /* No subject line, and the first lines are the sender's
         * letterhead, not a title: what the letter says first. */
        civ_buf_reset(&subject);
        first_sentence(ls, sal, &subject);
        if (subject.len > 200) {
            subject.len = civ_utf8_clip(subject.data, subject.len, 150);
            civ_buf_puts(&subject, "\xe2\x80\xa6");
        }
        civ_doc_add(doc, "subject", civ_buf_str(&subject), subject.len);
    } else {
        for (size_t i = 0; i < sal; i++) {
            const char *s = ls->v[i].s;
            size_t n = ls->v[i].n;
            letter_strip(&s, &n);
            if (!n)
                continue;
            if (i != dl && n <= 200)
                civ_doc_add(doc, "subject", s, n);
            break;
        }
    }
    civ_buf_free(&subject);
}

static civ_status run_letter(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
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
    const char *who = NULL;
    size_t wn = 0;
    size_t sal = find_salutation(&ls, &who, &wn);
    if (sal < ls.n && more_lines(&ls, &it, SIZE_MAX) < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    size_t clo = sal < ls.n ? find_closing(&ls, sal) : ls.n;
    int letter = clo < ls.n ? take_signatures(doc, &ls, clo) : 0;
    if (letter > 0)
        heading_fields(doc, &ls, sal, who, wn);
    free(ls.v);
    if (letter < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return civ_doc_check(doc, err);
}

const civ_enricher civ_enrich_letter = { "letter", run_letter };
