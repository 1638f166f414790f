/* lib/xapian/count.cc — matching a page of a search and counting its
 * matches: exactly where that is cheap, with copies folded, else
 * estimated. */
#include "internal.hh"

#include "civ/hash.h"

#include <algorithm>
#include <cmath>
#include <unordered_set>

using namespace civx;

namespace {

/* Up to this many matches, copies found among the matches are folded
 * over all of them for an exact count; beyond, estimated. */
const Xapian::doccount EXACT_FOLDED_MAX = 10000;

/* The number of documents ids (in order) stand for once copies are
 * folded: their digests read from the slot's value stream, which walks
 * forward (Xapian's collapse reads a value a match, about 2 µs each),
 * and counted once each (as numbers, sorted: no set of strings). */
uint64_t fold_ids(const civ_db *db, const std::vector<Xapian::docid> &ids)
{
    std::vector<uint64_t> hex;
    hex.reserve(ids.size());
    std::unordered_set<std::string> other;
    uint64_t alone = 0; /* matches without a digest fold with none */
    Xapian::ValueIterator v = db->db.valuestream_begin(CIV_SLOT_DIGEST);
    Xapian::ValueIterator end = db->db.valuestream_end(CIV_SLOT_DIGEST);
    for (Xapian::docid did : ids) {
        if (v != end && v.get_docid() < did)
            v.skip_to(did);
        if (v == end || v.get_docid() != did) {
            alone++;
            continue;
        }
        std::string d = *v;
        uint64_t n;
        if (civ_hash64_from_hex(&n, d.data(), d.size())) /* as civindex writes them */
            hex.push_back(n);
        else
            other.insert(std::move(d));
    }
    std::sort(hex.begin(), hex.end());
    return static_cast<uint64_t>(std::unique(hex.begin(), hex.end()) - hex.begin()) + other.size() + alone;
}

/* The exact count of q's matches with copies folded (*total) and without
 * (*all), when it has at most `most` matches: their ids in order, then
 * their digests (fold_ids: 12 ms of the 17 a query of 5,700 matches took
 * over 8,000 documents went to Xapian's collapse). False when it has
 * more, or over a remote shard (no value streams there). */
bool folded_by_stream(uint64_t *total, uint64_t *all, const civ_db *db, const Xapian::Query &q,
                      Xapian::doccount most)
{
    if (db->remote)
        return false;
    Xapian::Enquire e = unweighted(db->db, q);
    e.set_docid_order(Xapian::Enquire::ASCENDING);
    Xapian::MSet m = e.get_mset(0, most + 1);
    if (m.size() > most)
        return false;
    std::vector<Xapian::docid> ids;
    ids.reserve(m.size());
    for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it)
        ids.push_back(*it);
    std::sort(ids.begin(), ids.end());
    *total = fold_ids(db, ids);
    *all = ids.size();
    return true;
}

/* Posting lists walked to count an OR of words: at most this many
 * postings in all. */
const uint64_t UNION_POSTINGS = 50000;

/* The terms of q when its matches are the documents holding any of them:
 * an OR of words (a natural-language question, its feedback words), with
 * synonyms and weights but nothing that narrows or positions. */
bool or_of_terms(const Xapian::Query &q, std::vector<std::string> &terms)
{
    switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM: {
        std::string t = *q.get_terms_begin();
        if (t.empty()) /* every document */
            return false;
        terms.push_back(t);
        return true;
    }
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_MAX:
    case Xapian::Query::OP_SCALE_WEIGHT:
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            if (!or_of_terms(q.get_subquery(i), terms))
                return false;
        return q.get_num_subqueries() > 0;
    default:
        return false;
    }
}

/* The ids, in order, of the documents holding any of terms, from their
 * posting lists: a tenth of what the matcher spends weighing each match
 * to count them (a question of 20 words over the court archive: 0.4 M
 * instructions against 4.3 M). False when the lists hold more than
 * UNION_POSTINGS postings, or the documents number more than `most`. */
