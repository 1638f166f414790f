/* The search page: one request in, one answer out (HTML or JSON), and the
 * CGI front end. See civ/web.h. */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "cgi.h"
#include "civ/db.h"
#include "render.h"
#include "civ/date.h"
#include "civ/parse.h"

/* Snippets a hit on the search page (each from another passage of a long
 * document, in the order of the text). */

struct civ_web {
    civ_config *config;        /* NULL when the configuration failed */
    civ_cgi_limits limits;
    int keep_open;
    civ_db **dbs;              /* one per collection, opened on first use */
    const char **names;        /* collection names, for the page */
};

civ_status civ_web_new(civ_web **out, int keep_open, civ_error *err)
{
    *out = NULL;
    civ_web *w = calloc(1, sizeof *w);
    if (!w)
        goto nomem;
    civ_cgi_limits lim = CIV_CGI_LIMITS_INIT;
    w->limits = lim;
    w->keep_open = keep_open;
    civ_error cerr = CIV_ERROR_INIT;
    if (civ_config_from_env(&w->config, &cerr) != CIV_OK) {
        /* The administrator reads this in the server's error log. */
        fprintf(stderr, "civsearch: configuration: %s\n", cerr.msg);
        if (cerr.code == CIV_ENOMEM) {
            free(w);
            goto nomem;
        }
    } else {
        w->limits = w->config->limits;
        size_t n = w->config->ncollections;
        w->dbs = calloc(n, sizeof(civ_db *));
        w->names = calloc(n, sizeof *w->names);
        if (!w->dbs || !w->names) {
            civ_web_free(w);
            goto nomem;
        }
        for (size_t i = 0; i < n; i++)
            w->names[i] = w->config->collections[i].name;
    }
    *out = w;
    return CIV_OK;
nomem:
    return civ_error_set(err, CIV_ENOMEM, "out of memory");
}

void civ_web_free(civ_web *w)
{
    if (!w)
        return;
    if (w->config && w->dbs)
        for (size_t i = 0; i < w->config->ncollections; i++)
            civ_db_free(w->dbs[i]);
    free(w->dbs);
    free(w->names);
    civ_config_free(w->config);
    free(w);
}

const civ_cgi_limits *civ_web_limits(const civ_web *w)
{
    return &w->limits;
}

void civ_web_response_free(civ_web_response *resp)
{
    if (!resp)
        return;
    civ_buf_free(&resp->head);
    civ_buf_free(&resp->body);
    resp->whole = NULL;
}

/* The open index of collection i, reopened to its latest state when kept
 * open between requests. */
static civ_status collection_db(civ_web *w, size_t i, civ_db **out, civ_error *err)
{
    if (w->dbs[i]) {
        if (!w->keep_open || civ_db_reopen(w->dbs[i], NULL, err) == CIV_OK) {
            *out = w->dbs[i];
            return CIV_OK;
        }
        /* Replaced or damaged since: start again from the path. */
        civ_db_free(w->dbs[i]);
        w->dbs[i] = NULL;
    }
    /* The collection's indexes: one, or several joined by ":". */
    const char *list = w->config->collections[i].path;
    char *copy = strdup(list);
    const char *specs[64];
    size_t n = 0;
    if (!copy)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    for (char *p = copy; *p && n < sizeof specs / sizeof specs[0];) {
        size_t len = civ_db_list_span(p);
        char *next = p + len + (p[len] == ':');
        p[len] = '\0';
        if (len)
            specs[n++] = p;
        p = next;
    }
    civ_db_opts dbo = CIV_DB_OPTS_INIT;
    if (w->config->timeout_ms)
        dbo.timeout_ms = w->config->timeout_ms;
    dbo.allow_partial = w->config->allow_partial;
    civ_status s = civ_db_open_many(&w->dbs[i], specs, n, &dbo, err);
    free(copy);
    if (s == CIV_OK)
        *out = w->dbs[i];
    return s;
}

/* ---- one request --------------------------------------------------- */

typedef struct request {
    civ_web *w;
    const civ_web_request *rq;
    civ_web_response *resp;
    int head_only;
    civ_cgi_params p;
    int json;
    const char *extra_headers;
    civ_search_opts so;
    civ_page page;
    civ_render_info info;
} request;

static const civ_renderer *renderer(const request *r)
{
    return r->json ? &civ_render_json : &civ_render_html;
}

/* The answer when not even its head could be built. */
static const char OUT_OF_MEMORY[] =
    "Status: 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nout of memory\n";

