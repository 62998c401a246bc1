-- The initial schema: accounts, organizations, their members, API keys.
-- Ids are UUIDs as BINARY(16); instants are UTC DATETIME(6).
-- Every statement is idempotent so that a migration interrupted half-way can be re-run.

CREATE TABLE IF NOT EXISTS accounts (
  id          BINARY(16)   NOT NULL,
  email       VARCHAR(254) NOT NULL,
  -- E-mails are unique compared case-insensitively, but shown as entered.
  email_key   VARCHAR(254) COLLATE utf8mb4_bin AS (LOWER(email)) STORED,
  name        VARCHAR(100) NOT NULL,
  is_active   BOOLEAN      NOT NULL DEFAULT TRUE,
  created_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY uq_accounts_email (email_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS organizations (
  id          BINARY(16)   NOT NULL,
  name        VARCHAR(100) NOT NULL,
  is_active   BOOLEAN      NOT NULL DEFAULT TRUE,
  created_at  DATETIME(6)  NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE IF NOT EXISTS memberships (
  organization_id BINARY(16) NOT NULL,
  account_id      BINARY(16) NOT NULL,
  role            ENUM('owner', 'admin', 'member') NOT NULL,
  created_at      DATETIME(6) NOT NULL,
  PRIMARY KEY (organization_id, account_id),
  KEY ix_memberships_account (account_id),
  CONSTRAINT fk_memberships_org FOREIGN KEY (organization_id) REFERENCES organizations (id),
  CONSTRAINT fk_memberships_account FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- A personal key has organization_id NULL and belongs to created_by; an org
-- key belongs to organization_id and records its creator in created_by.
-- scope_id is the owner either way (the organization, else the account), so
-- that every listing is one range of ix_api_keys_scope, newest first.
CREATE TABLE IF NOT EXISTS api_keys (
  id              BINARY(16)   NOT NULL,
  scope_id        BINARY(16)   NOT NULL,
  organization_id BINARY(16)   NULL,
  created_by      BINARY(16)   NOT NULL,
  key_hash        BINARY(32)   NOT NULL,
  key_prefix      CHAR(12)     CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name            VARCHAR(100) NOT NULL,
  created_at      DATETIME(6)  NOT NULL,
  revoked_at      DATETIME(6)  NULL,
  last_used_at    DATETIME(6)  NULL,
  request_count   BIGINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (id),
  UNIQUE KEY uq_api_keys_hash (key_hash),
  KEY ix_api_keys_scope (scope_id, created_at, id),
  KEY ix_api_keys_creator (created_by),
  KEY ix_api_keys_org (organization_id),
  CONSTRAINT fk_api_keys_org FOREIGN KEY (organization_id) REFERENCES organizations (id),
  CONSTRAINT fk_api_keys_creator FOREIGN KEY (created_by) REFERENCES accounts (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Requests per key and UTC day, added to by the usage flush.
CREATE TABLE IF NOT EXISTS api_key_usage_daily (
  api_key_id    BINARY(16)      NOT NULL,
  day           DATE            NOT NULL,
  request_count BIGINT UNSIGNED NOT NULL,
  PRIMARY KEY (api_key_id, day),
  CONSTRAINT fk_usage_key FOREIGN KEY (api_key_id) REFERENCES api_keys (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
