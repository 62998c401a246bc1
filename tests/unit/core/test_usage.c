/*
 * Unit tests of lib/core/usage.c and the daily history of
 * lib/data/store_usage.c, over a fake database: counts merge per key and
 * UTC day, a failed flush keeps them, a full table drops and counts what it
 * drops, the history has a slot per day, oldest first, and compaction folds
 * each closed day in a transaction of its own.
 */
#include "../../../lib/core/usage.c"
#include "../../../lib/data/store_usage.c"
#include "../../../lib/data/rows.c"
#include "../../../lib/data/store.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/validate.c"
#include "../../../lib/core/result.c"
#include "../../../lib/base/errors.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"

#include <stdarg.h>

#define DAY   TIMEFMT_DAY
#define HOUR  (INT64_C(3600) * TIMEFMT_SECOND)
#define DAY0  (INT64_C(20410) * DAY)     /* 2025-11-18, midnight UTC */
#define T0    (DAY0 + 12 * HOUR)

/* What one flush wrote for one entry (store_usage_add's two statements). */
struct write {
	uint8_t key[UUID_LEN];
	int64_t day;
	uint32_t count;
	uint32_t refused;                 /* of count, refused with 429 (the daily row's) */
	int64_t last_used;
};

#define WRITES_MAX (USAGE_SLOTS + 8)
#define ROWS_MAX   8

/*
 * The database under store_usage.c. It knows which parameter of each of
 * store_usage.c's statements is which: that is the one thing it assumes.
 */
static struct fake_db {
	enum db_status begin_rc, commit_rc, exec_rc;
	unsigned fail_exec;               /* the nth db_exec fails with exec_rc; 0: none */
	unsigned execs, begins, rollbacks, logs;
	char log[256];
	/* committed writes (a rollback drops those of its transaction) */
	struct write writes[WRITES_MAX];
	unsigned nwrites, txn_start;
	/* st_usage_history: its rows, and what it was asked */
	struct store_usage_day rows[ROWS_MAX];
	unsigned nrows, fetched, queries;
	MYSQL_BIND *result;
	int64_t since, limit;
	/* flush ids: the open transaction's, the committed ones, the one asked about */
	bool commit_applies;              /* a failing COMMIT committed anyway (its answer was lost) */
	uint8_t txn_id[UUID_LEN], asked_id[UUID_LEN];
	uint8_t flushes[8][UUID_LEN];
	unsigned nflushes, asks;
	/* st_usage_closed: its rows and what it was asked; the folds committed */
	struct store_usage_group groups[USAGE_COMPACT_MAX + 8];
	unsigned ngroups;
	int64_t before;
	struct store_usage_group folds[USAGE_COMPACT_MAX + 8];
	unsigned nfolds, fold_start, sums, deletes;
} fdb;

/* A fresh fake whose BEGIN, COMMIT and nth statement (0: none) end with these. */
static void
fdb_reset(enum db_status begin_rc, enum db_status commit_rc, unsigned fail_exec,
          enum db_status exec_rc)
{
	memset(&fdb, 0, sizeof(fdb));
	fdb.begin_rc = begin_rc;
	fdb.commit_rc = commit_rc;
	fdb.fail_exec = fail_exec;
	fdb.exec_rc = exec_rc;
}

/* The fake's MYSQL_TIME carries the instant whole; only the fake looks inside. */
void
db_time_from_us(MYSQL_TIME *t, int64_t us)
{
	memset(t, 0, sizeof(*t));
	t->second_part = (unsigned long)us;
}

int64_t
db_time_to_us(const MYSQL_TIME *t)
{
	return (int64_t)t->second_part;
}

enum db_status
db_begin(struct db *db)
{
	(void)db;
	fdb.begins++;
	fdb.txn_start = fdb.nwrites;
	fdb.fold_start = fdb.nfolds;
	return fdb.begin_rc;
}

enum db_status
db_commit(struct db *db)
{
	(void)db;
	if ((fdb.commit_rc == DB_OK || fdb.commit_applies) && fdb.nflushes < 8) {
		memcpy(fdb.flushes[fdb.nflushes++], fdb.txn_id, UUID_LEN);
		fdb.txn_start = fdb.nwrites;   /* committed: a rollback now keeps them */
	}
	if (fdb.commit_rc == DB_OK)
		fdb.fold_start = fdb.nfolds;
	return fdb.commit_rc;
}

