/*
 * Integration tests of docs/api.md's "Ownership and organization context"
 * (issue #3). Every test builds its own fixture with scripts/admin: an
 * organization with an owner, an admin and two members, an outsider who owns
 * a second organization (of which the owner is a plain member), a personal
 * key per account and an org key per member of the first organization.
 */
#include "itest.h"

#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

#define KP(id) P("/v1/api-keys/%s", (id))
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

enum who { OWNER, ADMIN, M1, M2, OUT, N_WHO };
static const char *const who_name[N_WHO] = {"owner", "admin", "member1", "member2", "outsider"};
static const char *const who_role[N_WHO] = {"owner", "admin", "member", "member", NULL};

struct fx {
	struct acct acc[N_WHO];
	struct key personal[N_WHO];
	struct key orgkey[N_WHO];    /* org keys in org, for OWNER..M2 */
	char org[37], org2[37];
	const char *org_name, *org2_name;
};

static bool
fixture_at(int line, struct fx *f)
{
	bool ok = true;

	memset(f, 0, sizeof(*f));
	for (int w = 0; w < N_WHO; w++)
		ok = ok && new_account_at(line, &f->acc[w], who_name[w]) &&
		     new_key_at(line, &f->personal[w], f->acc[w].id, NULL, P("personal %s", who_name[w]));
	f->org_name = unique("Org One");
	f->org2_name = unique("Org Two");
	ok = ok && new_org_at(line, f->org, f->org_name, f->acc[OWNER].id) &&
	     add_member_at(line, f->org, f->acc[ADMIN].id, "admin") &&
	     add_member_at(line, f->org, f->acc[M1].id, "member") &&
	     add_member_at(line, f->org, f->acc[M2].id, "member") &&
	     new_org_at(line, f->org2, f->org2_name, f->acc[OUT].id) &&
	     add_member_at(line, f->org2, f->acc[OWNER].id, "member");
	for (int w = OWNER; ok && w <= M2; w++)
		ok = new_key_at(line, &f->orgkey[w], f->acc[w].id, f->org, P("org key %s", who_name[w]));
	return ok;
}
#define FIXTURE(f) fixture_at(__LINE__, (f))

static bool
same_set(const struct http_response *r, const char *const want[], size_t n)
{
	const char *ids[128];
	size_t got = jlist_ids(r, ids, 128);

	if (r->status != 200 || got != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!jlist_contains(r, want[i]))
			return false;
	return true;
}

/* ---- creating org keys ------------------------------------------------------------ */

static void
test_org_key_created_with_personal_key_and_header(void)
{
	struct fx f;
	struct http_response *r, *me, *l;
	char up[37];

	if (!FIXTURE(&f))
		return;
	r = OPOST_JSON("/v1/api-keys", f.personal[OWNER].secret, f.org, "{\"name\": \"made in org\"}");
	if (!EXPECT_STATUS(r, 201))
		return;
	EXPECT_KEY(r->json, .name = "made in org", .org = f.org, .created_by = f.acc[OWNER].id,
	           .active = true, .with_secret = true);
	const char *id = jstr(r->json, "id"), *secret = jstr(r->json, "secret");
	if (!CHECK(id && secret, "create: %s", r->body))
		return;
	CHECK(http_header(r, "Location") && strcmp(http_header(r, "Location"), KP(id)) == 0,
	      "Location %s", http_header(r, "Location") ? http_header(r, "Location") : "(none)");
	/* the new key acts in the organization, as its creator */
	me = GET("/v1/me", secret);
	if (EXPECT_STATUS(me, 200))
		CHECK(jstr(me->json, "organization.id") &&
		      strcmp(jstr(me->json, "organization.id"), f.org) == 0 &&
		      jstr(me->json, "organization.role") &&
		      strcmp(jstr(me->json, "organization.role"), "owner") == 0 &&
		      jstr(me->json, "account.id") && strcmp(jstr(me->json, "account.id"), f.acc[OWNER].id) == 0,
		      "/v1/me with the new org key: %s", me->body);
	/* an org key: in the org's list (the admin sees it), not in the personal one */
	l = OGET("/v1/api-keys", f.personal[ADMIN].secret, f.org);
	CHECK(l->status == 200 && jlist_contains(l, id), "admin's org list lacks it: %s", l->body);
	l = GET("/v1/api-keys", f.personal[OWNER].secret);
	CHECK(l->status == 200 && !jlist_contains(l, id), "owner's personal list shows it: %s", l->body);

	/* a member, with the organization id in upper case */
	str_upper(up, f.org, sizeof(up));
	r = OPOST_JSON("/v1/api-keys", f.personal[M1].secret, up, "{\"name\": \"member made\"}");
	if (EXPECT_STATUS(r, 201))
		EXPECT_KEY(r->json, .name = "member made", .org = f.org, .created_by = f.acc[M1].id,
		           .active = true, .with_secret = true);
}

