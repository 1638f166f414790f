/* civindex — index folders of documents for civsearch. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "documents.h"
#include "enrich.h"
#include "indexrun.h"
#include "sandbox.h"
#include "shardset.h"
#include "civ/date.h"
#include "civ/entities.h"
#include "civ/parse.h"

#ifndef CIV_VERSION
#define CIV_VERSION "0"
#endif

enum { EXIT_CLEAN = 0, EXIT_PARTIAL = 1, EXIT_FATAL = 2 };

typedef struct cli {
    unsigned shards;  /* --shards N: write a set of N shard indexes */
    int shard;        /* --shard K: re-index only shard K (-1: all) */
    int verbose;
    int quiet;
    int tty;          /* draw the live progress line on stderr */
    int drawn;        /* a progress line is on screen */
    unsigned jobs;    /* worker threads (OCR time left) */
} cli;

static volatile int stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static void usage(FILE *f)
{
    fputs("Usage: civindex [OPTION]... PATH...\n"
          "Index the documents under each PATH (folders are walked recursively) into a\n"
          "civsearch index. Re-indexing a file replaces its document.\n"
          "\n"
          "Formats: text (.txt .text .md), HTML (.html .htm .xhtml), XML (.xml), mail\n"
          "(.eml), mailboxes (.mbox, one document per message), PDF (page by page),\n"
          "Word (.docx .doc), OpenDocument (.odt), RTF, archives (.zip .tar .tar.gz .tgz,\n"
          "a document per member), scanned images (.tif .png .jpg, with --ocr), any of\n"
          "them gzip-compressed (.gz); files without an extension are recognised by their\n"
          "content. Open letters in text and HTML are recognised as letters. Hidden\n"
          "files and version-control folders are skipped. PDFs, scans and converted\n"
          "formats are read in sandboxed helper processes (see civindex(1)).\n"
          "\n"
          "A re-run is incremental: files with the same size and modification time are\n"
          "skipped without being read, changed files are re-indexed, moved files are\n"
          "recognised by their content and not extracted again, and documents of files\n"
          "that disappeared from the indexed folders are removed. Files that were\n"
          "skipped, failed or are in formats civindex does not read are remembered:\n"
          "while they stay unchanged they are not read or reported again, only counted\n"
          "(\"3 known bad files, unchanged\"), so a nightly run exits 0 unless something\n"
          "new went wrong. The summary counts the files not read by their extension.\n"
          "\n"
          "Options:\n"
          "  -i, --index PATH     the index (default: $CIVSEARCH_INDEX, else ./civsearch-index)\n"
          "      --full           rebuild the index from scratch\n"
          "      --no-prune       keep documents of files that disappeared\n"
          "      --retry-failed   read again the files that were skipped, failed or not\n"
          "                       read before, though unchanged\n"
          "  -j, --jobs N         worker threads (default: number of cores)\n"
          "      --compact        end with a single-file compacted index (for deployment)\n"
          "      --memory SIZE    memory budget (default 512M; at least 64M)\n"
          "      --max-size SIZE  skip files larger than SIZE (default 64M; suffixes K, M, G)\n"
          "      --format NAME    read every file as NAME (text, html, xml, mail, mbox, pdf,\n"
          "                       docx, odt, rtf, doc, zip, tar, image)\n"
          "      --stemmer LANG   stemming language of a new index (default english; none)\n"
          "      --ocr            read scanned PDF pages and images with Tesseract (the text\n"
          "                       is cached in INDEX/ocr-cache by the page's content)\n"
          "      --ocr-lang LANGS OCR languages, e.g. eng+deu (default eng; implies --ocr)\n"
          "      --doc-timeout SECONDS  CPU time a document (an OCR page) may take in\n"
          "                       the sandbox, and civindex on any one file (default 120)\n"
          "      --doc-memory SIZE  memory a document (an OCR page) may take (default 1G)\n"
          "      --batch N        commit every N documents (default 500; 100 a shard)\n"
          "      --batch-bytes SIZE  commit when pending changes reach SIZE\n"
          "      --shard-docs N   building: a worker starts a new shard every N documents\n"
          "                       (default 2000; merged 32 at a time, and at the end)\n"
          "      --no-entities    leave legal entities out (citations, agencies, ...):\n"
          "                       for measuring their cost; their fields stay empty\n"
          "      --shards N       write the index as a set of N shard indexes (a file goes\n"
          "                       to the shard its path hashes to), all built at once;\n"
          "                       each can be copied, served and re-indexed on its own\n"
          "      --shard K        with --shards: re-index only shard K (0 to N-1)\n"
          "  -v, --verbose        report every file\n"
          "  -q, --quiet          print only fatal errors\n"
          "  -h, --help           show this help and exit\n"
          "  -V, --version        show the version and exit\n"
          "\n"
          "\n"
          "  civindex --entities[=all]\n"
          "                       print, for each line of standard input, the legal\n"
          "                       entities found in it (citations, exemptions, acts,\n"
          "                       agencies, redactions), comma-separated; =all adds case\n"
          "                       names, clauses, state and local bodies, dockets, courts\n"
          "  civindex compact [-i PATH] [-o FILE]\n"
          "                       compact the index into a single file (in place, or\n"
          "                       into FILE); the next run turns it back into a folder\n"
          "\n"
          "A progress line is shown while stderr is a terminal. Ctrl-C stops cleanly:\n"
          "what was done is kept and the next run goes on from there.\n"
          "\n"
          "Exit status: 0 all files read indexed cleanly (files known bad from before\n"
          "and unchanged do not count); 1 some files were skipped, failed or had\n"
          "warnings in this run; 2 fatal error (index locked or not writable, disk full, bad\n"
          "usage); 130 interrupted. See civindex(1).\n",
          f);
}

