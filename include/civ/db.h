/*
 * civ/db.h — opening an index read-only and searching it.
 *
 * This is the whole read side: civsearch's command line, its CGI and its
 * FastCGI modes all call civ_search(). The implementation (lib/xapian/)
 * is the project's only C++; no exception crosses this interface.
 */
#ifndef CIV_DB_H
#define CIV_DB_H

#include <stddef.h>
#include <stdint.h>

#include "civ/doc.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_db civ_db;
typedef struct civ_results civ_results;

/* Opens the index at path read-only: civ_db_open_many() with this one
 * spec and the default options.
 * Errors: CIV_ENOTFOUND (no index there), CIV_ECORRUPT (not an index or
 * damaged), CIV_EIO, CIV_ETIMEOUT, CIV_EINVAL (a bad spec), CIV_ENOMEM.
 * *out is owned by the caller. */
civ_status civ_db_open(civ_db **out, const char *path, civ_error *err);

/* Checks the structure of every table of the Xapian database at path (a
 * database folder or single-file database, not a stub): what xapian-check
 * does, reading every block once. civindex runs it before it writes into
 * an existing index.
 * Errors: CIV_ECORRUPT ("index damaged (...): run civindex --full to
 * rebuild it"), CIV_ENOTFOUND, CIV_EIO, CIV_ENOMEM. */
civ_status civ_db_check(const char *path, civ_error *err);

/* Notes, beside the tables of the database at path, their sizes and times
 * as they are now (after civindex's own commit): civ_db_check skips its
 * full read while they stay so. Damage that keeps a file's size and time
 * (bit rot) is then found when a query reads the block. Best effort. */
void civ_db_check_note(const char *path);

/* ---- several indexes as one (shards) ---------------------------------
 *
 * A spec names one or more shards:
 *   - a local index: an index folder (civindex's, whose XAPIANDB names the
 *     current generation), a Xapian database, or a single-file database;
 *   - a remote one: "tcp://HOST:PORT", a database served by xapian-tcpsrv
 *     (HOST a name, an IPv4 address or [an IPv6 address]);
 *   - replicas of one shard: alternatives joined by "|"
 *     ("tcp://a:5050|tcp://b:5050"): the first that answers within the
 *     timeout is used, and the next when it fails during a query;
 *   - a Xapian stub file: a text file of lines "auto PATH" (also "glass",
 *     "chert"; PATH relative to the file's folder) and "remote HOST:PORT",
 *     one shard a line; blank lines and "#" lines are skipped. As a
 *     civsearch extension a remote line may list replicas:
 *     "remote a:5050|b:5050" (Xapian's own tools do not read that line).
 * The shards are searched as one database: Xapian combines their
 * statistics, so ranks, percentages, counts and facets are those of one
 * index holding every document. Spelling suggestions come from the local
 * shards only (Xapian does not serve spelling over its remote protocol):
 * give a search host a local copy of the dictionary as one more index
 * (civindex --shards writes one, `spelling`; docs/shards.md). */

#define CIV_DB_TIMEOUT_MS 5000  /* default of civ_db_opts.timeout_ms */

#define CIV_DB_OPTS_VERSION 1

typedef struct civ_db_opts {
    unsigned version;      /* CIV_DB_OPTS_VERSION */
    unsigned timeout_ms;   /* connecting to a remote shard, and each wait for
                              its answer (0: CIV_DB_TIMEOUT_MS) */
    int allow_partial;     /* 1: a shard none of whose replicas answers is
                              left out (civ_db_missing() names it) instead
                              of failing the open or the search; at least
                              one shard must answer */
} civ_db_opts;

#define CIV_DB_OPTS_INIT { .version = CIV_DB_OPTS_VERSION, .timeout_ms = CIV_DB_TIMEOUT_MS }

/* Opens the n specs (see above) as one read-only index. opts may be NULL
 * (the defaults). Never waits longer than about timeout_ms per replica.
 * Errors: CIV_EINVAL (n is 0, or a spec is malformed: the message names
 * it), CIV_ENOTFOUND (a local index does not exist), CIV_EIO (a shard
 * cannot be reached: the message names it and says why), CIV_ETIMEOUT (a
 * shard did not answer in time), CIV_ECORRUPT, CIV_ENOMEM. With
 * allow_partial, unreachable shards are left out, and only "none could be
 * reached" fails. *out is owned by the caller (civ_db_free). */
