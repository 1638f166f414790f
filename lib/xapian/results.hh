/* lib/xapian/results.hh — the results of a search: search.cc fills them,
 * results.cc reads them (civ/db.h). */
#ifndef CIV_XAPIAN_RESULTS_HH
#define CIV_XAPIAN_RESULTS_HH

#include "internal.hh"

/* What civ_search returns: the page's hits and what they point into. */
struct civ_results {
    std::vector<civ_hit> hits;
    std::vector<std::vector<std::string>> copies;
    std::vector<std::vector<const char *>> copy_ptrs;
    uint64_t folded = 0;
    std::vector<civ_doc *> docs;
    std::vector<std::vector<civx::Snippet>> snippets; /* a hit's, the best first */
    std::vector<std::vector<civ_snippet>> shown;  /* the same in text order */
    std::vector<civ_facet> facets;
    std::vector<std::vector<civ_facet_value>> facet_values;
    std::vector<std::unique_ptr<std::string>> strings; /* facet value storage */
    std::string suggestion;
    std::string description;
    civ_doc *like = nullptr; /* opts.like's document, fields only */
    uint64_t total = 0;
    bool exact = false;
    civ_search_times times = {};

    ~civ_results()
    {
        for (civ_doc *d : docs)
            civ_doc_free(d);
        civ_doc_free(like);
    }
    const char *keep(const std::string &s)
    {
        strings.emplace_back(new std::string(s));
        return strings.back()->c_str();
    }
};

#endif
