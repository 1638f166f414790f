/*
 * lib/xapian.cc — the project's only C++: civ_db, civ_writer and civ_search
 * over Xapian 1.4.
 *
 * Rules of this file:
 *   - every extern "C" entry point catches everything (CIV_TRY/CIV_CATCH)
 *     and maps it to a civ_status with map_exception();
 *   - no std::string, iterator or exception leaves it; strings handed to C
 *     are owned by the object they came from, as the headers say;
 *   - everything that is not a civ_* entry point is in an anonymous
 *     namespace, so the library exports only civ_* symbols.
 */
#include <xapian.h>

#include <sys/stat.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <new>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

extern "C" {
#include "civ/date.h"
#include "civ/db.h"
#include "civ/query.h"
#include "civ/schema.h"
#include "civ/hash.h"
#include "civ/utf8.h"
#include "civ/writer.h"
}

namespace {

/* ---- errors --------------------------------------------------------- */

/* Classifies the exception being handled (call only inside a catch). The
 * rethrow pattern is needed: dynamic_cast does not work on Xapian::Error. */
civ_status map_exception(civ_error *err, const char *context)
{
    const char *ctx = context ? context : "index";
    try {
        throw;
    } catch (const Xapian::DatabaseLockError &e) {
        return civ_error_set(err, CIV_ELOCKED, "%s is locked by another writer", ctx);
    } catch (const Xapian::DatabaseNotFoundError &e) {
        return civ_error_set(err, CIV_ENOTFOUND, "%s: no index found", ctx);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return civ_error_set(err, CIV_ERETRY, "%s changed while reading; try again", ctx);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return civ_error_set(err, CIV_ECORRUPT, "%s is damaged: %s", ctx, e.get_msg().c_str());
    } catch (const Xapian::DatabaseVersionError &e) {
        return civ_error_set(err, CIV_ECORRUPT, "%s has an unsupported format: %s", ctx,
                             e.get_msg().c_str());
    } catch (const Xapian::DatabaseCreateError &e) {
        return civ_error_set(err, CIV_EIO, "cannot create %s: %s", ctx, e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        return civ_error_set(err, CIV_ENOTFOUND, "cannot open %s: %s", ctx, e.get_msg().c_str());
    } catch (const Xapian::DatabaseClosedError &e) {
        return civ_error_set(err, CIV_EINVAL, "%s is closed", ctx);
    } catch (const Xapian::DatabaseError &e) {
        /* The system's reason ("No space left on device") when there is one. */
        const char *why = e.get_error_string();
        if (why && *why)
            return civ_error_set(err, CIV_EIO, "%s: %s: %s", ctx, e.get_msg().c_str(), why);
        return civ_error_set(err, CIV_EIO, "%s: %s", ctx, e.get_msg().c_str());
    } catch (const Xapian::QueryParserError &e) {
        return civ_error_set(err, CIV_EQUERY, "%s", e.get_msg().c_str());
    } catch (const Xapian::WildcardError &e) {
        return civ_error_set(err, CIV_EQUERY, "a wildcard matches too many words");
    } catch (const Xapian::NetworkTimeoutError &e) {
        return civ_error_set(err, CIV_ETIMEOUT, "remote index timed out: %s", e.get_msg().c_str());
    } catch (const Xapian::NetworkError &e) {
        return civ_error_set(err, CIV_EIO, "remote index: %s", e.get_msg().c_str());
    } catch (const Xapian::InvalidArgumentError &e) {
        return civ_error_set(err, CIV_EINVAL, "%s", e.get_msg().c_str());
    } catch (const Xapian::DocNotFoundError &e) {
        return civ_error_set(err, CIV_ENOTFOUND, "document not found");
    } catch (const Xapian::Error &e) {
        return civ_error_set(err, CIV_EOTHER, "%s: %s", e.get_type(), e.get_msg().c_str());
    } catch (const std::bad_alloc &) {
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    } catch (const std::exception &e) {
        return civ_error_set(err, CIV_EOTHER, "%s", e.what());
    } catch (...) {
        return civ_error_set(err, CIV_EOTHER, "unknown error");
    }
}

#define CIV_TRY try {
#define CIV_CATCH(err, ctx)                  \
    }                                        \
    catch (...)                              \
    {                                        \
        return map_exception((err), (ctx));  \
    }

/* ---- shared configuration ------------------------------------------ */

const char *const META_FORMAT = "civ:format";
const char *const META_STEMMER = "civ:stemmer";
const char *const META_UPDATED = "civ:updated";
/* How words were stemmed: "all" (every word indexed as its stem, with
 * positions; new indexes), "some" (each word as itself with positions plus
 * "Z" + its stem; indexes made before "all" existed, which lack the key),
 * or "none". The query side must use the same strategy. */
const char *const META_STEMMING = "civ:stemming";

/* Ranking, tuned on the Cranfield collection and confirmed on CISI with
 * bench/relevance (bench/README.md has the measurements).
 *
 * BM25: k1 = 1.6 rewards repeated query words a little more than Xapian's
 * default; b = 0.75 is the usual length normalisation. */
const double BM25_K1 = 1.6, BM25_K2 = 0.0, BM25_K3 = 1.0, BM25_B = 0.75, BM25_MINNORM = 0.5;

/* Natural-language queries: a paragraph of facts or a question. An OR
 * query of at least NL_MIN_WORDS words is one; so is plain text (no
 * operators, quotes or fields) of at least NL_AUTO_WORDS words, which is
 * then matched with OR, since hardly any document holds every word of a
 * paragraph. For these, civ_stopwords_question is dropped too, and the
 * query is expanded once by pseudo-relevance feedback: the PRF_TERMS most
 * telling stemmed words of the PRF_DOCS best matches are added with
 * weight PRF_WEIGHT. Short keyword queries are left exactly as typed. */
const size_t NL_MIN_WORDS = 6, NL_AUTO_WORDS = 10;
const Xapian::doccount PRF_DOCS = 6;
/* A pasted page (up to CIV_QUERY_MAX bytes) keeps only its NL_MAX_TERMS
 * most telling words (an elite set), so that it too is matched fast. */
const Xapian::termcount NL_MAX_TERMS = 128;
const Xapian::termcount PRF_TERMS = 10;
const double PRF_WEIGHT = 0.5;

Xapian::Stem make_stemmer(const std::string &lang)
{
    if (lang.empty() || lang == "none")
        return Xapian::Stem();
    return Xapian::Stem(lang);
}

std::string norm_value(const civ_field_def *f, const std::string &v)
{
    char buf[CIV_TERM_MAX + 1];
    size_t n = civ_schema_normalise(f, v.data(), v.size(), buf, sizeof buf);
    return std::string(buf, n);
}

/* Exact-match filter for a field value (booleans and facets). */
bool exact_term(const civ_field_def *f, const std::string &v, std::string &term)
{
    char buf[CIV_TERM_MAX + 1];
    size_t n = civ_schema_exact_term(f, v.data(), v.size(), buf, sizeof buf);
    if (!n)
        return false;
    term.assign(buf, n);
    return true;
}

/* Boolean field: the value after "type:" becomes one normalised term. */
class BoolFieldProcessor : public Xapian::FieldProcessor {
    const civ_field_def *f;

  public:
    explicit BoolFieldProcessor(const civ_field_def *f_) : f(f_) {}
    Xapian::Query operator()(const std::string &str) override
    {
        std::string t;
        if (!exact_term(f, str, t))
            throw Xapian::QueryParserError(std::string("empty value after ") + f->query_name + ":");
        return Xapian::Query(t);
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
        return date_range_query(b, e);
    }
};

/* "date:2019" or "date:2019-05": the whole period. */
class DateFieldProcessor : public Xapian::FieldProcessor {
  public:
    Xapian::Query operator()(const std::string &str) override
    {
        size_t dots = str.find("..");
        if (dots != std::string::npos)
            return date_range_query(str.substr(0, dots), str.substr(dots + 2));
        return date_range_query(str, str);
    }
};

/* Counts the values of a facet slot; several values in one slot are
 * separated by CIV_FACET_SEP. Serialisable, so it works over remote
 * databases too (register it with the remote server's registry). */
class MultiValueCountMatchSpy : public Xapian::ValueCountMatchSpy {
  public:
    MultiValueCountMatchSpy() {}
    explicit MultiValueCountMatchSpy(Xapian::valueno slot) : Xapian::ValueCountMatchSpy(slot) {}
    void operator()(const Xapian::Document &doc, double) override
    {
        ++internal->total;
        const std::string v = doc.get_value(internal->slot);
        if (v.empty())
            return;
        size_t start = 0;
        while (start <= v.size()) {
            size_t end = v.find(CIV_FACET_SEP, start);
            if (end == std::string::npos)
                end = v.size();
            if (end > start)
                ++internal->values[v.substr(start, end - start)];
            start = end + 1;
        }
    }
    Xapian::MatchSpy *clone() const override
    {
        return new MultiValueCountMatchSpy(internal->slot);
    }
    std::string name() const override { return "civ.MultiValueCountMatchSpy"; }
    Xapian::MatchSpy *unserialise(const std::string &s, const Xapian::Registry &) const override
    {
        const char *p = s.data(), *end = p + s.size();
        Xapian::valueno slot = 0;
        for (int shift = 0; p < end; shift += 7) {
            unsigned char c = static_cast<unsigned char>(*p++);
            slot |= static_cast<Xapian::valueno>(c & 0x7f) << shift;
            if (!(c & 0x80))
                break;
        }
        return new MultiValueCountMatchSpy(slot);
    }
    std::string serialise() const override
    {
        std::string r;
        Xapian::valueno v = internal->slot;
        do {
            unsigned char c = v & 0x7f;
            v >>= 7;
            r += static_cast<char>(c | (v ? 0x80 : 0));
        } while (v);
        return r;
    }
};

} // namespace

/* ---- the read side -------------------------------------------------- */

struct civ_db {
    Xapian::Database db;
    std::string path;
    std::string stemmer_lang;
    bool stem_all = false;   /* the index holds stems only (META_STEMMING "all") */
    Xapian::Stem stem;
    Xapian::SimpleStopper stopper;
    Xapian::SimpleStopper nl_stopper; /* stopper + civ_stopwords_question, */
    bool nl_stopper_ready = false;    /* filled on first use */
    bool english = false;             /* the stop lists apply */
    std::unique_ptr<Xapian::QueryParser> qp;
    std::vector<std::string> text_prefixes; /* of free-text fields, longest first */
};

