#include "http/response.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/uuid.h"
#include "base/validate.h"

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

/* Drops the body, whichever kind it is. */
static void
drop_body(struct response *r)
{
	if (r->body != NULL)
		json_object_put(r->body);
	if (r->bytes_owned) {
		/* A page may hold a key's secret (shown once): wiped, not just freed. */
		explicit_bzero(r->bytes, r->bytes_len);
		free(r->bytes);
	}
	r->body = NULL;
	r->bytes = NULL;
	r->bytes_len = 0;
	r->bytes_owned = false;
	r->content_type = NULL;
	r->cache_control = NULL;
}

void
response_reset(struct response *r)
{
	drop_body(r);
	/* A Set-Cookie line may hold a dashboard session's token. */
	explicit_bzero(r->extra, r->extra_len);
	r->extra_len = 0;
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
	drop_body(r);
	r->status = status;
	r->body = body;
}

void
response_jsonw(struct response *r, int status, struct jsonw *w)
{
	size_t len = 0;
	char *text = jsonw_take(w, &len);

	if (text == NULL)
		response_error(r, ERR_INTERNAL, NULL, NULL);
	else
		response_bytes(r, status, RESPONSE_JSON_TYPE, NULL, text, len, true);
}

void
response_bytes(struct response *r, int status, const char *content_type,
               const char *cache_control, char *body, size_t len, bool owned)
{
	drop_body(r);
	r->status = status;
	r->bytes = body;
	r->bytes_len = len;
	r->bytes_owned = owned;
	r->content_type = content_type;
	r->cache_control = cache_control;
}

#define CHALLENGE "Bearer realm=\"parsesphere\""
#define SIGNATURE_CHALLENGE "Github-Public-Key-Signature realm=\"parsesphere\""

/*
 * The text of `param`. It may be a client's own name (an unknown query
 * parameter or body field), so it is made safe for whatever prints the error
 * (a terminal, a log) and bounded: printable ASCII is kept, `"` and `\` are
 * escaped with `\`, everything else is written \uXXXX (a UTF-16 pair above
 * U+FFFF, U+FFFD for a byte that is not UTF-8) as in a JSON string, and the
 * text stops before the first escape that would pass RESPONSE_PARAM_MAX
 * bytes. The service's own names are printable ASCII and come out unchanged.
 */
static void
param_text(const char *name, char out[RESPONSE_PARAM_MAX + 1])
{
	size_t len = strlen(name), i = 0, n = 0;

	while (i < len) {
		char esc[16];
		unsigned char c = (unsigned char)name[i];
		uint32_t cp = 0xfffd;     /* kept when no UTF-8 character starts here */
		int w;

		if (c >= 0x20 && c <= 0x7e) {
			w = snprintf(esc, sizeof(esc), "%s%c", c == '"' || c == '\\' ? "\\" : "", c);
			i++;
		} else {
			if (!validate_utf8_next(name, len, &i, &cp))
				i++;
			if (cp > 0xffff)
				w = snprintf(esc, sizeof(esc), "\\u%04x\\u%04x",
				             (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
				             (unsigned)(0xdc00 + ((cp - 0x10000) & 0x3ff)));
			else
				w = snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)cp);
		}
		if (n + (size_t)w > RESPONSE_PARAM_MAX)
			break;
		memcpy(out + n, esc, (size_t)w);
		n += (size_t)w;
	}
	out[n] = '\0';
}

static void
set_error(struct response *r, enum err e, const char *param, const char *message,
          const char *challenge)
{
	const struct err_info *info = err_info(e);
	json_object *o = json_object_new_object();

	json_object_object_add(o, "error_code", json_object_new_string(info->code));
	json_object_object_add(o, "message",
	                       json_object_new_string(message ? message : info->message));
	if (param != NULL) {
		char text[RESPONSE_PARAM_MAX + 1];

		param_text(param, text);
		json_object_object_add(o, "param", json_object_new_string(text));
	}
	json_object_object_add(o, "request_id", json_object_new_string(r->request_id));
	r->error = e;
	response_json(r, info->status, o);
	if (e == ERR_SERVICE_UNAVAILABLE)
		response_header(r, "Retry-After", "1");
	/* A signed route's 401 challenges for its signature, not for a key. */
	if (info->status == 401)
		response_header(r, "WWW-Authenticate",
		                e == ERR_INVALID_SIGNATURE ? SIGNATURE_CHALLENGE : challenge);
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
	const char *s;

	if (r->content_type != NULL) {
		*len = r->bytes_len;
		return r->bytes;
	}
	s = json_object_to_json_string_length(r->body,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	*len = n;
	return s;
}

size_t
response_head(const struct response *r, size_t body_len, char *buf, size_t cap)
{
	int n = snprintf(buf, cap,
		"Status: %d %s\r\n"
		"Content-Type: %s\r\n"
		"Content-Length: %zu\r\n"
		"Cache-Control: %s\r\n"
		"X-Content-Type-Options: nosniff\r\n"
		"X-Request-Id: %s\r\n"
		"%.*s\r\n",
		r->status, err_reason(r->status),
		r->content_type ? r->content_type : RESPONSE_JSON_TYPE, body_len,
		r->cache_control ? r->cache_control : "no-store", r->request_id,
		(int)r->extra_len, r->extra);

	return (n > 0 && (size_t)n < cap) ? (size_t)n : 0;
}
