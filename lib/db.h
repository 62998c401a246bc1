/*
 * db: one MariaDB/MySQL connection per process, used only through prepared
 * statements from a fixed catalogue (store.c owns the SQL).
 *
 * The connection is opened lazily and re-opened after it is lost; each
 * statement is prepared once per connection. Every call has connect, read
 * and write timeouts, so a dead or hung server costs a bounded wait and
 * comes back as DB_UNAVAILABLE (the API's 503), never a hang or a crash.
 *
 * Ownership: struct db owns the connection and the statement handles. Buffers
 * bound with the db_in_* / db_out_* helpers stay the caller's and must live
 * until db_done. A lost connection invalidates nothing the caller holds.
 */
#ifndef PS_DB_H
#define PS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <mysql.h>

#include "config.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE,   /* cannot reach the server, it timed out, or it cannot serve now (db.c) */
	DB_DUPLICATE,     /* a unique key refused the row */
	DB_ERROR          /* anything else: a bug or a schema mismatch */
};

struct db_stmt_def {
	const char *sql;
	/* Safe to run twice (reads, idempotent writes): retried once on a lost connection. */
	bool retry_safe;
};

struct db;

/* defs must outlive the handle. Does not connect yet. NULL on out of memory. */
struct db *db_new(const struct config *cfg, const struct db_stmt_def *defs, size_t n);
void db_free(struct db *db);

/*
 * Executes statement `id` with `params` (as many as its placeholders) and, for
 * a SELECT, binds `result` and buffers the rows. Then db_fetch returns 1 per
 * row, 0 at the end; db_done releases the rows (always call it after DB_OK).
 */
enum db_status db_exec(struct db *db, unsigned id, MYSQL_BIND *params, MYSQL_BIND *result);
int db_fetch(struct db *db, unsigned id);
void db_done(struct db *db, unsigned id);
uint64_t db_affected(struct db *db, unsigned id);

/*
 * Transactions: statements between db_begin and db_commit are atomic and are
 * never retried on a lost connection (the transaction is gone with it).
 * db_rollback is safe after any failure.
 */
enum db_status db_begin(struct db *db);
enum db_status db_commit(struct db *db);
void db_rollback(struct db *db);

/* Binding helpers: zero the MYSQL_BIND and describe one value. */
static inline void
db_bind(MYSQL_BIND *b, enum enum_field_types type, void *buf, unsigned long cap,
        unsigned long *len, my_bool *is_null)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = type;
	b->buffer = buf;
	b->buffer_length = cap;
	b->length = len;
	b->is_null = is_null;
}
#define db_in_blob(b, p, n)  db_bind((b), MYSQL_TYPE_BLOB, (void *)(p), (n), NULL, NULL)
#define db_in_str(b, p, n)   db_bind((b), MYSQL_TYPE_STRING, (void *)(p), (n), NULL, NULL)
#define db_in_i64(b, p)      db_bind((b), MYSQL_TYPE_LONGLONG, (void *)(p), 0, NULL, NULL)
#define db_in_time(b, p)     db_bind((b), MYSQL_TYPE_DATETIME, (void *)(p), 0, NULL, NULL)
#define db_out_blob(b, p, cap, len, nul) db_bind((b), MYSQL_TYPE_BLOB, (p), (cap), (len), (nul))
#define db_out_str(b, p, cap, len, nul)  db_bind((b), MYSQL_TYPE_STRING, (p), (cap), (len), (nul))
#define db_out_i64(b, p, nul)  db_bind((b), MYSQL_TYPE_LONGLONG, (p), 0, NULL, (nul))
#define db_out_time(b, p, nul) db_bind((b), MYSQL_TYPE_DATETIME, (p), 0, NULL, (nul))

/* UTC microseconds <-> DATETIME(6). */
void db_time_from_us(MYSQL_TIME *t, int64_t us);
int64_t db_time_to_us(const MYSQL_TIME *t);

#endif