bool union_ids(std::vector<Xapian::docid> &ids, const Xapian::Database &db, const std::vector<std::string> &terms,
               Xapian::doccount most)
{
    uint64_t postings = 0;
    for (const std::string &t : terms)
        postings += db.get_termfreq(t);
    if (postings > UNION_POSTINGS)
        return false;
    ids.clear();
    Xapian::docid last = db.get_lastdocid();
    if (last / 64 <= postings) {
        /* A bit a document: as many words as postings at most. */
        std::vector<uint64_t> bits(last / 64 + 1, 0);
        for (const std::string &t : terms)
            for (Xapian::PostingIterator p = db.postlist_begin(t); p != db.postlist_end(t); ++p)
                bits[*p / 64] |= uint64_t(1) << (*p % 64);
        for (size_t w = 0; w < bits.size(); w++)
            for (uint64_t b = bits[w]; b; b &= b - 1) {
                if (ids.size() >= most)
                    return false;
                ids.push_back(static_cast<Xapian::docid>(w * 64 + static_cast<unsigned>(__builtin_ctzll(b))));
            }
        return true;
    }
    ids.reserve(postings);
    for (const std::string &t : terms)
        for (Xapian::PostingIterator p = db.postlist_begin(t); p != db.postlist_end(t); ++p)
            ids.push_back(*p);
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids.size() <= most;
}

/* Matches fetched past the page's end by weight: a tie across the end
 * that ends among them is settled by the ids of its matches, without
 * a second match (in the court archive of bench/query most such runs
 * end within ten matches of the 50 reranked). */
const Xapian::doccount TIE_EXTRA = 10;

/* Where mset's matches of equal weight are, the page being the limit
 * matches after the first `before` (0 or 1: the match before a page past
 * the first); the matches after the page show a tie across its end.
 * complete: mset holds every match from its first on.
 *  - none: no two weigh the same;
 *  - inside: every tie is between matches of the page, or across its
 *    end and known whole (it ends before mset's last match weighs less,
 *    or mset is complete): the caller puts them in id order itself
 *    (MatchCounts::order_ties) and takes the page after;
 *  - across: a tie across the page's start, or across its end not known
 *    whole, or a match standing for copies (the matcher chose which copy
 *    stands): only a match by weight then id settles which make the page. */
enum class Ties { none, inside, across };

