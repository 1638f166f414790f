/* civindex — index folders of documents for civsearch. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "civ/indexrun.h"

#ifndef CIV_VERSION
#define CIV_VERSION "0"
#endif

enum { EXIT_CLEAN = 0, EXIT_PARTIAL = 1, EXIT_FATAL = 2 };

typedef struct cli {
    int verbose;
    int quiet;
} cli;

static void usage(FILE *f)
{
    fputs("Usage: civindex [OPTION]... PATH...\n"
          "Index the documents under each PATH (folders are walked recursively) into a\n"
          "civsearch index. Re-indexing a file replaces its document.\n"
          "\n"
          "Formats: text (.txt .text .md), HTML (.html .htm .xhtml), XML (.xml), mail\n"
          "(.eml), mailboxes (.mbox, one document per message), any of them\n"
          "gzip-compressed (.gz); files without an extension are recognised by their\n"
          "content. Open letters in text and HTML are recognised as letters. Hidden\n"
          "files and version-control folders are skipped.\n"
          "\n"
          "Options:\n"
          "  -i, --index PATH     the index (default: $CIVSEARCH_INDEX, else ./civsearch-index)\n"
          "      --full           rebuild the index from scratch\n"
          "      --max-size SIZE  skip files larger than SIZE (default 64M; suffixes K, M, G)\n"
          "      --format NAME    read every file as NAME (text, html, xml, mail, mbox)\n"
          "      --stemmer LANG   stemming language of a new index (default english; none)\n"
          "      --batch N        commit every N documents (default 2000)\n"
          "  -v, --verbose        report every file\n"
          "  -q, --quiet          print only fatal errors\n"
          "  -h, --help           show this help and exit\n"
          "  -V, --version        show the version and exit\n"
          "\n"
          "Exit status: 0 all files indexed cleanly; 1 some files were skipped, failed\n"
          "or had warnings; 2 fatal error (index locked or not writable, bad usage).\n"
          "See civindex(1).\n",
          f);
}

static int parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || v < 0)
        return -1;
    double mul = 1;
    switch (*end) {
    case 'k': case 'K': mul = 1024.0; end++; break;
    case 'm': case 'M': mul = 1024.0 * 1024; end++; break;
    case 'g': case 'G': mul = 1024.0 * 1024 * 1024; end++; break;
    case '\0': break;
    default: return -1;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    v *= mul;
    if (v < 1 || v > 1e15)
        return -1;
    *out = (size_t)v;
    return 0;
}

static const char *outcome_word(civ_outcome o)
{
    switch (o) {
    case CIV_FILE_INDEXED: return "indexed";
    case CIV_FILE_SKIPPED: return "skipped";
    case CIV_FILE_FAILED: return "failed";
    case CIV_FILE_IGNORED: return "ignored";
    }
    return "?";
}

static void on_file(void *ctx, const char *path, const civ_file_report *rep)
{
    cli *c = ctx;
    if (c->quiet)
        return;
    if (rep->outcome == CIV_FILE_SKIPPED || rep->outcome == CIV_FILE_FAILED)
        fprintf(stderr, "civindex: %s: %s: %s\n", outcome_word(rep->outcome), path, rep->reason);
    else if (c->verbose && rep->outcome == CIV_FILE_IGNORED)
        fprintf(stderr, "civindex: ignored: %s: %s\n", path, rep->reason);
    else if (c->verbose)
        fprintf(stderr, "civindex: indexed: %s (%s, %u document%s)\n", path, rep->format,
                rep->docs, rep->docs == 1 ? "" : "s");
}

static void on_warning(void *ctx, const char *path, const char *msg)
{
    cli *c = ctx;
    if (!c->quiet)
        fprintf(stderr, "civindex: warning: %s: %s\n", path, msg);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "index", required_argument, NULL, 'i' },
        { "full", no_argument, NULL, 'F' },
        { "max-size", required_argument, NULL, 'm' },
        { "format", required_argument, NULL, 'f' },
        { "stemmer", required_argument, NULL, 's' },
        { "batch", required_argument, NULL, 'b' },
        { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    cli c = { 0, 0 };
    civ_run_opts o = CIV_RUN_OPTS_INIT;
    const char *env = getenv("CIVSEARCH_INDEX");
    o.index = env && *env ? env : "civsearch-index";
    int ch;
    while ((ch = getopt_long(argc, argv, "i:vqhV", longopts, NULL)) != -1) {
        switch (ch) {
        case 'i': o.index = optarg; break;
        case 'F': o.full = 1; break;
        case 'm':
            if (parse_size(optarg, &o.max_size) < 0) {
                fprintf(stderr, "civindex: --max-size: not a size: %s (try 64M)\n", optarg);
                return EXIT_FATAL;
            }
            break;
        case 'f':
            if (!civ_extractor_by_name(optarg)) {
                fprintf(stderr, "civindex: --format: unknown format %s\n", optarg);
                return EXIT_FATAL;
            }
            o.format = optarg;
            break;
        case 's': o.stemmer = optarg; break;
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 10000000) {
                fprintf(stderr, "civindex: --batch: not a positive number: %s\n", optarg);
                return EXIT_FATAL;
            }
            o.batch_docs = (unsigned)v;
            break;
        }
        case 'v': c.verbose = 1; c.quiet = 0; break;
        case 'q': c.quiet = 1; c.verbose = 0; break;
        case 'h': usage(stdout); return EXIT_CLEAN;
        case 'V': printf("civindex %s\n", CIV_VERSION); return EXIT_CLEAN;
        default:
            fputs("Try 'civindex --help' for more information.\n", stderr);
            return EXIT_FATAL;
        }
    }
    if (optind >= argc) {
        fputs("civindex: no PATH to index\nTry 'civindex --help' for more information.\n", stderr);
        return EXIT_FATAL;
    }
    o.roots = (const char *const *)(argv + optind);
    o.nroots = (size_t)(argc - optind);
    o.events.ctx = &c;
    o.events.file = on_file;
    o.events.warning = on_warning;
    civ_run_counts n;
    civ_error err = CIV_ERROR_INIT;
    double t0 = now();
    civ_status s = civ_index_run(&n, &o, &err);
    double dt = now() - t0;
    if (s != CIV_OK) {
        fprintf(stderr, "civindex: %s\n", err.msg);
        if (n.docs && !c.quiet)
            fprintf(stderr, "civindex: stopped after %llu documents; what was committed before is intact\n",
                    (unsigned long long)n.docs);
        return EXIT_FATAL;
    }
    if (!c.quiet) {
        printf("indexed %llu, skipped %llu, failed %llu", (unsigned long long)n.indexed,
               (unsigned long long)n.skipped, (unsigned long long)n.failed);
        if (n.warnings || n.ignored) {
            printf(" (");
            if (n.warnings)
                printf("%llu warning%s", (unsigned long long)n.warnings, n.warnings == 1 ? "" : "s");
            if (n.warnings && n.ignored)
                printf(", ");
            if (n.ignored)
                printf("%llu ignored", (unsigned long long)n.ignored);
            printf(")");
        }
        printf("; %llu document%s in %.2f s into %s\n", (unsigned long long)n.docs,
               n.docs == 1 ? "" : "s", dt, o.index);
    }
    return n.skipped || n.failed || n.warnings ? EXIT_PARTIAL : EXIT_CLEAN;
}
