#include "store.h"

#include <string.h>
#include <strings.h>

enum {
	ST_HEALTH,
	ST_PRINCIPAL_BY_HASH,
	ST_MEMBERSHIP,
	ST_KEY_INSERT,
	ST_KEY_GET,
	ST_KEY_LIST,                 /* four variants: own only? revoked included? */
	ST_KEY_LIST_REVOKED,
	ST_KEY_LIST_OWN,
	ST_KEY_LIST_OWN_REVOKED,
	ST_KEY_REVOKE,
	ST_ACCOUNT_INSERT,
	ST_ACCOUNT_GET,
	ST_ACCOUNT_SET_ACTIVE,
	ST_ACCOUNT_SET_PASSWORD,
	ST_ORG_INSERT,
	ST_ORG_GET,
	ST_ORG_SET_ACTIVE,
	ST_MEMBER_SET,
	ST_MEMBER_REMOVE,
	ST_USAGE_HISTORY,
	ST_USAGE_ADD_KEY,
	ST_USAGE_ADD_DAY,
	ST_LOGIN_BY_EMAIL,
	ST_ACCOUNT_ORGS,
	ST_SESSION_INSERT,
	ST_SESSION_GET,
	ST_SESSION_TOUCH,
	ST_SESSION_DELETE,
	ST_SESSION_DELETE_ACCOUNT,
	ST_SESSION_PRUNE,
	ST_NEW_KEY_INSERT,
	ST_NEW_KEY_NEXT,
	ST_NEW_KEY_TAKE,
	ST_THROTTLE_GET,
	ST_THROTTLE_COUNT,
	ST_THROTTLE_FORGIVE,
	ST_THROTTLE_CLEAR,
	ST_THROTTLE_PRUNE,
	ST__COUNT
};

#define KEY_COLS "k.id, k.organization_id, k.created_by, k.name, k.key_prefix, " \
                 "k.created_at, k.revoked_at, k.last_used_at, k.request_count"
#define KEY_NCOLS 9
/* The visibility rule of API.md: the scope's keys, or only the actor's own. */
#define VISIBLE "k.scope_id = ? AND (? = 0 OR k.created_by = ?)"

/* A page of a scope's keys older than the cursor, newest first. */
#define LIST_SQL(own, revoked) \
	"SELECT " KEY_COLS " FROM api_keys k WHERE k.scope_id = ?" own revoked \
	" AND (k.created_at < ? OR (k.created_at = ? AND k.id < ?))" \
	" ORDER BY k.created_at DESC, k.id DESC LIMIT ?"

