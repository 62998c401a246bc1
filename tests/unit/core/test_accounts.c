/*
 * Unit tests of lib/core/accounts.c with a fake store (fake_store.h): each
 * change of the admin tool writes its one audit event in its own
 * transaction; a change that changes nothing writes none, and a failure
 * leaves nothing (the rollback takes the event back).
 */
#include "../../../lib/core/accounts.c"
#include "../../../lib/core/audit.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "fake_store.h"

#define T_NOW INT64_C(1795000200000000)
#define ID_MEMBER 0x3e

static struct audit_origin admin;

/* After a change: its transaction ended, and `action` (NULL: no event) is what it kept. */
static void
check_outcome(int line, enum err e, enum err want, const char *action, const char *details)
{
	const struct store_audit_event *ev = &fake.event[0];

	CHECK_AT(e == want, line, "%s, want %s", ename(e), ename(want));
	CHECK_AT(fake.begins == 1 && !fake.in_tx && fake.commits + fake.rollbacks == 1, line,
	         "%u transactions, %u commits, %u rollbacks", fake.begins, fake.commits,
	         fake.rollbacks);
	CHECK_AT(fake.events == (action != NULL), line, "%u events kept", fake.events);
	if (action == NULL || fake.events == 0)
		return;
	CHECK_AT(strcmp(ev->action, action) == 0 && fake.event_in_tx[0] &&
	         strcmp(ev->actor_type, "admin") == 0 && !ev->actor_account.set &&
	         !ev->request_id.set && ev->created_at == T_NOW, line, "event %s by %s", ev->action,
	         ev->actor_type);
	if (details != NULL)
		CHECK_AT(strcmp(ev->details, details) == 0, line, "details %s, want %s", ev->details,
		         details);
}

static void
test_set_active(void)
{
	static const struct {
		int line;
		bool active, changed;
		enum db_status rc, audit_rc;
		enum err want;
		const char *action;
		unsigned session_deletes;
	} cases[] = {
		{__LINE__, false, true, DB_OK, DB_OK, ERR_NONE, "account.deactivated", 1},
		{__LINE__, true, true, DB_OK, DB_OK, ERR_NONE, "account.activated", 0},
		/* Deactivated already: no event, but its sessions end all the same. */
		{__LINE__, false, false, DB_OK, DB_OK, ERR_NONE, NULL, 1},
		{__LINE__, true, false, DB_OK, DB_OK, ERR_NONE, NULL, 0},
		{__LINE__, false, true, DB_UNAVAILABLE, DB_OK, ERR_SERVICE_UNAVAILABLE, NULL, 0},
		{__LINE__, false, true, DB_OK, DB_ERROR, ERR_INTERNAL, NULL, 1},
	};
	uint8_t account[UUID_LEN];

	fake_id(account, ID_ACCOUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		fake_reset();
		fake.rc = cases[i].rc;
		fake.set_changed = cases[i].changed;
		fake.audit_rc = cases[i].audit_rc;
		e = accounts_set_active(NULL, &admin, account, cases[i].active, T_NOW);
		check_outcome(cases[i].line, e, cases[i].want, cases[i].action, NULL);
		CHECK_AT(fake.session_deletes == cases[i].session_deletes, cases[i].line,
		         "%u session deletes", fake.session_deletes);
		if (fake.events == 1)
			CHECK_AT(is_id(fake.event[0].target.id, ID_ACCOUNT) &&
			         is_id(fake.event[0].scope.id, ID_ACCOUNT), cases[i].line,
			         "the account's event is not about it, in its scope");
	}
}

