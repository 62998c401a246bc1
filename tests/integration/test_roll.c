/*
 * Integration tests of rolling a key (issue 15, docs/api.md "POST
 * /v1/api-keys/{id}/roll"): the new key and the old key's grace period, its
 * expiry (api_key_expired at once, in every worker, recorded once), the
 * refusals (409, 400, 404), the roles of an organization, many rolls at once,
 * and scripts/admin key roll.
 */
#include "itest.h"

#include <stdlib.h>
#include <time.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KP(id) P("/v1/api-keys/%s", (id))
#define ROLL(id, key, body) POST_JSON(P("/v1/api-keys/%s/roll", (id)), (key), (body))
#define OROLL(id, key, org, body) \
	OPOST_JSON(P("/v1/api-keys/%s/roll", (id)), (key), (org), (body))

/* A random id (a key or an organization that does not exist), tracked. */
static const char *
random_id(void)
{
	char id[37];

	random_uuid(id);
	return P("%s", id);
}

/* Keys in the personal context of key's account, revoked included; -1 on error. */
static int
keys_of(const char *key)
{
	struct http_response *r = GET("/v1/api-keys?include_revoked=true", key);
	json_object *d = jget(r->json, "data");

	return r->status == 200 && d != NULL ? (int)json_object_array_length(d) : -1;
}

/* A roll answered 201 like a create: the new key (its secret noted), Location, rolled_from. */
static bool
expect_rolled_at(int line, const struct http_response *r, const char *old_id, const char *name,
                 const char *created_by, const char *org, struct key *out)
{
	const char *loc = http_header(r, "Location");
	bool ok;

	memset(out, 0, sizeof(*out));
	if (!expect_status_at(line, r, 201))
		return false;
	ok = expect_key_at(line, r->json, &(struct key_expect){.name = name,
	                   .created_by = created_by, .org = org, .active = true, .with_secret = true});
	snprintf(out->id, sizeof(out->id), "%s", jstr(r->json, "id") ? jstr(r->json, "id") : "");
	snprintf(out->secret, sizeof(out->secret), "%s",
	         jstr(r->json, "secret") ? jstr(r->json, "secret") : "");
	ok &= CHECK_AT(strcmp(out->id, old_id) != 0 && jstr(r->json, "rolled_from") &&
	               strcmp(jstr(r->json, "rolled_from"), old_id) == 0 &&
	               jis_null(r->json, "replaced_by") && jis_null(r->json, "expires_at"), line,
	               "the new key of a roll: %s", r->body);
	ok &= CHECK_AT(loc != NULL && strcmp(loc, P("/v1/api-keys/%s", out->id)) == 0, line,
	               "Location %s", loc ? loc : "(none)");
	return ok;
}
#define EXPECT_ROLLED(r, old, name, by, org, out) \
	expect_rolled_at(__LINE__, (r), (old), (name), (by), (org), (out))

/* Seconds from now to an RFC 3339 instant (negative: past); LONG_MIN if unreadable. */
static long
seconds_until(const char *s)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	if (s == NULL || !is_rfc3339_utc(s) || strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL)
		return -999999;
	return (long)(timegm(&tm) - time(NULL));
}

/* Waits until the RFC 3339 instant has passed (whole seconds: the next one). */
static void
wait_past(const char *instant)
{
	long s = seconds_until(instant);

	sleep_s((double)s + 1.05);
}

