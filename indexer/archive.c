/*
 * Archives: .zip and .tar (.tar.gz and .tgz: the registry has gunzipped
 * them) are containers, like mailboxes. Each member civindex can read is
 * handed back to the registry (extract.h) as a document of its own, id
 * ARCHIVE#member/path, found and shown like any file; archives inside
 * archives are read to a bounded depth. What members expand to counts
 * against the file's budget (civ_input_take_budget): a zip bomb stops
 * being read with one warning, and what was read before stays indexed.
 */
#define _GNU_SOURCE /* memmem */
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

static void size_text(char *out, size_t n, size_t bytes)
{
    if (bytes >= (size_t)1 << 20)
        snprintf(out, n, "%zu MB", bytes >> 20);
    else
        snprintf(out, n, "%zu KB", bytes >> 10);
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
    civ_status s = CIV_OK;
    civ_buf data = CIV_BUF_INIT, sub = CIV_BUF_INIT, label = CIV_BUF_INIT;
    struct archive_entry *e;
    unsigned members = 0;
    int rc;
    char sz[32];
    while (s == CIV_OK && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        members++;
        const char *path = archive_entry_pathname_utf8(e);
        if (!path)
            path = archive_entry_pathname(e);
        if (!path || archive_entry_filetype(e) != AE_IFREG || skipped_member(path))
            continue;
        while (*path == '/' || (path[0] == '.' && path[1] == '/'))
            path += *path == '/' ? 1 : 2;
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
        civ_buf_reset(&data);
        char chunk[65536];
        la_ssize_t r;
        int over = 0, bomb = 0;
        while ((r = archive_read_data(a, chunk, sizeof chunk)) > 0) {
            if (data.len + (size_t)r > in->max_size) {
                over = 1;
                break;
            }
            if (civ_input_take_budget(in, (size_t)r) != 0) {
                bomb = 1;
                break;
            }
            civ_buf_append(&data, chunk, (size_t)r);
        }
        if (civ_buf_failed(&data)) {
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
            break;
        }
        if (bomb) {
            size_text(sz, sizeof sz, in->max_size > SIZE_MAX / 4 ? SIZE_MAX : in->max_size * 4);
            civ_input_warn(in, "expands to more than %s in all (a zip bomb?): the rest not read",
                           sz);
            break;
        }
        if (over) {
            size_text(sz, sizeof sz, in->max_size);
            civ_input_warn(in, "%s not read: expands to more than the maximum size (%s)",
                           label.data, sz);
            continue;
        }
        if (r < 0) {
            civ_input_warn(in, "%s not read: %s", label.data,
                           archive_error_string(a) ? archive_error_string(a) : "damaged");
            if (r == ARCHIVE_FATAL)
                break;
            continue;
        }
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
    if (s == CIV_OK && rc != ARCHIVE_EOF && rc != ARCHIVE_OK) {
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
    archive_read_free(a);
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
