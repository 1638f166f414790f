/* lib/xapian/feedback.cc — the feedback round of natural-language
 * queries: the best matches' telling words added to the query. */
#include "internal.hh"
#include "feedback.hh"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

using namespace civx;

namespace {

/* Pseudo-relevance feedback for natural-language queries: the PRF_TERMS
 * most telling stemmed words of the PRF_DOCS best matches are added with
 * weight FEEDBACK_WEIGHT (internal.hh). Only matches of at most
 * PRF_MAX_LENGTH words serve, taken among the PRF_LOOK best: the words of
 * a 50,000-word transcript are about everything (and reading them took
 * 30 ms a query on the court archive, bench/README.md "Long documents"). */
const Xapian::doccount PRF_DOCS = 6; /* PRF_LOOK: internal.hh */
const Xapian::termcount PRF_MAX_LENGTH = 5000, PRF_TERMS = 10;

/* A candidate word: its wdf in each feedback document holding it (and
 * that document's length). */
struct Seen {
    std::vector<std::pair<Xapian::termcount, Xapian::termcount>> in; /* (wdf, length) */
};

/* The words found in at least `need` of the lists, each list in byte order
 * (as term lists come), merged: in byte order, with each document's wdf in
 * the order of the lists; those of `exclude` (sorted) left out. */
void merge_lists(std::vector<std::string> &cand, std::vector<Seen> &seen,
                 const std::vector<std::vector<std::pair<std::string, Xapian::termcount>>> &lists,
                 const std::vector<Xapian::termcount> &lens, size_t need, const std::vector<std::string> &exclude)
{
    std::vector<size_t> at(lists.size(), 0);
    Seen one; /* the word's entries; copied out only when it is kept */
    for (;;) {
        const std::string *least = nullptr;
        for (size_t k = 0; k < lists.size(); k++)
            if (at[k] < lists[k].size() && (!least || lists[k][at[k]].first < *least))
                least = &lists[k][at[k]].first;
        if (!least)
            return;
        /* The lists stay put: the word is read where it is. */
        const std::string &word = *least;
        one.in.clear();
        for (size_t k = 0; k < lists.size(); k++)
            if (at[k] < lists[k].size() && lists[k][at[k]].first == word)
                one.in.emplace_back(lists[k][at[k]++].second, lens[k]);
        if (one.in.size() >= need && !std::binary_search(exclude.begin(), exclude.end(), word)) {
            cand.push_back(word);
            seen.push_back(one);
        }
    }
}

/* The number of documents holding each of terms (in byte order),
 * exactly, over all the shards: locally from the shards' tables of counts
 * (how->table; termcounts.cc) or each posting list's head; over remote
 * shards from
 * the statistics of one match of them all (each shard counts them in one
 * round trip, the shards at once) instead of a round trip a word and
 * shard. */
std::vector<Xapian::doccount> term_freqs(const civ_db *db, const std::vector<std::string> &terms,
                                         WordCounting *how)
{
    std::vector<Xapian::doccount> tf(terms.size(), 0);
    if (!db->remote) {
        /* Where every part is one local database with a table made for
         * it as it is, the tables give the counts; else the posting lists
         * do (a part of several databases has no revision of its own). */
        bool tabled = how && how->table && !db->parts.empty();
        for (const Part &p : db->parts)
            tabled = tabled && p.subs == 1 && !p.remote;
        if (tabled) {
            std::vector<Xapian::doccount> sum(terms.size(), 0);
            for (const Part &p : db->parts)
                tabled = tabled && table_termfreqs(p.db, terms, sum);
            if (tabled) {
                how->tabled += static_cast<unsigned>(terms.size());
                return sum;
            }
        }
        for (size_t i = 0; i < terms.size(); i++)
            tf[i] = db->db.get_termfreq(terms[i]);
        if (how)
            how->listed += static_cast<unsigned>(terms.size());
        return tf;
    }
    Xapian::Enquire e(db->db);
    e.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
    Xapian::MSet m = e.get_mset(0, 0);
    for (size_t i = 0; i < terms.size(); i++)
        tf[i] = m.get_termfreq(terms[i]);
    return tf;
}

} // namespace

/* Expansion terms for pseudo-relevance feedback: stemmed body words
 * ("Z" + stem where words are also indexed as themselves). */
bool civx::feedback_term(const std::string &term, bool all)
{
    size_t z = all ? 0 : 1;
    if (term.size() <= 2 + z || (!all && term[0] != 'Z'))
        return false;
    return !(term[z] >= 'A' && term[z] <= 'Z') && !(term[z] >= '0' && term[z] <= '9');
}

/* The words are weighed as Xapian's query expansion weighs them
 * (TradEWeight, k = 1): over the R documents holding a word r times, the
 * sum of (k + 1) wdf / (k len / avlen + wdf), times
 * log((r + ½)(N - n - (R - r) + ½) / ((n - r + ½)(R - r + ½))) for a
 * word in n of the N documents.
 * Doing it here lets the word counts of remote shards come in one round
 * trip each (term_freqs); the sums are made in one order whatever the
 * shards, so that shards pick the words one index picks. */