/* n with thousands separators: 1,204. */
static const char *count_str(char *out, size_t n, unsigned long long v)
{
    char tmp[32];
    int len = snprintf(tmp, sizeof tmp, "%llu", v);
    size_t k = 0;
    for (int i = 0; i < len && k + 2 < n; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = tmp[i];
    }
    out[k] = '\0';
    return out;
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

/* Removes the progress line before anything else is printed. */
static void clear_progress(cli *c)
{
    if (c->drawn) {
        fputs("\r\033[K", stderr);
        c->drawn = 0;
    }
}

static void on_progress(void *ctx, const civ_run_progress *p)
{
    cli *c = ctx;
    if (!c->tty)
        return;
    char line[240], eta[32] = "";
    double mb = (double)p->bytes / (1024.0 * 1024.0);
    double rate = p->elapsed > 0 ? mb / p->elapsed : 0;
    if (strcmp(p->phase, "indexing") != 0) {
        snprintf(line, sizeof line, "civindex: %s…", p->phase);
    } else {
        if (p->total && p->done > 0 && p->done < p->total) {
            double left = p->elapsed * (double)(p->total - p->done) / (double)p->done;
            long s = (long)(left + 0.5);
            snprintf(eta, sizeof eta, ", ETA %ld:%02ld", s / 60, s % 60);
        }
        if (p->total)
            snprintf(line, sizeof line, "civindex: %llu/%llu files, %.1f MB/s%s, %llu skipped",
                     (unsigned long long)p->done, (unsigned long long)p->total, rate, eta,
                     (unsigned long long)p->skipped);
        else
            snprintf(line, sizeof line, "civindex: %llu files, %.1f MB/s, %llu skipped",
                     (unsigned long long)p->done, rate, (unsigned long long)p->skipped);
        /* OCR: pages done, and the time the pages known to wait will take. */
        civ_ocr_stats os;
        civ_ocr_stats_get(&os);
        if (os.pages || os.cached || os.waiting) {
            size_t l = strlen(line);
            snprintf(line + l, sizeof line - l, ", OCR %llu page%s",
                     (unsigned long long)os.pages + os.cached, os.pages + os.cached == 1 ? "" : "s");
            if (os.waiting && os.pages) {
                double per = os.seconds / (double)os.pages;
                long s = (long)(per * (double)os.waiting / (c->jobs ? c->jobs : 1) + 0.5);
                l = strlen(line);
                snprintf(line + l, sizeof line - l, " (%llu waiting, %ld:%02ld left)",
                         (unsigned long long)os.waiting, s / 60, s % 60);
            } else if (os.waiting) {
                l = strlen(line);
                snprintf(line + l, sizeof line - l, " (%llu waiting)",
                         (unsigned long long)os.waiting);
            }
        }
    }
    fprintf(stderr, "\r%s\033[K", line);
    fflush(stderr);
    c->drawn = 1;
}

static void on_change(void *ctx, const char *what, const char *path, const char *detail)
{
    cli *c = ctx;
    if (!c->verbose)
        return;
    clear_progress(c);
    if (strcmp(what, "moved") == 0)
        fprintf(stderr, "civindex: moved: %s (from %s)\n", path, detail);
    else if (strcmp(what, "removed") == 0)
        fprintf(stderr, "civindex: removed: %s/%s\n", detail, path);
    else if (strcmp(what, "known bad") == 0)
        fprintf(stderr, "civindex: known bad, unchanged: %s: %s\n", path, detail ? detail : "");
    else
        fprintf(stderr, "civindex: %s: %s\n", what, path);
}

static void on_file(void *ctx, const char *path, const civ_file_report *rep)
{
    cli *c = ctx;
    if (c->quiet)
        return;
    if (rep->outcome == CIV_FILE_INDEXED && !c->verbose)
        return;
    if (rep->outcome == CIV_FILE_IGNORED && !c->verbose)
        return;
    clear_progress(c);
    if (rep->outcome == CIV_FILE_SKIPPED || rep->outcome == CIV_FILE_FAILED)
        fprintf(stderr, "civindex: %s: %s: %s\n", outcome_word(rep->outcome), path, rep->reason);
    else if (c->verbose && rep->outcome == CIV_FILE_IGNORED)
        fprintf(stderr, "civindex: ignored: %s: %s\n", path, rep->reason);
    else if (c->verbose && rep->pages)
        fprintf(stderr, "civindex: indexed: %s (%s, %u document%s, %u page%s%s)\n", path,
                rep->format, rep->docs, rep->docs == 1 ? "" : "s", rep->pages,
                rep->pages == 1 ? "" : "s", rep->ocr_pages ? ", OCR" : "");
    else if (c->verbose)
        fprintf(stderr, "civindex: indexed: %s (%s, %u document%s)\n", path, rep->format,
                rep->docs, rep->docs == 1 ? "" : "s");
}

static void on_warning(void *ctx, const char *path, const char *msg)
{
    cli *c = ctx;
    if (c->quiet)
        return;
    clear_progress(c);
    fprintf(stderr, "civindex: warning: %s: %s\n", path, msg);
}

static int compact_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "index", required_argument, NULL, 'i' },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *env = getenv("CIVSEARCH_INDEX");
    const char *index = env && *env ? env : "civsearch-index";
    const char *output = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "i:o:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'i': index = optarg; break;
        case 'o': output = optarg; break;
        case 'h':
            puts("Usage: civindex compact [-i PATH] [-o FILE]\n"
                 "Compact the index into one file: in place, or into FILE (the index is then\n"
                 "left as it is). civsearch reads either; the next civindex run turns an\n"
                 "in-place single file back into a folder.");
            return EXIT_CLEAN;
        default:
            fputs("Try 'civindex compact --help' for more information.\n", stderr);
            return EXIT_FATAL;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "civindex compact: unexpected argument %s\n", argv[optind]);
        return EXIT_FATAL;
    }
    civ_error err = CIV_ERROR_INIT;
    double t0 = civ_monotonic();
    if (civ_index_compact(index, output, &err) != CIV_OK) {
        fprintf(stderr, "civindex: %s\n", err.msg);
        return EXIT_FATAL;
    }
    printf("compacted %s into %s in %.2f s\n", index, output ? output : "a single file",
           civ_monotonic() - t0);
    return EXIT_CLEAN;
}

