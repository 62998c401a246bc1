#include "http/jsonw.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define JSONW_FIRST_CAP 1024

void
jsonw_init(struct jsonw *w)
{
	memset(w, 0, sizeof(*w));
}

void
jsonw_free(struct jsonw *w)
{
	if (w->buf != NULL) {
		explicit_bzero(w->buf, w->cap);
		free(w->buf);
	}
	jsonw_init(w);
}

/* Room for n more bytes and a NUL; false (and nothing more written) when there is none. */
static bool
room(struct jsonw *w, size_t n)
{
	size_t cap = w->cap != 0 ? w->cap : JSONW_FIRST_CAP;
	char *grown;

	if (w->failed)
		return false;
	if (w->len + n + 1 <= w->cap)
		return true;
	while (cap < w->len + n + 1 && cap <= SIZE_MAX / 2)
		cap *= 2;
	/* Not realloc: the old buffer may hold a secret and is wiped before it goes. */
	if (cap < w->len + n + 1 || (grown = malloc(cap)) == NULL) {
		w->failed = true;
		return false;
	}
	if (w->buf != NULL) {
		memcpy(grown, w->buf, w->len);
		explicit_bzero(w->buf, w->cap);
		free(w->buf);
	}
	w->buf = grown;
	w->cap = cap;
	return true;
}

static void
put(struct jsonw *w, const char *s, size_t n)
{
	if (!room(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Before a value: the comma between an array's values. */
static void
value(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0 && w->has_member[w->depth - 1])
		put(w, ",", 1);
	if (w->depth > 0)
		w->has_member[w->depth - 1] = true;
}

static void
open_with(struct jsonw *w, const char *c)
{
	value(w);
	put(w, c, 1);
	if (w->depth < JSONW_DEPTH_MAX)
		w->has_member[w->depth++] = false;
	else
		w->failed = true;
}

static void
close_with(struct jsonw *w, const char *c)
{
	if (w->depth > 0)
		w->depth--;
	put(w, c, 1);
}

void jsonw_object(struct jsonw *w) { open_with(w, "{"); }
void jsonw_array(struct jsonw *w) { open_with(w, "["); }
void jsonw_end_object(struct jsonw *w) { close_with(w, "}"); }
void jsonw_end_array(struct jsonw *w) { close_with(w, "]"); }

/* A string's text with json-c's escapes: the short ones, \u00xx for other controls. */
static void
quoted(struct jsonw *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const char *run = s;

	put(w, "\"", 1);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[7] = "\\u00";
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(w, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\b': esc[1] = 'b'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\f': esc[1] = 'f'; break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
			break;
		}
		put(w, esc, n);
	}
	put(w, run, (size_t)(s - run));
	put(w, "\"", 1);
}

void
jsonw_key(struct jsonw *w, const char *name)
{
	value(w);
	quoted(w, name);
	put(w, ":", 1);
	w->after_key = true;
}

void
jsonw_string(struct jsonw *w, const char *s)
{
	value(w);
	quoted(w, s);
}

void
jsonw_null(struct jsonw *w)
{
	value(w);
	put(w, "null", 4);
}

void
jsonw_bool(struct jsonw *w, bool v)
{
	value(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void
jsonw_u64(struct jsonw *w, uint64_t v)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%" PRIu64, v);

	value(w);
	put(w, text, (size_t)n);
}

void
jsonw_member(struct jsonw *w, const char *name, const char *value)
{
	jsonw_key(w, name);
	if (value != NULL)
		jsonw_string(w, value);
	else
		jsonw_null(w);
}

char *
jsonw_take(struct jsonw *w, size_t *len)
{
	char *text = NULL;

	/* An empty writer still answers "" (a NUL-terminated buffer). */
	if (w->depth == 0 && room(w, 0)) {
		text = w->buf;
		*len = w->len;
		w->buf[w->len] = '\0';
		jsonw_init(w);
	}
	if (text == NULL)
		jsonw_free(w);
	return text;
}