static void
test_roll_with_grace_period(void)
{
	struct acct a;
	struct key k, other, n;
	struct http_response *r, *old;
	const char *expires;

	if (!NEW_ACCOUNT(&a, "roll") || !NEW_KEY(&k, a.id, NULL, "CI key") ||
	    !NEW_KEY(&other, a.id, NULL, "watcher"))
		return;
	r = ROLL(k.id, other.secret, "{\"grace_period_seconds\": 2}");
	if (!EXPECT_ROLLED(r, k.id, "CI key", a.id, NULL, &n))
		return;
	/* The old key names its successor and ends two seconds after the roll. */
	old = GET(KP(k.id), other.secret);
	EXPECT_KEY(old->json, .id = k.id, .name = "CI key", .active = true);
	expires = jstr(old->json, "expires_at");
	CHECK(jstr(old->json, "replaced_by") && strcmp(jstr(old->json, "replaced_by"), n.id) == 0 &&
	      jis_null(old->json, "rolled_from") && seconds_until(expires) >= 1 &&
	      seconds_until(expires) <= 3, "the old key in its grace period: %s", old->body);
	/* Until then both keys work. */
	EXPECT_STATUS(GET("/v1/me", k.secret), 200);
	EXPECT_STATUS(GET("/v1/me", n.secret), 200);
	CHECK(jlist_contains(GET("/v1/api-keys", other.secret), k.id),
	      "a key in its grace period is not listed");
	wait_past(expires);
	/* Then the old key is refused, in every worker, and the new one works. */
	for (int i = 0; i < 8; i++) {
		r = GET("/v1/me", k.secret);
		if (!EXPECT_ERROR(r, 401, "api_key_expired"))
			break;
		CHECK(http_header(r, "WWW-Authenticate") &&
		      strstr(http_header(r, "WWW-Authenticate"), "error=\"invalid_token\""),
		      "WWW-Authenticate of an expired key: %s",
		      http_header(r, "WWW-Authenticate") ? http_header(r, "WWW-Authenticate") : "(none)");
	}
	EXPECT_ERROR(GET(KP(n.id), k.secret), 401, "api_key_expired");
	EXPECT_STATUS(GET("/v1/me", n.secret), 200);
	old = GET(KP(k.id), n.secret);
	EXPECT_KEY(old->json, .id = k.id, .active = false, .expired = true);
	/* Hidden from the list like a revoked key, shown with include_revoked=true. */
	CHECK(!jlist_contains(GET("/v1/api-keys", n.secret), k.id),
	      "an expired key is listed without include_revoked");
	CHECK(jlist_contains(GET("/v1/api-keys?include_revoked=true", n.secret), k.id),
	      "an expired key is not listed with include_revoked=true");
	/* It still names its successor; revoking it changes nothing: it no longer works. */
	r = DEL(KP(k.id), n.secret);
	if (EXPECT_STATUS(r, 200))
		EXPECT_KEY(r->json, .id = k.id, .active = false, .expired = true);
}

/*
 * The active list around the end of a grace period: the key is listed active,
 * then not at all, never listed inactive. (The list is read as of the
 * second, for MariaDB's query cache, and again at the exact instant when a key
 * of the page ended within that second: lib/data/store_keys.c.) Lists from
 * just before the end until a second after it, so that some fall between the
 * end and the next whole second.
 */
static void
test_roll_list_at_the_end_of_grace(void)
{
	struct acct a;
	struct key k, other, n;
	int lists = 0, active = 0, gone = 0;
	double t0;

	if (!NEW_ACCOUNT(&a, "roll-list") || !NEW_KEY(&k, a.id, NULL, "ending") ||
	    !NEW_KEY(&other, a.id, NULL, "lister"))
		return;
	t0 = now_s();
	if (!EXPECT_ROLLED(ROLL(k.id, other.secret, "{\"grace_period_seconds\": 1}"), k.id,
	                   "ending", a.id, NULL, &n))
		return;
	sleep_s(0.8);
	while (now_s() - t0 < 2.5) {
		struct http_response *r = GET("/v1/api-keys", other.secret);
		json_object *d = jget(r->json, "data"), *found = NULL;
		bool is_active = false;

		if (!EXPECT_STATUS(r, 200) || d == NULL)
			return;
		lists++;
		for (size_t i = 0; i < json_object_array_length(d); i++) {
			json_object *o = json_object_array_get_idx(d, i);

			if (jstr(o, "id") && strcmp(jstr(o, "id"), k.id) == 0)
				found = o;
		}
		if (found != NULL && (!jbool(found, "is_active", &is_active) || !is_active)) {
			CHECK(false, "an ended key in the active list: %s", r->body);
			return;
		}
		active += found != NULL;
		gone += found == NULL;
	}
	/* The window was crossed: listed while in its grace period, then gone for good. */
	CHECK(active > 0 && gone > 0 && lists == active + gone,
	      "%d lists: %d with the key, %d without", lists, active, gone);
}

