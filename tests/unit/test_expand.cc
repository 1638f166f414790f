/* Unit tests of what searches over remote shards lean on: the match key
 * (civx::match_key, value slot 30), wildcards expanded over all shards
 * (civx::expand_wildcards), and the words feedback and similar
 * documents add (civx::expand_terms, lib/xapian/feedback.cc): the same words, in the
 * same order, as Xapian's own query expansion (Enquire::get_eset with
 * exact term frequencies) over one index; and the same words over two
 * shards, one of them served by xapian-tcpsrv on loopback, as over the
 * one index holding both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
extern "C" {
#include <cmocka.h>
}

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../../lib/xapian/internal.hh"
#include "../../lib/xapian/feedback.hh"
#include "civ/doc.h"
#include "civ/writer.h"
#include "tcpsrv.h"

namespace {

char tmpdir[256];

/* A vocabulary whose words come with very different frequencies. */
const char *const WORDS[] = {
    "warrant", "drone", "camera", "protest", "court", "police", "records", "privacy", "speech", "assembly",
    "journalist", "subpoena", "retention", "footage", "license", "plate", "reader", "database", "audit",
    "agency", "council", "ordinance", "hearing", "petition", "request", "release", "redacted", "exemption",
    "appeal", "ruling", "judge", "statute", "amendment", "search", "seizure", "location", "phone", "tower",
    "geofence", "vendor", "contract", "budget", "oversight", "committee", "testimony", "witness", "data",
};
const size_t NWORDS = sizeof WORDS / sizeof WORDS[0];
const int NDOCS = 120;

unsigned next_rand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return (*s >> 16) & 0x7fff;
}

/* Document i's text: 20 to 120 words, skewed towards the first words. */
std::string text_of(int i)
{
    unsigned s = static_cast<unsigned>(i) * 7919u + 17u;
    int n = 20 + static_cast<int>(next_rand(&s) % 100);
    std::string t;
    for (int k = 0; k < n; k++) {
        unsigned r = next_rand(&s) % 1000;
        size_t w = static_cast<size_t>(r * r / 1000) * NWORDS / 1000;
        t += WORDS[w];
        t += k % 9 == 8 ? ". " : " ";
    }
    return t;
}

/* Writes documents i (first <= i < NDOCS, i % step == rest) to path. */
void build(const std::string &path, int step, int rest)
{
    civ_writer *w = nullptr;
    civ_error err = CIV_ERROR_INIT;
    if (civ_writer_open(&w, path.c_str(), nullptr, &err) != CIV_OK)
        fail_msg("open: %s", err.msg);
    for (int i = 0; i < NDOCS; i++) {
        if (i % step != rest)
            continue;
        civ_doc *d = nullptr;
        char id[64];
        snprintf(id, sizeof id, "doc-%03d.txt", i);
        std::string text = text_of(i);
        assert_int_equal(civ_doc_new(&d, nullptr), CIV_OK);
        civ_doc_add_str(d, "id", id);
        civ_doc_add_str(d, "file", id);
        civ_doc_add_str(d, "title", id);
        civ_doc_add_str(d, "lang", "en");
        civ_doc_append_text(d, text.data(), text.size());
        if (civ_writer_put(w, d, nullptr, &err) != CIV_OK)
            fail_msg("put: %s", err.msg);
        civ_doc_free(d);
    }
    if (civ_writer_flush(w, &err) != CIV_OK || civ_writer_commit(w, &err) != CIV_OK)
        fail_msg("commit: %s", err.msg);
    civ_writer_free(w);
}

civ_db *open_db(const std::vector<std::string> &specs)
{
    std::vector<const char *> p;
    for (const std::string &s : specs)
        p.push_back(s.c_str());
    civ_db *db = nullptr;
    civ_error err = CIV_ERROR_INIT;
    if (civ_db_open_many(&db, p.data(), p.size(), nullptr, &err) != CIV_OK)
        fail_msg("open %s: %s", specs[0].c_str(), err.msg);
    return db;
}

bool plain(const std::string &t)
{
    return t.size() > 2 && !(t[0] >= 'A' && t[0] <= 'Z');
}

struct Keep : Xapian::ExpandDecider {
    bool operator()(const std::string &t) const override { return plain(t); }
};

std::string joined(const std::vector<std::string> &v)
{
    std::string s;
    for (const std::string &w : v)
        s += w + " ";
    return s;
}

/* The expansion words of the documents named ids in db. */
std::vector<std::string> expand(civ_db *db, const std::vector<std::string> &ids, size_t most)
{
    std::vector<Xapian::docid> dids;
    std::vector<Xapian::termcount> lens;
    for (const std::string &id : ids) {
        Xapian::docid did = civx::find_id(db->db, id);
        assert_true(did != 0);
        dids.push_back(did);
        lens.push_back(db->db.get_doclength(did));
    }
    return civx::expand_terms(db, dids, lens, 1, plain, Xapian::Query(), most);
}

