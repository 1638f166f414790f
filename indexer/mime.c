/* The MIME tree of one message: see mime.h. */
#include "mime.h"

#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "civ/charset.h"
#include "civ/lines.h"
#include "civ/utf8.h"

/* MIME trees deeper than this are not followed (GMime has its own limit). */
#define MAX_DEPTH 24

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

void mime_start(void)
{
    pthread_once(&gmime_once, gmime_start);
}

static void mwarn(mail *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static void add_object(mail *m, GMimeObject *obj, int depth);

static void mwarn(mail *m, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    civ_input_warn(m->in, "%s%s", m->label, msg);
}

static void set_fatal(mail *m, civ_status s, const civ_error *e)
{
    if (m->fatal)
        return;
    m->fatal = s;
    if (e)
        m->fatal_err = *e;
    else
        civ_error_set(&m->fatal_err, s, "%s", civ_status_name(s));
}

/* GMime reports what it had to repair; the kinds that change what we read
 * become warnings (once per message each). */
static void on_parser_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
                              gpointer data)
{
    (void)offset;
    (void)item;
    mail *m = data;
    const char *what;
    switch (code) {
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY: what = "missing MIME boundary"; break;
    case GMIME_WARN_MALFORMED_MULTIPART: what = "malformed multipart: end boundary missing"; break;
    case GMIME_WARN_TRUNCATED_MESSAGE: what = "truncated message"; break;
    case GMIME_WARN_MALFORMED_MESSAGE: what = "malformed message headers"; break;
    case GMIME_CRIT_NESTING_OVERFLOW: what = "MIME parts nested too deeply"; break;
    default: return;
    }
    unsigned bit = 1u << ((unsigned)code & 31);
    if (m->warned & bit)
        return;
    m->warned |= bit;
    mwarn(m, "%s", what);
}

/* Decodes bytes in a declared charset to UTF-8, appending to out. */
static void decode_text(mail *m, civ_buf *out, const char *bytes, size_t len,
                        const char *charset, unsigned part)
{
    civ_text_info info;
    const char *declared = charset && *charset ? charset : NULL;
    if (civ_text_decode(out, bytes, len, declared, &info, NULL) != CIV_OK) {
        set_fatal(m, CIV_ENOMEM, NULL);
        return;
    }
    if (declared && !civ_charset_known(declared)) {
        char lower[32];
        civ_ascii_lower(lower, sizeof lower, info.charset);
        mwarn(m, "bad charset %.40s in part %u, decoded as %s", declared, part, lower);
    }
}

/* Reads the decoded content of a leaf part (transfer encoding undone) into
 * out. *truncated is set when base64 content ends in the middle of a group.
 * With out NULL nothing is decoded or kept: only *truncated is found (for
 * binary attachments, which are listed by name). Reading stops once out
 * holds `enough` bytes (SIZE_MAX: read all; *truncated is then only
 * known for what was read). */
static void part_content_upto(mail *m, GMimePart *part, civ_buf *out, int *truncated,
                              size_t enough)
{
    *truncated = 0;
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    GMimeStream *raw = w ? g_mime_data_wrapper_get_stream(w) : NULL;
    if (!raw)
        return;
    GMimeContentEncoding enc = g_mime_data_wrapper_get_encoding(w);
    GMimeEncoding st;
    g_mime_encoding_init_decode(&st, enc);
    int decode = enc == GMIME_CONTENT_ENCODING_BASE64 ||
                 enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
                 enc == GMIME_CONTENT_ENCODING_UUENCODE;
    size_t b64 = 0;
    char chunk[16384];
    g_mime_stream_reset(raw);
    for (;;) {
        if (out && out->len >= enough)
            break;
        ssize_t n = g_mime_stream_read(raw, chunk, sizeof chunk);
        if (n <= 0)
            break;
        /* Decoded so far (base64: three bytes a group of four). */
        size_t have = out ? out->len : b64 / 4 * 3;
        if (have + (size_t)n > m->in->max_size) {
            mwarn(m, "part %u larger than the maximum size: cut", m->parts);
            break;
        }
        if (!decode) {
            if (out)
                civ_buf_append(out, chunk, (size_t)n);
            continue;
        }
        if (enc == GMIME_CONTENT_ENCODING_BASE64)
            for (ssize_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)chunk[i];
                if (isalnum(c) || c == '+' || c == '/' || c == '=')
                    b64++;
            }
        if (!out)
            continue;
        if (civ_buf_reserve(out, g_mime_encoding_outlen(&st, (size_t)n)) < 0)
            break;
        out->len += g_mime_encoding_step(&st, chunk, (size_t)n, out->data + out->len);
        out->data[out->len] = '\0';
    }
    if (out && decode && civ_buf_reserve(out, g_mime_encoding_outlen(&st, 0) + 16) == 0) {
        out->len += g_mime_encoding_flush(&st, "", 0, out->data + out->len);
        out->data[out->len] = '\0';
    }
    if (b64 % 4 != 0)
        *truncated = 1;
    if (out && civ_buf_failed(out))
        set_fatal(m, CIV_ENOMEM, NULL);
}

