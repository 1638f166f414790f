/*
 * indexer/mime.h — reading the MIME tree of one message (mime.c), for the
 * mail and mbox extractors (mail.c): its text parts, its HTML bodies and
 * attachments (handed back to the extractor registry), forwarded
 * messages, and GMime's warnings about damage.
 */
#ifndef CIV_MIME_H
#define CIV_MIME_H

#include <gmime/gmime.h>

#include "civ/buf.h"
#include "civ/doc.h"
#include "extract.h"

/* One message being read into a document. */
typedef struct mail {
    const civ_input *in;
    civ_doc *doc;
    civ_buf *text;
    GMimeParserOptions *popts;
    const char *label;    /* "message #3: " inside an mbox, else "" */
    unsigned parts;       /* leaf parts seen (numbers parts in warnings) */
    unsigned warned;      /* GMime warning kinds already reported */
    civ_status fatal;     /* out of memory, or the index failing */
    civ_error fatal_err;
    const char *sub;      /* the message's id suffix in the file ("#3"), or NULL */
    civ_buf own;          /* ids of attachments emitted as documents, "\n"-separated */
} mail;

/* Starts GMime once per process (thread-safe). */
void mime_start(void);

/* Sets m up to read a message of input `in` into doc; label prefixes its
 * warnings ("message #3: "). Free m->popts with g_mime_parser_options_free. */
void mime_init(mail *m, const civ_input *in, civ_doc *doc, const char *label);

/* Appends the readable text of msg's parts to m's document: nested, a
 * forwarded message's headers first, as a paragraph. */
void mime_add_message(mail *m, GMimeMessage *msg, int depth, int nested);

/* Undoes mbox quoting in a message's text: a line ">From " (any number of
 * '>') loses one '>'. */
void mime_unquote_from(civ_buf *t);

/* Most parameters a Content-Type or Content-Disposition header keeps
 * before GMime reads it: GMime looks each one up among the earlier ones,
 * so a header with 100,000 of them costs minutes. */
#define MIME_MAX_PARAMS 64

/* The message bytes with such headers (at any depth) cut after
 * MIME_MAX_PARAMS parameters, in one linear pass. Returns 1 with the copy
 * in out when a header had more, 0 (out untouched) when the bytes can be
 * parsed as they are, -1 out of memory. */
int mime_cap_params(civ_buf *out, const char *in, size_t len);

#endif