static void
test_org_key_creates_org_keys_as_its_creator(void)
{
	struct fx f;
	struct http_response *r;
	char up[37];

	if (!FIXTURE(&f))
		return;
	const struct { int line; enum who w; const char *hdr; } cases[] = {
		{__LINE__, ADMIN, NULL},
		{__LINE__, ADMIN, f.org},     /* naming its own organization is fine */
		{__LINE__, M1, NULL},
		{__LINE__, OWNER, NULL},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		r = OPOST_JSON("/v1/api-keys", f.orgkey[cases[i].w].secret, cases[i].hdr,
		               "{\"name\": \"by org key\"}");
		if (expect_status_at(cases[i].line, r, 201))
			expect_key_at(cases[i].line, r->json, &(struct key_expect){
				.name = "by org key", .org = f.org, .created_by = f.acc[cases[i].w].id,
				.active = true, .with_secret = true});
	}
	str_upper(up, f.org, sizeof(up));
	EXPECT_STATUS(OGET("/v1/api-keys", f.orgkey[M2].secret, up), 200);
}

/* ---- context errors ---------------------------------------------------------------------- */

static void
test_not_member_403(void)
{
	struct fx f;
	char rnd[37];

	if (!FIXTURE(&f))
		return;
	random_uuid(rnd);
	if (!ADMIN_OK("org", "remove-member", f.org, f.acc[M2].id))
		return;
	const struct { int line; enum who w; const char *org; } cases[] = {
		{__LINE__, OUT, f.org},      /* never a member */
		{__LINE__, OWNER, rnd},      /* no such organization */
		{__LINE__, M2, f.org},       /* removed */
		{__LINE__, ADMIN, f.org2},   /* a member of another org only */
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const char *key = f.personal[cases[i].w].secret;
		expect_error_at(cases[i].line, OGET("/v1/api-keys", key, cases[i].org), 403,
		                "not_organization_member");
		expect_error_at(cases[i].line, OGET("/v1/me", key, cases[i].org), 403,
		                "not_organization_member");
		expect_error_at(cases[i].line, OPOST_JSON("/v1/api-keys", key, cases[i].org,
		                "{\"name\": \"x\"}"), 403, "not_organization_member");
		expect_error_at(cases[i].line, OGET(KP(f.orgkey[OWNER].id), key, cases[i].org), 403,
		                "not_organization_member");
	}
	/* positive control: the owner is a plain member of org2 */
	EXPECT_STATUS(OGET("/v1/api-keys", f.personal[OWNER].secret, f.org2), 200);
	/* nothing was created in org by the refused POSTs */
	const char *all[] = {f.orgkey[OWNER].id, f.orgkey[ADMIN].id, f.orgkey[M1].id, f.orgkey[M2].id};
	struct http_response *l = OGET("/v1/api-keys", f.personal[OWNER].secret, f.org);
	CHECK(same_set(l, all, 4), "org keys after refused creates: %s", l->body);
}

static void
test_malformed_org_header_400(void)
{
	struct fx f;

	if (!FIXTURE(&f))
		return;
	const char *vals[] = {"not-a-uuid", "1234", P("%.35s", f.org), P("%s0", f.org),
	                      P("{%s}", f.org), "gggggggg-gggg-gggg-gggg-gggggggggggg",
	                      P("%.8s%s", f.org, f.org + 9)};
	const char *keys[] = {f.personal[OWNER].secret, f.orgkey[OWNER].secret,
	                      f.personal[OUT].secret};
	for (size_t k = 0; k < N_ELEMS(keys); k++)
		for (size_t i = 0; i < N_ELEMS(vals); i++) {
			EXPECT_ERROR(OGET("/v1/api-keys", keys[k], vals[i]), 400, "invalid_request");
			EXPECT_ERROR(OGET("/v1/me", keys[k], vals[i]), 400, "invalid_request");
		}
	EXPECT_ERROR(OPOST_JSON("/v1/api-keys", f.personal[OWNER].secret, "nope",
	                        "{\"name\": \"x\"}"), 400, "invalid_request");
}

static void
test_org_key_with_other_org_header_403(void)
{
	struct fx f;
	char rnd[37], up2[37];

	if (!FIXTURE(&f))
		return;
	random_uuid(rnd);
	str_upper(up2, f.org2, sizeof(up2));
	/* the owner is a member of org2 too: its org key still may not switch */
	const char *others[] = {f.org2, up2, rnd};
	for (size_t i = 0; i < N_ELEMS(others); i++) {
		EXPECT_ERROR(OGET("/v1/api-keys", f.orgkey[OWNER].secret, others[i]), 403,
		             "organization_mismatch");
		EXPECT_ERROR(OGET("/v1/me", f.orgkey[OWNER].secret, others[i]), 403,
		             "organization_mismatch");
		EXPECT_ERROR(OPOST_JSON("/v1/api-keys", f.orgkey[M1].secret, others[i],
		                        "{\"name\": \"x\"}"), 403, "organization_mismatch");
	}
	EXPECT_STATUS(OGET("/v1/me", f.orgkey[OWNER].secret, f.org), 200);
}

/* ---- who sees what ------------------------------------------------------------------------ */

static const struct {
	int line;
	enum who actor, target;
	bool visible;
} matrix[] = {
	{__LINE__, OWNER, OWNER, true}, {__LINE__, OWNER, ADMIN, true},
	{__LINE__, OWNER, M1, true},    {__LINE__, OWNER, M2, true},
	{__LINE__, ADMIN, OWNER, true}, {__LINE__, ADMIN, ADMIN, true},
	{__LINE__, ADMIN, M1, true},    {__LINE__, ADMIN, M2, true},
	{__LINE__, M1, OWNER, false},   {__LINE__, M1, ADMIN, false},
	{__LINE__, M1, M1, true},       {__LINE__, M1, M2, false},
	{__LINE__, M2, OWNER, false},   {__LINE__, M2, ADMIN, false},
	{__LINE__, M2, M1, false},      {__LINE__, M2, M2, true},
};

