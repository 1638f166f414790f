/* lib/xapian/search.cc — civ_search: matching and ranking, facets, and the
 * hits with their stored fields and snippets. (The feedback round of
 * natural-language queries: feedback.cc; counts and pages: count.cc.) */
#include "internal.hh"
#include "feedback.hh"
#include "results.hh"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <unordered_map>

extern "C" {
#include "civ/compress.h"
#include "civ/passage.h"
}

using namespace civx;

namespace {

/* Matches counted beyond the page's end, so that the total is exact for
 * all but large result sets (where Xapian's estimate serves). */
const Xapian::doccount EXACT_MARGIN = 1000;
/* Copies of a hit named in the results. */
const size_t COPIES_LISTED = 10;

} // namespace

namespace {

/* The facets' counts, most frequent first, at most maxvalues a field. */
void build_facets(civ_results *r, const Facets &facets, unsigned maxvalues)
{
    std::vector<std::vector<std::pair<std::string, uint64_t>>> top = facets.top(maxvalues);
    r->facet_values.resize(top.size());
    for (size_t i = 0; i < top.size(); i++) {
        for (const auto &kv : top[i]) {
            civ_facet_value v;
            v.value = r->keep(kv.first);
            v.count = kv.second;
            r->facet_values[i].push_back(v);
        }
    }
    for (size_t i = 0; i < top.size(); i++) {
        civ_facet f;
        f.field = facets.fields[i]->name;
        f.n = r->facet_values[i].size();
        f.values = r->facet_values[i].data();
        r->facets.push_back(f);
    }
}

/* Sorting by date: documents without a date come last, either way. */
class DateKey : public Xapian::KeyMaker {
    bool newest_first;

