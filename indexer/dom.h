/*
 * indexer/dom.h — text and metadata from a libxml2 document tree (HTML,
 * XHTML and XML share it). Private to the html and xml extractors; every
 * other reader of HTML goes through the registry (extract.h).
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

#ifdef __cplusplus
}
#endif
#endif
