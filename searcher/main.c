/* civsearch — search a civsearch index from the command line. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civ/db.h"
#include "render.h"
#include "thread.h"
#include "web.h"
#include "civ/date.h"
#include "civ/parse.h"
#include "civ/schema.h"
#include "civ/warm.h"

#ifndef CIV_VERSION
#define CIV_VERSION "0"
#endif

enum { EXIT_FOUND = 0, EXIT_NONE = 1, EXIT_ERROR = 2 };

static void usage(FILE *f)
{
    fputs("Usage: civsearch [OPTION]... QUERY...\n"
          "       civsearch --show ID [--page N]\n"
          "       civsearch --stats\n"
          "       civsearch --thread ID\n"
          "Search a civsearch index and print the best matches with snippets.\n"
          "\n"
          "Query language (words are ANDed unless --or):\n"
          "  word word          documents with both words (stemmed: protest ~ protests)\n"
          "  a paragraph        plain text of 10 words or more is read as natural\n"
          "                     language: any word may match, best matches first\n"
          "  \"a phrase\"         the words in this order\n"
          "  a OR b, a AND b, a NOT b, a XOR b, (grouping), +must, -mustnot\n"
          "  a NEAR b, a NEAR/3 b, a ADJ b\n"
          "  surveil*           words starting with surveil\n"
          "  title:  author:  from:  to:  cc:  subject:  signed:  keyword:\n"
          "                     words in one field (title:warrant)\n"
          "  type:letter  lang:en  format:html  year:2019  thread:ID  id:ID\n"
          "                     exact filters\n"
          "  date:2018..2019  date:2018-05-01..2018-06-30  date:2019..  date:2019-05\n"
          "                     date ranges (inclusive)\n"
          "  cite:  usc:  cfr:  publaw:  case:  act:  amendment:  clause:  exemption:\n"
          "  agency:  body:  court:  docket:  redacted:yes  redactions:5..  cites:ID\n"
          "  cited_by:1..       legal entities as written (usc:\"18 U.S.C. 2703\") or in\n"
          "                     canonical form (usc:18/2703, act:fisa/702); cite: any\n"
          "                     citation; cites:ID the documents citing document ID\n"
          "  *                  every document (\"* type:letter date:2019..\")\n"
          "  -word, NOT word    alone, or with *: every document without the word\n"
          "Queries are at most 4096 bytes. A field civsearch does not know is refused.\n"
          "\n"
          "Options:\n"
          "  -i, --index PATH     the index (default: $CIVSEARCH_INDEX, else ./civsearch-index);\n"
          "                       again for more shards searched as one. PATH may be an\n"
          "                       index folder, a Xapian stub file, tcp://HOST:PORT (a\n"
          "                       shard served by xapian-tcpsrv), or replicas of one shard\n"
          "                       joined by | (tcp://a:5050|tcp://b:5050); $CIVSEARCH_INDEX\n"
          "                       takes several joined by :\n"
          "      --timeout SECS   wait at most this long to connect to a remote shard and\n"
          "                       for each of its answers (default 5)\n"
          "      --allow-partial  search the shards that answer when some do not, with a\n"
          "                       warning naming the others (JSON \"missing_shards\")\n"
          "  -n, --limit N        show N results (default 10; 0: print only the number)\n"
          "      --offset N       skip the first N results\n"
          "  -s, --sort ORDER     relevance (default), date (oldest first), -date (newest),\n"
          "                       cited (most cited by documents in the index first),\n"
          "                       redactions (most redaction markers first)\n"
          "      --or             match any word instead of all\n"
          "      --and            match all words, however long the query\n"
          "  -j, --json           print one JSON object\n"
          "      --color WHEN     highlight with colour: auto (default), always, never\n"
          "      --snippet N      snippet length in bytes (default 200; 0 for none)\n"
          "      --snippets N     up to N snippets a hit (1..10, default 1), each from\n"
          "                       another passage, in the order of the text; each names\n"
          "                       its place: p. 12 (a page), or ¶ 31 (a passage of a\n"
          "                       long document)\n"
          "      --facets[=FIELDS]  also count the results by type, year, author, sender,\n"
          "                       language and format, or by FIELDS (type,year): a table\n"
          "                       in text, \"facets\" in JSON\n"
          "      --csv            print CSV rows: id,title,date,type,authors,score,path\n"
          "      --like ID        documents similar to the one with this id\n"
          "      --no-collapse    show every copy (copies of a document, the same title\n"
          "                       and text, fold into one hit: \"also at ...\")\n"
          "      --show ID        print one document with its full text\n"
          "      --page N         with --show: only page N of its text\n"
          "      --thread ID      the messages of a thread, oldest first (ID: a thread id\n"
          "                       or the Message-ID of any message in it)\n"
          "      --stats          print statistics about the index\n"
          "      --debug          print how the query was understood, the time of each\n"
          "                       step, and how each hit's score was made\n"
          "      --fastcgi[=ADDR] serve the search page over FastCGI (also run as a CGI\n"
          "                       program when GATEWAY_INTERFACE is set; see civsearch(1))\n"
          "  -h, --help           show this help and exit\n"
          "  -V, --version        show the version and exit\n"
          "\n"
          "Exit status: 0 something found; 1 nothing found; 2 error (bad query, no index;\n"
          "with --json also printed on stdout as {\"error\": {...}}).\n"
          "See civsearch(1).\n",
          f);
}

/* Writes out to stdout; 0, or -1 when building it ran out of memory (it
 * is incomplete: nothing is written, one line says so). */