civ_status civ_db_open_many(civ_db **out, const char *const *specs, size_t n,
                            const civ_db_opts *opts, civ_error *err);

/* The length of the first spec of a list as CIVSEARCH_INDEX and the
 * page's configuration take it: specs joined by ":", where the colon of
 * "tcp://HOST:PORT" (and those inside [IPv6]) belong to the spec. The
 * caller takes list[0..len) and goes on after the ":" that follows. */
size_t civ_db_list_span(const char *list);

/* The shards left out because none of their replicas answered (with
 * allow_partial), as named in the specs; *n receives how many (0 when
 * every shard answers). Borrowed from db: valid until the next call that
 * takes db (a search may leave out a shard that fails during it, and a
 * reopen may bring one back). NULL db: none. */
const char *const *civ_db_missing(const civ_db *db, size_t *n);

/* Number of shards of db, those left out included (0 for NULL). */
size_t civ_db_shard_count(const civ_db *db);

/* Closes the index. NULL is a no-op. */
void civ_db_free(civ_db *db);

/* Brings the handle up to the latest committed state of the index (of
 * every shard: a local shard civindex replaced by a new generation is
 * opened afresh; a remote shard that fails moves to its next replica; a
 * shard left out is tried again, at most every 10 seconds).
 * *changed (may be NULL) is set to 1 when there was a newer state. */
civ_status civ_db_reopen(civ_db *db, int *changed, civ_error *err);

/* Number of documents in the index. */
uint64_t civ_db_doc_count(const civ_db *db);

/* Reads the document with unique id `id`, with its stored text when
 * want_text is set. *out is owned by the caller (civ_doc_free).
 * CIV_ENOTFOUND when there is none. */
civ_status civ_db_get(civ_doc **out, civ_db *db, const char *id, int want_text,
                      civ_error *err);

/* ---- search -------------------------------------------------------- */

typedef enum civ_sort {
    CIV_SORT_RELEVANCE = 0,
    CIV_SORT_DATE_ASC,  /* oldest first */
    CIV_SORT_DATE_DESC, /* newest first */
    CIV_SORT_CITED,     /* most cited by documents in the index first, then relevance */
    CIV_SORT_REDACTIONS /* most redaction markers first, then relevance */
} civ_sort;

/* The sort orders' names, as the command line and the web take them:
 * "relevance", "date", "-date", "cited", "redactions". civ_sort_parse returns 0 and sets *out, or
 * -1 for another name; civ_sort_name gives the name of s. */
int civ_sort_parse(civ_sort *out, const char *name);
const char *civ_sort_name(civ_sort s);

/* Version 3 added snippets; version 2 callers are still served. */
#define CIV_SEARCH_OPTS_VERSION 3

typedef struct civ_search_opts {
    unsigned version;          /* CIV_SEARCH_OPTS_VERSION */
    const char *query;         /* query text (UTF-8); "*" matches every document */
    int default_or;            /* 0: words are ANDed, but plain text of 10 words
                                  or more is a natural-language query (any
                                  word may match; best matches first);
                                  1: ORed; -1: ANDed always */
    unsigned offset;           /* first hit to return (0-based) */
    unsigned limit;            /* hits to return */
    civ_sort sort;
    unsigned wildcard_limit;   /* terms one wildcard may expand to (0: 1000) */
    unsigned time_limit_ms;    /* stop matching after this (0: no limit) */
    const char *const *filters;/* exact filters "field:value": same field ORed, */
    size_t nfilters;           /* different fields ANDed (facet clicks) */
    const char *date_from;     /* inclusive bounds as in date: ranges, or NULL */
    const char *date_until;
    size_t snippet_len;        /* snippet length in bytes (0: no snippets) */
    unsigned facet_values;     /* >0: count facets, keep this many values each */
    int spelling;              /* suggest a spelling correction */
    const char *like;          /* id: also find documents similar to this one */
    double bm25_k1, bm25_b;    /* 0: the index's tuned defaults */
    int no_collapse;           /* list copies of a document each (by default
                                  documents with the same title and text are
                                  one hit, the others named as its copies) */
    const char *const *facet_fields; /* facet_values > 0: the facets to count */
    size_t nfacet_fields;            /* (schema field names); 0: all of them */
    unsigned snippets;         /* snippets a hit, each from another passage of
                                  its text (0: one; at most CIV_SNIPPETS_MAX) */
    const char *tuning;        /* NULL; "name=value,…" overrides ranking
                                  constants, for bench sweeps (CIV_EINVAL
                                  for a name it does not know) */
} civ_search_opts;

