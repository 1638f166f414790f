/* lib/xapian/results.cc — reading the results of civ_search (civ/db.h):
 * the hits, counts, facets and what --debug prints. */
#include "internal.hh"
#include "results.hh"

extern "C" void civ_results_free(civ_results *r)
{
    delete r;
}

extern "C" size_t civ_results_size(const civ_results *r)
{
    return r ? r->hits.size() : 0;
}

extern "C" uint64_t civ_results_total(const civ_results *r, int *exact)
{
    if (exact)
        *exact = r && r->exact;
    return r ? r->total : 0;
}

extern "C" uint64_t civ_results_folded(const civ_results *r)
{
    return r ? r->folded : 0;
}

extern "C" const civ_hit *civ_results_hit(const civ_results *r, size_t i)
{
    return r && i < r->hits.size() ? &r->hits[i] : nullptr;
}

extern "C" const civ_facet *civ_results_facets(const civ_results *r, size_t *n)
{
    if (n)
        *n = r ? r->facets.size() : 0;
    return r && !r->facets.empty() ? r->facets.data() : nullptr;
}

extern "C" const civ_doc *civ_results_like(const civ_results *r)
{
    return r ? r->like : nullptr;
}

extern "C" const char *civ_results_suggestion(const civ_results *r)
{
    return r && !r->suggestion.empty() ? r->suggestion.c_str() : nullptr;
}

extern "C" const char *civ_results_query_description(const civ_results *r)
{
    return r ? r->description.c_str() : "";
}

extern "C" void civ_results_times(const civ_results *r, civ_search_times *out)
{
    if (!out)
        return;
    if (r)
        *out = r->times;
    else
        *out = civ_search_times{};
}
