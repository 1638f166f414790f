/* Unit tests: indexer/mail.c — .eml and mbox through the pipeline, on the
 * fixtures in tests/fixtures/mail/. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <zlib.h>

#include "civ/buf.h"
#include "extract.h"
#include "mail.h"
#include "pipeline.h"

#define MAXDOCS 16

/* Everything one file gave: its documents (decoded copies of the stored
 * form) and its warnings. */
typedef struct seen {
    civ_doc *docs[MAXDOCS];
    int ndocs;
    int nwarn;
    civ_buf warnings; /* one per line */
    civ_file_report rep;
} seen;

static civ_status keep_doc(void *ctx, civ_doc *doc, const char *sub, civ_error *err)
{
    (void)sub;
    seen *s = ctx;
    if (s->ndocs >= MAXDOCS)
        return CIV_OK;
    civ_buf b = CIV_BUF_INIT;
    civ_status st = civ_doc_encode(&b, doc, 1, err);
    if (st == CIV_OK)
        st = civ_doc_decode(&s->docs[s->ndocs], b.data, b.len, 1, err);
    civ_buf_free(&b);
    s->ndocs++;
    return st;
}

static void on_warn(void *ctx, const char *msg)
{
    seen *s = ctx;
    s->nwarn++;
    civ_buf_printf(&s->warnings, "%s\n", msg);
}

static void done(seen *s)
{
    for (int i = 0; i < s->ndocs && i < MAXDOCS; i++)
        civ_doc_free(s->docs[i]);
    civ_buf_free(&s->warnings);
    memset(s, 0, sizeof *s);
}

static void process_bytes(seen *s, const char *name, const char *bytes, size_t len)
{
    memset(s, 0, sizeof *s);
    civ_pipeline_opts o = { 0 };
    o.warn = on_warn;
    o.warn_ctx = s;
    o.max_size = 1 << 22;
    civ_error err = CIV_ERROR_INIT;
    civ_status st = civ_pipeline_bytes(&o, name, name, name, (const unsigned char *)bytes, len,
                                       1546300800 /* 2019-01-01 */, keep_doc, s, &s->rep, &err);
    if (st != CIV_OK)
        fail_msg("%s: fatal %s", name, err.msg);
}

static char *slurp(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/fixtures/mail/%s", CIV_SOURCE_DIR, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    civ_buf b = CIV_BUF_INIT;
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        civ_buf_append(&b, chunk, n);
    fclose(f);
    *len = b.len;
    return civ_buf_steal(&b);
}

static void process(seen *s, const char *name)
{
    size_t len;
    char *bytes = slurp(name, &len);
    process_bytes(s, name, bytes, len);
    free(bytes);
}

static const char *get(seen *s, int i, const char *field)
{
    const char *v = i < s->ndocs ? civ_doc_get(s->docs[i], field) : NULL;
    return v ? v : "(null)";
}

static const char *text(seen *s, int i)
{
    return i < s->ndocs ? civ_doc_text(s->docs[i], NULL) : "";
}

/* All values of a field joined with " | ". Caller frees. */
static char *all(seen *s, int i, const char *field)
{
    civ_buf b = CIV_BUF_INIT;
    size_t n = civ_doc_nvalues(s->docs[i]);
    for (size_t k = 0; k < n; k++) {
        const char *v;
        size_t len;
        const civ_field_def *f = civ_doc_value(s->docs[i], k, &v, &len);
        if (strcmp(f->name, field) == 0)
            civ_buf_printf(&b, "%s%.*s", b.len ? " | " : "", (int)len, v);
    }
    return civ_buf_steal(&b);
}

#define assert_values(s, i, field, want)            \
    do {                                            \
        char *got_ = all((s), (i), (field));        \
        assert_string_equal(got_, (want));          \
        free(got_);                                 \
    } while (0)

#define assert_has(hay, needle) assert_non_null(strstr((hay), (needle)))
#define assert_lacks(hay, needle) assert_null(strstr((hay), (needle)))