const struct db_stmt_def store_statements[ST__COUNT] = {
	/* A read of the table every request reads: a ping passes where this fails
	 * (a Galera node outside the primary component, a locked table). */
	[ST_HEALTH] = {"SELECT 1 FROM api_keys LIMIT 1", true},
	[ST_PRINCIPAL_BY_HASH] = {
		"SELECT " KEY_COLS ", a.email, a.name, a.is_active, o.name, o.is_active, m.role"
		" FROM api_keys k JOIN accounts a ON a.id = k.created_by"
		" LEFT JOIN organizations o ON o.id = k.organization_id"
		" LEFT JOIN memberships m ON m.organization_id = k.organization_id"
		"  AND m.account_id = k.created_by"
		" WHERE k.key_hash = ?", true},
	[ST_MEMBERSHIP] = {
		"SELECT o.name, o.is_active, m.role, a.is_active"
		" FROM organizations o JOIN memberships m ON m.organization_id = o.id"
		" JOIN accounts a ON a.id = m.account_id"
		" WHERE o.id = ? AND m.account_id = ?", true},
	[ST_KEY_INSERT] = {
		"INSERT INTO api_keys (id, scope_id, organization_id, created_by, key_hash,"
		" key_prefix, name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", false},
	[ST_KEY_GET] = {
		"SELECT " KEY_COLS " FROM api_keys k WHERE k.id = ? AND " VISIBLE, true},
	/*
	 * Four plain statements rather than one with "? = 0 OR ..." switches,
	 * which MariaDB re-plans on every execution (make bench: ~1.5x the cost).
	 */
	[ST_KEY_LIST] = {LIST_SQL("", " AND k.revoked_at IS NULL"), true},
	[ST_KEY_LIST_REVOKED] = {LIST_SQL("", ""), true},
	[ST_KEY_LIST_OWN] = {LIST_SQL(" AND k.created_by = ?", " AND k.revoked_at IS NULL"), true},
	[ST_KEY_LIST_OWN_REVOKED] = {LIST_SQL(" AND k.created_by = ?", ""), true},
	[ST_KEY_REVOKE] = {
		"UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", true},
	[ST_ACCOUNT_INSERT] = {
		"INSERT INTO accounts (id, email, name, is_active, created_at)"
		" VALUES (?, ?, ?, 1, ?)", false},
	[ST_ACCOUNT_GET] = {
		"SELECT email, name, is_active FROM accounts WHERE id = ?", true},
	[ST_ACCOUNT_SET_ACTIVE] = {
		"UPDATE accounts SET is_active = ? WHERE id = ?", true},
	[ST_ACCOUNT_SET_PASSWORD] = {
		"UPDATE accounts SET password_hash = ? WHERE id = ?", true},
	[ST_ORG_INSERT] = {
		"INSERT INTO organizations (id, name, is_active, created_at) VALUES (?, ?, 1, ?)",
		false},
	[ST_ORG_GET] = {
		"SELECT name, is_active FROM organizations WHERE id = ?", true},
	[ST_ORG_SET_ACTIVE] = {
		"UPDATE organizations SET is_active = ? WHERE id = ?", true},
	[ST_MEMBER_SET] = {
		"INSERT INTO memberships (organization_id, account_id, role, created_at)"
		" VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE role = VALUES(role)", true},
	[ST_MEMBER_REMOVE] = {
		"DELETE FROM memberships WHERE organization_id = ? AND account_id = ?", true},
	[ST_USAGE_HISTORY] = {
		"SELECT day, request_count FROM api_key_usage_daily"
		" WHERE api_key_id = ? AND day >= ? ORDER BY day LIMIT ?", true},
	/* Additive, never idempotent: run inside the usage flush's transaction only. */
	[ST_USAGE_ADD_KEY] = {
		"UPDATE api_keys SET request_count = request_count + ?,"
		" last_used_at = GREATEST(COALESCE(last_used_at, ?), ?) WHERE id = ?", false},
	[ST_USAGE_ADD_DAY] = {
		"INSERT INTO api_key_usage_daily (api_key_id, day, request_count)"
		" SELECT k.id, ?, ? FROM api_keys k WHERE k.id = ?"
		" ON DUPLICATE KEY UPDATE"
		"  request_count = api_key_usage_daily.request_count + VALUES(request_count)",
		false},
	/* email_key is LOWER(email), unique: e-mails compare case-insensitively. */
	[ST_LOGIN_BY_EMAIL] = {
		"SELECT id, is_active, password_hash FROM accounts WHERE email_key = LOWER(?)", true},
	[ST_ACCOUNT_ORGS] = {
		"SELECT o.id, o.name, m.role FROM memberships m"
		" JOIN organizations o ON o.id = m.organization_id"
		" WHERE m.account_id = ? AND o.is_active = 1 ORDER BY o.name, o.id LIMIT ?", true},
	[ST_SESSION_INSERT] = {
		"INSERT INTO dashboard_sessions (id_hash, account_id, created_at, last_seen_at)"
		" VALUES (?, ?, ?, ?)", false},
	[ST_SESSION_GET] = {
		"SELECT s.account_id, s.created_at, s.last_seen_at, a.email, a.name, a.is_active"
		" FROM dashboard_sessions s JOIN accounts a ON a.id = s.account_id"
		" WHERE s.id_hash = ?", true},
	[ST_SESSION_TOUCH] = {
		"UPDATE dashboard_sessions SET last_seen_at = GREATEST(last_seen_at, ?)"
		" WHERE id_hash = ?", true},
	[ST_SESSION_DELETE] = {
		"DELETE FROM dashboard_sessions WHERE id_hash = ?", true},
	[ST_SESSION_DELETE_ACCOUNT] = {
		"DELETE FROM dashboard_sessions WHERE account_id = ?", true},
	/* Idle ones: every session past its absolute limit is idle too, or ends at its next use. */
	[ST_SESSION_PRUNE] = {
		"DELETE FROM dashboard_sessions WHERE last_seen_at < ? LIMIT 100", true},
	[ST_NEW_KEY_INSERT] = {
		"INSERT INTO dashboard_new_keys (session_id, api_key_id, sealed, created_at)"
		" VALUES (?, ?, ?, ?)", false},
	/* The newest waiting in a scope (keys the session created: its account's own). */
	[ST_NEW_KEY_NEXT] = {
		"SELECT n.api_key_id, n.sealed FROM dashboard_new_keys n"
		" JOIN api_keys k ON k.id = n.api_key_id"
		" WHERE n.session_id = ? AND k.scope_id = ?"
		" ORDER BY n.created_at DESC, n.api_key_id DESC LIMIT 2", true},
	/* Of two concurrent takers one deletes the row: only it shows the secret. A
	 * retry after a lost reply would find no row, so never retried. */
	[ST_NEW_KEY_TAKE] = {
		"DELETE FROM dashboard_new_keys WHERE session_id = ? AND api_key_id = ?", false},
	[ST_THROTTLE_GET] = {
		"SELECT window_start, failures FROM login_throttle WHERE subject = ?", true},
	/*
	 * One more attempt, in the current window or a new one. MariaDB applies
	 * the assignments left to right: both IFs still see the old window_start.
	 * Additive, so never retried (nor ST_THROTTLE_FORGIVE).
	 */
	[ST_THROTTLE_COUNT] = {
		"INSERT INTO login_throttle (subject, window_start, failures) VALUES (?, ?, 1)"
		" ON DUPLICATE KEY UPDATE failures = IF(window_start < ?, 1, failures + 1),"
		" window_start = IF(window_start < ?, VALUES(window_start), window_start)", false},
	[ST_THROTTLE_FORGIVE] = {
		"UPDATE login_throttle SET failures = failures - 1 WHERE subject = ? AND failures > 0",
		false},
	[ST_THROTTLE_CLEAR] = {
		"DELETE FROM login_throttle WHERE subject = ?", true},
	[ST_THROTTLE_PRUNE] = {
		"DELETE FROM login_throttle WHERE window_start < ? LIMIT 100", true},
};
const size_t store_statement_count = ST__COUNT;

