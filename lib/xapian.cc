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
#include <cstdio>
#include <cstring>
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

/* BM25 parameters tuned on the Cranfield and CISI collections
 * (bench/relevance): see bench/README.md. */
const double BM25_K1 = 1.2, BM25_K2 = 0.0, BM25_K3 = 1.0, BM25_B = 0.75, BM25_MINNORM = 0.5;

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
    Xapian::Stem stem;
    Xapian::SimpleStopper stopper;
    std::unique_ptr<Xapian::QueryParser> qp;
};

namespace {

void setup_parser(civ_db *d)
{
    d->qp.reset(new Xapian::QueryParser);
    Xapian::QueryParser &qp = *d->qp;
    qp.set_database(d->db);
    qp.set_stemmer(d->stem);
    qp.set_stemming_strategy(d->stemmer_lang == "none" ? Xapian::QueryParser::STEM_NONE
                                                       : Xapian::QueryParser::STEM_SOME);
    if (d->stemmer_lang == "english" || d->stemmer_lang == "en")
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
}

void open_db(civ_db *d, const char *path)
{
    d->db = Xapian::Database(path);
    d->stemmer_lang = d->db.get_metadata(META_STEMMER);
    if (d->stemmer_lang.empty())
        d->stemmer_lang = "english";
    d->stem = make_stemmer(d->stemmer_lang);
    setup_parser(d);
}

/* Brings db to the latest state; when civindex has replaced the whole
 * generation the handle points to, opens the index afresh from its path. */
void reopen_db(civ_db *db)
{
    try {
        db->db.reopen();
        return;
    } catch (const Xapian::Error &) {
        if (db->path.empty())
            throw;
    }
    db->db = Xapian::Database(db->path);
    db->qp->set_database(db->db);
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
    bool c;
    try {
        c = db->db.reopen();
    } catch (const Xapian::DatabaseError &) {
        reopen_db(db); /* civindex swapped in a new generation */
        c = true;
    }
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

/* Reopens db; true when there was a newer state to move to. */
bool reopen_changed(civ_db *db)
{
    try {
        return db->db.reopen();
    } catch (const Xapian::Error &) {
        if (db->path.empty())
            return false;
    }
    db->db = Xapian::Database(db->path);
    db->qp->set_database(db->db);
    return true;
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
            if (attempt >= 5 || !reopen_changed(db))
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
    uint64_t total = 0;
    bool exact = false;

    ~civ_results()
    {
        for (civ_doc *d : docs)
            civ_doc_free(d);
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

civ_status run_search(civ_results *r, civ_db *db, const civ_search_opts *o, civ_error *err)
{
    /* 1. The query text. */
    Xapian::Query q;
    std::string text = o->query ? o->query : "";
    bool match_all = false;
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
            Xapian::QueryParser &qp = *db->qp;
            qp.set_default_op(o->default_or ? Xapian::Query::OP_OR : Xapian::Query::OP_AND);
            qp.set_max_expansion(o->wildcard_limit ? o->wildcard_limit : 1000,
                                 Xapian::Query::WILDCARD_LIMIT_MOST_FREQUENT);
            q = qp.parse_query(text, parse_flags(o->spelling));
            if (o->spelling)
                r->suggestion = qp.get_corrected_query_string();
            if (q.empty() && !match_all)
                return civ_error_set(err, CIV_EQUERY,
                                     "query has no searchable words (only stop words or punctuation)");
        }
        if (match_all)
            q = q.empty() ? Xapian::Query::MatchAll
                          : Xapian::Query(Xapian::Query::OP_AND, Xapian::Query::MatchAll, q);
    }
    /* 2. Similar documents. */
    Xapian::docid self = 0;
    if (o->like) {
        Xapian::Query lq;
        try {
            lq = like_query(db, o->like, &self);
        } catch (const Xapian::DocNotFoundError &) {
            return civ_error_set(err, CIV_ENOTFOUND, "no document with id %s", o->like);
        }
        if (q.empty())
            q = lq.empty() ? Xapian::Query::MatchNothing : lq;
        else if (!lq.empty())
            q = Xapian::Query(Xapian::Query::OP_AND_MAYBE, q, lq);
        q = Xapian::Query(Xapian::Query::OP_AND_NOT, q,
                          Xapian::Query("Q" + std::string(o->like)));
    }
    /* 3. Filters and the date range. */
    if (o->nfilters) {
        Xapian::Query f = filter_query(o);
        if (!f.empty())
            q = Xapian::Query(Xapian::Query::OP_FILTER, q, f);
    }
    if ((o->date_from && *o->date_from) || (o->date_until && *o->date_until)) {
        Xapian::Query d = date_range_query(o->date_from ? o->date_from : "",
                                           o->date_until ? o->date_until : "");
        q = Xapian::Query(Xapian::Query::OP_FILTER, q, d);
    }
    r->description = q.get_description();

    /* 4. Match. */
    Xapian::Enquire enq(db->db);
    enq.set_query(q);
    double k1 = o->bm25_k1 > 0 ? o->bm25_k1 : BM25_K1;
    double b = o->bm25_b > 0 ? o->bm25_b : BM25_B;
    enq.set_weighting_scheme(Xapian::BM25Weight(k1, BM25_K2, BM25_K3, b, BM25_MINNORM));
    if (o->sort == CIV_SORT_DATE_ASC)
        enq.set_sort_by_value_then_relevance(CIV_SLOT_DATE, false);
    else if (o->sort == CIV_SORT_DATE_DESC)
        enq.set_sort_by_value_then_relevance(CIV_SLOT_DATE, true);
    if (o->time_limit_ms)
        enq.set_time_limit(o->time_limit_ms / 1000.0);
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

    /* 5. Hits: stored fields, and a snippet from the stored text. */
    const std::string hs = o->hi_start ? o->hi_start : "<b>";
    const std::string he = o->hi_end ? o->hi_end : "</b>";
    r->snippets.reserve(mset.size());
    r->docs.reserve(mset.size());
    for (Xapian::MSetIterator it = mset.begin(); it != mset.end(); ++it) {
        civ_doc *doc = nullptr;
        civ_error derr = CIV_ERROR_INIT;
        std::string data = it.get_document().get_data();
        if (decode_doc(&doc, data, o->snippet_len > 0, &derr) != CIV_OK) {
            if (derr.code == CIV_ENOMEM)
                return civ_error_set(err, CIV_ENOMEM, "out of memory");
            /* A damaged record shows as an untitled hit, not a failed search. */
            if (civ_doc_new(&doc, err) != CIV_OK)
                return CIV_ENOMEM;
        }
        r->docs.push_back(doc);
        std::string snip;
        if (o->snippet_len > 0) {
            size_t tlen;
            const char *t = civ_doc_text(doc, &tlen);
            if (tlen > 0)
                snip = mset.snippet(std::string(t, tlen), o->snippet_len, db->stem,
                                    Xapian::MSet::SNIPPET_BACKGROUND_MODEL |
                                        Xapian::MSet::SNIPPET_CJK_NGRAM,
                                    hs, he, "\xe2\x80\xa6");
            civ_buf_free(civ_doc_text_buf(doc));
            snip = one_line(snip);
        }
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
    (void)self;
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

extern "C" const char *civ_results_suggestion(const civ_results *r)
{
    return r && !r->suggestion.empty() ? r->suggestion.c_str() : nullptr;
}

extern "C" const char *civ_results_query_description(const civ_results *r)
{
    return r ? r->description.c_str() : "";
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

} // namespace

/* TermGenerator flags for all text; FLAG_SPELLING is added for titles. */
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
};

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
        w->db.commit();
    }
    w->stem = make_stemmer(lang);
    w->tg.set_stemmer(w->stem);
    w->tg.set_stemming_strategy(lang == "none" ? Xapian::TermGenerator::STEM_NONE
                                               : Xapian::TermGenerator::STEM_SOME);
    if (lang == "english" || lang == "en") {
        for (const char *const *s = civ_stopwords_english; *s; s++)
            w->stopper.add(*s);
        w->tg.set_stopper(&w->stopper);
        w->tg.set_stopper_strategy(Xapian::TermGenerator::STOP_STEMMED);
    }
    w->tg.set_flags(TG_FLAGS);
    w->tg.set_database(w->db);
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
        if (w->in_txn)
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
    if (f->slot == CIV_SLOT_SIZE) {
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
            bool spell = w->spelling && (f->flags & CIV_FIELD_SPELL);
            /* set_flags(toggle, mask) computes (flags & mask) ^ toggle: set
             * whole values, or CJK n-grams get lost and spelling stays on. */
            if (spell)
                w->tg.set_flags(TG_FLAGS | Xapian::TermGenerator::FLAG_SPELLING);
            w->tg.index_text(Xapian::Utf8Iterator(v, len), f->weight ? f->weight : 1);
            if (spell)
                w->tg.set_flags(TG_FLAGS);
            w->tg.increase_termpos(10);
        }
        std::string term;
        if ((f->flags & (CIV_FIELD_BOOL | CIV_FIELD_FACET)) && exact_term(f, std::string(v, len), term))
            xd.add_boolean_term(term);
        if (f->slot >= 0)
            add_slot(xd, slots, f, v, len);
    }
    size_t tlen;
    const char *text = civ_doc_text(doc, &tlen);
    if (tlen)
        w->tg.index_text(Xapian::Utf8Iterator(text, tlen));
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

std::vector<Xapian::docid> docs_of_file(Xapian::WritableDatabase &db, const std::string &term)
{
    std::vector<Xapian::docid> v;
    for (Xapian::PostingIterator p = db.postlist_begin(term); p != db.postlist_end(term); ++p)
        v.push_back(*p);
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
    std::string term = file_term(file);
    std::vector<Xapian::docid> v = docs_of_file(w->db, term);
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
    std::vector<Xapian::docid> v = docs_of_file(w->db, file_term(old_file));
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
        swap_term(xd, "file", old_file, new_file);
        swap_term(xd, "root", old_root, root);
        xd.add_value(CIV_SLOT_MTIME, num);
        /* A document already at the new id (a stale copy) gives way. */
        std::vector<Xapian::docid> clash = docs_of_file(w->db, newq);
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
        k.file = names.c_str() + files[did];
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
