-- Issue 15: rolling a key with a grace period, and the audit log.
-- Idempotent like every migration (IF NOT EXISTS, and updates that find
-- nothing left to do on a second run).

-- A rolled key ends at expires_at (the only end time a key ever has, set by
-- the roll) and names the key that replaced it; the new key names the one it
-- replaced. revoked_reason says why revoked_at was set ('user': by its
-- creator, 'owner': by an owner or admin of its organization, 'rolled': a
-- roll without grace period). expiry_recorded: the key.expired event was
-- written, at the first request refused for the expiry.
ALTER TABLE api_keys
  ADD COLUMN IF NOT EXISTS expires_at      DATETIME(6) NULL,
  ADD COLUMN IF NOT EXISTS replaced_by     BINARY(16)  NULL,
  ADD COLUMN IF NOT EXISTS rolled_from     BINARY(16)  NULL,
  ADD COLUMN IF NOT EXISTS revoked_reason  VARCHAR(16) CHARACTER SET ascii COLLATE ascii_bin NULL,
  ADD COLUMN IF NOT EXISTS expiry_recorded BOOLEAN     NOT NULL DEFAULT FALSE,
  ADD FOREIGN KEY IF NOT EXISTS fk_api_keys_replaced_by (replaced_by) REFERENCES api_keys (id),
  ADD FOREIGN KEY IF NOT EXISTS fk_api_keys_rolled_from (rolled_from) REFERENCES api_keys (id);

-- Every revocation before this migration was a DELETE by a user.
UPDATE api_keys SET revoked_reason = 'user' WHERE revoked_at IS NOT NULL AND revoked_reason IS NULL;

-- The log-in throttle records a refusal once per subject and window (the
-- dashboard.login "throttled" event), so that refused attempts cannot grow
-- the audit log without bound.
ALTER TABLE login_throttle
  ADD COLUMN IF NOT EXISTS refusal_recorded BOOLEAN NOT NULL DEFAULT FALSE;

-- The audit log: append-only. The application's database user may INSERT and
-- SELECT it, never UPDATE or DELETE it (scripts/stack.sh, README "Database
-- user"). One row per change, written in the change's own transaction.
-- scope_id: who may read the event through the API, the organization for an
-- organization's events, else the account for its personal ones; NULL for
-- events of no account (a log-in with an unknown e-mail): operators only.
-- Ids are UUIDs (request_id too); actor_session is a one-way handle of the
-- dashboard session (never its cookie, nor the id the sessions table keeps).
-- details: a small JSON object of the service's own values (ids, role names,
-- numbers), never a secret, a password, a cookie or a token.
CREATE TABLE IF NOT EXISTS audit_events (
  id               BINARY(16)   NOT NULL,
  created_at       DATETIME(6)  NOT NULL,
  scope_id         BINARY(16)   NULL,
  organization_id  BINARY(16)   NULL,
  action           VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  actor_type       VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  actor_account_id BINARY(16)   NULL,
  actor_key_id     BINARY(16)   NULL,
  actor_session    BINARY(16)   NULL,
  target_type      VARCHAR(16)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  target_id        BINARY(16)   NULL,
  client_address   VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NULL,
  user_agent       VARCHAR(256) CHARACTER SET ascii COLLATE ascii_bin NULL,
  request_id       BINARY(16)   NULL,
  details          VARCHAR(512) CHARACTER SET ascii COLLATE ascii_bin NULL,
  PRIMARY KEY (id),
  KEY ix_audit_events_scope (scope_id, created_at, id),
  KEY ix_audit_events_target (scope_id, target_id, created_at, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
