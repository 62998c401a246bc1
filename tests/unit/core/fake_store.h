/*
 * Fakes of the store (lib/data/store_keys.h, store_accounts.h) for the unit
 * tests of lib/core/: each returns the row a test case put in `fake` and
 * records what it was asked, so that a test checks the core's rules (what it
 * decides from a row, what it asks and when it does not ask at all), never
 * the SQL. A test includes its unit (lib/core/x.c), then this header.
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
#include "data/store_accounts.h"
#include "data/store_keys.h"

/* Test ids: every byte the same. */
#define ID_ACCOUNT   0xa1
#define ID_ORG       0x0b
#define ID_OTHER_ORG 0x0c
#define ID_KEY       0x4e

/* The pepper of every test. */
static const unsigned char fake_pepper[APIKEY_PEPPER_LEN] = "0123456789abcdef0123456789abcde";

#define FAKE_INSERTS_MAX 4

static struct fake_store {
	enum db_status rc;               /* what every call returns */
	bool found;                      /* what lookups report */
	unsigned calls;                  /* store calls of any kind */

	/* store_principal_by_hash: the row, and the hash it was asked for */
	struct store_principal principal;
	uint8_t asked_hash[APIKEY_HASH_LEN];

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
store_principal_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN],
                        struct store_principal *out, bool *found)
{
	(void)db;
	fake.calls++;
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
               bool include_revoked, unsigned limit, struct store_key *out, unsigned *n)
{
	(void)db;
	(void)after;
	(void)include_revoked;
	fake.calls++;
	fake.asked_scope = *scope;
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
store_key_revoke(struct db *db, const uint8_t id[UUID_LEN], int64_t now, bool *changed)
{
	(void)db;
	fake.calls++;
	fake.revokes++;
	memcpy(fake.asked_id, id, UUID_LEN);
	fake.asked_now = now;
	*changed = fake.revoke_rc == DB_OK && fake.changed;
	return fake.revoke_rc;
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
