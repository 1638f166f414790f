/* lib/xapian/query.cc — from a search's options to Xapian queries: the
 * query language (fields, dates, numbers), filters, similar documents, and
 * the reading of natural-language queries. */
#include "internal.hh"
#include "feedback.hh"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <map>

using namespace civx;

civx::ListStopper::ListStopper(const char *const *a, const char *const *b) : lists_{ a, b }, sizes_{ 0, 0 }
{
    for (int k = 0; k < 2; k++)
        for (const char *const *w = lists_[k]; w && *w; w++) {
            assert(sizes_[k] == 0 || strcmp(w[-1], *w) < 0); /* sorted */
            sizes_[k]++;
        }
}

bool civx::ListStopper::operator()(const std::string &term) const
{
    for (int k = 0; k < 2; k++) {
        size_t lo = 0, hi = sizes_[k];
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = term.compare(lists_[k][mid]);
            if (c == 0)
                return true;
            if (c > 0)
                lo = mid + 1;
            else
                hi = mid;
        }
    }
    return false;
}

thread_local char civx::processor_error[256];

namespace {

/* Natural-language queries: a paragraph of facts or a question. An OR
 * query of at least NL_MIN_WORDS words is one; so is plain text (no
 * operators, quotes or fields) of at least NL_AUTO_WORDS words, which is
 * then matched with OR, since hardly any document holds every word of a
 * paragraph. For these, civ_stopwords_question is dropped too, and the
 * query is expanded once by pseudo-relevance feedback (search.cc). Short
 * keyword queries are left exactly as typed. */
const size_t NL_MIN_WORDS = 6, NL_AUTO_WORDS = 10;
/* A pasted page (up to CIV_QUERY_MAX bytes) keeps only its NL_MAX_TERMS
 * most telling words (an elite set), so that it too is matched fast. */
const Xapian::termcount NL_MAX_TERMS = 128;

/* Whether the word at t[i..) is a proximity operator (NEAR, ADJ, NEAR/5). */
bool proximity_word(const std::string &t, size_t i)
{
    for (const char *op : { "NEAR", "ADJ" }) {
        size_t n = strlen(op);
        if (t.compare(i, n, op) != 0)
            continue;
        size_t j = i + n;
        if (j < t.size() && t[j] == '/')
            while (++j < t.size() && t[j] >= '0' && t[j] <= '9')
                ;
        if (j == t.size() || t[j] == ' ' || t[j] == '\t' || t[j] == '\n' || t[j] == '\r' || t[j] == '\f')
            return true;
    }
    return false;
}

/* "-a NEAR b c": Xapian 1.4's parser rejects a +/- word as an operand of
 * NEAR or ADJ, and leaks memory while it recovers (found by
 * fuzz/fuzz_query.c); the sign is dropped, so "a NEAR b" is searched.
 * Control characters separate words as spaces do (they are made spaces
 * first), and a sign after any other character that is not part of a
 * word ("(-a NEAR b)") counts too: dropping a sign that Xapian would not
 * have read changes nothing. */
std::string unsign_proximity_operands(const std::string &t)
{
    std::string out = t;
    for (char &c : out)
        if ((unsigned char)c < 0x20 || c == 0x7f)
            c = ' ';
    bool quoted = false;
    for (size_t i = 0; i < out.size(); i++) {
        if (out[i] == '"')
            quoted = !quoted;
        unsigned char before = i > 0 ? (unsigned char)out[i - 1] : ' ';
        if (quoted || (out[i] != '-' && out[i] != '+') || isalnum(before) || before >= 0x80)
            continue;
        size_t j = i + 1;
        while (j < out.size() && !isspace((unsigned char)out[j]))
            j++;
        size_t k = j;
        while (k < out.size() && isspace((unsigned char)out[k]))
            k++;
        if (j > i + 1 && k > j && k < out.size() && proximity_word(out, k))
            out[i] = ' ';
    }
    return out;
}

/* qp.parse_query, with the processors' errors thrown afterwards. */
Xapian::Query parse(Xapian::QueryParser &qp, const std::string &text, unsigned flags)
{
    processor_error[0] = '\0';
    Xapian::Query q = qp.parse_query(unsign_proximity_operands(text), flags);
    if (processor_error[0]) {
        std::string msg(processor_error);
        processor_error[0] = '\0';
        throw Xapian::QueryParserError(msg);
    }
    return q;
}

/* Boolean field: the value after "type:" becomes one normalised term. */
class BoolFieldProcessor : public Xapian::FieldProcessor {
    const civ_field_def *f;

