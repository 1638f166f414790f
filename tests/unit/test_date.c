/* Unit tests: lib/date.c */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "civ/date.h"

static void parse_ok(const char *s, const char *want_iso)
{
    civ_date d;
    char iso[21];
    int rc = civ_date_parse(&d, s, strlen(s));
    if (rc != 0)
        fail_msg("could not parse \"%s\"", s);
    civ_date_iso(&d, iso);
    if (strcmp(iso, want_iso) != 0)
        fail_msg("\"%s\": got %s, want %s", s, iso, want_iso);
}

static void parse_bad(const char *s)
{
    civ_date d;
    if (civ_date_parse(&d, s, strlen(s)) == 0)
        fail_msg("\"%s\" should not parse", s);
}

static void test_forms(void **state)
{
    (void)state;
    parse_ok("2019-05-03", "2019-05-03");
    parse_ok("  2019-05-03 ", "2019-05-03");
    parse_ok("2019-05-03T10:00:00Z", "2019-05-03T10:00:00Z");
    parse_ok("2019-05-03T10:00:00+02:00", "2019-05-03T08:00:00Z");
    parse_ok("2019-05-03 23:30:00 -0500", "2019-05-04T04:30:00Z");
    parse_ok("Fri, 3 May 2019 10:00:00 +0200", "2019-05-03T08:00:00Z");
    parse_ok("Fri, 03 May 2019 10:00:00 GMT", "2019-05-03T10:00:00Z");
    parse_ok("Thu, 1 Aug 2002 09:07:10 -0700 (PDT)", "2002-08-01T16:07:10Z");
    parse_ok("3 May 2019", "2019-05-03");
    parse_ok("May 3, 2019", "2019-05-03");
    parse_ok("May 3rd, 2019", "2019-05-03");
    parse_ok("3rd of May, 2019", "2019-05-03");
    parse_ok("September 17, 1787", "1787-09-17");
    parse_ok("2019/05/03", "2019-05-03");
    parse_ok("20190503", "2019-05-03");
    parse_ok("May 2019", "2019-05-01");
    parse_ok("2019-05", "2019-05-01");
    parse_ok("2019", "2019-01-01");
    parse_ok("2020-02-29", "2020-02-29");
}

static void test_rejects(void **state)
{
    (void)state;
    parse_bad("");
    parse_bad("yesterday");
    parse_bad("2019-02-30");
    parse_bad("2019-13-01");
    parse_bad("2019-05-03 and more");
}

static void test_find(void **state)
{
    (void)state;
    civ_date d;
    char iso[21];
    const char *t = "Press release\nWASHINGTON — March 14, 2021 — The group filed suit.";
    size_t where;
    assert_int_equal(civ_date_find(&d, t, strlen(t), 1000, &where), 0);
    civ_date_iso(&d, iso);
    assert_string_equal(iso, "2021-03-14");
    /* A bare year or a section number is not a date. */
    const char *u = "Under 42 U.S.C. 1983 the plaintiffs sued in 2019.";
    assert_int_equal(civ_date_find(&d, u, strlen(u), 1000, NULL), -1);
}

static void test_bounds(void **state)
{
    (void)state;
    char k[15];
    assert_int_equal(civ_date_bound("2018", 4, 0, k), 0);
    assert_string_equal(k, "20180101000000");
    assert_int_equal(civ_date_bound("2019", 4, 1, k), 0);
    assert_string_equal(k, "20191231235959");
    assert_int_equal(civ_date_bound("2020-02", 7, 1, k), 0);
    assert_string_equal(k, "20200229235959");
    assert_int_equal(civ_date_bound("2018-06-30", 10, 1, k), 0);
    assert_string_equal(k, "20180630235959");
    assert_int_equal(civ_date_bound("2018-6-x", 8, 0, k), -1);
    assert_int_equal(civ_date_bound("soon", 4, 0, k), -1);
}

static void test_time_roundtrip(void **state)
{
    (void)state;
    civ_date d;
    civ_date_from_time(&d, 0);
    char iso[21];
    civ_date_iso(&d, iso);
    assert_string_equal(iso, "1970-01-01T00:00:00Z");
    civ_date_from_time(&d, 1556877600); /* 2019-05-03T10:00:00Z */
    civ_date_iso(&d, iso);
    assert_string_equal(iso, "2019-05-03T10:00:00Z");
    assert_int_equal(civ_date_to_time(&d), 1556877600);
}

/* The loose parser reads its n bytes and no more: digits after them are
 * not the last number's (it had read them with atoi). */
static void test_loose_length(void **state)
{
    (void)state;
    civ_date d;
    const char *asc = "Thu Aug 22 12:36:23 2002999";
    assert_int_equal(civ_date_parse_loose(&d, asc, 24), 0);
    assert_int_equal(d.year, 2002);
    const char *ymd = "2002-08-2299";
    assert_int_equal(civ_date_parse_loose(&d, ymd, 10), 0);
    assert_int_equal(d.year, 2002);
    assert_int_equal(d.month, 8);
    assert_int_equal(d.day, 22);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_time_roundtrip),
        cmocka_unit_test(test_loose_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
