/*
 * gen-synthetic — a deterministic corpus of English-like documents for the
 * indexing benchmarks (bench/index).
 *
 *   gen-synthetic [-s SEED] [-w WORDLIST] OUTDIR N
 *
 * Writes N documents into OUTDIR/NNNN/ (1000 a folder): 60% letters (.txt:
 * date, "Dear …", a few paragraphs, a signature) and 40% articles (.html:
 * title, byline, headings, paragraphs). Words are real English words from
 * WORDLIST (default /usr/share/dict/words, Debian's wamerican), drawn with
 * Zipf frequencies (p(rank) ~ 1/rank): common function words take the top
 * ranks, then the list's lower-case words in an order fixed by the seed,
 * shorter words tending to rank higher. The same SEED, N and word list give
 * the same bytes on any machine. Sizes: letters 60-400 words, articles
 * 150-800 words (about 2.3 KB a document on average).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

static uint64_t rng_state;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double rndf(void) { return (double)(rnd() >> 11) / 9007199254740992.0; }
static unsigned rndn(unsigned n) { return (unsigned)(rndf() * n); }

/* The most frequent English words, most frequent first. */
static const char *const common[] = {
    "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
    "an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has",
    "there", "been", "if", "more", "when", "will", "would", "who", "so", "no", "she", "other",
    "its", "may", "these", "what", "them", "than", "some", "him", "time", "into", "only", "do",
    "out", "people", "our", "any", "two", "about", "first", "new", "also", "state", "court",
    "could", "law", "must", "under", "rights", "government", "public", "police", "right",
    "after", "should", "over", "such", "made", "those", "information", "case", "against",
    "years", "freedom", "between", "without", "data", "request", "order", "where", "because",
};

typedef struct vocab {
    char **w;
    size_t n;
    double *cum; /* cumulative Zipf weights */
} vocab;

static int cmp_key(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return x[0] < y[0] ? -1 : x[0] > y[0];
}

static int load_vocab(vocab *v, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "gen-synthetic: %s: %s (install wamerican)\n", path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 17, n = 0;
    char **words = malloc(cap * sizeof *words);
    char line[256];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        size_t len = strlen(line);
        int ok = len >= 2 && len <= 14;
        for (size_t i = 0; ok && i < len; i++)
            ok = line[i] >= 'a' && line[i] <= 'z';
        if (!ok)
            continue;
        if (n == cap)
            words = realloc(words, (cap *= 2) * sizeof *words);
        words[n++] = strdup(line);
    }
    fclose(f);
    if (n < 1000) {
        fprintf(stderr, "gen-synthetic: %s has too few words\n", path);
        return -1;
    }
    /* Rank: length plus noise fixed by the seed, so short words are common. */
    double *keys = malloc(n * 2 * sizeof *keys);
    for (size_t i = 0; i < n; i++) {
        keys[2 * i] = (double)strlen(words[i]) + 6.0 * rndf();
        keys[2 * i + 1] = (double)i;
    }
    qsort(keys, n, 2 * sizeof *keys, cmp_key);
    size_t nc = sizeof common / sizeof common[0];
    v->w = malloc((n + nc) * sizeof *v->w);
    v->n = 0;
    for (size_t i = 0; i < nc; i++)
        v->w[v->n++] = (char *)common[i];
    for (size_t i = 0; i < n; i++)
        v->w[v->n++] = words[(size_t)keys[2 * i + 1]];
    free(keys);
    free(words);
    v->cum = malloc(v->n * sizeof *v->cum);
    double s = 0;
    for (size_t i = 0; i < v->n; i++) {
        s += 1.0 / (double)(i + 1);
        v->cum[i] = s;
    }
    for (size_t i = 0; i < v->n; i++)
        v->cum[i] /= s;
    return 0;
}

