#include "base/timefmt.h"

#include <stdio.h>
#include <time.h>

#define US_PER_SEC TIMEFMT_SECOND
#define SEC_PER_DAY (TIMEFMT_DAY / TIMEFMT_SECOND)

int64_t
timefmt_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t
floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void
timefmt_to_civil(int64_t us, struct timefmt_civil *c)
{
	int64_t sec = floor_div(us, US_PER_SEC);
	int64_t days = floor_div(sec, SEC_PER_DAY);
	int64_t rem = sec - days * SEC_PER_DAY;

	civil_from_days(days, &c->year, &c->month, &c->day);
	c->hour = (int)(rem / 3600);
	c->minute = (int)(rem / 60 % 60);
	c->second = (int)(rem % 60);
	c->usec = (int)(us - sec * US_PER_SEC);
}

int64_t
timefmt_from_civil(const struct timefmt_civil *c)
{
	int64_t days = days_from_civil(c->year, c->month, c->day);
	int64_t sec = days * SEC_PER_DAY + c->hour * 3600 + c->minute * 60 + c->second;
	return sec * US_PER_SEC + c->usec;
}

/* Writes v as exactly n decimal digits (v is in range by construction). */
static char *
put_digits(char *p, int v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

static char *
put_date(char *p, const struct timefmt_civil *c)
{
	p = put_digits(p, c->year % 10000, 4);
	*p++ = '-';
	p = put_digits(p, c->month, 2);
	*p++ = '-';
	return put_digits(p, c->day, 2);
}

void
timefmt_rfc3339(int64_t us, char out[TIMEFMT_RFC3339_LEN + 1])
{
	struct timefmt_civil c;
	char *p;

	timefmt_to_civil(us, &c);
	p = put_date(out, &c);
	*p++ = 'T';
	p = put_digits(p, c.hour, 2);
	*p++ = ':';
	p = put_digits(p, c.minute, 2);
	*p++ = ':';
	p = put_digits(p, c.second, 2);
	*p++ = 'Z';
	*p = '\0';
}

void
timefmt_date(int64_t us, char out[TIMEFMT_DATE_LEN + 1])
{
	struct timefmt_civil c;

	timefmt_to_civil(us, &c);
	*put_date(out, &c) = '\0';
}

void
timefmt_human(int64_t us, char out[TIMEFMT_HUMAN_LEN + 1])
{
	struct timefmt_civil c;

	timefmt_to_civil(us, &c);
	snprintf(out, TIMEFMT_HUMAN_LEN + 1, "%04d-%02d-%02d %02d:%02d:%02d UTC",
	         c.year, c.month, c.day, c.hour, c.minute, c.second);
}

/*
 * A span of seconds rounded down to its largest unit, between before and
 * after ("3 hours" → "in 3 hours", "3 hours ago"); `none` under a minute.
 */
static void
span(int64_t secs, const char *before, const char *after, const char *none,
     char out[TIMEFMT_AGO_MAX + 1])
{
	/*
	 * Months and years as 30 and 365 days: an approximation people expect.
	 * `most` caps a unit below the next one (360 to 364 days are "11 months").
	 */
	static const struct { int64_t secs; const char *unit; int64_t most; } units[] = {
		{INT64_C(365) * 86400, "year", INT64_MAX}, {INT64_C(30) * 86400, "month", 11},
		{86400, "day", INT64_MAX}, {3600, "hour", INT64_MAX}, {60, "minute", INT64_MAX},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		int64_t n = secs / units[i].secs;

		if (n > units[i].most)
			n = units[i].most;
		if (n >= 1) {
			snprintf(out, TIMEFMT_AGO_MAX + 1, "%s%lld %s%s%s", before, (long long)n,
			         units[i].unit, n == 1 ? "" : "s", after);
			return;
		}
	}
	snprintf(out, TIMEFMT_AGO_MAX + 1, "%s", none);
}

void
timefmt_ago(int64_t now, int64_t then, char out[TIMEFMT_AGO_MAX + 1])
{
	span((now - then) / US_PER_SEC, "", " ago", "just now", out);
}

void
timefmt_until(int64_t now, int64_t then, char out[TIMEFMT_AGO_MAX + 1])
{
	span((then - now) / US_PER_SEC, "in ", "", "in under a minute", out);
}

/* n decimal digits at s as a number, or -1. */
static int
digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

bool
timefmt_parse_rfc3339(const char *s, size_t len, int64_t *out)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct timefmt_civil c = {0};
	size_t i = 19;
	int scale = 100000;

	if (len < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':' || s[len - 1] != 'Z')
		return false;
	c.year = digits(s, 4);
	c.month = digits(s + 5, 2);
	c.day = digits(s + 8, 2);
	c.hour = digits(s + 11, 2);
	c.minute = digits(s + 14, 2);
	c.second = digits(s + 17, 2);
	/* Up to six fraction digits: microseconds, the stored precision. */
	if (s[i] == '.' && len >= 22 && len <= 27) {
		for (i++; i < len - 1 && s[i] >= '0' && s[i] <= '9'; i++, scale /= 10)
			c.usec += (s[i] - '0') * scale;
	}
	if (i != len - 1 || c.year < 0 || c.month < 1 || c.month > 12 || c.day < 1 ||
	    c.day > mdays[c.month - 1] || c.hour < 0 || c.hour > 23 || c.minute < 0 ||
	    c.minute > 59 || c.second < 0 || c.second > 59)
		return false;
	/* 29 February only in leap years. */
	if (c.month == 2 && c.day == 29 &&
	    !(c.year % 4 == 0 && (c.year % 100 != 0 || c.year % 400 == 0)))
		return false;
	*out = timefmt_from_civil(&c);
	return true;
}