std::vector<std::string> civx::expand_terms(const civ_db *db, const std::vector<Xapian::docid> &dids,
                                            const std::vector<Xapian::termcount> &lens, size_t need,
                                            const std::function<bool(const std::string &)> &keep,
                                            const Xapian::Query &exclude, size_t most, WordCounting *how)
{
    std::vector<std::vector<std::pair<std::string, Xapian::termcount>>> lists(dids.size());
    for_each_doc(db, dids, [&](size_t k, const Xapian::Database &part, Xapian::docid did) {
        for (Xapian::TermIterator t = part.termlist_begin(did); t != part.termlist_end(did); ++t)
            if (keep(*t))
                lists[k].emplace_back(*t, t.get_wdf());
    });
    /* Term lists come in byte order; one that did not would be sorted. */
    for (auto &l : lists)
        if (!std::is_sorted(l.begin(), l.end()))
            std::sort(l.begin(), l.end());
    std::vector<std::string> skip(exclude.get_unique_terms_begin(), exclude.get_unique_terms_end());
    std::sort(skip.begin(), skip.end());
    std::vector<std::string> cand;
    std::vector<Seen> cand_seen;
    merge_lists(cand, cand_seen, lists, lens, need, skip);
    std::vector<std::string> out;
    if (cand.empty())
        return out;
    std::vector<Xapian::doccount> tf = term_freqs(db, cand, how);

    const double k = 1.0;
    const double avlen = db->db.get_avlength();
    const Xapian::doccount dbsize = db->db.get_doccount(), rsize = static_cast<Xapian::doccount>(dids.size());
    /* Chosen as Xapian chooses: in byte order, each word heavier than
     * the lightest kept enters, and past `most` the lightest leaves (of
     * equal weights the word first in byte order); then the heaviest
     * first, words of equal weight in reverse byte order. */
    auto before = [&](const std::pair<double, size_t> &a, const std::pair<double, size_t> &b) {
        if (a.first != b.first)
            return a.first > b.first;
        return cand[a.second] > cand[b.second];
    };
    std::vector<std::pair<double, size_t>> kept;
    std::vector<double> parts;
    double min_wt = 0;
    bool is_heap = false;
    for (size_t i = 0; i < cand.size(); i++) {
        parts.clear();
        for (const auto &wl : cand_seen[i].in) {
            Xapian::termcount wdf = wl.first ? wl.first : 1, doclen = wl.second;
            parts.push_back((k + 1) * wdf / (k * doclen / avlen + wdf));
        }
        std::sort(parts.begin(), parts.end());
        double multiplier = 0;
        for (double p : parts)
            multiplier += p;
        Xapian::doccount rtermfreq = static_cast<Xapian::doccount>(parts.size());
        Xapian::doccount termfreq = std::max(tf[i], rtermfreq);
        double reldocs_without_term = rsize - rtermfreq;
        double num = (rtermfreq + 0.5) * (dbsize - termfreq - reldocs_without_term + 0.5);
        double denom = (termfreq - rtermfreq + 0.5) * (reldocs_without_term + 0.5);
        double wt = multiplier * std::log(num / denom);
        if (wt <= min_wt)
            continue;
        kept.emplace_back(wt, i);
        if (kept.size() > most) {
            if (!is_heap) {
                is_heap = true;
                std::make_heap(kept.begin(), kept.end(), before);
            } else {
                std::push_heap(kept.begin(), kept.end(), before);
            }
            std::pop_heap(kept.begin(), kept.end(), before);
            kept.pop_back();
            min_wt = kept.front().first;
        }
    }
    if (is_heap)
        std::sort_heap(kept.begin(), kept.end(), before);
    else
        std::sort(kept.begin(), kept.end(), before);
    for (const auto &w : kept)
        out.push_back(cand[w.second]);
    return out;
}

bool civx::feedback(const civ_db *db, Xapian::Enquire &enq, const Xapian::Query &text,
                    Xapian::Query *out, Xapian::Query *added, const Xapian::MSet *best, WordCounting *how)
{
    Xapian::MSet own;
    if (!best) {
        own = enq.get_mset(0, PRF_LOOK);
        best = &own;
    }
    std::vector<Xapian::docid> look;
    for (Xapian::MSetIterator it = best->begin(); it != best->end() && look.size() < PRF_LOOK; ++it)
        look.push_back(*it);
    /* Locally the lengths are read in rank order until PRF_DOCS short
     * ones are found; over remote shards all at once (a round trip each
     * shard). */
    std::vector<Xapian::termcount> len(look.size(), 0);
    if (db->remote)
        for_each_doc(db, look, [&](size_t k, const Xapian::Database &part, Xapian::docid did) {
            len[k] = part.get_doclength(did);
        });
    std::vector<Xapian::docid> top;
    std::vector<Xapian::termcount> top_len;
    for (size_t k = 0; k < look.size() && top.size() < PRF_DOCS; k++) {
        if (!db->remote)
            len[k] = db->db.get_doclength(look[k]);
        if (len[k] <= PRF_MAX_LENGTH) {
            top.push_back(look[k]);
            top_len.push_back(len[k]);
        }
    }
    if (top.empty())
        return false;
    /* Candidates: the stemmed words found in at least two of the feedback
     * documents. Long documents bring thousands of words found in one of
     * them only, seldom among the words picked. */
    bool all = db->stem_all;
    std::vector<std::string> words =
        expand_terms(db, top, top_len, top.size() >= 2 ? 2 : 1,
                     [all](const std::string &t) { return feedback_term(t, all); }, enq.get_query(), PRF_TERMS,
                     how);
    std::vector<Xapian::Query> more;
    for (const std::string &w : words)
        more.push_back(Xapian::Query(w));
    if (more.empty())
        return false;
    *added = Xapian::Query(Xapian::Query::OP_OR, more.begin(), more.end());
    Xapian::Query ex(Xapian::Query::OP_SCALE_WEIGHT, *added, FEEDBACK_WEIGHT);
    *out = Xapian::Query(Xapian::Query::OP_OR, text, ex);
    return true;
}
