/*
 * Unit tests of lib/timefmt.c: civil conversions, RFC 3339, date and human
 * text, and the relative "3 hours ago".
 */
#include "../../../lib/base/timefmt.c"
#include "../harness.h"

#include <inttypes.h>

#define S INT64_C(1000000)   /* microseconds per second */

/* Epoch seconds checked with `date -u -d @N`. */
static const struct {
	int line;
	int64_t sec;
	struct timefmt_civil c;      /* usec 0 */
	const char *rfc3339;
} known[] = {
	{__LINE__, 0, {1970, 1, 1, 0, 0, 0, 0}, "1970-01-01T00:00:00Z"},
	{__LINE__, 1795867200, {2026, 11, 28, 12, 0, 0, 0}, "2026-11-28T12:00:00Z"},
	{__LINE__, 1709164800, {2024, 2, 29, 0, 0, 0, 0}, "2024-02-29T00:00:00Z"},
	{__LINE__, 951782400, {2000, 2, 29, 0, 0, 0, 0}, "2000-02-29T00:00:00Z"},
	{__LINE__, 951868800, {2000, 3, 1, 0, 0, 0, 0}, "2000-03-01T00:00:00Z"},
	{__LINE__, 4107456000, {2100, 2, 28, 0, 0, 0, 0}, "2100-02-28T00:00:00Z"},
	{__LINE__, 4107542400, {2100, 3, 1, 0, 0, 0, 0}, "2100-03-01T00:00:00Z"},  /* no Feb 29 */
	{__LINE__, 1735689599, {2024, 12, 31, 23, 59, 59, 0}, "2024-12-31T23:59:59Z"},
	{__LINE__, 1735689600, {2025, 1, 1, 0, 0, 0, 0}, "2025-01-01T00:00:00Z"},
	{__LINE__, 1798761599, {2026, 12, 31, 23, 59, 59, 0}, "2026-12-31T23:59:59Z"},
	{__LINE__, 946684799, {1999, 12, 31, 23, 59, 59, 0}, "1999-12-31T23:59:59Z"},
	{__LINE__, -1, {1969, 12, 31, 23, 59, 59, 0}, "1969-12-31T23:59:59Z"},
	{__LINE__, -86400, {1969, 12, 31, 0, 0, 0, 0}, "1969-12-31T00:00:00Z"},
	{__LINE__, -2208988800, {1900, 1, 1, 0, 0, 0, 0}, "1900-01-01T00:00:00Z"},
	{__LINE__, -62135596800, {1, 1, 1, 0, 0, 0, 0}, "0001-01-01T00:00:00Z"},
	{__LINE__, 253402300799, {9999, 12, 31, 23, 59, 59, 0}, "9999-12-31T23:59:59Z"},
};

static int
civil_eq(const struct timefmt_civil *a, const struct timefmt_civil *b)
{
	return a->year == b->year && a->month == b->month && a->day == b->day &&
	       a->hour == b->hour && a->minute == b->minute && a->second == b->second &&
	       a->usec == b->usec;
}

static void
test_known(void)
{
	struct timefmt_civil c;
	char out[TIMEFMT_RFC3339_LEN + 1], date[TIMEFMT_DATE_LEN + 1];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		int64_t us = known[i].sec * S;

		memset(&c, 0x55, sizeof(c));
		timefmt_to_civil(us, &c);
		CHECK_AT(civil_eq(&c, &known[i].c), known[i].line,
		         "to_civil(%" PRId64 ") = %d-%d-%d %d:%d:%d.%06d", known[i].sec,
		         c.year, c.month, c.day, c.hour, c.minute, c.second, c.usec);
		int64_t back = timefmt_from_civil(&known[i].c);
		CHECK_AT(back == us, known[i].line, "from_civil = %" PRId64 ", want %" PRId64,
		         back, us);
		memset(out, 'X', sizeof(out));
		timefmt_rfc3339(us, out);
		CHECK_AT(out[TIMEFMT_RFC3339_LEN] == '\0' && strcmp(out, known[i].rfc3339) == 0,
		         known[i].line, "rfc3339 = %.21s, want %s", out, known[i].rfc3339);
		memset(date, 'X', sizeof(date));
		timefmt_date(us, date);
		CHECK_AT(date[TIMEFMT_DATE_LEN] == '\0' &&
		         memcmp(date, known[i].rfc3339, TIMEFMT_DATE_LEN) == 0, known[i].line,
		         "date = %.11s, want %.10s", date, known[i].rfc3339);
	}
}

