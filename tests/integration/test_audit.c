/*
 * Integration tests of the audit log (issue 15, docs/api.md "GET
 * /v1/audit-events"): every change writes exactly one event and a failed or
 * empty change none; who reads which events; pagination and filters; the
 * database grant that keeps the table append-only; no secret in any event.
 */
#include "itest.h"

#include <stdlib.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KP(id) P("/v1/api-keys/%s", (id))

/* The actions of a list, newest first, as "a,b,c" (tracked). */
static const char *
actions_of(const struct http_response *r)
{
	json_object *data = jget(r->json, "data");
	const char *s = "";

	for (size_t i = 0; data != NULL && i < json_object_array_length(data); i++) {
		const char *a = jstr(json_object_array_get_idx(data, i), "action");
		s = P("%s%s%s", s, i ? "," : "", a ? a : "?");
	}
	return s;
}

/* The list's actions are exactly `want` (newest first). */
static bool
expect_actions_at(int line, const struct http_response *r, const char *want)
{
	const char *got = actions_of(r);

	return CHECK_AT(strcmp(got, want) == 0, line, "%s: actions [%s], want [%s]", r->what, got,
	                want);
}
#define EXPECT_ACTIONS(r, want) expect_actions_at(__LINE__, (r), (want))

/* The members of every event, and its actor's shape (docs/api.md, "The audit event"). */
static bool
expect_event_shape_at(int line, json_object *e)
{
	char why[160];
	bool ok = CHECK_AT(jkeys_exactly(e, "id,object,action,created_at,organization_id,actor,"
	                                 "target,client_address,user_agent,request_id,details",
	                                 why, sizeof(why)), line, "event members: %s in %s", why,
	                   json_object_to_json_string(e));

	ok &= CHECK_AT(jkeys_exactly(jget(e, "actor"), "type,account_id,api_key_id,dashboard_session",
	                             why, sizeof(why)) &&
	               jkeys_exactly(jget(e, "target"), "type,id", why, sizeof(why)), line,
	               "actor or target members: %s in %s", why, json_object_to_json_string(e));
	ok &= CHECK_AT(is_uuid_lower(jstr(e, "id")) && is_rfc3339_utc(jstr(e, "created_at")) &&
	               strcmp(jstr(e, "object") ? jstr(e, "object") : "", "audit_event") == 0 &&
	               json_object_is_type(jget(e, "details"), json_type_object), line,
	               "id, created_at, object or details: %s", json_object_to_json_string(e));
	return ok;
}

/* The event was written by key `key` of `account` through the request whose answer was r. */
static bool
expect_by_key_at(int line, json_object *e, const char *account, const char *key,
                 const struct http_response *r)
{
	const char *rid = http_header(r, "X-Request-Id");

	return expect_event_shape_at(line, e) &&
	       CHECK_AT(jstr(e, "actor.type") && strcmp(jstr(e, "actor.type"), "api_key") == 0 &&
	                jstr(e, "actor.account_id") && strcmp(jstr(e, "actor.account_id"), account) == 0 &&
	                jstr(e, "actor.api_key_id") && strcmp(jstr(e, "actor.api_key_id"), key) == 0 &&
	                jis_null(e, "actor.dashboard_session") && rid != NULL &&
	                jstr(e, "request_id") && strcmp(jstr(e, "request_id"), rid) == 0 &&
	                jstr(e, "client_address") && jstr(e, "client_address")[0] != '\0' &&
	                jstr(e, "user_agent") && strcmp(jstr(e, "user_agent"), "parsesphere-itest") == 0,
	                line, "the event's actor and request (X-Request-Id %s): %s", rid ? rid : "-",
	                json_object_to_json_string(e));
}
#define EXPECT_BY_KEY(e, account, key, r) expect_by_key_at(__LINE__, (e), (account), (key), (r))

