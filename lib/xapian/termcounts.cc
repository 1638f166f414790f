/* lib/xapian/termcounts.cc — the table of word counts the feedback round
 * reads: for each word it may add, the number of documents holding it,
 * kept in a few metadata values instead of read from each word's posting
 * list (one B-tree lookup, often one block read, a word).
 *
 * The table is metadata of the database it counts: META_COUNTS holds its
 * directory (what it was made for, the rule of the words it holds, the
 * first word of each part), META_COUNTS + ":NNNNNN" its parts, each
 * about COUNTS_PART bytes of (length, word, count) in byte order. It is
 * valid only while the database is at the revision of the commit that
 * wrote it, with the same number of documents and words (or is a
 * compacted copy of it): any later commit (an incremental run, a link of
 * citations, a merge) leaves it unused, and the counts come from the
 * posting lists as before, until civindex writes it again at the end of
 * its run. The counts are the
 * posting lists' own, so a search reads the same words either way. */
#include "internal.hh"
#include "feedback.hh"
#include "writer.hh"

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

using namespace civx;

namespace {

const char *const META_COUNTS = "civ:counts";
constexpr size_t COUNTS_PART = 2048;
/* The directory's first line: format, revision, documents, total length,
 * words held ("all": every feedback word of an index of stems; "z": the
 * "Z" stems), number of parts. */
const char *const COUNTS_FORMAT = "counts1";

std::string part_key(size_t i)
{
    char b[40];
    snprintf(b, sizeof b, "%s:%06zu", META_COUNTS, i);
    return b;
}

/* A word as (length byte, bytes); false at the end or on damage. */
bool get_word(const std::string &s, size_t &p, size_t &at, size_t &len)
{
    if (p >= s.size())
        return false;
    len = static_cast<unsigned char>(s[p]);
    at = p + 1;
    if (len == 0 || at + len > s.size())
        return false;
    p = at + len;
    return true;
}

struct Directory {
    bool all = false;               /* the words held: feedback_term(t, all) */
    std::vector<std::string> firsts; /* of each part */
};

/* A whole number in decimal, nothing else. */
bool number(const std::string &s, uint64_t &out)
{
    if (s.empty() || s.size() > 19)
        return false;
    out = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        out = out * 10 + static_cast<uint64_t>(c - '0');
    }
    return true;
}

/* d's table's directory, when there is one made for d as it is now. */
bool read_directory(const Xapian::Database &d, Directory &dir)
{
    std::string v = d.get_metadata(META_COUNTS);
    if (v.empty())
        return false;
    size_t nl = v.find('\n');
    if (nl == std::string::npos)
        return false;
    /* format revision documents total-length rule parts */
    std::vector<std::string> f;
    for (size_t a = 0; a < nl && f.size() < 7;) {
        size_t b = v.find(' ', a);
        b = b == std::string::npos || b > nl ? nl : b;
        f.emplace_back(v, a, b - a);
        a = b + 1;
    }
    uint64_t n[4];
    if (f.size() != 6 || f[0] != COUNTS_FORMAT || !number(f[1], n[0]) || !number(f[2], n[1]) ||
        !number(f[3], n[2]) || !number(f[5], n[3]))
        return false;
    uint64_t rev = n[0], docs = n[1], total = n[2], parts = n[3];
    /* Xapian's compactor copies the metadata of its first source into a
     * database at revision 1: the table counts that copy's words where its
     * documents and words are the source's (the shards merged with it, if
     * any, held none). */
    Xapian::rev now = d.get_revision();
    if ((rev != now && now != 1) || docs != d.get_doccount() || total != d.get_total_length())
        return false;
    dir.all = f[4] == "all";
    size_t p = nl + 1, at, len;
    while (get_word(v, p, at, len))
        dir.firsts.emplace_back(v, at, len);
    return p == v.size() && dir.firsts.size() == parts;
}

} // namespace

