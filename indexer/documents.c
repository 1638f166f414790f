/* What the readers of documents share (documents.h): sandbox outcomes,
 * metadata, pages, the OCR cache. */
#include "documents.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "civ/date.h"
#include "civ/hash.h"
#include "pipeline.h"

/* ---- the sandbox's outcome ------------------------------------------------ */

static void format_mb(char *out, size_t n, size_t bytes)
{
    if (bytes >= ((size_t)1 << 30) && bytes % ((size_t)1 << 30) == 0)
        snprintf(out, n, "%zu GB", bytes >> 30);
    else
        snprintf(out, n, "%zu MB", bytes >> 20);
}

civ_status civ_docs_run(civ_buf *out, int *done, const civ_input *in, civ_sandbox_req *req,
                        const char *reader, civ_error *err)
{
    const civ_pipeline_opts *o = civ_input_opts(in);
    civ_file_report *rep = civ_input_report(in);
    civ_sandbox_result res;
    *done = 0;
    req->cpu_seconds = o->doc_cpu ? o->doc_cpu : CIV_SANDBOX_DEFAULT_CPU;
    req->memory = o->doc_memory ? o->doc_memory : CIV_SANDBOX_DEFAULT_MEMORY;
    req->cancel = o->stop;
    civ_status s = civ_sandbox_run(out, &res, req, err);
    if (s != CIV_OK)
        return s;
    char lim[32];
    switch (res.outcome) {
    case CIV_SANDBOX_DONE:
        *done = 1;
        return CIV_OK;
    case CIV_SANDBOX_REFUSED:
        return civ_error_set(err, CIV_EFORMAT, "%s", res.reason);
    case CIV_SANDBOX_CPU_LIMIT:
        if (rep)
            rep->over_limit++;
        return civ_error_set(err, CIV_ETOOBIG, "%s used more than %u s of CPU time (see --doc-timeout)",
                             reader, req->cpu_seconds);
    case CIV_SANDBOX_MEMORY_LIMIT:
        if (rep)
            rep->over_limit++;
        format_mb(lim, sizeof lim, req->memory);
        return civ_error_set(err, CIV_ETOOBIG, "%s needed more than %s of memory (see --doc-memory)",
                             reader, lim);
    case CIV_SANDBOX_WALL_LIMIT:
        if (rep)
            rep->over_limit++;
        return civ_error_set(err, CIV_ETOOBIG, "%s hung: stopped after %u s", reader,
                             civ_sandbox_wall_seconds(req->cpu_seconds));
    case CIV_SANDBOX_CRASHED:
        return civ_error_set(err, CIV_EFORMAT, "%s %s", reader, res.reason);
    case CIV_SANDBOX_CANCELLED:
        return civ_error_set(err, CIV_EUNSUPPORTED, "not read: the run was interrupted");
    case CIV_SANDBOX_UNSAFE:
        /* Nothing was read, and nothing of it is the document's fault. */
        return civ_error_set(err, CIV_EUNSUPPORTED, "not read: %s", res.reason);
    case CIV_SANDBOX_UNAVAILABLE:
    default:
        return civ_error_set(err, CIV_EFORMAT, "%s", res.reason);
    }
}

civ_status civ_docs_ocr_check(int *ok, char *reason, size_t rsz, const char *langs,
                              civ_error *err)
{
    /* A request that loads the languages and reads nothing: the frame
     * count of an image that is not a TIFF. */
    static const unsigned char probe[] = "civ";
    civ_sandbox_req req = { .op = CIV_SANDBOX_IMAGE_OCR, .bytes = probe, .len = sizeof probe - 1,
                            .arg = langs && *langs ? langs : "eng" };
    civ_buf out = CIV_BUF_INIT;
    civ_sandbox_result res;
    civ_status s = civ_sandbox_run(&out, &res, &req, err);
    civ_buf_free(&out);
    civ_sandbox_stop();
    *ok = s == CIV_OK && res.outcome == CIV_SANDBOX_DONE;
    snprintf(reason, rsz, "%s", s == CIV_OK && !*ok ? res.reason : "");
    return s;
}

