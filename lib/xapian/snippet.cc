/* lib/xapian/snippet.cc — the passage of a hit's stored text that best
 * shows the query's words, as plain text with match spans. The renderers
 * mark the spans as their output needs (terminal colour, HTML, JSON). */
#include "internal.hh"

#include <algorithm>

extern "C" {
#include "civ/compress.h"
#include "civ/utf8.h"
}

using namespace civx;

namespace {

const char *const ELLIPSIS = "\xe2\x80\xa6";

/* ---- words of the stored text ------------------------------------------- */

/* What each byte is to the word scanner: the one test of its inner
 * loops (snippets scan whole passages, byte by byte). */
enum ByteKind : unsigned char {
    SEP = 0,  /* ASCII, not a letter or digit */
    WORD = 1, /* ASCII letter or digit */
    WIDE = 2, /* beyond ASCII */
    LEAD = 3  /* beyond ASCII, 0xC2 or 0xE2: maybe a separator */
};

struct ByteKinds {
    unsigned char k[256];
    constexpr ByteKinds() : k()
    {
        for (int c = 0; c < 256; c++)
            k[c] = c >= 0x80 ? WIDE
                   : (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ? WORD
                                                                                                 : SEP;
        k[0xC2] = LEAD;
        k[0xE2] = LEAD;
    }
};
constexpr ByteKinds BYTE_KINDS;

inline unsigned kind(char c)
{
    return BYTE_KINDS.k[static_cast<unsigned char>(c)];
}

char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool space_byte(char c)
{
    return c == ' ' || c == '\n' || c == '\t' || c == '\r';
}

/* Length of the UTF-8 punctuation or space at t[i] that separates words
 * (U+00A0, U+00AB, U+00BB, U+2000..U+206F), or 0. */
size_t utf8_separator(const char *t, size_t i, size_t n)
{
    const unsigned char *u = reinterpret_cast<const unsigned char *>(t) + i;
    if (i + 1 < n && u[0] == 0xC2 && (u[1] == 0xA0 || u[1] == 0xAB || u[1] == 0xBB))
        return 2;
    if (i + 2 < n && u[0] == 0xE2 && (u[1] == 0x80 || (u[1] == 0x81 && u[2] <= 0xAF)))
        return 3;
    return 0;
}

/* The end of the word starting at t[i]; *kinds, when given, receives
 * the ByteKinds of its bytes ORed (above WORD: it goes beyond ASCII). */
inline size_t word_end(const char *t, size_t i, size_t n, unsigned *kinds = nullptr)
{
    unsigned all = 0;
    for (; i < n; i++) {
        unsigned k = kind(t[i]);
        if (k == SEP || (k == LEAD && utf8_separator(t, i, n) != 0))
            break;
        all |= k;
    }
    if (kinds)
        *kinds = all;
    return i;
}

/* Where the next word starts at or after t[i] (n when none). */
inline size_t next_word(const char *t, size_t i, size_t n)
{
    while (i < n) {
        unsigned k = kind(t[i]);
        if (k == WORD || k == WIDE)
            return i;
        if (k == SEP) {
            i++;
            continue;
        }
        size_t sep = utf8_separator(t, i, n);
        if (!sep)
            return i;
        i += sep;
    }
    return n;
}

/* The length of t[0..len) without its last, possibly cut, word. */
size_t word_boundary(const char *t, size_t len)
{
    size_t i = len;
    while (i > 0 && !space_byte(t[i - 1]))
        i--;
    return i > 0 ? i : len;
}

/* Lower case as Xapian's terms are (Unicode only where needed). */
std::string lower_word(const char *w, size_t n)
{
    std::string lw(w, n);
    bool wide = false;
    for (char &c : lw) {
        c = ascii_lower(c);
        wide = wide || static_cast<unsigned char>(c) >= 0x80;
    }
    return wide ? Xapian::Unicode::tolower(lw) : lw;
}

/* Scripts written without spaces, which Xapian indexes as n-grams: their
 * query words are found inside the runs of the text, not at word starts. */
bool cjk_word(const std::string &w)
{
    uint32_t cp;
    if (civ_utf8_decode(&cp, reinterpret_cast<const unsigned char *>(w.data()), w.size()) == 0)
        return false;
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7AF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x3040 && cp <= 0x30FF);
}

/* ---- the query's words ---------------------------------------------------- */

/* The query's words for highlighting: unstemmed terms, stems, phrases
 * (highlighted where the whole phrase is), wildcard prefixes and n-grams. */
struct Highlight {
    std::vector<std::string> words, stems, prefixes, needles, ngrams;
    std::vector<std::vector<std::string>> phrases;
    std::vector<std::vector<unsigned>> phrase_needles; /* each phrase's words as needles */
    Xapian::Stem stem;
    bool stem_all = false; /* unprefixed terms are stems, phrases too */
};

/* A stem without Snowball's final y→i ("librari" for "library"), so that
 * it is a prefix of the words it comes from. */
std::string stem_prefix(std::string st)
{
    if (st.size() > 3 && st.back() == 'i')
        st.pop_back();
    return st;
}

/* Whether text word lw (lower case) is the query term qt of a phrase. */
bool phrase_word(const Highlight &h, const std::string &qt, const std::string &lw)
{
    if (!h.stem_all)
        return qt == lw;
    std::string p = stem_prefix(qt);
    if (lw.compare(0, p.size(), p) != 0)
        return false;
    return h.stem(lw) == qt;
}

bool is_field_term(const std::string &term)
{
    return !term.empty() && term[0] >= 'A' && term[0] <= 'Z' &&
           !(term[0] == 'Z' && term.size() > 1 && !(term[1] >= 'A' && term[1] <= 'Z'));
}

void collect_highlight(Highlight &h, const Xapian::Query &q)
{
    switch (q.get_type()) {
    case Xapian::Query::LEAF_TERM: {
        Xapian::TermIterator t = q.get_terms_begin();
        if (t == q.get_terms_end() || is_field_term(*t))
            return;
        std::string term = *t;
        if (cjk_word(term))
            h.ngrams.push_back(term);
        else if (term[0] == 'Z')
            h.stems.push_back(term.substr(1));
        else if (h.stem_all)
            h.stems.push_back(term);
        else
            h.words.push_back(term);
        return;
    }
    case Xapian::Query::OP_PHRASE: {
        std::vector<std::string> seq;
        for (Xapian::TermIterator t = q.get_terms_begin(); t != q.get_terms_end(); ++t) {
            if (is_field_term(*t))
                return;
            if (cjk_word(*t)) {
                h.ngrams.push_back(*t);
                continue;
            }
            seq.push_back(*t);
        }
        if (!seq.empty())
            h.phrases.push_back(seq);
        return;
    }
    case Xapian::Query::OP_WILDCARD: {
        std::string pat;
        if (wildcard_pattern(q, pat) && !is_field_term(pat) && pat[0] != 'Z')
            h.prefixes.push_back(pat);
        return;
    }
    case Xapian::Query::OP_AND_NOT:
        /* The words a query excludes are not found in its matches'
         * text: not marked (`-quoted` marked "quoted"). */
        if (q.get_num_subqueries() > 0)
            collect_highlight(h, q.get_subquery(0));
        return;
    default:
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            collect_highlight(h, q.get_subquery(i));
    }
}

/* Whether needle nd is at the start of word lw (inside it, for n-grams). */
bool needle_in(const std::string &lw, const std::string &nd)
{
    if (nd.size() > lw.size())
        return false;
    if (memcmp(lw.data(), nd.data(), nd.size()) == 0)
        return true;
    return static_cast<unsigned char>(nd[0]) >= 0xE0 && cjk_word(nd) && lw.find(nd) != std::string::npos;
}

/* Whether word lw (lower case) is one of the query's, as a whole. */
bool word_hits(const Highlight &h, const std::string &lw)
{
    bool cand = false;
    for (const std::string &nd : h.needles)
        if (nd.size() <= lw.size() && memcmp(lw.data(), nd.data(), nd.size()) == 0)
            cand = true;
    if (!cand)
        return false;
    if (std::find(h.words.begin(), h.words.end(), lw) != h.words.end())
        return true;
    for (const std::string &p : h.prefixes)
        if (lw.compare(0, p.size(), p) == 0)
            return true;
    if (h.stems.empty())
        return false;
    std::string st = h.stem(lw);
    return std::find(h.stems.begin(), h.stems.end(), st) != h.stems.end();
}

/* The n-grams of the query inside word lw: [start, end) byte ranges,
 * sorted, not overlapping. */
std::vector<std::pair<size_t, size_t>> ngram_hits(const Highlight &h, const std::string &lw)
{
    std::vector<std::pair<size_t, size_t>> r;
    for (const std::string &ng : h.ngrams)
        for (size_t at = lw.find(ng); at != std::string::npos; at = lw.find(ng, at + 1))
            r.emplace_back(at, at + ng.size());
    std::sort(r.begin(), r.end());
    std::vector<std::pair<size_t, size_t>> merged;
    for (auto &x : r) {
        if (!merged.empty() && x.first <= merged.back().second)
            merged.back().second = std::max(merged.back().second, x.second);
        else
            merged.push_back(x);
    }
    return merged;
}

/* Whether some needle could start word w[0..n) once lower-cased: its
 * first letter, lower-cased as lower_word() does, starts the needle (or
 * the needle is shorter and starts it). */
bool first_letter_starts(const char *w, size_t n, const std::vector<std::string> &needles)
{
    char first[4];
    size_t len;
    if (static_cast<unsigned char>(w[0]) < 0x80) {
        first[0] = ascii_lower(w[0]);
        len = 1;
    } else {
        Xapian::Utf8Iterator it(w, n);
        len = Xapian::Unicode::to_utf8(Xapian::Unicode::tolower(*it), first);
    }
    for (const std::string &nd : needles)
        if (memcmp(nd.data(), first, std::min(nd.size(), len)) == 0)
            return true;
    return false;
}

/* A needle starting a word of the text: where, which, and the word's
 * number. */
struct Occ {
    size_t at;
    unsigned needle;
    size_t word;
};

/* Whether a phrase (needle numbers, in order) may start at occ[a]: its
 * needles start the words after occ[a]'s, one a word. Needles are
 * prefixes: the snippet proper tells the phrase's words for sure. */
bool phrase_starts(const std::vector<Occ> &occ, size_t a, const std::vector<unsigned> &ph)
{
    if (ph.empty() || occ[a].needle != ph[0])
        return false;
    size_t e = a;
    for (size_t k = 1; k < ph.size(); k++) {
        size_t want = occ[a].word + k;
        while (e < occ.size() && (occ[e].word < want || (occ[e].word == want && occ[e].needle != ph[k])))
            e++;
        if (e == occ.size() || occ[e].word != want)
            return false;
    }
    return true;
}

/* Finds in t[0..n) the place where most different needles start words
 * within `span` bytes, a place where one of the phrases (needle numbers)
 * may be, in the first third of the span, before any other; sets *at to its first word and *cover to how
 * many different needles are there. False when no needle is in any
 * word. A cheap scan, so that the snippet proper (which stems every word
 * it reads) reads only a few hundred bytes. */
bool best_place(const char *t, size_t n, const std::vector<std::string> &needles,
                const std::vector<std::vector<unsigned>> &phrases, size_t span, size_t *at, unsigned *cover)
{
    std::vector<Occ> occ;
    /* An n-gram needle may be inside any word; other needles start
     * words, so a word whose first letter no needle starts with is not
     * lower-cased in full. */
    bool inside = false;
    bool first[256] = {}; /* the first bytes of the needles */
    for (const std::string &nd : needles) {
        inside = inside || (static_cast<unsigned char>(nd[0]) >= 0xE0 && cjk_word(nd));
        first[static_cast<unsigned char>(nd[0])] = true;
    }
    size_t i = next_word(t, 0, n);
    for (size_t word = 0; i < n && occ.size() < 4096; word++) {
        unsigned kinds;
        size_t j = word_end(t, i, n, &kinds);
        bool wide = kinds > WORD;
        if (wide ? !inside && !first_letter_starts(t + i, j - i, needles)
                 : !first[static_cast<unsigned char>(ascii_lower(t[i]))]) {
            /* No needle starts here. */
        } else if (wide) {
            std::string lw = lower_word(t + i, j - i);
            for (unsigned x = 0; x < needles.size(); x++)
                if (needle_in(lw, needles[x]))
                    occ.push_back({ i, x, word });
        } else {
            /* An ASCII word: compared in place, lower-cased byte by byte
             * (needles are lower case; one beyond ASCII cannot start it). */
            size_t len = std::min<size_t>(j - i, 64);
            for (unsigned x = 0; x < needles.size(); x++) {
                const std::string &nd = needles[x];
                if (nd.size() > len)
                    continue;
                size_t k = 0;
                while (k < nd.size() && ascii_lower(t[i + k]) == nd[k])
                    k++;
                if (k == nd.size())
                    occ.push_back({ i, x, word });
            }
        }
        i = next_word(t, j, n);
    }
    if (occ.empty())
        return false;
    /* Where a phrase may start. */
    std::vector<bool> phrased(occ.size(), false);
    for (size_t a = 0; a < occ.size(); a++)
        for (const std::vector<unsigned> &ph : phrases)
            phrased[a] = phrased[a] || phrase_starts(occ, a, ph);
    /* A phrase first, then most different needles, then most
     * occurrences. */
    uint64_t best = 0;
    size_t b = 0;
    for (size_t a = 0; a < occ.size(); a++) {
        uint64_t seen = 0;
        bool ph = false;
        size_t e = a;
        for (; e < occ.size() && occ[e].at < occ[a].at + span; e++) {
            seen |= uint64_t(1) << (occ[e].needle & 63);
            /* A phrase in the window's first third: in its snippet. */
            ph = ph || (phrased[e] && occ[e].at < occ[a].at + span / 3);
        }
        uint64_t cnt = (ph ? uint64_t(1) << 32 : 0) + static_cast<uint64_t>(__builtin_popcountll(seen)) * 4096 +
                       (e - a);
        if (cnt > best) {
            best = cnt;
            b = a;
        }
    }
    *at = occ[b].at;
    *cover = static_cast<unsigned>((best & 0xffffffffu) / 4096);
    return true;
}

/* ---- plain text on one line, with spans ----------------------------------- */

/* Builds a snippet: text appended with white space collapsed to single
 * spaces (none at the start), and the spans of the query's words. */
struct Out {
    std::string &text;
    std::vector<civ_span> &spans;
    bool pending_space = false;
    bool open = false; /* the last span is still growing */

