/*
 * civ/enrich.h — fields every document gets, whatever its format.
 *
 * After an extractor has filled a document, the enrichers run in order:
 * each may read the text and fields and add or normalise fields. New kinds
 * of extracted data (letters, legal citations, FOIA exemption codes,
 * agencies, redactions) are new enrichers plus schema rows; extractors do
 * not change.
 */
#ifndef CIV_ENRICH_H
#define CIV_ENRICH_H

#include "civ/doc.h"
#include "extract.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_enricher {
    const char *name;
    civ_status (*run)(civ_doc *doc, const civ_input *in, civ_error *err);
} civ_enricher;

/* The enrichers in the order they run; NULL-terminated. */
extern const civ_enricher *const civ_enrichers[];

/* Runs every enricher on doc. Stops at the first error. */
civ_status civ_enrich(civ_doc *doc, const civ_input *in, civ_error *err);

/* Built-in enrichers. */
extern const civ_enricher civ_enrich_letter;  /* open letters in text/HTML (indexer/letter.c) */
extern const civ_enricher civ_enrich_byline;  /* author from a "By …" line */
extern const civ_enricher civ_enrich_title;   /* title from the first line or the file name */
extern const civ_enricher civ_enrich_date;    /* normalised date; from the text; else mtime */
extern const civ_enricher civ_enrich_lang;    /* normalised or guessed language */
extern const civ_enricher civ_enrich_entities; /* legal entities, document kind (indexer/entities.c) */
extern const civ_enricher civ_enrich_type;    /* "article" unless something said otherwise */
extern const civ_enricher civ_enrich_words;   /* the number of words of the text */
extern const civ_enricher civ_enrich_digest;  /* what copies of a document share */

/* Turns the legal entities enricher on (the default) or off (civindex
 * --no-entities), for the whole process; call before a run starts. */
void civ_enrich_entities_set(int on);

/* Guesses the language of UTF-8 text from its script and most common
 * words. Returns an ISO 639-1 code ("en", "fr", "ru", "zh", …) or "und". */
const char *civ_lang_guess(const char *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif
