// What the other design of passages would cost in index size: each
// passage of a long document (8 passages or more, as civsearch weighs them)
// indexed as a document of its own, its words with their counts in that
// passage (no positions: the parent keeps them), so that a search could
// weigh passages by a match instead of reading position lists. Reads a
// civsearch index (the passage bounds of CIV_SLOT_PASSAGE_INDEX, the words'
// positions), writes those documents into OUT and compacts it (bench/long
// prints its tables' sizes beside the index's). Built against libciv.a.
//
//   subdoc-cost INDEX OUT
#include "internal.hh" /* lib/xapian: PassageIndex, rank_tuning() */

#include <cstdio>
#include <map>
#include <string>
#include <vector>

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: subdoc-cost INDEX OUT\n");
        return 2;
    }
    try {
        Xapian::Database db(argv[1]);
        std::string tmp = std::string(argv[2]) + ".build";
        Xapian::WritableDatabase out(tmp, Xapian::DB_CREATE_OR_OVERWRITE);
        const size_t min_passages = civx::rank_tuning().min_passages; /* as civsearch weighs them */
        unsigned long long longs = 0, passages = 0, pairs = 0;
        for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
            Xapian::Document doc = db.get_document(*it);
            civx::PassageIndex pi;
            if (!pi.decode(doc.get_value(CIV_SLOT_PASSAGE_INDEX)) || pi.ends.size() < min_passages)
                continue;
            longs++;
            std::vector<std::map<std::string, Xapian::termcount>> per(pi.ends.size());
            for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
                size_t at = 0;
                for (Xapian::PositionIterator p = t.positionlist_begin(); p != t.positionlist_end(); ++p) {
                    if (*p <= pi.body_start)
                        continue;
                    while (at < pi.ends.size() && *p > pi.ends[at])
                        at++;
                    if (at == pi.ends.size())
                        break;
                    per[at][*t]++;
                }
            }
            for (size_t i = 0; i < per.size(); i++) {
                Xapian::Document d;
                for (const auto &w : per[i])
                    d.add_term(w.first, w.second);
                d.add_boolean_term("XP" + std::to_string(*it)); /* the parent, for collapsing */
                out.add_document(d);
                passages++;
                pairs += per[i].size();
            }
        }
        out.commit();
        out.close();
        Xapian::Database built(tmp);
        built.compact(argv[2], Xapian::DBCOMPACT_NO_RENUMBER);
        std::printf("long documents %llu, passages %llu, (word, passage) pairs %llu\n", longs, passages, pairs);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "subdoc-cost: %s\n", e.get_description().c_str());
        return 1;
    }
    return 0;
}
