#include "data/store_usage.h"

#include <string.h>

#include "base/timefmt.h"
#include "data/rows.h"

static struct db_stmt st_usage_history = DB_STMT(true,
	"SELECT day, request_count FROM api_key_usage_daily"
	" WHERE api_key_id = ? AND day >= ? ORDER BY day LIMIT ?");

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
	rc = db_exec(db, &st_usage_history, in, res);
	if (rc != DB_OK)
		return rc;
	while (*n < max && db_fetch(db, &st_usage_history) == 1) {
		out[*n].day = db_time_to_us(&day);
		out[*n].request_count = (uint64_t)count;
		(*n)++;
	}
	db_done(db, &st_usage_history);
	return DB_OK;
}

enum db_status
store_usage_days(struct db *db, const uint8_t key[UUID_LEN], int64_t today, unsigned ndays,
                 uint64_t *counts)
{
	struct store_usage_day rows[STORE_USAGE_DAYS_MAX];
	const int64_t day_us = TIMEFMT_DAY;
	unsigned n = 0;
	enum db_status rc = DB_OK;

	if (ndays > STORE_USAGE_DAYS_MAX)
		ndays = STORE_USAGE_DAYS_MAX;
	memset(counts, 0, ndays * sizeof(*counts));
	/* No days, no query: the window's first day would overflow at ndays - 1. */
	if (ndays > 0)
		rc = store_usage_history(db, key, today - (int64_t)(ndays - 1) * day_us, rows,
		                         ndays, &n);
	/* Rows come oldest first and only for days with use: the rest stay 0. */
	for (unsigned j = 0; rc == DB_OK && j < n; j++) {
		int64_t ago = (today - rows[j].day) / day_us;

		if (ago >= 0 && ago < (int64_t)ndays)
			counts[ndays - 1 - ago] = rows[j].request_count;
	}
	return rc;
}

/* Additive, never idempotent: run inside the usage flush's transaction only. */
static struct db_stmt st_usage_add_key = DB_STMT(false,
	"UPDATE api_keys SET request_count = request_count + ?,"
	" last_used_at = GREATEST(COALESCE(last_used_at, ?), ?) WHERE id = ?");

static struct db_stmt st_usage_add_day = DB_STMT(false,
	"INSERT INTO api_key_usage_daily (api_key_id, day, request_count)"
	" SELECT k.id, ?, ? FROM api_keys k WHERE k.id = ?"
	" ON DUPLICATE KEY UPDATE"
	"  request_count = api_key_usage_daily.request_count + VALUES(request_count)");

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
	if ((rc = db_exec(db, &st_usage_add_key, in, NULL)) != DB_OK)
		return rc;
	db_time_from_us(&d, day);
	d.time_type = MYSQL_TIMESTAMP_DATE;
	db_bind(&in[0], MYSQL_TYPE_DATE, &d, 0, NULL, NULL);
	db_in_i64(&in[1], &n);
	db_in_blob(&in[2], key, UUID_LEN);
	return db_exec(db, &st_usage_add_day, in, NULL);
}

static struct db_stmt st_usage_flush_record = DB_STMT(false,
	"INSERT INTO usage_flushes (id, flushed_at) VALUES (?, ?)");

/* Ended flushes are only asked about until the next one succeeds: a day is ample. */
static struct db_stmt st_usage_flush_prune = DB_STMT(false,
	"DELETE FROM usage_flushes WHERE flushed_at < ? ORDER BY flushed_at LIMIT 10");

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