const char *
store_role_name(enum store_role r)
{
	switch (r) {
	case ROLE_OWNER: return "owner";
	case ROLE_ADMIN: return "admin";
	case ROLE_MEMBER: return "member";
	default: return NULL;
	}
}

enum store_role
store_role_parse(const char *s)
{
	for (enum store_role r = ROLE_OWNER; r <= ROLE_MEMBER; r++)
		if (strcmp(s, store_role_name(r)) == 0)
			return r;
	return ROLE_NONE;
}

/* Output buffers for one text column; the value is NUL-terminated on copy-out. */
struct text_out {
	char buf[STORE_EMAIL_MAX * 4 + 1];
	unsigned long len;
	my_bool nul;
};

static void
bind_text(MYSQL_BIND *b, struct text_out *t)
{
	db_out_str(b, t->buf, sizeof(t->buf) - 1, &t->len, &t->nul);
}

static void
copy_text(char *dst, size_t cap, const struct text_out *t)
{
	size_t n = t->nul ? 0 : t->len;

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, t->buf, n);
	dst[n] = '\0';
}

static enum store_role
role_of(const struct text_out *t)
{
	char name[16];

	copy_text(name, sizeof(name), t);
	return store_role_parse(name);
}

/* Output buffers for the KEY_COLS columns. */
struct key_out {
	uint8_t id[UUID_LEN], org[UUID_LEN], creator[UUID_LEN];
	unsigned long id_len, org_len, creator_len;
	my_bool org_nul, revoked_nul, used_nul;
	struct text_out name, prefix;
	MYSQL_TIME created, revoked, used;
	int64_t count;
};

static void
bind_key(MYSQL_BIND *b, struct key_out *o)
{
	memset(o, 0, sizeof(*o));
	db_out_blob(&b[0], o->id, UUID_LEN, &o->id_len, NULL);
	db_out_blob(&b[1], o->org, UUID_LEN, &o->org_len, &o->org_nul);
	db_out_blob(&b[2], o->creator, UUID_LEN, &o->creator_len, NULL);
	bind_text(&b[3], &o->name);
	bind_text(&b[4], &o->prefix);
	db_out_time(&b[5], &o->created, NULL);
	db_out_time(&b[6], &o->revoked, &o->revoked_nul);
	db_out_time(&b[7], &o->used, &o->used_nul);
	db_out_i64(&b[8], &o->count, NULL);
}

static void
copy_key(struct store_key *k, const struct key_out *o)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->id, o->id, UUID_LEN);
	k->has_org = !o->org_nul;
	if (k->has_org)
		memcpy(k->organization_id, o->org, UUID_LEN);
	memcpy(k->created_by, o->creator, UUID_LEN);
	copy_text(k->name, sizeof(k->name), &o->name);
	copy_text(k->prefix, sizeof(k->prefix), &o->prefix);
	k->created_at = db_time_to_us(&o->created);
	k->revoked = !o->revoked_nul;
	if (k->revoked)
		k->revoked_at = db_time_to_us(&o->revoked);
	k->used = !o->used_nul;
	if (k->used)
		k->last_used_at = db_time_to_us(&o->used);
	k->request_count = (uint64_t)o->count;
}

