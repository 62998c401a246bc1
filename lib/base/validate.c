#include "base/validate.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

/* Decodes one code point of valid UTF-8 at s[*i], advancing *i. */
static uint32_t
utf8_next(const unsigned char *s, size_t *i)
{
	uint32_t c = s[*i];

	if (c < 0x80) {
		*i += 1;
		return c;
	}
	if (c < 0xe0) {
		c = (c & 0x1f) << 6 | (s[*i + 1] & 0x3f);
		*i += 2;
		return c;
	}
	if (c < 0xf0) {
		c = (c & 0x0f) << 12 | (uint32_t)(s[*i + 1] & 0x3f) << 6 | (s[*i + 2] & 0x3f);
		*i += 3;
		return c;
	}
	c = (c & 0x07) << 18 | (uint32_t)(s[*i + 1] & 0x3f) << 12 |
	    (uint32_t)(s[*i + 2] & 0x3f) << 6 | (s[*i + 3] & 0x3f);
	*i += 4;
	return c;
}

bool
validate_utf8_next(const char *str, size_t len, size_t *i, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str + *i;
	size_t n;
	uint32_t v, min;

	if (s[0] < 0x80) {
		n = 1; v = s[0]; min = 0;
	} else if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2; v = s[0] & 0x1f; min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3; v = s[0] & 0x0f; min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4; v = s[0] & 0x07; min = 0x10000;
	} else {
		return false;
	}
	if (len - *i < n)
		return false;
	for (size_t k = 1; k < n; k++) {
		if ((s[k] & 0xc0) != 0x80)
			return false;
		v = v << 6 | (s[k] & 0x3f);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return false;
	*cp = v;
	*i += n;
	return true;
}

bool
validate_utf8(const char *str, size_t len)
{
	size_t i = 0;
	uint32_t cp;

	while (i < len)
		if (!validate_utf8_next(str, len, &i, &cp))
			return false;
	return true;
}

/* The Unicode White_Space property (PropList.txt). */
static bool
is_space(uint32_t c)
{
	return (c >= 0x09 && c <= 0x0d) || c == 0x20 || c == 0x85 || c == 0xa0 ||
	       c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 ||
	       c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

static bool
is_control(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f);
}

bool
validate_name(const char *str, size_t len, size_t *start, size_t *out_len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, first = len, end = 0, count = 0;

	/* One pass: remember the first and one-past-last non-space code points. */
	while (i < len) {
		size_t at = i;
		uint32_t c = utf8_next(s, &i);
		if (!is_space(c)) {
			if (first == len)
				first = at;
			end = i;
		}
	}
	if (first == len)
		return false;
	for (i = first; i < end; count++) {
		if (is_control(utf8_next(s, &i)) || count >= VALIDATE_NAME_MAX_CP)
			return false;
	}
	*start = first;
	*out_len = end - first;
	return true;
}

static const char *
skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Past `charset=utf-8` (any case, quoted or not) at p; NULL when p is not that. */
static const char *
skip_charset_utf8(const char *p)
{
	if (strncasecmp(p, "charset=", 8) != 0)
		return NULL;
	p += 8;
	if (strncasecmp(p, "utf-8", 5) == 0)
		return p + 5;
	if (strncasecmp(p, "\"utf-8\"", 7) == 0)
		return p + 7;
	return NULL;
}

/*
 * RFC 9110 5.6.6: parameters = *( OWS ";" OWS [ parameter ] ), so empty
 * ones (`application/json;`) are allowed; of real ones only a single
 * charset=utf-8.
 */
bool
validate_json_content_type(const char *ct)
{
	static const char type[] = "application/json";
	const char *p;
	bool charset = false;

	if (ct == NULL || strncasecmp(ct, type, sizeof(type) - 1) != 0)
		return false;
	for (p = skip_ows(ct + sizeof(type) - 1); *p != '\0'; p = skip_ows(p)) {
		if (*p != ';')
			return false;
		p = skip_ows(p + 1);
		if (*p == ';' || *p == '\0')
			continue;
		if (charset || (p = skip_charset_utf8(p)) == NULL)
			return false;
		charset = true;
	}
	return true;
}

int
validate_hex_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;   /* 'A'-'F' to 'a'-'f'; no other byte lands there */
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

bool
validate_uint(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		uint64_t d = (uint64_t)(s[i] - '0');

		if (s[i] < '0' || s[i] > '9')
			return false;
		/* n * 10 + d > max, asked without computing it (no overflow). */
		if (d > max || n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	return n >= min;
}

/* ASCII letters and digits, whatever the locale. */
static bool
alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool
validate_http_url(const char *s, size_t len, size_t max)
{
	static const char allowed[] = "-._~:/?#[]@!$&'()*+,;=%";
	size_t scheme = len >= 8 && strncasecmp(s, "https://", 8) == 0 ? 8 :
	                len >= 7 && strncasecmp(s, "http://", 7) == 0 ? 7 : 0;

	if (scheme == 0 || len > max || len == scheme || strchr("/?#", s[scheme]) != NULL)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!alnum(s[i]) && (s[i] == '\0' || strchr(allowed, s[i]) == NULL))
			return false;
	return true;
}

bool
validate_word(const char *s, size_t len, size_t max)
{
	if (len == 0 || len > max)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!alnum(s[i]) && (s[i] == '\0' || strchr("_-.", s[i]) == NULL))
			return false;
	return true;
}
