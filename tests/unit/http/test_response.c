/* Unit tests of lib/response.c: error bodies, their headers, the response head. */
#include "../../../lib/http/response.c"
#include "../../../lib/http/jsonw.c"
#include "../../../lib/base/errors.c"
#include "../../../lib/base/timefmt.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/validate.c"
#include "../harness.h"

#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include <sodium.h>

/* Lowercase hyphenated 36-character text, checked without uuid.c. */
static int
is_lower_uuid_text(const char *s)
{
	if (strlen(s) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return 0;
		} else if (!(isdigit((unsigned char)s[i]) || (s[i] >= 'a' && s[i] <= 'f'))) {
			return 0;
		}
	}
	return 1;
}

/* The value of header `name` in a CRLF head (NULL if absent); copies it into out. */
static const char *
header(const char *head, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	for (const char *p = head; *p != '\0'; ) {
		const char *eol = strstr(p, "\r\n");
		if (eol == NULL)
			return NULL;
		if ((size_t)(eol - p) > n + 1 && strncasecmp(p, name, n) == 0 && p[n] == ':') {
			const char *v = p + n + 1;
			while (*v == ' ')
				v++;
			snprintf(out, cap, "%.*s", (int)(eol - v), v);
			return out;
		}
		p = eol + 2;
	}
	return NULL;
}

/* How many lines of head start with "name:". */
static int
header_count(const char *head, const char *name)
{
	int count = 0;
	size_t n = strlen(name);

	for (const char *p = head; *p != '\0'; ) {
		const char *eol = strstr(p, "\r\n");
		if (eol == NULL)
			break;
		count += strncasecmp(p, name, n) == 0 && p[n] == ':';
		p = eol + 2;
	}
	return count;
}

/* Formats the head of r with its own body; returns the head text (static). */
static const char *
head_of(const struct response *r)
{
	static char buf[2048];
	size_t blen = 0;

	if (r->body != NULL)
		response_body(r, &blen);
	if (response_head(r, blen, buf, sizeof(buf)) == 0)
		buf[0] = '\0';
	return buf;
}

static json_object *
parsed_body(const struct response *r)
{
	size_t len;
	const char *s = response_body(r, &len);

	return s ? json_tokener_parse(s) : NULL;
}

