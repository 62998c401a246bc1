/*
 * Unit tests of lib/core/result.c: a database status leaves the core as the
 * API's error, 503 for "retry later", 500 for everything else.
 */
#include "../../../lib/core/result.c"
#include "../harness.h"

static void
test_db(void)
{
	static const struct {
		int line;
		enum db_status s;
		enum err want;
	} cases[] = {
		{__LINE__, DB_OK, ERR_NONE},
		{__LINE__, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_DUPLICATE, ERR_INTERNAL},
		{__LINE__, DB_ERROR, ERR_INTERNAL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e = result_db(cases[i].s);

		CHECK_AT(e == cases[i].want, cases[i].line, "result_db(%d) = %d, want %d",
		         (int)cases[i].s, (int)e, (int)cases[i].want);
	}
}

int
main(void)
{
	test_db();
	return harness_summary();
}
