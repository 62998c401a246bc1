-- Issue 16: keys revoked because GitHub's secret scanning found them in
-- public (POST /v1/leaks/github). Idempotent like every migration.

-- Where a leaked key was found, written in the transaction that revoked it
-- (revoked_reason 'leaked'), so that its owner sees it in the dashboard's
-- list. One row a key: only the report that revoked it writes one (a report
-- of a key revoked already changes nothing). url: the report's, kept only
-- when it is an http(s) URL of printable ASCII of at most 1024 bytes, else
-- NULL; source: GitHub's name for where it was found ("content", "commit",
-- ...). The application's user may SELECT and INSERT it (scripts/stack.sh).
CREATE TABLE IF NOT EXISTS api_key_leaks (
  api_key_id  BINARY(16)    NOT NULL,
  url         VARCHAR(1024) CHARACTER SET ascii COLLATE ascii_bin NULL,
  source      VARCHAR(64)   CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  reported_at DATETIME(6)   NOT NULL,
  PRIMARY KEY (api_key_id),
  FOREIGN KEY fk_api_key_leaks_key (api_key_id) REFERENCES api_keys (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- The key.revoked_leak event's details carry the url and the source: room
-- for a 1024-byte url (MODIFY is a no-op when run again).
ALTER TABLE audit_events MODIFY details VARCHAR(2048) CHARACTER SET ascii COLLATE ascii_bin NULL;
