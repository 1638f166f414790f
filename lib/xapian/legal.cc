/* lib/xapian/legal.cc — legal entity fields in queries: what a user types
 * after usc:, case:, agency:, exemption:, … and cite: is read by the same
 * extractor as the text (civ/entities.h) and becomes the canonical terms
 * the writer indexed; plain words naming entities are ORed with them. */
#include "internal.hh"

#include <algorithm>

extern "C" {
#include "civ/legal.h"
}

using namespace civx;

namespace {

/* A result list that frees itself. */
struct List {
    civ_entity_list *l = nullptr;
    List()
    {
        if (civ_entity_list_new(&l, nullptr) != CIV_OK)
            throw std::bad_alloc();
    }
    ~List() { civ_entity_list_free(l); }
};

/* The canonical values of kind `kind` that text names, found by the
 * extractor as a query is read; FINE forms too when fine is set. */
std::vector<std::string> entity_values(const std::string &text, civ_entity_kind kind, bool fine)
{
    std::vector<std::string> out;
    const civ_entities *ents = entity_scanner();
    if (!ents || text.empty())
        return out;
    List list;
    if (civ_entities_normalise(list.l, ents, text.data(), text.size(), nullptr) != CIV_OK)
        return out;
    size_t n;
    const civ_entity *es = civ_entity_list_items(list.l, &n);
    size_t coarse_start = SIZE_MAX;
    for (size_t i = 0; i < n; i++) {
        if (es[i].kind != kind || (es[i].flags & CIV_ENTITY_REF) ||
            ((es[i].flags & CIV_ENTITY_FINE) && !fine))
            continue;
        std::string v(es[i].value, es[i].value_len);
        /* A finer form ("18 U.S.C. 2703(d)") stands for what was typed:
         * it replaces its section, reported just before it. */
        if ((es[i].flags & CIV_ENTITY_FINE) && es[i].start == coarse_start && !out.empty())
            out.pop_back();
        coarse_start = (es[i].flags & CIV_ENTITY_FINE) ? SIZE_MAX : es[i].start;
        if (std::find(out.begin(), out.end(), v) == out.end())
            out.push_back(v);
        else if (!(es[i].flags & CIV_ENTITY_FINE))
            coarse_start = SIZE_MAX;
    }
    return out;
}

/* What a user types after each field, when it is not a canonical form
 * already, read as the text would say it: "6" after exemption: is
 * "exemption 6", "fourth" after amendment: "fourth amendment". */
std::vector<std::string> hinted(const std::string &v, civ_entity_kind kind)
{
    switch (kind) {
    case CIV_ENTITY_AMENDMENT: return { "amendment " + v, v + " amendment" };
    case CIV_ENTITY_EXEMPTION: return { "exemption " + v };
    case CIV_ENTITY_ACT: return { v + " act" };
    case CIV_ENTITY_COURT: return { v + " circuit", v + " court" };
    case CIV_ENTITY_DOCKET: return { "No. " + v };
    case CIV_ENTITY_PUBLAW: return { "Pub. L. " + v };
    default: return {};
    }
}

bool all_digits(const std::string &s, size_t from, size_t to)
{
    if (from >= to || to > s.size())
        return false;
    for (size_t i = from; i < to; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* "585-us-296": volume, reporter, page. */
bool case_form(const std::string &v)
{
    size_t a = v.find('-'), b = v.rfind('-');
    return a != std::string::npos && b > a + 1 && all_digits(v, 0, a) && all_digits(v, b + 1, v.size());
}

/* [a-z0-9] and '-' from s[from] to s[to], starting with a letter or digit. */
bool slug(const std::string &s, size_t from, size_t to)
{
    if (from >= to || to > s.size() || s[from] == '-')
        return false;
    for (size_t i = from; i < to; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

/* A section after a title or an act: a digit, then letters, digits,
 * '-' and '.' ("2703", "2000e-2", "16.1"). */
bool section(const std::string &s, size_t from, size_t to)
{
    if (from >= to || to > s.size() || s[from] < '0' || s[from] > '9')
        return false;
    for (size_t i = from; i < to; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '.'))
            return false;
    return true;
}

/* Whether v (lower-cased as typed) has the shape of a canonical value of
 * kind (docs/entities.md): "18/2703", "18/2703/d", "28/16.1", "107-56",
 * "585-us-296", "4", "b7c", "fisa/702", "fbi", "9th-cir", "20-1234". */
bool canonical_shape(civ_entity_kind kind, const std::string &v)
{
    size_t slash = v.find('/');
    switch (kind) {
    case CIV_ENTITY_USC: {
        if (slash == std::string::npos || !all_digits(v, 0, slash))
            return false;
        size_t sub = v.find('/', slash + 1);
        if (!section(v, slash + 1, sub == std::string::npos ? v.size() : sub))
            return false;
        for (; sub != std::string::npos; sub = v.find('/', sub + 1)) {
            size_t e = v.find('/', sub + 1);
            if (!slug(v, sub + 1, e == std::string::npos ? v.size() : e))
                return false;
        }
        return true;
    }
    case CIV_ENTITY_CFR:
        return slash != std::string::npos && all_digits(v, 0, slash) && section(v, slash + 1, v.size());
    case CIV_ENTITY_PUBLAW: {
        size_t dash = v.find('-');
        return dash != std::string::npos && all_digits(v, 0, dash) && all_digits(v, dash + 1, v.size());
    }
    case CIV_ENTITY_CASE: return case_form(v) && slug(v, 0, v.size());
    case CIV_ENTITY_AMENDMENT:
        return all_digits(v, 0, v.size()) && v.size() <= 2 && std::stoi(v) >= 1 && std::stoi(v) <= 27;
    case CIV_ENTITY_EXEMPTION:
        return (v.size() == 2 || v.size() == 3) && v[0] == 'b' && v[1] >= '1' && v[1] <= '9' &&
               (v.size() == 2 || (v[1] == '7' && v[2] >= 'a' && v[2] <= 'f'));
    case CIV_ENTITY_ACT:
        if (slash != std::string::npos)
            return slug(v, 0, slash) && section(v, slash + 1, v.size());
        return slug(v, 0, v.size());
    case CIV_ENTITY_AGENCY:
    case CIV_ENTITY_CLAUSE:
    case CIV_ENTITY_BODY:
    case CIV_ENTITY_COURT: return slug(v, 0, v.size());
    case CIV_ENTITY_DOCKET:
        return v.find('-') != std::string::npos && v[0] >= '0' && v[0] <= '9' &&
               v.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz:.-") == std::string::npos;
    default: return false;
    }
}

/* The value typed, v, joins the extractor's reading of it, vs, when it
 * has its kind's canonical shape: a canonical form typed as it is finds
 * the documents holding it. It replaces the coarser forms the extractor
 * read in it: "fisa/702" is FISA's section 702, not FISA; "18/2703/d" a
 * subsection of 18/2703. */
void with_typed(std::vector<std::string> &vs, civ_entity_kind kind, const std::string &v)
{
    if (!canonical_shape(kind, v))
        return;
    vs.erase(std::remove_if(vs.begin(), vs.end(),
                            [&](const std::string &e) {
                                return v.size() > e.size() && v.compare(0, e.size(), e) == 0 &&
                                       v[e.size()] == '/';
                            }),
             vs.end());
    if (std::find(vs.begin(), vs.end(), v) == vs.end())
        vs.insert(vs.begin(), v);
}

/* Checks a literal value where its kind has a fixed shape. */
void check_literal(const civ_field_def *f, civ_entity_kind kind, const std::string &raw,
                   const std::string &v)
{
    if ((kind == CIV_ENTITY_AMENDMENT || kind == CIV_ENTITY_EXEMPTION) && !canonical_shape(kind, v))
        throw Xapian::QueryParserError(std::string("not a") +
                                       (kind == CIV_ENTITY_AMENDMENT ? "n amendment" : " FOIA exemption") +
                                       " after " + f->query_name + ": \"" + raw + "\" (try " +
                                       (kind == CIV_ENTITY_AMENDMENT ? "amendment:4 or amendment:fourth)"
                                                                     : "exemption:b6 or exemption:(b)(7)(C))"));
}

Xapian::Query any_of(const std::vector<Xapian::Query> &qs)
{
    if (qs.size() == 1)
        return qs[0];
    return Xapian::Query(Xapian::Query::OP_OR, qs.begin(), qs.end());
}

/* The terms of field f (an entity kind's) for a value as typed. */
class EntityFieldProcessor : public Xapian::FieldProcessor {
  protected:
    const civ_field_def *f;
    civ_entity_kind kind;

    /* The canonical values the user meant: the extractor's reading of the
     * value, else of the value with its field's word, else the value as a
     * canonical form. */
    std::vector<std::string> values(const std::string &str, bool *literal) const
    {
        *literal = false;
        std::vector<std::string> vs = entity_values(str, kind, kind == CIV_ENTITY_USC);
        for (const std::string &h : hinted(str, kind)) {
            if (!vs.empty())
                break;
            vs = entity_values(h, kind, false);
        }
        std::string v = norm_value(f, str);
        if (vs.empty()) {
            if (!v.empty())
                vs.push_back(v), *literal = true;
        } else {
            with_typed(vs, kind, v);
        }
        return vs;
    }

    void add_terms(std::vector<Xapian::Query> &qs, const std::string &v) const
    {
        qs.push_back(Xapian::Query(f->prefix + v));
        if (kind == CIV_ENTITY_USC)
            qs.push_back(Xapian::Query(std::string("XLFINEusc:") + v));
        /* Exemption 7 holds 7(A) to 7(F). */
        if (kind == CIV_ENTITY_EXEMPTION && v == "b7")
            for (char c = 'a'; c <= 'f'; c++)
                qs.push_back(Xapian::Query(f->prefix + v + c));
    }

  public:
    EntityFieldProcessor(const civ_field_def *f_, civ_entity_kind k) : f(f_), kind(k) {}

    Xapian::Query operator()(const std::string &str) override
    {
        return guarded([&]() { return query(str); });
    }

  protected:
    Xapian::Query query(const std::string &str)
    {
        bool literal;
        std::vector<std::string> vs = values(str, &literal);
        if (vs.empty())
            throw Xapian::QueryParserError(std::string("empty value after ") + f->query_name + ":");
        if (literal)
            check_literal(f, kind, str, vs[0]);
        std::vector<Xapian::Query> qs;
        for (const std::string &v : vs)
            add_terms(qs, v);
        return any_of(qs);
    }
};

/* case: a citation ("585 U.S. 296", 585-us-296) or words of case names
 * (carpenter, "carpenter v. united states"). */
class CaseFieldProcessor : public EntityFieldProcessor {
    Xapian::QueryParser words;

  public:
    CaseFieldProcessor(const civ_field_def *f_, const civ_db *d) : EntityFieldProcessor(f_, CIV_ENTITY_CASE)
    {
        words.set_stemmer(d->stem);
        words.set_stemming_strategy(d->stemmer_lang == "none" ? Xapian::QueryParser::STEM_NONE
                                    : d->stem_all              ? Xapian::QueryParser::STEM_ALL
                                                               : Xapian::QueryParser::STEM_SOME);
        words.set_default_op(Xapian::Query::OP_AND);
    }

    Xapian::Query operator()(const std::string &str) override
    {
        return guarded([&]() { return case_query(str); });
    }

  private:
    Xapian::Query case_query(const std::string &str)
    {
        std::vector<std::string> vs = entity_values(str, CIV_ENTITY_CASE, false);
        with_typed(vs, CIV_ENTITY_CASE, norm_value(f, str));
        if (!vs.empty()) {
            std::vector<Xapian::Query> qs;
            for (const std::string &c : vs)
                add_terms(qs, c);
            return any_of(qs);
        }
        /* A name: its words, as the extractor writes names ("v." is v). */
        std::vector<std::string> names = entity_values(str, CIV_ENTITY_CASENAME, false);
        std::string text = names.empty() ? str : names[0];
        Xapian::Query q = words.parse_query(names.empty() ? text : "\"" + text + "\"",
                                            Xapian::QueryParser::FLAG_PHRASE, "XLNAME");
        if (q.empty())
            throw Xapian::QueryParserError("no case citation or name after case: \"" + str + "\"");
        return q;
    }
};

/* The citation kinds cite: searches, and their fields' prefixes. */
const civ_entity_kind CITE_KINDS[] = { CIV_ENTITY_USC, CIV_ENTITY_CFR, CIV_ENTITY_PUBLAW, CIV_ENTITY_CASE,
                                       CIV_ENTITY_ACT };

/* cite: anything a document may cite — a statute, a regulation, a public
 * law, a case (and the document that is that case), an act's section —
 * as a user would write it; a canonical form is looked for under every
 * citation prefix. */
class CiteFieldProcessor : public Xapian::FieldProcessor {
  public:
    Xapian::Query operator()(const std::string &str) override
    {
        return guarded([&]() { return cite_query(str); });
    }

  private:
    static Xapian::Query cite_query(const std::string &str)
    {
        std::vector<Xapian::Query> qs;
        std::string typed = norm_value(civ_schema_field("citation"), str);
        bool number = typed.find_first_of("0123456789") != std::string::npos;
        for (civ_entity_kind k : CITE_KINDS) {
            const civ_field_def *f = civ_schema_field(civ_legal_field(k));
            std::vector<std::string> vs = entity_values(str, k, k == CIV_ENTITY_USC);
            /* A canonical form as typed ("fisa/702", "18/2703"); a citation
             * has a number ("cite:carpenter" is none). */
            if (number)
                with_typed(vs, k, typed);
            for (const std::string &v : vs) {
                qs.push_back(Xapian::Query(f->prefix + v));
                if (k == CIV_ENTITY_USC)
                    qs.push_back(Xapian::Query("XLFINEusc:" + v));
                if (k == CIV_ENTITY_CASE) {
                    qs.push_back(Xapian::Query("XLSELF" + v));
                    qs.push_back(Xapian::Query("XLPAR" + v));
                }
            }
        }
        if (!qs.empty())
            return any_of(qs);
        const std::string &v = typed;
        if (!number)
            throw Xapian::QueryParserError("not a citation after cite: \"" + str +
                                           "\" (try cite:\"18 U.S.C. 2703\" or cite:\"585 U.S. 296\")");
        for (civ_entity_kind k : CITE_KINDS)
            qs.push_back(Xapian::Query(civ_schema_field(civ_legal_field(k))->prefix + v));
        qs.push_back(Xapian::Query("XLFINEusc:" + v));
        qs.push_back(Xapian::Query("XLSELF" + v));
        qs.push_back(Xapian::Query("XLPAR" + v));
        return any_of(qs);
    }
};

/* redacted:yes, redacted:no. */
class RedactedFieldProcessor : public Xapian::FieldProcessor {
    std::string term;

  public:
    explicit RedactedFieldProcessor(const civ_field_def *f) : term(std::string(f->prefix) + "yes") {}
    Xapian::Query operator()(const std::string &str) override
    {
        return guarded([&]() {
            std::string v = norm_value(civ_schema_field("redacted"), str);
            if (v == "yes")
                return Xapian::Query(term);
            if (v == "no")
                return Xapian::Query(Xapian::Query::OP_AND_NOT, Xapian::Query::MatchAll, Xapian::Query(term));
            throw Xapian::QueryParserError("redacted: takes yes or no, not \"" + str + "\"");
        });
    }
};

} // namespace

const civ_entities *civx::entity_scanner()
{
    civ_entities *e = nullptr;
    return civ_entities_new(&e, nullptr) == CIV_OK ? e : nullptr;
}

Xapian::FieldProcessor *civx::legal_processor(const civ_field_def *f, const civ_db *d)
{
    std::string name = f->name;
    if (name == "case")
        return new CaseFieldProcessor(f, d);
    if (name == "citation")
        return new CiteFieldProcessor;
    if (name == "redacted")
        return new RedactedFieldProcessor(f);
    int kind = civ_legal_kind(f->name);
    if (kind >= 0 && (f->flags & CIV_FIELD_BOOL))
        return new EntityFieldProcessor(f, static_cast<civ_entity_kind>(kind));
    return nullptr;
}

std::string civx::with_entities(const std::string &text)
{
    const civ_entities *ents = entity_scanner();
    if (!ents || text.empty())
        return text;
    List list;
    civ_buf out = CIV_BUF_INIT;
    int n = civ_query_entities(&out, text.data(), text.size(), ents, list.l);
    std::string r = n > 0 ? std::string(out.data, out.len) : text;
    civ_buf_free(&out);
    if (n < 0)
        throw std::bad_alloc();
    return r;
}
