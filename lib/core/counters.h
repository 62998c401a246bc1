/*
 * counters: a key's usage counters for GET /v1/me, the one answer that shows
 * them from the principal, kept per worker for COUNTERS_MAX_AGE_US.
 *
 * Why: the authentication statement reads no counters (data/rows.h,
 * KEY_COLS_UNCOUNTED), so that MariaDB's query cache keeps its answer;
 * api_key_counters changes every second. When /v1/me finds no copy younger
 * than 0.5 s here, authentication reads the key with its counters instead
 * (one statement either way) and leaves a copy. docs/api.md allows counts to
 * show within 2 s; the workers flush every second (app/worker.c), so they
 * show within 1.5 s. Everything else about a key is read on every request.
 *
 * Copies are found by the key's hash: /v1/me asks before the key is known.
 * A struct counters belongs to one worker (no locking); zero it to start.
 */
#ifndef PS_COUNTERS_H
#define PS_COUNTERS_H

#include <stdbool.h>

#include "base/apikey.h"
#include "data/store.h"

#define COUNTERS_SLOTS       64
#define COUNTERS_MAX_AGE_US  INT64_C(500000)

struct counters_slot {
	uint8_t hash[APIKEY_HASH_LEN];
	int64_t read_at;                 /* 0: empty */
	struct store_counters value;
};

struct counters {
	struct counters_slot slot[COUNTERS_SLOTS];
};

/* Whether c holds a copy for the hash read less than COUNTERS_MAX_AGE_US before now (*out). */
bool counters_get(const struct counters *c, const uint8_t hash[APIKEY_HASH_LEN], int64_t now,
                  struct store_counters *out);
/* Keeps a copy read at `now`, in place of whatever held its slot. */
void counters_put(struct counters *c, const uint8_t hash[APIKEY_HASH_LEN], int64_t now,
                  const struct store_counters *value);

#endif
