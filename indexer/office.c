/*
 * Office files that are zip archives of XML: .docx (Office Open XML) and
 * .odt (OpenDocument). The parts that matter are read with libarchive
 * (sizes bounded like any archive member) and parsed with libxml2 (no
 * network, no external entities): the body's paragraphs, headings, tables
 * and notes; title, author, subject, keywords, dates and page count from
 * the metadata parts.
 */
#define _GNU_SOURCE /* memmem */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <archive.h>
#include <archive_entry.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "civ/parse.h"
#include "documents.h"
#include "extract.h"
#include "pipeline.h"

static const char *const docx_exts[] = { "docx", "docm", "dotx", NULL };
static const char *const docx_types[] = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", NULL };
static const char *const odt_exts[] = { "odt", "ott", NULL };
static const char *const odt_types[] = { "application/vnd.oasis.opendocument.text", NULL };

/* ---- the parts ---------------------------------------------------------------- */

typedef struct part {
    const char *name;   /* path in the archive */
    civ_buf data;
    int found;
} part;

/* Reads the named members of a zip in memory. CIV_EFORMAT when it is no
 * zip, CIV_ETOOBIG when a part is over the limits. */
static civ_status read_parts(const civ_input *in, part *parts, size_t n, civ_error *err)
{
    struct archive *a = archive_read_new();
    if (!a)
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    archive_read_support_format_zip(a);
    civ_status s = CIV_OK;
    if (archive_read_open_memory(a, in->bytes, in->len) != ARCHIVE_OK) {
        s = civ_error_set(err, CIV_EFORMAT, "not a zip archive: %s", archive_error_string(a));
        archive_read_free(a);
        return s;
    }
    struct archive_entry *e;
    size_t found = 0;
    int rc;
    while (s == CIV_OK && found < n && (rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        const char *path = archive_entry_pathname(e);
        part *p = NULL;
        for (size_t i = 0; path && i < n; i++)
            if (!parts[i].found && strcmp(parts[i].name, path) == 0)
                p = &parts[i];
        if (!p)
            continue;
        p->found = 1;
        found++;
        char chunk[65536];
        la_ssize_t r;
        while ((r = archive_read_data(a, chunk, sizeof chunk)) > 0) {
            if (p->data.len + (size_t)r > in->max_size ||
                civ_input_take_budget(in, (size_t)r) != 0) {
                s = civ_error_set(err, CIV_ETOOBIG, "%s expands to more than the maximum size",
                                  p->name);
                break;
            }
            civ_buf_append(&p->data, chunk, (size_t)r);
        }
        if (s == CIV_OK && r < 0)
            s = civ_error_set(err, CIV_EFORMAT, "damaged zip archive: %s: %s", p->name,
                              archive_error_string(a));
        if (civ_buf_failed(&p->data))
            s = civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    if (s == CIV_OK && found < n && rc != ARCHIVE_EOF && rc != ARCHIVE_OK && found == 0)
        s = civ_error_set(err, CIV_EFORMAT, "damaged zip archive: %s", archive_error_string(a));
    archive_read_free(a);
    return s;
}

static xmlDocPtr parse_xml(const civ_buf *b)
{
    if (!b->len || b->len > (size_t)0x7fffffff)
        return NULL;
    /* No DTD, no entities from outside, no network. */
    int opts = XML_PARSE_RECOVER | XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
               XML_PARSE_NOCDATA | XML_PARSE_COMPACT;
    return xmlReadMemory(b->data, (int)b->len, NULL, "UTF-8", opts);
}

static int is(const xmlNode *n, const char *name)
{
    return n->type == XML_ELEMENT_NODE && n->name && strcmp((const char *)n->name, name) == 0;
}

/* ---- text ---------------------------------------------------------------------- */

typedef struct walker {
    civ_doc *doc;
    civ_buf *text;
    civ_buf heading;    /* text of the heading being read, or unused */
    int odt;
    unsigned depth;
} walker;

static void newline(civ_buf *t, int blank)
{
    if (!t->len)
        return;
    if (t->data[t->len - 1] != '\n')
        civ_buf_putc(t, '\n');
    if (blank && (t->len < 2 || t->data[t->len - 2] != '\n'))
        civ_buf_putc(t, '\n');
}

static void walk(walker *w, const xmlNode *n);

static void walk_children(walker *w, const xmlNode *n)
{
    if (w->depth > 200)
        return;
    w->depth++;
    for (const xmlNode *c = n->children; c; c = c->next)
        walk(w, c);
    w->depth--;
}

/* docx: w:p paragraphs of w:r runs of w:t text; w:tab, w:br; deleted text
 * and field codes are not text. */
static void walk_docx(walker *w, const xmlNode *n)
{
    if (n->type == XML_TEXT_NODE)
        return;
    if (is(n, "t")) {
        for (const xmlNode *c = n->children; c; c = c->next)
            if (c->type == XML_TEXT_NODE && c->content)
                civ_buf_puts(w->text, (const char *)c->content);
        return;
    }
    if (is(n, "delText") || is(n, "instrText") || is(n, "rPr") || is(n, "pPr") ||
        is(n, "sectPr"))
        return;
    if (is(n, "tab")) {
        civ_buf_putc(w->text, '\t');
        return;
    }
    if (is(n, "br") || is(n, "cr")) {
        civ_buf_putc(w->text, '\n');
        return;
    }
    if (is(n, "p")) {
        newline(w->text, 0);
        walk_children(w, n);
        newline(w->text, 0);
        return;
    }
    if (is(n, "tbl"))
        newline(w->text, 1);
    walk_children(w, n);
}

/* odt: text:p and text:h, text:s (spaces), text:tab, text:line-break;
 * annotations are not the document's text. */
static void walk_odt(walker *w, const xmlNode *n)
{
    if (n->type == XML_TEXT_NODE) {
        if (n->content)
            civ_buf_puts(w->text, (const char *)n->content);
        return;
    }
    if (n->type != XML_ELEMENT_NODE)
        return;
    if (is(n, "annotation") || is(n, "note-citation") || is(n, "tracked-changes") ||
        is(n, "sequence-decls") || is(n, "forms"))
        return;
    if (is(n, "s")) {
        xmlChar *c = xmlGetProp(n, (const xmlChar *)"c");
        unsigned k = 1; /* absent, or not a count from 1 to 999: one space */
        if (c)
            (void)civ_parse_unsigned(&k, (const char *)c, 1, 999);
        xmlFree(c);
        for (unsigned i = 0; i < k; i++)
            civ_buf_putc(w->text, ' ');
        return;
    }
    if (is(n, "tab")) {
        civ_buf_putc(w->text, '\t');
        return;
    }
    if (is(n, "line-break")) {
        civ_buf_putc(w->text, '\n');
        return;
    }
    if (is(n, "p") || is(n, "h")) {
        newline(w->text, 0);
        size_t start = w->text->len;
        walk_children(w, n);
        if (is(n, "h") && w->text->len > start)
            civ_doc_add(w->doc, "heading", w->text->data + start, w->text->len - start);
        newline(w->text, 0);
        return;
    }
    walk_children(w, n);
}

static void walk(walker *w, const xmlNode *n)
{
    if (w->odt)
        walk_odt(w, n);
    else
        walk_docx(w, n);
}

static void add_body(civ_doc *doc, const civ_buf *xml, int odt)
{
    xmlDocPtr tree = parse_xml(xml);
    if (!tree)
        return;
    walker w = { .doc = doc, .text = civ_doc_text_buf(doc), .odt = odt };
    newline(w.text, 1);
    const xmlNode *root = xmlDocGetRootElement(tree);
    if (root)
        walk(&w, root);
    xmlFreeDoc(tree);
}

/* ---- metadata ---------------------------------------------------------------- */

/* The text of the first element named `name` anywhere under n, or NULL
 * (xmlFree it). */
static xmlChar *find_text(const xmlNode *n, const char *name, unsigned depth)
{
    for (const xmlNode *c = n; c && depth < 20; c = c->next) {
        if (is(c, name))
            return xmlNodeGetContent(c);
        if (c->children) {
            xmlChar *t = find_text(c->children, name, depth + 1);
            if (t)
                return t;
        }
    }
    return NULL;
}

/* Every element named `name` joined by ", " into out. */
static void find_all(civ_buf *out, const xmlNode *n, const char *name, unsigned depth)
{
    for (const xmlNode *c = n; c && depth < 20; c = c->next) {
        if (is(c, name)) {
            xmlChar *t = xmlNodeGetContent(c);
            if (t && *t) {
                if (out->len)
                    civ_buf_puts(out, ", ");
                civ_buf_puts(out, (const char *)t);
            }
            xmlFree(t);
        } else if (c->children) {
            find_all(out, c->children, name, depth + 1);
        }
    }
}

typedef struct meta_vals {
    xmlChar *title, *author, *subject, *description, *created, *modified, *pages;
    civ_buf keywords;
} meta_vals;

static void meta_free(meta_vals *m)
{
    xmlFree(m->title);
    xmlFree(m->author);
    xmlFree(m->subject);
    xmlFree(m->description);
    xmlFree(m->created);
    xmlFree(m->modified);
    xmlFree(m->pages);
    civ_buf_free(&m->keywords);
}

static void apply_meta(civ_doc *doc, meta_vals *v)
{
    uint64_t pages = 0; /* absent or not a count: unknown */
    if (v->pages)
        (void)civ_parse_uint(&pages, (const char *)v->pages, 0, LONG_MAX);
    civ_docs_meta m = {
        .title = (const char *)v->title,
        .author = (const char *)v->author,
        .subject = (const char *)v->subject,
        .description = (const char *)v->description,
        .keywords = v->keywords.len ? civ_buf_str(&v->keywords) : NULL,
        .created_text = (const char *)v->created,
        .modified_text = (const char *)v->modified,
        .pages = (long)pages,
    };
    civ_docs_set_meta(doc, &m);
}

/* ---- .docx ------------------------------------------------------------------ */

static civ_status docx_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    part parts[] = {
        { "word/document.xml", CIV_BUF_INIT, 0 }, { "word/footnotes.xml", CIV_BUF_INIT, 0 },
        { "word/endnotes.xml", CIV_BUF_INIT, 0 }, { "docProps/core.xml", CIV_BUF_INIT, 0 },
        { "docProps/app.xml", CIV_BUF_INIT, 0 },
    };
    size_t n = sizeof parts / sizeof parts[0];
    civ_status s = read_parts(in, parts, n, err);
    if (s == CIV_OK && !parts[0].found)
        s = civ_error_set(err, CIV_EFORMAT, "not a Word document: no word/document.xml");
    if (s == CIV_OK) {
        add_body(doc, &parts[0].data, 0);
        add_body(doc, &parts[1].data, 0);
        add_body(doc, &parts[2].data, 0);
        meta_vals m = { 0 };
        xmlDocPtr core = parse_xml(&parts[3].data), app = parse_xml(&parts[4].data);
        const xmlNode *cr = core ? xmlDocGetRootElement(core) : NULL;
        if (cr) {
            m.title = find_text(cr, "title", 0);
            m.author = find_text(cr, "creator", 0);
            m.subject = find_text(cr, "subject", 0);
            m.description = find_text(cr, "description", 0);
            m.created = find_text(cr, "created", 0);
            m.modified = find_text(cr, "modified", 0);
            find_all(&m.keywords, cr, "keywords", 0);
        }
        const xmlNode *ar = app ? xmlDocGetRootElement(app) : NULL;
        if (ar)
            m.pages = find_text(ar, "Pages", 0);
        apply_meta(doc, &m);
        meta_free(&m);
        if (core)
            xmlFreeDoc(core);
        if (app)
            xmlFreeDoc(app);
    }
    for (size_t i = 0; i < n; i++)
        civ_buf_free(&parts[i].data);
    if (s != CIV_OK)
        return s;
    return civ_doc_check(doc, err);
}

/* ---- .odt ------------------------------------------------------------------ */

static civ_status odt_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    part parts[] = { { "content.xml", CIV_BUF_INIT, 0 }, { "meta.xml", CIV_BUF_INIT, 0 } };
    civ_status s = read_parts(in, parts, 2, err);
    if (s == CIV_OK && !parts[0].found)
        s = civ_error_set(err, CIV_EFORMAT, "not an OpenDocument text: no content.xml");
    if (s == CIV_OK) {
        add_body(doc, &parts[0].data, 1);
        meta_vals m = { 0 };
        xmlDocPtr meta = parse_xml(&parts[1].data);
        const xmlNode *r = meta ? xmlDocGetRootElement(meta) : NULL;
        if (r) {
            m.title = find_text(r, "title", 0);
            m.author = find_text(r, "initial-creator", 0);
            if (!m.author)
                m.author = find_text(r, "creator", 0);
            m.subject = find_text(r, "subject", 0);
            m.description = find_text(r, "description", 0);
            m.created = find_text(r, "creation-date", 0);
            m.modified = find_text(r, "date", 0);
            find_all(&m.keywords, r, "keyword", 0);
            /* meta:document-statistic sits under office:meta. */
            const xmlNode *st = NULL;
            for (const xmlNode *a = r->children; a && !st; a = a->next)
                for (const xmlNode *b = a->children; b && !st; b = b->next)
                    if (is(b, "document-statistic"))
                        st = b;
            if (st)
                m.pages = xmlGetProp(st, (const xmlChar *)"page-count");
        }
        apply_meta(doc, &m);
        meta_free(&m);
        if (meta)
            xmlFreeDoc(meta);
    }
    civ_buf_free(&parts[0].data);
    civ_buf_free(&parts[1].data);
    if (s != CIV_OK)
        return s;
    return civ_doc_check(doc, err);
}

