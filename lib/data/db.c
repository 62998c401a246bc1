#include "data/db_stmt.h"


#include <errmsg.h>
#include <mysqld_error.h>
#include <stdlib.h>

#include "base/log.h"
#include "base/timefmt.h"

struct db {
	const struct config *cfg;
	MYSQL *conn;                 /* NULL while disconnected */
	unsigned node;               /* cfg->db_nodes: the one connected, or to try first */
	MYSQL_STMT *stmts[DB_STMT_MAX + 1];   /* by slot; NULL until prepared on this connection */
	bool in_tx;
	bool connected_once;         /* a later connection is a reconnect */
	int64_t down_until;          /* after a timeout: fail fast until then (us) */
	struct db_stats stats;
};

/* How long a worker answers 503 at once after the database timed out. */
#define DOWN_HOLD_US INT64_C(1000000)

/* Slots handed out so far in this process (statements are process-wide statics). */
static unsigned slots_used;

struct db *
db_new(const struct config *cfg)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db != NULL)
		db->cfg = cfg;
	return db;
}

static void
disconnect(struct db *db)
{
	for (size_t i = 0; i <= DB_STMT_MAX; i++) {
		if (db->stmts[i] != NULL)
			mysql_stmt_close(db->stmts[i]);
		db->stmts[i] = NULL;
	}
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
}

/* Adds the time since `since` (microseconds) to the handle's time in the database. */
static void
took(struct db *db, int64_t since)
{
	int64_t now = timefmt_now_us();

	if (now > since)
		db->stats.busy_us += (uint64_t)(now - since);
}

const struct db_stats *
db_stats(const struct db *db)
{
	return &db->stats;
}

void
db_free(struct db *db)
{
	if (db == NULL)
		return;
	disconnect(db);
	free(db);
}

/* The nodes of the configuration (at least one: an empty one is the local default). */
static unsigned
nodes(const struct db *db)
{
	return db->cfg->db_nnodes > 0 ? db->cfg->db_nnodes : 1;
}

/* A connection to node i, or NULL (logged). */
static MYSQL *
open_node(const struct config *c, unsigned i)
{
	const struct config_db_node *n = &c->db_nodes[i];
	unsigned timeout = c->db_timeout;
	my_bool off = 0;
	MYSQL *m = mysql_init(NULL);

	if (m == NULL)
		return NULL;
	mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &timeout);
	mysql_options(m, MYSQL_OPT_RECONNECT, &off);  /* reconnecting loses prepared statements */
	mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	mysql_options(m, MYSQL_INIT_COMMAND, "SET time_zone = '+00:00'");
	/*
	 * Galera: a read waits until this node has applied every transaction the
	 * cluster committed before it began, so a revoke committed through any
	 * node refuses the key's next request here. A MariaDB server without
	 * Galera accepts the setting and ignores it; one without wsrep at all
	 * (MySQL) refuses it, and so every connection. Such a read is never
	 * answered from the query cache, which does not wait (a cached answer
	 * could predate a revoke committed through another node): causal reads
	 * give up the cache's speed (README, "Scaling out").
	 */
	if (c->db_causal_reads)
		mysql_options(m, MYSQL_INIT_COMMAND,
		              "SET SESSION wsrep_sync_wait = 1, query_cache_type = OFF");
	if (mysql_real_connect(m, n->host[0] ? n->host : NULL,
	                       c->db_user[0] ? c->db_user : NULL,
	                       c->db_password[0] ? c->db_password : NULL,
	                       c->db_name, n->port, n->socket[0] ? n->socket : NULL, 0) == NULL) {
		log_error("database connect to node %u failed: %u %s", i + 1, mysql_errno(m),
		          mysql_error(m));
		mysql_close(m);
		m = NULL;
	}
	return m;
}

/* The connection is dropped for what the node did: the next one goes to the next node. */
static void
leave_node(struct db *db)
{
	disconnect(db);
	db->node = (db->node + 1) % nodes(db);
}

