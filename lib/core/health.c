#include "core/health.h"

#include "core/result.h"
#include "data/store_keys.h"
#include "data/store_node.h"

enum err
health_check(struct db *db)
{
	bool synced = false;
	enum db_status rc = store_health(db);

	if (rc == DB_OK)
		rc = store_node_synced(db, &synced);
	if (rc == DB_OK && !synced)
		return ERR_SERVICE_UNAVAILABLE;
	return result_db(rc);
}
