/*
 * civ/date.h — reading the many ways documents write dates.
 */
#ifndef CIV_DATE_H
#define CIV_DATE_H

#include <stddef.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct civ_date {
    int year, month, day;       /* 1..12, 1..31 */
    int hour, min, sec;         /* UTC once parsed */
    int has_time;               /* 0: a calendar day only */
} civ_date;

/* Parses a whole string as a date: ISO 8601 ("2019-05-03",
 * "2019-05-03T10:00:00+02:00"), RFC 5322 ("Fri, 3 May 2019 10:00:00 +0200",
 * with obsolete zone names), "May 3, 2019", "3 May 2019", "2019/05/03",
 * "20190503", "May 2019", "2019-05" and "2019" (first day of the period).
 * Times with a zone are converted to UTC. Surrounding spaces are ignored.
 * Returns 0 on success, -1 if the text is not a valid date (years
 * 1000..2999 only). */
int civ_date_parse(civ_date *out, const char *s, size_t len);

/* A date as mailers wrote it, read leniently: civ_date_parse() first,
 * else its parts found in any order (weekday, day, month name, year, time,
 * zone), the rest ignored: asctime order ("Sat Sep 28 12:34:56 2002"),
 * one-digit times ("16:54:6"), zones such as "+-0500", "GMT+9" or "Eastern
 * Daylight Time" (unknown names count as UTC), two-digit years (50-99:
 * 19xx) and the year-2000 bug's years since 1900 ("102", "0102"). Returns
 * 0 or -1. */
int civ_date_parse_mail(civ_date *out, const char *s, size_t len);

/* The lenient part of civ_date_parse_mail() alone (an mbox "From " line's
 * date). */
int civ_date_parse_loose(civ_date *out, const char *s, size_t len);

/* The month (1..12) an English month name or abbreviation w[0..n) names
 * ("May", "sept", "January"), or 0. */
int civ_date_month(const char *w, size_t n);

/* Finds the first complete date (day, month and year) in the first
 * `window` bytes of text, in any of the forms above or "3rd of May,
 * 2019". Returns 0 and fills *out, or -1. *where receives the byte offset
 * where it starts (may be NULL). */
int civ_date_find(civ_date *out, const char *text, size_t len, size_t window,
                  size_t *where);

/* The UTC calendar date and time of t. */
void civ_date_from_time(civ_date *out, time_t t);

/* Seconds since 1970 of d (UTC). */
long long civ_date_to_time(const civ_date *d);

/* "YYYYMMDDhhmmss", the value-slot key (15 bytes with the NUL). */
void civ_date_key(const civ_date *d, char out[15]);

/* "YYYY-MM-DD" (11 bytes with the NUL). */
void civ_date_ymd(const civ_date *d, char out[11]);

/* "YYYY-MM-DDThh:mm:ssZ", or "YYYY-MM-DD" without a time (21 bytes). */
void civ_date_iso(const civ_date *d, char out[21]);

/* Reads the bound of a date range as typed in a query: "2018",
 * "2018-05", "2018-05-01" (or "20180501", "2018/05/01"). The lower bound
 * (upper = 0) is the first second of the period, the upper bound its last.
 * Writes a 14-digit key. Returns 0, or -1 when s is not such a date. */
int civ_date_bound(const char *s, size_t len, int upper, char out[15]);

/* Seconds on the monotonic clock, for measuring durations. */
double civ_monotonic(void);

#ifdef __cplusplus
}
#endif
#endif
