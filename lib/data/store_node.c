#include "data/store_node.h"

#include "data/rows.h"

/* Counts the reasons not to serve: none on a synced node or without wsrep. */
static struct db_stmt st_node_unsynced = DB_STMT(true,
	"SELECT COUNT(*) FROM information_schema.GLOBAL_STATUS WHERE @@global.wsrep_on = 1 AND"
	" ((VARIABLE_NAME = 'WSREP_READY' AND VARIABLE_VALUE <> 'ON') OR"
	"  (VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT' AND VARIABLE_VALUE <> 'Synced'))");

enum db_status
store_node_synced(struct db *db, bool *synced)
{
	MYSQL_BIND res[1];
	int64_t reasons = 0;
	bool found;
	enum db_status rc;

	db_out_i64(&res[0], &reasons, NULL);
	rc = rows_query_one(db, &st_node_unsynced, NULL, res, &found);
	*synced = rc == DB_OK && found && reasons == 0;
	return rc;
}
