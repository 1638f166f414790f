/*
 * Mail: single RFC 5322 messages (.eml) and mbox files (one document per
 * message), parsed in-process with GMime 3 — mailboxes with GMime's own
 * mbox parser.
 *
 * Every message becomes a letter: from/to/cc ("Name <addr>", one value per
 * address), subject (also the title), date (UTC, to the second), message
 * id, the thread it belongs to, and the readable text of its parts:
 * text/plain preferred in multipart/alternative; HTML bodies and every
 * attachment go back through the extractor registry (extract.h), so an
 * attached HTML page, gzip file or forwarded .eml is read as the same file
 * would be; binary attachments are listed by name. Broken MIME gives
 * one-line warnings, never a failed file.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gmime/gmime.h>

#include "civ/charset.h"
#include "civ/date.h"
#include "civ/hash.h"
#include "civ/lines.h"
#include "civ/utf8.h"
#include "extract.h"
#include "mail.h"

static const char *const mail_exts[] = { "eml", NULL };
static const char *const mail_types[] = { "message/rfc822", NULL };
static const char *const mbox_exts[] = { "mbox", NULL };
static const char *const mbox_types[] = { "application/mbox", NULL };

/* MIME trees deeper than this are not followed (GMime has its own limit). */
#define MAX_DEPTH 24

/* ---- GMime set-up ----------------------------------------------------- */

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void gmime_start(void)
{
    g_mime_init();
}

/* ---- the mbox "From " line --------------------------------------------- */

int civ_mail_from_line(const char *line, size_t n, civ_date *date)
{
    if (n < 5 || memcmp(line, "From ", 5) != 0)
        return 0;
    size_t i = 5;
    while (i < n && line[i] == ' ')
        i++;
    /* The envelope sender: one token; an asctime() date after it
     * ("Thu Aug 22 12:36:23 2002", a zone may come before the year). */
    size_t s = i;
    while (i < n && line[i] != ' ' && line[i] != '\t')
        i++;
    civ_date d;
    if (i == s || civ_date_parse_loose(&d, line + i, n - i) != 0 || !d.has_time ||
        d.year < 1970)
        return 0;
    if (date)
        *date = d;
    return 1;
}

/* ---- sniffing ------------------------------------------------------------ */

/* Checks that bytes start with an RFC 5322 header block holding at least
 * two headers mail always has. Returns how many such headers were seen. */
static int header_block(const unsigned char *bytes, size_t len)
{
    static const char *const known[] = {
        "from", "to", "cc", "subject", "date", "message-id", "received", "return-path",
        "mime-version", "delivered-to", "reply-to", "in-reply-to", "references", "sender",
        "content-type", "x-mailer", "user-agent", "envelope-to", "x-original-to", NULL,
    };
    civ_lines it;
    const char *l;
    size_t n;
    int lines = 0, hits = 0;
    civ_lines_init(&it, (const char *)bytes, len < 16384 ? len : 16384);
    while (civ_lines_next(&it, &l, &n, 0)) {
        if (n && l[n - 1] == '\r')
            n--;
        if (n == 0)
            break;
        if (l[0] == ' ' || l[0] == '\t') {
            if (lines == 0)
                return 0;
            continue;
        }
        size_t k = 0;
        while (k < n && l[k] != ':' && (unsigned char)l[k] > ' ' && (unsigned char)l[k] < 127)
            k++;
        if (k == 0 || k >= n || l[k] != ':' || k > 76)
            return 0;
        for (int j = 0; known[j]; j++)
            if (strlen(known[j]) == k && strncasecmp(l, known[j], k) == 0) {
                hits++;
                break;
            }
        lines++;
    }
    return hits;
}

/* Offset just past a leading mbox "From " line, or 0 when there is none. */
static size_t skip_from_line(const unsigned char *bytes, size_t len, civ_date *d)
{
    civ_lines it;
    const char *l;
    size_t n;
    civ_lines_init(&it, (const char *)bytes, len);
    if (!civ_lines_next(&it, &l, &n, 0) || it.pos > len || bytes[it.pos - 1] != '\n')
        return 0;
    if (n && l[n - 1] == '\r')
        n--;
    return civ_mail_from_line(l, n, d) ? it.pos : 0;
}

