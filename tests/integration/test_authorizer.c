/*
 * Integration tests of the FastCGI Authorizer deployment (issue #5): the
 * same API keys guard another endpoint, GET /v1/parses, whose demo backend
 * (app/parses_demo.c) echoes the identity the authorizer handed over in its
 * Variable-PARSESPHERE_* headers. The suite runs through every shipped web
 * server (PS_WEB_SERVER), so these check lighttpd's "mode" => "authorizer"
 * and Apache's mod_fcgid alike: the backend's answer on success, the API's
 * own JSON errors on failure, usage counted once per request.
 */
#include "itest.h"

#include <strings.h>
#include <unistd.h>

#define KP(id) P("/v1/api-keys/%s", (id))
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define PARSES "/v1/parses"

/* ---- helpers ------------------------------------------------------------------ */

/* The identity the backend must echo; NULL org/role: JSON null expected. */
struct who {
	const char *account, *org, *key, *role;
};

static bool
null_or_equal(json_object *o, const char *name, const char *want, const char **got)
{
	*got = jstr(o, name);
	if (want == NULL)
		return jis_null(o, name);
	return *got != NULL && strcmp(*got, want) == 0;
}

/* Headers of the final response only: none of the authorizer's Variable-*
 * lines, one X-Request-Id (mod_fcgid keeps the checker's headers around). */
static bool
expect_clean_headers_at(int line, const struct http_response *r)
{
	const char *rid = http_header(r, "X-Request-Id");
	const struct http_header *leak = NULL;
	bool ok = expect_common_headers_at(line, r);

	for (size_t i = 0; i < r->nheaders && leak == NULL; i++)
		if (strncasecmp(r->headers[i].name, "Variable-", 9) == 0)
			leak = &r->headers[i];
	ok &= CHECK_AT(leak == NULL, line, "%s: the authorizer's header %s: %s reached the client",
	               r->what, leak ? leak->name : "", leak ? leak->value : "");
	ok &= CHECK_AT(http_header_count(r, "X-Request-Id") == 1 && rid != NULL &&
	               strchr(rid, ',') == NULL, line, "%s: X-Request-Id \"%s\" (x%zu), want one id",
	               r->what, rid ? rid : "(none)", http_header_count(r, "X-Request-Id"));
	return ok;
}

/* 200 from the backend, naming exactly this identity. */
static bool
expect_authorized_at(int line, const struct http_response *r, const struct who *w)
{
	json_object *as;
	const char *got;
	char why[256];
	bool has_more = true, ok;

	if (!expect_status_at(line, r, 200))
		return false;
	ok = expect_clean_headers_at(line, r);
	ok &= CHECK_AT(jkeys_exactly(r->json, "object,data,has_more,authorized_as", why,
	                             sizeof(why)), line, "%s: members: %s in %s", r->what, why, r->body);
	ok &= CHECK_AT(jstr(r->json, "object") && strcmp(jstr(r->json, "object"), "list") == 0 &&
	               jget(r->json, "data") &&
	               json_object_is_type(jget(r->json, "data"), json_type_array) &&
	               json_object_array_length(jget(r->json, "data")) == 0 &&
	               jbool(r->json, "has_more", &has_more) && !has_more, line,
	               "%s: not an empty list: %s", r->what, r->body);
	as = jget(r->json, "authorized_as");
	ok &= CHECK_AT(jkeys_exactly(as, "account_id,organization_id,api_key_id,role", why,
	                             sizeof(why)), line, "%s: authorized_as: %s in %s", r->what, why,
	               r->body);
	ok &= CHECK_AT(null_or_equal(as, "account_id", w->account, &got), line,
	               "%s: account_id %s, want %s", r->what, got ? got : "(not a string)", w->account);
	ok &= CHECK_AT(null_or_equal(as, "api_key_id", w->key, &got), line,
	               "%s: api_key_id %s, want %s", r->what, got ? got : "(not a string)", w->key);
	ok &= CHECK_AT(null_or_equal(as, "organization_id", w->org, &got), line,
	               "%s: organization_id %s, want %s", r->what, got ? got : "(not a string)",
	               w->org ? w->org : "null");
	ok &= CHECK_AT(null_or_equal(as, "role", w->role, &got), line, "%s: role %s, want %s",
	               r->what, got ? got : "(not a string)", w->role ? w->role : "null");
	return ok;
}
#define EXPECT_AUTHORIZED(r, ...) \
	expect_authorized_at(__LINE__, (r), &(struct who){__VA_ARGS__})

/* The API's JSON error, with only the final response's headers. */
static bool
expect_denied_at(int line, const struct http_response *r, int status, const char *code)
{
	return expect_error_at(line, r, status, code) && expect_clean_headers_at(line, r);
}
#define EXPECT_DENIED(r, s, c) expect_denied_at(__LINE__, (r), (s), (c))