/* The password and the end of the account's sessions: one transaction, both or neither. */
static void
test_set_password(void)
{
	static const struct {
		int line;
		enum db_status begin_rc, rc, session_rc, commit_rc;
		enum err want;
		unsigned sets, deletes, commits, rollbacks;
	} cases[] = {
		{__LINE__, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE, 1, 1, 1, 0},
		{__LINE__, DB_UNAVAILABLE, DB_OK, DB_OK, DB_OK, ERR_SERVICE_UNAVAILABLE, 0, 0, 0, 0},
		{__LINE__, DB_OK, DB_ERROR, DB_OK, DB_OK, ERR_INTERNAL, 1, 0, 0, 1},
		/* The sessions could not be ended: the new password is taken back too. */
		{__LINE__, DB_OK, DB_OK, DB_UNAVAILABLE, DB_OK, ERR_SERVICE_UNAVAILABLE, 1, 1, 0, 1},
		{__LINE__, DB_OK, DB_OK, DB_OK, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE, 1, 1, 1, 0},
	};
	uint8_t account[UUID_LEN];

	fake_id(account, ID_ACCOUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		fake_reset();
		fake.begin_rc = cases[i].begin_rc;
		fake.rc = cases[i].rc;
		fake.session_delete_rc = cases[i].session_rc;
		fake.commit_rc = cases[i].commit_rc;
		e = accounts_set_password(NULL, account, "$argon2id$v=19$m=65536,t=2,p=1$x$y");
		CHECK_AT(e == cases[i].want, cases[i].line, "%s, want %s", ename(e),
		         ename(cases[i].want));
		CHECK_AT(fake.password_sets == cases[i].sets && fake.session_deletes == cases[i].deletes &&
		         fake.commits == cases[i].commits && fake.rollbacks == cases[i].rollbacks &&
		         !fake.in_tx, cases[i].line, "%u sets, %u deletes, %u commits, %u rollbacks",
		         fake.password_sets, fake.session_deletes, fake.commits, fake.rollbacks);
		CHECK_AT((fake.password_sets == 0 || fake.password_in_tx) &&
		         (fake.session_deletes == 0 || fake.sessions_in_tx), cases[i].line,
		         "a write outside the transaction");
		CHECK_AT(fake.password_sets == 0 ||
		         strcmp(fake.asked_hash_text, "$argon2id$v=19$m=65536,t=2,p=1$x$y") == 0,
		         cases[i].line, "hash %s", fake.asked_hash_text);
	}
}

static void
test_orgs(void)
{
	struct store_org org = {.is_active = true};
	uint8_t owner[UUID_LEN];
	char details[80];
	enum err e;

	fake_id(org.id, ID_ORG);
	fake_id(owner, ID_ACCOUNT);
	snprintf(details, sizeof(details), "{\"owner\":\"a1a1a1a1-a1a1-a1a1-a1a1-a1a1a1a1a1a1\"}");
	fake_reset();
	e = accounts_org_create(NULL, &admin, &org, owner, T_NOW);
	check_outcome(__LINE__, e, ERR_NONE, "org.created", details);
	CHECK(fake.org_inserts == 1 && fake.member_sets == 1 && fake.asked_role == ROLE_OWNER,
	      "org create: %u inserts, %u members, role %d", fake.org_inserts, fake.member_sets,
	      fake.asked_role);
	fake_reset();
	fake.audit_rc = DB_UNAVAILABLE;
	e = accounts_org_create(NULL, &admin, &org, owner, T_NOW);
	check_outcome(__LINE__, e, ERR_SERVICE_UNAVAILABLE, NULL, NULL);
	for (int changed = 0; changed < 2; changed++) {
		fake_reset();
		fake.set_changed = changed;
		e = accounts_org_set_active(NULL, &admin, org.id, false, T_NOW);
		check_outcome(__LINE__, e, ERR_NONE, changed ? "org.deactivated" : NULL, NULL);
		fake_reset();
		fake.set_changed = changed;
		e = accounts_org_set_active(NULL, &admin, org.id, true, T_NOW);
		check_outcome(__LINE__, e, ERR_NONE, changed ? "org.activated" : NULL, NULL);
	}
}

/* An organization's default rate limit: set, cleared, unchanged, refused, database away. */
static void
test_org_rate_limit(void)
{
	static const struct {
		int line;
		uint32_t per_second, burst;
		bool changed;
		enum db_status rc;
		enum err want;
		const char *action, *details;
		unsigned writes;
	} cases[] = {
		{__LINE__, 100, 200, true, DB_OK, ERR_NONE, "org.rate_limit_changed",
		 "{\"rate_limit_per_second\":100,\"rate_limit_burst\":200}", 1},
		{__LINE__, 0, 0, true, DB_OK, ERR_NONE, "org.rate_limit_changed",
		 "{\"rate_limit_per_second\":null,\"rate_limit_burst\":null}", 1},
		/* What it had: no event. */
		{__LINE__, 100, 200, false, DB_OK, ERR_NONE, NULL, NULL, 1},
		/* Out of bounds: refused before anything is written. */
		{__LINE__, 100001, 1, true, DB_OK, ERR_INVALID_REQUEST, NULL, NULL, 0},
		{__LINE__, 5, 0, true, DB_OK, ERR_INVALID_REQUEST, NULL, NULL, 0},
		{__LINE__, 5, 5, true, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE, NULL, NULL, 1},
	};
	uint8_t org[UUID_LEN];

	fake_id(org, ID_ORG);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_rate_limit rl = {cases[i].per_second, cases[i].burst};
		enum err e;

		fake_reset();
		fake.rc = cases[i].rc;
		fake.set_changed = cases[i].changed;
		e = accounts_org_set_rate_limit(NULL, &admin, org, &rl, T_NOW);
		if (cases[i].writes > 0)
			check_outcome(cases[i].line, e, cases[i].want, cases[i].action, cases[i].details);
		else
			CHECK_AT(e == cases[i].want && fake.begins == 0 && fake.events == 0, cases[i].line,
			         "%s with %u transactions, want %s and none", ename(e), fake.begins,
			         ename(cases[i].want));
		CHECK_AT(fake.limit_sets == cases[i].writes && (cases[i].writes == 0 ||
		         (fake.asked_limit.per_second == rl.per_second && is_id(fake.asked_org, ID_ORG))),
		         cases[i].line, "%u writes of %u/s", fake.limit_sets, fake.asked_limit.per_second);
	}
}