  public:
    explicit BoolFieldProcessor(const civ_field_def *f_) : f(f_) {}
    Xapian::Query operator()(const std::string &str) override
    {
        return guarded([&]() {
            std::string t;
            if (!exact_term(f, str, t))
                throw Xapian::QueryParserError(std::string("empty value after ") + f->query_name + ":");
            return Xapian::Query(t);
        });
    }
};

Xapian::Query date_range_query(const std::string &b, const std::string &e)
{
    char lo[15], hi[15];
    bool hb = !b.empty(), he = !e.empty();
    if (hb && civ_date_bound(b.data(), b.size(), 0, lo) < 0)
        throw Xapian::QueryParserError("not a date: \"" + b + "\" (use YYYY, YYYY-MM or YYYY-MM-DD)");
    if (he && civ_date_bound(e.data(), e.size(), 1, hi) < 0)
        throw Xapian::QueryParserError("not a date: \"" + e + "\" (use YYYY, YYYY-MM or YYYY-MM-DD)");
    if (hb && he) {
        if (std::string(lo) > std::string(hi))
            throw Xapian::QueryParserError("date range ends before it starts");
        return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, CIV_SLOT_DATE, lo, hi);
    }
    if (hb)
        return Xapian::Query(Xapian::Query::OP_VALUE_GE, CIV_SLOT_DATE, lo);
    if (he)
        return Xapian::Query(Xapian::Query::OP_VALUE_LE, CIV_SLOT_DATE, hi);
    return Xapian::Query::MatchAll;
}

/* "date:2018..2019", "date:2018-05-01..2018-06-30", "date:2019..". */
class DateRangeProcessor : public Xapian::RangeProcessor {
  public:
    DateRangeProcessor() : Xapian::RangeProcessor(CIV_SLOT_DATE, "date:") {}
    Xapian::Query operator()(const std::string &b, const std::string &e) override
    {
        return guarded([&]() { return date_range_query(b, e); });
    }
};

/* "date:2019" or "date:2019-05": the whole period. */
class DateFieldProcessor : public Xapian::FieldProcessor {
  public:
    Xapian::Query operator()(const std::string &str) override
    {
        return guarded([&]() {
            size_t dots = str.find("..");
            if (dots != std::string::npos)
                return date_range_query(str.substr(0, dots), str.substr(dots + 2));
            return date_range_query(str, str);
        });
    }
};

/* A whole-number field: "words:100..500", "pages:10..", "pages:..3" and
 * "pages:12". */
Xapian::Query number_range_query(const civ_field_def *f, const std::string &b, const std::string &e)
{
    auto bound = [f](const std::string &v) {
        char *end = nullptr;
        double d = std::strtod(v.c_str(), &end);
        if (v.empty() || !end || *end || !(d >= 0) || v.find_first_not_of("0123456789") != std::string::npos)
            throw Xapian::QueryParserError(std::string("not a whole number after ") + f->query_name +
                                           ": \"" + v + "\"");
        return Xapian::sortable_serialise(d);
    };
    if (!b.empty() && !e.empty()) {
        std::string lo = bound(b), hi = bound(e);
        if (lo > hi)
            throw Xapian::QueryParserError(std::string(f->query_name) + ": range ends before it starts");
        return Xapian::Query(Xapian::Query::OP_VALUE_RANGE, f->slot, lo, hi);
    }
    if (!b.empty())
        return Xapian::Query(Xapian::Query::OP_VALUE_GE, f->slot, bound(b));
    if (!e.empty())
        return Xapian::Query(Xapian::Query::OP_VALUE_LE, f->slot, bound(e));
    throw Xapian::QueryParserError(std::string("empty range after ") + f->query_name + ":");
}