static bool
challenge_ok(const struct http_response *r, bool invalid_token)
{
	const char *h = http_header(r, "WWW-Authenticate");

	if (h == NULL || http_header_count(r, "WWW-Authenticate") != 1 ||
	    strncasecmp(h, "Bearer ", 7) != 0 || strstr(h, "realm=\"parsesphere\"") == NULL ||
	    strstr(h + 7, "Bearer") != NULL)
		return false;
	return invalid_token ? strstr(h, "error=\"invalid_token\"") != NULL
	                     : strstr(h, "error=") == NULL;
}
#define EXPECT_CHALLENGE(r, inv) \
	CHECK(challenge_ok((r), (inv)), "%s: WWW-Authenticate \"%s\" (x%zu; error=\"invalid_token\" %s)", \
	      (r)->what, http_header((r), "WWW-Authenticate") ? http_header((r), "WWW-Authenticate") \
	                                                      : "(none)", \
	      http_header_count((r), "WWW-Authenticate"), (inv) ? "expected" : "not expected")

/* An account with one personal key. */
static bool
setup_at(int line, struct acct *a, struct key *k, const char *label)
{
	return new_account_at(line, a, label) && new_key_at(line, k, a->id, NULL, label);
}
#define SETUP(a, k, label) setup_at(__LINE__, (a), (k), (label))

/* An organization owned by `owner`, with `member` added as a plain member. */
struct orgfx {
	struct acct owner, member, outsider;
	struct key owner_key, member_key, outsider_key;
	char org[37];
};

static bool
org_fixture_at(int line, struct orgfx *f)
{
	memset(f, 0, sizeof(*f));
	return setup_at(line, &f->owner, &f->owner_key, "authz-owner") &&
	       setup_at(line, &f->member, &f->member_key, "authz-member") &&
	       setup_at(line, &f->outsider, &f->outsider_key, "authz-outsider") &&
	       new_org_at(line, f->org, unique("Authz Org"), f->owner.id) &&
	       add_member_at(line, f->org, f->member.id, "member");
}
#define ORG_FIXTURE(f) org_fixture_at(__LINE__, (f))

/* ---- success ------------------------------------------------------------------ */

static void
test_authorizer_personal_key(void)
{
	struct acct a;
	struct key k;

	if (!SETUP(&a, &k, "authz-personal"))
		return;
	EXPECT_AUTHORIZED(GET(PARSES, k.secret), .account = a.id, .key = k.id);
	EXPECT_AUTHORIZED(GET(PARSES "/", k.secret), .account = a.id, .key = k.id);
	/* The scheme name is case-insensitive there too. */
	EXPECT_AUTHORIZED(REQ(.method = "GET", .path = PARSES, .auth = P("bEaReR %s", k.secret)),
	                  .account = a.id, .key = k.id);
}

static void
test_authorizer_org_key(void)
{
	struct orgfx f;
	struct key ok_owner, ok_member;

	if (!ORG_FIXTURE(&f) || !NEW_KEY(&ok_owner, f.owner.id, f.org, "authz org key owner") ||
	    !NEW_KEY(&ok_member, f.member.id, f.org, "authz org key member"))
		return;
	/* An org key acts in its organization, as its creator, with the creator's role. */
	EXPECT_AUTHORIZED(GET(PARSES, ok_owner.secret), .account = f.owner.id, .org = f.org,
	                  .key = ok_owner.id, .role = "owner");
	EXPECT_AUTHORIZED(GET(PARSES, ok_member.secret), .account = f.member.id, .org = f.org,
	                  .key = ok_member.id, .role = "member");
	/* The same organization named in the header changes nothing. */
	EXPECT_AUTHORIZED(OGET(PARSES, ok_member.secret, f.org), .account = f.member.id,
	                  .org = f.org, .key = ok_member.id, .role = "member");
	/* The creator's current role. */
	if (ADD_MEMBER(f.org, f.member.id, "admin"))
		EXPECT_AUTHORIZED(GET(PARSES, ok_member.secret), .account = f.member.id,
		                  .org = f.org, .key = ok_member.id, .role = "admin");
}

static void
test_authorizer_org_header_honoured(void)
{
	struct orgfx f;
	char upper[37];

	if (!ORG_FIXTURE(&f))
		return;
	EXPECT_AUTHORIZED(OGET(PARSES, f.member_key.secret, f.org), .account = f.member.id,
	                  .org = f.org, .key = f.member_key.id, .role = "member");
	EXPECT_AUTHORIZED(OGET(PARSES, f.owner_key.secret, f.org), .account = f.owner.id,
	                  .org = f.org, .key = f.owner_key.id, .role = "owner");
	/* Any letter case in, lowercase out. */
	str_upper(upper, f.org, sizeof(upper));
	EXPECT_AUTHORIZED(OGET(PARSES, f.member_key.secret, upper), .account = f.member.id,
	                  .org = f.org, .key = f.member_key.id, .role = "member");
	/* Without the header: the personal context. */
	EXPECT_AUTHORIZED(GET(PARSES, f.member_key.secret), .account = f.member.id,
	                  .key = f.member_key.id);
}

