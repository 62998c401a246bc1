/*
 * Unit tests of lib/base/addrlist.c: the configuration's address lists
 * (metrics_allow) and the test of a client's address against them.
 */
#include "../../../lib/base/addrlist.c"
#include "../harness.h"

static void
test_parse(void)
{
	static const struct {
		int line;
		const char *text;
		int rc;
		unsigned n;
	} cases[] = {
		{__LINE__, "", 0, 0},
		{__LINE__, " , ", 0, 0},
		{__LINE__, "127.0.0.1", 0, 1},
		{__LINE__, "127.0.0.1, ::1", 0, 2},
		{__LINE__, "127.0.0.1 ::1\t10.0.0.5", 0, 3},
		{__LINE__, ",127.0.0.1,,::1,", 0, 2},
		{__LINE__, "::ffff:127.0.0.1", 0, 1},
		{__LINE__, "2001:db8::17", 0, 1},
		{__LINE__, "1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 "
		           "1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4", 0, 16},
		/* Refused: names, prefixes, ports, malformed, too many. */
		{__LINE__, "localhost", -1, 0},
		{__LINE__, "127.0.0.0/8", -1, 0},
		{__LINE__, "127.0.0.1:9090", -1, 0},
		{__LINE__, "[::1]", -1, 0},
		{__LINE__, "127.0.0.256", -1, 0},
		{__LINE__, "127.1", -1, 0},
		{__LINE__, "127.0.0.1;::1", -1, 0},
		{__LINE__, "fe80::1%eth0", -1, 0},
		{__LINE__, "0000:0000:0000:0000:0000:0000:0000:0000:1", -1, 0},
		{__LINE__, "1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 "
		           "1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 1.2.3.4 "
		           "1.2.3.4", -1, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct addrlist l;
		int rc = addrlist_parse(&l, cases[i].text);

		CHECK_AT(rc == cases[i].rc, cases[i].line, "[%s]: %d, want %d", cases[i].text, rc,
		         cases[i].rc);
		if (rc == 0)
			CHECK_AT(l.n == cases[i].n, cases[i].line, "[%s]: %u addresses, want %u",
			         cases[i].text, l.n, cases[i].n);
	}
}

static void
test_has(void)
{
	static const struct {
		int line;
		const char *list, *addr;
		bool want;
	} cases[] = {
		{__LINE__, "127.0.0.1, ::1", "127.0.0.1", true},
		{__LINE__, "127.0.0.1, ::1", "::1", true},
		{__LINE__, "127.0.0.1, ::1", "0:0:0:0:0:0:0:1", true},
		{__LINE__, "127.0.0.1, ::1", "::ffff:127.0.0.1", true},    /* mapped: the same */
		{__LINE__, "::ffff:127.0.0.1", "127.0.0.1", true},
		{__LINE__, "127.0.0.1, ::1", "127.0.0.2", false},
		{__LINE__, "127.0.0.1, ::1", "127.0.0.77", false},
		{__LINE__, "127.0.0.1, ::1", "::2", false},
		{__LINE__, "127.0.0.1, ::1", "::127.0.0.1", false},         /* compatible, not mapped */
		{__LINE__, "127.0.0.1, ::1", "", false},
		{__LINE__, "127.0.0.1, ::1", NULL, false},
		{__LINE__, "127.0.0.1, ::1", "localhost", false},
		{__LINE__, "127.0.0.1, ::1", "127.0.0.1 ", false},
		{__LINE__, "127.0.0.1, ::1", "127.0.0.1, ::1", false},
		{__LINE__, "", "127.0.0.1", false},
		{__LINE__, "10.0.0.5", "10.0.0.5", true},
		{__LINE__, "2001:db8::17", "2001:DB8:0:0::17", true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct addrlist l;

		CHECK_AT(addrlist_parse(&l, cases[i].list) == 0, cases[i].line, "[%s] refused",
		         cases[i].list);
		CHECK_AT(addrlist_has(&l, cases[i].addr) == cases[i].want, cases[i].line,
		         "[%s] has [%s]: %d, want %d", cases[i].list,
		         cases[i].addr ? cases[i].addr : "(null)", !cases[i].want, cases[i].want);
	}
}

int
main(void)
{
	test_parse();
	test_has();
	return harness_summary();
}
