/*
 * indexer/dom.h — text and metadata from a libxml2 document tree (HTML,
 * XHTML and XML share it). Private to the html and xml extractors; every
 * other reader of HTML goes through the registry (extract.h).
 */
#ifndef CIV_DOM_H
#define CIV_DOM_H

#include <libxml/tree.h>

#include "civ/buf.h"
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

/* Most attributes a tag keeps before libxml2 sees it: libxml2 checks each
 * attribute against every earlier one of its tag, so a tag with 300,000
 * of them costs minutes. */
#define CIV_DOM_MAX_ATTRS 256

/* Markup with every tag cut to CIV_DOM_MAX_ATTRS attributes (the rest of
 * the tag dropped, its end kept), in one linear pass. Returns 1 with the
 * copy in out when some tag had more, 0 (out untouched) when the markup
 * can be parsed as it is, -1 out of memory. */
int civ_dom_cap_attributes(civ_buf *out, const char *in, size_t len);

/* Stops libxml2 from printing its own messages on stderr (out of memory,
 * encoding handlers it could not set up): the extractors report each
 * problem in one line of their own. For this thread and threads started
 * later; call before xmlInitParser. */
void civ_dom_quiet(void);

#ifdef __cplusplus
}
#endif
#endif
