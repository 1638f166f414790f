/*
 * Formats read by a Debian converter run in the sandbox (sandbox.h): RTF
 * through unrtf (as HTML, which keeps the title and author of RTF's \info
 * group, then read by the HTML extractor) and legacy Word .doc through
 * antiword (catdoc when antiword cannot read it: Word 6 and 95 files).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "civ/date.h"
#include "documents.h"
#include "extract.h"
#include "pipeline.h"

static const char *const rtf_exts[] = { "rtf", NULL };
static const char *const rtf_types[] = { "application/rtf", "text/rtf", NULL };
static const char *const doc_exts[] = { "doc", "dot", NULL };
static const char *const doc_types[] = { "application/msword", NULL };

/* Runs a converter on the input: its output (one TEXT record) into out. */
static civ_status convert(civ_buf *out, const civ_input *in, const char *prog, const char *reader,
                          civ_error *err)
{
    civ_buf reply = CIV_BUF_INIT;
    civ_sandbox_req req = { .op = CIV_SANDBOX_CONVERT, .bytes = in->bytes, .len = in->len,
                            .arg = prog };
    int done;
    civ_status s = civ_docs_run(&reply, &done, in, &req, reader, err);
    if (s == CIV_OK) {
        size_t pos = 0, dlen;
        unsigned type;
        uint32_t num;
        const unsigned char *data;
        while (civ_rec_next((const unsigned char *)reply.data, reply.len, &pos, &type, &num,
                            &data, &dlen) == 1)
            if (type == CIV_REC_TEXT)
                civ_buf_append(out, data, dlen);
        if (civ_buf_failed(out))
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    civ_buf_free(&reply);
    return s;
}

static int rtf_sniff(const unsigned char *b, size_t len)
{
    return len >= 5 && memcmp(b, "{\\rtf", 5) == 0 ? 95 : 0;
}

static civ_status rtf_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    civ_buf html = CIV_BUF_INIT;
    civ_status s = convert(&html, in, "unrtf", "the RTF converter (unrtf)", err);
    if (s == CIV_OK) {
        civ_input hin = *in;
        hin.bytes = (const unsigned char *)civ_buf_str(&html);
        hin.len = html.len;
        hin.charset = "utf-8";
        hin.media_type = "text/html";
        s = civ_extractor_html.extract(&hin, doc, err);
    }
    if (s == CIV_OK) {
        /* unrtf writes RTF's \creatim as a comment. */
        const char *c = strstr(civ_buf_str(&html), "<!--creation date: ");
        const char *e = c ? strstr(c, "-->") : NULL;
        civ_date d;
        civ_docs_meta m = { 0 };
        if (e && civ_date_parse_mail(&d, c + 19, (size_t)(e - c - 19)) == 0)
            m.created = civ_date_to_time(&d);
        civ_docs_set_meta(doc, &m);
    }
    civ_buf_free(&html);
    if (s != CIV_OK)
        return s;
    return civ_doc_check(doc, err);
}

static int doc_sniff(const unsigned char *b, size_t len)
{
    /* An OLE2 compound file holding a "WordDocument" stream. */
    static const unsigned char ole[8] = { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 };
    static const char word[] = "W\0o\0r\0d\0D\0o\0c\0u\0m\0e\0n\0t";
    if (len < 512 || memcmp(b, ole, 8) != 0)
        return 0;
    for (size_t i = 512; i + sizeof word - 1 <= len && i < (size_t)4 << 20; i += 128)
        if (memcmp(b + i, word, sizeof word - 1) == 0)
            return 90;
    return 0;
}

static civ_status doc_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    civ_buf text = CIV_BUF_INIT;
    civ_status s = convert(&text, in, "antiword", "the Word converter (antiword)", err);
    if (s == CIV_EFORMAT) {
        /* Older Word versions: catdoc reads more of them. */
        civ_error e2 = CIV_ERROR_INIT;
        civ_buf_reset(&text);
        civ_status s2 = convert(&text, in, "catdoc", "the Word converter (catdoc)", &e2);
        if (s2 == CIV_OK)
            s = CIV_OK;
        else if (s2 != CIV_EFORMAT) {
            s = s2;
            if (err)
                *err = e2;
        }
    }
    if (s == CIV_OK) {
        civ_doc_append_text(doc, civ_buf_str(&text), text.len);
        civ_docs_meta m = { 0 };
        civ_docs_set_meta(doc, &m);
    }
    civ_buf_free(&text);
    if (s != CIV_OK)
        return s;
    return civ_doc_check(doc, err);
}

const civ_extractor civ_extractor_rtf = {
    .name = "rtf",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OWN_DOC,
    .extensions = rtf_exts,
    .media_types = rtf_types,
    .sniff = rtf_sniff,
    .extract = rtf_extract,
};

const civ_extractor civ_extractor_doc = {
    .name = "doc",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OWN_DOC,
    .extensions = doc_exts,
    .media_types = doc_types,
    .sniff = doc_sniff,
    .extract = doc_extract,
};
