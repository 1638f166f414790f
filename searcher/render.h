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

/* What the search page needs besides the results (the CGI fills it; the
 * command line leaves civ_render_info.page NULL). All borrowed. */
typedef struct civ_page {
    const char *site_title;          /* heading of every page */
    const char *collection;          /* c= of the request, or NULL (the default) */
    const char *const *collections;  /* all collection names (first: default) */
    size_t ncollections;
    const char *const *filters;      /* active facet filters "field:value" */
    size_t nfilters;
    const char *from, *until;        /* date range as given, or NULL */
    unsigned limit;                  /* page size the request chose, or 0 */
    unsigned snippets;               /* snippets a hit the request chose, or 0 */
    unsigned max_offset;             /* pages starting beyond it are not linked */
    size_t max_query;                /* longest query (bytes) the form takes */
    uint64_t documents;              /* documents in the collection */
    const char *like;                /* like=ID of the request, or NULL */
    const char *like_title;          /* title of that document, or NULL */
} civ_page;

/* The document view's legal side (docs/entities.md): the entities of its
 * title and text with how often each occurs, the documents of the index
 * it cites and those citing it. Strings are owned by the struct
 * (civ_doc_legal_free). */
typedef struct civ_doc_entity {
    const char *field;   /* schema field: "agency", "case", "casename", … */
    char *value;         /* canonical form ("fbi", "585-us-296") */
    char *query;         /* the query finding the others with it (agency:fbi) */
    unsigned count;      /* mentions (short forms and id. count with their cite) */
} civ_doc_entity;

typedef struct civ_doc_link {
    char *id;
    char *title;         /* NULL when the document has none */
} civ_doc_link;

typedef struct civ_doc_legal {
    civ_doc_entity *entities;
    size_t nentities;
    civ_doc_link *cites;       /* its "cites" ids, with their titles */
    size_t ncites;
    civ_doc_link *cited_by;    /* the first CIV_DOC_CITED_BY_MAX citing it */
    size_t ncited_by;
    uint64_t cited_by_total;   /* all documents here citing it */
    char *cited_by_query;      /* "cites:ID" */
} civ_doc_legal;

#define CIV_DOC_CITED_BY_MAX 50

/* Fills *out for doc (read with its text) of db: scans the title and text
 * with the extractor again for the counts, reads the titles of the
 * documents it cites and searches those citing it. *out is zeroed first;
 * free it with civ_doc_legal_free (also after an error). CIV_ENOMEM, the
 * index's errors. */
civ_status civ_doc_legal_load(civ_doc_legal *out, civ_db *db, const civ_doc *doc, civ_error *err);

/* Frees what *l holds. NULL is a no-op. */
void civ_doc_legal_free(civ_doc_legal *l);

/* What a renderer needs to know besides the results. */
typedef struct civ_render_info {
    const civ_search_opts *opts;  /* the search that was run */
    const char *query;            /* the query as the user typed it; for the
                                     search page NULL means the front page */
    double elapsed;               /* seconds the search took */
    int color;                    /* text: use terminal bold/colour */
    const char *title;            /* heading for listings ("Thread …"), or NULL */
    const civ_page *page;         /* search page context, or NULL */
    unsigned doc_page;            /* the document view: show this page of
                                     the text only (0: all of it) */
    const civ_span *spans;        /* the document view: the query's words in
                                     the document's text (civ_db_highlight),
                                     nspans of them, or NULL */
    size_t nspans;
    const civ_doc_legal *legal;   /* the document view: its entities and
                                     citation links, or NULL (the legal
                                     fields are then listed as stored) */
    const char *const *missing_shards; /* shards left out of the search */
    size_t nmissing_shards;            /* (allow_partial), as configured */
    size_t nshards;                    /* shards in all (0: not known) */
} civ_render_info;

typedef struct civ_renderer {
    const char *name;   /* "text", "json", "html" */
    void (*results)(civ_buf *out, const civ_render_info *info, const civ_results *r);
    /* the document view; the search page uses info's request context */
    void (*document)(civ_buf *out, const civ_render_info *info, const civ_doc *doc);
    /* Optional entries (NULL where a format has none): */
    /* index statistics (the command line's --stats) */
    void (*stats)(civ_buf *out, const civ_stats *s);
    /* an error answer: status is the HTTP status (the command line uses
     * 400 for a bad query), code a short name for programs ("bad_query",
     * "not_found"), message one safe line */
    void (*error)(civ_buf *out, const civ_render_info *info, int status, const char *code,
                  const char *message);
} civ_renderer;

extern const civ_renderer civ_render_text;
extern const civ_renderer civ_render_json;
extern const civ_renderer civ_render_html;
extern const civ_renderer civ_render_csv;   /* results for scripts */

/* The document's date as "YYYY-MM-DD" into out[11]; returns 0, or -1 (and
 * out = "") when it has none. */
int civ_render_date(const civ_doc *doc, char out[11]);

/* The document's date as --show and the document view give it: its own
 * date, or for a document without one a note with the file's time (which
 * is never taken for the document's date), written into buf[n]; NULL when
 * there is neither. */
const char *civ_render_when(const civ_doc *doc, char *buf, size_t n);

/* " (N copies folded)" ("about N" when the count is an estimate) for the
 * copies r's count folded, appended to out; nothing when none. */
void civ_render_folded(civ_buf *out, const civ_results *r);

/* All values of a field joined by sep into out (appended). Returns how many. */
size_t civ_render_join(civ_buf *out, const civ_doc *doc, const char *field, const char *sep);

/* Appends a hit's snippet: its text through `text` (an escaper for the
 * output's context, or civ_buf_append), each span of the query's words
 * between `on` and `off` (written as they are). */
void civ_render_snippet(civ_buf *out, const civ_hit *h,
                        void (*text)(civ_buf *out, const char *s, size_t len), const char *on,
                        const char *off);

/* The same for one of a hit's snippets. */
void civ_render_snippet_of(civ_buf *out, const civ_snippet *sn,
                           void (*text)(civ_buf *out, const char *s, size_t len), const char *on,
                           const char *off);

/* Where a snippet is, for people: "p. 12" when the document has pages,
 * "¶ 31" (its passage) when it has several passages, into buf[n].
 * Returns 0 (and buf "") when there is nothing worth saying: one passage
 * without pages. */
int civ_render_place(char *buf, size_t n, const civ_hit *h, const civ_snippet *sn);

/* Page `page` of doc's text (its page marks): *text and *len, borrowed
 * from doc. Returns 0, or -1 when the document has no such page. */
int civ_render_page_text(const civ_doc *doc, unsigned page, const char **text, size_t *len);

/* The search page's inline style sheet (searcher/page_style.c). */
extern const char civ_page_style[];

/* Appends s HTML-escaped for text and attribute contexts (& < > " '): the
 * one HTML escaper of the tree. */
void civ_html_escape(civ_buf *out, const char *s, size_t len);

/* The document's text as the document view shows it: paragraphs as the
 * stored text parts them (blank lines), headings as headings, the query's
 * words marked, an anchor ("#p12") where each page begins, and one
 * ("#s31") before the paragraph where each passage of a long document
 * begins (the places hits link to); info->spans are the query's words
 * in t (searcher/html_text.c). */
void civ_html_doc_text(civ_buf *out, const civ_render_info *info, const civ_doc *doc, const char *t,
                       size_t len);

#ifdef __cplusplus
}
#endif
#endif