/* The event was written by scripts/admin: no account, key, session or request. */
static bool
expect_by_admin_at(int line, json_object *e)
{
	return expect_event_shape_at(line, e) &&
	       CHECK_AT(jstr(e, "actor.type") && strcmp(jstr(e, "actor.type"), "admin") == 0 &&
	                jis_null(e, "actor.account_id") && jis_null(e, "actor.api_key_id") &&
	                jis_null(e, "request_id") && jis_null(e, "client_address"), line,
	                "an event of scripts/admin: %s", json_object_to_json_string(e));
}
#define EXPECT_BY_ADMIN(e) expect_by_admin_at(__LINE__, (e))

/* A detail of an event as text ("" when absent). */
static const char *
detail(json_object *e, const char *name)
{
	const char *v = jstr(e, P("details.%s", name));

	return v ? v : "";
}

static void
test_audit_key_changes(void)
{
	struct acct a;
	struct key k;
	struct http_response *create, *revoke, *r;
	json_object *e = NULL;
	const char *x;

	if (!NEW_ACCOUNT(&a, "auditkeys") || !NEW_KEY(&k, a.id, NULL, "auditor"))
		return;
	/* scripts/admin's create, then ours through the API. */
	r = AUDIT_GET(k.secret, NULL, "");
	if (EXPECT_ACTIONS(r, "key.created") && audit_count(r, "key.created", k.id, &e) == 1) {
		EXPECT_BY_ADMIN(e);
		CHECK(jis_null(e, "organization_id") && strcmp(jstr(e, "target.type"), "api_key") == 0,
		      "key.created by scripts/admin: %s", json_object_to_json_string(e));
	}
	create = POST_JSON("/v1/api-keys", k.secret, "{\"name\": \"audited\"}");
	if (!EXPECT_STATUS(create, 201))
		return;
	x = jstr(create->json, "id");
	/* Failed changes write nothing: a bad name, a revoked key's roll, a second revoke. */
	EXPECT_STATUS(POST_JSON("/v1/api-keys", k.secret, "{\"name\": \"\"}"), 400);
	revoke = DEL(KP(x), k.secret);
	EXPECT_STATUS(revoke, 200);
	EXPECT_STATUS(DEL(KP(x), k.secret), 200);
	EXPECT_ERROR(POST_JSON(P("/v1/api-keys/%s/roll", x), k.secret, "{}"), 409, "api_key_revoked");
	r = AUDIT_GET(k.secret, NULL, "");
	if (!EXPECT_ACTIONS(r, "key.revoked,key.created,key.created"))
		return;
	if (audit_count(r, "key.created", x, &e) == 1)
		EXPECT_BY_KEY(e, a.id, k.id, create);
	if (audit_count(r, "key.revoked", x, &e) == 1 && EXPECT_BY_KEY(e, a.id, k.id, revoke))
		CHECK(strcmp(detail(e, "reason"), "user") == 0, "key.revoked: %s",
		      json_object_to_json_string(e));
	/* A roll: one event on the old key, naming the new one; nothing more for the new key. */
	r = POST_JSON(P("/v1/api-keys/%s/roll", k.id), k.secret, "{\"grace_period_seconds\": 90}");
	if (!EXPECT_STATUS(r, 201))
		return;
	create = r;
	r = AUDIT_GET(jstr(create->json, "secret"), NULL, "");
	if (EXPECT_ACTIONS(r, "key.rolled,key.revoked,key.created,key.created") &&
	    audit_count(r, "key.rolled", k.id, &e) == 1 && EXPECT_BY_KEY(e, a.id, k.id, create)) {
		json_object *g = jget(e, "details.grace_period_seconds");

		CHECK(strcmp(detail(e, "replaced_by"), jstr(create->json, "id")) == 0 && g != NULL &&
		      json_object_get_int(g) == 90 && is_rfc3339_utc(detail(e, "expires_at")),
		      "key.rolled: %s", json_object_to_json_string(e));
	}
}

