/*
 * civ/cgi.h — reading a search request from the web, safely.
 *
 * The search page takes its parameters from the query string of a GET
 * request and from the body of a POST form
 * (application/x-www-form-urlencoded). Everything here is strict: a
 * malformed percent-escape, invalid UTF-8, a NUL byte, a number that is
 * not a number or a value over its limit refuses the whole request
 * (CIV_EINVAL or CIV_ETOOBIG, a one-line message safe to show, the
 * front end answers 400). Parameters the page does not know are ignored.
 *
 * Parameters: q, page (1-based) or offset, limit, sort (relevance, date,
 * -date), from, until, f=FIELD:VALUE (repeatable facet filters), format
 * (html, json), id (document view), like (similar documents), c
 * (collection name), snippets (a hit: 1 to CIV_CGI_SNIPPETS_MAX). The
 * index is never named by the request.
 */
#ifndef CIV_CGI_H
#define CIV_CGI_H

#include <stddef.h>

#include "civ/buf.h"
#include "civ/db.h"
#include "civ/query.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Limits of one request. The administrator may change them in the
 * configuration file (civ/config.h). */
typedef struct civ_cgi_limits {
    size_t max_query;        /* bytes of q (longer: 400) */
    size_t max_input;        /* bytes of the query string or a POST body */
    unsigned page_size;      /* hits a page when limit is not given */
    unsigned max_limit;      /* larger limits are lowered to this */
    unsigned max_offset;     /* hits beyond this are not served (400) */
    unsigned max_filters;    /* f= parameters */
    unsigned wildcard_limit; /* terms one wildcard may expand to */
    unsigned time_limit_ms;  /* Xapian's match time limit */
    unsigned cpu_seconds;    /* CPU time one request may use (rlimit) */
    unsigned facet_values;   /* values shown per facet */
    unsigned snippets;       /* snippets a hit when the request does not say */
} civ_cgi_limits;

/* The most snippets a hit a request may ask for. */
#define CIV_CGI_SNIPPETS_MAX 3

#define CIV_CGI_LIMITS_INIT                                                              \
    { .max_query = CIV_QUERY_MAX, .max_input = 16384, .page_size = 10, .max_limit = 100,   \
      .max_offset = 10000, .max_filters = 16, .wildcard_limit = 200, .time_limit_ms = 2000, \
      .cpu_seconds = 10, .facet_values = 8, .snippets = 1 }

/* Longest id, like, collection, from/until and filter values. */
#define CIV_CGI_MAX_VALUE 512

typedef enum civ_cgi_format { CIV_CGI_HTML = 0, CIV_CGI_JSON } civ_cgi_format;

/* The request's parameters, decoded and checked. Strings are owned by the
 * struct (civ_cgi_params_free) and are NULL when the parameter was absent
 * or empty. */
typedef struct civ_cgi_params {
    char *q;
    unsigned page;         /* 0: not given */
    unsigned offset;       /* used when has_offset */
    int has_offset;
    unsigned limit;        /* used when has_limit (already capped) */
    int has_limit;
    civ_sort sort;
    int has_sort;
    char *from, *until;    /* checked: YYYY, YYYY-MM or YYYY-MM-DD */
    char **filters;        /* "field:value", field a facet field */
    size_t nfilters;
    civ_cgi_format format;
    char *id;
    char *like;
    char *collection;
    unsigned snippets;     /* 1..CIV_CGI_SNIPPETS_MAX; 0: not given */
} civ_cgi_params;

#define CIV_CGI_PARAMS_INIT { .sort = CIV_SORT_RELEVANCE, .format = CIV_CGI_HTML }

void civ_cgi_params_free(civ_cgi_params *p);

/* Decodes one application/x-www-form-urlencoded component s[0..len) and
 * appends it to out: "+" is a space, "%XX" the byte XX. Errors
 * (CIV_EINVAL): "%" not followed by two hex digits, a NUL byte, bytes
 * that are not valid UTF-8. On error out may hold part of the value. */
civ_status civ_cgi_decode(civ_buf *out, const char *s, size_t len, civ_error *err);

/* Splits s[0..len) at "&" and calls fn with each decoded name and value
 * (both NUL-terminated, borrowed until fn returns; a pair without "=" has
 * an empty value; empty pairs are skipped). fn returns CIV_OK to go on;
 * any other status stops the walk and is returned. */
typedef civ_status (*civ_cgi_pair_fn)(void *ctx, const char *name, const char *value,
                                      civ_error *err);
civ_status civ_cgi_each_pair(const char *s, size_t len, civ_cgi_pair_fn fn, void *ctx,
                             civ_error *err);

/* Reads the parameters in s[0..len) into p (call once for the query
 * string and once for a form body; a later single-valued parameter
 * replaces an earlier one, f= accumulates). Checks every value against
 * lim: CIV_ETOOBIG when the input or q is too long or there are too many
 * filters, CIV_EINVAL for any other bad value. */
civ_status civ_cgi_parse(civ_cgi_params *p, const char *s, size_t len,
                         const civ_cgi_limits *lim, civ_error *err);

/* The first hit to return and the page size for p, within lim:
 * offset wins over page; CIV_EINVAL when it lies beyond lim->max_offset. */
civ_status civ_cgi_window(unsigned *offset, unsigned *limit, const civ_cgi_params *p,
                          const civ_cgi_limits *lim, civ_error *err);

/* Fills the search options for p within lim: the window (as
 * civ_cgi_window), sort, filters, date range, like, snippets (p's, else
 * lim->snippets), facets
 * (lim->facet_values), spelling, lim->time_limit_ms and
 * lim->wildcard_limit. The query is p->q, "*" when there is none, or NULL
 * for a pure like= search. so borrows p's strings. CIV_EINVAL as
 * civ_cgi_window. */
civ_status civ_cgi_search_opts(civ_search_opts *so, const civ_cgi_params *p,
                               const civ_cgi_limits *lim, civ_error *err);

/* Appends s[0..len) percent-encoded for a URL query component: every
 * byte but A-Z a-z 0-9 - . _ ~ is written as %XX (the result needs no
 * further escaping in an HTML attribute). */
void civ_url_encode(civ_buf *out, const char *s, size_t len);

/* Sets the soft CPU-time limit of this process to the CPU time used so
 * far plus `seconds` (rounded up), leaving the hard limit alone; when it
 * is reached the process writes one line to stderr and exits with
 * CIV_CGI_CPU_EXIT (a FastCGI server starts a new one). 0 does nothing.
 * Returns 0, or -1 when the limit could not be set (errno). */
int civ_cgi_limit_cpu(unsigned seconds);

#define CIV_CGI_CPU_EXIT 70

/* The reason phrase of an HTTP status ("Bad Request"). Never NULL. */
const char *civ_http_reason(int status);

/* Appends the response header block for status and content type:
 * "Status:", "Content-Type:", "Content-Length:" (when body_len is not
 * (size_t)-1), the security headers every answer carries
 * (Content-Security-Policy, X-Content-Type-Options, Referrer-Policy,
 * X-Frame-Options, Cache-Control: no-store, Cross-Origin-*), then the
 * blank line. `extra` (may be NULL) is inserted as is before the blank
 * line and must end in "\r\n". */
void civ_http_head(civ_buf *out, int status, const char *content_type, size_t body_len,
                   const char *extra);

/* The Content-Security-Policy every answer carries. */
#define CIV_CSP "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; " \
                "base-uri 'none'; frame-ancestors 'none'"

#ifdef __cplusplus
}
#endif
#endif
