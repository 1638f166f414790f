/* Unit tests: lib/entities (the legal-entity scanner). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "civ/entities.h"
#include "../../lib/entities/entities_int.h"

static civ_entities *ents;
static civ_entity_list *list;

static int setup(void **state)
{
    (void)state;
    civ_error err = CIV_ERROR_INIT;
    if (civ_entities_new(&ents, &err) != CIV_OK || civ_entity_list_new(&list, &err) != CIV_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    civ_entity_list_free(list);
    civ_entities_free(ents);
    return 0;
}

/* The forms of `kinds` found in text, as civindex --entities prints them. */
static const char *forms(const char *text, unsigned kinds)
{
    static char out[4096];
    civ_error err = CIV_ERROR_INIT;
    civ_entity_scan_opts o = CIV_ENTITY_SCAN_OPTS_INIT;
    o.no_doc = 1;
    assert_int_equal(civ_entities_scan(list, ents, text, strlen(text), &o, &err), CIV_OK);
    civ_buf b = CIV_BUF_INIT;
    assert_int_equal(civ_entity_list_format(&b, list, kinds, &err), CIV_OK);
    snprintf(out, sizeof out, "%s", civ_buf_str(&b));
    civ_buf_free(&b);
    return out;
}

#define CORE CIV_ENTITY_CORE_MASK
#define ALL CIV_ENTITY_ALL_MASK

static void expect(const char *text, const char *want)
{
    const char *got = forms(text, CORE);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\"\n  got  \"%s\"\n  want \"%s\"", text, got, want);
}

static void expect_all(const char *text, const char *want)
{
    const char *got = forms(text, ALL);
    if (strcmp(got, want) != 0)
        fail_msg("\"%s\"\n  got  \"%s\"\n  want \"%s\"", text, got, want);
}

/* The span of the first entity of `kind` (not FINE) is `want`. */
static void expect_span(const char *text, civ_entity_kind kind, const char *want)
{
    forms(text, ALL);
    size_t n;
    const civ_entity *it = civ_entity_list_items(list, &n);
    for (size_t i = 0; i < n; i++) {
        if (it[i].kind != kind || (it[i].flags & CIV_ENTITY_FINE))
            continue;
        size_t len = it[i].end - it[i].start;
        if (len != strlen(want) || memcmp(text + it[i].start, want, len) != 0)
            fail_msg("\"%s\": span \"%.*s\", want \"%s\"", text, (int)len, text + it[i].start, want);
        return;
    }
    fail_msg("\"%s\": no %s", text, civ_entity_kind_name(kind));
}

static void test_usc(void **state)
{
    (void)state;
    expect("issued under 18 U.S.C. § 2703(d) today", "usc:18/2703");
    expect("18 USC 2703", "usc:18/2703");
    expect("sued under 42 U.S.C. 1983", "usc:42/1983");
    expect("Title 18, United States Code, Section 3500", "usc:18/3500");
    expect("section 1983 of title 42", "usc:42/1983");
    expect("5 U.S.C. § 552(b)(7)(C)", "usc:5/552,exemption:b7c");
    expect("18 U.S.C. § 1028A", "usc:18/1028a");
    expect("42 U.S.C. § 2000e-2(a)", "usc:42/2000e-2");
    expect("18 U.S.C. §§ 2510-2522", "usc:18/2510,usc:18/2522");
    expect("18 U.S.C. §§ 2510–22", "usc:18/2510,usc:18/2522");
    expect("18 U.S.C. §§ 2511, 2512, and 2520", "usc:18/2511,usc:18/2512,usc:18/2520");
    expect("42 U.S.C. §1985 and §1986", "usc:42/1985,usc:42/1986");
    expect("18 U. S. C. § 2511", "usc:18/2511");
    expect("18 U.S.C.A. § 2511", "usc:18/2511");
    expect("1 U.S. Code §1", "usc:1/1");
    expect("18, United States Code, Section 3500", "usc:18/3500");
    expect("42 U.S.C. § 1396-1", "usc:42/1396-1");
    /* Not US Code: a bare section, a section of something else, money. */
    expect("A bare § 552(b) with no title", "");
    expect("under § 1983", "");
    expect("$18 USD", "");
    expect("Title 9 of the municipal code", "");
    expect("18 U.S.C. § 2703, 585 U.S. 296", "usc:18/2703,case:585-us-296");
    expect_span("see 18 U.S.C. § 2703(d) and", CIV_ENTITY_USC, "18 U.S.C. § 2703(d)");
    /* The finer form is reported too, flagged, at the same place. */
    forms("18 U.S.C. § 2703(d)", ALL);
    size_t n;
    const civ_entity *it = civ_entity_list_items(list, &n);
    assert_int_equal(n, 2);
    assert_string_equal(it[0].value, "18/2703");
    assert_int_equal(it[0].flags, 0);
    assert_string_equal(it[1].value, "18/2703/d");
    assert_int_equal(it[1].flags, CIV_ENTITY_FINE);
}