static int emit(civ_buf *out)
{
    if (civ_buf_failed(out)) {
        fputs("civsearch: out of memory\n", stderr);
        return -1;
    }
    fwrite(out->data ? out->data : "", 1, out->len, stdout);
    return 0;
}

static int fail(const char *what, const civ_error *err)
{
    fprintf(stderr, "civsearch: %s%s%s\n", what ? what : "", what ? ": " : "", err->msg);
    return EXIT_ERROR;
}

/* What the command line asked for. */
typedef struct cli {
    civ_search_opts so;
    const civ_renderer *render;
    const char *index;          /* the first index, for messages and --stats */
    const char *indexes[64];    /* every --index, or CIVSEARCH_INDEX's list */
    size_t nindexes;
    char *env_list;             /* CIVSEARCH_INDEX split up (owned) */
    civ_db_opts dbo;
    const char *show, *thread;
    int sort_set, limit_set, stats, debug, color;
    unsigned show_page;       /* --page */
    civ_buf query;
    const char *facets[32];   /* --facets=FIELDS */
    char facet_list[256];
} cli;

/* Prints an error for the user: one line on stderr, and with --json a
 * JSON error object on stdout too. Returns status. */
static int report_error(const cli *c, int status, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static int report_error(const cli *c, int status, const char *code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "civsearch: %s\n", msg);
    if (c->render == &civ_render_json) {
        civ_buf out = CIV_BUF_INIT;
        civ_render_info info = { .opts = &c->so };
        const char *m = strncmp(msg, "bad query: ", 11) == 0 ? msg + 11 : msg;
        civ_render_json.error(&out, &info, strcmp(code, "not_found") == 0 ? 404 : 400, code, m);
        (void)emit(&out);
        civ_buf_free(&out);
    }
    return status;
}

/* A facet's name as --facets takes it: a facet field of the schema, or
 * "cite" for the cases cited ("case": the most cited first). */
static const char *facet_name(const char *tok)
{
    if (strcmp(tok, "cite") == 0)
        tok = "case";
    const civ_field_def *f = civ_schema_field(tok);
    return f && (f->flags & CIV_FIELD_FACET) ? f->name : NULL;
}

/* Takes --facets' field list ("type,year"): the facet fields of the
 * schema. Returns 0, or -1 when a name is not one of them. */
static int facet_fields(cli *c, const char *list)
{
    snprintf(c->facet_list, sizeof c->facet_list, "%s", list);
    size_t n = 0;
    for (char *tok = strtok(c->facet_list, ","); tok; tok = strtok(NULL, ",")) {
        const char *name = facet_name(tok);
        if (!name || n >= sizeof c->facets / sizeof c->facets[0])
            return -1;
        c->facets[n++] = name;
    }
    c->so.facet_fields = c->facets;
    c->so.nfacet_fields = n;
    return n ? 0 : -1;
}

/* Whether arg is a field list for --facets given after a space: every
 * name a facet, and a comma in it or an argument after it (so that
 * "--facets type" still searches for the word type). */