static void part_content(mail *m, GMimePart *part, civ_buf *out, int *truncated)
{
    part_content_upto(m, part, out, truncated, SIZE_MAX);
}

static int is_type(GMimeObject *obj, const char *type, const char *sub)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    return ct && g_mime_content_type_is_type(ct, type, sub);
}

/* Whether the registry may read a part of this name and type: otherwise
 * it is listed by name and never decoded. */
static int readable(const char *name, GMimeObject *obj)
{
    if (name) {
        size_t n = strlen(name);
        char base[256];
        snprintf(base, sizeof base, "%.*s", (int)(n > 3 && strcasecmp(name + n - 3, ".gz") == 0 ? n - 3 : n),
                 name);
        if (civ_extractor_for_name(base) || strcmp(base, name) != 0)
            return 1;
    }
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    int ok = type && civ_extractor_for_media_type(type) != NULL;
    g_free(type);
    return ok;
}

/* An attached file of a kind that is a document of its own (a PDF, an
 * office file, an archive): its extractor, else NULL. */
static const civ_extractor *own_document(const char *name, const char *type)
{
    const civ_extractor *ex = NULL;
    if (name) {
        size_t n = strlen(name);
        char base[256];
        snprintf(base, sizeof base, "%.*s",
                 (int)(n > 3 && strcasecmp(name + n - 3, ".gz") == 0 ? n - 3 : n), name);
        ex = civ_extractor_for_name(base);
    }
    if (!ex && type)
        ex = civ_extractor_for_media_type(type);
    return ex && (ex->flags & CIV_EXTRACTOR_OWN_DOC) ? ex : NULL;
}

/* The id suffix of an attachment that is a document of its own into sub:
 * "#name" ("#3#name" in a mailbox), a second attachment of the same name
 * numbered ("#name (2)"); remembered in m->own. 0, or -1 out of memory. */
static int own_sub(mail *m, const char *name, civ_buf *sub)
{
    for (unsigned k = 1; k < 1000; k++) {
        civ_buf_reset(sub);
        civ_buf_printf(sub, "\n%s#%s", m->sub ? m->sub : "", name);
        if (k > 1)
            civ_buf_printf(sub, " (%u)", k);
        civ_buf_putc(sub, '\n');
        if (civ_buf_failed(sub) || !m->own.len || !strstr(m->own.data, sub->data))
            break;
    }
    civ_buf_append(&m->own, sub->data, sub->len);
    if (civ_buf_failed(sub) || civ_buf_failed(&m->own))
        return -1;
    sub->data[--sub->len] = '\0';
    return 0;
}

/* Hands a part to the registry; its text joins the message's, except an
 * attached PDF, office file or archive, which becomes a document of its
 * own: MAIL#name (MBOX#3#name in a mailbox). cut: the part was truncated
 * (and said so already). */
static void read_part(mail *m, GMimeObject *obj, const char *name, const char *bytes, size_t len,
                      const char *charset, const char *what, int cut)
{
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *type = ct ? g_mime_content_type_get_mime_type(ct) : NULL;
    char label[200];
    snprintf(label, sizeof label, "%s%s", m->label, what);
    civ_part p = {
        .mode = CIV_PART_TEXT,
        .name = name,
        .media_type = type,
        .charset = charset,
        .bytes = (const unsigned char *)bytes,
        .len = len,
        .label = label,
    };
    civ_buf sub = CIV_BUF_INIT;
    if (name && own_document(name, type)) {
        if (own_sub(m, name, &sub) < 0) {
            set_fatal(m, CIV_ENOMEM, NULL);
        } else {
            p.mode = CIV_PART_DOCUMENT;
            p.sub = sub.data + 1;
        }
    }
    civ_part_result res;
    civ_error err = CIV_ERROR_INIT;
    civ_status s = m->fatal ? CIV_OK : civ_extract_part(m->in, &p, m->doc, &res, &err);
    if (m->fatal)
        res.outcome = CIV_FILE_SKIPPED;
    civ_buf_free(&sub);
    g_free(type);
    if (s != CIV_OK)
        set_fatal(m, s, &err);
    else if (res.outcome == CIV_FILE_FAILED && !cut) /* a cut part was reported */
        mwarn(m, "%s could not be read: %s", what, res.reason);
}

