#include "data/store_keys.h"

#include <string.h>

#include "base/timefmt.h"
#include "data/rows.h"

/* The visibility rule of docs/api.md: the scope's keys, or only the actor's own. */
#define VISIBLE "k.scope_id = ? AND (? = 0 OR k.created_by = ?)"

/* Active keys only: neither revoked nor past the grace period of a roll (at ?, now). */
#define ACTIVE " AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?)"

/* A page of a scope's keys older than the cursor, newest first. */
#define LIST_SQL(own, revoked) \
	"SELECT " KEY_COLS " FROM api_keys k WHERE k.scope_id = ?" own revoked \
	" AND (k.created_at < ? OR (k.created_at = ? AND k.id < ?))" \
	" ORDER BY k.created_at DESC, k.id DESC LIMIT ?"

/* A read of the table every request reads: a ping passes where this fails
 * (a Galera node outside the primary component, a locked table). Never from
 * the query cache, which answers while the table is locked. */
static struct db_stmt st_health = DB_STMT(true, "SELECT SQL_NO_CACHE 1 FROM api_keys LIMIT 1");

enum db_status
store_health(struct db *db)
{
	MYSQL_BIND res[1];
	int64_t one = 0;
	bool found;

	db_out_i64(&res[0], &one, NULL);
	return rows_query_one(db, &st_health, NULL, res, &found);
}

/* The organization's default rate limit (sql/008), after the principal's other columns. */
#define ORG_RATE_LIMIT_COLS "o.rate_limit_per_second, o.rate_limit_burst"

/* The key, its owner and the creator's membership, with the key's columns `cols`. */
#define PRINCIPAL_SQL(cols) \
	"SELECT " cols ", a.email, a.name, a.is_active, o.name, o.is_active, m.role, " \
	ORG_RATE_LIMIT_COLS \
	" FROM api_keys k JOIN accounts a ON a.id = k.created_by" \
	" LEFT JOIN organizations o ON o.id = k.organization_id" \
	" LEFT JOIN memberships m ON m.organization_id = k.organization_id" \
	"  AND m.account_id = k.created_by" \
	" WHERE k.key_hash = ?"

/* Without the counters (rows.h, KEY_COLS_UNCOUNTED): the query cache keeps its answer. */
static struct db_stmt st_principal_by_hash = DB_STMT(true, PRINCIPAL_SQL(KEY_COLS_UNCOUNTED));
static struct db_stmt st_principal_counted_by_hash = DB_STMT(true, PRINCIPAL_SQL(KEY_COLS));

enum db_status
store_principal_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN], bool counted,
                        struct store_principal *out, bool *found)
{
	MYSQL_BIND in[1], res[KEY_NCOLS + 8];
	struct rows_key k;
	struct rows_text email, aname, oname, role;
	struct rows_rate_limit org_limit;
	int8_t a_active = 0, o_active = 0;
	my_bool o_nul = 0;
	enum db_status rc;

