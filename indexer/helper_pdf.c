/* Inside the sandbox's child: PDFs with poppler-glib. Metadata, the text
 * of every page in reading order, which pages are scans (images and next
 * to no text), and one page rendered for OCR. Nothing here runs in
 * civindex's own process (sandbox.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo.h>
#include <glib.h>
#include <poppler.h>

#include "civ/hash.h"
#include "sandbox.h"

/* A page with fewer letters than this, and images over a quarter of it,
 * is a scan: a stamped Bates number or exemption code is text, a page's
 * worth is not. */
#define SCAN_MAX_CHARS 80
#define SCAN_MIN_IMAGE_SHARE 0.25
/* OCR resolution, and the most pixels a page may have at it (a poster
 * page is rendered at less). */
#define OCR_DPI 300.0
#define OCR_MAX_PIXELS (60.0 * 1000 * 1000)
/* The OCR cache key is a hash of the page drawn this small, in grey. */
#define KEY_DPI 40.0

/* A tiny PDF with one line of Helvetica, drawn once in the helper before
 * any child exists: poppler's settings, fontconfig and the font engine
 * are loaded while files may still be opened. */
static const char warm_pdf[] =
    "%PDF-1.4\n"
    "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 50]/Resources<</Font<</F1 4 0 R>>>>"
    "/Contents 5 0 R>>endobj\n"
    "4 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    "5 0 obj<</Length 38>>stream\nBT /F1 12 Tf 10 20 Td (warm up) Tj ET\nendstream endobj\n"
    "6 0 obj<</Title(\xfe\xff\x00w\x00a\x00r\x00m)>>endobj\n"
    "trailer<</Root 1 0 R/Info 6 0 R>>\n%%EOF\n";

void civ_helper_prepare_pdf(void)
{
    GError *e = NULL;
    /* UTF-16 conversions (metadata) load iconv modules on first use. */
    gchar *u = g_convert("\0w", 2, "UTF-8", "UTF-16BE", NULL, NULL, NULL);
    g_free(u);
    GBytes *b = g_bytes_new_static(warm_pdf, sizeof warm_pdf - 1);
    PopplerDocument *d = poppler_document_new_from_bytes(b, NULL, &e);
    if (d) {
        g_free(poppler_document_get_title(d));
        PopplerPage *p = poppler_document_get_page(d, 0);
        if (p) {
            g_free(poppler_page_get_text(p));
            cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 200, 50);
            cairo_t *cr = cairo_create(s);
            poppler_page_render(p, cr);
            cairo_destroy(cr);
            cairo_surface_destroy(s);
            g_object_unref(p);
        }
        g_object_unref(d);
    }
    if (e)
        g_error_free(e);
    g_bytes_unref(b);
}

static PopplerDocument *open_pdf(const civ_helper_req *r, GBytes **bytes, int *locked,
                                 char *reason)
{
    GError *e = NULL;
    *locked = 0;
    *bytes = g_bytes_new_static(r->bytes, r->len);
    PopplerDocument *d = poppler_document_new_from_bytes(*bytes, NULL, &e);
    if (!d) {
        if (e && e->domain == POPPLER_ERROR && e->code == POPPLER_ERROR_ENCRYPTED)
            *locked = 1;
        else
            snprintf(reason, 200, "damaged PDF%s%s", e && e->message ? ": " : "",
                     e && e->message ? e->message : "");
        g_bytes_unref(*bytes);
        *bytes = NULL;
    }
    if (e)
        g_error_free(e);
    return d;
}

static void meta(civ_buf *out, unsigned key, gchar *v)
{
    if (v && *v)
        civ_rec_put(out, CIV_REC_META, key, v, strlen(v));
    g_free(v);
}

static void meta_time(civ_buf *out, unsigned key, time_t t)
{
    if (t <= 0)
        return;
    char num[32];
    snprintf(num, sizeof num, "%lld", (long long)t);
    civ_rec_put(out, CIV_REC_META, key, num, strlen(num));
}

/* Draws a page into an 8-bit grey image at dpi. Returns the pixels
 * (malloc'd; stride = width) or NULL. */