/* Fractions are truncated toward the earlier second, also before the epoch. */
static void
test_truncation(void)
{
	static const struct { int line; int64_t us; const char *want; int usec; } cases[] = {
		{__LINE__, 1795867200 * S + 999999, "2026-11-28T12:00:00Z", 999999},
		{__LINE__, 1795867200 * S + 500000, "2026-11-28T12:00:00Z", 500000},
		{__LINE__, 1795867200 * S + 1, "2026-11-28T12:00:00Z", 1},
		{__LINE__, 1795867201 * S - 1, "2026-11-28T12:00:00Z", 999999},
		{__LINE__, 1795867201 * S, "2026-11-28T12:00:01Z", 0},
		{__LINE__, 1735689600 * S - 1, "2024-12-31T23:59:59Z", 999999},
		{__LINE__, 1, "1970-01-01T00:00:00Z", 1},
		{__LINE__, -1, "1969-12-31T23:59:59Z", 999999},
		{__LINE__, -S, "1969-12-31T23:59:59Z", 0},
		{__LINE__, -S - 1, "1969-12-31T23:59:58Z", 999999},
		{__LINE__, -86400 * S - 1, "1969-12-30T23:59:59Z", 999999},
	};
	struct timefmt_civil c;
	char out[TIMEFMT_RFC3339_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		timefmt_rfc3339(cases[i].us, out);
		CHECK_AT(strcmp(out, cases[i].want) == 0, cases[i].line, "rfc3339(%" PRId64
		         ") = %s, want %s", cases[i].us, out, cases[i].want);
		timefmt_to_civil(cases[i].us, &c);
		CHECK_AT(c.usec == cases[i].usec, cases[i].line, "usec %d, want %d", c.usec,
		         cases[i].usec);
		CHECK_AT(timefmt_from_civil(&c) == cases[i].us, cases[i].line,
		         "round trip of %" PRId64, cases[i].us);
	}
}

static void
test_from_civil_usec(void)
{
	struct timefmt_civil c = {2026, 11, 28, 12, 0, 0, 123456};
	CHECK(timefmt_from_civil(&c) == INT64_C(1795867200123456), "usec not added");
	struct timefmt_civil d = {1969, 12, 31, 23, 59, 59, 999999};
	CHECK(timefmt_from_civil(&d) == -1, "1969-12-31T23:59:59.999999 = %" PRId64,
	      timefmt_from_civil(&d));
}

/* A sweep against libc's gmtime_r, an independent implementation. */
static void
test_against_gmtime(void)
{
	int bad_civil = 0, bad_text = 0, bad_trip = 0, bad_human = 0, n = 0;
	char out[TIMEFMT_RFC3339_LEN + 1], want[64], human[TIMEFMT_HUMAN_LEN + 1];

	/* 1800 to 2300 in steps of a prime number of seconds (hits every time of day). */
	for (int64_t t = INT64_C(-5364662400); t < INT64_C(10413792000); t += 86399 * 7 + 13) {
		time_t tt = (time_t)t;
		struct tm tm;
		struct timefmt_civil c;
		int64_t us = t * S + (t & 0xfffff) % S;

		gmtime_r(&tt, &tm);
		timefmt_to_civil(us, &c);
		bad_civil += c.year != tm.tm_year + 1900 || c.month != tm.tm_mon + 1 ||
		             c.day != tm.tm_mday || c.hour != tm.tm_hour ||
		             c.minute != tm.tm_min || c.second != tm.tm_sec;
		bad_trip += timefmt_from_civil(&c) != us;
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%SZ", &tm);
		timefmt_rfc3339(us, out);
		bad_text += strcmp(out, want) != 0;
		strftime(want, sizeof(want), "%Y-%m-%d %H:%M:%S UTC", &tm);
		timefmt_human(us, human);
		bad_human += strcmp(human, want) != 0;
		n++;
	}
	CHECK(n > 10000, "only %d instants", n);
	CHECK(bad_civil == 0, "%d of %d instants differ from gmtime_r", bad_civil, n);
	CHECK(bad_text == 0, "%d of %d texts differ from strftime", bad_text, n);
	CHECK(bad_human == 0, "%d of %d human texts differ from strftime", bad_human, n);
	CHECK(bad_trip == 0, "%d of %d round trips differ", bad_trip, n);
}

