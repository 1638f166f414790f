/* lib/xapian/db.cc — opening an index read-only, reading one document.
 * Shards, replicas and reopening are in shards.cc. */
#include "internal.hh"

#include <algorithm>
#include <cerrno>
#include <dirent.h>
#include <exception>
#include <thread>
#include <vector>
#include <cstring>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

using namespace civx;

extern "C" civ_status civ_db_open(civ_db **out, const char *path, civ_error *err)
{
    if (!out || !path)
        return civ_error_set(err, CIV_EINVAL, "civ_db_open: NULL argument");
    return civ_db_open_many(out, &path, 1, nullptr, err);
}

namespace {

const char *const CHECKED = "civchecked";

/* The tables of a database folder as civindex last left them: each file's
 * name, size and modification time, sorted; "" when it is no folder. */
std::string tables_print(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return "";
    std::vector<std::string> rows;
    while (struct dirent *e = readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == ".." || n == CHECKED || n == "flintlock")
            continue;
        struct stat st;
        if (stat((std::string(path) + "/" + n).c_str(), &st) != 0)
            continue;
        rows.push_back(n + " " + std::to_string((long long)st.st_size) + " " +
                       std::to_string((long long)st.st_mtim.tv_sec) + "." +
                       std::to_string((long)st.st_mtim.tv_nsec));
    }
    closedir(d);
    std::sort(rows.begin(), rows.end());
    std::string all;
    for (const std::string &r : rows)
        all += r + "\n";
    return all;
}

/* Xapian's check walks the B-trees but does not read what their items
 * hold: every document's record (and its text, whose zlib stream carries
 * a checksum) is decoded as civsearch would, so a record that would stop
 * a query stops civindex first (tests/e2e/damaged.sh). */
void check_records(const char *path, civ_error *e)
{
    Xapian::Database db(path);
    for (Xapian::PostingIterator p = db.postlist_begin(""); p != db.postlist_end(""); ++p) {
        civ_doc *doc = nullptr;
        civ_status s = decode_document(&doc, db.get_document(*p), 1, e);
        civ_doc_free(doc);
        if (s != CIV_OK)
            return;
    }
}

} // namespace

extern "C" void civ_db_check_note(const char *path)
{
    if (!path)
        return;
    try {
        std::string print = tables_print(path);
        if (print.empty())
            return;
        std::string file = std::string(path) + "/" + CHECKED, tmp = file + ".tmp";
        FILE *f = fopen(tmp.c_str(), "w");
        if (!f)
            return;
        bool ok = fwrite(print.data(), 1, print.size(), f) == print.size();
        ok = fclose(f) == 0 && ok;
        if (!ok || rename(tmp.c_str(), file.c_str()) != 0)
            unlink(tmp.c_str());
    } catch (...) {
        /* Only a saving: the next run checks every table. */
    }
}

extern "C" civ_status civ_db_check(const char *path, civ_error *err)
{
    if (!path)
        return civ_error_set(err, CIV_EINVAL, "civ_db_check: NULL argument");
    CIV_TRY
    /* Tables just as civindex left them (civ_db_check_note): nothing has
     * written them since, and the full check, which reads every block, is
     * skipped. */
    {
        std::string print = tables_print(path);
        FILE *f = print.empty() ? nullptr : fopen((std::string(path) + "/" + CHECKED).c_str(), "r");
        if (f) {
            std::string noted;
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, f)) > 0)
                noted.append(buf, n);
            fclose(f);
            if (noted == print)
                return CIV_OK;
        }
    }
    /* Glass blocks carry no checksum: damage shows as a B-tree out of
     * order, an item that overruns its block, a block past the end.
     * Xapian's checker itself may crash on some damage, so it runs in a
     * child process; the parent reads its verdict from a pipe. */
    int fds[2];
    if (pipe(fds) != 0)
        return civ_error_set(err, CIV_EIO, "cannot check the index %s: %s", path, strerror(errno));
    fflush(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return civ_error_set(err, CIV_EIO, "cannot check the index %s: %s", path, strerror(errno));
    }
    if (pid == 0) {
        close(fds[0]);
        civ_error e = CIV_ERROR_INIT;
        try {
            size_t errors = Xapian::Database::check(path, 0, nullptr);
            if (errors)
                civ_error_set(&e, CIV_ECORRUPT,
                              "index damaged (%s: %zu errors in its tables): run civindex --full to rebuild it",
                              path, errors);
            else
                check_records(path, &e);
        } catch (const Xapian::DatabaseError &x) {
            /* The check stops at the first B-tree it cannot walk ("Block 6
             * item 3: not in sorted order"); a system error stays one. */
            const char *why = x.get_error_string();
            if (why && *why)
                map_exception(&e, path);
            else
                civ_error_set(&e, CIV_ECORRUPT, "index damaged (%s: %s): run civindex --full to rebuild it",
                              path, x.get_msg().c_str());
        } catch (...) {
            map_exception(&e, path);
        }
        /* The verdict: the status as one byte, then the message. */
        unsigned char code = (unsigned char)e.code;
        ssize_t w = write(fds[1], &code, 1);
        if (w == 1 && e.code != CIV_OK)
            w = write(fds[1], e.msg, strlen(e.msg));
        _exit(w < 0 ? 3 : 0);
    }
    close(fds[1]);
    std::string verdict;
    char buf[512];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            verdict.append(buf, (size_t)n);
    close(fds[0]);
    int wst = 0;
    while (waitpid(pid, &wst, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(wst) || WEXITSTATUS(wst) != 0 || verdict.empty())
        return civ_error_set(err, CIV_ECORRUPT,
                             "index damaged (%s: its tables cannot be read): run civindex --full to rebuild it",
                             path);
    if (verdict[0] != CIV_OK)
        return civ_error_set(err, (civ_status)(unsigned char)verdict[0], "%s", verdict.c_str() + 1);
    /* Xapian creates some tables only when first written, so it takes a
     * missing one for an empty one; every document civindex writes has
     * terms, positions and data (the spelling and synonym tables may be
     * absent). */
    struct stat st;
    Xapian::Database opened(path);
    if (const char *lost = lost_table(opened))
        return civ_error_set(err, CIV_ECORRUPT,
                             "index damaged (%s: no %s table): run civindex --full to rebuild it", path, lost);
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode) && opened.get_doccount() > 0) {
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
    return with_retry(db, [&]() -> civ_status { return fetch_doc(out, db->db, id, want_text, err); });
    CIV_CATCH(err, "index")
}