class NumberRangeProcessor : public Xapian::RangeProcessor {
    const civ_field_def *f;

  public:
    explicit NumberRangeProcessor(const civ_field_def *f_)
        : Xapian::RangeProcessor(f_->slot, std::string(f_->query_name) + ":"), f(f_) {}
    Xapian::Query operator()(const std::string &b, const std::string &e) override
    {
        return guarded([&]() { return number_range_query(f, b, e); });
    }
};

class NumberFieldProcessor : public Xapian::FieldProcessor {
    const civ_field_def *f;

  public:
    explicit NumberFieldProcessor(const civ_field_def *f_) : f(f_) {}
    Xapian::Query operator()(const std::string &str) override
    {
        return guarded([&]() {
            size_t dots = str.find("..");
            if (dots != std::string::npos)
                return number_range_query(f, str.substr(0, dots), str.substr(dots + 2));
            return number_range_query(f, str, str);
        });
    }
};

const unsigned PARSE_FLAGS = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
                             Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                             Xapian::QueryParser::FLAG_PURE_NOT | Xapian::QueryParser::FLAG_CJK_NGRAM;

/* Filters from facet clicks: values of one field ORed, fields ANDed. */
Xapian::Query filter_query(const civ_search_opts *o)
{
    std::map<std::string, std::vector<Xapian::Query>> by_field;
    for (size_t i = 0; i < o->nfilters; i++) {
        const char *f = o->filters[i];
        const char *colon = f ? strchr(f, ':') : nullptr;
        if (!colon)
            throw Xapian::QueryParserError(std::string("filter must be FIELD:VALUE: ") + (f ? f : ""));
        std::string name(f, colon - f), value(colon + 1);
        const civ_field_def *def = civ_schema_query_field(name.c_str());
        if (!def)
            def = civ_schema_field(name.c_str());
        if (name == "date") {
            by_field[name].push_back(DateFieldProcessor()(value));
            continue;
        }
        std::string term;
        if (!def || !exact_term(def, value, term))
            throw Xapian::QueryParserError("cannot filter on field \"" + name + "\"");
        by_field[name].push_back(Xapian::Query(term));
    }
    Xapian::Query all;
    for (auto &kv : by_field) {
        Xapian::Query any(Xapian::Query::OP_OR, kv.second.begin(), kv.second.end());
        all = all.empty() ? any : Xapian::Query(Xapian::Query::OP_AND, all, any);
    }
    return all;
}

/* Expansion terms of a document: its most telling words, not prefixed
 * (fields, stems). */
bool plain_term(const std::string &term)
{
    return term.size() > 2 && !(term[0] >= 'A' && term[0] <= 'Z');
}

Xapian::Query like_query(civ_db *db, const char *id, Xapian::docid *self)
{
    Xapian::docid did = find_id(db->db, id);
    if (!did)
        throw Xapian::DocNotFoundError(std::string("no document with id ") + id);
    *self = did;
    WordCounting how; /* the table of counts holds its stems */
    std::vector<std::string> words =
        expand_terms(db, { did }, { db->db.get_doclength(did) }, 1, plain_term, Xapian::Query(), 30, &how);
    std::vector<Xapian::Query> terms;
    for (const std::string &w : words)
        terms.push_back(Xapian::Query(w));
    if (terms.empty())
        return Xapian::Query();
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

/* Sentence-case words ("Everyone", "The") become lower case so that the
 * parser stems them like the rest of a natural-language query; words in
 * capitals (acronyms, AND/OR/NOT) and mixed case stay as typed. */
void lower_sentence_case(std::string &text)
{
    size_t i = 0, n = text.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        bool start = i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]));
        if (start && c >= 'A' && c <= 'Z') {
            size_t j = i + 1;
            bool rest_lower = true;
            while (j < n && std::isalpha(static_cast<unsigned char>(text[j]))) {
                if (text[j] >= 'A' && text[j] <= 'Z')
                    rest_lower = false;
                j++;
            }
            if (rest_lower && j > i + 1)
                text[i] = static_cast<char>(c + 32);
            i = j;
            continue;
        }
        i++;
    }
}

