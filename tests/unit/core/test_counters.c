/*
 * Unit tests of lib/core/counters.c: a worker's copy of a key's counters is
 * found by the key's hash while younger than COUNTERS_MAX_AGE_US, for that
 * hash only; a clock that went back finds nothing; a new copy takes its slot.
 */
#include "../../../lib/core/counters.c"
#include "../harness.h"

#define T0 INT64_C(1780000000000000)

/* A hash whose first byte (the slot) is `slot` and whose other bytes are `fill`. */
static void
hash_of(uint8_t h[APIKEY_HASH_LEN], uint8_t slot, uint8_t fill)
{
	memset(h, fill, APIKEY_HASH_LEN);
	h[0] = slot;
}

/*
 * Steps on one set of copies: a put (count > 0) or a get of a hash at an
 * instant, and what the get finds.
 */
static void
test_steps(void)
{
	static const struct {
		int line;
		bool put;
		uint8_t slot, fill;
		int64_t at;              /* µs after T0 */
		uint64_t count;          /* put: the copy's; get: the count expected, 0 for none */
	} steps[] = {
		{__LINE__, false, 5, 1, 0, 0},                              /* nothing yet */
		{__LINE__, true, 5, 1, 0, 10},
		{__LINE__, false, 5, 1, 0, 10},
		{__LINE__, false, 5, 1, COUNTERS_MAX_AGE_US - 1, 10},
		{__LINE__, false, 5, 1, COUNTERS_MAX_AGE_US, 0},            /* too old */
		{__LINE__, false, 5, 1, -1, 0},                             /* the clock went back */
		{__LINE__, false, 5, 2, 1, 0},                              /* another key, same slot */
		{__LINE__, false, 5 + COUNTERS_SLOTS, 1, 1, 0},             /* another key, same slot */
		{__LINE__, true, 6, 1, 2, 20},                              /* another slot */
		{__LINE__, false, 5, 1, 3, 10},
		{__LINE__, false, 6, 1, 3, 20},
		{__LINE__, true, 5, 2, 4, 30},                              /* takes slot 5 */
		{__LINE__, false, 5, 1, 5, 0},
		{__LINE__, false, 5, 2, 5, 30},
		{__LINE__, true, 5, 2, COUNTERS_MAX_AGE_US, 40},            /* refreshed */
		{__LINE__, false, 5, 2, 2 * COUNTERS_MAX_AGE_US - 1, 40},
	};
	static struct counters c;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		uint8_t h[APIKEY_HASH_LEN];
		struct store_counters v = {.used = true, .last_used_at = T0, .request_count = 99};
		bool found;

		hash_of(h, steps[i].slot, steps[i].fill);
		if (steps[i].put) {
			v.request_count = steps[i].count;
			counters_put(&c, h, T0 + steps[i].at, &v);
			continue;
		}
		found = counters_get(&c, h, T0 + steps[i].at, &v);
		CHECK_AT(found == (steps[i].count != 0) &&
		         v.request_count == (found ? steps[i].count : 99), steps[i].line,
		         "found %d, count %llu", found, (unsigned long long)v.request_count);
	}
}

int
main(void)
{
	test_steps();
	return harness_summary();
}