static int looks_like_facets(const char *arg, int more)
{
    if (!arg || (!strchr(arg, ',') && !more))
        return 0;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s", arg);
    for (char *tok = strtok(tmp, ","); tok; tok = strtok(NULL, ","))
        if (!facet_name(tok))
            return 0;
    return 1;
}

/* The long options without a short form, and all of them. */
enum { OPT_OFFSET = 256, OPT_OR, OPT_AND, OPT_SHOW, OPT_STATS, OPT_COLOR, OPT_SNIPPET,
       OPT_DEBUG, OPT_FACETS, OPT_BM25_K1, OPT_BM25_B, OPT_THREAD, OPT_CSV, OPT_LIKE,
       OPT_NO_COLLAPSE, OPT_SNIPPETS, OPT_PAGE, OPT_TUNE, OPT_TIMEOUT, OPT_ALLOW_PARTIAL };

static const struct option longopts[] = {
    { "index", required_argument, NULL, 'i' },
    { "limit", required_argument, NULL, 'n' },
    { "offset", required_argument, NULL, OPT_OFFSET },
    { "sort", required_argument, NULL, 's' },
    { "or", no_argument, NULL, OPT_OR },
    { "and", no_argument, NULL, OPT_AND },
    { "json", no_argument, NULL, 'j' },
    { "color", required_argument, NULL, OPT_COLOR },
    { "colour", required_argument, NULL, OPT_COLOR },
    { "snippet", required_argument, NULL, OPT_SNIPPET },
    { "snippets", required_argument, NULL, OPT_SNIPPETS },
    { "page", required_argument, NULL, OPT_PAGE },
    { "facets", optional_argument, NULL, OPT_FACETS },
    { "csv", no_argument, NULL, OPT_CSV },
    { "like", required_argument, NULL, OPT_LIKE },
    { "no-collapse", no_argument, NULL, OPT_NO_COLLAPSE },
    { "timeout", required_argument, NULL, OPT_TIMEOUT },
    { "allow-partial", no_argument, NULL, OPT_ALLOW_PARTIAL },
    { "show", required_argument, NULL, OPT_SHOW },
    { "stats", no_argument, NULL, OPT_STATS },
    { "thread", required_argument, NULL, OPT_THREAD },
    { "debug", no_argument, NULL, OPT_DEBUG },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    /* Hidden: BM25 parameters for bench/relevance's sweeps. */
    { "bm25-k1", required_argument, NULL, OPT_BM25_K1 },
    { "bm25-b", required_argument, NULL, OPT_BM25_B },
    /* Hidden: ranking constants ("mix=0.4,k1=1.2") for bench sweeps. */
    { "tune", required_argument, NULL, OPT_TUNE },
    { NULL, 0, NULL, 0 },
};

/* Parses a decimal number from lo to hi into *out. Returns 0, or -1 when
 * s is not one. */
static int parse_number(double *out, const char *s, double lo, double hi)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || end == s || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

/* Takes an option about the indexes read or the output (--index,
 * --timeout, --json, --color, --snippet, ...) into c. Returns 1 when ch
 * is one of them (*bad: the message of a bad value, or NULL), else 0. */
