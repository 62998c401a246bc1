/*
 * Shared by the libFuzzer drivers (tests/fuzz/fuzz_*.c): checks that abort,
 * NUL-separated fields, and a reference UTF-8 decoder written from the
 * Unicode table of well-formed byte sequences (an oracle independent of
 * lib/validate.c).
 */
#ifndef PS_FUZZ_UTIL_H
#define PS_FUZZ_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An invariant: a violation aborts, which libFuzzer reports as a crash. */
#define FUZZ_CHECK(cond) do {                                                   \
		if (!(cond)) {                                                         \
			fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                           \
		}                                                                      \
	} while (0)

#define FUZZ_FIELDS_MAX 8

/*
 * The input split on NUL bytes: field i is the bytes between the (i-1)th and
 * the ith NUL. Fields past the last one are absent (NULL), and so is a field
 * that is exactly one 0x01 byte, so that any field can be left out. Each
 * field is its own exact-size allocation, so that ASan sees a read past its
 * terminating NUL.
 */
struct fuzz_fields {
	char *f[FUZZ_FIELDS_MAX];
	int n;
};

static inline void
fuzz_fields_split(struct fuzz_fields *ff, const uint8_t *data, size_t size)
{
	size_t i = 0;

	memset(ff, 0, sizeof(*ff));
	while (ff->n < FUZZ_FIELDS_MAX) {
		const uint8_t *nul = size > i ? memchr(data + i, 0, size - i) : NULL;
		size_t n = nul ? (size_t)(nul - (data + i)) : size - i;
		char *s = malloc(n + 1);

		if (s == NULL)
			abort();
		if (n > 0)
			memcpy(s, data + i, n);
		s[n] = '\0';
		if (n == 1 && s[0] == '\x01') {
			free(s);
			s = NULL;
		}
		ff->f[ff->n++] = s;
		if (nul == NULL)
			break;
		i += n + 1;
	}
}

static inline void
fuzz_fields_free(struct fuzz_fields *ff)
{
	for (int i = 0; i < ff->n; i++)
		free(ff->f[i]);
}

/* A NUL-terminated exact-size copy of the input. */
static inline char *
fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Reference UTF-8 (Unicode 15, table 3-7). Returns the length of the
 * well-formed sequence at s[0..len) and its code point, or 0 if ill-formed.
 */
static inline size_t
ref_utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
	static const struct { unsigned char lo0, hi0, lo1, hi1; unsigned n; } tab[] = {
		{0x00, 0x7f, 0, 0, 1},
		{0xc2, 0xdf, 0x80, 0xbf, 2},
		{0xe0, 0xe0, 0xa0, 0xbf, 3},
		{0xe1, 0xec, 0x80, 0xbf, 3},
		{0xed, 0xed, 0x80, 0x9f, 3},
		{0xee, 0xef, 0x80, 0xbf, 3},
		{0xf0, 0xf0, 0x90, 0xbf, 4},
		{0xf1, 0xf3, 0x80, 0xbf, 4},
		{0xf4, 0xf4, 0x80, 0x8f, 4},
	};

	if (len == 0)
		return 0;
	for (size_t t = 0; t < sizeof(tab) / sizeof(tab[0]); t++) {
		unsigned n = tab[t].n;
		uint32_t v;

		if (s[0] < tab[t].lo0 || s[0] > tab[t].hi0)
			continue;
		if (n == 1) {
			*cp = s[0];
			return 1;
		}
		if (len < n || s[1] < tab[t].lo1 || s[1] > tab[t].hi1)
			return 0;
		v = s[0] & (n == 2 ? 0x1f : n == 3 ? 0x0f : 0x07);
		for (unsigned k = 1; k < n; k++) {
			if (k > 1 && (s[k] < 0x80 || s[k] > 0xbf))
				return 0;
			v = v << 6 | (s[k] & 0x3f);
		}
		*cp = v;
		return n;
	}
	return 0;
}

static inline bool
ref_utf8_valid(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp;

	for (size_t i = 0, n; i < len; i += n)
		if ((n = ref_utf8_seq(s + i, len - i, &cp)) == 0)
			return false;
	return true;
}

#endif
