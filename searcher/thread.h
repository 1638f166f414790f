/*
 * civ/thread.h — finding the messages of a thread (civsearch --thread).
 */
#ifndef CIV_THREAD_H
#define CIV_THREAD_H

#include <stddef.h>

#include "civ/db.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes the search filter "thread:ID" for arg into out (at most outsz-1
 * bytes and a NUL). arg is a thread id (16 hex digits, any case) or the
 * Message-ID, with or without <>, of any message of the thread, which is
 * then looked up in db. Returns CIV_OK, CIV_ENOTFOUND when no message has
 * that Message-ID, CIV_EINVAL for an empty id, or the search's error. */
civ_status civ_thread_filter(char *out, size_t outsz, civ_db *db, const char *arg,
                             civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
