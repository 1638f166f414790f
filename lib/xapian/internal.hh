/*
 * lib/xapian/internal.hh — what the files of the Xapian layer share.
 *
 * The layer is the project's only C++: civ_db (db.cc; its shards, remote
 * ones and replicas: shards.cc), query parsing
 * (query.cc), matching (search.cc), facets (facets.cc), matching a page and
 * counting (count.cc), snippets (snippet.cc),
 * the spelling dictionary (spelling.cc), civ_writer (writer.cc),
 * compaction and shard merging (merge.cc) and statistics (stats.cc).
 *
 * Rules:
 *   - every extern "C" entry point catches everything (CIV_TRY/CIV_CATCH)
 *     and maps it to a civ_status with civx::map_exception();
 *   - no std::string, iterator or exception leaves the layer; strings
 *     handed to C are owned by the object they came from, as the headers
 *     say;
 *   - everything that is not a civ_* entry point is in namespace civx,
 *     which the library does not export (lib/civ.map).
 */
#ifndef CIV_XAPIAN_INTERNAL_HH
#define CIV_XAPIAN_INTERNAL_HH

#include <xapian.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

extern "C" {
#include "civ/date.h"
#include "civ/db.h"
#include "civ/query.h"
#include "civ/schema.h"
#include "civ/writer.h"
}

namespace civx {

/* A stop list over one or two of the sorted, NULL-terminated word lists of
 * civ/query.h, looked up by binary search: nothing is built, so opening an
 * index (or a writer) pays nothing for it. The lists must outlive it. */
class ListStopper : public Xapian::Stopper {
    const char *const *lists_[2];
    size_t sizes_[2];

  public:
    explicit ListStopper(const char *const *a, const char *const *b = nullptr);
    bool operator()(const std::string &term) const override;
};

/* ---- errors (error.cc) ------------------------------------------------ */

/* Classifies the exception being handled (call only inside a catch) into a
 * status and a one-line message naming `context` ("index", a path). */
civ_status map_exception(civ_error *err, const char *context);

/* Takes back the memory reserve (civ_oom_guard in civ/status.h) if an
 * allocation used it; throws std::bad_alloc when it cannot. */
void memory_reserve();

#define CIV_TRY try { civx::memory_reserve();
#define CIV_CATCH(err, ctx)                        \
    }                                              \
    catch (...)                                    \
    {                                              \
        return civx::map_exception((err), (ctx));  \
    }

/* ---- the index's own settings (metadata keys) -------------------------- */

extern const char *const META_FORMAT;   /* "civ:format": CIV_INDEX_FORMAT */
extern const char *const META_STEMMER;  /* "civ:stemmer": stemming language */
extern const char *const META_UPDATED;  /* "civ:updated": time of the last commit */
/* "civ:stemming": how words were stemmed — "all" (each word as its stem,
 * with positions; new indexes), "some" (each word as itself with
 * positions plus "Z" + its stem; indexes made before "all" existed, which
 * lack the key), or "none". The query side follows the index. */
extern const char *const META_STEMMING;
/* "civ:role": "spelling" in a database holding only a spelling dictionary
 * (civ_spelling_merge), which civ_db uses for suggestions, not documents. */
extern const char *const META_ROLE;
/* "civ:spelling": "1" in a database once spelling words were written to it
 * (they are never removed); "civ:positions": "1" while the database holds
 * positions (as of its last commit by civindex). Xapian takes
 * a missing spelling or position table for an empty one (and a phrase for
 * AND when there are no positions); with these keys, that is damage
 * (lost_table). */
extern const char *const META_SPELLING;
extern const char *const META_POSITIONS;

/* The name of a table of d that was written (META_SPELLING,
 * META_POSITIONS) but is empty now, its file lost; NULL when none is. */
const char *lost_table(const Xapian::Database &d);

Xapian::Stem make_stemmer(const std::string &lang);

/* The normalised value of a filter field (civ_schema_normalise). */
std::string norm_value(const civ_field_def *f, const std::string &v);

/* The exact-match term of a field value (civ_schema_exact_term); false
 * when the field has none. */
bool exact_term(const civ_field_def *f, const std::string &v, std::string &term);

/* The unique-id term of a document id ("Q" + id, cut to CIV_TERM_MAX). */
std::string id_term(const std::string &id);

/* Docid of the document with unique id `id`, or 0. */
Xapian::docid find_id(const Xapian::Database &db, const std::string &id);

/* The stored document with this id (civ_db_get, civ_writer_get): decoded,
 * with its text (and passages stored apart) when want_text. CIV_ENOTFOUND,
 * CIV_ECORRUPT, CIV_ENOMEM; Xapian errors are thrown. */
civ_status fetch_doc(civ_doc **out, const Xapian::Database &db, const char *id, int want_text,
                     civ_error *err);