/* The requests of a key in its grace period are counted; those refused after it, not. */
static void
test_roll_grace_period_counted(void)
{
	struct acct a;
	struct key k, n;
	struct http_response *r;
	const char *expires;
	long long before, after;

	if (!NEW_ACCOUNT(&a, "rollcount") || !NEW_KEY(&k, a.id, NULL, "counted"))
		return;
	r = ROLL(k.id, k.secret, "{\"grace_period_seconds\": 3}");
	if (!EXPECT_ROLLED(r, k.id, "counted", a.id, NULL, &n))
		return;
	for (int i = 0; i < 5; i++)
		EXPECT_STATUS(GET("/v1/me", k.secret), 200);
	sleep_s(2.5);   /* counts are visible within 2 s */
	r = GET(KP(k.id), n.secret);
	before = count_of(r);
	expires = jstr(r->json, "expires_at");
	CHECK(before >= 6, "request_count %lld after 6 requests (the roll and 5) in the grace period",
	      before);
	wait_past(expires);
	for (int i = 0; i < 5; i++)
		EXPECT_ERROR(GET("/v1/me", k.secret), 401, "api_key_expired");
	sleep_s(2.5);
	after = count_of(GET(KP(k.id), n.secret));
	CHECK(after == before, "request_count %lld, then %lld after 5 refused requests", before,
	      after);
}

static void
test_roll_without_grace_period(void)
{
	static const char *const bodies[] = {"{\"grace_period_seconds\": 0}", "{}", " { } "};
	struct acct a;
	struct key k, n, watcher;
	struct http_response *r;

	if (!NEW_ACCOUNT(&a, "rollnow") || !NEW_KEY(&watcher, a.id, NULL, "watcher"))
		return;
	for (size_t i = 0; i < N_ELEMS(bodies); i++) {
		if (!NEW_KEY(&k, a.id, NULL, P("now %zu", i)))
			return;
		/* A key may roll itself; without a grace period it is revoked at once. */
		r = ROLL(k.id, k.secret, bodies[i]);
		if (!EXPECT_ROLLED(r, k.id, P("now %zu", i), a.id, NULL, &n))
			continue;
		EXPECT_ERROR(GET("/v1/me", k.secret), 401, "api_key_revoked");
		r = GET(KP(k.id), watcher.secret);
		EXPECT_KEY(r->json, .id = k.id, .active = false);
		CHECK(jstr(r->json, "revoked_reason") &&
		      strcmp(jstr(r->json, "revoked_reason"), "rolled") == 0 &&
		      jstr(r->json, "expires_at") && jstr(r->json, "revoked_at") &&
		      strcmp(jstr(r->json, "expires_at"), jstr(r->json, "revoked_at")) == 0 &&
		      jstr(r->json, "replaced_by") && strcmp(jstr(r->json, "replaced_by"), n.id) == 0,
		      "%s: the old key %s", bodies[i], r->body);
		EXPECT_STATUS(GET("/v1/me", n.secret), 200);
	}
}

static void
test_roll_conflicts(void)
{
	struct acct a;
	struct key k, n, watcher, rev;
	struct http_response *r;

	if (!NEW_ACCOUNT(&a, "rollconflict") || !NEW_KEY(&watcher, a.id, NULL, "watcher") ||
	    !NEW_KEY(&k, a.id, NULL, "twice") || !NEW_KEY(&rev, a.id, NULL, "revoked"))
		return;
	/* A revoked key: 409 api_key_revoked, nothing made. */
	EXPECT_STATUS(DEL(KP(rev.id), watcher.secret), 200);
	EXPECT_ERROR(ROLL(rev.id, watcher.secret, "{}"), 409, "api_key_revoked");
	/* Rolled once, in its grace period: 409 api_key_already_rolled, and it keeps working. */
	if (!EXPECT_ROLLED(ROLL(k.id, watcher.secret, "{\"grace_period_seconds\": 600}"), k.id,
	                   "twice", a.id, NULL, &n))
		return;
	r = ROLL(k.id, k.secret, "{\"grace_period_seconds\": 60}");
	EXPECT_ERROR(r, 409, "api_key_already_rolled");
	EXPECT_STATUS(GET("/v1/me", k.secret), 200);
	CHECK(keys_of(watcher.secret) == 4, "keys after a refused roll: %d, want 4",
	      keys_of(watcher.secret));
	/* Revoked in its grace period, as any key: refused at once, reason "user". */
	r = DEL(KP(k.id), watcher.secret);
	if (EXPECT_STATUS(r, 200)) {
		EXPECT_KEY(r->json, .id = k.id, .active = false);
		CHECK(jstr(r->json, "revoked_reason") &&
		      strcmp(jstr(r->json, "revoked_reason"), "user") == 0 &&
		      jstr(r->json, "replaced_by") && strcmp(jstr(r->json, "replaced_by"), n.id) == 0,
		      "revoked in its grace period: %s", r->body);
	}
	EXPECT_ERROR(GET("/v1/me", k.secret), 401, "api_key_revoked");
	/* Now revoked and rolled: revoked comes first. */
	EXPECT_ERROR(ROLL(k.id, watcher.secret, "{}"), 409, "api_key_revoked");
	/* The successor rolls like any key. */
	EXPECT_STATUS(ROLL(n.id, n.secret, "{\"grace_period_seconds\": 60}"), 201);
}