static unsigned char *render_grey(PopplerPage *p, double dpi, int *w, int *h)
{
    double pw, ph;
    poppler_page_get_size(p, &pw, &ph);
    if (!(pw > 0 && ph > 0) || pw > 1e5 || ph > 1e5)
        return NULL;
    double scale = dpi / 72.0;
    if (pw * scale * ph * scale > OCR_MAX_PIXELS)
        scale = sqrt(OCR_MAX_PIXELS / (pw * ph));
    *w = (int)ceil(pw * scale);
    *h = (int)ceil(ph * scale);
    if (*w < 1 || *h < 1)
        return NULL;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, *w, *h);
    if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
        cairo_surface_destroy(s);
        return NULL;
    }
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, scale, scale);
    poppler_page_render(p, cr);
    cairo_destroy(cr);
    cairo_surface_flush(s);
    unsigned char *grey = malloc((size_t)*w * (size_t)*h);
    if (grey) {
        const unsigned char *src = cairo_image_surface_get_data(s);
        int stride = cairo_image_surface_get_stride(s);
        for (int y = 0; y < *h; y++) {
            const uint32_t *row = (const uint32_t *)(const void *)(src + (size_t)y * (size_t)stride);
            unsigned char *dst = grey + (size_t)y * (size_t)*w;
            for (int x = 0; x < *w; x++) {
                uint32_t px = row[x];
                unsigned rr = (px >> 16) & 0xff, gg = (px >> 8) & 0xff, bb = px & 0xff;
                dst[x] = (unsigned char)((rr * 77 + gg * 150 + bb * 29) >> 8);
            }
        }
    }
    cairo_surface_destroy(s);
    return grey;
}

/* Share of the page that images cover (overlaps counted twice, capped). */
static double image_share(PopplerPage *p)
{
    double pw, ph, area = 0;
    poppler_page_get_size(p, &pw, &ph);
    if (!(pw > 0 && ph > 0))
        return 0;
    GList *m = poppler_page_get_image_mapping(p);
    for (GList *l = m; l; l = l->next) {
        PopplerImageMapping *im = l->data;
        double x1 = fmax(0, fmin(im->area.x1, im->area.x2)), x2 = fmin(pw, fmax(im->area.x1, im->area.x2));
        double y1 = fmax(0, fmin(im->area.y1, im->area.y2)), y2 = fmin(ph, fmax(im->area.y1, im->area.y2));
        if (x2 > x1 && y2 > y1)
            area += (x2 - x1) * (y2 - y1);
    }
    poppler_page_free_image_mapping(m);
    double share = area / (pw * ph);
    return share > 1 ? 1 : share;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The page's text with a blank line where the page leaves a gap between
 * lines (paragraphs, the blocks of a letter) or reading jumps to another
 * column: poppler's text has none, and paragraph-minded readers (letters,
 * snippets) need them. */
static void text_with_gaps(civ_buf *out, PopplerPage *p, const char *t)
{
    PopplerRectangle *r = NULL;
    guint nr = 0;
    if (!poppler_page_get_text_layout(p, &r, &nr) || !nr) {
        civ_buf_puts(out, t);
        g_free(r);
        return;
    }
    /* Top of each line, from its first character. */
    size_t nlines = 1;
    for (const char *q = t; *q; q++)
        nlines += *q == '\n';
    double *top = malloc(nlines * sizeof *top), *steps = malloc(nlines * sizeof *steps);
    if (!top || !steps) {
        free(top);
        free(steps);
        g_free(r);
        civ_buf_puts(out, t);
        return;
    }
    size_t li = 0, ci = 0;
    int at_start = 1;
    for (const char *q = t; *q; q = g_utf8_next_char(q), ci++) {
        if (at_start) {
            top[li] = ci < nr ? r[ci].y1 : -1;
            at_start = 0;
        }
        if (*q == '\n') {
            li++;
            at_start = 1;
            if (li >= nlines)
                break;
        }
    }
    size_t nl = li + (at_start ? 0 : 1), ns = 0;
    for (size_t i = 1; i < nl; i++)
        if (top[i] > top[i - 1] && top[i - 1] >= 0)
            steps[ns++] = top[i] - top[i - 1];
    double step = 0;
    if (ns) {
        qsort(steps, ns, sizeof *steps, cmp_double);
        step = steps[ns / 2];
    }
    li = 0;
    const char *line = t;
    while (*line) {
        const char *e = strchr(line, '\n');
        size_t n = e ? (size_t)(e - line) : strlen(line);
        if (li > 0 && li < nl && step > 0 && top[li] >= 0 && top[li - 1] >= 0 &&
            (top[li] - top[li - 1] > step * 1.5 || top[li] < top[li - 1] - step * 0.5))
            civ_buf_putc(out, '\n');
        civ_buf_append(out, line, n);
        civ_buf_putc(out, '\n');
        li++;
        line = e ? e + 1 : line + n;
    }
    free(top);
    free(steps);
    g_free(r);
}

