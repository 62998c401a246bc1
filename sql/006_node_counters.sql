-- Usage counters that never conflict across the nodes of a multi-primary
-- cluster (MariaDB Galera, README "Scaling out"). Each node adds only to rows
-- of its own, named by @@wsrep_node_name (the server's host name unless
-- set), and reads sum the rows of every node. So the usage flush never
-- writes api_keys, the rows that revokes update, and two nodes never write
-- the same row: a certification conflict (error 1213) would abort a flush.
-- On a single server there is one node name and one row a key, as before.
--
-- No foreign key to api_keys: it would put the key's api_keys row into every
-- counter write's write set, which conflicts with a revoke of that key
-- committed through another node at the same moment. Keys are never deleted.

-- A key's requests and last use, per node, since this migration.
CREATE TABLE IF NOT EXISTS api_key_counters (
  api_key_id    BINARY(16)      NOT NULL,
  node          VARCHAR(255)    NOT NULL,
  request_count BIGINT UNSIGNED NOT NULL,
  last_used_at  DATETIME(6)     NOT NULL,
  PRIMARY KEY (api_key_id, node)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A key's requests per UTC day, per node. Closed days are folded into
-- api_key_usage_daily (one row a key and day) by `parsesphere-admin usage
-- compact`, a daily job; the history reads the sum of both tables.
CREATE TABLE IF NOT EXISTS api_key_usage_node_daily (
  api_key_id    BINARY(16)      NOT NULL,
  day           DATE            NOT NULL,
  node          VARCHAR(255)    NOT NULL,
  request_count BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (api_key_id, day, node),
  KEY ix_usage_node_daily_day (day, api_key_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Each node prunes only the flush records written through it (two nodes
-- deleting the same old rows would conflict).
ALTER TABLE usage_flushes
  ADD COLUMN IF NOT EXISTS node VARCHAR(255) NOT NULL DEFAULT '',
  ADD INDEX IF NOT EXISTS ix_usage_flushes_node (node, flushed_at);

-- What api_keys counted so far moves to the row of node '' (no server has an
-- empty name), in one transaction: the rows it read stay locked until the
-- counts are zeroed, so a worker of the previous version flushing meanwhile
-- waits and then adds to the zeroed row. Reads add api_keys.request_count and
-- last_used_at to the nodes' rows, so nothing such a worker writes until it
-- is replaced is lost either. Re-run, it finds nothing left to move.
-- api_key_usage_daily stays as it is: it already holds one row a key and day.
START TRANSACTION;
INSERT INTO api_key_counters (api_key_id, node, request_count, last_used_at)
  SELECT id, '', request_count, COALESCE(last_used_at, created_at) FROM api_keys
  WHERE request_count > 0 OR last_used_at IS NOT NULL
  ON DUPLICATE KEY UPDATE
    request_count = api_key_counters.request_count + VALUES(request_count),
    last_used_at = GREATEST(api_key_counters.last_used_at, VALUES(last_used_at));
UPDATE api_keys SET request_count = 0, last_used_at = NULL
  WHERE request_count > 0 OR last_used_at IS NOT NULL;
COMMIT;
