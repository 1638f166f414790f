/* lib/xapian/count.cc — matching a page of a search and counting its
 * matches: exactly where that is cheap, with copies folded, else
 * estimated. */
#include "internal.hh"

#include <algorithm>
#include <cmath>

using namespace civx;

namespace {

/* Up to this many matches, copies found among the matches are folded
 * over all of them for an exact count, by an unweighted match reading a
 * value a match, when the matches times the query's words are at most
 * EXACT_FOLDED_WORK (about 6 ms: on 8,000 documents with 2,000 copies a
 * 5-word query of 5,300 matches took 26 M instructions more, 0.5 ms of
 * them per thousand matches and word); beyond, estimated. A 30-word
 * query over 3,388 documents spent 4 ms on its count, a third of the
 * whole query. */
const Xapian::doccount EXACT_FOLDED_MAX = 10000;
const uint64_t EXACT_FOLDED_WORK = 60000;

/* Whether an exact count of q's `most` matches with copies is cheap. */
bool cheap_count(const Xapian::Query &q, Xapian::doccount most)
{
    uint64_t words = 0;
    for (Xapian::TermIterator t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
        if (++words * most > EXACT_FOLDED_WORK)
            return false;
    return true;
}

/* Where mset's matches of equal weight are, the page being the limit
 * matches after the first `before` (0 or 1: the match before a page past
 * the first); the match after the page shows a tie across its end:
 *  - none: no two weigh the same;
 *  - inside: every tie is between matches of the page: the caller puts
 *    them in id order itself (MatchCounts::order_ties);
 *  - across: a tie across the page's start or end, or a match standing
 *    for copies (the matcher chose which copy stands): only a match by
 *    weight then id settles which make the page. */
enum class Ties { none, inside, across };

Ties ties(const Xapian::MSet &mset, Xapian::doccount before, Xapian::doccount limit)
{
    Ties t = Ties::none;
    double prev = 0;
    Xapian::doccount i = 0;
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it, ++i) {
        double w = it.get_weight();
        if (i >= before && it.get_collapse_count() > 0)
            return Ties::across;
        if (i > 0 && w == prev) {
            if (i == before || i >= before + limit)
                return Ties::across;
            t = Ties::inside;
        }
        prev = w;
    }
    return t;
}

/* The number of matches once copies are folded, when the matcher stopped
 * before seeing them all. Xapian's own figure lies midway between its
 * bounds: with no copies at all it said about 2,000 of 2,943. Here the
 * copies it folded among the matches it weighed (its upper bound drops
 * by one for each) are scaled to all the matches: a copy is found only when its original was
 * weighed too, so the share of the matches weighed, f, finds a pair's
 * copy with chance f^2 and one of many with about f; f^1.5 lies between.
 * Where the count before folding is itself an estimate (an OR of many
 * words), this is as close as that estimate. */
uint64_t folded_estimate(const Xapian::MSet &mset)
{
    double lb = mset.get_matches_lower_bound(), ub = mset.get_matches_upper_bound();
    double all = mset.get_uncollapsed_matches_estimated();
    double uub = mset.get_uncollapsed_matches_upper_bound();
    double dups = uub > ub ? uub - ub : 0;
    double f = all > 0 ? std::min(1.0, (lb + dups) / all) : 1.0;
    double folded = f > 0 ? dups / (f * std::sqrt(f)) : dups;
    double total = std::round(all - folded);
    return static_cast<uint64_t>(std::max(lb, std::min(ub, total)));
}

} // namespace

Xapian::Enquire civx::unweighted(const Xapian::Database &db, const Xapian::Query &q)
{
    Xapian::Enquire e(db);
    e.set_query(q);
    e.set_weighting_scheme(Xapian::BoolWeight());
    return e;
}

Xapian::MSet civx::match_page(MatchCounts &counts, civ_db *db, Xapian::Enquire &enq,
                              const Xapian::Query &q, const civ_search_opts *o, unsigned offset,
                              unsigned limit, Xapian::doccount check)
{
    /* One match more shows a tie across the page's end. Matching by
     * weight then id costs a value read per candidate, and Xapian's
     * estimate of the count of folded matches suffers: it is done only
     * when a tie crosses the page's bounds or copies are folded (ties
     * within the page are ordered by the caller, reading the ids of the
     * tied matches only), and the counts come from the first match. */
    bool by_weight = o->sort == CIV_SORT_RELEVANCE;
    /* Past the first page, one match before it too: a tie across its
     * start. */
    Xapian::doccount before = by_weight && offset > 0 && limit > 0 ? 1 : 0;
    Xapian::MSet mset = enq.get_mset(offset - before, by_weight ? limit + 1 + before : limit, check);
    counts.total = mset.get_matches_estimated();
    counts.exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    if (!o->no_collapse) {
        /* Folding copies leaves Xapian's bounds apart even when it saw
         * every match; when fewer matched than it checked, it did, and
         * the lower bounds are the counts. */
        uint64_t all = mset.get_uncollapsed_matches_estimated();
        if (mset.get_uncollapsed_matches_lower_bound() < check) {
            counts.total = mset.get_matches_lower_bound();
            all = mset.get_uncollapsed_matches_lower_bound();
            counts.exact = true;
            if (all != mset.get_uncollapsed_matches_upper_bound()) {
                /* The matcher skips copies it need not weigh (an AND
                 * of rare words): count without folding, unweighted,
                 * every match (there may be more than check). */
                all = unweighted(db->db, q)
                          .get_mset(0, 0, mset.get_uncollapsed_matches_upper_bound())
                          .get_matches_lower_bound();
            }
        } else if (!counts.exact) {
            Xapian::doccount most = mset.get_uncollapsed_matches_upper_bound();
            if (most > mset.get_matches_upper_bound() && most <= EXACT_FOLDED_MAX && cheap_count(q, most)) {
                /* Copies among the matches weighed, and not too many
                 * matches: fold them all, unweighted (a value read each,
                 * about 0.4 µs), for the exact count. Checking all
                 * `most` of them, the matcher sees every match: the
                 * lower bounds are the counts. Folding leaves its count
                 * of the matches before folding short (the copies it
                 * skips unread): that comes from a match without. */
                Xapian::Enquire count = unweighted(db->db, q);
                count.set_collapse_key(CIV_SLOT_DIGEST);
                counts.total = count.get_mset(0, 0, most).get_matches_lower_bound();
                Xapian::MSet u = unweighted(db->db, q).get_mset(0, 0, most);
                all = u.get_matches_lower_bound();
                counts.exact = all == u.get_matches_upper_bound();
            } else {
                counts.total = folded_estimate(mset);
            }
        }
        counts.folded = all > counts.total ? all - counts.total : 0;
    }
    counts.order_ties = false;
    counts.skip = before;
    Ties t = by_weight && limit > 0 ? ties(mset, before, limit) : Ties::none;
    if (t == Ties::across) {
        enq.clear_matchspies();
        enq.set_sort_by_relevance_then_value(CIV_SLOT_ID, false);
        mset = enq.get_mset(offset, limit);
        enq.set_sort_by_relevance();
        counts.skip = 0;
    } else {
        counts.order_ties = t == Ties::inside;
    }
    return mset;
}