static void test_alternative(void **state)
{
    (void)state;
    seen s;
    process(&s, "alternative.eml");
    assert_int_equal(s.rep.outcome, CIV_FILE_INDEXED);
    assert_int_equal(s.ndocs, 1);
    assert_int_equal(s.nwarn, 0);
    assert_string_equal(get(&s, 0, "format"), "mail");
    assert_string_equal(get(&s, 0, "type"), "letter");
    assert_values(&s, 0, "from", "Jane Okafor <jane.okafor@aclu.org>");
    assert_values(&s, 0, "to", "Crockford, Douglas <douglas@crockford.example> | press@eff.example");
    assert_values(&s, 0, "cc", "Legal Team <legal@aclu.org>");
    assert_string_equal(get(&s, 0, "subject"), "Facial recognition ordinance: hearing moved");
    assert_string_equal(get(&s, 0, "title"), "Facial recognition ordinance: hearing moved");
    /* 16:05:09 -0400 is 20:05:09 UTC. */
    assert_string_equal(get(&s, 0, "date"), "2019-05-14T20:05:09Z");
    assert_string_equal(get(&s, 0, "date_source"), "header");
    assert_string_equal(get(&s, 0, "message_id"), "alt-1@mail.aclu.org");
    char tid[17];
    civ_mail_thread_id(tid, "<alt-1@mail.aclu.org>");
    assert_string_equal(get(&s, 0, "thread"), tid);
    /* text/plain wins; the HTML version is not indexed twice. */
    assert_has(text(&s, 0), "Plainversionmarker");
    assert_lacks(text(&s, 0), "Htmlversionmarker");
    assert_lacks(text(&s, 0), "multi-part message");
    assert_string_equal(get(&s, 0, "lang"), "en");
    done(&s);
}

static void test_html_only(void **state)
{
    (void)state;
    seen s;
    process(&s, "html-only.eml");
    assert_int_equal(s.ndocs, 1);
    assert_has(text(&s, 0), "cell-site simulators without warrants in forty cases");
    assert_has(text(&s, 0), "Stingray devices");
    assert_lacks(text(&s, 0), "trackingpixelcode");
    assert_lacks(text(&s, 0), "<p>");
    /* The HTML <title> does not replace the subject. */
    assert_string_equal(get(&s, 0, "title"), "Weekly digest: stingray devices");
    done(&s);
}

static void test_transfer_encodings(void **state)
{
    (void)state;
    seen s;
    /* Quoted-printable Latin-1 with CRLF lines and soft line breaks. */
    process(&s, "quoted-printable.eml");
    assert_int_equal(s.nwarn, 0);
    assert_has(text(&s, 0), "Caf\xc3\xa9 \xc3\xa0 Gen\xc3\xa8ve.");
    assert_has(text(&s, 0), "coupe la ligne en deux morceaux au milieu");
    assert_lacks(text(&s, 0), "=E9");
    assert_lacks(text(&s, 0), "\r");
    assert_string_equal(get(&s, 0, "subject"), "Proc\xc3\xa8s-verbal du comit\xc3\xa9");
    assert_values(&s, 0, "from", "Fran\xc3\xa7ois B\xc3\xa9ranger <francois@ldh.example>");
    assert_string_equal(get(&s, 0, "lang"), "fr");
    done(&s);

    process(&s, "base64.eml");
    assert_has(text(&s, 0), "unverh\xc3\xa4ltnism\xc3\xa4\xc3\x9fig");
    assert_has(text(&s, 0), "Base64bodymarker");
    assert_string_equal(get(&s, 0, "date"), "2019-05-17T07:15:00Z");
    done(&s);
}