    Out(std::string &t, std::vector<civ_span> &s) : text(t), spans(s) {}
    void put(const char *s, size_t n)
    {
        for (size_t i = 0; i < n;) {
            if (space_byte(s[i])) {
                pending_space = !text.empty();
                i++;
                continue;
            }
            size_t j = i;
            while (j < n && !space_byte(s[j]))
                j++;
            flush_space();
            text.append(s + i, j - i);
            i = j;
        }
    }
    void flush_space()
    {
        if (pending_space)
            text += ' ';
        pending_space = false;
    }
    /* A highlighted run: joins the span before it when only spaces lie
     * between them. */
    void hit(const char *s, size_t n, bool adjacent)
    {
        flush_space();
        if (open && adjacent) {
            text.append(s, n);
            spans.back().len = text.size() - spans.back().start;
            return;
        }
        civ_span sp = { text.size(), n };
        text.append(s, n);
        spans.push_back(sp);
        open = true;
    }
    void gap() { open = false; }
};

} // namespace

civx::NeedleKind civx::needle_kind(const std::string &term)
{
    if (term.empty() || is_field_term(term))
        return NeedleKind::none;
    if (cjk_word(term) || term[0] == 'Z')
        return NeedleKind::other;
    return NeedleKind::word;
}

struct civx::Snippets::Impl {
    Highlight hl;
    size_t len = 0;

