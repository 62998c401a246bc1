/*
 * Fakes of the store (lib/data/store_keys.h, store_accounts.h,
 * store_audit.h) and of db.h's transactions for the unit tests of
 * lib/core/: each returns the row a test case put in `fake` and records what
 * it was asked, so that a test checks the core's rules (what it decides from
 * a row, what it asks and when it does not ask at all, what it records in the
 * audit log and in which transaction), never the SQL. A test includes its
 * unit (lib/core/x.c), then this header.
 */
#ifndef PS_FAKE_STORE_H
#define PS_FAKE_STORE_H

#include <stdbool.h>
#include <string.h>
#include <sodium.h>

#include "../../../lib/core/result.c"
#include "../../../lib/base/errors.c"
#include "../../../lib/base/apikey.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/validate.c"
#include "../../../lib/data/store.c"
#include "data/store_accounts.h"
#include "data/store_audit.h"
#include "data/store_keys.h"
#include "data/store_leaks.h"
#include "data/store_web.h"

/* A lookup of one row, each way it can end, and what a core function makes of it
 * (`line` is this header's: the tests print it with their own). */
struct fake_lookup {
	int line;
	enum db_status rc;
	bool found;
	enum err want;
};
#define FAKE_LOOKUPS 4
static const struct fake_lookup fake_lookups[FAKE_LOOKUPS] = {
	{__LINE__, DB_OK, true, ERR_NONE},
	{__LINE__, DB_OK, false, ERR_NOT_FOUND},
	{__LINE__, DB_UNAVAILABLE, true, ERR_SERVICE_UNAVAILABLE},
	{__LINE__, DB_ERROR, true, ERR_INTERNAL},
};

/* Test ids: every byte the same. */
#define ID_ACCOUNT   0xa1
#define ID_ORG       0x0b
#define ID_OTHER_ORG 0x0c
#define ID_KEY       0x4e

/* The pepper of every test. */
static const unsigned char fake_pepper[APIKEY_PEPPER_LEN] = "0123456789abcdef0123456789abcde";

#define FAKE_INSERTS_MAX 4
#define FAKE_EVENTS_MAX  4

static struct fake_store {
	enum db_status rc;               /* what every call returns */
	bool found;                      /* what lookups report */
	unsigned calls;                  /* store calls of any kind */

	/* store_principal_by_hash: the row, the hash it was asked for, reads with counters */
	struct store_principal principal;
	uint8_t asked_hash[APIKEY_HASH_LEN];
	unsigned counted_reads;

	/* store_membership: the row, and the ids it was asked for */
	struct store_org org;
	enum store_role role;
	uint8_t asked_org[UUID_LEN], asked_account[UUID_LEN];

	/* store_key_get, store_key_list: the row, and the scope and id asked for */
	struct store_key key;
	struct store_scope asked_scope;
	uint8_t asked_id[UUID_LEN];
	unsigned gets;

	/* store_key_insert: the status of each attempt (DB_OK past the list) */
	enum db_status insert_rc[FAKE_INSERTS_MAX];
	unsigned inserts;
	struct store_key inserted[FAKE_INSERTS_MAX];
	uint8_t inserted_hash[FAKE_INSERTS_MAX][APIKEY_HASH_LEN];

	/* store_key_revoke: its status, whether it set revoked_at, the instant asked */
	enum db_status revoke_rc;
	bool changed;
	unsigned revokes;
	int64_t asked_now;
	enum store_reason asked_reason;

	/* store_key_by_hash: asks with asked_hash, answers fake.key as fake.found says;
	 * store_leak_insert: its status, what it was asked, whether in a transaction */
	unsigned hash_lookups;
	enum db_status leak_rc;
	unsigned leaks;
	bool leak_in_tx;
	char leak_url[STORE_LEAK_URL_MAX + 1], leak_source[STORE_LEAK_SOURCE_MAX + 1];