namespace {

void setup_parser(civ_db *d)
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
        if (!f->query_name || !f->prefix)
            continue;
        if (f->flags & CIV_FIELD_TEXT)
            qp.add_prefix(f->query_name, f->prefix);
        else if (f->flags & CIV_FIELD_BOOL)
            qp.add_boolean_prefix(f->query_name, (new BoolFieldProcessor(f))->release());
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

void open_db(civ_db *d, const char *path)
{
    d->db = Xapian::Database(path);
    d->stemmer_lang = d->db.get_metadata(META_STEMMER);
    if (d->stemmer_lang.empty())
        d->stemmer_lang = "english";
    d->stem = make_stemmer(d->stemmer_lang);
    d->stem_all = d->db.get_metadata(META_STEMMING) == "all";
    setup_parser(d);
}

/* Brings db to the latest state; true when there was a newer one. When
 * civindex has replaced the whole generation the handle points to, the
 * index is opened afresh from its path, settings included: a rebuild may
 * have changed its stemming strategy. */
bool reopen_db(civ_db *db)
{
    try {
        return db->db.reopen();
    } catch (const Xapian::Error &) {
        if (db->path.empty())
            throw;
    }
    open_db(db, db->path.c_str());
    return true;
}

} // namespace

extern "C" civ_status civ_db_open(civ_db **out, const char *path, civ_error *err)
{
    if (!out || !path)
        return civ_error_set(err, CIV_EINVAL, "civ_db_open: NULL argument");
    *out = nullptr;
    struct stat st;
    if (stat(path, &st) != 0)
        return civ_error_set(err, CIV_ENOTFOUND, "no index at %s", path);
    std::unique_ptr<civ_db> d;
    CIV_TRY
    d.reset(new civ_db);
    for (const char *const *w = civ_stopwords_english; *w; w++)
        d->stopper.add(*w);
    d->path = path;
    /* civindex swaps in a new generation of the index atomically, but an
     * open racing with the swap can see the old one vanish: try again. */
    std::string fmt;
    for (int attempt = 0;; attempt++) {
        try {
            open_db(d.get(), path);
            fmt = d->db.get_metadata(META_FORMAT);
            break;
        } catch (const Xapian::DatabaseOpeningError &) {
            if (attempt >= 3 || stat(path, &st) != 0)
                throw;
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt >= 3)
                throw;
        } catch (const Xapian::DatabaseCorruptError &) {
            /* Blocks reused by a commit made while we read look damaged;
             * real damage stays after a few tries. */
            if (attempt >= 3)
                throw;
        }
        usleep(20000);
    }
    if (!fmt.empty() && fmt != CIV_INDEX_FORMAT)
        return civ_error_set(err, CIV_ECORRUPT, "%s was made by another civsearch version (format %s)",
                             path, fmt.c_str());
    *out = d.release();
    return CIV_OK;
    CIV_CATCH(err, path)
}

extern "C" void civ_db_free(civ_db *db)
{
    if (!db)
        return;
    try {
        db->db.close();
    } catch (...) {
    }
    delete db;
}

extern "C" civ_status civ_db_reopen(civ_db *db, int *changed, civ_error *err)
{
    if (!db)
        return civ_error_set(err, CIV_EINVAL, "civ_db_reopen: NULL argument");
    CIV_TRY
    bool c = reopen_db(db);
    if (changed)
        *changed = c ? 1 : 0;
    return CIV_OK;
    CIV_CATCH(err, "index")
}

extern "C" uint64_t civ_db_doc_count(const civ_db *db)
{
    if (!db)
        return 0;
    try {
        return db->db.get_doccount();
    } catch (...) {
        return 0;
    }
}

namespace {

/* Docid of the document with unique id `id`, or 0. */
Xapian::docid find_id(const Xapian::Database &db, const std::string &id)
{
    std::string term = "Q" + id;
    if (term.size() > CIV_TERM_MAX)
        term.resize(CIV_TERM_MAX);
    Xapian::PostingIterator p = db.postlist_begin(term);
    return p == db.postlist_end(term) ? 0 : *p;
}

civ_status decode_doc(civ_doc **out, const std::string &data, int want_text, civ_error *err)
{
    return civ_doc_decode(out, data.data(), data.size(), want_text, err);
}

/* Retries fn after reopening when the index changed under us. */
template <class F> civ_status with_retry(civ_db *db, civ_error *err, F fn)
{
    for (int attempt = 0;; attempt++) {
        try {
            return fn();
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt >= 5)
                throw;
            reopen_db(db);
        } catch (const Xapian::DatabaseCorruptError &) {
            /* A block reused by a commit made while we read can look like
             * damage; it is damage only if the index did not change. */
            if (attempt >= 5 || !reopen_db(db))
                throw;
        }
    }
    (void)err;
}

} // namespace

extern "C" civ_status civ_db_get(civ_doc **out, civ_db *db, const char *id, int want_text,
                                 civ_error *err)
{
    if (!out || !db || !id)
        return civ_error_set(err, CIV_EINVAL, "civ_db_get: NULL argument");
    *out = nullptr;
    CIV_TRY
    return with_retry(db, err, [&]() -> civ_status {
        Xapian::docid did = find_id(db->db, id);
        if (!did)
            return civ_error_set(err, CIV_ENOTFOUND, "no document with id %s", id);
        return decode_doc(out, db->db.get_document(did).get_data(), want_text, err);
    });
    CIV_CATCH(err, "index")
}

extern "C" civ_status civ_db_get_meta(char **out, civ_db *db, const char *key, civ_error *err)
{
    if (!out || !db || !key)
        return civ_error_set(err, CIV_EINVAL, "civ_db_get_meta: NULL argument");
    *out = nullptr;
    CIV_TRY
    std::string v = db->db.get_metadata(key);
    if (v.empty())
        return CIV_OK;
    *out = strdup(v.c_str());
    if (!*out)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return CIV_OK;
    CIV_CATCH(err, "index")
}

/* ---- search --------------------------------------------------------- */

struct civ_results {
    std::vector<civ_hit> hits;
    std::vector<civ_doc *> docs;
    std::vector<std::string> snippets;
    std::vector<civ_facet> facets;
    std::vector<std::vector<civ_facet_value>> facet_values;
    std::vector<std::unique_ptr<std::string>> strings; /* facet value storage */
    std::string suggestion;
    std::string description;
    civ_doc *like = nullptr; /* opts.like's document, fields only */
    uint64_t total = 0;
    bool exact = false;
    civ_search_times times = { 0, 0, 0, 0 };

    ~civ_results()
    {
        for (civ_doc *d : docs)
            civ_doc_free(d);
        civ_doc_free(like);
    }
};

namespace {

const char *keep(civ_results *r, const std::string &s)
{
    r->strings.emplace_back(new std::string(s));
    return r->strings.back()->c_str();
}

/* Snippets are shown on one line: whitespace runs become one space. */
std::string one_line(const std::string &s)
{
    std::string r;
    r.reserve(s.size());
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
            space = !r.empty();
            continue;
        }
        if (space)
            r += ' ';
        space = false;
        r += c;
    }
    return r;
}

unsigned parse_flags(int spelling)
{
    unsigned f = Xapian::QueryParser::FLAG_PHRASE | Xapian::QueryParser::FLAG_BOOLEAN |
                 Xapian::QueryParser::FLAG_LOVEHATE | Xapian::QueryParser::FLAG_WILDCARD |
                 Xapian::QueryParser::FLAG_PURE_NOT | Xapian::QueryParser::FLAG_CJK_NGRAM;
    if (spelling)
        f |= Xapian::QueryParser::FLAG_SPELLING_CORRECTION;
    return f;
}

/* The words the spelling dictionary holds: runs of letters in scripts
 * written with spaces (Latin, Greek, Cyrillic, …), lower-cased, 2 to 40
 * bytes, without digits. Calls fn(word, len) for each in t[0..n); the
 * writer counts them, and a query's words are looked up with the same
 * rules. Two-letter words are in: the query parser corrects every word it
 * does not find ("of" into "off"). */
const size_t SPELL_MIN_BYTES = 2, SPELL_MAX_BYTES = 40;

template <class F> void each_dictionary_word(const char *t, size_t n, F fn)
{
    /* The word so far, lower-cased; longer ones are never counted, so
     * only their length is kept track of. */
    char word[48];
    size_t wl = 0;
    bool digit = false;
    auto end_word = [&]() {
        if (!digit && wl >= SPELL_MIN_BYTES && wl <= SPELL_MAX_BYTES)
            fn(word, wl);
        wl = 0;
        digit = false;
    };
    auto put = [&](char ch) {
        if (wl < sizeof word)
            word[wl] = ch;
        wl++;
    };
    size_t i = 0;
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(t[i]);
        if (c < 0x80) {
            if (c >= 'a' && c <= 'z')
                put(static_cast<char>(c));
            else if (c >= 'A' && c <= 'Z')
                put(static_cast<char>(c + 32));
            else if (c >= '0' && c <= '9')
                digit = true, put(static_cast<char>(c));
            else if (wl)
                end_word();
            i++;
            continue;
        }
        /* Two-byte sequences hold the alphabets written with spaces. */
        if (c >= 0xC2 && c < 0xE0 && i + 1 < n) {
            unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(t[i + 1]) & 0x3Fu);
            if (Xapian::Unicode::is_wordchar(cp)) {
                char u[4];
                unsigned k = Xapian::Unicode::to_utf8(Xapian::Unicode::tolower(cp), u);
                for (unsigned j = 0; j < k; j++)
                    put(u[j]);
                i += 2;
                continue;
            }
        }
        if (wl)
            end_word();
        i++;
        while (i < n && (static_cast<unsigned char>(t[i]) & 0xC0) == 0x80)
            i++;
    }
    if (wl)
        end_word();
}

/* How often a word must be in the spelling dictionary to count as spelt
 * right (see run_search). */
const Xapian::doccount SPELL_KNOWN = 3;

/* True when a word of the query text (each_dictionary_word) is in the
 * spelling dictionary fewer than SPELL_KNOWN times. One dictionary lookup
 * a word. */
bool has_rare_word(const Xapian::Database &db, const std::string &text)
{
    std::vector<std::string> words;
    each_dictionary_word(text.data(), text.size(),
                         [&words](const char *word, size_t len) { words.emplace_back(word, len); });
    std::sort(words.begin(), words.end());
    words.erase(std::unique(words.begin(), words.end()), words.end());
    Xapian::TermIterator sp = db.spellings_begin();
    for (const std::string &word : words) {
        sp.skip_to(word);
        if (sp == db.spellings_end() || *sp != word || sp.get_termfreq() < SPELL_KNOWN)
            return true;
    }
    return false;
}

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

/* Expansion terms of a document: its most telling words. */
class PlainTermDecider : public Xapian::ExpandDecider {
  public:
    bool operator()(const std::string &term) const override
    {
        if (term.empty() || (term[0] >= 'A' && term[0] <= 'Z'))
            return false; /* prefixed (fields, stems) */
        return term.size() > 2;
    }
};