#define CIV_SNIPPETS_MAX 10

#define CIV_SEARCH_OPTS_INIT \
    { .version = CIV_SEARCH_OPTS_VERSION, .limit = 10, .sort = CIV_SORT_RELEVANCE, .snippet_len = 200 }

/* Where a query's word (or phrase) is in a snippet: bytes [start,
 * start + len) of its text. */
typedef struct civ_span {
    size_t start;
    size_t len;
} civ_span;

/* One snippet of a hit: a passage of its text that shows the query's
 * words, and where it is. */
typedef struct civ_snippet {
    const char *text;       /* plain UTF-8 text on one line, "…" where text
                               was left out */
    const civ_span *spans;  /* the query's words in it, in order */
    size_t nspans;
    unsigned page;          /* the page it starts on; 0: the document has no pages */
    unsigned passage;       /* its passage, 1-based (civ/passage.h) */
} civ_snippet;

/* One hit. Owned by its civ_results; valid until civ_results_free(). */
typedef struct civ_hit {
    unsigned rank;          /* 1-based over the whole result list */
    double score;           /* BM25 weight (0 for pure filters) */
    int percent;            /* Xapian's percentage score */
    unsigned docid;
    const civ_doc *doc;     /* stored fields (no text) */
    const char *snippet;    /* plain UTF-8 text on one line, "…" where text was
                               left out; "" if none. Renderers escape it for
                               their own context. */
    const civ_span *spans;  /* the query's words in it: in order, not
                               overlapping (nspans of them) */
    size_t nspans;
    unsigned copies;        /* documents with the same title and text folded
                               into this hit (0 with no_collapse) */
    const char *const *copy_ids; /* ids of up to 10 of them */
    size_t ncopy_ids;
    /* Where the snippet is: its page (0 when the document has no pages)
     * and passage (1-based; 0 when there is no snippet), of npassages. */
    unsigned page;
    unsigned passage;
    unsigned npassages;
    /* The snippets asked for (opts->snippets), each from another passage,
     * in the order of the text; `snippet` above is the best of them. */
    const civ_snippet *snippets;
    size_t nsnippets;
    /* How score was made, for --debug: Xapian's BM25 weight of the whole
     * text; the BM25 weight of its best passage (best_passage, 1-based; 0
     * when passages were not weighed) and the share it has in score; the
     * prior added for the documents citing it (cited_by). */
    double text_score;
    double passage_score;
    unsigned best_passage;
    double passage_share;
    double prior;
    unsigned cited_by;
} civ_hit;

typedef struct civ_facet_value {
    const char *value;
    uint64_t count;
} civ_facet_value;

typedef struct civ_facet {
    const char *field;      /* schema field name: "type", "year", "author", "lang" */
    size_t n;
    const civ_facet_value *values; /* most frequent first */
} civ_facet;

/* Runs a search. *out is owned by the caller (civ_results_free).
 * Errors: CIV_EQUERY (bad query; the message says why, in one line),
 * CIV_ENOTFOUND (opts->like names no document), CIV_ERETRY (the index
 * kept changing; the handle was reopened — try again), CIV_ECORRUPT,
 * CIV_EIO, CIV_ENOMEM, CIV_EINVAL. If the index changed since it was
 * opened, the handle is reopened and the search retried transparently. */
civ_status civ_search(civ_results **out, civ_db *db, const civ_search_opts *opts,
                      civ_error *err);