	/* store_key_list: the instant asked (expired keys are hidden as of then) */
	int64_t asked_list_now;

	/* store_key_roll: its status, whether it changed the old key, what it was asked */
	enum db_status roll_rc;
	bool roll_changed;
	unsigned rolls;
	uint8_t asked_replaced_by[UUID_LEN];
	int64_t asked_ends;
	bool asked_revoke;

	/* store_key_lock: its status; the row is fake.key (found as fake.found says) */
	enum db_status lock_rc;
	unsigned locks;
	bool locked_in_tx;

	/* store_key_claim_expiry: its status, whether this call claimed it */
	enum db_status claim_rc;
	bool claimed;
	unsigned claims;

	/* db.h's transactions: begin's and commit's status, and what happened */
	enum db_status begin_rc, commit_rc;
	unsigned begins, commits, rollbacks;
	bool in_tx;

	/* store_audit_insert: its status and the events it wrote (in_tx: inside a transaction);
	 * a rollback takes back the events of its transaction, as the database would */
	enum db_status audit_rc;
	unsigned events, events_at_begin;
	struct store_audit_event event[FAKE_EVENTS_MAX];
	bool event_in_tx[FAKE_EVENTS_MAX];

	/* store_audit_get, store_audit_list: the row, and what they were asked */
	struct store_audit_event audit_row;
	struct store_audit_filter asked_filter;
	struct store_cursor asked_cursor;
	bool asked_with_cursor;

	/* accounts, organizations, memberships: changed rows, the role before */
	bool set_changed;
	enum store_role member_role;
	unsigned member_sets, member_removes, session_deletes, org_inserts;
	/* store_account_set_password: what it was asked; store_session_delete_account's own
	 * status when not DB_OK (else fake.rc); whether each ran in a transaction */
	unsigned password_sets;
	char asked_hash_text[128];
	enum db_status session_delete_rc;
	bool password_in_tx, sessions_in_tx;
	enum store_role asked_role;

	/* store_key_rename, store_key_set_rate_limit, store_org_set_rate_limit: what they were
	 * asked; they change a row as fake.changed says (and fake.rc) */
	unsigned renames, limit_sets;
	char asked_name[STORE_NAME_MAX + 1];
	struct store_rate_limit asked_limit;

	unsigned logs;                   /* log_error lines */
} fake;

static inline void
fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
}

static inline void
fake_id(uint8_t id[UUID_LEN], uint8_t fill)
{
	memset(id, fill, UUID_LEN);
}

static inline bool
is_id(const uint8_t id[UUID_LEN], uint8_t fill)
{
	for (size_t i = 0; i < UUID_LEN; i++)
		if (id[i] != fill)
			return false;
	return true;
}

/* The error's code for messages; "none" for ERR_NONE. */
static inline const char *
ename(enum err e)
{
	return e == ERR_NONE ? "none" : err_info(e)->code;
}

enum db_status
store_principal_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN], bool counted,
                        struct store_principal *out, bool *found)
{
	(void)db;
	fake.calls++;
	fake.counted_reads += counted;
	memcpy(fake.asked_hash, hash, APIKEY_HASH_LEN);
	*found = fake.rc == DB_OK && fake.found;
	if (*found)
		*out = fake.principal;
	return fake.rc;
}

enum db_status
store_membership(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                 struct store_org *org_out, enum store_role *role, bool *found)
{
	(void)db;
	fake.calls++;
	memcpy(fake.asked_org, org, UUID_LEN);
	memcpy(fake.asked_account, account, UUID_LEN);
	*found = fake.rc == DB_OK && fake.found;
	if (*found) {
		*org_out = fake.org;
		*role = fake.role;
	}
	return fake.rc;
}

