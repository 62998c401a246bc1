/* Unit tests of lib/jsoncheck.c: the strict RFC 8259 grammar table. */
#include "../../../lib/base/jsoncheck.c"
#include "../harness.h"

int
main(void)
{
	static const struct { int line; const char *in; bool ok; } cases[] = {
		{__LINE__, "{}", true},
		{__LINE__, " {\"a\" : [1, -2.5e+3, 0, true, false, null, \"x\"]}\r\n", true},
		{__LINE__, "[]", true},
		{__LINE__, "\"\\u00e9\\ud83d\\ude00\\n\\/\"", true},
		{__LINE__, "0", true},
		{__LINE__, "-0.0E-0", true},
		{__LINE__, "", false},
		{__LINE__, "   ", false},
		{__LINE__, "{", false},
		{__LINE__, "{}}", false},
		{__LINE__, "{} {}", false},
		{__LINE__, "{'a': 1}", false},
		{__LINE__, "{\"a\": NaN}", false},
		{__LINE__, "{\"a\": Infinity}", false},
		{__LINE__, "{\"a\": 01}", false},
		{__LINE__, "{\"a\": 1.}", false},
		{__LINE__, "{\"a\": .5}", false},
		{__LINE__, "{\"a\": +1}", false},
		{__LINE__, "{\"a\": 1e}", false},
		{__LINE__, "{\"a\": 1,}", false},
		{__LINE__, "[1,]", false},
		{__LINE__, "[,1]", false},
		{__LINE__, "{\"a\" 1}", false},
		{__LINE__, "{a: 1}", false},
		{__LINE__, "{\"a\": tru}", false},
		{__LINE__, "{\"a\": \"\t\"}", false},
		{__LINE__, "{\"a\": \"\x01\"}", false},
		{__LINE__, "\"\\x\"", false},
		{__LINE__, "\"\\u12\"", false},
		{__LINE__, "\"\\ud800\"", false},
		{__LINE__, "\"\\udc00\"", false},
		{__LINE__, "\"\\ud800\\u0041\"", false},
		{__LINE__, "\"abc", false},
		{__LINE__, "/* c */ {}", false},
		{__LINE__, "{} // c", false},
	};
	char deep[2 * (JSONCHECK_MAX_DEPTH + 1) + 2];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = jsoncheck_valid(cases[i].in, strlen(cases[i].in));
		CHECK_AT(got == cases[i].ok, cases[i].line, "jsoncheck(%s) = %d", cases[i].in, got);
	}
	/* Nesting: exactly the limit passes, one more fails. */
	for (int d = JSONCHECK_MAX_DEPTH; d <= JSONCHECK_MAX_DEPTH + 1; d++) {
		memset(deep, '[', (size_t)d);
		memset(deep + d, ']', (size_t)d);
		CHECK(jsoncheck_valid(deep, 2 * (size_t)d) == (d == JSONCHECK_MAX_DEPTH),
		      "depth %d", d);
	}
	/* A scalar counts as a level too, as in json-c (found by fuzz_json). */
	for (int d = JSONCHECK_MAX_DEPTH - 1; d <= JSONCHECK_MAX_DEPTH; d++) {
		memset(deep, '[', (size_t)d);
		deep[d] = '1';
		memset(deep + d + 1, ']', (size_t)d);
		CHECK(jsoncheck_valid(deep, 2 * (size_t)d + 1) == (d == JSONCHECK_MAX_DEPTH - 1),
		      "scalar inside %d arrays", d);
	}
	/* Not NUL-terminated: the checker stops at len. */
	CHECK(jsoncheck_valid("{}garbage", 2), "length bound ignored");
	return harness_summary();
}
