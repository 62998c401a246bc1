/*
 * Unit tests of lib/request.c: path, query, headers and method from CGI
 * parameters; form bodies, the Cookie header and the dashboard's parameters.
 */
#include "../../../lib/http/request.c"
#include "../../../lib/base/validate.c"
#include "../harness.h"

#include "../fake_params.h"

static void
parse(struct request *req, const char *method, const char *uri, const char *qs)
{
	struct kv tab[] = {
		{"REQUEST_METHOD", method}, {"REQUEST_URI", uri}, {"QUERY_STRING", qs},
		{NULL, NULL},
	};
	/* Absent parameters are absent, not NULL-valued entries. */
	struct kv live[4];
	int n = 0;
	for (int i = 0; tab[i].name != NULL; i++)
		if (tab[i].value != NULL)
			live[n++] = tab[i];
	live[n] = (struct kv){NULL, NULL};
	request_parse(req, getter, live);
}

static int
seg_is(const struct request *req, int i, const char *want)
{
	return req->seg[i].len == strlen(want) && memcmp(req->seg[i].s, want, req->seg[i].len) == 0;
}

static void
test_path(void)
{
	static const struct {
		int line; const char *uri; bool ok, v1; int nseg; const char *seg[REQUEST_SEGMENTS_MAX];
	} cases[] = {
		{__LINE__, "/", true, false, 0, {NULL}},
		{__LINE__, "/healthz", true, false, 1, {"healthz"}},
		{__LINE__, "/healthz/", true, false, 1, {"healthz"}},
		{__LINE__, "/v1", true, true, 1, {"v1"}},
		{__LINE__, "/v1/", true, true, 1, {"v1"}},
		{__LINE__, "/v1/x", true, true, 2, {"v1", "x"}},
		{__LINE__, "/v1/api-keys", true, true, 2, {"v1", "api-keys"}},
		{__LINE__, "/v1/api-keys/", true, true, 2, {"v1", "api-keys"}},
		{__LINE__, "/v1/api-keys/0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a/usage", true, true, 4,
		 {"v1", "api-keys", "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a", "usage"}},
		{__LINE__, "/v1/api-keys/abc/usage/", true, true, 4, {"v1", "api-keys", "abc", "usage"}},
		{__LINE__, "/v10", true, false, 1, {"v10"}},
		{__LINE__, "/v10/x", true, false, 2, {"v10", "x"}},
		{__LINE__, "/v", true, false, 1, {"v"}},
		{__LINE__, "/v1?x=1", true, true, 1, {"v1"}},
		{__LINE__, "/v1/?x=1", true, true, 1, {"v1"}},
		{__LINE__, "/v1/me?", true, true, 2, {"v1", "me"}},
		/* Percent-decoding of segments; '+' is not a space in a path. */
		{__LINE__, "/v1/api%2Dkeys", true, true, 2, {"v1", "api-keys"}},
		{__LINE__, "/%41%62%4a%4A", true, false, 1, {"AbJJ"}},
		{__LINE__, "/a%20b", true, false, 1, {"a b"}},
		{__LINE__, "/a+b", true, false, 1, {"a+b"}},
		{__LINE__, "/a%2Bb", true, false, 1, {"a+b"}},
		{__LINE__, "/a%2Fb", true, false, 1, {"a/b"}},        /* an escaped '/' stays in the segment */
		{__LINE__, "/a%2fb/c", true, false, 2, {"a/b", "c"}},
		{__LINE__, "/caf%C3%A9", true, false, 1, {"caf\xc3\xa9"}},
		{__LINE__, "/%25", true, false, 1, {"%"}},
		{__LINE__, "/%3F", true, false, 1, {"?"}},
		/* `//` anywhere, including before the one tolerated trailing slash. */
		{__LINE__, "//", false, false, 0, {NULL}},
		{__LINE__, "//v1", false, false, 0, {NULL}},
		{__LINE__, "/v1//", false, true, 0, {NULL}},
		{__LINE__, "/v1//api-keys", false, true, 0, {NULL}},
		{__LINE__, "/v1/api-keys//", false, true, 0, {NULL}},
		{__LINE__, "/v1/api-keys///", false, true, 0, {NULL}},
		{__LINE__, "/v1/api-keys//x", false, true, 0, {NULL}},
		{__LINE__, "/v1/api-keys/x//", false, true, 0, {NULL}},
		{__LINE__, "/healthz//", false, false, 0, {NULL}},
		/* Bad escapes and decoded NULs. */
		{__LINE__, "/a%00b", false, false, 0, {NULL}},
		{__LINE__, "/v1/%00", false, true, 0, {NULL}},
		{__LINE__, "/a%", false, false, 0, {NULL}},
		{__LINE__, "/a%4", false, false, 0, {NULL}},
		{__LINE__, "/a%4/b", false, false, 0, {NULL}},
		{__LINE__, "/a%zz", false, false, 0, {NULL}},
		{__LINE__, "/a%4g", false, false, 0, {NULL}},
		{__LINE__, "/a%g4", false, false, 0, {NULL}},
		{__LINE__, "/a%%41", false, false, 0, {NULL}},
		/* Not a path. */
		{__LINE__, "", false, false, 0, {NULL}},
		{__LINE__, "v1", false, false, 0, {NULL}},
		{__LINE__, "?a=1", false, false, 0, {NULL}},
		{__LINE__, "http://example.com/v1", false, false, 0, {NULL}},
		/* At most REQUEST_SEGMENTS_MAX (8) segments. */
		{__LINE__, "/1/2/3/4/5/6/7/8", true, false, 8, {"1", "2", "3", "4", "5", "6", "7", "8"}},
		{__LINE__, "/1/2/3/4/5/6/7/8/", true, false, 8, {"1", "2", "3", "4", "5", "6", "7", "8"}},
		{__LINE__, "/1/2/3/4/5/6/7/8/9", false, false, 0, {NULL}},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(&req, "GET", cases[i].uri, NULL);
		CHECK_AT(req.path_ok == cases[i].ok, cases[i].line, "path_ok(%s) = %d",
		         cases[i].uri, req.path_ok);
		CHECK_AT(request_under(&req, "v1") == cases[i].v1, cases[i].line,
		         "under v1 (%s) = %d", cases[i].uri, request_under(&req, "v1"));
		if (!req.path_ok || !cases[i].ok)
			continue;
		CHECK_AT(req.nseg == cases[i].nseg, cases[i].line, "nseg(%s) = %d, want %d",
		         cases[i].uri, req.nseg, cases[i].nseg);
		for (int k = 0; k < req.nseg && k < cases[i].nseg; k++)
			CHECK_AT(seg_is(&req, k, cases[i].seg[k]), cases[i].line,
			         "seg %d of %s = %.*s, want %s", k, cases[i].uri,
			         (int)req.seg[k].len, req.seg[k].s, cases[i].seg[k]);
	}

	/* No REQUEST_URI at all. */
	parse(&req, "GET", NULL, NULL);
	CHECK(!req.path_ok && !request_under(&req, "v1") && req.nseg == 0,
	      "missing REQUEST_URI accepted");

	/* The length limit: REQUEST_PATH_MAX bytes are fine, one more is not. */
	char uri[REQUEST_PATH_MAX + 16];
	uri[0] = '/';
	memset(uri + 1, 'a', REQUEST_PATH_MAX - 1);
	uri[REQUEST_PATH_MAX] = '\0';
	parse(&req, "GET", uri, NULL);
	CHECK(req.path_ok && req.nseg == 1 && req.seg[0].len == REQUEST_PATH_MAX - 1,
	      "path of %d bytes: ok %d, nseg %d", REQUEST_PATH_MAX, req.path_ok, req.nseg);
	uri[REQUEST_PATH_MAX] = 'a';
	uri[REQUEST_PATH_MAX + 1] = '\0';
	parse(&req, "GET", uri, NULL);
	CHECK(!req.path_ok, "path of %d bytes accepted", REQUEST_PATH_MAX + 1);
	/* The query does not count toward the path's length. */
	uri[REQUEST_PATH_MAX] = '?';
	uri[REQUEST_PATH_MAX + 1] = 'q';
	uri[REQUEST_PATH_MAX + 2] = '\0';
	parse(&req, "GET", uri, NULL);
	CHECK(req.path_ok && req.query_ok && req.nparam == 1, "path + query: ok %d, nparam %d",
	      req.path_ok, req.nparam);
}

