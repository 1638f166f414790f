/* Enrichers every document goes through: byline, title, date, language, type. */
#include "enrich.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "civ/date.h"
#include "civ/hash.h"
#include "civ/utf8.h"
#include "civ/lines.h"

const civ_enricher *const civ_enrichers[] = {
    &civ_enrich_letter,
    &civ_enrich_byline,
    &civ_enrich_title,
    &civ_enrich_date,
    &civ_enrich_lang,
    &civ_enrich_entities,
    &civ_enrich_type,
    &civ_enrich_words,
    &civ_enrich_digest,
    NULL,
};

civ_status civ_enrich(civ_doc *doc, const civ_input *in, civ_error *err)
{
    for (size_t i = 0; civ_enrichers[i]; i++) {
        civ_status s = civ_enrichers[i]->run(doc, in, err);
        if (s != CIV_OK)
            return s;
    }
    return civ_doc_check(doc, err);
}

/* Calls fn on each of the first `max` non-blank lines (trimmed). */
static void first_lines(const char *t, size_t len, int max,
                        int (*fn)(void *ctx, const char *line, size_t n), void *ctx)
{
    civ_lines it;
    const char *line;
    size_t n;
    int seen = 0;
    civ_lines_init(&it, t, len);
    while (seen < max && civ_lines_next(&it, &line, &n, 1)) {
        if (n) {
            seen++;
            if (fn(ctx, line, n))
                return;
        }
    }
}

/* ---- byline --------------------------------------------------------- */

static int byline_line(void *ctx, const char *line, size_t n)
{
    civ_doc *doc = ctx;
    if (n < 5 || n > 120 || !(line[0] == 'B' || line[0] == 'b') || line[1] != 'y' || line[2] != ' ')
        return 0;
    const char *name = line + 3;
    size_t k = n - 3;
    while (k && *name == ' ')
        name++, k--;
    /* "By Jane Doe, Staff Reporter" → "Jane Doe"; "By Jane Doe and John Roe". */
    size_t end = 0;
    while (end < k && name[end] != ',' && name[end] != '|' && name[end] != '(')
        end++;
    if (end == 0 || !isupper((unsigned char)name[0]))
        return 0;
    /* A byline names people: at most six words, each capitalised or "and". */
    int words = 0;
    for (size_t i = 0; i < end;) {
        while (i < end && name[i] == ' ')
            i++;
        size_t s = i;
        while (i < end && name[i] != ' ')
            i++;
        if (i == s)
            break;
        words++;
        int cap = isupper((unsigned char)name[s]) || ((unsigned char)name[s] >= 0x80);
        int conj = (i - s == 3 && strncmp(name + s, "and", 3) == 0);
        if (!cap && !conj)
            return 0;
    }
    if (words < 2 || words > 6)
        return 0;
    /* Split "A and B". */
    const char *p = name;
    size_t left = end;
    for (;;) {
        const char *and = NULL;
        for (size_t i = 0; i + 5 <= left; i++)
            if (strncmp(p + i, " and ", 5) == 0) {
                and = p + i;
                break;
            }
        if (!and) {
            civ_doc_add(doc, "author", p, left);
            break;
        }
        civ_doc_add(doc, "author", p, (size_t)(and - p));
        left -= (size_t)(and - p) + 5;
        p = and + 5;
    }
    return 1;
}

static civ_status run_byline(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
    (void)err;
    if (civ_doc_get(doc, "author") || civ_doc_get(doc, "from"))
        return CIV_OK;
    size_t len;
    const char *t = civ_doc_text(doc, &len);
    first_lines(t, len < 4096 ? len : 4096, 6, byline_line, doc);
    return CIV_OK;
}

const civ_enricher civ_enrich_byline = { "byline", run_byline };

/* ---- title ---------------------------------------------------------- */

static int title_line(void *ctx, const char *line, size_t n)
{
    civ_doc *doc = ctx;
    /* Markdown and underline decorations are not a title. */
    while (n && (*line == '#' || *line == '=' || *line == '*' || *line == ' '))
        line++, n--;
    while (n && (line[n - 1] == '#' || line[n - 1] == '=' || line[n - 1] == '*'))
        n--;
    if (n == 0)
        return 0;
    if (n > 150) {
        size_t cut = civ_utf8_clip(line, n, 100);
        while (cut > 60 && line[cut] != ' ')
            cut--;
        civ_buf t = CIV_BUF_INIT;
        civ_buf_append(&t, line, cut);
        civ_buf_puts(&t, "\xe2\x80\xa6");
        civ_doc_add(doc, "title", civ_buf_str(&t), t.len);
        civ_buf_free(&t);
    } else {
        civ_doc_add(doc, "title", line, n);
    }
    return 1;
}