    /* A snippet of about len bytes of t[a..n) with the query's words as
     * spans, "…" where text was left out. Only words that start like a
     * needle are stemmed. False (and nothing written) when no word of the
     * passage is one of the query's. */
    bool passage(const char *t, size_t a, size_t n, size_t total, bool before, bool after,
                 std::string &text, std::vector<civ_span> &spans) const
    {
        size_t e = a + len < n ? word_boundary(t, a + len) : n;
        if (e <= a)
            e = std::min(n, a + len);
        std::string out_text;
        std::vector<civ_span> out_spans;
        Out out(out_text, out_spans);
        if (a > 0 || before)
            out.put(ELLIPSIS, 3);
        size_t hits = 0;
        size_t pending = a; /* text not yet written starts here */
        size_t i = next_word(t, a, e);
        bool only_space_since = false;
        while (i < e) {
            size_t j = word_end(t, i, e);
            std::string lw = lower_word(t + i, j - i);
            bool hit = false;
            /* A whole phrase is one highlight; its words alone are not. */
            for (const std::vector<std::string> &ph : hl.phrases) {
                if (!phrase_word(hl, ph[0], lw))
                    continue;
                size_t k = 1, x = j;
                while (k < ph.size()) {
                    x = next_word(t, x, e);
                    size_t y = word_end(t, x, e);
                    if (y == x || !phrase_word(hl, ph[k], lower_word(t + x, y - x)))
                        break;
                    k++;
                    x = y;
                }
                if (k == ph.size()) {
                    hit = true;
                    j = x;
                    break;
                }
            }
            std::vector<std::pair<size_t, size_t>> parts;
            if (!hit && word_hits(hl, lw))
                hit = true;
            else if (!hit && !hl.ngrams.empty())
                parts = ngram_hits(hl, lw);
            if (hit || (!parts.empty() && lw.size() == j - i)) {
                /* Whether only spaces lie between the last highlight
                 * and this one (they then make one). */
                only_space_since = true;
                for (size_t x = pending; x < i && only_space_since; x++)
                    only_space_since = t[x] == ' ';
            }
            if (hit) {
                hits++;
                out.put(t + pending, i - pending);
                out.hit(t + i, j - i, only_space_since);
                pending = j;
            } else if (!parts.empty() && lw.size() == j - i) {
                /* n-grams inside a run (offsets of lw are those of the
                 * text when lower-casing kept the length) */
                hits++;
                out.put(t + pending, i - pending);
                size_t at = i;
                for (auto &p : parts) {
                    out.put(t + at, i + p.first - at);
                    out.hit(t + i + p.first, p.second - p.first, at == i && only_space_since);
                    out.gap();
                    at = i + p.second;
                }
                out.put(t + at, j - at);
                pending = j;
            } else {
                out.gap();
            }
            i = next_word(t, j, e);
        }
        if (hits == 0)
            return false;
        size_t end = e;
        bool more = e < total || after;
        if (more)
            while (end > pending && space_byte(t[end - 1]))
                end--;
        out.put(t + pending, end - pending);
        if (more) {
            out.pending_space = false;
            out.text += ELLIPSIS;
        }
        text.swap(out_text);
        spans.swap(out_spans);
        return true;
    }