void
db_rollback(struct db *db)
{
	(void)db;
	fdb.rollbacks++;
	fdb.nwrites = fdb.txn_start;
	fdb.nfolds = fdb.fold_start;
}

enum db_status
db_exec(struct db *db, struct db_stmt *st, MYSQL_BIND *in, MYSQL_BIND *result)
{
	struct write *w = &fdb.writes[fdb.nwrites < WRITES_MAX ? fdb.nwrites : WRITES_MAX - 1];

	(void)db;
	if (st == &st_usage_history) {
		fdb.queries++;
		/* Both tables are asked for the same key and days. */
		fdb.since = db_time_to_us(in[1].buffer) == db_time_to_us(in[3].buffer) &&
		            memcmp(in[0].buffer, in[2].buffer, UUID_LEN) == 0 ?
		            db_time_to_us(in[1].buffer) : -1;
		fdb.limit = *(const int64_t *)in[4].buffer;
		fdb.result = result;
		fdb.fetched = 0;
	}
	if (st == &st_usage_closed) {
		fdb.queries++;
		fdb.before = db_time_to_us(in[0].buffer);
		fdb.limit = *(const int64_t *)in[1].buffer;
		fdb.result = result;
		fdb.fetched = 0;
	}
	if (++fdb.execs == fdb.fail_exec)
		return fdb.exec_rc;
	if (st == &st_usage_flush_record)
		memcpy(fdb.txn_id, in[0].buffer, UUID_LEN);
	if (st == &st_usage_flushed) {
		fdb.asks++;
		memcpy(fdb.asked_id, in[0].buffer, UUID_LEN);
		fdb.fetched = 0;
	}
	if (st == &st_usage_add_key) {
		memcpy(w->key, in[0].buffer, UUID_LEN);
		w->count = (uint32_t)*(const int64_t *)in[1].buffer;
		w->last_used = db_time_to_us(in[2].buffer);
	} else if (st == &st_usage_add_day) {
		/* The same key and count as the counters' row. */
		if (memcmp(w->key, in[0].buffer, UUID_LEN) != 0 ||
		    w->count != (uint32_t)*(const int64_t *)in[2].buffer)
			w->count = 0;
		w->day = db_time_to_us(in[1].buffer);
		w->refused = (uint32_t)*(const int64_t *)in[3].buffer;
		fdb.nwrites += fdb.nwrites < WRITES_MAX;
	} else if (st == &st_usage_fold_sum) {
		struct store_usage_group *f = &fdb.folds[fdb.nfolds];

		fdb.sums++;
		memcpy(f->key, in[0].buffer, UUID_LEN);
		f->day = db_time_to_us(in[1].buffer);
	} else if (st == &st_usage_fold_delete) {
		/* A fold is its sum, then the delete of the same group. */
		const struct store_usage_group *f = &fdb.folds[fdb.nfolds];

		fdb.deletes++;
		if (memcmp(f->key, in[0].buffer, UUID_LEN) == 0 && f->day == db_time_to_us(in[1].buffer))
			fdb.nfolds++;
	}
	return DB_OK;
}

int
db_fetch(struct db *db, const struct db_stmt *st)
{
	(void)db;
	if (st == &st_usage_flushed) {
		for (unsigned i = 0; fdb.fetched++ == 0 && i < fdb.nflushes; i++)
			if (memcmp(fdb.flushes[i], fdb.asked_id, UUID_LEN) == 0)
				return 1;
		return 0;
	}
	if (st == &st_usage_closed) {
		if (fdb.fetched >= fdb.ngroups || fdb.fetched >= fdb.limit)
			return 0;
		memcpy(fdb.result[0].buffer, fdb.groups[fdb.fetched].key, UUID_LEN);
		db_time_from_us(fdb.result[1].buffer, fdb.groups[fdb.fetched].day);
		fdb.fetched++;
		return 1;
	}
	if (fdb.fetched >= fdb.nrows)
		return 0;
	db_time_from_us(fdb.result[0].buffer, fdb.rows[fdb.fetched].day);
	*(int64_t *)fdb.result[1].buffer = (int64_t)fdb.rows[fdb.fetched].request_count;
	*(int64_t *)fdb.result[2].buffer = (int64_t)fdb.rows[fdb.fetched].refused_count;
	fdb.fetched++;
	return 1;
}