	db_in_blob(&in[0], hash, APIKEY_HASH_LEN);
	rows_bind_key(res, &k);
	rows_bind_text(&res[KEY_NCOLS], &email);
	rows_bind_text(&res[KEY_NCOLS + 1], &aname);
	db_bind(&res[KEY_NCOLS + 2], MYSQL_TYPE_TINY, &a_active, 0, NULL, NULL);
	rows_bind_text(&res[KEY_NCOLS + 3], &oname);
	db_bind(&res[KEY_NCOLS + 4], MYSQL_TYPE_TINY, &o_active, 0, NULL, &o_nul);
	rows_bind_text(&res[KEY_NCOLS + 5], &role);
	rows_bind_rate_limit(&res[KEY_NCOLS + 6], &org_limit);
	rc = rows_query_one(db, counted ? &st_principal_counted_by_hash : &st_principal_by_hash,
	                    in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	memset(out, 0, sizeof(*out));
	rows_copy_key(&out->key, &k);
	memcpy(out->account.id, out->key.created_by, UUID_LEN);
	rows_copy_text(out->account.email, sizeof(out->account.email), &email);
	rows_copy_text(out->account.name, sizeof(out->account.name), &aname);
	out->account.is_active = a_active != 0;
	if (out->key.has_org) {
		memcpy(out->org.id, out->key.organization_id, UUID_LEN);
		rows_copy_text(out->org.name, sizeof(out->org.name), &oname);
		out->org.is_active = !o_nul && o_active != 0;
		rows_copy_rate_limit(&out->org.rate_limit, &org_limit);
		/* A deactivated account is no longer an active member of anything. */
		if (out->account.is_active)
			out->role = rows_role(&role);
	}
	return DB_OK;
}

static struct db_stmt st_key_insert = DB_STMT(false,
	"INSERT INTO api_keys (id, scope_id, organization_id, created_by, key_hash,"
	" key_prefix, name, created_at, rolled_from, rate_limit_per_second, rate_limit_burst)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

enum db_status
store_key_insert(struct db *db, const struct store_key *k, const uint8_t hash[APIKEY_HASH_LEN])
{
	MYSQL_BIND in[11];
	MYSQL_TIME created;
	my_bool org_nul = !k->has_org, from_nul, rl_nul;
	int64_t rl[2];

	db_time_from_us(&created, k->created_at);
	db_in_blob(&in[0], k->id, UUID_LEN);
	db_in_blob(&in[1], k->has_org ? k->organization_id : k->created_by, UUID_LEN);
	db_bind(&in[2], MYSQL_TYPE_BLOB, (void *)k->organization_id, UUID_LEN, NULL, &org_nul);
	db_in_blob(&in[3], k->created_by, UUID_LEN);
	db_in_blob(&in[4], hash, APIKEY_HASH_LEN);
	db_in_str(&in[5], k->prefix, strlen(k->prefix));
	db_in_str(&in[6], k->name, strlen(k->name));
	db_in_time(&in[7], &created);
	rows_in_ref(&in[8], &k->rolled_from, &from_nul);
	rows_in_rate_limit(&in[9], &k->rate_limit, rl, &rl_nul);
	return db_exec(db, &st_key_insert, in, NULL);
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

static struct db_stmt st_key_get = DB_STMT(true,
	"SELECT " KEY_COLS " FROM api_keys k WHERE k.id = ? AND " VISIBLE);

enum db_status
store_key_get(struct db *db, const struct store_scope *scope, const uint8_t id[UUID_LEN],
              struct store_key *out, bool *found)
{
	MYSQL_BIND in[4], res[KEY_NCOLS];
	struct rows_key k;
	int64_t own_only;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	bind_scope(&in[1], scope, &own_only);
	rows_bind_key(res, &k);
	rc = rows_query_one(db, &st_key_get, in, res, found);
	if (rc == DB_OK && *found)
		rows_copy_key(out, &k);
	return rc;
}

/* A key by one binary value alone (its id, its hash), with `stmt` (whose only parameter it is). */
static enum db_status
key_by(struct db *db, struct db_stmt *stmt, const uint8_t *v, size_t len, struct store_key *out,
       bool *found)
{
	MYSQL_BIND in[1], res[KEY_NCOLS];
	struct rows_key k;
	enum db_status rc;

	db_in_blob(&in[0], v, len);
	rows_bind_key(res, &k);
	rc = rows_query_one(db, stmt, in, res, found);
	if (rc == DB_OK && *found)
		rows_copy_key(out, &k);
	return rc;
}

static struct db_stmt st_key_by_id = DB_STMT(true,
	"SELECT " KEY_COLS " FROM api_keys k WHERE k.id = ?");

enum db_status
store_key_by_id(struct db *db, const uint8_t id[UUID_LEN], struct store_key *out, bool *found)
{
	return key_by(db, &st_key_by_id, id, UUID_LEN, out, found);
}

static struct db_stmt st_key_by_hash = DB_STMT(true,
	"SELECT " KEY_COLS " FROM api_keys k WHERE k.key_hash = ?");

enum db_status
store_key_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN], struct store_key *out,
                  bool *found)
{
	return key_by(db, &st_key_by_hash, hash, APIKEY_HASH_LEN, out, found);
}

/*
 * The key as it is now, locked until the transaction ends: a roll reads it
 * first, so that rolls of one key wait for each other instead of each
 * holding the shared lock its new key's foreign key takes and deadlocking.
 */
static struct db_stmt st_key_lock = DB_STMT(false,
	"SELECT " KEY_COLS " FROM api_keys k WHERE k.id = ? FOR UPDATE");

enum db_status
store_key_lock(struct db *db, const uint8_t id[UUID_LEN], struct store_key *out, bool *found)
{
	return key_by(db, &st_key_lock, id, UUID_LEN, out, found);
}

/* Only an active key: a revoked or expired one stays as it is. */
static struct db_stmt st_key_revoke = DB_STMT(false,
	"UPDATE api_keys k SET k.revoked_at = ?, k.revoked_reason = ? WHERE k.id = ?" ACTIVE);

enum db_status
store_key_revoke(struct db *db, const uint8_t id[UUID_LEN], int64_t now,
                 enum store_reason reason, bool *changed)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t;
	const char *why = store_reason_name(reason);