static void
test_roll_requests_refused(void)
{
	static const struct {
		int line;
		const char *ctype, *body;
		int status;
		const char *code, *param;
	} cases[] = {
		{__LINE__, "application/json", "{\"grace_period_seconds\": -1}", 400, "invalid_request",
		 "grace_period_seconds"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": 604801}", 400,
		 "invalid_request", "grace_period_seconds"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": 99999999999999999999}", 400,
		 "invalid_request", "grace_period_seconds"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": \"60\"}", 400,
		 "invalid_request", "grace_period_seconds"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": 60.0}", 400,
		 "invalid_request", "grace_period_seconds"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": 6e1}", 400,
		 "invalid_request", "grace_period_seconds"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": null}", 400,
		 "invalid_request", "grace_period_seconds"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": true}", 400,
		 "invalid_request", "grace_period_seconds"},
		{__LINE__, "application/json", "{\"name\": \"x\"}", 400, "invalid_request", "name"},
		{__LINE__, "application/json", "{\"grace_period_seconds\": 1, \"x\": 1}", 400,
		 "invalid_request", "x"},
		{__LINE__, "application/json", "[]", 400, "invalid_request", NULL},
		{__LINE__, "application/json", "", 400, "invalid_json", NULL},
		{__LINE__, "application/json", "{\"grace_period_seconds\": 1", 400, "invalid_json",
		 NULL},
		{__LINE__, NULL, "{}", 415, "unsupported_media_type", NULL},
		{__LINE__, "text/plain", "{}", 415, "unsupported_media_type", NULL},
	};
	struct acct a;
	struct key k;
	struct http_response *r;

	if (!NEW_ACCOUNT(&a, "rollbad") || !NEW_KEY(&k, a.id, NULL, "kept"))
		return;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		r = REQ(.method = "POST", .path = P("/v1/api-keys/%s/roll", k.id), .key = k.secret,
		        .ctype = cases[i].ctype, .body = cases[i].body);
		if (expect_error_at(cases[i].line, r, cases[i].status, cases[i].code) &&
		    cases[i].param != NULL)
			expect_param_at(cases[i].line, r, cases[i].param);
		/* The same body for a key that does not exist: the same answer (body before id). */
		r = REQ(.method = "POST", .path = P("/v1/api-keys/%s/roll", random_id()),
		        .key = k.secret, .ctype = cases[i].ctype, .body = cases[i].body);
		expect_error_at(cases[i].line, r, cases[i].status, cases[i].code);
	}
	/* Nothing was rolled, and the largest grace period is a week. */
	r = GET(KP(k.id), k.secret);
	CHECK(jis_null(r->json, "replaced_by"), "a refused roll changed the key: %s", r->body);
	EXPECT_STATUS(ROLL(k.id, k.secret, "{\"grace_period_seconds\": 604800}"), 201);
	/* Unknown, malformed: 404; other methods: 405 with Allow. */
	EXPECT_ERROR(ROLL(random_id(), k.secret, "{}"), 404, "not_found");
	EXPECT_ERROR(ROLL("not-an-id", k.secret, "{}"), 404, "not_found");
	r = GET(P("/v1/api-keys/%s/roll", k.id), k.secret);
	if (EXPECT_ERROR(r, 405, "method_not_allowed"))
		CHECK(http_header(r, "Allow") && strcmp(http_header(r, "Allow"), "POST") == 0,
		      "Allow: %s", http_header(r, "Allow") ? http_header(r, "Allow") : "(none)");
	/* Authentication first. */
	EXPECT_ERROR(REQ(.method = "POST", .path = P("/v1/api-keys/%s/roll", k.id), .body = "x"),
	             401, "missing_api_key");
}