    /* The first len bytes of text or fewer, cut at a space (never inside
     * a UTF-8 sequence), with "…" when cut: the snippet of a document
     * whose text holds none of the query's words. */
    void lead(const char *t, size_t tlen, bool after, std::string &text,
              std::vector<civ_span> &spans) const
    {
        size_t start = 0;
        while (start < tlen && space_byte(t[start]))
            start++;
        t += start;
        tlen -= start;
        std::string out_text;
        std::vector<civ_span> out_spans;
        Out out(out_text, out_spans);
        if (tlen <= len) {
            out.put(t, tlen);
            if (after) {
                out.pending_space = false;
                out.text += ELLIPSIS;
            }
        } else {
            size_t cut = civ_utf8_clip(t, tlen, len);
            size_t sp = cut;
            while (sp > len / 2 && t[sp] != ' ' && t[sp] != '\n')
                sp--;
            if (sp > len / 2)
                cut = sp;
            out.put(t, cut);
            out.pending_space = false;
            out.text += ELLIPSIS;
        }
        text.swap(out_text);
        spans.clear();
    }

    /* A snippet from t[from..n) of a text of `total` bytes, from the
     * passage the needles point at. False when none of the query's words
     * is there, or the passage runs past the end of a text read only in
     * part. *cover: how many different needles the passage has. */
    bool find(const char *t, size_t n, size_t from, size_t total, bool before, bool after,
              unsigned *cover, Snippet &out) const
    {
        size_t at;
        if (hl.needles.empty() ||
            !best_place(t + from, n - from, hl.needles, hl.phrase_needles, len * 3 / 2, &at, cover))
            return false;
        at += from;
        /* Too near the end of a text read only in part: read on. */
        if (n < total && at + len > n)
            return false;
        /* Some words before the passage; more when the text ends soon
         * after it, so that the snippet is full. */
        size_t want = at > len / 6 ? at - len / 6 : 0;
        if (n - want < len)
            want = n > len ? n - len : 0;
        if (want < from)
            want = from;
        size_t s0 = want > 0 ? word_boundary(t, want) : 0;
        if (s0 > at || s0 < from)
            s0 = at;
        if (!passage(t, s0, n, total, before, after, out.text, out.spans))
            return false;
        out.offset = s0;
        return true;
    }
};

