/*
 * db_stmt: statements and their bindings, private to lib/data/ (the store
 * files): the only header that exports <mysql.h>.
 *
 * A statement is a static struct db_stmt next to the function that runs it,
 * written with DB_STMT so that scripts/check-sql finds every SQL text. db
 * gives each one a slot the first time it runs in a process and prepares it
 * once per connection. Buffers bound with the db_in_* / db_out_* helpers stay
 * the caller's and must live until db_done.
 */
#ifndef PS_DB_STMT_H
#define PS_DB_STMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <mysql.h>

#include "data/db.h"

struct db_stmt {
	const char *sql;
	/* Safe to run twice (reads, idempotent writes): retried once on a lost connection. */
	bool retry_safe;
	unsigned slot;               /* db's, from the first run on: 0 until then */
};
/* The one way to write a statement: a literal SQL text, no format conversions. */
#define DB_STMT(retry, sql) {"" sql "", (retry), 0}

/* At most this many distinct statements in a process. */
#define DB_STMT_MAX 128

/*
 * Executes st with `params` (as many as its placeholders) and, for a SELECT,
 * binds `result` and buffers the rows. Then db_fetch returns 1 per row, 0 at
 * the end; db_done releases the rows (always call it after DB_OK).
 */
enum db_status db_exec(struct db *db, struct db_stmt *st, MYSQL_BIND *params,
                       MYSQL_BIND *result);
int db_fetch(struct db *db, const struct db_stmt *st);
void db_done(struct db *db, const struct db_stmt *st);
uint64_t db_affected(struct db *db, const struct db_stmt *st);

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