/* ---- metadata ---------------------------------------------------------------- */

static int starts_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int civ_docs_junk_title(const char *t)
{
    static const char *const prefixes[] = {
        "microsoft word -", "microsoft powerpoint -", "microsoft excel -", "untitled",
        "document", "no title", "title", "slide 1", "powerpoint presentation", "pdf",
        "scan", "img", "image", "dsc", "doc", "print", "page 1", "c:\\", "/", "file:", NULL,
    };
    while (*t == ' ')
        t++;
    size_t n = strlen(t);
    while (n && t[n - 1] == ' ')
        n--;
    if (n < 3)
        return 1;
    int letters = 0;
    for (size_t i = 0; i < n; i++)
        if (isalpha((unsigned char)t[i]) || (unsigned char)t[i] >= 0x80)
            letters++;
    if (letters < 2)
        return 1;
    for (int i = 0; prefixes[i]; i++) {
        if (!starts_ci(t, prefixes[i]))
            continue;
        size_t pl = strlen(prefixes[i]);
        /* "Document1", "Scan_0012", "untitled-3": a word and a number;
         * "Documentation of stops" is a title. */
        const char *rest = t + pl;
        if (strchr(prefixes[i], '-') || strchr(prefixes[i], '\\') || strchr(prefixes[i], '/') ||
            strchr(prefixes[i], ':') || strchr(prefixes[i], ' ') ||
            strcmp(prefixes[i], "untitled") == 0)
            return 1;
        while (*rest == ' ' || *rest == '_' || *rest == '-' || *rest == '.' || *rest == '#')
            rest++;
        int only_digits = 1;
        for (const char *p = rest; *p && p < t + n; p++)
            if (!isdigit((unsigned char)*p) && *p != '_' && *p != '-' && *p != ' ' && *p != '.')
                only_digits = 0;
        if (only_digits)
            return 1;
    }
    /* A file name: "draft3.docx", "final version.pdf". */
    static const char *const exts[] = { ".doc", ".docx", ".pdf", ".odt", ".rtf", ".txt", ".wpd",
                                        ".tif", ".tiff", ".jpg", ".png", ".xls", ".xlsx",
                                        ".ppt", ".pptx", ".htm", ".html", NULL };
    for (int i = 0; exts[i]; i++) {
        size_t el = strlen(exts[i]);
        if (n > el && strncasecmp(t + n - el, exts[i], el) == 0)
            return 1;
    }
    return 0;
}

int civ_docs_junk_author(const char *a)
{
    static const char *const junk[] = { "administrator", "admin", "user", "owner", "unknown",
                                        "author", "authorised user", "authorized user",
                                        "default", "windows user", "valued customer",
                                        "microsoft office user", "preferred customer", "me",
                                        "root", "guest", NULL };
    while (*a == ' ')
        a++;
    if (strlen(a) < 2)
        return 1;
    for (int i = 0; junk[i]; i++)
        if (strcasecmp(a, junk[i]) == 0)
            return 1;
    return 0;
}

static void set_date(civ_doc *doc, long long t, const char *text)
{
    civ_date d;
    if (t > 0)
        civ_date_from_time(&d, (time_t)t);
    else if (!text || civ_date_parse(&d, text, strlen(text)) != 0)
        return;
    char iso[21];
    civ_date_iso(&d, iso);
    civ_doc_set_str(doc, "date", iso);
    civ_doc_set_str(doc, "date_source", "document");
}