static void test_cfr_publaw(void **state)
{
    (void)state;
    expect("28 C.F.R. § 16.1", "cfr:28/16.1");
    expect("28 CFR 16.1", "cfr:28/16.1");
    expect("28 C.F.R. pt. 16", "cfr:28/16");
    expect("32 C.F.R. Part 286", "cfr:32/286");
    expect("28 C.F.R. §§ 20.20–20.25", "cfr:28/20.20,cfr:28/20.25");
    expect("§ 16.1 of title 28 of the Code of Federal Regulations", "cfr:28/16.1");
    expect("Pub. L. No. 107-56", "publaw:107-56");
    expect("P.L. 107-56", "publaw:107-56");
    expect("Public Law 107–56", "publaw:107-56");
    expect("Pub.L. 115-118", "publaw:115-118");
    expect("The public law library", "");
    expect("Exec. Order No. 12,333", "");
}

static void test_acts(void **state)
{
    (void)state;
    expect("under FISA", "act:fisa");
    expect("the USA PATRIOT Act", "act:patriot");
    expect("a Freedom of Information Act request", "act:foia");
    expect("The Electronic Communications Privacy Act is not the Privacy Act",
           "act:ecpa,act:privacy-act");
    expect("the Stored Communications Act", "act:sca");
    expect("the USA FREEDOM Act", "act:usa-freedom");
    expect("the CFAA's reach", "act:cfaa");
    expect("the Administrative Procedure Act", "act:apa");
    expect("RFRA", "act:rfra");
    expect("the Immigration and Nationality Act", "act:ina");
    expect("Title III of the Omnibus Crime Control and Safe Streets Act", "act:wiretap");
    expect("Section 702 of FISA", "act:fisa/702");
    expect("FISA Section 702", "act:fisa/702");
    expect("section 236(a) of the Immigration and Nationality Act", "act:ina/236");
    expect("INA § 212(a)(3)(B)", "act:ina/212");
    expect("Section 215 of the USA PATRIOT Act", "act:patriot/215");
    expect("Section 215 of Pub. L. No. 107-56", "act:patriot/215,publaw:107-56");
    /* Bare sections only in a document about surveillance. */
    expect("The NSA relied on Section 702.", "agency:nsa,act:fisa/702");
    expect("bulk collection under Section 215", "act:patriot/215");
    expect("Section 702 of the bylaws", "");
    expect("Section 702 was discussed.", "");
    expect("Sections 702 and 704 of FISA", "act:fisa/702,act:fisa/704");
    expect("18 U.S.C. § 2703(d) orders and Section 702", "usc:18/2703,act:fisa/702");
    expect("Flight 702 and route 215", "");
    expect("Section 5 of the contract", "");
    /* Title III is the Wiretap Act only about surveillance, not of the ADA. */
    expect("Title III wiretap orders", "act:wiretap");
    expect("Title III of the Americans with Disabilities Act", "act:ada");
    expect("Title III funding for schools", "");
}

static void test_constitution(void **state)
{
    (void)state;
    expect("First Amendment", "amendment:1");
    expect("her 1st Amend. claim", "amendment:1");
    expect("Amendment IV", "amendment:4");
    expect("U.S. Const. amend. XIV, § 1", "amendment:14");
    expect("U.S. Const. amends. I, XIV", "amendment:1,amendment:14");
    expect("the First, Fourth, and Fifth Amendments", "amendment:1,amendment:4,amendment:5");
    expect("the Fourth Amendment's warrant requirement", "amendment:4");
    expect("the Twenty-First Amendment", "amendment:21");
    expect("the Fourth Amendment to the United States Constitution", "amendment:4");
    expect("Fourth-Amendment protections", "amendment:4");
    /* Not the federal Constitution. */
    expect("an amended complaint", "");
    expect("Amendment No. 3 to the lease", "");
    expect("the First Amendment to the Lease Agreement", "");
    expect("the fifth amendment to the bylaws", "");
    expect("the Fourth Amendment of the Ohio Constitution", "");
    expect("the committee's first amendment was defeated", "");
    expect("the First Amendment dated June 1", "");
    expect("Cal. Const. amend. 4", "");
    expect("the Second Amended Complaint", "");
    /* Clauses, with or without their amendment. */
    expect_all("the Equal Protection Clause", "clause:equal-protection");
    expect_all("due process", "clause:due-process");
    expect_all("the Fourteenth Amendment's Due Process Clause", "amendment:14,clause:due-process");
    expect_all("the Establishment Clause and the Free Exercise Clause",
               "clause:establishment,clause:free-exercise");
    expect_all("freedom of speech", "clause:free-speech");
    expect_all("the Confrontation Clause", "clause:confrontation");
    expect_all("the Takings Clause", "clause:takings");
}

