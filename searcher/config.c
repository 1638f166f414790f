/* The search page's configuration: named collections and limits. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/buf.h"
#include "civ/db.h"
#include "civ/parse.h"
#include "civ/query.h"
#include "civ/utf8.h"

void civ_config_free(civ_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ncollections; i++) {
        free(c->collections[i].name);
        free(c->collections[i].path);
    }
    free(c->collections);
    free(c->title);
    free(c);
}

static civ_config *config_new(void)
{
    civ_config *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    civ_cgi_limits lim = CIV_CGI_LIMITS_INIT;
    c->limits = lim;
    c->title = strdup(CIV_CONFIG_DEFAULT_TITLE);
    if (!c->title) {
        free(c);
        return NULL;
    }
    return c;
}

static int add_collection(civ_config *c, const char *name, const char *path)
{
    civ_collection *grown = realloc(c->collections, (c->ncollections + 1) * sizeof *grown);
    if (!grown)
        return -1;
    c->collections = grown;
    civ_collection *k = &c->collections[c->ncollections];
    k->name = strdup(name);
    k->path = strdup(path);
    if (!k->name || !k->path) {
        free(k->name);
        free(k->path);
        return -1;
    }
    c->ncollections++;
    return 0;
}

/* Numeric settings: name, where it goes, smallest and largest value. */
typedef struct num_setting {
    const char *name;
    size_t offset;
    int is_size;
    unsigned long min, max;
} num_setting;

#define LIM(field) offsetof(civ_cgi_limits, field)
static const num_setting num_settings[] = {
    { "page_size", LIM(page_size), 0, 1, 1000 },
    { "max_limit", LIM(max_limit), 0, 1, 10000 },
    { "max_offset", LIM(max_offset), 0, 0, 10000000 },
    { "max_query", LIM(max_query), 1, 16, CIV_QUERY_MAX },
    { "max_input", LIM(max_input), 1, 256, 1048576 },
    { "max_filters", LIM(max_filters), 0, 0, 256 },
    { "wildcard_limit", LIM(wildcard_limit), 0, 1, 100000 },
    { "time_limit_ms", LIM(time_limit_ms), 0, 0, 600000 },
    { "cpu_seconds", LIM(cpu_seconds), 0, 0, 3600 },
    { "facet_values", LIM(facet_values), 0, 0, 100 },
    { "snippets", LIM(snippets), 0, 1, CIV_CGI_SNIPPETS_MAX },
};