/*
 * Connects to the node in use, else to the ones after it in turn: a refused
 * connection costs nothing, so a whole round is tried, but one that timed out
 * ends it (the next call starts after that node).
 */
static enum db_status
connect_db(struct db *db)
{
	int64_t start = timefmt_now_us();

	if (db->conn != NULL)
		return DB_OK;
	if (start < db->down_until)
		return DB_UNAVAILABLE;   /* it just timed out: do not wait again yet */
	for (unsigned tried = 0; tried < nodes(db); tried++) {
		if ((db->conn = open_node(db->cfg, db->node)) != NULL) {
			db->stats.reconnects += db->connected_once;
			db->connected_once = true;
			return DB_OK;
		}
		db->node = (db->node + 1) % nodes(db);
		if (timefmt_now_us() - start >= DOWN_HOLD_US)
			break;
	}
	db->down_until = timefmt_now_us() + DOWN_HOLD_US;
	db->stats.unavailable++;
	return DB_UNAVAILABLE;
}

/*
 * Errors that say the database cannot serve now, rather than that the
 * statement is wrong: DB_UNAVAILABLE, the API's 503 with Retry-After (the
 * client retries), never DB_ERROR, its 500 (a bug of ours). `drop`: the
 * connection is gone, or leads to a server that should not be used now; the
 * next statement connects afresh, to the next node of db_hosts (or through a
 * proxy or a virtual address, maybe to a healthy node). Connecting itself
 * fails as DB_UNAVAILABLE whatever the reason (2002/2003 nothing listening,
 * 1040/1203 too many connections, ...).
 *
 * Left out on purpose, so DB_ERROR and logged with the code: a storage
 * engine's own failure (1030 ER_GET_ERRNO, 1180 ER_ERROR_DURING_COMMIT: a
 * full disk or a corrupt table, which needs an operator and may not pass by
 * retrying), missing grants or tables (a deployment error), and anything else.
 */
static const struct {
	unsigned code;
	bool drop;
} unavailable[] = {
	/* the connection is lost (client errors); 2013 is also a read timeout */
	{CR_CONNECTION_ERROR, true}, {CR_CONN_HOST_ERROR, true}, {CR_SERVER_GONE_ERROR, true},
	{CR_SERVER_LOST, true}, {CR_SERVER_LOST_EXTENDED, true}, {CR_ERR_NET_READ, true},
	{CR_ERR_NET_WRITE, true}, {CR_COMMANDS_OUT_OF_SYNC, true},
	/* the server is going away, or ended this session */
	{ER_SERVER_SHUTDOWN, true},             /* 1053 */
	{ER_CONNECTION_KILLED, true},           /* 1927 */
	/* the server must not serve now: a Galera node outside the primary
	 * component or not synced ("WSREP has not yet prepared node for
	 * application use"), read_only (a replica, a demoted primary) or
	 * --skip-grant-tables, InnoDB read-only */
	{ER_UNKNOWN_COM_ERROR, true},           /* 1047 */
	{ER_OPTION_PREVENTS_STATEMENT, true},   /* 1290 */
	{ER_READ_ONLY_MODE, true},              /* 1836 */
	/* the server is busy: the connection is fine */
	{ER_LOCK_WAIT_TIMEOUT, false},          /* 1205 (with causal reads: causal_refusal) */
	{ER_LOCK_DEADLOCK, false},              /* 1213, also a Galera certification conflict */
	{ER_STATEMENT_TIMEOUT, false},          /* 1969: max_statement_time */
	{ER_QUERY_INTERRUPTED, false},          /* 1317: KILL QUERY */
	{ER_OUTOFMEMORY, false}, {ER_OUT_OF_SORTMEMORY, false},
	{ER_OUT_OF_RESOURCES, false},           /* 1037, 1038, 1041 */
};

/*
 * With causal reads, 1205 is also how a Galera node refuses a read it cannot
 * make causal: at once when it is outside the primary component (seen with
 * gmcast.isolate: the workers' prepares, and a causal SELECT from the
 * client, got 1205 where other sessions get 1047), or after
 * repl.causal_read_timeout when it lags. Either way another node
 * should serve, and the worker would otherwise stay on it: the connection is
 * left like for 1047. A real lock wait timeout costs one reconnect.
 */
