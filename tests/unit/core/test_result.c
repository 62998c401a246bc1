/*
 * Unit tests of lib/core/result.c: a database status leaves the core as the
 * API's error, 503 for "retry later", 500 for everything else; a transaction
 * ends with a commit only when everything in it succeeded.
 */
#include "../../../lib/core/result.c"
#include "../harness.h"

/* The transaction's end, faked: what was called, and what the commit answers. */
static struct {
	enum db_status commit_rc;
	unsigned commits, rollbacks;
} tx;

enum db_status
db_commit(struct db *db)
{
	(void)db;
	tx.commits++;
	return tx.commit_rc;
}

void
db_rollback(struct db *db)
{
	(void)db;
	tx.rollbacks++;
}

static void
test_db(void)
{
	static const struct {
		int line;
		enum db_status s;
		enum err want;
	} cases[] = {
		{__LINE__, DB_OK, ERR_NONE},
		{__LINE__, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_DUPLICATE, ERR_INTERNAL},
		{__LINE__, DB_ERROR, ERR_INTERNAL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e = result_db(cases[i].s);

		CHECK_AT(e == cases[i].want, cases[i].line, "result_db(%d) = %d, want %d",
		         (int)cases[i].s, (int)e, (int)cases[i].want);
	}
}

static void
test_commit(void)
{
	static const struct {
		int line;
		enum err e;                     /* the transaction's work */
		enum db_status commit_rc;
		enum err want;
		unsigned commits, rollbacks;
	} cases[] = {
		{__LINE__, ERR_NONE, DB_OK, ERR_NONE, 1, 0},
		{__LINE__, ERR_NONE, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE, 1, 0},
		{__LINE__, ERR_NONE, DB_ERROR, ERR_INTERNAL, 1, 0},
		/* A failure inside: rolled back, never committed, its error kept. */
		{__LINE__, ERR_SERVICE_UNAVAILABLE, DB_OK, ERR_SERVICE_UNAVAILABLE, 0, 1},
		{__LINE__, ERR_ROLL_REVOKED, DB_OK, ERR_ROLL_REVOKED, 0, 1},
		{__LINE__, ERR_INTERNAL, DB_OK, ERR_INTERNAL, 0, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		memset(&tx, 0, sizeof(tx));
		tx.commit_rc = cases[i].commit_rc;
		e = result_commit(NULL, cases[i].e);
		CHECK_AT(e == cases[i].want && tx.commits == cases[i].commits &&
		         tx.rollbacks == cases[i].rollbacks, cases[i].line,
		         "%d: %d after %u commits %u rollbacks", (int)cases[i].e, (int)e, tx.commits,
		         tx.rollbacks);
	}
}

int
main(void)
{
	test_db();
	test_commit();
	return harness_summary();
}