static int output_option(const char **bad, cli *c, int ch)
{
    double v;
    switch (ch) {
    case 'i':
        if (c->env_list) { /* --index replaces $CIVSEARCH_INDEX */
            free(c->env_list);
            c->env_list = NULL;
            c->nindexes = 0;
        }
        if (c->nindexes >= sizeof c->indexes / sizeof c->indexes[0])
            *bad = "--index: at most 64 indexes (%s)";
        else
            c->indexes[c->nindexes++] = optarg;
        return 1;
    case OPT_TIMEOUT:
        if (parse_number(&v, optarg, 0.001, 3600.0) < 0)
            *bad = "--timeout: expected seconds, 0.001 to 3600, got %s";
        else
            c->dbo.timeout_ms = (unsigned)(v * 1000.0 + 0.5);
        return 1;
    case OPT_ALLOW_PARTIAL: c->dbo.allow_partial = 1; return 1;
    case 'j': c->render = &civ_render_json; return 1;
    case OPT_CSV: c->render = &civ_render_csv; return 1;
    case OPT_COLOR:
        if (strcmp(optarg, "always") == 0)
            c->color = 1;
        else if (strcmp(optarg, "never") == 0)
            c->color = 0;
        else if (strcmp(optarg, "auto") == 0)
            c->color = -1;
        else
            *bad = "--color: expected auto, always or never, got %s";
        return 1;
    case OPT_SNIPPET: {
        unsigned n;
        if (civ_parse_unsigned(&n, optarg, 0, 100000) < 0)
            *bad = "--snippet: expected 0..100000, got %s";
        else
            c->so.snippet_len = n;
        return 1;
    }
    case OPT_SNIPPETS:
        if (civ_parse_unsigned(&c->so.snippets, optarg, 1, CIV_SNIPPETS_MAX) < 0)
            *bad = "--snippets: expected 1..10, got %s";
        return 1;
    case OPT_PAGE:
        if (civ_parse_unsigned(&c->show_page, optarg, 1, 10000000) < 0)
            *bad = "--page: expected a page number (1 or more), got %s";
        return 1;
    case OPT_SHOW: c->show = optarg; return 1;
    case OPT_STATS: c->stats = 1; return 1;
    case OPT_THREAD: c->thread = optarg; return 1;
    case OPT_DEBUG: c->debug = 1; return 1;
    default: return 0;
    }
}

/* Takes an option about the search (--limit, --sort, --facets, --like,
 * the hidden ranking ones, ...) into c. Returns 1 when ch is one of them
 * (*bad: the message of a bad value, or NULL), else 0. */
static int search_option(const char **bad, cli *c, int ch, int argc, char **argv)
{
    double v;
    switch (ch) {
    case 'n':
        c->limit_set = 1;
        if (civ_parse_unsigned(&c->so.limit, optarg, 0, 10000) < 0)
            *bad = "--limit: expected 0..10000, got %s";
        return 1;
    case OPT_OFFSET:
        if (civ_parse_unsigned(&c->so.offset, optarg, 0, 1000000) < 0)
            *bad = "--offset: expected 0..1000000, got %s";
        return 1;
    case 's':
        c->sort_set = 1;
        if (civ_sort_parse(&c->so.sort, optarg) != 0)
            *bad = "--sort: expected relevance, date, -date, cited or redactions, got %s";
        return 1;
    case OPT_OR: c->so.default_or = 1; return 1;
    case OPT_AND: c->so.default_or = -1; return 1;
    case OPT_FACETS:
        c->so.facet_values = 10;
        if (optarg && facet_fields(c, optarg) < 0)
            *bad = "--facets: not a list of facets (type, year, author, lang, format, court, agency, exemption, amendment, case or cite, ...): %s";
        else if (!optarg && optind < argc && looks_like_facets(argv[optind], optind + 1 < argc))
            facet_fields(c, argv[optind++]);
        return 1;
    case OPT_LIKE: c->so.like = optarg; return 1;
    case OPT_NO_COLLAPSE: c->so.no_collapse = 1; return 1;
    case OPT_TUNE: c->so.tuning = optarg; return 1;
    case OPT_BM25_K1:
        if (parse_number(&v, optarg, 0.0, 100.0) < 0)
            *bad = "--bm25-k1: expected a number 0..100, got %s";
        else
            c->so.bm25_k1 = v;
        return 1;
    case OPT_BM25_B:
        if (parse_number(&v, optarg, 0.0, 100.0) < 0)
            *bad = "--bm25-b: expected a number 0..100, got %s";
        else
            c->so.bm25_b = v;
        return 1;
    default: return 0;
    }
}

/* After the options: colour, the query (the rest of the command line)
 * and the options that go together. Returns -1 to go on, else the exit
 * status. */
static int finish_options(int argc, char **argv, cli *c)
{
    if (c->color < 0) {
        const char *nc = getenv("NO_COLOR");
        c->color = isatty(STDOUT_FILENO) && !(nc && *nc);
    }
    /* The query is the rest of the command line. */
    for (int i = optind; i < argc; i++) {
        if (i > optind)
            civ_buf_putc(&c->query, ' ');
        civ_buf_puts(&c->query, argv[i]);
    }
    if (c->thread && c->query.len == 0)
        civ_buf_putc(&c->query, '*');
    if (civ_buf_failed(&c->query)) {
        fputs("civsearch: out of memory\n", stderr);
        return EXIT_ERROR;
    }
    if (!c->show && !c->stats && !c->so.like && c->query.len == 0) {
        fputs("civsearch: no query (use * to list every document)\n"
              "Try 'civsearch --help' for more information.\n", stderr);
        return EXIT_ERROR;
    }
    if (c->show_page && !c->show) {
        fputs("civsearch: --page goes with --show ID\n", stderr);
        return EXIT_ERROR;
    }
    if (c->stats && !c->render->stats) {
        fputs("civsearch: --stats prints text or JSON, not CSV\n", stderr);
        return EXIT_ERROR;
    }
    return -1;
}

