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
#include "indexrun.h"
#include "sandbox.h"
#include "civ/date.h"

#ifndef CIV_VERSION
#define CIV_VERSION "0"
#endif

enum { EXIT_CLEAN = 0, EXIT_PARTIAL = 1, EXIT_FATAL = 2 };

typedef struct cli {
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
          "that disappeared from the indexed folders are removed.\n"
          "\n"
          "Options:\n"
          "  -i, --index PATH     the index (default: $CIVSEARCH_INDEX, else ./civsearch-index)\n"
          "      --full           rebuild the index from scratch\n"
          "      --no-prune       keep documents of files that disappeared\n"
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
          "      --doc-timeout SECONDS  CPU time a document (an OCR page) may take\n"
          "                       (default 120)\n"
          "      --doc-memory SIZE  memory a document (an OCR page) may take (default 1G)\n"
          "      --batch N        commit every N documents (default 500; 100 a shard)\n"
          "      --batch-bytes SIZE  commit when pending changes reach SIZE\n"
          "      --shard-docs N   building: a worker starts a new shard every N documents\n"
          "                       (default 2000; merged 32 at a time, and at the end)\n"
          "  -v, --verbose        report every file\n"
          "  -q, --quiet          print only fatal errors\n"
          "  -h, --help           show this help and exit\n"
          "  -V, --version        show the version and exit\n"
          "\n"
          "\n"
          "  civindex compact [-i PATH] [-o FILE]\n"
          "                       compact the index into a single file (in place, or\n"
          "                       into FILE); the next run turns it back into a folder\n"
          "\n"
          "A progress line is shown while stderr is a terminal. Ctrl-C stops cleanly:\n"
          "what was done is kept and the next run goes on from there.\n"
          "\n"
          "Exit status: 0 all files indexed cleanly; 1 some files were skipped, failed\n"
          "or had warnings; 2 fatal error (index locked or not writable, disk full, bad\n"
          "usage); 130 interrupted. See civindex(1).\n",
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
                     (unsigned long long)(os.pages + os.cached), os.pages + os.cached == 1 ? "" : "s");
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

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "compact") == 0)
        return compact_main(argc - 1, argv + 1);
    static const struct option longopts[] = {
        { "index", required_argument, NULL, 'i' },
        { "full", no_argument, NULL, 'F' },
        { "max-size", required_argument, NULL, 'm' },
        { "format", required_argument, NULL, 'f' },
        { "stemmer", required_argument, NULL, 's' },
        { "batch", required_argument, NULL, 'b' },
        { "batch-bytes", required_argument, NULL, 'B' },
        { "jobs", required_argument, NULL, 'j' },
        { "no-prune", no_argument, NULL, 'P' },
        { "compact", no_argument, NULL, 'C' },
        { "memory", required_argument, NULL, 'M' },
        { "shard-docs", required_argument, NULL, 'S' },
        { "ocr", no_argument, NULL, 'O' },
        { "ocr-lang", required_argument, NULL, 'L' },
        { "doc-timeout", required_argument, NULL, 'T' },
        { "doc-memory", required_argument, NULL, 'D' },
        { "verbose", no_argument, NULL, 'v' },
        { "quiet", no_argument, NULL, 'q' },
        { "help", no_argument, NULL, 'h' },
        { "version", no_argument, NULL, 'V' },
        { NULL, 0, NULL, 0 },
    };
    cli c = { 0, 0, 0, 0, 0 };
    civ_run_opts o = CIV_RUN_OPTS_INIT;
    const char *env = getenv("CIVSEARCH_INDEX");
    o.index = env && *env ? env : "civsearch-index";
    int ch;
    while ((ch = getopt_long(argc, argv, "i:j:vqhV", longopts, NULL)) != -1) {
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
        case 'B':
            if (parse_size(optarg, &o.batch_bytes) < 0) {
                fprintf(stderr, "civindex: --batch-bytes: not a size: %s (try 64M)\n", optarg);
                return EXIT_FATAL;
            }
            break;
        case 'M':
            if (parse_size(optarg, &o.memory) < 0 || o.memory < (size_t)64 * 1024 * 1024) {
                fprintf(stderr, "civindex: --memory: not a size of at least 64M: %s\n", optarg);
                return EXIT_FATAL;
            }
            break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 256) {
                fprintf(stderr, "civindex: --jobs: not a number from 1 to 256: %s\n", optarg);
                return EXIT_FATAL;
            }
            o.jobs = (unsigned)v;
            break;
        }
        case 'S': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 100000000) {
                fprintf(stderr, "civindex: --shard-docs: not a positive number: %s\n", optarg);
                return EXIT_FATAL;
            }
            o.shard_docs = (unsigned)v;
            break;
        }
        case 'O': o.ocr = 1; break;
        case 'L': {
            size_t k = strspn(optarg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+-");
            if (!*optarg || optarg[k] || strlen(optarg) > 200) {
                fprintf(stderr, "civindex: --ocr-lang: not a list of languages: %s (try eng+deu)\n",
                        optarg);
                return EXIT_FATAL;
            }
            o.ocr = 1;
            o.ocr_lang = optarg;
            break;
        }
        case 'T': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 86400) {
                fprintf(stderr, "civindex: --doc-timeout: not a number of seconds from 1 to 86400: %s\n",
                        optarg);
                return EXIT_FATAL;
            }
            o.doc_timeout = (unsigned)v;
            break;
        }
        case 'D':
            if (parse_size(optarg, &o.doc_memory) < 0 || o.doc_memory < (size_t)64 * 1024 * 1024) {
                fprintf(stderr, "civindex: --doc-memory: not a size of at least 64M: %s\n", optarg);
                return EXIT_FATAL;
            }
            break;
        case 'P': o.no_prune = 1; break;
        case 'C': o.compact = 1; break;
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
    /* OCR text is cached beside the index, by each page's content. */
    char *ocr_cache = malloc(strlen(o.index) + sizeof "/ocr-cache");
    if (!ocr_cache) {
        fputs("civindex: out of memory\n", stderr);
        return EXIT_FATAL;
    }
    sprintf(ocr_cache, "%s/ocr-cache", o.index);
    o.ocr_cache = ocr_cache;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    c.jobs = o.jobs ? o.jobs : ncpu > 0 ? (unsigned)ncpu : 1;
    o.roots = (const char *const *)(argv + optind);
    o.nroots = (size_t)(argc - optind);
    o.events.ctx = &c;
    o.events.file = on_file;
    o.events.warning = on_warning;
    o.events.change = on_change;
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
    civ_status s = civ_index_run(&n, &o, &err);
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
        printf("unchanged %llu, new %llu, changed %llu, moved %llu, removed %llu; %s with %u job%s%s\n",
               (unsigned long long)n.unchanged, (unsigned long long)n.added,
               (unsigned long long)n.changed, (unsigned long long)n.moved,
               (unsigned long long)n.removed, n.build ? "built" : "updated", n.jobs,
               n.jobs == 1 ? "" : "s", n.compacted ? ", compacted to one file" : "");
        char a[32], b[32], d[32];
        if (n.pages)
            printf("%s page%s read", count_str(a, sizeof a, n.pages), n.pages == 1 ? "" : "s");
        if (n.pages && n.ocr_pages)
            printf(", %s by OCR (%s from the cache)", count_str(b, sizeof b, n.ocr_pages),
                   count_str(d, sizeof d, n.ocr_cached));
        if (n.pages)
            printf("\n");
        if (n.scanned_pages && !o.ocr)
            printf("%s scanned page%s in %s PDF%s not read as text: run with --ocr\n",
                   count_str(a, sizeof a, n.scanned_pages), n.scanned_pages == 1 ? "" : "s",
                   count_str(b, sizeof b, n.scanned_files), n.scanned_files == 1 ? "" : "s");
        else if (n.scanned_pages)
            printf("%s scanned page%s in %s file%s could not be read by OCR (see the warnings)\n",
                   count_str(a, sizeof a, n.scanned_pages), n.scanned_pages == 1 ? "" : "s",
                   count_str(b, sizeof b, n.scanned_files), n.scanned_files == 1 ? "" : "s");
        if (n.over_limit)
            printf("%s document%s or OCR page%s stopped at a limit (--doc-timeout %u s, "
                   "--doc-memory %zu MB)\n",
                   count_str(a, sizeof a, n.over_limit), n.over_limit == 1 ? "" : "s",
                   n.over_limit == 1 ? "" : "s", o.doc_timeout ? o.doc_timeout : CIV_SANDBOX_DEFAULT_CPU,
                   (o.doc_memory ? o.doc_memory : CIV_SANDBOX_DEFAULT_MEMORY) >> 20);
    }
    if (n.interrupted) {
        if (n.kept_previous)
            fputs("civindex: interrupted; the rebuild was dropped and the index is as it was\n", stderr);
        else
            fprintf(stderr, "civindex: interrupted; the %llu files done are committed, run again to finish\n",
                    (unsigned long long)(n.indexed + n.unchanged + n.moved));
        return 130;
    }
    return n.skipped || n.failed || n.warnings ? EXIT_PARTIAL : EXIT_CLEAN;
}