civx::Snippets::Snippets(const civ_db *db, const Xapian::Query &words, size_t len)
    : impl_(new Impl)
{
    Impl &im = *impl_;
    im.len = len;
    im.hl.stem = db->stem;
    im.hl.stem_all = db->stem_all;
    collect_highlight(im.hl, words);
    Highlight &h = im.hl;
    auto add = [&](std::string w) {
        if (w.size() >= 2 && h.needles.size() < 64 &&
            std::find(h.needles.begin(), h.needles.end(), w) == h.needles.end())
            h.needles.push_back(w);
    };
    for (const std::string &w : h.words)
        add(w);
    for (const std::string &st : h.stems)
        add(stem_prefix(st));
    for (const std::string &w : h.prefixes)
        add(w);
    for (const std::vector<std::string> &ph : h.phrases) {
        std::vector<unsigned> seq;
        for (const std::string &w : ph) {
            std::string nd = h.stem_all ? stem_prefix(w) : w;
            add(nd);
            auto it = std::find(h.needles.begin(), h.needles.end(), nd);
            if (it != h.needles.end())
                seq.push_back(static_cast<unsigned>(it - h.needles.begin()));
        }
        if (seq.size() == ph.size() && seq.size() > 1)
            h.phrase_needles.push_back(seq);
    }
    for (const std::string &w : h.ngrams)
        add(w);
}

