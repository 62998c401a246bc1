/*
 * Unit tests of lib/http/bearer.c: which Authorization headers carry a
 * token, and which bytes of the header it is (docs/api.md, "Authentication").
 */
#include "../../../lib/http/bearer.c"
#include "../harness.h"

static void
test_token(void)
{
	static const struct {
		int line;
		const char *header;             /* NULL: absent */
		const char *tok;                /* NULL: ERR_MISSING_API_KEY */
	} cases[] = {
		{__LINE__, "Bearer sk_x", "sk_x"},
		/* The scheme name in any case. */
		{__LINE__, "bearer sk_x", "sk_x"},
		{__LINE__, "BEARER sk_x", "sk_x"},
		{__LINE__, "bEaReR sk_x", "sk_x"},
		/* Spaces and tabs around the token are not part of it. */
		{__LINE__, "Bearer\tsk_x", "sk_x"},
		{__LINE__, "Bearer   sk_x", "sk_x"},
		{__LINE__, "Bearer \t sk_x", "sk_x"},
		{__LINE__, "Bearer sk_x ", "sk_x"},
		{__LINE__, "Bearer sk_x\t", "sk_x"},
		{__LINE__, "Bearer sk_x \t  ", "sk_x"},
		/* Inner spaces stay: the token is then refused as a key, not here. */
		{__LINE__, "Bearer sk_x sk_y", "sk_x sk_y"},
		{__LINE__, "Bearer a", "a"},
		/* Absent, empty, or only the scheme. */
		{__LINE__, NULL, NULL},
		{__LINE__, "", NULL},
		{__LINE__, " ", NULL},
		{__LINE__, "Bearer", NULL},
		{__LINE__, "Bearer ", NULL},
		{__LINE__, "Bearer \t ", NULL},
		{__LINE__, "Bearer\t", NULL},
		/* Other schemes, or not the scheme name followed by white space. */
		{__LINE__, "Basic c2tfeDp4", NULL},
		{__LINE__, "Token sk_x", NULL},
		{__LINE__, "Bearersk_x", NULL},
		{__LINE__, "Bearer:sk_x", NULL},
		{__LINE__, "Bearer: sk_x", NULL},
		{__LINE__, "Bearer=sk_x", NULL},
		{__LINE__, "Bear sk_x", NULL},
		{__LINE__, "Bearers sk_x", NULL},
		{__LINE__, "Bearer\nsk_x", NULL},
		{__LINE__, "Bearer\rsk_x", NULL},
		{__LINE__, " Bearer sk_x", NULL},
		{__LINE__, "sk_x", NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *h = cases[i].header, *want = cases[i].tok;
		const char *tok = NULL;
		size_t len = 0;
		enum err e = bearer_token(h, &tok, &len);

		if (want == NULL) {
			CHECK_AT(e == ERR_MISSING_API_KEY, cases[i].line, "[%s]: accepted",
			         h ? h : "(absent)");
			continue;
		}
		CHECK_AT(e == ERR_NONE && len == strlen(want) && memcmp(tok, want, len) == 0,
		         cases[i].line, "[%s]: err %d, token [%.*s], want [%s]", h, (int)e,
		         tok ? (int)len : 0, tok ? tok : "", want);
		/* The token points into the header: nothing was copied or allocated. */
		CHECK_AT(e == ERR_NONE && tok >= h && tok + len <= h + strlen(h), cases[i].line,
		         "[%s]: the token is not inside the header", h);
	}
}

int
main(void)
{
	test_token();
	return harness_summary();
}