void civx::slot_values(const civ_db *db, Xapian::valueno slot, const std::vector<Xapian::docid> &dids,
                       const std::vector<Xapian::Document> &xds, std::vector<std::string> &out)
{
    out.assign(dids.size(), std::string());
    if (db->remote) {
        for (size_t k = 0; k < dids.size(); k++)
            out[k] = xds[k].get_value(slot);
        return;
    }
    std::vector<size_t> order(dids.size());
    for (size_t k = 0; k < order.size(); k++)
        order[k] = k;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return dids[a] < dids[b]; });
    Xapian::ValueIterator v = db->db.valuestream_begin(slot);
    for (size_t k : order) {
        if (v == db->db.valuestream_end(slot))
            break;
        if (v.get_docid() < dids[k])
            v.skip_to(dids[k]);
        if (v != db->db.valuestream_end(slot) && v.get_docid() == dids[k])
            out[k] = *v;
    }
}

void civx::for_each_doc(const civ_db *db, const std::vector<Xapian::docid> &dids,
                        const std::function<void(size_t, const Xapian::Database &, Xapian::docid)> &fn)
{
    /* Each match's part and its docid there: Xapian interleaves the
     * documents of its n databases (docid = (did - 1) * n + i + 1). */
    size_t n = db->db.size(), nparts = db->parts.size();
    std::vector<std::vector<std::pair<size_t, Xapian::docid>>> groups(nparts);
    size_t remote_groups = 0;
    if (db->remote && nparts > 1 && n > 0) {
        for (size_t k = 0; k < dids.size(); k++) {
            size_t sub = (dids[k] - 1) % n;
            Xapian::docid in_sub = (dids[k] - 1) / static_cast<Xapian::docid>(n) + 1;
            size_t p = 0, first = 0;
            while (p + 1 < nparts && sub >= first + db->parts[p].subs)
                first += db->parts[p++].subs;
            Xapian::docid subs = static_cast<Xapian::docid>(db->parts[p].subs);
            groups[p].emplace_back(k, (in_sub - 1) * subs + static_cast<Xapian::docid>(sub - first) + 1);
        }
        for (size_t p = 0; p < nparts; p++)
            if (db->parts[p].remote && !groups[p].empty())
                remote_groups++;
    }
    if (remote_groups < 2) {
        for (size_t k = 0; k < dids.size(); k++)
            fn(k, db->db, dids[k]);
        return;
    }
    std::vector<std::exception_ptr> errors(nparts);
    auto run = [&](size_t p) {
        try {
            for (const auto &g : groups[p])
                fn(g.first, db->parts[p].db, g.second);
        } catch (...) {
            errors[p] = std::current_exception();
        }
    };
    /* One remote shard and the local ones are read here, the other remote
     * shards each in a thread (or here too, where none can be started). */
    std::vector<std::thread> threads;
    std::vector<size_t> here;
    threads.reserve(nparts);
    bool kept = false; /* a remote shard is read here */
    for (size_t p = 0; p < nparts; p++) {
        if (groups[p].empty())
            continue;
        if (db->parts[p].remote && kept) {
            try {
                threads.emplace_back(run, p);
                continue;
            } catch (const std::exception &) {
            }
        }
        kept = kept || db->parts[p].remote;
        here.push_back(p);
    }
    for (size_t p : here)
        run(p);
    for (std::thread &t : threads)
        t.join();
    for (const std::exception_ptr &e : errors)
        if (e)
            std::rethrow_exception(e);
}