/* Every day of a leap and a non-leap century: from_civil is one day per step. */
static void
test_days(void)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int bad = 0;
	int64_t expect = INT64_C(-2208988800) * S;        /* 1900-01-01 */

	for (int y = 1900; y <= 2100; y++) {
		int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
		for (int m = 1; m <= 12; m++) {
			int nd = mdays[m - 1] + (m == 2 && leap);
			for (int d = 1; d <= nd; d++) {
				struct timefmt_civil c = {y, m, d, 0, 0, 0, 0}, back;
				bad += timefmt_from_civil(&c) != expect;
				timefmt_to_civil(expect, &back);
				bad += !civil_eq(&c, &back);
				expect += 86400 * S;
			}
		}
	}
	CHECK(bad == 0, "%d day mismatches from 1900 to 2100", bad);
	CHECK(expect == INT64_C(4133980800) * S, "2101-01-01 is %" PRId64, expect / S);
}

static void
test_now(void)
{
	int64_t a = timefmt_now_us(), b = timefmt_now_us();

	/* After 2024-01-01 and before 2100-01-01, and not going backwards much. */
	CHECK(a > INT64_C(1704067200) * S && a < INT64_C(4102444800) * S,
	      "now = %" PRId64, a);
	CHECK(b >= a - S, "clock went back %" PRId64 " us", a - b);
}

/* The human text is the RFC 3339 text with a space for 'T' and " UTC" for 'Z'. */
static void
test_human(void)
{
	char out[TIMEFMT_HUMAN_LEN + 1], want[TIMEFMT_HUMAN_LEN + 1];

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		snprintf(want, sizeof(want), "%.10s %.8s UTC", known[i].rfc3339, known[i].rfc3339 + 11);
		memset(out, 'X', sizeof(out));
		/* A fraction of a second later: still the same second. */
		timefmt_human(known[i].sec * S + 999999, out);
		CHECK_AT(out[TIMEFMT_HUMAN_LEN] == '\0' && strcmp(out, want) == 0, known[i].line,
		         "human(%" PRId64 ".999999) = %.24s, want %s", known[i].sec, out, want);
	}
	timefmt_human(-1, out);
	CHECK(strcmp(out, "1969-12-31 23:59:59 UTC") == 0, "human(-1 us) = %s", out);
}