/* Runs a statement expected to return at most one row into `out` binds. */
static enum db_status
query_one(struct db *db, unsigned id, MYSQL_BIND *params, MYSQL_BIND *result, bool *found)
{
	enum db_status rc = db_exec(db, id, params, result);

	*found = false;
	if (rc != DB_OK)
		return rc;
	*found = db_fetch(db, id) == 1;
	db_done(db, id);
	return DB_OK;
}

enum db_status
store_health(struct db *db)
{
	MYSQL_BIND res[1];
	int64_t one = 0;
	bool found;

	db_out_i64(&res[0], &one, NULL);
	return query_one(db, ST_HEALTH, NULL, res, &found);
}

enum db_status
store_principal_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN],
                        struct store_principal *out, bool *found)
{
	MYSQL_BIND in[1], res[KEY_NCOLS + 6];
	struct key_out k;
	struct text_out email, aname, oname, role;
	int8_t a_active = 0, o_active = 0;
	my_bool o_nul = 0;
	enum db_status rc;

	db_in_blob(&in[0], hash, APIKEY_HASH_LEN);
	bind_key(res, &k);
	bind_text(&res[KEY_NCOLS], &email);
	bind_text(&res[KEY_NCOLS + 1], &aname);
	db_bind(&res[KEY_NCOLS + 2], MYSQL_TYPE_TINY, &a_active, 0, NULL, NULL);
	bind_text(&res[KEY_NCOLS + 3], &oname);
	db_bind(&res[KEY_NCOLS + 4], MYSQL_TYPE_TINY, &o_active, 0, NULL, &o_nul);
	bind_text(&res[KEY_NCOLS + 5], &role);
	rc = query_one(db, ST_PRINCIPAL_BY_HASH, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memset(out, 0, sizeof(*out));
	copy_key(&out->key, &k);
	memcpy(out->account.id, out->key.created_by, UUID_LEN);
	copy_text(out->account.email, sizeof(out->account.email), &email);
	copy_text(out->account.name, sizeof(out->account.name), &aname);
	out->account.is_active = a_active != 0;
	if (out->key.has_org) {
		memcpy(out->org.id, out->key.organization_id, UUID_LEN);
		copy_text(out->org.name, sizeof(out->org.name), &oname);
		out->org.is_active = !o_nul && o_active != 0;
		/* A deactivated account is no longer an active member of anything. */
		if (out->account.is_active)
			out->role = role_of(&role);
	}
	return DB_OK;
}

enum db_status
store_membership(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                 struct store_org *org_out, enum store_role *role, bool *found)
{
	MYSQL_BIND in[2], res[4];
	struct text_out oname, rname;
	int8_t o_active = 0, a_active = 0;
	enum db_status rc;

	*role = ROLE_NONE;
	db_in_blob(&in[0], org, UUID_LEN);
	db_in_blob(&in[1], account, UUID_LEN);
	bind_text(&res[0], &oname);
	db_bind(&res[1], MYSQL_TYPE_TINY, &o_active, 0, NULL, NULL);
	bind_text(&res[2], &rname);
	db_bind(&res[3], MYSQL_TYPE_TINY, &a_active, 0, NULL, NULL);
	rc = query_one(db, ST_MEMBERSHIP, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memcpy(org_out->id, org, UUID_LEN);
	copy_text(org_out->name, sizeof(org_out->name), &oname);
	org_out->is_active = o_active != 0;
	if (a_active)
		*role = role_of(&rname);
	return DB_OK;
}

enum db_status
store_key_insert(struct db *db, const struct store_key *k, const uint8_t hash[APIKEY_HASH_LEN])
{
	MYSQL_BIND in[8];
	MYSQL_TIME created;
	my_bool org_nul = !k->has_org;

	db_time_from_us(&created, k->created_at);
	db_in_blob(&in[0], k->id, UUID_LEN);
	db_in_blob(&in[1], k->has_org ? k->organization_id : k->created_by, UUID_LEN);
	db_bind(&in[2], MYSQL_TYPE_BLOB, (void *)k->organization_id, UUID_LEN, NULL, &org_nul);
	db_in_blob(&in[3], k->created_by, UUID_LEN);
	db_in_blob(&in[4], hash, APIKEY_HASH_LEN);
	db_in_str(&in[5], k->prefix, strlen(k->prefix));
	db_in_str(&in[6], k->name, strlen(k->name));
	db_in_time(&in[7], &created);
	return db_exec(db, ST_KEY_INSERT, in, NULL);
}

/* Binds the three VISIBLE placeholders starting at in[0]. */
static void
bind_scope(MYSQL_BIND *in, const struct store_scope *s, int64_t *own_only)
{
	*own_only = s->own_only;
	db_in_blob(&in[0], s->owner, UUID_LEN);
	db_in_i64(&in[1], own_only);
	db_in_blob(&in[2], s->actor, UUID_LEN);
}

enum db_status
store_key_get(struct db *db, const struct store_scope *scope, const uint8_t id[UUID_LEN],
              struct store_key *out, bool *found)
{
	MYSQL_BIND in[4], res[KEY_NCOLS];
	struct key_out k;
	int64_t own_only;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	bind_scope(&in[1], scope, &own_only);
	bind_key(res, &k);
	rc = query_one(db, ST_KEY_GET, in, res, found);
	if (rc == DB_OK && *found)
		copy_key(out, &k);
	return rc;
}

enum db_status
store_key_revoke(struct db *db, const uint8_t id[UUID_LEN], int64_t now, bool *changed)
{
	MYSQL_BIND in[2];
	MYSQL_TIME t;
	enum db_status rc;

	db_time_from_us(&t, now);
	db_in_time(&in[0], &t);
	db_in_blob(&in[1], id, UUID_LEN);
	rc = db_exec(db, ST_KEY_REVOKE, in, NULL);
	*changed = rc == DB_OK && db_affected(db, ST_KEY_REVOKE) == 1;
	return rc;
}

enum db_status
store_key_list(struct db *db, const struct store_scope *scope, const struct store_cursor *after,
               bool include_revoked, unsigned limit, struct store_key *out, unsigned *n)
{
	/* No cursor: start above any possible key. */
	static const struct store_cursor top = {
		INT64_C(253402300799999999),
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	unsigned stmt = scope->own_only ?
		(include_revoked ? ST_KEY_LIST_OWN_REVOKED : ST_KEY_LIST_OWN) :
		(include_revoked ? ST_KEY_LIST_REVOKED : ST_KEY_LIST);
	MYSQL_BIND in[7], res[KEY_NCOLS];
	MYSQL_TIME at;
	struct key_out k;
	int64_t lim = limit;
	int p = 0;
	enum db_status rc;

	if (after == NULL)
		after = &top;
	db_time_from_us(&at, after->created_at);
	db_in_blob(&in[p++], scope->owner, UUID_LEN);
	if (scope->own_only)
		db_in_blob(&in[p++], scope->actor, UUID_LEN);
	db_in_time(&in[p++], &at);
	db_in_time(&in[p++], &at);
	db_in_blob(&in[p++], after->id, UUID_LEN);
	db_in_i64(&in[p++], &lim);
	bind_key(res, &k);
	*n = 0;
	rc = db_exec(db, stmt, in, res);
	if (rc != DB_OK)
		return rc;
	while (*n < limit && db_fetch(db, stmt) == 1)
		copy_key(&out[(*n)++], &k);
	db_done(db, stmt);
	return DB_OK;
}

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
	return db_exec(db, ST_ACCOUNT_INSERT, in, NULL);
}

enum db_status
store_account_get(struct db *db, const uint8_t id[UUID_LEN], struct store_account *out,
                  bool *found)
{
	MYSQL_BIND in[1], res[3];
	struct text_out email, name;
	int8_t active = 0;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	bind_text(&res[0], &email);
	bind_text(&res[1], &name);
	db_bind(&res[2], MYSQL_TYPE_TINY, &active, 0, NULL, NULL);
	rc = query_one(db, ST_ACCOUNT_GET, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memcpy(out->id, id, UUID_LEN);
	copy_text(out->email, sizeof(out->email), &email);
	copy_text(out->name, sizeof(out->name), &name);
	out->is_active = active != 0;
	return DB_OK;
}

/* Shared by accounts and organizations: `UPDATE ... SET is_active = ? WHERE id = ?`. */
static enum db_status
set_active(struct db *db, unsigned stmt, const uint8_t id[UUID_LEN], bool active)
{
	MYSQL_BIND in[2];
	int64_t v = active;

	db_in_i64(&in[0], &v);
	db_in_blob(&in[1], id, UUID_LEN);
	return db_exec(db, stmt, in, NULL);
}

enum db_status
store_account_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active)
{
	return set_active(db, ST_ACCOUNT_SET_ACTIVE, id, active);
}

enum db_status
store_account_set_password(struct db *db, const uint8_t id[UUID_LEN], const char *hash)
{
	MYSQL_BIND in[2];

	db_in_str(&in[0], hash, strlen(hash));
	db_in_blob(&in[1], id, UUID_LEN);
	return db_exec(db, ST_ACCOUNT_SET_PASSWORD, in, NULL);
}

enum db_status
store_org_insert(struct db *db, const struct store_org *o, int64_t now)
{
	MYSQL_BIND in[3];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_blob(&in[0], o->id, UUID_LEN);
	db_in_str(&in[1], o->name, strlen(o->name));
	db_in_time(&in[2], &t);
	return db_exec(db, ST_ORG_INSERT, in, NULL);
}

enum db_status
store_org_get(struct db *db, const uint8_t id[UUID_LEN], struct store_org *out, bool *found)
{
	MYSQL_BIND in[1], res[2];
	struct text_out name;
	int8_t active = 0;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	bind_text(&res[0], &name);
	db_bind(&res[1], MYSQL_TYPE_TINY, &active, 0, NULL, NULL);
	rc = query_one(db, ST_ORG_GET, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memcpy(out->id, id, UUID_LEN);
	copy_text(out->name, sizeof(out->name), &name);
	out->is_active = active != 0;
	return DB_OK;
}

enum db_status
store_org_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active)
{
	return set_active(db, ST_ORG_SET_ACTIVE, id, active);
}

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
	return db_exec(db, ST_MEMBER_SET, in, NULL);
}

enum db_status
store_member_remove(struct db *db, const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                    bool *removed)
{
	MYSQL_BIND in[2];
	enum db_status rc;

	db_in_blob(&in[0], org, UUID_LEN);
	db_in_blob(&in[1], account, UUID_LEN);
	rc = db_exec(db, ST_MEMBER_REMOVE, in, NULL);
	*removed = rc == DB_OK && db_affected(db, ST_MEMBER_REMOVE) > 0;
	return rc;
}

enum db_status
store_usage_history(struct db *db, const uint8_t key[UUID_LEN], int64_t since,
                    struct store_usage_day *out, unsigned max, unsigned *n)
{
	MYSQL_BIND in[3], res[2];
	MYSQL_TIME from, day;
	int64_t count, lim = max;
	enum db_status rc;

