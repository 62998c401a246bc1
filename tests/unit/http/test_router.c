/*
 * Unit tests of lib/http/router.c: found, 404, 405 and its Allow text, on
 * app/api.c's own route table (api_gate.h includes api.c with stub handlers).
 */
#include "../harness.h"
#include "../app/api_gate.h"

#define NROUTES (sizeof(api_routes) / sizeof(api_routes[0]))

#include "../fake_params.h"

static void
make_request(struct request *req, const char *method, const char *uri)
{
	struct kv tab[] = {{"REQUEST_METHOD", method}, {"REQUEST_URI", uri}, {NULL, NULL}};
	request_parse(req, getter, tab);
}

static const char *
status_name(enum router_status s)
{
	return s == ROUTER_FOUND ? "found" : s == ROUTER_NOT_FOUND ? "404" :
	       s == ROUTER_METHOD_NOT_ALLOWED ? "405" : "?";
}

#define ID "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a"

static void
test_table(void)
{
	static const struct {
		int line; const char *method, *uri; enum router_status want;
		const void *handler;     /* found: the route; 405: the path's first route */
		const char *allow;       /* when 405 */
	} cases[] = {
		{__LINE__, "GET", "/healthz", ROUTER_FOUND, &r_health, NULL},
		{__LINE__, "GET", "/healthz/", ROUTER_FOUND, &r_health, NULL},
		{__LINE__, "GET", "/v1/me", ROUTER_FOUND, &r_me, NULL},
		{__LINE__, "GET", "/v1/me/", ROUTER_FOUND, &r_me, NULL},
		{__LINE__, "GET", "/v1/api-keys", ROUTER_FOUND, &r_list, NULL},
		{__LINE__, "GET", "/v1/api-keys/", ROUTER_FOUND, &r_list, NULL},
		{__LINE__, "GET", "/v1/api-keys?limit=1", ROUTER_FOUND, &r_list, NULL},
		{__LINE__, "POST", "/v1/api-keys", ROUTER_FOUND, &r_create, NULL},
		{__LINE__, "POST", "/v1/api-keys/", ROUTER_FOUND, &r_create, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID, ROUTER_FOUND, &r_get, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/", ROUTER_FOUND, &r_get, NULL},
		{__LINE__, "DELETE", "/v1/api-keys/" ID, ROUTER_FOUND, &r_revoke, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/usage", ROUTER_FOUND, &r_usage, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/usage/", ROUTER_FOUND, &r_usage, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/usage?days=7", ROUTER_FOUND, &r_usage, NULL},
		/* "{id}" is any one segment; the handler checks it is an id. */
		{__LINE__, "GET", "/v1/api-keys/not-an-id", ROUTER_FOUND, &r_get, NULL},
		{__LINE__, "GET", "/v1/api-keys/usage", ROUTER_FOUND, &r_get, NULL},
		{__LINE__, "GET", "/v1/api-keys/x/usage", ROUTER_FOUND, &r_usage, NULL},
		{__LINE__, "DELETE", "/v1/api-keys/me", ROUTER_FOUND, &r_revoke, NULL},
		{__LINE__, "GET", "/v1/api-keys/a%2Fb", ROUTER_FOUND, &r_get, NULL},   /* one segment */
		{__LINE__, "GET", "/v1/api%2Dkeys", ROUTER_FOUND, &r_list, NULL},      /* decoded */
		/* 405 with the Allow list of the path's routes, in table order, and the first of them. */
		{__LINE__, "POST", "/healthz", ROUTER_METHOD_NOT_ALLOWED, &r_health, "GET"},
		{__LINE__, "HEAD", "/healthz", ROUTER_METHOD_NOT_ALLOWED, &r_health, "GET"},
		{__LINE__, "POST", "/v1/me", ROUTER_METHOD_NOT_ALLOWED, &r_me, "GET"},
		{__LINE__, "DELETE", "/v1/me/", ROUTER_METHOD_NOT_ALLOWED, &r_me, "GET"},
		{__LINE__, "DELETE", "/v1/api-keys", ROUTER_METHOD_NOT_ALLOWED, &r_list, "GET, POST"},
		{__LINE__, "PUT", "/v1/api-keys/", ROUTER_METHOD_NOT_ALLOWED, &r_list, "GET, POST"},
		{__LINE__, "PATCH", "/v1/api-keys", ROUTER_METHOD_NOT_ALLOWED, &r_list, "GET, POST"},
		{__LINE__, "HEAD", "/v1/api-keys", ROUTER_METHOD_NOT_ALLOWED, &r_list, "GET, POST"},
		{__LINE__, "OPTIONS", "/v1/api-keys", ROUTER_METHOD_NOT_ALLOWED, &r_list, "GET, POST"},
		{__LINE__, "get", "/v1/api-keys", ROUTER_METHOD_NOT_ALLOWED, &r_list, "GET, POST"},
		{__LINE__, "BREW", "/v1/api-keys", ROUTER_METHOD_NOT_ALLOWED, &r_list, "GET, POST"},
		{__LINE__, "POST", "/v1/api-keys/" ID, ROUTER_METHOD_NOT_ALLOWED, &r_get,
		 "GET, DELETE, PATCH"},
		{__LINE__, "PATCH", "/v1/api-keys/" ID "/", ROUTER_FOUND, &r_update, NULL},
		{__LINE__, "PUT", "/v1/api-keys/" ID, ROUTER_METHOD_NOT_ALLOWED, &r_get,
		 "GET, DELETE, PATCH"},
		{__LINE__, "DELETE", "/v1/api-keys/" ID "/usage", ROUTER_METHOD_NOT_ALLOWED, &r_usage, "GET"},
		{__LINE__, "POST", "/v1/api-keys/" ID "/usage", ROUTER_METHOD_NOT_ALLOWED, &r_usage, "GET"},
		/* 404: shorter, longer or different paths, whatever the method. */
		{__LINE__, "GET", "/", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "POST", "/v1", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/healthz", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/healthz/x", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/healthzz", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/health", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/me", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/me/x", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/mee", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/m", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/ME", ROUTER_NOT_FOUND, NULL, NULL},          /* case-sensitive */
		{__LINE__, "GET", "/V1/me", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v2/me", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-key", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-keysx", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api_keys", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/usag", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/usagex", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/other", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "DELETE", "/v1/api-keys/" ID "/other", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/usage/x", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-keys/" ID "/usage/x/y", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/x/api-keys/" ID, ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/{}", ROUTER_NOT_FOUND, NULL, NULL},
		{__LINE__, "GET", "/v1/api-keys/{}/{}", ROUTER_NOT_FOUND, NULL, NULL},
	};
	struct request req;
	char allow[64];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct route *match = NULL;

		make_request(&req, cases[i].method, cases[i].uri);
		CHECK_AT(req.path_ok, cases[i].line, "path %s rejected", cases[i].uri);
		memset(allow, 'X', sizeof(allow));
		enum router_status got = router_match(api_routes, NROUTES, &req, &match, allow,
		                                      sizeof(allow));
		CHECK_AT(got == cases[i].want, cases[i].line, "%s %s: %s, want %s",
		         cases[i].method, cases[i].uri, status_name(got),
		         status_name(cases[i].want));
		if (got != cases[i].want)
			continue;
		CHECK_AT(match == NULL ? cases[i].handler == NULL : match->handler == cases[i].handler,
		         cases[i].line, "%s %s: wrong route %s", cases[i].method, cases[i].uri,
		         match ? match->pattern : "NULL");
		if (got == ROUTER_METHOD_NOT_ALLOWED)
			CHECK_AT(memchr(allow, '\0', sizeof(allow)) != NULL &&
			         strcmp(allow, cases[i].allow) == 0, cases[i].line,
			         "%s %s: Allow \"%.64s\", want \"%s\"", cases[i].method,
			         cases[i].uri, allow, cases[i].allow);
	}
}

/* The Allow text is always NUL-terminated, and cut at a whole method: the
 * first ones, never a later one past a method that did not fit. */
static void
test_allow_capacity(void)
{
	static const struct { int line; size_t cap; const char *want; } cases[] = {
		{__LINE__, 64, "GET, DELETE, PATCH"},
		{__LINE__, 12, "GET, DELETE"},
		{__LINE__, 11, "GET"},      /* not "GET, PATCH": DELETE would be missing */
		{__LINE__, 4, "GET"},
		{__LINE__, 3, ""},
		{__LINE__, 1, ""},
	};
	struct request req;
	const struct route *match = NULL;
	char allow[80];

	make_request(&req, "PUT", "/v1/api-keys/" ID);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(allow, 'X', sizeof(allow));
		enum router_status got = router_match(api_routes, NROUTES, &req, &match, allow,
		                                      cases[i].cap);
		CHECK_AT(got == ROUTER_METHOD_NOT_ALLOWED, cases[i].line, "status %s",
		         status_name(got));
		CHECK_AT(memchr(allow, '\0', cases[i].cap) != NULL &&
		         strcmp(allow, cases[i].want) == 0, cases[i].line,
		         "cap %zu: \"%.*s\", want \"%s\"", cases[i].cap, (int)cases[i].cap, allow,
		         cases[i].want);
		CHECK_AT(allow[cases[i].cap] == 'X', cases[i].line, "cap %zu: wrote past the end",
		         cases[i].cap);
	}
}

/* Found and 404 leave an empty Allow text; the first matching route wins. */
static void
test_misc(void)
{
	struct request req;
	const struct route *match = NULL;
	char allow[64];

	make_request(&req, "GET", "/v1/me");
	memset(allow, 'X', sizeof(allow));
	CHECK(router_match(api_routes, NROUTES, &req, &match, allow, sizeof(allow)) == ROUTER_FOUND &&
	      allow[0] == '\0', "found: Allow \"%.8s\"", allow);
	make_request(&req, "GET", "/nope");
	memset(allow, 'X', sizeof(allow));
	CHECK(router_match(api_routes, NROUTES, &req, &match, allow, sizeof(allow)) == ROUTER_NOT_FOUND &&
	      allow[0] == '\0', "404: Allow \"%.8s\"", allow);

	/* An empty table: everything is 404. */
	make_request(&req, "GET", "/healthz");
	CHECK(router_match(api_routes, 0, &req, &match, allow, sizeof(allow)) == ROUTER_NOT_FOUND,
	      "empty table");

	/* A literal route listed before "{}" wins over it, and vice versa. */
	static const int h_lit, h_var;
	const struct route lit_first[] = {
		{METHOD_GET, "/v1/api-keys/usage", &h_lit},
		{METHOD_GET, "/v1/api-keys/{}", &h_var},
	};
	make_request(&req, "GET", "/v1/api-keys/usage");
	CHECK(router_match(lit_first, 2, &req, &match, allow, sizeof(allow)) == ROUTER_FOUND &&
	      match->handler == &h_lit, "literal route not chosen");
	make_request(&req, "GET", "/v1/api-keys/other");
	CHECK(router_match(lit_first, 2, &req, &match, allow, sizeof(allow)) == ROUTER_FOUND &&
	      match->handler == &h_var, "variable route not chosen");

	/*
	 * A variable segment, named or not, matches exactly one segment, not zero
	 * or two; a brace that does not open and close a segment is a literal.
	 */
	static const struct {
		int line; const char *pattern, *uri; enum router_status want;
	} vc[] = {
		{__LINE__, "/{}", "/a", ROUTER_FOUND},
		{__LINE__, "/{}", "/a/", ROUTER_FOUND},
		{__LINE__, "/{}", "/", ROUTER_NOT_FOUND},
		{__LINE__, "/{}", "/a/b", ROUTER_NOT_FOUND},
		{__LINE__, "/{id}", "/a", ROUTER_FOUND},
		{__LINE__, "/{id}", "/{id}", ROUTER_FOUND},
		{__LINE__, "/{id}", "/", ROUTER_NOT_FOUND},
		{__LINE__, "/{id}", "/a/b", ROUTER_NOT_FOUND},
		{__LINE__, "/x/{id}/y", "/x/0193/y", ROUTER_FOUND},
		{__LINE__, "/x/{id}/y", "/x/0193/z", ROUTER_NOT_FOUND},
		{__LINE__, "/x/{id}/y", "/x/y", ROUTER_NOT_FOUND},
		{__LINE__, "/{a}/{b}", "/1/2", ROUTER_FOUND},
		{__LINE__, "/{a}/{b}", "/1", ROUTER_NOT_FOUND},
		{__LINE__, "/{id", "/a", ROUTER_NOT_FOUND},
		{__LINE__, "/{id", "/{id", ROUTER_FOUND},
		{__LINE__, "/id}", "/a", ROUTER_NOT_FOUND},
		{__LINE__, "/{", "/a", ROUTER_NOT_FOUND},
		{__LINE__, "/{", "/{", ROUTER_FOUND},
		{__LINE__, "/}", "/}", ROUTER_FOUND},
		{__LINE__, "/a{id}", "/ab", ROUTER_NOT_FOUND},
	};
	for (size_t i = 0; i < sizeof(vc) / sizeof(vc[0]); i++) {
		const struct route var[] = {{METHOD_GET, vc[i].pattern, &h_var}};

		make_request(&req, "GET", vc[i].uri);
		enum router_status got = router_match(var, 1, &req, &match, allow, sizeof(allow));
		CHECK_AT(got == vc[i].want, vc[i].line, "%s vs %s: %s", vc[i].pattern, vc[i].uri,
		         status_name(got));
	}
}

static void
test_method_names(void)
{
	static const struct { int line; enum request_method m; const char *want; } cases[] = {
		{__LINE__, METHOD_GET, "GET"},
		{__LINE__, METHOD_POST, "POST"},
		{__LINE__, METHOD_PUT, "PUT"},
		{__LINE__, METHOD_PATCH, "PATCH"},
		{__LINE__, METHOD_DELETE, "DELETE"},
		{__LINE__, METHOD_HEAD, "HEAD"},
		{__LINE__, METHOD_OPTIONS, "OPTIONS"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = router_method_name(cases[i].m);
		CHECK_AT(got != NULL && strcmp(got, cases[i].want) == 0, cases[i].line,
		         "method name %s, want %s", got ? got : "NULL", cases[i].want);
	}
}

int
main(void)
{
	test_table();
	test_allow_capacity();
	test_misc();
	test_method_names();
	return harness_summary();
}