/* The stored document xd decoded as fetch_doc does. */
civ_status decode_document(civ_doc **out, const Xapian::Document &xd, int want_text, civ_error *err);

/* A record that did not decode (why) as the error a reader reports:
 * CIV_ENOMEM as itself, anything else as an index damaged at document
 * did, with the advice to rebuild. Returns the status set. */
civ_status damaged_record(civ_error *err, Xapian::docid did, const civ_error &why);

/* The value a NUMBER field keeps in its slot, and back. */
std::string number_value(const char *v, size_t len);
std::string number_text(const std::string &slot_value);

} // namespace civx

/* ---- the read side (db.cc, shards.cc) ----------------------------------- */

namespace civx {

/* One place a shard can be read from. */
struct Replica {
    enum Kind { LOCAL, TCP } kind = LOCAL;
    std::string path;        /* LOCAL */
    std::string host;        /* TCP (without the brackets of an IPv6 address) */
    unsigned port = 0;
    std::string name;        /* as the user wrote it, for messages */
};

/* One shard of a civ_db: its replicas and the open one. */
struct Shard {
    std::string name;                 /* the spec or stub line it came from */
    std::vector<Replica> replicas;    /* in the order given */
    size_t cur = 0;                   /* the replica in use */
    bool open = false;                /* false: left out (allow_partial) */
    Xapian::Database db;
    double retry_at = 0;              /* left out: when to try it again */
    unsigned strikes = 0;             /* failures during the current search */
    bool dictionary = false;          /* a spelling dictionary only (META_ROLE) */
};

/* One database of the shards combined (combine()), in the order Xapian
 * numbers their documents: a match's document is read from it directly
 * when the shards are read in parallel (for_each_doc). */
struct Part {
    Xapian::Database db;
    size_t subs = 1;      /* the databases it holds (Database::size()) */
    bool remote = false;  /* read over Xapian's remote protocol */
};

/* A shard that cannot be read (none of its replicas answers): its status
 * (CIV_EIO, CIV_ETIMEOUT, CIV_ENOTFOUND) and one line naming it. */
struct ShardError {
    civ_status code;
    std::string msg;
};

} // namespace civx

struct civ_db {
    Xapian::Database db;      /* the open shards as one */
    Xapian::Database spell;   /* a dictionary shard (META_ROLE), if one is open */
    bool has_spell = false;
    std::string path;         /* the first spec (statistics measure it) */
    std::vector<civx::Shard> shards;
    std::vector<civx::Part> parts;      /* what db combines, in its order */
    std::vector<const char *> missing;  /* names of shards left out */
    unsigned timeout_ms = CIV_DB_TIMEOUT_MS;
    bool allow_partial = false;
    bool remote = false;      /* some open shard is remote: matching may not
                                 use a KeyMaker or a match spy of our own */
    bool keyed = false;       /* remote, and every document has a match key
                                 (CIV_SLOT_MATCH): matches by relevance are
                                 sorted by weight then key (set_keyed) */
    std::string stemmer_lang;
    bool stem_all = false;   /* the index holds stems only (META_STEMMING "all") */
    Xapian::Stem stem;
    civx::ListStopper stopper{ civ_stopwords_english };
    civx::ListStopper nl_stopper{ civ_stopwords_english, civ_stopwords_question };
    bool english = false;             /* the stop lists apply */
    std::unique_ptr<Xapian::QueryParser> qp;
    std::vector<std::string> text_prefixes; /* of free-text fields, longest first */

    /* Where spelling suggestions come from: a dictionary shard, else the
     * shards themselves (their local ones: Xapian serves no spelling over
     * the remote protocol). */
    const Xapian::Database &words() const { return has_spell ? spell : db; }
};