void civ_docs_set_meta(civ_doc *doc, const civ_docs_meta *m)
{
    if (m->title && !civ_docs_junk_title(m->title) && !civ_doc_get(doc, "title"))
        civ_doc_set_str(doc, "title", m->title);
    if (m->author && !civ_docs_junk_author(m->author) && !civ_doc_get(doc, "author")) {
        /* "Ana Ruiz; Ben Cole" are two authors. */
        const char *p = m->author;
        while (*p) {
            size_t k = strcspn(p, ";");
            civ_doc_add(doc, "author", p, k);
            p += k;
            while (*p == ';' || *p == ' ')
                p++;
        }
    }
    const char *title = civ_doc_get(doc, "title");
    const char *desc = m->description && *m->description ? m->description : m->subject;
    if (desc && *desc && !(title && strcasecmp(title, desc) == 0) && !civ_doc_get(doc, "description"))
        civ_doc_set_str(doc, "description", desc);
    if (m->keywords && !civ_doc_get(doc, "keywords")) {
        const char *p = m->keywords;
        while (*p) {
            size_t k = strcspn(p, ",;");
            civ_doc_add(doc, "keywords", p, k);
            p += k;
            while (*p == ',' || *p == ';' || *p == ' ')
                p++;
        }
    }
    if (!civ_doc_get(doc, "date")) {
        /* The text's own date (a letter's, a ruling's) says more than when
         * the file was made: the date enricher finds it there. */
        size_t len;
        const char *t = civ_doc_text(doc, &len);
        civ_date d;
        if (civ_date_find(&d, t, len, 1500, NULL) != 0) {
            if (m->created > 0 || (m->created_text && *m->created_text))
                set_date(doc, m->created, m->created_text);
            else
                set_date(doc, m->modified, m->modified_text);
        }
    }
    if (m->pages > 0) {
        char num[24];
        snprintf(num, sizeof num, "%ld", m->pages);
        civ_doc_set_str(doc, "pages", num);
    }
}

/* ---- pages ------------------------------------------------------------------- */

typedef struct line {
    const char *s;
    size_t n;
    unsigned page;    /* index into the pages */
    unsigned char drop;
    unsigned char edge; /* 1: among a page's first lines, 2: its last */
} line;

#define EDGE_LINES 2
#define MAX_HEADINGS 200

/* A line made comparable across pages: lower case, digits as '#',
 * spaces collapsed. */
static uint64_t line_key(const char *s, size_t n, unsigned edge)
{
    char tmp[256];
    size_t k = 0;
    int space = 0;
    for (size_t i = 0; i < n && k + 2 < sizeof tmp; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t') {
            space = k > 0;
            continue;
        }
        if (space)
            tmp[k++] = ' ';
        space = 0;
        if (isdigit(c)) {
            if (k == 0 || tmp[k - 1] != '#')
                tmp[k++] = '#';
            continue;
        }
        tmp[k++] = (char)tolower(c);
    }
    return civ_hash64(tmp, k, edge);
}

typedef struct key_count {
    uint64_t key;
    unsigned count, last_page;
} key_count;

static key_count *kc_find(key_count *t, size_t cap, uint64_t key)
{
    size_t i = (size_t)key & (cap - 1);
    while (t[i].count && t[i].key != key)
        i = (i + 1) & (cap - 1);
    return &t[i];
}

static int is_lower_start(const char *s, size_t n)
{
    return n > 0 && islower((unsigned char)s[0]);
}

/* The length of s without a hyphen that ends it after a letter; n if none. */
static size_t hyphen_cut(const char *s, size_t n)
{
    size_t h = 0;
    if (n >= 2 && s[n - 1] == '-')
        h = 1;
    else if (n >= 3 && (unsigned char)s[n - 2] == 0xC2 && (unsigned char)s[n - 1] == 0xAD)
        h = 2; /* soft hyphen */
    else if (n >= 4 && memcmp(s + n - 3, "\xe2\x80\x90", 3) == 0)
        h = 3;
    if (!h)
        return n;
    unsigned char before = (unsigned char)s[n - h - 1];
    if (!(isalpha(before) || before >= 0x80))
        return n;
    return n - h;
}

/* Splits every page into lines, trailing spaces trimmed, and marks the
 * first and last non-blank ones of each page (edge) into *out (*nout of
 * them; *with_text: the pages with a non-blank line). Returns 0, or -1
 * when out of memory (*out NULL). */
