/*
 * civ/render.h — output formats of civsearch behind one table.
 *
 * Every command (search, --show, --stats, --thread) prints through a
 * renderer, so each command exists in every format without "if (json)"
 * scattered around. The CGI adds the HTML page renderer to the same table.
 */
#ifndef CIV_RENDER_H
#define CIV_RENDER_H

#include "civ/buf.h"
#include "civ/db.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a renderer needs to know besides the results. */
typedef struct civ_render_info {
    const civ_search_opts *opts;  /* the search that was run */
    const char *query;            /* the query as the user typed it */
    double elapsed;               /* seconds the search took */
    int color;                    /* text: use terminal bold/colour */
    const char *title;            /* heading for listings ("Thread …"), or NULL */
} civ_render_info;

typedef struct civ_renderer {
    const char *name;   /* "text", "json" */
    void (*results)(civ_buf *out, const civ_render_info *info, const civ_results *r);
    void (*document)(civ_buf *out, const civ_doc *doc);
    void (*stats)(civ_buf *out, const civ_stats *s);
} civ_renderer;

extern const civ_renderer civ_render_text;
extern const civ_renderer civ_render_json;

/* The renderer by name, or NULL. */
const civ_renderer *civ_renderer_by_name(const char *name);

/* The document's date as "YYYY-MM-DD" into out[11]; returns 0, or -1 (and
 * out = "") when it has none. */
int civ_render_date(const civ_doc *doc, char out[11]);

/* All values of a field joined by sep into out (appended). Returns how many. */
size_t civ_render_join(civ_buf *out, const civ_doc *doc, const char *field, const char *sep);

/* Converts an HTML snippet from civ_search (escaped text, matches in
 * <b>…</b>) to plain text with the given markers around matches. */
void civ_render_snippet_plain(civ_buf *out, const char *html, const char *on, const char *off);

/* Appends s HTML-escaped for text and attribute contexts (& < > " '). */
void civ_html_escape(civ_buf *out, const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