Ties ties(const Xapian::MSet &mset, Xapian::doccount before, Xapian::doccount limit, bool complete)
{
    Xapian::doccount n = mset.size(), end = before + limit;
    Ties t = Ties::none;
    for (Xapian::doccount i = 0; i < n && i <= end; i++) {
        if (i >= before && mset[i].get_collapse_count() > 0)
            return Ties::across;
        if (i == 0 || mset[i].get_weight() != mset[i - 1].get_weight())
            continue;
        if (i == before)
            return Ties::across;
        t = Ties::inside;
        if (i < end)
            continue;
        /* Across the end: the run whole within mset, no copies in it. */
        double w = mset[i].get_weight();
        Xapian::doccount j = i;
        for (; j < n && mset[j].get_weight() == w; j++)
            if (mset[j].get_collapse_count() > 0)
                return Ties::across;
        return j < n || complete ? Ties::inside : Ties::across;
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

namespace {

/* The matches match_page asks for: from the page's offset less `before`,
 * `asked` of them. Matches past the page show a tie across its end.
 * Matching by weight then id costs a value read per candidate, and
 * Xapian's estimate of the count of folded matches suffers: it is done
 * only when a tie crosses the page's start, or its end beyond the matches
 * fetched past it, or copies are folded (other ties are ordered by the
 * caller, reading the ids of the tied matches only), and the counts come
 * from the first match. */
struct PageAsk {
    bool by_weight;           /* ties settled by ids (keyed: they come in id order) */
    Xapian::doccount before;  /* past the first page, one match before it: a tie across its start */
    Xapian::doccount asked;
    /* An OR of words (a question, a wildcard) may be counted from its
     * posting lists (union_ids): the matcher need then weigh only the
     * matches that may reach the page. Not with facets, whose counts see
     * every match, nor for one word, which the matcher counts as
     * cheaply. */
    bool may_union;
    std::vector<std::string> terms; /* then: its words */

    PageAsk(const civ_db *db, const Xapian::Query &q, const civ_search_opts *o, unsigned offset, unsigned limit,
            Xapian::doccount check)
    {
        by_weight = o->sort == CIV_SORT_RELEVANCE && !db->keyed;
        before = by_weight && offset > 0 && limit > 0 ? 1 : 0;
        asked = by_weight ? limit + 1 + before + TIE_EXTRA : limit;
        may_union = !db->remote && !o->facet_values && check > asked && or_of_terms(q, terms) && terms.size() > 1;
    }
};

} // namespace

std::unique_ptr<Xapian::MSet> civx::first_match(const civ_db *db, Xapian::Enquire &enq, const Xapian::Query &q,
                                               const civ_search_opts *o, unsigned limit, Xapian::doccount check,
                                               Xapian::doccount least)
{
    PageAsk a(db, q, o, 0, limit, check);
    if (!a.may_union || a.asked < least)
        return nullptr;
    return std::unique_ptr<Xapian::MSet>(new Xapian::MSet(enq.get_mset(0, a.asked, Xapian::doccount(0))));
}

Xapian::MSet civx::match_page(MatchCounts &counts, civ_db *db, Xapian::Enquire &enq,
                              const Xapian::Query &q, const civ_search_opts *o, unsigned offset,
                              unsigned limit, Xapian::doccount check, const Xapian::MSet *made)
{
    PageAsk a(db, q, o, offset, limit, check);
    bool by_weight = a.by_weight;
    Xapian::doccount before = a.before, asked = a.asked;
    std::vector<Xapian::docid> ids;
    bool by_union = a.may_union && union_ids(ids, db->db, a.terms, EXACT_FOLDED_MAX);
    counts.made = by_union && made && offset == 0;
    Xapian::MSet mset = counts.made ? *made : enq.get_mset(offset - before, asked, by_union ? 0 : check);
    counts.total = mset.get_matches_estimated();
    counts.exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    if (by_union) {
        counts.exact = true;
        counts.total = o->no_collapse ? ids.size() : fold_ids(db, ids);
        counts.folded = ids.size() - counts.total;
    } else if (!o->no_collapse) {
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
            uint64_t total, every;
            if (most > mset.get_matches_upper_bound() && most <= EXACT_FOLDED_MAX &&
                folded_by_stream(&total, &every, db, q, most)) {
                /* Copies among the matches weighed, and not too many
                 * matches: folded over all of them for the exact count. */
                counts.total = total;
                all = every;
                counts.exact = true;
            } else {
                counts.total = folded_estimate(mset);
            }
        }
        counts.folded = all > counts.total ? all - counts.total : 0;
    }
    counts.order_ties = false;
    counts.skip = before;
    Ties t = by_weight && limit > 0 ? ties(mset, before, limit, mset.size() < asked) : Ties::none;
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

/* The ids of the other documents with this digest (the copies folded
 * into a hit), at most `most`, in the order of their ids (not of
 * when they were added: the same list from one index or shards). */
std::vector<std::string> civx::copies_of(const civ_db *db, Xapian::docid self, const std::string &digest,
                                        size_t most)
{
    std::vector<std::string> ids;
    /* By the digest's term: the copies' postings alone. Indexes written
     * before it have none: a value range reads every document's digest
     * (3.7 M instructions a hit over 8,000 documents). */
    std::string term;
    bool by_term = exact_term(civ_schema_field("digest"), digest, term) && db->db.term_exists(term);
    Xapian::Enquire e = unweighted(
        db->db, by_term ? Xapian::Query(term)
                        : Xapian::Query(Xapian::Query::OP_VALUE_RANGE, CIV_SLOT_DIGEST, digest, digest));
    e.set_sort_by_value(CIV_SLOT_ID, false);
    Xapian::MSet m = e.get_mset(0, most + 1);
    for (Xapian::MSetIterator it = m.begin(); it != m.end() && ids.size() < most; ++it) {
        if (*it == self)
            continue;
        Xapian::TermIterator t = db->db.termlist_begin(*it);
        t.skip_to("Q");
        if (t != db->db.termlist_end(*it) && (*t)[0] == 'Q')
            ids.push_back((*t).substr(1));
    }
    return ids;
}