static const char *
field(json_object *o, const char *name)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, name, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Every error of docs/api.md's table: status, error_code and the headers it needs. */
static void
test_error_table(void)
{
	static const struct {
		int line; enum err e; int status; const char *code, *reason;
		int www_auth, retry_after;
	} cases[] = {
		{__LINE__, ERR_INVALID_JSON, 400, "invalid_json", "Bad Request", 0, 0},
		{__LINE__, ERR_INVALID_REQUEST, 400, "invalid_request", "Bad Request", 0, 0},
		{__LINE__, ERR_MISSING_API_KEY, 401, "missing_api_key", "Unauthorized", 1, 0},
		{__LINE__, ERR_INVALID_API_KEY, 401, "invalid_api_key", "Unauthorized", 1, 0},
		{__LINE__, ERR_API_KEY_REVOKED, 401, "api_key_revoked", "Unauthorized", 1, 0},
		{__LINE__, ERR_ACCOUNT_DEACTIVATED, 403, "account_deactivated", "Forbidden", 0, 0},
		{__LINE__, ERR_ORGANIZATION_DEACTIVATED, 403, "organization_deactivated", "Forbidden", 0, 0},
		{__LINE__, ERR_NOT_ORGANIZATION_MEMBER, 403, "not_organization_member", "Forbidden", 0, 0},
		{__LINE__, ERR_ORGANIZATION_MISMATCH, 403, "organization_mismatch", "Forbidden", 0, 0},
		{__LINE__, ERR_NOT_FOUND, 404, "not_found", "Not Found", 0, 0},
		{__LINE__, ERR_METHOD_NOT_ALLOWED, 405, "method_not_allowed", "Method Not Allowed", 0, 0},
		{__LINE__, ERR_PAYLOAD_TOO_LARGE, 413, "payload_too_large", NULL, 0, 0},
		{__LINE__, ERR_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type",
		 "Unsupported Media Type", 0, 0},
		{__LINE__, ERR_INTERNAL, 500, "internal_error", "Internal Server Error", 0, 0},
		{__LINE__, ERR_SERVICE_UNAVAILABLE, 503, "service_unavailable", "Service Unavailable", 0, 1},
	};
	struct response r;
	char status_line[64], value[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		response_init(&r);
		response_error(&r, cases[i].e, NULL, NULL);
		CHECK_AT(r.status == cases[i].status, cases[i].line, "%s: status %d, want %d",
		         cases[i].code, r.status, cases[i].status);
		CHECK_AT(r.error == cases[i].e, cases[i].line, "%s: error %d", cases[i].code, r.error);

		json_object *o = parsed_body(&r);
		CHECK_AT(o != NULL && json_object_is_type(o, json_type_object), cases[i].line,
		         "%s: body is not a JSON object", cases[i].code);
		const char *code = field(o, "error_code"), *msg = field(o, "message");
		CHECK_AT(code != NULL && strcmp(code, cases[i].code) == 0, cases[i].line,
		         "error_code %s, want %s", code ? code : "NULL", cases[i].code);
		CHECK_AT(msg != NULL && msg[0] != '\0', cases[i].line, "%s: no message", cases[i].code);
		const char *rid = field(o, "request_id");
		CHECK_AT(rid != NULL && strcmp(rid, r.request_id) == 0 && is_lower_uuid_text(rid),
		         cases[i].line, "%s: request_id %s, response's %s", cases[i].code,
		         rid ? rid : "NULL", r.request_id);
		CHECK_AT(o != NULL && !json_object_object_get_ex(o, "param", NULL), cases[i].line,
		         "%s: param without one given", cases[i].code);
		CHECK_AT(o != NULL && json_object_object_length(o) == 3, cases[i].line,
		         "%s: %d fields, want error_code, message, request_id", cases[i].code,
		         o ? json_object_object_length(o) : -1);
		json_object_put(o);

		const char *head = head_of(&r);
		if (cases[i].reason != NULL) {
			snprintf(status_line, sizeof(status_line), "Status: %d %s\r\n",
			         cases[i].status, cases[i].reason);
			CHECK_AT(strncmp(head, status_line, strlen(status_line)) == 0, cases[i].line,
			         "head starts \"%.30s\", want \"%s\"", head, status_line);
		} else {
			snprintf(status_line, sizeof(status_line), "Status: %d ", cases[i].status);
			CHECK_AT(strncmp(head, status_line, strlen(status_line)) == 0, cases[i].line,
			         "head starts \"%.30s\"", head);
		}
		CHECK_AT((header(head, "WWW-Authenticate", value, sizeof(value)) != NULL) ==
		         cases[i].www_auth, cases[i].line, "%s: WWW-Authenticate present %d",
		         cases[i].code, !cases[i].www_auth);
		if (cases[i].www_auth)
			CHECK_AT(strcmp(value, "Bearer realm=\"parsesphere\"") == 0, cases[i].line,
			         "WWW-Authenticate: %s", value);
		CHECK_AT((header(head, "Retry-After", value, sizeof(value)) != NULL) ==
		         cases[i].retry_after, cases[i].line, "%s: Retry-After present %d",
		         cases[i].code, !cases[i].retry_after);
		if (cases[i].retry_after) {
			/* delta-seconds: 1*DIGIT, and a positive number. */
			size_t digits = strspn(value, "0123456789");
			CHECK_AT(digits > 0 && value[digits] == '\0' && atoi(value) > 0, cases[i].line,
			         "Retry-After: %s", value);
		}
		response_reset(&r);
	}
}