/* civindex --entities[=all]: each line of standard input is scanned as a
 * document of its own; one output line each, its canonical forms in order
 * of first appearance (docs/entities.md). */
static int entities_main(int all)
{
    civ_error err = CIV_ERROR_INIT;
    civ_entities *ents = NULL;
    civ_entity_list *list = NULL;
    if (civ_entities_new(&ents, &err) != CIV_OK || civ_entity_list_new(&list, &err) != CIV_OK) {
        fprintf(stderr, "civindex: %s\n", err.msg);
        civ_entities_free(ents);
        return EXIT_FATAL;
    }
    civ_entity_scan_opts opts = CIV_ENTITY_SCAN_OPTS_INIT;
    opts.no_doc = 1;
    unsigned kinds = all ? CIV_ENTITY_ALL_MASK : CIV_ENTITY_CORE_MASK;
    civ_buf out = CIV_BUF_INIT;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int rc = EXIT_CLEAN;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        size_t len = (size_t)n;
        if (len && line[len - 1] == '\n')
            len--;
        if (len && line[len - 1] == '\r')
            len--;
        civ_buf_reset(&out);
        if (civ_entities_scan(list, ents, line, len, &opts, &err) != CIV_OK ||
            civ_entity_list_format(&out, list, kinds, &err) != CIV_OK) {
            fprintf(stderr, "civindex: %s\n", err.msg);
            rc = EXIT_FATAL;
            break;
        }
        civ_buf_putc(&out, '\n');
        if (civ_buf_failed(&out) || fwrite(out.data, 1, out.len, stdout) != out.len) {
            fprintf(stderr, "civindex: cannot write the output\n");
            rc = EXIT_FATAL;
            break;
        }
    }
    if (rc == EXIT_CLEAN && (ferror(stdin) || fflush(stdout) != 0)) {
        fprintf(stderr, "civindex: %s\n", ferror(stdin) ? "cannot read standard input"
                                                          : "cannot write the output");
        rc = EXIT_FATAL;
    }
    free(line);
    civ_buf_free(&out);
    civ_entity_list_free(list);
    civ_entities_free(ents);
    return rc;
}

