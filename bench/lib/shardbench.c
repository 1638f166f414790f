/* bench/lib/shardbench.c — query latency of one civ_db, opened once and
 * kept open (as a FastCGI process keeps its indexes), for bench/shards.
 *
 *   shardbench RUNS INDEX... < queries
 *
 * Each line of standard input is CLASS<TAB>QUERY<TAB>OR (OR: 1 for a
 * query whose words may match alone). Every query runs once to warm up,
 * then RUNS times in turn; each timed search is a page of 10 hits with
 * 200-byte snippets, as civsearch shows them. Prints one line per
 * search: CLASS<TAB>MILLISECONDS<TAB>TOTAL<TAB>TOP-10 IDS (comma-joined),
 * so that the caller can both time and compare the configurations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/date.h"
#include "civ/db.h"
#include "civ/doc.h"

typedef struct query {
    char cls[32];
    char text[4096];
    int or_;
} query;

static int run(civ_db *db, const query *q, double *ms, civ_buf *ids, uint64_t *total, int *exact)
{
    civ_search_opts so = CIV_SEARCH_OPTS_INIT;
    so.query = q->text;
    so.default_or = q->or_;
    so.spelling = 1;
    civ_error err = CIV_ERROR_INIT;
    civ_results *r = NULL;
    double t0 = civ_monotonic();
    civ_status s = civ_search(&r, db, &so, &err);
    *ms = (civ_monotonic() - t0) * 1e3;
    if (s != CIV_OK) {
        fprintf(stderr, "shardbench: %s: %s\n", q->text, err.msg);
        return -1;
    }
    *total = civ_results_total(r, exact);
    civ_buf_reset(ids);
    for (size_t i = 0; i < civ_results_size(r); i++) {
        const char *id = civ_doc_get(civ_results_hit(r, i)->doc, "id");
        if (i)
            civ_buf_putc(ids, ',');
        civ_buf_puts(ids, id ? id : "?");
    }
    civ_results_free(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fputs("usage: shardbench RUNS INDEX... < queries\n", stderr);
        return 2;
    }
    int runs = atoi(argv[1]);
    query *qs = NULL;
    size_t nq = 0, cap = 0;
    char line[8192];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        char *t1 = strchr(line, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
        if (!t1 || !t2)
            continue;
        if (nq == cap) {
            cap = cap ? cap * 2 : 64;
            qs = realloc(qs, cap * sizeof *qs);
            if (!qs)
                return 2;
        }
        *t1 = *t2 = '\0';
        snprintf(qs[nq].cls, sizeof qs[nq].cls, "%.*s", (int)(sizeof qs[nq].cls - 1), line);
        snprintf(qs[nq].text, sizeof qs[nq].text, "%s", t1 + 1);
        qs[nq].or_ = atoi(t2 + 1);
        nq++;
    }
    civ_db_opts dbo = CIV_DB_OPTS_INIT;
    civ_db *db = NULL;
    civ_error err = CIV_ERROR_INIT;
    double t0 = civ_monotonic();
    if (civ_db_open_many(&db, (const char *const *)(argv + 2), (size_t)(argc - 2), &dbo, &err) != CIV_OK) {
        fprintf(stderr, "shardbench: %s\n", err.msg);
        return 2;
    }
    fprintf(stderr, "shardbench: opened %zu shards in %.2f ms\n", civ_db_shard_count(db),
            (civ_monotonic() - t0) * 1e3);
    civ_buf ids = CIV_BUF_INIT;
    int rc = 0;
    for (int r = -1; r < runs; r++) {
        for (size_t i = 0; i < nq; i++) {
            double ms;
            uint64_t total;
            int exact;
            if (run(db, &qs[i], &ms, &ids, &total, &exact) != 0) {
                rc = 1;
                continue;
            }
            if (r >= 0)
                /* An estimate is marked "~": only exact counts compare. */
                printf("%s\t%.3f\t%s%llu\t%s\n", qs[i].cls, ms, exact ? "" : "~", (unsigned long long)total,
                       civ_buf_str(&ids));
        }
    }
    civ_buf_free(&ids);
    civ_db_free(db);
    free(qs);
    return rc;
}
