/* Fuzz target: the search page's request parser — a query string, then a
 * form body (split at the first NUL byte) — and the search options made
 * from it. */
#include "fuzz.h"

#include <string.h>

#include "cgi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    const char *nul = memchr(s, '\0', size);
    size_t qs = nul ? (size_t)(nul - s) : size;
    civ_cgi_limits lim = CIV_CGI_LIMITS_INIT;
    civ_cgi_params p;
    memset(&p, 0, sizeof p);
    if (civ_cgi_parse(&p, s, qs, &lim, NULL) == CIV_OK && nul)
        civ_cgi_parse(&p, nul + 1, size - qs - 1, &lim, NULL);
    civ_search_opts so = CIV_SEARCH_OPTS_INIT;
    civ_cgi_search_opts(&so, &p, &lim, NULL);
    civ_cgi_params_free(&p);
    return 0;
}