/* The admin tool's changes: one event each, none when nothing changes or the change fails. */
static void
test_audit_admin_changes(void)
{
	struct acct owner, m;
	struct key ko, km;
	char org[37];
	struct admin_result *ar;
	struct http_response *r;
	json_object *e = NULL;

	if (!NEW_ACCOUNT(&owner, "auditowner") || !NEW_ACCOUNT(&m, "auditmember") ||
	    !NEW_KEY(&ko, owner.id, NULL, "owner") || !NEW_KEY(&km, m.id, NULL, "member") ||
	    !NEW_ORG(org, unique("Audit Org"), owner.id) || !ADD_MEMBER(org, m.id, "member") ||
	    !ADD_MEMBER(org, m.id, "admin") || !ADD_MEMBER(org, m.id, "admin"))
		return;
	ar = admin_run("org", "remove-member", org, m.id, (const char *)NULL);
	admin_ok_at(__LINE__, ar);
	ar = admin_run("org", "remove-member", org, m.id, (const char *)NULL);
	CHECK(ar->status != 0, "removing a non-member succeeded: %s", ar->out);
	ADMIN_OK("org", "deactivate", org);
	ADMIN_OK("org", "deactivate", org);
	ADMIN_OK("org", "activate", org);
	r = AUDIT_GET(ko.secret, org, "");
	EXPECT_ACTIONS(r, "org.activated,org.deactivated,org.member_removed,"
	               "org.member_role_changed,org.member_added,org.created");
	if (audit_count(r, "org.created", org, &e) == 1 && EXPECT_BY_ADMIN(e))
		CHECK(strcmp(detail(e, "owner"), owner.id) == 0 && jstr(e, "organization_id") &&
		      strcmp(jstr(e, "organization_id"), org) == 0 &&
		      strcmp(jstr(e, "target.type"), "organization") == 0, "org.created: %s",
		      json_object_to_json_string(e));
	if (audit_count(r, "org.member_added", m.id, &e) == 1)
		CHECK(strcmp(detail(e, "role"), "member") == 0 && strcmp(jstr(e, "target.type"),
		      "account") == 0, "org.member_added: %s", json_object_to_json_string(e));
	if (audit_count(r, "org.member_role_changed", m.id, &e) == 1)
		CHECK(strcmp(detail(e, "role"), "admin") == 0 &&
		      strcmp(detail(e, "previous_role"), "member") == 0,
		      "org.member_role_changed: %s", json_object_to_json_string(e));
	if (audit_count(r, "org.member_removed", m.id, &e) == 1)
		CHECK(strcmp(detail(e, "previous_role"), "admin") == 0, "org.member_removed: %s",
		      json_object_to_json_string(e));
	/* The organization's changes are not the member's personal events. */
	r = AUDIT_GET(km.secret, NULL, "");
	EXPECT_ACTIONS(r, "key.created");
	/* An account: deactivated (once), activated; read in its own personal context. */
	ADMIN_OK("account", "deactivate", m.id);
	ADMIN_OK("account", "deactivate", m.id);
	EXPECT_ERROR(GET("/v1/audit-events", km.secret), 403, "account_deactivated");
	ADMIN_OK("account", "activate", m.id);
	ADMIN_OK("account", "activate", m.id);
	r = AUDIT_GET(km.secret, NULL, P("target_id=%s", m.id));
	if (EXPECT_ACTIONS(r, "account.activated,account.deactivated") &&
	    audit_count(r, "account.deactivated", m.id, &e) == 1 && EXPECT_BY_ADMIN(e))
		CHECK(jis_null(e, "organization_id") && strcmp(jstr(e, "target.type"), "account") == 0,
		      "account.deactivated: %s", json_object_to_json_string(e));
}