/* Roles decide as for revoking: what a caller can see, it can roll; the key stays its creator's. */
static void
test_roll_in_organization(void)
{
	struct acct owner, admin, m1, m2;
	struct key po, pm1, km1, km2, n;
	char org[37];

	if (!NEW_ACCOUNT(&owner, "rollowner") || !NEW_ACCOUNT(&admin, "rolladmin") ||
	    !NEW_ACCOUNT(&m1, "rollm1") || !NEW_ACCOUNT(&m2, "rollm2") ||
	    !NEW_ORG(org, unique("Roll Org"), owner.id) || !ADD_MEMBER(org, admin.id, "admin") ||
	    !ADD_MEMBER(org, m1.id, "member") || !ADD_MEMBER(org, m2.id, "member") ||
	    !NEW_KEY(&po, owner.id, NULL, "owner personal") ||
	    !NEW_KEY(&pm1, m1.id, NULL, "m1 personal") || !NEW_KEY(&km1, m1.id, org, "m1 org") ||
	    !NEW_KEY(&km2, m2.id, org, "m2 org"))
		return;
	/* A member sees, and rolls, only its own keys. */
	EXPECT_ERROR(OROLL(km2.id, pm1.secret, org, "{}"), 404, "not_found");
	EXPECT_ERROR(ROLL(km2.id, km1.secret, "{}"), 404, "not_found");
	/* Another's personal key is never visible. */
	EXPECT_ERROR(ROLL(pm1.id, po.secret, "{}"), 404, "not_found");
	EXPECT_ERROR(OROLL(pm1.id, po.secret, org, "{}"), 404, "not_found");
	/* An owner rolls a member's org key: the new key is still the member's, in the org. */
	if (EXPECT_ROLLED(OROLL(km2.id, po.secret, org, "{\"grace_period_seconds\": 60}"), km2.id,
	                  "m2 org", m2.id, org, &n))
		CHECK(jlist_contains(GET("/v1/api-keys", km1.secret), n.id) == false &&
		      jlist_contains(OGET("/v1/api-keys", po.secret, org), n.id),
		      "the rolled key is not in the organization's list as the member's");
	/* A member rolls its own org key with its personal key and the header. */
	EXPECT_ROLLED(OROLL(km1.id, pm1.secret, org, "{}"), km1.id, "m1 org", m1.id, org, &n);
	/* Not in the organization's context: 403 before anything else. */
	EXPECT_ERROR(OROLL(km2.id, pm1.secret, random_id(), "{}"), 403,
	             "not_organization_member");
	/* A personal key's roll stays personal (and a key may roll itself). */
	EXPECT_ROLLED(ROLL(pm1.id, pm1.secret, "{}"), pm1.id, "m1 personal", m1.id, NULL, &n);
	/* An org key whose creator left cannot manage keys. */
	ADMIN_OK("org", "remove-member", org, m2.id);
	EXPECT_ERROR(ROLL(km2.id, km2.secret, "{}"), 403, "not_organization_member");
}

/* Children posting the same roll at once: the tally of one (its status). */
struct roll_tally {
	int status;
	char code[40];
};
struct roll_args {
	const char *path, *key, *body;
	const char *method;
};

#define GO 1   /* flags[GO]: the parent has forked every child */

static void
roll_child(void *tally, volatile int *flags, void *arg)
{
	struct roll_tally *t = tally;
	const struct roll_args *a = arg;
	struct http_response *r;

	while (!flags[GO])
		sleep_s(0.001);
	r = REQ(.method = a->method, .path = a->path, .key = a->key,
	        .ctype = a->body ? "application/json" : NULL, .body = a->body);
	t->status = r->status;
	snprintf(t->code, sizeof(t->code), "%s", jstr(r->json, "error_code") ?
	         jstr(r->json, "error_code") : "");
}

