/*
 * A reference reading of the request line for the fuzz drivers of
 * lib/request.c and lib/router.c, written from the contract (docs/api.md,
 * "Conventions"; request.h) rather than from request.c:
 *
 *  path:  the URI up to the first '?'; must start with '/', be at most
 *         REQUEST_PATH_MAX bytes, not end in "//"; one trailing '/' is
 *         dropped; then every '/'-separated segment is non-empty (so no "//"),
 *         at most REQUEST_SEGMENTS_MAX of them, percent-decoded without a
 *         decoded NUL ('+' stays '+').
 *  query: the raw query after the URI's first '?', else QUERY_STRING; at most
 *         REQUEST_QUERY_MAX bytes; '&'-separated, empty pieces skipped, at
 *         most REQUEST_PARAMS_MAX parameters; name '=' value (no '=': empty
 *         value); '+' is a space; percent-decoded, no decoded NUL, valid
 *         UTF-8. Parameters before the first bad one are kept.
 *
 * Then ref_compare checks a struct request against it field by field.
 */
#ifndef PS_FUZZ_REF_REQUEST_H
#define PS_FUZZ_REF_REQUEST_H

#include "fuzz_util.h"

struct ref_str {
	char *s;        /* malloc'd, NUL-terminated */
	size_t len;
};

struct ref_request {
	bool under_v1, path_ok;
	int nseg;
	struct ref_str seg[REQUEST_SEGMENTS_MAX];
	bool query_ok;
	int nparam;
	struct ref_str name[REQUEST_PARAMS_MAX], value[REQUEST_PARAMS_MAX];
	bool body_too_large, bulk_body_too_large;
};

static inline int
ref_hex(char c)
{
	static const char lo[] = "0123456789abcdef", up[] = "0123456789ABCDEF";
	const char *p;

	if (c == '\0')
		return -1;
	if ((p = strchr(lo, c)) != NULL)
		return (int)(p - lo);
	if ((p = strchr(up, c)) != NULL)
		return (int)(p - up);
	return -1;
}