void
db_done(struct db *db, const struct db_stmt *st)
{
	(void)db;
	(void)st;
}

/* rows.c's one-row writes ask it; store_usage.c runs none. */
uint64_t
db_affected(struct db *db, const struct db_stmt *st)
{
	(void)db;
	(void)st;
	return 0;
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	fdb.logs++;
	va_start(ap, fmt);
	vsnprintf(fdb.log, sizeof(fdb.log), fmt, ap);
	va_end(ap);
}

static const char *
ename(enum err e)
{
	return e == ERR_NONE ? "none" : err_info(e)->code;
}

/* Test keys: A and B differ everywhere, A2 is A but for its first byte (same hash). */
enum { K_A, K_B, K_A2, K_COUNT };

static void
key_of(int k, uint8_t id[UUID_LEN])
{
	memset(id, k == K_B ? 0xbb : 0xaa, UUID_LEN);
	if (k == K_A2)
		id[0] = 0x01;
}

/* A key per number, all distinct in the bytes the table hashes. */
static void
key_n(unsigned n, uint8_t id[UUID_LEN])
{
	memset(id, 0x77, UUID_LEN);
	memcpy(id + 12, &n, sizeof(n));
}

/* The committed write of (key, day), NULL if none; the count of such writes in *dups. */
static const struct write *
written(const uint8_t key[UUID_LEN], int64_t day, unsigned *dups)
{
	const struct write *found = NULL;

	*dups = 0;
	for (unsigned i = 0; i < fdb.nwrites; i++)
		if (memcmp(fdb.writes[i].key, key, UUID_LEN) == 0 && fdb.writes[i].day == day) {
			found = &fdb.writes[i];
			(*dups)++;
		}
	return found;
}

/* The writes a case expects. */
struct want_write {
	int key;
	int64_t day;
	uint32_t count;
	int64_t last_used;
};

static void
check_writes(int line, const struct want_write *want, unsigned n)
{
	CHECK_AT(fdb.nwrites == n, line, "%u writes, want %u", fdb.nwrites, n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t id[UUID_LEN];
		unsigned dups;
		const struct write *w;

		key_of(want[i].key, id);
		w = written(id, want[i].day, &dups);
		CHECK_AT(w != NULL && dups == 1 && w->count == want[i].count &&
		         w->last_used == want[i].last_used, line,
		         "key %d day %+lld: %u writes, count %u last_used %+lld, want %u %+lld",
		         want[i].key, (long long)((want[i].day - DAY0) / DAY), dups,
		         w ? w->count : 0, (long long)(w ? w->last_used - DAY0 : 0),
		         want[i].count, (long long)(want[i].last_used - DAY0));
	}
}

static struct usage u;

/* One request of key k at `at`; refused: answered 429. */
static void
record_as(int k, int64_t at, bool refused)
{
	uint8_t id[UUID_LEN];

	key_of(k, id);
	usage_record(&u, id, at, refused);
}

static void
record(int k, int64_t at)
{
	record_as(k, at, false);
}