/* Expected parameters as "name=value" pairs; values may be empty. */
static void
test_query(void)
{
	static const struct {
		int line; const char *q; bool ok; int n; const char *name[4], *value[4];
	} cases[] = {
		{__LINE__, "", true, 0, {NULL}, {NULL}},
		{__LINE__, "limit=10", true, 1, {"limit"}, {"10"}},
		{__LINE__, "a=1&b=2", true, 2, {"a", "b"}, {"1", "2"}},
		{__LINE__, "a=1&a=2", true, 2, {"a", "a"}, {"1", "2"}},   /* repeats kept, in order */
		{__LINE__, "a=1&&b=2", true, 2, {"a", "b"}, {"1", "2"}},  /* empty pairs skipped */
		{__LINE__, "&a=1&", true, 1, {"a"}, {"1"}},
		{__LINE__, "&&&", true, 0, {NULL}, {NULL}},
		{__LINE__, "a", true, 1, {"a"}, {""}},                     /* no '=' */
		{__LINE__, "a&b=2", true, 2, {"a", "b"}, {"", "2"}},
		{__LINE__, "a=", true, 1, {"a"}, {""}},
		{__LINE__, "=1", true, 1, {""}, {"1"}},
		{__LINE__, "=", true, 1, {""}, {""}},
		{__LINE__, "a=b=c", true, 1, {"a"}, {"b=c"}},
		{__LINE__, "a+b=c+d", true, 1, {"a b"}, {"c d"}},          /* '+' is a space */
		{__LINE__, "a%2Bb=%2b", true, 1, {"a+b"}, {"+"}},
		{__LINE__, "a%3Db=c%26d", true, 1, {"a=b"}, {"c&d"}},
		{__LINE__, "lim%69t=%31%30", true, 1, {"limit"}, {"10"}},
		{__LINE__, "n=caf%C3%A9", true, 1, {"n"}, {"caf\xc3\xa9"}},
		{__LINE__, "n=caf\xc3\xa9", true, 1, {"n"}, {"caf\xc3\xa9"}},
		{__LINE__, "%C3%A9=1", true, 1, {"\xc3\xa9"}, {"1"}},
		{__LINE__, "starting_after=0193A1F2-7C4E-7B1A-9A55-3F2D1C0B9E8A", true, 1,
		 {"starting_after"}, {"0193A1F2-7C4E-7B1A-9A55-3F2D1C0B9E8A"}},
		/* Decoded NULs and bad escapes. */
		{__LINE__, "a=%00", false, 0, {NULL}, {NULL}},
		{__LINE__, "a%00=1", false, 0, {NULL}, {NULL}},
		{__LINE__, "%00", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=1&b=%00", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%4", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%4&b=1", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%zz", false, 0, {NULL}, {NULL}},
		{__LINE__, "%=1", false, 0, {NULL}, {NULL}},
		/* Invalid UTF-8, escaped or raw, in a name or a value. */
		{__LINE__, "a=%FF", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%C3", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%C0%80", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%ED%A0%80", false, 0, {NULL}, {NULL}},
		{__LINE__, "%C3=1", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=\xff", false, 0, {NULL}, {NULL}},
		{__LINE__, "\xc3=1", false, 0, {NULL}, {NULL}},
		{__LINE__, "a=%C3&b=%A9", false, 0, {NULL}, {NULL}},       /* not joined across pairs */
	};
	struct request req;
	char uri[2048];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(uri, sizeof(uri), "/v1/api-keys?%s", cases[i].q);
		parse(&req, "GET", uri, NULL);
		CHECK_AT(req.path_ok, cases[i].line, "path of %s rejected", uri);
		CHECK_AT(req.query_ok == cases[i].ok, cases[i].line, "query_ok(%s) = %d",
		         cases[i].q, req.query_ok);
		if (!req.query_ok || !cases[i].ok)
			continue;
		CHECK_AT(req.nparam == cases[i].n, cases[i].line, "nparam(%s) = %d, want %d",
		         cases[i].q, req.nparam, cases[i].n);
		for (int k = 0; k < req.nparam && k < cases[i].n; k++) {
			const struct request_param *p = &req.param[k];
			CHECK_AT(p->name.len == strlen(cases[i].name[k]) &&
			         memcmp(p->name.s, cases[i].name[k], p->name.len) == 0,
			         cases[i].line, "name %d = \"%.*s\", want \"%s\"", k,
			         (int)p->name.len, p->name.s, cases[i].name[k]);
			CHECK_AT(p->value.len == strlen(cases[i].value[k]) &&
			         memcmp(p->value.s, cases[i].value[k], p->value.len) == 0,
			         cases[i].line, "value %d = \"%.*s\", want \"%s\"", k,
			         (int)p->value.len, p->value.s, cases[i].value[k]);
			/* NUL-terminated, so that a name can be quoted as a C string. */
			CHECK_AT(p->name.s[p->name.len] == '\0' && p->value.s[p->value.len] == '\0',
			         cases[i].line, "param %d is not NUL-terminated", k);
			CHECK_AT(strcmp(p->name.s, cases[i].name[k]) == 0, cases[i].line,
			         "name %d as C string \"%s\"", k, p->name.s);
		}
	}
}

static void
test_query_limits(void)
{
	struct request req;
	char uri[REQUEST_QUERY_MAX + 64];
	int o;

	/* REQUEST_PARAMS_MAX (16) parameters are fine, 17 are not. */
	for (int n = REQUEST_PARAMS_MAX - 1; n <= REQUEST_PARAMS_MAX + 1; n++) {
		o = snprintf(uri, sizeof(uri), "/v1/api-keys?");
		for (int k = 0; k < n; k++)
			o += snprintf(uri + o, sizeof(uri) - (size_t)o, "%sp%d=%d", k ? "&" : "", k, k);
		parse(&req, "GET", uri, NULL);
		bool want = n <= REQUEST_PARAMS_MAX;
		CHECK(req.query_ok == want, "%d parameters: query_ok %d", n, req.query_ok);
		if (want)
			CHECK(req.nparam == n && strcmp(req.param[n - 1].value.s, "") != 0,
			      "%d parameters: nparam %d", n, req.nparam);
	}
	/* Empty pairs do not count toward the limit. */
	o = snprintf(uri, sizeof(uri), "/v1/api-keys?");
	for (int k = 0; k < REQUEST_PARAMS_MAX; k++)
		o += snprintf(uri + o, sizeof(uri) - (size_t)o, "&&p%d", k);
	parse(&req, "GET", uri, NULL);
	CHECK(req.query_ok && req.nparam == REQUEST_PARAMS_MAX, "16 params among empty pairs: "
	      "ok %d, nparam %d", req.query_ok, req.nparam);

	/* 16 one-letter names without values: the buffer holds the NULs too. */
	o = snprintf(uri, sizeof(uri), "/v1/me?");
	for (int k = 0; k < REQUEST_PARAMS_MAX; k++)
		o += snprintf(uri + o, sizeof(uri) - (size_t)o, "%s%c", k ? "&" : "", 'a' + k);
	parse(&req, "GET", uri, NULL);
	CHECK(req.query_ok && req.nparam == 16 && strcmp(req.param[15].name.s, "p") == 0 &&
	      req.param[15].value.len == 0, "16 bare names: ok %d, nparam %d", req.query_ok,
	      req.nparam);

	/* REQUEST_QUERY_MAX bytes are fine, one more is not. */
	o = snprintf(uri, sizeof(uri), "/v1/me?a=");
	memset(uri + o, 'x', REQUEST_QUERY_MAX - 2);
	uri[o + REQUEST_QUERY_MAX - 2] = '\0';
	parse(&req, "GET", uri, NULL);
	CHECK(req.query_ok && req.nparam == 1 && req.param[0].value.len == REQUEST_QUERY_MAX - 2,
	      "query of %d bytes: ok %d", REQUEST_QUERY_MAX, req.query_ok);
	uri[o + REQUEST_QUERY_MAX - 2] = 'x';
	uri[o + REQUEST_QUERY_MAX - 1] = '\0';
	parse(&req, "GET", uri, NULL);
	CHECK(!req.query_ok, "query of %d bytes accepted", REQUEST_QUERY_MAX + 1);
}

/* The query comes from REQUEST_URI when it has a '?', else from QUERY_STRING. */
static void
test_query_source(void)
{
	struct request req;

	parse(&req, "GET", "/v1/me", "a=1");
	CHECK(req.query_ok && req.nparam == 1 && strcmp(req.param[0].name.s, "a") == 0,
	      "QUERY_STRING not used: nparam %d", req.nparam);
	parse(&req, "GET", "/v1/me?b=2", "a=1");
	CHECK(req.query_ok && req.nparam == 1 && strcmp(req.param[0].name.s, "b") == 0,
	      "the URI's query not preferred: nparam %d", req.nparam);
	parse(&req, "GET", "/v1/me?", "a=1");
	CHECK(req.query_ok && req.nparam == 0, "empty URI query: nparam %d", req.nparam);
	parse(&req, "GET", "/v1/me", NULL);
	CHECK(req.query_ok && req.nparam == 0, "no query: ok %d nparam %d", req.query_ok,
	      req.nparam);

	/* A second parse into the same struct forgets the first. */
	parse(&req, "GET", "/v1/a/b/c?x=1&y=2&z=3", NULL);
	parse(&req, "POST", "/v1", NULL);
	CHECK(req.nparam == 0 && req.nseg == 1 && req.method == METHOD_POST,
	      "state left over: nparam %d, nseg %d", req.nparam, req.nseg);
}

static void
test_query_check(void)
{
	static const char *const list[] = {"limit", "starting_after", "include_revoked", NULL};
	static const char *const none[] = {NULL};
	static const struct {
		int line; const char *q; const char *const *allowed; const char *want;
	} cases[] = {
		{__LINE__, "", list, NULL},
		{__LINE__, "", none, NULL},
		{__LINE__, "limit=1", list, NULL},
		{__LINE__, "limit=1&starting_after=x&include_revoked=true", list, NULL},
		{__LINE__, "include_revoked=false&limit=5", list, NULL},
		{__LINE__, "lim%69t=5", list, NULL},              /* compared after decoding */
		{__LINE__, "limit", list, NULL},                  /* the handler checks the value */
		{__LINE__, "limit=1&&", list, NULL},
		{__LINE__, "foo=1", list, "foo"},
		{__LINE__, "limit=1&foo=2", list, "foo"},
		{__LINE__, "foo", list, "foo"},
		{__LINE__, "limit=1&limit=2", list, "limit"},
		{__LINE__, "limit=1&include_revoked=true&limit=1", list, "limit"},
		{__LINE__, "limit&limit", list, "limit"},
		{__LINE__, "foo=1&limit=1&limit=2", list, "foo"},  /* the first problem in order */
		{__LINE__, "limit=1&limit=2&foo=1", list, "limit"},
		{__LINE__, "Limit=1", list, "Limit"},              /* names are case-sensitive */
		{__LINE__, "limit%20=1", list, "limit "},
		{__LINE__, "lim=1", list, "lim"},
		{__LINE__, "limitx=1", list, "limitx"},
		{__LINE__, "a+b=1", list, "a b"},
		{__LINE__, "=1", list, ""},
		{__LINE__, "a=1", none, "a"},
		{__LINE__, "limit=1", none, "limit"},
	};
	struct request req;
	char uri[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(uri, sizeof(uri), "/v1/api-keys?%s", cases[i].q);
		parse(&req, "GET", uri, NULL);
		CHECK_AT(req.query_ok, cases[i].line, "query %s rejected", cases[i].q);
		const char *got = request_query_check(&req, cases[i].allowed);
		CHECK_AT(cases[i].want == NULL ? got == NULL : got != NULL && strcmp(got, cases[i].want) == 0,
		         cases[i].line, "check(%s) = %s, want %s", cases[i].q,
		         got ? got : "NULL", cases[i].want ? cases[i].want : "NULL");
	}
}

static void
test_query_lookup(void)
{
	static const struct {
		int line; const char *q, *name, *want;      /* want NULL: absent */
	} cases[] = {
		{__LINE__, "limit=5&x=1", "limit", "5"},
		{__LINE__, "limit=5&x=1", "x", "1"},
		{__LINE__, "limit=5&x=1", "missing", NULL},
		{__LINE__, "limit=5&x=1", "lim", NULL},
		{__LINE__, "limit=5&x=1", "limit5", NULL},
		{__LINE__, "limit=5&x=1", "LIMIT", NULL},
		{__LINE__, "limit", "limit", ""},                 /* present, empty */
		{__LINE__, "limit=", "limit", ""},
		{__LINE__, "a=1&a=2", "a", "1"},                   /* the first */
		{__LINE__, "d%61ys=%33%30", "days", "30"},
		{__LINE__, "a+b=c+d", "a b", "c d"},
		{__LINE__, "", "limit", NULL},
	};
	struct request req;
	char uri[512];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(uri, sizeof(uri), "/v1/api-keys?%s", cases[i].q);
		parse(&req, "GET", uri, NULL);
		const struct request_str *v = request_query(&req, cases[i].name);
		if (cases[i].want == NULL) {
			CHECK_AT(v == NULL, cases[i].line, "query(%s, %s) present", cases[i].q,
			         cases[i].name);
		} else {
			CHECK_AT(v != NULL && v->len == strlen(cases[i].want) &&
			         memcmp(v->s, cases[i].want, v->len) == 0, cases[i].line,
			         "query(%s, %s) = \"%.*s\", want \"%s\"", cases[i].q, cases[i].name,
			         v ? (int)v->len : 4, v ? v->s : "NULL", cases[i].want);
		}
	}
}

