/*
 * health: whether this worker can serve now (GET /healthz, docs/api.md): the
 * database answers a read of the table every request reads, within
 * db_timeout, and is not a Galera node that should not serve (not synced:
 * joining, a donor, desynced). A ping alone passes on a database that cannot
 * serve (a Galera node outside the primary component, a locked table).
 */
#ifndef PS_HEALTH_H
#define PS_HEALTH_H

#include "base/errors.h"
#include "data/db.h"

/* ERR_NONE, or the error a request would get now (503 or 500). */
enum err health_check(struct db *db);

#endif
