#include "http/request.h"

#include <string.h>
#include <strings.h>

#include "base/validate.h"

static enum request_method
parse_method(const char *m)
{
	static const struct { const char *name; enum request_method method; } tab[] = {
		{"GET", METHOD_GET}, {"POST", METHOD_POST}, {"PUT", METHOD_PUT},
		{"PATCH", METHOD_PATCH}, {"DELETE", METHOD_DELETE},
		{"HEAD", METHOD_HEAD}, {"OPTIONS", METHOD_OPTIONS},
	};

	for (size_t i = 0; m != NULL && i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(m, tab[i].name) == 0)
			return tab[i].method;
	return METHOD_OTHER;
}

/*
 * Percent-decodes src[0..len) into dst, writing at most cap bytes. `plus`
 * turns '+' into a space (query strings). Returns the whole decoded length
 * (more than cap when cut), or -1 on a bad escape or a decoded NUL.
 */
static long
decode(const char *src, size_t len, char *dst, size_t cap, bool plus)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)src[i];
		if (c == '%') {
			int hi, lo;
			if (len - i < 3 || (hi = validate_hex_digit((unsigned char)src[i + 1])) < 0 ||
			    (lo = validate_hex_digit((unsigned char)src[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus) {
			c = ' ';
		}
		if (c == '\0')
			return -1;
		if (o < cap)
			dst[o] = (char)c;
		o++;
	}
	return (long)o;
}

/* The first segment, decoded on its own: the rest of the path may be malformed. */
static void
parse_head(struct request *req, const char *path, size_t len)
{
	const char *end;
	long d;

	if (len == 0 || path[0] != '/')
		return;
	end = memchr(path + 1, '/', len - 1);
	d = decode(path + 1, end ? (size_t)(end - (path + 1)) : len - 1, req->head,
	           sizeof(req->head), false);
	req->head_ok = d >= 0;
	req->head_len = d >= 0 ? (size_t)d : 0;
}

static void
parse_path(struct request *req, const char *path, size_t len)
{
	size_t used = 0;

	parse_head(req, path, len);
	if (len == 0 || path[0] != '/' || len > sizeof(req->path_buf))
		return;
	/* One trailing slash is tolerated ("/" itself has no segments); "//" is not. */
	if (len >= 2 && path[len - 1] == '/' && path[len - 2] == '/')
		return;
	if (len > 1 && path[len - 1] == '/')
		len--;
	for (size_t i = 1; i < len; ) {
		const char *end = memchr(path + i, '/', len - i);
		size_t n = end ? (size_t)(end - (path + i)) : len - i;
		long d;

		if (n == 0 || req->nseg == REQUEST_SEGMENTS_MAX)
			return;
		d = decode(path + i, n, req->path_buf + used, n, false);
		if (d < 0)
			return;
		req->seg[req->nseg].s = req->path_buf + used;
		req->seg[req->nseg].len = (size_t)d;
		req->nseg++;
		used += (size_t)d;
		i += n + 1;
	}
	req->path_ok = true;
}

/*
 * Parses application/x-www-form-urlencoded text (a query string, a form body)
 * into param[], each decoded name and value NUL-terminated in buf (room for
 * len + 2 * REQUEST_PARAMS_MAX bytes). Returns true when all of it parsed;
 * else *bad names a parameter whose value could not be decoded, if any.
 */
static bool
parse_params(const char *q, size_t len, struct request_param *param, int *nparam,
             const char **bad, char *buf)
{
	size_t used = 0;

	for (size_t i = 0; i < len; ) {
		const char *amp = memchr(q + i, '&', len - i);
		size_t n = amp ? (size_t)(amp - (q + i)) : len - i;
		const char *eq = memchr(q + i, '=', n);
		size_t nlen = eq ? (size_t)(eq - (q + i)) : n;
		struct request_param *p;
		long dn, dv;

		if (n == 0) {              /* "a=1&&b=2": nothing between the '&'s */
			i++;
			continue;
		}
		if (*nparam == REQUEST_PARAMS_MAX)
			return false;
		p = &param[*nparam];
		/* Each decoded piece is NUL-terminated so that a name can be quoted in an error. */
		dn = decode(q + i, nlen, buf + used, nlen, true);
		if (dn < 0 || !validate_utf8(buf + used, (size_t)dn))
			return false;
		p->name.s = buf + used;
		p->name.len = (size_t)dn;
		buf[used + (size_t)dn] = '\0';
		used += (size_t)dn + 1;
		dv = eq ? decode(eq + 1, n - nlen - 1, buf + used, n - nlen - 1, true) : 0;
		if (dv < 0 || !validate_utf8(buf + used, (size_t)dv)) {
			*bad = p->name.s;   /* the name is fine: report it */
			return false;
		}
		p->value.s = buf + used;
		p->value.len = (size_t)dv;
		buf[used + (size_t)dv] = '\0';
		used += (size_t)dv + 1;
		(*nparam)++;
		i += n + 1;
	}
	return true;
}

static void
parse_query(struct request *req, const char *q)
{
	size_t len = strlen(q);

	req->query_ok = len <= REQUEST_QUERY_MAX &&
	                parse_params(q, len, req->param, &req->nparam, &req->query_bad,
	                             req->query_buf);
}

bool
request_form_parse(struct request_form *f, const char *body, size_t len)
{
	const char *bad = NULL;

	f->n = 0;
	return len <= REQUEST_BODY_MAX &&
	       parse_params(body, len, f->param, &f->n, &bad, f->buf);
}

/* A declared length over a limit is refused without reading further. */
static bool
declared_too_large(const char *cl, size_t max)
{
	size_t n = 0;

	for (; cl != NULL && *cl >= '0' && *cl <= '9'; cl++)
		if ((n = n * 10 + (size_t)(*cl - '0')) > max)
			return true;
	return false;
}

void
request_parse(struct request *req, request_getter get, void *ctx)
{
	const char *uri = get("REQUEST_URI", ctx);
	const char *qs = get("QUERY_STRING", ctx);
	const char *mark, *https;
	size_t plen;

	memset(req, 0, sizeof(*req));
	req->method = parse_method(get("REQUEST_METHOD", ctx));
	if (uri == NULL)
		uri = "";
	mark = strchr(uri, '?');
	plen = mark ? (size_t)(mark - uri) : strlen(uri);
	parse_path(req, uri, plen);
	/* The raw query from the URI, so that the web server's rewriting cannot differ. */
	parse_query(req, mark ? mark + 1 : (qs ? qs : ""));
	req->body_too_large = declared_too_large(get("CONTENT_LENGTH", ctx), REQUEST_BODY_MAX);
	req->bulk_body_too_large = declared_too_large(get("CONTENT_LENGTH", ctx),
	                                              REQUEST_BULK_BODY_MAX);
	req->authorization = get("HTTP_AUTHORIZATION", ctx);
	req->content_type = get("CONTENT_TYPE", ctx);
	req->organization = get("HTTP_PARSESPHERE_ORGANIZATION", ctx);
	req->cookie = get("HTTP_COOKIE", ctx);
	req->remote_addr = get("REMOTE_ADDR", ctx);
	req->user_agent = get("HTTP_USER_AGENT", ctx);
	req->github_key_id = get("HTTP_GITHUB_PUBLIC_KEY_IDENTIFIER", ctx);
	req->github_signature = get("HTTP_GITHUB_PUBLIC_KEY_SIGNATURE", ctx);
	https = get("HTTPS", ctx);
	req->https = https != NULL && strcasecmp(https, "on") == 0;
}

bool
request_under(const struct request *req, const char *top)
{
	size_t n = strlen(top);

	return req->head_ok && req->head_len >= n && memcmp(req->head, top, n) == 0 &&
	       (req->head_len == n || req->head[n] == '/');
}

static bool
str_eq(const struct request_str *a, const char *b)
{
	return a->len == strlen(b) && memcmp(a->s, b, a->len) == 0;
}

const char *
request_query_check(const struct request *req, const char *const *allowed)
{
	for (int i = 0; i < req->nparam; i++) {
		const struct request_param *p = &req->param[i];
		const char *known = NULL;

		for (const char *const *a = allowed; *a != NULL; a++)
			if (str_eq(&p->name, *a))
				known = *a;
		if (known == NULL)
			return p->name.s;
		for (int j = 0; j < i; j++)
			if (str_eq(&req->param[j].name, known))
				return known;
	}
	return NULL;
}

static const struct request_str *
find_param(const struct request_param *param, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (str_eq(&param[i].name, name))
			return &param[i].value;
	return NULL;
}

const struct request_str *
request_query(const struct request *req, const char *name)
{
	return find_param(req->param, req->nparam, name);
}

const struct request_str *
request_form_get(const struct request_form *f, const char *name)
{
	return find_param(f->param, f->n, name);
}

bool
request_cookie(const struct request *req, const char *name, struct request_str *out)
{
	size_t nlen = strlen(name);

	/* "a=1; b=2" (RFC 6265 section 5.4); the first cookie of that name wins. */
	for (const char *p = req->cookie; p != NULL && *p != '\0'; ) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		if (n > nlen && p[nlen] == '=' && memcmp(p, name, nlen) == 0) {
			out->s = p + nlen + 1;
			out->len = n - nlen - 1;
			while (out->len > 0 && out->s[out->len - 1] == ' ')
				out->len--;
			return true;
		}
		p = end ? end + 1 : p + n;
	}
	return false;
}
