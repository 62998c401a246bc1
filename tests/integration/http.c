/*
 * A tiny HTTP/1.1 client over a raw TCP socket: one request per connection
 * (Connection: close), the whole response read, status, headers and body
 * parsed (chunked or Content-Length or until EOF). Every wait is bounded by
 * poll() with IO_TIMEOUT_MS (or the request's own timeout), so a hung server
 * fails a check instead of the suite. If the server answers before the whole
 * request is sent (413, 431), sending stops and the answer is read. A request
 * may name the local address to connect from (any of 127/8 reaches a server
 * on 127.0.0.1), so that per-address rules (the dashboard's log-in throttle)
 * can be tested without touching 127.0.0.1.
 *
 * With PS_RECORD=FILE in the environment every exchange is also appended to
 * FILE as one JSON line, for tests/openapi/validate.mjs to check against
 * docs/openapi.yaml (see record_exchange for what is kept and what is not).
 */
#include "itest.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define IO_TIMEOUT_MS 10000

static char base_host[256], base_port[16];

static int
parse_base_url(struct http_response *r)
{
	const char *url = getenv("PS_BASE_URL"), *p, *colon, *slash;

	if (base_host[0] != '\0')
		return 0;
	if (url == NULL || strncmp(url, "http://", 7) != 0) {
		snprintf(r->error, sizeof(r->error), "PS_BASE_URL must be http://host:port");
		return -1;
	}
	p = url + 7;
	slash = strchr(p, '/');
	colon = strchr(p, ':');
	if (slash == NULL)
		slash = p + strlen(p);
	if (colon == NULL || colon > slash) {
		snprintf(base_host, sizeof(base_host), "%.*s", (int)(slash - p), p);
		snprintf(base_port, sizeof(base_port), "80");
	} else {
		snprintf(base_host, sizeof(base_host), "%.*s", (int)(colon - p), p);
		snprintf(base_port, sizeof(base_port), "%.*s", (int)(slash - colon - 1), colon + 1);
	}
	return 0;
}

/* Binds fd to the numeric address source (any port), of the family of the server's address. */
static int
bind_source(int fd, int family, const char *source, struct http_response *r)
{
	struct addrinfo hints, *res = NULL;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
	if ((rc = getaddrinfo(source, NULL, &hints, &res)) != 0) {
		snprintf(r->error, sizeof(r->error), "source address %s: %s", source, gai_strerror(rc));
		return -1;
	}
	rc = bind(fd, res->ai_addr, res->ai_addrlen);
	if (rc != 0)
		snprintf(r->error, sizeof(r->error), "bind %s: %s", source, strerror(errno));
	freeaddrinfo(res);
	return rc;
}

static int
connect_to(struct http_response *r, const char *source)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(base_host, base_port, &hints, &res)) != 0) {
		snprintf(r->error, sizeof(r->error), "getaddrinfo: %s", gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		struct pollfd pfd;
		int err = 0;
		socklen_t len = sizeof(err);

		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
		            ai->ai_protocol);
		if (fd < 0)
			continue;
		if (source != NULL && bind_source(fd, ai->ai_family, source, r) != 0) {
			close(fd);
			fd = -1;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, IO_TIMEOUT_MS) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0)
				break;
			errno = err ? err : ETIMEDOUT;
		}
		snprintf(r->error, sizeof(r->error), "connect: %s", strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0 && r->error[0] == '\0')
		snprintf(r->error, sizeof(r->error), "connect: no address");
	return fd;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const void *data, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		b->p = realloc(b->p, cap);
		if (b->p == NULL)
			abort();
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
buf_printf(struct buf *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		buf_add(b, tmp, (size_t)n);
	} else {
		char *big = malloc((size_t)n + 1);
		if (big == NULL)
			abort();
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		buf_add(b, big, (size_t)n);
		free(big);
	}
}

