/*
 * civ/mail.h — mail messages and mailboxes (indexer/mail.c).
 *
 * The extractors themselves are civ_extractor_mail (.eml: one RFC 5322
 * message, with or without a leading mbox "From " line) and
 * civ_extractor_mbox (.mbox: one document per message, sub-id "#N" with N
 * the message's 1-based position), declared in civ/extract.h. These are
 * the pieces other modules and the tests use.
 */
#ifndef CIV_MAIL_H
#define CIV_MAIL_H

#include <stddef.h>

#include "civ/date.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 1 when line[0..n) (without its newline) is an mbox separator line:
 * "From " sender and an asctime()-style date ("Thu Aug 22 12:36:23 2002",
 * a zone may come before the year). Fills *date (may be NULL) with that
 * date, taken as UTC. 0 otherwise. */
int civ_mail_from_line(const char *line, size_t n, civ_date *date);

/* The thread id of a conversation whose first message has Message-ID
 * msgid (with or without <>): 16 lower-case hex digits and a NUL. The id
 * is normalised first (trimmed, no <>, domain part in lower case). */
void civ_mail_thread_id(char out[17], const char *msgid);

#ifdef __cplusplus
}
#endif
#endif