static int mail_sniff(const unsigned char *b, size_t len)
{
    size_t skip = skip_from_line(b, len, NULL);
    int hits = header_block(b + skip, len - skip);
    if (hits < 2)
        return 0;
    return skip ? 85 : 80;
}

static int mbox_sniff(const unsigned char *b, size_t len)
{
    size_t skip = skip_from_line(b, len, NULL);
    if (!skip || header_block(b + skip, len - skip) < 2)
        return 0;
    /* A second message makes it a mailbox rather than one saved mail. */
    civ_lines it;
    const char *l;
    size_t n;
    civ_lines_init(&it, (const char *)b, len);
    it.pos = skip;
    while (civ_lines_next(&it, &l, &n, 0))
        if (n >= 5 && l[0] == 'F' && civ_mail_from_line(l, n && l[n - 1] == '\r' ? n - 1 : n, NULL))
            return 90;
    return 0;
}

/* ---- one message ---------------------------------------------------------- */

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

static void mwarn(mail *m, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

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

/* Starts a new paragraph in the message text. */
static void paragraph(mail *m)
{
    civ_buf *t = m->text;
    if (t->len == 0)
        return;
    if (t->data[t->len - 1] != '\n')
        civ_buf_putc(t, '\n');
    if (t->len < 2 || t->data[t->len - 2] != '\n')
        civ_buf_putc(t, '\n');
}

/* Appends UTF-8 text (already clean) as a paragraph. */
static void add_text(mail *m, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == '\n' || s[i] == ' ' || s[i] == '\t'))
        i++;
    while (n > i && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == i)
        return;
    paragraph(m);
    civ_buf_append(m->text, s + i, n - i);
}

static void add_message(mail *m, GMimeMessage *msg, int depth, int nested);
static void add_object(mail *m, GMimeObject *obj, int depth);

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

/* Hands a part to the registry; its text joins the message's, except an
 * attached PDF, office file or archive, which becomes a document of its
 * own: MAIL#name (MBOX#3#name in a mailbox). */
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
        /* A second attachment of the same name gets a number. */
        for (unsigned k = 1; k < 1000; k++) {
            civ_buf_reset(&sub);
            civ_buf_printf(&sub, "\n%s#%s", m->sub ? m->sub : "", name);
            if (k > 1)
                civ_buf_printf(&sub, " (%u)", k);
            civ_buf_putc(&sub, '\n');
            if (civ_buf_failed(&sub) || !m->own.len || !strstr(m->own.data, sub.data))
                break;
        }
        civ_buf_append(&m->own, sub.data, sub.len);
        if (civ_buf_failed(&sub) || civ_buf_failed(&m->own)) {
            set_fatal(m, CIV_ENOMEM, NULL);
        } else {
            sub.data[--sub.len] = '\0';
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
            add_text(m, civ_buf_str(&t), t.len);
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
    add_text(m, civ_buf_str(&t), t.len);
    civ_buf_free(&t);
}

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
            add_message(m, inner, depth + 1, 1);
        return;
    }
    if (GMIME_IS_PART(obj))
        add_leaf(m, GMIME_PART(obj));
}

/* "Name <addr>", "addr" or "Name" for one mailbox into out. */
static void format_mailbox(civ_buf *out, InternetAddress *ia)
{
    const char *name = internet_address_get_name(ia);
    const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
    while (name && (*name == ' ' || *name == '"' || *name == '\''))
        name++;
    size_t nl = name ? strlen(name) : 0;
    while (nl && (name[nl - 1] == ' ' || name[nl - 1] == '"' || name[nl - 1] == '\''))
        nl--;
    int have_addr = addr && *addr;
    if (nl && have_addr && !(strlen(addr) == nl && strncasecmp(addr, name, nl) == 0))
        civ_buf_printf(out, "%.*s <%s>", (int)nl, name, addr);
    else if (have_addr)
        civ_buf_puts(out, addr);
    else if (nl)
        civ_buf_append(out, name, nl);
}

