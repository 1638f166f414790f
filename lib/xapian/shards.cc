/* lib/xapian/shards.cc — several indexes searched as one: reading specs
 * and stub files, opening each shard on the first replica that answers,
 * moving on when one fails, leaving unreachable shards out when allowed.
 *
 * Xapian combines the shards (Database::add_database) and its remote
 * backend (xapian-tcpsrv) does the rest; nothing here speaks a protocol
 * of its own. */
#include "internal.hh"

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <sys/stat.h>
#include <unistd.h>

using namespace civx;

namespace {

/* A shard left out is tried again after this many seconds. */
const double RETRY_SECONDS = 10.0;
/* Stub files may name stub files, this deep. */
const int STUB_DEPTH = 4;
/* A stub file is a small text file. */
const size_t STUB_MAX = 64 * 1024;

double now()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

bool starts_with(const std::string &s, const char *p)
{
    return s.compare(0, strlen(p), p) == 0;
}

/* "tcp://HOST:PORT" (HOST may be [IPv6]) into r. */
bool parse_tcp(Replica &r, const std::string &spec)
{
    if (!starts_with(spec, "tcp://"))
        return false;
    std::string rest = spec.substr(6);
    size_t colon;
    if (!rest.empty() && rest[0] == '[') {
        size_t close = rest.find(']');
        if (close == std::string::npos || close + 1 >= rest.size() || rest[close + 1] != ':')
            return false;
        r.host = rest.substr(1, close - 1);
        colon = close + 1;
    } else {
        colon = rest.rfind(':');
        if (colon == std::string::npos)
            return false;
        r.host = rest.substr(0, colon);
        if (r.host.find_first_of(":/") != std::string::npos)
            return false;
    }
    std::string port = rest.substr(colon + 1);
    if (r.host.empty() || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
        return false;
    unsigned long p = std::strtoul(port.c_str(), nullptr, 10);
    if (p == 0 || p > 65535)
        return false;
    r.kind = Replica::TCP;
    r.port = static_cast<unsigned>(p);
    r.name = spec;
    return true;
}

civ_status bad_tcp(civ_error *err, const std::string &spec)
{
    return civ_error_set(err, CIV_EINVAL,
                         "bad remote index \"%s\": expected tcp://HOST:PORT (PORT 1 to 65535)",
                         spec.c_str());
}

/* Replicas joined by "|": each tcp://HOST:PORT or a local path. */
civ_status parse_replicas(Shard &s, const std::string &spec, civ_error *err)
{
    size_t start = 0;
    for (;;) {
        size_t bar = spec.find('|', start);
        std::string one = spec.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
        Replica r;
        if (one.empty())
            return civ_error_set(err, CIV_EINVAL, "bad index \"%s\": an empty replica", spec.c_str());
        if (starts_with(one, "tcp:")) {
            if (!parse_tcp(r, one))
                return bad_tcp(err, one);
        } else {
            r.path = one;
            r.name = one;
        }
        s.replicas.push_back(r);
        if (bar == std::string::npos)
            break;
        start = bar + 1;
    }
    s.name = spec;
    return CIV_OK;
}

/* Whether the regular file at path is a stub (small text), and its text. */
bool read_stub(const std::string &path, std::string &text)
{
    FILE *f = fopen(path.c_str(), "rb");
    if (!f)
        return false;
    char buf[4096];
    size_t n;
    text.clear();
    while ((n = fread(buf, 1, sizeof buf, f)) > 0 && text.size() <= STUB_MAX)
        text.append(buf, n);
    fclose(f);
    return text.size() <= STUB_MAX && text.find('\0') == std::string::npos;
}

civ_status parse_path(std::vector<Shard> &out, const std::string &path, int depth, civ_error *err);

/* The lines of a stub file: one shard each. */
civ_status parse_stub(std::vector<Shard> &out, const std::string &file, const std::string &text,
                      int depth, civ_error *err)
{
    std::string dir = ".";
    size_t slash = file.rfind('/');
    if (slash != std::string::npos)
        dir = slash == 0 ? "/" : file.substr(0, slash);
    unsigned lineno = 0;
    size_t before = out.size();
    size_t pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        lineno++;
        size_t b = line.find_first_not_of(" \t\r");
        if (b == std::string::npos || line[b] == '#')
            continue;
        size_t e = line.find_last_not_of(" \t\r");
        line = line.substr(b, e - b + 1);
        size_t sp = line.find_first_of(" \t");
        std::string kind = line.substr(0, sp);
        std::string arg;
        if (sp != std::string::npos)
            arg = line.substr(line.find_first_not_of(" \t", sp));
        if (arg.empty())
            return civ_error_set(err, CIV_EINVAL, "%s:%u: \"%s\" names no database", file.c_str(),
                                 lineno, kind.c_str());
        if (kind == "auto" || kind == "glass" || kind == "chert") {
            std::string p = arg[0] == '/' ? arg : dir + "/" + arg;
            civ_status s = parse_path(out, p, depth + 1, err);
            if (s != CIV_OK)
                return s;
        } else if (kind == "remote") {
            if (arg[0] == ':')
                return civ_error_set(err, CIV_EUNSUPPORTED,
                                     "%s:%u: remote programs (remote :PROGRAM) are not supported; "
                                     "serve the database with xapian-tcpsrv",
                                     file.c_str(), lineno);
            std::string spec;
            size_t start = 0;
            for (;;) {
                size_t bar = arg.find('|', start);
                std::string one = arg.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
                if (!starts_with(one, "tcp://"))
                    one = "tcp://" + one;
                spec += (spec.empty() ? "" : "|") + one;
                if (bar == std::string::npos)
                    break;
                start = bar + 1;
            }
            Shard s;
            civ_error perr = CIV_ERROR_INIT;
            if (parse_replicas(s, spec, &perr) != CIV_OK)
                return civ_error_set(err, CIV_EINVAL, "%s:%u: expected remote HOST:PORT, got \"%s\"",
                                     file.c_str(), lineno, arg.c_str());
            out.push_back(s);
        } else {
            return civ_error_set(err, CIV_EINVAL,
                                 "%s:%u: \"%s\": expected a line \"auto PATH\" or \"remote HOST:PORT\"",
                                 file.c_str(), lineno, kind.c_str());
        }
    }
    if (out.size() == before)
        return civ_error_set(err, CIV_EINVAL, "%s: the stub file names no database", file.c_str());
    return CIV_OK;
}

/* A local path: an index folder or database (one shard), or a stub file. */
civ_status parse_path(std::vector<Shard> &out, const std::string &path, int depth, civ_error *err)
{
    struct stat st;
    if (stat(path.c_str(), &st) != 0)
        return civ_error_set(err, CIV_ENOTFOUND, "no index at %s", path.c_str());
    std::string text;
    if (S_ISREG(st.st_mode) && read_stub(path, text)) {
        if (depth >= STUB_DEPTH)
            return civ_error_set(err, CIV_EINVAL, "%s: stub files nested too deep", path.c_str());
        return parse_stub(out, path, text, depth, err);
    }
    Shard s;
    Replica r;
    r.path = path;
    r.name = path;
    s.replicas.push_back(r);
    s.name = path;
    out.push_back(s);
    return CIV_OK;
}

/* Opens a local database, trying again when civindex swaps in a new
 * generation while we open (the old one can vanish under us). */
Xapian::Database open_local(const std::string &path)
{
    struct stat st;
    for (int attempt = 0;; attempt++) {
        try {
            Xapian::Database db(path);
            db.get_metadata(META_FORMAT);
            return db;
        } catch (const Xapian::DatabaseOpeningError &) {
            if (attempt >= 3 || stat(path.c_str(), &st) != 0)
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
}

/* The reason a replica could not be opened, in one line. */
ShardError replica_error(const civ_db *db, const Replica &r)
{
    ShardError e;
    try {
        /* Called only from catch blocks. */
        // cppcheck-suppress rethrowNoCurrentException
        throw;
    } catch (const Xapian::NetworkTimeoutError &x) {
        e.code = CIV_ETIMEOUT;
        e.msg = r.name + " did not answer within " + std::to_string(db->timeout_ms) + " ms";
    } catch (const Xapian::NetworkError &x) {
        e.code = CIV_EIO;
        const char *why = x.get_error_string();
        e.msg = r.name + ": " + x.get_msg() + (why && *why ? std::string(": ") + why : std::string());
    } catch (const ShardError &x) {
        e = x;
    } catch (const std::bad_alloc &) {
        throw;
    } catch (...) {
        civ_error err = CIV_ERROR_INIT;
        e.code = map_exception(&err, r.name.c_str());
        e.msg = err.msg;
    }
    return e;
}

} // namespace

extern "C" size_t civ_db_list_span(const char *list)
{
    if (!list)
        return 0;
    size_t i = 0;
    for (;;) {
        if (strncmp(list + i, "tcp://", 6) == 0) {
            i += 6;
            if (list[i] == '[')
                while (list[i] && list[i] != ']')
                    i++;
            while (list[i] && list[i] != ':' && list[i] != '|')
                i++;
            if (list[i] == ':' && list[i + 1] >= '0' && list[i + 1] <= '9') {
                i++;
                while (list[i] >= '0' && list[i] <= '9')
                    i++;
            }
        } else {
            while (list[i] && list[i] != ':' && list[i] != '|')
                i++;
        }
        if (list[i] != '|')
            return i;
        i++;
    }
}

civ_status civx::parse_spec(std::vector<Shard> &out, const std::string &spec, civ_error *err)
{
    if (spec.empty())
        return civ_error_set(err, CIV_EINVAL, "an empty index name");
    if (spec.find('|') != std::string::npos || starts_with(spec, "tcp:")) {
        Shard s;
        civ_status st = parse_replicas(s, spec, err);
        if (st == CIV_OK)
            out.push_back(s);
        return st;
    }
    return parse_path(out, spec, 0, err);
}

void civx::open_shard(civ_db *db, Shard &s)
{
    size_t n = s.replicas.size();
    std::vector<ShardError> why;
    for (size_t k = 0; k < n; k++) {
        size_t i = (s.cur + k) % n;
        const Replica &r = s.replicas[i];
        try {
            Xapian::Database d = r.kind == Replica::TCP
                                     ? Xapian::Remote::open(r.host, r.port, db->timeout_ms, db->timeout_ms)
                                     : open_local(r.path);
            std::string fmt = d.get_metadata(META_FORMAT);
            if (!fmt.empty() && fmt != CIV_INDEX_FORMAT)
                throw ShardError{ CIV_ECORRUPT, r.name + " was made by another civsearch version (format " +
                                                    fmt + ")" };
            const char *lost = r.kind == Replica::TCP ? nullptr : lost_table(d);
            if (lost)
                throw ShardError{ CIV_ECORRUPT, "index damaged (" + r.name + ": no " + lost +
                                                    " table): run civindex --full to rebuild it" };
            s.dictionary = d.get_metadata(META_ROLE) == "spelling";
            s.db = d;
            s.cur = i;
            s.open = true;
            s.strikes = 0;
            return;
        } catch (...) {
            why.push_back(replica_error(db, r));
        }
    }
    s.open = false;
    s.db = Xapian::Database();
    if (n == 1)
        throw why[0];
    ShardError e{ why.back().code, "no replica of " + s.name + " answers (" };
    for (size_t k = 0; k < why.size(); k++)
        e.msg += (k ? "; " : "") + why[k].msg;
    e.msg += ")";
    throw e;
}

void civx::combine(civ_db *db)
{
    Xapian::Database all;
    const Shard *settings = nullptr;
    db->remote = false;
    db->has_spell = false;
    db->spell = Xapian::Database();
    db->missing.clear();
    db->parts.clear();
    for (Shard &s : db->shards) {
        if (!s.open) {
            db->missing.push_back(s.name.c_str());
            continue;
        }
        if (s.dictionary) {
            if (!db->has_spell)
                db->spell = s.db;
            db->has_spell = true;
            continue;
        }
        all.add_database(s.db);
        Part part;
        part.db = s.db;
        part.subs = s.db.size();
        part.remote = s.replicas[s.cur].kind == Replica::TCP;
        db->parts.push_back(part);
        if (part.remote)
            db->remote = true;
        /* A shard holding only a spelling dictionary has no documents:
         * take the settings from one that has. */
        if (!settings || (settings->db.get_doccount() == 0 && s.db.get_doccount() > 0))
            settings = &s;
    }
    if (!settings)
        throw ShardError{ CIV_EIO, "none of the " + std::to_string(db->shards.size()) +
                                       " shards answers" };
    db->db = all;
    set_keyed(db);
    db->stemmer_lang = settings->db.get_metadata(META_STEMMER);
    if (db->stemmer_lang.empty())
        db->stemmer_lang = "english";
    db->stem = make_stemmer(db->stemmer_lang);
    db->stem_all = settings->db.get_metadata(META_STEMMING) == "all";
    setup_parser(db);
}

/* Over remote shards each match's document is a round trip: the best
 * matches come sorted by weight then match key, which the remote protocol
 * sends with each match, when every document has one (indexes written
 * before it: their documents are read). */
void civx::set_keyed(civ_db *db)
{
    Xapian::doccount n = db->db.get_doccount();
    db->keyed = db->remote && n > 0 && db->db.get_value_freq(CIV_SLOT_MATCH) == n;
}

/* Shards are reconnected after a network error: the failed one on its
 * next replica, the others on theirs (a failure in the middle of a query
 * can leave answers unread on every connection). A shard that fails twice
 * in one search is taken as down even if it still accepts connections. */
void civx::recover(civ_db *db, const std::string &context)
{
    for (Shard &s : db->shards) {
        if (!s.open || s.replicas[s.cur].kind != Replica::TCP)
            continue;
        const Replica &r = s.replicas[s.cur];
        std::string ctx = "remote:tcp(" + r.host + ":" + std::to_string(r.port) + ")";
        bool failed = context.find(ctx) != std::string::npos;
        if (failed) {
            s.strikes++;
            s.cur = (s.cur + 1) % s.replicas.size();
        }
        s.open = false;
        s.db = Xapian::Database();
        try {
            if (failed && s.strikes >= 2 && s.replicas.size() == 1)
                throw ShardError{ CIV_ETIMEOUT, r.name + " failed twice during one search" };
            open_shard(db, s);
        } catch (const ShardError &) {
            if (!db->allow_partial)
                throw;
            s.retry_at = now() + RETRY_SECONDS;
        }
    }
    combine(db);
}

bool civx::reopen_db(civ_db *db)
{
    bool changed = false, rebuild = false;
    for (Shard &s : db->shards) {
        if (!s.open) {
            if (now() < s.retry_at)
                continue;
            try {
                open_shard(db, s);
                rebuild = changed = true;
            } catch (const ShardError &) {
                s.retry_at = now() + RETRY_SECONDS;
            }
            continue;
        }
        try {
            if (s.db.reopen())
                changed = true;
            continue;
        } catch (const Xapian::NetworkError &) {
            s.cur = (s.cur + 1) % s.replicas.size(); /* the next replica first */
        } catch (const Xapian::Error &) {
            /* A local shard whose generation civindex replaced, or a
             * remote one whose server could not reopen its database (a
             * replica switched to a new copy): open it afresh. */
        }
        rebuild = changed = true;
        try {
            open_shard(db, s);
        } catch (const ShardError &) {
            if (!db->allow_partial)
                throw;
            s.retry_at = now() + RETRY_SECONDS;
        }
    }
    if (rebuild)
        combine(db);
    else if (changed)
        set_keyed(db);
    return changed;
}

extern "C" civ_status civ_db_open_many(civ_db **out, const char *const *specs, size_t n,
                                       const civ_db_opts *opts, civ_error *err)
{
    if (!out || (!specs && n))
        return civ_error_set(err, CIV_EINVAL, "civ_db_open_many: NULL argument");
    *out = nullptr;
    if (n == 0)
        return civ_error_set(err, CIV_EINVAL, "no index given");
    if (opts && opts->version != CIV_DB_OPTS_VERSION)
        return civ_error_set(err, CIV_EINVAL, "civ_db_open_many: unknown options version %u",
                             opts->version);
    std::unique_ptr<civ_db> d;
    CIV_TRY
    d.reset(new civ_db);
    if (opts && opts->timeout_ms)
        d->timeout_ms = opts->timeout_ms;
    d->allow_partial = opts && opts->allow_partial;
    for (size_t i = 0; i < n; i++) {
        if (!specs[i])
            return civ_error_set(err, CIV_EINVAL, "civ_db_open_many: NULL spec");
        civ_status s = parse_spec(d->shards, specs[i], err);
        if (s != CIV_OK)
            return s;
    }
    d->path = specs[0];
    ShardError first{ CIV_OK, "" };
    for (Shard &s : d->shards) {
        try {
            open_shard(d.get(), s);
        } catch (const ShardError &e) {
            if (!d->allow_partial)
                return civ_error_set(err, e.code, "%s", e.msg.c_str());
            if (first.code == CIV_OK)
                first = e;
            s.retry_at = now() + RETRY_SECONDS;
        }
    }
    bool any = false;
    for (const Shard &s : d->shards)
        any = any || s.open;
    if (!any)
        return civ_error_set(err, first.code, "%s", first.msg.c_str());
    combine(d.get());
    *out = d.release();
    return CIV_OK;
    CIV_CATCH(err, "index")
}

extern "C" const char *const *civ_db_missing(const civ_db *db, size_t *n)
{
    if (n)
        *n = db ? db->missing.size() : 0;
    return db && !db->missing.empty() ? db->missing.data() : nullptr;
}

extern "C" size_t civ_db_shard_count(const civ_db *db)
{
    return db ? db->shards.size() : 0;
}
