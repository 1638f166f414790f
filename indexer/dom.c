/* Walks a libxml2 tree: readable text in reading order, plus metadata. */
#include "dom.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include "civ/buf.h"

typedef struct walker {
    civ_doc *doc;
    civ_buf *text;        /* the document's text buffer */
    enum civ_dom_mode mode;
    int pending_space;    /* a space is owed before the next word */
    int pending_break;    /* 0, 1 newline or 2 (paragraph) */
    int pre;              /* inside <pre>: keep whitespace */
    int have_title;
    int first_h1_done;
    civ_buf heading;      /* text of the heading being read */
    int in_heading;
    unsigned depth;       /* elements the walk is inside */
    char cite[3][64];     /* Highwire citation_volume, _journal_abbrev, _firstpage */
} walker;

/* Deeper than this, a subtree's text is read flat, without recursion
 * (HTML is parsed without libxml2's depth limit, which would drop the
 * rest of a page nested 256 deep). */
#define DOM_MAX_DEPTH 400

static int name_is(const xmlNode *n, const char *name)
{
    return n->name && strcasecmp((const char *)n->name, name) == 0;
}

static int in_list(const xmlNode *n, const char *const *names)
{
    for (; *names; names++)
        if (name_is(n, *names))
            return 1;
    return 0;
}

static const char *const skip_elems[] = {
    "script", "style", "noscript", "template", "iframe", "object", "embed",
    "svg", "math", "canvas", "select", "button", "nav", NULL,
};

static const char *const block_elems[] = {
    "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "tr", "table",
    "section", "article", "blockquote", "pre", "header", "footer", "nav",
    "aside", "address", "figure", "figcaption", "hr", "form", "fieldset",
    "main", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "caption",
    "body", "center", "details", "summary", "legend", NULL,
};

static const char *const heading_elems[] = { "h1", "h2", "h3", "h4", "h5", "h6", NULL };

static void flush_break(walker *w)
{
    if (w->text->len == 0) {
        w->pending_break = 0;
        w->pending_space = 0;
        return;
    }
    if (w->pending_break)
        civ_buf_puts(w->text, w->pending_break > 1 ? "\n\n" : "\n");
    else if (w->pending_space)
        civ_buf_putc(w->text, ' ');
    w->pending_break = 0;
    w->pending_space = 0;
}

/* Appends text, collapsing whitespace (except in <pre>). */
static void add_text(walker *w, const char *s, size_t n)
{
    if (w->in_heading)
        civ_buf_append(&w->heading, s, n);
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (!w->pre && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) {
            w->pending_space = 1;
            i++;
            continue;
        }
        if (w->pre && c == '\n') {
            civ_buf_putc(w->text, '\n');
            i++;
            continue;
        }
        size_t j = i;
        while (j < n) {
            unsigned char d = (unsigned char)s[j];
            if (!w->pre && (d == ' ' || d == '\t' || d == '\n' || d == '\r' || d == '\f'))
                break;
            if (w->pre && d == '\n')
                break;
            j++;
        }
        flush_break(w);
        civ_buf_append(w->text, s + i, j - i);
        i = j;
    }
}

static void set_break(walker *w, int level)
{
    if (w->pending_break < level)
        w->pending_break = level;
}

static char *prop(const xmlNode *n, const char *name)
{
    return (char *)xmlGetProp((xmlNodePtr)n, (const xmlChar *)name);
}

static void add_keywords(civ_doc *doc, const char *v)
{
    const char *start = v;
    for (const char *p = v;; p++) {
        if (*p == ',' || *p == ';' || *p == '\0') {
            civ_doc_add(doc, "keywords", start, (size_t)(p - start));
            if (!*p)
                break;
            start = p + 1;
        }
    }
}

