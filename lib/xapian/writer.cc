/* lib/xapian/writer.cc — civ_writer: adding, replacing, updating and
 * removing documents, driven by the schema; nothing here knows of files. */
#include "writer.hh"

#include <ctime>
#include <map>

extern "C" {
#include "civ/compress.h"
#include "civ/passage.h"
}

using namespace civx;

namespace {

/* TermGenerator flags for all text. */
const Xapian::TermGenerator::flags TG_FLAGS = Xapian::TermGenerator::FLAG_CJK_NGRAM;

/* The value a field keeps in its slot (multi-valued ones joined). */
void add_slot(std::map<int, std::string> &slots, const civ_field_def *f, const char *value,
              size_t len)
{
    if (f->slot == CIV_SLOT_DATE) {
        civ_date d;
        if (civ_date_parse(&d, value, len) != 0)
            return;
        char key[15];
        civ_date_key(&d, key);
        slots[f->slot] = key;
        return;
    }
    if (f->flags & CIV_FIELD_NUMBER) {
        slots[f->slot] = number_value(value, len);
        return;
    }
    std::string &cur = slots[f->slot];
    std::string v(value, len);
    if (f->flags & CIV_FIELD_LOWER)
        v = norm_value(f, v);
    if (!cur.empty())
        cur += CIV_FACET_SEP;
    cur += v;
}

/* The exact-match terms and value slots of doc's fields. */
void field_terms(const civ_doc *doc, std::vector<std::string> &terms, std::map<int, std::string> &slots)
{
    size_t n = civ_doc_nvalues(doc);
    for (size_t i = 0; i < n; i++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(doc, i, &v, &len);
        std::string term;
        if ((f->flags & (CIV_FIELD_BOOL | CIV_FIELD_FACET)) && exact_term(f, std::string(v, len), term))
            terms.push_back(term);
        if (f->slot >= 0)
            add_slot(slots, f, v, len);
    }
}

/* Memory a pending document holds in Xapian until commit, roughly: the
 * posting and position changes of each of its terms, and its data. The
 * constants were calibrated against peak RSS (bench/README.md). */
size_t pending_estimate(const Xapian::Document &xd, size_t words, size_t data_len)
{
    return static_cast<size_t>(xd.termlist_count()) * 120 + words * 12 + data_len + 512;
}

std::string encode(const civ_writer *w, const civ_doc *doc, civ_status *s, civ_error *err)
{
    civ_buf data = CIV_BUF_INIT;
    *s = civ_doc_encode(&data, doc, w->text_level, err);
    std::string r = *s == CIV_OK ? std::string(data.data, data.len) : std::string();
    civ_buf_free(&data);
    return r;
}

/* Indexes the text of doc as its passages ps[0..n), n >= 2, one after
 * the other (the same terms and positions as the whole text), and stores
 * each passage's text in a value slot of its own, and where their words
 * end; *data receives the record (civ_doc_encode_passages). */
civ_status put_passages(civ_writer *w, const civ_doc *doc, Xapian::Document &xd,
                        const civ_passage *ps, size_t n, std::string &data, civ_error *err)
{
    size_t tlen;
    const char *text = civ_doc_text(doc, &tlen);
    if (!w->deflater) {
        civ_status s = civ_deflater_new(&w->deflater, w->text_level, err);
        if (s != CIV_OK)
            return s;
    }
    PassageIndex pi;
    pi.body_start = w->tg.get_termpos();
    civ_buf z = CIV_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        w->tg.index_text(Xapian::Utf8Iterator(text + ps[i].offset, ps[i].len));
        pi.ends.push_back(w->tg.get_termpos());
        civ_buf_reset(&z);
        civ_status s = civ_deflater_run(w->deflater, &z, text + ps[i].offset, ps[i].len, err);
        if (s != CIV_OK) {
            civ_buf_free(&z);
            return s;
        }
        xd.add_value(static_cast<Xapian::valueno>(CIV_SLOT_PASSAGE_TEXT + i), std::string(z.data, z.len));
    }
    xd.add_value(CIV_SLOT_PASSAGE_INDEX, pi.encode());
    civ_buf_reset(&z);
    civ_status s = civ_doc_encode_passages(&z, doc, ps, n, err);
    if (s == CIV_OK)
        data.assign(z.data, z.len);
    civ_buf_free(&z);
    return s;
}

