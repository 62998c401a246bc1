-- Dashboard logins: an argon2id hash (libsodium crypto_pwhash_str), NULL until set.
ALTER TABLE accounts ADD COLUMN IF NOT EXISTS password_hash VARCHAR(128) NULL;