static void add_list(mail *m, const char *field, InternetAddressList *list, int depth)
{
    int n = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n && depth < 4; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_list(m, field, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                     depth + 1);
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        civ_buf v = CIV_BUF_INIT;
        format_mailbox(&v, ia);
        char *dec = NULL;
        /* Encoded words where RFC 2047 allows none (inside the address)
         * are still decoded: senders meant them to be read. */
        if (v.len && strstr(v.data, "=?"))
            dec = g_mime_utils_header_decode_text(m->popts, v.data);
        if (dec)
            civ_doc_add_str(m->doc, field, dec);
        else if (v.len)
            civ_doc_add(m->doc, field, v.data, v.len);
        g_free(dec);
        civ_buf_free(&v);
    }
}

/* Addresses of a header; when GMime could make nothing of a header that is
 * there, its decoded text is kept as written. */
static void add_addresses(mail *m, GMimeMessage *msg, const char *field, const char *header,
                          GMimeAddressType type)
{
    InternetAddressList *list = g_mime_message_get_addresses(msg, type);
    if (list && internet_address_list_length(list) > 0) {
        add_list(m, field, list, 0);
        return;
    }
    const char *raw = g_mime_object_get_header(GMIME_OBJECT(msg), header);
    if (!raw || !*raw)
        return;
    char *dec = g_mime_utils_header_decode_text(m->popts, raw);
    if (dec) {
        civ_doc_add_str(m->doc, field, dec);
        g_free(dec);
    }
}

/* A Message-ID made comparable: no <>, trimmed, domain in lower case. */
static size_t msgid_norm(char *out, size_t outsz, const char *id)
{
    while (*id == ' ' || *id == '\t' || *id == '<')
        id++;
    size_t n = strlen(id);
    while (n && (id[n - 1] == ' ' || id[n - 1] == '\t' || id[n - 1] == '>' ||
                 id[n - 1] == '\r' || id[n - 1] == '\n'))
        n--;
    if (n >= outsz)
        n = outsz - 1;
    memcpy(out, id, n);
    out[n] = '\0';
    char *at = strrchr(out, '@');
    for (char *p = at; p && *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return n;
}

/* The first Message-ID in a References / In-Reply-To header, normalised. */
static size_t first_ref(mail *m, GMimeMessage *msg, const char *header, char *out, size_t outsz)
{
    const char *raw = g_mime_object_get_header(GMIME_OBJECT(msg), header);
    out[0] = '\0';
    if (!raw || !*raw)
        return 0;
    GMimeReferences *refs = g_mime_references_parse(m->popts, raw);
    size_t len = 0;
    if (refs && g_mime_references_length(refs) > 0)
        len = msgid_norm(out, outsz, g_mime_references_get_message_id(refs, 0));
    if (refs)
        g_mime_references_free(refs);
    if (len == 0 && !strchr(raw, '<') && strchr(raw, '@') && !strchr(raw, ' '))
        len = msgid_norm(out, outsz, raw);
    return len;
}

void civ_mail_thread_id(char out[17], const char *msgid)
{
    char norm[1024];
    size_t n = msgid_norm(norm, sizeof norm, msgid);
    civ_hash64_hex(out, civ_hash64(norm, n, 0));
}

/* Date of the message: the Date header, else the envelope (From line),
 * else the first Received header. Returns the source, or NULL. */
static const char *message_date(GMimeMessage *msg, const civ_date *envelope, civ_date *d)
{
    const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), "Date");
    if (v && civ_date_parse_mail(d, v, strlen(v)) == 0)
        return "header";
    if (envelope) {
        *d = *envelope;
        return "envelope";
    }
    GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
    int n = hl ? g_mime_header_list_get_count(hl) : 0;
    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(hl, i);
        const char *name = g_mime_header_get_name(h);
        if (!name || strcasecmp(name, "Received") != 0)
            continue;
        const char *rv = g_mime_header_get_value(h);
        const char *semi = rv ? strrchr(rv, ';') : NULL;
        if (semi && civ_date_parse_mail(d, semi + 1, strlen(semi + 1)) == 0)
            return "received";
        break;
    }
    return NULL;
}

/* A forwarded or attached message: its headers as a paragraph, then its
 * body. The top-level message: fields, then body. */
