/*
 * Unit tests of lib/data/db.c without a server: what each error a statement can
 * end with means for the caller (DB_UNAVAILABLE is the API's 503, DB_ERROR
 * its 500) and whether the connection is dropped, so that the next statement
 * connects afresh, to the next node of db_hosts; which errors let a
 * statement go to the next node whatever it does; connecting around the
 * list of nodes.
 */
#include "../../../lib/data/db.c"
#include "../../../lib/base/log.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"

#include <fcntl.h>
#include <unistd.h>

/*
 * db.c logs every failure it classifies to stderr: not the test's output.
 * mute_stderr sends it to /dev/null and returns what unmute_stderr restores
 * (-1, nothing muted, when a descriptor could not be had).
 */
static int
mute_stderr(void)
{
	int saved = dup(STDERR_FILENO), devnull = open("/dev/null", O_WRONLY);

	if (saved >= 0 && devnull >= 0)
		dup2(devnull, STDERR_FILENO);
	if (devnull >= 0)
		close(devnull);
	return saved;
}

static void
unmute_stderr(int saved)
{
	if (saved < 0)
		return;
	dup2(saved, STDERR_FILENO);
	close(saved);
}

/* A handle on three nodes that never connects, over cfg (zeroed; it must outlive the handle). */
static struct db *
three_nodes(struct config *cfg)
{
	struct db *db;

	memset(cfg, 0, sizeof(*cfg));
	cfg->db_nnodes = 3;
	db = db_new(cfg);
	CHECK(db != NULL, "db_new");
	return db;
}

/*
 * classify(e) on a connection to node `node` of 3: the status, counted by class
 * for the metrics (a duplicate is no failure), and whether the connection was
 * dropped, the next one then going to the next node, around the list.
 */
static void
check_class_at(int line, struct db *db, unsigned e, unsigned node, enum db_status want,
               bool drops)
{
	struct db_stats before = *db_stats(db);
	enum db_status rc;

	/* A handle that never connected stands for the connection: closed when dropped. */
	db->conn = mysql_init(NULL);
	db->node = node;
	rc = classify(db, e, "execution", 0);
	CHECK_AT(db_stats(db)->unavailable == before.unavailable + (rc == DB_UNAVAILABLE) &&
	         db_stats(db)->failed == before.failed + (rc == DB_ERROR) &&
	         db_stats(db)->reconnects == 0, line,
	         "error %u: counted %llu unavailable, %llu failed", e,
	         (unsigned long long)(db_stats(db)->unavailable - before.unavailable),
	         (unsigned long long)(db_stats(db)->failed - before.failed));
	CHECK_AT(rc == want, line, "error %u: status %d, want %d", e, rc, want);
	CHECK_AT((db->conn == NULL) == drops, line, "error %u: connection %s, want it %s", e,
	         db->conn == NULL ? "dropped" : "kept", drops ? "dropped" : "kept");
	CHECK_AT(db->node == (drops ? (node + 1) % 3 : node), line,
	         "error %u: node %u after node %u", e, db->node, node);
	if (db->conn != NULL)
		mysql_close(db->conn);
	db->conn = NULL;
}