	db_time_from_us(&from, since);
	from.time_type = MYSQL_TIMESTAMP_DATE;
	db_in_blob(&in[0], key, UUID_LEN);
	db_bind(&in[1], MYSQL_TYPE_DATE, &from, 0, NULL, NULL);
	db_in_i64(&in[2], &lim);
	db_bind(&res[0], MYSQL_TYPE_DATE, &day, 0, NULL, NULL);
	db_out_i64(&res[1], &count, NULL);
	*n = 0;
	rc = db_exec(db, ST_USAGE_HISTORY, in, res);
	if (rc != DB_OK)
		return rc;
	while (*n < max && db_fetch(db, ST_USAGE_HISTORY) == 1) {
		out[*n].day = db_time_to_us(&day);
		out[*n].request_count = (uint64_t)count;
		(*n)++;
	}
	db_done(db, ST_USAGE_HISTORY);
	return DB_OK;
}

enum db_status
store_usage_days(struct db *db, const uint8_t key[UUID_LEN], int64_t today, unsigned ndays,
                 uint64_t *counts)
{
	struct store_usage_day rows[STORE_USAGE_DAYS_MAX];
	const int64_t day_us = INT64_C(86400000000);
	unsigned n = 0;
	enum db_status rc;

	if (ndays > STORE_USAGE_DAYS_MAX)
		ndays = STORE_USAGE_DAYS_MAX;
	memset(counts, 0, ndays * sizeof(*counts));
	rc = store_usage_history(db, key, today - (int64_t)(ndays - 1) * day_us, rows, ndays, &n);
	/* Rows come oldest first and only for days with use: the rest stay 0. */
	for (unsigned j = 0; rc == DB_OK && j < n; j++) {
		int64_t ago = (today - rows[j].day) / day_us;

		if (ago >= 0 && ago < (int64_t)ndays)
			counts[ndays - 1 - ago] = rows[j].request_count;
	}
	return rc;
}

enum db_status
store_usage_add(struct db *db, const uint8_t key[UUID_LEN], int64_t day, uint32_t count,
                int64_t last_used)
{
	MYSQL_BIND in[4];
	MYSQL_TIME at, d;
	int64_t n = count;
	enum db_status rc;

	db_time_from_us(&at, last_used);
	db_in_i64(&in[0], &n);
	db_in_time(&in[1], &at);
	db_in_time(&in[2], &at);
	db_in_blob(&in[3], key, UUID_LEN);
	if ((rc = db_exec(db, ST_USAGE_ADD_KEY, in, NULL)) != DB_OK)
		return rc;
	db_time_from_us(&d, day);
	d.time_type = MYSQL_TIMESTAMP_DATE;
	db_bind(&in[0], MYSQL_TYPE_DATE, &d, 0, NULL, NULL);
	db_in_i64(&in[1], &n);
	db_in_blob(&in[2], key, UUID_LEN);
	return db_exec(db, ST_USAGE_ADD_DAY, in, NULL);
}

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
	rc = query_one(db, ST_LOGIN_BY_EMAIL, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	out->is_active = active != 0;
	/* A hash longer than the column holds cannot be ours: no password set. */
	out->password_hash[hash_nul || hash_len > STORE_PWHASH_MAX ? 0 : hash_len] = '\0';
	return DB_OK;
}

enum db_status
store_account_orgs(struct db *db, const uint8_t account[UUID_LEN],
                   struct store_account_org *out, unsigned max, unsigned *n)
{
	MYSQL_BIND in[2], res[3];
	uint8_t id[UUID_LEN];
	unsigned long id_len = 0;
	struct text_out name, role;
	int64_t lim = max;
	enum db_status rc;

