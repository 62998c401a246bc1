#include "core/health.h"

#include "core/result.h"
#include "data/store_keys.h"

enum err
health_check(struct db *db)
{
	return result_db(store_health(db));
}