/*
 * Polls one fd for ms milliseconds. Returns 1 when ready, 0 when interrupted
 * (try again), -1 on timeout or error with r->error set ("timeout while <doing>").
 */
static int
wait_io(struct pollfd *pfd, int ms, struct http_response *r, const char *doing)
{
	int n = poll(pfd, 1, ms);

	if (n == 0) {
		snprintf(r->error, sizeof(r->error), "timeout while %s", doing);
		return -1;
	}
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		snprintf(r->error, sizeof(r->error), "poll: %s", strerror(errno));
		return -1;
	}
	return 1;
}

/* Sends out; stops early (not an error) when the server starts answering or
 * closes. Returns -1 on timeout. */
static int
send_all(int fd, const struct buf *out, int ms, struct http_response *r)
{
	size_t sent = 0;

	while (sent < out->len) {
		struct pollfd pfd = {.fd = fd, .events = POLLOUT | POLLIN};
		int n = wait_io(&pfd, ms, r, P("sending (%zu of %zu bytes)", sent, out->len));

		if (n < 0)
			return -1;
		if (n == 0)
			continue;
		if (pfd.revents & (POLLIN | POLLHUP | POLLERR))
			return 0;   /* an early answer (or a close): read it */
		ssize_t w = send(fd, out->p + sent, out->len - sent, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return 0;   /* EPIPE, ECONNRESET: whatever was answered is read next */
		}
		sent += (size_t)w;
	}
	return 0;
}

static ssize_t
find_crlfcrlf(const struct buf *in)
{
	for (size_t i = 0; i + 3 < in->len; i++)
		if (memcmp(in->p + i, "\r\n\r\n", 4) == 0)
			return (ssize_t)i;
	return -1;
}