/* ---- sniffing ---------------------------------------------------------------- */

static int zip_has(const unsigned char *b, size_t len, const char *what)
{
    if (len < 4 || memcmp(b, "PK\x03\x04", 4) != 0)
        return 0;
    size_t scan = len < 65536 ? len : 65536;
    return memmem(b, scan, what, strlen(what)) != NULL;
}

static int docx_sniff(const unsigned char *b, size_t len)
{
    return zip_has(b, len, "word/document.xml") || (zip_has(b, len, "[Content_Types].xml") &&
                                                      zip_has(b, len, "word/"))
               ? 90
               : 0;
}

static int odt_sniff(const unsigned char *b, size_t len)
{
    return zip_has(b, len, "application/vnd.oasis.opendocument.text") ? 95 : 0;
}

const civ_extractor civ_extractor_docx = {
    .name = "docx",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OWN_DOC,
    .extensions = docx_exts,
    .media_types = docx_types,
    .sniff = docx_sniff,
    .extract = docx_extract,
};

const civ_extractor civ_extractor_odt = {
    .name = "odt",
    .flags = CIV_EXTRACTOR_BINARY_OK | CIV_EXTRACTOR_OWN_DOC,
    .extensions = odt_exts,
    .media_types = odt_types,
    .sniff = odt_sniff,
    .extract = odt_extract,
};