static bool
causal_refusal(const struct db *db, unsigned e)
{
	return e == ER_LOCK_WAIT_TIMEOUT && db->cfg->db_causal_reads;
}

static enum db_status
classify(struct db *db, unsigned e, const char *what, unsigned slot)
{
	if (e == ER_DUP_ENTRY)
		return DB_DUPLICATE;
	for (size_t i = 0; i < sizeof(unavailable) / sizeof(unavailable[0]); i++) {
		if (unavailable[i].code != e)
			continue;
		if (unavailable[i].drop || causal_refusal(db, e))
			leave_node(db);
		log_error("database %s of statement %u: error %u, unavailable", what, slot, e);
		db->stats.unavailable++;
		return DB_UNAVAILABLE;
	}
	log_error("database %s of statement %u failed: error %u", what, slot, e);
	db->stats.failed++;
	return DB_ERROR;
}

/* The statement's slot, given at its first run in this process; 0: none left. */
static unsigned
slot_of(struct db_stmt *def)
{
	if (def->slot == 0 && slots_used < DB_STMT_MAX)
		def->slot = ++slots_used;
	return def->slot;
}

static enum db_status
prepare(struct db *db, struct db_stmt *def, MYSQL_STMT **out, unsigned *err)
{
	MYSQL_STMT *st;
	const char *sql = def->sql;
	unsigned slot = slot_of(def);

	if (slot == 0) {
		log_error("database: more than %d statements", DB_STMT_MAX);
		return DB_ERROR;
	}
	if (db->stmts[slot] != NULL) {
		*out = db->stmts[slot];
		return DB_OK;
	}
	st = mysql_stmt_init(db->conn);
	if (st == NULL)
		return DB_UNAVAILABLE;
	if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
		*err = mysql_stmt_errno(st);
		mysql_stmt_close(st);
		/* The statement's text names it for the operator; it holds no value. */
		log_error("database cannot prepare statement %u: %.60s...", slot, sql);
		return classify(db, *err, "prepare", slot);
	}
	db->stmts[slot] = st;
	*out = st;
	return DB_OK;
}

/* One attempt: connect if needed, prepare if needed, bind, run, buffer. */
static enum db_status
attempt(struct db *db, struct db_stmt *def, MYSQL_BIND *params, MYSQL_BIND *result,
        unsigned *err)
{
	MYSQL_STMT *st = NULL;
	enum db_status rc;

	*err = 0;
	if ((rc = connect_db(db)) != DB_OK)
		return rc;
	if ((rc = prepare(db, def, &st, err)) != DB_OK)
		return rc;
	if ((params != NULL && mysql_stmt_bind_param(st, params) != 0) ||
	    mysql_stmt_execute(st) != 0 ||
	    (result != NULL && mysql_stmt_bind_result(st, result) != 0) ||
	    (mysql_stmt_field_count(st) > 0 && mysql_stmt_store_result(st) != 0)) {
		*err = mysql_stmt_errno(st);
		return classify(db, *err, "execution", def->slot);
	}
	return DB_OK;
}

/*
 * The statement never ran: the connection was gone before it was sent
 * (2006), or the node refused it (a Galera node outside the primary
 * component, a read-only one). It may go to the next node, whatever it does.
 */
static bool
not_run(unsigned e)
{
	return e == CR_SERVER_GONE_ERROR || e == ER_UNKNOWN_COM_ERROR ||
	       e == ER_OPTION_PREVENTS_STATEMENT || e == ER_READ_ONLY_MODE;
}