Xapian::Query like_query(civ_db *db, const char *id, Xapian::docid *self)
{
    Xapian::docid did = find_id(db->db, id);
    if (!did)
        throw Xapian::DocNotFoundError(std::string("no document with id ") + id);
    *self = did;
    Xapian::Enquire enq(db->db);
    Xapian::RSet rset;
    rset.add_document(did);
    PlainTermDecider decider;
    Xapian::ESet eset = enq.get_eset(30, rset, &decider);
    std::vector<Xapian::Query> terms;
    for (Xapian::ESetIterator t = eset.begin(); t != eset.end(); ++t)
        terms.push_back(Xapian::Query(*t));
    if (terms.empty())
        return Xapian::Query();
    return Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end());
}

void build_facets(civ_results *r, const std::vector<std::pair<const civ_field_def *,
                                                          MultiValueCountMatchSpy *>> &spies,
                  unsigned maxvalues)
{
    r->facet_values.resize(spies.size());
    for (size_t i = 0; i < spies.size(); i++) {
        MultiValueCountMatchSpy *spy = spies[i].second;
        for (Xapian::TermIterator t = spy->top_values_begin(maxvalues);
             t != spy->top_values_end(maxvalues); ++t) {
            civ_facet_value v;
            v.value = keep(r, *t);
            v.count = t.get_termfreq();
            r->facet_values[i].push_back(v);
        }
    }
    for (size_t i = 0; i < spies.size(); i++) {
        civ_facet f;
        f.field = spies[i].first->name;
        f.n = r->facet_values[i].size();
        f.values = r->facet_values[i].data();
        r->facets.push_back(f);
    }
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

/* Expansion terms for pseudo-relevance feedback: stemmed body words
 * ("Z" + stem where words are also indexed as themselves). */
class StemmedTermDecider : public Xapian::ExpandDecider {
    bool all;

  public:
    explicit StemmedTermDecider(bool stem_all) : all(stem_all) {}
    bool operator()(const std::string &term) const override
    {
        size_t z = all ? 0 : 1;
        if (term.size() <= 2 + z || (!all && term[0] != 'Z'))
            return false;
        return !(term[z] >= 'A' && term[z] <= 'Z') && !(term[z] >= '0' && term[z] <= '9');
    }
};

/* Feedback candidates: the stemmed words (StemmedTermDecider) found in at
 * least two of the feedback documents. Weighing a candidate costs a
 * posting-list lookup; long documents bring thousands of words found in
 * one of them only, which were most of the feedback round's time and
 * seldom among the words it picks. */
class FeedbackDecider : public Xapian::ExpandDecider {
    std::unordered_set<std::string> ok_;

  public:
    FeedbackDecider(const Xapian::Database &db, const Xapian::MSet &top, bool stem_all)
    {
        StemmedTermDecider stemmed(stem_all);
        std::unordered_map<std::string, unsigned> seen;
        for (Xapian::MSetIterator it = top.begin(); it != top.end(); ++it)
            for (Xapian::TermIterator t = db.termlist_begin(*it); t != db.termlist_end(*it); ++t)
                if (stemmed(*t))
                    seen[*t]++;
        unsigned need = top.size() >= 2 ? 2 : 1;
        for (auto &kv : seen)
            if (kv.second >= need)
                ok_.insert(kv.first);
    }
    bool operator()(const std::string &term) const override { return ok_.count(term) != 0; }
};

/* The query's words as they occur in the body text: terms of free-text
 * fields ("title:slipstream" is ZSslipstream) lose their field prefix, so
 * that snippets show them too. Returns an empty query when nothing had a
 * field prefix (the query itself then serves). */
Xapian::Query unprefixed_terms(const civ_db *db, const Xapian::Query &q)
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

/* Private highlight markers: a snippet without them matched nothing. */
const char SNIP_HI = '\x01', SNIP_LO = '\x02';

void html_escape_to(std::string &out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        switch (s[i]) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += s[i];
        }
    }
}

/* The first len bytes of text or fewer, cut at a space (never inside a
 * UTF-8 sequence), HTML-escaped, with "…" when cut: the snippet of a
 * document whose text holds none of the query's words. */
std::string lead_snippet(const char *t, size_t tlen, size_t len)
{
    size_t start = 0;
    while (start < tlen && (t[start] == ' ' || t[start] == '\n' || t[start] == '\t' || t[start] == '\r'))
        start++;
    t += start;
    tlen -= start;
    std::string r;
    if (tlen <= len) {
        html_escape_to(r, t, tlen);
        return r;
    }
    size_t cut = civ_utf8_clip(t, tlen, len);
    size_t sp = cut;
    while (sp > len / 2 && t[sp] != ' ' && t[sp] != '\n')
        sp--;
    if (sp > len / 2)
        cut = sp;
    html_escape_to(r, t, cut);
    r += "\xe2\x80\xa6";
    return r;
}

/* The length of t[0..len) without its last, possibly cut, word. */
size_t word_boundary(const char *t, size_t len)
{
    size_t i = len;
    while (i > 0 && t[i - 1] != ' ' && t[i - 1] != '\n' && t[i - 1] != '\t' && t[i - 1] != '\r')
        i--;
    return i > 0 ? i : len;
}

bool word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
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

/* The end of the word starting at t[i]. */
size_t word_end(const char *t, size_t i, size_t n)
{
    while (i < n && word_byte(static_cast<unsigned char>(t[i])) && !utf8_separator(t, i, n))
        i++;
    return i;
}

/* Finds in t[0..n) the place where most different needles start words
 * within `span` bytes; sets *at to its first word and *cover to how many
 * different needles are there. False when no needle starts any word. A
 * cheap scan, so that the snippet generator (which stems every word it
 * reads) reads only a few hundred bytes. */
bool best_place(const char *t, size_t n, const std::vector<std::string> &needles, size_t span,
                size_t *at, unsigned *cover)
{
    std::vector<std::pair<size_t, unsigned>> occ;
    char w[64];
    size_t i = 0;
    while (i < n && occ.size() < 4096) {
        if (!word_byte(static_cast<unsigned char>(t[i]))) {
            i++;
            continue;
        }
        size_t sep = utf8_separator(t, i, n);
        if (sep) {
            i += sep;
            continue;
        }
        size_t j = word_end(t, i, n), k = 0;
        for (size_t x = i; x < j && k < sizeof w; x++)
            w[k++] = t[x] >= 'A' && t[x] <= 'Z' ? static_cast<char>(t[x] + 32) : t[x];
        for (unsigned x = 0; x < needles.size(); x++)
            if (needles[x].size() <= k && memcmp(w, needles[x].data(), needles[x].size()) == 0)
                occ.emplace_back(i, x);
        i = j;
    }
    if (occ.empty())
        return false;
    /* Most different needles first, then most occurrences. */
    size_t best = 0;
    size_t b = 0;
    for (size_t a = 0; a < occ.size(); a++) {
        uint64_t seen = 0;
        size_t e = a;
        for (; e < occ.size() && occ[e].first < occ[a].first + span; e++)
            seen |= uint64_t(1) << occ[e].second;
        size_t cnt = static_cast<size_t>(__builtin_popcountll(seen)) * 4096 + (e - a);
        if (cnt > best) {
            best = cnt;
            b = a;
        }
    }
    *at = occ[b].first;
    *cover = static_cast<unsigned>(best / 4096);
    return true;
}

/* The query's words for highlighting: unstemmed terms, stems, phrases
 * (highlighted where the whole phrase is) and wildcard prefixes. */
struct Highlight {
    std::vector<std::string> words, stems, prefixes, needles;
    std::vector<std::vector<std::string>> phrases;
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
        if (term[0] == 'Z')
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
            seq.push_back(*t);
        }
        if (!seq.empty())
            h.phrases.push_back(seq);
        return;
    }
    case Xapian::Query::OP_WILDCARD: {
        /* The pattern is the last word of the description:
         * "Query(WILDCARD SYNONYM aero)". */
        std::string d = q.get_description();
        size_t end = d.find_last_not_of(")");
        size_t sp = d.rfind(' ', end);
        if (end != std::string::npos && sp != std::string::npos && sp < end) {
            std::string pat = d.substr(sp + 1, end - sp);
            if (!pat.empty() && !is_field_term(pat) && pat[0] != 'Z')
                h.prefixes.push_back(pat);
        }
        return;
    }
    default:
        for (size_t i = 0; i < q.get_num_subqueries(); i++)
            collect_highlight(h, q.get_subquery(i));
    }
}

Highlight make_highlight(const Xapian::Query &q, const Xapian::Stem &stem, bool stem_all)
{
    Highlight h;
    h.stem = stem;
    h.stem_all = stem_all;
    collect_highlight(h, q);
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
    for (const std::vector<std::string> &ph : h.phrases)
        for (const std::string &w : ph)
            add(h.stem_all ? stem_prefix(w) : w);
    return h;
}

/* Lower case as Xapian's terms are (Unicode only where needed). */
std::string lower_ascii(const char *w, size_t n)
{
    std::string lw(w, n);
    bool wide = false;
    for (char &c : lw) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c + 32);
        else if (static_cast<unsigned char>(c) >= 0x80)
            wide = true;
    }
    return wide ? Xapian::Unicode::tolower(lw) : lw;
}

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

/* A snippet of about len bytes of t[a..n) with the query's words between
 * SNIP_HI and SNIP_LO (neighbouring words in one pair), HTML-escaped, "…"
 * where text was left out. Only words that start like a needle are
 * stemmed. "" when no word of the passage is one of the query's. */
