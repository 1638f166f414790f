/* lib/xapian/passage.cc — passages stored apart: where their words are
 * (the position index) and their text. */
#include "internal.hh"

#include <algorithm>
#include <cmath>

extern "C" {
#include "civ/compress.h"
#include "civ/passage.h"
}

using namespace civx;

std::string civx::PassageIndex::encode() const
{
    std::string v;
    put_varint(v, body_start);
    put_varint(v, ends.size());
    Xapian::termpos prev = body_start;
    for (Xapian::termpos e : ends) {
        put_varint(v, e - prev);
        prev = e;
    }
    return v;
}

bool civx::PassageIndex::decode(const std::string &v)
{
    const char *p = v.data(), *end = p + v.size();
    uint64_t start, n, d;
    ends.clear();
    if (!get_varint(p, end, start) || !get_varint(p, end, n) || n > v.size() ||
        start > UINT32_MAX)
        return false;
    body_start = static_cast<Xapian::termpos>(start);
    uint64_t at = start;
    ends.reserve(n);
    for (uint64_t i = 0; i < n; i++) {
        if (!get_varint(p, end, d) || (at += d) > UINT32_MAX) {
            ends.clear();
            return false;
        }
        ends.push_back(static_cast<Xapian::termpos>(at));
    }
    return true;
}

Xapian::termcount civx::PassageIndex::words(size_t i) const
{
    if (i >= ends.size())
        return 0;
    return ends[i] - (i ? ends[i - 1] : body_start);
}

Xapian::termcount civx::PassageIndex::shortest() const
{
    Xapian::termcount least = text();
    for (size_t i = 0; i < ends.size(); i++)
        least = std::min(least, words(i));
    return least;
}

civ_status civx::load_passages(civ_doc *doc, const Xapian::Document &xd, civ_error *err)
{
    size_t n = civ_doc_npassages(doc);
    for (size_t i = 0; i < n; i++) {
        std::string z = xd.get_value(static_cast<Xapian::valueno>(CIV_SLOT_PASSAGE_TEXT + i));
        if (z.empty())
            return civ_error_set(err, CIV_ECORRUPT, "passage %zu of the stored text is missing", i + 1);
        civ_status s = civ_doc_append_passage(doc, i, z.data(), z.size(), err);
        if (s != CIV_OK)
            return s;
    }
    return CIV_OK;
}

/* ---- weighing passages ------------------------------------------------- */

namespace {

/* Terms weighed in passages: the rarest (heaviest) of the query's; a
 * pasted page keeps far more, each costing a posting and a position
 * list a document. */
const size_t PASSAGE_TERMS = 12;

} // namespace

/* Passages (bench/README.md, "Long documents"): the `depth` best matches
 * are weighed again, a long document (min_passages passages or more) by
 * its whole text and its best passage, `mix` of the weight going to the
 * passage; a shorter one by its whole text, which BM25's length
 * normalisation already weighs well. A short document about a thing thus
 * keeps its place before a long one that names it in passing, and a long
 * one with a passage about it rises.
 *
 * Tuned on the synthetic court archive (bench/gen-court; Cranfield and
 * CISI have no document of 8 passages, and keep their MAP): weighing
 * documents of 2 to 7 passages by their best passage too cost the court
 * archive's summaries (350-1,400 words) their place against the long
 * transcripts (MAP 0.738 with min_passages 2, 0.814 with 3, 0.885 with
 * 4, 0.916 from 6 to 10: 8 sits on that plateau); mix 0.3 / 0.5 / 0.7
 * gave 0.885 / 0.916 / 0.922 (0.5 kept, as the less steep); passage
 * BM25 k1 0.8 / 1.0 / 1.2 / 1.6 gave 0.740 / 0.738 / 0.734 / 0.728 with
 * min_passages 2 and 0.916 / 0.904 with 8 (k1 1.0, 1.6); b 0.5 lost
 * (0.914). The whole texts' b stays 0.75: 0.9 helps the court archive
 * (0.776 with min_passages 2) and costs Cranfield and CISI 0.008 / 0.010.
 *
 * The prior of documents cited by others of the archive
 * (CIV_SLOT_CITED_BY): the weight grows by a share of itself,
 * prior * log(1 + cited by), at most prior_max: a landmark cited by a
 * hundred gains 14%, one cited by a thousand or more 20%, an uncited
 * document nothing. A share, not an amount, so that it is as mild for
 * queries of common words (small weights) as for rare ones, and never
 * lifts a document above one that holds the query's words much more:
 * it orders near-ties (tests/unit/test_xapian.c, test_cited_by_prior). */
