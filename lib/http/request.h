/*
 * request: the FastCGI parameters and body of one request, validated once
 * into typed values. Everything after this module trusts these fields:
 * segments and query values are percent-decoded, NUL-free and bounded.
 *
 * Ownership: the struct owns its decoded copies (path, query). Header
 * pointers borrow from the parameter source and are valid only until the
 * FastCGI request is finished. The body buffer belongs to the caller.
 */
#ifndef PS_REQUEST_H
#define PS_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#define REQUEST_BODY_MAX      65536
/* A route's larger limit (api_route.bulk_body: GitHub's leak reports, 1 000 tokens ~ 200 KB). */
#define REQUEST_BULK_BODY_MAX (1024 * 1024)
#define REQUEST_PATH_MAX      1024
#define REQUEST_SEGMENTS_MAX  8
#define REQUEST_QUERY_MAX     8192
#define REQUEST_PARAMS_MAX    16
#define REQUEST_HEAD_MAX      16   /* decoded bytes of the first segment kept */

enum request_method {
	METHOD_GET, METHOD_POST, METHOD_PUT, METHOD_PATCH, METHOD_DELETE,
	METHOD_HEAD, METHOD_OPTIONS, METHOD_OTHER
};

struct request_str {
	const char *s;
	size_t len;
};

struct request_param {
	struct request_str name, value;
};

struct request {
	enum request_method method;

	/*
	 * The first path segment, percent-decoded, whatever follows it (even a
	 * malformed rest): the front ends choose on it through request_under, so
	 * that every spelling of a path ("/%761", "/v%31") reaches the same one.
	 * head_ok is false when the segment has a bad escape or a decoded NUL;
	 * head_len is its whole decoded length, of which head keeps the start.
	 */
	bool head_ok;
	size_t head_len;
	char head[REQUEST_HEAD_MAX];

	/* Path: false for `//`, a bad escape, a decoded NUL or too many bytes. */
	bool path_ok;
	int nseg;
	struct request_str seg[REQUEST_SEGMENTS_MAX];
	char path_buf[REQUEST_PATH_MAX];

	/* Query: false for a bad escape, a decoded NUL, invalid UTF-8, too many
	 * parameters or bytes. Names and values are NUL-terminated. */
	bool query_ok;
	const char *query_bad;          /* a parameter whose value could not be decoded */
	int nparam;
	struct request_param param[REQUEST_PARAMS_MAX];
	char query_buf[REQUEST_QUERY_MAX + 2 * REQUEST_PARAMS_MAX];

	const char *authorization;      /* NULL when absent */
	const char *content_type;
	const char *organization;       /* ParseSphere-Organization */
	const char *cookie;             /* the Cookie header, NULL when absent */
	const char *remote_addr;        /* the client's address as the web server saw it */
	const char *user_agent;         /* User-Agent, NULL when absent (any bytes: for logs only) */
	/* A leak report's signature (POST /v1/leaks/github), NULL when absent. */
	const char *github_key_id;      /* Github-Public-Key-Identifier */
	const char *github_signature;   /* Github-Public-Key-Signature */
	bool https;                     /* the web server got the request over TLS */

	const char *body;               /* caller's buffer */
	size_t body_len;
	bool body_too_large;            /* more than REQUEST_BODY_MAX bytes sent or declared */
	bool bulk_body_too_large;       /* more than REQUEST_BULK_BODY_MAX */
};

/* A source of CGI parameters (FCGX_GetParam in the server, a table in tests). */
typedef const char *(*request_getter)(const char *name, void *ctx);

/* Fills req from the parameters; body and body_len are left empty. */
void request_parse(struct request *req, request_getter get, void *ctx);

/*
 * True when the decoded first segment is `top` or begins with `top` and an
 * escaped '/' ("/v1", "/v1/...", "/%761/...", "/v1%2F..."): the one test of
 * which front end a request belongs to. `top` is at most REQUEST_HEAD_MAX - 1
 * bytes and has no '/'.
 */
bool request_under(const struct request *req, const char *top);

/*
 * Checks the query against the names a route accepts (NULL-terminated).
 * Returns NULL when valid, else the offending parameter's name (unknown or
 * repeated), which stays valid as long as req. Looks at the parameters parsed
 * so far even when query_ok is false.
 */
const char *request_query_check(const struct request *req, const char *const *allowed);

/* The value of a parameter, or NULL. */
const struct request_str *request_query(const struct request *req, const char *name);

/*
 * The value of cookie `name` (its first occurrence) in the Cookie header, not
 * decoded: borrowed from the header, not NUL-terminated. False when absent.
 */
bool request_cookie(const struct request *req, const char *name, struct request_str *out);

/*
 * A form body (application/x-www-form-urlencoded) decoded like the query:
 * NUL-free, valid UTF-8, at most REQUEST_PARAMS_MAX fields. The values are
 * copies in buf: the caller wipes the struct after a password went through it.
 */
struct request_form {
	int n;
	struct request_param param[REQUEST_PARAMS_MAX];
	char buf[REQUEST_BODY_MAX + 2 * REQUEST_PARAMS_MAX];
};
/* False when the body is not a well-formed form within the limits. */
bool request_form_parse(struct request_form *f, const char *body, size_t len);
const struct request_str *request_form_get(const struct request_form *f, const char *name);

#endif