static const char *word(const vocab *v)
{
    double x = rndf();
    size_t lo = 0, hi = v->n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (v->cum[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return v->w[lo];
}

/* A sentence of 6-24 words: capitalised, sometimes a comma, a full stop. */
static void sentence(FILE *f, const vocab *v)
{
    unsigned n = 6 + rndn(19);
    for (unsigned i = 0; i < n; i++) {
        const char *w = word(v);
        if (i == 0)
            fprintf(f, "%c%s", w[0] - 32, w + 1);
        else
            fprintf(f, " %s", w);
        if (i + 1 < n && rndn(12) == 0)
            fputc(',', f);
    }
    fputs(rndn(15) == 0 ? "?" : ".", f);
}

static unsigned paragraphs(FILE *f, const vocab *v, unsigned words, const char *open,
                           const char *close)
{
    unsigned done = 0;
    while (done < words) {
        fputs(open, f);
        unsigned s = 2 + rndn(5);
        for (unsigned i = 0; i < s; i++) {
            if (i)
                fputc(' ', f);
            sentence(f, v);
            done += 15;
        }
        fputs(close, f);
    }
    return done;
}

static void name(FILE *f, const vocab *v)
{
    const char *a = v->w[150 + rndn(3000)], *b = v->w[150 + rndn(8000)];
    fprintf(f, "%c%s %c%s", a[0] - 32, a + 1, b[0] - 32, b + 1);
}

static void date(FILE *f, int iso)
{
    static const char *const months[] = { "January", "February", "March", "April", "May", "June",
                                          "July", "August", "September", "October", "November",
                                          "December" };
    unsigned y = 1995 + rndn(30), m = rndn(12), d = 1 + rndn(28);
    if (iso)
        fprintf(f, "%04u-%02u-%02u", y, m + 1, d);
    else
        fprintf(f, "%u %s %u", d, months[m], y);
}

static void letter(FILE *f, const vocab *v)
{
    date(f, 0);
    fputs("\n\nDear ", f);
    name(f, v);
    fputs(",\n\n", f);
    paragraphs(f, v, 60 + rndn(340), "", "\n\n");
    fputs(rndn(2) ? "Sincerely,\n" : "Yours faithfully,\n", f);
    name(f, v);
    fputc('\n', f);
}

static void article(FILE *f, const vocab *v)
{
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>", f);
    unsigned t = 4 + rndn(6);
    for (unsigned i = 0; i < t; i++) {
        const char *w = word(v);
        fprintf(f, "%s%c%s", i ? " " : "", w[0] - 32, w + 1);
    }
    fputs("</title>\n<meta name=\"author\" content=\"", f);
    name(f, v);
    fputs("\">\n<meta name=\"date\" content=\"", f);
    date(f, 1);
    fputs("\"></head>\n<body><article>\n", f);
    unsigned words = 150 + rndn(650), done = 0;
    while (done < words) {
        fputs("<h2>", f);
        const char *w = word(v);
        fprintf(f, "%c%s %s", w[0] - 32, w + 1, word(v));
        fputs("</h2>\n", f);
        done += paragraphs(f, v, 150 + rndn(200), "<p>", "</p>\n");
    }
    fputs("</article></body></html>\n", f);
}

int main(int argc, char **argv)
{
    uint64_t seed = 1;
    const char *list = "/usr/share/dict/words";
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-s") == 0 && i + 1 < argc)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "-w") == 0 && i + 1 < argc)
            list = argv[++i];
        else
            break;
    }
    if (argc - i != 2) {
        fputs("usage: gen-synthetic [-s SEED] [-w WORDLIST] OUTDIR N\n", stderr);
        return 2;
    }
    const char *out = argv[i];
    unsigned long n = strtoul(argv[i + 1], NULL, 10);
    rng_state = seed * 0x2545F4914F6CDD1DULL + 1;
    vocab v;
    if (load_vocab(&v, list) != 0)
        return 1;
    mkdir(out, 0755);
    char path[4096];
    for (unsigned long k = 0; k < n; k++) {
        if (k % 1000 == 0) {
            snprintf(path, sizeof path, "%s/%04lu", out, k / 1000);
            if (mkdir(path, 0755) != 0 && errno != EEXIST) {
                fprintf(stderr, "gen-synthetic: %s: %s\n", path, strerror(errno));
                return 1;
            }
        }
        int is_letter = rndn(10) < 6;
        snprintf(path, sizeof path, "%s/%04lu/%07lu.%s", out, k / 1000, k, is_letter ? "txt" : "html");
        FILE *f = fopen(path, "w");
        if (!f) {
            fprintf(stderr, "gen-synthetic: %s: %s\n", path, strerror(errno));
            return 1;
        }
        if (is_letter)
            letter(f, &v);
        else
            article(f, &v);
        if (fclose(f) != 0) {
            fprintf(stderr, "gen-synthetic: %s: %s\n", path, strerror(errno));
            return 1;
        }
    }
    return 0;
}
