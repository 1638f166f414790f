/* lib/xapian/feedback.cc — the feedback round of natural-language
 * queries: the best matches' telling words added to the query. */
#include "internal.hh"

#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace {

/* Pseudo-relevance feedback for natural-language queries: the PRF_TERMS
 * most telling stemmed words of the PRF_DOCS best matches are added with
 * weight FEEDBACK_WEIGHT (internal.hh). Only matches of at most
 * PRF_MAX_LENGTH words serve, taken among the PRF_LOOK best: the words of
 * a 50,000-word transcript are about everything (and reading them took
 * 30 ms a query on the court archive, bench/README.md "Long documents"). */
const Xapian::doccount PRF_DOCS = 6, PRF_LOOK = 18;
const Xapian::termcount PRF_MAX_LENGTH = 5000, PRF_TERMS = 10;

/* Expansion terms for pseudo-relevance feedback: stemmed body words
 * ("Z" + stem where words are also indexed as themselves). */
class StemmedTermDecider : public Xapian::ExpandDecider {
    bool all;

  public:
    explicit StemmedTermDecider(bool stem_all) : all(stem_all) {}
    bool operator()(const std::string &term) const override
    {
        size_t z = all ? 0 : 1;
        if (term.size() <= 2 + z || (!all && term[0] != 'Z'))
            return false;
        return !(term[z] >= 'A' && term[z] <= 'Z') && !(term[z] >= '0' && term[z] <= '9');
    }
};

/* Feedback candidates: the stemmed words (StemmedTermDecider) found in at
 * least two of the feedback documents. Weighing a candidate costs a
 * posting-list lookup; long documents bring thousands of words found in
 * one of them only, which were most of the feedback round's time and
 * seldom among the words it picks. */
class FeedbackDecider : public Xapian::ExpandDecider {
    std::unordered_set<std::string> ok_;

  public:
    FeedbackDecider(const Xapian::Database &db, const std::vector<Xapian::docid> &top, bool stem_all)
    {
        StemmedTermDecider stemmed(stem_all);
        std::unordered_map<std::string, unsigned> seen;
        for (Xapian::docid did : top)
            for (Xapian::TermIterator t = db.termlist_begin(did); t != db.termlist_end(did); ++t)
                if (stemmed(*t))
                    seen[*t]++;
        unsigned need = top.size() >= 2 ? 2 : 1;
        for (auto &kv : seen)
            if (kv.second >= need)
                ok_.insert(kv.first);
    }
    bool operator()(const std::string &term) const override { return ok_.count(term) != 0; }
};

} // namespace

bool civx::feedback(const civ_db *db, Xapian::Enquire &enq, const Xapian::Query &text,
                    Xapian::Query *out, Xapian::Query *added)
{
    Xapian::MSet best = enq.get_mset(0, PRF_LOOK);
    std::vector<Xapian::docid> top;
    Xapian::RSet rs;
    for (Xapian::MSetIterator it = best.begin(); it != best.end() && top.size() < PRF_DOCS; ++it)
        if (db->db.get_doclength(*it) <= PRF_MAX_LENGTH) {
            top.push_back(*it);
            rs.add_document(*it);
        }
    if (top.empty())
        return false;
    FeedbackDecider decider(db->db, top, db->stem_all);
    /* Exact term frequencies: over several databases (shards) Xapian
     * would otherwise estimate them from each one alone. */
    Xapian::ESet es = enq.get_eset(PRF_TERMS, rs, Xapian::Enquire::USE_EXACT_TERMFREQ, &decider);
    std::vector<Xapian::Query> more;
    for (Xapian::ESetIterator t = es.begin(); t != es.end(); ++t)
        more.push_back(Xapian::Query(*t));
    if (more.empty())
        return false;
    *added = Xapian::Query(Xapian::Query::OP_OR, more.begin(), more.end());
    Xapian::Query ex(Xapian::Query::OP_SCALE_WEIGHT, *added, FEEDBACK_WEIGHT);
    *out = Xapian::Query(Xapian::Query::OP_OR, text, ex);
    return true;
}