	db_in_blob(&in[0], account, UUID_LEN);
	db_in_i64(&in[1], &lim);
	db_out_blob(&res[0], id, UUID_LEN, &id_len, NULL);
	bind_text(&res[1], &name);
	bind_text(&res[2], &role);
	*n = 0;
	if ((rc = db_exec(db, ST_ACCOUNT_ORGS, in, res)) != DB_OK)
		return rc;
	while (*n < max && db_fetch(db, ST_ACCOUNT_ORGS) == 1) {
		struct store_account_org *o = &out[(*n)++];

		memset(o, 0, sizeof(*o));
		memcpy(o->org.id, id, UUID_LEN);
		copy_text(o->org.name, sizeof(o->org.name), &name);
		o->org.is_active = true;
		o->role = role_of(&role);
	}
	db_done(db, ST_ACCOUNT_ORGS);
	return DB_OK;
}

enum db_status
store_session_insert(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                     const uint8_t account[UUID_LEN], int64_t now)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_blob(&in[0], id, STORE_SESSION_ID_LEN);
	db_in_blob(&in[1], account, UUID_LEN);
	db_in_time(&in[2], &t);
	db_in_time(&in[3], &t);
	return db_exec(db, ST_SESSION_INSERT, in, NULL);
}

enum db_status
store_session_get(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                  struct store_session *out, bool *found)
{
	MYSQL_BIND in[1], res[6];
	MYSQL_TIME created, seen;
	unsigned long acc_len = 0;
	struct text_out email, name;
	int8_t active = 0;
	enum db_status rc;

	memset(out, 0, sizeof(*out));
	db_in_blob(&in[0], id, STORE_SESSION_ID_LEN);
	db_out_blob(&res[0], out->account.id, UUID_LEN, &acc_len, NULL);
	db_out_time(&res[1], &created, NULL);
	db_out_time(&res[2], &seen, NULL);
	bind_text(&res[3], &email);
	bind_text(&res[4], &name);
	db_bind(&res[5], MYSQL_TYPE_TINY, &active, 0, NULL, NULL);
	rc = query_one(db, ST_SESSION_GET, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	out->created_at = db_time_to_us(&created);
	out->last_seen_at = db_time_to_us(&seen);
	copy_text(out->account.email, sizeof(out->account.email), &email);
	copy_text(out->account.name, sizeof(out->account.name), &name);
	out->account.is_active = active != 0;
	return DB_OK;
}

/* A write whose only parameter is one id or hash. */
static enum db_status
exec_blob(struct db *db, unsigned stmt, const uint8_t *p, size_t len)
{
	MYSQL_BIND in[1];

	db_in_blob(&in[0], p, len);
	return db_exec(db, stmt, in, NULL);
}

/* A write whose only parameter is one instant. */
static enum db_status
exec_time(struct db *db, unsigned stmt, int64_t us)
{
	MYSQL_BIND in[1];
	MYSQL_TIME t;

	db_time_from_us(&t, us);
	db_in_time(&in[0], &t);
	return db_exec(db, stmt, in, NULL);
}

enum db_status
store_session_touch(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN], int64_t now)
{
	MYSQL_BIND in[2];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_time(&in[0], &t);
	db_in_blob(&in[1], id, STORE_SESSION_ID_LEN);
	return db_exec(db, ST_SESSION_TOUCH, in, NULL);
}

