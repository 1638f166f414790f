/*
 * civ/web.h — the search page: one request in, one answer out, and the CGI
 * and FastCGI front ends that carry them.
 *
 * civ_web_handle() is the whole page: it reads the CGI variables and the
 * form body through callbacks, checks everything (civ/cgi.h), runs
 * civ_search() on the collection the configuration names (civ/config.h)
 * and renders HTML or JSON (civ/render.h). It never writes to stdout and
 * never logs a query; server-side failures are logged to stderr (the web
 * server's error log) with their reason, and the answer says only that
 * the search failed.
 */
#ifndef CIV_WEB_H
#define CIV_WEB_H

#include <stddef.h>

#include "civ/buf.h"
#include "config.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_web civ_web;

/* Reads the configuration from the environment (civ_config_from_env).
 * A configuration error is not fatal: it is logged once and every
 * request gets a 500 answer. keep_open: keep indexes open between
 * requests (FastCGI), reopening them when they change. *out is owned by
 * the caller (civ_web_free). Fails only with CIV_ENOMEM. */
civ_status civ_web_new(civ_web **out, int keep_open, civ_error *err);
void civ_web_free(civ_web *w);

/* The limits in force (the defaults when the configuration failed). */
const civ_cgi_limits *civ_web_limits(const civ_web *w);

typedef struct civ_web_request {
    /* The value of a CGI variable (REQUEST_METHOD, QUERY_STRING,
     * CONTENT_TYPE, CONTENT_LENGTH), or NULL. */
    const char *(*param)(void *ctx, const char *name);
    void *param_ctx;
    /* Reads up to n bytes of the request body into buf; returns how many
     * (0 at the end), or -1 on error. */
    long (*read)(void *ctx, char *buf, size_t n);
    void *read_ctx;
} civ_web_request;

typedef struct civ_web_response {
    int status;     /* HTTP status */
    civ_buf head;   /* CGI header block, ending in an empty line */
    civ_buf body;   /* empty for HEAD requests */
    const char *whole; /* when not NULL, the whole answer instead of head
                          and body: a constant "500 out of memory", for
                          when even the head could not be built */
} civ_web_response;

#define CIV_WEB_RESPONSE_INIT { .head = CIV_BUF_INIT, .body = CIV_BUF_INIT }

/* Answers one request into resp (which must be empty; free its buffers
 * with civ_web_response_free). Always produces a complete answer. */
void civ_web_handle(civ_web *w, const civ_web_request *rq, civ_web_response *resp);
void civ_web_response_free(civ_web_response *resp);

/* ---- front ends ---------------------------------------------------- */

/* Serves one CGI request from the environment and stdin to stdout.
 * Returns the exit status (0 once an answer was written). */
int civ_web_cgi(void);

/* Serves FastCGI requests until the server stops the process. listen:
 * NULL to use the listening socket the server passed on stdin, or an
 * address to listen on (":9000", "127.0.0.1:9000", "/run/civsearch.sock").
 * Returns the exit status. */
int civ_web_fastcgi(const char *listen);

/* The hook at the top of civsearch's main(): "--fastcgi[=ADDRESS]" as the
 * first argument or stdin being a listening socket → FastCGI;
 * GATEWAY_INTERFACE set → CGI. Returns the exit status, or -1 when this
 * is not a web invocation (the command line goes on). */
int civ_web_main(int argc, char **argv);

#ifdef __cplusplus
}
#endif
#endif