static int split_lines(line **out, size_t *nout, size_t *with_text, const civ_page_text *pages,
                       size_t n)
{
    line *lines = NULL;
    size_t nl = 0, cap = 0;
    *with_text = 0;
    for (size_t p = 0; p < n; p++) {
        const char *t = pages[p].text.data ? pages[p].text.data : "";
        size_t len = pages[p].text.len, i = 0, first = nl;
        while (i < len) {
            size_t e = i;
            while (e < len && t[e] != '\n' && t[e] != '\f')
                e++;
            size_t k = e;
            while (k > i && (t[k - 1] == ' ' || t[k - 1] == '\r' || t[k - 1] == '\t'))
                k--;
            size_t s = i;
            while (s < k && (t[s] == ' ' || t[s] == '\t'))
                s++;
            if (nl == cap) {
                size_t nc = cap ? cap * 2 : 256;
                line *nlines = realloc(lines, nc * sizeof *nlines);
                if (!nlines) {
                    free(lines);
                    *out = NULL;
                    *nout = 0;
                    return -1;
                }
                lines = nlines;
                cap = nc;
            }
            lines[nl++] = (line){ t + s, k - s, (unsigned)p, 0, 0 };
            i = e + 1;
        }
        /* The first and last non-blank lines of the page. */
        unsigned seen = 0;
        for (size_t j = first; j < nl && seen < EDGE_LINES; j++)
            if (lines[j].n) {
                lines[j].edge = 1;
                seen++;
            }
        if (seen)
            (*with_text)++;
        seen = 0;
        for (size_t j = nl; j > first && seen < EDGE_LINES; j--)
            if (lines[j - 1].n) {
                if (!lines[j - 1].edge)
                    lines[j - 1].edge = 2;
                seen++;
            }
    }
    *out = lines;
    *nout = nl;
    return 0;
}

/* Running headers and footers: the same line (digits aside) at the edge
 * of more than half of the pages, at least three. They are dropped from
 * the text, and each distinct one becomes a heading of doc. */
static void drop_running_lines(civ_doc *doc, line *lines, size_t nl, size_t with_text)
{
    if (with_text < 3)
        return;
    size_t tcap = 64;
    while (tcap < with_text * EDGE_LINES * 4)
        tcap *= 2;
    key_count *t = calloc(tcap, sizeof *t);
    if (!t)
        return;
    for (size_t j = 0; j < nl; j++) {
        if (!lines[j].edge)
            continue;
        key_count *kc = kc_find(t, tcap, line_key(lines[j].s, lines[j].n, lines[j].edge));
        if (kc->count && kc->last_page == lines[j].page + 1)
            continue;
        kc->key = line_key(lines[j].s, lines[j].n, lines[j].edge);
        kc->count++;
        kc->last_page = lines[j].page + 1;
    }
    unsigned headings = 0;
    for (size_t j = 0; j < nl; j++) {
        if (!lines[j].edge)
            continue;
        key_count *kc = kc_find(t, tcap, line_key(lines[j].s, lines[j].n, lines[j].edge));
        if (kc->count >= 3 && (size_t)kc->count * 2 > with_text) {
            lines[j].drop = 1;
            /* Indexed once: each distinct line a heading (the
             * document keeps duplicates out). */
            if (headings < MAX_HEADINGS) {
                civ_doc_add(doc, "heading", lines[j].s, lines[j].n);
                headings++;
            }
        }
    }
    free(t);
}

/* The text of page p (of n), lines[from..end) its lines, into pg (reset
 * by the caller), hyphenated words joined. A word whose end is at the top
 * of the next page is joined here, and *carry set to that line (its word
 * is then left out there); *carry is cleared as it is used. */
