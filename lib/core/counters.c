#include "core/counters.h"

#include <string.h>

/* A hash is uniformly random: its first byte spreads keys over the slots. */
static unsigned
slot_of(const uint8_t hash[APIKEY_HASH_LEN])
{
	return hash[0] % COUNTERS_SLOTS;
}

bool
counters_get(const struct counters *c, const uint8_t hash[APIKEY_HASH_LEN], int64_t now,
             struct store_counters *out)
{
	const struct counters_slot *s = &c->slot[slot_of(hash)];

	/* A clock that went back trusts nothing. */
	if (s->read_at == 0 || s->read_at > now || now - s->read_at >= COUNTERS_MAX_AGE_US ||
	    memcmp(s->hash, hash, APIKEY_HASH_LEN) != 0)
		return false;
	*out = s->value;
	return true;
}

void
counters_put(struct counters *c, const uint8_t hash[APIKEY_HASH_LEN], int64_t now,
             const struct store_counters *value)
{
	struct counters_slot *s = &c->slot[slot_of(hash)];

	memcpy(s->hash, hash, APIKEY_HASH_LEN);
	s->read_at = now;
	s->value = *value;
}