enum db_status
store_key_get(struct db *db, const struct store_scope *scope, const uint8_t id[UUID_LEN],
              struct store_key *out, bool *found)
{
	(void)db;
	fake.calls++;
	fake.gets++;
	fake.asked_scope = *scope;
	memcpy(fake.asked_id, id, UUID_LEN);
	*found = fake.rc == DB_OK && fake.found;
	if (*found)
		*out = fake.key;
	return fake.rc;
}

enum db_status
store_key_list(struct db *db, const struct store_scope *scope, const struct store_cursor *after,
               bool include_revoked, int64_t now, unsigned limit, struct store_key *out,
               unsigned *n)
{
	(void)db;
	(void)after;
	(void)include_revoked;
	fake.calls++;
	fake.asked_scope = *scope;
	fake.asked_list_now = now;
	*n = 0;
	if (fake.rc == DB_OK && fake.found && limit > 0)
		out[(*n)++] = fake.key;
	return fake.rc;
}

enum db_status
store_key_insert(struct db *db, const struct store_key *k, const uint8_t hash[APIKEY_HASH_LEN])
{
	unsigned i = fake.inserts++;

	(void)db;
	fake.calls++;
	if (i >= FAKE_INSERTS_MAX)
		return DB_ERROR;
	fake.inserted[i] = *k;
	memcpy(fake.inserted_hash[i], hash, APIKEY_HASH_LEN);
	return fake.insert_rc[i];
}

enum db_status
store_key_revoke(struct db *db, const uint8_t id[UUID_LEN], int64_t now,
                 enum store_reason reason, bool *changed)
{
	(void)db;
	fake.calls++;
	fake.revokes++;
	memcpy(fake.asked_id, id, UUID_LEN);
	fake.asked_now = now;
	fake.asked_reason = reason;
	*changed = fake.revoke_rc == DB_OK && fake.changed;
	return fake.revoke_rc;
}

enum db_status
store_key_rename(struct db *db, const uint8_t id[UUID_LEN], const char *name, int64_t now,
                 bool *changed)
{
	(void)db;
	fake.calls++;
	fake.renames++;
	memcpy(fake.asked_id, id, UUID_LEN);
	snprintf(fake.asked_name, sizeof(fake.asked_name), "%s", name);
	fake.asked_now = now;
	*changed = fake.rc == DB_OK && fake.changed;
	return fake.rc;
}

enum db_status
store_key_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN], struct store_key *out,
                  bool *found)
{
	(void)db;
	fake.calls++;
	fake.hash_lookups++;
	memcpy(fake.asked_hash, hash, APIKEY_HASH_LEN);
	*found = fake.rc == DB_OK && fake.found;
	if (*found)
		*out = fake.key;
	return fake.rc;
}

enum db_status
store_key_set_rate_limit(struct db *db, const uint8_t id[UUID_LEN],
                         const struct store_rate_limit *rl, int64_t now, bool *changed)
{
	(void)db;
	fake.calls++;
	fake.limit_sets++;
	memcpy(fake.asked_id, id, UUID_LEN);
	fake.asked_limit = rl != NULL ? *rl : (struct store_rate_limit){0, 0};
	fake.asked_now = now;
	*changed = fake.rc == DB_OK && fake.changed;
	return fake.rc;
}

enum db_status
store_leak_insert(struct db *db, const uint8_t id[UUID_LEN], const char *url, const char *source,
                  int64_t now)
{
	(void)db;
	(void)now;
	fake.calls++;
	fake.leaks++;
	fake.leak_in_tx = fake.in_tx;
	memcpy(fake.asked_id, id, UUID_LEN);
	snprintf(fake.leak_url, sizeof(fake.leak_url), "%s", url);
	snprintf(fake.leak_source, sizeof(fake.leak_source), "%s", source);
	return fake.leak_rc;
}

enum db_status
store_leak_url(struct db *db, const uint8_t id[UUID_LEN], char url[STORE_LEAK_URL_MAX + 1],
               bool *found)
{
	(void)db;
	fake.calls++;
	memcpy(fake.asked_id, id, UUID_LEN);
	*found = fake.rc == DB_OK && fake.found;
	snprintf(url, STORE_LEAK_URL_MAX + 1, "%s", *found ? fake.leak_url : "");
	return fake.rc;
}

