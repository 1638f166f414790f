/* The index folder: generations, lock, scratch, atomic switches. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "indexdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civ/buf.h"

#define STUB "XAPIANDB"
#define LOCKFILE "civindex.lock"
#define SCRATCH "tmp"

struct civ_indexdir {
    char *path;
    int lock_fd;
    int legacy;
    unsigned gen;      /* current generation number, 0: none */
    int gen_is_file;
    char *current;     /* path of the current generation, or NULL */
    int damaged;       /* generations there, but no stub naming one */
};

static char *join(const char *a, const char *b)
{
    civ_buf p = CIV_BUF_INIT;
    civ_buf_printf(&p, "%s/%s", a, b);
    if (civ_buf_failed(&p)) {
        civ_buf_free(&p);
        return NULL;
    }
    return civ_buf_steal(&p);
}

static int rm_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP || flag == FTW_D)
        rmdir(p);
    else
        unlink(p);
    return 0;
}

static void rm_rf(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode))
        nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    else
        unlink(path);
}

void civ_crash_point(const char *name)
{
    static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    static unsigned long hits;
    const char *want = getenv("CIVINDEX_CRASH_AT");
    if (!want || !*want)
        return;
    size_t n = strlen(name);
    if (strncmp(want, name, n) != 0 || (want[n] != '\0' && want[n] != ':'))
        return;
    char *end = (char *)want + n;
    unsigned long at = *end == ':' ? strtoul(end + 1, &end, 10) : 1;
    int sig = strcmp(end, ":stop") == 0 ? SIGSTOP : SIGKILL;
    pthread_mutex_lock(&mu);
    unsigned long h = ++hits;
    pthread_mutex_unlock(&mu);
    if (h == at)
        raise(sig);
}

static int sync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int sync_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag != FTW_F && flag != FTW_DP)
        return 0;
    int fd = open(p, (S_ISDIR(st->st_mode) ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc == 0 ? 0 : -1;
}

civ_status civ_sync_tree(const char *path, civ_error *err)
{
    if (nftw(path, sync_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return civ_error_set(err, CIV_EIO, "cannot sync %s: %s", path, strerror(errno));
    return CIV_OK;
}

/* "db.12" → 12 and is_file 0; "db.12.glass" → 12 and 1; else 0. */
static unsigned gen_number(const char *name, int *is_file)
{
    if (strncmp(name, "db.", 3) != 0 || name[3] < '1' || name[3] > '9')
        return 0;
    char *end;
    unsigned long n = strtoul(name + 3, &end, 10);
    if (n == 0 || n > 999999999UL)
        return 0;
    if (*end == '\0') {
        *is_file = 0;
        return (unsigned)n;
    }
    if (strcmp(end, ".glass") == 0) {
        *is_file = 1;
        return (unsigned)n;
    }
    return 0;
}

/* Reads the stub: which generation is current. */
static void read_stub(civ_indexdir *d)
{
    d->gen = 0;
    d->gen_is_file = 0;
    free(d->current);
    d->current = NULL;
    char *sp = join(d->path, STUB);
    FILE *f = sp ? fopen(sp, "r") : NULL;
    free(sp);
    if (!f)
        return;
    char line[256];
    if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *name = strchr(line, ' ');
        name = name ? name + 1 : line;
        int is_file = 0;
        unsigned g = gen_number(name, &is_file);
        if (g) {
            d->gen = g;
            d->gen_is_file = is_file;
            d->current = join(d->path, name);
        }
    }
    fclose(f);
}

/* Calls act on the path of every entry of the index folder that pick
 * accepts. */
static void remove_entries(civ_indexdir *d, int (*pick)(const civ_indexdir *d, const char *name),
                           void (*act)(const char *path))
{
    DIR *dir = opendir(d->path);
    if (!dir)
        return;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (!pick(d, e->d_name))
            continue;
        char *p = join(d->path, e->d_name);
        if (p)
            act(p);
        free(p);
    }
    closedir(dir);
}

/* Generations other than the current one. */
static int old_generation(const civ_indexdir *d, const char *name)
{
    int is_file;
    unsigned g = gen_number(name, &is_file);
    return g && !(g == d->gen && is_file == d->gen_is_file);
}

/* The files of a database that was the index folder itself. */
static int legacy_file(const civ_indexdir *d, const char *name)
{
    (void)d;
    int is_file;
    size_t n = strlen(name);
    int table = n > 6 && strcmp(name + n - 6, ".glass") == 0 && !gen_number(name, &is_file);
    return table || strcmp(name, "flintlock") == 0;
}

static void unlink_path(const char *path)
{
    unlink(path);
}

static void remove_old_generations(civ_indexdir *d)
{
    remove_entries(d, old_generation, rm_rf);
}

static void remove_legacy_files(civ_indexdir *d)
{
    remove_entries(d, legacy_file, unlink_path);
}

static unsigned max_generation(const civ_indexdir *d)
{
    unsigned max = d->gen;
    DIR *dir = opendir(d->path);
    if (!dir)
        return max;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        int is_file;
        unsigned g = gen_number(e->d_name, &is_file);
        if (g > max)
            max = g;
    }
    closedir(dir);
    return max;
}

