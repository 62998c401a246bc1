#include "data/store_web.h"

#include <string.h>

#include "data/rows.h"

/* A write whose only parameter is one id or hash. */
static enum db_status
exec_blob(struct db *db, struct db_stmt *stmt, const uint8_t *p, size_t len)
{
	MYSQL_BIND in[1];

	db_in_blob(&in[0], p, len);
	return db_exec(db, stmt, in, NULL);
}

/* A write whose only parameter is one instant. */
static enum db_status
exec_time(struct db *db, struct db_stmt *stmt, int64_t us)
{
	MYSQL_BIND in[1];
	MYSQL_TIME t;

	db_time_from_us(&t, us);
	db_in_time(&in[0], &t);
	return db_exec(db, stmt, in, NULL);
}

static struct db_stmt st_session_insert = DB_STMT(false,
	"INSERT INTO dashboard_sessions (id_hash, account_id, created_at, last_seen_at)"
	" VALUES (?, ?, ?, ?)");

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
	return db_exec(db, &st_session_insert, in, NULL);
}

static struct db_stmt st_session_get = DB_STMT(true,
	"SELECT s.account_id, s.created_at, s.last_seen_at, a.email, a.name, a.is_active"
	" FROM dashboard_sessions s JOIN accounts a ON a.id = s.account_id"
	" WHERE s.id_hash = ?");

enum db_status
store_session_get(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                  struct store_session *out, bool *found)
{
	MYSQL_BIND in[1], res[6];
	MYSQL_TIME created, seen;
	unsigned long acc_len = 0;
	struct rows_text email, name;
	int8_t active = 0;
	enum db_status rc;

	memset(out, 0, sizeof(*out));
	db_in_blob(&in[0], id, STORE_SESSION_ID_LEN);
	db_out_blob(&res[0], out->account.id, UUID_LEN, &acc_len, NULL);
	db_out_time(&res[1], &created, NULL);
	db_out_time(&res[2], &seen, NULL);
	rows_bind_text(&res[3], &email);
	rows_bind_text(&res[4], &name);
	db_bind(&res[5], MYSQL_TYPE_TINY, &active, 0, NULL, NULL);
	rc = rows_query_one(db, &st_session_get, in, res, found);
	if (rc != DB_OK || !*found)
		return rc;
	out->created_at = db_time_to_us(&created);
	out->last_seen_at = db_time_to_us(&seen);
	rows_copy_text(out->account.email, sizeof(out->account.email), &email);
	rows_copy_text(out->account.name, sizeof(out->account.name), &name);
	out->account.is_active = active != 0;
	return DB_OK;
}

static struct db_stmt st_session_touch = DB_STMT(true,
	"UPDATE dashboard_sessions SET last_seen_at = GREATEST(last_seen_at, ?)"
	" WHERE id_hash = ?");

enum db_status
store_session_touch(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN], int64_t now)
{
	MYSQL_BIND in[2];
	MYSQL_TIME t;

	db_time_from_us(&t, now);
	db_in_time(&in[0], &t);
	db_in_blob(&in[1], id, STORE_SESSION_ID_LEN);
	return db_exec(db, &st_session_touch, in, NULL);
}

static struct db_stmt st_session_delete = DB_STMT(true,
	"DELETE FROM dashboard_sessions WHERE id_hash = ?");

enum db_status
store_session_delete(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN])
{
	return exec_blob(db, &st_session_delete, id, STORE_SESSION_ID_LEN);
}

static struct db_stmt st_session_delete_account = DB_STMT(true,
	"DELETE FROM dashboard_sessions WHERE account_id = ?");

enum db_status
store_session_delete_account(struct db *db, const uint8_t account[UUID_LEN])
{
	return exec_blob(db, &st_session_delete_account, account, UUID_LEN);
}

/* Idle ones: every session past its absolute limit is idle too, or ends at its next use. */
static struct db_stmt st_session_prune = DB_STMT(true,
	"DELETE FROM dashboard_sessions WHERE last_seen_at < ? LIMIT 100");

enum db_status
store_session_prune(struct db *db, int64_t seen_before)
{
	return exec_time(db, &st_session_prune, seen_before);
}

static struct db_stmt st_new_key_insert = DB_STMT(false,
	"INSERT INTO dashboard_new_keys (session_id, api_key_id, sealed, created_at)"
	" VALUES (?, ?, ?, ?)");

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
	return db_exec(db, &st_new_key_insert, in, NULL);
}

