#include "core/usage.h"

#include <string.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "core/result.h"
#include "data/store_usage.h"

#define US_PER_DAY TIMEFMT_DAY

void
usage_init(struct usage *u, struct db *db)
{
	memset(u, 0, sizeof(*u));
	u->db = db;
}

static uint32_t
slot_of(const uint8_t key[UUID_LEN], int32_t day)
{
	uint32_t h = 2166136261u;   /* FNV-1a over the random tail of the id and the day */

	for (int i = 8; i < UUID_LEN; i++)
		h = (h ^ key[i]) * 16777619u;
	h = (h ^ (uint32_t)day) * 16777619u;
	return h & (USAGE_SLOTS - 1);
}

/* The entry for (key, day), created if absent; NULL when the table is full. */
static struct usage_entry *
find(struct usage *u, const uint8_t key[UUID_LEN], int32_t day)
{
	uint32_t i = slot_of(key, day);

	for (unsigned probes = 0; probes < USAGE_SLOTS; probes++, i = (i + 1) & (USAGE_SLOTS - 1)) {
		struct usage_entry *e = &u->slots[i];
		if (e->count == 0) {
			/* Keep a quarter free so that probe runs stay short. */
			if (u->used >= USAGE_SLOTS - USAGE_SLOTS / 4)
				return NULL;
			memcpy(e->key, key, UUID_LEN);
			e->day = day;
			e->last_used = 0;
			e->refused = 0;
			u->used++;
			return e;
		}
		if (e->day == day && memcmp(e->key, key, UUID_LEN) == 0)
			return e;
	}
	return NULL;
}

void
usage_record(struct usage *u, const uint8_t key[UUID_LEN], int64_t now, bool refused)
{
	int32_t day = (int32_t)(now / US_PER_DAY);
	struct usage_entry *e = find(u, key, day);

	if (e == NULL && usage_flush(u) == ERR_NONE)
		e = find(u, key, day);
	if (e == NULL || e->count == UINT32_MAX) {
		u->dropped++;
		u->totals.dropped++;
		return;
	}
	e->count++;
	e->refused += refused;
	u->totals.buffered++;
	if (now > e->last_used)
		e->last_used = now;
}

/*
 * The batch of an unanswered COMMIT did commit: its counts come off the
 * entries (only what was added since stays), count as flushed (they are in
 * the database), and the table is rebuilt, since freed slots would break the
 * probe runs of find().
 */
static void
take_off(struct usage *u)
{
	static struct usage_entry keep[USAGE_SLOTS];
	unsigned n = 0;

	for (unsigned i = 0; i < USAGE_SLOTS; i++) {
		struct usage_entry e = u->slots[i];
		const struct usage_entry *sent = &u->unsure_slots[i];

		/* The batch is a copy of the table: the same entry sits in the same slot. */
		if (sent->count > 0 && sent->day == e.day &&
		    memcmp(sent->key, e.key, UUID_LEN) == 0) {
			e.count -= sent->count;
			e.refused -= sent->refused;
			u->totals.flushed += sent->count;
		}
		if (e.count > 0)
			keep[n++] = e;
	}
	memset(u->slots, 0, sizeof(u->slots));
	u->used = 0;
	for (unsigned i = 0; i < n; i++) {
		struct usage_entry *e = find(u, keep[i].key, keep[i].day);

		e->count = keep[i].count;
		e->refused = keep[i].refused;
		e->last_used = keep[i].last_used;
	}
}

/* Settles an unanswered COMMIT: did it commit? DB_OK once known. */
static enum db_status
settle(struct usage *u)
{
	bool committed = false;
	enum db_status rc;

	if (!u->unsure)
		return DB_OK;
	if ((rc = store_usage_flushed(u->db, u->unsure_id, &committed)) != DB_OK)
		return rc;
	if (committed)
		take_off(u);
	u->unsure = false;
	return DB_OK;
}

enum err
usage_flush(struct usage *u)
{
	int64_t now = timefmt_now_us();
	uint8_t id[UUID_LEN];
	enum db_status rc;
	uint64_t written = 0;

	if ((rc = settle(u)) != DB_OK)
		return result_db(rc);
	if (u->used == 0)
		return ERR_NONE;
	uuid_v7(id, (uint64_t)(now / 1000));
	rc = db_begin(u->db);
	if (rc == DB_OK)
		rc = store_usage_flush_record(u->db, id, now, now - US_PER_DAY);
	for (unsigned i = 0; rc == DB_OK && i < USAGE_SLOTS; i++) {
		const struct usage_entry *e = &u->slots[i];
		if (e->count > 0)
			rc = store_usage_add(u->db, e->key, (int64_t)e->day * US_PER_DAY,
			                     e->count, e->refused, e->last_used);
		written += e->count;
	}
	if (rc == DB_OK && (rc = db_commit(u->db)) != DB_OK) {
		/* Unanswered: it may have committed. Asked by id before anything is sent again. */
		u->unsure = true;
		memcpy(u->unsure_id, id, UUID_LEN);
		memcpy(u->unsure_slots, u->slots, sizeof(u->slots));
	}
	if (rc != DB_OK) {
		db_rollback(u->db);
		return result_db(rc);   /* the entries stay for the next attempt */
	}
	memset(u->slots, 0, sizeof(u->slots));
	u->used = 0;
	u->totals.flushed += written;
	if (u->dropped > 0) {
		log_error("usage: %llu request counts were dropped while the database was unreachable",
		          (unsigned long long)u->dropped);
		u->dropped = 0;
	}
	return ERR_NONE;
}

enum err
usage_history(struct db *db, const uint8_t key[UUID_LEN], int64_t now, unsigned ndays,
              uint64_t *counts, uint64_t *refused)
{
	return result_db(store_usage_days(db, key, now / TIMEFMT_DAY * TIMEFMT_DAY, ndays, counts,
	                                  refused));
}

enum err
usage_compact(struct db *db, int64_t now, unsigned max, unsigned *folded)
{
	struct store_usage_group groups[USAGE_COMPACT_MAX];
	/* Yesterday stays open: a worker may still be flushing its last counts. */
	int64_t before = now / US_PER_DAY * US_PER_DAY - US_PER_DAY;
	unsigned n = 0;
	enum db_status rc;

	*folded = 0;
	rc = store_usage_closed(db, before, groups, max < USAGE_COMPACT_MAX ? max : USAGE_COMPACT_MAX,
	                        &n);
	/* A transaction a group: small write sets, and a conflict costs only that group. */
	for (unsigned i = 0; rc == DB_OK && i < n; i++) {
		if ((rc = db_begin(db)) == DB_OK && (rc = store_usage_fold(db, &groups[i])) == DB_OK)
			rc = db_commit(db);
		if (rc != DB_OK)
			db_rollback(db);
		else
			(*folded)++;
	}
	return result_db(rc);
}