/* Personal events for the account; an organization's for its owners and admins only. */
static void
test_audit_visibility(void)
{
	struct acct owner, admin, m, out;
	struct key po, pa, pm, pout, ka, km;
	char org[37];
	struct http_response *r;
	json_object *data;

	if (!NEW_ACCOUNT(&owner, "visowner") || !NEW_ACCOUNT(&admin, "visadmin") ||
	    !NEW_ACCOUNT(&m, "vismember") || !NEW_ACCOUNT(&out, "visout") ||
	    !NEW_ORG(org, unique("Vis Org"), owner.id) || !ADD_MEMBER(org, admin.id, "admin") ||
	    !ADD_MEMBER(org, m.id, "member") || !NEW_KEY(&po, owner.id, NULL, "po") ||
	    !NEW_KEY(&pa, admin.id, NULL, "pa") || !NEW_KEY(&pm, m.id, NULL, "pm") ||
	    !NEW_KEY(&pout, out.id, NULL, "pout") || !NEW_KEY(&ka, admin.id, org, "ka") ||
	    !NEW_KEY(&km, m.id, org, "km"))
		return;
	/* Owners and admins, with a personal key and the header or with an org key. */
	r = AUDIT_GET(po.secret, org, "");
	CHECK(audit_count(r, "key.created", km.id, NULL) == 1 &&
	      audit_count(r, "org.member_added", m.id, NULL) == 1 &&
	      audit_count(r, "key.created", pm.id, NULL) == 0, "the owner's view of the org: [%s]",
	      actions_of(r));
	CHECK(audit_count(AUDIT_GET(pa.secret, org, ""), "key.created", km.id, NULL) == 1,
	      "an admin does not see the organization's events");
	CHECK(audit_count(AUDIT_GET(ka.secret, NULL, ""), "key.created", km.id, NULL) == 1,
	      "an admin's org key does not see the organization's events");
	/* Members: 403 insufficient_permissions, with a personal key or an org key. */
	EXPECT_ERROR(OGET("/v1/audit-events", pm.secret, org), 403, "insufficient_permissions");
	EXPECT_ERROR(GET("/v1/audit-events", km.secret), 403, "insufficient_permissions");
	/* Outsiders: not a member. */
	EXPECT_ERROR(OGET("/v1/audit-events", pout.secret, org), 403, "not_organization_member");
	/* Personal contexts: the account's own events only. */
	r = AUDIT_GET(pm.secret, NULL, "");
	EXPECT_ACTIONS(r, "key.created");
	CHECK(audit_count(r, "key.created", pm.id, NULL) == 1, "the member's own: [%s]",
	      actions_of(r));
	r = AUDIT_GET(po.secret, NULL, "");
	data = jget(r->json, "data");
	for (size_t i = 0; data != NULL && i < json_object_array_length(data); i++)
		CHECK(jis_null(json_object_array_get_idx(data, i), "organization_id"),
		      "an organization's event in a personal list: %s",
		      json_object_to_json_string(json_object_array_get_idx(data, i)));
	CHECK(audit_count(AUDIT_GET(pout.secret, NULL, ""), NULL, po.id, NULL) == 0,
	      "another account's events are visible");
	/* An admin demoted to member loses the view at once; an org key whose creator left too. */
	ADD_MEMBER(org, admin.id, "member");
	EXPECT_ERROR(GET("/v1/audit-events", ka.secret), 403, "insufficient_permissions");
	ADD_MEMBER(org, admin.id, "owner");
	EXPECT_STATUS(GET("/v1/audit-events", ka.secret), 200);
	ADMIN_OK("org", "remove-member", org, admin.id);
	EXPECT_ERROR(GET("/v1/audit-events", ka.secret), 403, "insufficient_permissions");
}

/* Walks the pages of query with `limit`: the ids in order, and how many pages. */
static size_t
walk_pages(const char *key, const char *query, int limit, const char *ids[], size_t cap,
           int *pages)
{
	const char *after = NULL;
	size_t n = 0;
	bool more = true;

	for (*pages = 0; more && *pages < 50; (*pages)++) {
		struct http_response *r = AUDIT_GET(key, NULL, P("%s%slimit=%d%s%s", query,
		                                    query[0] ? "&" : "", limit,
		                                    after ? "&starting_after=" : "", after ? after : ""));
		size_t got = jlist_ids(r, ids + n, cap - n);

		if (!jbool(r->json, "has_more", &more) || got == 0)
			break;
		n += got;
		after = ids[n - 1];
	}
	return n;
}