namespace civx {

/* The values in slot of documents dids[k] (xds[k] their documents) into
 * out[k] ("" where none): locally from the slot's value stream, read
 * forward in docid order, so that neighbouring documents share a block
 * (each document's get_value walks the table from its root); over remote
 * shards from the documents, which came with all their values. */
void slot_values(const civ_db *db, Xapian::valueno slot, const std::vector<Xapian::docid> &dids,
                 const std::vector<Xapian::Document> &xds, std::vector<std::string> &out);

/* Calls fn(k, part, did) for each k < dids.size(): did is dids[k] as the
 * database part numbers it. Where the matches lie in two remote shards or
 * more, each remote shard's documents are read in a thread of their own
 * (Xapian 1.4's remote backend answers one request at a time a
 * connection: a page's documents would otherwise cost a round trip each,
 * one after the other); otherwise part is db->db and did dids[k], in this
 * thread. fn writes only to what belongs to k, and touches no Xapian
 * object but part and what it makes from it. The first exception thrown
 * by fn is thrown again here once every thread has ended. */
void for_each_doc(const civ_db *db, const std::vector<Xapian::docid> &dids,
                  const std::function<void(size_t k, const Xapian::Database &part, Xapian::docid did)> &fn);

/* Sets db->keyed from the open shards. */
void set_keyed(civ_db *db);

/* Parses one spec (civ/db.h) into shards (a stub file gives one a line).
 * CIV_EINVAL for a malformed one, CIV_ENOTFOUND, CIV_EIO. */
civ_status parse_spec(std::vector<Shard> &out, const std::string &spec, civ_error *err);

/* Opens shard s on its first replica that answers, from s.cur on. Throws
 * ShardError when none does. */
void open_shard(civ_db *db, Shard &s);

/* Makes db->db of the open shards, reads the index's settings from the
 * first one and sets up the query parser. Throws ShardError when no shard
 * is open. */
void combine(civ_db *db);

/* After a network error during a query (context: the error's context,
 * which names the failed server): reconnects the remote shards, the
 * failed one on its next replica, or leaves it out (allow_partial);
 * throws ShardError when a shard cannot be read and may not be left out. */
void recover(civ_db *db, const std::string &context);

/* Brings db to the latest state; true when there was a newer one. When
 * civindex has replaced the whole generation a local shard points to, it
 * is opened afresh from its path, settings included. */
bool reopen_db(civ_db *db);

/* Runs fn, reopening the handle and retrying when the index changed
 * under the reader (a block reused by a commit made while we read looks
 * damaged; it is damage only if the index did not change), and after a
 * remote shard failed (recover()). */
template <class F> civ_status with_retry(civ_db *db, F fn)
{
    for (Shard &s : db->shards)
        s.strikes = 0;
    for (int attempt = 0;; attempt++) {
        try {
            return fn();
        } catch (const Xapian::DatabaseModifiedError &) {
            if (attempt >= 5)
                throw;
            reopen_db(db);
        } catch (const Xapian::DatabaseCorruptError &) {
            if (attempt >= 5 || !reopen_db(db))
                throw;
        } catch (const Xapian::NetworkError &e) {
            if (attempt >= 5 || !db->remote)
                throw;
            recover(db, e.get_context());
        }
    }
}

/* ---- queries (query.cc) ------------------------------------------------- */

/* Sets up db's query parser for its stemming and the schema's fields. */
void setup_parser(civ_db *db);

/* The query of a search, as parsed from its options. */
struct ParsedQuery {
    Xapian::Query text;      /* the words typed (snippets show these) */
    Xapian::Query like;      /* expansion terms of opts->like, or empty */
    Xapian::Query filter;    /* filters and the date range, or empty */
    Xapian::docid self = 0;  /* opts->like's document */
    bool natural = false;    /* a natural-language query (feedback applies) */
    std::string suggestion;  /* spelling correction, or "" */
};

/* Parses opts into pq. CIV_EQUERY (bad query), CIV_ENOTFOUND (like names
 * no document). Throws Xapian errors. */
civ_status parse_search(ParsedQuery &pq, civ_db *db, const civ_search_opts *o, civ_error *err);

/* The words snippets show: those typed (not the feedback terms), field
 * words included; for a similar-documents search with no words, the
 * document's telling words. */
Xapian::Query snippet_words(const civ_db *db, const ParsedQuery &pq);

/* The whole query: text, similar documents and filters together. */
Xapian::Query assemble(const ParsedQuery &pq, const Xapian::Query &text, const civ_search_opts *o);

/* The words a wildcard may stand for at most (civ_search_opts). */
inline Xapian::termcount wildcard_limit(const civ_search_opts *o)
{
    return o->wildcard_limit ? o->wildcard_limit : 1000;
}

/* The pattern of wildcard query q (OP_WILDCARD: "surveil" for surveil*,
 * with its field's prefix) into pattern; false when it cannot be told. */
bool wildcard_pattern(const Xapian::Query &q, std::string &pattern);

/* q with each wildcard replaced by a synonym of the words it stands for
 * over all of db's shards: its limit (> 0) most frequent ones (ties in the
 * words' order), in the words' order. Xapian expands a wildcard in each
 * shard over that shard's words alone, and over remote shards the words'
 * weights then follow each shard's estimate; expanded here, shards rank
 * as one index does. q itself where no wildcard changes (one database, or a
 * wildcard under an operator whose parameters Xapian's API does not
 * tell, such as a scaled weight). Throws Xapian errors. */
Xapian::Query expand_wildcards(const civ_db *db, const Xapian::Query &q, Xapian::termcount limit);

/* The query's words as they occur in the body text: terms of free-text
 * fields lose their prefix ("title:slipstream" highlights slipstream in
 * the text too). Empty when nothing had a field prefix. */
Xapian::Query unprefixed_terms(const civ_db *db, const Xapian::Query &q);

/* ---- varints (the passages' index, the facets' pack) ---------------------- */

/* Appends v, 7 bits a byte, low first, the high bit set on all but the
 * last. */
inline void put_varint(std::string &s, uint64_t v)
{
    do {
        unsigned char c = v & 0x7F;
        v >>= 7;
        s += static_cast<char>(c | (v ? 0x80 : 0));
    } while (v);
}

/* Reads a varint at p (before end) into v and moves p past it; false
 * when it runs past end or over 64 bits. */
inline bool get_varint(const char *&p, const char *end, uint64_t &v)
{
    v = 0;
    for (int shift = 0; shift < 64 && p < end; shift += 7) {
        unsigned char c = static_cast<unsigned char>(*p++);
        v |= static_cast<uint64_t>(c & 0x7F) << shift;
        if (!(c & 0x80))
            return true;
    }
    return false;
}

/* ---- facets (facets.cc) ------------------------------------------------- */

/* The first byte of a pack: a reader skips packs of another version. */
const char FACET_PACK_VERSION = '\x01';

/* The value of CIV_SLOT_FACETS for the document xd as its facet slots now
 * are: the version byte, then for each facet slot holding a value, in
 * schema order, its number (one byte), the value's length (varint) and
 * the value. Never empty. */
std::string facet_pack(const Xapian::Document &xd);

/* The value of CIV_SLOT_MATCH for the document xd as its values now are:
 * its id (CIV_SLOT_ID), a 0 byte, MATCH_KEY_VERSION, its length (varint:
 * the sum of its terms' wdf), its cited_by value's length (varint) and the
 * value, then its passage index (CIV_SLOT_PASSAGE_INDEX, to the end). Ids
 * hold no 0 byte: keys sort as the ids do. */
const char MATCH_KEY_VERSION = '\x01';
std::string match_key(const Xapian::Document &xd);

/* What a match key holds. */
struct MatchKey {
    std::string id, cited_by, passage_index;
    Xapian::termcount length = 0;
};

/* A match key's parts into out; false for a malformed one or another
 * version. */
bool match_key_parts(const std::string &key, MatchKey &out);

/* Sets the values derived from the others (the facets' pack, the match
 * key) as xd's values now are. */
void derived_values(Xapian::Document &xd);

/* Counting the facets of a search over every match. */
struct Facets {
    std::vector<const civ_field_def *> fields; /* asked for, schema order */
    std::vector<std::unique_ptr<Xapian::ValueCountMatchSpy>> spies;
    bool packed = false; /* one spy on CIV_SLOT_FACETS, else one a field */

