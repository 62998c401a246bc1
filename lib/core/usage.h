/*
 * usage: per-worker request counters (docs/api.md, the key object's
 * last_used_at and request_count, and GET /v1/api-keys/{id}/usage).
 *
 * Each authenticated request adds one to its key's entry for the current
 * UTC day in memory; usage_flush writes all entries in one transaction with
 * additive updates (count = count + delta, last_used_at = GREATEST(...)), so
 * workers never overwrite each other. A failed flush keeps the entries for
 * the next attempt. Exactly once: each flush records its id in its own
 * transaction; when its COMMIT goes unanswered (the connection died, maybe
 * after the server committed), the batch it sent is kept aside, and the next
 * flush first asks whether that id committed: if so the batch is taken off
 * the entries, else they go again. The table is bounded: when it is full and
 * a flush cannot empty it, further counts are dropped, and the next
 * successful flush logs how many.
 *
 * Ownership: struct usage is the worker's; it borrows the db handle.
 */
#ifndef PS_USAGE_H
#define PS_USAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/uuid.h"
#include "data/store_usage.h"

#define USAGE_SLOTS 4096          /* distinct (key, day) pairs between flushes */

struct usage_entry {
	uint8_t key[UUID_LEN];
	int32_t day;                  /* days since 1970-01-01, UTC */
	uint32_t count;               /* 0: free slot */
	uint32_t refused;             /* of count, refused with 429 (rate limited) */
	int64_t last_used;            /* microseconds */
};

/* Counts since usage_init, for the metrics: recorded in memory, written, dropped. */
struct usage_totals {
	uint64_t buffered, flushed, dropped;
};

struct usage {
	struct db *db;
	unsigned used;
	uint64_t dropped;             /* since the last successful flush (then logged) */
	struct usage_totals totals;
	struct usage_entry slots[USAGE_SLOTS];
	/* A flush whose COMMIT went unanswered: its id and what it sent. */
	bool unsure;
	uint8_t unsure_id[UUID_LEN];
	struct usage_entry unsure_slots[USAGE_SLOTS];
};

void usage_init(struct usage *u, struct db *db);

/* Counts one request of key at instant now (microseconds); refused: answered 429. */
void usage_record(struct usage *u, const uint8_t key[UUID_LEN], int64_t now, bool refused);

/* Writes and clears every entry. ERR_NONE also when there was nothing to write. */
enum err usage_flush(struct usage *u);

/*
 * The requests of key on each of the ndays UTC days ending with the day of
 * `now`, oldest first, 0 for days without use, and of them those refused with
 * 429 (counts and refused have room for ndays, at most USAGE_HISTORY_MAX).
 */
#define USAGE_HISTORY_MAX STORE_USAGE_DAYS_MAX
enum err usage_history(struct db *db, const uint8_t key[UUID_LEN], int64_t now, unsigned ndays,
                       uint64_t *counts, uint64_t *refused);

/*
 * Compaction of closed days, a daily job (`parsesphere-admin usage compact`):
 * folds the nodes' daily rows of up to max (at most USAGE_COMPACT_MAX) keys'
 * days before yesterday into one row each, *folded of them. Counts that
 * arrive later for such a day (a worker that was cut off from the database)
 * make new rows, folded by the next run; reads sum both, so nothing is lost.
 */
#define USAGE_COMPACT_MAX 100
enum err usage_compact(struct db *db, int64_t now, unsigned max, unsigned *folded);

static inline bool
usage_pending(const struct usage *u)
{
	return u->used > 0;
}

#endif