static void finish(request *r, int status)
{
    civ_web_response *resp = r->resp;
    resp->status = status;
    if (civ_buf_failed(&resp->body)) {
        civ_buf_free(&resp->body);
        status = resp->status = 500;
        civ_buf_puts(&resp->body, "out of memory\n");
        civ_http_head(&resp->head, status, "text/plain; charset=utf-8", resp->body.len, NULL);
    } else {
        civ_http_head(&resp->head, status,
                      r->json ? "application/json" : "text/html; charset=utf-8",
                      resp->body.len, r->extra_headers);
    }
    if (civ_buf_failed(&resp->head)) {
        civ_buf_free(&resp->head);
        civ_buf_free(&resp->body);
        resp->status = 500;
        resp->whole = OUT_OF_MEMORY;
    }
    if (r->head_only)
        civ_buf_reset(&resp->body);
}

/* The short name of an error answer for programs. */
static const char *error_code(int status)
{
    switch (status) {
    case 404: return "not_found";
    case 405: return "method_not_allowed";
    case 413: return "too_large";
    case 415: return "unsupported_media_type";
    case 503: return "unavailable";
    default: return status >= 500 ? "server_error" : "bad_request";
    }
}

static void answer_coded(request *r, int status, const char *code, const char *message)
{
    civ_buf_reset(&r->resp->body);
    renderer(r)->error(&r->resp->body, &r->info, status, code, message);
    finish(r, status);
}

static void answer_error(request *r, int status, const char *message)
{
    answer_coded(r, status, error_code(status), message);
}

/* A server-side failure: the reason goes to the error log, the answer
 * says only that it failed (no path, no library message). */
static void answer_failure(request *r, const char *what, const civ_error *err)
{
    fprintf(stderr, "civsearch: %s: %s\n", what, err ? err->msg : "unknown error");
    if (err && err->code == CIV_ECORRUPT)
        answer_error(r, 503, "The index is damaged. The administrator must rebuild it with "
                             "civindex --full.");
    else
        answer_error(r, 500, "The search failed on the server. Please try again later.");
}

static const char *rq_param(const request *r, const char *name)
{
    return r->rq->param ? r->rq->param(r->rq->param_ctx, name) : NULL;
}

/* Whether the raw query string asks for JSON, for answering errors found
 * before its parameters could all be read. */
static int wants_json(const char *qs)
{
    const char *p = qs;
    while ((p = strstr(p, "format=json")) != NULL) {
        if ((p == qs || p[-1] == '&') && (p[11] == '\0' || p[11] == '&'))
            return 1;
        p++;
    }
    return 0;
}