static void page_text(civ_buf *pg, const char **carry, const line *lines, size_t nl, size_t from,
                      size_t end, size_t p, size_t n)
{
    int blank_run = 0, joining = 0;
    for (size_t k = from; k < end; k++) {
        const line *l = &lines[k];
        if (l->drop)
            continue;
        const char *s = l->s;
        size_t len = l->n;
        if (*carry) {
            *carry = NULL;
            /* The word's end went to the previous page. */
            size_t w = 0;
            while (w < len && s[w] != ' ')
                w++;
            while (w < len && s[w] == ' ')
                w++;
            s += w;
            len -= w;
            if (!len)
                continue;
        }
        if (!len) {
            if (joining)
                continue;
            if (pg->len && !blank_run)
                civ_buf_putc(pg, '\n');
            blank_run = 1;
            continue;
        }
        blank_run = 0;
        joining = 0;
        size_t cut = hyphen_cut(s, len);
        /* The next kept line of this page (OCR puts blank lines between
         * lines). */
        size_t k2 = k + 1;
        while (k2 < end && (lines[k2].drop || !lines[k2].n))
            k2++;
        if (cut < len && k2 < end && is_lower_start(lines[k2].s, lines[k2].n)) {
            civ_buf_append(pg, s, cut);
            joining = 1;
            continue;
        }
        if (cut < len && k2 >= end && p + 1 < n) {
            /* The last line: the word may go on at the top of the next
             * page. */
            size_t k3 = end;
            while (k3 < nl && lines[k3].page == p + 1 && (lines[k3].drop || !lines[k3].n))
                k3++;
            if (k3 < nl && lines[k3].page == p + 1 && is_lower_start(lines[k3].s, lines[k3].n)) {
                civ_buf_append(pg, s, cut);
                size_t w = 0;
                while (w < lines[k3].n && lines[k3].s[w] != ' ')
                    w++;
                civ_buf_append(pg, lines[k3].s, w);
                civ_buf_putc(pg, '\n');
                *carry = lines[k3].s;
                continue;
            }
        }
        civ_buf_append(pg, s, len);
        civ_buf_putc(pg, '\n');
    }
}

void civ_docs_add_pages(civ_doc *doc, civ_page_text *pages, size_t n)
{
    line *lines;
    size_t nl, with_text;
    if (split_lines(&lines, &nl, &with_text, pages, n) < 0) {
        civ_doc_text_buf(doc)->failed = 1; /* seen by civ_doc_check */
        return;
    }
    drop_running_lines(doc, lines, nl, with_text);

    /* The text, page by page, hyphenated words joined. */
    civ_buf *out = civ_doc_text_buf(doc);
    civ_buf pg = CIV_BUF_INIT;
    size_t j = 0;
    const char *carry = NULL; /* a word's end, moved to the page before */
    for (size_t p = 0; p < n; p++) {
        civ_buf_reset(&pg);
        size_t end = j;
        while (end < nl && lines[end].page == p)
            end++;
        page_text(&pg, &carry, lines, nl, j, end, p, n);
        j = end;
        while (pg.len && pg.data[pg.len - 1] == '\n')
            pg.len--;
        if (!pg.len)
            continue;
        if (out->len && out->data[out->len - 1] != '\n')
            civ_buf_putc(out, '\n');
        if (out->len && (out->len < 2 || out->data[out->len - 2] != '\n'))
            civ_buf_putc(out, '\n');
        civ_doc_begin_page(doc, pages[p].page);
        civ_doc_append_text(doc, pg.data, pg.len);
    }
    if (civ_buf_failed(&pg))
        out->failed = 1;
    civ_buf_free(&pg);
    free(lines);
}

/* ---- OCR and its cache ------------------------------------------------------ */

static atomic_uint_fast64_t ocr_pages, ocr_cached, ocr_waiting, ocr_ms;

static void waited(void)
{
    uint_fast64_t w = atomic_load(&ocr_waiting);
    while (w > 0 && !atomic_compare_exchange_weak(&ocr_waiting, &w, w - 1))
        ;
}

void civ_docs_ocr_expect(int pages)
{
    if (pages >= 0)
        atomic_fetch_add(&ocr_waiting, (uint_fast64_t)pages);
    for (int i = pages; i < 0; i++)
        waited();
}

void civ_ocr_stats_get(civ_ocr_stats *out)
{
    out->pages = atomic_load(&ocr_pages);
    out->cached = atomic_load(&ocr_cached);
    out->waiting = atomic_load(&ocr_waiting);
    out->seconds = (double)atomic_load(&ocr_ms) / 1000.0;
}