civx::RankTuning civx::rank_tuning()
{
    RankTuning t;
    t.mix = 0.5;
    t.k1 = 1.0;
    t.b = 0.75;
    t.minnorm = 0.5;
    t.avg = CIV_PASSAGE_WORDS;
    t.depth = 50;
    t.prior = 0.03;
    t.prior_max = 0.2;
    t.doc_b = BM25_B;
    t.doc_minnorm = BM25_MINNORM;
    t.single = 0;
    t.min_passages = 8;
    return t;
}

bool civx::RankTuning::parse(const char *s)
{
    struct { const char *name; double *d; } knobs[] = {
        { "mix", &mix }, { "k1", &k1 }, { "b", &b }, { "minnorm", &minnorm }, { "avg", &avg },
        { "prior", &prior }, { "prior_max", &prior_max }, { "doc_b", &doc_b },
        { "doc_minnorm", &doc_minnorm }, { "single", &single },
        { "min_passages", &min_passages }, { "prune", &prune },
        { "counts", &counts },
    };
    while (s && *s) {
        const char *eq = strchr(s, '=');
        if (!eq)
            return false;
        std::string name(s, static_cast<size_t>(eq - s));
        char *end;
        double v = strtod(eq + 1, &end);
        if (end == eq + 1 || !(v >= 0 && v <= 1e6))
            return false;
        bool known = false;
        for (auto &k : knobs)
            if (name == k.name)
                *k.d = v, known = true;
        if (name == "depth")
            depth = static_cast<unsigned>(v), known = true;
        if (!known)
            return false;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return false;
    }
    return true;
}

bool civx::query_terms(const Xapian::Query &q, double factor, bool typed, std::vector<QueryTerm> &terms)
{
    switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM: {
        Xapian::TermIterator t = q.get_terms_begin();
        if (t == q.get_terms_end() || (*t).empty())
            return true;
        for (QueryTerm &qt : terms) {
            if (qt.term == *t && qt.factor == factor && qt.rank) {
                qt.wqf++;
                qt.typed = qt.typed || typed;
                return true;
            }
        }
        QueryTerm qt;
        qt.term = *t;
        qt.factor = factor;
        qt.typed = typed;
        terms.push_back(qt);
        return true;
    }
    case Xapian::Query::LEAF_MATCH_ALL:
    case Xapian::Query::LEAF_MATCH_NOTHING:
    case Xapian::Query::OP_VALUE_RANGE:
    case Xapian::Query::OP_VALUE_GE:
    case Xapian::Query::OP_VALUE_LE:
        return true;
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_FILTER:
        /* Only the first part weighs. */
        return q.get_num_subqueries() == 0 || query_terms(q.get_subquery(0), factor, typed, terms);
    case Xapian::Query::OP_WILDCARD:
    case Xapian::Query::OP_SCALE_WEIGHT:
    case Xapian::Query::LEAF_POSTING_SOURCE:
        return false;
    default: {
        bool ok = true;
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            ok = query_terms(q.get_subquery(i), factor, typed, terms) && ok;
        return ok;
    }
    }
}

