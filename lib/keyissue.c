#include "keyissue.h"

#include <sodium.h>

#include "base/timefmt.h"
#include "data/store_keys.h"

/* A duplicate hash or id is astronomically unlikely; retrying costs nothing. */
#define ATTEMPTS 3

enum db_status
keyissue_create(struct db *db, const unsigned char *pepper, struct store_key *k,
                char secret[APIKEY_LEN + 1])
{
	unsigned char hash[APIKEY_HASH_LEN];
	enum db_status rc = DB_ERROR;

	k->revoked = k->used = false;
	k->request_count = 0;
	for (int i = 0; i < ATTEMPTS; i++) {
		k->created_at = timefmt_now_us();
		uuid_v7(k->id, (uint64_t)(k->created_at / 1000));
		apikey_generate(secret);
		apikey_prefix(secret, k->prefix);
		if (apikey_hash(secret, pepper, hash) != 0) {
			rc = DB_ERROR;
			break;
		}
		rc = store_key_insert(db, k, hash);
		if (rc != DB_DUPLICATE)
			break;
	}
	sodium_memzero(hash, sizeof(hash));
	if (rc != DB_OK)
		sodium_memzero(secret, APIKEY_LEN + 1);
	return rc;
}
