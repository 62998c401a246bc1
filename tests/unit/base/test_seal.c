/*
 * Unit tests of lib/base/seal.c: a value is drawn once, is never zero, stays
 * the same for its holder, and two holders get their own values.
 */
#include "../../../lib/base/seal.c"
#include "../harness.h"

#include <stdbool.h>

static void
test_seal_drawn_once_and_kept(void)
{
	uint64_t a = 0, b = 0, first;

	first = seal_value(&a);
	CHECK(first != 0 && a == first, "first draw %llu, holder %llu", (unsigned long long)first,
	      (unsigned long long)a);
	for (int i = 0; i < 100; i++)
		if (seal_value(&a) != first) {
			CHECK(false, "call %d changed the value", i);
			return;
		}
	CHECK(seal_value(&a) == first, "the value stays");
	/* 64 random bits: equal values would mean the second holder was not drawn for. */
	CHECK(seal_value(&b) != 0 && b != a, "a second holder: %llu and %llu",
	      (unsigned long long)a, (unsigned long long)b);
}

static void
test_seal_keeps_a_preset_value(void)
{
	uint64_t v = 42;

	CHECK(seal_value(&v) == 42, "a holder that has a value is not drawn again");
}

int
main(void)
{
	if (sodium_init() < 0) {
		printf("sodium_init failed\n0 passed, 1 failed\n");
		return 1;
	}
	test_seal_drawn_once_and_kept();
	test_seal_keeps_a_preset_value();
	return harness_summary();
}
