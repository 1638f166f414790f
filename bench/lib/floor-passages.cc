// Reference search for bench/query: what quest does (parse a query with the
// English stemmer, match the best N) plus the least that weighing passages
// through Xapian's positional index must read: the positions of each of
// the query's words in each of the DEPTH best matches. Nothing is weighed
// or printed beyond what quest prints; the time over quest is the cost of
// those reads alone (a position list is a B-tree lookup in Xapian 1.4: a
// new cursor, about two block reads).
//
//   floor-passages -d DB [-m N] [-o and|or] [-f default,wildcard]
//                  [-p field:PREFIX] [-D DEPTH] QUERY
#include <xapian.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

static int usage()
{
    std::fprintf(stderr, "usage: floor-passages -d DB [-m N] [-o and|or] [-f default,wildcard] "
                         "[-p field:PREFIX] [-D DEPTH] QUERY\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *db_path = nullptr;
    unsigned limit = 10, depth = 50;
    bool and_op = false, wildcard = false;
    std::vector<std::pair<std::string, std::string>> prefixes;
    int i = 1;
    for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!std::strcmp(o, "--")) {
            i++;
            break;
        }
        if (!std::strcmp(o, "-d"))
            db_path = v;
        else if (!std::strcmp(o, "-m"))
            limit = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        else if (!std::strcmp(o, "-D"))
            depth = static_cast<unsigned>(std::strtoul(v, nullptr, 10));
        else if (!std::strcmp(o, "-o"))
            and_op = !std::strcmp(v, "and");
        else if (!std::strcmp(o, "-f"))
            wildcard = std::strstr(v, "wildcard") != nullptr;
        else if (!std::strcmp(o, "-p") && std::strchr(v, ':'))
            prefixes.emplace_back(std::string(v, std::strchr(v, ':')), std::strchr(v, ':') + 1);
        else
            return usage();
    }
    if (!db_path || i != argc - 1)
        return usage();
    try {
        Xapian::Database db(db_path);
        Xapian::QueryParser qp;
        qp.set_database(db);
        qp.set_stemmer(Xapian::Stem("english"));
        qp.set_stemming_strategy(Xapian::QueryParser::STEM_SOME);
        qp.set_default_op(and_op ? Xapian::Query::OP_AND : Xapian::Query::OP_OR);
        for (const auto &p : prefixes)
            qp.add_prefix(p.first, p.second);
        unsigned flags = Xapian::QueryParser::FLAG_DEFAULT | (wildcard ? Xapian::QueryParser::FLAG_WILDCARD : 0);
        Xapian::Query q = qp.parse_query(argv[i], flags);
        Xapian::Enquire enq(db);
        enq.set_query(q);
        Xapian::MSet m = enq.get_mset(0, depth > limit ? depth : limit);
        /* The query's words (a wildcard's expansions), and the depth best
         * matches in docid order: each word's postings tell which hold it
         * (a passage pass must know), then their positions are read. */
        std::set<std::string> terms;
        for (Xapian::TermIterator t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
            terms.insert(*t);
        if (wildcard) {
            std::string w = argv[i];
            if (!w.empty() && w.back() == '*')
                w.pop_back();
            for (char &c : w)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            for (Xapian::TermIterator t = db.allterms_begin(w); t != db.allterms_end(w); ++t)
                terms.insert(*t);
        }
        std::vector<Xapian::docid> best;
        for (Xapian::MSetIterator it = m.begin(); it != m.end() && best.size() < depth; ++it)
            best.push_back(*it);
        std::sort(best.begin(), best.end());
        unsigned long positions = 0, lists = 0;
        for (const std::string &t : terms) {
            Xapian::PostingIterator p = db.postlist_begin(t);
            for (Xapian::docid did : best) {
                p.skip_to(did);
                if (p == db.postlist_end(t))
                    break;
                if (*p != did)
                    continue;
                lists++;
                for (Xapian::PositionIterator x = db.positionlist_begin(did, t); x != db.positionlist_end(did, t);
                     ++x)
                    positions++;
            }
        }
        unsigned n = 0;
        std::printf("Parsed Query: %s\nMSet:\n", q.get_description().c_str());
        n = 0;
        for (Xapian::MSetIterator it = m.begin(); it != m.end() && n < limit; ++it, ++n)
            std::printf("%u: [%g]\n%s\n", *it, it.get_weight(), it.get_document().get_data().c_str());
        std::printf("position lists read: %lu (%lu positions)\n", lists, positions);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "floor-passages: %s\n", e.get_description().c_str());
        return 1;
    }
    return 0;
}