/* Whether `in` already holds a complete response (head + Content-Length body). */
static bool
complete(const struct buf *in)
{
	ssize_t end = find_crlfcrlf(in);
	const char *p;

	if (end < 0)
		return false;
	/* Only Content-Length framing can be complete before EOF here. */
	for (p = in->p; p < in->p + end; ) {
		const char *nl = memchr(p, '\n', (size_t)(in->p + end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(in->p + end - p);
		if (n > 15 && strncasecmp(p, "Content-Length:", 15) == 0) {
			unsigned long cl = strtoul(p + 15, NULL, 10);
			return in->len >= (size_t)end + 4 + cl;
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return false;
}

static int
recv_all(int fd, struct buf *in, int ms, struct http_response *r)
{
	char chunk[16384];

	for (;;) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = wait_io(&pfd, ms, r, P("reading (%zu bytes read)", in->len));

		if (n < 0)
			return -1;
		if (n == 0)
			continue;
		ssize_t got = recv(fd, chunk, sizeof(chunk), 0);
		if (got == 0)
			return 0;
		if (got < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			if (in->len > 0)
				return 0;   /* a reset after the answer: parse what came */
			snprintf(r->error, sizeof(r->error), "recv: %s", strerror(errno));
			return -1;
		}
		buf_add(in, chunk, (size_t)got);
		if (complete(in))
			return 0;
	}
}

static char *
dup_n(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d == NULL)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *
trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* Decodes a chunked body in place into out; returns -1 if malformed. */
static int
dechunk(const char *p, size_t len, struct buf *out)
{
	size_t i = 0;

	for (;;) {
		const char *nl = memchr(p + i, '\n', len - i);
		unsigned long n;
		char *end;

		if (nl == NULL)
			return -1;
		n = strtoul(p + i, &end, 16);
		if (end == p + i)
			return -1;
		i = (size_t)(nl - p) + 1;
		if (n == 0)
			return 0;
		if (len - i < n)
			return -1;
		buf_add(out, p + i, n);
		i += n;
		if (len - i >= 2 && p[i] == '\r' && p[i + 1] == '\n')
			i += 2;
	}
}

static int
parse_response(struct buf *in, struct http_response *r)
{
	ssize_t end = find_crlfcrlf(in);
	char *head, *line, *save = NULL;
	const char *te, *cl;
	size_t body_off, body_avail;

	if (end < 0) {
		snprintf(r->error, sizeof(r->error), "incomplete response head (%zu bytes)", in->len);
		return -1;
	}
	head = dup_n(in->p, (size_t)end);
	line = strtok_r(head, "\n", &save);
	if (line == NULL || strncmp(line, "HTTP/1.", 7) != 0 || strlen(line) < 12) {
		snprintf(r->error, sizeof(r->error), "bad status line");
		free(head);
		return -1;
	}
	r->status = atoi(line + 9);
	while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
		char *colon = strchr(line, ':');
		if (colon == NULL)
			continue;
		*colon = '\0';
		r->headers = realloc(r->headers, (r->nheaders + 1) * sizeof(*r->headers));
		if (r->headers == NULL)
			abort();
		r->headers[r->nheaders].name = strdup(trim(line));
		r->headers[r->nheaders].value = strdup(trim(colon + 1));
		r->nheaders++;
	}
	free(head);
	body_off = (size_t)end + 4;
	body_avail = in->len - body_off;
	te = http_header(r, "Transfer-Encoding");
	cl = http_header(r, "Content-Length");
	if (te != NULL && strcasecmp(te, "chunked") == 0) {
		struct buf b = {0};
		if (dechunk(in->p + body_off, body_avail, &b) != 0) {
			snprintf(r->error, sizeof(r->error), "malformed chunked body");
			free(b.p);
			r->status = 0;
			return -1;
		}
		r->body = b.p ? b.p : dup_n("", 0);
		r->body_len = b.len;
	} else {
		size_t n = body_avail;
		if (cl != NULL) {
			size_t want = strtoul(cl, NULL, 10);
			if (want > body_avail) {
				snprintf(r->error, sizeof(r->error), "body shorter than Content-Length");
				r->status = 0;
				return -1;
			}
			n = want;
		}
		r->body = dup_n(in->p + body_off, n);
		r->body_len = n;
	}
	if (r->body_len > 0) {
		struct json_tokener *tok = json_tokener_new();
		r->json = json_tokener_parse_ex(tok, r->body, (int)r->body_len);
		if (json_tokener_get_error(tok) != json_tokener_success && r->json != NULL) {
			json_object_put(r->json);
			r->json = NULL;
		}
		json_tokener_free(tok);
		itest_note_secret(r->json);
	}
	return 0;
}

/* ---- recording (PS_RECORD) ------------------------------------------------ */

/*
 * The file lies in the stack's state directory, which scripts/test searches
 * for issued secrets: none may reach it. Request headers are kept by name
 * only (never an Authorization value) and request bodies not at all; a
 * "secret" member of a JSON body and the token of a Set-Cookie are replaced by
 * placeholders of the same format, or by a marker that fails the format when
 * the value had a wrong one, so the validation still sees a bad secret; other
 * bodies (the dashboard's pages, which show new keys) are kept as a length.
 */
#define KEY_PLACEHOLDER "sk_REDACTED" "00000000000000000000000000000000000000"
#define COOKIE_TOKEN_LEN 43      /* 32 bytes in unpadded base64url */
#define COOKIE_PLACEHOLDER "REDACTED" "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
#define BAD_FORMAT "<redacted: not in the expected format>"
_Static_assert(sizeof(KEY_PLACEHOLDER) == 50, "a key placeholder is 49 characters");
_Static_assert(sizeof(COOKIE_PLACEHOLDER) == COOKIE_TOKEN_LEN + 1, "a cookie placeholder");

static bool
is_cookie_token(const char *s, size_t n)
{
	if (n != COOKIE_TOKEN_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* Every "secret" member below o, replaced in place. */
static void
redact_secrets(json_object *o)
{
	json_object *v;

	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			redact_secrets(json_object_array_get_idx(o, i));
		return;
	}
	if (!json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, name, member) {
		(void)name;
		redact_secrets(member);
	}
	if (json_object_object_get_ex(o, "secret", &v) && json_object_is_type(v, json_type_string))
		json_object_object_add(o, "secret", json_object_new_string(
			is_secret_format(json_object_get_string(v)) ? KEY_PLACEHOLDER : BAD_FORMAT));
}

/* A response header for the record: "name=TOKEN; attributes" of a Set-Cookie redacted. */
static json_object *
record_header(const struct http_header *h)
{
	json_object *pair = json_object_new_array_ext(2);
	const char *v = h->value, *eq = strchr(v, '='), *token, *rest;
	char *line;
	size_t n;

	json_object_array_add(pair, json_object_new_string(h->name));
	if (strcasecmp(h->name, "Set-Cookie") != 0 || eq == NULL) {
		json_object_array_add(pair, json_object_new_string(
			strcasecmp(h->name, "Set-Cookie") != 0 ? v : BAD_FORMAT));
		return pair;
	}
	n = strcspn(eq + 1, ";");
	rest = eq + 1 + n;
	token = n == 0 ? "" : is_cookie_token(eq + 1, n) ? COOKIE_PLACEHOLDER : BAD_FORMAT;
	if (asprintf(&line, "%.*s=%s%s", (int)(eq - v), v, token, rest) < 0)
		abort();
	json_object_array_add(pair, json_object_new_string(line));
	free(line);
	return pair;
}

/* The names of the request's header lines, the client's own included. */
static json_object *
record_request_headers(const struct http_request *rq, bool sent_length)
{
	json_object *names = json_object_new_array();

	json_object_array_add(names, json_object_new_string("Host"));
	json_object_array_add(names, json_object_new_string("Connection"));
	json_object_array_add(names, json_object_new_string("User-Agent"));
	for (const char *const *h = rq->headers; h != NULL && *h != NULL; h++) {
		const char *colon = strchr(*h, ':');

		json_object_array_add(names, colon != NULL ?
			json_object_new_string_len(*h, (int)(colon - *h)) :
			json_object_new_string("<a line without a colon>"));
	}
	if (sent_length)
		json_object_array_add(names, json_object_new_string("Content-Length"));
	return names;
}

/* Appends the exchange to $PS_RECORD, one line in one write (forked load children share it). */
static void
record_exchange(const struct http_request *rq, bool sent_length, const struct http_response *r)
{
	const char *file = getenv("PS_RECORD"), *ct, *line;
	json_object *o, *headers, *body = NULL;
	char *buf;
	size_t len;
	int fd;

	if (file == NULL || file[0] == '\0')
		return;
	o = json_object_new_object();
	json_object_object_add(o, "method", json_object_new_string(rq->method));
	json_object_object_add(o, "path", json_object_new_string(rq->path));
	json_object_object_add(o, "request_headers", record_request_headers(rq, sent_length));
	json_object_object_add(o, "request_body_bytes",
	                       json_object_new_uint64(rq->body != NULL ? rq->body_len : 0));
	json_object_object_add(o, "status", json_object_new_int(r->status));
	if (r->status == 0)
		json_object_object_add(o, "error", json_object_new_string(r->error));
	headers = json_object_new_array_ext((int)r->nheaders);
	for (size_t i = 0; i < r->nheaders; i++)
		json_object_array_add(headers, record_header(&r->headers[i]));
	json_object_object_add(o, "headers", headers);
	json_object_object_add(o, "body_bytes", json_object_new_uint64(r->body_len));
	ct = http_header(r, "Content-Type");
	if (ct != NULL && strncasecmp(ct, "application/json", 16) == 0) {
		if (r->json != NULL && json_object_deep_copy(r->json, &body, NULL) == 0)
			redact_secrets(body);
		json_object_object_add(o, "body_is_json", json_object_new_boolean(body != NULL));
		json_object_object_add(o, "body", body);
	}
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                      JSON_C_TO_STRING_NOSLASHESCAPE);
	len = strlen(line);
	buf = malloc(len + 1);
	if (buf == NULL)
		abort();
	memcpy(buf, line, len);
	buf[len] = '\n';
	fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, buf, len + 1) != (ssize_t)(len + 1))
		fprintf(stderr, "PS_RECORD %s: %s\n", file, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(buf);
	json_object_put(o);
}

struct http_response *
http_do(const struct http_request *rq)
{
	struct http_response *r = calloc(1, sizeof(*r));
	struct buf out = {0}, in = {0};
	bool has_body = rq->body != NULL;
	bool sent_length = has_body || strcmp(rq->method, "POST") == 0 ||
	                   strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "PATCH") == 0;
	int fd, ms = rq->timeout_ms > 0 ? rq->timeout_ms : IO_TIMEOUT_MS;

	if (r == NULL)
		abort();
	snprintf(r->what, sizeof(r->what), "%s %.140s", rq->method, rq->path);
	if (parse_base_url(r) != 0 || (fd = connect_to(r, rq->source)) < 0)
		goto done;
	buf_printf(&out, "%s %s HTTP/1.1\r\nHost: %s:%s\r\nConnection: close\r\n"
	           "User-Agent: parsesphere-itest\r\n", rq->method, rq->path, base_host, base_port);
	for (const char *const *h = rq->headers; h != NULL && *h != NULL; h++) {
		buf_add(&out, *h, strlen(*h));
		buf_add(&out, "\r\n", 2);
	}
	if (sent_length)
		buf_printf(&out, "Content-Length: %zu\r\n", has_body ? rq->body_len : 0);
	buf_add(&out, "\r\n", 2);
	if (has_body)
		buf_add(&out, rq->body, rq->body_len);
	if (send_all(fd, &out, ms, r) == 0 && recv_all(fd, &in, ms, r) == 0)
		parse_response(&in, r);
	close(fd);
done:
	free(out.p);
	free(in.p);
	if (r->body == NULL)
		r->body = dup_n("", 0);
	record_exchange(rq, sent_length, r);
	return r;
}

