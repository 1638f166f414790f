/* Unit tests: searcher/cgi.c, searcher/config.c, searcher/web.c and the
 * HTML escaping the search page relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgi.h"
#include "config.h"
#include "civ/doc.h"
#include "render.h"
#include "web.h"
#include "civ/writer.h"

/* ---- decoding ------------------------------------------------------ */

static void decode_ok(const char *in, const char *want)
{
    civ_buf b = CIV_BUF_INIT;
    civ_error err = CIV_ERROR_INIT;
    if (civ_cgi_decode(&b, in, strlen(in), &err) != CIV_OK)
        fail_msg("\"%s\" should decode: %s", in, err.msg);
    if (strcmp(civ_buf_str(&b), want) != 0)
        fail_msg("\"%s\": got \"%s\", want \"%s\"", in, civ_buf_str(&b), want);
    civ_buf_free(&b);
}

static void decode_bad(const char *in, size_t len, const char *why)
{
    civ_buf b = CIV_BUF_INIT;
    civ_error err = CIV_ERROR_INIT;
    if (civ_cgi_decode(&b, in, len, &err) == CIV_OK)
        fail_msg("\"%s\" should be refused", in);
    assert_int_equal(err.code, CIV_EINVAL);
    if (!strstr(err.msg, why))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", in, err.msg, why);
    civ_buf_free(&b);
}

static void test_decode(void **state)
{
    (void)state;
    decode_ok("", "");
    decode_ok("plain", "plain");
    decode_ok("a+b%20c", "a b c");
    decode_ok("%41%62%2b", "Ab+");
    decode_ok("%C3%A9t%c3%a9", "été");
    decode_ok("%E2%80%9Cq%E2%80%9D", "\xE2\x80\x9Cq\xE2\x80\x9D");
    decode_ok("100%25", "100%");
    decode_bad("%", 1, "percent");
    decode_bad("%4", 2, "percent");
    decode_bad("a%4", 3, "percent");
    decode_bad("%G1", 3, "percent");
    decode_bad("%zz", 3, "percent");
    decode_bad("%%41", 4, "percent");
    decode_bad("%00", 3, "NUL");
    decode_bad("a\0b", 3, "NUL");
    decode_bad("%FF", 3, "UTF-8");
    decode_bad("%C3", 3, "UTF-8");              /* truncated sequence */
    decode_bad("%C0%AF", 6, "UTF-8");           /* overlong "/" */
    decode_bad("%ED%A0%80", 9, "UTF-8");        /* surrogate */
    decode_bad("%F4%90%80%80", 12, "UTF-8");    /* above U+10FFFF */
    decode_bad("\xff", 1, "UTF-8");             /* raw byte */
}

typedef struct pairs {
    char seen[256];
} pairs;

static civ_status collect(void *ctx, const char *name, const char *value, civ_error *err)
{
    (void)err;
    pairs *p = ctx;
    size_t n = strlen(p->seen);
    snprintf(p->seen + n, sizeof p->seen - n, "[%s=%s]", name, value);
    return CIV_OK;
}

static void test_pairs(void **state)
{
    (void)state;
    pairs p = { "" };
    civ_error err = CIV_ERROR_INIT;
    const char *s = "a=1&&b&c=&d=x%3Dy&=v&e=%26";
    assert_int_equal(civ_cgi_each_pair(s, strlen(s), collect, &p, &err), CIV_OK);
    assert_string_equal(p.seen, "[a=1][b=][c=][d=x=y][=v][e=&]");
    pairs q = { "" };
    s = "a=1&b=%zz&c=3";
    assert_int_equal(civ_cgi_each_pair(s, strlen(s), collect, &q, &err), CIV_EINVAL);
    assert_string_equal(q.seen, "[a=1]");
}

/* ---- parameters ---------------------------------------------------- */

static civ_status parse(civ_cgi_params *p, const char *s, civ_error *err)
{
    civ_cgi_limits lim = CIV_CGI_LIMITS_INIT;
    return civ_cgi_parse(p, s, strlen(s), &lim, err);
}