  public:
    explicit DateKey(bool desc) : newest_first(desc) {}
    std::string operator()(const Xapian::Document &doc) const override
    {
        std::string v = doc.get_value(CIV_SLOT_DATE);
        if (v.empty() && !newest_first)
            return std::string(1, '\xff');
        return v;
    }
};

/* A match on its way to the page. */
struct Cand {
    Xapian::docid did = 0;
    double w_doc = 0, w = 0;   /* Xapian's weight, and the weight it ranks by */
    int percent = 0;
    Xapian::doccount copies = 0;
    std::string collapse_key;
    Xapian::Document xd;
    bool have_doc = false;     /* xd is read */
    bool keyed = false;        /* its match key came with it (Search::keyed): */
    MatchKey key;              /* what the key holds */
    bool weighed = false;      /* its passages were weighed */
    PassageWeights pw;
    double w_pass = 0, share = 0;
    size_t best = 0;
    double prior = 0;
    unsigned cited_by = 0;
};

/* Reads the documents of cands[from..to) not read yet: all of them, or
 * only those whose match key did not come with them. Over remote shards
 * at once, the shards in parallel (for_each_doc); *count grows by the
 * number read there. */
void read_docs(const civ_db *db, std::vector<Cand> &cands, size_t from, size_t to, bool all, unsigned *count)
{
    std::vector<size_t> at;
    std::vector<Xapian::docid> dids;
    for (size_t k = from; k < to; k++)
        if (!cands[k].have_doc && (all || !cands[k].keyed)) {
            at.push_back(k);
            dids.push_back(cands[k].did);
        }
    for_each_doc(db, dids, [&](size_t j, const Xapian::Database &part, Xapian::docid did) {
        cands[at[j]].xd = part.get_document(did);
    });
    for (size_t k : at)
        cands[k].have_doc = true;
    if (db->remote)
        *count += static_cast<unsigned>(at.size());
}

/* The matches of mset after its first skip, at most most of them, as
 * candidates. Where they came sorted by weight then match key (keyed),
 * what the key holds is taken from it; the documents of the others are
 * read (read_docs). */
std::vector<Cand> candidates(const civ_db *db, const Xapian::MSet &mset, size_t most, unsigned skip, bool keyed,
                             unsigned *count)
{
    std::vector<Cand> cands;
    Xapian::MSetIterator begin = mset.begin();
    for (unsigned i = 0; i < skip && begin != mset.end(); i++)
        ++begin;
    if (begin == mset.end())
        return cands;
    Xapian::MSetIterator end = begin;
    for (size_t i = 0; i < most && end != mset.end(); i++)
        ++end;
    cands.reserve(std::min<size_t>(mset.size(), most));
    for (Xapian::MSetIterator it = begin; it != end; ++it) {
        Cand c;
        c.did = *it;
        c.w_doc = c.w = it.get_weight();
        c.percent = it.get_percent();
        c.copies = it.get_collapse_count();
        if (c.copies)
            c.collapse_key = it.get_collapse_key();
        if (keyed)
            c.keyed = match_key_parts(it.get_sort_key(), c.key);
        if (!db->remote) {
            c.xd = it.get_document();
            c.have_doc = true;
        }
        cands.push_back(std::move(c));
    }
    read_docs(db, cands, 0, cands.size(), false, count);
    return cands;
}

/* The values in slot of cands[k], k in at, in one pass (slot_values);
 * those a match key holds from it. */
std::vector<std::string> cand_values(const civ_db *db, Xapian::valueno slot, const std::vector<Cand> &cands,
                                     const std::vector<size_t> &at)
{
    std::vector<Xapian::docid> dids;
    std::vector<Xapian::Document> xds;
    for (size_t k : at) {
        dids.push_back(cands[k].did);
        xds.push_back(cands[k].xd);
    }
    std::vector<std::string> out;
    slot_values(db, slot, dids, xds, out);
    for (size_t j = 0; j < at.size(); j++) {
        const Cand &c = cands[at[j]];
        if (!c.keyed)
            continue;
        if (slot == CIV_SLOT_ID)
            out[j] = c.key.id;
        else if (slot == CIV_SLOT_CITED_BY)
            out[j] = c.key.cited_by;
        else if (slot == CIV_SLOT_PASSAGE_INDEX)
            out[j] = c.key.passage_index;
        else
            assert(!"a value the match key does not hold");
    }
    return out;
}

/* The positions from..to-1. */
std::vector<size_t> span(size_t from, size_t to)
{
    std::vector<size_t> at;
    for (size_t k = from; k < to; k++)
        at.push_back(k);
    return at;
}

/* Runs of candidates of equal weight that begin among the first most,
 * in docid order, put in the order of their ids (CIV_SLOT_ID; an index
 * without the slot keeps docid order), as a match by weight then id
 * would have them. */
void order_ties(const civ_db *db, std::vector<Cand> &cands, size_t most)
{
    /* The runs, then the ids of the first run to the end of the last in
     * one pass (ties are rare but come in long runs among short texts). */
    std::vector<std::pair<size_t, size_t>> runs;
    for (size_t i = 0, j; i < cands.size() && i < most; i = j) {
        for (j = i + 1; j < cands.size() && cands[j].w_doc == cands[i].w_doc;)
            j++;
        if (j - i > 1)
            runs.emplace_back(i, j);
    }
    if (runs.empty())
        return;
    size_t base = runs.front().first;
    std::vector<std::string> ids = cand_values(db, CIV_SLOT_ID, cands, span(base, runs.back().second));
    for (const auto &r : runs) {
        std::vector<std::pair<std::string, size_t>> keys;
        keys.reserve(r.second - r.first);
        for (size_t k = r.first; k < r.second; k++)
            keys.emplace_back(std::move(ids[k - base]), k);
        std::stable_sort(keys.begin(), keys.end(),
                         [](const auto &a, const auto &b) { return a.first < b.first; });
        std::vector<Cand> run;
        run.reserve(keys.size());
        for (auto &key : keys)
            run.push_back(std::move(cands[key.second]));
        std::move(run.begin(), run.end(), cands.begin() + static_cast<std::ptrdiff_t>(r.first));
    }
}

/* What weighing passages needs: the query's terms, and what applies. */
struct Ranking {
    RankTuning tune;
    std::vector<QueryTerm> terms;
    bool mix = false;      /* the query's weight can be told passage by passage */
    bool passages = false; /* the index has documents of several passages */
    bool typed_all = false; /* the positions of every word snippets look for are read */
    bool prior = false;    /* the index has cited_by counts */
    std::unique_ptr<PassageScorer> scorer;
    std::unique_ptr<Snippets> snip; /* the page's snippets, where made here */
};

void make_ranking(Ranking &rk, const civ_db *db, const ParsedQuery &pq, const Xapian::Query &added,
                  const Xapian::MSet &mset, size_t snippet_len)
{
    rk.passages = db->db.get_value_freq(CIV_SLOT_PASSAGE_INDEX) > 0;
    rk.prior = db->db.get_value_freq(CIV_SLOT_CITED_BY) > 0;
    if (!rk.passages)
        return;
    bool ok = query_terms(pq.text, 1.0, true, rk.terms);
    if (!added.empty())
        ok = query_terms(added, FEEDBACK_WEIGHT, false, rk.terms) && ok;
    if (!pq.like.empty())
        ok = query_terms(pq.like, 1.0, false, rk.terms) && ok;
    /* The words snippets look for that do not rank (a field's words, in
     * the text). */
    std::vector<QueryTerm> shown;
    Xapian::Query shown_words = snippet_words(db, pq);
    bool shown_ok = query_terms(shown_words, 1.0, true, shown);
    /* Whether each word snippets look for is weighed as typed (not one
     * only known from a similar document's words, nor an n-gram). */
    bool shown_typed = true;
    for (QueryTerm &t : shown) {
        bool known = false;
        NeedleKind kind = needle_kind(t.term);
        for (const QueryTerm &u : rk.terms) {
            if (u.term == t.term) {
                known = true;
                shown_typed = shown_typed && (kind == NeedleKind::none || u.typed);
            }
        }
        if (!known) {
            t.rank = false;
            rk.terms.push_back(t);
        }
        shown_typed = shown_typed && kind != NeedleKind::other;
    }
    /* Older indexes keep stems without positions. */
    bool positions = db->stem_all || db->stemmer_lang == "none";
    rk.mix = ok && rk.tune.mix > 0 && positions;
    rk.scorer.reset(new PassageScorer(db, mset, rk.terms, rk.tune));
    /* The snippets' words, made once: their phrases tell the passages
     * that hold them. */
    if (snippet_len > 0) {
        rk.snip.reset(new Snippets(db, shown_words, snippet_len));
        rk.scorer->add_phrases(rk.snip->phrases());
    }
    rk.typed_all = ok && shown_ok && shown_typed && positions && rk.scorer->all_typed();
}

/* The share of its weight a document cited by others gains (0: none). */
double prior_share(const Ranking &rk, const std::string &cited_by, unsigned *count)
{
    double n = cited_by.empty() ? 0 : Xapian::sortable_unserialise(cited_by);
    if (!rk.prior || n < 1)
        return 0;
    if (count)
        *count = n < 1e9 ? static_cast<unsigned>(n) : 1000000000u;
    return std::min(rk.tune.prior_max, rk.tune.prior * std::log1p(n));
}

/* Whether c's passages rank it (its weight mixes in its best passage's). */
bool mixed(size_t passages, const Ranking &rk)
{
    bool several = passages >= 2, long_doc = several && passages >= rk.tune.min_passages;
    return rk.mix && (long_doc || (!several && rk.tune.single > 0));
}

bool mixed(const Cand &c, const Ranking &rk)
{
    return mixed(c.pw.several ? c.pw.pi.ends.size() : 0, rk);
}

/* c's weight with its best passage weighing w_pass where it is mixed:
 * the same arithmetic as weigh(). */
double reweighed(const Cand &c, bool mix, double w_pass, const Ranking &rk, const std::string &cited_by)
{
    double w = c.w_doc;
    if (mix)
        w = (1 - rk.tune.mix) * c.w_doc + rk.tune.mix * w_pass;
    double ps = prior_share(rk, cited_by, nullptr);
    if (ps > 0)
        w += w * ps;
    return w;
}

/* The floor of the page's weights as passages are weighed: the keep-th
 * greatest of the weights of cands[at[..]] (cited: the cited-by values of
 * cands[from..]), each document's best passage weighing nothing until it
 * is settled. A document whose weight with its best passage's bound stays
 * below that floor cannot be on the page, in whatever order the others
 * come. */
class PagePruner : public PassagePruner {
  public:
    /* pis: the documents' passage indexes, as at lists them. */
    PagePruner(const std::vector<Cand> &cands, const std::vector<size_t> &at, const std::vector<PassageIndex> &pis,
               size_t from, const Ranking &rk, const std::vector<std::string> &cited, size_t keep)
        : cands_(cands), at_(at), from_(from), rk_(rk), cited_(cited), keep_(keep)
    {
        for (size_t j = 0; j < at.size(); j++) {
            mix_.push_back(mixed(pis[j].ends.size(), rk));
            now_.push_back(weight(j, 0.0));
        }
        find_floor();
    }
    double bound(size_t j, double upper) const override
    {
        return reweighed(cands_[at_[j]], true, upper, rk_, cited_[at_[j] - from_]);
    }
    double floor() const override { return floor_; }
    void settle(size_t j, double best) override
    {
        now_[j] = weight(j, best);
        if (now_[j] > floor_) /* else the keep greatest stay */
            find_floor();
    }