static void test_cases(void **state)
{
    (void)state;
    expect_all("Carpenter v. United States, 585 U.S. 296 (2018)",
               "casename:\"carpenter v united states\",case:585-us-296");
    expect("585 U.S. 296, 138 S. Ct. 2206, 201 L. Ed. 2d 507",
           "case:585-us-296,case:138-sct-2206,case:201-led2d-507");
    expect("138 S.Ct. 2206", "case:138-sct-2206");
    expect("410 U. S. 113", "case:410-us-113");
    expect("123 F.3d 456", "case:123-f3d-456");
    expect("123 F. 3d 456", "case:123-f3d-456");
    expect("2 F.4th 330", "case:2-f4th-330");
    expect("957 F. Supp. 2d 1", "case:957-fsupp2d-1");
    expect("957 F.Supp.2d 1", "case:957-fsupp2d-1");
    expect("545 F. App'x 123", "case:545-fappx-123");
    expect("545 F. App\xe2\x80\x99x 123", "case:545-fappx-123");
    expect("35 L. Ed. 2d 147", "case:35-led2d-147");
    expect("12 N.Y.3d 433", "case:12-ny3d-433");
    expect("2019 WL 1234567", "case:2019-wl-1234567");
    /* Pin cites, short forms, id., supra and blank pages add no case. */
    expect("585 U.S. 296, 310 (2018)", "case:585-us-296");
    expect("Carpenter, 585 U.S. at 310", "");
    expect("Carpenter v. United States, 585 U.S. 296 (2018). Carpenter, 585 U.S. at 310. "
           "Id. at 312. Carpenter, supra, at 315.", "case:585-us-296");
    expect("576 U.S. ___ (2015)", "");
    expect("576 U.S. ___, 135 S. Ct. 2584", "case:135-sct-2584");
    /* Short forms are reported as references to the full cite. */
    forms("Carpenter v. United States, 585 U.S. 296 (2018). Id. at 312.", ALL);
    size_t n, refs = 0;
    const civ_entity *it = civ_entity_list_items(list, &n);
    for (size_t i = 0; i < n; i++)
        if (it[i].flags & CIV_ENTITY_REF) {
            refs++;
            assert_string_equal(it[i].value, "585-us-296");
        }
    assert_int_equal(refs, 1);
    /* Not cites: numbers and words. */
    expect("410 troops", "");
    expect("520 8th Ave #2300 NY 10018", "");
    expect("3 Day 5", "");
    /* Case names. */
    expect_all("See Riley v. California, 573 U.S. 373, 386 (2014).",
               "casename:\"riley v california\",case:573-us-373");
    expect_all("In re Grand Jury Subpoena, 438 F.3d 1141",
               "casename:\"in re grand jury subpoena\",case:438-f3d-1141");
    expect_all("As the Court held in Katz v. United States, 389 U.S. 347 (1967)",
               "casename:\"katz v united states\",case:389-us-347");
    expect_all("NLRB v. Sears, Roebuck & Co., 421 U.S. 132 (1975)",
               "agency:nlrb,casename:\"nlrb v sears roebuck & co\",case:421-us-132");
    expect_span("See Riley v. California, 573 U.S. 373, 386 (2014).", CIV_ENTITY_CASE,
                "573 U.S. 373");
    expect_span("See Riley v. California, 573 U.S. 373.", CIV_ENTITY_CASENAME, "Riley v. California");
}

static void test_exemptions(void **state)
{
    (void)state;
    expect("withheld under (b)(6)", "exemption:b6");
    expect("withheld under (b) (7) (C)", "exemption:b7c");
    expect("the log lists b6 and b7C", "exemption:b6,exemption:b7c");
    expect("Withheld: b(7)(C).", "exemption:b7c");
    expect("Exemption 6", "exemption:b6");
    expect("Exemption Five", "exemption:b5");
    expect("Exemptions 6 and 7(C)", "exemption:b6,exemption:b7c");
    expect("Exemption 7", "exemption:b7");
    expect("Exemption 7(E)", "exemption:b7e");
    expect("(b)(6), 7C", "exemption:b6,redaction:1,exemption:b7c");
    /* Not FOIA exemptions. */
    expect("Rule 12(b)(6)", "");
    expect("the Privacy Act's (j)(2) and (k)(2)", "act:privacy-act");
    expect("5 U.S.C. § 552a(b)(7)", "usc:5/552a");
    expect("§ 501(c)(3)", "");
    expect("vitamin b6", "");
    expect("cell B6 of the sheet", "");
    expect("Fed. R. Civ. P. 12(b)(1)", "");
    expect("a lone b6 in a recipe", "");
}

