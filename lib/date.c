#include "civ/date.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civ_date_from_time(civ_date *out, time_t t)
{
    long long s = (long long)t;
    long long days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    long long rem = s - days * 86400;
    long long z = days + 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    long long doe = z - era * 146097;
    long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long long y = yoe + era * 400;
    long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long long mp = (5 * doy + 2) / 153;
    long long d = doy - (153 * mp + 2) / 5 + 1;
    long long m = mp + (mp < 10 ? 3 : -9);
    out->year = (int)(y + (m <= 2));
    out->month = (int)m;
    out->day = (int)d;
    out->hour = (int)(rem / 3600);
    out->min = (int)(rem / 60 % 60);
    out->sec = (int)(rem % 60);
    out->has_time = 1;
}

long long civ_date_to_time(const civ_date *d)
{
    return days_from_civil(d->year, d->month, d->day) * 86400LL + d->hour * 3600LL +
           d->min * 60LL + d->sec;
}

/* Writes v as exactly `width` decimal digits (the low ones). */
static char *digits(char *p, unsigned v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

void civ_date_key(const civ_date *d, char out[15])
{
    char *p = digits(out, (unsigned)d->year, 4);
    p = digits(p, (unsigned)d->month, 2);
    p = digits(p, (unsigned)d->day, 2);
    p = digits(p, (unsigned)d->hour, 2);
    p = digits(p, (unsigned)d->min, 2);
    p = digits(p, (unsigned)d->sec, 2);
    *p = '\0';
}

void civ_date_ymd(const civ_date *d, char out[11])
{
    char *p = digits(out, (unsigned)d->year, 4);
    *p++ = '-';
    p = digits(p, (unsigned)d->month, 2);
    *p++ = '-';
    p = digits(p, (unsigned)d->day, 2);
    *p = '\0';
}

void civ_date_iso(const civ_date *d, char out[21])
{
    civ_date_ymd(d, out);
    if (!d->has_time)
        return;
    char *p = out + 10;
    *p++ = 'T';
    p = digits(p, (unsigned)d->hour, 2);
    *p++ = ':';
    p = digits(p, (unsigned)d->min, 2);
    *p++ = ':';
    p = digits(p, (unsigned)d->sec, 2);
    *p++ = 'Z';
    *p = '\0';
}

static int valid(const civ_date *d)
{
    return d->year >= 1000 && d->year <= 2999 && d->month >= 1 && d->month <= 12 &&
           d->day >= 1 && d->day <= days_in_month(d->year, d->month) && d->hour >= 0 &&
           d->hour <= 23 && d->min >= 0 && d->min <= 59 && d->sec >= 0 && d->sec <= 60;
}

/* Applies an offset in minutes east of UTC, normalising to UTC. */
static void apply_offset(civ_date *d, int minutes)
{
    if (d->sec == 60)
        d->sec = 59;
    long long t = civ_date_to_time(d) - minutes * 60LL;
    civ_date_from_time(d, (time_t)t);
}

/* ---- a tiny scanner ------------------------------------------------- */

typedef struct scan {
    const char *p, *end;
} scan;

static void skip_space(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

/* Reads 1..maxd digits; returns the number of digits read. */
static int read_num(scan *s, int maxd, int *v)
{
    int n = 0, r = 0;
    while (s->p < s->end && n < maxd && isdigit((unsigned char)*s->p)) {
        r = r * 10 + (*s->p - '0');
        s->p++;
        n++;
    }
    if (n)
        *v = r;
    return n;
}

static int accept(scan *s, char c)
{
    if (s->p < s->end && *s->p == c) {
        s->p++;
        return 1;
    }
    return 0;
}

static const char *const month_names[12][3] = {
    { "january", "jan", "janv" },   { "february", "feb", "febr" },
    { "march", "mar", "mrz" },      { "april", "apr", "avr" },
    { "may", "may", "mai" },        { "june", "jun", "juin" },
    { "july", "jul", "juil" },      { "august", "aug", "aout" },
    { "september", "sep", "sept" }, { "october", "oct", "okt" },
    { "november", "nov", "nov" },   { "december", "dec", "dez" },
};

/* Length of the run of letters at the scan position. */
static size_t letters(const scan *s)
{
    size_t n = 0;
    while (s->p + n < s->end && isalpha((unsigned char)s->p[n]))
        n++;
    return n;
}

int civ_date_month(const char *w, size_t n)
{
    if (n < 3)
        return 0;
    for (int i = 0; i < 12; i++)
        for (int k = 0; k < 3; k++) {
            const char *name = month_names[i][k];
            if (strlen(name) == n && strncasecmp(w, name, n) == 0)
                return i + 1;
        }
    return 0;
}

/* Reads an English month name or abbreviation (optionally with a dot). */
static int read_month(scan *s, int *m)
{
    size_t n = letters(s);
    int month = civ_date_month(s->p, n);
    if (!month)
        return 0;
    s->p += n;
    accept(s, '.');
    *m = month;
    return 1;
}

static int read_weekday(scan *s)
{
    static const char *const days[] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
    const char *w = s->p;
    size_t n = letters(s);
    if (n < 3)
        return 0;
    for (int i = 0; i < 7; i++) {
        if (strncasecmp(w, days[i], 3) == 0) {
            s->p += n;
            accept(s, '.');
            skip_space(s);
            accept(s, ',');
            skip_space(s);
            return 1;
        }
    }
    return 0;
}

/* Length of the zone name at s[0..n) ("UTC", "PDT") and its offset in
 * minutes east of UTC, or 0 when there is none. */
static size_t zone_name(const char *s, size_t n, int *off)
{
    static const struct { const char *name; int off; } zones[] = {
        { "UTC", 0 },      { "UT", 0 },       { "GMT", 0 },      { "EST", -300 },
        { "EDT", -240 },   { "CST", -360 },   { "CDT", -300 },   { "MST", -420 },
        { "MDT", -360 },   { "PST", -480 },   { "PDT", -420 },   { "CET", 60 },
        { "CEST", 120 },   { "BST", 60 },
    };
    for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++) {
        size_t k = strlen(zones[i].name);
        if (n >= k && strncmp(s, zones[i].name, k) == 0 && (k == n || !isalpha((unsigned char)s[k]))) {
            *off = zones[i].off;
            return k;
        }
    }
    return 0;
}

/* Reads "hh:mm[:ss][.frac]" and an optional zone; applies the zone.
 * Returns 1 when a time was read. */
static int read_time_zone(scan *s, civ_date *d)
{
    scan save = *s;
    int h, mi, se = 0;
    if (read_num(s, 2, &h) == 0 || !accept(s, ':') || read_num(s, 2, &mi) != 2) {
        *s = save;
        return 0;
    }
    if (accept(s, ':') && read_num(s, 2, &se) != 2) {
        *s = save;
        return 0;
    }
    if (accept(s, '.') || accept(s, ','))
        while (s->p < s->end && isdigit((unsigned char)*s->p))
            s->p++;
    d->hour = h;
    d->min = mi;
    d->sec = se;
    d->has_time = 1;
    skip_space(s);
    /* am / pm */
    if (s->end - s->p >= 2 && (strncasecmp(s->p, "am", 2) == 0 || strncasecmp(s->p, "pm", 2) == 0)) {
        int pm = tolower((unsigned char)*s->p) == 'p';
        s->p += 2;
        if (d->hour == 12)
            d->hour = 0;
        if (pm)
            d->hour += 12;
        skip_space(s);
    }
    int off = 0, have = 0;
    if (s->p < s->end && (*s->p == '+' || *s->p == '-')) {
        int sign = *s->p == '-' ? -1 : 1, oh = 0, om = 0;
        s->p++;
        int nd = read_num(s, 4, &oh);
        if (nd == 4) {
            om = oh % 100;
            oh /= 100;
        } else if (nd == 2 || nd == 1) {
            if (accept(s, ':'))
                read_num(s, 2, &om);
        } else {
            return 1;
        }
        if (oh <= 14 && om < 60) {
            off = sign * (oh * 60 + om);
            have = 1;
        }
    } else if (s->p < s->end && (*s->p == 'Z' || *s->p == 'z')) {
        s->p++;
        have = 1;
    } else {
        size_t n = zone_name(s->p, (size_t)(s->end - s->p), &off);
        if (n) {
            s->p += n;
            have = 1;
        }
    }
    if (have && off != 0 && valid(d))
        apply_offset(d, off);
    return 1;
}

/* Day-month-year and month-day-year forms, with names. */
static int read_named(scan *s, civ_date *d)
{
    scan save = *s;
    int day = 0, month = 0, year = 0;
    read_weekday(s);
    if (read_num(s, 2, &day)) {
        /* "3 May 2019", "3rd of May, 2019", "03-May-2019" */
        if (s->end - s->p >= 2 && (strncasecmp(s->p, "st", 2) == 0 || strncasecmp(s->p, "nd", 2) == 0 ||
                                   strncasecmp(s->p, "rd", 2) == 0 || strncasecmp(s->p, "th", 2) == 0))
            s->p += 2;
        accept(s, '.');
        skip_space(s);
        if (s->end - s->p >= 3 && strncasecmp(s->p, "of ", 3) == 0)
            s->p += 3;
        accept(s, '-');
        if (!read_month(s, &month))
            goto fail;
        accept(s, '-');
        skip_space(s);
        accept(s, ',');
        skip_space(s);
        if (read_num(s, 4, &year) != 4)
            goto fail;
    } else if (read_month(s, &month)) {
        /* "May 3, 2019", "May 3rd 2019", "May 2019" */
        skip_space(s);
        scan mark = *s;
        if (read_num(s, 4, &year) == 4) {
            day = 1;
        } else {
            *s = mark;
            if (!read_num(s, 2, &day))
                goto fail;
            if (s->end - s->p >= 2 && isalpha((unsigned char)s->p[0]))
                s->p += 2;
            skip_space(s);
            accept(s, ',');
            skip_space(s);
            if (read_num(s, 4, &year) != 4)
                goto fail;
        }
    } else {
        goto fail;
    }
    memset(d, 0, sizeof *d);
    d->year = year;
    d->month = month;
    d->day = day;
    if (!valid(d))
        goto fail;
    scan t = *s;
    skip_space(&t);
    accept(&t, ',');
    skip_space(&t);
    if (read_time_zone(&t, d))
        *s = t;
    return 1;
fail:
    *s = save;
    return 0;
}

/* Numeric forms: 2019-05-03[T...], 2019/05/03, 20190503, 2019-05, 2019. */
static int read_numeric(scan *s, civ_date *d, int allow_partial)
{
    scan save = *s;
    int year = 0, month = 1, day = 1, nd;
    memset(d, 0, sizeof *d);
    nd = read_num(s, 8, &year);
    if (nd == 8) {
        day = year % 100;
        month = year / 100 % 100;
        year /= 10000;
    } else if (nd == 4) {
        char sep = s->p < s->end ? *s->p : 0;
        if ((sep == '-' || sep == '/' || sep == '.') && s->p + 1 < s->end &&
            isdigit((unsigned char)s->p[1])) {
            s->p++;
            if (!read_num(s, 2, &month))
                goto fail;
            if (accept(s, sep)) {
                if (!read_num(s, 2, &day))
                    goto fail;
            } else if (!allow_partial) {
                goto fail;
            }
        } else if (!allow_partial) {
            goto fail;
        }
    } else {
        goto fail;
    }
    d->year = year;
    d->month = month;
    d->day = day;
    if (!valid(d))
        goto fail;
    scan t = *s;
    if (accept(&t, 'T') || accept(&t, 't') || accept(&t, ' ')) {
        if (read_time_zone(&t, d))
            *s = t;
    }
    return 1;
fail:
    *s = save;
    return 0;
}

int civ_date_parse(civ_date *out, const char *str, size_t len)
{
    scan s = { str, str + len };
    civ_date d;
    skip_space(&s);
    if (!read_numeric(&s, &d, 1) && !read_named(&s, &d))
        return -1;
    skip_space(&s);
    /* RFC 5322 allows a comment such as "(PDT)" after the zone. */
    if (s.p < s.end && *s.p == '(')
        s.p = s.end;
    if (s.p != s.end)
        return -1;
    if (!valid(&d))
        return -1;
    *out = d;
    return 0;
}

int civ_date_find(civ_date *out, const char *text, size_t len, size_t window,
                  size_t *where)
{
    size_t lim = len < window ? len : window;
    for (size_t i = 0; i < lim; i++) {
        unsigned char c = (unsigned char)text[i];
        if (i > 0 && isalnum((unsigned char)text[i - 1]))
            continue;
        if (!isdigit(c) && !isupper(c))
            continue;
        scan s = { text + i, text + len };
        civ_date d;
        int ok = isdigit(c) ? (read_numeric(&s, &d, 0) || read_named(&s, &d)) : read_named(&s, &d);
        if (!ok)
            continue;
        /* Reject a match glued to more digits ("2019-05-033"). */
        if (s.p < s.end && isdigit((unsigned char)*s.p))
            continue;
        *out = d;
        if (where)
            *where = i;
        return 0;
    }
    return -1;
}

int civ_date_bound(const char *str, size_t len, int upper, char out[15])
{
    scan s = { str, str + len };
    int year = 0, month = 0, day = 0;
    skip_space(&s);
    int nd = read_num(&s, 8, &year);
    if (nd == 8) {
        day = year % 100;
        month = year / 100 % 100;
        year /= 10000;
    } else if (nd == 4) {
        char sep = s.p < s.end ? *s.p : 0;
        if (sep == '-' || sep == '/' || sep == '.') {
            s.p++;
            if (!read_num(&s, 2, &month))
                return -1;
            if (accept(&s, sep) && !read_num(&s, 2, &day))
                return -1;
        }
    } else {
        return -1;
    }
    skip_space(&s);
    if (s.p != s.end)
        return -1;
    civ_date d = { year, month ? month : 1, day ? day : 1, 0, 0, 0, 0 };
    if (!valid(&d))
        return -1;
    if (upper) {
        if (!month)
            d.month = 12;
        if (!day)
            d.day = days_in_month(d.year, d.month);
        d.hour = 23;
        d.min = 59;
        d.sec = 59;
    }
    civ_date_key(&d, out);
    return 0;
}

/* ---- the loose reading of mail dates ------------------------------ */

/* A run of letters, digits or other bytes up to a separator. */
static size_t token_end(const char *s, size_t i, size_t n)
{
    while (i < n && s[i] != ' ' && s[i] != '\t' && s[i] != ',' && s[i] != '\r' && s[i] != '\n')
        i++;
    return i;
}

static int all_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* The value of s[0..n), n digits (all_digits), n at most 9. The token is
 * not NUL-terminated: the digits of s[n] and after are not its own. */
static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* "h:m[:s][.frac]" with one or two digits each. */
static int loose_time(const char *w, size_t n, civ_date *d)
{
    int v[3] = { 0, 0, 0 }, k = 0;
    size_t i = 0;
    while (k < 3) {
        size_t s = i;
        while (i < n && isdigit((unsigned char)w[i]) && i - s < 2)
            v[k] = v[k] * 10 + (w[i++] - '0');
        if (i == s)
            return 0;
        k++;
        if (i < n && w[i] == ':' && k < 3) {
            i++;
            continue;
        }
        break;
    }
    if (k < 2 || (i < n && w[i] != '.'))
        return 0;
    if (v[0] > 23 || v[1] > 59 || v[2] > 60)
        return 0;
    d->hour = v[0], d->min = v[1], d->sec = v[2] > 59 ? 59 : v[2];
    d->has_time = 1;
    return 1;
}

/* "+0200", "-05:00", "+-0500" (read as -0500), "+9": minutes east of UTC. */
static int loose_zone(const char *w, size_t n, int *off)
{
    size_t i = 0;
    int sign = 1;
    while (i < n && (w[i] == '+' || w[i] == '-')) {
        if (w[i] == '-')
            sign = -1;
        i++;
    }
    if (i == 0 || i == n)
        return 0;
    int h = 0, m = 0;
    size_t s = i;
    while (i < n && isdigit((unsigned char)w[i]) && i - s < 4)
        h = h * 10 + (w[i++] - '0');
    size_t nd = i - s;
    if (nd == 4) {
        m = h % 100;
        h /= 100;
    } else if (nd == 0) {
        return 0;
    } else if (i < n && w[i] == ':') {
        i++;
        while (i < n && isdigit((unsigned char)w[i]))
            m = m * 10 + (w[i++] - '0');
    }
    if (i != n || h > 14 || m > 59)
        return 0;
    *off = sign * (h * 60 + m);
    return 1;
}

int civ_date_parse_loose(civ_date *out, const char *s, size_t n)
{
    civ_date d;
    memset(&d, 0, sizeof d);
    int off = 0, have_zone = 0, year_digits = 0;
    size_t i = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == ',' || s[i] == '\r' || s[i] == '\n'))
            i++;
        if (i >= n || s[i] == '(')
            break;
        size_t e = token_end(s, i, n);
        const char *w = s + i;
        size_t wl = e - i;
        i = e;
        int v = 0, mo = 0, zo = 0;
        if (isdigit((unsigned char)w[0]) && memchr(w, ':', wl)) {
            if (!d.has_time && loose_time(w, wl, &d))
                continue;
        } else if (isdigit((unsigned char)w[0]) && wl == 10 && (w[4] == '/' || w[4] == '-') &&
                   w[7] == w[4] && all_digits(w, 4) && all_digits(w + 5, 2) && all_digits(w + 8, 2)) {
            d.year = digits_value(w, 4);
            d.month = digits_value(w + 5, 2);
            d.day = digits_value(w + 8, 2);
            year_digits = 4;
        } else if (all_digits(w, wl)) {
            v = wl <= 6 ? digits_value(w, wl) : 0;
            if (d.year && d.day)
                continue; /* "hhmm" without a sign after it all: ignored */
            if (wl <= 2 && !d.day && !d.year)
                d.day = v;
            else if (wl <= 2 && !d.day && year_digits == 4)
                d.day = v;
            else if (wl >= 2 && wl <= 4 && !d.year)
                d.year = v, year_digits = (int)wl;
            else if (wl <= 2 && !d.day)
                d.day = v;
        } else if ((w[0] == '+' || w[0] == '-') && !have_zone) {
            have_zone = loose_zone(w, wl, &off);
        } else if (isalpha((unsigned char)w[0])) {
            size_t al = 0;
            while (al < wl && isalpha((unsigned char)w[al]))
                al++;
            if (!d.month && (mo = civ_date_month(w, al < 9 ? al : 3)) != 0 && (al == wl || w[al] == '.'))
                d.month = mo;
            else if (!d.month && al > 3 && (mo = civ_date_month(w, 3)) != 0 && al == wl)
                d.month = mo;
            else if (d.has_time && al == 2 && (strncasecmp(w, "am", 2) == 0 || strncasecmp(w, "pm", 2) == 0)) {
                if (d.hour == 12)
                    d.hour = 0;
                if (tolower((unsigned char)w[0]) == 'p')
                    d.hour += 12;
            } else if (!have_zone && zone_name(w, wl, &zo) == al) {
                off = zo;
                have_zone = 1;
                if (al < wl && loose_zone(w + al, wl - al, &zo))
                    off += zo; /* "GMT+9" */
            }
        }
    }
    /* Years as old mailers wrote them: 2 digits (RFC 5322: 50-99 are
     * 19xx), 3 digits or a year-2000 bug's "0102" (years since 1900). */
    if (year_digits == 2)
        d.year += d.year >= 50 ? 1900 : 2000;
    else if (d.year >= 100 && d.year <= 199)
        d.year += 1900;
    if (!d.year || !d.month || !d.day || !valid(&d))
        return -1;
    if (have_zone && off != 0)
        apply_offset(&d, off);
    *out = d;
    return 0;
}

int civ_date_parse_mail(civ_date *out, const char *s, size_t n)
{
    return civ_date_parse(out, s, n) == 0 ? 0 : civ_date_parse_loose(out, s, n);
}

double civ_monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