civx::Snippets::~Snippets() = default;

const std::vector<std::vector<std::string>> &civx::Snippets::phrases() const
{
    return impl_->hl.phrases;
}

unsigned civx::Snippets::enough() const
{
    size_t n = impl_->hl.needles.size();
    return n <= 3 ? static_cast<unsigned>(std::max<size_t>(n, 1)) : 2;
}

bool civx::Snippets::from_passage(const char *t, size_t n, bool before, bool after, Snippet &out,
                                  unsigned *cover) const
{
    Snippet s;
    *cover = 0;
    if (!impl_->find(t, n, 0, n, before, after, cover, s))
        return false;
    out = std::move(s);
    return true;
}

void civx::Snippets::lead(const char *t, size_t n, bool after, Snippet &out) const
{
    impl_->lead(t, n, after, out.text, out.spans);
    out.offset = 0;
}

civ_status civx::Snippets::make(civ_inflater *z, size_t total, civ_buf *tb, Snippet &out,
                                civ_error *err) const
{
    const Impl &im = *impl_;
    const size_t len = im.len;
    /* Parts are reserved before they are read: capped, so that a damaged
     * length cannot size them. */
    const size_t PART_MAX = 1 << 20;
    /* The text is read a part at a time (head first, then parts growing
     * fourfold) until a part holds a passage with all of the query's words
     * (two, for queries of more than three), or the text ends (the
     * passage with the most of them then serves): a long document costs
     * what it takes to reach a good passage, seldom its whole length. */
    size_t part = std::max<size_t>(1024, len * 5);
    const unsigned want = enough();
    int complete = 0;
    size_t head_cut = 0, scanned = 0;
    unsigned best_cover = 0;
    out = Snippet();
    civ_error zerr = CIV_ERROR_INIT;
    while (best_cover < want && !complete) {
        if (civ_inflater_read(z, tb, part, &complete, &zerr) != CIV_OK) {
            if (zerr.code == CIV_ENOMEM)
                return civ_error_set(err, CIV_ENOMEM, "out of memory");
            break; /* damaged: what was read stands */
        }
        part = std::min<size_t>(part * 4, PART_MAX);
        size_t cut = complete ? tb->len : word_boundary(tb->data, tb->len);
        if (!head_cut)
            head_cut = cut;
        /* From a little before the last cut: a passage may span it. */
        size_t from = scanned > len ? word_boundary(tb->data, scanned - len) : 0;
        if (cut > from || scanned == 0) {
            unsigned cover = 0;
            Snippet s2;
            if (im.find(tb->data, cut, from, complete ? cut : total, false, false, &cover, s2) &&
                cover > best_cover) {
                out = std::move(s2);
                best_cover = cover;
            }
        }
        scanned = cut;
    }
    if (out.text.empty() && tb->len > 0)
        im.lead(tb->data, head_cut ? head_cut : tb->len, false, out.text, out.spans);
    return CIV_OK;
}