static void
test_error_classes(void)
{
	static const struct {
		int line; unsigned e; enum db_status want; bool drops;
	} cases[] = {
		/* the connection is gone: 503, reconnect */
		{__LINE__, CR_CONNECTION_ERROR, DB_UNAVAILABLE, true},          /* 2002 */
		{__LINE__, CR_CONN_HOST_ERROR, DB_UNAVAILABLE, true},           /* 2003 */
		{__LINE__, CR_SERVER_GONE_ERROR, DB_UNAVAILABLE, true},         /* 2006 */
		{__LINE__, CR_SERVER_LOST, DB_UNAVAILABLE, true},               /* 2013: read timeout too */
		{__LINE__, CR_COMMANDS_OUT_OF_SYNC, DB_UNAVAILABLE, true},      /* 2014 */
		{__LINE__, CR_ERR_NET_READ, DB_UNAVAILABLE, true},
		{__LINE__, CR_ERR_NET_WRITE, DB_UNAVAILABLE, true},
		{__LINE__, ER_SERVER_SHUTDOWN, DB_UNAVAILABLE, true},           /* 1053 */
		{__LINE__, ER_CONNECTION_KILLED, DB_UNAVAILABLE, true},         /* 1927 */
		/* a server that must not serve now: 503, reconnect (perhaps elsewhere) */
		{__LINE__, ER_UNKNOWN_COM_ERROR, DB_UNAVAILABLE, true},         /* 1047: Galera */
		{__LINE__, ER_OPTION_PREVENTS_STATEMENT, DB_UNAVAILABLE, true}, /* 1290: read_only */
		{__LINE__, ER_READ_ONLY_MODE, DB_UNAVAILABLE, true},            /* 1836 */
		/* a busy server: 503, the connection stays */
		{__LINE__, ER_LOCK_WAIT_TIMEOUT, DB_UNAVAILABLE, false},        /* 1205 */
		{__LINE__, ER_LOCK_DEADLOCK, DB_UNAVAILABLE, false},            /* 1213 */
		{__LINE__, ER_STATEMENT_TIMEOUT, DB_UNAVAILABLE, false},        /* 1969 */
		{__LINE__, ER_QUERY_INTERRUPTED, DB_UNAVAILABLE, false},        /* 1317 */
		{__LINE__, ER_OUTOFMEMORY, DB_UNAVAILABLE, false},              /* 1037 */
		{__LINE__, ER_OUT_OF_SORTMEMORY, DB_UNAVAILABLE, false},        /* 1038 */
		{__LINE__, ER_OUT_OF_RESOURCES, DB_UNAVAILABLE, false},         /* 1041 */
		/* a unique key */
		{__LINE__, ER_DUP_ENTRY, DB_DUPLICATE, false},                  /* 1062 */
		/* ours, the schema's, the grants' or a storage engine's: 500 */
		{__LINE__, ER_GET_ERRNO, DB_ERROR, false},                      /* 1030 */
		{__LINE__, ER_ERROR_DURING_COMMIT, DB_ERROR, false},            /* 1180 */
		{__LINE__, ER_NO_SUCH_TABLE, DB_ERROR, false},                  /* 1146 */
		{__LINE__, ER_TABLEACCESS_DENIED_ERROR, DB_ERROR, false},       /* 1142 */
		{__LINE__, ER_PARSE_ERROR, DB_ERROR, false},                    /* 1064 */
		{__LINE__, ER_BAD_FIELD_ERROR, DB_ERROR, false},                /* 1054 */
		{__LINE__, CR_PARAMS_NOT_BOUND, DB_ERROR, false},               /* 2031 */
	};
	static struct config cfg;
	struct db *db = three_nodes(&cfg);
	int saved;

	if (db == NULL)
		return;
	saved = mute_stderr();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_class_at(cases[i].line, db, cases[i].e, (unsigned)i % 3, cases[i].want,
		               cases[i].drops);
	unmute_stderr(saved);
	db_free(db);
}

/*
 * With causal reads on, 1205 leaves the node: a Galera node outside the primary
 * component refuses a causal read with it at once, and the worker must go to
 * another node (make cluster-test, check 4); without, the connection stays.
 */
static void
test_causal_lock_timeout_leaves_node(void)
{
	static struct config cfg;
	struct db *db = three_nodes(&cfg);
	int saved;

	if (db == NULL)
		return;
	saved = mute_stderr();
	cfg.db_causal_reads = true;
	check_class_at(__LINE__, db, ER_LOCK_WAIT_TIMEOUT, 2, DB_UNAVAILABLE, true);
	cfg.db_causal_reads = false;
	check_class_at(__LINE__, db, ER_LOCK_WAIT_TIMEOUT, 2, DB_UNAVAILABLE, false);
	unmute_stderr(saved);
	db_free(db);
}

