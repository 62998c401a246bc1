#include "core/result.h"

enum err
result_db(enum db_status s)
{
	/* The cause is logged where it happened (lib/data/db.c), the request by its front end. */
	switch (s) {
	case DB_OK:
		return ERR_NONE;
	case DB_UNAVAILABLE:
		return ERR_SERVICE_UNAVAILABLE;
	default:
		return ERR_INTERNAL;
	}
}

enum err
result_commit(struct db *db, enum err e)
{
	if (e == ERR_NONE)
		e = result_db(db_commit(db));
	else
		db_rollback(db);
	return e;
}