/* <meta name=… content=…> and <meta property=… content=…>. */
static void html_meta(walker *w, const xmlNode *n)
{
    char *name = prop(n, "name");
    if (!name)
        name = prop(n, "property");
    if (!name)
        name = prop(n, "itemprop");
    char *content = prop(n, "content");
    char *equiv = prop(n, "http-equiv");
    if (equiv && content && strcasecmp(equiv, "content-language") == 0 && !civ_doc_get(w->doc, "lang"))
        civ_doc_add_str(w->doc, "lang", content);
    if (name && content) {
        static const struct { const char *name, *field; } map[] = {
            { "author", "author" },           { "dc.creator", "author" },
            { "dcterms.creator", "author" },  { "citation_author", "author" },
            { "article:author", "author" },   { "byl", "author" },
            { "description", "description" }, { "dc.description", "description" },
            { "dcterms.description", "description" }, { "og:description", "description" },
            { "keywords", "keywords" },       { "dc.subject", "keywords" },
            { "news_keywords", "keywords" },
            { "date", "date" },               { "dc.date", "date" },
            { "dc.date.issued", "date" },     { "dc.date.created", "date" },
            { "dcterms.date", "date" },       { "dcterms.issued", "date" },
            { "dcterms.created", "date" },    { "article:published_time", "date" },
            { "citation_date", "date" },      { "citation_publication_date", "date" },
            { "datepublished", "date" },      { "pubdate", "date" },
            { "publish-date", "date" },
            { "dc.title", "title" },          { "dcterms.title", "title" },
            { "og:title", "title" },          { "citation_title", "title" },
            { "dc.language", "lang" },        { "dcterms.language", "lang" },
            { "citation", "citation" },       { "dcterms.bibliographiccitation", "citation" },
        };
        /* A citation in parts: "585" "U.S." "296" (civ_dom_extract joins them). */
        static const char *const parts[] = { "citation_volume", "citation_journal_abbrev",
                                              "citation_firstpage" };
        for (size_t i = 0; i < 3; i++)
            if (strcasecmp(name, parts[i]) == 0 && !w->cite[i][0])
                snprintf(w->cite[i], sizeof w->cite[i], "%s", content);
        for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
            if (strcasecmp(name, map[i].name) != 0)
                continue;
            const char *field = map[i].field;
            if (strcmp(field, "keywords") == 0)
                add_keywords(w->doc, content);
            else if (strcmp(field, "author") == 0)
                civ_doc_add_str(w->doc, field, content);
            else if (!civ_doc_get(w->doc, field)) {
                civ_doc_add_str(w->doc, field, content);
                if (strcmp(field, "title") == 0)
                    w->have_title = 1;
            }
            break;
        }
    }
    xmlFree(name);
    xmlFree(content);
    xmlFree(equiv);
}

static char *node_text(const xmlNode *n)
{
    return (char *)xmlNodeGetContent((xmlNodePtr)n);
}

static void walk(walker *w, xmlNode *n);

/* The text below top, in document order, words apart, without
 * recursion; skipped elements stay skipped. */
static void flat_text(walker *w, xmlNode *top)
{
    xmlNode *c = top->children;
    while (c) {
        if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
            w->pending_space = 1;
            add_text(w, (const char *)c->content, strlen((const char *)c->content));
        } else if (c->type == XML_ELEMENT_NODE && c->children &&
                   !(w->mode == CIV_DOM_HTML && in_list(c, skip_elems))) {
            c = c->children;
            continue;
        }
        while (c && c != top && !c->next)
            c = c->parent;
        if (!c || c == top)
            return;
        c = c->next;
    }
}

static void walk_children(walker *w, xmlNode *n)
{
    if (w->depth >= DOM_MAX_DEPTH) {
        civ_doc_note_bounded(w->doc, "elements nested deeper than " CIV_STR(DOM_MAX_DEPTH)
                                     " were read as plain text");
        flat_text(w, n);
        return;
    }
    w->depth++;
    for (xmlNode *c = n->children; c; c = c->next)
        walk(w, c);
    w->depth--;
}