void civx::Snippets::mark(const char *t, size_t n, size_t max, std::vector<civ_span> &spans) const
{
    const Highlight &hl = impl_->hl;
    spans.clear();
    if (hl.needles.empty())
        return;
    for (size_t i = next_word(t, 0, n); i < n && spans.size() < max; i = next_word(t, i, n)) {
        size_t j = word_end(t, i, n);
        if (j == i) {
            i++;
            continue;
        }
        std::string lw = lower_word(t + i, j - i);
        bool hit = word_hits(hl, lw);
        for (size_t p = 0; !hit && p < hl.phrases.size(); p++)
            for (const std::string &qt : hl.phrases[p])
                if (phrase_word(hl, qt, lw)) {
                    hit = true;
                    break;
                }
        if (hit) {
            spans.push_back(civ_span{ i, j - i });
        } else if (!hl.ngrams.empty() && lw.size() == j - i) {
            for (auto &p : ngram_hits(hl, lw))
                spans.push_back(civ_span{ i + p.first, p.second - p.first });
        }
        i = j;
    }
}

Xapian::Query civx::snippet_words(const civ_db *db, const ParsedQuery &pq)
{
    if (pq.text.empty())
        return pq.like;
    Xapian::Query plain = unprefixed_terms(db, pq.text);
    return plain.empty() ? pq.text : Xapian::Query(Xapian::Query::OP_OR, pq.text, plain);
}
