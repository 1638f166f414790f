/* The FastCGI front end: one process answers request after request, with
 * its indexes opened once and brought up to date before each search. */
#include <fcgiapp.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include "cgi.h"
#include "web.h"

static const char *fcgi_param(void *ctx, const char *name)
{
    FCGX_Request *rq = ctx;
    return FCGX_GetParam(name, rq->envp);
}

static long fcgi_read(void *ctx, char *buf, size_t n)
{
    FCGX_Request *rq = ctx;
    int got = FCGX_GetStr(buf, n > INT_MAX ? INT_MAX : (int)n, rq->in);
    return got < 0 ? -1 : got;
}

static void put(FCGX_Request *rq, const civ_buf *b)
{
    size_t off = 0;
    while (off < b->len) {
        size_t chunk = b->len - off > INT_MAX ? INT_MAX : b->len - off;
        if (FCGX_PutStr(b->data + off, (int)chunk, rq->out) < 0)
            return; /* the client went away */
        off += chunk;
    }
}

int civ_web_fastcgi(const char *listen)
{
    /* A client that hangs up must not kill the process. */
    signal(SIGPIPE, SIG_IGN);
    if (FCGX_Init() != 0) {
        fputs("civsearch: cannot start FastCGI\n", stderr);
        return 2;
    }
    int sock = 0;
    if (listen) {
        sock = FCGX_OpenSocket(listen, 128);
        if (sock < 0) {
            fprintf(stderr, "civsearch: cannot listen on %s\n", listen);
            return 2;
        }
    }
    civ_web *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_web_new(&w, 1, &err) != CIV_OK) {
        fprintf(stderr, "civsearch: %s\n", err.msg);
        return 2;
    }
    FCGX_Request rq;
    if (FCGX_InitRequest(&rq, sock, 0) != 0) {
        fputs("civsearch: cannot start FastCGI\n", stderr);
        civ_web_free(w);
        return 2;
    }
    unsigned cpu = civ_web_limits(w)->cpu_seconds;
    while (FCGX_Accept_r(&rq) >= 0) {
        civ_cgi_limit_cpu(cpu);
        civ_web_request in = { fcgi_param, &rq, fcgi_read, &rq };
        civ_web_response out = CIV_WEB_RESPONSE_INIT;
        civ_web_handle(w, &in, &out);
        if (out.whole)
            FCGX_PutS(out.whole, rq.out);
        put(&rq, &out.head);
        put(&rq, &out.body);
        civ_web_response_free(&out);
        FCGX_Finish_r(&rq);
    }
    FCGX_Free(&rq, 1);
    civ_web_free(w);
    return 0;
}