/* XML metadata by local element name, first occurrence wins. */
static void xml_meta(walker *w, const xmlNode *n)
{
    static const struct { const char *name, *field; } map[] = {
        { "title", "title" },         { "headline", "title" },
        { "author", "author" },       { "creator", "author" },
        { "byline", "author" },       { "date", "date" },
        { "pubdate", "date" },        { "published", "date" },
        { "issued", "date" },         { "created", "date" },
        { "description", "description" }, { "abstract", "description" },
        { "subject", "keywords" },    { "keyword", "keywords" },
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (!name_is(n, map[i].name))
            continue;
        const char *field = map[i].field;
        int multi = strcmp(field, "author") == 0 || strcmp(field, "keywords") == 0;
        if (!multi && civ_doc_get(w->doc, field))
            return;
        char *t = node_text(n);
        if (t) {
            /* Skip containers (an <author> holding a long biography). */
            if (strlen(t) < 300)
                civ_doc_add_str(w->doc, field, t);
            xmlFree(t);
        }
        return;
    }
}

static void walk(walker *w, xmlNode *n)
{
    switch (n->type) {
    case XML_TEXT_NODE:
    case XML_CDATA_SECTION_NODE:
        if (n->content)
            add_text(w, (const char *)n->content, strlen((const char *)n->content));
        return;
    case XML_ELEMENT_NODE:
        break;
    default:
        return;
    }
    if (w->mode == CIV_DOM_HTML) {
        if (in_list(n, skip_elems))
            return;
        if (name_is(n, "head")) {
            for (xmlNode *c = n->children; c; c = c->next) {
                if (c->type != XML_ELEMENT_NODE)
                    continue;
                if (name_is(c, "title") && !w->have_title) {
                    char *t = node_text(c);
                    if (t && *t) {
                        civ_doc_add_str(w->doc, "title", t);
                        w->have_title = civ_doc_get(w->doc, "title") != NULL;
                    }
                    xmlFree(t);
                } else if (name_is(c, "meta")) {
                    html_meta(w, c);
                }
            }
            return;
        }
        if (name_is(n, "title") || name_is(n, "meta")) {
            /* Misplaced outside <head> by sloppy pages. */
            if (name_is(n, "meta"))
                html_meta(w, n);
            else if (!w->have_title) {
                char *t = node_text(n);
                if (t && *t)
                    civ_doc_add_str(w->doc, "title", t);
                w->have_title = civ_doc_get(w->doc, "title") != NULL;
                xmlFree(t);
            }
            return;
        }
        if (name_is(n, "img") || name_is(n, "area")) {
            char *alt = prop(n, "alt");
            if (alt && *alt) {
                w->pending_space = 1;
                add_text(w, alt, strlen(alt));
                w->pending_space = 1;
            }
            xmlFree(alt);
            return;
        }
        int block = in_list(n, block_elems);
        int heading = in_list(n, heading_elems);
        int pre = name_is(n, "pre");
        if (block)
            set_break(w, name_is(n, "br") || name_is(n, "li") || name_is(n, "tr") ? 1 : 2);
        else if (name_is(n, "td") || name_is(n, "th"))
            w->pending_space = 1;
        if (heading && !w->in_heading) {
            w->in_heading = 1;
            civ_buf_reset(&w->heading);
        }
        int old_pre = w->pre;
        w->pre |= pre;
        walk_children(w, n);
        w->pre = old_pre;
        if (heading && w->in_heading) {
            w->in_heading = 0;
            const char *h = civ_buf_str(&w->heading);
            if (name_is(n, "h1") && !w->have_title && !w->first_h1_done) {
                civ_doc_add_str(w->doc, "title", h);
                w->have_title = civ_doc_get(w->doc, "title") != NULL;
            }
            civ_doc_add_str(w->doc, "heading", h);
            if (name_is(n, "h1"))
                w->first_h1_done = 1;
        }
        if (block)
            set_break(w, name_is(n, "br") || name_is(n, "li") || name_is(n, "tr") ? 1 : 2);
        return;
    }
    /* XML: metadata by element name; every boundary separates words. */
    xml_meta(w, n);
    if (n->children && n->children->type == XML_ELEMENT_NODE)
        set_break(w, 1);
    w->pending_space = 1;
    walk_children(w, n);
    w->pending_space = 1;
}

