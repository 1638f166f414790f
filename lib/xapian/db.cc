/* lib/xapian/db.cc — opening an index read-only, reading one document.
 * Shards, replicas and reopening are in shards.cc. */
#include "internal.hh"

#include <sys/stat.h>

using namespace civx;

extern "C" civ_status civ_db_open(civ_db **out, const char *path, civ_error *err)
{
    if (!out || !path)
        return civ_error_set(err, CIV_EINVAL, "civ_db_open: NULL argument");
    return civ_db_open_many(out, &path, 1, nullptr, err);
}

extern "C" civ_status civ_db_check(const char *path, civ_error *err)
{
    if (!path)
        return civ_error_set(err, CIV_EINVAL, "civ_db_check: NULL argument");
    CIV_TRY
    /* Glass blocks carry no checksum: damage shows as a B-tree out of
     * order, an item that overruns its block, a block past the end. */
    size_t errors;
    try {
        errors = Xapian::Database::check(path, 0, nullptr);
    } catch (const Xapian::DatabaseError &e) {
        /* The check stops at the first B-tree it cannot walk ("Block 6
         * item 3: not in sorted order"); a system error stays one. */
        const char *why = e.get_error_string();
        if (why && *why)
            throw;
        return civ_error_set(err, CIV_ECORRUPT, "index damaged (%s: %s): run civindex --full to rebuild it",
                             path, e.get_msg().c_str());
    }
    if (errors)
        return civ_error_set(err, CIV_ECORRUPT,
                             "index damaged (%s: %zu errors in its tables): run civindex --full to rebuild it",
                             path, errors);
    /* Xapian creates some tables only when first written, so it takes a
     * missing one for an empty one; every document civindex writes has
     * terms, positions and data (the spelling and synonym tables may be
     * absent). */
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && Xapian::Database(path).get_doccount() > 0) {
        for (const char *table : { "postlist", "termlist", "docdata", "position" }) {
            std::string file = std::string(path) + "/" + table + ".glass";
            if (stat(file.c_str(), &st) != 0)
                return civ_error_set(err, CIV_ECORRUPT,
                                     "index damaged (%s: no %s table): run civindex --full to rebuild it",
                                     path, table);
        }
    }
    return CIV_OK;
    CIV_CATCH(err, path)
}

extern "C" void civ_db_free(civ_db *db)
{
    if (!db)
        return;
    try {
        for (Shard &s : db->shards)
            if (s.open)
                s.db.close();
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
        std::string data = db->db.get_document(did).get_data();
        return civ_doc_decode(out, data.data(), data.size(), want_text, err);
    });
    CIV_CATCH(err, "index")
}
