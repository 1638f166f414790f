/* bench/lib/remote-floor.cc — the floor of a search page over Xapian's
 * remote protocol, for bench/shards: Xapian alone, with no civsearch code,
 * doing the least a page needs (a match of 10 hits and each hit's record),
 * on an index opened once and kept open.
 *
 *   remote-floor RUNS INDEX... < queries
 *
 * Standard input as shardbench's (CLASS<TAB>QUERY<TAB>OR). The query is
 * parsed by Xapian's QueryParser with the English stemmer, stemming as
 * civindex did (field names and date ranges are not known to it: their
 * words are searched as words). Every query runs once to warm up, then RUNS times in turn.
 * Prints CLASS<TAB>MILLISECONDS<TAB>TOTAL a search. */
#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

namespace {

struct Query {
    std::string cls, text;
    bool or_ = false;
};

double now_ms()
{
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace

int main(int argc, char **argv)
{
    if (argc < 3) {
        std::fprintf(stderr, "usage: remote-floor RUNS INDEX... < queries\n");
        return 2;
    }
    int runs = std::atoi(argv[1]);
    try {
        double t0 = now_ms();
        Xapian::Database db;
        for (int i = 2; i < argc; i++) {
            std::string spec = argv[i];
            if (spec.compare(0, 6, "tcp://") == 0) {
                size_t colon = spec.rfind(':');
                db.add_database(Xapian::Remote::open(spec.substr(6, colon - 6),
                                                     static_cast<unsigned>(std::atoi(spec.c_str() + colon + 1))));
            } else {
                db.add_database(Xapian::Database(spec));
            }
        }
        std::fprintf(stderr, "remote-floor: opened %d databases in %.2f ms\n", argc - 2, now_ms() - t0);
        std::vector<Query> qs;
        std::string line;
        while (std::getline(std::cin, line)) {
            size_t a = line.find('\t'), b = line.rfind('\t');
            if (a == std::string::npos || b == a)
                continue;
            Query q;
            q.cls = line.substr(0, a);
            q.text = line.substr(a + 1, b - a - 1);
            q.or_ = line.substr(b + 1) == "1";
            qs.push_back(q);
        }
        Xapian::QueryParser qp;
        qp.set_database(db);
        qp.set_stemmer(Xapian::Stem("english"));
        /* As civindex wrote the index: stems alone, or words and Z stems. */
        qp.set_stemming_strategy(db.get_metadata("civ:stemming") == "all" ? Xapian::QueryParser::STEM_ALL
                                                                          : Xapian::QueryParser::STEM_SOME);
        Xapian::Enquire enq(db);
        for (int r = 0; r <= runs; r++) {
            for (const Query &q : qs) {
                double t = now_ms();
                qp.set_default_op(q.or_ ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
                enq.set_query(qp.parse_query(q.text, Xapian::QueryParser::FLAG_DEFAULT |
                                                         Xapian::QueryParser::FLAG_WILDCARD));
                Xapian::MSet m = enq.get_mset(0, 10);
                size_t bytes = 0;
                for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it)
                    bytes += it.get_document().get_data().size();
                double ms = now_ms() - t;
                if (r > 0)
                    std::printf("%s\t%.3f\t%u\t%zu\n", q.cls.c_str(), ms, m.get_matches_estimated(), bytes);
            }
        }
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "remote-floor: %s\n", e.get_description().c_str());
        return 2;
    }
    return 0;
}
