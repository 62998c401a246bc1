/*
 * response: one HTTP response as the FastCGI worker will write it: status,
 * the headers every response carries (docs/api.md, "Conventions"), extra headers,
 * and a JSON body.
 *
 * A response owns its body (a json-c object, or bytes from response_bytes)
 * from response_json/response_error/response_bytes until response_reset,
 * which also makes it reusable for the next request.
 */
#ifndef PS_RESPONSE_H
#define PS_RESPONSE_H

#include <stdbool.h>
#include <stddef.h>
#include <json-c/json.h>

#include "base/errors.h"
#include "http/jsonw.h"

#define RESPONSE_ID_LEN     36
#define RESPONSE_EXTRA_MAX  2048
#define RESPONSE_HEAD_MAX   (RESPONSE_EXTRA_MAX + 512)
#define RESPONSE_PARAM_MAX  64     /* bytes of an error's `param` */
#define RESPONSE_JSON_TYPE  "application/json; charset=utf-8"

struct response {
	int status;
	enum err error;                       /* ERR_NONE unless an error body */
	char request_id[RESPONSE_ID_LEN + 1];
	char extra[RESPONSE_EXTRA_MAX];       /* "Name: value\r\n" lines */
	size_t extra_len;
	json_object *body;
	/* A body that is not JSON (the dashboard's pages): response_bytes. */
	char *bytes;
	size_t bytes_len;
	bool bytes_owned;                     /* freed by response_reset */
	const char *content_type;             /* NULL: JSON */
	const char *cache_control;            /* NULL: no-store */
};

/* Starts a response with a fresh request id. */
void response_init(struct response *r);
/* Frees the body and wipes the extra headers (a session cookie among them). */
void response_reset(struct response *r);

/* Adds a header line; names and values are the service's own, never input. */
void response_header(struct response *r, const char *name, const char *value);

/* Takes ownership of body. */
void response_json(struct response *r, int status, json_object *body);
/* Takes w's text (w is empty after); a writer that ran out of memory is a 500. */
void response_jsonw(struct response *r, int status, struct jsonw *w);

/*
 * A body of another type, replacing any earlier one. With owned, body is a
 * malloc'ed buffer the response frees; else it must outlive the response
 * (static text). content_type and cache_control are static strings
 * (cache_control NULL: no-store).
 */
void response_bytes(struct response *r, int status, const char *content_type,
                    const char *cache_control, char *body, size_t len, bool owned);

/*
 * An error body: error_code, message (NULL: the table's), param (NULL: none)
 * and request_id, plus the headers the error needs (WWW-Authenticate on 401,
 * Retry-After on 503). `token_presented` selects error="invalid_token".
 * param may be a client's name: it is written escaped to printable ASCII and
 * cut to RESPONSE_PARAM_MAX bytes (README, "Choices"); message never is.
 */
void response_error(struct response *r, enum err e, const char *param,
                    const char *message);
void response_auth_error(struct response *r, enum err e, int token_presented);

/*
 * Formats the CGI response head ("Status: ..." through the blank line) into
 * buf. Returns its length, or 0 if cap is too small.
 */
size_t response_head(const struct response *r, size_t body_len, char *buf, size_t cap);

/* The body text; valid until the response is reset. */
const char *response_body(const struct response *r, size_t *len);

#endif
