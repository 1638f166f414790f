/*
 * Archives: .zip and .tar (.tar.gz and .tgz: the registry has gunzipped
 * them) are containers, like mailboxes. Each member civindex can read is
 * handed back to the registry (extract.h) as a document of its own, id
 * ARCHIVE#member/path, found and shown like any file; archives inside
 * archives are read to a bounded depth. What members expand to counts
 * against the file's budget (civ_input_take_budget): a zip bomb stops
 * being read with one warning, and what was read before stays indexed.
 */
#define _GNU_SOURCE /* memmem, uselocale */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>

#include "extract.h"
#include "pipeline.h"

static const char *const zip_exts[] = { "zip", NULL };
static const char *const zip_types[] = { "application/zip", "application/x-zip-compressed", NULL };
static const char *const tar_exts[] = { "tar", NULL };
static const char *const tar_types[] = { "application/x-tar", "application/x-gtar", NULL };

/* Archives inside archives (inside other containers) read at most this
 * deep. */
#define MAX_NESTING 4

static int zip_sniff(const unsigned char *b, size_t len)
{
    return len >= 4 && (memcmp(b, "PK\x03\x04", 4) == 0 || memcmp(b, "PK\x05\x06", 4) == 0) ? 60
                                                                                            : 0;
}

static int tar_sniff(const unsigned char *b, size_t len)
{
    return len >= 512 && memcmp(b + 257, "ustar", 5) == 0 ? 70 : 0;
}

/* Folders and files a walk would skip (hidden ones, Mac resource forks). */
static int skipped_member(const char *path)
{
    if (strncmp(path, "__MACOSX/", 9) == 0)
        return 1;
    for (const char *p = path; *p;) {
        if (*p == '.' && p[1] != '/' && p[1] != '\0' && !(p[1] == '.' && (p[2] == '/' || !p[2])))
            return 1;
        const char *slash = strchr(p, '/');
        if (!slash)
            break;
        p = slash + 1;
    }
    return 0;
}

/* A member's path as its id names it, into out: "." and empty components
 * dropped, ".." taking back the one before it and never going above the
 * archive ("/etc/x" and "../x" are "etc/x" and "x"). "" when nothing is
 * left. Returns 0, or -1 out of memory. */
static int member_path(civ_buf *out, const char *path)
{
    civ_buf_reset(out);
    for (const char *p = path; *p;) {
        const char *end = strchr(p, '/');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == 2 && p[0] == '.' && p[1] == '.') {
            /* Back to the slash before the last component (or the start). */
            size_t k = out->len;
            while (k > 0 && out->data[k - 1] != '/')
                k--;
            out->len = k > 0 ? k - 1 : 0;
            if (out->data)
                out->data[out->len] = '\0';
        } else if (n > 0 && !(n == 1 && p[0] == '.')) {
            if (out->len)
                civ_buf_putc(out, '/');
            civ_buf_append(out, p, n);
        }
        p += n + (end != NULL);
    }
    return civ_buf_failed(out) ? -1 : 0;
}

static void size_text(char *out, size_t n, size_t bytes)
{
    if (bytes >= (size_t)1 << 20)
        snprintf(out, n, "%zu MB", bytes >> 20);
    else
        snprintf(out, n, "%zu KB", bytes >> 10);
}

/* The next member's header and its name (NULL when it has none that can
 * be read). libarchive writes names in the locale's charset, and civindex
 * keeps the C locale (ASCII): a zip member named in UTF-8 outside ASCII
 * would lose its name, a tar's would come with ARCHIVE_WARN. So headers
 * are read in a UTF-8 locale of the thread's own (utf8; (locale_t)0
 * when the system has none), the process's staying as it is. */
static int next_member(struct archive_entry **e, const char **name, struct archive *a,
                       locale_t utf8)
{
    locale_t old = utf8 ? uselocale(utf8) : (locale_t)0;
    int rc = archive_read_next_header(a, e);
    *name = NULL;
    if (rc == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        *name = archive_entry_pathname_utf8(*e);
        if (!*name)
            *name = archive_entry_pathname(*e);
    }
    if (utf8)
        uselocale(old);
    return rc;
}

/* Reads the current member's data into data (label names it in
 * warnings). Returns 0 when it was read; 1 when it was not (a warning
 * says why); -1 when the rest of the archive is not read either (a bomb,
 * damage: a warning says so); -2 out of memory. */