civx::PassageScorer::PassageScorer(const civ_db *db, const Xapian::MSet &mset,
                                   std::vector<QueryTerm> terms, const RankTuning &tune)
    : db_(db), tune_(tune)
{
    double n = static_cast<double>(db->db.get_doccount());
    for (const QueryTerm &qt : terms) {
        double tf = mset.get_termfreq(qt.term);
        if (tf <= 0)
            continue;
        /* BM25's term weight as Xapian computes it (k3 = 1). */
        double tw = (n - tf + 0.5) / (tf + 0.5);
        if (tw < 2)
            tw = tw * 0.5 + 1;
        Term t;
        t.term = qt.term;
        t.freq = tf;
        t.weight = std::log(tw) * qt.factor * (2.0 * qt.wqf / (1.0 + qt.wqf)) * (tune_.k1 + 1);
        t.typed = qt.typed && !(qt.term[0] >= 'A' && qt.term[0] <= 'Z');
        t.rank = qt.rank;
        terms_.push_back(t);
    }
    /* The heaviest first. */
    std::stable_sort(terms_.begin(), terms_.end(),
                     [](const Term &a, const Term &b) { return a.weight > b.weight; });
    if (terms_.size() > PASSAGE_TERMS) {
        for (size_t i = PASSAGE_TERMS; i < terms_.size(); i++)
            all_typed_ = all_typed_ && !terms_[i].typed;
        terms_.resize(PASSAGE_TERMS);
    }
}

void civx::PassageScorer::add_phrases(const std::vector<std::vector<std::string>> &phrases)
{
    for (const std::vector<std::string> &words : phrases) {
        std::vector<size_t> ph;
        for (const std::string &term : words) {
            size_t ti = 0;
            while (ti < terms_.size() && !(terms_[ti].term == term && terms_[ti].typed))
                ti++;
            if (ti == terms_.size())
                break;
            ph.push_back(ti);
        }
        if (ph.size() < 2 || ph.size() != words.size())
            continue;
        in_phrase_.resize(terms_.size(), false);
        for (size_t ti : ph)
            in_phrase_[ti] = true;
        phrases_.push_back(ph);
    }
}

void civx::PassageScorer::mark_phrases(const HeldPositions &held, std::vector<PassageWeights> &out) const
{
    for (const auto &first : held) {
        size_t k = first.first.first;
        PassageWeights &w = out[k];
        const PassageIndex &pi = w.pi;
        for (const std::vector<size_t> &ph : phrases_) {
            if (first.first.second != ph[0])
                continue;
            for (Xapian::termpos p : first.second) {
                bool whole = p > pi.body_start;
                for (size_t i = 1; whole && i < ph.size(); i++) {
                    auto it = held.find({ k, ph[i] });
                    whole = it != held.end() && std::binary_search(it->second.begin(), it->second.end(),
                                                                   static_cast<Xapian::termpos>(p + i));
                }
                if (!whole)
                    continue;
                /* The passage of its first word, as weigh_term finds it. */
                size_t at = static_cast<size_t>(std::lower_bound(pi.ends.begin(), pi.ends.end(), p) -
                                                pi.ends.begin());
                w.phrased.resize(pi.ends.size(), 0);
                w.phrased[std::min(at, pi.ends.size() - 1)]++;
            }
        }
    }
}

std::vector<size_t> civx::PassageScorer::select(std::vector<PassageIndex> &pis, const std::vector<bool> &must,
                                                 const std::vector<Xapian::docid> &dids,
                                                 std::vector<PassageWeights> &out, std::vector<bool> &weighed) const
{
    /* In docid order: the passage indexes of neighbours share a block. */
    std::vector<size_t> byid(dids.size());
    for (size_t k = 0; k < byid.size(); k++)
        byid[k] = k;
    std::sort(byid.begin(), byid.end(), [&](size_t a, size_t b) { return dids[a] < dids[b]; });
    std::vector<size_t> order;
    for (size_t k : byid) {
        PassageWeights &w = out[k];
        /* A document of one passage is weighed as one, from its wdf, or
         * not at all (it is its own best passage). */
        w.pi = std::move(pis[k]);
        if (w.pi.ends.size() >= 2)
            w.several = true;
        else if (tune_.single <= 0)
            continue;
        /* Too few passages to be ranked by them: weighed later if
         * its snippets need it. */
        if (!must[k] && w.several && w.pi.ends.size() < tune_.min_passages) {
            out[k] = PassageWeights();
            weighed[k] = false;
            continue;
        }
        order.push_back(k);
        size_t np = w.several ? w.pi.ends.size() : 1;
        w.all.assign(np, 0.0);
        if (w.several)
            w.typed.assign(np, 0.0);
    }
    return order;
}

