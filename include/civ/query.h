/*
 * civ/query.h — checks on query text before it reaches the parser.
 *
 * Xapian's query parser quietly reinterprets broken queries; users deserve
 * to be told instead. These checks find what is clearly wrong and say so
 * in one line.
 */
#ifndef CIV_QUERY_H
#define CIV_QUERY_H

#include <stddef.h>

#include "civ/buf.h"
#include "civ/entities.h"
#include "civ/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CIV_QUERY_MAX 4096   /* bytes; longer queries are refused (a pasted
                                paragraph of facts must fit), on the command
                                line and on the page alike */

/* CIV_OK, or CIV_EQUERY with a one-line reason: empty, too long, not valid
 * UTF-8, unbalanced parentheses, an operator (AND, OR, XOR, NEAR, ADJ)
 * without a term on both sides, NOT without a term after it. Text inside
 * "quotes" is not checked for operators. */
civ_status civ_query_check(const char *q, size_t len, civ_error *err);

/* When every top-level item of q[0..len) is negative ("-word",
 * "-\"a phrase\"", "-(a OR b)", "NOT word"), appends to out a query for
 * what is excluded, its items joined by OR ("word OR \"a phrase\""), and
 * returns 1: the query means every document without them. Else 0. */
int civ_query_negation(const char *q, size_t len, civ_buf *out);

/* CIV_EQUERY when q names a field the query language does not know
 * ("judge:kagan"): one line naming it and listing the known ones. Text in
 * quotes, URLs ("http://…") and times ("10:30") are not fields. */
civ_status civ_query_check_fields(const char *q, size_t len, civ_error *err);

/* Removes every stand-alone "*" (match everything) from q, in place, with
 * an AND or OR that would be left dangling next to it. Returns how many
 * were removed. */
int civ_query_strip_star(char *q);

/* The English stop words used for queries (NULL-terminated, sorted). */
extern const char *const civ_stopwords_english[];

/* Further words dropped from long natural-language queries only (on top
 * of civ_stopwords_english): function words and the phrases of a question
 * ("has anyone described ..."). Short queries keep them. NULL-terminated,
 * sorted. */
extern const char *const civ_stopwords_question[];

/* Counts the words of q (runs of letters and digits, hyphenated and
 * apostrophised words counting once) into *nwords and returns 1 when q is
 * plain text: no quotes, no operators (AND, OR, NOT, XOR, NEAR, ADJ), no
 * field:value, no +word or -word, no wildcard. Parentheses and other
 * punctuation of ordinary prose are allowed. */
int civ_query_is_plain(const char *q, size_t len, size_t *nwords);

/* Synonyms of legal entities in plain words: appends q[0..len) to out
 * with each entity its words name (civ_entities_normalise), outside
 * quotes and field:value items, ORed with its canonical form as a field:
 * "fourth amendment warrant" becomes "(fourth amendment OR
 * amendment:\"4\") warrant", "FBI" "(FBI OR agency:\"fbi\")". A span inside
 * a larger one is left to the larger; spans holding an operator or
 * touching a wildcard are left alone, and so are the abbreviations that
 * are ordinary words in lower case ("ice", "doe", "dot": "ICE" is
 * rewritten). The values of legal fields holding parentheses
 * ("exemption:(b)(6)") are quoted, so that the parser does not read them
 * as groups. list is a scratch list. Returns the number of changes (out
 * holds q as it was when 0), or -1 when out of memory (out as it was). */
int civ_query_entities(civ_buf *out, const char *q, size_t len, const civ_entities *ents,
                       civ_entity_list *list);

#ifdef __cplusplus
}
#endif
#endif