static void
test_audit_pages_and_filters(void)
{
	struct acct a, b;
	struct key k, kb, made[5];
	const char *all[16], *paged[16];
	struct http_response *r;
	json_object *newest;
	size_t n, np;
	int pages = 0;
	char second[21];

	if (!NEW_ACCOUNT(&a, "auditpages") || !NEW_KEY(&k, a.id, NULL, "pager") ||
	    !NEW_ACCOUNT(&b, "auditother") || !NEW_KEY(&kb, b.id, NULL, "other"))
		return;
	for (int i = 0; i < 5; i++)
		if (!API_CREATE_KEY(&made[i], k.secret, NULL, P("made %d", i)))
			return;
	r = AUDIT_GET(k.secret, NULL, "");
	n = jlist_ids(r, all, 16);
	CHECK(n == 6, "%zu events, want 6 (6 keys made)", n);
	/* Pages of 2 walk the same list, newest first, has_more false on the last. */
	np = walk_pages(k.secret, "", 2, paged, 16, &pages);
	CHECK(np == n && pages == 3, "pages of 2: %zu events in %d pages, want %zu in 3", np, pages,
	      n);
	for (size_t i = 0; i < n && i < np; i++)
		CHECK(strcmp(all[i], paged[i]) == 0, "page order: event %zu is %s, want %s", i,
		      paged[i], all[i]);
	audit_count(r, "key.created", made[4].id, &newest);
	CHECK(newest == json_object_array_get_idx(jget(r->json, "data"), 0),
	      "the newest event is not first");
	/* Filters: action, target, and [since, until) in whole seconds. */
	r = AUDIT_GET(k.secret, NULL, P("action=key.created&target_id=%s", made[2].id));
	CHECK(audit_count(r, NULL, NULL, NULL) == 1 && audit_count(r, NULL, made[2].id, NULL) == 1,
	      "action and target_id: [%s]", actions_of(r));
	CHECK(audit_count(AUDIT_GET(k.secret, NULL, "action=key.revoked"), NULL, NULL, NULL) == 0,
	      "action=key.revoked lists other actions");
	CHECK(audit_count(AUDIT_GET(k.secret, NULL, "since=2000-01-01T00:00:00Z"), NULL, NULL,
	                  NULL) == 6, "since 2000: not all events");
	CHECK(audit_count(AUDIT_GET(k.secret, NULL, "until=2000-01-01T00:00:00Z"), NULL, NULL,
	                  NULL) == 0, "until 2000: events");
	CHECK(audit_count(AUDIT_GET(k.secret, NULL, "since=9999-12-31T23:59:59Z"), NULL, NULL,
	                  NULL) == 0, "since 9999: events");
	snprintf(second, sizeof(second), "%s", newest && jstr(newest, "created_at") ?
	         jstr(newest, "created_at") : "");
	r = AUDIT_GET(k.secret, NULL, P("since=%s", second));
	CHECK(audit_count(r, NULL, made[4].id, NULL) == 1, "since=%s leaves out the newest", second);
	r = AUDIT_GET(k.secret, NULL, P("until=%s", second));
	CHECK(audit_count(r, NULL, made[4].id, NULL) == 0, "until=%s keeps the newest (until is "
	      "exclusive)", second);
	/* Refused: a cursor of another account's, or unknown; bad values; unknown parameters. */
	r = AUDIT_GET(kb.secret, NULL, "");
	jlist_ids(r, paged, 1);
	EXPECT_INVALID(GET(P("/v1/audit-events?starting_after=%s", paged[0]), k.secret),
	               "starting_after");
	EXPECT_INVALID(GET(P("/v1/audit-events?starting_after=%s", k.id), k.secret),
	               "starting_after");
	EXPECT_INVALID(GET("/v1/audit-events?starting_after=x", k.secret), "starting_after");
	EXPECT_INVALID(GET("/v1/audit-events?limit=0", k.secret), "limit");
	EXPECT_INVALID(GET("/v1/audit-events?limit=101", k.secret), "limit");
	EXPECT_INVALID(GET("/v1/audit-events?action=key", k.secret), "action");
	EXPECT_INVALID(GET("/v1/audit-events?action=KEY.CREATED", k.secret), "action");
	EXPECT_INVALID(GET("/v1/audit-events?target_id=42", k.secret), "target_id");
	EXPECT_INVALID(GET("/v1/audit-events?since=yesterday", k.secret), "since");
	EXPECT_INVALID(GET("/v1/audit-events?until=2026-11-26T12:00:00", k.secret), "until");
	EXPECT_INVALID(GET("/v1/audit-events?include_revoked=true", k.secret), "include_revoked");
	EXPECT_INVALID(GET("/v1/audit-events?limit=1&limit=2", k.secret), "limit");
	/* Methods and authentication as everywhere. */
	r = POST_JSON("/v1/audit-events", k.secret, "{}");
	if (EXPECT_ERROR(r, 405, "method_not_allowed"))
		CHECK(http_header(r, "Allow") && strcmp(http_header(r, "Allow"), "GET") == 0,
		      "Allow: %s", http_header(r, "Allow") ? http_header(r, "Allow") : "(none)");
	EXPECT_ERROR(GET("/v1/audit-events", NULL), 401, "missing_api_key");
}

