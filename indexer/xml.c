/* XML: all text content; title, date and author from common elements. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>

#include "dom.h"
#include "extract.h"

static const char *const xml_exts[] = { "xml", NULL };
static const char *const xml_types[] = { "application/xml", "text/xml", NULL };

static civ_status xml_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    if (in->len > (size_t)0x7fffffff)
        return civ_error_set(err, CIV_ETOOBIG, "XML too large to parse");
    const char *bytes = (const char *)in->bytes;
    size_t len = in->len;
    civ_buf capped = CIV_BUF_INIT;
    int cut = civ_dom_cap_attributes(&capped, bytes, len);
    if (cut < 0) {
        civ_buf_free(&capped);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    if (cut) {
        civ_input_warn(in, "tags with more than %d attributes were cut short", CIV_DOM_MAX_ATTRS);
        bytes = capped.data;
        len = capped.len;
    }
    xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
    if (!ctxt) {
        civ_buf_free(&capped);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    /* No DTD loading, no entity substitution from outside, no network. */
    int opts = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR |
               XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
    xmlDocPtr tree = xmlCtxtReadMemory(ctxt, bytes, (int)len, NULL, NULL, opts);
    civ_buf_free(&capped);
    int well_formed = ctxt->wellFormed;
    char reason[200] = "";
    int line = 0;
    const xmlError *e = xmlCtxtGetLastError(ctxt);
    if (ctxt->errNo == XML_ERR_NO_MEMORY || (e && e->code == XML_ERR_NO_MEMORY)) {
        xmlFreeParserCtxt(ctxt);
        if (tree)
            xmlFreeDoc(tree);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    if (e && e->message) {
        snprintf(reason, sizeof reason, "%s", e->message);
        size_t n = strlen(reason);
        while (n && (reason[n - 1] == '\n' || reason[n - 1] == ' '))
            reason[--n] = '\0';
        line = e->line;
    }
    xmlFreeParserCtxt(ctxt);
    if (!tree || !xmlDocGetRootElement(tree)) {
        if (tree)
            xmlFreeDoc(tree);
        return civ_error_set(err, CIV_EFORMAT, "malformed XML%s%s", *reason ? ": " : "", reason);
    }
    if (!well_formed)
        civ_input_warn(in, "malformed XML at line %d: %s (indexed what could be read)", line,
                       *reason ? reason : "not well-formed");
    xmlNode *root = xmlDocGetRootElement(tree);
    enum civ_dom_mode mode = root->name && strcasecmp((const char *)root->name, "html") == 0
                                 ? CIV_DOM_HTML
                                 : CIV_DOM_XML;
    civ_status s = civ_dom_extract(doc, tree, mode, err);
    xmlFreeDoc(tree);
    return s;
}

static int xml_sniff(const unsigned char *b, size_t len)
{
    size_t i = 0;
    if (len >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF)
        i = 3;
    while (i < len && isspace(b[i]))
        i++;
    if (len - i >= 5 && memcmp(b + i, "<?xml", 5) == 0)
        return 80;
    return 0;
}

const civ_extractor civ_extractor_xml = {
    .name = "xml",
    .extensions = xml_exts,
    .media_types = xml_types,
    .sniff = xml_sniff,
    .extract = xml_extract,
};
