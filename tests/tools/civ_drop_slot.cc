/*
 * civ_drop_slot — makes an index look as if written before a value slot
 * existed, for tests/e2e/corpus.sh:
 *
 *   civ_drop_slot DBDIR SLOT
 *
 * removes value slot SLOT from every document of the glass database DBDIR
 * and commits; prints how many documents held it. A test tool: it writes
 * the database directly, which the project's code does only through
 * lib/xapian/.
 */
#include <xapian.h>

#include <cstdio>
#include <cstdlib>

int main(int argc, char **argv)
{
    if (argc != 3) {
        std::fprintf(stderr, "usage: civ_drop_slot DBDIR SLOT\n");
        return 2;
    }
    Xapian::valueno slot = static_cast<Xapian::valueno>(std::strtoul(argv[2], nullptr, 10));
    try {
        Xapian::WritableDatabase db(argv[1], Xapian::DB_OPEN);
        unsigned n = 0;
        for (Xapian::PostingIterator p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
            Xapian::Document doc = db.get_document(*p);
            if (doc.get_value(slot).empty())
                continue;
            doc.remove_value(slot);
            db.replace_document(*p, doc);
            n++;
        }
        db.commit();
        std::printf("%u\n", n);
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "civ_drop_slot: %s\n", e.get_description().c_str());
        return 2;
    }
    return 0;
}