std::string own_snippet(const Highlight &h, const char *t, size_t a, size_t len, size_t n,
                        size_t total)
{
    size_t e = a + len < n ? word_boundary(t, a + len) : n;
    if (e <= a)
        e = std::min(n, a + len);
    std::string r;
    if (a > 0)
        r += "\xe2\x80\xa6";
    size_t i = a, hits = 0;
    bool open = false;      /* a highlight is open */
    size_t pending = i;     /* text not yet written starts here */
    while (i < e) {
        size_t sep = utf8_separator(t, i, e);
        if (sep || !word_byte(static_cast<unsigned char>(t[i]))) {
            i += sep ? sep : 1;
            continue;
        }
        size_t j = word_end(t, i, e);
        std::string lw = lower_ascii(t + i, j - i);
        bool hit = false;
        /* A whole phrase is one highlight; its words alone are not. */
        for (const std::vector<std::string> &ph : h.phrases) {
            if (!phrase_word(h, ph[0], lw))
                continue;
            size_t k = 1, x = j;
            while (k < ph.size()) {
                while (x < e && (utf8_separator(t, x, e) || !word_byte(static_cast<unsigned char>(t[x]))))
                    x += utf8_separator(t, x, e) ? utf8_separator(t, x, e) : 1;
                size_t y = word_end(t, x, e);
                if (y == x || !phrase_word(h, ph[k], lower_ascii(t + x, y - x)))
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
        if (hit || word_hits(h, lw)) {
            hits++;
            bool only_space = true;
            for (size_t x = pending; x < i; x++)
                if (t[x] != ' ')
                    only_space = false;
            if (open && only_space) {
                html_escape_to(r, t + pending, i - pending);
            } else {
                if (open)
                    r += SNIP_LO;
                html_escape_to(r, t + pending, i - pending);
                r += SNIP_HI;
            }
            html_escape_to(r, t + i, j - i);
            open = true;
            pending = j;
        } else if (open) {
            r += SNIP_LO;
            open = false;
        }
        i = j;
    }
    if (open)
        r += SNIP_LO;
    size_t end = e;
    if (e < total)
        while (end > pending && (t[end - 1] == ' ' || t[end - 1] == '\n' || t[end - 1] == '\t'))
            end--;
    html_escape_to(r, t + pending, end - pending);
    if (e < total)
        r += "\xe2\x80\xa6";
    return hits ? r : std::string();
}


/* Replaces the private markers by the caller's. */
std::string set_markers(const std::string &s, const std::string &hs, const std::string &he)
{
    std::string r;
    r.reserve(s.size() + 16);
    for (char c : s) {
        if (c == SNIP_HI)
            r += hs;
        else if (c == SNIP_LO)
            r += he;
        else
            r += c;
    }
    return r;
}

civ_status run_search(civ_results *r, civ_db *db, const civ_search_opts *o, civ_error *err)
{
    double t0 = civ_monotonic();
    /* 1. The query text. */
    Xapian::Query q;
    std::string text = o->query ? o->query : "";
    bool match_all = false;
    bool natural = false;
    if (!text.empty() || !o->like) {
        civ_status s = civ_query_check(text.data(), text.size(), err);
        if (s != CIV_OK)
            return s;
        std::vector<char> tmp(text.begin(), text.end());
        tmp.push_back('\0');
        if (civ_query_strip_star(tmp.data()) > 0) {
            match_all = true;
            text = tmp.data();
        }
        bool blank = text.find_first_not_of(" \t\r\n") == std::string::npos;
        if (!blank) {
            if (match_all) {
                /* What is left around the "*" must still be a query. */
                s = civ_query_check(text.data(), text.size(), err);
                if (s != CIV_OK)
                    return s;
            }
            size_t nwords = 0;
            bool plain = civ_query_is_plain(text.data(), text.size(), &nwords) != 0;
            bool use_or = o->default_or > 0 ||
                          (o->default_or == 0 && plain && !match_all && nwords >= NL_AUTO_WORDS);
            natural = use_or && !match_all && nwords >= NL_MIN_WORDS;
            if (natural)
                lower_sentence_case(text);
            Xapian::QueryParser &qp = *db->qp;
            qp.set_default_op(use_or ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
            qp.set_max_expansion(o->wildcard_limit ? o->wildcard_limit : 1000,
                                 Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
            bool nl_stops = natural && db->english;
            if (nl_stops && !db->nl_stopper_ready) {
                for (const char *const *w = civ_stopwords_english; *w; w++)
                    db->nl_stopper.add(*w);
                for (const char *const *w = civ_stopwords_question; *w; w++)
                    db->nl_stopper.add(*w);
                db->nl_stopper_ready = true;
            }
            /* Set for every query: the parser is shared by the queries of a
             * long-running process. */
            if (db->english)
                qp.set_stopper(nl_stops ? &db->nl_stopper : &db->stopper);
            /* A correction is looked for only when a word of the query
             * is rare or unknown in the spelling dictionary: for each
             * word it reads the table's letter groups (a sixth of a
             * FastCGI request's time), and a word the collection
             * often uses is not misspelt as far as it can tell. The
             * query itself is the same either way. */
            bool spell = o->spelling && has_rare_word(db->db, text);
            q = qp.parse_query(text, parse_flags(spell));
            if (spell)
                r->suggestion = qp.get_corrected_query_string();
            if (natural) {
                std::vector<Xapian::Query> words;
                for (Xapian::TermIterator t = q.get_unique_terms_begin(); t != q.get_unique_terms_end(); ++t)
                    words.push_back(Xapian::Query(*t));
                if (words.size() > NL_MAX_TERMS)
                    q = Xapian::Query(Xapian::Query::OP_ELITE_SET, words.begin(), words.end(),
                                      NL_MAX_TERMS);
            }
            if (q.empty() && !match_all)
                return civ_error_set(err, CIV_EQUERY,
                                     "query has no searchable words (only stop words or punctuation)");
        }
        if (match_all)
            q = q.empty() ? Xapian::Query::MatchAll
                          : Xapian::Query(Xapian::Query::OP_AND, Xapian::Query::MatchAll, q);
    }
    const Xapian::Query text_q = q; /* the words typed: snippets show these */
    /* 2. Similar documents. */
    Xapian::docid self = 0;
    Xapian::Query like_q;
    if (o->like) {
        try {
            like_q = like_query(db, o->like, &self);
        } catch (const Xapian::DocNotFoundError &) {
            return civ_error_set(err, CIV_ENOTFOUND, "no document with id %s", o->like);
        }
    }
    /* 3. Filters and the date range. */
    Xapian::Query filter_q;
    if (o->nfilters)
        filter_q = filter_query(o);
    if ((o->date_from && *o->date_from) || (o->date_until && *o->date_until)) {
        Xapian::Query d = date_range_query(o->date_from ? o->date_from : "",
                                           o->date_until ? o->date_until : "");
        filter_q = filter_q.empty() ? d : Xapian::Query(Xapian::Query::OP_AND, filter_q, d);
    }
    auto assemble = [&](Xapian::Query tq) {
        if (o->like) {
            if (tq.empty())
                tq = like_q.empty() ? Xapian::Query::MatchNothing : like_q;
            else if (!like_q.empty())
                tq = Xapian::Query(Xapian::Query::OP_AND_MAYBE, tq, like_q);
            tq = Xapian::Query(Xapian::Query::OP_AND_NOT, tq, Xapian::Query("Q" + std::string(o->like)));
        }
        if (!filter_q.empty())
            tq = Xapian::Query(Xapian::Query::OP_FILTER, tq, filter_q);
        return tq;
    };
    q = assemble(text_q);
    double t1 = civ_monotonic();
    r->times.parse = t1 - t0;

    /* 4. Match. */
    Xapian::Enquire enq(db->db);
    enq.set_query(q);
    double k1 = o->bm25_k1 > 0 ? o->bm25_k1 : BM25_K1;
    double b = o->bm25_b > 0 ? o->bm25_b : BM25_B;
    Xapian::BM25Weight bm25(k1, BM25_K2, BM25_K3, b, BM25_MINNORM);
    enq.set_weighting_scheme(bm25);
    if (o->sort == CIV_SORT_DATE_ASC)
        enq.set_sort_by_value_then_relevance(CIV_SLOT_DATE, false);
    else if (o->sort == CIV_SORT_DATE_DESC)
        enq.set_sort_by_value_then_relevance(CIV_SLOT_DATE, true);
    if (o->time_limit_ms)
        enq.set_time_limit(o->time_limit_ms / 1000.0);
    /* Pseudo-relevance feedback for natural-language queries. */
    bool expanded = false;
    if (natural && !o->like && o->sort == CIV_SORT_RELEVANCE) {
        Xapian::MSet top = enq.get_mset(0, PRF_DOCS);
        if (!top.empty()) {
            Xapian::RSet rs;
            for (Xapian::MSetIterator it = top.begin(); it != top.end(); ++it)
                rs.add_document(*it);
            FeedbackDecider decider(db->db, top, db->stem_all);
            Xapian::ESet es = enq.get_eset(PRF_TERMS, rs, &decider);
            std::vector<Xapian::Query> more;
            for (Xapian::ESetIterator t = es.begin(); t != es.end(); ++t)
                more.push_back(Xapian::Query(*t));
            if (!more.empty()) {
                Xapian::Query ex(Xapian::Query::OP_SCALE_WEIGHT,
                                 Xapian::Query(Xapian::Query::OP_OR, more.begin(), more.end()),
                                 PRF_WEIGHT);
                q = assemble(Xapian::Query(Xapian::Query::OP_OR, text_q, ex));
                enq.set_query(q);
                expanded = true;
            }
        }
    }
    r->description = q.get_description();
    std::vector<std::pair<const civ_field_def *, MultiValueCountMatchSpy *>> spies;
    std::vector<std::unique_ptr<MultiValueCountMatchSpy>> spy_owner;
    if (o->facet_values) {
        size_t n;
        const civ_field_def *fs = civ_schema_fields(&n);
        std::vector<int> seen;
        for (size_t i = 0; i < n; i++) {
            if (!(fs[i].flags & CIV_FIELD_FACET) || fs[i].slot < 0)
                continue;
            if (std::find(seen.begin(), seen.end(), fs[i].slot) != seen.end())
                continue;
            seen.push_back(fs[i].slot);
            spy_owner.emplace_back(new MultiValueCountMatchSpy(fs[i].slot));
            spies.emplace_back(&fs[i], spy_owner.back().get());
            enq.add_matchspy(spy_owner.back().get());
        }
    }
    Xapian::doccount check = o->facet_values ? db->db.get_doccount() : 0;
    Xapian::MSet mset = enq.get_mset(o->offset, o->limit, check);
    r->total = mset.get_matches_estimated();
    r->exact = mset.get_matches_lower_bound() == mset.get_matches_upper_bound();
    if (o->facet_values)
        build_facets(r, spies, o->facet_values);
    double t2 = civ_monotonic();
    r->times.match = t2 - t1;

    /* 5. Hits: stored fields, and a snippet from the stored text of this
     * page's hits only. Snippets highlight the words typed (not the
     * feedback terms), field words included. */
    const std::string hs = o->hi_start ? o->hi_start : "<b>";
    const std::string he = o->hi_end ? o->hi_end : "</b>";
    Xapian::Enquire snip_enq(db->db);
    Xapian::MSet snip_mset = mset;
    Xapian::Query snip_query = text_q;
    bool own_query = false; /* snip_query is not the query matched */
    if (o->snippet_len > 0 && !mset.empty() && !text_q.empty()) {
        Xapian::Query plain_terms = unprefixed_terms(db, text_q);
        if (!plain_terms.empty())
            snip_query = Xapian::Query(Xapian::Query::OP_OR, text_q, plain_terms);
        own_query = expanded || !plain_terms.empty();
    }
    auto make_snippet = [&](const Xapian::MSet &m, const std::string &text) -> std::string {
        /* No background model: it spends a term-frequency lookup on every
         * word read, and its early stop can settle on a passage with none
         * of the query's words. "" when none of them is in the text. */
        std::string sn = m.snippet(text, o->snippet_len, db->stem, Xapian::MSet::SNIPPET_CJK_NGRAM,
                                   std::string(1, SNIP_HI), std::string(1, SNIP_LO),
                                   "\xe2\x80\xa6");
        return sn.find(SNIP_HI) == std::string::npos ? std::string() : sn;
    };
    const size_t head_len = std::max<size_t>(1024, o->snippet_len * 5);
    /* Parts are reserved before they are read: capped, so that a damaged
     * length cannot size them. */
    const size_t SNIPPET_PART_MAX = 1 << 20;
    Highlight hl;
    if (o->snippet_len > 0)
        hl = make_highlight(snip_query, db->stem, db->stem_all);
    const std::vector<std::string> &needles = hl.needles;
    /* Xapian's generator only where ours may fall short: queries it
     * cannot read the words of, and words beyond ASCII (CJK n-grams). */
    bool xapian_snippets = needles.empty();
    for (const std::string &nd : needles)
        for (char c : nd)
            if (static_cast<unsigned char>(c) >= 0x80)
                xapian_snippets = true;
    /* Xapian's generator takes its words from an MSet: one of the words
     * typed, matched only when it will be used. */
    if (xapian_snippets && own_query) {
        snip_enq.set_query(snip_query);
        snip_enq.set_weighting_scheme(bm25);
        snip_mset = snip_enq.get_mset(0, 0);
    }
    /* A snippet from t[from..n) of a text of `total` bytes: from the
     * passage the needles point at, else from all of it. "" when none of
     * the query's words is there. *cover: how many different needles the
     * passage has (needles.size() when it cannot be told). */
    auto find_snippet = [&](const char *t, size_t n, size_t from, size_t total,
                            unsigned *cover) -> std::string {
        size_t at;
        *cover = static_cast<unsigned>(std::max<size_t>(needles.size(), 1));
        if (!needles.empty() &&
            best_place(t + from, n - from, needles, o->snippet_len * 3 / 2, &at, cover)) {
            at += from;
            /* Too near the end of a text read only in part: read on. */
            if (n < total && at + o->snippet_len > n)
                return std::string();
            {
                /* Some words before the passage; more when the text ends
                 * soon after it, so that the snippet is full. */
                size_t want = at > o->snippet_len / 6 ? at - o->snippet_len / 6 : 0;
                if (n - want < o->snippet_len)
                    want = n > o->snippet_len ? n - o->snippet_len : 0;
                if (want < from)
                    want = from;
                size_t s0 = want > 0 ? word_boundary(t, want) : 0;
                if (s0 > at || s0 < from)
                    s0 = at;
                std::string sn = own_snippet(hl, t, s0, o->snippet_len, n, total);
                if (!sn.empty() || !xapian_snippets)
                    return sn;
            }
            size_t a = at > o->snippet_len / 4 ? word_boundary(t, at - o->snippet_len / 4) : 0;
            if (a > at)
                a = 0;
            size_t e = std::min(n, at + o->snippet_len * 3 / 2);
            if (e < n)
                e = word_boundary(t, e);
            std::string sn = make_snippet(snip_mset, std::string(t + a, e - a));
            if (!sn.empty()) {
                const char *ell = "\xe2\x80\xa6";
                if (a > 0 && sn.compare(0, 3, ell) != 0)
                    sn.insert(0, ell);
                if (e < total && (sn.size() < 3 || sn.compare(sn.size() - 3, 3, ell) != 0))
                    sn += ell;
                return sn;
            }
        }
        if (!xapian_snippets)
            return std::string();
        std::string sn = make_snippet(snip_mset, std::string(t + from, n - from));
        if (!sn.empty() && from > 0 && sn.compare(0, 3, "\xe2\x80\xa6") != 0)
            sn.insert(0, "\xe2\x80\xa6");
        return sn;
    };
    r->snippets.reserve(mset.size());
    r->docs.reserve(mset.size());
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
        double tf = civ_monotonic();
        civ_doc *doc = nullptr;
        civ_error derr = CIV_ERROR_INIT;
        std::string data = it.get_document().get_data();
        civ_inflater *zt = nullptr;
        size_t total = 0;
        civ_status ds = o->snippet_len > 0
                            ? civ_doc_decode_stream(&doc, &zt, &total, data.data(), data.size(), &derr)
                            : decode_doc(&doc, data, 0, &derr);
        std::unique_ptr<civ_inflater, void (*)(civ_inflater *)> zt_owner(zt, civ_inflater_free);
        if (ds != CIV_OK) {
            if (derr.code == CIV_ENOMEM)
                return civ_error_set(err, CIV_ENOMEM, "out of memory");
            /* A damaged record shows as an untitled hit, not a failed search. */
            if (civ_doc_new(&doc, err) != CIV_OK)
                return CIV_ENOMEM;
        }
        r->docs.push_back(doc);
        double ts = civ_monotonic();
        r->times.fetch += ts - tf;
        std::string snip;
        if (o->snippet_len > 0 && zt) {
            /* The text is read a part at a time (head_len first, then
             * parts growing fourfold) until a part holds a passage with
             * all of the query's words (two, for queries of more than
             * three), or the text ends (the passage with the most of them
             * then serves): a long document costs what it takes to reach
             * a good passage, seldom its whole length. */
            civ_buf *tb = civ_doc_text_buf(doc);
            int complete = 0;
            size_t head_cut = 0, scanned = 0, part = head_len;
            unsigned best_cover = 0;
            const unsigned enough =
                needles.size() <= 3 ? static_cast<unsigned>(std::max<size_t>(needles.size(), 1)) : 2;
            civ_error zerr = CIV_ERROR_INIT;
            while (best_cover < enough && !complete) {
                if (civ_inflater_read(zt, tb, part, &complete, &zerr) != CIV_OK) {
                    if (zerr.code == CIV_ENOMEM)
                        return civ_error_set(err, CIV_ENOMEM, "out of memory");
                    break; /* damaged: what was read stands */
                }
                part = std::min<size_t>(part * 4, SNIPPET_PART_MAX);
                size_t cut = complete ? tb->len : word_boundary(tb->data, tb->len);
                if (!head_cut)
                    head_cut = cut;
                /* From a little before the last cut: a passage may span it. */
                size_t from = scanned > o->snippet_len ? word_boundary(tb->data, scanned - o->snippet_len) : 0;
                if (cut > from || scanned == 0) {
                    unsigned cover = 0;
                    std::string sn = find_snippet(tb->data, cut, from, complete ? cut : total, &cover);
                    if (!sn.empty() && cover > best_cover) {
                        snip = sn;
                        best_cover = cover;
                    }
                }
                scanned = cut;
            }
            if (snip.empty() && tb->len > 0)
                snip = lead_snippet(tb->data, head_cut ? head_cut : tb->len, o->snippet_len);
            else if (!snip.empty())
                snip = set_markers(snip, hs, he);
            civ_buf_free(civ_doc_text_buf(doc));
            snip = one_line(snip);
        }
        r->times.snippet += civ_monotonic() - ts;
        r->snippets.push_back(snip);
        civ_hit h;
        h.rank = o->offset + static_cast<unsigned>(r->hits.size()) + 1;
        h.score = it.get_weight();
        h.percent = it.get_percent();
        h.docid = *it;
        h.doc = doc;
        h.snippet = nullptr;
        r->hits.push_back(h);
    }
    for (size_t i = 0; i < r->hits.size(); i++)
        r->hits[i].snippet = r->snippets[i].c_str();
    if (self) {
        /* The page names the document it started from. */
        civ_error lerr = CIV_ERROR_INIT;
        if (decode_doc(&r->like, db->db.get_document(self).get_data(), 0, &lerr) != CIV_OK &&
            lerr.code == CIV_ENOMEM)
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    return CIV_OK;
}

} // namespace

extern "C" civ_status civ_search(civ_results **out, civ_db *db, const civ_search_opts *opts,
                                 civ_error *err)
{
    if (!out || !db || !opts)
        return civ_error_set(err, CIV_EINVAL, "civ_search: NULL argument");
    if (opts->version != CIV_SEARCH_OPTS_VERSION)
        return civ_error_set(err, CIV_EINVAL, "civ_search: unknown options version %u",
                             opts->version);
    *out = nullptr;
    CIV_TRY
    return with_retry(db, err, [&]() -> civ_status {
        std::unique_ptr<civ_results> r(new civ_results);
        civ_status s = run_search(r.get(), db, opts, err);
        if (s == CIV_OK)
            *out = r.release();
        return s;
    });
    CIV_CATCH(err, "index")
}

extern "C" void civ_results_free(civ_results *r)
{
    delete r;
}

extern "C" size_t civ_results_size(const civ_results *r)
{
    return r ? r->hits.size() : 0;
}

extern "C" uint64_t civ_results_total(const civ_results *r, int *exact)
{
    if (exact)
        *exact = r && r->exact;
    return r ? r->total : 0;
}

extern "C" const civ_hit *civ_results_hit(const civ_results *r, size_t i)
{
    return r && i < r->hits.size() ? &r->hits[i] : nullptr;
}

extern "C" const civ_facet *civ_results_facets(const civ_results *r, size_t *n)
{
    if (n)
        *n = r ? r->facets.size() : 0;
    return r && !r->facets.empty() ? r->facets.data() : nullptr;
}

extern "C" const civ_doc *civ_results_like(const civ_results *r)
{
    return r ? r->like : nullptr;
}

extern "C" const char *civ_results_suggestion(const civ_results *r)
{
    return r && !r->suggestion.empty() ? r->suggestion.c_str() : nullptr;
}

extern "C" const char *civ_results_query_description(const civ_results *r)
{
    return r ? r->description.c_str() : "";
}

extern "C" void civ_results_times(const civ_results *r, civ_search_times *out)
{
    if (!out)
        return;
    if (r)
        *out = r->times;
    else
        *out = civ_search_times{ 0, 0, 0, 0 };
}

/* ---- statistics ----------------------------------------------------- */

namespace {

uint64_t dir_size(const std::string &path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return 0;
    if (!S_ISDIR(st.st_mode))
        return static_cast<uint64_t>(st.st_size);
    uint64_t total = 0;
    DIR *d = opendir(path.c_str());
    if (!d)
        return 0;
    while (struct dirent *e = readdir(d)) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        std::string p = path + "/" + e->d_name;
        if (stat(p.c_str(), &st) != 0)
            continue;
        if (S_ISREG(st.st_mode))
            total += static_cast<uint64_t>(st.st_size);
        else if (S_ISDIR(st.st_mode) && e->d_name[0] != '.')
            total += dir_size(p); /* the generation a stub points to */
    }
    closedir(d);
    return total;
}

civ_status prefix_counts(const Xapian::Database &db, const char *prefix, civ_count **out,
                         size_t *n)
{
    std::vector<std::pair<std::string, Xapian::doccount>> v;
    size_t pl = strlen(prefix);
    for (Xapian::TermIterator t = db.allterms_begin(prefix); t != db.allterms_end(prefix); ++t) {
        std::string term = *t;
        /* Skip longer prefixes sharing our first letters ("XT" vs "XTO"). */
        if (term.size() > pl && term[pl] >= 'A' && term[pl] <= 'Z')
            continue;
        v.emplace_back(term.substr(pl), t.get_termfreq());
    }
    std::sort(v.begin(), v.end(), [](const std::pair<std::string, Xapian::doccount> &a,
                                     const std::pair<std::string, Xapian::doccount> &b) {
        return a.second != b.second ? a.second > b.second : a.first < b.first;
    });
    *n = 0;
    *out = static_cast<civ_count *>(calloc(v.size() + 1, sizeof(civ_count)));
    if (!*out)
        return CIV_ENOMEM;
    for (auto &p : v) {
        char *s = strdup(p.first.c_str());
        if (!s)
            return CIV_ENOMEM;
        (*out)[*n].value = s;
        (*out)[*n].count = p.second;
        (*n)++;
    }
    return CIV_OK;
}

} // namespace

extern "C" void civ_stats_free(civ_stats *s)
{
    if (!s)
        return;
    civ_count *lists[] = { s->types, s->langs, s->formats };
    size_t counts[] = { s->ntypes, s->nlangs, s->nformats };
    for (int l = 0; l < 3; l++) {
        for (size_t i = 0; i < counts[l]; i++)
            free(lists[l][i].value);
        free(lists[l]);
    }
    free(s->stemmer);
    free(s);
}

extern "C" civ_status civ_db_stats(civ_stats **out, civ_db *db, const char *path, civ_error *err)
{
    if (!out || !db)
        return civ_error_set(err, CIV_EINVAL, "civ_db_stats: NULL argument");
    *out = nullptr;
    civ_stats *s = static_cast<civ_stats *>(calloc(1, sizeof *s));
    if (!s)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    try {
        s->documents = db->db.get_doccount();
        uint64_t terms = 0;
        for (Xapian::TermIterator t = db->db.allterms_begin(); t != db->db.allterms_end(); ++t)
            terms++;
        s->terms = terms;
        s->disk_bytes = path ? dir_size(path) : 0;
        std::string up = db->db.get_metadata(META_UPDATED);
        s->updated = up.empty() ? -1 : std::atoll(up.c_str());
        s->stemmer = strdup(db->stemmer_lang.c_str());
        const civ_field_def *ft = civ_schema_field("type"), *fl = civ_schema_field("lang"),
                            *ff = civ_schema_field("format");
        if (!s->stemmer || prefix_counts(db->db, ft->prefix, &s->types, &s->ntypes) != CIV_OK ||
            prefix_counts(db->db, fl->prefix, &s->langs, &s->nlangs) != CIV_OK ||
            prefix_counts(db->db, ff->prefix, &s->formats, &s->nformats) != CIV_OK) {
            civ_stats_free(s);
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        }
    } catch (...) {
        civ_stats_free(s);
        return map_exception(err, "index");
    }
    *out = s;
    return CIV_OK;
}

/* ---- the write side ------------------------------------------------- */

namespace {

/* Stop-word test by hashing rather than SimpleStopper's ordered set. */
class HashStopper : public Xapian::Stopper {
    std::unordered_set<std::string> words;

  public:
    void add(const char *w) { words.insert(w); }
    bool operator()(const std::string &term) const override
    {
        return term.size() <= 12 && words.count(term) != 0;
    }
};

/* Word counts for the spelling dictionary: an open-addressing table over
 * one buffer of the words' bytes. Every word of every document passes
 * through it, at a fraction of the cost of a std::unordered_map of
 * strings (no allocation per word). */
class WordCounts {
    struct Slot {
        uint64_t hash;
        uint32_t off, len, count;
    };
    std::vector<Slot> slots_;
    std::string bytes_;
    size_t used_ = 0;

    static uint64_t hash_of(const char *w, size_t n)
    {
        return civ_hash64(w, n, 0) | 1; /* 0 marks a free slot */
    }
    void grow()
    {
        std::vector<Slot> old(slots_.empty() ? 1024 : slots_.size() * 2, Slot{ 0, 0, 0, 0 });
        old.swap(slots_);
        size_t mask = slots_.size() - 1;
        for (const Slot &o : old) {
            if (!o.hash)
                continue;
            size_t i = o.hash & mask;
            while (slots_[i].hash)
                i = (i + 1) & mask;
            slots_[i] = o;
        }
    }

  public:
    void add(const char *w, size_t n, uint32_t inc = 1)
    {
        if ((used_ + 1) * 2 > slots_.size())
            grow();
        uint64_t h = hash_of(w, n);
        size_t mask = slots_.size() - 1;
        size_t i = h & mask;
        while (slots_[i].hash) {
            Slot &sl = slots_[i];
            if (sl.hash == h && sl.len == n && memcmp(bytes_.data() + sl.off, w, n) == 0) {
                sl.count += inc;
                return;
            }
            i = (i + 1) & mask;
        }
        slots_[i] = Slot{ h, static_cast<uint32_t>(bytes_.size()), static_cast<uint32_t>(n), inc };
        bytes_.append(w, n);
        used_++;
    }
    size_t size() const { return used_; }
    bool empty() const { return used_ == 0; }
    /* Calls f(word, count) for every word. */
    template <class F> void each(F f) const
    {
        for (const Slot &sl : slots_)
            if (sl.hash)
                f(std::string(bytes_, sl.off, sl.len), sl.count);
    }
    void clear()
    {
        std::vector<Slot>().swap(slots_);
        std::string().swap(bytes_);
        used_ = 0;
    }
};

} // namespace

/* TermGenerator flags for all text. */
const Xapian::TermGenerator::flags TG_FLAGS = Xapian::TermGenerator::FLAG_CJK_NGRAM;

struct civ_writer {
    Xapian::WritableDatabase db;
    Xapian::TermGenerator tg;
    Xapian::Stem stem;
    HashStopper stopper;
    std::string path;
    int text_level = 6;
    int spelling = 1;
    bool nosync = false;
    bool in_txn = false;
    bool stem_all = false;     /* META_STEMMING "all" */
    unsigned spell_docs = 0;   /* documents counted since the last flush */
    uint64_t spell_taken = 0;  /* CIV_SPELL_COUNT: documents since the last take */
    /* Spelling dictionary: the index language's code ("en"; "" for all),
     * and the words of documents since the last flush with how many
     * documents had each. */
    std::string spell_lang;
    WordCounts spell_words;
};

namespace {
std::string stemmer_code(const std::string &lang);
}

extern "C" civ_status civ_writer_open(civ_writer **out, const char *path,
                                      const civ_writer_opts *opts, civ_error *err)
{
    if (!out || !path)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_open: NULL argument");
    *out = nullptr;
    civ_writer_opts defaults = CIV_WRITER_OPTS_INIT;
    if (!opts)
        opts = &defaults;
    if (opts->version != CIV_WRITER_OPTS_VERSION)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_open: unknown options version");
    std::unique_ptr<civ_writer> w;
    CIV_TRY
    w.reset(new civ_writer);
    w->path = path;
    int flags = opts->overwrite ? Xapian::DB_CREATE_OR_OVERWRITE : Xapian::DB_CREATE_OR_OPEN;
    if (opts->nosync)
        flags |= Xapian::DB_NO_SYNC;
    w->db = Xapian::WritableDatabase(path, flags | Xapian::DB_BACKEND_GLASS);
    std::string fmt = w->db.get_metadata(META_FORMAT);
    std::string lang = w->db.get_metadata(META_STEMMER);
    if (fmt.empty() && w->db.get_doccount() > 0)
        return civ_error_set(err, CIV_EINVAL, "%s is a Xapian index not made by civindex", path);
    if (!fmt.empty() && fmt != CIV_INDEX_FORMAT)
        return civ_error_set(err, CIV_EINVAL,
                             "%s was made by another civsearch version (format %s); rebuild it with --full",
                             path, fmt.c_str());
    if (fmt.empty()) {
        lang = opts->stemmer && *opts->stemmer ? opts->stemmer : "english";
        try {
            (void)make_stemmer(lang);
        } catch (const Xapian::InvalidArgumentError &) {
            return civ_error_set(err, CIV_EINVAL, "unknown stemming language \"%s\"", lang.c_str());
        }
        w->db.set_metadata(META_FORMAT, CIV_INDEX_FORMAT);
        w->db.set_metadata(META_STEMMER, lang);
        w->db.set_metadata(META_STEMMING, lang == "none" ? "none" : "all");
        w->db.commit();
    }
    /* New indexes hold each word once, as its stem with positions: half
     * the postings of also keeping the word itself, which phrases would
     * otherwise need (bench/README.md, "Indexing speed"). Indexes made
     * before keep their own strategy. */
    w->stem_all = w->db.get_metadata(META_STEMMING) == "all";
    w->stem = make_stemmer(lang);
    w->tg.set_stemmer(w->stem);
    w->tg.set_stemming_strategy(lang == "none" ? Xapian::TermGenerator::STEM_NONE
                                : w->stem_all  ? Xapian::TermGenerator::STEM_ALL
                                               : Xapian::TermGenerator::STEM_SOME);
    if (!w->stem_all && (lang == "english" || lang == "en")) {
        /* Legacy "some" indexes: stop words get no "Z" stem. */
        for (const char *const *s = civ_stopwords_english; *s; s++)
            w->stopper.add(*s);
        w->tg.set_stopper(&w->stopper);
        w->tg.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
    }
    w->tg.set_flags(TG_FLAGS);
    w->tg.set_database(w->db);
    w->spell_lang = stemmer_code(lang);
    w->text_level = opts->text_level > 0 && opts->text_level <= 9 ? opts->text_level : 6;
    w->spelling = opts->spelling;
    w->nosync = opts->nosync != 0;
    w->db.begin_transaction(true);
    w->in_txn = true;
    *out = w.release();
    return CIV_OK;
    CIV_CATCH(err, path)
}

extern "C" void civ_writer_free(civ_writer *w)
{
    if (!w)
        return;
    try {
        /* Xapian commits what is pending when a database is closed outside
         * a transaction (a commit that failed leaves it so): open one, so
         * that cancelling it drops the changes instead. */
        if (!w->in_txn) {
            w->db.begin_transaction(false);
            w->in_txn = true;
        }
        w->db.cancel_transaction();
        w->db.close();
    } catch (...) {
    }
    delete w;
}

namespace {

void add_slot(Xapian::Document &xd, std::map<int, std::string> &slots, const civ_field_def *f,
              const char *value, size_t len)
{
    std::string v;
    if (f->slot == CIV_SLOT_DATE) {
        civ_date d;
        if (civ_date_parse(&d, value, len) != 0)
            return;
        char key[15];
        civ_date_key(&d, key);
        v = key;
        slots[f->slot] = v;
        return;
    }
    if (f->flags & CIV_FIELD_NUMBER) {
        xd.add_value(f->slot, Xapian::sortable_serialise(std::strtod(std::string(value, len).c_str(), nullptr)));
        return;
    }
    std::string &cur = slots[f->slot];
    v.assign(value, len);
    if (f->flags & CIV_FIELD_LOWER)
        v = norm_value(f, v);
    if (!cur.empty())
        cur += CIV_FACET_SEP;
    cur += v;
}

/* ISO 639-1 code of a stemming language, or "" (feed every document). */
std::string stemmer_code(const std::string &lang)
{
    static const char *const map[][2] = {
        { "english", "en" }, { "french", "fr" }, { "german", "de" }, { "spanish", "es" },
        { "italian", "it" }, { "portuguese", "pt" }, { "dutch", "nl" }, { "swedish", "sv" },
    };
    if (lang.size() == 2)
        return lang;
    for (auto &m : map)
        if (lang == m[0])
            return m[1];
    return "";
}

/* Adds words to the spelling dictionary in key order: words already there
 * are then looked up along the B-tree instead of all over it (a third of
 * the cost of adding a collection's words again). */
void add_spelling_sorted(Xapian::WritableDatabase &db,
                         std::vector<std::pair<std::string, Xapian::termcount>> &words)
{
    std::sort(words.begin(), words.end());
    for (auto &wc : words)
        db.add_spelling(wc.first, wc.second);
}

void flush_spelling(civ_writer *w)
{
    if (w->spelling != CIV_SPELL_FEED)
        return; /* counts wait for civ_writer_take_spelling */
    std::vector<std::pair<std::string, Xapian::termcount>> add;
    add.reserve(w->spell_words.size());
    w->spell_words.each([&add](const std::string &word, Xapian::termcount n) {
        add.emplace_back(word, n);
    });
    w->spell_words.clear();
    add_spelling_sorted(w->db, add);
    w->spell_docs = 0;
}

/* Counts are added in large batches: a common word is then updated once
 * per batch, not once per commit. */
const unsigned SPELL_BATCH_DOCS = 5000;
const size_t SPELL_BATCH_WORDS = 300000;

/* Adds the words of t[0..n) to the spelling counts. */
void spell_words_of(civ_writer *w, const char *t, size_t n)
{
    each_dictionary_word(t, n, [w](const char *word, size_t len) { w->spell_words.add(word, len); });
}

/* The spelling dictionary gets every title word (CIV_FIELD_SPELL, counted
 * by civ_writer_put), and the words of documents in the index's language
 * or of undetermined language (their first 64 KB): counted here and added
 * a batch at a time, this costs a fraction of feeding every occurrence
 * through the term generator (bench/README.md, "bench/spelling"). Words with digits, of
 * under 2 or over 40 bytes, or in scripts written without spaces are left
 * out. */
void count_spelling(civ_writer *w, const civ_doc *doc, const Xapian::Document &xd)
{
    if (!w->spell_lang.empty()) {
        const char *lang = civ_doc_get(doc, "lang");
        if (lang && *lang && w->spell_lang != lang && strcmp(lang, "und") != 0)
            return;
    }
    w->spell_docs++;
    w->spell_taken++;
    if (w->stem_all) {
        /* The terms are stems: read the words from the text itself. */
        size_t n;
        const char *t = civ_doc_text(doc, &n);
        spell_words_of(w, t, n < 65536 ? n : 65536);
        return;
    }
    for (Xapian::TermIterator t = xd.termlist_begin(); t != xd.termlist_end(); ++t) {
        const std::string &term = *t;
        if (term.size() < SPELL_MIN_BYTES || term.size() > SPELL_MAX_BYTES || (term[0] >= 'A' && term[0] <= 'Z'))
            continue;
        bool ok = true;
        for (unsigned char c : term)
            if ((c >= '0' && c <= '9') || c >= 0xE0) {
                ok = false;
                break;
            }
        if (ok)
            w->spell_words.add(term.data(), term.size());
    }
}

/* Memory a pending document holds in Xapian until commit, roughly: the
 * posting and position changes of each of its terms, and its data. The
 * constants were calibrated against peak RSS (bench/README.md). */
size_t pending_estimate(const Xapian::Document &xd, size_t words, size_t data_len)
{
    return static_cast<size_t>(xd.termlist_count()) * 120 + words * 12 + data_len + 512;
}

} // namespace

extern "C" civ_status civ_writer_put(civ_writer *w, const civ_doc *doc, size_t *bytes,
                                     civ_error *err)
{
    if (!w || !doc)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_put: NULL argument");
    const char *id = civ_doc_get(doc, "id");
    if (!id)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_put: document has no id");
    civ_status s = civ_doc_check(doc, err);
    if (s != CIV_OK)
        return s;
    CIV_TRY
    Xapian::Document xd;
    w->tg.set_document(xd);
    std::map<int, std::string> slots;
    const civ_field_def *file_field = civ_schema_field("file");
    size_t n = civ_doc_nvalues(doc);
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(doc, i, &v, &len);
        if (f->flags & CIV_FIELD_TEXT && f->prefix) {
            w->tg.index_text(Xapian::Utf8Iterator(v, len), f->weight ? f->weight : 1, f->prefix);
            w->tg.increase_termpos(10);
        }
        if (f->flags & CIV_FIELD_BODY) {
            w->tg.index_text(Xapian::Utf8Iterator(v, len), f->weight ? f->weight : 1);
            w->tg.increase_termpos(10);
        }
        if (w->spelling && (f->flags & CIV_FIELD_SPELL))
            spell_words_of(w, v, len);
        std::string term;
        if ((f->flags & (CIV_FIELD_BOOL | CIV_FIELD_FACET)) && exact_term(f, std::string(v, len), term) &&
            !(f == file_field && strcmp(v, id) == 0))
            xd.add_boolean_term(term);
        if (f->slot >= 0)
            add_slot(xd, slots, f, v, len);
    }
    size_t tlen;
    const char *text = civ_doc_text(doc, &tlen);
    if (tlen)
        w->tg.index_text(Xapian::Utf8Iterator(text, tlen));
    if (w->spelling)
        count_spelling(w, doc, xd);
    for (auto &kv : slots)
        xd.add_value(kv.first, kv.second);
    civ_buf data = CIV_BUF_INIT;
    s = civ_doc_encode(&data, doc, w->text_level, err);
    if (s != CIV_OK) {
        civ_buf_free(&data);
        return s;
    }
    xd.set_data(std::string(data.data, data.len));
    if (bytes)
        *bytes = pending_estimate(xd, w->tg.get_termpos(), data.len);
    civ_buf_free(&data);
    std::string idterm = std::string("Q") + id;
    if (idterm.size() > CIV_TERM_MAX)
        return civ_error_set(err, CIV_EINVAL, "document id is too long: %.60s…", id);
    w->db.replace_document(idterm, xd);
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_delete(civ_writer *w, const char *id, civ_error *err)
{
    if (!w || !id)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_delete: NULL argument");
    CIV_TRY
    w->db.delete_document(std::string("Q") + id);
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

namespace {

std::string file_term(const char *file)
{
    std::string t;
    if (!exact_term(civ_schema_field("file"), file, t))
        t = "XP";
    return t;
}

std::vector<Xapian::docid> docs_with_term(Xapian::WritableDatabase &db, const std::string &term)
{
    std::vector<Xapian::docid> v;
    for (Xapian::PostingIterator p = db.postlist_begin(term); p != db.postlist_end(term); ++p)
        v.push_back(*p);
    return v;
}

/* The documents of a file: its messages (XP term) and, for a file of one
 * document, the document whose id it is (no XP term then). */
std::vector<Xapian::docid> docs_of_file(Xapian::WritableDatabase &db, const char *file)
{
    std::vector<Xapian::docid> v = docs_with_term(db, file_term(file));
    std::string q = std::string("Q") + file;
    if (q.size() <= CIV_TERM_MAX)
        for (Xapian::docid d : docs_with_term(db, q))
            if (std::find(v.begin(), v.end(), d) == v.end())
                v.push_back(d);
    return v;
}

/* Replaces the exact-match term of field `name` from old to new value. */
void swap_term(Xapian::Document &xd, const char *name, const std::string &oldv, const std::string &newv)
{
    const civ_field_def *f = civ_schema_field(name);
    std::string ot, nt;
    if (!oldv.empty() && exact_term(f, oldv, ot)) {
        try {
            xd.remove_term(ot);
        } catch (const Xapian::InvalidArgumentError &) {
            /* it was not there */
        }
    }
    if (!newv.empty() && exact_term(f, newv, nt))
        xd.add_boolean_term(nt);
}

} // namespace

extern "C" civ_status civ_writer_delete_file(civ_writer *w, const char *file, unsigned *ndocs,
                                             civ_error *err)
{
    if (ndocs)
        *ndocs = 0;
    if (!w || !file)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_delete_file: NULL argument");
    CIV_TRY
    std::vector<Xapian::docid> v = docs_of_file(w->db, file);
    for (Xapian::docid did : v)
        w->db.delete_document(did);
    if (ndocs)
        *ndocs = static_cast<unsigned>(v.size());
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_relocate(civ_writer *w, const char *old_file, const char *new_file,
                                          const char *new_path, const char *new_root,
                                          long long mtime, unsigned *ndocs, civ_error *err)
{
    if (ndocs)
        *ndocs = 0;
    if (!w || !old_file || !new_file || !new_path)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_relocate: NULL argument");
    CIV_TRY
    std::vector<Xapian::docid> v = docs_of_file(w->db, old_file);
    size_t oldlen = strlen(old_file);
    for (Xapian::docid did : v) {
        Xapian::Document xd = w->db.get_document(did);
        std::string data = xd.get_data();
        civ_doc *doc = nullptr;
        civ_status s = civ_doc_decode(&doc, data.data(), data.size(), 1, err);
        if (s != CIV_OK)
            return s;
        std::unique_ptr<civ_doc, void (*)(civ_doc *)> guard(doc, civ_doc_free);
        const char *oid = civ_doc_get(doc, "id");
        std::string old_id = oid ? oid : old_file;
        std::string suffix = old_id.compare(0, oldlen, old_file) == 0 ? old_id.substr(oldlen) : "";
        std::string new_id = std::string(new_file) + suffix;
        const char *r = civ_doc_get(doc, "root");
        std::string old_root = r ? r : "";
        std::string root = new_root ? new_root : old_root;
        char num[32];
        snprintf(num, sizeof num, "%lld", mtime);
        civ_doc_set_str(doc, "id", new_id.c_str());
        civ_doc_set_str(doc, "file", new_file);
        civ_doc_set_str(doc, "path", new_path);
        civ_doc_set_str(doc, "mtime", num);
        if (!root.empty())
            civ_doc_set_str(doc, "root", root.c_str());
        if ((s = civ_doc_check(doc, err)) != CIV_OK)
            return s;
        civ_buf out = CIV_BUF_INIT;
        s = civ_doc_encode(&out, doc, w->text_level, err);
        if (s != CIV_OK) {
            civ_buf_free(&out);
            return s;
        }
        xd.set_data(std::string(out.data, out.len));
        civ_buf_free(&out);
        std::string newq = "Q" + new_id;
        if (newq.size() > CIV_TERM_MAX)
            return civ_error_set(err, CIV_EINVAL, "document id is too long: %.60s…", new_id.c_str());
        swap_term(xd, "id", old_id, new_id);
        swap_term(xd, "file", old_file, new_id == new_file ? std::string() : std::string(new_file));
        swap_term(xd, "root", old_root, root);
        xd.add_value(CIV_SLOT_MTIME, num);
        /* A document already at the new id (a stale copy) gives way. */
        std::vector<Xapian::docid> clash = docs_with_term(w->db, newq);
        for (Xapian::docid c : clash)
            if (c != did)
                w->db.delete_document(c);
        w->db.replace_document(did, xd);
    }
    if (ndocs)
        *ndocs = static_cast<unsigned>(v.size());
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_get_meta(char **out, civ_writer *w, const char *key, civ_error *err)
{
    if (!out || !w || !key)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_get_meta: NULL argument");
    *out = nullptr;
    CIV_TRY
    std::string v = w->db.get_metadata(key);
    if (v.empty())
        return CIV_OK;
    *out = strdup(v.c_str());
    if (!*out)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_set_meta(civ_writer *w, const char *key, const char *value,
                                          civ_error *err)
{
    if (!w || !key)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_set_meta: NULL argument");
    CIV_TRY
    w->db.set_metadata(key, value ? value : "");
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_commit(civ_writer *w, civ_error *err)
{
    if (!w)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_commit: NULL argument");
    CIV_TRY
    char now[32];
    snprintf(now, sizeof now, "%lld", static_cast<long long>(time(nullptr)));
    w->db.set_metadata(META_UPDATED, now);
    if (w->spelling == CIV_SPELL_FEED &&
        (w->spell_docs >= SPELL_BATCH_DOCS || w->spell_words.size() >= SPELL_BATCH_WORDS))
        flush_spelling(w);
    if (w->in_txn) {
        w->in_txn = false;
        w->db.commit_transaction();
    } else {
        w->db.commit();
    }
    w->db.begin_transaction(true);
    w->in_txn = true;
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_flush(civ_writer *w, civ_error *err)
{
    if (!w)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_flush: NULL argument");
    CIV_TRY
    flush_spelling(w);
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

struct civ_spelling {
    std::unordered_map<std::string, Xapian::termcount> words;
    uint64_t docs = 0; /* documents counted, all told */
};

extern "C" civ_status civ_spelling_new(civ_spelling **out, civ_error *err)
{
    if (!out)
        return civ_error_set(err, CIV_EINVAL, "civ_spelling_new: NULL argument");
    *out = nullptr;
    CIV_TRY
    *out = new civ_spelling;
    return CIV_OK;
    CIV_CATCH(err, "spelling")
}

extern "C" void civ_spelling_free(civ_spelling *sp)
{
    delete sp;
}

extern "C" size_t civ_spelling_pending(const civ_spelling *sp)
{
    return sp ? sp->words.size() : 0;
}

extern "C" civ_status civ_writer_take_spelling(civ_spelling *sp, civ_writer *w, civ_error *err)
{
    if (!sp || !w)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_take_spelling: NULL argument");
    CIV_TRY
    w->spell_words.each([sp](const std::string &word, Xapian::termcount n) {
        sp->words[word] += n;
    });
    w->spell_words.clear();
    sp->docs += w->spell_taken;
    w->spell_taken = 0;
    w->spell_docs = 0;
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

namespace {
/* Waiting words civ_writer_add_spelling keeps at most (about 100 MB). */
const size_t SPELL_MAX_WAITING = 2000000;
const uint64_t SPELL_KEEP_ALL_DOCS = 500;
}

extern "C" civ_status civ_writer_add_spelling(civ_writer *w, civ_spelling *sp, int final,
                                              civ_error *err)
{
    if (!sp || !w)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_add_spelling: NULL argument");
    CIV_TRY
    bool keep_all = final && sp->docs < SPELL_KEEP_ALL_DOCS;
    std::vector<std::pair<std::string, Xapian::termcount>> add;
    for (auto it = sp->words.begin(); it != sp->words.end();) {
        if (it->second >= 2 || keep_all) {
            auto node = sp->words.extract(it++);
            add.emplace_back(std::move(node.key()), node.mapped());
        } else {
            ++it;
        }
    }
    add_spelling_sorted(w->db, add);
    if (final || sp->words.size() > SPELL_MAX_WAITING)
        sp->words.clear();
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" uint64_t civ_writer_doc_count(const civ_writer *w)
{
    if (!w)
        return 0;
    try {
        return w->db.get_doccount();
    } catch (...) {
        return 0;
    }
}

extern "C" civ_status civ_writer_each(civ_writer *w, int (*fn)(void *ctx, const civ_known *k),
                                      void *ctx, civ_error *err)
{
    if (!w || !fn)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_each: NULL argument");
    CIV_TRY
    /* Reading the value streams and term lists in docid order is much
     * cheaper than fetching each document. Per document this keeps about
     * 40 bytes plus its file name once: a million documents fit. */
    Xapian::Database &db = w->db;
    Xapian::docid last = db.get_lastdocid();
    std::vector<long long> mtimes(last + 1, -1);
    std::vector<uint64_t> sizes(last + 1, 0);
    std::vector<std::array<char, 17>> hashes(last + 1);
    for (Xapian::ValueIterator v = db.valuestream_begin(CIV_SLOT_MTIME); v != db.valuestream_end(CIV_SLOT_MTIME); ++v)
        mtimes[v.get_docid()] = std::atoll((*v).c_str());
    for (Xapian::ValueIterator v = db.valuestream_begin(CIV_SLOT_SIZE); v != db.valuestream_end(CIV_SLOT_SIZE); ++v)
        sizes[v.get_docid()] = static_cast<uint64_t>(Xapian::sortable_unserialise(*v));
    for (Xapian::ValueIterator v = db.valuestream_begin(CIV_SLOT_HASH); v != db.valuestream_end(CIV_SLOT_HASH); ++v) {
        std::array<char, 17> &h = hashes[v.get_docid()];
        size_t n = std::min<size_t>((*v).size(), 16);
        memcpy(h.data(), (*v).data(), n);
        h[n] = '\0';
    }
    /* File and root ids: names packed in one buffer, documents point into
     * it by offset (0: none). */
    std::string names(1, '\0');
    std::vector<uint32_t> files(last + 1, 0), roots(last + 1, 0);
    const char *pfx[2] = { civ_schema_field("file")->prefix, civ_schema_field("root")->prefix };
    std::vector<uint32_t> *dst[2] = { &files, &roots };
    for (int k = 0; k < 2; k++) {
        size_t pl = strlen(pfx[k]);
        for (Xapian::TermIterator t = db.allterms_begin(pfx[k]); t != db.allterms_end(pfx[k]); ++t) {
            const std::string term = *t;
            if (names.size() + term.size() >= UINT32_MAX)
                throw std::bad_alloc();
            uint32_t off = static_cast<uint32_t>(names.size());
            names.append(term, pl, std::string::npos);
            names.push_back('\0');
            for (Xapian::PostingIterator p = db.postlist_begin(term); p != db.postlist_end(term); ++p)
                if (*p <= last)
                    (*dst[k])[*p] = off;
        }
    }
    for (Xapian::TermIterator t = db.allterms_begin("Q"); t != db.allterms_end("Q"); ++t) {
        std::string id = (*t).substr(1);
        Xapian::PostingIterator p = db.postlist_begin(*t);
        if (p == db.postlist_end(*t))
            continue;
        Xapian::docid did = *p;
        if (did > last)
            continue;
        civ_known k;
        k.id = id.c_str();
        k.mtime = mtimes[did];
        k.size = sizes[did];
        k.hash = hashes[did].data();
        k.file = files[did] ? names.c_str() + files[did] : k.id; /* one-document file */
        k.root = names.c_str() + roots[did];
        if (fn(ctx, &k))
            break;
    }
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

/* ---- compaction ------------------------------------------------------ */

namespace {

/* Syncs a file or every file of a folder, so that a rename that publishes
 * it never lands before its content. */
bool sync_path(const std::string &path)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return false;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path.c_str());
        if (!d)
            return false;
        bool ok = true;
        while (struct dirent *e = readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            ok = sync_path(path + "/" + e->d_name) && ok;
        }
        closedir(d);
        int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
            return false;
        ok = fsync(fd) == 0 && ok;
        close(fd);
        return ok;
    }
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = fsync(fd) == 0;
    close(fd);
    return ok;
}

} // namespace

extern "C" civ_status civ_compact(const char *dst, const char *const *srcs, size_t n,
                                  int single_file, civ_error *err)
{
    if (!dst || (!srcs && n))
        return civ_error_set(err, CIV_EINVAL, "civ_compact: NULL argument");
    if (n == 0)
        return civ_error_set(err, CIV_EINVAL, "civ_compact: nothing to merge");
    CIV_TRY
    Xapian::Database all;
    for (size_t i = 0; i < n; i++)
        all.add_database(Xapian::Database(srcs[i]));
    unsigned flags = Xapian::Compactor::FULLER | Xapian::DB_BACKEND_GLASS;
    if (n > 64)
        flags |= Xapian::DBCOMPACT_MULTIPASS; /* bounds open files and memory */
    if (single_file)
        flags |= Xapian::DBCOMPACT_SINGLE_FILE;
    all.compact(dst, flags);
    all.close();
    if (!sync_path(dst))
        return civ_error_set(err, CIV_EIO, "cannot sync %s", dst);
    return CIV_OK;
    CIV_CATCH(err, dst)
}