  private:
    double weight(size_t j, double best) const
    {
        const Cand &c = cands_[at_[j]];
        return reweighed(c, mix_[j], best, rk_, cited_[at_[j] - from_]);
    }
    void find_floor()
    {
        sel_ = now_; /* reuses sel_'s room */
        std::nth_element(sel_.begin(), sel_.begin() + static_cast<std::ptrdiff_t>(keep_ - 1), sel_.end(),
                         std::greater<double>());
        floor_ = sel_[keep_ - 1];
    }
    const std::vector<Cand> &cands_;
    const std::vector<size_t> &at_;
    size_t from_;
    const Ranking &rk_;
    const std::vector<std::string> &cited_;
    size_t keep_;
    std::vector<bool> mix_; /* weighed by its best passage too */
    std::vector<double> now_, sel_;
    double floor_ = 0;
};

/* Weighs the passages of cands[from..to) not weighed yet: of those
 * outside [all_from..all_to) (the hits that show snippets), only the
 * documents long enough to be ranked by their passages. With cited (the
 * cited-by values of cands[from..to)) and keep, only the keep best of
 * them will be shown: a document that cannot be among them is left
 * pruned (PassageWeights), its weight a bound. *lists grows by the
 * position lists read. */
void weigh_passages(const civ_db *db, std::vector<Cand> &cands, size_t from, size_t to, size_t all_from,
                    size_t all_to, const Ranking &rk, unsigned *lists, const std::vector<std::string> *cited = nullptr,
                    size_t keep = 0, unsigned *pruned = nullptr)
{
    if (!rk.scorer || rk.scorer->empty())
        return;
    std::vector<Xapian::docid> dids;
    std::vector<bool> must;
    std::vector<size_t> at;
    for (size_t i = from; i < to; i++) {
        if (cands[i].weighed)
            continue;
        dids.push_back(cands[i].did);
        must.push_back(i >= all_from && i < all_to);
        at.push_back(i);
    }
    std::vector<PassageIndex> pis(at.size());
    {
        std::vector<std::string> raw = cand_values(db, CIV_SLOT_PASSAGE_INDEX, cands, at);
        for (size_t j = 0; j < at.size(); j++)
            pis[j].decode(raw[j]); /* damaged: no passages, weighed as one */
    }
    std::vector<Xapian::termcount> lens;
    for (size_t i : at)
        lens.push_back(cands[i].keyed ? cands[i].key.length : 0);
    /* Pruning, when only the best keep of cands[from..to) matter (the
     * page) and all of them are weighed here. */
    bool prune = cited && keep > 0 && at.size() == to - from && keep < at.size() && rk.tune.prune > 0;
    std::unique_ptr<PagePruner> pruner;
    if (prune)
        pruner.reset(new PagePruner(cands, at, pis, from, rk, *cited, keep));
    std::vector<PassageWeights> out;
    std::vector<bool> weighed;
    rk.scorer->score(dids, pis, lens, must, out, weighed, pruner.get(), lists);
    for (size_t k = 0; k < at.size(); k++) {
        if (out[k].pruned && pruned)
            ++*pruned;
        cands[at[k]].pw = std::move(out[k]);
        cands[at[k]].weighed = weighed[k];
    }
}

/* Weighs a match (its passages weighed) by its best passage and the
 * prior (cited_by: its CIV_SLOT_CITED_BY value): c.w, and what made it. */
void weigh(Cand &c, const Ranking &rk, const std::string &cited_by)
{
    c.w = c.w_doc;
    const std::vector<double> &all = c.pw.all;
    if (mixed(c, rk) && c.pw.pruned) {
        /* Off the page: a bound will do. */
        c.w = reweighed(c, true, c.pw.upper, rk, cited_by);
        return;
    }
    if (mixed(c, rk) && !all.empty()) {
        c.best = static_cast<size_t>(std::max_element(all.begin(), all.end()) - all.begin());
        c.w_pass = all[c.best];
        c.share = rk.tune.mix;
        c.w = (1 - c.share) * c.w_doc + c.share * c.w_pass;
    }
    double ps = prior_share(rk, cited_by, &c.cited_by);
    if (ps > 0) {
        c.prior = c.w * ps;
        c.w += c.prior;
    }
    if (c.w_doc > 0 && c.w != c.w_doc)
        c.percent = static_cast<int>(std::min(100.0, std::max(0.0, std::round(c.percent * c.w / c.w_doc))));
}

/* A snippet of a hit, and where it is. */
struct HitSnippet {
    Snippet s;
    unsigned passage = 0; /* 1-based */
    unsigned page = 0;
};

/* The snippets of a hit into list, the best first; h gets its place. */
civ_status hit_snippets(const Snippets &snip, const civ_search_opts *o, const Ranking &rk, Cand &c,
                        civ_doc *doc, civ_inflater *zt, size_t total, std::vector<HitSnippet> &list,
                        civ_hit &h, unsigned *nread, civ_error *err)
{
    size_t np = civ_doc_npassages(doc);
    h.npassages = np ? static_cast<unsigned>(np) : 1;
    if (np) {
        std::vector<PassageSnippet> ps;
        unsigned want = o->version >= 3 ? std::min<unsigned>(o->snippets, CIV_SNIPPETS_MAX) : 1;
        bool typed_all = rk.typed_all && !c.pw.pruned;
        civ_status s = passage_snippets(snip, doc, c.xd, c.pw.typed, c.pw.phrased, typed_all, want, ps, nread, err);
        if (s != CIV_OK)
            return s;
        for (PassageSnippet &p : ps) {
            HitSnippet hs;
            size_t off = 0;
            civ_doc_passage(doc, p.passage, &off, nullptr);
            hs.page = civ_doc_npages(doc) ? civ_doc_page_at(doc, off + p.snippet.offset) : 0;
            hs.passage = static_cast<unsigned>(p.passage + 1);
            hs.s = std::move(p.snippet);
            list.push_back(std::move(hs));
        }
    } else if (zt) {
        HitSnippet hs;
        civ_buf *tb = civ_doc_text_buf(doc);
        civ_status s = snip.make(zt, total, tb, hs.s, err);
        civ_buf_free(tb);
        if (s != CIV_OK)
            return s;
        hs.passage = 1;
        hs.page = civ_doc_npages(doc) ? civ_doc_page_at(doc, hs.s.offset) : 0;
        if (!hs.s.text.empty())
            list.push_back(std::move(hs));
    }
    if (!list.empty()) {
        h.passage = list[0].passage;
        h.page = list[0].page;
    }
    return CIV_OK;
}

/* The page's hits: stored fields, and snippets from the stored text. */
civ_status fetch_hits(civ_results *r, civ_db *db, const civ_search_opts *o, const ParsedQuery &pq,
                      const Ranking &rk, std::vector<Cand>::iterator from, std::vector<Cand>::iterator to,
                      civ_error *err)
{
    std::unique_ptr<Snippets> own;
    const Snippets *snip = rk.snip.get();
    if (o->snippet_len > 0 && !snip) {
        own.reset(new Snippets(db, snippet_words(db, pq), o->snippet_len));
        snip = own.get();
    }
    /* Called again for a second list (a remote shard's undated matches):
     * the hits are appended. */
    size_t base = r->hits.size();
    size_t n = static_cast<size_t>(to - from);
    r->snippets.reserve(base + n);
    r->docs.reserve(base + n);
    std::vector<std::vector<HitSnippet>> lists(n);
    for (auto it = from; it != to; ++it) {
        Cand &c = *it;
        double tf = civ_monotonic();
        civ_doc *doc = nullptr;
        civ_error derr = CIV_ERROR_INIT;
        std::string data = c.xd.get_data();
        civ_inflater *zt = nullptr;
        size_t total = 0;
        civ_status ds = snip ? civ_doc_decode_stream(&doc, &zt, &total, data.data(), data.size(), &derr)
                             : civ_doc_decode(&doc, data.data(), data.size(), 0, &derr);
        std::unique_ptr<civ_inflater, void (*)(civ_inflater *)> zt_owner(zt, civ_inflater_free);
        if (ds != CIV_OK) /* a damaged record is a damaged index: never a hit without an id */
            return damaged_record(err, c.did, derr);
        r->docs.push_back(doc);
        double ts = civ_monotonic();
        r->times.fetch += ts - tf;
        civ_hit h = {};
        if (snip) {
            civ_status s = hit_snippets(*snip, o, rk, c, doc, zt, total, lists[r->hits.size() - base], h,
                                        &r->times.passages_read, err);
            if (s != CIV_OK)
                return s;
        } else {
            size_t np = civ_doc_npassages(doc);
            h.npassages = np ? static_cast<unsigned>(np) : 1;
        }
        r->times.snippet += civ_monotonic() - ts;
        h.rank = o->offset + static_cast<unsigned>(r->hits.size()) + 1;
        h.score = c.w;
        h.percent = c.percent;
        h.docid = c.did;
        h.doc = doc;
        h.copies = o->no_collapse ? 0 : c.copies;
        h.text_score = c.w_doc;
        h.passage_score = c.w_pass;
        h.best_passage = c.share > 0 ? static_cast<unsigned>(c.best + 1) : 0;
        h.passage_share = c.share;
        h.prior = c.prior;
        h.cited_by = c.cited_by;
        r->copies.emplace_back();
        if (h.copies)
            r->copies.back() = copies_of(db, c.did, c.collapse_key, COPIES_LISTED);
        r->hits.push_back(h);
    }
    /* Pointers last, when nothing moves any more. */
    r->copy_ptrs.resize(r->hits.size());
    r->snippets.resize(r->hits.size());
    r->shown.resize(r->hits.size());
    for (size_t i = 0; i < r->hits.size(); i++) {
        if (i >= base) {
            for (HitSnippet &hs : lists[i - base])
                r->snippets[i].push_back(std::move(hs.s));
            for (size_t k = 0; k < lists[i - base].size(); k++) {
                const Snippet &sn = r->snippets[i][k];
                civ_snippet cs = { sn.text.c_str(), sn.spans.data(), sn.spans.size(),
                                   lists[i - base][k].page, lists[i - base][k].passage };
                r->shown[i].push_back(cs);
            }
            std::stable_sort(r->shown[i].begin(), r->shown[i].end(),
                             [](const civ_snippet &a, const civ_snippet &b) { return a.passage < b.passage; });
        }
        civ_hit &h = r->hits[i];
        h.snippet = r->snippets[i].empty() ? "" : r->snippets[i][0].text.c_str();
        h.spans = r->snippets[i].empty() ? nullptr : r->snippets[i][0].spans.data();
        h.nspans = r->snippets[i].empty() ? 0 : r->snippets[i][0].spans.size();
        h.snippets = r->shown[i].data();
        h.nsnippets = r->shown[i].size();
        r->copy_ptrs[i].clear();
        for (const std::string &cp : r->copies[i])
            r->copy_ptrs[i].push_back(cp.c_str());
        h.copy_ids = r->copy_ptrs[i].data();
        h.ncopy_ids = r->copy_ptrs[i].size();
    }
    return CIV_OK;
}

/* Whole documents are weighed by BM25, with the options' k1 and b, else
 * the tuned ones. */
void use_bm25(Xapian::Enquire &enq, const civ_search_opts *o, const RankTuning &tune)
{
    double k1 = o->bm25_k1 > 0 ? o->bm25_k1 : BM25_K1;
    double b_ = o->bm25_b > 0 ? o->bm25_b : BM25_B;
    if (o->bm25_b <= 0)
        b_ = tune.doc_b;
    const double minnorm = tune.doc_minnorm;
    enq.set_weighting_scheme(Xapian::BM25Weight(k1, BM25_K2, BM25_K3, b_, minnorm));
}

/* Folding copies and the time limit, as the options ask. */
void use_limits(Xapian::Enquire &enq, const civ_search_opts *o)
{
    if (!o->no_collapse)
        enq.set_collapse_key(CIV_SLOT_DIGEST);
    if (o->time_limit_ms)
        enq.set_time_limit(o->time_limit_ms / 1000.0);
}

/* A search between its phases: parsing, matching, weighing again and
 * fetching the hits. */
struct Search {
    ParsedQuery pq;
    Xapian::Query text;      /* pq.text as matched: wildcards expanded over all shards */
    Xapian::Query q;         /* the whole query, the feedback round's terms included */
    Xapian::Query added;     /* the feedback round's terms, or empty */
    Ranking rk;
    Facets facets;
    bool rerank = false;     /* the best matches are weighed again */
    unsigned first = 0;      /* the first match taken */
    unsigned want = 0;       /* how many are taken */
    bool keyed = false;      /* matched by weight then match key (civ_db::keyed) */
    /* first_match's set, while the query is what it was made for */
    std::unique_ptr<Xapian::MSet> made;
};

/* What matching found. Made only once the search is set up: an MSet
 * allocates as it is made, and the allocations keep their order (the
 * out-of-memory sweep of tests/e2e/oom.sh fails each in turn). */
struct Matched {
    Xapian::MSet mset;       /* the matches taken */
    Xapian::MSet undated;    /* a remote shard's undated matches, after mset */
    Xapian::MSet best;       /* with undated: the best match of the whole query */
    bool order_ties = false; /* mset's ties are in docid order (MatchCounts) */
    unsigned skip = 0;       /* matches of mset before the page (MatchCounts) */
};

/* Sets enq up for the search: weighting, order, folding copies, the
 * feedback round and the facets' match spies; and which matches are
 * taken. Returns how many matches Xapian checks at least. */
Xapian::doccount prepare(Search &sr, Xapian::Enquire &enq, civ_results *r, civ_db *db,
                         const civ_search_opts *o, DateKey *date_key)
{
    enq.set_query(sr.q);
    use_bm25(enq, o, sr.rk.tune);
    /* Counts (sortable_serialise), greatest first; documents cited by
     * none, or without markers, have no value: last. */
    if (o->sort == CIV_SORT_CITED)
        enq.set_sort_by_value_then_relevance(CIV_SLOT_CITED_BY, true);
    else if (o->sort == CIV_SORT_REDACTIONS)
        enq.set_sort_by_value_then_relevance(CIV_SLOT_REDACTIONS, true);
    else if (o->sort != CIV_SORT_RELEVANCE && !db->remote)
        enq.set_sort_by_key_then_relevance(date_key, o->sort == CIV_SORT_DATE_DESC);
    else if (o->sort != CIV_SORT_RELEVANCE) /* no KeyMaker over the remote protocol */
        enq.set_sort_by_value_then_relevance(CIV_SLOT_DATE, o->sort == CIV_SORT_DATE_DESC);
    else if (db->keyed) /* ties in the order of ids, as match_page would put them */
        enq.set_sort_by_relevance_then_value(CIV_SLOT_MATCH, false);
    sr.keyed = o->sort == CIV_SORT_RELEVANCE && db->keyed;
    use_limits(enq, o);
    /* The best matches are weighed again (passages, the prior): a page
     * within them is taken from them all. */
    unsigned depth = sr.rk.tune.depth;
    sr.rerank = o->sort == CIV_SORT_RELEVANCE && o->limit > 0 && o->offset < depth;
    sr.first = sr.rerank ? 0 : o->offset;
    sr.want = sr.rerank ? std::max<unsigned>(o->offset + o->limit, depth) : o->limit;
    /* Facets count every match; a count alone (limit 0) is asked for to
     * be exact. */
    Xapian::doccount check = o->facet_values || o->limit == 0 ? db->db.get_doccount()
                                                              : o->offset + o->limit + EXACT_MARGIN;
    Xapian::Query expanded;
    if (sr.pq.natural && !o->like && o->sort == CIV_SORT_RELEVANCE) {
        /* The feedback round looks at the first of the matches the page
         * is taken from, where they are the same: when it adds no word
         * (no short document among the best), they are taken as they are. */
        if (sr.first == 0)
            sr.made = first_match(db, enq, sr.q, o, sr.want, check, PRF_LOOK);
        WordCounting how;
        how.table = sr.rk.tune.counts != 0;
        bool grew = feedback(db, enq, sr.text, &expanded, &sr.added, sr.made.get(), &how);
        r->times.feedback_tabled = how.tabled;
        r->times.feedback_listed = how.listed;
        if (grew) {
            sr.q = assemble(sr.pq, expanded, o);
            enq.set_query(sr.q);
            sr.made.reset();
        }
    }
    r->description = sr.q.get_description();
    if (o->facet_values)
        sr.facets.add(enq, db, o);
    return check;
}

/* Matches by date, oldest first, over a remote shard. It sorts by the
 * date value itself, which puts the undated documents (no value) first:
 * the dated ones are matched first, then the undated ones by relevance,
 * as DateKey orders. */
void match_dated_first(Matched &m, const Search &sr, civ_results *r, civ_db *db, Xapian::Enquire &enq,
                       const civ_search_opts *o, Xapian::doccount check)
{
    Xapian::Query has_date(Xapian::Query::OP_VALUE_GE, CIV_SLOT_DATE, std::string("0"));
    Xapian::Query qa(Xapian::Query::OP_AND_NOT, sr.q,
                     Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll, has_date));
    Xapian::Query qb(Xapian::Query::OP_AND_NOT, sr.q, has_date);
    enq.set_query(qa);
    MatchCounts a, b;
    m.mset = match_page(a, db, enq, qa, o, o->offset, o->limit, check);
    Xapian::Enquire enq2(db->db);
    use_bm25(enq2, o, sr.rk.tune);
    use_limits(enq2, o);
    sr.facets.add_to(enq2);
    enq2.set_query(qb);
    unsigned got = m.mset.size();
    unsigned off2 = o->offset > a.total ? static_cast<unsigned>(o->offset - a.total) : 0;
    m.undated = match_page(b, db, enq2, qb, o, off2, o->limit - got, check);
    r->total = a.total + b.total;
    r->exact = a.exact && b.exact;
    r->folded = a.folded + b.folded;
    /* Percentages are scaled by the best match of the whole query. */
    Xapian::Enquire top(db->db);
    use_bm25(top, o, sr.rk.tune);
    top.set_query(sr.q);
    m.best = top.get_mset(0, 1);
}