void
http_response_free(void *p)
{
	struct http_response *r = p;

	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nheaders; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	free(r->headers);
	free(r->body);
	if (r->json != NULL)
		json_object_put(r->json);
	free(r);
}

const char *
http_header(const struct http_response *r, const char *name)
{
	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			return r->headers[i].value;
	return NULL;
}

size_t
http_header_count(const struct http_response *r, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, name) == 0)
			n++;
	return n;
}

bool
http_set_cookie(const struct http_response *r, const char *name, struct set_cookie *c)
{
	size_t n = strlen(name);
	bool found = false;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < r->nheaders; i++) {
		const char *v = r->headers[i].value, *semi;

		if (strcasecmp(r->headers[i].name, "Set-Cookie") != 0 || strncmp(v, name, n) != 0 ||
		    v[n] != '=')
			continue;
		v += n + 1;
		semi = strchr(v, ';');
		snprintf(c->value, sizeof(c->value), "%.*s", (int)(semi ? semi - v : (long)strlen(v)), v);
		snprintf(c->attrs, sizeof(c->attrs), "%s", semi ? semi : "");
		found = true;   /* the last one wins, as in a browser */
	}
	return found;
}

bool
set_cookie_attr(const struct set_cookie *c, const char *attr, const char **value)
{
	char list[sizeof(c->attrs)], *save = NULL;

	snprintf(list, sizeof(list), "%s", c->attrs);
	for (char *a = strtok_r(list, ";", &save); a != NULL; a = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(a, '=');

		if (eq != NULL)
			*eq = '\0';
		if (strcasecmp(trim(a), attr) != 0)
			continue;
		if (value != NULL)
			*value = P("%s", eq ? trim(eq + 1) : "");
		return true;
	}
	return false;
}
