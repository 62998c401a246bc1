/*
 * jsoncheck: a strict RFC 8259 grammar check of untrusted bytes, run before
 * json-c (whose "strict" mode still accepts single quotes, NaN, raw control
 * characters in strings). Pure; no allocation.
 */
#ifndef PS_JSONCHECK_H
#define PS_JSONCHECK_H

#include <stdbool.h>
#include <stddef.h>

#define JSONCHECK_MAX_DEPTH 32   /* json-c's default: values nested at most 32 deep */

/*
 * True when s[0..len) is exactly one JSON value with optional white space
 * around it: no comments, no trailing commas, strings with valid escapes,
 * no raw control characters and no unpaired surrogate escapes. The bytes are
 * assumed to be valid UTF-8 (validate_utf8) and are not NUL-terminated.
 */
bool jsoncheck_valid(const char *s, size_t len);

#endif