static void test_charsets(void **state)
{
    (void)state;
    seen s;
    process(&s, "latin1.eml");
    assert_has(text(&s, 0), "Gr\xc3\xbc\xc3\x9f" "e aus K\xc3\xb6ln");
    /* Raw 8-bit Latin-1 in a header is read too. */
    assert_values(&s, 0, "from", "J\xc3\xbcrgen M\xc3\xbcller <jm@example.de>");
    done(&s);

    process(&s, "utf8.eml");
    assert_has(text(&s, 0), "\xc3\x96vervakningen av journalister");
    assert_values(&s, 0, "from", "Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m <zoe@example.se>");
    done(&s);

    process(&s, "shift-jis.eml");
    assert_int_equal(s.nwarn, 0);
    /* 監視社会に反対する声明 */
    assert_has(text(&s, 0), "\xe7\x9b\xa3\xe8\xa6\x96\xe7\xa4\xbe\xe4\xbc\x9a\xe3\x81\xab"
                            "\xe5\x8f\x8d\xe5\xaf\xbe\xe3\x81\x99\xe3\x82\x8b\xe5\xa3\xb0\xe6\x98\x8e");
    /* Subject =?Shift_JIS?B?…?= : 監視社会と表現の自由 */
    assert_string_equal(get(&s, 0, "subject"),
                        "\xe7\x9b\xa3\xe8\xa6\x96\xe7\xa4\xbe\xe4\xbc\x9a\xe3\x81\xa8\xe8\xa1\xa8"
                        "\xe7\x8f\xbe\xe3\x81\xae\xe8\x87\xaa\xe7\x94\xb1");
    /* From =?ISO-2022-JP?B?…?= : 田中花子 */
    assert_values(&s, 0, "from",
                  "\xe7\x94\xb0\xe4\xb8\xad\xe8\x8a\xb1\xe5\xad\x90 <tanaka@jfba.example>");
    assert_string_equal(get(&s, 0, "lang"), "ja");
    done(&s);

    process(&s, "bad-charset.eml");
    assert_int_equal(s.rep.outcome, CIV_FILE_INDEXED);
    assert_int_equal(s.nwarn, 1);
    assert_string_equal(civ_buf_str(&s.warnings),
                        "bad charset x-foo in part 1, decoded as windows-1252\n");
    assert_has(text(&s, 0), "d\xc3\xa9" "claration des droits");
    done(&s);
}

static void test_rfc2047(void **state)
{
    (void)state;
    seen s;
    process(&s, "rfc2047.eml");
    /* Two encoded words (Q then B) joined without the space between them. */
    assert_string_equal(get(&s, 0, "subject"), "Pegasus w Polsce: raport wst\xc4\x99pny");
    assert_values(&s, 0, "from", "Anna Kowalska-\xc5\x9alimak <anna@panoptykon.example>");
    assert_values(&s, 0, "to", "Jos\xc3\xa9 Garc\xc3\xad" "a <jose@example.es>");
    done(&s);
}

static void test_thread(void **state)
{
    (void)state;
    char root[17];
    civ_mail_thread_id(root, "request-42@foia-project.example");
    /* Normalisation: <>, spaces and the case of the domain do not matter;
     * the case of the local part does. */
    char other[17];
    civ_mail_thread_id(other, " <request-42@FOIA-Project.EXAMPLE> ");
    assert_string_equal(root, other);
    civ_mail_thread_id(other, "Request-42@foia-project.example");
    assert_string_not_equal(root, other);
    assert_int_equal(strlen(root), 16);

    seen s;
    process(&s, "thread-b-original.eml");
    assert_string_equal(get(&s, 0, "thread"), root);
    assert_string_equal(get(&s, 0, "message_id"), "request-42@foia-project.example");
    assert_string_equal(get(&s, 0, "in_reply_to"), "(null)");
    assert_string_equal(get(&s, 0, "date"), "2019-06-03T16:00:00Z");
    done(&s);
    /* In-Reply-To only (no References). */
    process(&s, "thread-c-reply1.eml");
    assert_string_equal(get(&s, 0, "thread"), root);
    assert_string_equal(get(&s, 0, "in_reply_to"), "request-42@foia-project.example");
    assert_string_equal(get(&s, 0, "date"), "2019-06-03T16:15:00Z");
    done(&s);
    /* References name the root first (with its domain in upper case). */
    process(&s, "thread-a-reply2.eml");
    assert_string_equal(get(&s, 0, "thread"), root);
    assert_string_equal(get(&s, 0, "in_reply_to"), "ack-7@city.example");
    assert_string_equal(get(&s, 0, "date"), "2019-06-03T16:40:00Z");
    done(&s);
    /* A message outside the thread has another id. */
    process(&s, "base64.eml");
    assert_string_not_equal(get(&s, 0, "thread"), root);
    done(&s);
}