std::string id_of(int i)
{
    char id[64];
    snprintf(id, sizeof id, "doc-%03d.txt", i);
    return id;
}

int setup(void **)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/civ-unit-expand.XXXXXX");
    if (!mkdtemp(tmpdir))
        return -1;
    build(std::string(tmpdir) + "/one", 1, 0);
    build(std::string(tmpdir) + "/a", 2, 0);
    build(std::string(tmpdir) + "/b", 2, 1);
    return 0;
}

int teardown(void **)
{
    std::string cmd = std::string("rm -rf '") + tmpdir + "'";
    if (system(cmd.c_str()) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return 0;
}

/* One document's words (similar documents): Xapian's, word for word. */
void test_as_xapian(void **)
{
    civ_db *db = open_db({ std::string(tmpdir) + "/one" });
    Keep keep;
    for (int i = 0; i < NDOCS; i += 3) {
        for (size_t most : { 5u, 30u }) {
            std::vector<std::string> ours = expand(db, { id_of(i) }, most);
            Xapian::Enquire enq(db->db);
            Xapian::RSet rs;
            rs.add_document(civx::find_id(db->db, id_of(i)));
            Xapian::ESet es = enq.get_eset(static_cast<Xapian::termcount>(most), rs,
                                           Xapian::Enquire::USE_EXACT_TERMFREQ, &keep);
            std::vector<std::string> theirs(es.begin(), es.end());
            assert_false(ours.empty());
            if (ours != theirs)
                fail_msg("%s, %zu words: ours %s; Xapian's %s", id_of(i).c_str(), most, joined(ours).c_str(),
                         joined(theirs).c_str());
        }
    }
    civ_db_free(db);
}

/* Several documents' words over two shards, one remote: those of the one
 * index. */
void test_shards_as_one(void **)
{
    civ_db *one = open_db({ std::string(tmpdir) + "/one" });
    int port = 0;
    std::string b_path = std::string(tmpdir) + "/b";
    pid_t srv = serve(b_path.c_str(), &port);
    std::vector<std::string> specs = { std::string(tmpdir) + "/a",
                                       srv ? "tcp://127.0.0.1:" + std::to_string(port)
                                           : std::string(tmpdir) + "/b" };
    civ_db *two = open_db(specs);
    assert_true(two->remote == (srv != 0));
    for (int i = 0; i < NDOCS - 6; i += 7) {
        std::vector<std::string> ids;
        for (int k = 0; k < 1 + i % 6; k++)
            ids.push_back(id_of(i + k));
        std::vector<std::string> a = expand(one, ids, 10), b = expand(two, ids, 10);
        assert_false(a.empty());
        if (a != b)
            fail_msg("documents %d..: one index %s; shards %s", i, joined(a).c_str(), joined(b).c_str());
    }
    civ_db_free(two);
    civ_db_free(one);
    stop(srv);
}

/* Each document's match key (value slot 30) holds its id, its length as
 * Xapian keeps it, its cited-by value and its passage index. */
void test_match_key(void **)
{
    civ_db *db = open_db({ std::string(tmpdir) + "/one" });
    Xapian::doccount n = 0;
    for (Xapian::PostingIterator p = db->db.postlist_begin(""); p != db->db.postlist_end(""); ++p, ++n) {
        Xapian::Document xd = db->db.get_document(*p);
        civx::MatchKey k;
        assert_true(civx::match_key_parts(xd.get_value(CIV_SLOT_MATCH), k));
        assert_string_equal(k.id.c_str(), xd.get_value(CIV_SLOT_ID).c_str());
        assert_int_equal(k.length, db->db.get_doclength(*p));
        assert_true(k.passage_index == xd.get_value(CIV_SLOT_PASSAGE_INDEX));
        assert_true(k.cited_by == xd.get_value(CIV_SLOT_CITED_BY));
    }
    assert_int_equal(n, NDOCS);
    civx::MatchKey k;
    assert_false(civx::match_key_parts(std::string("id\0", 3), k));
    assert_false(civx::match_key_parts(std::string("id\0\x02\x05\x00", 6), k));
    civ_db_free(db);
}

/* The matches of q over db: ids and weights, in order. */
std::vector<std::pair<std::string, double>> matches(civ_db *db, const Xapian::Query &q)
{
    Xapian::Enquire enq(db->db);
    enq.set_query(q);
    std::vector<std::pair<std::string, double>> out;
    Xapian::MSet ms = enq.get_mset(0, NDOCS);
    for (Xapian::MSetIterator m = ms.begin(); m != ms.end(); ++m)
        out.emplace_back(m.get_document().get_value(CIV_SLOT_ID), m.get_weight());
    return out;
}

void assert_same_matches(const std::vector<std::pair<std::string, double>> &a,
                         const std::vector<std::pair<std::string, double>> &b, const char *what)
{
    if (a.size() != b.size())
        fail_msg("%s: %zu matches against %zu", what, a.size(), b.size());
    for (size_t i = 0; i < a.size(); i++)
        if (a[i].first != b[i].first || std::fabs(a[i].second - b[i].second) > 1e-9)
            fail_msg("%s: match %zu is %s (%g) against %s (%g)", what, i, a[i].first.c_str(), a[i].second,
                     b[i].first.c_str(), b[i].second);
}

/* A wildcard is expanded into its limit most frequent words over all the
 * shards (ties alphabetically): over one index, with no limit reached, it
 * matches and weighs as Xapian's own wildcard; over two shards, one
 * remote, as over the one index. */
void test_wildcards(void **)
{
    civ_db *one = open_db({ std::string(tmpdir) + "/one" });
    int port = 0;
    std::string b_path = std::string(tmpdir) + "/b";
    pid_t srv = serve(b_path.c_str(), &port);
    civ_db *two = open_db({ std::string(tmpdir) + "/a", srv ? "tcp://127.0.0.1:" + std::to_string(port) : b_path });
    for (const char *pat : { "re", "d", "p", "s", "zz" }) {
        /* The words and their frequencies, most frequent first. */
        std::vector<std::pair<Xapian::doccount, std::string>> words;
        for (Xapian::TermIterator t = one->db.allterms_begin(pat); t != one->db.allterms_end(pat); ++t)
            words.emplace_back(t.get_termfreq(), *t);
        std::stable_sort(words.begin(), words.end(), [](const auto &x, const auto &y) { return x.first > y.first; });
        for (Xapian::termcount limit : { 1u, 2u, 3u, 1000u }) {
            Xapian::Query wild(Xapian::Query::OP_WILDCARD, pat, limit, Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
            Xapian::Query q(Xapian::Query::OP_AND_NOT, wild, Xapian::Query("assembly"));
            Xapian::Query ex = civx::expand_wildcards(one, q, limit);
            std::vector<std::string> want;
            for (size_t k = 0; k < words.size() && k < limit; k++)
                want.push_back(words[k].second);
            std::sort(want.begin(), want.end());
            std::vector<std::string> got(ex.get_unique_terms_begin(), ex.get_unique_terms_end());
            want.push_back("assembly");
            std::sort(want.begin(), want.end());
            if (words.empty())
                assert_true(ex.get_description() == q.get_description());
            else if (got != want)
                fail_msg("%s* (at most %u): %s, not %s", pat, limit, joined(got).c_str(), joined(want).c_str());
            std::string what = std::string(pat) + "* at most " + std::to_string(limit);
            if (limit >= words.size())
                assert_same_matches(matches(one, q), matches(one, ex), (what + ", Xapian's wildcard").c_str());
            assert_same_matches(matches(one, ex), matches(two, civx::expand_wildcards(two, q, limit)),
                                (what + ", over two shards").c_str());
        }
    }
    civ_db_free(two);
    civ_db_free(one);
    stop(srv);
}

/* The stop lists: sorted (they are searched by halves), each word of
 * them stopped, and nothing else. */
void test_stop_lists(void **state)
{
    (void)state;
    for (const char *const *list : { civ_stopwords_english, civ_stopwords_question })
        for (const char *const *w = list; w[0] && w[1]; w++)
            assert_true(strcmp(w[0], w[1]) < 0);
    civx::ListStopper english(civ_stopwords_english);
    civx::ListStopper both(civ_stopwords_english, civ_stopwords_question);
    for (const char *const *w = civ_stopwords_english; *w; w++) {
        assert_true(english(*w));
        assert_true(both(*w));
    }
    for (const char *const *w = civ_stopwords_question; *w; w++) {
        assert_false(english(*w));
        assert_true(both(*w));
    }
    for (const char *w : { "", "aa", "abo", "warrant", "zzz", "you\xe2\x80\x99re", "yours" })
        assert_false(english(w));
    assert_true(both("yours"));
    assert_false(english(std::string("the\0x", 5)));
}

} // namespace

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_xapian),
        cmocka_unit_test(test_shards_as_one),
        cmocka_unit_test(test_match_key),
        cmocka_unit_test(test_wildcards),
        cmocka_unit_test(test_stop_lists),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
