/* Reading a search request from the web: strict decoding, parameters,
 * limits, and the headers every answer carries. */
#include "cgi.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "civ/date.h"
#include "civ/parse.h"
#include "civ/schema.h"
#include "civ/utf8.h"

void civ_cgi_params_free(civ_cgi_params *p)
{
    if (!p)
        return;
    free(p->q);
    free(p->from);
    free(p->until);
    for (size_t i = 0; i < p->nfilters; i++)
        free(p->filters[i]);
    free(p->filters);
    free(p->id);
    free(p->like);
    free(p->collection);
    civ_cgi_params init = CIV_CGI_PARAMS_INIT;
    *p = init;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

civ_status civ_cgi_decode(civ_buf *out, const char *s, size_t len, civ_error *err)
{
    size_t start = out->len;
    size_t run = 0, i;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c != '%' && c != '+' && c != '\0') {
            run++;
            continue;
        }
        civ_buf_append(out, s + i - run, run);
        run = 0;
        if (c == '+') {
            civ_buf_putc(out, ' ');
        } else if (c == '\0') {
            return civ_error_set(err, CIV_EINVAL, "a parameter contains a NUL byte");
        } else {
            int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
            int lo = hi >= 0 ? hexval((unsigned char)s[i + 2]) : -1;
            if (lo < 0)
                return civ_error_set(err, CIV_EINVAL,
                                     "malformed percent-encoding in the request (%% must be followed by two hex digits)");
            if (hi == 0 && lo == 0)
                return civ_error_set(err, CIV_EINVAL, "a parameter contains a NUL byte");
            civ_buf_putc(out, (char)(hi * 16 + lo));
            i += 2;
        }
    }
    civ_buf_append(out, s + i - run, run);
    if (civ_buf_failed(out))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    if (!civ_utf8_valid(out->data + start, out->len - start))
        return civ_error_set(err, CIV_EINVAL, "a parameter is not valid UTF-8");
    return CIV_OK;
}

civ_status civ_cgi_each_pair(const char *s, size_t len, civ_cgi_pair_fn fn, void *ctx,
                             civ_error *err)
{
    civ_buf name = CIV_BUF_INIT, value = CIV_BUF_INIT;
    civ_status st = CIV_OK;
    size_t i = 0;
    while (i <= len && st == CIV_OK) {
        const char *amp = memchr(s + i, '&', len - i);
        size_t end = amp ? (size_t)(amp - s) : len;
        if (end > i) {
            const char *eq = memchr(s + i, '=', end - i);
            size_t nend = eq ? (size_t)(eq - s) : end;
            civ_buf_reset(&name);
            civ_buf_reset(&value);
            civ_buf_puts(&name, "");
            civ_buf_puts(&value, "");
            st = civ_cgi_decode(&name, s + i, nend - i, err);
            if (st == CIV_OK && eq)
                st = civ_cgi_decode(&value, eq + 1, end - nend - 1, err);
            if (st == CIV_OK)
                st = fn(ctx, civ_buf_str(&name), civ_buf_str(&value), err);
        }
        i = end + 1;
    }
    civ_buf_free(&name);
    civ_buf_free(&value);
    return st;
}

/* ---- parameters ---------------------------------------------------- */

typedef struct parse_ctx {
    civ_cgi_params *p;
    const civ_cgi_limits *lim;
} parse_ctx;

