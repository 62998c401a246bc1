/*
 * Unit tests of lib/data/rows.c without a server: how a row's rate limit
 * columns become a limit. The API writes both within 1..STORE_RATE_LIMIT_MAX
 * or neither; anything else was written by hand and is no limit (a per_second
 * above 10^9 once gave the limiter an interval of 0 ns and a division by zero).
 */
#include "../../../lib/data/rows.c"
#include "../../../lib/data/db.c"
#include "../../../lib/data/store.c"
#include "../../../lib/base/log.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"

static void
test_copy_rate_limit(void)
{
	static const struct {
		int line;
		long long per_second, burst;   /* -1: NULL */
		uint32_t want_ps, want_burst;
	} cases[] = {
		{__LINE__, 10, 20, 10, 20},
		{__LINE__, 1, 1, 1, 1},
		{__LINE__, STORE_RATE_LIMIT_MAX, STORE_RATE_LIMIT_MAX, STORE_RATE_LIMIT_MAX,
		 STORE_RATE_LIMIT_MAX},
		{__LINE__, -1, -1, 0, 0},
		{__LINE__, 10, -1, 0, 0},
		{__LINE__, -1, 10, 0, 0},
		{__LINE__, 0, 10, 0, 0},
		{__LINE__, 10, 0, 0, 0},
		{__LINE__, STORE_RATE_LIMIT_MAX + 1, 10, 0, 0},
		{__LINE__, 10, STORE_RATE_LIMIT_MAX + 1, 0, 0},
		{__LINE__, 2000000000, 10, 0, 0},
		{__LINE__, 4294967296LL, 10, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rows_rate_limit r;
		struct store_rate_limit got = {7, 7};
		MYSQL_BIND b[2];

		rows_bind_rate_limit(b, &r);
		r.per_second_nul = cases[i].per_second < 0;
		r.per_second = cases[i].per_second < 0 ? 0 : cases[i].per_second;
		r.burst_nul = cases[i].burst < 0;
		r.burst = cases[i].burst < 0 ? 0 : cases[i].burst;
		rows_copy_rate_limit(&got, &r);
		CHECK_AT(got.per_second == cases[i].want_ps && got.burst == cases[i].want_burst,
		         cases[i].line, "(%lld, %lld): %u/s burst %u, want %u/s burst %u",
		         cases[i].per_second, cases[i].burst, got.per_second, got.burst,
		         cases[i].want_ps, cases[i].want_burst);
	}
}

int
main(void)
{
	test_copy_rate_limit();
	return harness_summary();
}
