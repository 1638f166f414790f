/* lib/xapian/db.cc — opening an index read-only, reopening it, reading one
 * document. */
#include "internal.hh"

#include <sys/stat.h>
#include <unistd.h>

using namespace civx;

namespace {

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

} // namespace

bool civx::reopen_db(civ_db *db)
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

extern "C" civ_status civ_db_get(civ_doc **out, civ_db *db, const char *id, int want_text,
                                 civ_error *err)
{
    if (!out || !db || !id)
        return civ_error_set(err, CIV_EINVAL, "civ_db_get: NULL argument");
    *out = nullptr;
    CIV_TRY
    return with_retry(db, [&]() -> civ_status {
        Xapian::docid did = find_id(db->db, id);
        if (!did)
            return civ_error_set(err, CIV_ENOTFOUND, "no document with id %s", id);
        Xapian::Document xd = db->db.get_document(did);
        std::string data = xd.get_data();
        civ_status s = civ_doc_decode(out, data.data(), data.size(), want_text, err);
        if (s == CIV_OK && want_text && civ_doc_npassages(*out) &&
            (s = load_passages(*out, xd, err)) != CIV_OK) {
            civ_doc_free(*out);
            *out = nullptr;
        }
        return s;
    });
    CIV_CATCH(err, "index")
}