/* Decodes src[0..len) into a fresh string; false on a bad escape or a NUL. */
static inline bool
ref_decode(const char *src, size_t len, bool plus, struct ref_str *out)
{
	char *d = malloc(len + 1);
	size_t o = 0;

	if (d == NULL)
		abort();
	for (size_t i = 0; i < len; i++) {
		char c = src[i];
		if (c == '%') {
			if (i + 2 >= len) {
				free(d);
				return false;
			}
			int hi = ref_hex(src[i + 1]), lo = ref_hex(src[i + 2]);
			if (hi < 0 || lo < 0) {
				free(d);
				return false;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
		} else if (plus && c == '+') {
			c = ' ';
		}
		if (c == '\0') {
			free(d);
			return false;
		}
		d[o++] = c;
	}
	d[o] = '\0';
	out->s = d;
	out->len = o;
	return true;
}

/*
 * Under /v1: the first segment, percent-decoded once, is "v1" or starts with
 * "v1/" (an escaped '/'), whatever the rest of the path is.
 */
static inline void
ref_head(struct ref_request *r, const char *p, size_t len)
{
	struct ref_str h;
	size_t b = 1;

	if (len == 0 || p[0] != '/')
		return;
	while (b < len && p[b] != '/')
		b++;
	if (!ref_decode(p + 1, b - 1, false, &h))
		return;
	r->under_v1 = (h.len == 2 && memcmp(h.s, "v1", 2) == 0) ||
	              (h.len > 2 && memcmp(h.s, "v1/", 3) == 0);
	free(h.s);
}

static inline void
ref_path(struct ref_request *r, const char *p, size_t len)
{
	ref_head(r, p, len);
	if (len == 0 || p[0] != '/' || len > REQUEST_PATH_MAX)
		return;
	if (len >= 2 && p[len - 2] == '/' && p[len - 1] == '/')
		return;
	if (len >= 2 && p[len - 1] == '/')
		len--;
	if (len == 1)   /* "/" */
		goto ok;
	for (size_t a = 1;;) {
		size_t b = a;
		while (b < len && p[b] != '/')
			b++;
		if (b == a || r->nseg == REQUEST_SEGMENTS_MAX)
			return;
		if (!ref_decode(p + a, b - a, false, &r->seg[r->nseg]))
			return;
		r->nseg++;
		if (b == len)
			break;
		a = b + 1;
	}
ok:
	r->path_ok = true;
}

static inline void
ref_query(struct ref_request *r, const char *q)
{
	size_t len = strlen(q);

	if (len > REQUEST_QUERY_MAX)
		return;
	for (size_t a = 0; a <= len;) {
		size_t b = a, eq;
		while (b < len && q[b] != '&')
			b++;
		if (b == a) {
			a = b + 1;
			continue;
		}
		if (r->nparam == REQUEST_PARAMS_MAX)
			return;
		for (eq = a; eq < b && q[eq] != '='; eq++)
			;
		if (!ref_decode(q + a, eq - a, true, &r->name[r->nparam]))
			return;
		if (!ref_utf8_valid(r->name[r->nparam].s, r->name[r->nparam].len) ||
		    !ref_decode(q + eq + (eq < b), b - eq - (eq < b), true, &r->value[r->nparam])) {
			free(r->name[r->nparam].s);
			r->name[r->nparam].s = NULL;
			return;
		}
		if (!ref_utf8_valid(r->value[r->nparam].s, r->value[r->nparam].len)) {
			free(r->name[r->nparam].s);
			free(r->value[r->nparam].s);
			r->name[r->nparam].s = r->value[r->nparam].s = NULL;
			return;
		}
		r->nparam++;
		a = b + 1;
	}
	r->query_ok = true;
}

/* uri and qs may be NULL (absent). */
static inline void
ref_parse(struct ref_request *r, const char *uri, const char *qs, const char *content_length)
{
	const char *mark;
	size_t n = 0;

	memset(r, 0, sizeof(*r));
	if (uri == NULL)
		uri = "";
	mark = strchr(uri, '?');
	ref_path(r, uri, mark ? (size_t)(mark - uri) : strlen(uri));
	ref_query(r, mark ? mark + 1 : qs ? qs : "");
	/* Content-Length: its leading decimal digits, saturating. */
	for (const char *c = content_length; c != NULL && *c >= '0' && *c <= '9'; c++) {
		n = n * 10 + (size_t)(*c - '0');
		r->body_too_large |= n > REQUEST_BODY_MAX;
		if (n > REQUEST_BULK_BODY_MAX) {
			r->bulk_body_too_large = true;
			break;
		}
	}
}

static inline void
ref_free(struct ref_request *r)
{
	for (int i = 0; i < REQUEST_SEGMENTS_MAX; i++)
		free(r->seg[i].s);
	for (int i = 0; i < REQUEST_PARAMS_MAX; i++) {
		free(r->name[i].s);
		free(r->value[i].s);
	}
}

static inline bool
ref_str_is(const struct request_str *a, const struct ref_str *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

static inline bool
in_buf(const char *p, size_t len, const char *buf, size_t cap)
{
	return p >= buf && p <= buf + cap && len <= (size_t)(buf + cap - p);
}

/* Checks req (from request_parse) against the reference. */
static inline void
ref_compare(const struct request *req, const struct ref_request *r)
{
	FUZZ_CHECK(request_under(req, "v1") == r->under_v1);
	FUZZ_CHECK(req->path_ok == r->path_ok);
	if (req->path_ok) {
		FUZZ_CHECK(req->nseg == r->nseg);
		for (int i = 0; i < req->nseg; i++) {
			FUZZ_CHECK(in_buf(req->seg[i].s, req->seg[i].len, req->path_buf,
			                  sizeof(req->path_buf)));
			FUZZ_CHECK(ref_str_is(&req->seg[i], &r->seg[i]));
		}
	}
	FUZZ_CHECK(req->query_ok == r->query_ok);
	FUZZ_CHECK(req->nparam == r->nparam);
	FUZZ_CHECK(req->nparam >= 0 && req->nparam <= REQUEST_PARAMS_MAX);
	for (int i = 0; i < req->nparam; i++) {
		const struct request_param *p = &req->param[i];
		/* Names and values are NUL-terminated inside query_buf. */
		FUZZ_CHECK(in_buf(p->name.s, p->name.len + 1, req->query_buf, sizeof(req->query_buf)));
		FUZZ_CHECK(in_buf(p->value.s, p->value.len + 1, req->query_buf, sizeof(req->query_buf)));
		FUZZ_CHECK(p->name.s[p->name.len] == '\0' && p->value.s[p->value.len] == '\0');
		FUZZ_CHECK(strlen(p->name.s) == p->name.len && strlen(p->value.s) == p->value.len);
		FUZZ_CHECK(ref_str_is(&p->name, &r->name[i]) && ref_str_is(&p->value, &r->value[i]));
	}
	FUZZ_CHECK(req->body_too_large == r->body_too_large);
	FUZZ_CHECK(req->bulk_body_too_large == r->bulk_body_too_large);
	FUZZ_CHECK(req->body == NULL && req->body_len == 0);
}

/*
 * request_query_check and request_query against the reference parameters:
 * the first unknown name, or the first name seen twice, and the first value.
 */
static inline void
ref_check_query(const struct request *req, const struct ref_request *r,
                const char *const *allowed)
{
	const char *got = request_query_check(req, allowed), *want = NULL;

	for (int i = 0; i < r->nparam && want == NULL; i++) {
		bool known = false, seen = false;
		for (const char *const *a = allowed; *a != NULL; a++)
			known |= strlen(*a) == r->name[i].len && memcmp(*a, r->name[i].s, r->name[i].len) == 0;
		for (int j = 0; j < i; j++)
			seen |= r->name[j].len == r->name[i].len &&
			        memcmp(r->name[j].s, r->name[i].s, r->name[i].len) == 0;
		if (!known || seen)
			want = r->name[i].s;
	}
	FUZZ_CHECK((got == NULL) == (want == NULL));
	if (got != NULL) {
		FUZZ_CHECK(strcmp(got, want) == 0);
		/* A name that stays valid as long as req: its own or an allowed one. */
		bool owned = in_buf(got, strlen(got) + 1, req->query_buf, sizeof(req->query_buf));
		for (const char *const *a = allowed; *a != NULL; a++)
			owned |= got == *a;
		FUZZ_CHECK(owned);
	}
	for (const char *const *a = allowed; *a != NULL; a++) {
		const struct request_str *v = request_query(req, *a);
		const struct ref_str *w = NULL;
		for (int i = r->nparam - 1; i >= 0; i--)
			if (strlen(*a) == r->name[i].len && memcmp(*a, r->name[i].s, r->name[i].len) == 0)
				w = &r->value[i];
		FUZZ_CHECK((v == NULL) == (w == NULL));
		if (v != NULL)
			FUZZ_CHECK(ref_str_is(v, w));
	}
}

#endif
