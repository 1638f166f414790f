/* HTML and XHTML through libxml2's forgiving HTML parser. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>

#include "civ/charset.h"
#include "dom.h"
#include "extract.h"

static const char *const html_exts[] = { "html", "htm", "xhtml", "shtml", NULL };
static const char *const html_types[] = { "text/html", "application/xhtml+xml", NULL };

/* Finds charset=… in <meta> within the first bytes. Writes it to out. */
static int declared_charset(const char *b, size_t len, char *out, size_t outsz)
{
    size_t lim = len < 4096 ? len : 4096;
    for (size_t i = 0; i + 8 < lim; i++) {
        if (strncasecmp(b + i, "charset", 7) != 0)
            continue;
        size_t j = i + 7;
        while (j < lim && (b[j] == ' ' || b[j] == '\t'))
            j++;
        if (j >= lim || b[j] != '=')
            continue;
        j++;
        while (j < lim && (b[j] == ' ' || b[j] == '"' || b[j] == '\''))
            j++;
        size_t k = 0;
        while (j < lim && k + 1 < outsz &&
               (isalnum((unsigned char)b[j]) || b[j] == '-' || b[j] == '_' || b[j] == '.' || b[j] == ':'))
            out[k++] = b[j++];
        out[k] = '\0';
        if (k)
            return 1;
    }
    return 0;
}

/* Parses HTML bytes (any charset: declared, in a <meta>, or detected) with
 * libxml2's forgiving parser into doc. */
static civ_status html_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    const char *bytes = (const char *)in->bytes;
    size_t len = in->len;
    const char *declared = in->charset && *in->charset ? in->charset : NULL;
    char meta_cs[48];
    if (!declared && declared_charset(bytes, len, meta_cs, sizeof meta_cs))
        declared = meta_cs;
    /* Decode to UTF-8 ourselves (labels lie; unlabelled legacy pages are
     * common) and tell libxml2 the result is UTF-8. */
    civ_buf utf8 = CIV_BUF_INIT;
    civ_status s = civ_text_decode(&utf8, bytes, len, declared, NULL, err);
    if (s != CIV_OK) {
        civ_buf_free(&utf8);
        return s;
    }
    if (utf8.len > (size_t)0x7fffffff) {
        civ_buf_free(&utf8);
        return civ_error_set(err, CIV_ETOOBIG, "HTML too large to parse");
    }
    civ_buf capped = CIV_BUF_INIT;
    int cut = civ_dom_cap_attributes(&capped, utf8.data, utf8.len);
    if (cut < 0) {
        civ_buf_free(&utf8);
        civ_buf_free(&capped);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    if (cut) {
        civ_input_warn(in, "tags with more than %d attributes were cut short", CIV_DOM_MAX_ATTRS);
        civ_buf tmp = utf8;
        utf8 = capped;
        capped = tmp;
    }
    civ_buf_free(&capped);
    int opts = HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
               HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED | HTML_PARSE_COMPACT |
               XML_PARSE_HUGE; /* no depth limit: dom.c reads deep subtrees flat */
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (!ctxt) {
        civ_buf_free(&utf8);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    htmlDocPtr tree = htmlCtxtReadMemory(ctxt, civ_buf_str(&utf8), (int)utf8.len, NULL, "UTF-8", opts);
    civ_buf_free(&utf8);
    /* Out of memory stops the parser with what it had: not a document. */
    int oom = ctxt->errNo == XML_ERR_NO_MEMORY;
    htmlFreeParserCtxt(ctxt);
    if (oom) {
        if (tree)
            xmlFreeDoc(tree);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    if (!tree)
        return civ_error_set(err, CIV_EFORMAT, "malformed HTML: nothing could be parsed");
    s = civ_dom_extract(doc, tree, CIV_DOM_HTML, err);
    xmlFreeDoc(tree);
    return s;
}

/* "<!doctype html", "<html", or an early <head>/<body>. */
static int html_sniff(const unsigned char *b, size_t len)
{
    size_t i = 0, lim = len < 1024 ? len : 1024;
    if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        i = 3;
    while (i < lim && isspace(b[i]))
        i++;
    const char *p = (const char *)b + i;
    size_t n = lim - i;
    if (n >= 14 && strncasecmp(p, "<!doctype html", 14) == 0)
        return 100;
    if (n >= 5 && strncasecmp(p, "<html", 5) == 0)
        return 90;
    for (size_t k = 0; k + 6 < n; k++)
        if (strncasecmp(p + k, "<head>", 6) == 0 || strncasecmp(p + k, "<body", 5) == 0)
            return 60;
    return 0;
}

const civ_extractor civ_extractor_html = {
    .name = "html",
    .extensions = html_exts,
    .media_types = html_types,
    .sniff = html_sniff,
    .extract = html_extract,
};