/* A leaf part: body text, an HTML body, or an attachment. */
static void add_leaf(mail *m, GMimePart *part)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    unsigned no = ++m->parts;
    const char *name = g_mime_part_get_filename(part);
    if (name && !*name)
        name = NULL;
    const char *disp = g_mime_object_get_disposition(obj);
    int attachment = disp && strcasecmp(disp, "attachment") == 0;
    int plain = is_type(obj, "text", "plain");
    int html = is_type(obj, "text", "html") || is_type(obj, "application", "xhtml+xml");
    const char *charset = g_mime_object_get_content_type_parameter(obj, "charset");
    /* Signatures and key material carry no text. */
    if (is_type(obj, "application", "pgp-signature") ||
        is_type(obj, "application", "pkcs7-signature") ||
        is_type(obj, "application", "x-pkcs7-signature") ||
        is_type(obj, "application", "pgp-keys"))
        return;
    int body = !attachment && !(name && !(plain || html));
    if (!body && name)
        civ_doc_add_str(m->doc, "attachment", name);
    int truncated;
    if (!(body && (plain || html)) && !readable(name, obj)) {
        /* Listed by name only, but say when its data is cut short. */
        GMimeDataWrapper *w = g_mime_part_get_content(part);
        if (w && g_mime_data_wrapper_get_encoding(w) == GMIME_CONTENT_ENCODING_BASE64) {
            part_content(m, part, NULL, &truncated);
            if (truncated && name)
                mwarn(m, "truncated base64 in attachment %.120s", name);
            else if (truncated)
                mwarn(m, "truncated base64 in part %u", no);
        }
        return;
    }
    civ_buf raw = CIV_BUF_INIT;
    part_content(m, part, &raw, &truncated);
    if (truncated) {
        if (name)
            mwarn(m, "truncated base64 in attachment %.120s", name);
        else
            mwarn(m, "truncated base64 in part %u", no);
    }
    if (!m->fatal && raw.len > 0) {
        char what[160];
        if (!body)
            snprintf(what, sizeof what, "attachment %.120s", name ? name : "(unnamed)");
        else
            snprintf(what, sizeof what, "HTML in part %u", no);
        if (body && plain) {
            civ_buf t = CIV_BUF_INIT;
            decode_text(m, &t, raw.data, raw.len, charset, no);
            civ_doc_add_paragraph(m->doc, civ_buf_str(&t), t.len);
            civ_buf_free(&t);
        } else {
            read_part(m, obj, name, raw.data, raw.len, charset, what, truncated);
        }
    }
    civ_buf_free(&raw);
}

/* 1 when a text/plain leaf holds nothing but white space. Its start
 * nearly always tells; the whole part is decoded only when that start is
 * blank (the chosen part is decoded again as the message's text). */
static int blank_plain(mail *m, GMimeObject *obj)
{
    civ_buf raw = CIV_BUF_INIT;
    int truncated;
    part_content_upto(m, GMIME_PART(obj), &raw, &truncated, 1);
    int blank = 1;
    for (size_t i = 0; i < raw.len && blank; i++)
        if (!isspace((unsigned char)raw.data[i]))
            blank = 0;
    if (!blank) {
        civ_buf_free(&raw);
        return 0;
    }
    civ_buf_reset(&raw);
    part_content(m, GMIME_PART(obj), &raw, &truncated);
    for (size_t i = 0; i < raw.len && blank; i++)
        if (!isspace((unsigned char)raw.data[i]))
            blank = 0;
    civ_buf_free(&raw);
    return blank;
}

/* multipart/alternative: the plain text if there is some, else the richest
 * other version (HTML, or a multipart/related holding it). */
