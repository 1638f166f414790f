/*
 * civ_mkdoc — draws the test suite's document fixtures with cairo (and
 * Leptonica for TIFF), from text the tests write themselves:
 *
 *   civ_mkdoc pdf OUT.pdf TEXT [--title T] [--author A] [--subject S]
 *             [--keywords K] [--created ISO] [--header H] [--footer F]
 *   civ_mkdoc scan OUT.pdf TEXT     every page an image of its text (300 dpi)
 *   civ_mkdoc png OUT.png TEXT      the first page as a 300 dpi image
 *   civ_mkdoc tiff OUT.tif TEXT     every page a frame of a 300 dpi TIFF
 *
 * TEXT is a file: pages separated by a line holding only "\f" or "===",
 * each line drawn as written (so a hyphenated line end stays one). In a
 * header or footer, %p is the page number and %n the page count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo.h>
#include <leptonica/allheaders.h>

#define PAGE_W 595.0 /* A4 in points */
#define PAGE_H 842.0
#define DPI 300.0

typedef struct pages {
    char **lines;   /* all lines; NULL separates pages */
    size_t n;
    int npages;
} pages;

static void load(pages *p, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(2);
    }
    char buf[4096];
    p->lines = NULL;
    p->n = 0;
    p->npages = 1;
    while (fgets(buf, sizeof buf, f)) {
        buf[strcspn(buf, "\n")] = '\0';
        p->lines = realloc(p->lines, (p->n + 1) * sizeof *p->lines);
        if (strcmp(buf, "\f") == 0 || strcmp(buf, "===") == 0) {
            p->lines[p->n++] = NULL;
            p->npages++;
        } else {
            p->lines[p->n++] = strdup(buf);
        }
    }
    fclose(f);
}

static void expand(char *out, size_t n, const char *fmt, int page, int total)
{
    size_t k = 0;
    for (const char *c = fmt; *c && k + 12 < n; c++) {
        if (c[0] == '%' && c[1] == 'p') {
            k += (size_t)snprintf(out + k, n - k, "%d", page);
            c++;
        } else if (c[0] == '%' && c[1] == 'n') {
            k += (size_t)snprintf(out + k, n - k, "%d", total);
            c++;
        } else {
            out[k++] = *c;
        }
    }
    out[k] = '\0';
}

/* Draws page `page` (1-based) of p at the current scale. */
static void draw_page(cairo_t *cr, const pages *p, int page, const char *header,
                      const char *footer)
{
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_select_font_face(cr, "DejaVu Serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    char line[512];
    cairo_set_font_size(cr, 9);
    if (header) {
        expand(line, sizeof line, header, page, p->npages);
        cairo_move_to(cr, 60, 40);
        cairo_show_text(cr, line);
    }
    if (footer) {
        expand(line, sizeof line, footer, page, p->npages);
        cairo_move_to(cr, 60, PAGE_H - 30);
        cairo_show_text(cr, line);
    }
    cairo_set_font_size(cr, 12);
    double y = 80;
    int cur = 1;
    for (size_t i = 0; i < p->n; i++) {
        if (!p->lines[i]) {
            cur++;
            continue;
        }
        if (cur != page)
            continue;
        cairo_move_to(cr, 60, y);
        cairo_show_text(cr, p->lines[i]);
        y += 18;
    }
}

/* A page drawn into a grey 300 dpi image. */
static cairo_surface_t *page_image(const pages *p, int page)
{
    int w = (int)(PAGE_W / 72.0 * DPI), h = (int)(PAGE_H / 72.0 * DPI);
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
    cairo_t *cr = cairo_create(img);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    cairo_scale(cr, DPI / 72.0, DPI / 72.0);
    draw_page(cr, p, page, NULL, NULL);
    cairo_destroy(cr);
    cairo_surface_flush(img);
    return img;
}

static PIX *to_pix(cairo_surface_t *img)
{
    int w = cairo_image_surface_get_width(img), h = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    const unsigned char *d = cairo_image_surface_get_data(img);
    PIX *pix = pixCreate(w, h, 8);
    pixSetResolution(pix, (l_int32)DPI, (l_int32)DPI);
    for (int y = 0; y < h; y++) {
        const unsigned int *row = (const unsigned int *)(const void *)(d + (size_t)y * (size_t)stride);
        for (int x = 0; x < w; x++)
            pixSetPixel(pix, x, y, (row[x] >> 8) & 0xff);
    }
    return pix;
}

static int run(const char *mode, const char *out, pages *p, int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc < 4) {
        fputs("usage: civ_mkdoc pdf|scan|png|tiff OUT TEXT [options]\n", stderr);
        return 2;
    }
    pages p;
    load(&p, argv[3]);
    int rc = run(argv[1], argv[2], &p, argc, argv);
    for (size_t i = 0; i < p.n; i++)
        free(p.lines[i]);
    free(p.lines);
    return rc;
}

