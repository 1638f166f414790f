/* Plain text and Markdown: charset detection, front matter or a header
 * block, Markdown read with cmark. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cmark.h>

#include "civ/charset.h"
#include "extract.h"
#include "civ/lines.h"

static const char *const text_exts[] = { "txt", "text", "md", "markdown", NULL };
/* Any other text type a container declares (text/plain, text/csv, …). */
static const char *const text_types[] = { "text/*", NULL };

static int is_markdown(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (strcasecmp(dot, ".md") == 0 || strcasecmp(dot, ".markdown") == 0);
}

/* Maps a front-matter key to a document field. */
static const char *front_field(const char *key, size_t n)
{
    static const struct { const char *key, *field; } map[] = {
        { "title", "title" },        { "author", "author" },     { "authors", "author" },
        { "by", "author" },          { "date", "date" },         { "published", "date" },
        { "lang", "lang" },          { "language", "lang" },     { "keywords", "keywords" },
        { "tags", "keywords" },      { "description", "description" },
        { "summary", "description" }, { "citation", "citation" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].key) == n && strncasecmp(map[i].key, key, n) == 0)
            return map[i].field;
    return NULL;
}

/* Adds a value, splitting lists ("a, b", "[a, b]") for multi-valued fields. */
static void add_front_value(civ_doc *doc, const char *field, const char *v, size_t n)
{
    while (n && (*v == ' ' || *v == '"' || *v == '\'' || *v == '['))
        v++, n--;
    while (n && (v[n - 1] == ' ' || v[n - 1] == '"' || v[n - 1] == '\'' || v[n - 1] == ']'))
        n--;
    const civ_field_def *f = civ_schema_field(field);
    if (f && (f->flags & CIV_FIELD_MULTI) && (memchr(v, ',', n) || memchr(v, ';', n))) {
        size_t start = 0;
        for (size_t i = 0; i <= n; i++) {
            if (i == n || v[i] == ',' || v[i] == ';') {
                add_front_value(doc, field, v + start, i - start);
                start = i + 1;
            }
        }
        return;
    }
    civ_doc_add(doc, field, v, n);
}

/* Reads "---" front matter (key: value lines); returns bytes consumed. */
static size_t front_matter(const char *t, size_t len, civ_doc *doc)
{
    if (len < 4 || strncmp(t, "---\n", 4) != 0)
        return 0;
    civ_lines it;
    const char *line;
    size_t n;
    civ_lines_init(&it, t, len);
    it.pos = 4;
    while (civ_lines_next(&it, &line, &n, 0)) {
        if (n == 3 && strncmp(line, "---", 3) == 0)
            return it.pos;
        const char *colon = memchr(line, ':', n);
        if (colon) {
            const char *field = front_field(line, (size_t)(colon - line));
            if (field)
                add_front_value(doc, field, colon + 1, n - (size_t)(colon - line) - 1);
        }
    }
    return 0; /* not closed: not front matter */
}

/* ---- a header block ------------------------------------------------------ */

/* Plain-text files that begin with "Key: value" lines (transcripts,
 * exported summaries: "Title: …", "Date: …", "Author: …", "Docket: …")
 * carry their metadata like front matter does. A printed mail ("From:",
 * "To:") is left to the letter enricher. */