/* The options of an indexing run (parse_options). */
static const struct option run_longopts[] = {
    { "index", required_argument, NULL, 'i' },
    { "full", no_argument, NULL, 'F' },
    { "max-size", required_argument, NULL, 'm' },
    { "format", required_argument, NULL, 'f' },
    { "stemmer", required_argument, NULL, 's' },
    { "batch", required_argument, NULL, 'b' },
    { "batch-bytes", required_argument, NULL, 'B' },
    { "jobs", required_argument, NULL, 'j' },
    { "no-prune", no_argument, NULL, 'P' },
    { "retry-failed", no_argument, NULL, 'R' },
    { "compact", no_argument, NULL, 'C' },
    { "no-entities", no_argument, NULL, 'E' },
    { "memory", required_argument, NULL, 'M' },
    { "shard-docs", required_argument, NULL, 'S' },
    { "ocr", no_argument, NULL, 'O' },
    { "ocr-lang", required_argument, NULL, 'L' },
    { "doc-timeout", required_argument, NULL, 'T' },
    { "doc-memory", required_argument, NULL, 'D' },
    { "shards", required_argument, NULL, 'N' },
    { "shard", required_argument, NULL, 'K' },
    { "verbose", no_argument, NULL, 'v' },
    { "quiet", no_argument, NULL, 'q' },
    { "help", no_argument, NULL, 'h' },
    { "version", no_argument, NULL, 'V' },
    { NULL, 0, NULL, 0 },
};

/* Takes an option that sets a limit or a size (--max-size, --batch,
 * --memory, --jobs, --shards, --doc-timeout, ...) into o and c. Returns 1
 * when ch is one of them (*bad: the message of a bad value, or NULL),
 * else 0. */
static int limit_option(const char **bad, civ_run_opts *o, cli *c, int ch)
{
    switch (ch) {
    case 'm':
        if (civ_parse_size(&o->max_size, optarg, 1, SIZE_MAX) < 0)
            *bad = "--max-size: not a size: %s (try 64M)";
        return 1;
    case 'b':
        if (civ_parse_unsigned(&o->batch_docs, optarg, 1, 10000000) < 0)
            *bad = "--batch: not a positive number: %s";
        return 1;
    case 'B':
        if (civ_parse_size(&o->batch_bytes, optarg, 1, SIZE_MAX) < 0)
            *bad = "--batch-bytes: not a size: %s (try 64M)";
        return 1;
    case 'M':
        if (civ_parse_size(&o->memory, optarg, (size_t)64 * 1024 * 1024, SIZE_MAX) < 0)
            *bad = "--memory: not a size of at least 64M: %s";
        return 1;
    case 'j':
        if (civ_parse_unsigned(&o->jobs, optarg, 1, 256) < 0)
            *bad = "--jobs: not a number from 1 to 256: %s";
        return 1;
    case 'S':
        if (civ_parse_unsigned(&o->shard_docs, optarg, 1, 100000000) < 0)
            *bad = "--shard-docs: not a positive number: %s";
        return 1;
    case 'N':
        if (civ_parse_unsigned(&c->shards, optarg, 1, CIV_SHARDS_MAX) < 0)
            *bad = "--shards: expected 1 to 256, got %s";
        return 1;
    case 'K': {
        unsigned k;
        if (civ_parse_unsigned(&k, optarg, 0, CIV_SHARDS_MAX - 1) < 0)
            *bad = "--shard: expected a shard number 0 to 255, got %s";
        else
            c->shard = (int)k;
        return 1;
    }
    case 'T':
        if (civ_parse_unsigned(&o->doc_timeout, optarg, 1, 86400) < 0)
            *bad = "--doc-timeout: not a number of seconds from 1 to 86400: %s";
        return 1;
    case 'D':
        if (civ_parse_size(&o->doc_memory, optarg, (size_t)64 * 1024 * 1024, SIZE_MAX) < 0)
            *bad = "--doc-memory: not a size of at least 64M: %s";
        return 1;
    default: return 0;
    }
}