    /* Adds the spies for the facets o asks for to enq. */
    void add(Xapian::Enquire &enq, const civ_db *db, const civ_search_opts *o);
    /* Adds the same spies to another Enquire of the same search. */
    void add_to(Xapian::Enquire &enq) const;
    /* Each field's counts (of fields[i]), each value of a multi-valued
     * field apart, after the match. */
    std::vector<std::unordered_map<std::string, uint64_t>> counts() const;
    /* The same, each field's most frequent first (then in byte order, as
     * Xapian orders them), at most maxvalues a field. */
    std::vector<std::vector<std::pair<std::string, uint64_t>>> top(unsigned maxvalues) const;
};

/* ---- matching a page and counting (count.cc) ----------------------------- */

/* How many documents a search matched. */
struct MatchCounts {
    uint64_t total = 0;  /* with copies folded */
    bool exact = false;  /* total is exact, not an estimate */
    uint64_t folded = 0; /* copies folded into other matches */
    bool order_ties = false; /* matches of equal weight within the page
                                (or across its end, within the set) are
                                in docid order: the caller puts them in
                                the order of their ids (CIV_SLOT_ID),
                                then takes the page */
    unsigned skip = 0;       /* matches in the set before the page (0, 1) */
    bool made = false;       /* the set was first_match's, not matched again */
};

/* The ids (without their Q) of the documents other than self whose
 * digest is `digest`: the copies folded into a hit, at most `most`, in
 * the order of their ids (count.cc). */
std::vector<std::string> copies_of(const civ_db *db, Xapian::docid self, const std::string &digest,
                                   size_t most);

/* An Enquire over db for q, every match weighing the same: for counts
 * and lists where weights do not matter. */
Xapian::Enquire unweighted(const Xapian::Database &db, const Xapian::Query &q);

/* Matches the page [offset, offset + limit) of enq's query q, and sets
 * counts. By relevance, matches of equal weight come in the order of
 * their ids: which of them make the page, and their order in it, do not
 * follow the order documents were added in (one index or shards, any
 * number of workers). Where counts.order_ties is set, the caller orders
 * the ties within the page (and across its end, the set holding the
 * whole run) and takes the page after. The returned set begins
 * counts.skip matches before the page, and may hold matches beyond
 * it; enq's match spies have counted every match once and are taken
 * off it. check: the matches Xapian checks at least. */
/* made, where given: first_match's set for q (offset 0, the same limit
 * and check), taken instead of matching again when the counts come from
 * the posting lists. */
Xapian::MSet match_page(MatchCounts &counts, civ_db *db, Xapian::Enquire &enq,
                        const Xapian::Query &q, const civ_search_opts *o, unsigned offset,
                        unsigned limit, Xapian::doccount check, const Xapian::MSet *made = nullptr);

/* The set match_page makes of the first page of limit matches of enq's
 * query q where it may count them from their posting lists, when it asks
 * for `least` matches or more; else NULL. A feedback round looks at its
 * best matches, and match_page takes it when the query stays q. */
std::unique_ptr<Xapian::MSet> first_match(const civ_db *db, Xapian::Enquire &enq, const Xapian::Query &q,
                                          const civ_search_opts *o, unsigned limit, Xapian::doccount check,
                                          Xapian::doccount least);

/* ---- legal entities in queries (legal.cc) ------------------------------- */

/* The process's entity scanner (civ/entities.h: constant data built with
 * the project); NULL when civ_entities_new() fails: entities are then not
 * read. */
const civ_entities *entity_scanner();

/* The field processor of a legal field (usc:, case:, cite:, redacted:, …),
 * or NULL for other fields. The caller owns it (release() it to the
 * parser). */
Xapian::FieldProcessor *legal_processor(const civ_field_def *f, const civ_db *d);

/* The query text with the legal entities its plain words name ORed with
 * their canonical terms (civ_query_entities); the text itself when it
 * names none. */
std::string with_entities(const std::string &text);

/* ---- spelling (spelling.cc) ---------------------------------------------- */

/* The words the spelling dictionary holds: runs of letters in scripts
 * written with spaces, lower-cased, 2 to 40 bytes, without digits. */
const size_t SPELL_MIN_BYTES = 2, SPELL_MAX_BYTES = 40;

/* Calls fn(word, len) for each dictionary word of t[0..n); the writer
 * counts them, and a query's words are looked up with the same rules.
 * Two-letter words are in: the query parser corrects every word it does
 * not find ("of" into "off"). */
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

/* True when a word of the text is in the spelling dictionary fewer than
 * SPELL_KNOWN times (a correction is worth looking for). */
bool has_rare_word(const Xapian::Database &db, const std::string &text);

/* The query text with its rare or unknown words, as typed (not their
 * stems), replaced by the dictionary's nearest ones; "" when none was.
 * Field names, field values, operators and quoted phrases' neighbours are
 * left alone. */
std::string spelling_correction(const Xapian::Database &db, const Xapian::Stem &stem,
                                const std::string &text);

/* ---- snippets (snippet.cc) ------------------------------------------------ */

/* A snippet: plain text on one line, with the spans of the query's words
 * (byte ranges of text). */
struct Snippet {
    std::string text;
    std::vector<civ_span> spans;
    size_t offset = 0; /* where the text it shows starts in the text given */
};

/* Finds, in the stored text of each hit, the passage that best shows the
 * query's words, as plain text with match spans. */
class Snippets {
  public:
    Snippets(const civ_db *db, const Xapian::Query &words, size_t len);
    ~Snippets();
    /* The snippet of a stored record's text, read from the inflater a part
     * at a time (total: the whole text's length). "" when the text is
     * empty. CIV_ENOMEM only; damaged text gives what could be read. */
    civ_status make(civ_inflater *z, size_t total, civ_buf *scratch, Snippet &out,
                    civ_error *err) const;
    /* The snippet of a whole passage t[0..n), with "…" before and after it
     * where the document goes on (before, after). False, and out left
     * alone, when none of the query's words is in it; *cover receives how
     * many different ones are. */
    bool from_passage(const char *t, size_t n, bool before, bool after, Snippet &out,
                      unsigned *cover) const;
    /* The start of t[0..n) (for a text without the query's words). */
    void lead(const char *t, size_t n, bool after, Snippet &out) const;
    /* How many different words of the query a passage should hold for the
     * search to stop there: all of them, two for queries of more. */
    unsigned enough() const;
    /* Every word of t[0..n) that is one of the query's (a phrase's words
     * each), as spans of t in order, at most max of them. */
    void mark(const char *t, size_t n, size_t max, std::vector<civ_span> &spans) const;
    /* The quoted phrases of the words, each its terms in order (those
     * highlighted where the whole phrase is). */
    const std::vector<std::vector<std::string>> &phrases() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/* What snippets look for in the text for query term `term`: nothing (a
 * field's term), a word by its term (which the positions find), or
 * something else (an n-gram inside words, a stem of an index whose stems
 * have no positions). */
enum class NeedleKind { none, word, other };
NeedleKind needle_kind(const std::string &term);

/* An exception thrown by a field or range processor out through
 * Xapian 1.4's query parser leaks the parser's state (found by
 * fuzz/fuzz_query.c). Processors record their error here and match
 * nothing (guarded); query.cc's parse() throws it once the parser has
 * returned. */
extern thread_local char processor_error[256];

template <class F> Xapian::Query guarded(F f)
{
    try {
        return f();
    } catch (const Xapian::QueryParserError &e) {
        if (!processor_error[0])
            snprintf(processor_error, sizeof processor_error, "%s", e.get_msg().c_str());
        return Xapian::Query::MatchNothing;
    }
}

/* ---- passages stored apart (passage.cc) --------------------------------- */

/* Where the passages of a document end in term positions: the value of
 * CIV_SLOT_PASSAGE_INDEX (docs/index-format.md). */
struct PassageIndex {
    Xapian::termpos body_start = 0;     /* the last position before the text */
    std::vector<Xapian::termpos> ends;  /* each passage's last position */

