-- Per-key rate limits (issue 16, README "Rate limits"): a key's own limit,
-- its organization's default for org keys; NULL: none (the next one applies:
-- the organization's, then the server's configuration). per_second and burst
-- are set together or both NULL.
ALTER TABLE api_keys
  ADD COLUMN IF NOT EXISTS rate_limit_per_second INT UNSIGNED NULL,
  ADD COLUMN IF NOT EXISTS rate_limit_burst INT UNSIGNED NULL;
ALTER TABLE organizations
  ADD COLUMN IF NOT EXISTS rate_limit_per_second INT UNSIGNED NULL,
  ADD COLUMN IF NOT EXISTS rate_limit_burst INT UNSIGNED NULL;

-- Requests refused with 429 per key and UTC day: part of request_count (they
-- authenticated), shown apart in the dashboard's chart and the usage history.
-- Written by the same exactly-once usage flush, into the node's own rows.
ALTER TABLE api_key_usage_daily
  ADD COLUMN IF NOT EXISTS refused_count BIGINT UNSIGNED NOT NULL DEFAULT 0;
ALTER TABLE api_key_usage_node_daily
  ADD COLUMN IF NOT EXISTS refused_count BIGINT UNSIGNED NOT NULL DEFAULT 0;