/* Matches the matches taken into m, and sets r's counts. */
void match(Matched &m, const Search &sr, civ_results *r, civ_db *db, Xapian::Enquire &enq, const civ_search_opts *o,
           Xapian::doccount check)
{
    if (db->remote && o->sort == CIV_SORT_DATE_ASC) {
        match_dated_first(m, sr, r, db, enq, o, check);
        return;
    }
    MatchCounts counts;
    m.mset = match_page(counts, db, enq, sr.q, o, sr.first, sr.want, check, sr.made.get());
    m.order_ties = counts.order_ties;
    m.skip = counts.skip;
    r->total = counts.total;
    r->exact = counts.exact;
    r->folded = counts.folded;
    r->times.feedback_kept = counts.made;
}

/* Weighs the best matches again (passages, the prior) where that
 * applies, and the passages of the page's hits for their snippets; the
 * page is cands[*lo..*hi). */
void rerank(size_t *lo, size_t *hi, std::vector<Cand> &cands, Search &sr, const Matched &m,
            const civ_db *db, const civ_search_opts *o, civ_results *r)
{
    Ranking &rk = sr.rk;
    if (o->limit > 0 && !cands.empty())
        make_ranking(rk, db, sr.pq, sr.added, m.mset, o->snippet_len);
    if (sr.rerank && ((rk.passages && rk.mix) || rk.prior)) {
        size_t n = std::min<size_t>(cands.size(), rk.tune.depth);
        /* The page as the whole texts rank it: its hits show snippets,
         * weighed in the same pass (a short document that reranking
         * brings onto the page is weighed below). */
        size_t page = o->snippet_len > 0 ? std::min<size_t>(n, o->offset + o->limit) : 0;
        std::vector<std::string> cited = rk.prior ? cand_values(db, CIV_SLOT_CITED_BY, cands, span(0, n))
                                                  : std::vector<std::string>(n);
        if (rk.mix)
            weigh_passages(db, cands, 0, n, std::min<size_t>(page, o->offset), page, rk, &r->times.position_lists,
                           &cited, o->offset + o->limit, &r->times.pruned);
        for (size_t i = 0; i < n; i++)
            weigh(cands[i], rk, cited[i]);
        std::stable_sort(cands.begin(), cands.begin() + static_cast<std::ptrdiff_t>(n),
                         [](const Cand &x, const Cand &y) { return x.w > y.w; });
    }
    *lo = std::min<size_t>(cands.size(), o->offset - sr.first);
    *hi = std::min<size_t>(cands.size(), *lo + o->limit);
    /* The page's hits: where the typed words are, for their snippets. */
    if (o->snippet_len > 0)
        weigh_passages(db, cands, *lo, *hi, *lo, *hi, rk, &r->times.position_lists);
}