/* procs children send the same request at once; counts of each status into n201... */
static bool
side_by_side_at(int line, const struct roll_args *a, int procs, int *ok, int *conflicts,
                const char *conflict_code)
{
	struct load_procs l;
	bool done;

	*ok = *conflicts = 0;
	if (!load_procs_start_at(line, &l, procs, sizeof(struct roll_tally), 2, 30, roll_child,
	                         (void *)a))
		return false;
	l.flags[GO] = 1;
	done = load_procs_finish_at(line, &l);
	for (int i = 0; i < l.procs; i++) {
		const struct roll_tally *t = (const struct roll_tally *)l.tallies + i;

		if (t->status == 200 || t->status == 201)
			(*ok)++;
		else if (CHECK_AT(t->status == 409 || t->status == 401, line, "child %d: %d %s", i,
		                  t->status, t->code) && strcmp(t->code, conflict_code) == 0)
			(*conflicts)++;
	}
	load_procs_unmap(&l);
	return done;
}

/* Of rolls at once, one wins; the others are told, and leave no key and no event behind. */
static void
test_roll_side_by_side(void)
{
	struct acct a;
	struct key k, watcher;
	struct http_response *r;
	struct roll_args args;
	int ok = 0, conflicts = 0, rolled = 0;
	json_object *data;

	if (!NEW_ACCOUNT(&a, "rollrace") || !NEW_KEY(&watcher, a.id, NULL, "watcher") ||
	    !NEW_KEY(&k, a.id, NULL, "raced"))
		return;
	args = (struct roll_args){P("/v1/api-keys/%s/roll", k.id), watcher.secret,
	                          "{\"grace_period_seconds\": 600}", "POST"};
	if (!side_by_side_at(__LINE__, &args, 12, &ok, &conflicts, "api_key_already_rolled"))
		return;
	CHECK(ok == 1 && conflicts == 11, "12 rolls at once: %d rolled, %d refused with "
	      "api_key_already_rolled, want 1 and 11", ok, conflicts);
	r = GET("/v1/api-keys?include_revoked=true", watcher.secret);
	data = jget(r->json, "data");
	for (size_t i = 0; data && i < json_object_array_length(data); i++) {
		const char *from = jstr(json_object_array_get_idx(data, i), "rolled_from");
		rolled += from != NULL && strcmp(from, k.id) == 0;
	}
	CHECK(rolled == 1 && json_object_array_length(data) == 3,
	      "%d keys rolled from it, %zu keys in all: want 1 and 3", rolled,
	      data ? json_object_array_length(data) : 0);
	r = AUDIT_GET(watcher.secret, NULL, P("target_id=%s", k.id));
	CHECK(audit_count(r, "key.rolled", k.id, NULL) == 1, "%zu key.rolled events, want 1",
	      audit_count(r, "key.rolled", k.id, NULL));
}

/* The first refusal after the grace period writes key.expired, once, whatever the concurrency. */
static void
test_expiry_recorded_once(void)
{
	struct acct a;
	struct key k, n;
	struct http_response *r;
	struct roll_args args;
	json_object *e = NULL;
	int ok = 0, refused = 0;

	if (!NEW_ACCOUNT(&a, "expiry") || !NEW_KEY(&k, a.id, NULL, "expiring"))
		return;
	if (!EXPECT_ROLLED(ROLL(k.id, k.secret, "{\"grace_period_seconds\": 1}"), k.id, "expiring",
	                   a.id, NULL, &n))
		return;
	/* Nothing recorded before a refusal, though the time has come. */
	r = GET(KP(k.id), n.secret);
	wait_past(jstr(r->json, "expires_at"));
	r = AUDIT_GET(n.secret, NULL, P("target_id=%s", k.id));
	CHECK(audit_count(r, "key.expired", NULL, NULL) == 0, "key.expired before any refusal");
	args = (struct roll_args){"/v1/me", k.secret, NULL, "GET"};
	if (!side_by_side_at(__LINE__, &args, 12, &ok, &refused, "api_key_expired"))
		return;
	CHECK(ok == 0 && refused == 12, "12 requests at once: %d passed, %d api_key_expired", ok,
	      refused);
	EXPECT_ERROR(GET("/v1/me", k.secret), 401, "api_key_expired");
	r = AUDIT_GET(n.secret, NULL, P("target_id=%s", k.id));
	CHECK(audit_count(r, "key.expired", k.id, &e) == 1, "%zu key.expired events, want 1",
	      audit_count(r, "key.expired", k.id, NULL));
	CHECK(e != NULL && jstr(e, "actor.type") && strcmp(jstr(e, "actor.type"), "system") == 0 &&
	      jis_null(e, "actor.account_id") && jstr(e, "client_address") &&
	      jstr(e, "details.expires_at"), "the key.expired event: %s",
	      e ? json_object_to_json_string(e) : "(none)");
}