/* The unique id of a document (its Q term without the prefix). */
std::string doc_id(const Xapian::Database &db, Xapian::docid did)
{
    Xapian::TermIterator t = db.termlist_begin(did);
    t.skip_to("Q");
    if (t == db.termlist_end(did) || (*t)[0] != 'Q')
        return std::string();
    return (*t).substr(1);
}

} // namespace

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
    w->positions_noted = w->db.get_metadata(META_POSITIONS) == "1";
    w->stem = make_stemmer(lang);
    w->tg.set_stemmer(w->stem);
    w->tg.set_stemming_strategy(lang == "none" ? Xapian::TermGenerator::STEM_NONE
                                : w->stem_all  ? Xapian::TermGenerator::STEM_ALL
                                               : Xapian::TermGenerator::STEM_SOME);
    if (!w->stem_all && (lang == "english" || lang == "en")) {
        /* Legacy "some" indexes: stop words get no "Z" stem. */
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
    std::string idterm = std::string("Q") + id;
    if (idterm.size() > CIV_TERM_MAX)
        return civ_error_set(err, CIV_EINVAL, "document id is too long: %.60s…", id);
    Xapian::Document xd;
    w->tg.set_document(xd);
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
    }
    std::vector<std::string> terms;
    std::map<int, std::string> slots;
    field_terms(doc, terms, slots);
    for (const std::string &t : terms)
        xd.add_boolean_term(t);
    size_t tlen;
    const char *text = civ_doc_text(doc, &tlen);
    /* A text of several passages is indexed and stored passage by
     * passage; one of a single passage as a whole, in the record. */
    civ_passage *ps = nullptr;
    size_t np = 0;
    if (tlen && civ_passages_split(&ps, &np, doc, err) != CIV_OK)
        return CIV_ENOMEM;
    std::unique_ptr<civ_passage, void (*)(void *)> ps_owner(ps, free);
    std::string data;
    if (np >= 2 && w->text_level > 0) {
        s = put_passages(w, doc, xd, ps, np, data, err);
        if (s != CIV_OK)
            return s;
    } else {
        if (tlen)
            w->tg.index_text(Xapian::Utf8Iterator(text, tlen));
        data = encode(w, doc, &s, err);
        if (s != CIV_OK)
            return s;
    }
    if (w->spelling)
        count_spelling(w, doc, xd);
    for (auto &kv : slots)
        xd.add_value(kv.first, kv.second);
    derived_values(xd);
    xd.set_data(data);
    if (bytes)
        *bytes = pending_estimate(xd, w->tg.get_termpos(), data.size());
    w->db.replace_document(idterm, xd);
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_delete(civ_writer *w, const char *id, civ_error *err)
{
    if (!w || !id)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_delete: NULL argument");
    CIV_TRY
    w->db.delete_document(id_term(id));
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_get(civ_doc **out, civ_writer *w, const char *id, int want_text,
                                     civ_error *err)
{
    if (!out || !w || !id)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_get: NULL argument");
    *out = nullptr;
    CIV_TRY
    return fetch_doc(out, w->db, id, want_text, err);
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_update(civ_writer *w, const char *id, const civ_doc *doc,
                                        civ_error *err)
{
    if (!w || !id || !doc)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_update: NULL argument");
    const char *new_id = civ_doc_get(doc, "id");
    if (!new_id)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_update: document has no id");
    civ_status s = civ_doc_check(doc, err);
    if (s != CIV_OK)
        return s;
    CIV_TRY
    if (strlen(new_id) + 1 > CIV_TERM_MAX)
        return civ_error_set(err, CIV_EINVAL, "document id is too long: %.60s…", new_id);
    Xapian::docid did = find_id(w->db, id);
    if (!did)
        return civ_error_set(err, CIV_ENOTFOUND, "no document with id %s", id);
    Xapian::Document xd = w->db.get_document(did);
    std::string old_data = xd.get_data();
    civ_doc *old = nullptr;
    s = civ_doc_decode(&old, old_data.data(), old_data.size(), 0, err);
    if (s != CIV_OK)
        return s;
    std::unique_ptr<civ_doc, void (*)(civ_doc *)> guard(old, civ_doc_free);
    std::vector<std::string> old_terms, new_terms;
    std::map<int, std::string> old_slots, new_slots;
    field_terms(old, old_terms, old_slots);
    field_terms(doc, new_terms, new_slots);
    old_terms.push_back(id_term(id));
    new_terms.push_back(id_term(new_id));
    for (const std::string &t : old_terms) {
        try {
            xd.remove_term(t);
        } catch (const Xapian::InvalidArgumentError &) {
            /* it was not there */
        }
    }
    for (const std::string &t : new_terms)
        xd.add_boolean_term(t);
    for (auto &kv : old_slots)
        xd.remove_value(kv.first);
    for (auto &kv : new_slots)
        xd.add_value(kv.first, kv.second);
    /* Fields not stored (the year) kept their slots: the pack and the
     * match key are made from the slots as they now are. */
    derived_values(xd);
    /* The text stays where it is: passages stored apart keep their slots,
     * and the record their lengths. */
    std::string data;
    size_t np = civ_doc_npassages(old);
    if (np) {
        std::vector<civ_passage> ps(np);
        for (size_t i = 0; i < np; i++)
            civ_doc_passage(old, i, &ps[i].offset, &ps[i].len);
        civ_buf b = CIV_BUF_INIT;
        s = civ_doc_encode_passages(&b, doc, ps.data(), np, err);
        data.assign(b.data ? b.data : "", b.len);
        civ_buf_free(&b);
    } else {
        data = encode(w, doc, &s, err);
    }
    if (s != CIV_OK)
        return s;
    xd.set_data(data);
    /* A document already at the new id (a stale copy) gives way. */
    if (strcmp(id, new_id) != 0) {
        std::string nq = id_term(new_id);
        std::vector<Xapian::docid> clash;
        for (Xapian::PostingIterator p = w->db.postlist_begin(nq); p != w->db.postlist_end(nq); ++p)
            if (*p != did)
                clash.push_back(*p);
        for (Xapian::docid c : clash)
            w->db.delete_document(c);
    }
    w->db.replace_document(did, xd);
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

extern "C" civ_status civ_writer_ids_with(civ_writer *w, const char *field, const char *value,
                                          int (*fn)(void *ctx, const char *id), void *ctx,
                                          civ_error *err)
{
    if (!w || !field || !value || !fn)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_ids_with: NULL argument");
    const civ_field_def *f = civ_schema_field(field);
    if (!f)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_ids_with: unknown field %s", field);
    CIV_TRY
    std::string term;
    if (!exact_term(f, value, term))
        return civ_error_set(err, CIV_EINVAL, "civ_writer_ids_with: field %s has no exact terms", field);
    std::vector<Xapian::docid> dids;
    for (Xapian::PostingIterator p = w->db.postlist_begin(term); p != w->db.postlist_end(term); ++p)
        dids.push_back(*p);
    for (Xapian::docid did : dids) {
        std::string id = doc_id(w->db, did);
        if (!id.empty() && fn(ctx, id.c_str()))
            break;
    }
    return CIV_OK;
    CIV_CATCH(err, w->path.c_str())
}

namespace {

/* One field's values for every docid, packed: a docid's value is at
 * offset offs[docid] of one buffer (0: none). Values shared by many
 * documents (exact terms: a file's root) are stored once. */
struct Column {
    std::string bytes = std::string(1, '\0');
    std::vector<uint32_t> offs;
    uint32_t put(const std::string &v)
    {
        if (bytes.size() + v.size() >= UINT32_MAX)
            throw std::bad_alloc();
        uint32_t off = static_cast<uint32_t>(bytes.size());
        bytes.append(v);
        bytes.push_back('\0');
        return off;
    }
    const char *get(Xapian::docid did) const { return bytes.c_str() + offs[did]; }
};

void read_column(const Xapian::Database &db, const civ_field_def *f, Xapian::docid last, Column &c)
{
    c.offs.assign(last + 1, 0);
    if (f->slot >= 0) {
        for (Xapian::ValueIterator v = db.valuestream_begin(f->slot); v != db.valuestream_end(f->slot); ++v)
            if (v.get_docid() <= last)
                c.offs[v.get_docid()] = c.put((f->flags & CIV_FIELD_NUMBER) ? number_text(*v) : *v);
        return;
    }
    if (!(f->flags & CIV_FIELD_BOOL) || !f->prefix)
        return;
    size_t pl = strlen(f->prefix);
    for (Xapian::TermIterator t = db.allterms_begin(f->prefix); t != db.allterms_end(f->prefix); ++t) {
        const std::string term = *t;
        if (term.size() > pl && term[pl] >= 'A' && term[pl] <= 'Z')
            continue; /* a longer prefix sharing these letters */
        std::string v = term.substr(pl);
        uint32_t off = c.put(v);
        for (Xapian::PostingIterator p = db.postlist_begin(term); p != db.postlist_end(term); ++p) {
            if (*p > last)
                continue;
            /* A document with several (a multi-valued field): joined. */
            if (c.offs[*p])
                c.offs[*p] = c.put(std::string(c.get(*p)) + CIV_FACET_SEP + v);
            else
                c.offs[*p] = off;
        }
    }
}

} // namespace

extern "C" civ_status civ_writer_scan(civ_writer *w, const char *const *fields, size_t nfields,
                                      int (*fn)(void *ctx, const char *id, const char *const *values),
                                      void *ctx, civ_error *err)
{
    if (!w || (!fields && nfields) || !fn)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_scan: NULL argument");
    std::vector<const civ_field_def *> defs;
    for (size_t i = 0; i < nfields; i++) {
        const civ_field_def *f = civ_schema_field(fields[i]);
        if (!f || (f->slot < 0 && !((f->flags & CIV_FIELD_BOOL) && f->prefix)))
            return civ_error_set(err, CIV_EINVAL, "civ_writer_scan: field %s has no slot or exact term",
                                 fields[i]);
        defs.push_back(f);
    }
    CIV_TRY
    /* Reading the value streams and term lists in docid order is much
     * cheaper than fetching each document: per document this keeps about
     * 4 bytes a field plus the values. */
    Xapian::Database &db = w->db;
    Xapian::docid last = db.get_lastdocid();
    std::vector<Column> cols(defs.size());
    for (size_t i = 0; i < defs.size(); i++)
        read_column(db, defs[i], last, cols[i]);
    std::vector<const char *> values(defs.size());
    for (Xapian::TermIterator t = db.allterms_begin("Q"); t != db.allterms_end("Q"); ++t) {
        Xapian::PostingIterator p = db.postlist_begin(*t);
        if (p == db.postlist_end(*t) || *p > last)
            continue;
        for (size_t i = 0; i < defs.size(); i++)
            values[i] = cols[i].get(*p);
        std::string id = (*t).substr(1);
        if (fn(ctx, id.c_str(), values.data()))
            break;
    }
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

extern "C" civ_status civ_writer_each_meta(civ_writer *w, const char *prefix,
                                           int (*fn)(void *ctx, const char *key, const char *value),
                                           void *ctx, civ_error *err)
{
    if (!w || !prefix || !fn)
        return civ_error_set(err, CIV_EINVAL, "civ_writer_each_meta: NULL argument");
    CIV_TRY
    for (Xapian::TermIterator k = w->db.metadata_keys_begin(prefix); k != w->db.metadata_keys_end(prefix);
         ++k) {
        std::string key = *k, value = w->db.get_metadata(key);
        if (fn(ctx, key.c_str(), value.c_str()))
            break;
    }
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
    /* The key follows the table: removing the last document with
     * positions empties it, which is not damage. */
    bool positions = w->db.has_positions();
    if (positions != w->positions_noted) {
        w->db.set_metadata(META_POSITIONS, positions ? "1" : "");
        w->positions_noted = positions;
    }
    if (spelling_batch_due(w))
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