static void doc_lang(civ_doc *doc, xmlNode *root)
{
    if (!root || civ_doc_get(doc, "lang"))
        return;
    xmlChar *lang = xmlNodeGetLang(root);
    if (!lang)
        lang = xmlGetProp(root, (const xmlChar *)"lang");
    if (lang && *lang) {
        /* Keep the primary subtag: "en-GB" → "en". */
        size_t n = strcspn((const char *)lang, "-_");
        civ_doc_add(doc, "lang", (const char *)lang, n);
    }
    xmlFree(lang);
}

civ_status civ_dom_extract(civ_doc *doc, xmlDocPtr tree, enum civ_dom_mode mode, civ_error *err)
{
    xmlNode *root = xmlDocGetRootElement(tree);
    walker w;
    memset(&w, 0, sizeof w);
    w.doc = doc;
    w.text = civ_doc_text_buf(doc);
    w.mode = mode;
    w.have_title = civ_doc_get(doc, "title") != NULL;
    if (w.text->len)
        w.pending_break = 2;
    if (root) {
        doc_lang(doc, root);
        walk(&w, root);
    }
    civ_buf_free(&w.heading);
    if (w.cite[0][0] && w.cite[1][0] && w.cite[2][0] && !civ_doc_get(doc, "citation")) {
        char cite[200];
        snprintf(cite, sizeof cite, "%s %s %s", w.cite[0], w.cite[1], w.cite[2]);
        civ_doc_add_str(doc, "citation", cite);
    }
    if (civ_buf_failed(w.text))
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    return civ_doc_check(doc, err);
}

/* ---- attribute bombs ------------------------------------------------------- */

/* Scans a tag's attributes from in[i] (just after its name) to its '>':
 * returns the index of the '>' (len when none), and in *cut where the
 * attribute beyond the limit starts (0 when there are few enough). */
static size_t scan_tag(const char *in, size_t i, size_t len, size_t *cut)
{
    unsigned attrs = 0;
    char quote = 0, last = ' ';
    int space = 0;
    *cut = 0;
    for (; i < len; i++) {
        char c = in[i];
        if (quote) {
            if (c == quote)
                quote = 0;
            continue;
        }
        if (c == '>')
            return i;
        if (c == '"' || c == '\'') {
            quote = c;
            last = c;
            space = 0;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
            space = 1;
            continue;
        }
        if (space && c != '=' && c != '/' && last != '=' && ++attrs > CIV_DOM_MAX_ATTRS && !*cut)
            *cut = i;
        space = 0;
        last = c;
    }
    return len;
}

int civ_dom_cap_attributes(civ_buf *out, const char *in, size_t len)
{
    int copying = 0;
    size_t done = 0; /* in[0..done) is in out (when copying) */
    for (size_t i = 0; i < len; i++) {
        if (in[i] != '<' || i + 1 >= len || !isalpha((unsigned char)in[i + 1]))
            continue;
        size_t cut, end = scan_tag(in, i + 1, len, &cut);
        if (cut) {
            if (!copying) {
                civ_buf_reset(out);
                copying = 1;
            }
            civ_buf_append(out, in + done, cut - done);
            /* The tag's end as it was: "/>" stays self-closing. */
            size_t k = end;
            while (k > cut && (in[k - 1] == ' ' || in[k - 1] == '\t' || in[k - 1] == '\n' || in[k - 1] == '\r'))
                k--;
            if (k > cut && in[k - 1] == '/')
                civ_buf_putc(out, '/');
            done = end;
        }
        i = end;
    }
    if (!copying)
        return 0;
    civ_buf_append(out, in + done, len - done);
    return civ_buf_failed(out) ? -1 : 1;
}

static void dom_quiet_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void civ_dom_quiet(void)
{
    xmlSetGenericErrorFunc(NULL, dom_quiet_error);
    xmlThrDefSetGenericErrorFunc(NULL, dom_quiet_error);
}
