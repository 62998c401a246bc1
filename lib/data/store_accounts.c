#include "data/store_accounts.h"

#include <string.h>

#include "data/rows.h"

/*
 * Shared by accounts and organizations: `UPDATE ... SET is_active = ? WHERE
 * id = ?`. Affected rows count changed rows only (the connection does not ask
 * for found rows), so *changed is false when it was so already.
 */
static enum db_status
set_active(struct db *db, struct db_stmt *stmt, const uint8_t id[UUID_LEN], bool active,
           bool *changed)
{
	MYSQL_BIND in[2];
	int64_t v = active;

	db_in_i64(&in[0], &v);
	db_in_blob(&in[1], id, UUID_LEN);
	return rows_exec_one(db, stmt, in, changed);
}

static struct db_stmt st_membership = DB_STMT(true,
	"SELECT o.name, o.is_active, m.role, a.is_active"
	" FROM organizations o JOIN memberships m ON m.organization_id = o.id"
	" JOIN accounts a ON a.id = m.account_id"
	" WHERE o.id = ? AND m.account_id = ?");

enum db_status
store_membership(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                 struct store_org *org_out, enum store_role *role, bool *found)
{
	MYSQL_BIND in[2], res[4];
	struct rows_text oname, rname;
	int8_t o_active = 0, a_active = 0;
	enum db_status rc;

	*role = ROLE_NONE;
	db_in_blob(&in[0], org, UUID_LEN);
	db_in_blob(&in[1], account, UUID_LEN);
	rows_bind_text(&res[0], &oname);
	db_bind(&res[1], MYSQL_TYPE_TINY, &o_active, 0, NULL, NULL);
	rows_bind_text(&res[2], &rname);
	db_bind(&res[3], MYSQL_TYPE_TINY, &a_active, 0, NULL, NULL);
	rc = rows_query_one(db, &st_membership, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memcpy(org_out->id, org, UUID_LEN);
	rows_copy_text(org_out->name, sizeof(org_out->name), &oname);
	org_out->is_active = o_active != 0;
	if (a_active)
		*role = rows_role(&rname);
	return DB_OK;
}

static struct db_stmt st_account_insert = DB_STMT(false,
	"INSERT INTO accounts (id, email, name, is_active, created_at)"
	" VALUES (?, ?, ?, 1, ?)");

enum db_status
store_account_insert(struct db *db, const struct store_account *a, int64_t now)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_blob(&in[0], a->id, UUID_LEN);
	db_in_str(&in[1], a->email, strlen(a->email));
	db_in_str(&in[2], a->name, strlen(a->name));
	db_in_time(&in[3], &t);
	return db_exec(db, &st_account_insert, in, NULL);
}

static struct db_stmt st_account_get = DB_STMT(true,
	"SELECT email, name, is_active FROM accounts WHERE id = ?");

enum db_status
store_account_get(struct db *db, const uint8_t id[UUID_LEN], struct store_account *out,
                  bool *found)
{
	MYSQL_BIND in[1], res[3];
	struct rows_text email, name;
	int8_t active = 0;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	rows_bind_text(&res[0], &email);
	rows_bind_text(&res[1], &name);
	db_bind(&res[2], MYSQL_TYPE_TINY, &active, 0, NULL, NULL);
	rc = rows_query_one(db, &st_account_get, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memcpy(out->id, id, UUID_LEN);
	rows_copy_text(out->email, sizeof(out->email), &email);
	rows_copy_text(out->name, sizeof(out->name), &name);
	out->is_active = active != 0;
	return DB_OK;
}

static struct db_stmt st_account_set_active = DB_STMT(false,
	"UPDATE accounts SET is_active = ? WHERE id = ?");

enum db_status
store_account_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active, bool *changed)
{
	return set_active(db, &st_account_set_active, id, active, changed);
}

static struct db_stmt st_account_set_password = DB_STMT(true,
	"UPDATE accounts SET password_hash = ? WHERE id = ?");

enum db_status
store_account_set_password(struct db *db, const uint8_t id[UUID_LEN], const char *hash)
{
	MYSQL_BIND in[2];

	db_in_str(&in[0], hash, strlen(hash));
	db_in_blob(&in[1], id, UUID_LEN);
	return db_exec(db, &st_account_set_password, in, NULL);
}

static struct db_stmt st_org_insert = DB_STMT(false,
	"INSERT INTO organizations (id, name, is_active, created_at) VALUES (?, ?, 1, ?)");

enum db_status
store_org_insert(struct db *db, const struct store_org *o, int64_t now)
{
	MYSQL_BIND in[3];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_blob(&in[0], o->id, UUID_LEN);
	db_in_str(&in[1], o->name, strlen(o->name));
	db_in_time(&in[2], &t);
	return db_exec(db, &st_org_insert, in, NULL);
}

static struct db_stmt st_org_get = DB_STMT(true,
	"SELECT name, is_active, rate_limit_per_second, rate_limit_burst"
	" FROM organizations WHERE id = ?");