/* The actor's request, with its personal key and the header or with its org key. */
static struct http_response *
as_actor(const struct fx *f, enum who w, bool with_org_key, const char *method, const char *path)
{
	return with_org_key ? REQ(.method = method, .path = path, .key = f->orgkey[w].secret)
	                    : REQ(.method = method, .path = path, .key = f->personal[w].secret,
	                          .org = f->org);
}

static void
test_role_matrix_list_and_retrieve(void)
{
	struct fx f;

	if (!FIXTURE(&f))
		return;
	for (int mode = 0; mode < 2; mode++) {
		for (size_t i = 0; i < N_ELEMS(matrix); i++) {
			const char *target = f.orgkey[matrix[i].target].id;
			struct http_response *g = as_actor(&f, matrix[i].actor, mode, "GET", KP(target));
			struct http_response *u = as_actor(&f, matrix[i].actor, mode, "GET",
			                                   P("/v1/api-keys/%s/usage", target));
			struct http_response *l = as_actor(&f, matrix[i].actor, mode, "GET",
			                                   "/v1/api-keys?include_revoked=true");
			if (matrix[i].visible) {
				if (CHECK_AT(g->status == 200, matrix[i].line, "%s (%s) GET %s's key: %d %s",
				             who_name[matrix[i].actor], mode ? "org key" : "header",
				             who_name[matrix[i].target], g->status, g->body))
					expect_key_at(matrix[i].line, g->json, &(struct key_expect){
						.id = target, .org = f.org, .created_by = f.acc[matrix[i].target].id,
						.active = true});
				CHECK_AT(u->status == 200, matrix[i].line, "%s usage of %s's key: %d",
				         who_name[matrix[i].actor], who_name[matrix[i].target], u->status);
			} else {
				CHECK_AT(g->status == 404, matrix[i].line, "%s (%s) GET %s's key: %d %s, want 404",
				         who_name[matrix[i].actor], mode ? "org key" : "header",
				         who_name[matrix[i].target], g->status, g->body);
				expect_error_at(matrix[i].line, g, 404, "not_found");
				expect_error_at(matrix[i].line, u, 404, "not_found");
			}
			CHECK_AT(l->status == 200 && jlist_contains(l, target) == matrix[i].visible,
			         matrix[i].line, "%s (%s) list %s %s's key: %s", who_name[matrix[i].actor],
			         mode ? "org key" : "header", matrix[i].visible ? "lacks" : "shows",
			         who_name[matrix[i].target], l->body);
		}
	}
	/* whole lists: owner and admin exactly the four org keys, a member its own */
	const char *all[] = {f.orgkey[OWNER].id, f.orgkey[ADMIN].id, f.orgkey[M1].id, f.orgkey[M2].id};
	for (int w = OWNER; w <= M2; w++) {
		struct http_response *l = OGET("/v1/api-keys", f.personal[w].secret, f.org);
		const char *own[] = {f.orgkey[w].id};
		bool ok = w <= ADMIN ? same_set(l, all, 4) : same_set(l, own, 1);
		CHECK(ok, "%s's org list: %s", who_name[w], l->body);
	}
	/* the outsider sees nothing: 403, it is not a member */
	EXPECT_ERROR(OGET("/v1/api-keys", f.personal[OUT].secret, f.org), 403, "not_organization_member");
	EXPECT_ERROR(OGET(KP(f.orgkey[M1].id), f.personal[OUT].secret, f.org), 403,
	             "not_organization_member");
	/* and, in its own org2, org's keys do not exist */
	EXPECT_ERROR(OGET(KP(f.orgkey[M1].id), f.personal[OUT].secret, f.org2), 404, "not_found");
	EXPECT_ERROR(ODEL(KP(f.orgkey[M1].id), f.personal[OUT].secret, f.org2), 404, "not_found");
}

static void
test_role_matrix_revoke(void)
{
	struct fx f;

	if (!FIXTURE(&f))
		return;
	for (size_t i = 0; i < N_ELEMS(matrix); i++) {
		struct key fresh;
		bool org_key = i % 2;   /* alternate the two ways of acting in the org */

		if (!new_key_at(matrix[i].line, &fresh, f.acc[matrix[i].target].id, f.org, "to revoke"))
			continue;
		struct http_response *d = as_actor(&f, matrix[i].actor, org_key, "DELETE", KP(fresh.id));
		struct http_response *me = GET("/v1/me", fresh.secret);
		if (matrix[i].visible) {
			if (expect_status_at(matrix[i].line, d, 200))
				expect_key_at(matrix[i].line, d->json, &(struct key_expect){
					.id = fresh.id, .org = f.org, .created_by = f.acc[matrix[i].target].id,
					.active = false});
			expect_error_at(matrix[i].line, me, 401, "api_key_revoked");
		} else {
			expect_error_at(matrix[i].line, d, 404, "not_found");
			CHECK_AT(me->status == 200, matrix[i].line, "%s's key after %s's refused revoke: %d",
			         who_name[matrix[i].target], who_name[matrix[i].actor], me->status);
		}
	}
	/* the outsider cannot act in the org at all */
	EXPECT_ERROR(ODEL(KP(f.orgkey[M1].id), f.personal[OUT].secret, f.org), 403,
	             "not_organization_member");
	EXPECT_STATUS(GET("/v1/me", f.orgkey[M1].secret), 200);
}