static civ_status take_lock(civ_indexdir *d, civ_error *err)
{
    char *lp = join(d->path, LOCKFILE);
    if (!lp)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    int fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    free(lp);
    if (fd < 0)
        return civ_error_set(err, CIV_EIO, "cannot write to index %s: %s", d->path, strerror(errno));
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        if (e != EWOULDBLOCK) {
            close(fd);
            return civ_error_set(err, CIV_EIO, "cannot lock index %s: %s", d->path, strerror(e));
        }
        /* The holder writes its pid just after locking: give it a moment. */
        long pid = 0;
        for (int i = 0; i < 20 && pid <= 0; i++) {
            char buf[32] = { 0 };
            ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
            if (n > 0)
                pid = strtol(buf, NULL, 10);
            if (pid <= 0)
                usleep(10000);
        }
        close(fd);
        if (pid > 0)
            return civ_error_set(err, CIV_ELOCKED, "index %s is locked by another civindex (pid %ld)",
                                 d->path, pid);
        return civ_error_set(err, CIV_ELOCKED, "index %s is locked by another civindex", d->path);
    }
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
        int e = errno;
        close(fd);
        return civ_error_set(err, CIV_EIO, "cannot write to index %s: %s", d->path,
                             strerror(e ? e : EIO));
    }
    d->lock_fd = fd;
    return CIV_OK;
}

/* 1 if the folder holds a generation (db.N, db.N.glass). */
static int has_generation(const civ_indexdir *d)
{
    DIR *dir = opendir(d->path);
    if (!dir)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(dir)) != NULL) {
        int is_file = 0;
        found = gen_number(e->d_name, &is_file) != 0;
    }
    closedir(dir);
    return found;
}

civ_status civ_indexdir_open(civ_indexdir **out, const char *path, civ_error *err)
{
    *out = NULL;
    civ_indexdir *d = calloc(1, sizeof *d);
    if (!d || !(d->path = strdup(path))) {
        free(d);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    d->lock_fd = -1;
    struct stat st;
    if (stat(path, &st) != 0) {
        if (errno != ENOENT || mkdir(path, 0755) != 0) {
            civ_status s = civ_error_set(err, CIV_EIO, "cannot create index %s: %s", path,
                                         strerror(errno));
            civ_indexdir_free(d);
            return s;
        }
    } else if (!S_ISDIR(st.st_mode)) {
        civ_indexdir_free(d);
        return civ_error_set(err, CIV_EINVAL,
                             "%s is a file (a single-file index is read-only); index into a folder",
                             path);
    }
    civ_status s = take_lock(d, err);
    if (s != CIV_OK) {
        civ_indexdir_free(d);
        return s;
    }
    char *probe = join(path, "iamglass");
    d->legacy = probe && access(probe, F_OK) == 0;
    free(probe);
    if (d->legacy) {
        d->current = strdup(path);
        if (!d->current) {
            civ_indexdir_free(d);
            return civ_error_set(err, CIV_ENOMEM, "out of memory");
        }
        return (*out = d), CIV_OK;
    }
    read_stub(d);
    if (!d->gen && has_generation(d)) {
        /* XAPIANDB lost or garbled: the generations are kept for a human
         * to look at until --full replaces them. */
        d->damaged = 1;
        return (*out = d), CIV_OK;
    }
    civ_indexdir_clean_scratch(d);
    remove_old_generations(d);
    *out = d;
    return CIV_OK;
}

void civ_indexdir_free(civ_indexdir *d)
{
    if (!d)
        return;
    if (d->lock_fd >= 0) {
        if (ftruncate(d->lock_fd, 0) != 0) {
            /* the pid stays; harmless: it is read only while locked */
        }
        close(d->lock_fd); /* releases the flock */
    }
    free(d->current);
    free(d->path);
    free(d);
}

const char *civ_indexdir_path(const civ_indexdir *d) { return d->path; }
const char *civ_indexdir_current(const civ_indexdir *d) { return d->current; }
int civ_indexdir_current_is_file(const civ_indexdir *d) { return d->gen_is_file; }
int civ_indexdir_legacy(const civ_indexdir *d) { return d->legacy; }
int civ_indexdir_damaged(const civ_indexdir *d) { return d->damaged; }

void civ_indexdir_clean_scratch(civ_indexdir *d)
{
    char *p = join(d->path, SCRATCH);
    if (p)
        rm_rf(p);
    free(p);
}

void civ_indexdir_drop_scratch(civ_indexdir *d, const char *path)
{
    char *dir = join(d->path, SCRATCH);
    size_t n = dir ? strlen(dir) : 0;
    if (dir && path && strncmp(path, dir, n) == 0 && path[n] == '/' && !strstr(path + n, "/.."))
        rm_rf(path);
    free(dir);
}

civ_status civ_indexdir_scratch(char **out, civ_indexdir *d, const char *name, civ_error *err)
{
    *out = NULL;
    char *dir = join(d->path, SCRATCH);
    if (!dir)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        civ_status s = civ_error_set(err, CIV_EIO, "cannot create %s: %s", dir, strerror(errno));
        free(dir);
        return s;
    }
    *out = join(dir, name);
    free(dir);
    return *out ? CIV_OK : civ_error_set(err, CIV_ENOMEM, "out of memory");
}