/* The newest waiting in a scope (keys the session created: its account's own). */
static struct db_stmt st_new_key_next = DB_STMT(true,
	"SELECT n.api_key_id, n.sealed FROM dashboard_new_keys n"
	" JOIN api_keys k ON k.id = n.api_key_id"
	" WHERE n.session_id = ? AND k.scope_id = ?"
	" ORDER BY n.created_at DESC, n.api_key_id DESC LIMIT 2");

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
	if ((rc = db_exec(db, &st_new_key_next, in, res)) != DB_OK)
		return rc;
	*found = db_fetch(db, &st_new_key_next) == 1 && out->sealed_len <= sizeof(out->sealed);
	/* The second row is only counted: the bound buffers keep the first. */
	if (*found) {
		struct store_new_key first = *out;

		*more = db_fetch(db, &st_new_key_next) == 1;
		*out = first;
	}
	db_done(db, &st_new_key_next);
	return DB_OK;
}

/* Of two concurrent takers one deletes the row: only it shows the secret. A
 * retry after a lost reply would find no row, so never retried. */
static struct db_stmt st_new_key_take = DB_STMT(false,
	"DELETE FROM dashboard_new_keys WHERE session_id = ? AND api_key_id = ?");

enum db_status
store_new_key_take(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                   const uint8_t key[UUID_LEN], bool *taken)
{
	MYSQL_BIND in[2];

	db_in_blob(&in[0], session, STORE_SESSION_ID_LEN);
	db_in_blob(&in[1], key, UUID_LEN);
	return rows_exec_one(db, &st_new_key_take, in, taken);
}

static struct db_stmt st_throttle_get = DB_STMT(true,
	"SELECT window_start, failures FROM login_throttle WHERE subject = ?");

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
	rc = rows_query_one(db, &st_throttle_get, in, res, &found);
	*window_start = found ? db_time_to_us(&start) : 0;
	*failures = found ? (unsigned)n : 0;
	return rc;
}

/*
 * One more attempt, in the current window or a new one (which has no refusal
 * recorded yet). MariaDB applies the assignments left to right: every IF
 * still sees the old window_start. Additive, so never retried (nor
 * ST_THROTTLE_FORGIVE).
 */
static struct db_stmt st_throttle_count = DB_STMT(false,
	"INSERT INTO login_throttle (subject, window_start, failures) VALUES (?, ?, 1)"
	" ON DUPLICATE KEY UPDATE failures = IF(window_start < ?, 1, failures + 1),"
	" refusal_recorded = IF(window_start < ?, 0, refusal_recorded),"
	" window_start = IF(window_start < ?, VALUES(window_start), window_start)");

enum db_status
store_throttle_count(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN], int64_t now,
                     int64_t window_from)
{
	MYSQL_BIND in[5];
	MYSQL_TIME t, from;

	db_time_from_us(&t, now);
	db_time_from_us(&from, window_from);
	db_in_blob(&in[0], subject, STORE_SUBJECT_LEN);
	db_in_time(&in[1], &t);
	db_in_time(&in[2], &from);
	db_in_time(&in[3], &from);
	db_in_time(&in[4], &from);
	return db_exec(db, &st_throttle_count, in, NULL);
}

/* Of any number of refusals at once in one window, one sets the flag. */
static struct db_stmt st_throttle_claim = DB_STMT(false,
	"UPDATE login_throttle SET refusal_recorded = 1 WHERE subject = ? AND refusal_recorded = 0");

enum db_status
store_throttle_claim_refusal(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                             bool *claimed)
{
	MYSQL_BIND in[1];

	db_in_blob(&in[0], subject, STORE_SUBJECT_LEN);
	return rows_exec_one(db, &st_throttle_claim, in, claimed);
}

static struct db_stmt st_throttle_forgive = DB_STMT(false,
	"UPDATE login_throttle SET failures = failures - 1 WHERE subject = ? AND failures > 0");

enum db_status
store_throttle_forgive(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN])
{
	return exec_blob(db, &st_throttle_forgive, subject, STORE_SUBJECT_LEN);
}

static struct db_stmt st_throttle_clear = DB_STMT(true,
	"DELETE FROM login_throttle WHERE subject = ?");

enum db_status
store_throttle_clear(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN])
{
	return exec_blob(db, &st_throttle_clear, subject, STORE_SUBJECT_LEN);
}

static struct db_stmt st_throttle_prune = DB_STMT(true,
	"DELETE FROM login_throttle WHERE window_start < ? ORDER BY window_start LIMIT 10");

enum db_status
store_throttle_prune(struct db *db, int64_t before)
{
	return exec_time(db, &st_throttle_prune, before);
}