/* Reads the options into c. Returns -1 to go on, else the exit status. */
static int parse_options(int argc, char **argv, cli *c)
{
    int ch;
    while ((ch = getopt_long(argc, argv, "i:n:s:jhV", longopts, NULL)) != -1) {
        const char *bad = NULL;
        if (output_option(&bad, c, ch) || search_option(&bad, c, ch, argc, argv)) {
            if (!bad)
                continue;
            fputs("civsearch: ", stderr);
            fprintf(stderr, bad, optarg);
            fputc('\n', stderr);
            return EXIT_ERROR;
        }
        if (ch == 'h') {
            usage(stdout);
            return EXIT_FOUND;
        }
        if (ch == 'V') {
            printf("civsearch %s\n", CIV_VERSION);
            return EXIT_FOUND;
        }
        fputs("Try 'civsearch --help' for more information.\n", stderr);
        return EXIT_ERROR;
    }
    return finish_options(argc, argv, c);
}

/* CIVSEARCH_INDEX: one index, or several joined by ":" (civ_db_list_span).
 * Returns -1 to go on, else the exit status. */
static int env_indexes(cli *c)
{
    const char *env = getenv("CIVSEARCH_INDEX");
    if (!env || !*env)
        return -1;
    c->env_list = strdup(env);
    if (!c->env_list) {
        fputs("civsearch: out of memory\n", stderr);
        return EXIT_ERROR;
    }
    char *p = c->env_list;
    while (*p) {
        size_t n = civ_db_list_span(p);
        char *next = p + n + (p[n] == ':');
        p[n] = '\0';
        if (n) {
            if (c->nindexes >= sizeof c->indexes / sizeof c->indexes[0]) {
                fputs("civsearch: CIVSEARCH_INDEX: at most 64 indexes\n", stderr);
                return EXIT_ERROR;
            }
            c->indexes[c->nindexes++] = p;
        }
        p = next;
    }
    return -1;
}

/* Names the shards left out of a search (--allow-partial) on stderr, and
 * hands them to the renderer. */
static void note_missing(const civ_db *db, civ_render_info *info)
{
    size_t n;
    const char *const *m = civ_db_missing(db, &n);
    info->missing_shards = m;
    info->nmissing_shards = n;
    info->nshards = civ_db_shard_count(db);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, "civsearch: warning: %s did not answer; results are from the other %zu of %zu shards\n",
                m[i], info->nshards - n, info->nshards);
}

static int run_stats(cli *c, civ_db *db, civ_buf *out)
{
    civ_error err = CIV_ERROR_INIT;
    civ_stats *st = NULL;
    int rc = EXIT_FOUND;
    if (civ_db_stats(&st, db, c->index, &err) != CIV_OK)
        rc = fail("stats", &err);
    else
        c->render->stats(out, st);
    civ_stats_free(st);
    return rc;
}

