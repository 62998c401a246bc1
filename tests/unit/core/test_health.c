/*
 * Unit tests of lib/core/health.c: the table read's status and the node's
 * state (a Galera node that is not synced) as /healthz's answer.
 */
#include "../../../lib/core/health.c"
#include "../../../lib/core/result.c"
#include "../harness.h"

static enum db_status read_rc, node_rc;
static bool node_synced;
static unsigned reads, node_reads;

/* The store's read of api_keys (lib/data/store_keys.c), faked. */
enum db_status
store_health(struct db *db)
{
	(void)db;
	reads++;
	return read_rc;
}

/* result.c's transaction helper needs these; health_check runs no transaction. */
enum db_status
db_commit(struct db *db)
{
	(void)db;
	return DB_ERROR;
}

void
db_rollback(struct db *db)
{
	(void)db;
}

/* The node's state (lib/data/store_node.c), faked. */
enum db_status
store_node_synced(struct db *db, bool *synced)
{
	(void)db;
	node_reads++;
	*synced = node_synced;
	return node_rc;
}

int
main(void)
{
	static const struct {
		int line;
		enum db_status rc, node_rc;
		bool synced;
		enum err want;
		unsigned node_reads;
	} cases[] = {
		{__LINE__, DB_OK, DB_OK, true, ERR_NONE, 1},
		/* the table cannot be read: the node is not asked */
		{__LINE__, DB_UNAVAILABLE, DB_OK, true, ERR_SERVICE_UNAVAILABLE, 0},   /* 1047, a lock */
		{__LINE__, DB_ERROR, DB_OK, true, ERR_INTERNAL, 0},
		{__LINE__, DB_DUPLICATE, DB_OK, true, ERR_INTERNAL, 0},
		/* readable, but a donor, desynced or joining Galera node */
		{__LINE__, DB_OK, DB_OK, false, ERR_SERVICE_UNAVAILABLE, 1},
		{__LINE__, DB_OK, DB_UNAVAILABLE, false, ERR_SERVICE_UNAVAILABLE, 1},
		{__LINE__, DB_OK, DB_ERROR, false, ERR_INTERNAL, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		read_rc = cases[i].rc;
		node_rc = cases[i].node_rc;
		node_synced = cases[i].synced;
		reads = node_reads = 0;
		e = health_check(NULL);
		CHECK_AT(e == cases[i].want && reads == 1 && node_reads == cases[i].node_reads,
		         cases[i].line, "status %d/%d: %d after %u + %u reads", cases[i].rc,
		         cases[i].node_rc, e, reads, node_reads);
	}
	return harness_summary();
}
