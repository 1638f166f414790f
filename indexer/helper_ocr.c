/* Inside the sandbox: OCR with Tesseract, and scanned images (TIFF with
 * every frame, PNG, JPEG) decoded with Leptonica. The model is loaded
 * once in the helper; every page is read in a child of it (sandbox.h). */
#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <leptonica/allheaders.h>
#include <tesseract/capi.h>

#include "sandbox.h"

static TessBaseAPI *api;

/* Says that OCR language lang[0..n) is not installed, into reason[200]
 * (Debian's package: tesseract-ocr-chi-sim for chi_sim). */
static void no_lang(char *reason, const char *lang, size_t n)
{
    char pkg[64];
    size_t k = 0;
    for (; k < n && k + 1 < sizeof pkg; k++)
        pkg[k] = lang[k] == '_' ? '-' : (char)tolower((unsigned char)lang[k]);
    pkg[k] = '\0';
    snprintf(reason, 200, "OCR language %.*s is not installed (Debian: tesseract-ocr-%s)",
             (int)(n < 60 ? n : 60), lang, pkg);
}

/* Checks that api loaded every language of langs ("eng+deu"): Tesseract
 * goes on without those it cannot find as long as one loads. Returns 0,
 * or -1 with the first one missing in reason. */
static int all_loaded(const char *langs, char *reason)
{
    char **loaded = TessBaseAPIGetLoadedLanguagesAsVector(api);
    int rc = 0;
    for (const char *p = langs; *p && rc == 0;) {
        size_t n = strcspn(p, "+");
        int found = 0;
        for (size_t i = 0; n && loaded && loaded[i] && !found; i++)
            found = strlen(loaded[i]) == n && strncmp(loaded[i], p, n) == 0;
        if (n && !found) {
            no_lang(reason, p, n);
            rc = -1;
        }
        p += n + (p[n] == '+');
    }
    if (loaded)
        TessDeleteTextArray(loaded);
    return rc;
}

int civ_helper_prepare_ocr(const char *langs, char *reason)
{
    if (api) {
        TessBaseAPIEnd(api);
        TessBaseAPIDelete(api);
        api = NULL;
    }
    api = TessBaseAPICreate();
    if (!api) {
        snprintf(reason, 200, "cannot start Tesseract");
        return -1;
    }
    /* Tesseract and Leptonica talk on stderr: not to civindex's user. */
    fflush(stderr);
    int saved = dup(2), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (null >= 0)
        dup2(null, 2);
    int rc = TessBaseAPIInit3(api, NULL, langs && *langs ? langs : "eng");
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (null >= 0)
        close(null);
    const char *want = langs && *langs ? langs : "eng";
    if (rc != 0) {
        /* None of them loaded. */
        no_lang(reason, want, strcspn(want, "+"));
        TessBaseAPIDelete(api);
        api = NULL;
        return -1;
    }
    if (all_loaded(want, reason) != 0) {
        TessBaseAPIEnd(api);
        TessBaseAPIDelete(api);
        api = NULL;
        return -1;
    }
    setMsgSeverity(L_SEVERITY_NONE);
    return 0;
}

static int ocr_done(civ_buf *out, char *reason)
{
    char *t = TessBaseAPIGetUTF8Text(api);
    if (!t) {
        TessBaseAPIClear(api);
        snprintf(reason, 200, "OCR failed");
        return -1;
    }
    civ_buf_puts(out, t);
    TessDeleteText(t);
    TessBaseAPIClear(api);
    return 0;
}

int civ_helper_ocr_grey(civ_buf *out, const unsigned char *pixels, int width, int height,
                        int stride, int dpi, char *reason)
{
    if (!api) {
        snprintf(reason, 200, "OCR is not ready");
        return -1;
    }
    TessBaseAPISetImage(api, pixels, width, height, 1, stride);
    TessBaseAPISetSourceResolution(api, dpi > 0 ? dpi : 300);
    return ocr_done(out, reason);
}

static int is_tiff(const unsigned char *b, size_t len)
{
    return len >= 4 && ((b[0] == 'I' && b[1] == 'I' && b[2] == 42 && b[3] == 0) ||
                        (b[0] == 'M' && b[1] == 'M' && b[2] == 0 && b[3] == 42));
}

/* page 0: how many frames (CIV_REC_PAGES); page k: OCR of frame k. */
int civ_helper_image_ocr(const civ_helper_req *r, civ_buf *out, char *reason)
{
    int tiff = is_tiff(r->bytes, r->len);
    if (r->page == 0) {
        int n = 1;
        if (tiff) {
            FILE *f = fmemopen((void *)r->bytes, r->len, "rb");
            if (!f || tiffGetCount(f, &n) != 0 || n < 1) {
                if (f)
                    fclose(f);
                snprintf(reason, 200, "damaged TIFF image");
                return -1;
            }
            fclose(f);
        }
        civ_rec_put(out, CIV_REC_PAGES, (uint32_t)n, NULL, 0);
        return 0;
    }
    PIX *pix = tiff ? pixReadMemTiff(r->bytes, r->len, (l_int32)r->page - 1)
                    : pixReadMem(r->bytes, r->len);
    if (!pix) {
        snprintf(reason, 200, "damaged or unsupported image");
        return -1;
    }
    if (!api) {
        pixDestroy(&pix);
        snprintf(reason, 200, "OCR is not ready");
        return -1;
    }
    l_int32 xres = pixGetXRes(pix);
    TessBaseAPISetImage2(api, pix);
    TessBaseAPISetSourceResolution(api, xres >= 70 && xres <= 2400 ? xres : 300);
    civ_buf text = CIV_BUF_INIT;
    int rc = ocr_done(&text, reason);
    if (rc == 0)
        civ_rec_put(out, CIV_REC_TEXT, r->page, text.data, text.len);
    civ_buf_free(&text);
    pixDestroy(&pix);
    return rc;
}