static void test_params(void **state)
{
    (void)state;
    civ_cgi_params p = CIV_CGI_PARAMS_INIT;
    civ_error err = CIV_ERROR_INIT;
    const char *s = "q=first&q=civil+liberties&page=3&limit=20&sort=-date&from=2018&until=2019-06"
                    "&f=type%3Aletter&f=year:2019&format=json&like=a%2Fb.html&c=press"
                    "&index=/etc&debug=1&utm_source=x";
    assert_int_equal(parse(&p, s, &err), CIV_OK);
    assert_string_equal(p.q, "civil liberties"); /* the later value wins */
    assert_int_equal(p.page, 3);
    assert_true(p.has_limit);
    assert_int_equal(p.limit, 20);
    assert_int_equal(p.sort, CIV_SORT_DATE_DESC);
    assert_string_equal(p.from, "2018");
    assert_string_equal(p.until, "2019-06");
    assert_int_equal(p.nfilters, 2);
    assert_string_equal(p.filters[0], "type:letter");
    assert_string_equal(p.filters[1], "year:2019");
    assert_int_equal(p.format, CIV_CGI_JSON);
    assert_string_equal(p.like, "a/b.html");
    assert_string_equal(p.collection, "press");
    assert_null(p.id);
    civ_cgi_params_free(&p);
    assert_null(p.q);
    assert_int_equal(p.nfilters, 0);

    /* Empty values are absent values. */
    assert_int_equal(parse(&p, "q=&page=&limit=&sort=&from=&f=&format=", &err), CIV_OK);
    assert_null(p.q);
    assert_int_equal(p.page, 0);
    assert_false(p.has_limit);
    assert_int_equal(p.nfilters, 0);
    civ_cgi_params_free(&p);

    /* A POST body adds to what the query string gave. */
    assert_int_equal(parse(&p, "c=press&f=type:article", &err), CIV_OK);
    assert_int_equal(parse(&p, "q=warrant&f=lang:en", &err), CIV_OK);
    assert_string_equal(p.q, "warrant");
    assert_string_equal(p.collection, "press");
    assert_int_equal(p.nfilters, 2);
    civ_cgi_params_free(&p);
}

static void param_bad(const char *s, civ_status code, const char *why)
{
    civ_cgi_params p = CIV_CGI_PARAMS_INIT;
    civ_error err = CIV_ERROR_INIT;
    civ_status st = parse(&p, s, &err);
    if (st != code)
        fail_msg("\"%.60s\": got status %d, want %d (%s)", s, st, code, err.msg);
    if (!strstr(err.msg, why))
        fail_msg("\"%.60s\": message \"%s\" lacks \"%s\"", s, err.msg, why);
    civ_cgi_params_free(&p);
}