static void
test_merge(void)
{
	static const struct {
		int line;
		struct { int key; int64_t at; } rec[4];
		unsigned nrec;
		struct want_write want[3];
		unsigned nwant;
	} cases[] = {
		{__LINE__, {{K_A, T0}}, 1, {{K_A, DAY0, 1, T0}}, 1},
		/* Same key, same day: one entry, the latest instant whatever the order. */
		{__LINE__, {{K_A, T0}, {K_A, T0 + 5}, {K_A, T0 + 2}}, 3, {{K_A, DAY0, 3, T0 + 5}}, 1},
		{__LINE__, {{K_A, DAY0}, {K_A, DAY0 + DAY - 1}}, 2,
		 {{K_A, DAY0, 2, DAY0 + DAY - 1}}, 1},
		/* Days change at midnight UTC. */
		{__LINE__, {{K_A, DAY0 + DAY - 1}, {K_A, DAY0 + DAY}}, 2,
		 {{K_A, DAY0, 1, DAY0 + DAY - 1}, {K_A, DAY0 + DAY, 1, DAY0 + DAY}}, 2},
		{__LINE__, {{K_A, DAY0 - 1}, {K_A, DAY0}, {K_A, DAY0 - HOUR}}, 3,
		 {{K_A, DAY0 - DAY, 2, DAY0 - 1}, {K_A, DAY0, 1, DAY0}}, 2},
		/* Other keys, the same day: their own entries, also when they hash alike. */
		{__LINE__, {{K_A, T0}, {K_B, T0 + 1}, {K_A, T0 + 2}}, 3,
		 {{K_A, DAY0, 2, T0 + 2}, {K_B, DAY0, 1, T0 + 1}}, 2},
		{__LINE__, {{K_A, T0}, {K_A2, T0 + 1}, {K_A2, T0 + 2}, {K_A, T0 - 1}}, 4,
		 {{K_A, DAY0, 2, T0}, {K_A2, DAY0, 2, T0 + 2}}, 2},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		memset(&fdb, 0, sizeof(fdb));
		usage_init(&u, NULL);
		CHECK_AT(!usage_pending(&u), cases[i].line, "pending before any request");
		for (unsigned j = 0; j < cases[i].nrec; j++)
			record(cases[i].rec[j].key, cases[i].rec[j].at);
		CHECK_AT(usage_pending(&u) && u.used == cases[i].nwant, cases[i].line,
		         "%u entries, want %u", u.used, cases[i].nwant);
		e = usage_flush(&u);
		CHECK_AT(e == ERR_NONE && fdb.begins == 1 && fdb.rollbacks == 0, cases[i].line,
		         "flush: %s, %u transactions, %u rollbacks", ename(e), fdb.begins,
		         fdb.rollbacks);
		check_writes(cases[i].line, cases[i].want, cases[i].nwant);
		CHECK_AT(!usage_pending(&u) && usage_flush(&u) == ERR_NONE && fdb.begins == 1 &&
		         fdb.nwrites == cases[i].nwant, cases[i].line,
		         "after a flush: pending %d, %u transactions", usage_pending(&u), fdb.begins);
	}
}

/* Two days of a key whose entries hash to the same slot stay two entries. */
static void
test_same_slot_days(void)
{
	uint8_t id[UUID_LEN];
	int32_t d0 = (int32_t)(DAY0 / DAY), d1 = d0 + 1;
	struct want_write want[2] = {{K_A, DAY0, 1, T0}};

	key_of(K_A, id);
	while (slot_of(id, d1) != slot_of(id, d0))
		d1++;
	want[1] = (struct want_write){K_A, (int64_t)d1 * DAY, 1, (int64_t)d1 * DAY + HOUR};
	memset(&fdb, 0, sizeof(fdb));
	usage_init(&u, NULL);
	record(K_A, T0);
	record(K_A, want[1].last_used);
	CHECK(usage_flush(&u) == ERR_NONE, "flush failed");
	check_writes(__LINE__, want, 2);
}