static void
test_error_fields(void)
{
	struct response r;
	json_object *o;

	/* param only when given; the given message replaces the table's. */
	response_init(&r);
	response_error(&r, ERR_INVALID_REQUEST, "name", NULL);
	o = parsed_body(&r);
	CHECK(field(o, "param") != NULL && strcmp(field(o, "param"), "name") == 0,
	      "param %s", field(o, "param") ? field(o, "param") : "NULL");
	CHECK(field(o, "error_code") && strcmp(field(o, "error_code"), "invalid_request") == 0,
	      "error_code");
	CHECK(json_object_object_length(o) == 4, "%d fields", json_object_object_length(o));
	CHECK(field(o, "request_id") != NULL && strcmp(field(o, "request_id"), r.request_id) == 0,
	      "request_id %s != %s", field(o, "request_id"), r.request_id);
	json_object_put(o);
	response_reset(&r);

	response_init(&r);
	response_error(&r, ERR_INVALID_REQUEST, "starting_after", "No such key: x.");
	o = parsed_body(&r);
	CHECK(field(o, "message") && strcmp(field(o, "message"), "No such key: x.") == 0,
	      "message %s", field(o, "message"));
	CHECK(field(o, "param") && strcmp(field(o, "param"), "starting_after") == 0, "param");
	json_object_put(o);
	response_reset(&r);

	/* The default message of an error comes from the table, not a caller's NULL. */
	response_init(&r);
	response_error(&r, ERR_NOT_FOUND, NULL, NULL);
	o = parsed_body(&r);
	CHECK(field(o, "message") != NULL && strlen(field(o, "message")) > 10, "default message %s",
	      field(o, "message"));
	json_object_put(o);
	response_reset(&r);

	/* An error replaces an earlier body, without a leak (ASan checks). */
	response_init(&r);
	response_json(&r, 200, json_object_new_object());
	response_error(&r, ERR_INTERNAL, NULL, NULL);
	CHECK(r.status == 500, "status %d", r.status);
	o = parsed_body(&r);
	CHECK(field(o, "error_code") && strcmp(field(o, "error_code"), "internal_error") == 0,
	      "body not replaced");
	json_object_put(o);
	response_reset(&r);
	CHECK(r.body == NULL, "reset left a body");
}

/*
 * param names a client's own parameter or field when it is unknown: printable
 * ASCII is kept, `"` and `\` are escaped with `\`, every other character is
 * written \uXXXX (a UTF-16 pair above U+FFFF, U+FFFD for a byte that is not
 * UTF-8), and the text is cut to 64 bytes between two characters. Each case's
 * input is pad 'a's then tail; the param wanted, want_pad 'a's then want_tail.
 */