/* Lines that open press releases and similar texts but are no title. */
static int boilerplate_line(const char *line, size_t n)
{
    static const char *const marks[] = {
        "for immediate release", "press release", "news release", "media advisory",
        "embargoed", "for release", "statement", "media release", NULL,
    };
    char low[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof low; i++)
        if (line[i] != '*' && line[i] != '_')
            low[k++] = (char)tolower((unsigned char)line[i]);
    low[k] = '\0';
    for (size_t i = 0; marks[i]; i++) {
        size_t m = strlen(marks[i]);
        /* low matched m characters, so low[m] is within what was written. */
        if (strncmp(low, marks[i], m) == 0 && (low[m] == '\0' || low[m] == ' ' || low[m] == ':')) // NOLINT(clang-analyzer-core.UndefinedBinaryOperatorResult)
            return 1;
    }
    return 0;
}

/* Whether the line has this word (ASCII, any case) standing alone. */
static int has_word(const char *line, size_t n, const char *w)
{
    size_t m = strlen(w);
    for (size_t i = 0; i + m <= n; i++)
        if (strncasecmp(line + i, w, m) == 0 && (i == 0 || !isalpha((unsigned char)line[i - 1])) &&
            (i + m == n || !isalpha((unsigned char)line[i + m])))
            return 1;
    return 0;
}

static int all_caps(const char *line, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (islower((unsigned char)line[i]))
            return 0;
    return 1;
}

/* A court filing's caption: "IN THE SUPERIOR COURT OF …", "UNITED STATES
 * DISTRICT COURT", "Case No. 24-CR-0193": it names the court, not the
 * document. */
static int caption_line(const char *line, size_t n)
{
    if (n >= 7 && (strncasecmp(line, "case no", 7) == 0 || strncasecmp(line, "docket", 6) == 0))
        return 1;
    if (!has_word(line, n, "court"))
        return 0;
    if (n >= 7 && strncasecmp(line, "in the ", 7) == 0)
        return 1;
    if (!all_caps(line, n)) /* else all capitals, and court-shaped */
        return 0;
    return (n >= 5 && strncmp(line + n - 5, "COURT", 5) == 0) ||
           (n >= 14 && strncmp(line, "UNITED STATES ", 14) == 0) || has_word(line, n, "COURT OF") ||
           has_word(line, n, "COURT FOR");
}

/* After a caption, the line naming what the document is ("Order on the
 * motion to suppress", "OPINION AND ORDER") is its title. */
static int kind_line(const char *line, size_t n)
{
    static const char *const kinds[] = {
        "order", "opinion", "memorandum", "judgment", "motion", "complaint", "brief",
        "decision", "ruling", "petition", "stipulation", "notice", "affidavit",
        "declaration", "transcript", "report and recommendation", NULL,
    };
    for (size_t i = 0; kinds[i]; i++) {
        size_t m = strlen(kinds[i]);
        if (n >= m && strncasecmp(line, kinds[i], m) == 0 &&
            (n == m || !isalpha((unsigned char)line[m])))
            return 1;
    }
    return 0;
}

/* The first line of the text that reads like a title: not boilerplate, not
 * a bare date, not a contact block; after a court caption, the line saying
 * what the document is (else the first line after the caption). */
static void title_from_text(civ_doc *doc, const char *t, size_t len)
{
    civ_lines it;
    const char *line;
    size_t n;
    int lines = 0, in_contact = 0, caption = 0, after = 0;
    const char *fallback = NULL;
    size_t fallback_n = 0;
    civ_lines_init(&it, t, len);
    while (lines < 40 && civ_lines_next(&it, &line, &n, 1)) {
        if (n == 0) {
            in_contact = 0;
            continue;
        }
        lines++;
        if (in_contact)
            continue;
        const char *bare = line;
        size_t bn = n;
        while (bn && (*bare == '*' || *bare == '#'))
            bare++, bn--;
        if (bn >= 7 && strncasecmp(bare, "contact", 7) == 0) {
            in_contact = 1;
            continue;
        }
        civ_date d;
        if (boilerplate_line(bare, bn) || civ_date_parse(&d, line, n) == 0 ||
            memchr(line, '@', n) || (n >= 4 && strncmp(line, "http", 4) == 0))
            continue;
        if (caption_line(bare, bn) ||
            (caption && !after && all_caps(bare, bn) && !kind_line(bare, bn))) {
            caption = 1; /* "FOR THE DISTRICT OF …" goes on with it */
            continue;
        }
        if (caption && !kind_line(bare, bn) && ++after <= 6) {
            if (!fallback)
                fallback = line, fallback_n = n;
            continue;
        }
        if (caption && after > 6 && fallback)
            break;
        title_line(doc, line, n);
        return;
    }
    if (fallback)
        title_line(doc, fallback, fallback_n);
}

static civ_status run_title(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)err;
    if (civ_doc_get(doc, "title"))
        return CIV_OK;
    if (civ_doc_get(doc, "subject")) {
        civ_doc_add_str(doc, "title", civ_doc_get(doc, "subject"));
        return CIV_OK;
    }
    size_t len;
    const char *t = civ_doc_text(doc, &len);
    title_from_text(doc, t, len < 8192 ? len : 8192);
    if (!civ_doc_get(doc, "title") && in && in->name) {
        const char *base = strrchr(in->name, '/');
        base = base ? base + 1 : in->name;
        const char *dot = strrchr(base, '.');
        size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
        civ_doc_add(doc, "title", base, n);
    }
    return CIV_OK;
}

