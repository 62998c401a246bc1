/*
 * libFuzzer driver for lib/validate.c: validate_utf8, validate_name and
 * validate_json_content_type on arbitrary bytes, each against an oracle
 * written independently of the code under test:
 *  - validate_utf8 agrees with the reference decoder of fuzz_util.h;
 *  - validate_name (called only on valid UTF-8, its precondition) agrees
 *    with a reference trim-and-count, and on success its slice lies within
 *    the input, is valid UTF-8, starts and ends on a non-space code point and
 *    holds 1..100 code points, none a control; it is idempotent;
 *  - validate_json_content_type agrees with a reference grammar and does not
 *    depend on letter case.
 */
#include "../../lib/base/validate.c"
#include "fuzz_util.h"

#include <ctype.h>

static bool
ref_space(uint32_t c)   /* PropList.txt White_Space, Unicode 15 */
{
	static const uint32_t ws[] = {
		0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680,
		0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008,
		0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
	};
	for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++)
		if (ws[i] == c)
			return true;
	return false;
}

static bool
ref_control(uint32_t c)   /* general category Cc: C0, DEL, C1 */
{
	return c <= 0x1f || (c >= 0x7f && c <= 0x9f);
}

/* The expected validate_name on valid UTF-8. */
static bool
ref_name(const char *str, size_t len, size_t *start, size_t *out_len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t first = len, end = 0, count = 0;
	uint32_t cp;

	for (size_t i = 0, n; i < len; i += n) {
		n = ref_utf8_seq(s + i, len - i, &cp);
		FUZZ_CHECK(n > 0);
		if (!ref_space(cp)) {
			if (first == len)
				first = i;
			end = i + n;
		}
	}
	if (first == len)
		return false;
	for (size_t i = first, n; i < end; i += n) {
		n = ref_utf8_seq(s + i, end - i, &cp);
		if (ref_control(cp) || ++count > VALIDATE_NAME_MAX_CP)
			return false;
	}
	*start = first;
	*out_len = end - first;
	return true;
}

static const char *
ref_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/*
 * application/json, then pieces split at every ";", each (trimmed of OWS)
 * empty or charset=utf-8 / charset="utf-8", that one at most once; only OWS
 * before the first ";". Lower case.
 */
static bool
ref_content_type_lower(const char *p)
{
	int charsets = 0;

	if (strncmp(p, "application/json", 16) != 0)
		return false;
	p += 16;
	if (*ref_ows(p) != ';' && *ref_ows(p) != '\0')
		return false;
	while ((p = strchr(p, ';')) != NULL) {
		const char *s = ref_ows(++p), *semi = strchr(s, ';');
		size_t n = semi != NULL ? (size_t)(semi - s) : strlen(s);

		while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		if ((n == 13 && strncmp(s, "charset=utf-8", 13) == 0) ||
		    (n == 15 && strncmp(s, "charset=\"utf-8\"", 15) == 0))
			charsets++;
		else if (n != 0)
			return false;
	}
	return charsets <= 1;
}

/* A copy with every ASCII letter mapped by f (tolower or toupper). */
static char *
map_case(const char *s, int (*f)(int))
{
	size_t n = strlen(s);
	char *t = malloc(n + 1);

	if (t == NULL)
		abort();
	for (size_t i = 0; i <= n; i++) {
		unsigned char c = (unsigned char)s[i];
		t[i] = (char)((c < 0x80 && isalpha(c)) ? f(c) : c);
	}
	return t;
}

static void
check_content_type(const char *ct)
{
	char *low = map_case(ct, tolower), *up = map_case(ct, toupper);
	bool got = validate_json_content_type(ct);

	FUZZ_CHECK(got == ref_content_type_lower(low));
	FUZZ_CHECK(validate_json_content_type(low) == got);
	FUZZ_CHECK(validate_json_content_type(up) == got);
	free(low);
	free(up);
}

static void
check_name(const char *s, size_t len)
{
	size_t start = (size_t)-1, n = (size_t)-1, rstart = 0, rn = 0;
	bool got = validate_name(s, len, &start, &n);
	bool want = ref_name(s, len, &rstart, &rn);
	uint32_t cp;

	FUZZ_CHECK(got == want);
	if (!got)
		return;
	FUZZ_CHECK(start == rstart && n == rn);
	FUZZ_CHECK(start <= len && n <= len - start && n > 0);
	FUZZ_CHECK(validate_utf8(s + start, n) && ref_utf8_valid(s + start, n));
	/* It begins and ends on a code point that is not white space. */
	FUZZ_CHECK(ref_utf8_seq((const unsigned char *)s + start, n, &cp) > 0 && !ref_space(cp));
	{
		size_t k = start + n - 1;
		while (((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		FUZZ_CHECK(ref_utf8_seq((const unsigned char *)s + k, start + n - k, &cp) > 0 &&
		           !ref_space(cp));
	}
	/* The trimmed name is its own trim (what body_key_create stores). */
	{
		size_t s2 = 1, n2 = 0;
		FUZZ_CHECK(validate_name(s + start, n, &s2, &n2) && s2 == 0 && n2 == n);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exact-size copies, so that ASan sees any read past the end. */
	char *buf = malloc(size ? size : 1), *str = fuzz_strdup(data, size);
	bool valid;

	if (buf == NULL)
		abort();
	if (size > 0)
		memcpy(buf, data, size);
	valid = validate_utf8(buf, size);
	FUZZ_CHECK(valid == ref_utf8_valid(buf, size));
	/* Every prefix that ends on a sequence boundary of valid text is valid. */
	if (valid && size > 0) {
		size_t cut = data[0] % (size + 1);
		while (cut < size && ((unsigned char)buf[cut] & 0xc0) == 0x80)
			cut++;
		FUZZ_CHECK(validate_utf8(buf, cut));
	}
	if (valid)
		check_name(buf, size);
	check_content_type(str);
	free(buf);
	free(str);
	return 0;
}