static void test_params_bad(void **state)
{
    (void)state;
    param_bad("page=0", CIV_EINVAL, "at least 1");
    param_bad("page=abc", CIV_EINVAL, "whole number");
    param_bad("page=-1", CIV_EINVAL, "whole number");
    param_bad("page=1e3", CIV_EINVAL, "whole number");
    param_bad("offset=99999999999", CIV_EINVAL, "whole number");
    param_bad("limit=+5", CIV_EINVAL, "whole number");
    param_bad("sort=title", CIV_EINVAL, "sort");
    param_bad("snippets=0", CIV_EINVAL, "from 1 to 3");
    param_bad("snippets=4", CIV_EINVAL, "from 1 to 3");
    param_bad("snippets=two", CIV_EINVAL, "from 1 to 3");
    param_bad("format=xml", CIV_EINVAL, "format");
    param_bad("from=yesterday", CIV_EINVAL, "not a date");
    param_bad("until=2019-13-01", CIV_EINVAL, "not a date");
    param_bad("f=type", CIV_EINVAL, "FIELD:VALUE");
    param_bad("f=:x", CIV_EINVAL, "FIELD:VALUE");
    param_bad("f=type:", CIV_EINVAL, "no value");
    param_bad("f=title:x", CIV_EINVAL, "cannot filter");   /* not a facet */
    param_bad("f=hash:x", CIV_EINVAL, "cannot filter");    /* internal */
    param_bad("f=nosuch:x", CIV_EINVAL, "cannot filter");
    param_bad("c=../../etc", CIV_EINVAL, "collection");
    param_bad("c=%2Fetc%2Fpasswd", CIV_EINVAL, "collection");
    param_bad("q=%ZZ", CIV_EINVAL, "percent");
    param_bad("q=%C3%28", CIV_EINVAL, "UTF-8");
    param_bad("unknown=%FF", CIV_EINVAL, "UTF-8"); /* ignored names are still decoded strictly */

    /* Limits. */
    char q[CIV_QUERY_MAX + 16];
    memset(q, 'a', sizeof q);
    memcpy(q, "q=", 2);
    q[2 + CIV_QUERY_MAX] = '\0';
    civ_cgi_params p = CIV_CGI_PARAMS_INIT;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(parse(&p, q, &err), CIV_OK); /* exactly the limit (the CLI's too) */
    civ_cgi_params_free(&p);
    q[2 + CIV_QUERY_MAX] = 'a';
    q[2 + CIV_QUERY_MAX + 1] = '\0';
    param_bad(q, CIV_ETOOBIG, "too long");
    /* %-escapes count decoded: the limit plus one bytes of "%41" are three
     * times as many characters. */
    civ_buf big = CIV_BUF_INIT;
    civ_buf_puts(&big, "q=");
    for (int i = 0; i < CIV_QUERY_MAX + 1; i++)
        civ_buf_puts(&big, "%41");
    param_bad(civ_buf_str(&big), CIV_ETOOBIG, "too long");
    civ_buf_reset(&big);
    for (int i = 0; i < 17; i++)
        civ_buf_puts(&big, "f=type:article&");
    param_bad(civ_buf_str(&big), CIV_ETOOBIG, "too many filters");
    civ_buf_reset(&big);
    civ_buf_puts(&big, "x=");
    for (int i = 0; i < 17000; i++)
        civ_buf_putc(&big, 'x');
    param_bad(civ_buf_str(&big), CIV_ETOOBIG, "request is too long");
    civ_buf_reset(&big);
    civ_buf_puts(&big, "id=");
    for (int i = 0; i < CIV_CGI_MAX_VALUE + 1; i++)
        civ_buf_putc(&big, 'x');
    param_bad(civ_buf_str(&big), CIV_ETOOBIG, "too long");
    civ_buf_free(&big);

    /* The page size is capped, not refused. */
    assert_int_equal(parse(&p, "limit=100000", &err), CIV_OK);
    assert_int_equal(p.limit, 100);
    civ_cgi_params_free(&p);
}

static void test_window(void **state)
{
    (void)state;
    civ_cgi_limits lim = CIV_CGI_LIMITS_INIT;
    civ_cgi_params p = CIV_CGI_PARAMS_INIT;
    civ_error err = CIV_ERROR_INIT;
    unsigned off, limit;
    assert_int_equal(civ_cgi_window(&off, &limit, &p, &lim, &err), CIV_OK);
    assert_int_equal(off, 0);
    assert_int_equal(limit, 10);
    assert_int_equal(parse(&p, "page=3&limit=20", &err), CIV_OK);
    assert_int_equal(civ_cgi_window(&off, &limit, &p, &lim, &err), CIV_OK);
    assert_int_equal(off, 40);
    assert_int_equal(limit, 20);
    assert_int_equal(parse(&p, "offset=7", &err), CIV_OK); /* offset wins over page */
    assert_int_equal(civ_cgi_window(&off, &limit, &p, &lim, &err), CIV_OK);
    assert_int_equal(off, 7);
    civ_cgi_params_free(&p);
    assert_int_equal(parse(&p, "offset=10000", &err), CIV_OK);
    assert_int_equal(civ_cgi_window(&off, &limit, &p, &lim, &err), CIV_OK);
    civ_cgi_params_free(&p);
    assert_int_equal(parse(&p, "offset=10001", &err), CIV_OK);
    assert_int_equal(civ_cgi_window(&off, &limit, &p, &lim, &err), CIV_EINVAL);
    assert_non_null(strstr(err.msg, "beyond the first 10000"));
    civ_cgi_params_free(&p);
    assert_int_equal(parse(&p, "page=999999999", &err), CIV_OK); /* no overflow */
    assert_int_equal(civ_cgi_window(&off, &limit, &p, &lim, &err), CIV_EINVAL);
    civ_cgi_params_free(&p);
}

