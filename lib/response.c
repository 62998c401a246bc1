#include "response.h"

#include <stdio.h>
#include <string.h>

#include "timefmt.h"
#include "uuid.h"

void
response_init(struct response *r)
{
	uint8_t id[UUID_LEN];

	memset(r, 0, sizeof(*r));
	uuid_v7(id, (uint64_t)(timefmt_now_us() / 1000));
	uuid_format(id, r->request_id);
	r->status = 500;
	r->error = ERR_NONE;
}

void
response_reset(struct response *r)
{
	if (r->body != NULL)
		json_object_put(r->body);
	r->body = NULL;
}

void
response_header(struct response *r, const char *name, const char *value)
{
	size_t room = sizeof(r->extra) - r->extra_len;
	int n = snprintf(r->extra + r->extra_len, room, "%s: %s\r\n", name, value);

	/* Our own headers are short; a line that does not fit is dropped whole. */
	if (n > 0 && (size_t)n < room)
		r->extra_len += (size_t)n;
	else
		r->extra[r->extra_len] = '\0';
}

void
response_json(struct response *r, int status, json_object *body)
{
	if (r->body != NULL)
		json_object_put(r->body);
	r->status = status;
	r->body = body;
}

#define CHALLENGE "Bearer realm=\"parsesphere\""

static void
set_error(struct response *r, enum err e, const char *param, const char *message,
          const char *challenge)
{
	const struct err_info *info = err_info(e);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error_code", json_object_new_string(info->code));
	json_object_object_add(o, "message",
	                       json_object_new_string(message ? message : info->message));
	if (param != NULL)
		json_object_object_add(o, "param", json_object_new_string(param));
	json_object_object_add(o, "request_id", json_object_new_string(r->request_id));
	r->error = e;
	response_json(r, info->status, o);
	if (e == ERR_SERVICE_UNAVAILABLE)
		response_header(r, "Retry-After", "1");
	if (info->status == 401)
		response_header(r, "WWW-Authenticate", challenge);
}

void
response_error(struct response *r, enum err e, const char *param, const char *message)
{
	set_error(r, e, param, message, CHALLENGE);
}

void
response_auth_error(struct response *r, enum err e, int token_presented)
{
	/* RFC 6750 section 3.1: error="invalid_token" only when a token was sent. */
	set_error(r, e, NULL, NULL,
	          token_presented ? CHALLENGE ", error=\"invalid_token\"" : CHALLENGE);
}

const char *
response_body(const struct response *r, size_t *len)
{
	size_t n = 0;
	const char *s = json_object_to_json_string_length(r->body,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);

	*len = n;
	return s;
}

size_t
response_head(const struct response *r, size_t body_len, char *buf, size_t cap)
{
	int n = snprintf(buf, cap,
		"Status: %d %s\r\n"
		"Content-Type: application/json; charset=utf-8\r\n"
		"Content-Length: %zu\r\n"
		"Cache-Control: no-store\r\n"
		"X-Content-Type-Options: nosniff\r\n"
		"X-Request-Id: %s\r\n"
		"%.*s\r\n",
		r->status, err_reason(r->status), body_len, r->request_id,
		(int)r->extra_len, r->extra);

	return (n > 0 && (size_t)n < cap) ? (size_t)n : 0;
}
