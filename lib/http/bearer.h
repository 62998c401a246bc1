/*
 * bearer: the token of an `Authorization: Bearer <token>` header (RFC 6750;
 * docs/api.md, "Authentication": the scheme name in any case). Pure: the
 * token points into the caller's header and is not NUL-terminated.
 */
#ifndef PS_BEARER_H
#define PS_BEARER_H

#include <stddef.h>

#include "base/errors.h"

/*
 * ERR_NONE with *tok and *len set (surrounding spaces and tabs dropped), or
 * ERR_MISSING_API_KEY when the header is absent, another scheme, or the token
 * empty.
 */
enum err bearer_token(const char *header, const char **tok, size_t *len);

#endif
