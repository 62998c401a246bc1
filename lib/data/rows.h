/*
 * rows: what the store files share, private to lib/data/: output buffers
 * for text columns and for a key's columns, and a one-row query. Buffers are
 * the caller's (on its stack) and must live until the query is done.
 */
#ifndef PS_ROWS_H
#define PS_ROWS_H

#include <stdbool.h>

#include "data/db_stmt.h"
#include "data/store.h"
#include "data/store_audit.h"

/*
 * A key's counters (sql/006): every node's row of api_key_counters, plus what
 * api_keys held before (and what a worker of an older version adds there).
 */
#define KEY_USED_NODES "(SELECT MAX(c.last_used_at) FROM api_key_counters c" \
                       " WHERE c.api_key_id = k.id)"
#define KEY_USED "GREATEST(COALESCE(k.last_used_at, " KEY_USED_NODES "), " \
                 "COALESCE(" KEY_USED_NODES ", k.last_used_at))"
#define KEY_COUNT "k.request_count + (SELECT COALESCE(SUM(c.request_count), 0)" \
                  " FROM api_key_counters c WHERE c.api_key_id = k.id)"

/* The columns of a key, in the order rows_bind_key binds them, with its counters as `used` and `count`. */
#define KEY_COLS_WITH(used, count) \
	"k.id, k.organization_id, k.created_by, k.name, k.key_prefix, " \
	"k.created_at, k.revoked_at, " used ", " count ", " \
	"k.revoked_reason, k.expires_at, k.replaced_by, k.rolled_from, k.expiry_recorded, " \
	KEY_RATE_LIMIT_COLS
#define KEY_COLS KEY_COLS_WITH(KEY_USED, KEY_COUNT)
#define KEY_NCOLS 16
/* A key's own rate limit (sql/008), the last of KEY_COLS. */
#define KEY_RATE_LIMIT_COLS "k.rate_limit_per_second, k.rate_limit_burst"

/*
 * A key without its counters (never used, 0): for the authentication
 * statement, which must read only tables that change when a key, an account,
 * an organization or a membership does. MariaDB's query cache then keeps its
 * result until one of those changes; api_key_counters changes every second.
 */
#define KEY_COLS_UNCOUNTED KEY_COLS_WITH("NULL", "0")


/*
 * Output buffers for one text column; the value is NUL-terminated on
 * copy-out. Room for the longest text column read back, in bytes: a value
 * that does not fit ends db_fetch (MYSQL_DATA_TRUNCATED) as if the rows
 * had ended, so a column widened by a migration must widen this too.
 */
#define ROWS_TEXT_MAX 2048   /* audit_events.details, sql/009 */
_Static_assert(ROWS_TEXT_MAX >= STORE_AUDIT_DETAILS_MAX, "audit details do not fit");
_Static_assert(ROWS_TEXT_MAX >= STORE_EMAIL_MAX * 4, "an e-mail (utf8mb4) does not fit");
struct rows_text {
	char buf[ROWS_TEXT_MAX + 1];
	unsigned long len;
	my_bool nul;
};

void rows_bind_text(MYSQL_BIND *b, struct rows_text *t);
/* The column's text (NULL: ""), cut to cap - 1 bytes and NUL-terminated. */
void rows_copy_text(char *dst, size_t cap, const struct rows_text *t);
/* A role column; ROLE_NONE for NULL or an unknown name. */
enum store_role rows_role(const struct rows_text *t);


/* Binds an optional id as a parameter; *nul must live until the statement ran. */
void rows_in_ref(MYSQL_BIND *b, const struct store_ref *r, my_bool *nul);

/* Output buffers for an optional id column. */
struct rows_ref {
	uint8_t id[UUID_LEN];
	unsigned long len;
	my_bool nul;
};
void rows_bind_ref(MYSQL_BIND *b, struct rows_ref *r);
void rows_copy_ref(struct store_ref *dst, const struct rows_ref *r);

/* Output buffers for a rate limit's two columns (NULL: none). */
struct rows_rate_limit {
	int64_t per_second, burst;
	my_bool per_second_nul, burst_nul;
};
void rows_bind_rate_limit(MYSQL_BIND *b, struct rows_rate_limit *r);
void rows_copy_rate_limit(struct store_rate_limit *dst, const struct rows_rate_limit *r);
/* Binds a rate limit as two parameters (per_second 0: NULL); *nul must outlive the statement. */
void rows_in_rate_limit(MYSQL_BIND *b, const struct store_rate_limit *rl, int64_t v[2],
                        my_bool *nul);

/* Output buffers for the KEY_COLS columns. */
struct rows_key {
	uint8_t id[UUID_LEN], org[UUID_LEN], creator[UUID_LEN];
	unsigned long id_len, org_len, creator_len;
	my_bool org_nul, revoked_nul, used_nul, expires_nul;
	struct rows_text name, prefix, reason;
	MYSQL_TIME created, revoked, used, expires;
	int64_t count;
	struct rows_ref replaced_by, rolled_from;
	int8_t expiry_recorded;
	struct rows_rate_limit rate_limit;
};

/* Binds b[0..KEY_NCOLS) to o (zeroed first). */
void rows_bind_key(MYSQL_BIND *b, struct rows_key *o);
void rows_copy_key(struct store_key *k, const struct rows_key *o);

/* Above any row of a list (the last instant DATETIME holds, the largest id): no cursor. */
extern const struct store_cursor rows_cursor_top;

/*
 * Runs a write that touches at most one row (its WHERE names a key);
 * *changed tells whether it did.
 */
enum db_status rows_exec_one(struct db *db, struct db_stmt *st, MYSQL_BIND *params,
                             bool *changed);

/* Runs a statement expected to return at most one row into `result`. */
enum db_status rows_query_one(struct db *db, struct db_stmt *st, MYSQL_BIND *params,
                              MYSQL_BIND *result, bool *found);

#endif
