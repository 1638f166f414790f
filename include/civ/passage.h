/*
 * civ/passage.h — a document's text as passages: the units that ranking
 * weighs and snippets read.
 *
 * A passage is a page of a paged document; otherwise about 300 words
 * (200 to 400) ending where a paragraph ends, or a sentence when a
 * paragraph runs longer. Passages cover the text exactly, in order, and
 * always end at white space, so that indexing them one after the other
 * gives the same terms and positions as indexing the whole text. The
 * writer stores each passage of a document of two or more on its own,
 * compressed, with the word positions it spans (docs/index-format.md): a
 * snippet then inflates only the passage that holds the match.
 */
#ifndef CIV_PASSAGE_H
#define CIV_PASSAGE_H

#include <stddef.h>

#include "civ/doc.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Words a passage aims at, and its bounds (a page is a passage whatever
 * its length; a paragraph longer than the maximum is cut at a sentence). */
#define CIV_PASSAGE_WORDS 300
#define CIV_PASSAGE_MIN_WORDS 200
#define CIV_PASSAGE_MAX_WORDS 400

/* At most this many passages a document: longer texts get longer
 * passages, books of more pages several pages a passage. */
#define CIV_PASSAGES_MAX 1024

/* Splits the text of doc into passages, its page marks (civ_doc_begin_page)
 * starting new ones. *out (malloc'd, the caller frees it) receives *n
 * passages covering the text in order; none for an empty text. Returns
 * CIV_OK or CIV_ENOMEM. */
civ_status civ_passages_split(civ_passage **out, size_t *n, const civ_doc *doc, civ_error *err);

/* The passage of ps[0..n) that holds byte `offset` of the text (0-based),
 * the last one for an offset past the end; 0 when n is 0. */
size_t civ_passage_at(const civ_passage *ps, size_t n, size_t offset);

#ifdef __cplusplus
}
#endif
#endif