	db_time_from_us(&t, now);
	db_in_time(&in[0], &t);
	db_in_str(&in[1], why, strlen(why));
	db_in_blob(&in[2], id, UUID_LEN);
	db_in_time(&in[3], &t);
	return rows_exec_one(db, &st_key_revoke, in, changed);
}

/*
 * A key's own rate limit (NULL or per_second 0: none), only while the key is
 * active at `now`; *changed is false when it was not active or already had it.
 */
static struct db_stmt st_key_set_rate_limit = DB_STMT(false,
	"UPDATE api_keys k SET k.rate_limit_per_second = ?, k.rate_limit_burst = ?"
	" WHERE k.id = ?" ACTIVE);

enum db_status
store_key_set_rate_limit(struct db *db, const uint8_t id[UUID_LEN],
                         const struct store_rate_limit *rl, int64_t now, bool *changed)
{
	MYSQL_BIND in[4];
	MYSQL_TIME t;
	my_bool nul;
	int64_t v[2];

	db_time_from_us(&t, now);
	rows_in_rate_limit(&in[0], rl, v, &nul);
	db_in_blob(&in[2], id, UUID_LEN);
	db_in_time(&in[3], &t);
	return rows_exec_one(db, &st_key_set_rate_limit, in, changed);
}

/* A key's name, only while it is active at `now` (as store_key_set_rate_limit). */
static struct db_stmt st_key_rename = DB_STMT(false,
	"UPDATE api_keys k SET k.name = ? WHERE k.id = ?" ACTIVE);

enum db_status
store_key_rename(struct db *db, const uint8_t id[UUID_LEN], const char *name, int64_t now,
                 bool *changed)
{
	MYSQL_BIND in[3];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_str(&in[0], name, strlen(name));
	db_in_blob(&in[1], id, UUID_LEN);
	db_in_time(&in[2], &t);
	return rows_exec_one(db, &st_key_rename, in, changed);
}

/*
 * The old key of a roll: replaced, ending at `ends`, and revoked then when
 * `revoke` (no grace period). Only once, and only while it is not revoked:
 * *changed is false when it was rolled or revoked meanwhile.
 */
static struct db_stmt st_key_roll = DB_STMT(false,
	"UPDATE api_keys SET replaced_by = ?, expires_at = ?, revoked_at = ?, revoked_reason = ?"
	" WHERE id = ? AND revoked_at IS NULL AND replaced_by IS NULL");

enum db_status
store_key_roll(struct db *db, const uint8_t id[UUID_LEN], const uint8_t replaced_by[UUID_LEN],
               int64_t ends, bool revoke, bool *changed)
{
	MYSQL_BIND in[5];
	MYSQL_TIME t;
	my_bool revoke_nul = !revoke;
	static const char why[] = "rolled";

	db_time_from_us(&t, ends);
	db_in_blob(&in[0], replaced_by, UUID_LEN);
	db_in_time(&in[1], &t);
	db_bind(&in[2], MYSQL_TYPE_DATETIME, &t, 0, NULL, &revoke_nul);
	db_bind(&in[3], MYSQL_TYPE_STRING, (void *)why, sizeof(why) - 1, NULL, &revoke_nul);
	db_in_blob(&in[4], id, UUID_LEN);
	return rows_exec_one(db, &st_key_roll, in, changed);
}

