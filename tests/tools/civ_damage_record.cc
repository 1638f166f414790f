/*
 * civ_damage_record — damages one stored record for tests/e2e/damaged.sh:
 *
 *   civ_damage_record DBDIR ID
 *
 * cuts the record of the document with unique id ID (term "Q" ID) in the
 * glass database DBDIR to half its length and commits. Xapian's own check
 * finds nothing wrong (the B-trees are intact); only a reader that decodes
 * the record can tell. A test tool: it writes the database directly, which
 * the project's code does only through lib/xapian/.
 */
#include <xapian.h>

#include <cstdio>
#include <string>

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: civ_damage_record DBDIR ID\n");
        return 2;
    }
    try {
        Xapian::WritableDatabase db(argv[1], Xapian::DB_OPEN);
        std::string term = std::string("Q") + argv[2];
        Xapian::PostingIterator p = db.postlist_begin(term);
        if (p == db.postlist_end(term)) {
            std::fprintf(stderr, "civ_damage_record: no document %s\n", argv[2]);
            return 1;
        }
        Xapian::Document doc = db.get_document(*p);
        std::string data = doc.get_data();
        doc.set_data(data.substr(0, data.size() / 2));
        db.replace_document(*p, doc);
        db.commit();
        std::printf("%u\n", static_cast<unsigned>(*p));
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "civ_damage_record: %s\n", e.get_description().c_str());
        return 2;
    }
    return 0;
}
