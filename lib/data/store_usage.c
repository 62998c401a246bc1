#include "data/store_usage.h"

#include <string.h>

#include "base/timefmt.h"
#include "data/rows.h"

/* Closed days folded into api_key_usage_daily, plus the nodes' rows not folded yet. */
static struct db_stmt st_usage_history = DB_STMT(true,
	"SELECT day, SUM(request_count), SUM(refused_count) FROM ("
	" SELECT day, request_count, refused_count FROM api_key_usage_daily"
	"  WHERE api_key_id = ? AND day >= ?"
	" UNION ALL"
	" SELECT day, request_count, refused_count FROM api_key_usage_node_daily"
	"  WHERE api_key_id = ? AND day >= ?"
	") u GROUP BY day ORDER BY day LIMIT ?");

enum db_status
store_usage_history(struct db *db, const uint8_t key[UUID_LEN], int64_t since,
                    struct store_usage_day *out, unsigned max, unsigned *n)
{
	MYSQL_BIND in[5], res[3];
	MYSQL_TIME from, day;
	int64_t count, refused, lim = max;
	enum db_status rc;

	db_time_from_us(&from, since);
	from.time_type = MYSQL_TIMESTAMP_DATE;
	for (int i = 0; i < 4; i += 2) {
		db_in_blob(&in[i], key, UUID_LEN);
		db_bind(&in[i + 1], MYSQL_TYPE_DATE, &from, 0, NULL, NULL);
	}
	db_in_i64(&in[4], &lim);
	db_bind(&res[0], MYSQL_TYPE_DATE, &day, 0, NULL, NULL);
	db_out_i64(&res[1], &count, NULL);
	db_out_i64(&res[2], &refused, NULL);
	*n = 0;
	rc = db_exec(db, &st_usage_history, in, res);
	if (rc != DB_OK)
		return rc;
	while (*n < max && db_fetch(db, &st_usage_history) == 1) {
		out[*n].day = db_time_to_us(&day);
		out[*n].request_count = (uint64_t)count;
		out[*n].refused_count = (uint64_t)refused;
		(*n)++;
	}
	db_done(db, &st_usage_history);
	return DB_OK;
}

enum db_status
store_usage_days(struct db *db, const uint8_t key[UUID_LEN], int64_t today, unsigned ndays,
                 uint64_t *counts, uint64_t *refused)
{
	struct store_usage_day rows[STORE_USAGE_DAYS_MAX];
	const int64_t day_us = TIMEFMT_DAY;
	unsigned n = 0;
	enum db_status rc = DB_OK;

	if (ndays > STORE_USAGE_DAYS_MAX)
		ndays = STORE_USAGE_DAYS_MAX;
	memset(counts, 0, ndays * sizeof(*counts));
	memset(refused, 0, ndays * sizeof(*refused));
	/* No days, no query: the window's first day would overflow at ndays - 1. */
	if (ndays > 0)
		rc = store_usage_history(db, key, today - (int64_t)(ndays - 1) * day_us, rows,
		                         ndays, &n);
	/* Rows come oldest first and only for days with use: the rest stay 0. */
	for (unsigned j = 0; rc == DB_OK && j < n; j++) {
		int64_t ago = (today - rows[j].day) / day_us;

		if (ago >= 0 && ago < (int64_t)ndays) {
			counts[ndays - 1 - ago] = rows[j].request_count;
			refused[ndays - 1 - ago] = rows[j].refused_count;
		}
	}
	return rc;
}

/*
 * Additive, never idempotent: run inside the usage flush's transaction only.
 * Rows of the writing node alone (sql/006): flushes through different nodes
 * never write the same row, and none writes api_keys.
 */
static struct db_stmt st_usage_add_key = DB_STMT(false,
	"INSERT INTO api_key_counters (api_key_id, node, request_count, last_used_at)"
	" VALUES (?, @@wsrep_node_name, ?, ?) ON DUPLICATE KEY UPDATE"
	"  request_count = api_key_counters.request_count + VALUES(request_count),"
	"  last_used_at = GREATEST(api_key_counters.last_used_at, VALUES(last_used_at))");

static struct db_stmt st_usage_add_day = DB_STMT(false,
	"INSERT INTO api_key_usage_node_daily (api_key_id, day, node, request_count, refused_count)"
	" VALUES (?, ?, @@wsrep_node_name, ?, ?) ON DUPLICATE KEY UPDATE"
	"  request_count = api_key_usage_node_daily.request_count + VALUES(request_count),"
	"  refused_count = api_key_usage_node_daily.refused_count + VALUES(refused_count)");

enum db_status
store_usage_add(struct db *db, const uint8_t key[UUID_LEN], int64_t day, uint32_t count,
                uint32_t refused, int64_t last_used)
{
	MYSQL_BIND in[4];
	MYSQL_TIME at, d;
	int64_t n = count, r = refused;
	enum db_status rc;

	db_time_from_us(&at, last_used);
	db_in_blob(&in[0], key, UUID_LEN);
	db_in_i64(&in[1], &n);
	db_in_time(&in[2], &at);
	if ((rc = db_exec(db, &st_usage_add_key, in, NULL)) != DB_OK)
		return rc;
	db_time_from_us(&d, day);
	d.time_type = MYSQL_TIMESTAMP_DATE;
	db_bind(&in[1], MYSQL_TYPE_DATE, &d, 0, NULL, NULL);
	db_in_i64(&in[2], &n);
	db_in_i64(&in[3], &r);
	return db_exec(db, &st_usage_add_day, in, NULL);
}