static void
test_ago(void)
{
	enum { M = 60, H = 3600, D = 86400 };
	static const struct { int line; int64_t ago_us; const char *want; } cases[] = {
		{__LINE__, 0, "just now"},
		{__LINE__, 1, "just now"},
		{__LINE__, 59 * S, "just now"},
		{__LINE__, 60 * S - 1, "just now"},
		{__LINE__, 60 * S, "1 minute ago"},
		{__LINE__, 119 * S, "1 minute ago"},
		{__LINE__, 120 * S, "2 minutes ago"},
		{__LINE__, (H - 1) * S, "59 minutes ago"},
		{__LINE__, H * S - 1, "59 minutes ago"},
		{__LINE__, H * S, "1 hour ago"},
		{__LINE__, (2 * H - 1) * S, "1 hour ago"},
		{__LINE__, 3 * H * S, "3 hours ago"},
		{__LINE__, (D - 1) * S, "23 hours ago"},
		{__LINE__, D * S, "1 day ago"},
		{__LINE__, 2 * D * S, "2 days ago"},
		{__LINE__, 29 * D * S, "29 days ago"},
		{__LINE__, (30 * D - 1) * S, "29 days ago"},
		/* Months and years are 30 and 365 days (timefmt.h). */
		{__LINE__, 30 * D * S, "1 month ago"},
		{__LINE__, (60 * D - 1) * S, "1 month ago"},
		{__LINE__, 60 * D * S, "2 months ago"},
		{__LINE__, 150 * D * S, "5 months ago"},
		{__LINE__, 359 * D * S, "11 months ago"},
		{__LINE__, 364 * D * S, "11 months ago"},      /* 364 / 30 = 12: capped below a year */
		{__LINE__, (365 * (int64_t)D - 1) * S, "11 months ago"},
		{__LINE__, 365 * (int64_t)D * S, "1 year ago"},
		{__LINE__, (730 * (int64_t)D - 1) * S, "1 year ago"},
		{__LINE__, 730 * (int64_t)D * S, "2 years ago"},
		{__LINE__, 36500 * (int64_t)D * S, "100 years ago"},
		/* In the future (the database's clock ahead of ours): no "-3 minutes". */
		{__LINE__, -1, "just now"},
		{__LINE__, -S, "just now"},
		{__LINE__, -61 * S, "just now"},
		{__LINE__, -2 * H * S, "just now"},
		{__LINE__, -400 * (int64_t)D * S, "just now"},
	};
	/* Two clocks: the result depends only on the difference. */
	static const int64_t nows[] = {INT64_C(1795867200) * S + 123456, -INT64_C(86400) * S * 20000};
	char out[TIMEFMT_AGO_MAX + 1];

	for (size_t k = 0; k < sizeof(nows) / sizeof(nows[0]); k++) {
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			memset(out, 'X', sizeof(out));
			timefmt_ago(nows[k], nows[k] - cases[i].ago_us, out);
			CHECK_AT(memchr(out, '\0', sizeof(out)) != NULL && strcmp(out, cases[i].want) == 0,
			         cases[i].line, "ago(%" PRId64 " us) = %.25s, want %s", cases[i].ago_us,
			         out, cases[i].want);
		}
	}
	/* The widest span int64 microseconds allow still fits TIMEFMT_AGO_MAX. */
	timefmt_ago(INT64_MAX / 2, INT64_MIN / 2, out);
	CHECK(strcmp(out, "292471 years ago") == 0, "ago(INT64_MAX us) = %s", out);
}

/* How long until an instant: the same units as ago, "in under a minute" before one. */
static void
test_until(void)
{
	enum { H = 3600, D = 86400 };
	static const struct { int line; int64_t in_us; const char *want; } cases[] = {
		{__LINE__, 0, "in under a minute"},
		{__LINE__, 59 * S + 999999, "in under a minute"},
		{__LINE__, 60 * S, "in 1 minute"},
		{__LINE__, H * S - 1, "in 59 minutes"},
		{__LINE__, H * S, "in 1 hour"},
		{__LINE__, D * S - 1, "in 23 hours"},
		{__LINE__, 7 * D * S, "in 7 days"},
		{__LINE__, 400 * (int64_t)D * S, "in 1 year"},
		/* Past already: no "in -3 minutes". */
		{__LINE__, -S, "in under a minute"},
		{__LINE__, -2 * D * S, "in under a minute"},
	};
	const int64_t now = INT64_C(1795867200) * S + 123456;
	char out[TIMEFMT_AGO_MAX + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		timefmt_until(now, now + cases[i].in_us, out);
		CHECK_AT(strcmp(out, cases[i].want) == 0, cases[i].line, "until(%" PRId64 " us) = %s, "
		         "want %s", cases[i].in_us, out, cases[i].want);
	}
}

