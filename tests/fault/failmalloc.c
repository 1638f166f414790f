/* tests/fault/failmalloc.c — an LD_PRELOAD shim that makes one allocation
 * fail, for the out-of-memory sweep (tests/e2e/oom.sh).
 *
 *   CIV_FAILMALLOC_AT=N      the N-th counted allocation (1-based) returns
 *                            NULL with errno ENOMEM; 0 or unset: none fails
 *   CIV_FAILMALLOC_PERSIST=1 every counted allocation from the N-th on fails
 *   CIV_FAILMALLOC_SKIP=a:b  allocations made directly from a shared object
 *                            whose path contains one of these words are
 *                            neither counted nor failed (default
 *                            "libglib-2.0:libcmark": g_malloc, and cmark's
 *                            default allocator, abort on NULL by design)
 *   CIV_FAILMALLOC_LOG=FILE  append to FILE, when the allocation fails,
 *                            "fail N caller=OBJECT+0xOFFSET", and at exit
 *                            "calls=C failed=F skipped=S"
 *
 * Counting starts when main() is entered (the shim wraps
 * __libc_start_main), so the dynamic loader and static constructors never
 * see a failure. malloc, calloc, realloc, posix_memalign, aligned_alloc,
 * memalign and valloc are counted; strdup, asprintf and the like come
 * through malloc. The real allocator is glibc's (__libc_malloc and
 * friends), so the shim itself never allocates. Counting is atomic: with
 * several threads the N-th call is still exactly one call, but which thread
 * makes it may vary from run to run.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

#define MAX_SKIP 8

static int armed;
static unsigned long fail_at;
static int persist;
static unsigned long calls, failed, skipped;
static struct { uintptr_t lo, hi; } skip_range[MAX_SKIP];
static int nskip;
static const char *skip_words;

static int skip_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    (void)data;
    const char *name = info->dlpi_name;
    if (!name || !*name || nskip >= MAX_SKIP)
        return 0;
    const char *w = skip_words;
    while (*w) {
        const char *end = strchr(w, ':');
        size_t len = end ? (size_t)(end - w) : strlen(w);
        char word[128];
        if (len && len < sizeof word) {
            memcpy(word, w, len);
            word[len] = '\0';
            if (strstr(name, word)) {
                for (int i = 0; i < info->dlpi_phnum && nskip < MAX_SKIP; i++) {
                    const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
                    if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
                        skip_range[nskip].lo = info->dlpi_addr + ph->p_vaddr;
                        skip_range[nskip].hi = skip_range[nskip].lo + ph->p_memsz;
                        nskip++;
                    }
                }
                break;
            }
        }
        if (!end)
            break;
        w = end + 1;
    }
    return 0;
}

static void log_line(const char *line, int n)
{
    const char *log = getenv("CIV_FAILMALLOC_LOG");
    if (!log || !*log)
        return;
    int fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0)
        return;
    if (n > 0 && write(fd, line, (size_t)n) < 0) {
        /* nothing to do: the sweep notices a missing line */
    }
    close(fd);
}

static void report(void)
{
    char line[128];
    int n = snprintf(line, sizeof line, "calls=%lu failed=%lu skipped=%lu\n",
                     __atomic_load_n(&calls, __ATOMIC_RELAXED),
                     __atomic_load_n(&failed, __ATOMIC_RELAXED),
                     __atomic_load_n(&skipped, __ATOMIC_RELAXED));
    log_line(line, n);
}

/* Which code saw the failure: for the sweep's messages and for gdb. */
static void report_failure(unsigned long n, const void *caller)
{
    Dl_info info;
    char line[512];
    int len;
    if (dladdr(caller, &info) && info.dli_fname)
        len = snprintf(line, sizeof line, "fail %lu caller=%s+0x%lx\n", n, info.dli_fname,
                       (unsigned long)((uintptr_t)caller - (uintptr_t)info.dli_fbase));
    else
        len = snprintf(line, sizeof line, "fail %lu caller=%p\n", n, caller);
    log_line(line, len);
}

static void arm(void)
{
    const char *at = getenv("CIV_FAILMALLOC_AT");
    const char *p = getenv("CIV_FAILMALLOC_PERSIST");
    skip_words = getenv("CIV_FAILMALLOC_SKIP");
    if (!skip_words)
        skip_words = "libglib-2.0:libcmark";
    fail_at = at ? strtoul(at, NULL, 10) : 0;
    persist = p && *p == '1';
    /* Libraries loaded later with dlopen are not in the skip list; GLib and
     * cmark are linked at start-up by everything that uses them. */
    if (*skip_words)
        dl_iterate_phdr(skip_object, NULL);
    atexit(report);
    __atomic_store_n(&armed, 1, __ATOMIC_RELEASE);
}

/* 1 if this allocation must fail. caller: the allocating function's
 * return address. */
static int should_fail(const void *caller)
{
    if (!__atomic_load_n(&armed, __ATOMIC_ACQUIRE))
        return 0;
    uintptr_t c = (uintptr_t)caller;
    for (int i = 0; i < nskip; i++) {
        if (c >= skip_range[i].lo && c < skip_range[i].hi) {
            __atomic_add_fetch(&skipped, 1, __ATOMIC_RELAXED);
            return 0;
        }
    }
    unsigned long n = __atomic_add_fetch(&calls, 1, __ATOMIC_RELAXED);
    if (!fail_at || n < fail_at || (n > fail_at && !persist))
        return 0;
    if (__atomic_add_fetch(&failed, 1, __ATOMIC_RELAXED) == 1)
        report_failure(n, caller);
    errno = ENOMEM;
    return 1;
}

#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))

void *malloc(size_t size)
{
    return should_fail(CALLER) ? NULL : __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    return should_fail(CALLER) ? NULL : __libc_calloc(n, size);
}

void *realloc(void *ptr, size_t size)
{
    /* realloc(p, 0) frees: not an allocation that can fail. */
    if (ptr && size == 0)
        return __libc_realloc(ptr, size);
    return should_fail(CALLER) ? NULL : __libc_realloc(ptr, size);
}

void free(void *ptr)
{
    __libc_free(ptr);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)))
        return EINVAL;
    if (should_fail(CALLER))
        return ENOMEM;
    void *p = __libc_memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t size)
{
    return should_fail(CALLER) ? NULL : __libc_memalign(align, size);
}

void *memalign(size_t align, size_t size)
{
    return should_fail(CALLER) ? NULL : __libc_memalign(align, size);
}

void *valloc(size_t size)
{
    return should_fail(CALLER) ? NULL : __libc_memalign((size_t)sysconf(_SC_PAGESIZE), size);
}

/* Counting starts at main: wrap the program's entry. */
typedef int (*main_fn)(int, char **, char **);
typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void),
                        void (*)(void), void *);
static main_fn real_main;

static int armed_main(int argc, char **argv, char **envp)
{
    arm();
    return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void),
                      void (*fini)(void), void (*rtld_fini)(void), void *stack_end)
{
    start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
    if (!real) {
        static const char msg[] = "failmalloc: no __libc_start_main\n";
        (void)!write(2, msg, sizeof msg - 1);
        _exit(127);
    }
    real_main = main;
    return real(armed_main, argc, argv, init, fini, rtld_fini, stack_end);
}
