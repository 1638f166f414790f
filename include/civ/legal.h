/*
 * civ/legal.h — legal entities as document fields.
 *
 * The extractor (civ/entities.h) finds entities of kinds; the schema
 * (civ/schema.h) has a field for each kind ("usc", "case", "agency", …,
 * "casename"), docs/fields.md the table. This module is the one place
 * that ties the two, and tallies a scan's entities into distinct values
 * with their counts: the indexer adds each value once, --show and the
 * document view list them with how often they occur.
 */
#ifndef CIV_LEGAL_H
#define CIV_LEGAL_H

#include <stddef.h>

#include "civ/buf.h"
#include "civ/entities.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema field holding entities of `kind` ("usc", …, "casename",
 * "docket"), NULL for kinds that are no field of their own (redaction
 * markers are counted in "redactions"). */
const char *civ_legal_field(civ_entity_kind kind);

/* The entity kind whose values field `field` holds, or -1. */
int civ_legal_kind(const char *field);

/* Appends to out what the indexer scans for a document: its title, a
 * blank line and its text; the text alone when it begins with the title
 * (a title taken from the first line), so that no mention counts twice.
 * title may be NULL. Sticky errors (civ_buf). */
void civ_legal_input(civ_buf *out, const char *title, const char *text, size_t len);

/* One distinct entity of a scan. value is borrowed from the scanned
 * civ_entity_list (valid until its next scan). */
typedef struct civ_entity_count {
    civ_entity_kind kind;
    unsigned flags;        /* CIV_ENTITY_FINE for a finer form */
    const char *value;
    size_t value_len;
    unsigned count;        /* mentions (short forms count with their full cite) */
    size_t first;          /* byte where it is first mentioned */
} civ_entity_count;

/* A reusable tally (one per thread). */
typedef struct civ_entity_tally civ_entity_tally;

/* *out is owned by the caller (civ_entity_tally_free). CIV_ENOMEM. */
civ_status civ_entity_tally_new(civ_entity_tally **out, civ_error *err);

/* NULL is a no-op. */
void civ_entity_tally_free(civ_entity_tally *t);

/* Replaces t's contents with the distinct (kind, value) pairs of list, in
 * order of first mention, with their counts; redaction markers are left
 * out (civ_entity_list_docinfo counts them). Finer forms are distinct
 * entries flagged CIV_ENTITY_FINE. CIV_ENOMEM (t is then empty). */
civ_status civ_entity_tally_count(civ_entity_tally *t, const civ_entity_list *list,
                                  civ_error *err);

/* The entries of the last count (borrowed; NULL when none). */
const civ_entity_count *civ_entity_tally_items(const civ_entity_tally *t, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
