#include "http/html.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
html_init(struct html *h)
{
	memset(h, 0, sizeof(*h));
}

void
html_free(struct html *h)
{
	if (h->buf != NULL)
		explicit_bzero(h->buf, h->cap);
	free(h->buf);
	html_init(h);
}

static void
put(struct html *h, const char *s, size_t n)
{
	if (h->failed)
		return;
	if (h->cap - h->len < n + 1) {
		size_t cap = h->cap ? h->cap : 4096;
		char *p;

		while (cap - h->len < n + 1)
			cap *= 2;
		/* Not realloc: a page may hold a secret, and the old block is wiped first. */
		if ((p = malloc(cap)) == NULL) {
			html_free(h);
			h->failed = true;
			return;
		}
		if (h->buf != NULL) {
			memcpy(p, h->buf, h->len + 1);
			explicit_bzero(h->buf, h->cap);
			free(h->buf);
		}
		h->buf = p;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, s, n);
	h->len += n;
	h->buf[h->len] = '\0';
}

void
html_text(struct html *h, const char *s, size_t len)
{
	size_t run = 0;

	/* Runs of plain bytes are copied at once; the five specials are replaced. */
	for (size_t i = 0; i < len; i++) {
		const char *rep;

		switch (s[i]) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		put(h, s + run, i - run);
		put(h, rep, strlen(rep));
		run = i + 1;
	}
	put(h, s + run, len - run);
}

void
html_fmt_(struct html *h, const char *fmt, ...)
{
	va_list ap;
	char num[24];
	const char *p = fmt;

	va_start(ap, fmt);
	while (*p != '\0') {
		const char *pct = strchr(p, '%');
		int n = 0;

		if (pct == NULL) {
			put(h, p, strlen(p));
			break;
		}
		put(h, p, (size_t)(pct - p));
		p = pct + 1;
		/* The compiler checked the arguments against these (format attribute). */
		if (*p == 's') {
			const char *s = va_arg(ap, const char *);
			if (s != NULL)
				html_text(h, s, strlen(s));
			p += 1;
		} else if (*p == 'd') {
			n = snprintf(num, sizeof(num), "%d", va_arg(ap, int));
			p += 1;
		} else if (*p == 'u') {
			n = snprintf(num, sizeof(num), "%u", va_arg(ap, unsigned));
			p += 1;
		} else if (strncmp(p, "lld", 3) == 0) {
			n = snprintf(num, sizeof(num), "%lld", va_arg(ap, long long));
			p += 3;
		} else if (strncmp(p, "llu", 3) == 0) {
			n = snprintf(num, sizeof(num), "%llu", va_arg(ap, unsigned long long));
			p += 3;
		} else if (*p == '%') {
			put(h, "%", 1);
			p += 1;
		} else {
			/* A conversion this builder does not know would misread the
			 * arguments after it: the document is dropped (a 500), loudly. */
			html_free(h);
			h->failed = true;
			break;
		}
		if (n > 0)
			put(h, num, (size_t)n);
	}
	va_end(ap);
}

char *
html_take(struct html *h, size_t *len)
{
	char *doc = h->failed ? NULL : h->buf;

	*len = doc != NULL ? h->len : 0;
	if (doc == NULL && !h->failed) {
		/* Nothing written yet: an empty document, not a failure. */
		doc = calloc(1, 1);
	}
	html_init(h);
	return doc;
}