static struct db_stmt st_usage_flush_record = DB_STMT(false,
	"INSERT INTO usage_flushes (id, flushed_at, node) VALUES (?, ?, @@wsrep_node_name)");

/*
 * Ended flushes are only asked about until the next one succeeds: a day is
 * ample. Each node prunes its own: two deleting the same rows would conflict.
 */
static struct db_stmt st_usage_flush_prune = DB_STMT(false,
	"DELETE FROM usage_flushes WHERE node = @@wsrep_node_name AND flushed_at < ?"
	" ORDER BY flushed_at LIMIT 10");

enum db_status
store_usage_flush_record(struct db *db, const uint8_t id[UUID_LEN], int64_t now,
                         int64_t prune_before)
{
	MYSQL_BIND in[2];
	MYSQL_TIME at, before;
	enum db_status rc;

	db_time_from_us(&before, prune_before);
	db_in_time(&in[0], &before);
	if ((rc = db_exec(db, &st_usage_flush_prune, in, NULL)) != DB_OK)
		return rc;
	db_time_from_us(&at, now);
	db_in_blob(&in[0], id, UUID_LEN);
	db_in_time(&in[1], &at);
	return db_exec(db, &st_usage_flush_record, in, NULL);
}

static struct db_stmt st_usage_flushed = DB_STMT(true,
	"SELECT 1 FROM usage_flushes WHERE id = ?");

enum db_status
store_usage_flushed(struct db *db, const uint8_t id[UUID_LEN], bool *committed)
{
	MYSQL_BIND in[1], res[1];
	int64_t one = 0;

	db_in_blob(&in[0], id, UUID_LEN);
	db_out_i64(&res[0], &one, NULL);
	return rows_query_one(db, &st_usage_flushed, in, res, committed);
}

/* Through the (day, api_key_id) index: the oldest closed days first. */
static struct db_stmt st_usage_closed = DB_STMT(true,
	"SELECT api_key_id, day FROM api_key_usage_node_daily WHERE day < ?"
	" GROUP BY day, api_key_id ORDER BY day, api_key_id LIMIT ?");

enum db_status
store_usage_closed(struct db *db, int64_t before, struct store_usage_group *out, unsigned max,
                   unsigned *n)
{
	MYSQL_BIND in[2], res[2];
	MYSQL_TIME bound, day;
	uint8_t key[UUID_LEN];
	unsigned long key_len = 0;
	int64_t lim = max;
	enum db_status rc;

	db_time_from_us(&bound, before);
	bound.time_type = MYSQL_TIMESTAMP_DATE;
	db_bind(&in[0], MYSQL_TYPE_DATE, &bound, 0, NULL, NULL);
	db_in_i64(&in[1], &lim);
	db_out_blob(&res[0], key, UUID_LEN, &key_len, NULL);
	db_bind(&res[1], MYSQL_TYPE_DATE, &day, 0, NULL, NULL);
	*n = 0;
	if ((rc = db_exec(db, &st_usage_closed, in, res)) != DB_OK)
		return rc;
	while (*n < max && db_fetch(db, &st_usage_closed) == 1) {
		memcpy(out[*n].key, key, UUID_LEN);
		out[*n].day = db_time_to_us(&day);
		(*n)++;
	}
	db_done(db, &st_usage_closed);
	return DB_OK;
}

/*
 * INSERT ... SELECT locks the rows it sums (and the gaps around them), so
 * that the DELETE removes exactly those: a flush through this node adding to
 * the day meanwhile waits, then writes a new row. One through another node
 * conflicts at certification, and one of the two transactions is rolled back.
 */
static struct db_stmt st_usage_fold_sum = DB_STMT(false,
	"INSERT INTO api_key_usage_daily (api_key_id, day, request_count, refused_count)"
	" SELECT api_key_id, day, SUM(request_count), SUM(refused_count)"
	" FROM api_key_usage_node_daily"
	" WHERE api_key_id = ? AND day = ? GROUP BY api_key_id, day"
	" ON DUPLICATE KEY UPDATE"
	"  request_count = api_key_usage_daily.request_count + VALUES(request_count),"
	"  refused_count = api_key_usage_daily.refused_count + VALUES(refused_count)");

static struct db_stmt st_usage_fold_delete = DB_STMT(false,
	"DELETE FROM api_key_usage_node_daily WHERE api_key_id = ? AND day = ?");

enum db_status
store_usage_fold(struct db *db, const struct store_usage_group *g)
{
	MYSQL_BIND in[2];
	MYSQL_TIME d;
	enum db_status rc;

	db_time_from_us(&d, g->day);
	d.time_type = MYSQL_TIMESTAMP_DATE;
	db_in_blob(&in[0], g->key, UUID_LEN);
	db_bind(&in[1], MYSQL_TYPE_DATE, &d, 0, NULL, NULL);
	if ((rc = db_exec(db, &st_usage_fold_sum, in, NULL)) != DB_OK)
		return rc;
	return db_exec(db, &st_usage_fold_delete, in, NULL);
}