static int is_form_type(const char *ct)
{
    static const char form[] = "application/x-www-form-urlencoded";
    if (!ct)
        return 0;
    while (*ct == ' ')
        ct++;
    size_t n = sizeof form - 1;
    return strncasecmp(ct, form, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Reads the form body of a POST request into the parameters. Returns the
 * HTTP status to answer with on failure, or 0. */
static int read_form(request *r, civ_error *err)
{
    const civ_cgi_limits *lim = &r->w->limits;
    if (!is_form_type(rq_param(r, "CONTENT_TYPE"))) {
        civ_error_set(err, CIV_EINVAL, "forms must be sent as application/x-www-form-urlencoded");
        return 415;
    }
    uint64_t len;
    if (civ_parse_uint(&len, rq_param(r, "CONTENT_LENGTH"), 0, 999999999999ULL) < 0) {
        civ_error_set(err, CIV_EINVAL, "a form needs a valid Content-Length");
        return 400;
    }
    if (len > lim->max_input) {
        civ_error_set(err, CIV_ETOOBIG, "the form is too large (at most %zu bytes)", lim->max_input);
        return 413;
    }
    civ_buf body = CIV_BUF_INIT;
    if (len && civ_buf_reserve(&body, (size_t)len) < 0) {
        civ_error_set(err, CIV_ENOMEM, "out of memory");
        return 500;
    }
    while (body.len < len && r->rq->read) {
        long got = r->rq->read(r->rq->read_ctx, body.data + body.len, (size_t)len - body.len);
        if (got <= 0)
            break;
        body.len += (size_t)got;
    }
    int status = 0;
    if (body.len < len) {
        civ_error_set(err, CIV_EINVAL, "the form body ended early");
        status = 400;
    } else if (civ_cgi_parse(&r->p, body.data, body.len, lim, err) != CIV_OK) {
        status = err->code == CIV_ENOMEM ? 500 : 400;
    }
    civ_buf_free(&body);
    return status;
}

static int blank(const char *s)
{
    return !s || s[strspn(s, " \t\r\n")] == '\0';
}

/* Most query words marked in one document view. */
#define DOC_SPANS_MAX 20000

static void show_document(request *r, civ_db *db)
{
    civ_doc *doc = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_db_get(&doc, db, r->p.id, 1, &err) != CIV_OK) {
        if (err.code == CIV_ENOTFOUND)
            answer_error(r, 404, "There is no document with that id.");
        else
            answer_failure(r, "reading a document", &err);
        return;
    }
    /* With a query: its words marked in the text (a query that does not
     * parse marks nothing; the document is still shown). */
    civ_span *spans = NULL;
    size_t nspans = 0, len = 0;
    const char *text = civ_doc_text(doc, &len);
    civ_error herr = CIV_ERROR_INIT;
    if (r->p.q && civ_cgi_search_opts(&r->so, &r->p, &r->w->limits, &herr) == CIV_OK &&
        civ_db_highlight(&spans, &nspans, db, &r->so, text, len, DOC_SPANS_MAX, &herr) != CIV_OK) {
        spans = NULL;
        nspans = 0;
    }
    if (r->p.q && herr.code == CIV_OK)
        r->info.opts = &r->so; /* the way back keeps the sort and page */
    r->info.spans = spans;
    r->info.nspans = nspans;
    civ_doc_legal legal;
    civ_error lerr = CIV_ERROR_INIT;
    if (civ_doc_legal_load(&legal, db, doc, &lerr) == CIV_OK)
        r->info.legal = &legal; /* else the stored fields are still shown */
    renderer(r)->document(&r->resp->body, &r->info, doc);
    civ_doc_legal_free(&legal);
    r->info.legal = NULL;
    r->info.spans = NULL;
    r->info.nspans = 0;
    free(spans);
    civ_doc_free(doc);
    finish(r, 200);
}

static void search(request *r, civ_db *db)
{
    civ_error err = CIV_ERROR_INIT;
    const civ_cgi_limits *lim = &r->w->limits;
    civ_search_opts *so = &r->so;
    civ_cgi_params *p = &r->p;
    if (civ_cgi_search_opts(so, p, lim, &err) != CIV_OK) {
        answer_error(r, 400, err.msg);
        return;
    }
    /* The front page: counts to browse by, no hits. */
    int front = !r->json && !p->q && !p->nfilters && !p->from && !p->until && !p->like;
    if (front) {
        so->offset = 0;
        so->limit = 0;
    }
    r->info.query = front ? NULL : p->q ? p->q : "";
    r->info.opts = so;
    civ_results *res = NULL;
    double t0 = civ_monotonic();
    civ_status s = civ_search(&res, db, so, &err); /* retries by itself when the index changes */
    r->info.elapsed = civ_monotonic() - t0;
    if (s != CIV_OK) {
        if (s == CIV_EQUERY)
            answer_coded(r, 400, "bad_query", err.msg);
        else if (s == CIV_ENOTFOUND)
            answer_error(r, 404, "There is no document with that id.");
        else if (s == CIV_ERETRY)
            answer_error(r, 503, "The index is being updated. Please try again in a moment.");
        else
            answer_failure(r, "search", &err);
    } else {
        /* Shards left out (allow_partial): named in JSON and in the
         * server's log, counted on the page. */
        r->info.missing_shards = civ_db_missing(db, &r->info.nmissing_shards);
        r->info.nshards = civ_db_shard_count(db);
        for (size_t i = 0; i < r->info.nmissing_shards; i++)
            fprintf(stderr, "civsearch: %s did not answer; results without it\n",
                    r->info.missing_shards[i]);
        const civ_doc *like = civ_results_like(res);
        r->page.like_title = like ? civ_doc_get(like, "title") : NULL;
        renderer(r)->results(&r->resp->body, &r->info, res);
        r->page.like_title = NULL;
        finish(r, 200);
    }
    civ_results_free(res);
}

void civ_web_handle(civ_web *w, const civ_web_request *rq, civ_web_response *resp)
{
    request r;
    memset(&r, 0, sizeof r);
    civ_cgi_params pinit = CIV_CGI_PARAMS_INIT;
    civ_search_opts soinit = CIV_SEARCH_OPTS_INIT;
    r.w = w;
    r.rq = rq;
    r.resp = resp;
    r.p = pinit;
    r.so = soinit;
    r.info.opts = &r.so;
    r.info.page = &r.page;
    r.page.site_title = w->config ? w->config->title : CIV_CONFIG_DEFAULT_TITLE;
    r.page.max_offset = w->limits.max_offset;
    r.page.max_query = w->limits.max_query;

    const char *method = rq_param(&r, "REQUEST_METHOD");
    if (!method || !*method)
        method = "GET";
    const char *qs = rq_param(&r, "QUERY_STRING");
    if (!qs)
        qs = "";
    r.json = wants_json(qs);
    r.head_only = strcmp(method, "HEAD") == 0;
    civ_error err = CIV_ERROR_INIT;
    if (strcmp(method, "GET") != 0 && !r.head_only && strcmp(method, "POST") != 0) {
        r.extra_headers = "Allow: GET, HEAD, POST\r\n";
        answer_error(&r, 405, "Only GET, HEAD and POST requests are answered.");
        goto done;
    }
    if (civ_cgi_parse(&r.p, qs, strlen(qs), &w->limits, &err) != CIV_OK) {
        r.json = r.json || r.p.format == CIV_CGI_JSON;
        answer_error(&r, err.code == CIV_ENOMEM ? 500 : 400, err.msg);
        goto done;
    }
    if (strcmp(method, "POST") == 0) {
        int status = read_form(&r, &err);
        if (status) {
            r.json = r.json || r.p.format == CIV_CGI_JSON;
            answer_error(&r, status, err.msg);
            goto done;
        }
    }
    r.json = r.p.format == CIV_CGI_JSON;
    if (blank(r.p.q)) {
        free(r.p.q);
        r.p.q = NULL;
    }
    r.info.query = r.p.q;
    r.page.filters = (const char *const *)r.p.filters;
    r.page.nfilters = r.p.nfilters;
    r.page.from = r.p.from;
    r.page.until = r.p.until;
    r.page.limit = r.p.has_limit ? r.p.limit : 0;
    r.page.snippets = r.p.snippets;
    r.page.like = r.p.like;
    if (!w->config) {
        civ_error cerr = CIV_ERROR_INIT;
        civ_error_set(&cerr, CIV_ENOTFOUND, "the search page is not configured (see above)");
        answer_failure(&r, "configuration", &cerr);
        goto done;
    }
    r.page.collections = w->names;
    r.page.ncollections = w->config->ncollections;
    const civ_collection *col = civ_config_find(w->config, r.p.collection);
    if (!col) {
        answer_error(&r, 400, "There is no collection of that name.");
        goto done;
    }
    r.page.collection = r.p.collection ? col->name : NULL;
    size_t idx = (size_t)(col - w->config->collections);
    civ_db *db = NULL;
    if (collection_db(w, idx, &db, &err) != CIV_OK) {
        char what[128];
        snprintf(what, sizeof what, "collection %s", col->name);
        answer_failure(&r, what, &err);
        goto done;
    }
    r.page.documents = civ_db_doc_count(db);
    if (r.p.id)
        show_document(&r, db);
    else
        search(&r, db);
done:
    civ_cgi_params_free(&r.p);
}

/* ---- CGI ----------------------------------------------------------- */

static const char *env_param(void *ctx, const char *name)
{
    (void)ctx;
    return getenv(name);
}

static long stdin_read(void *ctx, char *buf, size_t n)
{
    (void)ctx;
    size_t got = fread(buf, 1, n, stdin);
    if (got == 0 && ferror(stdin))
        return -1;
    return (long)got;
}

int civ_web_cgi(void)
{
    civ_web *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_web_new(&w, 0, &err) != CIV_OK) {
        fputs(OUT_OF_MEMORY, stdout);
        return 1;
    }
    civ_cgi_limit_cpu(w->limits.cpu_seconds);
    civ_web_request rq = { env_param, NULL, stdin_read, NULL };
    civ_web_response resp = CIV_WEB_RESPONSE_INIT;
    civ_web_handle(w, &rq, &resp);
    if (resp.whole)
        fputs(resp.whole, stdout);
    fwrite(resp.head.data, 1, resp.head.len, stdout);
    if (resp.body.len)
        fwrite(resp.body.data, 1, resp.body.len, stdout);
    int rc = fflush(stdout) == 0 ? 0 : 1;
    civ_web_response_free(&resp);
    civ_web_free(w);
    return rc;
}

/* ---- dispatch ------------------------------------------------------ */

static int stdin_is_listening_socket(void)
{
    int v = 0;
    socklen_t len = sizeof v;
    return getsockopt(0, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

int civ_web_main(int argc, char **argv)
{
    if (argc > 1 && strncmp(argv[1], "--fastcgi", 9) == 0 &&
        (argv[1][9] == '\0' || argv[1][9] == '=')) {
        if (argc > 2) {
            fputs("civsearch: --fastcgi takes no other arguments\n", stderr);
            return 2;
        }
        const char *addr = argv[1][9] == '=' ? argv[1] + 10 : NULL;
        if (!addr && !stdin_is_listening_socket()) {
            fputs("civsearch: --fastcgi: standard input is not a listening socket; "
                  "give an address to listen on (--fastcgi=127.0.0.1:9000 or --fastcgi=/path.sock)\n",
                  stderr);
            return 2;
        }
        return civ_web_fastcgi(addr && *addr ? addr : NULL);
    }
    if (stdin_is_listening_socket())
        return civ_web_fastcgi(NULL);
    const char *gi = getenv("GATEWAY_INTERFACE");
    if (gi && *gi)
        return civ_web_cgi();
    return -1;
}
