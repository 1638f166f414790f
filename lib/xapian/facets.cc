/* lib/xapian/facets.cc — facet counts: the values a document keeps for
 * its facet fields, packed into one slot at index time, and counted over
 * every match at search time.
 *
 * Counting reads a value of each match. Xapian reads each slot's value
 * with a B-tree lookup of its own, so a document's ~17 facet slots cost
 * ~17 lookups; the pack (CIV_SLOT_FACETS) costs one. Both are counted by
 * Xapian's own ValueCountMatchSpy, which xapian-tcpsrv knows (a spy of
 * our own would not run on a remote shard). Indexes written before the
 * pack, or shards of which some lack it, are counted slot by slot. */
#include "internal.hh"

#include <algorithm>
#include <unordered_map>

using namespace civx;

namespace {

/* Adds f to out unless its slot is there (author and from share one). */
void add_facet(std::vector<const civ_field_def *> &out, const civ_field_def *f)
{
    if (!f || !(f->flags & CIV_FIELD_FACET) || f->slot < 0)
        return;
    for (const civ_field_def *g : out)
        if (g->slot == f->slot)
            return;
    out.push_back(f);
}

/* The facet fields o asks for, in the order asked; all (o NULL or asking
 * for none by name) in schema order. A slot comes once. */
std::vector<const civ_field_def *> facet_fields(const civ_search_opts *o)
{
    std::vector<const civ_field_def *> out;
    if (o && o->nfacet_fields) {
        for (size_t i = 0; i < o->nfacet_fields; i++)
            if (o->facet_fields[i])
                add_facet(out, civ_schema_field(o->facet_fields[i]));
        return out;
    }
    size_t n;
    const civ_field_def *fs = civ_schema_fields(&n);
    for (size_t i = 0; i < n; i++)
        add_facet(out, &fs[i]);
    return out;
}

/* Adds count to each value of v (several joined by CIV_FACET_SEP). */
void count_values(std::unordered_map<std::string, uint64_t> &counts, const char *v, size_t len,
                  uint64_t count)
{
    const char *end = v + len;
    while (v <= end) {
        const char *sep = static_cast<const char *>(memchr(v, CIV_FACET_SEP, end - v));
        if (!sep)
            sep = end;
        if (sep > v)
            counts[std::string(v, sep - v)] += count;
        v = sep + 1;
    }
}

} // namespace

std::string civx::facet_pack(const Xapian::Document &xd)
{
    std::string pack(1, FACET_PACK_VERSION);
    for (const civ_field_def *f : facet_fields(nullptr)) {
        std::string v = xd.get_value(static_cast<Xapian::valueno>(f->slot));
        if (v.empty())
            continue;
        pack += static_cast<char>(f->slot);
        put_varint(pack, v.size());
        pack += v;
    }
    return pack;
}

std::string civx::match_key(const Xapian::Document &xd)
{
    std::string key = xd.get_value(CIV_SLOT_ID);
    key += '\0';
    key += MATCH_KEY_VERSION;
    /* The document's length: the sum of its terms' wdf, as Xapian keeps it. */
    uint64_t len = 0;
    for (Xapian::TermIterator t = xd.termlist_begin(); t != xd.termlist_end(); ++t)
        len += t.get_wdf();
    put_varint(key, len);
    std::string cited = xd.get_value(CIV_SLOT_CITED_BY);
    put_varint(key, cited.size());
    key += cited;
    key += xd.get_value(CIV_SLOT_PASSAGE_INDEX);
    return key;
}

bool civx::match_key_parts(const std::string &key, MatchKey &out)
{
    size_t zero = key.find('\0');
    if (zero == std::string::npos || zero + 1 >= key.size() || key[zero + 1] != MATCH_KEY_VERSION)
        return false;
    const char *p = key.data() + zero + 2, *end = key.data() + key.size();
    uint64_t len, n;
    if (!get_varint(p, end, len) || len > UINT32_MAX || !get_varint(p, end, n) ||
        n > static_cast<uint64_t>(end - p))
        return false;
    out.id.assign(key.data(), zero);
    out.length = static_cast<Xapian::termcount>(len);
    out.cited_by.assign(p, static_cast<size_t>(n));
    out.passage_index.assign(p + n, end);
    return true;
}

