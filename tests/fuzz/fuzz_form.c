/*
 * libFuzzer driver for the dashboard's readers of untrusted bytes:
 * request_form_parse (a POST body), request_cookie and tokens_parse
 * (the Cookie header and the session cookie's value), and html_text (any
 * text a page shows).
 *
 * The whole input, NULs included, is the form body, the text for html_text
 * and a cookie value for tokens_parse. Split on NUL (fuzz_util.h),
 * field 0 is the Cookie header (0x01: absent) and field 1 a cookie name to
 * look up besides ps_session and ps_login. Oracles, from the contracts:
 *  - a form is decoded like a query (request.h): without a raw NUL and within
 *    REQUEST_QUERY_MAX, request_form_parse agrees field by field with
 *    request_parse of the same text as QUERY_STRING, itself checked against
 *    ref_request.h; a raw NUL fails the form; the body joined to itself by
 *    '&' parses exactly when the body does and twice its fields fit in
 *    REQUEST_PARAMS_MAX; request_form_get finds each name's first field;
 *  - html_text's output holds no < > " ' and no '&' that does not begin one
 *    of &amp; &lt; &gt; &quot; &#39;; decoding those gives the input back;
 *    html_text in two pieces and html("%s") up to the first NUL agree;
 *  - request_cookie agrees with a reference split of "a=1; b=2" (RFC 6265
 *    section 5.4) and returns a slice of the header;
 *  - tokens_parse agrees with a reference base64url decoder (exactly
 *    43 of A-Z a-z 0-9 - _, the last one's two pad bits zero), and
 *    tokens_text gives the same text back.
 */
#include "../../lib/http/request.c"
#include "../../lib/base/validate.c"
#include "../../lib/http/html.c"
#include "../../lib/base/tokens.c"
#include "ref_request.h"

struct params {
	const char *qs, *cookie;
};

static const char *
get(const char *name, void *ctx)
{
	const struct params *p = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "POST";
	if (strcmp(name, "REQUEST_URI") == 0)
		return "/dashboard/login";
	if (strcmp(name, "QUERY_STRING") == 0)
		return p->qs;
	if (strcmp(name, "HTTP_COOKIE") == 0)
		return p->cookie;
	return NULL;
}

/* ---- forms ------------------------------------------------------------------------- */

static bool
str_same(const struct request_str *a, const struct request_str *b)
{
	return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
}

/* What holds for any parsed form: NUL-free UTF-8 copies in buf, first match wins. */
static void
check_form_fields(const struct request_form *f)
{
	FUZZ_CHECK(f->n >= 0 && f->n <= REQUEST_PARAMS_MAX);
	for (int i = 0; i < f->n; i++) {
		const struct request_param *p = &f->param[i];
		int first = i;

		FUZZ_CHECK(in_buf(p->name.s, p->name.len + 1, f->buf, sizeof(f->buf)));
		FUZZ_CHECK(in_buf(p->value.s, p->value.len + 1, f->buf, sizeof(f->buf)));
		FUZZ_CHECK(strlen(p->name.s) == p->name.len && strlen(p->value.s) == p->value.len);
		FUZZ_CHECK(ref_utf8_valid(p->name.s, p->name.len) &&
		           ref_utf8_valid(p->value.s, p->value.len));
		for (int j = 0; j < i; j++)
			if (str_same(&f->param[j].name, &p->name)) {
				first = j;
				break;
			}
		FUZZ_CHECK(request_form_get(f, p->name.s) == &f->param[first].value);
	}
}