static void test_search_opts(void **state)
{
    (void)state;
    civ_cgi_limits lim = CIV_CGI_LIMITS_INIT;
    lim.time_limit_ms = 1234;
    lim.wildcard_limit = 77;
    lim.facet_values = 5;
    civ_cgi_params p = CIV_CGI_PARAMS_INIT;
    civ_error err = CIV_ERROR_INIT;
    civ_search_opts so;
    assert_int_equal(civ_cgi_parse(&p, "f=lang:en&from=2019&sort=date&page=2", 36, &lim, &err), CIV_OK);
    assert_int_equal(civ_cgi_search_opts(&so, &p, &lim, &err), CIV_OK);
    assert_string_equal(so.query, "*");          /* filters alone list documents */
    assert_int_equal(so.time_limit_ms, 1234);
    assert_int_equal(so.wildcard_limit, 77);
    assert_int_equal(so.facet_values, 5);
    assert_int_equal(so.offset, 10);
    assert_int_equal(so.sort, CIV_SORT_DATE_ASC);
    assert_int_equal(so.nfilters, 1);
    assert_string_equal(so.date_from, "2019");
    assert_true(so.spelling);
    assert_int_equal(so.snippets, 1); /* the limits' default */
    civ_cgi_params_free(&p);
    /* Snippets a hit: the request's, else the configured default. */
    lim.snippets = 2;
    assert_int_equal(civ_cgi_parse(&p, "q=x", 3, &lim, &err), CIV_OK);
    assert_int_equal(civ_cgi_search_opts(&so, &p, &lim, &err), CIV_OK);
    assert_int_equal(so.snippets, 2);
    assert_int_equal(civ_cgi_parse(&p, "snippets=3", 10, &lim, &err), CIV_OK);
    assert_int_equal(p.snippets, 3);
    assert_int_equal(civ_cgi_search_opts(&so, &p, &lim, &err), CIV_OK);
    assert_int_equal(so.snippets, 3);
    civ_cgi_params_free(&p);
    assert_int_equal(civ_cgi_parse(&p, "like=x.txt", 10, &lim, &err), CIV_OK);
    assert_int_equal(civ_cgi_search_opts(&so, &p, &lim, &err), CIV_OK);
    assert_null(so.query);
    assert_string_equal(so.like, "x.txt");
    civ_cgi_params_free(&p);
}

/* ---- escaping ------------------------------------------------------ */

static void test_escaping(void **state)
{
    (void)state;
    civ_buf b = CIV_BUF_INIT;
    const char *s = "a b&c=d/é<>\"'~._-";
    civ_url_encode(&b, s, strlen(s));
    assert_string_equal(civ_buf_str(&b), "a%20b%26c%3Dd%2F%C3%A9%3C%3E%22%27~._-");
    civ_buf_reset(&b);
    s = "javascript:alert(1)";
    civ_url_encode(&b, s, strlen(s));
    assert_string_equal(civ_buf_str(&b), "javascript%3Aalert%281%29");

    civ_buf_reset(&b);
    s = "<script>alert(1)</script>\"><img src=x onerror='x'>&amp;";
    civ_html_escape(&b, s, strlen(s));
    assert_string_equal(civ_buf_str(&b),
                        "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x "
                        "onerror=&#39;x&#39;&gt;&amp;amp;");

    /* Snippets are plain text with spans: everything in the text is
     * escaped, and only the spans become <b>…</b>. */
    civ_buf_reset(&b);
    const char *t = "a <b>x</b> & <script>alert(1)</script> \"q\" 'x' spanned";
    civ_span spans[] = { { 3, 3 }, { 47, 7 } };
    civ_hit h = { .snippet = t, .spans = spans, .nspans = 2 };
    civ_render_snippet(&b, &h, civ_html_escape, "<b>", "</b>");
    assert_string_equal(civ_buf_str(&b),
                        "a &lt;<b>b&gt;x</b>&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; "
                        "&quot;q&quot; &#39;x&#39; <b>spanned</b>");
    civ_buf_free(&b);
}

static void test_headers(void **state)
{
    (void)state;
    civ_buf b = CIV_BUF_INIT;
    civ_http_head(&b, 400, "text/html; charset=utf-8", 12, "Allow: GET\r\n");
    const char *h = civ_buf_str(&b);
    assert_non_null(strstr(h, "Status: 400 Bad Request\r\n"));
    assert_non_null(strstr(h, "Content-Type: text/html; charset=utf-8\r\n"));
    assert_non_null(strstr(h, "Content-Length: 12\r\n"));
    assert_non_null(strstr(h, "Content-Security-Policy: default-src 'none'; style-src 'unsafe-inline'; "
                              "form-action 'self'"));
    assert_non_null(strstr(h, "X-Content-Type-Options: nosniff\r\n"));
    assert_non_null(strstr(h, "Referrer-Policy: no-referrer\r\n"));
    assert_non_null(strstr(h, "Allow: GET\r\n\r\n"));
    assert_null(strstr(h, "Set-Cookie"));
    assert_int_equal(h[b.len - 1], '\n');
    assert_int_equal(h[b.len - 3], '\n');
    civ_buf_free(&b);
}