/* The cache file of a page: DIR/ab/abcdef…-LANGS.txt */
static void cache_path(civ_buf *p, const char *dir, const char *key, const char *langs, int sub)
{
    civ_buf_printf(p, "%s/%.2s", dir, key);
    if (!sub)
        return;
    civ_buf_printf(p, "/%s-", key);
    for (const char *l = langs && *langs ? langs : "eng"; *l; l++)
        civ_buf_putc(p, isalnum((unsigned char)*l) || *l == '_' ? *l : '+');
    civ_buf_puts(p, ".txt");
}

static int cache_get(const civ_pipeline_opts *o, const char *key, civ_buf *text)
{
    if (!o->ocr_cache || !key || strlen(key) != 16)
        return 0;
    civ_buf path = CIV_BUF_INIT;
    cache_path(&path, o->ocr_cache, key, o->ocr_lang, 1);
    int fd = civ_buf_failed(&path) ? -1 : open(path.data, O_RDONLY | O_CLOEXEC);
    civ_buf_free(&path);
    if (fd < 0)
        return 0;
    size_t before = text->len;
    char chunk[16384];
    ssize_t r;
    while ((r = read(fd, chunk, sizeof chunk)) > 0)
        civ_buf_append(text, chunk, (size_t)r);
    close(fd);
    if (r < 0) {
        text->len = before;
        if (text->data)
            text->data[before] = '\0';
        return 0;
    }
    return 1;
}

static void cache_put(const civ_pipeline_opts *o, const char *key, const char *text, size_t len)
{
    if (!o->ocr_cache || !key || strlen(key) != 16)
        return;
    civ_buf dir = CIV_BUF_INIT, path = CIV_BUF_INIT, tmp = CIV_BUF_INIT;
    cache_path(&dir, o->ocr_cache, key, o->ocr_lang, 0);
    cache_path(&path, o->ocr_cache, key, o->ocr_lang, 1);
    civ_buf_printf(&tmp, "%s.%ld.%lx.tmp", civ_buf_str(&path), (long)getpid(),
                   (unsigned long)pthread_self());
    if (!civ_buf_failed(&dir) && !civ_buf_failed(&tmp)) {
        mkdir(o->ocr_cache, 0777);
        mkdir(dir.data, 0777);
        int fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
        if (fd >= 0) {
            size_t off = 0;
            int ok = 1;
            while (off < len) {
                ssize_t w = write(fd, text + off, len - off);
                if (w < 0 && errno == EINTR)
                    continue;
                if (w <= 0) {
                    ok = 0;
                    break;
                }
                off += (size_t)w;
            }
            if (close(fd) != 0)
                ok = 0;
            if (!ok || rename(tmp.data, path.data) != 0)
                unlink(tmp.data);
        }
    }
    civ_buf_free(&dir);
    civ_buf_free(&path);
    civ_buf_free(&tmp);
}

/* The content key of a PDF page (CIV_SANDBOX_KEYS), into key ("" when
 * it could not be had: the OCR request that follows says why). */
static civ_status content_key(char key[17], const civ_input *in, const civ_sandbox_req *req,
                              civ_error *err)
{
    const civ_pipeline_opts *o = civ_input_opts(in);
    civ_sandbox_req kreq = *req;
    kreq.flags |= CIV_SANDBOX_KEYS;
    kreq.cancel = o->stop;
    civ_buf reply = CIV_BUF_INIT;
    civ_sandbox_result res;
    key[0] = '\0';
    civ_status s = civ_sandbox_run(&reply, &res, &kreq, err);
    size_t pos = 0, dlen;
    unsigned type;
    uint32_t num;
    const unsigned char *data;
    while (s == CIV_OK && res.outcome == CIV_SANDBOX_DONE &&
           civ_rec_next((const unsigned char *)reply.data, reply.len, &pos, &type, &num, &data,
                        &dlen) == 1)
        if (type == CIV_REC_SCANNED && dlen == 16) {
            memcpy(key, data, 16);
            key[16] = '\0';
        }
    civ_buf_free(&reply);
    return s;
}