static void add_message(mail *m, GMimeMessage *msg, int depth, int nested)
{
    if (nested) {
        static const char *const shown[] = { "From", "To", "Cc", "Date", "Subject", NULL };
        paragraph(m);
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
static void unquote_from(civ_buf *t)
{
    civ_lines it;
    const char *l;
    size_t n, w = 0;
    civ_lines_init(&it, t->data ? t->data : "", t->len);
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
    if (t->data)
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

/* Fills doc from a parsed message. sub: its id suffix in the file, for
 * the thread id of a message without any Message-ID. */
static civ_status fill_message(mail *m, GMimeMessage *msg, const civ_date *envelope,
                               int from_mbox, const char *sub, civ_error *err)
{
    civ_doc *doc = m->doc;
    const civ_input *in = m->in;
    m->sub = sub;
    GMimeHeaderList *hl = msg ? g_mime_object_get_header_list(GMIME_OBJECT(msg)) : NULL;
    if (!msg || !hl || g_mime_header_list_get_count(hl) == 0)
        return civ_error_set(err, CIV_EFORMAT, "not a mail message: no headers");
    int nested = in->depth > 0;
    civ_doc_set_str(doc, "type", "letter");
    add_addresses(m, msg, "from", "From", GMIME_ADDRESS_TYPE_FROM);
    if (!civ_doc_get(doc, "from"))
        add_addresses(m, msg, "from", "Sender", GMIME_ADDRESS_TYPE_SENDER);
    add_addresses(m, msg, "to", "To", GMIME_ADDRESS_TYPE_TO);
    add_addresses(m, msg, "cc", "Cc", GMIME_ADDRESS_TYPE_CC);

    const char *subject = g_mime_message_get_subject(msg);
    civ_doc_add_str(doc, "subject", subject ? subject : "");
    const char *subj = civ_doc_get(doc, "subject");
    civ_doc_set_str(doc, "title", subj ? subj : "(no subject)");

    civ_date d;
    const char *src = message_date(msg, envelope, &d);
    if (src) {
        char iso[21];
        civ_date_iso(&d, iso);
        civ_doc_set_str(doc, "date", iso);
        civ_doc_set_str(doc, "date_source", src);
    }

    char own[1024], root[1024], parent[1024];
    const char *mid = g_mime_message_get_message_id(msg);
    size_t ownlen = mid ? msgid_norm(own, sizeof own, mid) : 0;
    if (ownlen)
        civ_doc_set_str(doc, "message_id", own);
    size_t plen = first_ref(m, msg, "In-Reply-To", parent, sizeof parent);
    if (plen)
        civ_doc_set_str(doc, "in_reply_to", parent);
    size_t rlen = first_ref(m, msg, "References", root, sizeof root);
    /* A message with no id at all is a thread of its own, named after
     * the document. */
    char self[1024];
    snprintf(self, sizeof self, "civ:%s%s", in->file ? in->file->id : "", sub ? sub : "");
    const char *key = rlen ? root : plen ? parent : ownlen ? own : self;
    char tid[17];
    civ_mail_thread_id(tid, key);
    civ_doc_set_str(doc, "thread", tid);

    /* Content-Language (of the message, else of its body part). */
    const char *lang = g_mime_object_get_header(GMIME_OBJECT(msg), "Content-Language");
    GMimeObject *body = g_mime_message_get_mime_part(msg);
    if ((!lang || !*lang) && body)
        lang = g_mime_object_get_header(body, "Content-Language");
    if (lang && *lang) {
        size_t ln = 0;
        while (lang[ln] == ' ')
            lang++;
        while (lang[ln] && lang[ln] != ',' && lang[ln] != ' ' && lang[ln] != ';' && ln < 35)
            ln++;
        civ_doc_add(doc, "lang", lang, ln);
    }

    add_message(m, msg, 0, nested);
    if (from_mbox)
        unquote_from(m->text);
    if (m->fatal) {
        if (err)
            *err = m->fatal_err;
        return m->fatal;
    }
    return civ_doc_check(doc, err);
}

static void mail_init(mail *m, const civ_input *in, civ_doc *doc, const char *label)
{
    pthread_once(&gmime_once, gmime_start);
    memset(m, 0, sizeof *m);
    m->in = in;
    m->doc = doc;
    m->text = civ_doc_text_buf(doc);
    m->label = label ? label : "";
    m->popts = parser_options(m);
}

/* ---- .eml ------------------------------------------------------------------ */

static civ_status mail_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    civ_date env;
    size_t skip = skip_from_line(in->bytes, in->len, &env);
    mail m;
    mail_init(&m, in, doc, NULL);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer((const char *)in->bytes + skip,
                                                            in->len - skip);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, m.popts);
    /* A message saved from a mailbox (it starts with the "From " line)
     * keeps the mailbox's ">From " quoting: undone. */
    civ_status s = fill_message(&m, msg, skip ? &env : NULL, skip > 0, NULL, err);
    if (msg)
        g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(m.popts);
    civ_buf_free(&m.own);
    return s;
}

/* ---- mbox ------------------------------------------------------------------ */

static civ_status mbox_extract(const civ_input *in, civ_doc *unused, civ_error *err)
{
    (void)unused;
    pthread_once(&gmime_once, gmime_start);
    const char *b = (const char *)in->bytes;
    size_t len = in->len, pos = 0;
    /* Blank lines before the first message are harmless. */
    while (pos < len && (b[pos] == '\n' || b[pos] == '\r'))
        pos++;
    int marked = skip_from_line(in->bytes + pos, len - pos, NULL) > 0;
    if (pos < len && !marked)
        civ_input_warn(in, "does not start with an mbox \"From \" line; read as one message");
    civ_doc *doc = NULL;
    civ_status s = civ_doc_new(&doc, err);
    if (s != CIV_OK)
        return s;
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(b + pos, len - pos);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, marked ? GMIME_FORMAT_MBOX : GMIME_FORMAT_MESSAGE);
    unsigned n = 0;
    while (s == CIV_OK && !g_mime_parser_eos(parser) && (marked || n == 0)) {
        n++;
        char label[32], sub[16];
        snprintf(label, sizeof label, "message #%u: ", n);
        snprintf(sub, sizeof sub, "#%u", n);
        civ_doc_clear(doc);
        mail m;
        mail_init(&m, in, doc, label);
        GMimeMessage *msg = g_mime_parser_construct_message(parser, m.popts);
        if (!msg && g_mime_parser_eos(parser) && n > 1) {
            g_mime_parser_options_free(m.popts);
            civ_buf_free(&m.own);
            break;
        }
        civ_date env;
        int have_env = 0;
        char *marker = marked ? g_mime_parser_get_mbox_marker(parser) : NULL;
        if (marker)
            have_env = civ_mail_from_line(marker, strlen(marker), &env);
        g_free(marker);
        civ_error merr = CIV_ERROR_INIT;
        civ_status ms = fill_message(&m, msg, have_env ? &env : NULL, marked, sub, &merr);
        if (msg)
            g_object_unref(msg);
        g_mime_parser_options_free(m.popts);
        civ_buf_free(&m.own);
        if (ms == CIV_OK) {
            s = civ_extract_emit(in, doc, sub, err);
        } else if (ms == CIV_EFORMAT) {
            civ_input_warn(in, "message #%u skipped: %s", n, merr.msg);
            if (!msg)
                break; /* nothing more GMime can read */
        } else {
            if (err)
                *err = merr;
            s = ms;
        }
    }
    g_object_unref(parser);
    g_object_unref(stream);
    civ_doc_free(doc);
    return s;
}

const civ_extractor civ_extractor_mail = {
    .name = "mail",
    .flags = CIV_EXTRACTOR_BINARY_OK,
    .extensions = mail_exts,
    .media_types = mail_types,
    .sniff = mail_sniff,
    .extract = mail_extract,
};

const civ_extractor civ_extractor_mbox = {
    .name = "mbox",
    .flags = CIV_EXTRACTOR_BINARY_OK,
    .extensions = mbox_exts,
    .media_types = mbox_types,
    .sniff = mbox_sniff,
    .extract = mbox_extract,
};
