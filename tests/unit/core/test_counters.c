/*
 * Unit tests of lib/core/counters.c: /v1/me's counters come from the
 * database, then from the worker's snapshot while it is younger than
 * COUNTERS_MAX_AGE_US, for that key only; a failed read is the request's
 * error and leaves no snapshot behind.
 */
#include "../../../lib/core/counters.c"
#include "../../../lib/core/result.c"
#include "../harness.h"

/* The database, faked: what store_key_counters answers, and how often it was asked. */
static struct {
	enum db_status rc;
	bool found;
	struct store_counters row;
	unsigned reads;
} fdb;

enum db_status
store_key_counters(struct db *db, const uint8_t id[UUID_LEN], struct store_counters *out,
                   bool *found)
{
	(void)db;
	(void)id;
	fdb.reads++;
	*found = fdb.found;
	if (fdb.rc == DB_OK && fdb.found)
		*out = fdb.row;
	return fdb.rc;
}

/* Not called by counters.c; result.c refers to them. */
enum db_status db_commit(struct db *db) { (void)db; return DB_OK; }
void db_rollback(struct db *db) { (void)db; }

#define T0 INT64_C(1780000000000000)

/* A key whose id ends in `tail` (the slot), counters set to `count` so that a copy shows. */
static struct store_key
key(uint8_t first, uint8_t tail, uint64_t count)
{
	struct store_key k;

	memset(&k, 0, sizeof(k));
	memset(k.id, first, UUID_LEN);
	k.id[UUID_LEN - 1] = tail;
	k.counters.request_count = count;
	return k;
}

/*
 * Steps on one snapshot: each asks for a key at an instant, with the
 * database's answer, and expects a count shown and whether the database was read.
 */
static void
test_snapshot(void)
{
	static const struct {
		int line;
		uint8_t first, tail;
		int64_t at;               /* µs after T0 */
		enum db_status rc;
		bool found;
		uint64_t db_count;
		enum err want;
		uint64_t want_count;
		bool want_read;
	} steps[] = {
		{__LINE__, 1, 5, 0, DB_OK, true, 10, ERR_NONE, 10, true},
		/* within the age: the snapshot, even though the database moved on */
		{__LINE__, 1, 5, 100000, DB_OK, true, 11, ERR_NONE, 10, false},
		{__LINE__, 1, 5, COUNTERS_MAX_AGE_US - 1, DB_OK, true, 12, ERR_NONE, 10, false},
		/* at the age: read again */
		{__LINE__, 1, 5, COUNTERS_MAX_AGE_US, DB_OK, true, 13, ERR_NONE, 13, true},
		/* another key in the same slot: its own read, which takes the slot */
		{__LINE__, 2, 5 + COUNTERS_SLOTS, COUNTERS_MAX_AGE_US + 1, DB_OK, true, 20, ERR_NONE,
		 20, true},
		{__LINE__, 1, 5, COUNTERS_MAX_AGE_US + 2, DB_OK, true, 14, ERR_NONE, 14, true},
		/* the clock went back: not trusted */
		{__LINE__, 1, 5, -1, DB_OK, true, 15, ERR_NONE, 15, true},
		/* a failed read: the error, nothing shown or kept */
		{__LINE__, 3, 7, 0, DB_UNAVAILABLE, false, 0, ERR_SERVICE_UNAVAILABLE, 99, true},
		{__LINE__, 3, 7, 1, DB_ERROR, false, 0, ERR_INTERNAL, 99, true},
		/* the key vanished: what it had, nothing kept */
		{__LINE__, 3, 7, 2, DB_OK, false, 0, ERR_NONE, 99, true},
		{__LINE__, 3, 7, 3, DB_OK, true, 30, ERR_NONE, 30, true},
		{__LINE__, 3, 7, 4, DB_OK, true, 31, ERR_NONE, 30, false},
	};
	static struct counters snap;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		struct store_key k = key(steps[i].first, steps[i].tail, 99);
		unsigned before = fdb.reads;
		enum err e;

		fdb.rc = steps[i].rc;
		fdb.found = steps[i].found;
		fdb.row.request_count = steps[i].db_count;
		e = counters_fill(NULL, &snap, &k, T0 + steps[i].at);
		CHECK_AT(e == steps[i].want && k.counters.request_count == steps[i].want_count &&
		         (fdb.reads != before) == steps[i].want_read, steps[i].line,
		         "error %d, count %llu, read %d", (int)e,
		         (unsigned long long)k.counters.request_count, fdb.reads != before);
	}
}

/* Without a snapshot (the admin tool, tests): every call reads. */
static void
test_no_snapshot(void)
{
	struct store_key k = key(4, 4, 0);

	fdb.rc = DB_OK;
	fdb.found = true;
	fdb.row.request_count = 7;
	fdb.reads = 0;
	for (int i = 0; i < 3; i++)
		CHECK(counters_fill(NULL, NULL, &k, T0) == ERR_NONE && k.counters.request_count == 7,
		      "call %d", i);
	CHECK(fdb.reads == 3, "%u reads, want 3", fdb.reads);
}

int
main(void)
{
	test_snapshot();
	test_no_snapshot();
	return harness_summary();
}
