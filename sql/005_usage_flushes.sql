-- Exactly-once usage flushes: each flush records its id in the transaction
-- that adds its counts, so that a worker whose COMMIT went unanswered (the
-- connection died after the server committed) can ask whether it committed
-- before sending the same counts again. Rows older than a day are pruned by
-- the flushes themselves (lib/data/store_usage.c), a few at a time.
CREATE TABLE IF NOT EXISTS usage_flushes (
  id         BINARY(16)  NOT NULL PRIMARY KEY,
  flushed_at DATETIME(6) NOT NULL,
  KEY ix_usage_flushes_at (flushed_at)
) ENGINE=InnoDB;
