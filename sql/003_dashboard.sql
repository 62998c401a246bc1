-- The dashboard: log-in sessions and the log-in throttle shared by all workers.

-- A session is known only by the hash of its cookie's secret.
CREATE TABLE IF NOT EXISTS dashboard_sessions (
  id_hash         BINARY(32)     NOT NULL,
  account_id      BINARY(16)     NOT NULL,
  created_at      DATETIME(6)    NOT NULL,
  last_seen_at    DATETIME(6)    NOT NULL,
  PRIMARY KEY (id_hash),
  KEY ix_dashboard_sessions_account (account_id),
  KEY ix_dashboard_sessions_seen (last_seen_at),
  CONSTRAINT fk_dashboard_sessions_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Keys created from a session whose secret waits for the page that shows it
-- once, sealed with a key derived from the session's cookie (the database
-- alone cannot open it). One row a key, so that keys created in two tabs (or
-- by a double click) each keep their secret until shown.
CREATE TABLE IF NOT EXISTS dashboard_new_keys (
  session_id  BINARY(32)     NOT NULL,
  api_key_id  BINARY(16)     NOT NULL,
  sealed      VARBINARY(128) NOT NULL,
  created_at  DATETIME(6)    NOT NULL,
  PRIMARY KEY (session_id, api_key_id),
  KEY ix_dashboard_new_keys_key (api_key_id),
  CONSTRAINT fk_dashboard_new_keys_session FOREIGN KEY (session_id)
    REFERENCES dashboard_sessions (id_hash) ON DELETE CASCADE,
  CONSTRAINT fk_dashboard_new_keys_key FOREIGN KEY (api_key_id) REFERENCES api_keys (id)
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