static void
test_current_role_decides(void)
{
	struct fx f;
	struct http_response *l, *me;

	if (!FIXTURE(&f))
		return;
	const char *all[] = {f.orgkey[OWNER].id, f.orgkey[ADMIN].id, f.orgkey[M1].id, f.orgkey[M2].id};
	l = GET("/v1/api-keys", f.orgkey[M1].secret);
	CHECK(same_set(l, (const char *[]){f.orgkey[M1].id}, 1), "member's list: %s", l->body);
	ADD_MEMBER(f.org, f.acc[M1].id, "admin");
	l = GET("/v1/api-keys", f.orgkey[M1].secret);
	CHECK(same_set(l, all, 4), "list after promotion to admin: %s", l->body);
	me = GET("/v1/me", f.orgkey[M1].secret);
	CHECK(jstr(me->json, "organization.role") &&
	      strcmp(jstr(me->json, "organization.role"), "admin") == 0, "role after promotion: %s",
	      me->body);
	EXPECT_STATUS(GET(KP(f.orgkey[OWNER].id), f.orgkey[M1].secret), 200);
	ADD_MEMBER(f.org, f.acc[M1].id, "member");
	l = OGET("/v1/api-keys", f.personal[M1].secret, f.org);
	CHECK(same_set(l, (const char *[]){f.orgkey[M1].id}, 1), "list after demotion: %s", l->body);
	EXPECT_ERROR(GET(KP(f.orgkey[OWNER].id), f.orgkey[M1].secret), 404, "not_found");
	/* an admin demoted to member loses the view too */
	ADD_MEMBER(f.org, f.acc[ADMIN].id, "member");
	EXPECT_ERROR(GET(KP(f.orgkey[OWNER].id), f.orgkey[ADMIN].secret), 404, "not_found");
}

static void
test_personal_and_org_listings_separate(void)
{
	struct fx f;
	struct http_response *l, *r;
	struct key extra;

	if (!FIXTURE(&f))
		return;
	API_CREATE_KEY(&extra, f.personal[OWNER].secret, f.org, "org via header");
	/* personal context: the personal keys only */
	l = GET("/v1/api-keys?include_revoked=true", f.personal[OWNER].secret);
	CHECK(same_set(l, (const char *[]){f.personal[OWNER].id}, 1), "owner's personal list: %s",
	      l->body);
	/* org context: the org keys only */
	const char *all[] = {f.orgkey[OWNER].id, f.orgkey[ADMIN].id, f.orgkey[M1].id,
	                     f.orgkey[M2].id, extra.id};
	l = OGET("/v1/api-keys?include_revoked=true", f.personal[OWNER].secret, f.org);
	CHECK(same_set(l, all, 5), "org list: %s", l->body);
	l = GET("/v1/api-keys?include_revoked=true", f.orgkey[OWNER].secret);
	CHECK(same_set(l, all, 5), "org list (org key): %s", l->body);
	/* across contexts, keys do not exist */
	EXPECT_ERROR(OGET(KP(f.personal[OWNER].id), f.personal[OWNER].secret, f.org), 404, "not_found");
	EXPECT_ERROR(GET(KP(f.personal[OWNER].id), f.orgkey[OWNER].secret), 404, "not_found");
	EXPECT_ERROR(GET(KP(f.orgkey[OWNER].id), f.personal[OWNER].secret), 404, "not_found");
	EXPECT_ERROR(DEL(KP(f.orgkey[M1].id), f.personal[OWNER].secret), 404, "not_found");
	EXPECT_ERROR(DEL(KP(f.personal[M1].id), f.orgkey[OWNER].secret), 404, "not_found");
	/* org2's keys are not org's: owner is a member of both */
	struct key k2;
	NEW_KEY(&k2, f.acc[OUT].id, f.org2, "org2 key");
	EXPECT_ERROR(OGET(KP(k2.id), f.personal[OWNER].secret, f.org), 404, "not_found");
	/* cursors follow the same visibility */
	r = OGET(P("/v1/api-keys?starting_after=%s", f.personal[OWNER].id), f.personal[OWNER].secret,
	         f.org);
	EXPECT_INVALID(r, "starting_after");
	r = GET(P("/v1/api-keys?starting_after=%s", f.orgkey[OWNER].id), f.personal[OWNER].secret);
	EXPECT_INVALID(r, "starting_after");
	r = GET(P("/v1/api-keys?starting_after=%s", f.orgkey[OWNER].id), f.orgkey[M1].secret);
	EXPECT_INVALID(r, "starting_after");
	/* nothing was revoked on the way */
	EXPECT_STATUS(GET("/v1/me", f.orgkey[M1].secret), 200);
	EXPECT_STATUS(GET("/v1/me", f.personal[M1].secret), 200);
}

/* ---- deactivation and membership changes ---------------------------------------------- */