static void
test_admin_key_roll(void)
{
	struct acct a, gone;
	struct key k, k2;
	struct admin_result *r;

	if (!NEW_ACCOUNT(&a, "adminroll") || !NEW_KEY(&k, a.id, NULL, "ops key") ||
	    !NEW_ACCOUNT(&gone, "adminrollgone") || !NEW_KEY(&k2, gone.id, NULL, "gone key"))
		return;
	r = admin_run("key", "roll", k.id, "--grace", "3600", (const char *)NULL);
	if (admin_ok_at(__LINE__, r)) {
		EXPECT_KEY(r->json, .name = "ops key", .created_by = a.id, .active = true,
		           .with_secret = true);
		CHECK(jstr(r->json, "rolled_from") && strcmp(jstr(r->json, "rolled_from"), k.id) == 0,
		      "key roll printed %s", r->out);
		EXPECT_STATUS(GET("/v1/me", jstr(r->json, "secret")), 200);
	}
	EXPECT_STATUS(GET("/v1/me", k.secret), 200);   /* in its hour of grace */
	/* Refusals: rolled already, a grace period out of range, an unknown or bad id, and a
	 * deactivated owner's key (the API could not roll it either). */
	r = admin_run("key", "roll", k.id, (const char *)NULL);
	CHECK(r->status != 0 && strstr(r->err, "rolled already") && r->out[0] == '\0',
	      "a second roll: exit %d, %s", r->status, r->err);
	r = admin_run("key", "roll", k2.id, "--grace", "604801", (const char *)NULL);
	CHECK(r->status != 0 && strstr(r->err, "--grace"), "--grace 604801: exit %d, %s",
	      r->status, r->err);
	r = admin_run("key", "roll", k2.id, "--grace", "-1", (const char *)NULL);
	CHECK(r->status != 0 && strstr(r->err, "--grace"), "--grace -1: exit %d, %s", r->status,
	      r->err);
	r = admin_run("key", "roll", random_id(), (const char *)NULL);
	CHECK(r->status != 0 && strstr(r->err, "no such key"), "an unknown key: exit %d, %s",
	      r->status, r->err);
	r = admin_run("key", "roll", "x", (const char *)NULL);
	CHECK(r->status != 0 && strstr(r->err, "KEY_ID"), "a bad id: exit %d, %s", r->status,
	      r->err);
	ADMIN_OK("account", "deactivate", gone.id);
	r = admin_run("key", "roll", k2.id, (const char *)NULL);
	CHECK(r->status != 0 && strstr(r->err, "deactivated"), "a deactivated owner: exit %d, %s",
	      r->status, r->err);
	/* Without a grace period: the old key is refused at once. */
	ADMIN_OK("account", "activate", gone.id);
	r = admin_run("key", "roll", k2.id, (const char *)NULL);
	if (admin_ok_at(__LINE__, r))
		EXPECT_ERROR(GET("/v1/me", k2.secret), 401, "api_key_revoked");
}

const struct itest_case itest_roll_cases[] = {
	ITEST(test_roll_with_grace_period),
	ITEST(test_roll_list_at_the_end_of_grace),
	ITEST(test_roll_grace_period_counted),
	ITEST(test_roll_without_grace_period),
	ITEST(test_roll_conflicts),
	ITEST(test_roll_requests_refused),
	ITEST(test_roll_in_organization),
	ITEST(test_roll_side_by_side),
	ITEST(test_expiry_recorded_once),
	ITEST(test_admin_key_roll),
};
const size_t itest_roll_count = N_ELEMS(itest_roll_cases);