/* Of any number of refusals at once, one sets the flag: it writes the event. */
static struct db_stmt st_key_expiry_recorded = DB_STMT(false,
	"UPDATE api_keys SET expiry_recorded = 1 WHERE id = ? AND expiry_recorded = 0");

enum db_status
store_key_claim_expiry(struct db *db, const uint8_t id[UUID_LEN], bool *claimed)
{
	MYSQL_BIND in[1];

	db_in_blob(&in[0], id, UUID_LEN);
	return rows_exec_one(db, &st_key_expiry_recorded, in, claimed);
}

/*
 * Four plain statements rather than one with "? = 0 OR ..." switches,
 * which MariaDB re-plans on every execution (make bench: ~1.5x the cost).
 */
static struct db_stmt st_key_list = DB_STMT(true,
	LIST_SQL("", ACTIVE));

static struct db_stmt st_key_list_revoked = DB_STMT(true,
	LIST_SQL("", ""));

static struct db_stmt st_key_list_own = DB_STMT(true,
	LIST_SQL(" AND k.created_by = ?", ACTIVE));

static struct db_stmt st_key_list_own_revoked = DB_STMT(true,
	LIST_SQL(" AND k.created_by = ?", ""));

/* One page of store_key_list, active as of `now` unless include_revoked. */
static enum db_status
list_page(struct db *db, const struct store_scope *scope, const struct store_cursor *after,
          bool include_revoked, int64_t now, unsigned limit, struct store_key *out,
          unsigned *n)
{
	struct db_stmt *stmt = scope->own_only ?
		(include_revoked ? &st_key_list_own_revoked : &st_key_list_own) :
		(include_revoked ? &st_key_list_revoked : &st_key_list);
	MYSQL_BIND in[8], res[KEY_NCOLS];
	MYSQL_TIME at, t_now;
	struct rows_key k;
	int64_t lim = limit;
	int p = 0;
	enum db_status rc;

	if (after == NULL)
		after = &rows_cursor_top;
	db_time_from_us(&at, after->created_at);
	db_time_from_us(&t_now, now);
	db_in_blob(&in[p++], scope->owner, UUID_LEN);
	if (scope->own_only)
		db_in_blob(&in[p++], scope->actor, UUID_LEN);
	if (!include_revoked)
		db_in_time(&in[p++], &t_now);
	db_in_time(&in[p++], &at);
	db_in_time(&in[p++], &at);
	db_in_blob(&in[p++], after->id, UUID_LEN);
	db_in_i64(&in[p++], &lim);
	rows_bind_key(res, &k);
	*n = 0;
	rc = db_exec(db, stmt, in, res);
	if (rc != DB_OK)
		return rc;
	while (*n < limit && db_fetch(db, stmt) == 1)
		rows_copy_key(&out[(*n)++], &k);
	db_done(db, stmt);
	return DB_OK;
}

/* Whether a page holds a key that is no longer active at `now`. */
static bool
has_ended(const struct store_key *keys, unsigned n, int64_t now)
{
	for (unsigned i = 0; i < n; i++)
		if (!store_key_active(&keys[i], now))
			return true;
	return false;
}

/*
 * The active-only lists are read as of `now` rounded down to the second, so
 * that the statement repeats for a second and MariaDB's query cache can
 * answer it (README, "Deploying"); a key whose grace period ended within that
 * second would pass, and then the page is read again at the exact instant.
 */
enum db_status
store_key_list(struct db *db, const struct store_scope *scope, const struct store_cursor *after,
               bool include_revoked, int64_t now, unsigned limit, struct store_key *out,
               unsigned *n)
{
	enum db_status rc;

	if (include_revoked)
		return list_page(db, scope, after, true, now, limit, out, n);
	rc = list_page(db, scope, after, false, now - now % TIMEFMT_SECOND, limit, out, n);
	if (rc == DB_OK && has_ended(out, *n, now))
		rc = list_page(db, scope, after, false, now, limit, out, n);
	return rc;
}