static void
test_org_deactivated_then_reactivated(void)
{
	struct fx f;
	struct admin_result *ar;
	bool active = true;

	if (!FIXTURE(&f))
		return;
	for (int i = 0; i < 6; i++)
		EXPECT_STATUS(GET("/v1/me", f.orgkey[M1].secret), 200);
	ar = admin_run("org", "deactivate", f.org, (const char *)NULL);
	if (!admin_ok_at(__LINE__, ar))
		return;
	CHECK(jbool(ar->json, "is_active", &active) && !active, "org deactivate printed %s", ar->out);
	for (int i = 0; i < 6; i++)
		EXPECT_ERROR(GET("/v1/me", f.orgkey[M1].secret), 403, "organization_deactivated");
	EXPECT_ERROR(GET("/v1/api-keys", f.orgkey[OWNER].secret), 403, "organization_deactivated");
	EXPECT_ERROR(GET("/v1/nope", f.orgkey[OWNER].secret), 403, "organization_deactivated");
	EXPECT_ERROR(POST_JSON("/v1/api-keys", f.orgkey[ADMIN].secret, "{\"name\": \"x\"}"), 403,
	             "organization_deactivated");
	/* members' personal keys keep working in the personal context */
	for (int w = OWNER; w <= M2; w++) {
		EXPECT_STATUS(GET("/v1/me", f.personal[w].secret), 200);
		EXPECT_STATUS(GET("/v1/api-keys", f.personal[w].secret), 200);
		/* but cannot enter the deactivated organization */
		EXPECT_ERROR(OGET("/v1/api-keys", f.personal[w].secret, f.org), 403,
		             "not_organization_member");
	}
	/* the other organization is not affected */
	EXPECT_STATUS(OGET("/v1/api-keys", f.personal[OWNER].secret, f.org2), 200);
	ar = admin_run("org", "activate", f.org, (const char *)NULL);
	if (admin_ok_at(__LINE__, ar))
		CHECK(jbool(ar->json, "is_active", &active) && active, "org activate printed %s", ar->out);
	for (int i = 0; i < 6; i++)
		EXPECT_STATUS(GET("/v1/me", f.orgkey[M1].secret), 200);
	EXPECT_STATUS(GET("/v1/api-keys", f.orgkey[OWNER].secret), 200);
	EXPECT_STATUS(OGET("/v1/api-keys", f.personal[M2].secret, f.org), 200);
}

static void
test_deactivated_account_with_org_header_403(void)
{
	struct fx f;
	char rnd[37];

	if (!FIXTURE(&f))
		return;
	random_uuid(rnd);
	if (!ADMIN_OK("account", "deactivate", f.acc[M1].id))
		return;
	const char *hdrs[] = {f.org, rnd, f.org2, "malformed"};
	for (size_t i = 0; i < N_ELEMS(hdrs); i++) {
		EXPECT_ERROR(OGET("/v1/api-keys", f.personal[M1].secret, hdrs[i]), 403,
		             "account_deactivated");
		EXPECT_ERROR(OGET("/v1/me", f.personal[M1].secret, hdrs[i]), 403, "account_deactivated");
	}
	EXPECT_ERROR(GET("/v1/me", f.personal[M1].secret), 403, "account_deactivated");
	ADMIN_OK("account", "activate", f.acc[M1].id);
	EXPECT_STATUS(OGET("/v1/api-keys", f.personal[M1].secret, f.org), 200);
}

/* An org key whose creator is no longer an active member: /v1/me works with a
 * null role, /v1/api-keys is 403 not_organization_member. */
static void
check_orphan_org_key(int line, const struct fx *f, enum who w)
{
	const char *secret = f->orgkey[w].secret;
	struct http_response *me = GET("/v1/me", secret);
	char why[128];

	if (expect_status_at(line, me, 200)) {
		CHECK_AT(jkeys_exactly(jget(me->json, "organization"), "id,name,role", why, sizeof(why)) &&
		         jstr(me->json, "organization.id") &&
		         strcmp(jstr(me->json, "organization.id"), f->org) == 0 &&
		         jis_null(me->json, "organization.role"), line,
		         "organization should be {id, name, role: null}: %s", me->body);
		CHECK_AT(jstr(me->json, "account.id") &&
		         strcmp(jstr(me->json, "account.id"), f->acc[w].id) == 0, line,
		         "account should be the creator %s: %s", f->acc[w].id, me->body);
		expect_key_at(line, jget(me->json, "api_key"), &(struct key_expect){
			.id = f->orgkey[w].id, .org = f->org, .created_by = f->acc[w].id, .active = true});
	}
	expect_error_at(line, GET("/v1/api-keys", secret), 403, "not_organization_member");
	expect_error_at(line, GET(KP(f->orgkey[w].id), secret), 403, "not_organization_member");
	expect_error_at(line, GET(P("/v1/api-keys/%s/usage", f->orgkey[w].id), secret), 403,
	                "not_organization_member");
	expect_error_at(line, DEL(KP(f->orgkey[w].id), secret), 403, "not_organization_member");
	expect_error_at(line, POST_JSON("/v1/api-keys", secret, "{\"name\": \"x\"}"), 403,
	                "not_organization_member");
	/* routing still comes first */
	expect_error_at(line, GET("/v1/nope", secret), 404, "not_found");
	expect_error_at(line, REQ(.method = "PUT", .path = "/v1/api-keys", .key = secret), 405,
	                "method_not_allowed");
	/* the key was not revoked by any of this, and the others still see it */
	struct http_response *g = GET(KP(f->orgkey[w].id), f->orgkey[OWNER].secret);
	if (expect_status_at(line, g, 200))
		expect_key_at(line, g->json, &(struct key_expect){.id = f->orgkey[w].id, .org = f->org,
		                                                  .active = true});
}