static void test_redactions(void **state)
{
    (void)state;
    expect("From: [REDACTED] To: [REDACTED]", "redaction:2");
    expect("[PAGE WITHHELD PURSUANT TO EXEMPTION (b)(1)]", "redaction:1,exemption:b1");
    expect("call ███-███-████ now", "redaction:3");
    expect("met with ■■■■ at noon", "redaction:1");
    expect("Name: XXXXXXXX", "redaction:1");
    expect("Special Agent (b)(6), (b)(7)(C) met with the source",
           "exemption:b6,redaction:1,exemption:b7c");
    expect("████ (b)(6)", "redaction:1,exemption:b6");
    /* Not markers. */
    expect("She redacted the draft.", "");
    expect("Chapter XXXVIII", "");
    expect("sizes XL, XXL and XXXL", "");
    expect("the rest * * * is immaterial", "");
    expect("their going [sic] to appeal", "");
    expect("[citations omitted]", "");
    expect("Super Bowl XXX", "");
    forms("[REDACTED] and XXXX and ██", ALL);
    assert_int_equal(civ_entity_list_docinfo(list)->redactions, 3);
}

static void test_agencies(void **state)
{
    (void)state;
    expect("the Federal Bureau of Investigation, the F.B.I. and the FBI", "agency:fbi");
    expect("U.S. Border Patrol agents", "agency:cbp");
    expect("ICE ERO officers", "agency:ice");
    expect("ICE agents arrested him", "agency:ice");
    expect("an ICE storm warning", "");
    expect("ICE vehicles and electric cars", "");
    expect("an ice storm", "");
    expect("the Bureau said", "");
    expect("The FBI said the Bureau would respond", "agency:fbi");
    expect("the F.B.I. Building", "agency:fbi");
    expect("the U.S. Dep't of Justice", "agency:doj");
    expect("the Nat'l Sec. Agency", "agency:nsa");
    expect("the State Department", "agency:dos");
    expect("U.S. Immigration & Customs Enforcement", "agency:ice");
    expect("the Attorney General said", "");
    expect("the Foreign Intelligence Surveillance Court", "");
    expect("the Senate Judiciary Committee", "");
    expect("the Secretary of Homeland Security", "");
    expect("JOHN DOE, Plaintiff", "");
    expect("see www.fbi.gov/foia", "");
    expect("ACLU v. FBI, 123 F.3d 456", "agency:fbi,case:123-f3d-456");
    /* State and local bodies are their own kind. */
    expect_all("the Washington County Sheriff's Office", "body:washington-county-sheriff");
    expect_all("the Baltimore Police Department", "body:baltimore-police");
    expect_all("the Michigan State Police", "body:michigan-state-police");
    expect_all("the Maryland Attorney General", "body:maryland-attorney-general");
    expect_all("the California Department of Justice", "body:california-justice");
    expect_all("the police department", "");
}

static void test_dockets_courts(void **state)
{
    (void)state;
    expect_all("No. 20-1234", "docket:20-1234");
    expect_all("Case No. 1:20-cv-01234-ABC", "docket:1:20-cv-01234");
    expect_all("No. 16\xe2\x80\x93" "402", "docket:16-402");
    expect_all("Pub. L. No. 107-56", "publaw:107-56");
    expect_all("FOIA Request No. 2019-00123", "act:foia");
    expect_all("Invoice No. 97-US-03", "");
    expect_all("United States Court of Appeals for the Ninth Circuit", "court:9th-cir");
    expect_all("SUPREME COURT OF THE UNITED STATES", "court:scotus");
    expect_all("United States District Court for the District of Maryland", "court:d-md");
    expect_all("the Southern District of New York", "court:sd-ny");
    expect_all("the D.C. Circuit", "court:dc-cir");
}

static const civ_entity_docinfo *doc(const char *text)
{
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_entities_scan(list, ents, text, strlen(text), NULL, &err), CIV_OK);
    return civ_entity_list_docinfo(list);
}

