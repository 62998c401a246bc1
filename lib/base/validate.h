/*
 * validate: small pure checks of untrusted text, used once at the edge.
 */
#ifndef PS_VALIDATE_H
#define PS_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VALIDATE_NAME_MAX_CP 100

/* Strict UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF. */
bool validate_utf8(const char *s, size_t len);

/*
 * A decimal number of s[0..len): digits only (leading zeros allowed, no sign,
 * no space), within [min, max], without overflow. The one integer parser of
 * untrusted text (query values, CGI variables, command-line numbers).
 */
bool validate_uint(const char *s, size_t len, uint64_t min, uint64_t max, uint64_t *out);

/* The value of a hexadecimal digit in either case, or -1. */
int validate_hex_digit(unsigned char c);

/*
 * Decodes the code point of strict UTF-8 at s[*i] (*i < len) into *cp and
 * moves *i past it; false, with *i unchanged, when no valid one starts there.
 */
bool validate_utf8_next(const char *s, size_t len, size_t *i, uint32_t *cp);

/*
 * A key name (docs/api.md, creating a key): `s` must be valid UTF-8. Trims
 * Unicode White_Space from both ends, then requires 1..100 code points and
 * no control character (C0, DEL, C1). On success sets *start and *out_len to the
 * trimmed slice inside `s` and returns true.
 */
bool validate_name(const char *s, size_t len, size_t *start, size_t *out_len);

/*
 * Content-Type for JSON bodies: `application/json`, any case, with at most a
 * `charset=utf-8` parameter (any case, quoted or not). NULL is not valid.
 */
bool validate_json_content_type(const char *ct);

/*
 * An absolute http or https URL safe to store and show (a leak report's
 * url): 1 to max bytes, the scheme `http://` or `https://` (any case), a
 * nonempty authority, and only the characters RFC 3986 allows unescaped
 * (letters, digits, `-._~:/?#[]@!$&'()*+,;=` and `%`): no space, quote,
 * backslash, angle bracket or control character.
 */
bool validate_http_url(const char *s, size_t len, size_t max);

/* A word of the service's own kind: 1 to max bytes of letters, digits, `_`, `-` and `.`. */
bool validate_word(const char *s, size_t len, size_t max);

#endif