static void
test_org_key_of_removed_creator(void)
{
	struct fx f;
	struct admin_result *ar;
	bool removed = false;

	if (!FIXTURE(&f))
		return;
	ar = admin_run("org", "remove-member", f.org, f.acc[M2].id, (const char *)NULL);
	if (!admin_ok_at(__LINE__, ar))
		return;
	CHECK(jstr(ar->json, "organization_id") &&
	      strcmp(jstr(ar->json, "organization_id"), f.org) == 0 &&
	      jstr(ar->json, "account_id") && strcmp(jstr(ar->json, "account_id"), f.acc[M2].id) == 0 &&
	      jbool(ar->json, "removed", &removed) && removed, "remove-member printed %s", ar->out);
	check_orphan_org_key(__LINE__, &f, M2);
	/* an admin who leaves: the same */
	if (!ADMIN_OK("org", "remove-member", f.org, f.acc[ADMIN].id))
		return;
	check_orphan_org_key(__LINE__, &f, ADMIN);
	/* back as a member: manages keys again, its own only */
	ADD_MEMBER(f.org, f.acc[M2].id, "member");
	struct http_response *l = GET("/v1/api-keys", f.orgkey[M2].secret);
	CHECK(same_set(l, (const char *[]){f.orgkey[M2].id}, 1), "list after rejoining: %s", l->body);
}

static void
test_org_key_of_deactivated_creator(void)
{
	struct fx f;

	if (!FIXTURE(&f))
		return;
	if (!ADMIN_OK("account", "deactivate", f.acc[M1].id))
		return;
	check_orphan_org_key(__LINE__, &f, M1);
	ADMIN_OK("account", "activate", f.acc[M1].id);
	struct http_response *l = GET("/v1/api-keys", f.orgkey[M1].secret);
	CHECK(same_set(l, (const char *[]){f.orgkey[M1].id}, 1), "list after reactivation: %s",
	      l->body);
}

static void
test_me_in_org_context(void)
{
	struct fx f;
	char why[128];

	if (!FIXTURE(&f))
		return;
	for (int mode = 0; mode < 2; mode++) {
		for (int w = OWNER; w <= M2; w++) {
			struct http_response *me = as_actor(&f, (enum who)w, mode, "GET", "/v1/me");
			const struct key *k = mode ? &f.orgkey[w] : &f.personal[w];

			if (!EXPECT_STATUS(me, 200))
				continue;
			CHECK(jstr(me->json, "object") && strcmp(jstr(me->json, "object"), "identity") == 0,
			      "object: %s", me->body);
			CHECK(jkeys_exactly(jget(me->json, "organization"), "id,name,role", why, sizeof(why)),
			      "organization members: %s in %s", why, me->body);
			CHECK(jstr(me->json, "organization.id") &&
			      strcmp(jstr(me->json, "organization.id"), f.org) == 0 &&
			      jstr(me->json, "organization.name") &&
			      strcmp(jstr(me->json, "organization.name"), f.org_name) == 0 &&
			      jstr(me->json, "organization.role") &&
			      strcmp(jstr(me->json, "organization.role"), who_role[w]) == 0,
			      "%s (%s): organization %s, want %s %s %s", who_name[w],
			      mode ? "org key" : "header", me->body, f.org, f.org_name, who_role[w]);
			CHECK(jkeys_exactly(jget(me->json, "account"), "id,email,name", why, sizeof(why)) &&
			      jstr(me->json, "account.id") &&
			      strcmp(jstr(me->json, "account.id"), f.acc[w].id) == 0 &&
			      jstr(me->json, "account.email") &&
			      strcmp(jstr(me->json, "account.email"), f.acc[w].email) == 0,
			      "%s: account %s", who_name[w], me->body);
			expect_key_at(__LINE__, jget(me->json, "api_key"), &(struct key_expect){
				.id = k->id, .org = mode ? f.org : NULL, .created_by = f.acc[w].id,
				.active = true});
		}
	}
}

static void
test_org_check_order(void)
{
	struct fx f;

	if (!FIXTURE(&f))
		return;
	const char *big = P("%0*d", 70000, 0);
	const struct { int line; struct rq q; int status; const char *code; } cases[] = {
		/* routing before organization context */
		{__LINE__, {.method = "GET", .path = "/v1/nope", .key = f.personal[OUT].secret,
		            .org = f.org}, 404, "not_found"},
		{__LINE__, {.method = "PUT", .path = "/v1/api-keys", .key = f.personal[OUT].secret,
		            .org = f.org}, 405, "method_not_allowed"},
		{__LINE__, {.method = "GET", .path = "/v1/nope", .key = f.personal[OWNER].secret,
		            .org = "malformed"}, 404, "not_found"},
		{__LINE__, {.method = "GET", .path = "/v1/nope", .key = f.orgkey[OWNER].secret,
		            .org = f.org2}, 404, "not_found"},
		/* organization context before content type, size and body */
		{__LINE__, {.method = "POST", .path = "/v1/api-keys", .key = f.personal[OUT].secret,
		            .org = f.org, .ctype = "text/plain", .body = big}, 403,
		 "not_organization_member"},
		{__LINE__, {.method = "POST", .path = "/v1/api-keys", .key = f.personal[OWNER].secret,
		            .org = "malformed", .ctype = "text/plain", .body = "{"}, 400, "invalid_request"},
		{__LINE__, {.method = "POST", .path = "/v1/api-keys", .key = f.orgkey[OWNER].secret,
		            .org = f.org2, .ctype = "text/plain", .body = big}, 403,
		 "organization_mismatch"},
		{__LINE__, {.method = "GET", .path = "/v1/api-keys?limit=0", .key = f.personal[OUT].secret,
		            .org = f.org}, 403, "not_organization_member"},
		/* a member in its org: then content type, size, body */
		{__LINE__, {.method = "POST", .path = "/v1/api-keys", .key = f.personal[M1].secret,
		            .org = f.org, .ctype = "text/plain", .body = big}, 415, "unsupported_media_type"},
		{__LINE__, {.method = "POST", .path = "/v1/api-keys", .key = f.personal[M1].secret,
		            .org = f.org, .ctype = "application/json", .body = big}, 413,
		 "payload_too_large"},
		{__LINE__, {.method = "POST", .path = "/v1/api-keys", .key = f.personal[M1].secret,
		            .org = f.org, .ctype = "application/json", .body = "{"}, 400, "invalid_json"},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++)
		expect_error_at(cases[i].line, itest_request(&cases[i].q), cases[i].status,
		                cases[i].code);
}