int civ_config_valid_name(const char *s)
{
    size_t n = strlen(s);
    return n >= 1 && n <= 64 &&
           strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") == n;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

static civ_status parse_line(civ_config *c, char *line, const char *origin, unsigned lineno,
                             civ_error *err)
{
    /* A "#" after a space or tab starts a comment. */
    for (char *h = strchr(line, '#'); h; h = strchr(h + 1, '#'))
        if (h > line && (h[-1] == ' ' || h[-1] == '\t')) {
            *h = '\0';
            break;
        }
    char *s = trim(line);
    if (!*s || *s == '#')
        return CIV_OK;
    char *eq = strchr(s, '=');
    if (!eq)
        return civ_error_set(err, CIV_EFORMAT, "%s:%u: expected NAME = VALUE", origin, lineno);
    *eq = '\0';
    char *name = trim(s), *value = trim(eq + 1);
    if (!*name)
        return civ_error_set(err, CIV_EFORMAT, "%s:%u: a name is missing before =", origin, lineno);
    if (strcmp(name, "title") == 0) {
        if (!*value || strlen(value) > 200)
            return civ_error_set(err, CIV_EFORMAT, "%s:%u: title must be 1 to 200 bytes", origin, lineno);
        char *t = strdup(value);
        if (!t)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        free(c->title);
        c->title = t;
        return CIV_OK;
    }
    if (strcmp(name, "timeout_ms") == 0 || strcmp(name, "allow_partial") == 0) {
        int t = name[0] == 't';
        uint64_t v;
        if (civ_parse_uint(&v, value, t ? 1 : 0, t ? 600000 : 1) < 0)
            return civ_error_set(err, CIV_EFORMAT, "%s:%u: %s must be %s", origin, lineno, name,
                                 t ? "a number from 1 to 600000" : "0 or 1");
        if (t)
            c->timeout_ms = (unsigned)v;
        else
            c->allow_partial = (int)v;
        return CIV_OK;
    }
    for (size_t i = 0; i < sizeof num_settings / sizeof num_settings[0]; i++) {
        const num_setting *ns = &num_settings[i];
        if (strcmp(name, ns->name) != 0)
            continue;
        uint64_t v;
        if (civ_parse_uint(&v, value, ns->min, ns->max) < 0)
            return civ_error_set(err, CIV_EFORMAT, "%s:%u: %s must be a number from %lu to %lu",
                                 origin, lineno, name, ns->min, ns->max);
        char *field = (char *)&c->limits + ns->offset;
        if (ns->is_size)
            *(size_t *)(void *)field = (size_t)v;
        else
            *(unsigned *)(void *)field = (unsigned)v;
        return CIV_OK;
    }
    if (!civ_config_valid_name(name))
        return civ_error_set(err, CIV_EFORMAT,
                             "%s:%u: \"%s\" is neither a setting nor a collection name (A-Z a-z 0-9 _ - .)",
                             origin, lineno, name);
    /* Each index of the list: an absolute path or tcp://HOST:PORT, and
     * so each replica of a shard. */
    for (const char *p = value; *p;) {
        size_t n = civ_db_list_span(p);
        for (size_t i = 0; i <= n;) {
            size_t m = strcspn(p + i, "|");
            if (m > n - i)
                m = n - i;
            if (!(m && (p[i] == '/' || strncmp(p + i, "tcp://", 6) == 0)))
                return civ_error_set(err, CIV_EFORMAT,
                                     "%s:%u: the index of collection %s must be an absolute path "
                                     "or tcp://HOST:PORT",
                                     origin, lineno, name);
            i += m + 1;
        }
        p += n + (p[n] == ':');
    }
    if (civ_config_find(c, name))
        return civ_error_set(err, CIV_EFORMAT, "%s:%u: collection %s is listed twice", origin, lineno, name);
    if (add_collection(c, name, value) < 0)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return CIV_OK;
}

civ_status civ_config_parse(civ_config **out, const char *text, size_t len, const char *origin,
                            civ_error *err)
{
    if (!out || (!text && len))
        return civ_error_set(err, CIV_EINVAL, "civ_config_parse: NULL argument");
    *out = NULL;
    if (!origin)
        origin = "configuration";
    if (!civ_utf8_valid(text, len))
        return civ_error_set(err, CIV_EFORMAT, "%s: not valid UTF-8", origin);
    if (len && memchr(text, '\0', len)) /* text may be NULL when len is 0 */
        return civ_error_set(err, CIV_EFORMAT, "%s: contains a NUL byte", origin);
    civ_config *c = config_new();
    if (!c)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    civ_buf line = CIV_BUF_INIT;
    unsigned lineno = 0;
    civ_status st = CIV_OK;
    size_t i = 0;
    while (i < len && st == CIV_OK) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - text) : len;
        lineno++;
        civ_buf_reset(&line);
        civ_buf_append(&line, text + i, end - i);
        civ_buf_puts(&line, "");
        if (civ_buf_failed(&line))
            st = civ_error_set(err, CIV_ENOMEM, "out of memory");
        else
            st = parse_line(c, line.data, origin, lineno, err);
        i = end + 1;
    }
    civ_buf_free(&line);
    if (st == CIV_OK && c->ncollections == 0)
        st = civ_error_set(err, CIV_EFORMAT, "%s: no collection (add a line NAME = /path/to/index)",
                           origin);
    if (st == CIV_OK && c->limits.page_size > c->limits.max_limit)
        st = civ_error_set(err, CIV_EFORMAT, "%s: page_size is larger than max_limit", origin);
    if (st != CIV_OK) {
        civ_config_free(c);
        return st;
    }
    *out = c;
    return CIV_OK;
}

civ_status civ_config_load(civ_config **out, const char *path, civ_error *err)
{
    if (!out || !path)
        return civ_error_set(err, CIV_EINVAL, "civ_config_load: NULL argument");
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return civ_error_set(err, errno == ENOENT ? CIV_ENOTFOUND : CIV_EIO, "%s: %s", path,
                             strerror(errno));
    civ_buf text = CIV_BUF_INIT;
    char chunk[4096];
    size_t n;
    civ_status st = CIV_OK;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (text.len + n > CIV_CONFIG_MAX_BYTES) {
            st = civ_error_set(err, CIV_ETOOBIG, "%s: larger than %d bytes", path, CIV_CONFIG_MAX_BYTES);
            break;
        }
        civ_buf_append(&text, chunk, n);
    }
    if (st == CIV_OK && ferror(f))
        st = civ_error_set(err, CIV_EIO, "%s: read error", path);
    fclose(f);
    if (st == CIV_OK && civ_buf_failed(&text))
        st = civ_error_set(err, CIV_ENOMEM, "out of memory");
    if (st == CIV_OK)
        st = civ_config_parse(out, text.data, text.len, path, err);
    civ_buf_free(&text);
    return st;
}

civ_status civ_config_from_env(civ_config **out, civ_error *err)
{
    if (!out)
        return civ_error_set(err, CIV_EINVAL, "civ_config_from_env: NULL argument");
    *out = NULL;
    const char *file = getenv("CIVSEARCH_CONFIG");
    if (file && *file)
        return civ_config_load(out, file, err);
    const char *index = getenv("CIVSEARCH_INDEX");
    if (!index || !*index)
        return civ_error_set(err, CIV_ENOTFOUND,
                             "no index configured (set CIVSEARCH_INDEX or CIVSEARCH_CONFIG)");
    civ_config *c = config_new();
    if (!c || add_collection(c, "default", index) < 0) {
        civ_config_free(c);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    *out = c;
    return CIV_OK;
}

const civ_collection *civ_config_find(const civ_config *c, const char *name)
{
    if (!c || c->ncollections == 0)
        return NULL;
    if (!name)
        return &c->collections[0];
    for (size_t i = 0; i < c->ncollections; i++)
        if (strcmp(c->collections[i].name, name) == 0)
            return &c->collections[i];
    return NULL;
}