static void add_alternative(mail *m, GMimeMultipart *mp, int depth)
{
    int n = g_mime_multipart_get_count(mp);
    GMimeObject *plain = NULL, *rich = NULL;
    for (int i = 0; i < n; i++) {
        GMimeObject *p = g_mime_multipart_get_part(mp, i);
        if (!p)
            continue;
        if (!plain && GMIME_IS_PART(p) && is_type(p, "text", "plain") && !blank_plain(m, p))
            plain = p;
        else if (is_type(p, "text", "html") || GMIME_IS_MULTIPART(p))
            rich = p;
    }
    if (plain) {
        add_object(m, plain, depth + 1);
        /* The other versions still count as parts for warning numbers. */
        m->parts += (unsigned)(n - 1);
    } else if (rich) {
        add_object(m, rich, depth + 1);
    } else {
        for (int i = 0; i < n; i++) {
            GMimeObject *p = g_mime_multipart_get_part(mp, i);
            if (p)
                add_object(m, p, depth + 1);
        }
    }
}

/* A multipart GMime found no parts in (its boundary parameter is missing
 * or wrong): everything is in the prologue. When the prologue starts with
 * a boundary line, the parts are read again with that boundary; otherwise
 * the prologue is read as plain text. */
static void recover_multipart(mail *m, GMimeMultipart *mp, int depth)
{
    const char *pro = g_mime_multipart_get_prologue(mp);
    if (!pro)
        return;
    const char *p = pro;
    while (*p == '\n' || *p == '\r' || *p == ' ')
        p++;
    size_t bl = 0;
    if (p[0] == '-' && p[1] == '-') {
        while (p[2 + bl] && !isspace((unsigned char)p[2 + bl]) && bl < 70)
            bl++;
    }
    if (bl > 0 && bl < 70) {
        const char *sub = g_mime_content_type_get_media_subtype(
            g_mime_object_get_content_type(GMIME_OBJECT(mp)));
        civ_buf b = CIV_BUF_INIT;
        civ_buf_printf(&b, "Content-Type: multipart/%s; boundary=\"%.*s\"\n\n%s",
                       sub && *sub ? sub : "mixed", (int)bl, p + 2, pro);
        if (civ_buf_failed(&b)) {
            set_fatal(m, CIV_ENOMEM, NULL);
            civ_buf_free(&b);
            return;
        }
        GMimeStream *stream = g_mime_stream_mem_new_with_buffer(b.data, b.len);
        GMimeParser *parser = g_mime_parser_new_with_stream(stream);
        GMimeObject *part = g_mime_parser_construct_part(parser, m->popts);
        int ok = part && GMIME_IS_MULTIPART(part) &&
                 g_mime_multipart_get_count(GMIME_MULTIPART(part)) > 0;
        if (ok)
            add_object(m, part, depth + 1);
        if (part)
            g_object_unref(part);
        g_object_unref(parser);
        g_object_unref(stream);
        civ_buf_free(&b);
        if (ok)
            return;
    }
    civ_buf t = CIV_BUF_INIT;
    decode_text(m, &t, pro, strlen(pro), NULL, ++m->parts);
    civ_doc_add_paragraph(m->doc, civ_buf_str(&t), t.len);
    civ_buf_free(&t);
}

static void add_object(mail *m, GMimeObject *obj, int depth);

static void add_object(mail *m, GMimeObject *obj, int depth)
{
    if (!obj || m->fatal)
        return;
    if (depth > MAX_DEPTH) {
        if (!(m->warned & 1u)) {
            m->warned |= 1u;
            mwarn(m, "MIME parts nested too deeply");
        }
        return;
    }
    if (GMIME_IS_MULTIPART_ENCRYPTED(obj)) {
        civ_doc_add_str(m->doc, "attachment", "(encrypted content)");
        return;
    }
    if (GMIME_IS_MULTIPART_SIGNED(obj)) {
        add_object(m, g_mime_multipart_get_part(GMIME_MULTIPART(obj), 0), depth + 1);
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        if (is_type(obj, "multipart", "alternative")) {
            add_alternative(m, mp, depth);
            return;
        }
        int n = g_mime_multipart_get_count(mp);
        if (n == 0) {
            recover_multipart(m, mp, depth);
            return;
        }
        for (int i = 0; i < n && !m->fatal; i++)
            add_object(m, g_mime_multipart_get_part(mp, i), depth + 1);
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        m->parts++;
        if (inner)
            mime_add_message(m, inner, depth + 1, 1);
        return;
    }
    if (GMIME_IS_PART(obj))
        add_leaf(m, GMIME_PART(obj));
}

/* A forwarded or attached message: its headers as a paragraph, then its
 * body. The top-level message: fields, then body. */