/* The query of opts (parsed as civ_search parses it) marked in a whole
 * text, e.g. a document's stored text for the document view: every word
 * a snippet would mark, as spans of text in order, not overlapping, at
 * most max of them. *spans is malloc'd (the caller frees it; NULL when
 * there are none), *n their number. CIV_EQUERY (a bad query), CIV_ENOMEM,
 * the index's errors. */
civ_status civ_db_highlight(civ_span **spans, size_t *n, civ_db *db, const civ_search_opts *opts,
                            const char *text, size_t len, size_t max, civ_error *err);

void civ_results_free(civ_results *r);

/* Hits in this page. */
size_t civ_results_size(const civ_results *r);
/* Number of matches in all, and whether it is exact: exact when the
 * search could count them cheaply (up to the page's end and a margin of
 * 1,000, and always with facets), else Xapian's estimate. Copies folded
 * into another hit are not counted. */
uint64_t civ_results_total(const civ_results *r, int *exact);

/* Copies folded into the hits of the whole result list (an estimate when
 * the total is one). */
uint64_t civ_results_folded(const civ_results *r);
/* The i-th hit of the page (0-based), or NULL. */
const civ_hit *civ_results_hit(const civ_results *r, size_t i);
/* Facets counted (opts->facet_values > 0); *n receives how many. */
const civ_facet *civ_results_facets(const civ_results *r, size_t *n);
/* The query with misspellings corrected, or NULL when none was found. */
const char *civ_results_suggestion(const civ_results *r);

/* For a search with opts.like: the document it started from (fields only,
 * owned by r), else NULL. */
const civ_doc *civ_results_like(const civ_results *r);
/* A description of the parsed query, for --debug. Never NULL. */
const char *civ_results_query_description(const civ_results *r);

/* Seconds spent in each step of civ_search(), for --debug. */
typedef struct civ_search_times {
    double parse;   /* checking and parsing the query, filters */
    double match;   /* matching and ranking (feedback round included) */
    double rank;    /* weighing the best matches' passages, and the prior */
    double fetch;   /* reading the hits' records, decompressing their text */
    double snippet; /* finding the snippets in that text */
    unsigned remote_docs; /* where some shard is remote: documents read one
                             by one, a round trip each from a remote shard
                             (the page's hits; the best matches too from
                             an index without match keys, docs/shards.md) */
    unsigned pruned;      /* documents of many passages among the best that
                             were not weighed by them: they could not
                             reach the page */
    unsigned passages_read; /* passage texts read and inflated for the
                               hits' snippets (documents stored as
                               passages) */
    unsigned position_lists; /* position lists read to weigh the best
                                matches' passages and find the hits'
                                places (a B-tree lookup each) */
    unsigned feedback_kept; /* 1: a question's feedback round added no
                               words (no short document among the best)
                               and its match gave the page: one match,
                               not two */
    unsigned feedback_tabled; /* a question's feedback round: candidate
                                 words counted from the index's table of
                                 counts (civindex writes it) */
    unsigned feedback_listed; /* ... and from their posting lists (no table
                                 made for the index as it is, or remote
                                 shards) */
} civ_search_times;

/* Fills *out (zeros for NULL r). */
void civ_results_times(const civ_results *r, civ_search_times *out);

/* ---- statistics ---------------------------------------------------- */

typedef struct civ_count {
    char *value;
    uint64_t count;
} civ_count;

typedef struct civ_stats {
    uint64_t documents;
    uint64_t terms;           /* distinct terms, all prefixes */
    uint64_t disk_bytes;      /* size of the index files */
    long long updated;        /* seconds since 1970 of the last commit, or -1 */
    char *stemmer;            /* stemming language, "none" */
    civ_count *types;  size_t ntypes;
    civ_count *langs;  size_t nlangs;
    civ_count *formats; size_t nformats;
} civ_stats;

/* Fills *out; free it with civ_stats_free(). `path` is the index path
 * (used to measure its size on disk). */
civ_status civ_db_stats(civ_stats **out, civ_db *db, const char *path, civ_error *err);
void civ_stats_free(civ_stats *s);

#ifdef __cplusplus
}
#endif
#endif
