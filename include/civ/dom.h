/*
 * civ/dom.h — text and metadata from a libxml2 document tree (HTML, XHTML
 * and XML share it). Used by the html and xml extractors, and by mail for
 * HTML parts.
 */
#ifndef CIV_DOM_H
#define CIV_DOM_H

#include <libxml/tree.h>

#include "civ/doc.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

enum civ_dom_mode {
    CIV_DOM_HTML, /* HTML vocabulary: head/meta/title, block elements, headings */
    CIV_DOM_XML   /* any vocabulary: every element boundary separates words */
};

/* Appends the readable text of the tree to the document's text and fills
 * title, author, date, description, keywords, lang and headings from the
 * metadata the tree carries (existing values are kept). Scripts, styles
 * and other non-text elements are skipped. */
civ_status civ_dom_extract(civ_doc *doc, xmlDocPtr tree, enum civ_dom_mode mode, civ_error *err);

/* Parses HTML bytes (any charset; declared or detected) with libxml2's
 * forgiving parser and extracts it into doc. CIV_EFORMAT when nothing
 * could be parsed. */
civ_status civ_html_extract_bytes(civ_doc *doc, const char *bytes, size_t len,
                                  const char *declared_charset, civ_error *err);

#ifdef __cplusplus
}
#endif
#endif