size_t civx::PassageScorer::prune_order(std::vector<size_t> &order, const std::vector<bool> &must,
                                        const std::vector<std::vector<Xapian::termcount>> &wdfs,
                                        const std::vector<Xapian::termcount> &doc_len, double avg,
                                        const PassagePruner &prune, std::vector<std::vector<double>> &rest,
                                        const std::vector<PassageWeights> &out) const
{
    rest.assign(out.size(), std::vector<double>());
    std::vector<size_t> first, may;
    std::vector<double> top(out.size(), 0.0);
    for (size_t k : order) {
        const PassageWeights &w = out[k];
        if (must[k] || !w.several || w.pi.ends.size() < tune_.min_passages) {
            first.push_back(k);
            continue;
        }
        /* Its shortest passage, as Tally measures them (the fields'
         * words counted in each): none is shorter, so that none weighs
         * a word more. */
        rest_bounds(rest[k], wdfs, k, (w.pi.shortest() + w.pi.fields(doc_len[k])) / avg);
        top[k] = prune.bound(k, rest[k][0]);
        may.push_back(k);
    }
    std::stable_sort(may.begin(), may.end(), [&](size_t a, size_t b) { return top[a] > top[b]; });
    size_t from = first.size();
    first.insert(first.end(), may.begin(), may.end());
    order.swap(first);
    return from;
}

void civx::PassageScorer::rest_bounds(std::vector<double> &rest,
                                      const std::vector<std::vector<Xapian::termcount>> &wdfs, size_t k,
                                      double least) const
{
    rest.assign(terms_.size() + 1, 0.0);
    for (size_t ti = terms_.size(); ti-- > 0;)
        rest[ti] = rest[ti + 1] +
                   (terms_[ti].rank && wdfs[ti][k] > 0 ? weigh(terms_[ti].weight, wdfs[ti][k], least) : 0.0);
}

std::vector<std::vector<std::vector<Xapian::termpos>>>
civx::PassageScorer::remote_positions(const std::vector<Xapian::docid> &dids, const std::vector<size_t> &order,
                                      const std::vector<bool> &light, const std::vector<PassageWeights> &out,
                                      std::vector<std::vector<Xapian::termcount>> &wdfs, unsigned &lists) const
{
    std::vector<Xapian::docid> sel;
    for (size_t k : order)
        sel.push_back(dids[k]);
    std::vector<std::vector<std::vector<Xapian::termpos>>> pos(order.size());
    std::vector<unsigned> read(order.size(), 0); /* a document's: the shards run in parallel */
    for_each_doc(db_, sel, [&](size_t j, const Xapian::Database &part, Xapian::docid did) {
        size_t k = order[j];
        if (!out[k].several)
            return;
        pos[j].resize(terms_.size());
        for (size_t ti = 0; ti < terms_.size(); ti++)
            if (wdfs[ti][k] > 0 || light[k]) {
                read[j]++;
                pos[j][ti].assign(part.positionlist_begin(did, terms_[ti].term),
                                  part.positionlist_end(did, terms_[ti].term));
                /* Counted from the positions: the field words' weights
                 * are left out, which only the ranking weights (not
                 * used for such a hit) would see. */
                if (light[k])
                    wdfs[ti][k] = static_cast<Xapian::termcount>(pos[j][ti].size());
            }
    });
    for (unsigned n : read)
        lists += n;
    return pos;
}

/* Term ti's weight in each passage of a document, from its positions in
 * order (held where a phrase's word). */
