#include "civ/schema.h"

#include <stdio.h>
#include <string.h>

#include "civ/utf8.h"

#define TEXT CIV_FIELD_TEXT
#define BODY CIV_FIELD_BODY
#define BOOL CIV_FIELD_BOOL
#define STORED CIV_FIELD_STORED
#define MULTI CIV_FIELD_MULTI
#define FACET CIV_FIELD_FACET
#define SORT CIV_FIELD_SORT
#define LOWER CIV_FIELD_LOWER
#define INTERNAL CIV_FIELD_INTERNAL
#define SPELL CIV_FIELD_SPELL
#define NUMBER CIV_FIELD_NUMBER
#define SHOW CIV_FIELD_SHOW
#define LEGAL CIV_FIELD_LEGAL
/* A legal entity's exact terms and facet (docs/fields.md). */
#define ENTITY (BOOL | STORED | MULTI | FACET | LOWER | SHOW | LEGAL)

/* Prefixes follow Xapian's conventions (Q unique id, S title, A author,
 * L language, K keywords, X… for the rest). Never reuse a prefix.
 * Weights are wdf increments per word. The title's 5 was chosen with
 * bench/relevance: best on Cranfield (whose abstracts repeat the title)
 * and on CISI (whose abstracts do not), against 3, 4 and 6. */
