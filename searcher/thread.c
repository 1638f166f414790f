/* civsearch --thread: a thread id, or a Message-ID looked up. */
#include "thread.h"

#include <stdio.h>
#include <string.h>

static void lower(char *p)
{
    for (; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p + 32);
}

civ_status civ_thread_filter(char *out, size_t outsz, civ_db *db, const char *arg,
                             civ_error *err)
{
    size_t n = strlen(arg), hex = 0;
    while (hex < n && strchr("0123456789abcdefABCDEF", arg[hex]))
        hex++;
    if (n == 16 && hex == 16) {
        snprintf(out, outsz, "thread:%s", arg);
        lower(out);
        return CIV_OK;
    }
    /* A Message-ID: stored without <> and with its domain in lower case. */
    char id[512], filter[600];
    while (*arg == '<' || *arg == ' ')
        arg++;
    snprintf(id, sizeof id, "%s", arg);
    size_t len = strlen(id);
    while (len && (id[len - 1] == '>' || id[len - 1] == ' '))
        id[--len] = '\0';
    if (!len)
        return civ_error_set(err, CIV_EINVAL, "--thread: empty id");
    lower(strrchr(id, '@'));
    snprintf(filter, sizeof filter, "msgid:%s", id);
    const char *filters[] = { filter };
    civ_search_opts so = CIV_SEARCH_OPTS_INIT;
    so.query = "*";
    so.filters = filters;
    so.nfilters = 1;
    so.limit = 1;
    so.snippet_len = 0;
    civ_results *res = NULL;
    civ_status s = civ_search(&res, db, &so, err);
    if (s != CIV_OK)
        return s;
    const civ_hit *h = civ_results_hit(res, 0);
    const char *t = h ? civ_doc_get(h->doc, "thread") : NULL;
    if (t)
        snprintf(out, outsz, "thread:%s", t);
    civ_results_free(res);
    if (!t)
        return civ_error_set(err, CIV_ENOTFOUND, "no thread with id or Message-ID %s", id);
    return CIV_OK;
}