static void test_mbox(void **state)
{
    (void)state;
    seen s;
    process(&s, "archive.mbox");
    assert_int_equal(s.rep.outcome, CIV_FILE_INDEXED);
    assert_int_equal(s.ndocs, 3);
    assert_int_equal(s.nwarn, 0);
    assert_string_equal(get(&s, 0, "id"), "archive.mbox#1");
    assert_string_equal(get(&s, 1, "id"), "archive.mbox#2");
    assert_string_equal(get(&s, 2, "id"), "archive.mbox#3");
    assert_string_equal(get(&s, 0, "file"), "archive.mbox");
    assert_string_equal(get(&s, 0, "format"), "mbox");
    assert_string_equal(get(&s, 0, "subject"), "Board minutes");
    assert_string_equal(get(&s, 2, "subject"), "Budget");
    /* mboxrd quoting undone: one '>' less. */
    assert_has(text(&s, 0), "\nFrom now on reports are published quarterly.");
    assert_has(text(&s, 0), "\n>From the archive");
    assert_lacks(text(&s, 0), ">From now");
    /* No Date header: the envelope date of the "From " line. */
    assert_string_equal(get(&s, 1, "date"), "2019-06-05T11:30:15Z");
    assert_string_equal(get(&s, 1, "date_source"), "envelope");
    assert_string_equal(get(&s, 1, "thread"), get(&s, 0, "thread"));
    assert_string_not_equal(get(&s, 2, "thread"), get(&s, 0, "thread"));
    /* The blank line before the next separator is not part of the text. */
    assert_lacks(text(&s, 0), "From bob@");
    done(&s);
}

static void test_broken(void **state)
{
    (void)state;
    seen s;
    process(&s, "truncated.eml");
    assert_int_equal(s.rep.outcome, CIV_FILE_INDEXED);
    assert_has(civ_buf_str(&s.warnings), "truncated message\n");
    assert_has(civ_buf_str(&s.warnings), "truncated base64 in attachment report.pdf\n");
    assert_has(text(&s, 0), "Truncatedbodymarker");
    assert_values(&s, 0, "attachment", "report.pdf");
    assert_lacks(text(&s, 0), "PDF-1.4");
    done(&s);

    process(&s, "missing-boundary.eml");
    assert_int_equal(s.rep.outcome, CIV_FILE_INDEXED);
    assert_string_equal(civ_buf_str(&s.warnings), "missing MIME boundary\n");
    /* The parts are found again from the boundary lines themselves. */
    assert_has(text(&s, 0), "Noboundarymarker: the text is still readable.");
    assert_lacks(text(&s, 0), "--unknown");
    assert_lacks(text(&s, 0), "Content-Type");
    done(&s);
}

static void test_attachments(void **state)
{
    (void)state;
    seen s;
    process(&s, "attachments.eml");
    assert_int_equal(s.nwarn, 0);
    assert_values(&s, 0, "attachment", "notes.txt | statement.html | timeline.xml | chart.png");
    const char *t = text(&s, 0);
    assert_has(t, "Attachmentbodymarker");
    assert_has(t, "Attachednotesmarker");     /* text/plain, base64 */
    assert_has(t, "Attachedhtmlmarker");      /* HTML through the HTML extractor */
    assert_lacks(t, "<p>");
    assert_has(t, "Attachedxmlmarker");       /* by file name: the XML extractor */
    assert_lacks(t, "<event>");
    assert_has(t, "Forwardedsubjectmarker");  /* message/rfc822: headers and body */
    assert_has(t, "Forwardedbodymarker");
    assert_lacks(t, "PNG");                   /* binary: listed, not indexed */
    done(&s);
}

/* gzip of bytes with zlib (windowBits 31 writes a gzip member). */
static char *gzip_bytes(const char *in, size_t len, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&z, len) + 64;
    char *out = malloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
}