/* ---- configuration ------------------------------------------------- */

static void config_bad(const char *text, const char *why)
{
    civ_config *c = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_config_parse(&c, text, strlen(text), "test.conf", &err) == CIV_OK)
        fail_msg("\"%s\" should be refused", text);
    assert_null(c);
    assert_int_equal(err.code, CIV_EFORMAT);
    if (!strstr(err.msg, why))
        fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text, err.msg, why);
}

static void test_config(void **state)
{
    (void)state;
    const char *text = "# collections\n"
                       "archive = /srv/civ/archive\r\n"
                       "  press=/srv/civ/press  \n"
                       "\n"
                       "title = Civil liberties archive\n"
                       "max_limit = 50\n"
                       "page_size = 20\n"
                       "time_limit_ms = 500\n"
                       "cpu_seconds = 3\n"
                       "snippets = 3\n"
                       "wildcard_limit = 20   # words a wildcard may expand to\n"
                       "max_query = 300\n"
                       "hashdir = /srv/civ/hash#dir # a comment\n";
    civ_config *c = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_config_parse(&c, text, strlen(text), "test.conf", &err), CIV_OK);
    assert_int_equal(c->ncollections, 3);
    assert_string_equal(civ_config_find(c, NULL)->name, "archive");
    assert_string_equal(civ_config_find(c, "hashdir")->path, "/srv/civ/hash#dir");
    assert_string_equal(civ_config_find(c, "press")->path, "/srv/civ/press");
    assert_null(civ_config_find(c, "other"));
    assert_null(civ_config_find(c, "/srv/civ/press"));
    assert_string_equal(c->title, "Civil liberties archive");
    assert_int_equal(c->limits.max_limit, 50);
    assert_int_equal(c->limits.page_size, 20);
    assert_int_equal(c->limits.time_limit_ms, 500);
    assert_int_equal(c->limits.cpu_seconds, 3);
    assert_int_equal(c->limits.snippets, 3);
    assert_int_equal(c->limits.wildcard_limit, 20);
    assert_int_equal(c->limits.max_query, 300);
    assert_int_equal(c->limits.max_offset, 10000); /* default kept */
    civ_config_free(c);

    config_bad("archive /srv/x\n", "test.conf:1: expected NAME = VALUE");
    config_bad("a = /x\nb = relative/path\n", "test.conf:2: the index of collection b must be an absolute path");
    config_bad("a = /x\na = /y\n", "listed twice");
    config_bad("a b = /x\n", "neither a setting nor a collection");
    config_bad("a = /x\nmax_limit = lots\n", "max_limit must be a number");
    config_bad("a = /x\nmax_limit = -5\n", "max_limit must be a number");
    config_bad("a = /x\ncpu_seconds = 99999\n", "cpu_seconds must be a number");
    config_bad("a = /x\nsnippets = 4\n", "snippets must be a number");
    config_bad("a = /x\npage_size = 50\nmax_limit = 20\n", "page_size is larger");
    config_bad("title = x\n", "no collection");
    config_bad("", "no collection");
    config_bad("a = /x\ntitle =\n", "title must be");
    config_bad("= /x\n", "name is missing");
    config_bad("a = /x\n\xff = /y\n", "UTF-8");
}

static void test_config_env(void **state)
{
    (void)state;
    civ_config *c = NULL;
    civ_error err = CIV_ERROR_INIT;
    unsetenv("CIVSEARCH_CONFIG");
    unsetenv("CIVSEARCH_INDEX");
    assert_int_equal(civ_config_from_env(&c, &err), CIV_ENOTFOUND);
    setenv("CIVSEARCH_INDEX", "/srv/one", 1);
    assert_int_equal(civ_config_from_env(&c, &err), CIV_OK);
    assert_int_equal(c->ncollections, 1);
    assert_string_equal(c->collections[0].path, "/srv/one");
    civ_config_free(c);
    /* The configuration file wins over the single index. */
    setenv("CIVSEARCH_CONFIG", "/nonexistent/civsearch.conf", 1);
    assert_int_equal(civ_config_from_env(&c, &err), CIV_ENOTFOUND);
    assert_null(c);
    char path[] = "/tmp/civcfgXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "main = /srv/main\nother = /srv/other\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    setenv("CIVSEARCH_CONFIG", path, 1);
    assert_int_equal(civ_config_from_env(&c, &err), CIV_OK);
    assert_int_equal(c->ncollections, 2);
    assert_string_equal(civ_config_find(c, NULL)->path, "/srv/main");
    civ_config_free(c);
    unlink(path);
    unsetenv("CIVSEARCH_CONFIG");
    unsetenv("CIVSEARCH_INDEX");
}