static int read_member(civ_buf *data, struct archive *a, const civ_input *in, const char *label)
{
    char sz[32];
    char chunk[65536];
    la_ssize_t r;
    civ_buf_reset(data);
    while ((r = archive_read_data(a, chunk, sizeof chunk)) > 0) {
        if (data->len + (size_t)r > in->max_size) {
            size_text(sz, sizeof sz, in->max_size);
            civ_input_warn(in, "%s not read: expands to more than the maximum size (%s)", label,
                           sz);
            return 1;
        }
        if (civ_input_take_budget(in, (size_t)r) != 0) {
            size_text(sz, sizeof sz, in->max_size > SIZE_MAX / 4 ? SIZE_MAX : in->max_size * 4);
            civ_input_warn(in, "expands to more than %s in all (a zip bomb?): the rest not read",
                           sz);
            return -1;
        }
        civ_buf_append(data, chunk, (size_t)r);
        if (civ_buf_failed(data))
            return -2;
    }
    if (r < 0) {
        civ_input_warn(in, "%s not read: %s", label,
                       archive_error_string(a) ? archive_error_string(a) : "damaged");
        return r == ARCHIVE_FATAL ? -1 : 1;
    }
    return 0;
}

static civ_status archive_extract(const civ_input *in, civ_doc *unused, civ_error *err)
{
    (void)unused;
    if (in->depth >= MAX_NESTING) {
        civ_input_warn(in, "archive nested too deeply: not read");
        return CIV_OK;
    }
    struct archive *a = archive_read_new();
    if (!a)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    archive_read_support_filter_gzip(a);
    if (archive_read_open_memory(a, in->bytes, in->len) != ARCHIVE_OK) {
        civ_status s = civ_error_set(err, CIV_EFORMAT, "damaged archive: %s",
                                     archive_error_string(a) ? archive_error_string(a) : "unknown format");
        archive_read_free(a);
        return s;
    }
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    civ_status s = CIV_OK;
    civ_buf data = CIV_BUF_INIT, sub = CIV_BUF_INIT, label = CIV_BUF_INIT, name = CIV_BUF_INIT;
    struct archive_entry *e;
    unsigned members = 0;
    int rc;
    char sz[32];
    const char *raw;
    /* ARCHIVE_WARN is no damage (a name in a charset libarchive could not
     * convert, say): only worse is. */
    while (s == CIV_OK &&
           ((rc = next_member(&e, &raw, a, utf8)) == ARCHIVE_OK || rc == ARCHIVE_WARN)) {
        members++;
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        if (!raw) {
            civ_input_warn(in, "member %u not read: %s", members,
                           archive_error_string(a) ? archive_error_string(a) : "no name");
            continue;
        }
        if (skipped_member(raw))
            continue;
        if (member_path(&name, raw) != 0) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            break;
        }
        const char *path = civ_buf_str(&name);
        if (!*path)
            continue;
        /* Members of a format civindex does not read are not expanded. */
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        const char *dot = strrchr(base, '.');
        if (dot && dot != base && strcasecmp(dot, ".gz") != 0 && !civ_extractor_for_name(base))
            continue;
        civ_buf_reset(&label);
        civ_buf_printf(&label, "member %s", path);
        if (archive_entry_size_is_set(e) && (uint64_t)archive_entry_size(e) > in->max_size) {
            size_text(sz, sizeof sz, in->max_size);
            civ_input_warn(in, "%s not read: larger than the maximum size (%s)", label.data, sz);
            continue;
        }
        int got = read_member(&data, a, in, label.data);
        if (got == -2) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            break;
        }
        if (got == -1)
            break;
        if (got == 1)
            continue;
        civ_buf_reset(&sub);
        civ_buf_printf(&sub, "#%s", path);
        if (civ_buf_failed(&sub) || civ_buf_failed(&label)) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            break;
        }
        civ_part p = {
            .mode = CIV_PART_DOCUMENT,
            .name = path,
            .bytes = (const unsigned char *)(data.data ? data.data : ""),
            .len = data.len,
            .sub = sub.data,
            .label = label.data,
        };
        civ_part_result res;
        s = civ_extract_part(in, &p, NULL, &res, err);
        if (s == CIV_OK && res.outcome == CIV_FILE_FAILED)
            civ_input_warn(in, "%s could not be read: %s", label.data, res.reason);
    }
    if (s == CIV_OK && rc != ARCHIVE_EOF && rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
        if (members == 0)
            s = civ_error_set(err, CIV_EFORMAT, "damaged archive: %s",
                              archive_error_string(a) ? archive_error_string(a) : "unreadable");
        else
            civ_input_warn(in, "damaged archive after %u members: %s", members,
                           archive_error_string(a) ? archive_error_string(a) : "unreadable");
    }
    civ_buf_free(&data);
    civ_buf_free(&sub);
    civ_buf_free(&label);
    civ_buf_free(&name);
    archive_read_free(a);
    if (utf8)
        freelocale(utf8);
    return s;
}

const civ_extractor civ_extractor_zip = {
    .name = "zip",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OWN_DOC,
    .extensions = zip_exts,
    .media_types = zip_types,
    .sniff = zip_sniff,
    .extract = archive_extract,
};

const civ_extractor civ_extractor_tar = {
    .name = "tar",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OWN_DOC,
    .extensions = tar_exts,
    .media_types = tar_types,
    .sniff = tar_sniff,
    .extract = archive_extract,
};