/* RFC 3339 in UTC: what the API writes, with up to six fraction digits; nothing else. */
static void
test_parse_rfc3339(void)
{
	static const struct { int line; const char *s; bool ok; int64_t want; } cases[] = {
		{__LINE__, "2026-11-26T12:00:00Z", true, INT64_C(1795694400) * S},
		{__LINE__, "1970-01-01T00:00:00Z", true, 0},
		{__LINE__, "1969-12-31T23:59:59Z", true, -S},
		{__LINE__, "0000-01-01T00:00:00Z", true, INT64_C(-62167219200) * S},
		{__LINE__, "9999-12-31T23:59:59.999999Z", true, INT64_C(253402300799999999)},
		{__LINE__, "2026-11-26T12:00:00.5Z", true, INT64_C(1795694400) * S + 500000},
		{__LINE__, "2026-11-26T12:00:00.000001Z", true, INT64_C(1795694400) * S + 1},
		{__LINE__, "2000-02-29T00:00:00Z", true, INT64_C(951782400) * S},
		{__LINE__, "2024-02-29T23:59:59Z", true, INT64_C(1709251199) * S},
		{__LINE__, "2100-02-28T00:00:00Z", true, INT64_C(4107456000) * S},
		/* Not in the format. */
		{__LINE__, "", false, 0},
		{__LINE__, "2026-11-26", false, 0},
		{__LINE__, "2026-11-26T12:00:00", false, 0},
		{__LINE__, "2026-11-26T12:00Z", false, 0},
		{__LINE__, "2026-11-26t12:00:00Z", false, 0},
		{__LINE__, "2026-11-26T12:00:00z", false, 0},
		{__LINE__, "2026-11-26 12:00:00Z", false, 0},
		{__LINE__, "2026-11-26T12:00:00+00:00", false, 0},
		{__LINE__, "2026-11-26T12:00:00.Z", false, 0},
		{__LINE__, "2026-11-26T12:00:00.1234567Z", false, 0},
		{__LINE__, "2026-11-26T12:00:00.12a4Z", false, 0},
		{__LINE__, "2026-11-26T12:00:00ZZ", false, 0},
		{__LINE__, "+2026-11-26T12:00:00Z", false, 0},
		{__LINE__, "2026-1-26T12:00:00Z", false, 0},
		{__LINE__, "20261126T120000Z", false, 0},
		/* Not a date or a time. */
		{__LINE__, "2026-00-26T12:00:00Z", false, 0},
		{__LINE__, "2026-13-26T12:00:00Z", false, 0},
		{__LINE__, "2026-11-00T12:00:00Z", false, 0},
		{__LINE__, "2026-11-31T12:00:00Z", false, 0},
		{__LINE__, "2026-02-29T12:00:00Z", false, 0},
		{__LINE__, "2100-02-29T12:00:00Z", false, 0},
		{__LINE__, "2026-11-26T24:00:00Z", false, 0},
		{__LINE__, "2026-11-26T12:60:00Z", false, 0},
		{__LINE__, "2026-11-26T12:00:60Z", false, 0},
		{__LINE__, "2026-11-26T-1:00:00Z", false, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t got = 7;
		bool ok = timefmt_parse_rfc3339(cases[i].s, strlen(cases[i].s), &got);

		CHECK_AT(ok == cases[i].ok && (!ok || got == cases[i].want), cases[i].line,
		         "%s: %d %" PRId64 ", want %d %" PRId64, cases[i].s, ok, got, cases[i].ok,
		         cases[i].want);
		/* What the API writes reads back as itself. */
		if (ok && got % S == 0) {
			char back[TIMEFMT_RFC3339_LEN + 1];

			timefmt_rfc3339(got, back);
			CHECK_AT(strcmp(back, cases[i].s) == 0, cases[i].line, "%s back as %s",
			         cases[i].s, back);
		}
	}
}

int
main(void)
{
	test_known();
	test_truncation();
	test_from_civil_usec();
	test_against_gmtime();
	test_days();
	test_now();
	test_human();
	test_ago();
	test_until();
	test_parse_rfc3339();
	return harness_summary();
}