enum db_status
store_session_delete(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN])
{
	return exec_blob(db, ST_SESSION_DELETE, id, STORE_SESSION_ID_LEN);
}

enum db_status
store_session_delete_account(struct db *db, const uint8_t account[UUID_LEN])
{
	return exec_blob(db, ST_SESSION_DELETE_ACCOUNT, account, UUID_LEN);
}

enum db_status
store_session_prune(struct db *db, int64_t seen_before)
{
	return exec_time(db, ST_SESSION_PRUNE, seen_before);
}

enum db_status
store_new_key_insert(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                     const uint8_t key[UUID_LEN], const uint8_t *sealed, size_t len,
                     int64_t now)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_blob(&in[0], session, STORE_SESSION_ID_LEN);
	db_in_blob(&in[1], key, UUID_LEN);
	db_in_blob(&in[2], sealed, len);
	db_in_time(&in[3], &t);
	return db_exec(db, ST_NEW_KEY_INSERT, in, NULL);
}

enum db_status
store_new_key_next(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                   const uint8_t scope_owner[UUID_LEN], struct store_new_key *out,
                   bool *found, bool *more)
{
	MYSQL_BIND in[2], res[2];
	unsigned long key_len = 0;
	enum db_status rc;

	memset(out, 0, sizeof(*out));
	db_in_blob(&in[0], session, STORE_SESSION_ID_LEN);
	db_in_blob(&in[1], scope_owner, UUID_LEN);
	db_out_blob(&res[0], out->key_id, UUID_LEN, &key_len, NULL);
	db_out_blob(&res[1], out->sealed, sizeof(out->sealed), &out->sealed_len, NULL);
	*found = *more = false;
	if ((rc = db_exec(db, ST_NEW_KEY_NEXT, in, res)) != DB_OK)
		return rc;
	*found = db_fetch(db, ST_NEW_KEY_NEXT) == 1 && out->sealed_len <= sizeof(out->sealed);
	/* The second row is only counted: the bound buffers keep the first. */
	if (*found) {
		struct store_new_key first = *out;

		*more = db_fetch(db, ST_NEW_KEY_NEXT) == 1;
		*out = first;
	}
	db_done(db, ST_NEW_KEY_NEXT);
	return DB_OK;
}