static int run_show(cli *c, civ_db *db, civ_buf *out)
{
    civ_error err = CIV_ERROR_INIT;
    civ_doc *doc = NULL;
    int rc = EXIT_FOUND;
    const char *ptext;
    size_t plen;
    if (civ_db_get(&doc, db, c->show, 1, &err) != CIV_OK) {
        if (err.code == CIV_ENOTFOUND) {
            rc = report_error(c, EXIT_NONE, "not_found", "no document with id %s", c->show);
        } else {
            rc = fail(NULL, &err);
        }
    } else if (c->show_page && !civ_doc_npages(doc)) {
        rc = report_error(c, EXIT_NONE, "not_found", "document %s has no pages", c->show);
    } else if (c->show_page && civ_render_page_text(doc, c->show_page, &ptext, &plen) < 0) {
        unsigned first = 0, last = 0;
        civ_doc_page_mark(doc, 0, &first, NULL);
        civ_doc_page_mark(doc, civ_doc_npages(doc) - 1, &last, NULL);
        rc = report_error(c, EXIT_NONE, "not_found", "document %s has no page %u (its pages: %u to %u)",
                          c->show, c->show_page, first, last);
    } else {
        civ_render_info info = { .opts = &c->so, .color = c->color, .doc_page = c->show_page };
        civ_doc_legal legal;
        civ_status ls = civ_doc_legal_load(&legal, db, doc, &err);
        if (ls == CIV_OK)
            info.legal = &legal;
        else if (ls != CIV_ENOMEM) /* the stored fields are still shown */
            fprintf(stderr, "civsearch: warning: %s\n", err.msg);
        if (ls == CIV_ENOMEM) /* not a view with a part silently missing */
            rc = fail(NULL, &err);
        else
            c->render->document(out, &info, doc);
        civ_doc_legal_free(&legal);
    }
    civ_doc_free(doc);
    return rc;
}

/* --debug: how a hit's score was made. */
static void debug_score(const civ_hit *h)
{
    const char *id = civ_doc_get(h->doc, "id");
    fprintf(stderr, "civsearch: score #%u %s: %.4f = ", h->rank, id ? id : "?", h->score);
    if (h->best_passage) {
        unsigned page = 0;
        for (size_t k = 0; k < h->nsnippets; k++)
            if (h->snippets[k].passage == h->best_passage)
                page = h->snippets[k].page;
        fprintf(stderr, "%.2f x whole text %.4f + %.2f x best passage (\xc2\xb6 %u", 1 - h->passage_share,
                h->text_score, h->passage_share, h->best_passage);
        if (page)
            fprintf(stderr, ", p. %u", page);
        fprintf(stderr, " of %u) %.4f", h->npassages, h->passage_score);
    } else {
        fprintf(stderr, "whole text %.4f (BM25%s)", h->text_score,
                h->npassages > 1 ? "; passages not weighed" : ", one passage");
    }
    if (h->cited_by)
        fprintf(stderr, " + prior %.4f (cited by %u)", h->prior, h->cited_by);
    fputc('\n', stderr);
}

static int run_search(cli *c, civ_db *db, civ_buf *out, double t_open)
{
    civ_error err = CIV_ERROR_INIT;
    civ_search_opts *so = &c->so;
    char tfilter[600], title[620];
    const char *tfilters[1] = { tfilter };
    if (c->thread) {
        if (civ_thread_filter(tfilter, sizeof tfilter, db, c->thread, &err) != CIV_OK) {
            fprintf(stderr, "civsearch: %s\n", err.msg);
            return err.code == CIV_ENOTFOUND ? EXIT_NONE : EXIT_ERROR;
        }
        so->filters = tfilters;
        so->nfilters = 1;
        if (!c->sort_set)
            so->sort = CIV_SORT_DATE_ASC;
        if (!c->limit_set)
            so->limit = 10000;
        snprintf(title, sizeof title, "Thread %s", tfilter + 7);
    }
    so->query = c->query.len ? civ_buf_str(&c->query) : NULL;
    /* A correction is looked for when a word of the query is rare or
     * unknown in the index (cheap otherwise), found or not. */
    so->spelling = !c->thread;
    double t0 = civ_monotonic();
    civ_results *res = NULL;
    if (civ_search(&res, db, so, &err) != CIV_OK) {
        if (err.code == CIV_EQUERY)
            return report_error(c, EXIT_ERROR, "bad_query", "bad query: %s", err.msg);
        if (err.code == CIV_ENOTFOUND && so->like)
            return report_error(c, EXIT_NONE, "not_found", "no document with id %s", so->like);
        return fail(NULL, &err);
    }
    civ_render_info info = { .opts = so, .query = so->query ? so->query : "", .elapsed = civ_monotonic() - t0,
                             .color = c->color, .title = c->thread ? title : NULL };
    note_missing(db, &info);
    if (c->debug)
        fprintf(stderr, "civsearch: query: %s\n", civ_results_query_description(res));
    double t_render = civ_monotonic();
    c->render->results(out, &info, res);
    if (c->debug) {
        civ_search_times st;
        civ_results_times(res, &st);
        fprintf(stderr,
                "civsearch: ms: open %.3f, parse %.3f, match %.3f, passages %.3f, fetch %.3f, "
                "snippets %.3f, render %.3f\n",
                t_open * 1e3, st.parse * 1e3, st.match * 1e3, st.rank * 1e3, st.fetch * 1e3,
                st.snippet * 1e3, (civ_monotonic() - t_render) * 1e3);
        if (st.pruned)
            fprintf(stderr, "civsearch: passages not weighed (they could not reach the page): %u documents\n",
                    st.pruned);
        if (st.feedback_kept)
            fprintf(stderr, "civsearch: feedback round: no words added (no short document among the best); "
                            "its match gave the page\n");
        if (st.feedback_tabled || st.feedback_listed)
            fprintf(stderr, "civsearch: feedback round: %u candidate words counted from %s\n",
                    st.feedback_tabled + st.feedback_listed,
                    st.feedback_listed ? "their posting lists" : "the index's table of counts");
        if (st.position_lists)
            fprintf(stderr, "civsearch: position lists read for passages: %u\n", st.position_lists);
        if (st.passages_read)
            fprintf(stderr, "civsearch: passage texts read for snippets: %u\n", st.passages_read);
        if (st.remote_docs)
            fprintf(stderr, "civsearch: documents read one by one (shards are remote): %u\n", st.remote_docs);
        for (size_t i = 0; i < civ_results_size(res); i++)
            debug_score(civ_results_hit(res, i));
    }
    int rc = civ_results_size(res) > 0 || civ_results_total(res, NULL) > 0 ? EXIT_FOUND : EXIT_NONE;
    civ_results_free(res);
    return rc;
}

