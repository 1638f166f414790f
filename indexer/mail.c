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
 * would be, and a PDF, office file or archive becomes a document of its
 * own; other binary attachments are listed by name. Broken MIME gives
 * one-line warnings, never a failed file.
 */
#include <ctype.h>
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
#include "mime.h"

static const char *const mail_exts[] = { "eml", NULL };
static const char *const mail_types[] = { "message/rfc822", NULL };
static const char *const mbox_exts[] = { "mbox", NULL };
static const char *const mbox_types[] = { "application/mbox", NULL };

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

/* ---- one message's headers ----------------------------------------------- */

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

    mime_add_message(m, msg, 0, nested);
    if (from_mbox)
        mime_unquote_from(m->text);
    if (m->fatal) {
        if (err)
            *err = m->fatal_err;
        return m->fatal;
    }
    return civ_doc_check(doc, err);
}


/* ---- .eml ------------------------------------------------------------------ */

/* The input's bytes with parameter bombs defused (mime_cap_params): in->
 * bytes, or a copy in capped (a warning says so). -1: out of memory. */
static int defused(const civ_input *in, civ_buf *capped, const char **b, size_t *len)
{
    *b = (const char *)in->bytes;
    *len = in->len;
    int cut = mime_cap_params(capped, *b, *len);
    if (cut > 0) {
        civ_input_warn(in, "headers with more than %d parameters were cut short", MIME_MAX_PARAMS);
        *b = capped->data;
        *len = capped->len;
    }
    return cut < 0 ? -1 : 0;
}

static civ_status mail_extract(const civ_input *in, civ_doc *doc, civ_error *err)
{
    civ_buf capped = CIV_BUF_INIT;
    const char *b;
    size_t len;
    if (defused(in, &capped, &b, &len) < 0) {
        civ_buf_free(&capped);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    civ_date env;
    size_t skip = skip_from_line((const unsigned char *)b, len, &env);
    mail m;
    mime_init(&m, in, doc, NULL);
    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(b + skip, len - skip);
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
    civ_buf_free(&capped);
    return s;
}

/* ---- mbox ------------------------------------------------------------------ */

static civ_status mbox_extract(const civ_input *in, civ_doc *unused, civ_error *err)
{
    (void)unused;
    mime_start();
    civ_buf capped = CIV_BUF_INIT;
    const char *b;
    size_t len, pos = 0;
    if (defused(in, &capped, &b, &len) < 0) {
        civ_buf_free(&capped);
        return civ_error_set(err, CIV_ENOMEM, "out of memory");
    }
    /* Blank lines before the first message are harmless. */
    while (pos < len && (b[pos] == '\n' || b[pos] == '\r'))
        pos++;
    int marked = skip_from_line((const unsigned char *)b + pos, len - pos, NULL) > 0;
    if (pos < len && !marked)
        civ_input_warn(in, "does not start with an mbox \"From \" line; read as one message");
    civ_doc *doc = NULL;
    civ_status s = civ_doc_new(&doc, err);
    if (s != CIV_OK) {
        civ_buf_free(&capped);
        return s;
    }
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
        mime_init(&m, in, doc, label);
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
    civ_buf_free(&capped);
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