civ_status civ_indexdir_publish(civ_indexdir *d, const char *built, int single_file,
                                civ_error *err)
{
    civ_status s = civ_sync_tree(built, err);
    if (s != CIV_OK)
        return s;
    unsigned g = max_generation(d) + 1;
    char name[64];
    snprintf(name, sizeof name, single_file ? "db.%u.glass" : "db.%u", g);
    char *dst = join(d->path, name);
    char *stub_tmp = NULL, *stub = join(d->path, STUB);
    if (!dst || !stub) {
        s = civ_error_set(err, CIV_ENOMEM, "out of memory");
        goto out;
    }
    if (rename(built, dst) != 0) {
        s = civ_error_set(err, CIV_EIO, "cannot move %s into place: %s", built, strerror(errno));
        goto out;
    }
    if (sync_dir(d->path) != 0) {
        s = civ_error_set(err, CIV_EIO, "cannot sync %s: %s", d->path, strerror(errno));
        goto out;
    }
    civ_crash_point("renamed");
    s = civ_indexdir_scratch(&stub_tmp, d, "XAPIANDB.new", err);
    if (s != CIV_OK)
        goto out;
    FILE *f = fopen(stub_tmp, "w");
    if (!f) {
        s = civ_error_set(err, CIV_EIO, "cannot write %s: %s", stub_tmp, strerror(errno));
        goto out;
    }
    int bad = fprintf(f, "auto %s\n", name) < 0;
    bad |= fflush(f) != 0;
    bad |= fsync(fileno(f)) != 0;
    int e = errno;
    bad |= fclose(f) != 0;
    if (bad) {
        s = civ_error_set(err, CIV_EIO, "cannot write %s: %s", stub_tmp, strerror(e ? e : EIO));
        goto out;
    }
    if (rename(stub_tmp, stub) != 0) {
        s = civ_error_set(err, CIV_EIO, "cannot switch %s: %s", stub, strerror(errno));
        goto out;
    }
    sync_dir(d->path);
    if (d->legacy) {
        /* An index folder that was itself a database: removing its
         * "iamglass" is the switch (Xapian then follows the stub); its
         * other files go after. */
        char *probe = join(d->path, "iamglass");
        if (!probe || unlink(probe) != 0) {
            s = civ_error_set(err, CIV_EIO, "cannot switch %s to generations: %s", d->path,
                              strerror(errno));
            free(probe);
            goto out;
        }
        free(probe);
        sync_dir(d->path);
        d->legacy = 0;
        remove_legacy_files(d);
    }
    read_stub(d);
    remove_old_generations(d);
out:
    free(dst);
    free(stub);
    free(stub_tmp);
    return s;
}
