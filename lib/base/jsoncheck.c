#include "base/jsoncheck.h"

#include <string.h>

struct cur {
	const unsigned char *p, *end;
	int depth;
};

static bool value(struct cur *c);

static void
skip_ws(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool
literal(struct cur *c, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, word, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool
digits(struct cur *c)
{
	const unsigned char *start = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > start;
}

/* -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static bool
number(struct cur *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!(c->p < c->end && *c->p >= '1' && *c->p <= '9') || !digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!digits(c))
			return false;
	}
	return true;
}

/* Four hex digits after "\u"; returns the code unit or -1. */
static long
hex4(struct cur *c)
{
	long v = 0;

	if (c->end - c->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		unsigned char h = *c->p++;
		int d = h >= '0' && h <= '9' ? h - '0' :
		        (h | 0x20) >= 'a' && (h | 0x20) <= 'f' ? (h | 0x20) - 'a' + 10 : -1;
		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

static bool
string(struct cur *c)
{
	c->p++;   /* the opening quote */
	while (c->p < c->end) {
		unsigned char ch = *c->p++;
		long u;

		if (ch == '"')
			return true;
		if (ch < 0x20)
			return false;
		if (ch != '\\')
			continue;
		if (c->p == c->end)
			return false;
		ch = *c->p++;
		if (strchr("\"\\/bfnrt", ch) != NULL && ch != '\0')
			continue;
		if (ch != 'u' || (u = hex4(c)) < 0)
			return false;
		if (u >= 0xdc00 && u <= 0xdfff)
			return false;                       /* a low surrogate alone */
		if (u >= 0xd800 && u <= 0xdbff &&       /* a high one needs its pair */
		    !(literal(c, "\\u") && (u = hex4(c)) >= 0xdc00 && u <= 0xdfff))
			return false;
	}
	return false;
}

/* Members or elements up to `close`, after the opening bracket. */
static bool
container(struct cur *c, unsigned char close, bool object)
{
	bool ok = false;

	c->depth++;
	c->p++;
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		ok = true;
		goto done;
	}
	for (;;) {
		if (object) {
			if (!(c->p < c->end && *c->p == '"') || !string(c))
				goto done;
			skip_ws(c);
			if (!(c->p < c->end && *c->p == ':'))
				goto done;
			c->p++;
		}
		if (!value(c))
			goto done;
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			skip_ws(c);
			continue;
		}
		if (c->p < c->end && *c->p == close) {
			c->p++;
			ok = true;
		}
		goto done;
	}
done:
	c->depth--;
	return ok;
}

/* A value with the white space around it. */
static bool
value(struct cur *c)
{
	bool ok;

	skip_ws(c);
	/* Depth counts values, as json-c does: 32 levels in all, the top included. */
	if (c->p == c->end || c->depth >= JSONCHECK_MAX_DEPTH)
		return false;
	switch (*c->p) {
	case '{': ok = container(c, '}', true); break;
	case '[': ok = container(c, ']', false); break;
	case '"': ok = string(c); break;
	case 't': ok = literal(c, "true"); break;
	case 'f': ok = literal(c, "false"); break;
	case 'n': ok = literal(c, "null"); break;
	default: ok = number(c); break;
	}
	skip_ws(c);
	return ok;
}

bool
jsoncheck_valid(const char *s, size_t len)
{
	struct cur c = {(const unsigned char *)s, (const unsigned char *)s + len, 0};

	return value(&c) && c.p == c.end;
}
