/*
 * civ/writer.h — adding, replacing and removing documents in an index.
 *
 * Changes become visible to readers only at civ_writer_commit(); a writer
 * freed without committing discards what it did since the last commit.
 * One writer at a time per index: a second one gets CIV_ELOCKED.
 */
#ifndef CIV_WRITER_H
#define CIV_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "civ/doc.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_writer civ_writer;

#define CIV_WRITER_OPTS_VERSION 1

typedef struct civ_writer_opts {
    unsigned version;       /* CIV_WRITER_OPTS_VERSION */
    const char *stemmer;    /* stemming language for a new index ("english");
                               an existing index keeps its own */
    int overwrite;          /* start a new, empty index (drops the old one) */
    int text_level;         /* zlib level for the stored text, 1..9 (0: 6) */
    int spelling;           /* the spelling dictionary (CIV_SPELL_*): title
                               words, and the words of documents in the
                               index language */
    int nosync;             /* do not fsync at commit (scratch shards that are
                               merged and synced later) */
} civ_writer_opts;

#define CIV_WRITER_OPTS_INIT { .version = CIV_WRITER_OPTS_VERSION, .spelling = CIV_SPELL_FEED }

/* civ_writer_opts.spelling */
enum {
    CIV_SPELL_OFF = 0,   /* no spelling dictionary */
    CIV_SPELL_FEED = 1,  /* words feed this index's own dictionary */
    CIV_SPELL_COUNT = 2  /* words are only counted, for civ_writer_take_spelling */
};

/* Spelling-dictionary counts held apart from any index. A build's shards
 * count words (CIV_SPELL_COUNT) and hand them over here; the dictionary is
 * then written once (civ_writer_add_spelling) instead of once per shard,
 * which would repeat the costly first addition of every word. Not
 * thread-safe: the caller serialises. */
typedef struct civ_spelling civ_spelling;

/* A new, empty set of counts; *out is owned by the caller. */
civ_status civ_spelling_new(civ_spelling **out, civ_error *err);

/* NULL is a no-op. */
void civ_spelling_free(civ_spelling *sp);

/* Distinct words waiting to be added. */
size_t civ_spelling_pending(const civ_spelling *sp);

/* Documents whose words were counted, all told. */
uint64_t civ_spelling_docs(const civ_spelling *sp);

/* Drops every waiting word. */
void civ_spelling_clear(civ_spelling *sp);

/* Moves the counts w gathered since the last take (CIV_SPELL_COUNT) into
 * sp. */
civ_status civ_writer_take_spelling(civ_spelling *sp, civ_writer *w, civ_error *err);

/* Adds the words of sp counted at least min_count times to w's dictionary
 * (committed with w's next commit) and removes them from sp; the others
 * wait in sp. Which words deserve a place is the caller's policy. */
civ_status civ_writer_add_spelling(civ_writer *w, civ_spelling *sp, unsigned min_count,
                                   civ_error *err);

/* Opens (creating if needed) the index at path for writing.
 * Errors: CIV_ELOCKED (another writer has it), CIV_EIO (cannot create or
 * write the directory), CIV_ECORRUPT, CIV_ENOMEM, CIV_EINVAL (the index was
 * made by an incompatible version). *out is owned by the caller. */
civ_status civ_writer_open(civ_writer **out, const char *path,
                           const civ_writer_opts *opts, civ_error *err);

/* Discards uncommitted changes and closes the index. NULL is a no-op. */
void civ_writer_free(civ_writer *w);

/* Adds doc, replacing any document with the same "id" (which it must
 * have). The doc is only read; the caller keeps it. *bytes (may be NULL)
 * receives an estimate of the memory the change holds until commit. */
civ_status civ_writer_put(civ_writer *w, const civ_doc *doc, size_t *bytes,
                          civ_error *err);

/* Removes the document with this id; CIV_OK if there was none. */
civ_status civ_writer_delete(civ_writer *w, const char *id, civ_error *err);

/* Reads the document with this id (committed or not), with its stored
 * text when want_text is set. *out is owned by the caller. CIV_ENOTFOUND
 * when there is none. */
civ_status civ_writer_get(civ_doc **out, civ_writer *w, const char *id, int want_text,
                          civ_error *err);