enum db_status
store_key_roll(struct db *db, const uint8_t id[UUID_LEN], const uint8_t replaced_by[UUID_LEN],
               int64_t ends, bool revoke, bool *changed)
{
	(void)db;
	fake.calls++;
	fake.rolls++;
	memcpy(fake.asked_id, id, UUID_LEN);
	memcpy(fake.asked_replaced_by, replaced_by, UUID_LEN);
	fake.asked_ends = ends;
	fake.asked_revoke = revoke;
	*changed = fake.roll_rc == DB_OK && fake.roll_changed;
	return fake.roll_rc;
}

enum db_status
store_key_lock(struct db *db, const uint8_t id[UUID_LEN], struct store_key *out, bool *found)
{
	(void)db;
	fake.calls++;
	fake.locks++;
	fake.locked_in_tx = fake.in_tx;
	memcpy(fake.asked_id, id, UUID_LEN);
	*found = fake.lock_rc == DB_OK && fake.found;
	if (*found)
		*out = fake.key;
	return fake.lock_rc;
}

enum db_status
store_key_claim_expiry(struct db *db, const uint8_t id[UUID_LEN], bool *claimed)
{
	(void)db;
	fake.calls++;
	fake.claims++;
	memcpy(fake.asked_id, id, UUID_LEN);
	*claimed = fake.claim_rc == DB_OK && fake.claimed;
	return fake.claim_rc;
}

enum db_status
db_begin(struct db *db)
{
	(void)db;
	fake.begins++;
	fake.in_tx = fake.begin_rc == DB_OK;
	fake.events_at_begin = fake.events;
	return fake.begin_rc;
}

enum db_status
db_commit(struct db *db)
{
	(void)db;
	fake.commits++;
	if (fake.commit_rc != DB_OK)
		fake.events = fake.events_at_begin;     /* a failed commit keeps nothing */
	fake.in_tx = false;
	return fake.commit_rc;
}

void
db_rollback(struct db *db)
{
	(void)db;
	if (fake.in_tx) {
		fake.rollbacks++;
		fake.events = fake.events_at_begin;
	}
	fake.in_tx = false;
}

enum db_status
store_audit_insert(struct db *db, const struct store_audit_event *e)
{
	(void)db;
	fake.calls++;
	if (fake.audit_rc != DB_OK)
		return fake.audit_rc;
	if (fake.events >= FAKE_EVENTS_MAX)
		return DB_ERROR;
	fake.event[fake.events] = *e;
	fake.event_in_tx[fake.events] = fake.in_tx;
	fake.events++;
	return DB_OK;
}

enum db_status
store_audit_get(struct db *db, const uint8_t scope[UUID_LEN], const uint8_t id[UUID_LEN],
                struct store_audit_event *out, bool *found)
{
	(void)db;
	fake.calls++;
	fake.gets++;
	memcpy(fake.asked_scope.owner, scope, UUID_LEN);
	memcpy(fake.asked_id, id, UUID_LEN);
	*found = fake.rc == DB_OK && fake.found;
	if (*found)
		*out = fake.audit_row;
	return fake.rc;
}

enum db_status
store_audit_list(struct db *db, const uint8_t scope[UUID_LEN], const struct store_audit_filter *f,
                 const struct store_cursor *after, unsigned limit,
                 struct store_audit_event *out, unsigned *n)
{
	(void)db;
	fake.calls++;
	memcpy(fake.asked_scope.owner, scope, UUID_LEN);
	fake.asked_filter = *f;
	fake.asked_with_cursor = after != NULL;
	if (after != NULL)
		fake.asked_cursor = *after;
	*n = 0;
	if (fake.rc == DB_OK && fake.found && limit > 0)
		out[(*n)++] = fake.audit_row;
	return fake.rc;
}

