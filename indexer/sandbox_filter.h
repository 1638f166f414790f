/*
 * indexer/sandbox_filter.h — the seccomp filters a sandbox child arms
 * before it looks at a document (sandbox.h).
 */
#ifndef CIV_SANDBOX_FILTER_H
#define CIV_SANDBOX_FILTER_H

#include <seccomp.h>

/* What a child may not do once it holds a document. Opening files fails
 * (EACCES: a library that looks for a file it lacks goes on without it);
 * the rest ends the child. A converter (a program exec'd under the
 * filter) may read files but not write them. NULL when seccomp cannot
 * make one. */
scmp_filter_ctx civ_sandbox_filter(int converter);

/* Adds to ctx (NULL: nothing): a child may signal itself (abort, raise),
 * nothing else. Called in the child, which it names by its process id. */
void civ_sandbox_own_signals(scmp_filter_ctx ctx);

#endif