int main(int argc, char **argv)
{
    civ_oom_guard("civsearch");
    /* One process a query: the heap a search uses and the code it runs,
     * mapped at once (civ/warm.h). */
    static const char *const libs[] = { "libxapian", NULL };
    civ_warm_start(NULL, NULL, 768 << 10, libs);
    /* The search page: CGI or FastCGI (searcher/web.c). */
    int web = civ_web_main(argc, argv);
    if (web >= 0)
        return web;
    cli c = { .so = CIV_SEARCH_OPTS_INIT, .render = &civ_render_text, .color = -1,
              .query = CIV_BUF_INIT, .dbo = CIV_DB_OPTS_INIT };
    int rc = env_indexes(&c);
    if (rc < 0)
        rc = parse_options(argc, argv, &c);
    if (rc >= 0) {
        free(c.env_list);
        civ_buf_free(&c.query);
        return rc;
    }
    if (c.nindexes == 0)
        c.indexes[c.nindexes++] = "civsearch-index";
    c.index = c.indexes[0];
    civ_error err = CIV_ERROR_INIT;
    civ_db *db = NULL;
    double t_open = civ_monotonic();
    if (civ_db_open_many(&db, c.indexes, c.nindexes, &c.dbo, &err) != CIV_OK) {
        if (err.code == CIV_ENOTFOUND && strncmp(err.msg, "no index at ", 12) == 0)
            report_error(&c, EXIT_ERROR, "no_index", "%s (run civindex first, or use --index)", err.msg);
        else
            report_error(&c, EXIT_ERROR, err.code == CIV_ETIMEOUT ? "timeout" : "index_error", "%s",
                         err.msg);
        free(c.env_list);
        civ_buf_free(&c.query);
        return EXIT_ERROR;
    }
    t_open = civ_monotonic() - t_open;
    civ_buf out = CIV_BUF_INIT;
    if (c.stats || c.show) {
        civ_render_info info = { 0 };
        note_missing(db, &info); /* what is left out, named on stderr */
    }
    if (c.stats)
        rc = run_stats(&c, db, &out);
    else if (c.show)
        rc = run_show(&c, db, &out);
    else
        rc = run_search(&c, db, &out, t_open);
    if (emit(&out) < 0)
        rc = EXIT_ERROR;
    civ_buf_free(&out);
    civ_buf_free(&c.query);
    civ_db_free(db);
    free(c.env_list);
    if (fflush(stdout) != 0 && rc == EXIT_FOUND) {
        fprintf(stderr, "civsearch: cannot write output: %s\n", strerror(errno));
        rc = EXIT_ERROR;
    }
    return rc;
}