static void
test_error_param(void)
{
	static const struct {
		int line; size_t pad; const char *tail; size_t want_pad; const char *want_tail;
	} cases[] = {
		{__LINE__, 0, "name", 0, "name"},
		{__LINE__, 0, "ParseSphere-Organization", 0, "ParseSphere-Organization"},
		{__LINE__, 0, "", 0, ""},
		{__LINE__, 0, " !#$%&'()*+,-./:;<=>?@[]^_`{|}~", 0, " !#$%&'()*+,-./:;<=>?@[]^_`{|}~"},
		{__LINE__, 0, "a\"b\\c</x>", 0, "a\\\"b\\\\c</x>"},
		/* terminal escapes and other controls: C0, DEL, C1 (CSI) */
		{__LINE__, 0, "\x1b[31mred\x1b[0m", 0, "\\u001b[31mred\\u001b[0m"},
		{__LINE__, 0, "a\tb\r\nc\x01\x7f", 0, "a\\u0009b\\u000d\\u000ac\\u0001\\u007f"},
		{__LINE__, 0, "\xc2\x9b" "2J", 0, "\\u009b2J"},
		/* any other non-ASCII: letters, bidi override, line separator, BOM */
		{__LINE__, 0, "caf\xc3\xa9", 0, "caf\\u00e9"},
		{__LINE__, 0, "\xe2\x80\xae" "txt", 0, "\\u202etxt"},
		{__LINE__, 0, "\xe2\x80\xa8", 0, "\\u2028"},
		{__LINE__, 0, "\xef\xbb\xbf", 0, "\\ufeff"},
		{__LINE__, 0, "\xf0\x9f\x98\x80", 0, "\\ud83d\\ude00"},
		{__LINE__, 0, "\xf4\x8f\xbf\xbf", 0, "\\udbff\\udfff"},
		/* bytes that are not UTF-8 (json-c may let some through): one U+FFFD each */
		{__LINE__, 0, "\xff" "a", 0, "\\ufffda"},
		{__LINE__, 0, "\xc0\xaf", 0, "\\ufffd\\ufffd"},
		{__LINE__, 0, "\xed\xa0\x80", 0, "\\ufffd\\ufffd\\ufffd"},
		{__LINE__, 0, "\xe2\x82", 0, "\\ufffd\\ufffd"},
		/* 64 bytes at most, never half an escape */
		{__LINE__, 64, "", 64, ""},
		{__LINE__, 65, "", 64, ""},
		{__LINE__, 10240, "", 64, ""},
		{__LINE__, 63, "b", 63, "b"},
		{__LINE__, 64, "b", 64, ""},
		{__LINE__, 58, "\xc3\xa9", 58, "\\u00e9"},
		{__LINE__, 59, "\xc3\xa9" "b", 59, ""},
		{__LINE__, 52, "\xf0\x9f\x98\x80", 52, "\\ud83d\\ude00"},
		{__LINE__, 53, "\xf0\x9f\x98\x80", 53, ""},
		{__LINE__, 62, "\"", 62, "\\\""},
		{__LINE__, 63, "\\", 63, ""},
		{__LINE__, 63, "\x1b", 63, ""},
	};
	struct response r;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t tlen = strlen(cases[i].tail), wlen = strlen(cases[i].want_tail);
		char *in = malloc(cases[i].pad + tlen + 1), *want = malloc(cases[i].want_pad + wlen + 1);
		const char *got;
		size_t bad = 0;
		json_object *o;

		if (in == NULL || want == NULL)
			abort();
		memset(in, 'a', cases[i].pad);
		memcpy(in + cases[i].pad, cases[i].tail, tlen + 1);
		memset(want, 'a', cases[i].want_pad);
		memcpy(want + cases[i].want_pad, cases[i].want_tail, wlen + 1);
		response_init(&r);
		response_error(&r, ERR_INVALID_REQUEST, in, NULL);
		o = parsed_body(&r);
		got = field(o, "param");
		CHECK_AT(got != NULL && strcmp(got, want) == 0, cases[i].line,
		         "param of %zu x 'a' + \"%s\": \"%.80s\" (%zu bytes), want \"%.80s\"",
		         cases[i].pad, cases[i].want_tail, got ? got : "(none)", got ? strlen(got) : 0,
		         want);
		for (const char *p = got ? got : ""; *p != '\0'; p++)
			bad += *p < 0x20 || *p > 0x7e;
		CHECK_AT(got != NULL && strlen(got) <= 64 && bad == 0, cases[i].line,
		         "param is %zu bytes with %zu outside printable ASCII", got ? strlen(got) : 0,
		         bad);
		json_object_put(o);
		response_reset(&r);
		free(in);
		free(want);
	}
}

/* RFC 6750: error="invalid_token" only when a token was presented. */
static void
test_auth_error(void)
{
	static const struct {
		int line; enum err e; int presented; int status; const char *www;   /* NULL: none */
	} cases[] = {
		{__LINE__, ERR_MISSING_API_KEY, 0, 401, "Bearer realm=\"parsesphere\""},
		{__LINE__, ERR_INVALID_API_KEY, 1, 401,
		 "Bearer realm=\"parsesphere\", error=\"invalid_token\""},
		{__LINE__, ERR_API_KEY_REVOKED, 1, 401,
		 "Bearer realm=\"parsesphere\", error=\"invalid_token\""},
		{__LINE__, ERR_INVALID_API_KEY, 0, 401, "Bearer realm=\"parsesphere\""},
		{__LINE__, ERR_ACCOUNT_DEACTIVATED, 1, 403, NULL},
		{__LINE__, ERR_ORGANIZATION_DEACTIVATED, 1, 403, NULL},
		{__LINE__, ERR_SERVICE_UNAVAILABLE, 1, 503, NULL},
	};
	struct response r;
	char value[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		response_init(&r);
		response_auth_error(&r, cases[i].e, cases[i].presented);
		CHECK_AT(r.status == cases[i].status, cases[i].line, "status %d", r.status);
		const char *head = head_of(&r);
		const char *got = header(head, "WWW-Authenticate", value, sizeof(value));
		if (cases[i].www == NULL)
			CHECK_AT(got == NULL, cases[i].line, "unexpected WWW-Authenticate: %s", got);
		else
			CHECK_AT(got != NULL && strcmp(got, cases[i].www) == 0, cases[i].line,
			         "WWW-Authenticate: %s, want %s", got ? got : "(none)", cases[i].www);
		CHECK_AT(header_count(head, "WWW-Authenticate") == (cases[i].www != NULL),
		         cases[i].line, "%d WWW-Authenticate lines",
		         header_count(head, "WWW-Authenticate"));
		json_object *o = parsed_body(&r);
		CHECK_AT(o != NULL && !json_object_object_get_ex(o, "param", NULL) &&
		         field(o, "request_id") && strcmp(field(o, "request_id"), r.request_id) == 0,
		         cases[i].line, "auth error body");
		json_object_put(o);
		response_reset(&r);
	}
}