/* Parses the text of the query (not like= or filters) into pq.text. */
civ_status parse_text(ParsedQuery &pq, civ_db *db, const civ_search_opts *o, civ_error *err)
{
    std::string text = o->query ? o->query : "";
    civ_status s = civ_query_check(text.data(), text.size(), err);
    if (s == CIV_OK)
        s = civ_query_check_fields(text.data(), text.size(), err);
    if (s != CIV_OK)
        return s;
    std::vector<char> tmp(text.begin(), text.end());
    tmp.push_back('\0');
    bool match_all = false;
    if (civ_query_strip_star(tmp.data()) > 0) {
        match_all = true;
        text = tmp.data();
    }
    Xapian::Query q;
    bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
    if (!blank) {
        if (match_all) {
            /* What is left around the "*" must still be a query. */
            s = civ_query_check(text.data(), text.size(), err);
            if (s != CIV_OK)
                return s;
        }
        /* Only exclusions ("-miranda", "NOT miranda"): every document
         * without them. */
        civ_buf neg = CIV_BUF_INIT;
        int negative = civ_query_negation(text.data(), text.size(), &neg);
        std::string excluded = negative ? std::string(civ_buf_str(&neg)) : std::string();
        civ_buf_free(&neg);
        if (negative) {
            Xapian::QueryParser &qp = *db->qp;
            qp.set_default_op(Xapian::Query::OP_OR);
            if (db->english)
                qp.set_stopper(&db->stopper);
            Xapian::Query ex = parse(qp, with_entities(excluded), PARSE_FLAGS);
            pq.text = Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll, ex);
            if (o->spelling && has_rare_word(db->words(), excluded))
                pq.suggestion = spelling_correction(db->words(), db->stem, text);
            return CIV_OK;
        }
        size_t nwords = 0;
        bool plain = civ_query_is_plain(text.data(), text.size(), &nwords) != 0;
        bool use_or = o->default_or > 0 ||
                      (o->default_or == 0 && plain && !match_all && nwords >= NL_AUTO_WORDS);
        pq.natural = use_or && !match_all && nwords >= NL_MIN_WORDS;
        Xapian::QueryParser &qp = *db->qp;
        qp.set_default_op(use_or ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
        qp.set_max_expansion(wildcard_limit(o),
                             Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
        /* The spelling suggestion below reads the words as typed. */
        std::string typed = text;
        text = with_entities(text);
        if (pq.natural)
            lower_sentence_case(text);
        bool nl_stops = pq.natural && db->english;
        /* Set for every query: the parser is shared by the queries of a
         * long-running process. */
        if (db->english)
            qp.set_stopper(nl_stops ? &db->nl_stopper : &db->stopper);
        /* A correction is looked for only when a word of the query, as
         * typed, is rare or unknown in the spelling dictionary: for each
         * word it reads the table's letter groups, and a word the
         * collection often uses is not misspelt as far as it can tell. */
        if (o->spelling && !pq.natural && has_rare_word(db->words(), typed))
            pq.suggestion = spelling_correction(db->words(), db->stem, typed);
        q = parse(qp, text, PARSE_FLAGS);
        if (pq.natural) {
            std::vector<Xapian::Query> words;
            for (Xapian::TermIterator t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
                words.push_back(Xapian::Query(*t));
            if (words.size() > NL_MAX_TERMS)
                q = Xapian::Query(Xapian::Query::OP_ELITE_SET, words.begin(), words.end(), NL_MAX_TERMS);
        }
        if (q.empty() && !match_all)
            return civ_error_set(err, CIV_EQUERY,
                                 "query has no searchable words (only stop words or punctuation)");
    }
    if (match_all)
        q = q.empty() ? Xapian::Query::MatchAll
                      : Xapian::Query(Xapian::Query::OP_AND, Xapian::Query::MatchAll, q);
    pq.text = q;
    return CIV_OK;
}

} // namespace

void civx::setup_parser(civ_db *d)
{
    d->qp.reset(new Xapian::QueryParser);
    Xapian::QueryParser &qp = *d->qp;
    qp.set_database(d->db);
    qp.set_stemmer(d->stem);
    qp.set_stemming_strategy(d->stemmer_lang == "none" ? Xapian::QueryParser::STEM_NONE
                             : d->stem_all              ? Xapian::QueryParser::STEM_ALL
                                                        : Xapian::QueryParser::STEM_SOME);
    d->english = d->stemmer_lang == "english" || d->stemmer_lang == "en";
    if (d->english)
        qp.set_stopper(&d->stopper);
    size_t n;
    const civ_field_def *fs = civ_schema_fields(&n);
    for (size_t i = 0; i < n; i++) {
        const civ_field_def *f = &fs[i];
        if (!f->query_name)
            continue;
        if ((f->flags & CIV_FIELD_NUMBER) && f->slot >= 0) {
            qp.add_rangeprocessor((new NumberRangeProcessor(f))->release());
            qp.add_boolean_prefix(f->query_name, (new NumberFieldProcessor(f))->release());
        } else if (!f->prefix) {
            continue;
        } else if (f->flags & CIV_FIELD_TEXT) {
            qp.add_prefix(f->query_name, f->prefix);
        } else if (Xapian::FieldProcessor *lp = legal_processor(f, d)) {
            qp.add_boolean_prefix(f->query_name, lp->release());
        } else if (f->flags & CIV_FIELD_BOOL) {
            qp.add_boolean_prefix(f->query_name, (new BoolFieldProcessor(f))->release());
        }
    }
    qp.add_rangeprocessor((new DateRangeProcessor)->release());
    qp.add_boolean_prefix("date", (new DateFieldProcessor)->release());
    d->text_prefixes.clear();
    for (size_t i = 0; i < n; i++)
        if ((fs[i].flags & CIV_FIELD_TEXT) && fs[i].prefix && *fs[i].prefix)
            d->text_prefixes.push_back(fs[i].prefix);
    std::sort(d->text_prefixes.begin(), d->text_prefixes.end(),
              [](const std::string &a, const std::string &b) { return a.size() > b.size(); });
}

civ_status civx::parse_search(ParsedQuery &pq, civ_db *db, const civ_search_opts *o, civ_error *err)
{
    if ((o->query && *o->query) || !o->like) {
        civ_status s = parse_text(pq, db, o, err);
        if (s != CIV_OK)
            return s;
    }
    if (o->like) {
        try {
            pq.like = like_query(db, o->like, &pq.self);
        } catch (const Xapian::DocNotFoundError &) {
            return civ_error_set(err, CIV_ENOTFOUND, "no document with id %s", o->like);
        }
    }
    if (o->nfilters)
        pq.filter = filter_query(o);
    if ((o->date_from && *o->date_from) || (o->date_until && *o->date_until)) {
        Xapian::Query d = date_range_query(o->date_from ? o->date_from : "",
                                           o->date_until ? o->date_until : "");
        pq.filter = pq.filter.empty() ? d : Xapian::Query(Xapian::Query::OP_AND, pq.filter, d);
    }
    return CIV_OK;
}

Xapian::Query civx::assemble(const ParsedQuery &pq, const Xapian::Query &text, const civ_search_opts *o)
{
    Xapian::Query q = text;
    if (o->like) {
        if (q.empty())
            q = pq.like.empty() ? Xapian::Query::MatchNothing : pq.like;
        else if (!pq.like.empty())
            q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, pq.like);
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q, Xapian::Query(id_term(o->like)));
    }
    if (!pq.filter.empty())
        q = Xapian::Query(Xapian::Query::OP_FILTER, q, pq.filter);
    return q;
}

