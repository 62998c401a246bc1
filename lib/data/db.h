/*
 * db: one MariaDB/MySQL connection per process, used only through prepared
 * statements (lib/data/db_stmt.h, private to the data layer: only lib/data/
 * sees <mysql.h>; programs see this header).
 *
 * The connection is opened lazily and re-opened after it is lost; each
 * statement is prepared once per connection. Every call has connect, read
 * and write timeouts, so a dead or hung server costs a bounded wait and
 * comes back as DB_UNAVAILABLE (the API's 503), never a hang or a crash.
 *
 * Ownership: struct db owns the connection and the statement handles. A lost
 * connection invalidates nothing the caller holds.
 */
#ifndef PS_DB_H
#define PS_DB_H

#include "base/config.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE,   /* cannot reach the server, it timed out, or it cannot serve now (db.c) */
	DB_DUPLICATE,     /* a unique key refused the row */
	DB_ERROR          /* anything else: a bug or a schema mismatch */
};

struct db;

/*
 * What a handle went through since db_new, for the request log (time in the
 * database per request) and the metrics (their differences over time).
 */
struct db_stats {
	uint64_t busy_us;                /* in statements, transactions and connecting */
	uint64_t unavailable;            /* failures that came back as DB_UNAVAILABLE */
	uint64_t failed;                 /* ... as DB_ERROR */
	uint64_t reconnects;             /* connections opened after the first */
};

/* Does not connect yet. NULL on out of memory. cfg must outlive the handle. */
struct db *db_new(const struct config *cfg);
void db_free(struct db *db);

/*
 * Transactions: statements between db_begin and db_commit are atomic and are
 * never retried on a lost connection (the transaction is gone with it).
 * db_rollback is safe after any failure.
 */
enum db_status db_begin(struct db *db);
enum db_status db_commit(struct db *db);
void db_rollback(struct db *db);

const struct db_stats *db_stats(const struct db *db);

#endif
