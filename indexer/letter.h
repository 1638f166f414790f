/*
 * indexer/letter.h — what the open-letter enricher (letter.c) and the
 * reading of its signatures (signers.c) share: the lines of a text and
 * small tests on them.
 */
#ifndef CIV_LETTER_H
#define CIV_LETTER_H

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "civ/doc.h"

#define MAX_SIGNATORIES 2000

typedef struct line {
    const char *s;
    size_t n; /* trimmed; 0 for a blank line */
} line;

typedef struct lines {
    line *v;
    size_t n, cap;
} lines;

/* Removes decorations: spaces, Markdown emphasis and quoting, bullets,
 * an electronic signature mark. */
void letter_strip(const char **s, size_t *n);

/* Words of s[0..n) (runs between spaces). */
int letter_words(const char *s, size_t n);

/* Whether s[0..n) starts with / contains the ASCII text, any case. */
static inline int letter_starts(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && strncasecmp(s, prefix, k) == 0;
}

int letter_contains(const char *s, size_t n, const char *needle);

/* Adds each item of a list ("A, B; C") as a value of field. */
void letter_add_items(civ_doc *doc, const char *field, const char *s, size_t n);

/* Reads the signatures from lines [from, to) of a letter into doc
 * (signatories, cc). Returns how many; *prose receives the line where prose
 * resumed, or `to`. */
unsigned letter_signatures(civ_doc *doc, const lines *ls, size_t from, size_t to, size_t *prose);

#endif
