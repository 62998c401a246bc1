/*
 * store_node: the state of the database node this connection reached, for
 * GET /healthz. A Galera node can answer reads while it should not serve: a
 * donor or desynced node (wsrep_desync) may lag behind the cluster.
 */
#ifndef PS_STORE_NODE_H
#define PS_STORE_NODE_H

#include "data/store.h"

/*
 * *synced: the node is a synced member of the primary component (wsrep_ready
 * and wsrep_local_state_comment 'Synced'), or replication is off (a server
 * without Galera: always true).
 */
enum db_status store_node_synced(struct db *db, bool *synced);

#endif