civ_status civ_docs_ocr(civ_buf *text, int *ok, int *stop, const civ_input *in,
                        civ_sandbox_req *req, const char *key, int by_content, civ_error *err)
{
    const civ_pipeline_opts *o = civ_input_opts(in);
    civ_file_report *rep = civ_input_report(in);
    *ok = 0;
    *stop = 0;
    waited();
    req->cpu_seconds = o->doc_cpu ? o->doc_cpu : CIV_SANDBOX_DEFAULT_CPU;
    req->memory = o->doc_memory ? o->doc_memory : CIV_SANDBOX_DEFAULT_MEMORY;
    req->arg = o->ocr_lang && *o->ocr_lang ? o->ocr_lang : "eng";
    req->cancel = o->stop;
    char ckey[17] = "";
    int hit = cache_get(o, key, text);
    if (!hit && by_content && o->ocr_cache) {
        /* The same page in another file (a release sent twice, a PDF in a
         * zip): found by what it looks like. */
        civ_status s = content_key(ckey, in, req, err);
        if (s != CIV_OK)
            return s;
        size_t before = text->len;
        if (*ckey && cache_get(o, ckey, text)) {
            hit = 1;
            cache_put(o, key, text->data ? text->data + before : "", text->len - before);
        }
    }
    if (hit) {
        atomic_fetch_add(&ocr_cached, 1);
        if (rep) {
            rep->ocr_pages++;
            rep->ocr_cached++;
        }
        *ok = 1;
        return CIV_OK;
    }
    civ_buf reply = CIV_BUF_INIT;
    civ_sandbox_result res;
    civ_status s = civ_sandbox_run(&reply, &res, req, err);
    if (s != CIV_OK) {
        civ_buf_free(&reply);
        return s;
    }
    atomic_fetch_add(&ocr_ms, (uint_fast64_t)(res.cpu_seconds * 1000));
    char lim[32];
    switch (res.outcome) {
    case CIV_SANDBOX_DONE: {
        size_t pos = 0, dlen;
        unsigned type;
        uint32_t num;
        const unsigned char *data;
        size_t before = text->len;
        while (civ_rec_next((const unsigned char *)reply.data, reply.len, &pos, &type, &num, &data,
                            &dlen) == 1)
            if (type == CIV_REC_TEXT)
                civ_buf_append(text, data, dlen);
        cache_put(o, key, text->data ? text->data + before : "", text->len - before);
        if (*ckey)
            cache_put(o, ckey, text->data ? text->data + before : "", text->len - before);
        atomic_fetch_add(&ocr_pages, 1);
        if (rep)
            rep->ocr_pages++;
        *ok = 1;
        break;
    }
    case CIV_SANDBOX_CPU_LIMIT:
        if (rep)
            rep->over_limit++;
        civ_input_warn(in, "page %u: OCR used more than %u s of CPU time (see --doc-timeout)",
                       req->page, req->cpu_seconds);
        break;
    case CIV_SANDBOX_MEMORY_LIMIT:
        if (rep)
            rep->over_limit++;
        format_mb(lim, sizeof lim, req->memory);
        civ_input_warn(in, "page %u: OCR needed more than %s of memory (see --doc-memory)",
                       req->page, lim);
        break;
    case CIV_SANDBOX_WALL_LIMIT:
        if (rep)
            rep->over_limit++;
        civ_input_warn(in, "page %u: OCR hung: stopped after %u s", req->page,
                       civ_sandbox_wall_seconds(req->cpu_seconds));
        break;
    case CIV_SANDBOX_UNAVAILABLE:
    case CIV_SANDBOX_UNSAFE:
        *stop = 1;
        civ_input_warn(in, "not read by OCR: %s", res.reason);
        break;
    case CIV_SANDBOX_CANCELLED:
        /* The run is stopping: the document is not indexed half read, so
         * that the next run reads it again. */
        *stop = 1;
        civ_buf_free(&reply);
        return civ_error_set(err, CIV_EUNSUPPORTED, "not read: the run was interrupted");
    default:
        civ_input_warn(in, "page %u: OCR %s", req->page, res.reason);
        break;
    }
    civ_buf_free(&reply);
    if (civ_buf_failed(text))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return CIV_OK;
}