/* Replaces the stored record of the document with this id by doc (read
 * with its text by civ_writer_get and changed), without indexing its text
 * again: the exact-match terms and value slots of its fields follow doc,
 * so doc may give the document a new id (a document already there gives
 * way); the words of its text and free-text fields stay. CIV_ENOTFOUND
 * when there is no such document. */
civ_status civ_writer_update(civ_writer *w, const char *id, const civ_doc *doc, civ_error *err);

/* Calls fn with the id of every document whose field has exactly this
 * value (an exact-match field: "file", "root"); fn returning non-zero
 * stops. Documents changed by fn are safe: the ids are gathered first. */
civ_status civ_writer_ids_with(civ_writer *w, const char *field, const char *value,
                               int (*fn)(void *ctx, const char *id), void *ctx, civ_error *err);

/* Makes all changes so far durable and visible (fsynced). */
civ_status civ_writer_commit(civ_writer *w, civ_error *err);

/* Commits, then writes and commits the table of word counts that the
 * feedback round of questions reads (the number of documents holding each
 * word it may add, a few metadata values read at once instead of a
 * posting-list lookup a word). The table names the revision its commit
 * makes: any later commit leaves it unused (searches count from the
 * posting lists, the same counts more slowly) until this is called again.
 * civindex calls it at the end of every run. */
civ_status civ_writer_note_counts(civ_writer *w, civ_error *err);

/* Calls fn for every document (committed state) with its id and the
 * values of the given fields, in no particular order: values[i] is the
 * value of fields[i] ("" when the document has none; a whole number in
 * decimal; several values joined by CIV_FACET_SEP). The fields must have a value slot or exact-match terms: they
 * are read from those in docid order, which is much cheaper than reading
 * each document (about 4 bytes a field and document plus the values: a
 * million documents fit). fn returning non-zero stops the walk. Strings
 * are borrowed for the call. */
civ_status civ_writer_scan(civ_writer *w, const char *const *fields, size_t nfields,
                           int (*fn)(void *ctx, const char *id, const char *const *values),
                           void *ctx, civ_error *err);

/* A metadata value as a malloc'd string (caller frees), NULL when unset. */
civ_status civ_writer_get_meta(char **out, civ_writer *w, const char *key, civ_error *err);

/* Hands the writer's own buffers (spelling-dictionary counts, which are
 * gathered over many documents) to the pending changes, so that the next
 * civ_writer_commit() makes them durable. civ_writer_commit() does this by
 * itself every few thousand documents; call this before the last commit
 * of a run. */
civ_status civ_writer_flush(civ_writer *w, civ_error *err);

/* Calls fn with every metadata key that starts with prefix, and its
 * value (committed state); fn returning non-zero stops. */
civ_status civ_writer_each_meta(civ_writer *w, const char *prefix,
                                int (*fn)(void *ctx, const char *key, const char *value),
                                void *ctx, civ_error *err);

/* Sets a metadata key (committed with the next commit); an empty or NULL
 * value removes it. */
civ_status civ_writer_set_meta(civ_writer *w, const char *key, const char *value,
                               civ_error *err);

/* Number of documents, counting uncommitted changes. */
uint64_t civ_writer_doc_count(const civ_writer *w);

/* Merges the databases srcs[0..n) (made by civ_writer, same stemmer) into
 * a new database at dst, which must not exist, fully compacted. With
 * single_file, dst is one file (read-only, for deployment); otherwise a
 * folder a writer can open. Document ids are renumbered; the "id" terms
 * must not collide. Errors: CIV_EIO (disk full, cannot write), CIV_ENOTFOUND,
 * CIV_ECORRUPT, CIV_ENOMEM. */
civ_status civ_compact(const char *dst, const char *const *srcs, size_t n, int single_file,
                       civ_error *err);

/* The spelling dictionaries of the indexes srcs[0..n) as one, written
 * into a new database at dst (which must not exist): each word with the
 * sum of its frequencies, the first index's settings (format, stemmer,
 * stemming), no documents, and the metadata "civ:role" = "spelling".
 * civsearch uses such a database, listed among the indexes it searches, as
 * the dictionary of its suggestions (civ/db.h), since Xapian's remote
 * protocol serves none. Errors: CIV_ENOTFOUND, CIV_EIO, CIV_ECORRUPT,
 * CIV_ENOMEM. */
civ_status civ_spelling_merge(const char *dst, const char *const *srcs, size_t n,
                              civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
