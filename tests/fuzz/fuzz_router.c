/*
 * libFuzzer driver for lib/http/router.c, after request_parse, against the
 * route table of app/api.c itself (included through api_gate.h). The
 * input is split on NUL bytes (fuzz_util.h): REQUEST_METHOD, REQUEST_URI,
 * then an optional field whose first byte sets a small Allow buffer size.
 *
 * Checks, when the path parsed (router_match's precondition):
 *  - request_parse agrees with ref_request.h;
 *  - router_match agrees with a reference matcher: FOUND with the first
 *    route whose method and pattern match ("{name}" is any one segment), else
 *    METHOD_NOT_ALLOWED with the first route whose pattern matches and Allow
 *    listing, in table order, the methods of every route whose pattern
 *    matches, else NOT_FOUND with no route and an empty Allow;
 *  - with a small exact-size Allow buffer (ASan-checked) the status and the
 *    match are the same and Allow is NUL-terminated inside it;
 *  - the matched route's query check agrees with the reference, as api.c
 *    runs it after routing.
 */
#include "fuzz_util.h"
#include "../unit/app/api_gate.h"
#include "ref_request.h"

/* app/api.c's own table. */
#define NROUTES (sizeof(api_routes) / sizeof(api_routes[0]))

static const char *
get(const char *name, void *ctx)
{
	struct fuzz_fields *ff = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return ff->n > 0 ? ff->f[0] : NULL;
	if (strcmp(name, "REQUEST_URI") == 0)
		return ff->n > 1 ? ff->f[1] : NULL;
	return NULL;
}

/* Does the pattern match the reference segments? */
static bool
ref_matches(const char *pattern, const struct ref_request *r)
{
	char pat[64];
	int i = 0;

	FUZZ_CHECK(strlen(pattern) < sizeof(pat));
	strcpy(pat, pattern);
	for (char *save = NULL, *s = strtok_r(pat, "/", &save); s != NULL;
	     s = strtok_r(NULL, "/", &save), i++) {
		if (i == r->nseg)
			return false;
		if (!(s[0] == '{' && s[strlen(s) - 1] == '}') &&
		    !(strlen(s) == r->seg[i].len && memcmp(s, r->seg[i].s, r->seg[i].len) == 0))
			return false;
	}
	return i == r->nseg;
}

static const char *
ref_method_name(enum request_method m)
{
	switch (m) {
	case METHOD_GET: return "GET";
	case METHOD_POST: return "POST";
	case METHOD_PUT: return "PUT";
	case METHOD_PATCH: return "PATCH";
	case METHOD_DELETE: return "DELETE";
	case METHOD_HEAD: return "HEAD";
	case METHOD_OPTIONS: return "OPTIONS";
	default: return "OTHER";
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request req;
	struct fuzz_fields ff;
	struct ref_request ref;
	const struct route *match = NULL, *match2 = NULL, *want = NULL, *first = NULL;
	enum router_status st, st2, want_st = ROUTER_NOT_FOUND;
	char allow[64], want_allow[64] = "", *small;
	size_t cap;

	for (int m = METHOD_GET; m <= METHOD_OTHER; m++)
		FUZZ_CHECK(strcmp(router_method_name((enum request_method)m),
		                  ref_method_name((enum request_method)m)) == 0);

	fuzz_fields_split(&ff, data, size);
	request_parse(&req, get, &ff);
	ref_parse(&ref, get("REQUEST_URI", &ff), NULL, NULL);
	ref_compare(&req, &ref);
	if (!req.path_ok)
		goto out;

	for (size_t i = 0; i < NROUTES && want == NULL; i++) {
		if (!ref_matches(api_routes[i].pattern, &ref))
			continue;
		if (first == NULL)
			first = &api_routes[i];
		if (api_routes[i].method == req.method) {
			want = &api_routes[i];
			want_st = ROUTER_FOUND;
			break;
		}
		if (want_allow[0] != '\0')
			strcat(want_allow, ", ");
		strcat(want_allow, ref_method_name(api_routes[i].method));
		want_st = ROUTER_METHOD_NOT_ALLOWED;
	}

	memset(allow, 'x', sizeof(allow));
	st = router_match(api_routes, NROUTES, &req, &match, allow, sizeof(allow));
	FUZZ_CHECK(st == want_st);
	FUZZ_CHECK(memchr(allow, '\0', sizeof(allow)) != NULL);
	if (st == ROUTER_FOUND) {
		FUZZ_CHECK(match == want);
	} else if (st == ROUTER_METHOD_NOT_ALLOWED) {
		FUZZ_CHECK(match == first);
		FUZZ_CHECK(strcmp(allow, want_allow) == 0 && allow[0] != '\0');
		FUZZ_CHECK(strstr(allow, ref_method_name(req.method)) == NULL ||
		           req.method == METHOD_OTHER);
	} else {
		FUZZ_CHECK(match == NULL && allow[0] == '\0');
	}

	/* The same with an exact-size small Allow buffer (1..32 bytes). */
	cap = (ff.n > 2 && ff.f[2] != NULL && ff.f[2][0] != '\0') ?
	      (unsigned char)ff.f[2][0] % 32 + 1 : 1;
	if ((small = malloc(cap)) == NULL)
		abort();
	memset(small, 'x', cap);
	st2 = router_match(api_routes, NROUTES, &req, &match2, small, cap);
	FUZZ_CHECK(st2 == st);
	FUZZ_CHECK(memchr(small, '\0', cap) != NULL);
	FUZZ_CHECK(match2 == match);
	/* The first methods of the whole text (or none), cut where a method ends. */
	FUZZ_CHECK(strncmp(small, allow, strlen(small)) == 0 &&
	           (small[0] == '\0' || allow[strlen(small)] == '\0' ||
	            allow[strlen(small)] == ','));
	free(small);

	/* What api.c does after routing: the route's query parameter names. */
	if (st == ROUTER_FOUND) {
		const struct api_route *r = match->handler;
		const char *names[QUERY_PARAMS_MAX + 1] = {NULL};

		for (size_t i = 0; i < r->nquery; i++)
			names[i] = r->query[i].name;
		ref_check_query(&req, &ref, names);
	}
out:
	ref_free(&ref);
	fuzz_fields_free(&ff);
	return 0;
}
