/*
 * store_usage: a key's counters and its daily usage (sql/006): rows per
 * database node, added to by the usage flush, read as sums; closed days
 * folded into one row a key and day.
 */
#ifndef PS_STORE_USAGE_H
#define PS_STORE_USAGE_H

#include "data/store.h"

struct store_usage_day {
	int64_t day;                /* midnight UTC, microseconds */
	uint64_t request_count;
	uint64_t refused_count;     /* of them, refused with 429 (rate limited) */
};
/* Days with use from `since` (midnight UTC) on, oldest first, at most max rows. */
enum db_status store_usage_history(struct db *db, const uint8_t key[UUID_LEN], int64_t since,
                                   struct store_usage_day *out, unsigned max, unsigned *n);

/*
 * Requests (and of them those refused with 429) of each of the ndays days up
 * to `today` (midnight UTC), oldest first, 0 for days without use: counts and
 * refused have room for ndays (at most STORE_USAGE_DAYS_MAX; more are not
 * filled).
 */
#define STORE_USAGE_DAYS_MAX 90
enum db_status store_usage_days(struct db *db, const uint8_t key[UUID_LEN], int64_t today,
                                unsigned ndays, uint64_t *counts, uint64_t *refused);

/*
 * A flush's id, recorded in the flush's own transaction (and up to 10
 * flushes older than prune_before forgotten): store_usage_flushed then tells
 * whether a flush whose COMMIT went unanswered committed after all.
 */
enum db_status store_usage_flush_record(struct db *db, const uint8_t id[UUID_LEN], int64_t now,
                                        int64_t prune_before);
enum db_status store_usage_flushed(struct db *db, const uint8_t id[UUID_LEN], bool *committed);

/*
 * Adds count requests to key (its counters and the daily row of `day`,
 * midnight UTC), `refused` of them refused with 429 (the daily row's
 * refused_count), and moves last_used_at forward to last_used, in the rows of
 * the node the connection reached. Additive, so concurrent workers compose.
 */
enum db_status store_usage_add(struct db *db, const uint8_t key[UUID_LEN], int64_t day,
                               uint32_t count, uint32_t refused, int64_t last_used);

/* A key's day (midnight UTC) with rows of one or more nodes. */
struct store_usage_group {
	uint8_t key[UUID_LEN];
	int64_t day;
};
/* Up to max such groups of days before `before` (midnight UTC), the oldest first. */
enum db_status store_usage_closed(struct db *db, int64_t before, struct store_usage_group *out,
                                  unsigned max, unsigned *n);
/* Folds a group's rows into its one row of api_key_usage_daily: in a transaction. */
enum db_status store_usage_fold(struct db *db, const struct store_usage_group *g);

#endif
