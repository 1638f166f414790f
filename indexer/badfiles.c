/* Files remembered as bad: see badfiles.h. */
#include "badfiles.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/buf.h"
#include "civ/hash.h"

static const char outcome_letters[] = { [CIV_FILE_SKIPPED] = 's', [CIV_FILE_FAILED] = 'f',
                                        [CIV_FILE_IGNORED] = 'i' };

void bad_tag(char out[17], size_t max_size, const char *format, int ocr, unsigned doc_cpu,
             size_t doc_memory)
{
    uint64_t h = civ_hash64(CIV_VERSION, strlen(CIV_VERSION), 0xbad);
    for (size_t i = 0; civ_extractors[i]; i++) {
        const civ_extractor *x = civ_extractors[i];
        h = civ_hash64(x->name, strlen(x->name), h);
        for (const char *const *e = x->extensions; e && *e; e++)
            h = civ_hash64(*e, strlen(*e) + 1, h);
    }
    h = civ_hash64(&max_size, sizeof max_size, h);
    if (format)
        h = civ_hash64(format, strlen(format), h);
    if (ocr)
        h = civ_hash64("ocr", 3, h);
    uint64_t limits[2] = { doc_cpu, doc_memory };
    h = civ_hash64(limits, sizeof limits, h);
    civ_hash64_hex(out, h);
}

void bad_key(char *out, const char *root, const char *file)
{
    uint64_t h = civ_hash64(root, strlen(root) + 1, 0xbad);
    char hex[17];
    civ_hash64_hex(hex, civ_hash64(file, strlen(file), h));
    snprintf(out, BAD_KEY_SIZE, "%s%s", BAD_META_PREFIX, hex);
}

void bad_file_clear(bad_file *b)
{
    if (!b)
        return;
    free(b->root);
    free(b->file);
    free(b->reason);
    b->root = b->file = b->reason = NULL;
}

/* A copy of s[0..n), or NULL. */
static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int bad_parse(bad_file *out, const char *value)
{
    memset(out, 0, sizeof *out);
    unsigned long long size;
    long long mtime;
    char letter;
    int used = 0;
    /* Our own record: a number out of range only makes the file read again. */
    if (sscanf(value, "1 %llu %lld %c %16[0-9a-f]%n", &size, &mtime, &letter, out->tag, &used) != 4 || // NOLINT(cert-err34-c)
        strlen(out->tag) != 16 || value[used] != '\t')
        return -1;
    int outcome = -1;
    for (int o = CIV_FILE_SKIPPED; o <= CIV_FILE_IGNORED; o++)
        if (outcome_letters[o] == letter)
            outcome = o;
    const char *root = value + used + 1;
    const char *root_end = strchr(root, '\t');
    const char *file = root_end ? root_end + 1 : NULL;
    const char *file_end = file ? strchr(file, '\t') : NULL;
    if (outcome < 0 || !file_end || file_end == file)
        return -1;
    out->size = size;
    out->mtime = mtime;
    out->outcome = (civ_outcome)outcome;
    out->root = dup_n(root, (size_t)(root_end - root));
    out->file = dup_n(file, (size_t)(file_end - file));
    out->reason = strdup(file_end + 1);
    if (!out->root || !out->file || !out->reason) {
        bad_file_clear(out);
        return -2;
    }
    return 0;
}

/* The reason on one line, tabs and newlines made spaces. */
static void add_one_line(civ_buf *b, const char *s)
{
    for (; *s; s++)
        civ_buf_putc(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

civ_status bad_remember(civ_writer *w, const bad_file *b, civ_error *err)
{
    if (b->outcome < CIV_FILE_SKIPPED || b->outcome > CIV_FILE_IGNORED || strchr(b->root, '\t') ||
        strchr(b->file, '\t'))
        return CIV_OK; /* not a record that reads back: the file is read again */
    char key[BAD_KEY_SIZE];
    bad_key(key, b->root, b->file);
    civ_buf v = CIV_BUF_INIT;
    civ_buf_printf(&v, "1 %" PRIu64 " %lld %c %s\t%s\t%s\t", b->size, b->mtime,
                   outcome_letters[b->outcome], b->tag, b->root, b->file);
    add_one_line(&v, b->reason ? b->reason : "");
    civ_status s = civ_buf_failed(&v) ? civ_error_set(err, CIV_ENOMEM, "out of memory")
                                      : civ_writer_set_meta(w, key, civ_buf_str(&v), err);
    civ_buf_free(&v);
    return s;
}

civ_status bad_forget(civ_writer *w, const char *root, const char *file, civ_error *err)
{
    char key[BAD_KEY_SIZE];
    bad_key(key, root, file);
    return civ_writer_set_meta(w, key, NULL, err);
}

void bad_extension(char out[16], const char *path)
{
    out[0] = '\0';
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (!dot || dot == base || strlen(dot) >= 16 || !dot[1])
        return;
    size_t i = 0;
    for (; dot[i]; i++)
        out[i] = (char)tolower((unsigned char)dot[i]);
    out[i] = '\0';
}