Xapian::Query civx::unprefixed_terms(const civ_db *db, const Xapian::Query &q)
{
    std::vector<Xapian::Query> out;
    for (Xapian::TermIterator t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t) {
        const std::string &term = *t;
        size_t z = !term.empty() && term[0] == 'Z' ? 1 : 0;
        for (const std::string &p : db->text_prefixes) {
            if (term.compare(z, p.size(), p) != 0)
                continue;
            size_t rest = z + p.size();
            if (rest < term.size() && term[rest] >= 'A' && term[rest] <= 'Z')
                continue; /* a longer prefix ("XSIG" is not "XS" + "IG…") */
            if (rest < term.size() && term[rest] == ':')
                rest++;
            if (rest < term.size())
                out.push_back(Xapian::Query((z ? "Z" : "") + term.substr(rest)));
            break;
        }
    }
    if (out.empty())
        return Xapian::Query();
    return Xapian::Query(Xapian::Query::OP_OR, out.begin(), out.end());
}

bool civx::wildcard_pattern(const Xapian::Query &q, std::string &pattern)
{
    /* Xapian 1.4 tells the pattern only in the description, as its last
     * word: "Query(WILDCARD SYNONYM aero)". A pattern with characters the
     * description escapes is not told. */
    std::string d = q.get_description();
    size_t end = d.find_last_not_of(")");
    size_t sp = d.rfind(' ', end);
    if (q.get_type() != Xapian::Query::OP_WILDCARD || end == std::string::npos ||
        sp == std::string::npos || sp >= end)
        return false;
    pattern = d.substr(sp + 1, end - sp);
    return pattern.find('\\') == std::string::npos;
}

