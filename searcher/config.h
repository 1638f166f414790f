/*
 * civ/config.h — which indexes the search page serves, and its limits.
 *
 * The administrator chooses the index, never the request: either the
 * environment variable CIVSEARCH_INDEX names one index, or
 * CIVSEARCH_CONFIG names a file like this one:
 *
 *     # collections: NAME = /absolute/path/to/index (the first is the default)
 *     archive = /srv/civsearch/archive
 *     press   = /srv/civsearch/press
 *     # several indexes searched as one: absolute paths (folders or Xapian
 *     # stub files) and tcp://HOST:PORT shards, joined by ":"; replicas of
 *     # a shard joined by "|" (civ/db.h)
 *     pooled  = /srv/civsearch/spelling:tcp://a:5050|tcp://b:5050:tcp://c:5050
 *     timeout_ms = 3000      # a remote shard's answer, and connecting to it
 *     allow_partial = 1      # answer from the shards that answer
 *     # optional settings
 *     title = Archive search
 *     page_size = 10
 *     max_limit = 100
 *
 * Blank lines and lines starting with "#" are ignored, and so is the rest
 * of a line from a "#" that follows a space or a tab. Setting names are
 * reserved (they cannot name a collection): title, page_size, max_limit,
 * max_offset, max_query, max_input, max_filters, wildcard_limit,
 * time_limit_ms, cpu_seconds, facet_values, timeout_ms, allow_partial. A collection name is 1 to 64
 * of A-Z a-z 0-9 _ - . and its path must be absolute. A request picks a
 * collection with c=NAME; any name not in the file is refused.
 */
#ifndef CIV_CONFIG_H
#define CIV_CONFIG_H

#include <stddef.h>

#include "cgi.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_collection {
    char *name;
    char *path;
} civ_collection;

typedef struct civ_config {
    civ_collection *collections;  /* the first is the default */
    size_t ncollections;
    civ_cgi_limits limits;
    char *title;                  /* heading of the page */
    unsigned timeout_ms;          /* remote shards (0: CIV_DB_TIMEOUT_MS) */
    int allow_partial;            /* answer without shards that do not answer */
} civ_config;

#define CIV_CONFIG_DEFAULT_TITLE "Archive search"
#define CIV_CONFIG_MAX_BYTES (256 * 1024)

/* Reads the configuration text[0..len). `origin` names it in messages.
 * CIV_EFORMAT with "ORIGIN:LINE: reason" for a bad line, an unknown
 * setting, a bad number, a duplicate or missing collection. *out is owned
 * by the caller (civ_config_free). */
civ_status civ_config_parse(civ_config **out, const char *text, size_t len,
                            const char *origin, civ_error *err);

/* Reads the file at path (at most CIV_CONFIG_MAX_BYTES). CIV_ENOTFOUND,
 * CIV_EIO, CIV_ETOOBIG, or the errors of civ_config_parse(). */
civ_status civ_config_load(civ_config **out, const char *path, civ_error *err);

/* The configuration the environment gives: the file named by
 * CIVSEARCH_CONFIG, else one collection "default" at CIVSEARCH_INDEX
 * with the default limits. CIV_ENOTFOUND when neither is set. */
civ_status civ_config_from_env(civ_config **out, civ_error *err);

/* The collection called name, the default one when name is NULL, or NULL
 * when there is none of that name. Borrowed from c. */
const civ_collection *civ_config_find(const civ_config *c, const char *name);

/* NULL is a no-op. */
void civ_config_free(civ_config *c);

/* 1 when s can name a collection: 1 to 64 of A-Z a-z 0-9 _ - . (the
 * configuration's rule, which request parameters follow too). */
int civ_config_valid_name(const char *s);

#ifdef __cplusplus
}
#endif
#endif
