/*
 * indexer/badfiles.h — files that were skipped, failed or not read,
 * remembered in the index's metadata, so that a nightly run neither reads
 * them again nor reports them again while they stay unchanged (size and
 * modification time), and its exit status speaks of new trouble only.
 *
 * One metadata key a file:
 *
 *   civ:bad:HASH  →  "1 SIZE MTIME OUTCOME TAG\tROOT\tFILE\tREASON"
 *
 * HASH is that of the root and the file id; OUTCOME one letter (s
 * skipped, f failed, i not a format civindex reads). TAG names what the
 * run that remembered the file could read (civindex's version, its
 * extractors and their extensions, the size limit, a forced format, OCR,
 * --doc-timeout and --doc-memory): a file remembered under another tag is
 * read again, so a new civindex that reads PDF reads the PDFs an older one
 * left, and a higher limit reads the documents a lower one stopped.
 */
#ifndef CIV_BADFILES_H
#define CIV_BADFILES_H

#include <stddef.h>
#include <stdint.h>

#include "civ/status.h"
#include "civ/writer.h"
#include "extract.h"

#define BAD_META_PREFIX "civ:bad:"

typedef struct bad_file {
    char *root, *file, *reason;  /* owned (bad_file_clear) */
    long long mtime;
    uint64_t size;
    civ_outcome outcome;         /* SKIPPED, FAILED or IGNORED */
    char tag[17];
} bad_file;

/* The tag of this civindex with these options into out[17]: the size
 * limit, a forced format, OCR on or off, and the sandbox's limits (CPU
 * seconds and bytes of memory a document may take, as the run applies
 * them: a file stopped at a limit is read again under another). */
void bad_tag(char out[17], size_t max_size, const char *format, int ocr, unsigned doc_cpu,
             size_t doc_memory);

/* The metadata key of a file into out (at least BAD_KEY_SIZE bytes). */
#define BAD_KEY_SIZE (sizeof BAD_META_PREFIX + 16)
void bad_key(char *out, const char *root, const char *file);

/* Reads a metadata value into *out (strings malloc'd). -1 when the value
 * is not a record this version reads (it is then forgotten), -2 out of
 * memory. */
int bad_parse(bad_file *out, const char *value);

/* Frees the strings of b (not b). NULL is a no-op. */
void bad_file_clear(bad_file *b);

/* Remembers b in the index w (within its next commit). */
civ_status bad_remember(civ_writer *w, const bad_file *b, civ_error *err);

/* Forgets the file (root, file id) in w. */
civ_status bad_forget(civ_writer *w, const char *root, const char *file, civ_error *err);

/* The file name's extension for the "not read" counts, lower case and
 * with its dot (".pdf"), or "" when it has none or one too long, into
 * out[16]. */
void bad_extension(char out[16], const char *path);

#endif
