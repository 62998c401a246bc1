/*
 * html: an HTML document built in memory, escaped by construction. The only
 * way in is html(), whose format must be a string literal (the macro refuses
 * anything else at compile time): the literal is the markup, and every %s
 * argument is text, escaped for both element content and quoted attribute
 * values. So no value from a request or the database can become markup.
 *
 * Conversions: %s (escaped text; NULL is empty), %d, %u, %lld, %llu, %%;
 * any other fails the document.
 *
 * Ownership: the builder owns its buffer until html_take hands it over (the
 * caller then frees it with free). After an allocation failure the builder
 * drops further input and html_take returns NULL.
 */
#ifndef PS_HTML_H
#define PS_HTML_H

#include <stdbool.h>
#include <stddef.h>

struct html {
	char *buf;
	size_t len, cap;
	bool failed;     /* an allocation failed: the document is lost */
};

void html_init(struct html *h);
/* Frees the buffer (after html_take: nothing left to free). */
void html_free(struct html *h);

void html_fmt_(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* `"" fmt ""` does not compile unless fmt is a string literal. */
#define html(h, fmt, ...) html_fmt_((h), "" fmt "", ##__VA_ARGS__)

/* Escapes s[0..len) into the document (text that is not NUL-terminated). */
void html_text(struct html *h, const char *s, size_t len);

/* The document; NULL if an allocation failed. The builder is empty afterwards. */
char *html_take(struct html *h, size_t *len);

#endif