static const char *header_field(const char *key, size_t n)
{
    static const struct { const char *key, *field; } map[] = {
        { "title", "title" },   { "date", "date" },       { "author", "author" },
        { "authors", "author" }, { "by", "author" },      { "docket", "docket" },
        { "docket no", "docket" }, { "case no", "docket" }, { "keywords", "keywords" },
        { "summary", "description" }, { "language", "lang" },
        { "citation", "citation" }, { "cite as", "citation" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strlen(map[i].key) == n && strncasecmp(map[i].key, key, n) == 0)
            return map[i].field;
    return NULL;
}

/* Reads a header block: at least two "Key: value" lines of known keys,
 * one of them Title, up to a blank line. Returns the bytes it takes, 0
 * when the text has none. */
static size_t header_block(const char *t, size_t len, civ_doc *doc)
{
    civ_lines it;
    const char *line;
    size_t n, known = 0, end = 0;
    int title = 0;
    civ_lines_init(&it, t, len);
    while (civ_lines_next(&it, &line, &n, 1) && n) {
        const char *colon = memchr(line, ':', n);
        if (!colon || colon == line || (size_t)(colon - line) > 12)
            return 0;
        const char *field = header_field(line, (size_t)(colon - line));
        if (!field)
            return 0;
        known++;
        title |= strcmp(field, "title") == 0;
        end = it.pos;
        if (known > 20)
            return 0;
    }
    if (known < 2 || !title)
        return 0;
    civ_lines_init(&it, t, end);
    while (civ_lines_next(&it, &line, &n, 1)) {
        const char *colon = memchr(line, ':', n);
        const char *field = header_field(line, (size_t)(colon - line));
        const char *v = colon + 1;
        size_t vn = n - (size_t)(colon - line) - 1;
        while (vn && *v == ' ')
            v++, vn--;
        /* A docket number without its "No.": "No. 20-1234" is 20-1234. */
        if (strcmp(field, "docket") == 0 && vn > 3 && strncasecmp(v, "no", 2) == 0 &&
            (v[2] == '.' || v[2] == ' '))
            v += 3, vn -= 3;
        add_front_value(doc, field, v, vn);
    }
    /* The blank lines after it are not the text's. */
    while (end < len && (t[end] == '\n' || t[end] == '\r'))
        end++;
    return end;
}

/* ---- Markdown ------------------------------------------------------------- */

/* Larger Markdown files are read as plain text (markdown_safe). */
#define MARKDOWN_MAX ((size_t)8 * 1024 * 1024)

/* Whether cmark may read t[0..len): its tree takes about a hundred bytes
 * a node, and text dense with markup ("[a](" a hundred thousand times) is
 * almost all nodes, so big or markup-dense files would take gigabytes.
 * Ordinary Markdown has a markup character in twenty or more. */
static int markdown_safe(const char *t, size_t len)
{
    if (len > MARKDOWN_MAX)
        return 0;
    if (len < 64 * 1024)
        return 1;
    size_t marks = 0;
    for (size_t i = 0; i < len; i++)
        marks += t[i] == '[' || t[i] == ']' || t[i] == '(' || t[i] == '*' || t[i] == '_' ||
                 t[i] == '`' || t[i] == '<' || t[i] == '>' || t[i] == '!' || t[i] == '&' ||
                 t[i] == '#';
    return marks <= len / 8;
}

/* Markdown read as what it says: headings become headings (the first of
 * level one the title), emphasis, links and code become plain text. */
static void markdown_text(civ_doc *doc, const char *t, size_t len)
{
    cmark_node *root = cmark_parse_document(t, len, CMARK_OPT_DEFAULT);
    if (!root) {
        civ_doc_append_text(doc, t, len);
        return;
    }
    int have_title = civ_doc_get(doc, "title") != NULL;
    civ_buf para = CIV_BUF_INIT;  /* the block being read */
    int heading = 0;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *node = cmark_iter_get_node(it);
        cmark_node_type type = cmark_node_get_type(node);
        const char *lit = cmark_node_get_literal(node);
        switch (type) {
        case CMARK_NODE_TEXT:
        case CMARK_NODE_CODE:
        case CMARK_NODE_HTML_INLINE:
            if (type != CMARK_NODE_HTML_INLINE && lit)
                civ_buf_puts(&para, lit);
            break;
        case CMARK_NODE_SOFTBREAK: /* lines stay lines: a letter's signatures are */
        case CMARK_NODE_LINEBREAK:
            civ_buf_putc(&para, '\n');
            break;
        case CMARK_NODE_CODE_BLOCK:
        case CMARK_NODE_HTML_BLOCK:
            if (lit)
                civ_doc_add_paragraph(doc, lit, strlen(lit));
            break;
        case CMARK_NODE_HEADING:
        case CMARK_NODE_PARAGRAPH:
            if (ev == CMARK_EVENT_ENTER) {
                civ_buf_reset(&para);
                heading = type == CMARK_NODE_HEADING ? cmark_node_get_heading_level(node) : 0;
                break;
            }
            if (heading == 1 && !have_title) {
                civ_doc_add(doc, "title", civ_buf_str(&para), para.len);
                have_title = 1;
            } else if (heading) {
                civ_doc_add(doc, "heading", civ_buf_str(&para), para.len);
            }
            civ_doc_add_paragraph(doc, civ_buf_str(&para), para.len);
            civ_buf_reset(&para);
            heading = 0;
            break;
        default:
            break;
        }
    }
    cmark_iter_free(it);
    cmark_node_free(root);
    civ_buf_free(&para);
}

/* Plain text; a form feed ends a page (as pdftotext and printers' text
 * write them): a text with one has pages, each form feed kept at the end
 * of its page, and none made for nothing after the last. */
static void paged_text(civ_doc *doc, const char *t, size_t len)
{
    const char *ff = memchr(t, '\f', len);
    if (!ff) {
        civ_doc_append_text(doc, t, len);
        return;
    }
    unsigned page = 1;
    size_t at = 0;
    while (at < len) {
        civ_doc_begin_page(doc, page++);
        const char *end = memchr(t + at, '\f', len - at);
        size_t n = end ? (size_t)(end - (t + at)) + 1 : len - at;
        civ_doc_append_text(doc, t + at, n);
        at += n;
    }
}

static civ_status text_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    civ_buf text = CIV_BUF_INIT;
    civ_text_info info;
    const char *declared = in->charset && *in->charset ? in->charset : NULL;
    civ_status s = civ_text_decode(&text, (const char *)in->bytes, in->len, declared, &info, err);
    if (s != CIV_OK) {
        civ_buf_free(&text);
        return s;
    }
    if (declared && !civ_charset_known(declared)) {
        char lower[32];
        civ_ascii_lower(lower, sizeof lower, info.charset);
        civ_input_warn(in, "bad charset %.40s, decoded as %s", declared, lower);
    }
    else if (info.mixed)
        civ_input_warn(in, "invalid UTF-8: %zu byte%s replaced", info.replaced,
                       info.replaced == 1 ? "" : "s");
    else if (strcmp(info.charset, "UTF-8") != 0)
        civ_doc_add_str(doc, "charset", info.charset);
    const char *t = civ_buf_str(&text);
    size_t skip = front_matter(t, text.len, doc);
    if (!skip)
        skip = header_block(t, text.len, doc);
    if (is_markdown(in->name) && markdown_safe(t + skip, text.len - skip))
        markdown_text(doc, t + skip, text.len - skip);
    else if (is_markdown(in->name)) {
        civ_input_warn(in, "too large or too dense with markup to read as Markdown: read as "
                           "plain text");
        civ_doc_append_text(doc, t + skip, text.len - skip);
    } else
        paged_text(doc, t + skip, text.len - skip);
    civ_buf_free(&text);
    return civ_doc_check(doc, err);
}

const civ_extractor civ_extractor_text = {
    .name = "text",
    .extensions = text_exts,
    .media_types = text_types,
    .extract = text_extract,
};