/* ---- failures: the API's errors --------------------------------------------------- */

static void
test_authorizer_missing_or_invalid_key_401(void)
{
	struct http_response *r;
	char fake[50];

	r = REQ(.method = "GET", .path = PARSES);
	EXPECT_DENIED(r, 401, "missing_api_key");
	EXPECT_CHALLENGE(r, false);
	r = REQ(.method = "GET", .path = PARSES, .auth = "Basic dXNlcjpwYXNz");
	EXPECT_DENIED(r, 401, "missing_api_key");
	EXPECT_CHALLENGE(r, false);
	random_wellformed_key(fake);
	r = GET(PARSES, fake);
	EXPECT_DENIED(r, 401, "invalid_api_key");
	EXPECT_CHALLENGE(r, true);
	/* Unknown paths under the prefix and other methods: authentication first. */
	EXPECT_DENIED(REQ(.method = "GET", .path = PARSES "/nope"), 401, "missing_api_key");
	EXPECT_DENIED(REQ(.method = "DELETE", .path = PARSES), 401, "missing_api_key");
}

static void
test_authorizer_revoked_key_401(void)
{
	struct acct a;
	struct key k, victim;
	struct http_response *r;

	if (!SETUP(&a, &k, "authz-revoked") || !NEW_KEY(&victim, a.id, NULL, "victim"))
		return;
	EXPECT_AUTHORIZED(GET(PARSES, victim.secret), .account = a.id, .key = victim.id);
	EXPECT_STATUS(DEL(KP(victim.id), k.secret), 200);
	r = GET(PARSES, victim.secret);
	EXPECT_DENIED(r, 401, "api_key_revoked");
	EXPECT_CHALLENGE(r, true);
	/* A key that revokes itself is refused on the very next request. */
	EXPECT_STATUS(DEL(KP(k.id), k.secret), 200);
	EXPECT_DENIED(GET(PARSES, k.secret), 401, "api_key_revoked");
}

static void
test_authorizer_deactivated_owner_403(void)
{
	struct orgfx f;
	struct key orgkey;
	struct http_response *r;

	if (!ORG_FIXTURE(&f) || !NEW_KEY(&orgkey, f.member.id, f.org, "authz org key"))
		return;
	if (!ADMIN_OK("account", "deactivate", f.member.id))
		return;
	r = GET(PARSES, f.member_key.secret);
	EXPECT_DENIED(r, 403, "account_deactivated");
	CHECK(http_header(r, "WWW-Authenticate") == NULL, "%s: 403 with WWW-Authenticate %s",
	      r->what, http_header(r, "WWW-Authenticate"));
	/* Whatever context it asks for. */
	EXPECT_DENIED(OGET(PARSES, f.member_key.secret, f.org), 403, "account_deactivated");
	/* The org key belongs to the organization: still valid, and like /v1/me
	 * without a role while its creator is not an active member. */
	EXPECT_AUTHORIZED(GET(PARSES, orgkey.secret), .account = f.member.id, .org = f.org,
	                  .key = orgkey.id);
	ADMIN_OK("account", "activate", f.member.id);
	EXPECT_AUTHORIZED(GET(PARSES, f.member_key.secret), .account = f.member.id,
	                  .key = f.member_key.id);
	if (!ADMIN_OK("org", "deactivate", f.org))
		return;
	EXPECT_DENIED(GET(PARSES, orgkey.secret), 403, "organization_deactivated");
	ADMIN_OK("org", "activate", f.org);
}

static void
test_authorizer_org_context_errors(void)
{
	struct orgfx f;
	struct key orgkey;
	char nowhere[37];

	if (!ORG_FIXTURE(&f) || !NEW_KEY(&orgkey, f.owner.id, f.org, "authz org key"))
		return;
	random_uuid(nowhere);
	EXPECT_DENIED(OGET(PARSES, f.outsider_key.secret, f.org), 403, "not_organization_member");
	EXPECT_DENIED(OGET(PARSES, f.member_key.secret, nowhere), 403, "not_organization_member");
	struct http_response *r = OGET(PARSES, f.member_key.secret, "not-an-id");
	if (EXPECT_DENIED(r, 400, "invalid_request"))
		EXPECT_PARAM(r, "ParseSphere-Organization");
	EXPECT_DENIED(OGET(PARSES, orgkey.secret, nowhere), 403, "organization_mismatch");
	/* A member who left: 403 for the header, the personal context still works. */
	if (ADMIN_OK("org", "remove-member", f.org, f.member.id)) {
		EXPECT_DENIED(OGET(PARSES, f.member_key.secret, f.org), 403,
		              "not_organization_member");
		EXPECT_AUTHORIZED(GET(PARSES, f.member_key.secret), .account = f.member.id,
		                  .key = f.member_key.id);
	}
}