void mime_add_message(mail *m, GMimeMessage *msg, int depth, int nested)
{
    if (nested) {
        static const char *const shown[] = { "From", "To", "Cc", "Date", "Subject", NULL };
        civ_doc_new_paragraph(m->doc);
        for (int i = 0; shown[i]; i++) {
            const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), shown[i]);
            if (!v || !*v)
                continue;
            char *dec = g_mime_utils_header_decode_text(m->popts, v);
            civ_buf line = CIV_BUF_INIT;
            civ_buf_printf(&line, "%s: %s\n", shown[i], dec ? dec : v);
            civ_utf8_sanitize(m->text, line.data ? line.data : "", line.len);
            civ_buf_free(&line);
            g_free(dec);
        }
    }
    add_object(m, g_mime_message_get_mime_part(msg), depth);
}

/* Undoes mbox quoting in the message text: a line ">From " (any number of
 * '>') loses one '>'. */
void mime_unquote_from(civ_buf *t)
{
    if (!t->data) /* empty */
        return;
    civ_lines it;
    const char *l;
    size_t n, w = 0;
    civ_lines_init(&it, t->data, t->len);
    while (civ_lines_next(&it, &l, &n, 0)) {
        size_t k = 0;
        while (k < n && l[k] == '>')
            k++;
        int drop = k > 0 && n - k >= 5 && memcmp(l + k, "From ", 5) == 0;
        size_t keep = it.pos - (size_t)(l - t->data) - (size_t)drop;
        memmove(t->data + w, l + drop, keep);
        w += keep;
    }
    t->len = w;
    t->data[w] = '\0';
}

static GMimeParserOptions *parser_options(mail *m)
{
    GMimeParserOptions *po = g_mime_parser_options_new();
    static const char *fallback[] = { "UTF-8", "windows-1252", NULL };
    g_mime_parser_options_set_fallback_charsets(po, fallback);
    g_mime_parser_options_set_warning_callback(po, on_parser_warning, m);
    g_mime_parser_options_set_allow_addresses_without_domain(po, TRUE);
    return po;
}

void mime_init(mail *m, const civ_input *in, civ_doc *doc, const char *label)
{
    mime_start();
    memset(m, 0, sizeof *m);
    m->in = in;
    m->doc = doc;
    m->text = civ_doc_text_buf(doc);
    m->label = label ? label : "";
    m->popts = parser_options(m);
}

/* ---- parameter bombs --------------------------------------------------------- */

/* Whether the line at in[i] starts a header whose parameters GMime keeps
 * in a list. */
static int param_header(const char *in, size_t i, size_t len)
{
    static const char *const names[] = { "content-type:", "content-disposition:" };
    for (size_t k = 0; k < 2; k++) {
        size_t n = strlen(names[k]);
        if (len - i >= n && g_ascii_strncasecmp(in + i, names[k], n) == 0)
            return 1;
    }
    return 0;
}

/* The end of the header starting at in[i]: the newline of its last line
 * (continuation lines start with a space or a tab), or len. In *cut, where
 * the parameter beyond the limit starts (0 when there are few enough). */
static size_t header_end(const char *in, size_t i, size_t len, size_t *cut)
{
    unsigned params = 0;
    char quote = 0;
    *cut = 0;
    for (; i < len; i++) {
        char c = in[i];
        if (c == '\n') {
            if (i + 1 < len && (in[i + 1] == ' ' || in[i + 1] == '\t'))
                continue;
            return i;
        }
        if (quote) {
            if (c == '\\' && i + 1 < len && in[i + 1] != '\n')
                i++;
            else if (c == '"')
                quote = 0;
        } else if (c == '"') {
            quote = c;
        } else if (c == ';' && ++params > MIME_MAX_PARAMS && !*cut) {
            *cut = i;
        }
    }
    return len;
}

int mime_cap_params(civ_buf *out, const char *in, size_t len)
{
    int copying = 0;
    size_t done = 0; /* in[0..done) is in out (when copying) */
    for (size_t i = 0; i < len;) {
        if (param_header(in, i, len)) {
            size_t cut, end = header_end(in, i, len, &cut);
            if (cut) {
                if (!copying) {
                    civ_buf_reset(out);
                    copying = 1;
                }
                civ_buf_append(out, in + done, cut - done);
                done = end;
            }
            i = end;
        }
        const char *nl = memchr(in + i, '\n', len - i);
        i = nl ? (size_t)(nl - in) + 1 : len;
    }
    if (!copying)
        return 0;
    civ_buf_append(out, in + done, len - done);
    return civ_buf_failed(out) ? -1 : 1;
}
