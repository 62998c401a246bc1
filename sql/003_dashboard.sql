-- The dashboard: log-in sessions and the log-in throttle shared by all workers.

-- A session is known only by the hash of its cookie's secret. new_key_* hold
-- the secret of a key just created from this session until the page that
-- shows it once takes it, sealed with a key derived from the cookie (so the
-- database alone cannot open it).
CREATE TABLE IF NOT EXISTS dashboard_sessions (
  id_hash         BINARY(32)     NOT NULL,
  account_id      BINARY(16)     NOT NULL,
  created_at      DATETIME(6)    NOT NULL,
  last_seen_at    DATETIME(6)    NOT NULL,
  new_key_id      BINARY(16)     NULL,
  new_key_sealed  VARBINARY(128) NULL,
  PRIMARY KEY (id_hash),
  KEY ix_dashboard_sessions_account (account_id),
  CONSTRAINT fk_dashboard_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Log-in attempts per subject (a hash of "account:" + e-mail or "address:" +
-- client address) within the window that started at window_start; each is
-- counted before its password is checked and taken back when it was right.
CREATE TABLE IF NOT EXISTS login_throttle (
  subject       BINARY(32)   NOT NULL,
  window_start  DATETIME(6)  NOT NULL,
  failures      INT UNSIGNED NOT NULL,
  PRIMARY KEY (subject),
  KEY ix_login_throttle_window (window_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