static void
test_headers(void)
{
	static const char auth[] = "Bearer sk_abc";
	static const char ct[] = "application/json; charset=utf-8";
	static const char org[] = "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a";
	struct kv with[] = {
		{"REQUEST_METHOD", "POST"}, {"REQUEST_URI", "/v1/api-keys"},
		{"HTTP_AUTHORIZATION", auth}, {"CONTENT_TYPE", ct},
		{"HTTP_PARSESPHERE_ORGANIZATION", org},
		/* Look-alikes that must not be used. */
		{"AUTHORIZATION", "wrong"}, {"HTTP_CONTENT_TYPE", "wrong"},
		{"PARSESPHERE_ORGANIZATION", "wrong"}, {NULL, NULL},
	};
	struct kv without[] = {
		{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/v1/me"},
		{"AUTHORIZATION", "wrong"}, {"HTTP_CONTENT_TYPE", "wrong"},
		{"HTTP_X_PARSESPHERE_ORGANIZATION", "wrong"}, {NULL, NULL},
	};
	struct kv empty[] = {
		{"REQUEST_URI", "/v1/me"}, {"HTTP_AUTHORIZATION", ""}, {"CONTENT_TYPE", ""},
		{"HTTP_PARSESPHERE_ORGANIZATION", ""}, {NULL, NULL},
	};
	struct request req;

	request_parse(&req, getter, with);
	CHECK(req.authorization != NULL && strcmp(req.authorization, auth) == 0,
	      "authorization %s", req.authorization ? req.authorization : "NULL");
	CHECK(req.content_type != NULL && strcmp(req.content_type, ct) == 0,
	      "content type %s", req.content_type ? req.content_type : "NULL");
	CHECK(req.organization != NULL && strcmp(req.organization, org) == 0,
	      "organization %s", req.organization ? req.organization : "NULL");
	CHECK(req.method == METHOD_POST && req.path_ok && req.nseg == 2, "method/path");
	CHECK(req.body == NULL && req.body_len == 0 && !req.body_too_large,
	      "body fields not left empty");

	request_parse(&req, getter, without);
	CHECK(req.authorization == NULL, "absent authorization = %s", req.authorization);
	CHECK(req.content_type == NULL, "absent content type = %s", req.content_type);
	CHECK(req.organization == NULL, "absent organization = %s", req.organization);

	request_parse(&req, getter, empty);
	CHECK(req.authorization != NULL && req.authorization[0] == '\0', "empty authorization");
	CHECK(req.content_type != NULL && req.content_type[0] == '\0', "empty content type");
	CHECK(req.organization != NULL && req.organization[0] == '\0', "empty organization");
	CHECK(req.method == METHOD_OTHER, "no REQUEST_METHOD = %d", req.method);
}

static void
test_method(void)
{
	static const struct { int line; const char *m; enum request_method want; } cases[] = {
		{__LINE__, "GET", METHOD_GET},
		{__LINE__, "POST", METHOD_POST},
		{__LINE__, "PUT", METHOD_PUT},
		{__LINE__, "PATCH", METHOD_PATCH},
		{__LINE__, "DELETE", METHOD_DELETE},
		{__LINE__, "HEAD", METHOD_HEAD},
		{__LINE__, "OPTIONS", METHOD_OPTIONS},
		{__LINE__, "get", METHOD_OTHER},          /* methods are case-sensitive */
		{__LINE__, "Post", METHOD_OTHER},
		{__LINE__, "GETX", METHOD_OTHER},
		{__LINE__, "GE", METHOD_OTHER},
		{__LINE__, "GET ", METHOD_OTHER},
		{__LINE__, "TRACE", METHOD_OTHER},
		{__LINE__, "CONNECT", METHOD_OTHER},
		{__LINE__, "", METHOD_OTHER},
		{__LINE__, NULL, METHOD_OTHER},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(&req, cases[i].m, "/v1/me", NULL);
		CHECK_AT(req.method == cases[i].want, cases[i].line, "method(%s) = %d, want %d",
		         cases[i].m ? cases[i].m : "NULL", req.method, cases[i].want);
	}
}

/* A value that cannot be decoded still names its parameter (for the error's param). */
static void
test_query_bad_value_named(void)
{
	static const struct { int line; const char *uri; const char *bad; } cases[] = {
		{__LINE__, "/v1/me?a=%ZZ", "a"},
		{__LINE__, "/v1/me?limit=1&b=%00", "b"},
		{__LINE__, "/v1/me?c=%ff", "c"},
		{__LINE__, "/v1/me?%ZZ=1", NULL},          /* the name itself is bad */
	};
	static struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(&req, "GET", cases[i].uri, NULL);
		CHECK_AT(!req.query_ok, cases[i].line, "%s accepted", cases[i].uri);
		CHECK_AT(cases[i].bad ? req.query_bad && strcmp(req.query_bad, cases[i].bad) == 0
		                      : req.query_bad == NULL,
		         cases[i].line, "%s: query_bad %s", cases[i].uri,
		         req.query_bad ? req.query_bad : "(null)");
	}
}