    std::string encode() const;
    /* False (and empty) when v is not such a value. */
    bool decode(const std::string &v);
    /* Words of passage i. */
    Xapian::termcount words(size_t i) const;
    /* Words of the text (every passage; 0 without passages). */
    Xapian::termcount text() const { return ends.empty() ? 0 : ends.back() - body_start; }
    /* Words of the shortest passage (0 without passages). */
    Xapian::termcount shortest() const;
    /* Words of a document of doc_len words outside its text (its
     * fields), counted in every passage as it is weighed; 0 where
     * doc_len is not known. */
    Xapian::termcount fields(Xapian::termcount doc_len) const { return doc_len > text() ? doc_len - text() : 0; }
};

/* A word of the query as passage weights see it: its term, the weight
 * its part of the query gives it, and whether it was typed (snippets
 * look for those) or came from a feedback round or a similar document. */
struct QueryTerm {
    std::string term;
    double factor = 1.0;
    unsigned wqf = 1;
    bool typed = false; /* snippets look for it */
    bool rank = true;   /* it weighs in the ranking */
};

/* Adds the terms of q that carry weight (not those of filters or
 * exclusions) to terms with factor and typed as given (a term already
 * there counts again). False when q has a part passages cannot weigh (a
 * wildcard, a scaled or external weight): its terms are still added. */
bool query_terms(const Xapian::Query &q, double factor, bool typed, std::vector<QueryTerm> &terms);

/* The constants of ranking by passages and the prior (search.cc has the
 * tuned values and why); a hidden option overrides them for bench sweeps
 * ("mix=0.4,k1=1.2"). */
struct RankTuning {
    double mix;          /* a long document's share of weight from its best passage */
    double k1, b;        /* BM25 over passages */
    double minnorm;      /* shortest passage length, as a share of the average */
    double avg;          /* passage length (words) the normalisation is against */
    unsigned depth;      /* best matches weighed again */
    double prior, prior_max; /* cited-by prior: the weight's share prior * log(1 + n),
                                at most prior_max */
    double doc_b, doc_minnorm; /* BM25 of whole documents: b and shortest length */
    double single;       /* 1: a document of one passage is weighed as one too */
    double min_passages; /* fewer passages: weighed by the whole text alone */
    double prune = 1;    /* 0: weigh every long document of the best, even
                            those that cannot reach the page (checks) */
    double counts = 1;   /* 0: the feedback round counts its words from the
                            posting lists, not the index's table (checks) */
    /* Sets name=value pairs; false at the first it does not know. */
    bool parse(const char *s);
};

/* Ranking, tuned on the Cranfield collection and confirmed on CISI with
 * bench/relevance (bench/README.md has the measurements). BM25: k1 = 1.6
 * rewards repeated query words a little more than Xapian's default;
 * b = 0.75 is the usual length normalisation. */
constexpr double BM25_K1 = 1.6, BM25_K2 = 0.0, BM25_K3 = 1.0, BM25_B = 0.75, BM25_MINNORM = 0.5;

/* The tuned values (passage.cc says how they were found). */
RankTuning rank_tuning();

/* The weights of one document's passages. */
struct PassageWeights {
    bool several = false;     /* stored as passages; else one, and typed empty */
    PassageIndex pi;
    std::vector<double> all;  /* every ranking term; the fields' words count in each */
    std::vector<double> typed;/* the typed words of its text only (snippets) */
    std::vector<unsigned> phrased; /* the query's phrases each passage holds
                                      (empty: none known) */
    bool pruned = false;      /* not weighed (PassageScorer::score's prune) */
    double upper = 0;         /* then: its best passage weighs no more */
};

/* What PassageScorer::score asks while it weighs documents whose best
 * passages may not reach the page. bound(i, upper) is document i's
 * weight were its best passage to weigh upper; floor() a weight that as
 * many documents as the page holds reach whatever the passages not
 * weighed yet weigh; settle(i, best) tells that document i's best passage
 * weighs best (the floor may rise). A document whose bound is below the
 * floor cannot be on the page and is not weighed. */
class PassagePruner {
  public:
    virtual ~PassagePruner() = default;
    virtual double bound(size_t i, double upper) const = 0;
    virtual double floor() const = 0;
    virtual void settle(size_t i, double best) = 0;
};

/* Weights of documents' passages: BM25 over each passage's words (the
 * term's positions within it) with the fields' words (title, headings…)
 * counted in every passage as context, and the collection's term
 * frequencies: for ranking by the best passage and choosing the
 * passages snippets show. */
class PassageScorer {
  public:
    /* terms: at most the PASSAGE_TERMS that weigh most are kept; mset
     * gives their frequencies. */
    PassageScorer(const civ_db *db, const Xapian::MSet &mset, std::vector<QueryTerm> terms,
                  const RankTuning &tune);
    bool empty() const { return terms_.empty(); }
    /* False when a word typed was left out (beyond PASSAGE_TERMS). */
    bool all_typed() const { return all_typed_; }
    /* The phrases (terms in order, Snippets::phrases(); those whose terms
     * are all typed words kept here) for which score() tells the passages
     * of the documents whose positions it reads that hold them
     * (PassageWeights::phrased). */
    void add_phrases(const std::vector<std::vector<std::string>> &phrases);
    /* Weighs the passages of documents dids (pis their passage indexes,
     * CIV_SLOT_PASSAGE_INDEX decoded, moved into out; lens their lengths where known, else 0) into
     * out[i]: reads each term's posting and positions in them (the
     * heaviest terms first). A document with too few
     * passages to be ranked by them (tune.min_passages) is weighed only
     * where must[i] (its snippets need it); else out[i] is left empty and
     * weighed[i] false (true for the rest). */
    /* prune, where given, is asked of each document to be ranked by its
     * passages and not in must, with an upper bound of its best passage's
     * weight from its words' counts (before their positions are read):
     * one whose bound stays below prune's floor is left pruned,
     * out[i].upper that bound. Locally the documents are weighed one by
     * one, those that must be first, then the others by their bounds,
     * greatest first, each settled as it is weighed: the floor rises as
     * they are, and once a bound is below it the rest are pruned. Within
     * a document the bound tightens as its words are read (what they
     * weigh, plus the bounds of those left): one that falls below the
     * floor leaves the document pruned with its other words unread.
     * lists, where given, grows by the number of position lists read. */
    void score(const std::vector<Xapian::docid> &dids, std::vector<PassageIndex> &pis,
               const std::vector<Xapian::termcount> &lens, const std::vector<bool> &must,
               std::vector<PassageWeights> &out, std::vector<bool> &weighed,
               PassagePruner *prune = nullptr, unsigned *lists = nullptr) const;

