/*
 * civ/status.h — status codes and the one-line error every civ function fills.
 *
 * Conventions (see docs/conventions.md):
 *   - Every fallible function returns a civ_status; CIV_OK is 0.
 *   - Its last parameter is an optional `civ_error *err` owned by the caller.
 *     On failure the function stores the code and a one-line message there
 *     (if err is not NULL). On success err is left untouched.
 *   - A callee's error is passed up unchanged, never overwritten.
 */
#ifndef CIV_STATUS_H
#define CIV_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum civ_status {
    CIV_OK = 0,
    CIV_EINVAL,     /* bad argument (programmer or user supplied) */
    CIV_ENOMEM,     /* out of memory */
    CIV_EIO,        /* I/O error: read, write, disk full, permission */
    CIV_ENOTFOUND,  /* index, document or file does not exist */
    CIV_ELOCKED,    /* index is locked by another writer */
    CIV_ECORRUPT,   /* index is damaged or of an unknown format */
    CIV_EQUERY,     /* query could not be parsed */
    CIV_ERETRY,     /* index changed under a reader: reopen and retry */
    CIV_EFORMAT,    /* input file is malformed or of the wrong kind */
    CIV_ETOOBIG,    /* input exceeds a configured limit */
    CIV_EUNSUPPORTED, /* input kind is not supported */
    CIV_ETIMEOUT,   /* a time limit was reached */
    CIV_EOTHER      /* anything else (message says what) */
} civ_status;

#define CIV_ERROR_MSG_MAX 512

typedef struct civ_error {
    civ_status code;
    char msg[CIV_ERROR_MSG_MAX];
} civ_error;

#define CIV_ERROR_INIT { .code = CIV_OK }

/* Stores code and a printf-style message in err (if err is not NULL) and
 * returns code, so that `return civ_error_set(err, CIV_EIO, "...")` reads
 * naturally. Newlines in the formatted message are replaced by spaces so
 * the message is always a single line. */
civ_status (civ_error_set)(civ_error *err, civ_status code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* For static analysis only (clang-tidy defines __clang_analyzer__): the
 * analyzer reads one file at a time and cannot see that the call returns
 * code, so it would follow paths where an error returned CIV_OK. */
#if defined(__clang_analyzer__)
#define civ_error_set(err, code, ...) (civ_error_set((err), (code), __VA_ARGS__), (code))
#endif

/* Resets err to CIV_OK with an empty message. err may be NULL. */
void civ_error_clear(civ_error *err);

/* Guards the process against running out of memory inside Xapian, whose
 * 1.4 matcher is not exception-safe (a std::bad_alloc while it builds its
 * postlist tree can crash it). Call once from main; prog is kept (a string
 * constant).
 *   - A reserve of memory (1 MiB) is kept: when operator new cannot
 *     allocate, the reserve is released and the allocation tried again, so
 *     Xapian does not see that failure. Each entry point of the Xapian
 *     layer takes the reserve back before it starts; when it cannot, the
 *     call fails with CIV_ENOMEM ("out of memory") before Xapian is
 *     entered. The environment variable CIV_MEMORY_RESERVE=0 turns the
 *     reserve off (tests of the failure paths behind it).
 *   - A std::bad_alloc that C++ code cannot report (thrown inside a
 *     function of Xapian that may not throw, which ends in std::terminate)
 *     exits with status 2 and the one line "PROG: out of memory" instead of
 *     aborting. Any other uncaught exception still aborts. Writes to an
 *     index stay as last committed: Xapian commits atomically. */
void civ_oom_guard(const char *prog);

/* A short constant name for a status ("locked", "bad query"). Never NULL. */
const char *civ_status_name(civ_status code);

#ifdef __cplusplus
}
#endif
#endif