static void test_gzip(void **state)
{
    (void)state;
    seen s;
    size_t len, gzlen;
    char *raw = slurp("archive.mbox", &len);
    char *gz = gzip_bytes(raw, len, &gzlen);
    process_bytes(&s, "old/archive.mbox.gz", gz, gzlen);
    assert_int_equal(s.ndocs, 3);
    assert_string_equal(get(&s, 2, "id"), "old/archive.mbox.gz#3");
    assert_string_equal(get(&s, 2, "subject"), "Budget");
    done(&s);
    free(gz);
    free(raw);

    raw = slurp("rfc2047.eml", &len);
    gz = gzip_bytes(raw, len, &gzlen);
    process_bytes(&s, "rfc2047.eml.gz", gz, gzlen);
    assert_int_equal(s.ndocs, 1);
    assert_string_equal(get(&s, 0, "format"), "mail");
    assert_string_equal(get(&s, 0, "subject"), "Pegasus w Polsce: raport wst\xc4\x99pny");
    done(&s);
    free(gz);
    free(raw);
}

static void test_from_line_and_sniff(void **state)
{
    (void)state;
    civ_date d;
    const char *ok[] = {
        "From alice@example.org Tue Jun 04 10:00:00 2019",
        "From MAILER-DAEMON  Thu Aug 22 12:36:23 2002",
        "From bob@example.org Thu Aug 22 12:36:23 +0100 2002",
        "From bob@example.org Thu, 22 Aug 2002 12:36:23 +0100",
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!civ_mail_from_line(ok[i], strlen(ok[i]), &d))
            fail_msg("not a From line: %s", ok[i]);
    civ_mail_from_line(ok[1], strlen(ok[1]), &d);
    assert_int_equal(d.year, 2002);
    assert_int_equal(d.month, 8);
    assert_int_equal(d.day, 22);
    assert_int_equal(d.hour, 12);
    assert_int_equal(d.sec, 23);
    const char *bad[] = {
        "From the archive: the first report came out in 2013.",
        "From: alice@example.org",
        "From now on we meet on Tuesdays at 10:00",
        "From x Thu Aug 32 12:36:23 2002",
        "From ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (civ_mail_from_line(bad[i], strlen(bad[i]), NULL))
            fail_msg("taken for a From line: %s", bad[i]);

    /* Content sniffing for files without a telling extension. */
    size_t len;
    char *b = slurp("thread-b-original.eml", &len);
    assert_ptr_equal(civ_extractor_sniff((unsigned char *)b, len), &civ_extractor_mail);
    free(b);
    b = slurp("archive.mbox", &len);
    assert_ptr_equal(civ_extractor_sniff((unsigned char *)b, len), &civ_extractor_mbox);
    free(b);
    const char *memo = "Title: a memo\nAuthor: someone\n\nNot a mail at all.\n";
    assert_null(civ_extractor_sniff((const unsigned char *)memo, strlen(memo)));
    assert_ptr_equal(civ_extractor_for_name("x.EML"), &civ_extractor_mail);
    assert_ptr_equal(civ_extractor_for_name("box.mbox"), &civ_extractor_mbox);

    /* A Maildir-style file name: found by content. */
    seen s;
    b = slurp("utf8.eml", &len);
    process_bytes(&s, "cur/1559000000.M1P2.host:2,S", b, len);
    assert_int_equal(s.ndocs, 1);
    assert_string_equal(get(&s, 0, "format"), "mail");
    done(&s);
    free(b);
}

static void test_not_mail(void **state)
{
    (void)state;
    seen s;
    /* Not a message at all: the file fails with a reason, no crash. */
    process_bytes(&s, "junk.eml", "\x01\x02\x03 binary junk", 16);
    assert_int_equal(s.rep.outcome, CIV_FILE_FAILED);
    assert_has(s.rep.reason, "not a mail message");
    done(&s);
    /* An mbox message without headers is skipped with a warning; the
     * others are indexed. */
    const char *mb = "From a@example.org Mon Jun 03 10:00:00 2019\n"
                     "Subject: first\n\nbody one\n\n"
                     "From b@example.org Mon Jun 03 11:00:00 2019\n\n\n"
                     "From c@example.org Mon Jun 03 12:00:00 2019\n"
                     "Subject: third\n\nbody three\n";
    process_bytes(&s, "m.mbox", mb, strlen(mb));
    assert_int_equal(s.rep.outcome, CIV_FILE_INDEXED);
    assert_int_equal(s.ndocs, 2);
    assert_string_equal(get(&s, 1, "id"), "m.mbox#3");
    assert_has(civ_buf_str(&s.warnings), "message #2 skipped");
    done(&s);
    /* No subject, no date header: "(no subject)", date from Received. */
    const char *ns = "From: x@example.org\n"
                     "Received: from a by b; Tue, 4 Jun 2019 10:00:00 +0200\n\nhello\n";
    process_bytes(&s, "ns.eml", ns, strlen(ns));
    assert_string_equal(get(&s, 0, "title"), "(no subject)");
    assert_string_equal(get(&s, 0, "subject"), "(null)");
    assert_string_equal(get(&s, 0, "date"), "2019-06-04T08:00:00Z");
    assert_string_equal(get(&s, 0, "date_source"), "received");
    /* No Message-ID anywhere: a thread of its own, named after the document. */
    char own[17];
    civ_mail_thread_id(own, "civ:ns.eml");
    assert_string_equal(get(&s, 0, "thread"), own);
    done(&s);
    /* A Windows font charset name as a MIME label: read, not warned about. */
    const char *gb = "From: x@example.org\nSubject: gb\n"
                     "Content-Type: text/plain; charset=GB2312_CHARSET\n\n\xd6\xd0\xce\xc4\n";
    process_bytes(&s, "gb.eml", gb, strlen(gb));
    assert_int_equal(s.nwarn, 0);
    assert_has(text(&s, 0), "\xe4\xb8\xad\xe6\x96\x87"); /* 中文 */
    done(&s);
    /* A message saved from a mailbox: its envelope line is skipped and its
     * ">From " quoting undone; without the envelope line the text stays. */
    const char *saved = "From a@example.org Mon Jun 03 10:00:00 2019\n"
                        "From: a@example.org\nSubject: saved\n\n>From the start.\n";
    process_bytes(&s, "saved.eml", saved, strlen(saved));
    assert_has(text(&s, 0), "From the start.");
    assert_lacks(text(&s, 0), ">From");
    assert_string_equal(get(&s, 0, "date_source"), "envelope");
    done(&s);
    process_bytes(&s, "plain.eml", saved + 44, strlen(saved + 44));
    assert_string_equal(get(&s, 0, "from"), "a@example.org");
    assert_string_equal(get(&s, 0, "subject"), "saved");
    assert_has(text(&s, 0), ">From the start.");
    done(&s);
    /* A year-2000 bug ("0102" for 2002) is repaired. */
    const char *y2k = "From: x@example.org\nDate: Fri, 07 Jun 0102 08:46:41 +0900\n\nhi\n";
    process_bytes(&s, "y2k.eml", y2k, strlen(y2k));
    assert_string_equal(get(&s, 0, "date"), "2002-06-06T23:46:41Z");
    done(&s);
}

/* Every prefix and many damaged copies of every fixture: never a crash,
 * never a fatal error (ASan and valgrind watch the memory). */
static void test_damage(void **state)
{
    (void)state;
    const char *names[] = { "alternative.eml", "attachments.eml", "archive.mbox",
                            "quoted-printable.eml", "shift-jis.eml", "truncated.eml",
                            "missing-boundary.eml", "rfc2047.eml" };
    unsigned seed = 12345;
    for (size_t f = 0; f < sizeof names / sizeof names[0]; f++) {
        size_t len;
        char *b = slurp(names[f], &len);
        char *copy = malloc(len + 1);
        for (size_t cut = 1; cut < len; cut += 3) {
            seen s;
            process_bytes(&s, names[f], b, cut);
            done(&s);
        }
        for (int round = 0; round < 200; round++) {
            memcpy(copy, b, len);
            for (int k = 0; k < 8; k++) {
                seed = seed * 1103515245u + 12345u;
                size_t at = (seed >> 8) % len;
                seed = seed * 1103515245u + 12345u;
                static const char pick[] = "\n\r-=:;<>\"\\\0\xff?B=?Q?";
                copy[at] = pick[(seed >> 8) % (sizeof pick - 1)];
            }
            seen s;
            process_bytes(&s, names[f], copy, len);
            done(&s);
        }
        free(copy);
        free(b);
    }
}

/* Mail attached to mail attached to mail, 300 levels deep: read to a
 * limit, with a warning, never a stack overflow. */
static void test_deep_nesting(void **state)
{
    (void)state;
    civ_buf msg = CIV_BUF_INIT;
    civ_buf_puts(&msg, "From: x@example.org\nSubject: level 300\n\nInnermostmarker.\n");
    for (int level = 299; level >= 0; level--) {
        civ_buf outer = CIV_BUF_INIT;
        civ_buf_printf(&outer,
                       "From: x@example.org\nSubject: level %d\nMIME-Version: 1.0\n"
                       "Content-Type: multipart/mixed; boundary=\"lvl-%d-x\"\n\n"
                       "--lvl-%d-x\nContent-Type: text/plain\n\nLevelmarker%d\n"
                       "--lvl-%d-x\nContent-Type: application/octet-stream; name=\"l.eml\"\n"
                       "Content-Disposition: attachment; filename=\"l.eml\"\n\n%s\n--lvl-%d-x--\n",
                       level, level, level, level, level, civ_buf_str(&msg), level);
        civ_buf_free(&msg);
        msg = outer;
    }
    seen s;
    process_bytes(&s, "deep.eml", msg.data, msg.len);
    assert_int_equal(s.rep.outcome, CIV_FILE_INDEXED);
    assert_has(text(&s, 0), "Levelmarker0\n");
    assert_has(text(&s, 0), "Levelmarker5\n");
    assert_lacks(text(&s, 0), "Innermostmarker");
    assert_has(civ_buf_str(&s.warnings), "nested too deeply");
    done(&s);
    civ_buf_free(&msg);
}

/* civindex runs extractors in parallel worker threads: the same messages
 * read in four threads at once give the same documents as read alone. */
static const char *const thread_files[] = { "alternative.eml", "shift-jis.eml", "archive.mbox",
                                            "attachments.eml", "quoted-printable.eml",
                                            "missing-boundary.eml", "rfc2047.eml" };
#define NTF (sizeof thread_files / sizeof thread_files[0])

/* One line per document: id, subject, thread, text length. Caller frees. */
static char *fingerprint(const char *name)
{
    seen s;
    process(&s, name);
    civ_buf b = CIV_BUF_INIT;
    for (int i = 0; i < s.ndocs; i++) {
        size_t tl;
        civ_doc_text(s.docs[i], &tl);
        civ_buf_printf(&b, "%s|%s|%s|%zu\n", get(&s, i, "id"), get(&s, i, "subject"),
                       get(&s, i, "thread"), tl);
    }
    done(&s);
    return civ_buf_steal(&b);
}

static char *expected[NTF];
static int mismatches;

static void *reader(void *arg)
{
    (void)arg;
    for (int round = 0; round < 10; round++)
        for (size_t f = 0; f < NTF; f++) {
            char *got = fingerprint(thread_files[f]);
            if (strcmp(got, expected[f]) != 0)
                __atomic_add_fetch(&mismatches, 1, __ATOMIC_SEQ_CST);
            free(got);
        }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    for (size_t f = 0; f < NTF; f++)
        expected[f] = fingerprint(thread_files[f]);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, reader, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(mismatches, 0);
    for (size_t f = 0; f < NTF; f++)
        free(expected[f]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alternative),
        cmocka_unit_test(test_html_only),
        cmocka_unit_test(test_transfer_encodings),
        cmocka_unit_test(test_charsets),
        cmocka_unit_test(test_rfc2047),
        cmocka_unit_test(test_thread),
        cmocka_unit_test(test_mbox),
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_from_line_and_sniff),
        cmocka_unit_test(test_not_mail),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