/* SQL as the service's own database user, over the stack's socket: the exit status. */
static int
app_sql(const char *stmt, const char **out)
{
	const char *pw = file_from(state_path("db_password"), 0);

	return run_cmd(P("MYSQL_PWD=%s mariadb --defaults-file=%s --user=parsesphere -N -B "
	                 "parsesphere -e %s", sq(P("%.*s", (int)strcspn(pw, "\n"), pw)),
	                 sq(state_path("my.cnf")), sq(stmt)), out);
}

/* The service's database user can add and read events, never change or delete one. */
static void
test_audit_append_only(void)
{
	const char *out = "";

	CHECK(app_sql("SELECT COUNT(*) FROM audit_events", &out) == 0 && atol(out) > 0,
	      "SELECT as the service's user: %s", out);
	CHECK(app_sql("START TRANSACTION; INSERT INTO audit_events (id, created_at, action,"
	              " actor_type, target_type) VALUES (UNHEX(REPEAT('00', 16)), NOW(6), 'x', 'x',"
	              " 'x'); ROLLBACK", &out) == 0, "INSERT as the service's user: %s", out);
	CHECK(app_sql("UPDATE audit_events SET action = action LIMIT 1", &out) != 0 &&
	      strstr(out, "1142") && strstr(out, "UPDATE command denied"),
	      "UPDATE as the service's user was not refused: %s", out);
	CHECK(app_sql("DELETE FROM audit_events LIMIT 1", &out) != 0 && strstr(out, "1142") &&
	      strstr(out, "DELETE command denied"),
	      "DELETE as the service's user was not refused: %s", out);
	CHECK(app_sql("TRUNCATE TABLE audit_events", &out) != 0 && strstr(out, "denied"),
	      "TRUNCATE as the service's user was not refused: %s", out);
}

/* Events carry ids and names, never a secret: not the caller's, not a new key's. */
static void
test_audit_no_secrets(void)
{
	struct acct a;
	struct key k, n;
	struct http_response *r;

	if (!NEW_ACCOUNT(&a, "auditsecret") || !NEW_KEY(&k, a.id, NULL, "secretive") ||
	    !API_CREATE_KEY(&n, k.secret, NULL, "new"))
		return;
	r = POST_JSON(P("/v1/api-keys/%s/roll", n.id), k.secret, "{}");
	r = AUDIT_GET(k.secret, NULL, "");
	CHECK(audit_count(r, NULL, NULL, NULL) == 3, "[%s]", actions_of(r));
	CHECK(strstr(r->body, k.secret) == NULL && strstr(r->body, n.secret) == NULL &&
	      strstr(r->body, "sk_") == NULL, "a secret in the audit log: %s", r->body);
}

const struct itest_case itest_audit_cases[] = {
	ITEST(test_audit_key_changes),
	ITEST(test_audit_admin_changes),
	ITEST(test_audit_visibility),
	ITEST(test_audit_pages_and_filters),
	ITEST(test_audit_append_only),
	ITEST(test_audit_no_secrets),
};
const size_t itest_audit_count = N_ELEMS(itest_audit_cases);
