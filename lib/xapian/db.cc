/* lib/xapian/db.cc — opening an index read-only, reading one document.
 * Shards, replicas and reopening are in shards.cc. */
#include "internal.hh"

using namespace civx;

extern "C" civ_status civ_db_open(civ_db **out, const char *path, civ_error *err)
{
    if (!out || !path)
        return civ_error_set(err, CIV_EINVAL, "civ_db_open: NULL argument");
    return civ_db_open_many(out, &path, 1, nullptr, err);
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
    return with_retry(db, [&]() -> civ_status { return fetch_doc(out, db->db, id, want_text, err); });
    CIV_CATCH(err, "index")
}
