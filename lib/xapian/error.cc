/* lib/xapian/error.cc — Xapian's exceptions as civ_status codes, and the
 * small helpers every file of the layer uses. */
#include "internal.hh"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

namespace civx {

const char *const META_FORMAT = "civ:format";
const char *const META_STEMMER = "civ:stemmer";
const char *const META_UPDATED = "civ:updated";
const char *const META_STEMMING = "civ:stemming";
const char *const META_ROLE = "civ:role";
const char *const META_SPELLING = "civ:spelling";
const char *const META_POSITIONS = "civ:positions";

const char *lost_table(const Xapian::Database &d)
{
    if (!d.has_positions() && d.get_metadata(META_POSITIONS) == "1")
        return "position";
    if (d.get_metadata(META_SPELLING) == "1" && d.spellings_begin() == d.spellings_end())
        return "spelling";
    return nullptr;
}

namespace {

/* A folder civindex wrote (a generation db.N is there, or the folder is
 * a glass database that lost its version file): when Xapian finds no
 * database in it, the index is damaged, not absent. */
bool made_by_civindex(const char *path)
{
    struct stat st;
    std::string p(path);
    if (stat((p + "/postlist.glass").c_str(), &st) == 0 || stat((p + "/XAPIANDB").c_str(), &st) == 0)
        return true;
    DIR *dir = opendir(path);
    if (!dir)
        return false;
    bool found = false;
    while (struct dirent *e = readdir(dir))
        if (strncmp(e->d_name, "db.", 3) == 0 && e->d_name[3] >= '1' && e->d_name[3] <= '9') {
            found = true;
            break;
        }
    closedir(dir);
    return found;
}

} // namespace

/* The rethrow pattern is needed: dynamic_cast does not work on
 * Xapian::Error. */
civ_status map_exception(civ_error *err, const char *context)
{
    const char *ctx = context ? context : "index";
    try {
        /* Called only from catch blocks (CIV_CATCH). */
        // cppcheck-suppress rethrowNoCurrentException
        throw;
    } catch (const ShardError &e) {
        return civ_error_set(err, e.code, "%s", e.msg.c_str());
    } catch (const Xapian::DatabaseLockError &e) {
        return civ_error_set(err, CIV_ELOCKED, "%s is locked by another writer", ctx);
    } catch (const Xapian::DatabaseNotFoundError &e) {
        if (made_by_civindex(ctx))
            return civ_error_set(err, CIV_ECORRUPT,
                                 "index damaged (%s: %s): run civindex --full to rebuild it", ctx,
                                 e.get_msg().c_str());
        return civ_error_set(err, CIV_ENOTFOUND, "%s: no index found", ctx);
    } catch (const Xapian::DatabaseModifiedError &e) {
        return civ_error_set(err, CIV_ERETRY, "%s changed while reading; try again", ctx);
    } catch (const Xapian::DatabaseCorruptError &e) {
        return civ_error_set(err, CIV_ECORRUPT, "index damaged (%s: %s): run civindex --full to rebuild it",
                             ctx, e.get_msg().c_str());
    } catch (const Xapian::FeatureUnavailableError &e) {
        /* civindex writes every document's term list: its table is gone. */
        if (e.get_msg().find("has no termlist") != std::string::npos)
            return civ_error_set(err, CIV_ECORRUPT,
                                 "index damaged (%s: %s): run civindex --full to rebuild it", ctx,
                                 e.get_msg().c_str());
        return civ_error_set(err, CIV_EOTHER, "%s: %s", e.get_type(), e.get_msg().c_str());
    } catch (const Xapian::DatabaseVersionError &e) {
        return civ_error_set(err, CIV_ECORRUPT, "%s has an unsupported format: %s", ctx,
                             e.get_msg().c_str());
    } catch (const Xapian::DatabaseCreateError &e) {
        return civ_error_set(err, CIV_EIO, "cannot create %s: %s", ctx, e.get_msg().c_str());
    } catch (const Xapian::DatabaseOpeningError &e) {
        /* A table file of a database that is there (its version file
         * read) is missing or cannot be opened. */
        const char *why = e.get_error_string();
        if (e.get_msg().rfind("Couldn't open ", 0) == 0 && e.get_msg().find(".glass") != std::string::npos &&
            why && strcmp(why, strerror(ENOENT)) == 0)
            return civ_error_set(err, CIV_ECORRUPT,
                                 "index damaged (%s: %s): run civindex --full to rebuild it", ctx,
                                 e.get_msg().c_str());
        /* A generation that lost its version file (iamglass). */
        if (e.get_msg().find("does not contain a Xapian database") != std::string::npos &&
            made_by_civindex(ctx))
            return civ_error_set(err, CIV_ECORRUPT,
                                 "index damaged (%s: %s): run civindex --full to rebuild it", ctx,
                                 e.get_msg().c_str());
        return civ_error_set(err, CIV_ENOTFOUND, "cannot open %s: %s", ctx, e.get_msg().c_str());
    } catch (const Xapian::DatabaseClosedError &e) {
        return civ_error_set(err, CIV_EINVAL, "%s is closed", ctx);
    } catch (const Xapian::DatabaseError &e) {
        /* The system's reason ("No space left on device") when there is one. */
        /* The tables contradict themselves ("EOF reading block N": a table
         * cut short; "inflate failed": a compressed item overwritten). A
         * failed write says "No space left" and stays an I/O error. */
        const std::string &m = e.get_msg();
        if (m.rfind("EOF reading block", 0) == 0 || m.rfind("inflate failed", 0) == 0)
            return civ_error_set(err, CIV_ECORRUPT,
                                 "index damaged (%s: %s): run civindex --full to rebuild it", ctx,
                                 e.get_msg().c_str());
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

bool exact_term(const civ_field_def *f, const std::string &v, std::string &term)
{
    char buf[CIV_TERM_MAX + 1];
    size_t n = civ_schema_exact_term(f, v.data(), v.size(), buf, sizeof buf);
    if (!n)
        return false;
    term.assign(buf, n);
    return true;
}

std::string id_term(const std::string &id)
{
    std::string term = "Q" + id;
    if (term.size() > CIV_TERM_MAX)
        term.resize(CIV_TERM_MAX);
    return term;
}

Xapian::docid find_id(const Xapian::Database &db, const std::string &id)
{
    std::string term = id_term(id);
    Xapian::PostingIterator p = db.postlist_begin(term);
    return p == db.postlist_end(term) ? 0 : *p;
}

civ_status fetch_doc(civ_doc **out, const Xapian::Database &db, const char *id, int want_text,
                     civ_error *err)
{
    Xapian::docid did = find_id(db, id);
    if (!did)
        return civ_error_set(err, CIV_ENOTFOUND, "no document with id %s", id);
    return decode_document(out, db.get_document(did), want_text, err);
}

civ_status decode_document(civ_doc **out, const Xapian::Document &xd, int want_text, civ_error *err)
{
    std::string data = xd.get_data();
    civ_error derr = CIV_ERROR_INIT;
    civ_status s = civ_doc_decode(out, data.data(), data.size(), want_text, &derr);
    if (s == CIV_OK && want_text && civ_doc_npassages(*out) &&
        (s = load_passages(*out, xd, &derr)) != CIV_OK) {
        civ_doc_free(*out);
        *out = nullptr;
    }
    return s == CIV_OK ? s : damaged_record(err, xd.get_docid(), derr);
}

civ_status damaged_record(civ_error *err, Xapian::docid did, const civ_error &why)
{
    if (why.code == CIV_ENOMEM)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return civ_error_set(err, CIV_ECORRUPT, "index damaged (document %u: %s): run civindex --full to rebuild it",
                         (unsigned)did, why.msg);
}

std::string number_value(const char *v, size_t len)
{
    return Xapian::sortable_serialise(std::strtod(std::string(v, len).c_str(), nullptr));
}

std::string number_text(const std::string &slot_value)
{
    char num[32];
    snprintf(num, sizeof num, "%.0f", Xapian::sortable_unserialise(slot_value));
    return num;
}

} // namespace civx

namespace {

const char *fatal_prog = "civsearch";
std::terminate_handler previous_terminate;

/* Xapian 1.4 allocates inside functions declared not to throw (seen in
 * WritableDatabase::commit_transaction under tests/e2e/oom.sh): a
 * std::bad_alloc there cannot reach our catch blocks and ends here. */
[[noreturn]] void on_terminate()
{
    std::exception_ptr e = std::current_exception();
    if (e) {
        try {
            std::rethrow_exception(e);
        } catch (const std::bad_alloc &) {
            char line[160];
            int n = snprintf(line, sizeof line, "%s: out of memory\n", fatal_prog);
            if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0) {
                /* nothing more to say */
            }
            _exit(2);
        } catch (...) {
        }
    }
    if (previous_terminate)
        previous_terminate();
    std::abort();
}

/* The memory reserve (civ_oom_guard): released by the new-handler when
 * operator new fails, taken back by memory_reserve() at the next entry
 * point. Threads of civindex share it, hence the atomics. */
constexpr size_t RESERVE_BYTES = 1 << 20;
std::atomic<void *> reserve{nullptr};
std::atomic<bool> reserve_on{false};

void release_reserve()
{
    void *r = reserve.exchange(nullptr);
    if (!r)
        throw std::bad_alloc();
    free(r);   /* operator new tries again */
}

} // namespace

namespace civx {

void memory_reserve()
{
    if (!reserve_on.load(std::memory_order_relaxed) || reserve.load(std::memory_order_relaxed))
        return;
    void *r = malloc(RESERVE_BYTES);
    if (!r)
        throw std::bad_alloc();
    void *none = nullptr;
    if (!reserve.compare_exchange_strong(none, r))
        free(r);
}

} // namespace civx

extern "C" void civ_oom_guard(const char *prog)
{
    if (prog)
        fatal_prog = prog;
    std::terminate_handler old = std::set_terminate(on_terminate);
    if (old != on_terminate)
        previous_terminate = old;
    const char *env = getenv("CIV_MEMORY_RESERVE");
    if (env && strcmp(env, "0") == 0)
        return;
    std::set_new_handler(release_reserve);
    reserve_on.store(true);
    try {
        civx::memory_reserve();
    } catch (const std::bad_alloc &) {
        /* the first entry point tries again, and fails cleanly */
    }
}