static civ_status set_string(char **slot, const char *name, const char *v, size_t max,
                             civ_error *err)
{
    size_t len = strlen(v);
    if (len > max)
        return civ_error_set(err, CIV_ETOOBIG, "parameter %s is too long (%zu bytes; at most %zu)",
                             name, len, max);
    char *copy = NULL;
    if (len) {
        copy = strdup(v);
        if (!copy)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    free(*slot);
    *slot = copy;
    return CIV_OK;
}

static civ_status set_number(unsigned *out, const char *name, const char *v, unsigned min,
                             civ_error *err)
{
    if (civ_parse_unsigned(out, v, 0, 999999999) < 0)
        return civ_error_set(err, CIV_EINVAL, "parameter %s must be a whole number", name);
    if (*out < min)
        return civ_error_set(err, CIV_EINVAL, "parameter %s must be at least %u", name, min);
    return CIV_OK;
}

static civ_status set_date(char **slot, const char *name, const char *v, civ_error *err)
{
    if (*v) {
        char key[15];
        if (strlen(v) > 32 || civ_date_bound(v, strlen(v), 0, key) < 0)
            return civ_error_set(err, CIV_EINVAL,
                                 "parameter %s is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)", name);
    }
    return set_string(slot, name, v, 32, err);
}

static civ_status add_filter(civ_cgi_params *p, const civ_cgi_limits *lim, const char *v,
                             civ_error *err)
{
    if (!*v)
        return CIV_OK; /* an empty f= from a form is no filter */
    if (strlen(v) > CIV_CGI_MAX_VALUE)
        return civ_error_set(err, CIV_ETOOBIG, "a filter is too long (at most %d bytes)",
                             CIV_CGI_MAX_VALUE);
    if (p->nfilters >= lim->max_filters)
        return civ_error_set(err, CIV_ETOOBIG, "too many filters (at most %u)", lim->max_filters);
    const char *colon = strchr(v, ':');
    char field[32];
    size_t flen = colon ? (size_t)(colon - v) : 0;
    if (!colon || flen == 0 || flen >= sizeof field)
        return civ_error_set(err, CIV_EINVAL, "a filter must look like FIELD:VALUE");
    memcpy(field, v, flen);
    field[flen] = '\0';
    const civ_field_def *f = civ_schema_field(field);
    if (!f || !(f->flags & CIV_FIELD_FACET) || (f->flags & CIV_FIELD_INTERNAL))
        return civ_error_set(err, CIV_EINVAL, "cannot filter on that field");
    const char *value = colon + 1;
    value += strspn(value, " \t");
    if (!*value)
        return civ_error_set(err, CIV_EINVAL, "a filter has no value");
    char **grown = realloc(p->filters, (p->nfilters + 1) * sizeof *grown);
    if (!grown)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    p->filters = grown;
    if (!(p->filters[p->nfilters] = strdup(v)))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    p->nfilters++;
    return CIV_OK;
}

static civ_status on_pair(void *vctx, const char *name, const char *v, civ_error *err)
{
    parse_ctx *ctx = vctx;
    civ_cgi_params *p = ctx->p;
    const civ_cgi_limits *lim = ctx->lim;
    if (strcmp(name, "q") == 0) {
        if (strlen(v) > lim->max_query)
            return civ_error_set(err, CIV_ETOOBIG, "the query is too long (%zu bytes; at most %zu)",
                                 strlen(v), lim->max_query);
        return set_string(&p->q, name, v, lim->max_query, err);
    }
    if (strcmp(name, "page") == 0)
        return *v ? set_number(&p->page, name, v, 1, err) : CIV_OK;
    if (strcmp(name, "offset") == 0) {
        if (!*v)
            return CIV_OK;
        p->has_offset = 1;
        return set_number(&p->offset, name, v, 0, err);
    }
    if (strcmp(name, "limit") == 0) {
        if (!*v)
            return CIV_OK;
        civ_status s = set_number(&p->limit, name, v, 0, err);
        if (s != CIV_OK)
            return s;
        if (p->limit > lim->max_limit)
            p->limit = lim->max_limit;
        p->has_limit = 1;
        return CIV_OK;
    }
    if (strcmp(name, "sort") == 0) {
        if (!*v)
            p->sort = CIV_SORT_RELEVANCE;
        else if (civ_sort_parse(&p->sort, v) != 0)
            return civ_error_set(err, CIV_EINVAL, "parameter sort must be relevance, date, -date, cited or redactions");
        p->has_sort = *v != '\0';
        return CIV_OK;
    }
    if (strcmp(name, "snippets") == 0) {
        if (!*v) {
            p->snippets = 0;
            return CIV_OK;
        }
        if (set_number(&p->snippets, name, v, 1, err) != CIV_OK || p->snippets > CIV_CGI_SNIPPETS_MAX)
            return civ_error_set(err, CIV_EINVAL, "parameter snippets must be a whole number from 1 to %d",
                                 CIV_CGI_SNIPPETS_MAX);
        return CIV_OK;
    }
    if (strcmp(name, "from") == 0)
        return set_date(&p->from, name, v, err);
    if (strcmp(name, "until") == 0)
        return set_date(&p->until, name, v, err);
    if (strcmp(name, "f") == 0)
        return add_filter(p, lim, v, err);
    if (strcmp(name, "format") == 0) {
        if (!*v || strcmp(v, "html") == 0)
            p->format = CIV_CGI_HTML;
        else if (strcmp(v, "json") == 0)
            p->format = CIV_CGI_JSON;
        else
            return civ_error_set(err, CIV_EINVAL, "parameter format must be html or json");
        return CIV_OK;
    }
    if (strcmp(name, "id") == 0)
        return set_string(&p->id, name, v, CIV_CGI_MAX_VALUE, err);
    if (strcmp(name, "like") == 0)
        return set_string(&p->like, name, v, CIV_CGI_MAX_VALUE, err);
    if (strcmp(name, "c") == 0) {
        if (*v && !civ_config_valid_name(v))
            return civ_error_set(err, CIV_EINVAL, "unknown collection");
        return set_string(&p->collection, name, v, 64, err);
    }
    return CIV_OK; /* not ours: ignored */
}

civ_status civ_cgi_parse(civ_cgi_params *p, const char *s, size_t len,
                         const civ_cgi_limits *lim, civ_error *err)
{
    if (!p || !lim || (!s && len))
        return civ_error_set(err, CIV_EINVAL, "civ_cgi_parse: NULL argument");
    if (len > lim->max_input)
        return civ_error_set(err, CIV_ETOOBIG, "the request is too long (%zu bytes; at most %zu)",
                             len, lim->max_input);
    parse_ctx ctx = { p, lim };
    return civ_cgi_each_pair(s ? s : "", len, on_pair, &ctx, err);
}

civ_status civ_cgi_window(unsigned *offset, unsigned *limit, const civ_cgi_params *p,
                          const civ_cgi_limits *lim, civ_error *err)
{
    unsigned l = p->has_limit ? p->limit : lim->page_size;
    if (l > lim->max_limit)
        l = lim->max_limit;
    unsigned long long off;
    if (p->has_offset)
        off = p->offset;
    else if (p->page > 1)
        off = (unsigned long long)(p->page - 1) * (l ? l : lim->page_size);
    else
        off = 0;
    if (off > lim->max_offset)
        return civ_error_set(err, CIV_EINVAL,
                             "results beyond the first %u are not shown; narrow the search",
                             lim->max_offset);
    *offset = (unsigned)off;
    *limit = l;
    return CIV_OK;
}

civ_status civ_cgi_search_opts(civ_search_opts *so, const civ_cgi_params *p,
                               const civ_cgi_limits *lim, civ_error *err)
{
    civ_search_opts init = CIV_SEARCH_OPTS_INIT;
    *so = init;
    civ_status s = civ_cgi_window(&so->offset, &so->limit, p, lim, err);
    if (s != CIV_OK)
        return s;
    so->query = p->q ? p->q : p->like ? NULL : "*";
    so->sort = p->sort;
    so->filters = (const char *const *)p->filters;
    so->nfilters = p->nfilters;
    so->date_from = p->from;
    so->date_until = p->until;
    so->like = p->like;
    so->facet_values = lim->facet_values;
    so->snippets = p->snippets ? p->snippets : lim->snippets;
    so->spelling = 1;
    so->time_limit_ms = lim->time_limit_ms;
    so->wildcard_limit = lim->wildcard_limit;
    return CIV_OK;
}

void civ_url_encode(civ_buf *out, const char *s, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t run = 0, i;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            run++;
            continue;
        }
        civ_buf_append(out, s + i - run, run);
        run = 0;
        char e[3] = { '%', hex[c >> 4], hex[c & 15] };
        civ_buf_append(out, e, 3);
    }
    civ_buf_append(out, s + i - run, run);
}

