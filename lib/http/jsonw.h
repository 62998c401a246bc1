/*
 * jsonw: JSON text written straight into a growing buffer, for the answers
 * the hot paths send (a key, a list of keys, GET /v1/me): building a json-c
 * tree, printing it and freeing it was most of a worker's own work on a list
 * (docs/bench.md). The text is byte for byte what json-c prints with
 * JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, which the other
 * answers use (tests/unit/http/test_jsonw.c holds them to it).
 *
 * Calls must nest properly: a member is jsonw_key then one value; an array
 * holds values. A struct jsonw owns its buffer until jsonw_take hands it
 * over; when memory runs out it stops writing and jsonw_take returns NULL.
 * jsonw_free wipes what was written (an answer may hold a key's secret).
 */
#ifndef PS_JSONW_H
#define PS_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_DEPTH_MAX 8

struct jsonw {
	char *buf;
	size_t len, cap;
	bool failed;
	unsigned depth;
	bool has_member[JSONW_DEPTH_MAX];   /* a value written at this depth: a comma next */
	bool after_key;                     /* the next value is a member's */
};

void jsonw_init(struct jsonw *w);
void jsonw_free(struct jsonw *w);

void jsonw_object(struct jsonw *w);      /* { */
void jsonw_array(struct jsonw *w);       /* [ */
void jsonw_end_object(struct jsonw *w);  /* } */
void jsonw_end_array(struct jsonw *w);   /* ] */
void jsonw_key(struct jsonw *w, const char *name);

void jsonw_string(struct jsonw *w, const char *s);
void jsonw_null(struct jsonw *w);
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_u64(struct jsonw *w, uint64_t v);

/* A member whose value is a string, or null when value is NULL. */
void jsonw_member(struct jsonw *w, const char *name, const char *value);

/* The text (NUL-terminated, malloc'ed, the caller's to free) and its length; NULL on failure. */
char *jsonw_take(struct jsonw *w, size_t *len);

#endif
