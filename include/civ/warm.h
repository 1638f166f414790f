/*
 * civ/warm.h — readies the memory a short run is about to touch in a few
 * calls, instead of a page fault a page.
 *
 * A search run as one process a query (the command line, CGI) is short,
 * and a good part of it goes to page faults: one for each heap page it
 * first writes, one for each stretch of code it first runs. On a virtual
 * machine a fault costs 10-20 microseconds; mapping the same pages in one
 * call costs a tenth of that a page (bench/README.md, "Long documents").
 */
#ifndef CIV_WARM_H
#define CIV_WARM_H

#include <stddef.h>

#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Call once, from main, before the work (after civ_oom_guard).
 *   - The first heap_bytes of the heap (at most 1 MiB less a page) are
 *     mapped at once; the heap then keeps up to 8 MiB of what is freed, and
 *     blocks under 1 MiB come from it, so a short run's allocations take
 *     no faults. 0: the heap is left as it is.
 *   - The code and read-only data of the program, and of each loaded
 *     library whose file name (without its folder) starts with one of libs
 *     (NULL-terminated; NULL for none), are mapped at once: from the page
 *     cache when the program ran a moment ago, else read, as they would be.
 * Out: *heap_ready and *code_ready (either may be NULL) get the bytes made
 * ready. Returns CIV_OK, or CIV_EUNSUPPORTED where the C library or the
 * kernel (before Linux 5.14) cannot: the pages then come one by one, as
 * without it. The environment variable CIV_WARM=0 turns it off (to measure
 * what it saves). Nothing to free. */
civ_status civ_warm_start(size_t *heap_ready, size_t *code_ready, size_t heap_bytes,
                          const char *const *libs);

#ifdef __cplusplus
}
#endif

#endif