static const civ_field_def fields[] = {
    { "id", "id", "Q", BOOL | STORED, 0, CIV_SLOT_ID,
      "stable document id: path relative to the indexed root (#N for messages)" },
    { "path", NULL, NULL, STORED, 0, -1, "file path as given to civindex" },
    { "title", "title", "S", TEXT | BODY | STORED | SPELL, 5, -1,
      "title, subject or first line" },
    { "author", "author", "A", TEXT | BODY | STORED | MULTI | FACET, 1,
      CIV_SLOT_AUTHOR, "author(s)", "Author or sender" },
    { "date", NULL, NULL, STORED | SORT, 0, CIV_SLOT_DATE,
      "the document's date, UTC (query: date:FROM..TO)" },
    { "date_source", NULL, NULL, STORED | INTERNAL, 0, -1,
      "where the date came from: document, header or mtime" },
    { "year", "year", "XY", BOOL | FACET, 0, CIV_SLOT_YEAR, "year of the date", "Year" },
    { "type", "type", "XT", BOOL | STORED | FACET | LOWER, 0, CIV_SLOT_TYPE,
      "article or letter", "Type" },
    { "lang", "lang", "L", BOOL | STORED | FACET | LOWER, 0, CIV_SLOT_LANG,
      "language code (ISO 639)", "Language" },
    { "format", "format", "XK", BOOL | STORED | FACET | LOWER, 0, CIV_SLOT_FORMAT,
      "input format: text, html, xml, mail", "Format" },
    { "description", "description", "XD", TEXT | BODY | STORED, 1, -1,
      "summary from the document's metadata" },
    { "keywords", "keyword", "K", TEXT | BODY | STORED | MULTI, 2, -1,
      "keywords from the document's metadata" },
    /* Stored so that the document view shows them as headings. */
    { "heading", NULL, NULL, BODY | MULTI | STORED, 2, -1, "section headings" },
    { "size", NULL, NULL, STORED | SORT | NUMBER, 0, CIV_SLOT_SIZE, "size of the file in bytes" },
    { "pages", "pages", NULL, STORED | SORT | NUMBER | SHOW, 0, CIV_SLOT_PAGES,
      "number of pages (PDF and other paged formats)", "Pages" },
    { "words", "words", NULL, STORED | SORT | NUMBER | SHOW, 0, CIV_SLOT_WORDS,
      "number of words in the text", "Words" },
    { "digest", NULL, "XHD", BOOL | INTERNAL, 0, CIV_SLOT_DIGEST,
      "hash of the title and text: the same letter in two folders shares it "
      "(its term lists a hit's copies)" },
    { "mtime", NULL, NULL, STORED | INTERNAL, 0, CIV_SLOT_MTIME,
      "file modification time (seconds since 1970)" },
    /* Looked up through its value slot only: a term per file would cost
     * every document a posting list of its own. */
    { "hash", NULL, NULL, STORED | INTERNAL, 0, CIV_SLOT_HASH,
      "content hash of the file" },
    { "charset", NULL, NULL, STORED | INTERNAL, 0, -1, "encoding the text was decoded from" },
    /* An exact term on the few such documents: civindex lists them in one
     * pass (civ_writer_scan). */
    { "unread_scans", NULL, "XUS", BOOL | STORED | INTERNAL, 0, -1,
      "scanned pages left unread (no --ocr): a run with --ocr reads the file again" },
    /* Legal entities (civ/entities.h, filled by indexer/entities.c): their
     * canonical forms (docs/entities.md) as exact terms, each kind its
     * facet. The query parser reads what users type through the same
     * extractor (lib/xapian/query.cc). */
    { "docket", "docket", "XDK", ENTITY, 0, CIV_SLOT_DOCKET,
      "docket numbers (docket:20-1234, docket:1:20-cv-01234)", "Docket" },
    { "usc", "usc", "XLUSC", ENTITY, 0, CIV_SLOT_USC,
      "US Code sections cited (usc:18/2703, usc:\"18 U.S.C. 2703\")", "US Code" },
    { "cfr", "cfr", "XLCFR", ENTITY, 0, CIV_SLOT_CFR,
      "federal regulations cited (cfr:28/16.1, cfr:\"28 CFR 16.1\")", "Regulation" },
    { "publaw", "publaw", "XLPL", ENTITY, 0, CIV_SLOT_PUBLAW,
      "public laws cited (publaw:107-56)", "Public law" },
    { "case", "case", "XLCASE", ENTITY, 0, CIV_SLOT_CASE,
      "cases cited (case:\"585 U.S. 296\", case:585-us-296; case:WORDS their names)", "Case" },
    /* Searched through case: (words); no query name of its own. */
    { "casename", NULL, "XLNAME", TEXT | STORED | MULTI | SHOW | LEGAL, 1, -1,
      "names of the cases cited (carpenter v united states)", "Case name" },
    { "act", "act", "XLACT", ENTITY, 0, CIV_SLOT_ACT,
      "acts named (act:fisa, act:fisa/702, act:\"Privacy Act\")", "Act" },
    { "amendment", "amendment", "XLAMD", ENTITY, 0, CIV_SLOT_AMENDMENT,
      "constitutional amendments (amendment:4, amendment:fourth)", "Amendment" },
    { "clause", "clause", "XLCL", ENTITY, 0, CIV_SLOT_CLAUSE,
      "constitutional clauses (clause:equal-protection)", "Clause" },
    { "exemption", "exemption", "XLEX", ENTITY, 0, CIV_SLOT_EXEMPTION,
      "FOIA exemptions (exemption:b6, exemption:(b)(7)(C))", "FOIA exemption" },
    { "agency", "agency", "XLAG", ENTITY, 0, CIV_SLOT_AGENCY,
      "federal agencies (agency:fbi, agency:\"Federal Bureau of Investigation\")", "Agency" },
    { "body", "body", "XLBODY", ENTITY, 0, CIV_SLOT_BODY,
      "state and local bodies (body:seattle-police)", "State or local body" },
    { "court", "court", "XLCT", ENTITY, 0, CIV_SLOT_COURT,
      "courts named (court:scotus, court:9th-cir, court:\"Ninth Circuit\")", "Court" },
    /* Finer forms ("usc:18/2703/d") are extra terms only: usc:18/2703/d
     * finds them, the facet counts the section. */
    { "fine", NULL, "XLFINE", BOOL | MULTI | LOWER | INTERNAL, 0, -1,
      "finer forms of entities, as kind:value (usc:18/2703/d)" },
    { "redactions", "redactions", NULL, STORED | SORT | NUMBER | SHOW, 0, CIV_SLOT_REDACTIONS,
      "redaction markers in the text (redactions:5..)", "Redactions" },
    { "redacted", "redacted", "XLRED", BOOL | LOWER, 0, -1,
      "yes when the text has redaction markers (redacted:yes, redacted:no)" },
    /* The citation graph (indexer/citegraph.c): a document's own case
     * citation, the documents here it cites, how many here cite it. */
    { "citation", "cite", "XLSELF", BOOL | STORED | LOWER | SHOW, 0, -1,
      "the document's own case citation; cite:CITATION finds it and every "
      "document citing it", "Citation" },
    /* Searched through cite: (no query name of its own). */
    { "parallel", NULL, "XLPAR", BOOL | STORED | MULTI | LOWER | SHOW, 0, -1,
      "the other reporters' citations of its own case (134-sct-2473 beside 573-us-373): "
      "a document citing any of them cites it", "Parallel" },
    { "cites", "cites", "XLREF", BOOL | STORED | MULTI | SHOW | LEGAL, 0, CIV_SLOT_CITES,
      "ids of the documents in the index it cites (cites:ID)", "Cites" },
    /* The citation graph's count: --sort cited, and a mild prior in
     * ranking (documents without it are uncited). */
    { "cited_by", "cited_by", NULL, STORED | SORT | NUMBER | SHOW | LEGAL, 0, CIV_SLOT_CITED_BY,
      "documents in the index citing it (cited_by:1.., --sort cited)", "Cited by" },
    /* Set on the parts of a file (messages of an mbox, members of an
     * archive) only: a file of one document is found by its Q term. */
    { "file", NULL, "XP", BOOL | STORED | INTERNAL, 0, -1,
      "id of the file a document came from (several for mbox files)" },
    { "root", NULL, "XR", BOOL | STORED | INTERNAL, 0, -1,
      "the folder given to civindex this document was found under" },
    /* Letters: mail and open letters. */
    { "from", "from", "XF", TEXT | BODY | STORED | MULTI | FACET, 1, CIV_SLOT_AUTHOR,
      "sender: name and address", "Sender" },
    { "to", "to", "XTO", TEXT | STORED | MULTI, 1, -1, "recipients" },
    { "cc", "cc", "XCC", TEXT | STORED | MULTI, 1, -1, "copied recipients" },
    { "subject", "subject", "XS", TEXT | STORED, 1, -1, "subject of a letter" },
    { "message_id", "msgid", "XM", BOOL | STORED, 0, -1, "Message-ID of a mail" },
    { "thread", "thread", "XTH", BOOL | STORED, 0, CIV_SLOT_THREAD,
      "thread id shared by a message and its replies" },
    { "in_reply_to", NULL, NULL, STORED | INTERNAL, 0, -1, "Message-ID this one answers" },
    { "signatories", "signed", "XSIG", TEXT | BODY | STORED | MULTI, 1, -1,
      "people and organisations who signed an open letter" },
    { "attachment", "attachment", "XA", TEXT | STORED | MULTI, 1, -1,
      "file names of attachments" },
};