/* Accounts and organizations: fake.rc for every call, fake.set_changed for what changed. */
enum db_status
store_account_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active, bool *changed)
{
	(void)db;
	(void)active;
	fake.calls++;
	memcpy(fake.asked_account, id, UUID_LEN);
	*changed = fake.rc == DB_OK && fake.set_changed;
	return fake.rc;
}

enum db_status
store_org_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active, bool *changed)
{
	(void)db;
	(void)active;
	fake.calls++;
	memcpy(fake.asked_org, id, UUID_LEN);
	*changed = fake.rc == DB_OK && fake.set_changed;
	return fake.rc;
}

enum db_status
store_org_set_rate_limit(struct db *db, const uint8_t id[UUID_LEN],
                         const struct store_rate_limit *rl, bool *changed)
{
	(void)db;
	fake.calls++;
	fake.limit_sets++;
	memcpy(fake.asked_org, id, UUID_LEN);
	fake.asked_limit = *rl;
	*changed = fake.rc == DB_OK && fake.set_changed;
	return fake.rc;
}

enum db_status
store_org_insert(struct db *db, const struct store_org *o, int64_t now)
{
	(void)db;
	(void)now;
	fake.calls++;
	fake.org_inserts++;
	memcpy(fake.asked_org, o->id, UUID_LEN);
	return fake.rc;
}

enum db_status
store_member_role(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                  enum store_role *role)
{
	(void)db;
	fake.calls++;
	memcpy(fake.asked_org, org, UUID_LEN);
	memcpy(fake.asked_account, account, UUID_LEN);
	*role = fake.rc == DB_OK ? fake.member_role : ROLE_NONE;
	return fake.rc;
}

enum db_status
store_member_set(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                 enum store_role role, int64_t now)
{
	(void)db;
	(void)org;
	(void)account;
	(void)now;
	fake.calls++;
	fake.member_sets++;
	fake.asked_role = role;
	return fake.rc;
}

enum db_status
store_member_remove(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                    bool *removed)
{
	(void)db;
	(void)org;
	(void)account;
	fake.calls++;
	fake.member_removes++;
	*removed = fake.rc == DB_OK && fake.set_changed;
	return fake.rc;
}

enum db_status
store_session_delete_account(struct db *db, const uint8_t account[UUID_LEN])
{
	(void)db;
	(void)account;
	fake.calls++;
	fake.session_deletes++;
	fake.sessions_in_tx = fake.in_tx;
	return fake.session_delete_rc != DB_OK ? fake.session_delete_rc : fake.rc;
}

enum db_status
store_account_set_password(struct db *db, const uint8_t id[UUID_LEN], const char *hash)
{
	(void)db;
	(void)id;
	fake.calls++;
	fake.password_sets++;
	fake.password_in_tx = fake.in_tx;
	snprintf(fake.asked_hash_text, sizeof(fake.asked_hash_text), "%s", hash);
	return fake.rc;
}

void
log_error(const char *fmt, ...)
{
	(void)fmt;
	fake.logs++;
}

/* The log-in lookup and the context switcher's list: found as fake.found says. */
enum db_status
store_login_by_email(struct db *db, const char *email, struct store_login *out, bool *found)
{
	(void)db;
	(void)email;
	fake.calls++;
	memset(out, 0, sizeof(*out));
	memcpy(out->account_id, fake.principal.account.id, UUID_LEN);
	*found = fake.rc == DB_OK && fake.found;
	return fake.rc;
}

enum db_status
store_account_orgs(struct db *db, const uint8_t account[UUID_LEN],
                   struct store_account_org *out, unsigned max, unsigned *n)
{
	(void)db;
	(void)account;
	(void)out;
	(void)max;
	fake.calls++;
	*n = 0;
	return fake.rc;
}

#endif