/* Takes an option that chooses what is done or how (--index, --full,
 * --format, --ocr-lang, --verbose, ...) into o and c. Returns 1 when ch is
 * one of them (*bad: the message of a bad value, or NULL), else 0. */
static int run_option(const char **bad, civ_run_opts *o, cli *c, int ch)
{
    switch (ch) {
    case 'i': o->index = optarg; return 1;
    case 'F': o->full = 1; return 1;
    case 'f':
        if (!civ_extractor_by_name(optarg))
            *bad = "--format: unknown format %s";
        o->format = optarg;
        return 1;
    case 's': o->stemmer = optarg; return 1;
    case 'P': o->no_prune = 1; return 1;
    case 'R': o->retry_failed = 1; return 1;
    case 'C': o->compact = 1; return 1;
    case 'E': civ_enrich_entities_set(0); return 1;
    case 'O': o->ocr = 1; return 1;
    case 'L': {
        size_t k = strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-");
        if (!*optarg || optarg[k] || strlen(optarg) > 200)
            *bad = "--ocr-lang: not a list of languages: %s (try eng+deu)";
        o->ocr = 1;
        o->ocr_lang = optarg;
        return 1;
    }
    case 'v': c->verbose = 1; c->quiet = 0; return 1;
    case 'q': c->quiet = 1; c->verbose = 0; return 1;
    default: return 0;
    }
}

/* After the options: the paths to index, the options that go together,
 * and the number of jobs. Returns -1 to go on, else the exit status. */
static int finish_options(int argc, char **argv, civ_run_opts *o, cli *c)
{
    if (optind >= argc) {
        fputs("civindex: no PATH to index\nTry 'civindex --help' for more information.\n", stderr);
        return EXIT_FATAL;
    }
    if (c->shard >= 0 && !c->shards) {
        fputs("civindex: --shard K needs --shards N\n", stderr);
        return EXIT_FATAL;
    }
    if (c->shards && o->compact) {
        fputs("civindex: --compact is for one index; compact each shard with civindex compact -i OUT/shard-K\n",
              stderr);
        return EXIT_FATAL;
    }
    o->roots = (const char *const *)(argv + optind);
    o->nroots = (size_t)(argc - optind);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c->jobs = o->jobs ? o->jobs : ncpu > 0 ? (unsigned)ncpu : 1;
    return -1;
}

/* Reads the options into o and c. Returns -1 to go on, else the exit
 * status (--help, --version, a usage error). */
static int parse_options(int argc, char **argv, civ_run_opts *o, cli *c)
{
    const char *env = getenv("CIVSEARCH_INDEX");
    o->index = env && *env ? env : "civsearch-index";
    int ch;
    while ((ch = getopt_long(argc, argv, "i:j:vqhV", run_longopts, NULL)) != -1) {
        const char *bad = NULL;
        if (run_option(&bad, o, c, ch) || limit_option(&bad, o, c, ch)) {
            if (!bad)
                continue;
            fputs("civindex: ", stderr);
            fprintf(stderr, bad, optarg);
            fputc('\n', stderr);
            return EXIT_FATAL;
        }
        if (ch == 'h') {
            usage(stdout);
            return EXIT_CLEAN;
        }
        if (ch == 'V') {
            printf("civindex %s\n", CIV_VERSION);
            return EXIT_CLEAN;
        }
        fputs("Try 'civindex --help' for more information.\n", stderr);
        return EXIT_FATAL;
    }
    return finish_options(argc, argv, o, c);
}

static int by_count(const void *a, const void *b)
{
    const civ_ext_count *x = a, *y = b;
    return x->n < y->n ? 1 : x->n > y->n ? -1 : strcmp(x->ext, y->ext);
}