enum db_status
store_new_key_take(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                   const uint8_t key[UUID_LEN], bool *taken)
{
	MYSQL_BIND in[2];
	enum db_status rc;

	db_in_blob(&in[0], session, STORE_SESSION_ID_LEN);
	db_in_blob(&in[1], key, UUID_LEN);
	rc = db_exec(db, ST_NEW_KEY_TAKE, in, NULL);
	*taken = rc == DB_OK && db_affected(db, ST_NEW_KEY_TAKE) == 1;
	return rc;
}

enum db_status
store_throttle_get(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                   int64_t *window_start, unsigned *failures)
{
	MYSQL_BIND in[1], res[2];
	MYSQL_TIME start;
	int64_t n = 0;
	bool found = false;
	enum db_status rc;

	db_in_blob(&in[0], subject, STORE_SUBJECT_LEN);
	db_out_time(&res[0], &start, NULL);
	db_out_i64(&res[1], &n, NULL);
	rc = query_one(db, ST_THROTTLE_GET, in, res, &found);
	*window_start = found ? db_time_to_us(&start) : 0;
	*failures = found ? (unsigned)n : 0;
	return rc;
}

enum db_status
store_throttle_count(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN], int64_t now,
                     int64_t window_from)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t, from;

	db_time_from_us(&t, now);
	db_time_from_us(&from, window_from);
	db_in_blob(&in[0], subject, STORE_SUBJECT_LEN);
	db_in_time(&in[1], &t);
	db_in_time(&in[2], &from);
	db_in_time(&in[3], &from);
	return db_exec(db, ST_THROTTLE_COUNT, in, NULL);
}

enum db_status
store_throttle_forgive(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN])
{
	return exec_blob(db, ST_THROTTLE_FORGIVE, subject, STORE_SUBJECT_LEN);
}

enum db_status
store_throttle_clear(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN])
{
	return exec_blob(db, ST_THROTTLE_CLEAR, subject, STORE_SUBJECT_LEN);
}

enum db_status
store_throttle_prune(struct db *db, int64_t before)
{
	return exec_time(db, ST_THROTTLE_PRUNE, before);
}