static void test_document(void **state)
{
    (void)state;
    const civ_entity_docinfo *d = doc(
        "Cite as: 585 U.S. 296 (2018)\n\nSUPREME COURT OF THE UNITED STATES\n\nSyllabus\n\n"
        "CARPENTER v. UNITED STATES\n\nCERTIORARI TO THE UNITED STATES COURT OF APPEALS FOR THE "
        "SIXTH CIRCUIT\n\nNo. 16-402. Argued November 29, 2017\n\nCHIEF JUSTICE ROBERTS delivered "
        "the opinion of the Court.\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_OPINION);
    assert_string_equal(civ_doc_kind_name(d->kind), "opinion");
    assert_string_equal(d->cite, "585-us-296");
    assert_int_equal(d->nparallel, 0);
    assert_string_equal(d->docket, "16-402");
    assert_string_equal(d->court, "scotus");
    /* The parallel cites of the first page: the other reporters' citations
     * of its case, with a pin page between them or one a line. */
    d = doc("RILEY v. CALIFORNIA\n573 U.S. 373, 134 S. Ct. 2473, 189 L. Ed. 2d 430 (2014)\n\n"
            "CHIEF JUSTICE ROBERTS delivered the opinion of the Court. See Chimel v. California, "
            "395 U.S. 752 (1969).\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_OPINION);
    assert_string_equal(d->cite, "573-us-373");
    assert_int_equal(d->nparallel, 2);
    assert_string_equal(d->parallel[0], "134-sct-2473");
    assert_string_equal(d->parallel[1], "189-led2d-430");
    d = doc("Cite as: 585 U.S. 296, 305, 138 S. Ct. 2206 (2018)\nCarpenter v. United States, "
            "585 U.S. 296, 138 S. Ct. 2206.\n");
    assert_string_equal(d->cite, "585-us-296");
    assert_int_equal(d->nparallel, 1);
    assert_string_equal(d->parallel[0], "138-sct-2206");
    d = doc("SUPREME COURT OF THE UNITED STATES\nRILEY v. CALIFORNIA\n573 U.S. 373\n134 S.Ct. 2473\n\n"
            "CHIEF JUSTICE ROBERTS delivered the opinion of the Court.\n");
    assert_string_equal(d->cite, "573-us-373");
    assert_int_equal(d->nparallel, 1);
    assert_string_equal(d->parallel[0], "134-sct-2473");
    /* Another case's cite, after words or a pin page with no comma, is none. */
    d = doc("Cite as: 573 U.S. 373 (2014)\nSee Chimel v. California, 395 U.S. 752 (1969).\n");
    assert_string_equal(d->cite, "573-us-373");
    assert_int_equal(d->nparallel, 0);
    d = doc("Cite as: 573 U.S. 373, 380 395 U.S. 752\n");
    assert_int_equal(d->nparallel, 0);
    d = doc("MR. SMITH: Thank you.\nJUSTICE KAGAN: Counsel?\nMR. SMITH: Yes.\n"
            "CHIEF JUSTICE ROBERTS: Thank you, counsel.\nORAL ARGUMENT OF JOHN SMITH\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_TRANSCRIPT);
    d = doc("IN THE UNITED STATES DISTRICT COURT FOR THE DISTRICT OF MARYLAND\n"
            "JANE DOE, Plaintiff, v. JOHN ROE, Defendant.\nCivil Action No. 1:20-cv-01234\n"
            "MEMORANDUM IN SUPPORT OF PLAINTIFF'S MOTION TO COMPEL\n...\nRespectfully submitted,\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_FILING);
    assert_string_equal(d->docket, "1:20-cv-01234");
    assert_string_equal(d->court, "d-md");
    /* The court's ruling on a motion is its decision, not a filing. */
    d = doc("IN THE SUPERIOR COURT OF HALVORSEN COUNTY\nState v. Quintero\n"
            "Order on the defendant's motion to suppress\nThe defendant moves to suppress "
            "location records.\nThe motion is granted.\nSo ordered.\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_OPINION);
    d = doc("Dear FOIA Officer:\nThis is a request under the Freedom of Information Act. "
            "I request copies of all records about cell-site simulators. I ask for a fee "
            "waiver and expedited processing.\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_FOIA_REQUEST);
    d = doc("Dear Ms. Doe:\nThis letter is in response to your Freedom of Information Act "
            "request. We have processed 120 pages; 80 pages are being released in full and 40 "
            "pages are withheld in part under Exemptions 6 and 7(C). You may appeal.\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_FOIA_RESPONSE);
    d = doc("FOR IMMEDIATE RELEASE\nMedia contact: press@example.org\nThe group today announced "
            "a lawsuit.\n###\n");
    assert_int_equal(d->kind, CIV_DOC_KIND_PRESS_RELEASE);
    d = doc("A plain article about the weather. It rained.");
    assert_int_equal(d->kind, CIV_DOC_KIND_NONE);
    assert_null(d->docket);
    assert_null(d->cite);
    assert_int_equal(d->redactions, 0);
}

static const char *norm(const char *q)
{
    static char out[1024];
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_entities_normalise(list, ents, q, strlen(q), &err), CIV_OK);
    civ_buf b = CIV_BUF_INIT;
    assert_int_equal(civ_entity_list_format(&b, list, ALL, &err), CIV_OK);
    snprintf(out, sizeof out, "%s", civ_buf_str(&b));
    civ_buf_free(&b);
    return out;
}

static void test_normalise(void **state)
{
    (void)state;
    assert_string_equal(norm("18 U.S.C. § 2703"), "usc:18/2703");
    assert_string_equal(norm("\"18 usc 2703\""), "usc:18/2703");
    assert_string_equal(norm("585 U.S. 296"), "case:585-us-296");
    assert_string_equal(norm("585 us 296"), "case:585-us-296");
    assert_string_equal(norm("Pub. L. 107-56"), "publaw:107-56");
    assert_string_equal(norm("28 CFR 16.1"), "cfr:28/16.1");
    assert_string_equal(norm("Carpenter v. United States"), "casename:\"carpenter v united states\"");
    assert_string_equal(norm("FBI"), "agency:fbi");
    assert_string_equal(norm("fbi"), "agency:fbi");
    assert_string_equal(norm("fourth amendment"), "amendment:4");
    assert_string_equal(norm("b6"), "exemption:b6");
    assert_string_equal(norm("exemption 7(C)"), "exemption:b7c");
    assert_string_equal(norm("fisa 702"), "act:fisa/702");
    assert_string_equal(norm("amendment iv"), "amendment:4");
    assert_string_equal(norm("7c"), "exemption:b7c");
    assert_string_equal(norm("9th cir"), "court:9th-cir");
    assert_string_equal(norm("federal bureau of investigation"), "agency:fbi");
    assert_string_equal(norm("surveillance"), "");
    assert_string_equal(norm(""), "");
}

static void test_api(void **state)
{
    (void)state;
    civ_entities_free(NULL);
    civ_entity_list_free(NULL);
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_entities_scan(NULL, ents, "x", 1, NULL, &err), CIV_EINVAL);
    assert_int_equal(civ_entities_scan(list, NULL, "x", 1, NULL, &err), CIV_EINVAL);
    assert_int_equal(civ_entities_scan(list, ents, NULL, 0, NULL, &err), CIV_OK);
    size_t n;
    assert_null(civ_entity_list_items(list, &n));
    assert_int_equal(n, 0);
    for (int k = 0; k < CIV_ENTITY_KINDS; k++) {
        civ_entity_kind back;
        assert_int_equal(civ_entity_kind_parse(&back, civ_entity_kind_name((civ_entity_kind)k)), 0);
        assert_int_equal(back, k);
    }
    assert_string_equal(civ_entity_kind_name(CIV_ENTITY_USC), "usc");
    assert_string_equal(civ_entity_kind_name(CIV_ENTITY_KINDS), "?");
    civ_entity_kind dummy;
    assert_int_equal(civ_entity_kind_parse(&dummy, "nope"), -1);
    assert_string_equal(civ_doc_kind_name(CIV_DOC_KIND_FOIA_RESPONSE), "foia-response");
    /* Values carry no prefix; spans are in bytes. */
    forms("FBI", ALL);
    const civ_entity *it = civ_entity_list_items(list, &n);
    assert_int_equal(n, 1);
    assert_int_equal(it[0].kind, CIV_ENTITY_AGENCY);
    assert_string_equal(it[0].value, "fbi");
    assert_int_equal(it[0].value_len, 3);
    assert_int_equal(it[0].start, 0);
    assert_int_equal(it[0].end, 3);
}

/* Hostile input: every line full of triggers. The scan must finish (in
 * linear time: the ctest timeout would catch a quadratic one) and stay
 * within its bounds. */
static void test_hostile(void **state)
{
    (void)state;
    const char *pats[] = { "\xc2\xa7 \xc2\xa7 \xc2\xa7 1 1 1 ", "v. ", "Smith v. Jones, 1 U.S. 1, ",
                           "(b)(6), ", "First, ", "[", "18 U.S.C. \xc2\xa7\xc2\xa7 1, ", "XXXX ",
                           "\xe2\x96\x88", "No. ", "Section 702 of ", "the Bureau ", "1st ",
                           "\xff\xfe", "U.S. Dep't of ", "(((((", "b6 ", "12(b)(6)" };
    size_t size = 10u << 20;
    char *buf = malloc(size + 1);
    assert_non_null(buf);
    for (size_t p = 0; p < sizeof pats / sizeof *pats; p++) {
        size_t n = strlen(pats[p]), k = 0;
        while (k + n <= size) {
            memcpy(buf + k, pats[p], n);
            k += n;
        }
        buf[k] = '\0';
        civ_error err = CIV_ERROR_INIT;
        size_t len = p < 3 ? k : k / 4; /* the first ones at the full 10 MB */
        assert_int_equal(civ_entities_scan(list, ents, buf, len, NULL, &err), CIV_OK);
        size_t count;
        civ_entity_list_items(list, &count);
        assert_true(count <= len);
    }
    free(buf);
}

/* A deterministic soup of triggers, words and bytes: every recognizer
 * meets every neighbour (under ASan in the sanitizer build). */
static void test_soup(void **state)
{
    (void)state;
    static const char *const bits[] = {
        "18", "U.S.C.", "\xc2\xa7", "\xc2\xa7\xc2\xa7", "2703(d)", "-", "\xe2\x80\x93", ",", "and",
        "C.F.R.", "16.1", "Pub.", "L.", "No.", "107-56", "Title", "Section", "of", "the", "FISA",
        "First", "Amendment", "amend.", "XIV", "Carpenter", "v.", "United", "States", "585", "U.S.",
        "296", "S.", "Ct.", "F.3d", "at", "Id.", "supra", "(b)(6)", "b7C", "Exemption", "Five",
        "[REDACTED]", "\xe2\x96\x88\xe2\x96\x88", "XXXX", "FBI", "ICE", "storm", "Department",
        "Justice", "Police", "Sheriff's", "Office", "County", "Washington", "Attorney", "General",
        "Circuit", "Ninth", "District", "Maryland", "Court", "(", ")", "[", "]", "\"", "'", ".",
        "\n", "\n\n", "___", "\xff", "\xe2\x80", "12(b)(6)", "Rule", "vitamin", "1st",
        "Twenty", "-", "Dep't", "Nat'l", "Sec.", "Agency", "Inc.", "&", "In", "re", "Cite", "as:",
        "MR. SMITH:", "FOR IMMEDIATE RELEASE", "2019", "WL", "1234567", "___,", "552(b)(7)(C)",
    };
    size_t nb = sizeof bits / sizeof *bits, cap = 2u << 20, k = 0;
    char *buf = malloc(cap + 64);
    assert_non_null(buf);
    uint32_t x = 12345;
    while (k < cap) {
        x = x * 1103515245u + 12345u;
        const char *b = bits[(x >> 16) % nb];
        size_t n = strlen(b);
        memcpy(buf + k, b, n);
        k += n;
        x = x * 1103515245u + 12345u;
        if ((x >> 16) % 3)
            buf[k++] = ' ';
    }
    civ_error err = CIV_ERROR_INIT;
    for (size_t off = 0; off < 4; off++) {
        assert_int_equal(civ_entities_scan(list, ents, buf + off, k - off, NULL, &err), CIV_OK);
        size_t n;
        const civ_entity *it = civ_entity_list_items(list, &n);
        for (size_t i = 0; i < n; i++) {
            assert_true(it[i].start <= it[i].end && it[i].end <= k - off);
            assert_true(it[i].value[it[i].value_len] == '\0');
            assert_true(i == 0 || it[i - 1].start <= it[i].start);
        }
    }
    /* Every prefix of a short soup: no read past the end. */
    for (size_t len = 0; len < 600; len++) {
        char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, buf, len);
        assert_int_equal(civ_entities_scan(list, ents, exact, len, NULL, &err), CIV_OK);
        assert_int_equal(civ_entities_normalise(list, ents, exact, len, &err), CIV_OK);
        free(exact);
    }
    free(buf);
}

typedef struct job {
    const char *text;
    char out[1024];
    int rc;
} job;

static void *worker(void *arg)
{
    job *j = arg;
    civ_error err = CIV_ERROR_INIT;
    civ_entity_list *l;
    if (civ_entity_list_new(&l, &err) != CIV_OK) {
        j->rc = -1;
        return NULL;
    }
    for (int i = 0; i < 200 && j->rc == 0; i++) {
        civ_buf b = CIV_BUF_INIT;
        if (civ_entities_scan(l, ents, j->text, strlen(j->text), NULL, &err) != CIV_OK ||
            civ_entity_list_format(&b, l, ALL, &err) != CIV_OK)
            j->rc = -1;
        else if (i == 0)
            snprintf(j->out, sizeof j->out, "%s", civ_buf_str(&b));
        else if (strcmp(j->out, civ_buf_str(&b)) != 0)
            j->rc = -2;
        civ_buf_free(&b);
    }
    civ_entity_list_free(l);
    return NULL;
}

/* One scanner, several threads, each with its own list. */
static void test_threads(void **state)
{
    (void)state;
    job jobs[4] = {
        { "Carpenter v. United States, 585 U.S. 296 (2018); 18 U.S.C. § 2703(d).", "", 0 },
        { "The FBI withheld names under (b)(6) and (b)(7)(C); [REDACTED].", "", 0 },
        { "Section 702 of FISA; the First and Fourth Amendments.", "", 0 },
        { "ICE agents and the Washington County Sheriff's Office.", "", 0 },
    };
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, worker, &jobs[i]), 0);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(jobs[i].rc, 0);
        assert_string_equal(jobs[i].out, forms(jobs[i].text, ALL));
    }
}

/* The tables compiled in (civ_entities_new: generated at build time by
 * lib/entities/freeze.c) are those civ_ent_build() makes now: every array,
 * entry by entry, and the same answers on one text. */
static void test_frozen(void **state)
{
    (void)state;
    civ_entities *b = NULL;
    civ_error err = CIV_ERROR_INIT;
    assert_int_equal(civ_ent_build(&b, &err), CIV_OK);
    const civ_entities *f = ents;
    assert_true(f->frozen);
    assert_false(b->frozen);
    assert_int_equal(f->strings.len, b->strings.len);
    assert_memory_equal(f->strings.data, b->strings.data, b->strings.len);
    assert_int_equal(f->nwords, b->nwords);
    for (size_t i = 0; i < b->nwords; i++) {
        const ent_wentry *x = &f->words[i], *y = &b->words[i];
        assert_string_equal(civ_ent_str(f, x->w), civ_ent_str(b, y->w));
        assert_true(x->hash == y->hash && x->len == y->len && x->roles == y->roles &&
                    x->ctx == y->ctx && x->value == y->value && x->canon == y->canon &&
                    x->phr_first == y->phr_first && x->phr_n == y->phr_n &&
                    x->abbr_first == y->abbr_first && x->abbr_n == y->abbr_n &&
                    x->cue_first == y->cue_first && x->cue_n == y->cue_n);
    }
    assert_int_equal(f->wmask, b->wmask);
    assert_memory_equal(f->wtab, b->wtab, (b->wmask + 1) * sizeof *b->wtab);
    assert_int_equal(f->nphr, b->nphr);
    for (size_t i = 0; i < b->nphr; i++) {
        const ent_phrase *x = &f->phr[i], *y = &b->phr[i];
        assert_string_equal(civ_ent_str(f, x->key), civ_ent_str(b, y->key));
        assert_true(x->kind == y->kind && x->flags == y->flags && x->first == y->first && x->n == y->n);
    }
    assert_int_equal(f->nphr_words, b->nphr_words);
    assert_memory_equal(f->phr_words, b->phr_words, b->nphr_words * sizeof *b->phr_words);
    assert_memory_equal(f->phr_order, b->phr_order, b->nphr * sizeof *b->phr_order);
    assert_int_equal(f->nabbr, b->nabbr);
    for (size_t i = 0; i < b->nabbr; i++) {
        const ent_abbrev *x = &f->abbr[i], *y = &b->abbr[i];
        assert_string_equal(civ_ent_str(f, x->form), civ_ent_str(b, y->form));
        assert_string_equal(civ_ent_str(f, x->key), civ_ent_str(b, y->key));
        assert_true(x->kind == y->kind && x->form_len == y->form_len && x->flags == y->flags);
    }
    assert_memory_equal(f->abbr_order, b->abbr_order, b->nabbr * sizeof *b->abbr_order);
    for (int lower = 0; lower < 2; lower++) {
        const ent_rentry *x = lower ? f->repl : f->rep, *y = lower ? b->repl : b->rep;
        size_t mask = lower ? b->replmask : b->repmask;
        assert_int_equal(lower ? f->replmask : f->repmask, mask);
        for (size_t j = 0; j <= mask; j++) {
            assert_int_equal(x[j].slug != 0, y[j].slug != 0);
            if (!y[j].slug)
                continue;
            assert_string_equal(civ_ent_str(f, x[j].key), civ_ent_str(b, y[j].key));
            assert_string_equal(civ_ent_str(f, x[j].slug), civ_ent_str(b, y[j].slug));
            assert_true(x[j].hash == y[j].hash && x[j].len == y[j].len);
        }
    }
    assert_int_equal(f->ncue_order, b->ncue_order);
    assert_memory_equal(f->cue_order, b->cue_order, b->ncue_order * sizeof *b->cue_order);
    assert_int_equal(f->ncue_punct, b->ncue_punct);
    assert_memory_equal(f->cue_punct, b->cue_punct, sizeof b->cue_punct);

    const char *text = "Carpenter v. United States, 585 U.S. 296 (2018); 18 U.S.C. § 2703(d); "
                       "the FBI and the Dep't of Homeland Security under Section 702 of FISA; "
                       "(b)(6); Bivens v. Six Unknown Named Agents, 403 U.S. 388 (1971).";
    char frozen_forms[4096];
    snprintf(frozen_forms, sizeof frozen_forms, "%s", forms(text, ALL));
    civ_entities *keep = ents;
    ents = b;
    const char *built_forms = forms(text, ALL);
    ents = keep;
    assert_string_equal(frozen_forms, built_forms);
    assert_true(strstr(frozen_forms, "usc:18/2703") && strstr(frozen_forms, "agency:fbi"));
    civ_entities_free(b);
    civ_entities_free(ents); /* a no-op on the frozen tables */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usc),          cmocka_unit_test(test_cfr_publaw),
        cmocka_unit_test(test_acts),         cmocka_unit_test(test_constitution),
        cmocka_unit_test(test_cases),        cmocka_unit_test(test_exemptions),
        cmocka_unit_test(test_redactions),   cmocka_unit_test(test_agencies),
        cmocka_unit_test(test_dockets_courts), cmocka_unit_test(test_document),
        cmocka_unit_test(test_normalise),    cmocka_unit_test(test_api),
        cmocka_unit_test(test_hostile),      cmocka_unit_test(test_soup),
        cmocka_unit_test(test_threads),      cmocka_unit_test(test_frozen),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
