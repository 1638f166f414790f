/* Plain text and Markdown: charset detection, front matter, headings. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

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
        { "summary", "description" },
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

/* Markdown headings: "# Title" lines. */
static void markdown_headings(const char *t, size_t len, civ_doc *doc)
{
    int have_title = civ_doc_get(doc, "title") != NULL;
    civ_lines it;
    const char *line;
    size_t n;
    int in_code = 0;
    civ_lines_init(&it, t, len);
    while (civ_lines_next(&it, &line, &n, 0)) {
        if (n >= 3 && strncmp(line, "```", 3) == 0)
            in_code = !in_code;
        if (!in_code && n > 1 && line[0] == '#') {
            size_t level = 0;
            while (level < n && line[level] == '#')
                level++;
            if (level <= 6 && level < n && line[level] == ' ') {
                const char *h = line + level + 1;
                size_t hn = n - level - 1;
                while (hn && (h[hn - 1] == '#' || h[hn - 1] == ' '))
                    hn--;
                if (level == 1 && !have_title) {
                    civ_doc_add(doc, "title", h, hn);
                    have_title = 1;
                } else {
                    civ_doc_add(doc, "heading", h, hn);
                }
            }
        }
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
    if (is_markdown(in->name))
        markdown_headings(t + skip, text.len - skip, doc);
    civ_doc_append_text(doc, t + skip, text.len - skip);
    civ_buf_free(&text);
    return civ_doc_check(doc, err);
}

const civ_extractor civ_extractor_text = {
    .name = "text",
    .extensions = text_exts,
    .media_types = text_types,
    .extract = text_extract,
};