static int run(const char *mode, const char *out, pages *pp, int argc, char **argv)
{
    pages p = *pp;
    const char *header = NULL, *footer = NULL;
    cairo_pdf_metadata_t keys[] = { CAIRO_PDF_METADATA_TITLE, CAIRO_PDF_METADATA_AUTHOR,
                                    CAIRO_PDF_METADATA_SUBJECT, CAIRO_PDF_METADATA_KEYWORDS,
                                    CAIRO_PDF_METADATA_CREATE_DATE };
    const char *names[] = { "--title", "--author", "--subject", "--keywords", "--created" };
    const char *vals[5] = { 0 };
    for (int i = 4; i + 1 < argc; i += 2) {
        int found = 0;
        for (int k = 0; k < 5; k++)
            if (strcmp(argv[i], names[k]) == 0) {
                vals[k] = argv[i + 1];
                found = 1;
            }
        if (strcmp(argv[i], "--header") == 0)
            header = argv[i + 1], found = 1;
        if (strcmp(argv[i], "--footer") == 0)
            footer = argv[i + 1], found = 1;
        if (!found) {
            fprintf(stderr, "civ_mkdoc: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (strcmp(mode, "pdf") == 0 || strcmp(mode, "scan") == 0) {
        cairo_surface_t *s = cairo_pdf_surface_create(out, PAGE_W, PAGE_H);
        for (int k = 0; k < 5; k++)
            if (vals[k])
                cairo_pdf_surface_set_metadata(s, keys[k], vals[k]);
        cairo_t *cr = cairo_create(s);
        for (int pg = 1; pg <= p.npages; pg++) {
            if (strcmp(mode, "pdf") == 0) {
                draw_page(cr, &p, pg, header, footer);
            } else {
                cairo_surface_t *img = page_image(&p, pg);
                cairo_save(cr);
                cairo_scale(cr, 72.0 / DPI, 72.0 / DPI);
                cairo_set_source_surface(cr, img, 0, 0);
                cairo_paint(cr);
                cairo_restore(cr);
                cairo_surface_destroy(img);
            }
            cairo_show_page(cr);
        }
        cairo_destroy(cr);
        cairo_surface_finish(s);
        int bad = cairo_surface_status(s) != CAIRO_STATUS_SUCCESS;
        cairo_surface_destroy(s);
        return bad;
    }
    if (strcmp(mode, "png") == 0) {
        cairo_surface_t *img = page_image(&p, 1);
        PIX *pix = to_pix(img);
        int rc = pixWrite(out, pix, IFF_PNG);
        pixDestroy(&pix);
        cairo_surface_destroy(img);
        return rc != 0;
    }
    if (strcmp(mode, "tiff") == 0) {
        for (int pg = 1; pg <= p.npages; pg++) {
            cairo_surface_t *img = page_image(&p, pg);
            PIX *pix = to_pix(img);
            PIX *bw = pixThresholdToBinary(pix, 160);
            pixSetResolution(bw, (l_int32)DPI, (l_int32)DPI);
            int rc = pixWriteTiff(out, bw, IFF_TIFF_G4, pg == 1 ? "w" : "a");
            pixDestroy(&bw);
            pixDestroy(&pix);
            cairo_surface_destroy(img);
            if (rc != 0)
                return 1;
        }
        return 0;
    }
    fprintf(stderr, "civ_mkdoc: unknown mode %s\n", mode);
    return 2;
}
