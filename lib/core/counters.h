/*
 * counters: a key's usage counters for GET /v1/me, from a per-process
 * snapshot at most COUNTERS_MAX_AGE_US old.
 *
 * Why: authentication reads no counters (data/rows.h, KEY_COLS_UNCOUNTED), so
 * that its statement stays in MariaDB's query cache; /v1/me shows them, and
 * asking the database for them on every call would double that call's round
 * trips. docs/api.md allows counts to show within 2 s of the request; the
 * workers flush every second (app/worker.c), so a snapshot up to 0.5 s old
 * keeps them visible within 1.5 s. Everything else a key shows is read on
 * every request.
 *
 * A struct counters belongs to one worker (no locking); zero it to start.
 */
#ifndef PS_COUNTERS_H
#define PS_COUNTERS_H

#include "core/result.h"
#include "data/db.h"
#include "data/store.h"

#define COUNTERS_SLOTS       64
#define COUNTERS_MAX_AGE_US  INT64_C(500000)

struct counters_slot {
	uint8_t key_id[UUID_LEN];
	int64_t read_at;                 /* 0: empty */
	struct store_counters value;
};

struct counters {
	struct counters_slot slot[COUNTERS_SLOTS];
};

/*
 * Sets k->counters from the snapshot, or from the database when the
 * snapshot has none for k younger than COUNTERS_MAX_AGE_US at `now`. With
 * c == NULL, always from the database.
 */
enum err counters_fill(struct db *db, struct counters *c, struct store_key *k, int64_t now);

#endif