const civ_field_def *civ_schema_fields(size_t *count)
{
    if (count)
        *count = sizeof fields / sizeof fields[0];
    return fields;
}

const civ_field_def *civ_schema_field(const char *name)
{
    /* The first byte first: every stored field of every hit is looked
     * up here (twice, before). */
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].name[0] == name[0] && strcmp(fields[i].name, name) == 0)
            return &fields[i];
    return NULL;
}

const civ_field_def *civ_schema_query_field(const char *name)
{
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (fields[i].query_name && strcmp(fields[i].query_name, name) == 0)
            return &fields[i];
    return NULL;
}

size_t civ_schema_normalise(const civ_field_def *f, const char *value,
                            size_t len, char *out, size_t outsz)
{
    size_t n = 0;
    int space = 0;
    if (outsz == 0)
        return 0;
    for (size_t i = 0; i < len && n + 1 < outsz; i++) {
        unsigned char c = (unsigned char)value[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = n > 0;
            continue;
        }
        if (space) {
            if (n + 2 >= outsz)
                break;
            out[n++] = ' ';
            space = 0;
        }
        if ((f->flags & CIV_FIELD_LOWER) && c >= 'A' && c <= 'Z')
            c = (unsigned char)(c + 32);
        out[n++] = (char)c;
    }
    /* The size limit may have cut the last UTF-8 sequence: drop it. */
    size_t lead = n;
    while (lead > 0 && ((unsigned char)out[lead - 1] & 0xC0) == 0x80)
        lead--;
    if (lead > 0 && ((unsigned char)out[lead - 1] & 0x80)) {
        uint32_t cp;
        lead--;
        if (civ_utf8_decode(&cp, (const unsigned char *)out + lead, n - lead) != n - lead)
            n = lead;
    }
    out[n] = '\0';
    return n;
}

size_t civ_schema_exact_term(const civ_field_def *f, const char *value,
                             size_t len, char *out, size_t outsz)
{
    char pre[16];
    civ_field_def lower;
    if (outsz == 0)
        return 0;
    out[0] = '\0';
    if (f->flags & CIV_FIELD_BOOL) {
        snprintf(pre, sizeof pre, "%s", f->prefix);
    } else if ((f->flags & CIV_FIELD_FACET) && f->slot >= 0) {
        snprintf(pre, sizeof pre, "XE%d", f->slot);
        lower = *f;
        lower.flags |= CIV_FIELD_LOWER;
        f = &lower;
    } else {
        return 0;
    }
    size_t pl = strlen(pre);
    if (pl + 2 > outsz)
        return 0;
    memcpy(out, pre, pl);
    size_t n = civ_schema_normalise(f, value, len, out + pl, outsz - pl);
    if (n == 0) {
        out[0] = '\0';
        return 0;
    }
    return pl + n;
}
