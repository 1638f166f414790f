/* A document's text as passages (civ/passage.h). */
#include "civ/passage.h"

#include <stdlib.h>
#include <string.h>

static int space_byte(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Where a passage may end: before the word at `at`, the `words`-th of the
 * text (0-based). Paragraph ends are the best places, then line ends,
 * then sentence ends, then any space between words. */
typedef struct cut {
    size_t at;
    size_t words;
} cut;

enum { PARA, LINE, SENTENCE, NKINDS };

typedef struct splitter {
    const char *t;
    size_t len;
    size_t target, min, max; /* words */
    size_t max_bytes;        /* text without spaces (CJK) is cut by length */
    civ_passage *ps;
    size_t n, cap;
    int failed;
} splitter;

static void emit(splitter *s, size_t start, size_t end)
{
    if (end <= start || s->failed)
        return;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        civ_passage *p = realloc(s->ps, cap * sizeof *p);
        if (!p) {
            s->failed = 1;
            return;
        }
        s->ps = p;
        s->cap = cap;
    }
    s->ps[s->n].offset = start;
    s->ps[s->n].len = end - start;
    s->n++;
}

/* What kind of place lies between the word ending before t[ws] and the
 * one starting at t[we] (t[ws..we) is white space). */
static int kind_of(const char *t, size_t ws, size_t we)
{
    int newlines = 0;
    for (size_t i = ws; i < we; i++) {
        if (t[i] == '\f')
            return PARA;
        if (t[i] == '\n' && ++newlines == 2)
            return PARA;
    }
    if (newlines)
        return LINE;
    /* A sentence ends with . ? or ! before closing quotes or brackets. */
    size_t i = ws;
    while (i > 0) {
        unsigned char c = (unsigned char)t[i - 1];
        if (c == '"' || c == '\'' || c == ')' || c == ']') {
            i--;
        } else if (i >= 3 && c == 0x9D && (unsigned char)t[i - 2] == 0x80 &&
                   (unsigned char)t[i - 3] == 0xE2) {
            i -= 3; /* ” */
        } else {
            break;
        }
    }
    if (i > 0 && (t[i - 1] == '.' || t[i - 1] == '?' || t[i - 1] == '!'))
        return SENTENCE;
    return NKINDS;
}

/* Splits t[from..to), a stretch without page marks inside. */
static void split_stretch(splitter *s, size_t from, size_t to)
{
    const char *t = s->t;
    size_t start = from, words = 0, start_words = 0;
    cut best[NKINDS];
    int have[NKINDS] = { 0, 0, 0 };
    size_t i = from;
    while (i < to && space_byte((unsigned char)t[i]))
        i++;
    while (i < to) {
        /* t[i] starts a word: the words of the passage so far are
         * words - start_words. */
        size_t in = words - start_words;
        if (in > 0) {
            size_t ws = i;
            while (ws > start && space_byte((unsigned char)t[ws - 1]))
                ws--;
            int k = kind_of(t, ws, i);
            if ((k == PARA && in >= s->target) || in >= s->max || i - start >= s->max_bytes) {
                /* End the passage: here at a paragraph's end, else at the
                 * best earlier place that leaves it long enough. */
                cut c = { i, words };
                if (k != PARA) {
                    for (int j = 0; j < NKINDS; j++) {
                        if (have[j] && best[j].words - start_words >= s->min) {
                            c = best[j];
                            break;
                        }
                    }
                }
                emit(s, start, c.at);
                start = c.at;
                start_words = c.words;
                for (int j = 0; j < NKINDS; j++)
                    if (have[j] && best[j].at <= c.at)
                        have[j] = 0;
            } else if (k < NKINDS) {
                best[k].at = i;
                best[k].words = words;
                have[k] = 1;
            }
        }
        words++;
        while (i < to && !space_byte((unsigned char)t[i]))
            i++;
        while (i < to && space_byte((unsigned char)t[i]))
            i++;
    }
    size_t last = s->n;
    emit(s, start, to);
    /* A short last passage joins the one before it (not across a page). */
    if (s->n == last + 1 && last > 0 && s->ps[last - 1].offset >= from &&
        words - start_words < s->min) {
        s->ps[last - 1].len += s->ps[last].len;
        s->n--;
    }
}

/* Words of t[0..len). */
static size_t count_words(const char *t, size_t len)
{
    size_t words = 0;
    int in = 0;
    for (size_t i = 0; i < len; i++) {
        int sp = space_byte((unsigned char)t[i]);
        if (!sp && !in)
            words++;
        in = !sp;
    }
    return words;
}

civ_status civ_passages_split(civ_passage **out, size_t *n, const civ_doc *doc, civ_error *err)
{
    size_t len;
    const char *t = civ_doc_text(doc, &len);
    *out = NULL;
    *n = 0;
    if (len == 0)
        return CIV_OK;
    splitter s;
    memset(&s, 0, sizeof s);
    s.t = t;
    s.len = len;
    /* Texts of more than CIV_PASSAGES_MAX passages get longer ones. */
    size_t words = count_words(t, len);
    size_t f = words / ((size_t)CIV_PASSAGE_WORDS * CIV_PASSAGES_MAX) + 1;
    s.target = CIV_PASSAGE_WORDS * f;
    s.min = CIV_PASSAGE_MIN_WORDS * f;
    s.max = CIV_PASSAGE_MAX_WORDS * f;
    s.max_bytes = s.max * 16;
    size_t from = 0;
    size_t npages = civ_doc_npages(doc);
    for (size_t i = 0; i < npages; i++) {
        size_t at;
        civ_doc_page_mark(doc, i, NULL, &at);
        if (at <= from || at >= len)
            continue;
        split_stretch(&s, from, at);
        from = at;
    }
    split_stretch(&s, from, len);
    if (s.failed) {
        free(s.ps);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    /* Books of many pages: several pages a passage. */
    if (s.n > CIV_PASSAGES_MAX) {
        size_t k = (s.n + CIV_PASSAGES_MAX - 1) / CIV_PASSAGES_MAX, m = 0;
        for (size_t i = 0; i < s.n; i += k) {
            size_t j = i + k < s.n ? i + k : s.n;
            s.ps[m].offset = s.ps[i].offset;
            s.ps[m].len = s.ps[j - 1].offset + s.ps[j - 1].len - s.ps[i].offset;
            m++;
        }
        s.n = m;
    }
    *out = s.ps;
    *n = s.n;
    return CIV_OK;
}

size_t civ_passage_at(const civ_passage *ps, size_t n, size_t offset)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ps[mid].offset <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : 0;
}