  private:
    struct Term {
        std::string term;
        double weight; /* BM25's term weight, the query's factor and k1 + 1 folded in */
        double freq;   /* documents that hold it */
        bool typed, rank;
    };
    /* BM25 of a term of weight `weight` seen tf times in a passage of
     * len times the average length. */
    double weigh(double weight, double tf, double len) const;
    /* The documents of dids to weigh (out[k] set up for them), in docid
     * order; those left out get weighed[k] false, or need nothing. */
    std::vector<size_t> select(std::vector<PassageIndex> &pis, const std::vector<bool> &must,
                               const std::vector<Xapian::docid> &dids, std::vector<PassageWeights> &out,
                               std::vector<bool> &weighed) const;
    /* Of order, the documents prune may leave out (score()): their words'
     * bounds set (rest[k], rest_bounds: rest[k][0] bounds the best
     * passage); the rest first, then these by their documents' bounds,
     * greatest first. Returns where these start. */
    size_t prune_order(std::vector<size_t> &order, const std::vector<bool> &must,
                       const std::vector<std::vector<Xapian::termcount>> &wdfs,
                       const std::vector<Xapian::termcount> &doc_len, double avg, const PassagePruner &prune,
                       std::vector<std::vector<double>> &rest, const std::vector<PassageWeights> &out) const;
    /* Weighs terms' positions into the passages of documents. */
    struct Tally;
    /* True, and out[k] left pruned with that bound, when document k's
     * best passage weighing upper (and a margin for rounding) cannot lift
     * it to prune's floor. */
    static bool pruned(std::vector<PassageWeights> &out, size_t k, double upper, const PassagePruner &prune);
    /* score()'s weighing: locally a document at a time, order[from..)
     * pruned as they come (rest: their words' bounds, prune_order); over
     * remote shards pruned first, the rest's positions read at once. */
    void weigh_local(Tally &tally, const std::vector<Xapian::docid> &dids, const std::vector<size_t> &order,
                     size_t from, const std::vector<std::vector<double>> &rest,
                     const std::vector<std::vector<Xapian::termcount>> &wdfs, PassagePruner *prune) const;
    void weigh_remote(Tally &tally, const std::vector<Xapian::docid> &dids, std::vector<size_t> order,
                      size_t from, const std::vector<std::vector<double>> &rest, const std::vector<bool> &light,
                      std::vector<std::vector<Xapian::termcount>> &wdfs, PassagePruner *prune) const;
    /* rest[t]: a bound of what terms_[t..] add to a passage of document
     * k (wdfs as below), each word's weight with all its occurrences in
     * a passage of length `least` (the shortest, as Tally measures them);
     * rest[terms_.size()] is 0. */
    void rest_bounds(std::vector<double> &rest, const std::vector<std::vector<Xapian::termcount>> &wdfs,
                     size_t k, double least) const;
    /* Over remote shards: the position lists of the words of documents
     * order[j] (pos[j][term]; empty for a document of one passage), each
     * shard's read at once, the shards in parallel. A light document's
     * words' counts (wdfs) are taken from their positions. lists grows
     * by the number read. */
    std::vector<std::vector<std::vector<Xapian::termpos>>>
    remote_positions(const std::vector<Xapian::docid> &dids, const std::vector<size_t> &order,
                     const std::vector<bool> &light, const std::vector<PassageWeights> &out,
                     std::vector<std::vector<Xapian::termcount>> &wdfs, unsigned &lists) const;
    /* True when reading the term lists of documents out[k] (k in order)
     * costs less than reading the words' posting lists (remote shards). */
    bool by_doc_cheaper(const std::vector<size_t> &order, const std::vector<PassageWeights> &out) const;
    /* wdfs[t][k]: the wdf of terms_[t] in document dids[k] (0: not in
     * it), and doc_len[k] its length, for the k in order (docid order):
     * from each term's postings, or by_doc from each document's terms. */
    void term_counts(const std::vector<Xapian::docid> &dids, const std::vector<size_t> &order, bool by_doc,
                     std::vector<std::vector<Xapian::termcount>> &wdfs,
                     std::vector<Xapian::termcount> &doc_len) const;
    /* The positions of the phrases' words in the documents weighed,
     * kept while they are: held[k][ti], ti numbering terms_. */
    using HeldPositions = std::map<std::pair<size_t, size_t>, std::vector<Xapian::termpos>>;
    /* Counts in out[k].phrased the phrases held shows in each passage. */
    void mark_phrases(const HeldPositions &held, std::vector<PassageWeights> &out) const;
    const civ_db *db_;
    RankTuning tune_;
    std::vector<Term> terms_;
    bool all_typed_ = true;
    std::vector<std::vector<size_t>> phrases_; /* numbers in terms_ */
    std::vector<bool> in_phrase_;              /* terms_[ti] is in one */
};

/* A snippet of a document stored as passages, and which passage
 * (0-based) it comes from. */
struct PassageSnippet {
    Snippet snippet;
    size_t passage = 0;
};

/* Up to `want` snippets (at least one) of a document whose text is stored
 * apart as passages (civ_doc_npassages(doc) >= 2; xd its Xapian document),
 * each from another passage, the best first: the passages that hold a
 * phrase of the query (phrased, PassageWeights::phrased; empty when none
 * is known), then those with the highest typed weights
 * (PassageWeights::typed; empty when not weighed),
 * else the first passages that hold the query's words, else the start of
 * the text. typed_all: typed came from the positions of every word the
 * snippets look for, so that all zero means none is in the text (the
 * start is shown without reading the others). Reads and inflates only
 * the passages it shows or tries, adding their number to *nread.
 * CIV_ENOMEM only. */
civ_status passage_snippets(const Snippets &snip, const civ_doc *doc, const Xapian::Document &xd,
                            const std::vector<double> &typed, const std::vector<unsigned> &phrased,
                            bool typed_all, unsigned want, std::vector<PassageSnippet> &out, unsigned *nread,
                            civ_error *err);

/* Adds the text of doc's passages, stored apart in xd's value slots, to
 * doc (civ_doc_npassages(doc) > 0; the text so far empty). CIV_ECORRUPT
 * when one is missing or damaged, CIV_ENOMEM. */
civ_status load_passages(civ_doc *doc, const Xapian::Document &xd, civ_error *err);

} // namespace civx

#endif