/* The headers every response carries, and nothing after the blank line. */
static void
test_head(void)
{
	struct response r;
	char value[256], buf[2048];
	size_t blen, n;

	response_init(&r);
	json_object *o = json_object_new_object();
	json_object_object_add(o, "status", json_object_new_string("ok"));
	response_json(&r, 200, o);
	const char *body = response_body(&r, &blen);
	CHECK(body != NULL && strcmp(body, "{\"status\":\"ok\"}") == 0, "body %s", body);
	CHECK(blen == strlen("{\"status\":\"ok\"}"), "body length %zu", blen);

	n = response_head(&r, blen, buf, sizeof(buf));
	CHECK(n == strlen(buf) && n > 0, "head length %zu, strlen %zu", n, strlen(buf));
	CHECK(strncmp(buf, "Status: 200 OK\r\n", 16) == 0, "status line %.20s", buf);
	CHECK(n >= 4 && strcmp(buf + n - 4, "\r\n\r\n") == 0, "head does not end in a blank line");
	CHECK(strstr(buf, "\r\n\r\n") == buf + n - 4, "a blank line inside the head");
	CHECK(header(buf, "Content-Type", value, sizeof(value)) &&
	      strcmp(value, "application/json; charset=utf-8") == 0, "Content-Type: %s", value);
	CHECK(header(buf, "Cache-Control", value, sizeof(value)) &&
	      strcmp(value, "no-store") == 0, "Cache-Control: %s", value);
	CHECK(header(buf, "X-Content-Type-Options", value, sizeof(value)) &&
	      strcmp(value, "nosniff") == 0, "X-Content-Type-Options: %s", value);
	CHECK(header(buf, "Content-Length", value, sizeof(value)) && strcmp(value, "15") == 0,
	      "Content-Length: %s", value);
	CHECK(header(buf, "X-Request-Id", value, sizeof(value)) &&
	      strcmp(value, r.request_id) == 0 && is_lower_uuid_text(value),
	      "X-Request-Id: %s (request_id %s)", value, r.request_id);
	CHECK(header(buf, "WWW-Authenticate", value, sizeof(value)) == NULL, "WWW-Authenticate on 200");
	CHECK(header(buf, "Retry-After", value, sizeof(value)) == NULL, "Retry-After on 200");
	static const char *const once[] = {"Status", "Content-Type", "Content-Length",
	                                   "Cache-Control", "X-Content-Type-Options", "X-Request-Id"};
	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		CHECK(header_count(buf, once[i]) == 1, "%d %s lines", header_count(buf, once[i]), once[i]);

	/* Content-Length is what the caller says. */
	n = response_head(&r, 123456, buf, sizeof(buf));
	CHECK(n > 0 && header(buf, "Content-Length", value, sizeof(value)) &&
	      strcmp(value, "123456") == 0, "Content-Length: %s", value);
	n = response_head(&r, 0, buf, sizeof(buf));
	CHECK(n > 0 && header(buf, "Content-Length", value, sizeof(value)) &&
	      strcmp(value, "0") == 0, "Content-Length: %s", value);

	/* Extra headers come before the blank line. */
	response_header(&r, "Location", "/v1/api-keys/0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a");
	response_header(&r, "Allow", "GET, POST");
	n = response_head(&r, blen, buf, sizeof(buf));
	CHECK(header(buf, "Location", value, sizeof(value)) &&
	      strcmp(value, "/v1/api-keys/0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a") == 0,
	      "Location: %s", value);
	CHECK(header(buf, "Allow", value, sizeof(value)) && strcmp(value, "GET, POST") == 0,
	      "Allow: %s", value);
	CHECK(n >= 4 && strcmp(buf + n - 4, "\r\n\r\n") == 0 &&
	      strstr(buf, "\r\n\r\n") == buf + n - 4, "extra headers after the blank line");

	/* Too small a buffer: 0, whatever the size. */
	size_t full = n;
	CHECK(response_head(&r, blen, buf, full) == 0, "head fits in %zu bytes", full);
	CHECK(response_head(&r, blen, buf, full + 1) == full, "head does not fit in %zu", full + 1);
	CHECK(response_head(&r, blen, buf, 10) == 0, "head fits in 10 bytes");
	response_reset(&r);

	/* Status lines of the success codes. */
	static const struct { int line; int status; const char *want; } st[] = {
		{__LINE__, 200, "Status: 200 OK\r\n"},
		{__LINE__, 201, "Status: 201 Created\r\n"},
		{__LINE__, 404, "Status: 404 Not Found\r\n"},
		{__LINE__, 405, "Status: 405 Method Not Allowed\r\n"},
	};
	for (size_t i = 0; i < sizeof(st) / sizeof(st[0]); i++) {
		response_init(&r);
		response_json(&r, st[i].status, json_object_new_object());
		n = response_head(&r, 2, buf, sizeof(buf));
		CHECK_AT(n > 0 && strncmp(buf, st[i].want, strlen(st[i].want)) == 0, st[i].line,
		         "status line %.40s", buf);
		response_reset(&r);
	}
}

