#define _GNU_SOURCE
#include "civ/warm.h"

#include <link.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22 /* Linux 5.14 */
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define HEAP_KEEP (8u << 20)  /* freed heap kept, not given back */
#define HEAP_BLOCK (1u << 20) /* blocks from mmap from this size on */

/* Maps the whole pages of [p, p + n) at once; the bytes made ready, 0 when
 * the kernel cannot. */
static size_t populate(const void *p, size_t n, int advice)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    uintptr_t e = ((uintptr_t)p + n) & ~(page - 1);
    if (e <= a || madvise((void *)a, e - a, advice) != 0)
        return 0;
    return e - a;
}

typedef struct {
    const char *const *libs;
    size_t ready;
} code_walk;

/* The program (named "") and the libraries of w->libs. */
static int wanted(const char *name, const char *const *libs)
{
    if (!name || !*name)
        return 1;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    for (const char *const *l = libs; l && *l; l++)
        if (strncmp(base, *l, strlen(*l)) == 0)
            return 1;
    return 0;
}

static int code_segments(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    code_walk *w = data;
    if (!wanted(info->dlpi_name, w->libs))
        return 0;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        /* Writable segments were written by the loader already. */
        if (ph->p_type == PT_LOAD && !(ph->p_flags & PF_W))
            w->ready += populate((const void *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz,
                                 MADV_POPULATE_READ);
    }
    return 0;
}

civ_status civ_warm_start(size_t *heap_ready, size_t *code_ready, size_t heap_bytes,
                          const char *const *libs)
{
    size_t heap = 0;
    code_walk code = { .libs = libs, .ready = 0 };
    const char *env = getenv("CIV_WARM");
    int off = env && strcmp(env, "0") == 0;
    if (!off && heap_bytes > 0) {
#ifdef __GLIBC__
        if (heap_bytes > HEAP_BLOCK - 4096)
            heap_bytes = HEAP_BLOCK - 4096;
        if (mallopt(M_TRIM_THRESHOLD, HEAP_KEEP) && mallopt(M_MMAP_THRESHOLD, HEAP_BLOCK)) {
            void *p = malloc(heap_bytes);
            if (p) {
                heap = populate(p, heap_bytes, MADV_POPULATE_WRITE);
                free(p);
            }
        }
#endif
    }
    if (!off)
        dl_iterate_phdr(code_segments, &code);
    if (heap_ready)
        *heap_ready = heap;
    if (code_ready)
        *code_ready = code.ready;
    if (!off && code.ready == 0 && heap == 0)
        return CIV_EUNSUPPORTED;
    return CIV_OK;
}
