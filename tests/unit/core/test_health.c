/* Unit tests of lib/core/health.c: the table read's status as /healthz's answer. */
#include "../../../lib/core/health.c"
#include "../../../lib/core/result.c"
#include "../harness.h"

static enum db_status read_rc;
static unsigned reads;

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

int
main(void)
{
	static const struct { int line; enum db_status rc; enum err want; } cases[] = {
		{__LINE__, DB_OK, ERR_NONE},
		{__LINE__, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE},   /* 1047, a lock, a timeout */
		{__LINE__, DB_ERROR, ERR_INTERNAL},
		{__LINE__, DB_DUPLICATE, ERR_INTERNAL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err e;

		read_rc = cases[i].rc;
		reads = 0;
		e = health_check(NULL);
		CHECK_AT(e == cases[i].want && reads == 1, cases[i].line, "status %d: %d after %u reads",
		         cases[i].rc, e, reads);
	}
	return harness_summary();
}