static void
test_members(void)
{
	static const struct {
		int line;
		enum store_role was, role;
		enum db_status rc;
		enum err want;
		const char *action, *details;
		unsigned sets;
	} cases[] = {
		{__LINE__, ROLE_NONE, ROLE_MEMBER, DB_OK, ERR_NONE, "org.member_added",
		 "{\"role\":\"member\"}", 1},
		{__LINE__, ROLE_MEMBER, ROLE_ADMIN, DB_OK, ERR_NONE, "org.member_role_changed",
		 "{\"role\":\"admin\",\"previous_role\":\"member\"}", 1},
		{__LINE__, ROLE_OWNER, ROLE_MEMBER, DB_OK, ERR_NONE, "org.member_role_changed",
		 "{\"role\":\"member\",\"previous_role\":\"owner\"}", 1},
		/* The same role again: nothing written. */
		{__LINE__, ROLE_ADMIN, ROLE_ADMIN, DB_OK, ERR_NONE, NULL, NULL, 0},
		{__LINE__, ROLE_NONE, ROLE_ADMIN, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE, NULL, NULL, 0},
	};
	uint8_t org[UUID_LEN], member[UUID_LEN];

	fake_id(org, ID_ORG);
	fake_id(member, ID_MEMBER);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		fake_reset();
		fake.rc = cases[i].rc;
		fake.member_role = cases[i].was;
		e = accounts_member_set(NULL, &admin, org, member, cases[i].role, T_NOW);
		check_outcome(cases[i].line, e, cases[i].want, cases[i].action, cases[i].details);
		CHECK_AT(fake.member_sets == cases[i].sets, cases[i].line, "%u member sets",
		         fake.member_sets);
		if (fake.events == 1)
			CHECK_AT(is_id(fake.event[0].target.id, ID_MEMBER) &&
			         is_id(fake.event[0].scope.id, ID_ORG) &&
			         strcmp(fake.event[0].target_type, "account") == 0, cases[i].line,
			         "a membership's event is not about the member, in the organization");
	}
}

static void
test_member_remove(void)
{
	static const struct {
		int line;
		enum store_role was;
		bool removed;
		enum db_status audit_rc;
		enum err want;
		const char *action, *details;
		unsigned removes;
	} cases[] = {
		{__LINE__, ROLE_ADMIN, true, DB_OK, ERR_NONE, "org.member_removed",
		 "{\"previous_role\":\"admin\"}", 1},
		/* Not a member: nothing removed, nothing written. */
		{__LINE__, ROLE_NONE, false, DB_OK, ERR_NONE, NULL, NULL, 0},
		/* The event fails: the member stays. */
		{__LINE__, ROLE_MEMBER, true, DB_ERROR, ERR_INTERNAL, NULL, NULL, 1},
	};
	uint8_t org[UUID_LEN], member[UUID_LEN];

	fake_id(org, ID_ORG);
	fake_id(member, ID_MEMBER);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool removed = !cases[i].removed;
		enum err e;

		fake_reset();
		fake.member_role = cases[i].was;
		fake.set_changed = cases[i].removed;
		fake.audit_rc = cases[i].audit_rc;
		e = accounts_member_remove(NULL, &admin, org, member, T_NOW, &removed);
		check_outcome(cases[i].line, e, cases[i].want, cases[i].action, cases[i].details);
		CHECK_AT(fake.member_removes == cases[i].removes &&
		         removed == (cases[i].want == ERR_NONE && cases[i].removed), cases[i].line,
		         "%u removes, removed %d", fake.member_removes, removed);
	}
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	audit_origin(&admin, AUDIT_BY_ADMIN, NULL, NULL, NULL);
	test_set_active();
	test_set_password();
	test_orgs();
	test_org_rate_limit();
	test_members();
	test_member_remove();
	return harness_summary();
}
