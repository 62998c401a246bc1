/*
 * timefmt: instants as signed microseconds since the Unix epoch, UTC.
 * Conversions to calendar fields are pure (no TZ, no locale), so they behave
 * the same in every worker whatever the host's time zone.
 */
#ifndef PS_TIMEFMT_H
#define PS_TIMEFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TIMEFMT_RFC3339_LEN 20   /* "2026-11-26T12:00:00Z" */
#define TIMEFMT_DATE_LEN    10   /* "2026-11-26" */
#define TIMEFMT_AGO_MAX     24   /* "11 months ago" and the like */
#define TIMEFMT_HUMAN_LEN   23   /* "2026-11-26 12:00:00 UTC" */

/* Instants are microseconds: one second, one UTC day. */
#define TIMEFMT_SECOND INT64_C(1000000)
#define TIMEFMT_DAY    (INT64_C(86400) * TIMEFMT_SECOND)

struct timefmt_civil {
	int year, month, day, hour, minute, second, usec;
};

int64_t timefmt_now_us(void);

void timefmt_to_civil(int64_t us, struct timefmt_civil *c);
int64_t timefmt_from_civil(const struct timefmt_civil *c);

/* Second precision, fractions truncated; writes a NUL. */
void timefmt_rfc3339(int64_t us, char out[TIMEFMT_RFC3339_LEN + 1]);
void timefmt_date(int64_t us, char out[TIMEFMT_DATE_LEN + 1]);
/* "2026-11-26 12:00:00 UTC": the exact instant, for people. */
void timefmt_human(int64_t us, char out[TIMEFMT_HUMAN_LEN + 1]);

/*
 * How long before `now` the instant `then` was, rounded down to the largest
 * unit: "just now" (under a minute, or in the future by clock skew),
 * "1 minute ago", "3 hours ago", "2 days ago", "5 months ago", "2 years ago".
 */
void timefmt_ago(int64_t now, int64_t then, char out[TIMEFMT_AGO_MAX + 1]);
/* How long after `now` the instant `then` is, the same way: "in 3 hours"; "in under a minute". */
void timefmt_until(int64_t now, int64_t then, char out[TIMEFMT_AGO_MAX + 1]);

/*
 * An RFC 3339 instant in UTC: "2026-11-26T12:00:00Z", with up to six
 * fraction digits before the Z ("...:00.5Z"), years 0000 to 9999, no leap
 * second. False for anything else.
 */
bool timefmt_parse_rfc3339(const char *s, size_t len, int64_t *out);

#endif