static void
check_form(const uint8_t *data, size_t size)
{
	/* 64 KiB each: not on the stack. */
	static struct request_form f, twice;
	static struct request req;
	const char *body = (const char *)data;
	bool ok = request_form_parse(&f, body, size);

	if (ok)
		check_form_fields(&f);
	if (size > REQUEST_BODY_MAX)
		FUZZ_CHECK(!ok);
	if (memchr(data, '\0', size) != NULL) {
		FUZZ_CHECK(!ok);
	} else if (size <= REQUEST_QUERY_MAX) {
		char *q = fuzz_strdup(data, size);
		struct params p = {q, NULL};
		struct ref_request ref;

		request_parse(&req, get, &p);
		ref_parse(&ref, "/dashboard/login", q, NULL);
		ref_compare(&req, &ref);
		FUZZ_CHECK(ok == req.query_ok);
		if (ok) {
			FUZZ_CHECK(f.n == req.nparam);
			for (int i = 0; i < f.n; i++)
				FUZZ_CHECK(str_same(&f.param[i].name, &req.param[i].name) &&
				           str_same(&f.param[i].value, &req.param[i].value));
		}
		ref_free(&ref);
		free(q);
	}

	/* body '&' body: the same fields twice, or the same failure. */
	if (2 * size + 1 <= REQUEST_BODY_MAX) {
		char *b2 = malloc(2 * size + 1);
		bool ok2;

		if (b2 == NULL)
			abort();
		if (size > 0)
			memcpy(b2, data, size);
		b2[size] = '&';
		if (size > 0)
			memcpy(b2 + size + 1, data, size);
		ok2 = request_form_parse(&twice, b2, 2 * size + 1);
		FUZZ_CHECK(ok2 == (ok && 2 * f.n <= REQUEST_PARAMS_MAX));
		if (ok2) {
			check_form_fields(&twice);
			FUZZ_CHECK(twice.n == 2 * f.n);
			for (int i = 0; i < twice.n; i++)
				FUZZ_CHECK(str_same(&twice.param[i].name, &f.param[i % f.n].name) &&
				           str_same(&twice.param[i].value, &f.param[i % f.n].value));
		}
		free(b2);
	}
}

/* ---- html_text --------------------------------------------------------------------- */

static const char special[] = "&<>\"'";
static const char *const entity[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};

/* Takes h's document, which must exist and end in a NUL; *len its length. */
static char *
take(struct html *h, size_t *len)
{
	char *doc = html_take(h, len);

	FUZZ_CHECK(doc != NULL && doc[*len] == '\0');
	return doc;
}

static void
check_html(const uint8_t *data, size_t size)
{
	struct html h;
	size_t len, len2, o = 0, cut = size > 0 ? data[0] % (size + 1) : 0;
	char *doc, *doc2, *str = fuzz_strdup(data, size);

	html_init(&h);
	html_text(&h, (const char *)data, size);
	doc = take(&h, &len);
	/* Decode the five entities; every other byte stands for itself. */
	for (size_t i = 0; i < len; o++) {
		char c = doc[i];
		size_t k = 0, n = 1;

		FUZZ_CHECK(c != '<' && c != '>' && c != '"' && c != '\'');
		if (c == '&') {
			while (k < 5 && !(len - i >= strlen(entity[k]) &&
			                  memcmp(doc + i, entity[k], strlen(entity[k])) == 0))
				k++;
			FUZZ_CHECK(k < 5);
			c = special[k];
			n = strlen(entity[k]);
		}
		FUZZ_CHECK(o < size && data[o] == (uint8_t)c);
		i += n;
	}
	FUZZ_CHECK(o == size);

	/* In two pieces (the first document's buffer boundaries fall elsewhere). */
	html_text(&h, (const char *)data, cut);
	html_text(&h, (const char *)data + cut, size - cut);
	doc2 = take(&h, &len2);
	FUZZ_CHECK(len2 == len && memcmp(doc, doc2, len) == 0);
	free(doc2);

	/* As a %s argument it is escaped the same way, up to its first NUL. */
	html(&h, "<p title=\"%s\">%s</p>", str, str);
	doc2 = take(&h, &len2);
	html_text(&h, str, strlen(str));
	free(doc);
	doc = take(&h, &len);
	FUZZ_CHECK(len2 == 2 * len + 16 && memcmp(doc2, "<p title=\"", 10) == 0 &&
	           memcmp(doc2 + 10, doc, len) == 0 && memcmp(doc2 + 10 + len, "\">", 2) == 0 &&
	           memcmp(doc2 + 12 + len, doc, len) == 0 &&
	           memcmp(doc2 + 12 + 2 * len, "</p>", 4) == 0);
	free(doc2);
	free(doc);
	free(str);
}