void civx::derived_values(Xapian::Document &xd)
{
    xd.add_value(CIV_SLOT_FACETS, facet_pack(xd));
    xd.add_value(CIV_SLOT_MATCH, match_key(xd));
}

void civx::Facets::add(Xapian::Enquire &enq, const civ_db *db, const civ_search_opts *o)
{
    fields = facet_fields(o);
    if (fields.empty())
        return;
    /* Packed when every document holds a pack (each has one, at least of
     * its version byte); a mix of old and new shards is counted slot by
     * slot. */
    Xapian::doccount docs = db->db.get_doccount();
    packed = docs > 0 && db->db.get_value_freq(CIV_SLOT_FACETS) == docs;
    if (packed) {
        spies.emplace_back(new Xapian::ValueCountMatchSpy(CIV_SLOT_FACETS));
    } else {
        for (const civ_field_def *f : fields)
            spies.emplace_back(new Xapian::ValueCountMatchSpy(f->slot));
    }
    add_to(enq);
}

void civx::Facets::add_to(Xapian::Enquire &enq) const
{
    for (auto &spy : spies)
        enq.add_matchspy(spy.get());
}

std::vector<std::unordered_map<std::string, uint64_t>> civx::Facets::counts() const
{
    std::vector<std::unordered_map<std::string, uint64_t>> counts(fields.size());
    if (!packed) {
        for (size_t i = 0; i < spies.size(); i++)
            for (Xapian::TermIterator t = spies[i]->values_begin(); t != spies[i]->values_end(); ++t) {
                const std::string v = *t;
                count_values(counts[i], v.data(), v.size(), t.get_termfreq());
            }
        return counts;
    }
    /* Which of fields counts each slot (-1: not asked for). */
    int of_slot[256];
    std::fill(of_slot, of_slot + 256, -1);
    for (size_t i = 0; i < fields.size(); i++)
        of_slot[fields[i]->slot & 0xff] = static_cast<int>(i);
    for (Xapian::TermIterator t = spies[0]->values_begin(); t != spies[0]->values_end(); ++t) {
        const std::string pack = *t;
        if (pack.empty() || pack[0] != FACET_PACK_VERSION)
            continue; /* a later version's pack: not ours to read */
        uint64_t n = t.get_termfreq();
        const char *p = pack.data() + 1, *end = pack.data() + pack.size();
        while (p < end) {
            int slot = static_cast<unsigned char>(*p++);
            uint64_t len;
            if (!get_varint(p, end, len) || len > static_cast<uint64_t>(end - p))
                break; /* damaged: what was read before stays counted */
            if (of_slot[slot] >= 0)
                count_values(counts[of_slot[slot]], p, len, n);
            p += len;
        }
    }
    return counts;
}

std::vector<std::vector<std::pair<std::string, uint64_t>>> civx::Facets::top(unsigned maxvalues) const
{
    std::vector<std::unordered_map<std::string, uint64_t>> all = counts();
    std::vector<std::vector<std::pair<std::string, uint64_t>>> out(all.size());
    auto order = [](const std::pair<std::string, uint64_t> &a, const std::pair<std::string, uint64_t> &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    };
    for (size_t i = 0; i < all.size(); i++) {
        std::vector<std::pair<std::string, uint64_t>> v(all[i].begin(), all[i].end());
        size_t keep = std::min<size_t>(maxvalues, v.size());
        /* keep <= v.size(): 0 when v is empty. */
        // cppcheck-suppress containerOutOfBounds
        std::partial_sort(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(keep), v.end(), order);
        v.resize(keep);
        out[i] = std::move(v);
    }
    return out;
}
