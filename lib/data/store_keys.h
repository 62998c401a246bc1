/*
 * store_keys: the api_keys table: authentication's lookup by hash, insert,
 * retrieve and list in a scope, revoke.
 */
#ifndef PS_STORE_KEYS_H
#define PS_STORE_KEYS_H

#include "data/store.h"

/* DB_OK when the service's tables can be read now (GET /healthz). */
enum db_status store_health(struct db *db);

/* Lookups return DB_OK with *found set, or a db error. */
enum db_status store_principal_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN],
                                       struct store_principal *out, bool *found);
enum db_status store_key_insert(struct db *db, const struct store_key *k,
                                const uint8_t hash[APIKEY_HASH_LEN]);
enum db_status store_key_get(struct db *db, const struct store_scope *scope,
                             const uint8_t id[UUID_LEN], struct store_key *out, bool *found);
/* Sets revoked_at to `now` unless already set; *changed tells whether this call did. */
enum db_status store_key_revoke(struct db *db, const uint8_t id[UUID_LEN], int64_t now,
                                bool *changed);

/* Up to `limit` keys older than cursor (NULL: from the newest), newest first. */
enum db_status store_key_list(struct db *db, const struct store_scope *scope,
                              const struct store_cursor *after, bool include_revoked,
                              unsigned limit, struct store_key *out, unsigned *n);

#endif
