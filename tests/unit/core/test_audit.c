/*
 * Unit tests of lib/core/audit.c with a fake store (fake_store.h): an
 * origin keeps only clean, bounded request data; a dashboard session is
 * named by a one-way handle; details are a JSON object of the service's own
 * values, whatever they are handed; each writer reads its event in the right
 * scope and targets the right thing; who reads which events; the list's
 * cursor and filters reach the store as given.
 */
#include "../../../lib/core/audit.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "fake_store.h"

#include <json-c/json.h>

#define T_NOW INT64_C(1795000200000000)
#define ID_MEMBER 0x3e

static void
test_origin(void)
{
	static const struct {
		int line;
		const char *address, *agent, *request_id;
		const char *want_address, *want_agent;
		bool request_set;
	} cases[] = {
		{__LINE__, "192.0.2.1", "curl/8.0", "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a", "192.0.2.1",
		 "curl/8.0", true},
		{__LINE__, "2001:db8::1", "Mozilla/5.0 (X11; Linux)", "0193A1F2-7C4E-7B1A-9A55-3F2D1C0B9E8A",
		 "2001:db8::1", "Mozilla/5.0 (X11; Linux)", true},
		/* Absent: empty; a request id that is not one: none. */
		{__LINE__, NULL, NULL, NULL, "", "", false},
		{__LINE__, "", "", "req-1", "", "", false},
		/* Anything but printable ASCII is '?' (terminal escapes, UTF-8, controls). */
		{__LINE__, "10.0.0.1\n", "ua\x1b[31mred\x7f caf\xc3\xa9\t", NULL, "10.0.0.1?",
		 "ua?[31mred? caf???", false},
	};
	char long_agent[1000];
	struct audit_origin o;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&o, 0x5a, sizeof(o));
		audit_origin(&o, AUDIT_BY_DASHBOARD, cases[i].address, cases[i].agent,
		             cases[i].request_id);
		CHECK_AT(o.actor == AUDIT_BY_DASHBOARD && !o.account.set && !o.key.set &&
		         !o.session.set, cases[i].line, "the origin keeps an actor's ids");
		CHECK_AT(strcmp(o.address, cases[i].want_address) == 0 &&
		         strcmp(o.user_agent, cases[i].want_agent) == 0, cases[i].line,
		         "address [%s] agent [%s], want [%s] [%s]", o.address, o.user_agent,
		         cases[i].want_address, cases[i].want_agent);
		CHECK_AT(o.request_id.set == cases[i].request_set &&
		         (!o.request_id.set || (o.request_id.id[0] == 0x01 && o.request_id.id[15] == 0x8a)),
		         cases[i].line, "request id set %d", o.request_id.set);
	}
	/* A user agent is cut; an address longer than any is cut to the column. */
	memset(long_agent, 'a', sizeof(long_agent) - 1);
	long_agent[sizeof(long_agent) - 1] = '\0';
	audit_origin(&o, AUDIT_BY_API_KEY, long_agent, long_agent, NULL);
	CHECK(strlen(o.user_agent) == AUDIT_AGENT_KEEP && strlen(o.address) == STORE_AUDIT_ADDRESS_MAX,
	      "a long user agent kept %zu bytes, an address %zu", strlen(o.user_agent),
	      strlen(o.address));
}

/* A session's handle: the same for one session, another for another, never its id's bytes. */
static void
test_session_ref(void)
{
	uint8_t a[TOKENS_ID_LEN], b[TOKENS_ID_LEN];
	struct store_ref ra, ra2, rb;

	memset(a, 0x11, sizeof(a));
	memset(b, 0x11, sizeof(b));
	b[31] ^= 1;
	audit_session_ref(a, &ra);
	audit_session_ref(a, &ra2);
	audit_session_ref(b, &rb);
	CHECK(ra.set && memcmp(ra.id, ra2.id, UUID_LEN) == 0, "one session, two handles");
	CHECK(memcmp(ra.id, rb.id, UUID_LEN) != 0, "two sessions, one handle");
	CHECK(memmem(a, sizeof(a), ra.id, 4) == NULL && memcmp(ra.id, a, UUID_LEN) != 0,
	      "the handle holds the session id's bytes");
}