/* ---- CPU time ------------------------------------------------------ */

static void on_sigxcpu(int sig)
{
    static const char msg[] = "civsearch: CPU time limit of a request reached; request abandoned\n";
    (void)sig;
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(CIV_CGI_CPU_EXIT);
}

int civ_cgi_limit_cpu(unsigned seconds)
{
    static int installed;
    if (!seconds)
        return 0;
    if (!installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_sigxcpu;
        sigemptyset(&sa.sa_mask);
        if (sigaction(SIGXCPU, &sa, NULL) != 0)
            return -1;
        installed = 1;
    }
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    double used = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
                  (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
    struct rlimit rl;
    if (getrlimit(RLIMIT_CPU, &rl) != 0)
        return -1;
    rlim_t want = (rlim_t)ceil(used) + seconds;
    if (rl.rlim_max != RLIM_INFINITY && want > rl.rlim_max)
        want = rl.rlim_max;
    rl.rlim_cur = want;
    return setrlimit(RLIMIT_CPU, &rl);
}

/* ---- responses ----------------------------------------------------- */

const char *civ_http_reason(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return status < 400 ? "OK" : status < 500 ? "Bad Request" : "Internal Server Error";
    }
}

void civ_http_head(civ_buf *out, int status, const char *content_type, size_t body_len,
                   const char *extra)
{
    civ_buf_printf(out, "Status: %d %s\r\n", status, civ_http_reason(status));
    civ_buf_printf(out, "Content-Type: %s\r\n", content_type);
    if (body_len != (size_t)-1)
        civ_buf_printf(out, "Content-Length: %zu\r\n", body_len);
    civ_buf_puts(out,
                 "Content-Security-Policy: " CIV_CSP "\r\n"
                 "X-Content-Type-Options: nosniff\r\n"
                 "Referrer-Policy: no-referrer\r\n"
                 "X-Frame-Options: DENY\r\n"
                 "Cross-Origin-Opener-Policy: same-origin\r\n"
                 "Cross-Origin-Resource-Policy: same-origin\r\n"
                 "Cache-Control: no-store\r\n");
    if (extra)
        civ_buf_puts(out, extra);
    civ_buf_puts(out, "\r\n");
}