/* Whether files with this extension (".tif") are images, which civindex
 * reads with --ocr only. */
static int image_ext(const char *ext)
{
    char name[24];
    snprintf(name, sizeof name, "x%s", ext);
    const civ_extractor *x = *ext ? civ_extractor_for_name(name) : NULL;
    return x && (x->flags & CIV_EXTRACTOR_OCR);
}

/* "not read (not a format civindex reads): 412 .xlsx, 3 without an
 * extension; 37 .tif (images: read with --ocr)": the files not read,
 * most frequent first, images (when OCR is off) apart. */
static void print_not_read(const civ_run_counts *n, int ocr)
{
    if (!n->nnot_read)
        return;
    civ_run_counts c = *n;
    qsort(c.not_read, c.nnot_read, sizeof c.not_read[0], by_count);
    size_t nimg = 0;
    for (size_t i = 0; i < c.nnot_read; i++)
        nimg += !ocr && image_ext(c.not_read[i].ext);
    uint64_t other = c.not_read_other;
    printf(nimg < c.nnot_read || other ? "not read (not a format civindex reads):" : "not read:");
    size_t shown = 0;
    for (size_t i = 0; i < c.nnot_read; i++) {
        if (!ocr && image_ext(c.not_read[i].ext))
            continue;
        if (shown >= 8) {
            other += c.not_read[i].n;
            continue;
        }
        printf("%s %llu %s", shown++ ? "," : "", (unsigned long long)c.not_read[i].n,
               c.not_read[i].ext[0] ? c.not_read[i].ext : "without an extension");
    }
    if (other)
        printf("%s %llu other", shown ? "," : "", (unsigned long long)other);
    /* At most the five image extensions. */
    for (size_t i = 0, k = 0; i < c.nnot_read; i++)
        if (!ocr && image_ext(c.not_read[i].ext))
            printf("%s %llu %s", k++ ? "," : shown || other ? ";" : "",
                   (unsigned long long)c.not_read[i].n, c.not_read[i].ext);
    printf("%s\n", nimg ? " (images: read with --ocr)" : "");
}

/* The summary: two lines, counts first, then what was not read. */
static void print_summary(const civ_run_counts *n, const civ_run_opts *o, double dt)
{
    printf("indexed %llu, skipped %llu, failed %llu", (unsigned long long)n->indexed,
           (unsigned long long)n->skipped, (unsigned long long)n->failed);
    if (n->warnings || n->ignored) {
        printf(" (");
        if (n->warnings)
            printf("%llu warning%s", (unsigned long long)n->warnings, n->warnings == 1 ? "" : "s");
        if (n->warnings && n->ignored)
            printf(", ");
        if (n->ignored)
            printf("%llu ignored", (unsigned long long)n->ignored);
        printf(")");
    }
    printf("; %llu document%s in %.2f s into %s\n", (unsigned long long)n->docs,
           n->docs == 1 ? "" : "s", dt, o->index);
    printf("unchanged %llu, new %llu, changed %llu, moved %llu, removed %llu; %s with %u job%s%s\n",
           (unsigned long long)n->unchanged, (unsigned long long)n->added,
           (unsigned long long)n->changed, (unsigned long long)n->moved,
           (unsigned long long)n->removed, n->build ? "built" : "updated", n->jobs,
           n->jobs == 1 ? "" : "s", n->compacted ? ", compacted to one file" : "");
    char a[32], b[32];
    if (n->pages)
        printf("%s page%s read", count_str(a, sizeof a, n->pages), n->pages == 1 ? "" : "s");
    if (n->pages && n->ocr_pages)
        printf(", %s by OCR (%s from the cache)", count_str(a, sizeof a, n->ocr_pages),
               count_str(b, sizeof b, n->ocr_cached));
    if (n->pages)
        printf("\n");
    if (n->scanned_pages && !o->ocr)
        printf("%s scanned page%s in %s PDF%s not read as text: run with --ocr\n",
               count_str(a, sizeof a, n->scanned_pages), n->scanned_pages == 1 ? "" : "s",
               count_str(b, sizeof b, n->scanned_files), n->scanned_files == 1 ? "" : "s");
    else if (n->scanned_pages)
        printf("%s scanned page%s in %s file%s could not be read by OCR (see the warnings)\n",
               count_str(a, sizeof a, n->scanned_pages), n->scanned_pages == 1 ? "" : "s",
               count_str(b, sizeof b, n->scanned_files), n->scanned_files == 1 ? "" : "s");
    if (n->over_limit)
        printf("%s document%s or OCR page%s stopped at a limit (--doc-timeout %u s, "
               "--doc-memory %zu MB)\n",
               count_str(a, sizeof a, n->over_limit), n->over_limit == 1 ? "" : "s",
               n->over_limit == 1 ? "" : "s", o->doc_timeout ? o->doc_timeout : CIV_SANDBOX_DEFAULT_CPU,
               (o->doc_memory ? o->doc_memory : CIV_SANDBOX_DEFAULT_MEMORY) >> 20);
    if (n->known_bad)
        printf("%llu known bad file%s, unchanged: not read again (--retry-failed reads %s)\n",
               (unsigned long long)n->known_bad, n->known_bad == 1 ? "" : "s",
               n->known_bad == 1 ? "it" : "them");
    print_not_read(n, o->ocr);
}