enum db_status
db_exec(struct db *db, struct db_stmt *st, MYSQL_BIND *params, MYSQL_BIND *result)
{
	unsigned err;
	int64_t start = timefmt_now_us();
	enum db_status rc = attempt(db, st, params, result, &err);

	if (rc != DB_UNAVAILABLE || err == 0 || db->conn != NULL)
		goto done;
	/*
	 * The connection was lost or left. Quickly (a restarted server, an idle
	 * connection closed, a node that cannot serve): one fresh try, on the
	 * next node, if the statement did not run or is safe to repeat, which
	 * makes a restart or a failover invisible to clients.
	 * After a timeout (a hung server): no retry, and the next requests fail
	 * fast for a moment instead of each waiting out the timeouts again.
	 */
	if (timefmt_now_us() - start >= DOWN_HOLD_US)
		db->down_until = timefmt_now_us() + DOWN_HOLD_US;
	else if (!db->in_tx && (not_run(err) || st->retry_safe))
		rc = attempt(db, st, params, result, &err);
done:
	took(db, start);
	return rc;
}

int
db_fetch(struct db *db, const struct db_stmt *st)
{
	MYSQL_STMT *h = db->stmts[st->slot];
	int r;

	if (h == NULL)
		return 0;
	r = mysql_stmt_fetch(h);
	if (r == 0)
		return 1;
	if (r != MYSQL_NO_DATA)
		log_error("database fetch of statement %u failed: %d", st->slot, r);
	return 0;
}

void
db_done(struct db *db, const struct db_stmt *st)
{
	if (db->stmts[st->slot] != NULL)
		mysql_stmt_free_result(db->stmts[st->slot]);
}

uint64_t
db_affected(struct db *db, const struct db_stmt *st)
{
	MYSQL_STMT *h = db->stmts[st->slot];

	return h != NULL ? (uint64_t)mysql_stmt_affected_rows(h) : 0;
}

enum db_status
db_begin(struct db *db)
{
	int64_t start = timefmt_now_us();
	enum db_status rc = connect_db(db);

	if (rc == DB_OK && mysql_autocommit(db->conn, 0) != 0)
		rc = classify(db, mysql_errno(db->conn), "begin", 0);
	db->in_tx = rc == DB_OK;
	took(db, start);
	return rc;
}

enum db_status
db_commit(struct db *db)
{
	int64_t start = timefmt_now_us();
	enum db_status rc = DB_UNAVAILABLE;

	/*
	 * Turning autocommit back on commits the open transaction and reports its
	 * errors (Galera's certification too): one round trip instead of COMMIT,
	 * then SET autocommit = 1, for every write.
	 */
	if (db->conn != NULL && mysql_autocommit(db->conn, 1) == 0)
		rc = DB_OK;
	else if (db->conn != NULL)
		rc = classify(db, mysql_errno(db->conn), "commit", 0);
	/* Whatever state a failed commit left, the server rolls it back on close. */
	if (rc != DB_OK)
		disconnect(db);
	db->in_tx = false;
	took(db, start);
	return rc;
}

void
db_rollback(struct db *db)
{
	int64_t start = timefmt_now_us();

	/* Never risk autocommit committing half a transaction: drop the connection. */
	if (db->conn != NULL && db->in_tx &&
	    (mysql_rollback(db->conn) != 0 || mysql_autocommit(db->conn, 1) != 0))
		disconnect(db);
	db->in_tx = false;
	took(db, start);
}

void
db_time_from_us(MYSQL_TIME *t, int64_t us)
{
	struct timefmt_civil c;

	timefmt_to_civil(us, &c);
	memset(t, 0, sizeof(*t));
	t->year = (unsigned)c.year;
	t->month = (unsigned)c.month;
	t->day = (unsigned)c.day;
	t->hour = (unsigned)c.hour;
	t->minute = (unsigned)c.minute;
	t->second = (unsigned)c.second;
	t->second_part = (unsigned long)c.usec;
	t->time_type = MYSQL_TIMESTAMP_DATETIME;
}

int64_t
db_time_to_us(const MYSQL_TIME *t)
{
	struct timefmt_civil c = {
		.year = (int)t->year, .month = (int)t->month, .day = (int)t->day,
		.hour = (int)t->hour, .minute = (int)t->minute, .second = (int)t->second,
		.usec = (int)t->second_part,
	};
	return timefmt_from_civil(&c);
}
