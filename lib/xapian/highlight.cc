/* lib/xapian/highlight.cc — the query's words in a whole text, for the
 * document view: the same words a snippet marks, found everywhere. */
#include "internal.hh"

#include <cstdlib>
#include <cstring>

using namespace civx;

extern "C" civ_status civ_db_highlight(civ_span **spans, size_t *n, civ_db *db,
                                       const civ_search_opts *opts, const char *text, size_t len,
                                       size_t max, civ_error *err)
{
    if (!spans || !n || !db || !opts || (!text && len))
        return civ_error_set(err, CIV_EINVAL, "civ_db_highlight: NULL argument");
    *spans = nullptr;
    *n = 0;
    CIV_TRY
    return with_retry(db, [&]() -> civ_status {
        ParsedQuery pq;
        civ_status s = parse_search(pq, db, opts, err);
        if (s != CIV_OK)
            return s;
        Snippets snip(db, snippet_words(db, pq), 1);
        std::vector<civ_span> found;
        snip.mark(text, len, max, found);
        if (found.empty())
            return CIV_OK;
        civ_span *out = static_cast<civ_span *>(malloc(found.size() * sizeof *out));
        if (!out)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        memcpy(out, found.data(), found.size() * sizeof *out);
        *spans = out;
        *n = found.size();
        return CIV_OK;
    });
    CIV_CATCH(err, "index")
}