static void
test_flush_failure(void)
{
	static const struct {
		int line;
		enum db_status begin_rc, commit_rc;
		unsigned fail_exec;             /* the nth statement fails with exec_rc */
		enum db_status exec_rc;
		enum err want;
	} cases[] = {
		{__LINE__, DB_UNAVAILABLE, DB_OK, 0, DB_OK, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_ERROR, DB_OK, 0, DB_OK, ERR_INTERNAL},
		{__LINE__, DB_OK, DB_OK, 1, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_OK, DB_OK, 2, DB_ERROR, ERR_INTERNAL},
		{__LINE__, DB_OK, DB_OK, 3, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_OK, DB_OK, 4, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_OK, DB_UNAVAILABLE, 0, DB_OK, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_OK, DB_ERROR, 0, DB_OK, ERR_INTERNAL},
	};
	/* After the failure, one more request of A, then a flush that works. */
	static const struct want_write want[] = {
		{K_A, DAY0, 2, T0 + 2}, {K_B, DAY0, 1, T0 + 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;
		enum err e;

		fdb_reset(cases[i].begin_rc, cases[i].commit_rc, cases[i].fail_exec, cases[i].exec_rc);
		usage_init(&u, NULL);
		record(K_A, T0);
		record(K_B, T0 + 1);
		e = usage_flush(&u);
		CHECK_AT(e == cases[i].want, line, "failed flush: %s, want %s", ename(e),
		         ename(cases[i].want));
		CHECK_AT(fdb.rollbacks == 1 && fdb.nwrites == 0, line,
		         "%u rollbacks, %u writes kept", fdb.rollbacks, fdb.nwrites);
		CHECK_AT(usage_pending(&u) && u.used == 2, line, "%u entries kept, want 2", u.used);
		CHECK_AT(u.totals.buffered == 2 && u.totals.flushed == 0 && u.totals.dropped == 0,
		         line, "totals after a failed flush: %llu buffered, %llu flushed",
		         (unsigned long long)u.totals.buffered, (unsigned long long)u.totals.flushed);
		fdb.begin_rc = fdb.commit_rc = DB_OK;
		fdb.fail_exec = 0;
		record(K_A, T0 + 2);
		e = usage_flush(&u);
		CHECK_AT(e == ERR_NONE && !usage_pending(&u), line, "next flush: %s", ename(e));
		check_writes(line, want, 2);
		CHECK_AT(u.totals.buffered == 3 && u.totals.flushed == 3 && u.totals.dropped == 0,
		         line, "totals after the flush: %llu buffered, %llu flushed",
		         (unsigned long long)u.totals.buffered, (unsigned long long)u.totals.flushed);
	}
}

/*
 * A COMMIT whose answer is lost: whether it committed is asked by its flush
 * id before anything goes again, so that no count is written twice and none
 * is lost.
 */
static void
test_unanswered_commit(void)
{
	static const struct {
		int line;
		bool applied;                   /* the server did commit */
		unsigned a_total, b_total;      /* what the database holds in the end */
	} cases[] = {
		{__LINE__, true, 2, 1},
		{__LINE__, false, 2, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;
		uint8_t a[UUID_LEN], b[UUID_LEN];
		unsigned a_total = 0, b_total = 0, a_refused = 0, b_refused = 0, dups;
		enum err e;

		memset(&fdb, 0, sizeof(fdb));
		usage_init(&u, NULL);
		record_as(K_A, T0, true);
		record(K_B, T0 + 1);
		fdb.commit_rc = DB_UNAVAILABLE;
		fdb.commit_applies = cases[i].applied;
		e = usage_flush(&u);
		CHECK_AT(e == ERR_SERVICE_UNAVAILABLE && u.unsure && u.used == 2, line,
		         "unanswered commit: %s, unsure %d, %u entries", ename(e), u.unsure, u.used);
		/* While the database is away, nothing is settled and nothing sent. */
		fdb.fail_exec = fdb.execs + 1;
		fdb.exec_rc = DB_UNAVAILABLE;
		e = usage_flush(&u);
		CHECK_AT(e == ERR_SERVICE_UNAVAILABLE && u.unsure && fdb.begins == 1, line,
		         "database still away: %s, unsure %d, %u transactions", ename(e), u.unsure,
		         fdb.begins);
		/* Back: one more request of A, then a flush that settles and writes. */
		fdb.commit_rc = DB_OK;
		fdb.commit_applies = false;
		fdb.fail_exec = 0;
		record_as(K_A, T0 + 2, true);
		e = usage_flush(&u);
		CHECK_AT(e == ERR_NONE && !u.unsure && !usage_pending(&u) && fdb.asks >= 1, line,
		         "settled: %s, unsure %d, %u asks", ename(e), u.unsure, fdb.asks);
		key_of(K_A, a);
		key_of(K_B, b);
		for (unsigned w = 0; w < fdb.nwrites; w++) {
			a_total += memcmp(fdb.writes[w].key, a, UUID_LEN) == 0 ? fdb.writes[w].count : 0;
			b_total += memcmp(fdb.writes[w].key, b, UUID_LEN) == 0 ? fdb.writes[w].count : 0;
			a_refused += memcmp(fdb.writes[w].key, a, UUID_LEN) == 0 ?
			             fdb.writes[w].refused : 0;
			b_refused += memcmp(fdb.writes[w].key, b, UUID_LEN) == 0 ?
			             fdb.writes[w].refused : 0;
		}
		/* Refused (429) counts go with their requests: exactly once too. */
		CHECK_AT(a_refused == 2 && b_refused == 0, line, "refused in the database: A %u, B %u; "
		         "want 2, 0", a_refused, b_refused);
		CHECK_AT(a_total == cases[i].a_total && b_total == cases[i].b_total, line,
		         "in the database: A %u, B %u; want %u, %u", a_total, b_total,
		         cases[i].a_total, cases[i].b_total);
		CHECK_AT(written(a, DAY0, &dups) != NULL && dups == (cases[i].applied ? 2u : 1u), line,
		         "A written %u times", dups);
		/* The metrics count what reached the database once, however it got there. */
		CHECK_AT(u.totals.buffered == 3 && u.totals.flushed == 3 && u.totals.dropped == 0,
		         line, "totals once settled: %llu buffered, %llu flushed, %llu dropped; want "
		         "3, 3, 0", (unsigned long long)u.totals.buffered,
		         (unsigned long long)u.totals.flushed, (unsigned long long)u.totals.dropped);
	}
}

/* The table keeps a quarter free: this many entries, then a flush or a drop. */
#define FULL (USAGE_SLOTS - USAGE_SLOTS / 4)

static void
test_full(void)
{
	uint8_t id[UUID_LEN];
	unsigned dups;
	const struct write *w;
	struct usage_entry *e;

	memset(&fdb, 0, sizeof(fdb));
	fdb.begin_rc = DB_UNAVAILABLE;
	usage_init(&u, NULL);
	for (unsigned n = 0; n < FULL; n++) {
		key_n(n, id);
		usage_record(&u, id, T0, false);
	}
	CHECK(u.used == FULL && u.dropped == 0 && fdb.begins == 0,
	      "filling: %u entries, %llu dropped, %u flushes", u.used,
	      (unsigned long long)u.dropped, fdb.begins);
	/* Full and the database away: a new entry is dropped after a flush was tried. */
	key_n(FULL, id);
	usage_record(&u, id, T0, false);
	CHECK(u.used == FULL && u.dropped == 1 && fdb.begins == 1,
	      "full: %u entries, %llu dropped, %u flushes", u.used,
	      (unsigned long long)u.dropped, fdb.begins);
	/* An existing entry still counts. */
	key_n(0, id);
	usage_record(&u, id, T0 + 1, false);
	CHECK(u.dropped == 1 && fdb.begins == 1, "an existing entry was dropped or flushed");
	key_n(FULL + 1, id);
	usage_record(&u, id, T0, false);
	CHECK(u.dropped == 2 && fdb.begins == 2 && fdb.logs == 0,
	      "second drop: %llu dropped, %u flushes, %u logs", (unsigned long long)u.dropped,
	      fdb.begins, fdb.logs);

	/* The database is back: the next new entry flushes, the drops are logged once. */
	fdb.begin_rc = DB_OK;
	key_n(FULL + 2, id);
	usage_record(&u, id, T0 + 2, false);
	CHECK(fdb.nwrites == FULL && u.used == 1 && u.dropped == 0,
	      "recovery: %u writes, %u entries, %llu dropped", fdb.nwrites, u.used,
	      (unsigned long long)u.dropped);
	CHECK(fdb.logs == 1 && strstr(fdb.log, " 2 request counts") != NULL,
	      "%u logs: %s", fdb.logs, fdb.log);
	key_n(0, id);
	w = written(id, DAY0, &dups);
	CHECK(w != NULL && dups == 1 && w->count == 2 && w->last_used == T0 + 1,
	      "the first key: %u writes, count %u", dups, w ? w->count : 0);
	CHECK(usage_flush(&u) == ERR_NONE && fdb.nwrites == FULL + 1 && fdb.logs == 1,
	      "the last flush: %u writes, %u logs", fdb.nwrites, fdb.logs);
	/* The totals keep what the logged count forgot: FULL + 2 counted, all written, 2 lost. */
	CHECK(u.totals.buffered == FULL + 2 && u.totals.flushed == FULL + 2 &&
	      u.totals.dropped == 2, "totals: %llu buffered, %llu flushed, %llu dropped",
	      (unsigned long long)u.totals.buffered, (unsigned long long)u.totals.flushed,
	      (unsigned long long)u.totals.dropped);

	/* A count that would wrap is dropped instead. */
	key_n(7, id);
	usage_record(&u, id, T0, false);
	e = find(&u, id, (int32_t)(T0 / DAY));
	e->count = UINT32_MAX - 1;
	usage_record(&u, id, T0, false);
	usage_record(&u, id, T0, false);
	CHECK(e->count == UINT32_MAX && u.dropped == 1, "count %u, %llu dropped", e->count,
	      (unsigned long long)u.dropped);
}

static void
test_history(void)
{
	static const struct {
		int line;
		int64_t now;
		unsigned ndays;
		enum db_status rc;
		struct { int ago; uint64_t count; } rows[4];   /* oldest first, as the SQL orders */
		unsigned nrows;
		enum err want;
		struct { unsigned i; uint64_t count; } counts[3];   /* the rest are 0 */
		unsigned ncounts;
	} cases[] = {
		{__LINE__, T0, 1, DB_OK, {{0, 5}}, 1, ERR_NONE, {{0, 5}}, 1},
		{__LINE__, T0, 3, DB_OK, {{0, 0}}, 0, ERR_NONE, {{0, 0}}, 0},
		{__LINE__, T0, 3, DB_OK, {{2, 1}, {0, 3}}, 2, ERR_NONE, {{0, 1}, {2, 3}}, 2},
		{__LINE__, T0, 7, DB_OK, {{6, 9}, {3, 4}}, 2, ERR_NONE, {{0, 9}, {3, 4}}, 2},
		{__LINE__, T0, 30, DB_OK, {{29, 1}, {1, 2}}, 2, ERR_NONE, {{0, 1}, {28, 2}}, 2},
		{__LINE__, T0, USAGE_HISTORY_MAX, DB_OK, {{89, 1}, {44, 6}, {0, 2}}, 3, ERR_NONE,
		 {{0, 1}, {45, 6}, {89, 2}}, 3},
		/* Today is the day of now, from its first to its last microsecond. */
		{__LINE__, DAY0, 2, DB_OK, {{1, 7}, {0, 8}}, 2, ERR_NONE, {{0, 7}, {1, 8}}, 2},
		{__LINE__, DAY0 + DAY - 1, 2, DB_OK, {{1, 7}, {0, 8}}, 2, ERR_NONE,
		 {{0, 7}, {1, 8}}, 2},
		/* Rows outside the window are not placed. */
		{__LINE__, T0, 2, DB_OK, {{2, 7}, {-1, 8}}, 2, ERR_NONE, {{0, 0}}, 0},
		{__LINE__, T0, 0, DB_OK, {{0, 7}}, 1, ERR_NONE, {{0, 0}}, 0},
		{__LINE__, T0, 3, DB_UNAVAILABLE, {{0, 0}}, 0, ERR_SERVICE_UNAVAILABLE, {{0, 0}}, 0},
		{__LINE__, T0, 3, DB_ERROR, {{0, 0}}, 0, ERR_INTERNAL, {{0, 0}}, 0},
	};
	uint64_t counts[USAGE_HISTORY_MAX + 1], want[USAGE_HISTORY_MAX + 1];
	uint64_t refused[USAGE_HISTORY_MAX + 1];
	uint8_t id[UUID_LEN];

	key_of(K_A, id);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;
		int64_t today = cases[i].now / DAY * DAY;
		unsigned ndays = cases[i].ndays;
		enum err e;

		memset(&fdb, 0, sizeof(fdb));
		fdb.fail_exec = cases[i].rc != DB_OK ? 1 : 0;
		fdb.exec_rc = cases[i].rc;
		fdb.nrows = cases[i].nrows;
		for (unsigned j = 0; j < cases[i].nrows; j++) {
			fdb.rows[j].day = today - cases[i].rows[j].ago * DAY;
			fdb.rows[j].request_count = cases[i].rows[j].count;
			fdb.rows[j].refused_count = cases[i].rows[j].count / 2;
		}
		/* 0xee: not written; each day within ndays is written. */
		memset(counts, 0xee, sizeof(counts));
		memset(want, 0xee, sizeof(want));
		memset(want, 0, ndays * sizeof(want[0]));
		for (unsigned j = 0; j < cases[i].ncounts; j++)
			want[cases[i].counts[j].i] = cases[i].counts[j].count;
		memset(refused, 0xee, sizeof(refused));
		e = usage_history(NULL, id, cases[i].now, ndays, counts, refused);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		/* No days, no query (and no day before the first to compute). */
		CHECK_AT(fdb.queries == (ndays > 0), line, "%u queries", fdb.queries);
		if (fdb.queries > 0 && ndays > 0)
			CHECK_AT(fdb.since == today - (int64_t)(ndays - 1) * DAY &&
			         fdb.limit == (int64_t)ndays, line, "asked from day %+lld, %lld rows",
			         (long long)((fdb.since - today) / DAY), (long long)fdb.limit);
		if (e != ERR_NONE)
			continue;
		for (unsigned j = 0; j < USAGE_HISTORY_MAX + 1; j++)
			CHECK_AT(counts[j] == want[j] && (j >= ndays ? refused[j] == want[j] :
			                                  refused[j] == want[j] / 2),
			         line, "day %u of %u: %llu (%llu refused), want %llu", j, ndays,
			         (unsigned long long)counts[j], (unsigned long long)refused[j],
			         (unsigned long long)want[j]);
	}
}

/* Closed days are listed once, then folded one transaction each, stopping at a failure. */
static void
test_compact(void)
{
	static const struct {
		int line;
		unsigned ngroups, max;
		unsigned fail_exec;             /* 0: none; 1 the listing, then 2 per group (sum, delete) */
		enum db_status rc, begin_rc, commit_rc;
		enum err want;
		unsigned folded, begins, rollbacks, limit;
	} cases[] = {
		{__LINE__, 0, 10, 0, DB_OK, DB_OK, DB_OK, ERR_NONE, 0, 0, 0, 10},
		{__LINE__, 3, 10, 0, DB_OK, DB_OK, DB_OK, ERR_NONE, 3, 3, 0, 10},
		{__LINE__, 3, 2, 0, DB_OK, DB_OK, DB_OK, ERR_NONE, 2, 2, 0, 2},
		{__LINE__, USAGE_COMPACT_MAX + 5, 1000, 0, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 USAGE_COMPACT_MAX, USAGE_COMPACT_MAX, 0, USAGE_COMPACT_MAX},
		/* the listing fails: nothing begins */
		{__LINE__, 3, 10, 1, DB_UNAVAILABLE, DB_OK, DB_OK, ERR_SERVICE_UNAVAILABLE, 0, 0, 0, 10},
		/* the second group's sum, then its delete, fails: the first stays folded */
		{__LINE__, 3, 10, 4, DB_UNAVAILABLE, DB_OK, DB_OK, ERR_SERVICE_UNAVAILABLE, 1, 2, 1, 10},
		{__LINE__, 3, 10, 5, DB_ERROR, DB_OK, DB_OK, ERR_INTERNAL, 1, 2, 1, 10},
		{__LINE__, 3, 10, 0, DB_OK, DB_UNAVAILABLE, DB_OK, ERR_SERVICE_UNAVAILABLE, 0, 1, 1, 10},
		{__LINE__, 3, 10, 0, DB_OK, DB_OK, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE, 0, 1, 1, 10},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;
		unsigned folded = 99;
		bool same = true;
		enum err e;

		fdb_reset(cases[i].begin_rc, cases[i].commit_rc, cases[i].fail_exec, cases[i].rc);
		fdb.ngroups = cases[i].ngroups;
		for (unsigned j = 0; j < cases[i].ngroups; j++) {
			key_n(j, fdb.groups[j].key);
			fdb.groups[j].day = DAY0 - (int64_t)(2 + j % 5) * DAY;
		}
		e = usage_compact(NULL, T0, cases[i].max, &folded);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(folded == cases[i].folded && fdb.nfolds == folded, line,
		         "%u folded (%u committed), want %u", folded, fdb.nfolds, cases[i].folded);
		CHECK_AT(fdb.begins == cases[i].begins && fdb.rollbacks == cases[i].rollbacks, line,
		         "%u begins, %u rollbacks, want %u, %u", fdb.begins, fdb.rollbacks,
		         cases[i].begins, cases[i].rollbacks);
		/* Days before yesterday: a worker may still be flushing yesterday's. */
		CHECK_AT(fdb.queries == 1 && fdb.before == DAY0 - DAY &&
		         fdb.limit == (int64_t)cases[i].limit, line,
		         "%u listings, before day %+lld, limit %lld", fdb.queries,
		         (long long)((fdb.before - DAY0) / DAY), (long long)fdb.limit);
		for (unsigned j = 0; j < fdb.nfolds; j++)
			same = same && memcmp(fdb.folds[j].key, fdb.groups[j].key, UUID_LEN) == 0 &&
			       fdb.folds[j].day == fdb.groups[j].day;
		CHECK_AT(same, line, "the folds are not the listed groups, in order");
	}
}

int
main(void)
{
	test_merge();
	test_same_slot_days();
	test_flush_failure();
	test_unanswered_commit();
	test_full();
	test_history();
	test_compact();
	return harness_summary();
}