struct civx::PassageScorer::Tally {
    const PassageScorer &ps;
    const std::vector<std::vector<Xapian::termcount>> &wdfs;
    const std::vector<Xapian::termcount> &doc_len;
    double avg;
    std::vector<PassageWeights> &out;
    std::vector<unsigned> body;
    HeldPositions held;
    unsigned lists = 0; /* position lists read */

    Tally(const PassageScorer &p, const std::vector<std::vector<Xapian::termcount>> &w,
          const std::vector<Xapian::termcount> &l, double a, std::vector<PassageWeights> &o)
        : ps(p), wdfs(w), doc_len(l), avg(a), out(o)
    {
    }
    /* Document k's positions of term ti, [q, q_end). */
    template <class It> void operator()(size_t k, size_t ti, It q, It q_end)
    {
        const Term &t = ps.terms_[ti];
        Xapian::termcount wdf = wdfs[ti][k];
        PassageWeights &w = out[k];
        const PassageIndex &pi = w.pi;
        if (!w.several) {
            if (t.rank)
                w.all[0] += ps.weigh(t.weight, wdf, doc_len[k] / avg);
            return;
        }
        Xapian::termcount head_len = pi.fields(doc_len[k]);
        size_t np = pi.ends.size();
        body.assign(np, 0);
        Xapian::termcount in_text = 0;
        std::vector<Xapian::termpos> *keep =
            ti < ps.in_phrase_.size() && ps.in_phrase_[ti] ? &held[{ k, ti }] : nullptr;
        /* Positions come in order: the passage moves forward only. */
        size_t at = 0;
        for (; q != q_end; ++q) {
            Xapian::termpos pos = *q;
            if (keep)
                keep->push_back(pos);
            if (pos > pi.body_start) {
                while (at + 1 < np && pi.ends[at] < pos)
                    at++;
                body[at]++;
                in_text++;
            }
        }
        /* The fields' share of the term (a title word counts its
         * weight, once a position) is context for every passage. */
        double head = wdf > in_text ? wdf - in_text : 0;
        for (size_t i = 0; i < np; i++) {
            double tf = body[i] + head;
            if (tf <= 0)
                continue;
            double len = (pi.words(i) + head_len) / avg;
            if (t.rank)
                w.all[i] += ps.weigh(t.weight, tf, len);
            if (t.typed && body[i])
                w.typed[i] += ps.weigh(t.weight, body[i], len);
        }
    }
};

void civx::PassageScorer::score(const std::vector<Xapian::docid> &dids, std::vector<PassageIndex> &pis,
                                const std::vector<Xapian::termcount> &lens, const std::vector<bool> &must,
                                std::vector<PassageWeights> &out, std::vector<bool> &weighed,
                                PassagePruner *prune, unsigned *lists) const
{
    out.assign(dids.size(), PassageWeights());
    weighed.assign(dids.size(), true);
    if (dids.empty())
        return;
    std::vector<size_t> order = select(pis, must, dids, out, weighed);
    /* Passages are measured against the length they aim at, or the
     * collection's average document where that is shorter: in a
     * collection of short documents a document's weight as one passage
     * is its weight as a whole. */
    double avg = std::min(tune_.avg, std::max(1.0, db_->db.get_avlength()));
    std::vector<std::vector<Xapian::termcount>> wdfs;
    std::vector<Xapian::termcount> doc_len;
    /* Over remote shards a hit shown on the page whose passages do not
     * rank it, and whose length came with its match key, needs only its
     * words' positions (its snippets' passages): not their counts, which
     * are another round trip a document (or a posting list). */
    std::vector<bool> light(dids.size(), false);
    std::vector<size_t> counted;
    for (size_t k : order) {
        light[k] = db_->remote && must[k] && out[k].several && out[k].pi.ends.size() < tune_.min_passages &&
                   lens[k] > 0;
        if (!light[k])
            counted.push_back(k);
    }
    term_counts(dids, counted, db_->remote && by_doc_cheaper(counted, out), wdfs, doc_len);
    for (size_t k : order)
        if (light[k])
            doc_len[k] = lens[k];
    /* A passage holds at most all of a word's occurrences, and is at
     * least as long as the document's shortest: each word weighs at most
     * weigh(w, wdf, that length) in it, the same arithmetic as its weight
     * below where that is reached.
     * A document that cannot reach the page with that is not weighed
     * (its positions, the most of this work, are not read). */
    size_t from = order.size(); /* order[from..) may be pruned */
    std::vector<std::vector<double>> rest;
    if (prune)
        from = prune_order(order, must, wdfs, doc_len, avg, *prune, rest, out);
    Tally tally(*this, wdfs, doc_len, avg, out);
    if (!db_->remote)
        weigh_local(tally, dids, order, from, rest, wdfs, prune);
    else
        weigh_remote(tally, dids, order, from, rest, light, wdfs, prune);
    mark_phrases(tally.held, out);
    if (lists)
        *lists += tally.lists;
}

