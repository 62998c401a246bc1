/*
 * libFuzzer driver for bearer_token (lib/http/bearer.c): the Authorization
 * header, as the web server hands it over (a NUL-terminated string; the input
 * up to its first NUL byte). Pure code: no database is linked.
 *
 * Checks, against the contract (docs/api.md, "Authentication": `Bearer <token>`,
 * scheme in any case):
 *  - the result agrees with a reference reading of the header;
 *  - on ERR_NONE the token lies inside the header after "Bearer" and its
 *    separator, is non-empty, has no NUL and no surrounding space or tab;
 *  - the token then goes through apikey_parse as auth_authenticate does.
 */
#include "../../lib/http/bearer.c"
#include "../../lib/base/apikey.c"
#include "fuzz_util.h"

#include <ctype.h>

static bool
ref_blank(char c)
{
	return c == ' ' || c == '\t';
}

static enum err
ref_bearer(const char *h, size_t *off, size_t *len)
{
	static const char scheme[] = "bearer";
	size_t n = strlen(h), a, b;

	if (n < 7)
		return ERR_MISSING_API_KEY;
	for (size_t i = 0; i < 6; i++)
		if (tolower((unsigned char)h[i]) != scheme[i] || (unsigned char)h[i] >= 0x80)
			return ERR_MISSING_API_KEY;
	if (!ref_blank(h[6]))
		return ERR_MISSING_API_KEY;
	for (a = 7; a < n && ref_blank(h[a]); a++)
		;
	for (b = n; b > a && ref_blank(h[b - 1]); b--)
		;
	if (b == a)
		return ERR_MISSING_API_KEY;
	*off = a;
	*len = b - a;
	return ERR_NONE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *h = fuzz_strdup(data, size);
	const char *tok = NULL;
	size_t len = 0, hlen = strlen(h), roff = 0, rlen = 0;
	enum err e, want;

	{
		const char *t0 = NULL;
		size_t l0 = 0;
		FUZZ_CHECK(bearer_token(NULL, &t0, &l0) == ERR_MISSING_API_KEY);
	}
	e = bearer_token(h, &tok, &len);
	want = ref_bearer(h, &roff, &rlen);
	FUZZ_CHECK(e == want);
	if (e == ERR_NONE) {
		FUZZ_CHECK(tok >= h + 7 && len > 0 && len <= hlen && tok + len <= h + hlen);
		FUZZ_CHECK((size_t)(tok - h) == roff && len == rlen);
		FUZZ_CHECK(memchr(tok, '\0', len) == NULL);
		FUZZ_CHECK(!ref_blank(tok[0]) && !ref_blank(tok[len - 1]));
		{
			enum apikey_status st = apikey_parse(tok, len);
			FUZZ_CHECK(st == APIKEY_OK || st == APIKEY_EFORMAT || st == APIKEY_ECHECKSUM);
			FUZZ_CHECK(st == APIKEY_EFORMAT || len == APIKEY_LEN);
		}
	} else {
		FUZZ_CHECK(e == ERR_MISSING_API_KEY);
	}
	free(h);
	return 0;
}
