/* lib/xapian/merge.cc — merging databases into one (shards of a build,
 * generations) with Xapian's compactor. */
#include "internal.hh"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace civx;

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

extern "C" civ_status civ_spelling_merge(const char *dst, const char *const *srcs, size_t n,
                                         civ_error *err)
{
    if (!dst || (!srcs && n))
        return civ_error_set(err, CIV_EINVAL, "civ_spelling_merge: NULL argument");
    if (n == 0)
        return civ_error_set(err, CIV_EINVAL, "civ_spelling_merge: no index");
    CIV_TRY
    Xapian::Database all;
    for (size_t i = 0; i < n; i++)
        all.add_database(Xapian::Database(srcs[i]));
    Xapian::Database first(srcs[0]);
    Xapian::WritableDatabase out(dst, Xapian::DB_CREATE | Xapian::DB_BACKEND_GLASS);
    /* Over several databases Xapian lists each word once, with the sum of
     * its frequencies. */
    unsigned pending = 0;
    bool any = false;
    for (Xapian::TermIterator t = all.spellings_begin(); t != all.spellings_end(); ++t) {
        if (!any)
            out.set_metadata(META_SPELLING, "1");
        any = true;
        out.add_spelling(*t, t.get_termfreq());
        if (++pending == 200000) {
            out.commit();
            pending = 0;
        }
    }
    for (const char *key : { META_FORMAT, META_STEMMER, META_STEMMING })
        out.set_metadata(key, first.get_metadata(key));
    out.set_metadata(META_ROLE, "spelling");
    out.commit();
    out.close();
    if (!sync_path(dst))
        return civ_error_set(err, CIV_EIO, "cannot sync %s", dst);
    return CIV_OK;
    CIV_CATCH(err, dst)
}
