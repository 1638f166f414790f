/*
 * civ/lines.h — walking the lines of a text.
 */
#ifndef CIV_LINES_H
#define CIV_LINES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_lines {
    const char *t;  /* the text (borrowed) */
    size_t len;
    size_t pos;     /* where the next line starts */
} civ_lines;

void civ_lines_init(civ_lines *it, const char *t, size_t len);

/* Gives the next line, without its newline, and returns 1; returns 0 at
 * the end. With trim set, spaces, tabs, CRs and form feeds at both ends are
 * left out (the line may then be empty). *line points into the text. */
int civ_lines_next(civ_lines *it, const char **line, size_t *n, int trim);

#ifdef __cplusplus
}
#endif
#endif