/* ---- cookies and session tokens ------------------------------------------------------ */

/* Reference base64url (RFC 4648 section 5, no padding) of exactly 32 bytes. */
static bool
ref_token(const char *s, size_t len, uint8_t out[TOKENS_LEN])
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                               "0123456789-_";
	uint32_t acc = 0;
	int bits = 0;
	size_t o = 0;

	if (len != TOKENS_TEXT_LEN)
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *p = memchr(alphabet, s[i], 64);

		if (p == NULL)
			return false;
		acc = acc << 6 | (uint32_t)(p - alphabet);
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* 43 x 6 = 258 bits: the 2 left over are padding and must be zero. */
	return o == TOKENS_LEN && acc == 0;
}

static void
check_token(const char *s, size_t len)
{
	uint8_t tok[TOKENS_LEN], want[TOKENS_LEN];
	char text[TOKENS_TEXT_LEN + 1];
	bool ok = tokens_parse(s, len, tok);

	FUZZ_CHECK(ok == ref_token(s, len, want));
	if (!ok)
		return;
	FUZZ_CHECK(memcmp(tok, want, sizeof(tok)) == 0);
	tokens_text(tok, text);
	FUZZ_CHECK(text[TOKENS_TEXT_LEN] == '\0' && memcmp(text, s, TOKENS_TEXT_LEN) == 0);
}

/* Reference: ';'-separated pieces, leading spaces dropped, name '=' value, the
 * value's trailing spaces dropped; the first piece with that name. */
static bool
ref_cookie(const char *h, const char *name, size_t *off, size_t *vlen)
{
	size_t len = strlen(h), nlen = strlen(name);

	for (size_t a = 0; a <= len;) {
		size_t b = a, s, eq, e;

		while (b < len && h[b] != ';')
			b++;
		for (s = a; s < b && h[s] == ' '; s++)
			;
		for (eq = s; eq < b && h[eq] != '='; eq++)
			;
		if (eq < b && eq - s == nlen && memcmp(h + s, name, nlen) == 0) {
			for (e = b; e > eq + 1 && h[e - 1] == ' '; e--)
				;
			*off = eq + 1;
			*vlen = e - (eq + 1);
			return true;
		}
		a = b + 1;
	}
	return false;
}

static void
check_cookie(const struct request *req, const char *name)
{
	struct request_str v = {NULL, 0};
	size_t off = 0, vlen = 0;
	bool got = request_cookie(req, name, &v);

	/* A name holding '=' is not a cookie name (RFC 6265): no caller asks for one. */
	if (strchr(name, '=') != NULL)
		return;
	FUZZ_CHECK(got == (req->cookie != NULL && ref_cookie(req->cookie, name, &off, &vlen)));
	if (!got)
		return;
	FUZZ_CHECK(v.s == req->cookie + off && v.len == vlen);
	FUZZ_CHECK(memchr(v.s, ';', v.len) == NULL && v.s[-1] == '=');
	check_token(v.s, v.len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request req;
	struct fuzz_fields ff;
	struct params p = {NULL, NULL};

	check_form(data, size);
	check_html(data, size);
	check_token((const char *)data, size);

	fuzz_fields_split(&ff, data, size);
	p.cookie = ff.f[0];
	request_parse(&req, get, &p);
	FUZZ_CHECK(req.cookie == p.cookie);   /* borrowed, not copied */
	check_cookie(&req, "ps_session");
	check_cookie(&req, "ps_login");
	if (ff.n > 1 && ff.f[1] != NULL)
		check_cookie(&req, ff.f[1]);
	fuzz_fields_free(&ff);
	return 0;
}