/* A body and its length, so that raw NULs can be part of it. */
#define BODY(lit) lit, sizeof(lit) - 1

static bool
str_is(const struct request_str *v, const char *want)
{
	return v != NULL && v->len == strlen(want) && memcmp(v->s, want, v->len) == 0;
}

/* Form bodies: decoded like the query (docs/api.md's rules), as whole forms. */
static void
test_form(void)
{
	static const struct {
		int line; const char *body; size_t len; bool ok; int n;
		const char *name[4], *value[4];
	} cases[] = {
		{__LINE__, BODY(""), true, 0, {NULL}, {NULL}},
		{__LINE__, BODY("email=a%40example.com&password=p%40ss+w%2Brd&csrf=x"), true, 3,
		 {"email", "password", "csrf"}, {"a@example.com", "p@ss w+rd", "x"}},
		{__LINE__, BODY("name=My+Key&org="), true, 2, {"name", "org"}, {"My Key", ""}},
		{__LINE__, BODY("a+b=c+d"), true, 1, {"a b"}, {"c d"}},          /* '+' is a space */
		{__LINE__, BODY("a=++"), true, 1, {"a"}, {"  "}},
		{__LINE__, BODY("a=%2B%2b"), true, 1, {"a"}, {"++"}},
		{__LINE__, BODY("a=%26%3D%25"), true, 1, {"a"}, {"&=%"}},
		{__LINE__, BODY("a=b=c"), true, 1, {"a"}, {"b=c"}},
		{__LINE__, BODY("a=1&&b=2"), true, 2, {"a", "b"}, {"1", "2"}},  /* empty pairs */
		{__LINE__, BODY("&a=1&"), true, 1, {"a"}, {"1"}},
		{__LINE__, BODY("&&&"), true, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a"), true, 1, {"a"}, {""}},                     /* no '=' */
		{__LINE__, BODY("a="), true, 1, {"a"}, {""}},
		{__LINE__, BODY("=v"), true, 1, {""}, {"v"}},
		{__LINE__, BODY("csrf=x&csrf=y"), true, 2, {"csrf", "csrf"}, {"x", "y"}},
		{__LINE__, BODY("n=x%0D%0Ay"), true, 1, {"n"}, {"x\r\ny"}},     /* text areas */
		{__LINE__, BODY("n=caf%C3%A9"), true, 1, {"n"}, {"caf\xc3\xa9"}},
		{__LINE__, BODY("n=caf\xc3\xa9"), true, 1, {"n"}, {"caf\xc3\xa9"}},
		{__LINE__, BODY("%F0%9F%98%80=%E2%80%A8"), true, 1, {"\xf0\x9f\x98\x80"},
		 {"\xe2\x80\xa8"}},
		/* Bad escapes. */
		{__LINE__, BODY("a=%"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%4"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%4&b=1"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%zz"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%g0"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%%41"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("%=1"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=1&b=2&c=%x1"), false, 0, {NULL}, {NULL}},   /* not only the first */
		/* NUL, escaped or raw, in a name or a value. */
		{__LINE__, BODY("a=%00"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a%00=1"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=1\0"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a\0b=1"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=1&\0&b=2"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("\0"), false, 0, {NULL}, {NULL}},
		/* Invalid UTF-8, escaped or raw, in a name or a value. */
		{__LINE__, BODY("a=%FF"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=\xff"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%C3"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%C0%80"), false, 0, {NULL}, {NULL}},        /* overlong NUL */
		{__LINE__, BODY("a=%ED%A0%80"), false, 0, {NULL}, {NULL}},     /* surrogate */
		{__LINE__, BODY("a=%F4%90%80%80"), false, 0, {NULL}, {NULL}},  /* above U+10FFFF */
		{__LINE__, BODY("%C3=1"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("\xc3\xa9\xc3=1"), false, 0, {NULL}, {NULL}},
		{__LINE__, BODY("a=%C3&b=%A9"), false, 0, {NULL}, {NULL}},     /* not joined across pairs */
		{__LINE__, BODY("a=%C3+%A9"), false, 0, {NULL}, {NULL}},
	};
	static struct request_form f;   /* 64 KiB; static also gives ASan a redzone after it */

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = request_form_parse(&f, cases[i].body, cases[i].len);

		CHECK_AT(ok == cases[i].ok, cases[i].line, "form_parse(\"%.*s\") = %d",
		         (int)cases[i].len, cases[i].body, ok);
		if (!ok || !cases[i].ok)
			continue;
		CHECK_AT(f.n == cases[i].n, cases[i].line, "%d fields, want %d", f.n, cases[i].n);
		for (int k = 0; k < f.n && k < cases[i].n; k++) {
			const struct request_param *p = &f.param[k];
			CHECK_AT(str_is(&p->name, cases[i].name[k]) && str_is(&p->value, cases[i].value[k]),
			         cases[i].line, "field %d = \"%.*s\"=\"%.*s\", want \"%s\"=\"%s\"", k,
			         (int)p->name.len, p->name.s, (int)p->value.len, p->value.s,
			         cases[i].name[k], cases[i].value[k]);
			/* Copies inside the form, NUL-terminated: the body may be wiped. */
			CHECK_AT(p->name.s >= f.buf && p->value.s + p->value.len < f.buf + sizeof(f.buf) &&
			         p->name.s[p->name.len] == '\0' && p->value.s[p->value.len] == '\0',
			         cases[i].line, "field %d not a NUL-terminated copy in buf", k);
		}
	}

	/* No body at all (a POST without one) is the empty form. */
	CHECK(request_form_parse(&f, NULL, 0) && f.n == 0, "NULL body: n %d", f.n);
	/* A second parse forgets the first. */
	request_form_parse(&f, BODY("a=1&b=2&c=3"));
	CHECK(request_form_parse(&f, BODY("d=4")) && f.n == 1 && request_form_get(&f, "a") == NULL,
	      "fields left over from an earlier form: n %d", f.n);
	/* The body is only read up to len. */
	CHECK(request_form_parse(&f, "a=1&b=%zz", 3) && f.n == 1 && str_is(&f.param[0].value, "1"),
	      "read past len: n %d", f.n);
}

static void
test_form_limits(void)
{
	static struct request_form f;
	static char body[REQUEST_BODY_MAX + 2];
	int o;

	/* REQUEST_PARAMS_MAX (16) fields are fine, 17 are not. */
	for (int n = REQUEST_PARAMS_MAX - 1; n <= REQUEST_PARAMS_MAX + 1; n++) {
		o = 0;
		for (int k = 0; k < n; k++)
			o += snprintf(body + o, sizeof(body) - (size_t)o, "%sf%d=v%d", k ? "&" : "", k, k);
		bool want = n <= REQUEST_PARAMS_MAX, ok = request_form_parse(&f, body, (size_t)o);
		CHECK(ok == want, "%d fields: ok %d", n, ok);
		if (ok && want)
			CHECK(f.n == n && str_is(&f.param[n - 1].name, "f15") == (n == 16),
			      "%d fields: n %d", n, f.n);
	}
	/* Empty pairs do not count toward the limit. */
	o = 0;
	for (int k = 0; k < REQUEST_PARAMS_MAX; k++)
		o += snprintf(body + o, sizeof(body) - (size_t)o, "&&f%d=&", k);
	CHECK(request_form_parse(&f, body, (size_t)o) && f.n == REQUEST_PARAMS_MAX,
	      "16 fields among empty pairs: n %d", f.n);

	/* REQUEST_BODY_MAX bytes are fine, one more is not (even if well formed). */
	memcpy(body, "a=", 2);
	memset(body + 2, 'x', sizeof(body) - 2);
	CHECK(request_form_parse(&f, body, REQUEST_BODY_MAX) && f.n == 1 &&
	      f.param[0].value.len == REQUEST_BODY_MAX - 2, "body of %d bytes refused",
	      REQUEST_BODY_MAX);
	CHECK(!request_form_parse(&f, body, REQUEST_BODY_MAX + 1), "body of %d bytes accepted",
	      REQUEST_BODY_MAX + 1);

	/*
	 * The largest body with the most fields, bare names without escapes:
	 * every byte decodes to itself, so buf needs nearly the whole body plus
	 * two NULs a field. A static form puts an ASan redzone right after buf.
	 */
	o = 0;
	for (int k = 0; k < REQUEST_PARAMS_MAX; k++) {
		size_t chunk = REQUEST_BODY_MAX / REQUEST_PARAMS_MAX;
		memset(body + o, 'a' + k, chunk - 1);
		body[o + (int)chunk - 1] = '&';
		o += (int)chunk;
	}
	CHECK(request_form_parse(&f, body, REQUEST_BODY_MAX) && f.n == REQUEST_PARAMS_MAX &&
	      f.param[15].name.len == REQUEST_BODY_MAX / REQUEST_PARAMS_MAX - 1 &&
	      f.param[15].name.s[0] == 'p', "16 bare names filling the body: n %d", f.n);
}

static void
test_form_get(void)
{
	static const struct {
		int line; const char *body, *name, *want;      /* want NULL: absent */
	} cases[] = {
		{__LINE__, "csrf=abc&name=k", "csrf", "abc"},
		{__LINE__, "csrf=abc&name=k", "name", "k"},
		{__LINE__, "csrf=abc&name=k", "org", NULL},
		{__LINE__, "csrf=abc&name=k", "csr", NULL},        /* a prefix of a name */
		{__LINE__, "csrf=abc&name=k", "csrf2", NULL},
		{__LINE__, "csrf=abc&name=k", "CSRF", NULL},       /* names are case-sensitive */
		{__LINE__, "csrf=abc&name=k", "", NULL},
		{__LINE__, "org=", "org", ""},                     /* present, empty */
		{__LINE__, "org", "org", ""},
		{__LINE__, "csrf=first&csrf=second", "csrf", "first"},  /* repeated: the first */
		{__LINE__, "=v", "", "v"},
		{__LINE__, "%63srf=x", "csrf", "x"},               /* compared after decoding */
		{__LINE__, "a+b=1", "a b", "1"},
		{__LINE__, "", "csrf", NULL},
	};
	static struct request_form f;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CHECK_AT(request_form_parse(&f, cases[i].body, strlen(cases[i].body)), cases[i].line,
		         "form %s refused", cases[i].body);
		const struct request_str *v = request_form_get(&f, cases[i].name);
		if (cases[i].want == NULL)
			CHECK_AT(v == NULL, cases[i].line, "get(%s, %s) present", cases[i].body,
			         cases[i].name);
		else
			CHECK_AT(str_is(v, cases[i].want), cases[i].line,
			         "get(%s, %s) = \"%.*s\", want \"%s\"", cases[i].body, cases[i].name,
			         v ? (int)v->len : 4, v ? v->s : "NULL", cases[i].want);
	}
}

/* The Cookie header as browsers send it (RFC 6265 5.4: "a=1; b=2"). */
static void
test_cookie(void)
{
	static const struct {
		int line; const char *header, *name, *want;     /* want NULL: absent */
	} cases[] = {
		{__LINE__, "ps_session=abc", "ps_session", "abc"},
		{__LINE__, "ps_login=x; ps_session=abc", "ps_session", "abc"},
		{__LINE__, "ps_session=abc; ps_login=x", "ps_session", "abc"},
		{__LINE__, "ps_session=abc; ps_login=x", "ps_login", "x"},
		{__LINE__, "a=1;ps_session=abc", "ps_session", "abc"},     /* no space */
		{__LINE__, "a=1;   ps_session=abc", "ps_session", "abc"},  /* several */
		{__LINE__, " ps_session=abc", "ps_session", "abc"},
		{__LINE__, "ps_session=abc ", "ps_session", "abc"},        /* trailing space */
		{__LINE__, "ps_session=abc  ; b=2", "ps_session", "abc"},
		{__LINE__, "ps_session=abc;", "ps_session", "abc"},
		/* The first of two wins (the most specific path comes first). */
		{__LINE__, "ps_session=one; ps_session=two", "ps_session", "one"},
		/* Names that contain the name, or that it contains. */
		{__LINE__, "ps_session2=x; ps_session=abc", "ps_session", "abc"},
		{__LINE__, "ps_session2=x", "ps_session", NULL},
		{__LINE__, "xps_session=x; ps_session=abc", "ps_session", "abc"},
		{__LINE__, "xps_session=x", "ps_session", NULL},
		{__LINE__, "ps_session=abc", "ps_sess", NULL},
		{__LINE__, "ps_session=abc", "ps_session2", NULL},
		{__LINE__, "PS_SESSION=abc", "ps_session", NULL},          /* case-sensitive */
		{__LINE__, "a=ps_session=x", "ps_session", NULL},          /* inside a value */
		{__LINE__, "a=1; b=ps_session=x", "ps_session", NULL},
		/* Empty values are present; a name without '=' is not a cookie. */
		{__LINE__, "ps_session=", "ps_session", ""},
		{__LINE__, "ps_session=; ps_login=x", "ps_session", ""},
		{__LINE__, "ps_session= ; b=1", "ps_session", ""},
		{__LINE__, "ps_session", "ps_session", NULL},
		{__LINE__, "ps_session; ps_session=abc", "ps_session", "abc"},
		/* Values are not decoded and may hold '='. */
		{__LINE__, "ps_session=a%3Db=c", "ps_session", "a%3Db=c"},
		{__LINE__, "ps_session=\"q\"", "ps_session", "\"q\""},
		{__LINE__, "", "ps_session", NULL},
		{__LINE__, ";;;", "ps_session", NULL},
		{__LINE__, "   ", "ps_session", NULL},
		{__LINE__, "a=1; ; ps_session=abc", "ps_session", "abc"},
	};
	struct request req;
	struct request_str v;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kv tab[] = {
			{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", "/dashboard/keys"},
			{"HTTP_COOKIE", cases[i].header}, {NULL, NULL},
		};
		const char *h = cases[i].header;

		request_parse(&req, getter, tab);
		v.s = NULL;
		v.len = 99;
		bool found = request_cookie(&req, cases[i].name, &v);
		if (cases[i].want == NULL) {
			CHECK_AT(!found, cases[i].line, "cookie %s in \"%s\" = \"%.*s\"", cases[i].name,
			         h, found ? (int)v.len : 0, found ? v.s : "");
			continue;
		}
		CHECK_AT(found && str_is(&v, cases[i].want), cases[i].line,
		         "cookie %s in \"%s\" = %s\"%.*s\", want \"%s\"", cases[i].name, h,
		         found ? "" : "absent ", found ? (int)v.len : 0, found ? v.s : "",
		         cases[i].want);
		/* Borrowed from the header, not copied. */
		CHECK_AT(!found || (v.s >= h && v.s + v.len <= h + strlen(h)), cases[i].line,
		         "value not inside the header");
	}

	/* No Cookie header at all. */
	parse(&req, "GET", "/dashboard/keys", NULL);
	CHECK(req.cookie == NULL && !request_cookie(&req, "ps_session", &v),
	      "a cookie found without a Cookie header");
}

/* The dashboard's parameters: Cookie, REMOTE_ADDR, HTTPS, User-Agent, and its URI space. */
static void
test_dashboard_params(void)
{
	static const struct { int line; const char *https; bool want; } tls[] = {
		{__LINE__, "on", true},
		{__LINE__, "off", false},       /* IIS and some modules say "off" */
		{__LINE__, "", false},
		{__LINE__, NULL, false},
		{__LINE__, "onx", false},
	};
	static const struct { int line; const char *uri; bool want; } dash[] = {
		{__LINE__, "/dashboard", true},
		{__LINE__, "/dashboard/", true},
		{__LINE__, "/dashboard/login", true},
		{__LINE__, "/dashboard/keys/0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a/revoke", true},
		{__LINE__, "/dashboard?org=1", true},
		{__LINE__, "/dashboard/assets/app.css?v=2", true},
		{__LINE__, "/dashboardx", false},
		{__LINE__, "/dashboard-old/keys", false},
		{__LINE__, "/dash", false},
		{__LINE__, "/Dashboard", false},
		{__LINE__, "/v1/dashboard", false},
		{__LINE__, "/v1", false},
		{__LINE__, "/", false},
		{__LINE__, "", false},
		{__LINE__, "dashboard", false},
		{__LINE__, "/dashboard%2Fkeys", true},    /* one segment "dashboard/keys": its 404 */
	};
	struct request req;

	for (size_t i = 0; i < sizeof(tls) / sizeof(tls[0]); i++) {
		struct kv tab[] = {
			{"REQUEST_URI", "/dashboard"}, {"HTTPS", tls[i].https}, {NULL, NULL},
		};
		if (tls[i].https == NULL)
			tab[1] = tab[2];
		request_parse(&req, getter, tab);
		CHECK_AT(req.https == tls[i].want, tls[i].line, "HTTPS=%s: https %d",
		         tls[i].https ? tls[i].https : "(absent)", req.https);
	}
	for (size_t i = 0; i < sizeof(dash) / sizeof(dash[0]); i++) {
		parse(&req, "GET", dash[i].uri, NULL);
		CHECK_AT(request_under(&req, "dashboard") == dash[i].want, dash[i].line,
		         "under dashboard (%s) = %d", dash[i].uri, request_under(&req, "dashboard"));
		CHECK_AT(!(request_under(&req, "dashboard") && request_under(&req, "v1")), dash[i].line,
		         "%s is under both /v1 and /dashboard", dash[i].uri);
	}

	struct kv with[] = {
		{"REQUEST_URI", "/dashboard/login"}, {"REMOTE_ADDR", "2001:db8::7"},
		{"HTTP_COOKIE", "ps_login=x"}, {"HTTPS", "on"}, {"HTTP_USER_AGENT", "curl/8.0 \x01"},
		/* Look-alikes that must not be used. */
		{"COOKIE", "wrong"}, {"HTTP_X_FORWARDED_FOR", "203.0.113.9"}, {NULL, NULL},
	};
	struct kv without[] = {
		{"REQUEST_URI", "/dashboard/login"}, {"COOKIE", "wrong"},
		{"HTTP_X_FORWARDED_FOR", "203.0.113.9"}, {"REMOTE_HOST", "wrong"}, {NULL, NULL},
	};
	request_parse(&req, getter, with);
	CHECK(req.remote_addr != NULL && strcmp(req.remote_addr, "2001:db8::7") == 0,
	      "remote_addr %s", req.remote_addr ? req.remote_addr : "NULL");
	CHECK(req.cookie != NULL && strcmp(req.cookie, "ps_login=x") == 0, "cookie %s",
	      req.cookie ? req.cookie : "NULL");
	CHECK(req.https && request_under(&req, "dashboard"), "https %d under dashboard %d",
	      req.https, request_under(&req, "dashboard"));
	/* The user agent as sent: for the audit log, which cleans it (core/audit.c). */
	CHECK(req.user_agent != NULL && strcmp(req.user_agent, "curl/8.0 \x01") == 0,
	      "user_agent %s", req.user_agent ? req.user_agent : "NULL");
	request_parse(&req, getter, without);
	CHECK(req.remote_addr == NULL && req.cookie == NULL && !req.https && req.user_agent == NULL,
	      "absent: remote_addr %s cookie %s https %d user_agent %s", req.remote_addr, req.cookie,
	      req.https, req.user_agent);
}

/* Under /dashboard whatever follows, so that a malformed dashboard path gets its HTML 404. */
static void
test_under_dashboard(void)
{
	static const struct { int line; const char *uri; bool want, path_ok; } cases[] = {
		{__LINE__, "/dashboard", true, true},
		{__LINE__, "/dashboard/", true, true},
		{__LINE__, "/dashboard/keys?org=x", true, true},
		{__LINE__, "/dashboard//keys", true, false},
		{__LINE__, "/dashboard/%zz", true, false},
		{__LINE__, "/dashboard/a%00b", true, false},
		{__LINE__, "/dashboards", false, true},
		{__LINE__, "/dashboard.html", false, true},
		{__LINE__, "/Dashboard", false, true},
		{__LINE__, "/v1/dashboard", false, true},
		{__LINE__, "/%64ashboard", true, true},      /* decoded, as for /v1 */
		{__LINE__, "/dashboar%64/keys", true, true},
		{__LINE__, "/%64%61shboard//x", true, false},
		{__LINE__, "/dashboard%2Fkeys", true, true},  /* an escaped '/' after it */
		{__LINE__, "/%2564ashboard", false, true},    /* decoded once, not twice */
		{__LINE__, "", false, false},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(&req, "GET", cases[i].uri, NULL);
		CHECK_AT(request_under(&req, "dashboard") == cases[i].want &&
		         req.path_ok == cases[i].path_ok, cases[i].line,
		         "%s: under dashboard %d path_ok %d", cases[i].uri,
		         request_under(&req, "dashboard"), req.path_ok);
	}
}

/*
 * Every spelling of /v1 is /v1 (issue 11): the decision is made on the
 * decoded first segment, the segments the router matches. An escaped '/'
 * right after "v1" keeps it a /v1 request (fail closed); a second decoding
 * never happens, and a first segment that cannot be decoded is not /v1.
 */
static void
test_under_v1_spellings(void)
{
	static const struct { int line; const char *uri; bool v1, path_ok; int nseg; } cases[] = {
		{__LINE__, "/v1/me", true, true, 2},
		{__LINE__, "/%761/me", true, true, 2},
		{__LINE__, "/v%31/api-keys", true, true, 2},
		{__LINE__, "/%76%31/api-keys", true, true, 2},
		{__LINE__, "/%56%31/me", false, true, 2},        /* "V1": another path */
		{__LINE__, "/%7631/me", false, true, 2},         /* "v31" */
		{__LINE__, "/%761%2Fme", true, true, 1},         /* one segment "v1/me" */
		{__LINE__, "/v1%2fapi-keys%2F", true, true, 1},
		{__LINE__, "/%76%31%2F%2F", true, true, 1},
		{__LINE__, "/%2576/me", false, true, 2},         /* "%76": decoded once */
		{__LINE__, "/%25761/me", false, true, 2},
		{__LINE__, "/v%2531/me", false, true, 2},
		{__LINE__, "/%761", true, true, 1},
		{__LINE__, "/%761/", true, true, 1},
		{__LINE__, "/%761?limit=1", true, true, 1},
		{__LINE__, "/%761//me", true, false, 0},         /* malformed rest: still /v1 */
		{__LINE__, "/v%31/%00", true, false, 0},
		{__LINE__, "/v%31/%zz", true, false, 0},
		{__LINE__, "/v%3", false, false, 0},             /* the head itself is malformed */
		{__LINE__, "/v1%00", false, false, 0},
		{__LINE__, "/v10/me", false, true, 2},
		{__LINE__, "/v1.0/me", false, true, 2},
		{__LINE__, "/%76%31%30", false, true, 1},
		{__LINE__, "/x/v1", false, true, 2},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		parse(&req, "GET", cases[i].uri, NULL);
		CHECK_AT(request_under(&req, "v1") == cases[i].v1 && req.path_ok == cases[i].path_ok,
		         cases[i].line, "%s: under v1 %d path_ok %d", cases[i].uri,
		         request_under(&req, "v1"), req.path_ok);
		CHECK_AT(!req.path_ok || req.nseg == cases[i].nseg, cases[i].line,
		         "%s: nseg %d, want %d", cases[i].uri, req.nseg, cases[i].nseg);
		/* The router sees "v1" as the first segment exactly when the gate says /v1. */
		if (req.path_ok && req.nseg > 0 && seg_is(&req, 0, "v1"))
			CHECK_AT(request_under(&req, "v1"), cases[i].line, "%s: routed as /v1 but "
			         "not under it", cases[i].uri);
	}
	/* A long first segment is cut in head but judged on its whole length. */
	parse(&req, "GET", "/v1aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/me", NULL);
	CHECK(!request_under(&req, "v1") && req.head_len == 39, "long head: len %zu",
	      req.head_len);
}

/* A declared Content-Length over a limit: the general one, and the bulk route's. */
static void
test_declared_length(void)
{
	static const struct {
		int line;
		const char *cl;                 /* NULL: absent */
		bool too_large, bulk_too_large;
	} cases[] = {
		{__LINE__, NULL, false, false},
		{__LINE__, "0", false, false},
		{__LINE__, "65536", false, false},
		{__LINE__, "65537", true, false},
		{__LINE__, "1048576", true, false},
		{__LINE__, "1048577", true, true},
		{__LINE__, "0001048577", true, true},
		{__LINE__, "99999999999999999999999999", true, true},
		{__LINE__, "12x", false, false},
		{__LINE__, "x", false, false},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kv tab[] = {
			{"REQUEST_METHOD", "POST"}, {"REQUEST_URI", "/v1/leaks/github"},
			{"CONTENT_LENGTH", cases[i].cl}, {NULL, NULL},
		};

		if (cases[i].cl == NULL)
			tab[2] = (struct kv){NULL, NULL};
		request_parse(&req, getter, tab);
		CHECK_AT(req.body_too_large == cases[i].too_large &&
		         req.bulk_body_too_large == cases[i].bulk_too_large, cases[i].line,
		         "Content-Length %s: too large %d, for a bulk route %d",
		         cases[i].cl ? cases[i].cl : "(none)", req.body_too_large,
		         req.bulk_body_too_large);
	}
}

int
main(void)
{
	test_path();
	test_query();
	test_query_limits();
	test_query_source();
	test_query_check();
	test_query_lookup();
	test_headers();
	test_method();
	test_query_bad_value_named();
	test_form();
	test_form_limits();
	test_form_get();
	test_cookie();
	test_dashboard_params();
	test_under_dashboard();
	test_under_v1_spellings();
	test_declared_length();
	return harness_summary();
}