/* ---- the backend's own answers ------------------------------------------------------ */

static void
test_authorizer_backend_routes(void)
{
	struct acct a;
	struct key k;
	struct http_response *r;

	if (!SETUP(&a, &k, "authz-routes"))
		return;
	r = REQ(.method = "DELETE", .path = PARSES, .key = k.secret);
	if (EXPECT_DENIED(r, 405, "method_not_allowed"))
		CHECK(http_header(r, "Allow") && strcmp(http_header(r, "Allow"), "GET") == 0,
		      "%s: Allow \"%s\", want \"GET\"", r->what,
		      http_header(r, "Allow") ? http_header(r, "Allow") : "(none)");
	EXPECT_DENIED(GET(PARSES "/nope", k.secret), 404, "not_found");
	EXPECT_DENIED(GET(PARSES "extra", k.secret), 404, "not_found");
	r = GET(PARSES "?limit=1", k.secret);
	if (EXPECT_DENIED(r, 400, "invalid_request"))
		EXPECT_PARAM(r, "limit");
}

/* A request body is the backend's business, never the authorizer's: the
 * authorizer gets no FCGI_STDIN for it (FastCGI 1.0, 6.3). */
static void
test_authorizer_request_with_body(void)
{
	struct acct a;
	struct key k;
	struct http_response *r;

	if (!SETUP(&a, &k, "authz-body"))
		return;
	r = POST_JSON(PARSES, k.secret, "{\"name\": \"a parse\"}");
	EXPECT_DENIED(r, 405, "method_not_allowed");
	r = REQ(.method = "POST", .path = PARSES, .ctype = "application/json",
	        .body = "{\"name\": \"a parse\"}");
	EXPECT_DENIED(r, 401, "missing_api_key");
}

/* ---- usage ------------------------------------------------------------------------ */

static void
test_authorizer_counts_usage(void)
{
	struct orgfx f;
	struct key k, observer;
	struct http_response *r;

	if (!ORG_FIXTURE(&f) || !NEW_KEY(&k, f.outsider.id, NULL, "authz counted") ||
	    !NEW_KEY(&observer, f.outsider.id, NULL, "authz observer"))
		return;
	for (int i = 0; i < 3; i++)
		EXPECT_AUTHORIZED(GET(PARSES, k.secret), .account = f.outsider.id, .key = k.id);
	/* Authenticated, then refused for the context: counted, once. */
	EXPECT_DENIED(OGET(PARSES, k.secret, f.org), 403, "not_organization_member");
	/* Routed by the backend after authorization: counted. */
	EXPECT_DENIED(GET(PARSES "/nope", k.secret), 404, "not_found");
	usleep(2500 * 1000);
	/* Read with another key, so that no response has to include its own request. */
	r = GET(KP(k.id), observer.secret);
	if (EXPECT_STATUS(r, 200))
		CHECK(jget(r->json, "request_count") &&
		      json_object_get_int64(jget(r->json, "request_count")) == 5 &&
		      jstr(r->json, "last_used_at") != NULL,
		      "after 5 authorized requests (200 x3, 403, 404): %s", r->body);
	/* Refused keys are not counted. */
	EXPECT_STATUS(DEL(KP(k.id), observer.secret), 200);
	EXPECT_DENIED(GET(PARSES, k.secret), 401, "api_key_revoked");
	usleep(2500 * 1000);
	r = GET(KP(k.id), observer.secret);
	if (EXPECT_STATUS(r, 200))
		CHECK(jget(r->json, "request_count") &&
		      json_object_get_int64(jget(r->json, "request_count")) == 5,
		      "a revoked key's refused request was counted: %s", r->body);
}

const struct itest_case itest_authorizer_cases[] = {
	ITEST(test_authorizer_personal_key),
	ITEST(test_authorizer_org_key),
	ITEST(test_authorizer_org_header_honoured),
	ITEST(test_authorizer_missing_or_invalid_key_401),
	ITEST(test_authorizer_revoked_key_401),
	ITEST(test_authorizer_deactivated_owner_403),
	ITEST(test_authorizer_org_context_errors),
	ITEST(test_authorizer_backend_routes),
	ITEST(test_authorizer_request_with_body),
	ITEST(test_authorizer_counts_usage),
};
const size_t itest_authorizer_count = N_ELEMS(itest_authorizer_cases);
