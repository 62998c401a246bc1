/*
 * keyissue: creating a key, shared by the API and the admin tool: a fresh
 * secret, its prefix and peppered hash, one INSERT. Only the hash is stored.
 */
#ifndef PS_KEYISSUE_H
#define PS_KEYISSUE_H

#include "data/store.h"

/*
 * k must carry name, has_org, organization_id and created_by; the rest is
 * filled in. On DB_OK, secret holds the full key (NUL-terminated): the caller
 * shows it once and wipes it with sodium_memzero.
 */
enum db_status keyissue_create(struct db *db, const unsigned char *pepper,
                               struct store_key *k, char secret[APIKEY_LEN + 1]);

#endif
