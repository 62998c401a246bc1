#include "core/counters.h"

#include <string.h>

#include "data/store_keys.h"

/* Ids end in random bits (UUIDv7): the last byte spreads them over the slots. */
static struct counters_slot *
slot_of(struct counters *c, const uint8_t id[UUID_LEN])
{
	return &c->slot[id[UUID_LEN - 1] % COUNTERS_SLOTS];
}

enum err
counters_fill(struct db *db, struct counters *c, struct store_key *k, int64_t now)
{
	struct counters_slot *s = c != NULL ? slot_of(c, k->id) : NULL;
	struct store_counters value = {0};
	bool found = false;
	enum db_status rc;

	if (s != NULL && s->read_at != 0 && now - s->read_at < COUNTERS_MAX_AGE_US &&
	    s->read_at <= now && memcmp(s->key_id, k->id, UUID_LEN) == 0) {
		k->counters = s->value;
		return ERR_NONE;
	}
	rc = store_key_counters(db, k->id, &value, &found);
	if (rc != DB_OK)
		return result_db(rc);
	/* Deleted in between: nothing to show but what the key had. */
	if (!found)
		return ERR_NONE;
	k->counters = value;
	if (s != NULL) {
		memcpy(s->key_id, k->id, UUID_LEN);
		s->read_at = now;
		s->value = value;
	}
	return ERR_NONE;
}