bool civx::table_termfreqs(const Xapian::Database &part, const std::vector<std::string> &terms,
                           std::vector<Xapian::doccount> &tf)
{
    Directory dir;
    if (!read_directory(part, dir))
        return false;
    std::vector<Xapian::doccount> found(terms.size(), 0);
    std::vector<bool> held(terms.size(), false);
    size_t loaded = SIZE_MAX, p = 0;
    std::string chunk;
    const std::string *prev = nullptr;
    for (size_t i = 0; i < terms.size(); i++) {
        const std::string &t = terms[i];
        if (!feedback_term(t, dir.all))
            continue;
        held[i] = true;
        if (prev && t < *prev)
            return false; /* not in byte order: the caller counts them */
        prev = &t;
        auto up = std::upper_bound(dir.firsts.begin(), dir.firsts.end(), t);
        if (up == dir.firsts.begin())
            continue; /* before the first word held: in no document */
        size_t c = static_cast<size_t>(up - dir.firsts.begin()) - 1;
        if (c != loaded) {
            chunk = part.get_metadata(part_key(c));
            if (chunk.empty())
                return false; /* a part lost: the caller counts them */
            loaded = c;
            p = 0;
        }
        size_t at, len;
        uint64_t n;
        for (;;) {
            size_t q = p;
            if (!get_word(chunk, q, at, len))
                break; /* past its part's last word: in no document */
            int cmp = chunk.compare(at, len, t);
            if (cmp > 0)
                break;
            const char *at_count = chunk.data() + q, *end = chunk.data() + chunk.size();
            if (!get_varint(at_count, end, n))
                return false;
            p = static_cast<size_t>(at_count - chunk.data());
            if (cmp == 0) {
                found[i] = static_cast<Xapian::doccount>(n);
                break;
            }
        }
    }
    for (size_t i = 0; i < terms.size(); i++)
        tf[i] += held[i] ? found[i] : part.get_termfreq(terms[i]);
    return true;
}

extern "C" civ_status civ_writer_note_counts(civ_writer *w, civ_error *err)
{
    if (!w)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_note_counts: NULL argument");
    civ_status s = civ_writer_commit(w, err);
    if (s != CIV_OK)
        return s;
    CIV_TRY
    Xapian::WritableDatabase &db = w->db;
    std::vector<std::string> parts(1), firsts;
    /* An index of "Z" stems holds them under their prefix; one of stems
     * only, everywhere. */
    const std::string from = w->stem_all ? "" : "Z";
    for (Xapian::TermIterator t = db.allterms_begin(from); t != db.allterms_end(from); ++t) {
        const std::string &term = *t;
        if (!feedback_term(term, w->stem_all))
            continue;
        if (parts.back().size() >= COUNTS_PART)
            parts.emplace_back();
        if (parts.back().empty())
            firsts.push_back(term);
        parts.back() += static_cast<char>(term.size());
        parts.back() += term;
        put_varint(parts.back(), t.get_termfreq());
    }
    if (parts.back().empty())
        parts.pop_back();
    std::vector<std::string> old;
    const std::string prefix = std::string(META_COUNTS) + ":";
    for (Xapian::TermIterator k = db.metadata_keys_begin(prefix); k != db.metadata_keys_end(prefix); ++k)
        old.push_back(*k);
    for (const std::string &k : old)
        db.set_metadata(k, "");
    for (size_t i = 0; i < parts.size(); i++)
        db.set_metadata(part_key(i), parts[i]);
    char head[160];
    Xapian::rev next = db.get_revision() + 1;
    snprintf(head, sizeof head, "%s %llu %llu %llu %s %zu\n", COUNTS_FORMAT,
             static_cast<unsigned long long>(next), static_cast<unsigned long long>(db.get_doccount()),
             static_cast<unsigned long long>(db.get_total_length()), w->stem_all ? "all" : "z",
             parts.size());
    std::string dir = head;
    for (const std::string &f : firsts) {
        dir += static_cast<char>(f.size());
        dir += f;
    }
    db.set_metadata(META_COUNTS, dir);
    s = civ_writer_commit(w, err);
    if (s == CIV_OK && db.get_revision() != next) {
        /* Not the revision it names: left unused rather than trusted. */
        db.set_metadata(META_COUNTS, "");
        s = civ_writer_commit(w, err);
    }
    return s;
    CIV_CATCH(err, w->path.c_str())
}