/* A fresh id per response; lowercase UUID text. */
static void
test_request_ids(void)
{
	struct response a, b;
	int dup = 0, bad = 0;
	char prev[RESPONSE_ID_LEN + 1] = "";

	response_init(&a);
	response_init(&b);
	CHECK(strcmp(a.request_id, b.request_id) != 0, "two responses share %s", a.request_id);
	CHECK(is_lower_uuid_text(a.request_id) && is_lower_uuid_text(b.request_id),
	      "request ids %s %s", a.request_id, b.request_id);
	response_reset(&a);
	response_reset(&b);

	for (int i = 0; i < 1000; i++) {
		response_init(&a);
		dup += strcmp(a.request_id, prev) == 0;
		bad += !is_lower_uuid_text(a.request_id);
		memcpy(prev, a.request_id, sizeof(prev));
		response_reset(&a);
	}
	CHECK(dup == 0, "%d repeated request ids", dup);
	CHECK(bad == 0, "%d malformed request ids", bad);

	/* A reused struct gets a new id from response_init. */
	response_init(&a);
	memcpy(prev, a.request_id, sizeof(prev));
	response_error(&a, ERR_NOT_FOUND, NULL, NULL);
	response_reset(&a);
	response_init(&a);
	CHECK(strcmp(prev, a.request_id) != 0, "init kept the id %s", prev);
	response_reset(&a);
}

/* A reset response keeps no header line, and none of its bytes (a session cookie's token). */
static void
test_reset_wipes_headers(void)
{
	static const char token[] = "ps_session=Zm9vYmFyYmF6cXV4";
	struct response r;
	bool clean = true;

	response_init(&r);
	response_header(&r, "Set-Cookie", token);
	CHECK(r.extra_len > 0 && strstr(r.extra, token) != NULL, "the header was not added");
	response_reset(&r);
	for (size_t i = 0; i < sizeof(r.extra); i++)
		clean &= r.extra[i] == '\0';
	CHECK(r.extra_len == 0 && clean, "after a reset: %zu bytes of headers, %s", r.extra_len,
	      clean ? "wiped" : "not wiped");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_error_table();
	test_error_fields();
	test_error_param();
	test_auth_error();
	test_head();
	test_request_ids();
	test_reset_wipes_headers();
	return harness_summary();
}