namespace {

/* The words wildcard q stands for over all of db (see expand_wildcards);
 * empty when none or the pattern cannot be told. */
std::vector<std::string> wildcard_words(const Xapian::Database &db, const Xapian::Query &q,
                                        Xapian::termcount limit)
{
    std::vector<std::pair<Xapian::doccount, std::string>> words;
    std::string pat;
    if (!wildcard_pattern(q, pat) || pat.empty())
        return {};
    for (Xapian::TermIterator t = db.allterms_begin(pat); t != db.allterms_end(pat); ++t)
        words.emplace_back(t.get_termfreq(), *t);
    if (words.size() > limit) {
        /* The most frequent, ties in the words' order. */
        std::partial_sort(words.begin(), words.begin() + limit, words.end(), [](const auto &a, const auto &b) {
            return a.first != b.first ? a.first > b.first : a.second < b.second;
        });
        words.resize(limit);
        std::sort(words.begin(), words.end(),
                  [](const auto &a, const auto &b) { return a.second < b.second; });
    }
    std::vector<std::string> out;
    out.reserve(words.size());
    for (auto &w : words)
        out.push_back(std::move(w.second));
    return out;
}

Xapian::Query expand_in(const Xapian::Database &db, const Xapian::Query &q, Xapian::termcount limit,
                        bool *changed)
{
    switch (q.get_type()) {
    case Xapian::Query::OP_WILDCARD: {
        /* A wildcard that stands for nothing stays: it matches nothing
         * everywhere, and still counts in the percentages. */
        std::vector<std::string> words = wildcard_words(db, q, limit);
        if (words.empty())
            return q;
        *changed = true;
        return Xapian::Query(Xapian::Query::OP_SYNONYM, words.begin(), words.end());
    }
    case Xapian::Query::OP_AND:
    case Xapian::Query::OP_OR:
    case Xapian::Query::OP_AND_NOT:
    case Xapian::Query::OP_XOR:
    case Xapian::Query::OP_AND_MAYBE:
    case Xapian::Query::OP_FILTER:
    case Xapian::Query::OP_SYNONYM:
    case Xapian::Query::OP_MAX: {
        bool any = false;
        std::vector<Xapian::Query> subs;
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            subs.push_back(expand_in(db, q.get_subquery(i), limit, &any));
        if (!any)
            return q;
        *changed = true;
        return Xapian::Query(q.get_type(), subs.begin(), subs.end());
    }
    default:
        return q;
    }
}

} // namespace

Xapian::Query civx::expand_wildcards(const civ_db *db, const Xapian::Query &q, Xapian::termcount limit)
{
    bool changed = false;
    return expand_in(db->db, q, limit, &changed);
}