/* ---- CPU time limit ------------------------------------------------ */

static double cpu_used(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static volatile unsigned long sink;

static void burn(double seconds)
{
    double start = cpu_used();
    while (cpu_used() - start < seconds)
        for (int i = 0; i < 100000; i++)
            sink += (unsigned long)i * 7u;
}

/* A child that burns CPU past the limit is stopped by it, and the limit of
 * a later request counts from the CPU time already used. */
static void test_cpu_limit(void **state)
{
    (void)state;
    assert_int_equal(civ_cgi_limit_cpu(0), 0); /* 0: no limit, nothing changed */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(120); /* a safety net: SIGALRM would fail the test, not hang it */
        burn(1.2);
        double before = cpu_used();
        if (civ_cgi_limit_cpu(1) != 0)
            _exit(10);
        struct rlimit rl;
        getrlimit(RLIMIT_CPU, &rl);
        if ((double)rl.rlim_cur < before + 1 || (double)rl.rlim_cur > ceil(before) + 1.0 + 0.5)
            _exit(11);
        burn(60);
        _exit(12); /* not reached when the limit works */
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status))
        fail_msg("child ended by signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    assert_int_equal(WEXITSTATUS(status), CIV_CGI_CPU_EXIT);
}

/* ---- the whole request, on a real index ---------------------------- */

typedef struct fake {
    const char *vars[16]; /* name, value, ... */
    const char *body;
    size_t body_off;
} fake;

static const char *fake_param(void *ctx, const char *name)
{
    fake *f = ctx;
    for (int i = 0; f->vars[i]; i += 2)
        if (strcmp(f->vars[i], name) == 0)
            return f->vars[i + 1];
    return NULL;
}

static long fake_read(void *ctx, char *buf, size_t n)
{
    fake *f = ctx;
    size_t left = f->body ? strlen(f->body) - f->body_off : 0;
    if (n > left)
        n = left;
    memcpy(buf, f->body + f->body_off, n);
    f->body_off += n;
    return (long)n;
}

static char index_dir[64];

static int setup_index(void **state)
{
    (void)state;
    strcpy(index_dir, "/tmp/civwebXXXXXX");
    if (!mkdtemp(index_dir))
        return -1;
    civ_writer *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    if (civ_writer_open(&w, index_dir, NULL, &err) != CIV_OK)
        return -1;
    static const char *const docs[][5] = {
        { "a.html", "<script>alert(1)</script> Leaked memo", "\"><img src=x onerror=alert(1)>",
          "2019-05-03", "The memo describes surveillance of journalists. <script>alert(2)</script> javascript:alert(3)" },
        { "b.txt", "Encryption and the right to privacy", "Jane Doe", "2018-01-10",
          "Encryption protects journalists and their sources from surveillance." },
        { "c.txt", "Protest rights report", "John Roe", "2017-07-07",
          "Police filmed the protest; the report asks for limits on surveillance." },
    };
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        civ_doc *d = NULL;
        civ_doc_new(&d, NULL);
        civ_doc_add_str(d, "id", docs[i][0]);
        civ_doc_add_str(d, "path", docs[i][0]);
        civ_doc_add_str(d, "title", docs[i][1]);
        civ_doc_add_str(d, "author", docs[i][2]);
        civ_doc_add_str(d, "date", docs[i][3]);
        civ_doc_add_str(d, "year", (char[5]){ docs[i][3][0], docs[i][3][1], docs[i][3][2], docs[i][3][3], 0 });
        civ_doc_add_str(d, "type", "article");
        civ_doc_add_str(d, "lang", "en");
        civ_doc_append_text(d, docs[i][4], strlen(docs[i][4]));
        if (civ_writer_put(w, d, NULL, &err) != CIV_OK)
            return -1;
        civ_doc_free(d);
    }
    if (civ_writer_commit(w, &err) != CIV_OK)
        return -1;
    civ_writer_free(w);
    return 0;
}

