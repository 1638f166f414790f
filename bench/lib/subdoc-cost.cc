// What the other design of passages would cost in index size: each
// passage of a long document (8 passages or more, as civsearch weighs them)
// indexed as a document of its own, its words with their counts in that
// passage (no positions: the parent keeps them), so that a search could
// weigh passages by a match instead of reading position lists. Reads a
// civsearch index (the passage bounds of CIV_SLOT_PASSAGE_INDEX, the words'
// positions), writes those documents into OUT, compacts it and prints the
// size (compare with the index's own, du -sk INDEX).
//
//   subdoc-cost INDEX OUT
#include <xapian.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <sys/stat.h>
#include <vector>
#include <dirent.h>

namespace {

const Xapian::valueno SLOT_PASSAGE_INDEX = 200; /* include/civ/schema.h */
const size_t MIN_PASSAGES = 8;                  /* RankTuning::min_passages */

bool varint(const char *&p, const char *end, uint64_t &v)
{
    v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
        unsigned char c = static_cast<unsigned char>(*p++);
        v |= static_cast<uint64_t>(c & 0x7f) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* The last position before the text, and each passage's last position. */
bool passage_ends(const std::string &v, Xapian::termpos &start, std::vector<Xapian::termpos> &ends)
{
    const char *p = v.data(), *end = p + v.size();
    uint64_t s, n, d;
    if (!varint(p, end, s) || !varint(p, end, n) || n > v.size())
        return false;
    start = static_cast<Xapian::termpos>(s);
    uint64_t at = s;
    for (uint64_t i = 0; i < n; i++) {
        if (!varint(p, end, d))
            return false;
        ends.push_back(static_cast<Xapian::termpos>(at += d));
    }
    return true;
}

unsigned long long dir_bytes(const std::string &dir)
{
    unsigned long long total = 0;
    DIR *d = opendir(dir.c_str());
    if (!d)
        return 0;
    while (struct dirent *e = readdir(d)) {
        std::string path = dir + "/" + e->d_name;
        struct stat st;
        if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            total += static_cast<unsigned long long>(st.st_size);
    }
    closedir(d);
    return total;
}

} // namespace

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
        unsigned long long longs = 0, passages = 0, pairs = 0;
        for (Xapian::PostingIterator it = db.postlist_begin(""); it != db.postlist_end(""); ++it) {
            Xapian::Document doc = db.get_document(*it);
            Xapian::termpos start = 0;
            std::vector<Xapian::termpos> ends;
            if (!passage_ends(doc.get_value(SLOT_PASSAGE_INDEX), start, ends) || ends.size() < MIN_PASSAGES)
                continue;
            longs++;
            std::vector<std::map<std::string, Xapian::termcount>> per(ends.size());
            for (Xapian::TermIterator t = doc.termlist_begin(); t != doc.termlist_end(); ++t) {
                size_t at = 0;
                for (Xapian::PositionIterator p = t.positionlist_begin(); p != t.positionlist_end(); ++p) {
                    if (*p <= start)
                        continue;
                    while (at < ends.size() && *p > ends[at])
                        at++;
                    if (at == ends.size())
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
        unsigned long long sub = dir_bytes(argv[2]);
        std::printf("long documents %llu, passages %llu, (word, passage) pairs %llu\n", longs, passages, pairs);
        std::printf("passage documents, compacted: %llu KB\n", sub / 1024);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "subdoc-cost: %s\n", e.get_description().c_str());
        return 1;
    }
    return 0;
}