bool civx::PassageScorer::pruned(std::vector<PassageWeights> &out, size_t k, double upper,
                                 const PassagePruner &prune)
{
    if (prune.bound(k, upper * (1 + 1e-9)) >= prune.floor())
        return false;
    out[k].pruned = true;
    out[k].upper = upper;
    return true;
}

void civx::PassageScorer::weigh_local(Tally &tally, const std::vector<Xapian::docid> &dids,
                                      const std::vector<size_t> &order, size_t from,
                                      const std::vector<std::vector<double>> &rest,
                                      const std::vector<std::vector<Xapian::termcount>> &wdfs,
                                      PassagePruner *prune) const
{
    std::vector<PassageWeights> &out = tally.out;
    /* A document at a time: each weighed may raise the floor. */
    for (size_t j = 0; j < order.size(); j++) {
        size_t k = order[j];
        bool may = prune && j >= from; /* may be pruned */
        if (may && pruned(out, k, rest[k][0], *prune)) /* and every one after it: their bounds are lower */
            continue;
        for (size_t ti = 0; ti < terms_.size(); ti++) {
            if (wdfs[ti][k] == 0)
                continue;
            /* The heaviest words first: once those read and the bounds
             * of the rest cannot lift its best passage to the floor, the
             * document is left. */
            if (may && ti > 0 && rest[k][ti] > 0) {
                const std::vector<double> &all = out[k].all;
                if (pruned(out, k, *std::max_element(all.begin(), all.end()) + rest[k][ti], *prune))
                    break;
            }
            if (out[k].several) {
                tally.lists++;
                tally(k, ti, db_->db.positionlist_begin(dids[k], terms_[ti].term),
                      db_->db.positionlist_end(dids[k], terms_[ti].term));
            } else
                tally(k, ti, Xapian::PositionIterator(), Xapian::PositionIterator());
        }
        if (prune && !out[k].pruned) {
            const std::vector<double> &all = out[k].all;
            prune->settle(k, all.empty() ? 0.0 : *std::max_element(all.begin(), all.end()));
        }
    }
}

void civx::PassageScorer::weigh_remote(Tally &tally, const std::vector<Xapian::docid> &dids,
                                       std::vector<size_t> order, size_t from,
                                       const std::vector<std::vector<double>> &rest,
                                       const std::vector<bool> &light,
                                       std::vector<std::vector<Xapian::termcount>> &wdfs,
                                       PassagePruner *prune) const
{
    /* Pruned against the first floor, the rest read at once. */
    if (prune) {
        std::vector<size_t> kept;
        for (size_t j = 0; j < order.size(); j++)
            if (j < from || !pruned(tally.out, order[j], rest[order[j]][0], *prune))
                kept.push_back(order[j]);
        std::sort(kept.begin(), kept.end(), [&](size_t a, size_t b) { return dids[a] < dids[b]; });
        order.swap(kept);
    }
    /* Over remote shards a position list is a round trip: each shard's
     * are read at once, the shards in parallel, then weighed. A document's
     * terms are weighed in the same order as locally. */
    std::vector<std::vector<std::vector<Xapian::termpos>>> pos =
        remote_positions(dids, order, light, tally.out, wdfs, tally.lists);
    const std::vector<Xapian::termpos> none; /* one passage: no positions */
    for (size_t j = 0; j < order.size(); j++)
        for (size_t ti = 0; ti < terms_.size(); ti++)
            if (wdfs[ti][order[j]] > 0) {
                if (pos[j].empty())
                    tally(order[j], ti, none.cbegin(), none.cend());
                else
                    tally(order[j], ti, pos[j][ti].cbegin(), pos[j][ti].cend());
            }
}