static void
test_details(void)
{
	struct audit_details d;
	uint8_t id[UUID_LEN];
	char big[STORE_AUDIT_DETAILS_MAX];   /* with its quotes and name, more than fits */
	json_object *o;

	audit_details_init(&d);
	CHECK(strcmp(d.text, "") == 0, "empty details: [%s]", d.text);
	fake_id(id, 0xab);
	audit_detail_str(&d, "reason", "user");
	audit_detail_int(&d, "grace_period_seconds", 604800);
	audit_detail_id(&d, "replaced_by", id);
	audit_detail_time(&d, "expires_at", INT64_C(1795694400) * 1000000 + 999999);
	CHECK(strcmp(d.text, "{\"reason\":\"user\",\"grace_period_seconds\":604800,"
	             "\"replaced_by\":\"abababab-abab-abab-abab-abababababab\","
	             "\"expires_at\":\"2026-11-26T12:00:00Z\"}") == 0, "details [%s]", d.text);
	/* Whatever a value holds, the object stays JSON: no quote, backslash or control gets in. */
	audit_details_init(&d);
	audit_detail_str(&d, "outcome", "a\"b\\c\n\x01\xc3\xa9");
	o = json_tokener_parse(d.text);
	CHECK(o != NULL && json_object_is_type(o, json_type_object) &&
	      strcmp(d.text, "{\"outcome\":\"a?b?c????\"}") == 0, "details [%s]", d.text);
	json_object_put(o);
	/* One that does not fit is left out whole; the object stays whole. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	audit_details_init(&d);
	audit_detail_str(&d, "first", "1");
	audit_detail_str(&d, "big", big);
	audit_detail_int(&d, "last", -5);
	CHECK(strcmp(d.text, "{\"first\":\"1\",\"last\":-5}") == 0, "details [%s]", d.text);
	audit_details_init(&d);
	audit_detail_str(&d, "big", big);
	CHECK(strcmp(d.text, "") == 0, "details [%s]", d.text);
}

/* The one event the fake store holds; checks its kind, scope, organization and target. */
static bool
check_event(int line, const char *action, const uint8_t *scope, const uint8_t *org,
            const char *target_type, const uint8_t *target)
{
	const struct store_audit_event *e = &fake.event[0];
	bool ok = fake.events == 1;

	CHECK_AT(fake.events == 1, line, "%u events written", fake.events);
	if (!ok)
		return false;
	CHECK_AT(strcmp(e->action, action) == 0 && strcmp(e->target_type, target_type) == 0,
	         line, "%s on %s, want %s on %s", e->action, e->target_type, action, target_type);
	CHECK_AT(e->scope.set == (scope != NULL) && (!scope || memcmp(e->scope.id, scope, UUID_LEN) == 0),
	         line, "scope %d %02x..", e->scope.set, e->scope.id[0]);
	CHECK_AT(e->organization.set == (org != NULL) &&
	         (!org || memcmp(e->organization.id, org, UUID_LEN) == 0), line,
	         "organization %d %02x..", e->organization.set, e->organization.id[0]);
	CHECK_AT(e->target.set == (target != NULL) &&
	         (!target || memcmp(e->target.id, target, UUID_LEN) == 0), line,
	         "target %d %02x..", e->target.set, e->target.id[0]);
	CHECK_AT(e->created_at == T_NOW && (e->id[6] >> 4) == 7 &&
	         (uint64_t)(((uint64_t)e->id[0] << 40 | (uint64_t)e->id[1] << 32 |
	                     (uint64_t)e->id[2] << 24 | (uint64_t)e->id[3] << 16 |
	                     (uint64_t)e->id[4] << 8 | e->id[5])) == (uint64_t)(T_NOW / 1000),
	         line, "the event's instant or its time-ordered id");
	return true;
}

static void
test_writers(void)
{
	uint8_t account[UUID_LEN], org[UUID_LEN], member[UUID_LEN];
	struct audit_origin o;
	struct audit_details d;
	struct store_key k;
	const struct store_audit_event *e = &fake.event[0];

	fake_id(account, ID_ACCOUNT);
	fake_id(org, ID_ORG);
	fake_id(member, ID_MEMBER);
	audit_origin(&o, AUDIT_BY_API_KEY, "192.0.2.7", "unit", "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a");
	o.account.set = o.key.set = true;
	fake_id(o.account.id, ID_ACCOUNT);
	fake_id(o.key.id, ID_KEY);
	audit_details_init(&d);
	audit_detail_str(&d, "reason", "owner");

	/* A personal key's event: its account reads it. */
	memset(&k, 0, sizeof(k));
	fake_id(k.id, ID_KEY);
	fake_id(k.created_by, ID_ACCOUNT);
	fake_reset();
	CHECK(audit_key(NULL, &o, AUDIT_KEY_REVOKED, &k, T_NOW, &d) == ERR_NONE, "audit_key");
	if (check_event(__LINE__, "key.revoked", account, NULL, "api_key", k.id))
		CHECK(strcmp(e->actor_type, "api_key") == 0 && is_id(e->actor_account.id, ID_ACCOUNT) &&
		      is_id(e->actor_key.id, ID_KEY) && !e->actor_session.set &&
		      strcmp(e->client_address, "192.0.2.7") == 0 && strcmp(e->user_agent, "unit") == 0 &&
		      e->request_id.set && strcmp(e->details, "{\"reason\":\"owner\"}") == 0,
		      "the event's origin and details: %s %s", e->actor_type, e->details);
	/* An org key's: its organization reads it. */
	k.has_org = true;
	fake_id(k.organization_id, ID_ORG);
	fake_reset();
	audit_key(NULL, &o, AUDIT_KEY_CREATED, &k, T_NOW, NULL);
	if (check_event(__LINE__, "key.created", org, org, "api_key", k.id))
		CHECK(e->details[0] == '\0', "details of an event without: [%s]", e->details);
	fake_reset();
	audit_account(NULL, &o, AUDIT_ACCOUNT_DEACTIVATED, account, T_NOW);
	check_event(__LINE__, "account.deactivated", account, NULL, "account", account);
	fake_reset();
	audit_org(NULL, &o, AUDIT_ORG_MEMBER_ROLE_CHANGED, org, member, T_NOW, &d);
	check_event(__LINE__, "org.member_role_changed", org, org, "account", member);
	fake_reset();
	audit_org(NULL, &o, AUDIT_ORG_DEACTIVATED, org, NULL, T_NOW, NULL);
	check_event(__LINE__, "org.deactivated", org, org, "organization", org);
	fake_reset();
	audit_login(NULL, &o, member, T_NOW, &d);
	check_event(__LINE__, "dashboard.login", member, NULL, "account", member);
	/* An e-mail of no account: operators only. */
	fake_reset();
	audit_login(NULL, &o, NULL, T_NOW, NULL);
	check_event(__LINE__, "dashboard.login", NULL, NULL, "account", NULL);
	/* The store's failure is the core's. */
	fake_reset();
	fake.audit_rc = DB_UNAVAILABLE;
	CHECK(audit_account(NULL, &o, AUDIT_ACCOUNT_ACTIVATED, account, T_NOW) ==
	      ERR_SERVICE_UNAVAILABLE && fake.events == 0, "a failed insert");
	/* Every action has its name, and the names end the list. */
	for (int a = 0; a < AUDIT__COUNT; a++)
		CHECK(audit_action_names[a] != NULL && strchr(audit_action_names[a], '.') != NULL &&
		      strlen(audit_action_names[a]) <= STORE_AUDIT_ACTION_MAX, "action %d's name", a);
	CHECK(audit_action_names[AUDIT__COUNT] == NULL, "the names are not NULL-terminated");
}

static void
test_scope(void)
{
	static const struct {
		int line;
		bool is_org;
		enum store_role role;
		enum err want;
		uint8_t scope;
	} cases[] = {
		{__LINE__, false, ROLE_NONE, ERR_NONE, ID_ACCOUNT},
		{__LINE__, true, ROLE_OWNER, ERR_NONE, ID_ORG},
		{__LINE__, true, ROLE_ADMIN, ERR_NONE, ID_ORG},
		{__LINE__, true, ROLE_MEMBER, ERR_INSUFFICIENT_PERMISSIONS, 0},
		/* An org key whose creator left the organization. */
		{__LINE__, true, ROLE_NONE, ERR_INSUFFICIENT_PERMISSIONS, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auth_context ctx;
		uint8_t scope[UUID_LEN];
		enum err e;

		memset(&ctx, 0, sizeof(ctx));
		memset(scope, 0, sizeof(scope));
		ctx.is_org = cases[i].is_org;
		ctx.role = cases[i].role;
		fake_id(ctx.org.id, ID_ORG);
		fake_id(ctx.scope.actor, ID_ACCOUNT);
		fake_id(ctx.scope.owner, cases[i].is_org ? ID_ORG : ID_ACCOUNT);
		e = audit_scope(&ctx, scope);
		CHECK_AT(e == cases[i].want && is_id(scope, cases[i].scope), cases[i].line,
		         "%s, scope %02x..", ename(e), scope[0]);
	}
}

static void
test_cursor_and_list(void)
{
	const struct fake_lookup *cases = fake_lookups;
	uint8_t scope[UUID_LEN], id[UUID_LEN];
	struct store_audit_filter f = {.action = "key.rolled", .since = 5, .until = 9};
	struct store_audit_event rows[2];

	fake_id(scope, ID_ORG);
	fake_id(id, 0xee);
	for (size_t i = 0; i < FAKE_LOOKUPS; i++) {
		struct store_cursor c = {0};
		unsigned n = 99;
		enum err e;

		fake_reset();
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		fake_id(fake.audit_row.id, 0xee);
		fake.audit_row.created_at = T_NOW;
		e = audit_cursor(NULL, scope, id, &c);
		CHECK_AT(e == cases[i].want && is_id(fake.asked_scope.owner, ID_ORG) &&
		         is_id(fake.asked_id, 0xee), __LINE__, "cursor: %s (fake_store.h:%d)", ename(e),
		         cases[i].line);
		if (e == ERR_NONE)
			CHECK_AT(c.created_at == T_NOW && is_id(c.id, 0xee), __LINE__,
			         "the cursor (fake_store.h:%d)", cases[i].line);
		e = audit_list(NULL, scope, &f, e == ERR_NONE ? &c : NULL, 2, rows, &n);
		CHECK_AT(e == (cases[i].want == ERR_NOT_FOUND ? ERR_NONE : cases[i].want) &&
		         n == (cases[i].rc == DB_OK && cases[i].found ? 1u : 0u) &&
		         fake.asked_with_cursor == (cases[i].want == ERR_NONE) &&
		         strcmp(fake.asked_filter.action, "key.rolled") == 0 &&
		         fake.asked_filter.since == 5 && fake.asked_filter.until == 9, __LINE__,
		         "list: %s, %u rows (fake_store.h:%d)", ename(e), n, cases[i].line);
	}
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_origin();
	test_session_ref();
	test_details();
	test_writers();
	test_scope();
	test_cursor_and_list();
	return harness_summary();
}