int main(int argc, char **argv)
{
    civ_oom_guard("civindex");
    if (argc > 1 && strcmp(argv[1], "compact") == 0)
        return compact_main(argc - 1, argv + 1);
    if (argc == 2 && (strcmp(argv[1], "--entities") == 0 || strcmp(argv[1], "--entities=all") == 0))
        return entities_main(strcmp(argv[1], "--entities=all") == 0);
    cli c = { .shard = -1 };
    civ_run_opts o = CIV_RUN_OPTS_INIT;
    int rc = parse_options(argc, argv, &o, &c);
    if (rc >= 0)
        return rc;
    if (o.ocr) {
        /* Every language asked for, or none: not a run that reads some
         * pages in fewer languages and caches what it read so. */
        int ocr_ok;
        char why[200];
        civ_error err = CIV_ERROR_INIT;
        civ_status s = civ_docs_ocr_check(&ocr_ok, why, sizeof why, o.ocr_lang, &err);
        if (s != CIV_OK || !ocr_ok) {
            fprintf(stderr, "civindex: %s\n", s != CIV_OK ? err.msg : why);
            return EXIT_FATAL;
        }
    }
    /* OCR text is cached beside the index, by each page's content. */
    char *ocr_cache = malloc(strlen(o.index) + sizeof "/ocr-cache");
    if (!ocr_cache) {
        fputs("civindex: out of memory\n", stderr);
        return EXIT_FATAL;
    }
    sprintf(ocr_cache, "%s/ocr-cache", o.index);
    o.ocr_cache = ocr_cache;
    o.events = (civ_run_events){ .ctx = &c, .file = on_file, .warning = on_warning,
                                 .change = on_change };
    c.tty = !c.quiet && isatty(STDERR_FILENO);
    if (c.tty)
        o.events.progress = on_progress;
    o.stop = &stop_flag;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = (int)SA_RESETHAND; /* a second Ctrl-C ends it at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    civ_run_counts n;
    civ_error err = CIV_ERROR_INIT;
    double t0 = civ_monotonic();
    unsigned have = civ_shardset_count(o.index);
    if (have && !c.shards) {
        fprintf(stderr, "civindex: %s is a set of %u shards: give --shards %u\n", o.index, have, have);
        free(ocr_cache);
        return EXIT_FATAL;
    }
    civ_status s = c.shards ? civ_shardset_run(&n, &o, c.shards, c.shard, &err)
                            : civ_index_run(&n, &o, &err);
    double dt = civ_monotonic() - t0;
    clear_progress(&c);
    free(ocr_cache);
    if (s != CIV_OK) {
        fprintf(stderr, "civindex: %s\n", err.msg);
        if (n.docs && !c.quiet)
            fprintf(stderr, "civindex: stopped after %llu documents; what was committed before is intact\n",
                    (unsigned long long)n.docs);
        return EXIT_FATAL;
    }
    if (!c.quiet)
        print_summary(&n, &o, dt);
    if (n.interrupted) {
        if (n.kept_previous)
            fputs("civindex: interrupted; the rebuild was dropped and the index is as it was\n", stderr);
        else
            fprintf(stderr, "civindex: interrupted; the %llu files done are committed, run again to finish\n",
                    (unsigned long long)n.indexed + n.unchanged + n.moved);
        return 130;
    }
    return n.skipped || n.failed || n.warnings ? EXIT_PARTIAL : EXIT_CLEAN;
}