/* Over the remote protocol a posting list comes whole from each shard (a
 * common word's is most of a shard: about 10 µs a posting over
 * loopback), and a document's term list in one round trip that grows
 * with the document (about 1 ms, and 6 ms a thousand words): its words'
 * wdf, and their sum, its length. True when the term lists of the
 * documents out[k], k in order, cost less than the words' posting lists
 * (bench/README.md, "Shards"). */
bool civx::PassageScorer::by_doc_cheaper(const std::vector<size_t> &order,
                                         const std::vector<PassageWeights> &out) const
{
    const double round_trip = 0.5, per_posting = 0.01; /* ms: a posting list */
    const double list_trip = 1.0, per_word = 0.006;    /* ms: a term list */
    double postings = 0, lists = 0;
    for (const Term &t : terms_)
        postings += static_cast<double>(db_->shards.size()) * round_trip + t.freq * per_posting;
    for (size_t k : order) {
        const PassageIndex &pi = out[k].pi;
        double words = out[k].several ? pi.text() : db_->db.get_avlength();
        lists += list_trip + words * per_word;
    }
    return lists < postings;
}

void civx::PassageScorer::term_counts(const std::vector<Xapian::docid> &dids, const std::vector<size_t> &order,
                                      bool by_doc, std::vector<std::vector<Xapian::termcount>> &wdfs,
                                      std::vector<Xapian::termcount> &doc_len) const
{
    wdfs.assign(terms_.size(), std::vector<Xapian::termcount>(dids.size(), 0));
    doc_len.assign(dids.size(), 0);
    if (by_doc) {
        /* A term list a round trip: the shards in parallel. */
        std::vector<Xapian::docid> sel;
        for (size_t k : order)
            sel.push_back(dids[k]);
        for_each_doc(db_, sel, [&](size_t j, const Xapian::Database &part, Xapian::docid did) {
            size_t k = order[j];
            Xapian::termcount len = 0;
            for (Xapian::TermIterator it = part.termlist_begin(did); it != part.termlist_end(did); ++it) {
                Xapian::termcount wdf = it.get_wdf();
                len += wdf;
                const std::string &term = *it;
                for (size_t ti = 0; ti < terms_.size(); ti++)
                    if (terms_[ti].term == term)
                        wdfs[ti][k] = wdf;
            }
            doc_len[k] = len;
        });
        return;
    }
    /* A local index: each term's postings, skipping to the documents in
     * docid order. */
    std::vector<bool> have_len(dids.size(), false);
    for (size_t ti = 0; ti < terms_.size(); ti++) {
        const std::string &term = terms_[ti].term;
        Xapian::PostingIterator p = db_->db.postlist_begin(term);
        for (size_t k : order) {
            p.skip_to(dids[k]);
            if (p == db_->db.postlist_end(term))
                break;
            if (*p != dids[k])
                continue;
            wdfs[ti][k] = p.get_wdf();
            if (!have_len[k]) {
                doc_len[k] = p.get_doclength();
                have_len[k] = true;
            }
        }
    }
}

double civx::PassageScorer::weigh(double weight, double tf, double len) const
{
    double k = tune_.k1 * (std::max(len, tune_.minnorm) * tune_.b + (1 - tune_.b));
    return weight * tf / (k + tf);
}

/* ---- snippets from passages ----------------------------------------------- */