const civ_enricher civ_enrich_title = { "title", run_title };

/* ---- date ----------------------------------------------------------- */

static civ_status run_date(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)err;
    (void)in;
    civ_date d;
    const char *have = civ_doc_get(doc, "date");
    const char *source = civ_doc_get(doc, "date_source");
    int ok = 0;
    if (have && civ_date_parse(&d, have, strlen(have)) == 0) {
        ok = 1;
        if (!source)
            source = "document";
    }
    if (!ok) {
        size_t len;
        const char *t = civ_doc_text(doc, &len);
        if (civ_date_find(&d, t, len, 1500, NULL) == 0) {
            ok = 1;
            source = "text";
        }
    }
    if (!ok) {
        /* The file's time is not the document's date: it stays in "mtime",
         * the date stays empty (no year facet; last in date sorts). */
        civ_doc_remove(doc, "date");
        civ_doc_remove(doc, "year");
        return civ_doc_set_str(doc, "date_source", "mtime");
    }
    char iso[21], year[5];
    civ_date_iso(&d, iso);
    snprintf(year, sizeof year, "%04d", d.year);
    char src[16];
    snprintf(src, sizeof src, "%s", source);
    civ_doc_set_str(doc, "date", iso);
    civ_doc_set_str(doc, "date_source", src);
    civ_doc_set_str(doc, "year", year);
    return CIV_OK;
}

const civ_enricher civ_enrich_date = { "date", run_date };

/* ---- language ------------------------------------------------------- */

static civ_status run_lang(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
    (void)err;
    const char *have = civ_doc_get(doc, "lang");
    char code[16];
    if (have) {
        /* Primary subtag, lower case: "en-GB" → "en", "EN" → "en". */
        size_t n = 0;
        while (have[n] && have[n] != '-' && have[n] != '_' && have[n] != ' ' && n + 1 < sizeof code) {
            code[n] = (char)tolower((unsigned char)have[n]);
            n++;
        }
        code[n] = '\0';
        if (n >= 2 && n <= 8) {
            civ_doc_set_str(doc, "lang", code);
            return CIV_OK;
        }
    }
    size_t len;
    const char *t = civ_doc_text(doc, &len);
    snprintf(code, sizeof code, "%s", civ_lang_guess(t, len));
    civ_doc_set_str(doc, "lang", code);
    return CIV_OK;
}

const civ_enricher civ_enrich_lang = { "lang", run_lang };

/* ---- type ----------------------------------------------------------- */

static civ_status run_type(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
    (void)err;
    if (!civ_doc_get(doc, "type"))
        civ_doc_add_str(doc, "type", "article");
    return CIV_OK;
}

const civ_enricher civ_enrich_type = { "type", run_type };

/* ---- words ---------------------------------------------------------- */

/* Whether the character at t[i] (of n bytes) is part of a word: letters
 * and digits of any script, not spaces and punctuation. *len receives its
 * length in bytes. */
static int word_char(const char *t, size_t i, size_t n, size_t *len)
{
    unsigned char c = (unsigned char)t[i];
    *len = 1;
    if (c < 0x80)
        return isalnum(c);
    uint32_t cp;
    size_t k = civ_utf8_decode(&cp, (const unsigned char *)t + i, n - i);
    if (!k)
        return 0;
    *len = k;
    return !(cp == 0xA0 || cp == 0xAB || cp == 0xBB || (cp >= 0x2000 && cp <= 0x206F) ||
             (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFEFF);
}

/* Runs of letters and digits; hyphenated and apostrophised words count
 * once. */
static uint64_t count_words(const char *t, size_t n)
{
    uint64_t words = 0;
    int in = 0;
    size_t i = 0, k;
    while (i < n) {
        int w = word_char(t, i, n, &k);
        if (!w && in && k == 1 && (t[i] == '-' || t[i] == '\'') && i + 1 < n &&
            word_char(t, i + 1, n, &k)) {
            i++;
            continue;
        }
        if (w && !in)
            words++;
        in = w;
        i += k;
    }
    return words;
}

static civ_status run_words(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
    (void)err;
    size_t len;
    const char *t = civ_doc_text(doc, &len);
    char num[32];
    snprintf(num, sizeof num, "%llu", (unsigned long long)count_words(t, len));
    return civ_doc_set_str(doc, "words", num);
}

const civ_enricher civ_enrich_words = { "words", run_words };

/* ---- digest --------------------------------------------------------- */

/* Copies of a document (the same letter saved in two folders, the same
 * message in two mailboxes) have the same title and text. */
static civ_status run_digest(civ_doc *doc, const civ_input *in, civ_error *err)
{
    (void)in;
    (void)err;
    size_t len;
    const char *t = civ_doc_text(doc, &len);
    const char *title = civ_doc_get(doc, "title");
    uint64_t h = civ_hash64(t, len, title ? civ_hash64(title, strlen(title), 0) : 0);
    char hex[17];
    civ_hash64_hex(hex, h);
    return civ_doc_set_str(doc, "digest", hex);
}

const civ_enricher civ_enrich_digest = { "digest", run_digest };