/* A server that is not there: unavailable, counted, and the time it took is the database's. */
static void
test_connect_failure_counted(void)
{
	struct config cfg;
	struct db *db;
	int saved;

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.db_socket, sizeof(cfg.db_socket), "/nonexistent/mysql.sock");
	cfg.db_timeout = 1;
	db = db_new(&cfg);
	if (db == NULL) {
		CHECK(false, "setup");
		return;
	}
	saved = mute_stderr();
	CHECK(db_begin(db) == DB_UNAVAILABLE, "begin without a server");
	CHECK(db_stats(db)->unavailable == 1 && db_stats(db)->failed == 0 &&
	      db_stats(db)->reconnects == 0 && db_stats(db)->busy_us > 0,
	      "stats: %llu unavailable, %llu failed, %llu reconnects, %llu us",
	      (unsigned long long)db_stats(db)->unavailable,
	      (unsigned long long)db_stats(db)->failed,
	      (unsigned long long)db_stats(db)->reconnects,
	      (unsigned long long)db_stats(db)->busy_us);
	/* Held off for a second after a failure: no new attempt, nothing more counted. */
	CHECK(db_begin(db) == DB_UNAVAILABLE && db_stats(db)->unavailable == 1,
	      "a held-off call counted as a failure");
	unmute_stderr(saved);
	db_free(db);
}

/* Statements that never ran go to the next node whatever they do; the rest only when safe. */
static void
test_not_run(void)
{
	static const struct { int line; unsigned e; bool not_run; } cases[] = {
		{__LINE__, CR_SERVER_GONE_ERROR, true},          /* 2006: never sent */
		{__LINE__, ER_UNKNOWN_COM_ERROR, true},          /* 1047: a non-primary Galera node */
		{__LINE__, ER_OPTION_PREVENTS_STATEMENT, true},  /* 1290: read_only */
		{__LINE__, ER_READ_ONLY_MODE, true},             /* 1836 */
		{__LINE__, CR_SERVER_LOST, false},               /* 2013: it may have run */
		{__LINE__, CR_ERR_NET_READ, false},
		{__LINE__, ER_CONNECTION_KILLED, false},
		{__LINE__, ER_LOCK_DEADLOCK, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_AT(not_run(cases[i].e) == cases[i].not_run, cases[i].line, "error %u: %d",
		         cases[i].e, not_run(cases[i].e));
}

/*
 * Nodes that refuse connections: one call tries each once, from the node in
 * use around the list, then fails fast until the hold ends.
 */
static void
test_connect_round(void)
{
	static const struct { int line; unsigned nnodes, from; } cases[] = {
		{__LINE__, 0, 0},     /* no db_hosts in a zeroed config: one node */
		{__LINE__, 1, 0},
		{__LINE__, 3, 0},
		{__LINE__, 3, 2},
	};
	static struct config cfg;
	int saved;

	saved = mute_stderr();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct db *db;
		int64_t before = timefmt_now_us(), hold;
		enum db_status rc;

		memset(&cfg, 0, sizeof(cfg));
		cfg.db_nnodes = cases[i].nnodes;
		for (unsigned n = 0; n < CONFIG_DB_NODES_MAX; n++)
			snprintf(cfg.db_nodes[n].socket, CONFIG_STR_MAX, "/nonexistent/node%u.sock", n);
		db = db_new(&cfg);
		if (db == NULL) {
			CHECK_AT(false, cases[i].line, "db_new");
			continue;
		}
		db->node = cases[i].from;
		rc = connect_db(db);
		CHECK_AT(rc == DB_UNAVAILABLE && db->conn == NULL && db->node == cases[i].from,
		         cases[i].line, "%u nodes from %u: status %d, node %u after a round",
		         cases[i].nnodes, cases[i].from, rc, db->node);
		CHECK_AT(db->down_until >= before + DOWN_HOLD_US, cases[i].line, "no hold");
		/* Within the hold: no attempt at all (a failed one would extend the hold). */
		hold = db->down_until;
		CHECK_AT(connect_db(db) == DB_UNAVAILABLE && db->down_until == hold,
		         cases[i].line, "connected again within the hold");
		db_free(db);
	}
	unmute_stderr(saved);
}

int
main(void)
{
	test_error_classes();
	test_causal_lock_timeout_leaves_node();
	test_connect_failure_counted();
	test_not_run();
	test_connect_round();
	mysql_library_end();
	return harness_summary();
}
