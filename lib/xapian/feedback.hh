/* lib/xapian/feedback.hh — the feedback round of natural-language
 * queries (feedback.cc) and the table of word counts it reads
 * (termcounts.cc): what search.cc and query.cc call. */
#ifndef CIV_XAPIAN_FEEDBACK_HH
#define CIV_XAPIAN_FEEDBACK_HH

#include "internal.hh"

namespace civx {

/* Weight of the words feedback adds, against the query's own. */
constexpr double FEEDBACK_WEIGHT = 0.5;

/* A word the feedback round may add: a stem of the text ("Z" + stem in
 * an index of words and stems; all: the index holds stems only). */
bool feedback_term(const std::string &term, bool all);

/* How the feedback round counts the documents of its candidate words. */
struct WordCounting {
    bool table = true;   /* in: from the index's table of counts where it has
                            one made for it (termcounts.cc); false: from
                            the posting lists (checks) */
    unsigned tabled = 0; /* out: words counted from a table */
    unsigned listed = 0; /* out: words counted from their posting lists */
};

/* Adds to tf[i] the number of documents of part (one local database)
 * holding terms[i] (in byte order): those of the words its table holds
 * from the table (civ_writer_note_counts), the others from their posting
 * lists; false (tf untouched) when part has no table made for it as it
 * is now. */
bool table_termfreqs(const Xapian::Database &part, const std::vector<std::string> &terms,
                     std::vector<Xapian::doccount> &tf);

/* The most (at most) telling words of documents dids (lens their
 * lengths) that keep accepts, found in at least need of them and not in
 * exclude, the most telling first: weighed as Xapian's query expansion
 * weighs them, with exact document counts over all the shards (fetched
 * once a remote shard; how: where the local ones came from). */
std::vector<std::string> expand_terms(const civ_db *db, const std::vector<Xapian::docid> &dids,
                                      const std::vector<Xapian::termcount> &lens, size_t need,
                                      const std::function<bool(const std::string &)> &keep,
                                      const Xapian::Query &exclude, size_t most, WordCounting *how = nullptr);

/* The matches a feedback round looks at. */
constexpr Xapian::doccount PRF_LOOK = 18;

/* enq's query text expanded by its best matches' telling words into *out
 * (the words added into *added); false when there were none to add. best:
 * enq's matches from the first, at least PRF_LOOK of them where there
 * are as many, or NULL (then matched here); how: as expand_terms. */
bool feedback(const civ_db *db, Xapian::Enquire &enq, const Xapian::Query &text, Xapian::Query *out,
              Xapian::Query *added, const Xapian::MSet *best = nullptr, WordCounting *how = nullptr);

} // namespace civx

#endif
