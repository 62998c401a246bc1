/*
 * store_keys: the api_keys table: authentication's lookup by hash, insert,
 * retrieve and list in a scope, revoke, roll, the expiry's record.
 */
#ifndef PS_STORE_KEYS_H
#define PS_STORE_KEYS_H

#include "data/store.h"

/* DB_OK when the service's tables can be read now (GET /healthz). */
enum db_status store_health(struct db *db);

/*
 * Lookups return DB_OK with *found set, or a db error. The principal's key
 * comes without its counters (never used, 0) unless `counted`: that read
 * cannot be answered from the query cache for long (rows.h).
 */
enum db_status store_principal_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN],
                                       bool counted, struct store_principal *out, bool *found);
enum db_status store_key_insert(struct db *db, const struct store_key *k,
                                const uint8_t hash[APIKEY_HASH_LEN]);
enum db_status store_key_get(struct db *db, const struct store_scope *scope,
                             const uint8_t id[UUID_LEN], struct store_key *out, bool *found);
/* Any key by its id, whoever owns it (the admin tool). */
enum db_status store_key_by_id(struct db *db, const uint8_t id[UUID_LEN], struct store_key *out,
                               bool *found);
/* Any key by its keyed hash (a leak report's token), whoever owns it. */
enum db_status store_key_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN],
                                 struct store_key *out, bool *found);
/* The key by its id, as it is now, its row locked until the transaction ends. */
enum db_status store_key_lock(struct db *db, const uint8_t id[UUID_LEN], struct store_key *out,
                              bool *found);
/*
 * A key's own rate limit (rl NULL or per_second 0: none) and its name: each
 * only while the key is active at `now`; *changed is false when it was not,
 * or already had that value (MariaDB counts changed rows).
 */
enum db_status store_key_set_rate_limit(struct db *db, const uint8_t id[UUID_LEN],
                                        const struct store_rate_limit *rl, int64_t now,
                                        bool *changed);
enum db_status store_key_rename(struct db *db, const uint8_t id[UUID_LEN], const char *name,
                                int64_t now, bool *changed);
/*
 * Sets revoked_at to `now` and revoked_reason unless the key is revoked or
 * expired at `now`; *changed tells whether this call did.
 */
enum db_status store_key_revoke(struct db *db, const uint8_t id[UUID_LEN], int64_t now,
                                enum store_reason reason, bool *changed);
/*
 * The old key of a roll: replaced_by, expires_at = ends, and when `revoke`
 * also revoked_at = ends with reason "rolled"; only if it is neither revoked
 * nor replaced (*changed false otherwise).
 */
enum db_status store_key_roll(struct db *db, const uint8_t id[UUID_LEN],
                              const uint8_t replaced_by[UUID_LEN], int64_t ends, bool revoke,
                              bool *changed);
/* Sets expiry_recorded; *claimed for the one call that did. */
enum db_status store_key_claim_expiry(struct db *db, const uint8_t id[UUID_LEN], bool *claimed);

/*
 * Up to `limit` keys older than cursor (NULL: from the newest), newest first;
 * unless include_revoked, only keys active at `now` (neither revoked nor expired).
 */
enum db_status store_key_list(struct db *db, const struct store_scope *scope,
                              const struct store_cursor *after, bool include_revoked,
                              int64_t now, unsigned limit, struct store_key *out, unsigned *n);

#endif