enum db_status
store_org_get(struct db *db, const uint8_t id[UUID_LEN], struct store_org *out, bool *found)
{
	MYSQL_BIND in[1], res[4];
	struct rows_text name;
	struct rows_rate_limit rl;
	int8_t active = 0;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	rows_bind_text(&res[0], &name);
	db_bind(&res[1], MYSQL_TYPE_TINY, &active, 0, NULL, NULL);
	rows_bind_rate_limit(&res[2], &rl);
	rc = rows_query_one(db, &st_org_get, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memcpy(out->id, id, UUID_LEN);
	rows_copy_text(out->name, sizeof(out->name), &name);
	out->is_active = active != 0;
	rows_copy_rate_limit(&out->rate_limit, &rl);
	return DB_OK;
}

/* The default rate limit of the organization's keys (NULL or per_second 0: none). */
static struct db_stmt st_org_set_rate_limit = DB_STMT(false,
	"UPDATE organizations SET rate_limit_per_second = ?, rate_limit_burst = ? WHERE id = ?");

enum db_status
store_org_set_rate_limit(struct db *db, const uint8_t id[UUID_LEN],
                         const struct store_rate_limit *rl, bool *changed)
{
	MYSQL_BIND in[3];
	my_bool nul;
	int64_t v[2];

	rows_in_rate_limit(&in[0], rl, v, &nul);
	db_in_blob(&in[2], id, UUID_LEN);
	return rows_exec_one(db, &st_org_set_rate_limit, in, changed);
}

static struct db_stmt st_org_set_active = DB_STMT(false,
	"UPDATE organizations SET is_active = ? WHERE id = ?");

enum db_status
store_org_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active, bool *changed)
{
	return set_active(db, &st_org_set_active, id, active, changed);
}

/* Read before a change in the same transaction: locked until it commits. */
static struct db_stmt st_member_role = DB_STMT(true,
	"SELECT role FROM memberships WHERE organization_id = ? AND account_id = ? FOR UPDATE");

enum db_status
store_member_role(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                  enum store_role *role)
{
	MYSQL_BIND in[2], res[1];
	struct rows_text name;
	bool found = false;
	enum db_status rc;

	db_in_blob(&in[0], org, UUID_LEN);
	db_in_blob(&in[1], account, UUID_LEN);
	rows_bind_text(&res[0], &name);
	rc = rows_query_one(db, &st_member_role, in, res, &found);
	*role = rc == DB_OK && found ? rows_role(&name) : ROLE_NONE;
	return rc;
}

static struct db_stmt st_member_set = DB_STMT(true,
	"INSERT INTO memberships (organization_id, account_id, role, created_at)"
	" VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE role = VALUES(role)");

enum db_status
store_member_set(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                 enum store_role role, int64_t now)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t;
	const char *name = store_role_name(role);

	db_time_from_us(&t, now);
	db_in_blob(&in[0], org, UUID_LEN);
	db_in_blob(&in[1], account, UUID_LEN);
	db_in_str(&in[2], name, strlen(name));
	db_in_time(&in[3], &t);
	return db_exec(db, &st_member_set, in, NULL);
}

static struct db_stmt st_member_remove = DB_STMT(true,
	"DELETE FROM memberships WHERE organization_id = ? AND account_id = ?");

enum db_status
store_member_remove(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                    bool *removed)
{
	MYSQL_BIND in[2];

	db_in_blob(&in[0], org, UUID_LEN);
	db_in_blob(&in[1], account, UUID_LEN);
	return rows_exec_one(db, &st_member_remove, in, removed);
}

/* email_key is LOWER(email), unique: e-mails compare case-insensitively. */
static struct db_stmt st_login_by_email = DB_STMT(true,
	"SELECT id, is_active, password_hash FROM accounts WHERE email_key = LOWER(?)");

enum db_status
store_login_by_email(struct db *db, const char *email, struct store_login *out, bool *found)
{
	MYSQL_BIND in[1], res[3];
	unsigned long id_len = 0, hash_len = 0;
	my_bool hash_nul = 0;
	int8_t active = 0;
	enum db_status rc;

	memset(out, 0, sizeof(*out));
	db_in_str(&in[0], email, strlen(email));
	db_out_blob(&res[0], out->account_id, UUID_LEN, &id_len, NULL);
	db_bind(&res[1], MYSQL_TYPE_TINY, &active, 0, NULL, NULL);
	db_out_str(&res[2], out->password_hash, STORE_PWHASH_MAX, &hash_len, &hash_nul);
	rc = rows_query_one(db, &st_login_by_email, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	out->is_active = active != 0;
	/* A hash longer than the column holds cannot be ours: no password set. */
	out->password_hash[hash_nul || hash_len > STORE_PWHASH_MAX ? 0 : hash_len] = '\0';
	return DB_OK;
}

static struct db_stmt st_account_orgs = DB_STMT(true,
	"SELECT o.id, o.name, m.role FROM memberships m"
	" JOIN organizations o ON o.id = m.organization_id"
	" WHERE m.account_id = ? AND o.is_active = 1 ORDER BY o.name, o.id LIMIT ?");

enum db_status
store_account_orgs(struct db *db, const uint8_t account[UUID_LEN],
                   struct store_account_org *out, unsigned max, unsigned *n)
{
	MYSQL_BIND in[2], res[3];
	uint8_t id[UUID_LEN];
	unsigned long id_len = 0;
	struct rows_text name, role;
	int64_t lim = max;
	enum db_status rc;

	db_in_blob(&in[0], account, UUID_LEN);
	db_in_i64(&in[1], &lim);
	db_out_blob(&res[0], id, UUID_LEN, &id_len, NULL);
	rows_bind_text(&res[1], &name);
	rows_bind_text(&res[2], &role);
	*n = 0;
	if ((rc = db_exec(db, &st_account_orgs, in, res)) != DB_OK)
		return rc;
	while (*n < max && db_fetch(db, &st_account_orgs) == 1) {
		struct store_account_org *o = &out[(*n)++];

		memset(o, 0, sizeof(*o));
		memcpy(o->org.id, id, UUID_LEN);
		rows_copy_text(o->org.name, sizeof(o->org.name), &name);
		o->org.is_active = true;
		o->role = rows_role(&role);
	}
	db_done(db, &st_account_orgs);
	return DB_OK;
}