/* The page's hits (cands[lo..hi), then a remote shard's undated
 * matches), their percentages, and the document a similar-documents
 * search started from. */
civ_status fetch_page(civ_results *r, civ_db *db, const civ_search_opts *o, const Search &sr,
                      const Matched &m, std::vector<Cand> &cands, size_t lo, size_t hi,
                      civ_error *err)
{
    double t = civ_monotonic();
    read_docs(db, cands, lo, hi, true, &r->times.remote_docs);
    r->times.fetch += civ_monotonic() - t;
    civ_status s = fetch_hits(r, db, o, sr.pq, sr.rk, cands.begin() + static_cast<std::ptrdiff_t>(lo),
                              cands.begin() + static_cast<std::ptrdiff_t>(hi), err);
    if (s == CIV_OK && !m.undated.empty()) {
        std::vector<Cand> more = candidates(db, m.undated, o->limit, 0, false, &r->times.remote_docs);
        if (o->snippet_len > 0)
            weigh_passages(db, more, 0, more.size(), 0, more.size(), sr.rk, &r->times.position_lists);
        s = fetch_hits(r, db, o, sr.pq, sr.rk, more.begin(), more.end(), err);
    }
    if (s != CIV_OK)
        return s;
    if (!m.best.empty())
        for (civ_hit &h : r->hits)
            h.percent = m.best.convert_to_percent(h.score);
    if (sr.pq.self) {
        /* The page names the document it started from. */
        civ_error lerr = CIV_ERROR_INIT;
        std::string data = db->db.get_document(sr.pq.self).get_data();
        if (civ_doc_decode(&r->like, data.data(), data.size(), 0, &lerr) != CIV_OK &&
            lerr.code == CIV_ENOMEM)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    return CIV_OK;
}

/* A search in its phases: parse, match, weigh again, fetch. */
civ_status run_search(civ_results *r, civ_db *db, const civ_search_opts *o, civ_error *err)
{
    double t0 = civ_monotonic();
    Search sr;
    civ_status s = parse_search(sr.pq, db, o, err);
    if (s != CIV_OK)
        return s;
    r->suggestion = sr.pq.suggestion;
    sr.text = expand_wildcards(db, sr.pq.text, wildcard_limit(o));
    sr.q = assemble(sr.pq, sr.text, o);
    double t1 = civ_monotonic();
    r->times.parse = t1 - t0;

    Xapian::Enquire enq(db->db);
    sr.rk.tune = rank_tuning();
    if (o->version >= 3 && o->tuning && !sr.rk.tune.parse(o->tuning))
        return civ_error_set(err, CIV_EINVAL, "unknown ranking setting in \"%s\"", o->tuning);
    DateKey date_key(o->sort == CIV_SORT_DATE_DESC);
    Xapian::doccount check = prepare(sr, enq, r, db, o, &date_key);
    Matched m;
    match(m, sr, r, db, enq, o, check);
    if (o->facet_values)
        build_facets(r, sr.facets, o->facet_values);
    double t2 = civ_monotonic();
    r->times.match = t2 - t1;

    /* Ties across the page's end are ordered before the page is taken. */
    std::vector<Cand> cands = candidates(db, m.mset, m.order_ties ? m.mset.size() : sr.want, m.skip, sr.keyed,
                                         &r->times.remote_docs);
    if (m.order_ties) {
        order_ties(db, cands, sr.want);
        if (cands.size() > sr.want)
            cands.resize(sr.want);
    }
    size_t lo, hi;
    rerank(&lo, &hi, cands, sr, m, db, o, r);
    r->times.rank = civ_monotonic() - t2;
    return fetch_page(r, db, o, sr, m, cands, lo, hi, err);
}

} // namespace

extern "C" civ_status civ_search(civ_results **out, civ_db *db, const civ_search_opts *opts,
                                 civ_error *err)
{
    if (!out || !db || !opts)
        return civ_error_set(err, CIV_EINVAL, "civ_search: NULL argument");
    if (opts->version != CIV_SEARCH_OPTS_VERSION && opts->version != 2)
        return civ_error_set(err, CIV_EINVAL, "civ_search: unknown options version %u",
                             opts->version);
    *out = nullptr;
    CIV_TRY
    return with_retry(db, [&]() -> civ_status {
        std::unique_ptr<civ_results> r(new civ_results);
        civ_status s = run_search(r.get(), db, opts, err);
        if (s == CIV_OK)
            *out = r.release();
        return s;
    });
    CIV_CATCH(err, "index")
}