static int teardown_index(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", index_dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Runs one request against the index; returns the status. */
static int request(civ_web_response *resp, const char *method, const char *qs, const char *ctype,
                   const char *body)
{
    civ_web *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_web_new(&w, 0, &err), CIV_OK);
    char clen[32];
    snprintf(clen, sizeof clen, "%zu", body ? strlen(body) : 0);
    fake f = { { "REQUEST_METHOD", method, "QUERY_STRING", qs, "CONTENT_TYPE", ctype,
                 "CONTENT_LENGTH", body ? clen : NULL, NULL },
               body, 0 };
    if (!ctype)
        f.vars[4] = NULL;
    civ_web_request rq = { fake_param, &f, fake_read, &f };
    civ_web_response init = CIV_WEB_RESPONSE_INIT;
    *resp = init;
    civ_web_handle(w, &rq, resp);
    civ_web_free(w);
    return resp->status;
}

static void test_handler(void **state)
{
    (void)state;
    unsetenv("CIVSEARCH_CONFIG");
    setenv("CIVSEARCH_INDEX", index_dir, 1);
    civ_web_response r;

    assert_int_equal(request(&r, "GET", "q=memo", NULL, NULL), 200);
    const char *body = civ_buf_str(&r.body);
    assert_non_null(strstr(civ_buf_str(&r.head), "Content-Type: text/html; charset=utf-8"));
    assert_non_null(strstr(body, "&lt;script&gt;alert(1)&lt;/script&gt; Leaked memo"));
    assert_non_null(strstr(body, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    assert_null(strstr(body, "<script"));
    assert_null(strstr(body, "<img"));
    assert_null(strstr(body, "href=\"javascript"));
    civ_web_response_free(&r);

    /* The query comes back escaped in the box and the heading. */
    assert_int_equal(request(&r, "GET", "q=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E", NULL, NULL), 200);
    body = civ_buf_str(&r.body);
    assert_non_null(strstr(body, "value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\""));
    assert_null(strstr(body, "<script"));
    civ_web_response_free(&r);

    assert_int_equal(request(&r, "GET", "id=a.html", NULL, NULL), 200);
    body = civ_buf_str(&r.body);
    assert_non_null(strstr(body, "&lt;script&gt;alert(2)&lt;/script&gt; javascript:alert(3)"));
    assert_null(strstr(body, "<script"));
    civ_web_response_free(&r);

    assert_int_equal(request(&r, "GET", "q=surveillance&format=json&limit=2", NULL, NULL), 200);
    assert_non_null(strstr(civ_buf_str(&r.head), "Content-Type: application/json\r\n"));
    assert_non_null(strstr(civ_buf_str(&r.body), "\"total\":3"));
    assert_non_null(strstr(civ_buf_str(&r.body), "\"limit\":2"));
    assert_non_null(strstr(civ_buf_str(&r.body), "\"facets\":{"));
    assert_non_null(strstr(civ_buf_str(&r.body), "\"suggestion\":"));
    civ_web_response_free(&r);

    assert_int_equal(request(&r, "POST", "", "application/x-www-form-urlencoded; charset=UTF-8",
                             "q=encryption&format=json"), 200);
    assert_non_null(strstr(civ_buf_str(&r.body), "\"total\":1"));
    civ_web_response_free(&r);

    assert_int_equal(request(&r, "POST", "", "multipart/form-data; boundary=x", "--x--"), 415);
    civ_web_response_free(&r);
    assert_int_equal(request(&r, "PUT", "q=x", NULL, NULL), 405);
    assert_non_null(strstr(civ_buf_str(&r.head), "Allow: GET, HEAD, POST\r\n"));
    civ_web_response_free(&r);
    assert_int_equal(request(&r, "HEAD", "q=memo", NULL, NULL), 200);
    assert_int_equal(r.body.len, 0);
    assert_null(strstr(civ_buf_str(&r.head), "Content-Length: 0\r\n"));
    civ_web_response_free(&r);
    assert_int_equal(request(&r, "GET", "q=%zz&format=json", NULL, NULL), 400);
    assert_non_null(strstr(civ_buf_str(&r.body), "{\"error\":{\"status\":400"));
    civ_web_response_free(&r);
    assert_int_equal(request(&r, "GET", "q=(unbalanced", NULL, NULL), 400);
    civ_web_response_free(&r);
    assert_int_equal(request(&r, "GET", "id=nosuch", NULL, NULL), 404);
    civ_web_response_free(&r);
    assert_int_equal(request(&r, "GET", "like=nosuch", NULL, NULL), 404);
    civ_web_response_free(&r);
    assert_int_equal(request(&r, "GET", "c=other", NULL, NULL), 400);
    civ_web_response_free(&r);

    /* A broken index: 500, and the answer names no path. */
    setenv("CIVSEARCH_INDEX", "/nonexistent/civsearch-index", 1);
    assert_int_equal(request(&r, "GET", "q=memo", NULL, NULL), 500);
    assert_null(strstr(civ_buf_str(&r.body), "/nonexistent"));
    civ_web_response_free(&r);
    unsetenv("CIVSEARCH_INDEX");
    assert_int_equal(request(&r, "GET", "q=memo", NULL, NULL), 500);
    civ_web_response_free(&r);
}

/* Snippets of long texts show the query's words wherever they are: 20 and
 * 35 KB into the text, and in another case form of a non-ASCII letter. */
static void test_long_snippets(void **state)
{
    (void)state;
    char dir[] = "/tmp/civsnipXXXXXX";
    assert_non_null(mkdtemp(dir));
    civ_writer *w = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_writer_open(&w, dir, NULL, &err), CIV_OK);
    civ_buf text = CIV_BUF_INIT;
    civ_buf_puts(&text, "An alpha opens the text.\n");
    for (int i = 0; i < 800; i++)
        civ_buf_puts(&text, "filler words about nothing ");
    civ_buf_puts(&text, "\nHere alpha and beta meet, and gamma too.\n");
    for (int i = 0; i < 800; i++)
        civ_buf_puts(&text, "more filler words ");
    civ_buf_puts(&text, "\nDie Überwachung endet hier.\n");
    for (int i = 0; i < 100; i++)
        civ_buf_puts(&text, "tail words ");
    civ_doc *d = NULL;
    civ_doc_new(&d, NULL);
    civ_doc_add_str(d, "id", "long.txt");
    civ_doc_add_str(d, "title", "A long text");
    civ_doc_add_str(d, "lang", "en");
    civ_doc_append_text(d, text.data, text.len);
    assert_int_equal(civ_writer_put(w, d, NULL, &err), CIV_OK);
    assert_int_equal(civ_writer_commit(w, &err), CIV_OK);
    civ_writer_free(w);
    civ_doc_free(d);
    civ_buf_free(&text);

    civ_db *db = NULL;
    assert_int_equal(civ_db_open(&db, dir, &err), CIV_OK);
    static const struct { const char *q, *want[3]; } cases[] = {
        { "beta", { "<b>beta</b>", NULL } },
        { "überwachung", { "<b>Überwachung</b>", NULL } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        civ_search_opts so = CIV_SEARCH_OPTS_INIT;
        so.query = cases[i].q;
        civ_results *r = NULL;
        assert_int_equal(civ_search(&r, db, &so, &err), CIV_OK);
        assert_int_equal(civ_results_size(r), 1);
        civ_buf marked = CIV_BUF_INIT;
        civ_render_snippet(&marked, civ_results_hit(r, 0), civ_html_escape, "<b>", "</b>");
        const char *snip = civ_buf_str(&marked);
        for (int k = 0; cases[i].want[k]; k++)
            if (!strstr(snip, cases[i].want[k]))
                fail_msg("%s: snippet \"%s\" lacks %s", cases[i].q, snip, cases[i].want[k]);
        if (i < 1 && strncmp(snip, "\xe2\x80\xa6", 3) != 0)
            fail_msg("%s: a snippet from the middle should start with an ellipsis: %s", cases[i].q, snip);
        civ_buf_free(&marked);
        civ_results_free(r);
    }
    civ_db_free(db);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_params_bad),
        cmocka_unit_test(test_window),
        cmocka_unit_test(test_search_opts),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_config),
        cmocka_unit_test(test_config_env),
        cmocka_unit_test(test_cpu_limit),
        cmocka_unit_test(test_long_snippets),
        cmocka_unit_test_setup_teardown(test_handler, setup_index, teardown_index),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