namespace {

/* Inflates passage i of doc into b (emptied first), counted in *nread. False when its
 * stored form is missing or damaged (it is then skipped); CIV_ENOMEM is
 * reported through *s. */
bool read_passage(unsigned *nread, const civ_doc *doc, const Xapian::Document &xd, size_t i, civ_buf *b,
                  civ_status *s, civ_error *err)
{
    ++*nread;
    size_t off, len;
    civ_doc_passage(doc, i, &off, &len);
    std::string z = xd.get_value(static_cast<Xapian::valueno>(CIV_SLOT_PASSAGE_TEXT + i));
    civ_buf_reset(b);
    if (z.empty())
        return false;
    civ_error zerr = CIV_ERROR_INIT;
    if (civ_inflate(b, z.data(), z.size(), len, &zerr) != CIV_OK) {
        if (zerr.code == CIV_ENOMEM)
            *s = civ_error_set(err, CIV_ENOMEM, "out of memory");
        return false;
    }
    return b->len == len;
}

} // namespace

civ_status civx::passage_snippets(const Snippets &snip, const civ_doc *doc, const Xapian::Document &xd,
                                  const std::vector<double> &typed, const std::vector<unsigned> &phrased,
                                  bool typed_all, unsigned want, std::vector<PassageSnippet> &out,
                                  unsigned *nread, civ_error *err)
{
    size_t np = civ_doc_npassages(doc);
    out.clear();
    if (want == 0)
        want = 1;
    civ_buf b = CIV_BUF_INIT;
    civ_status s = CIV_OK;
    auto take = [&](size_t i, unsigned *cover) -> bool {
        PassageSnippet ps;
        ps.passage = i;
        if (!read_passage(nread, doc, xd, i, &b, &s, err) ||
            !snip.from_passage(b.data, b.len, i > 0, i + 1 < np, ps.snippet, cover))
            return false;
        out.push_back(std::move(ps));
        return true;
    };
    /* The passages that hold a phrase, then those whose words weigh
     * most, as the positions say. */
    std::vector<size_t> order;
    for (size_t i = 0; i < typed.size() && i < np; i++)
        if (typed[i] > 0)
            order.push_back(i);
    auto has_phrase = [&](size_t i) { return i < phrased.size() && phrased[i] > 0; };
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t c) {
        return has_phrase(a) != has_phrase(c) ? has_phrase(a) : typed[a] > typed[c];
    });
    unsigned cover;
    for (size_t k = 0, tries = 0; k < order.size() && out.size() < want && tries < want + 4 && s == CIV_OK;
         k++, tries++)
        take(order[k], &cover);
    /* The positions of every word the snippets look for were read, and
     * none is in the text (they were in a field): its start, below. */
    bool absent = typed_all && typed.size() == np && order.empty();
    /* Nothing to go by (wildcards, words written without spaces, an
     * index whose stems have no positions): the text in order, until a
     * passage holds enough of the words. */
    if (out.empty() && !absent && want > 1) {
        for (size_t i = 0; i < np && out.size() < want && s == CIV_OK; i++)
            take(i, &cover);
    } else if (out.empty() && !absent) {
        PassageSnippet best;
        unsigned best_cover = 0;
        for (size_t i = 0; i < np && best_cover < snip.enough() && s == CIV_OK; i++) {
            PassageSnippet ps;
            ps.passage = i;
            if (read_passage(nread, doc, xd, i, &b, &s, err) &&
                snip.from_passage(b.data, b.len, i > 0, i + 1 < np, ps.snippet, &cover) &&
                cover > best_cover) {
                best = std::move(ps);
                best_cover = cover;
            }
        }
        if (best_cover)
            out.push_back(std::move(best));
    }
    /* None of the words in the text (they were in a field): its start. */
    if (out.empty() && s == CIV_OK && read_passage(nread, doc, xd, 0, &b, &s, err)) {
        PassageSnippet ps;
        snip.lead(b.data, b.len, np > 1, ps.snippet);
        out.push_back(std::move(ps));
    }
    civ_buf_free(&b);
    return s;
}