static size_t letters(const char *t)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)t; p && *p; p++)
        if (*p > ' ' && (*p < 0x80 || *p >= 0xC0))
            n++;
    return n;
}

int civ_helper_pdf(const civ_helper_req *r, civ_buf *out, char *reason)
{
    GBytes *bytes;
    int locked;
    PopplerDocument *d = open_pdf(r, &bytes, &locked, reason);
    if (!d && locked) {
        civ_rec_put(out, CIV_REC_META, CIV_META_ENCRYPTED, "password", 8);
        return 0;
    }
    if (!d)
        return -1;
    meta(out, CIV_META_TITLE, poppler_document_get_title(d));
    meta(out, CIV_META_AUTHOR, poppler_document_get_author(d));
    meta(out, CIV_META_SUBJECT, poppler_document_get_subject(d));
    meta(out, CIV_META_KEYWORDS, poppler_document_get_keywords(d));
    meta_time(out, CIV_META_CREATED, poppler_document_get_creation_date(d));
    meta_time(out, CIV_META_MODIFIED, poppler_document_get_modification_date(d));
    int n = poppler_document_get_n_pages(d);
    civ_rec_put(out, CIV_REC_PAGES, (uint32_t)(n > 0 ? n : 0), NULL, 0);
    for (int i = 0; i < n && !civ_buf_failed(out); i++) {
        PopplerPage *p = poppler_document_get_page(d, i);
        if (!p)
            continue;
        char *t = poppler_page_get_text(p);
        civ_buf pt = CIV_BUF_INIT;
        if (t && *t)
            text_with_gaps(&pt, p, t);
        civ_rec_put(out, CIV_REC_PAGE, (uint32_t)(i + 1), pt.data ? pt.data : "", pt.len);
        civ_buf_free(&pt);
        if (letters(t) < SCAN_MAX_CHARS && image_share(p) >= SCAN_MIN_IMAGE_SHARE) {
            civ_rec_put(out, CIV_REC_SCANNED, (uint32_t)(i + 1), NULL, 0);
        }
        g_free(t);
        g_object_unref(p);
    }
    /* The document is not freed: the child ends as soon as it has answered,
     * and tearing down poppler's fonts and caches took a tenth of its time. */
    (void)d;
    (void)bytes;
    return 0;
}

int civ_helper_pdf_ocr(const civ_helper_req *r, civ_buf *out, char *reason)
{
    GBytes *bytes;
    int locked;
    PopplerDocument *d = open_pdf(r, &bytes, &locked, reason);
    if (!d) {
        if (locked)
            snprintf(reason, 200, "needs a password");
        return -1;
    }
    int rc = -1;
    PopplerPage *p = r->page >= 1 && (int)r->page <= poppler_document_get_n_pages(d)
                         ? poppler_document_get_page(d, (int)r->page - 1)
                         : NULL;
    if (!p) {
        snprintf(reason, 200, "no page %u", r->page);
    } else if (r->flags & CIV_SANDBOX_KEYS) {
        /* Only the page's content key: the page drawn small, hashed. */
        int w, h;
        unsigned char *g = render_grey(p, KEY_DPI, &w, &h);
        if (!g) {
            snprintf(reason, 200, "page %u could not be drawn", r->page);
        } else {
            char key[17];
            civ_hash64_hex(key, civ_hash64(g, (size_t)w * (size_t)h, (uint64_t)w << 32 | (uint64_t)h));
            civ_rec_put(out, CIV_REC_SCANNED, r->page, key, 16);
            free(g);
            rc = 0;
        }
        g_object_unref(p);
    } else {
        int w, h;
        unsigned char *g = render_grey(p, OCR_DPI, &w, &h);
        if (!g) {
            snprintf(reason, 200, "page %u could not be drawn", r->page);
        } else {
            double pw, ph;
            poppler_page_get_size(p, &pw, &ph);
            int dpi = (int)lround((double)w / pw * 72.0);
            civ_buf text = CIV_BUF_INIT;
            rc = civ_helper_ocr_grey(&text, g, w, h, w, dpi, reason);
            if (rc == 0)
                civ_rec_put(out, CIV_REC_TEXT, r->page, text.data, text.len);
            civ_buf_free(&text);
            free(g);
        }
        g_object_unref(p);
    }
    g_object_unref(d);
    g_bytes_unref(bytes);
    return rc;
}