/* Requests that authenticated count, org context errors included; requests
 * refused because the owner is deactivated do not (docs/api.md, "The key object"). */
static void
test_org_context_errors_counted(void)
{
	struct fx f;
	struct http_response *r;

	if (!FIXTURE(&f))
		return;
	/* personal key of the outsider: 2 x 403 not_organization_member, 1 x 400 */
	EXPECT_ERROR(OGET("/v1/api-keys", f.personal[OUT].secret, f.org), 403,
	             "not_organization_member");
	EXPECT_ERROR(OGET("/v1/me", f.personal[OUT].secret, f.org), 403, "not_organization_member");
	EXPECT_ERROR(OGET("/v1/me", f.personal[OUT].secret, "malformed"), 400, "invalid_request");
	/* org key of member 1: 2 x 403 organization_mismatch, 1 x 200 */
	EXPECT_ERROR(OGET("/v1/me", f.orgkey[M1].secret, f.org2), 403, "organization_mismatch");
	EXPECT_ERROR(OGET("/v1/api-keys", f.orgkey[M1].secret, f.org2), 403, "organization_mismatch");
	EXPECT_STATUS(GET("/v1/me", f.orgkey[M1].secret), 200);
	/* org key of member 2 while the org is deactivated: not counted */
	if (!ADMIN_OK("org", "deactivate", f.org))
		return;
	for (int i = 0; i < 3; i++)
		EXPECT_ERROR(GET("/v1/me", f.orgkey[M2].secret), 403, "organization_deactivated");
	ADMIN_OK("org", "activate", f.org);
	usleep(2500 * 1000);
	/* read by another key, so that no response has to include its own request */
	struct key obs;
	NEW_KEY(&obs, f.acc[OUT].id, NULL, "observer");
	r = GET(KP(f.personal[OUT].id), obs.secret);
	if (EXPECT_STATUS(r, 200))
		CHECK(json_object_get_int64(jget(r->json, "request_count")) == 3 &&
		      jstr(r->json, "last_used_at") != NULL,
		      "outsider's key after 3 counted requests (403, 403, 400): %s", r->body);
	r = GET(KP(f.orgkey[M1].id), f.orgkey[OWNER].secret);
	if (EXPECT_STATUS(r, 200))
		CHECK(json_object_get_int64(jget(r->json, "request_count")) == 3,
		      "member 1's org key after 3 counted requests: %s", r->body);
	r = GET(KP(f.orgkey[M2].id), f.orgkey[OWNER].secret);
	if (EXPECT_STATUS(r, 200))
		CHECK(json_object_get_int64(jget(r->json, "request_count")) == 0 &&
		      jis_null(r->json, "last_used_at"),
		      "member 2's org key after 403 organization_deactivated only: %s", r->body);
}

/* ---- scripts/admin ---------------------------------------------------------------------- */

static void
test_admin_cli_errors(void)
{
	struct fx f;
	char rnd[37];
	char upper_email[160];

	if (!FIXTURE(&f))
		return;
	random_uuid(rnd);
	str_upper(upper_email, f.acc[M1].email, sizeof(upper_email));
	const struct { int line; const char *args[10]; } cases[] = {
		{__LINE__, {"account", "create", "--email", f.acc[M1].email, "--name", "dup"}},
		{__LINE__, {"account", "create", "--email", upper_email, "--name", "dup"}},
		{__LINE__, {"account", "create", "--email", "no-at-sign", "--name", "x"}},
		{__LINE__, {"account", "deactivate", rnd}},
		{__LINE__, {"account", "activate", "not-a-uuid"}},
		{__LINE__, {"org", "create", "--name", "x", "--owner", rnd}},
		{__LINE__, {"org", "add-member", f.org, rnd, "--role", "member"}},
		{__LINE__, {"org", "add-member", rnd, f.acc[OUT].id, "--role", "member"}},
		{__LINE__, {"org", "add-member", f.org, f.acc[OUT].id, "--role", "superuser"}},
		{__LINE__, {"org", "add-member", f.org, f.acc[OUT].id}},
		{__LINE__, {"org", "remove-member", f.org, f.acc[OUT].id}},
		{__LINE__, {"org", "deactivate", rnd}},
		{__LINE__, {"key", "create", "--account", rnd, "--name", "x"}},
		{__LINE__, {"key", "create", "--account", f.acc[OUT].id, "--org", f.org, "--name", "x"}},
		{__LINE__, {"key", "create", "--account", f.acc[OWNER].id, "--org", rnd, "--name", "x"}},
		{__LINE__, {"key", "create", "--account", f.acc[OWNER].id, "--name", ""}},
		{__LINE__, {"no-such", "command"}},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const char *const *a = cases[i].args;
		struct admin_result *r = admin_run(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
		                                   a[9], (const char *)NULL);
		CHECK_AT(r->status > 0 && r->json == NULL && r->err[0] != '\0', cases[i].line,
		         "scripts/admin %s %s ...: exit %d, stdout \"%s\", stderr \"%s\"", a[0], a[1],
		         r->status, r->out, r->err);
	}
	/* the bad role did not make the outsider a member */
	EXPECT_ERROR(OGET("/v1/api-keys", f.personal[OUT].secret, f.org), 403,
	             "not_organization_member");
	/* a removed member cannot be given an org key either */
	if (!ADMIN_OK("org", "remove-member", f.org, f.acc[M2].id))
		return;
	struct admin_result *r = admin_run("key", "create", "--account", f.acc[M2].id, "--org", f.org,
	                                   "--name", "x", (const char *)NULL);
	CHECK(r->status > 0 && r->json == NULL, "key create --org for a removed member: exit %d %s",
	      r->status, r->out);
}

