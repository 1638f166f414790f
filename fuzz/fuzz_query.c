/* Fuzz target: the query language and a search over a small index (built
 * once, in a temporary folder): matching, facets, spelling, snippets and
 * the marking of the query in a text. The first byte picks options. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "civ/db.h"
#include "civ/doc.h"
#include "civ/writer.h"

static civ_db *db;
static char dir[] = "/tmp/civfuzz.XXXXXX";

static void remove_index(void)
{
    civ_db_free(db);
    char cmd[64];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz_query: could not remove %s\n", dir);
}

static const char *const texts[][4] = {
    { "a.txt", "Geofence warrants and the Fourth Amendment", "2019-05-03", "Police used a geofence warrant to find every phone near the protest." },
    { "b.txt", "Letter on facial recognition", "2021-04-02", "Dear Mayor, we ask you to end facial recognition surveillance. Sincerely, Open Ledger" },
    { "c.txt", "FOIA response", "2018-05-02", "Records withheld under exemption (b)(6) and (b)(7)(C); 18 U.S.C. 2703 orders." },
    { "d.txt", "Drones et reconnaissance faciale", "", "Des drones de la police au-dessus des manifestations." },
};

static void build(void)
{
    if (!mkdtemp(dir))
        abort();
    atexit(remove_index);
    civ_writer *w = NULL;
    civ_writer_opts wo = CIV_WRITER_OPTS_INIT;
    if (civ_writer_open(&w, dir, &wo, NULL) != CIV_OK)
        abort();
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        civ_doc *d = NULL;
        civ_doc_new(&d, NULL);
        civ_doc_set_str(d, "id", texts[i][0]);
        civ_doc_set_str(d, "title", texts[i][1]);
        if (*texts[i][2])
            civ_doc_set_str(d, "date", texts[i][2]);
        civ_doc_set_str(d, "type", i == 1 ? "letter" : "article");
        civ_doc_append_text(d, texts[i][3], strlen(texts[i][3]));
        if (civ_writer_put(w, d, NULL, NULL) != CIV_OK)
            abort();
        civ_doc_free(d);
    }
    if (civ_writer_commit(w, NULL) != CIV_OK)
        abort();
    civ_writer_free(w);
    if (civ_db_open(&db, dir, NULL) != CIV_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db)
        build();
    if (size == 0 || size > 4097)
        return 0;
    unsigned flags = data[0];
    char *q = malloc(size);
    if (!q)
        return 0;
    memcpy(q, data + 1, size - 1);
    q[size - 1] = '\0';
    civ_search_opts o = CIV_SEARCH_OPTS_INIT;
    o.query = q;
    o.default_or = (flags & 3) == 1 ? 1 : (flags & 3) == 2 ? -1 : 0;
    o.sort = (civ_sort)((flags >> 2) % 3);
    o.facet_values = flags & 32 ? 5 : 0;
    o.spelling = (flags & 64) != 0;
    o.no_collapse = (flags & 128) != 0;
    o.wildcard_limit = 50;
    civ_results *r = NULL;
    if (civ_search(&r, db, &o, NULL) == CIV_OK)
        civ_results_free(r);
    civ_span *spans = NULL;
    size_t n = 0;
    const char *t = texts[flags % 4][3];
    if (civ_db_highlight(&spans, &n, db, &o, t, strlen(t), 100, NULL) == CIV_OK)
        free(spans);
    free(q);
    return 0;
}