/*
 * Issue #11: scripts/admin creates a key only where the API would: not in a
 * deactivated organization, not for a deactivated account (org or personal
 * key), each refused with a message saying why and without writing a row.
 */
static void
test_admin_key_create_refuses_deactivated_owner(void)
{
	struct fx f;
	struct key k;
	struct admin_result *r;
	struct http_response *l;
	const char *ids[16];
	size_t n;

	if (!FIXTURE(&f))
		return;
	const struct { int line; const char *deactivate, *id, *account, *org, *why; } cases[] = {
		{__LINE__, "org", f.org, f.acc[OWNER].id, f.org, "organization is deactivated"},
		{__LINE__, "org", f.org, f.acc[M1].id, f.org, "organization is deactivated"},
		{__LINE__, "account", f.acc[M1].id, f.acc[M1].id, f.org, "account is deactivated"},
		{__LINE__, "account", f.acc[OWNER].id, f.acc[OWNER].id, f.org, "account is deactivated"},
		{__LINE__, "account", f.acc[M1].id, f.acc[M1].id, NULL, "account is deactivated"},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		if (!admin_ok_at(cases[i].line, admin_run(cases[i].deactivate, "deactivate", cases[i].id,
		                                          (const char *)NULL)))
			return;
		r = cases[i].org ?
			admin_run("key", "create", "--account", cases[i].account, "--org", cases[i].org,
			          "--name", "refused", (const char *)NULL) :
			admin_run("key", "create", "--account", cases[i].account, "--name", "refused",
			          (const char *)NULL);
		CHECK_AT(r->status > 0 && r->out[0] == '\0' && strstr(r->err, cases[i].why) != NULL,
		         cases[i].line, "key create --account %s%s%s with the %s deactivated: exit %d, "
		         "stdout \"%s\", stderr \"%s\" (want \"%s\")", cases[i].account,
		         cases[i].org ? " --org " : "", cases[i].org ? cases[i].org : "",
		         cases[i].deactivate, r->status, r->out, r->err, cases[i].why);
		if (!admin_ok_at(cases[i].line, admin_run(cases[i].deactivate, "activate", cases[i].id,
		                                          (const char *)NULL)))
			return;
	}
	/* no row was written: the organization has its four org keys, member 1 one personal key */
	l = OGET("/v1/api-keys?include_revoked=true", f.personal[OWNER].secret, f.org);
	if (EXPECT_STATUS(l, 200))
		CHECK((n = jlist_ids(l, ids, 16)) == 4, "%zu keys in the organization, want its 4 org "
		      "keys: %s", n, l->body);
	l = GET("/v1/api-keys?include_revoked=true", f.personal[M1].secret);
	if (EXPECT_STATUS(l, 200))
		CHECK((n = jlist_ids(l, ids, 16)) == 1 && strcmp(ids[0], f.personal[M1].id) == 0,
		      "member 1 has %zu personal keys, want its one: %s", n, l->body);
	/* and where the API would create one, scripts/admin does */
	NEW_KEY(&k, f.acc[M1].id, f.org, "allowed again");
}

const struct itest_case itest_orgs_cases[] = {
	ITEST(test_org_key_created_with_personal_key_and_header),
	ITEST(test_org_key_creates_org_keys_as_its_creator),
	ITEST(test_not_member_403),
	ITEST(test_malformed_org_header_400),
	ITEST(test_org_key_with_other_org_header_403),
	ITEST(test_role_matrix_list_and_retrieve),
	ITEST(test_role_matrix_revoke),
	ITEST(test_current_role_decides),
	ITEST(test_personal_and_org_listings_separate),
	ITEST(test_org_deactivated_then_reactivated),
	ITEST(test_deactivated_account_with_org_header_403),
	ITEST(test_org_key_of_removed_creator),
	ITEST(test_org_key_of_deactivated_creator),
	ITEST(test_me_in_org_context),
	ITEST(test_org_check_order),
	ITEST(test_org_context_errors_counted),
	ITEST(test_admin_cli_errors),
	ITEST(test_admin_key_create_refuses_deactivated_owner),
};
const size_t itest_orgs_count = N_ELEMS(itest_orgs_cases);
