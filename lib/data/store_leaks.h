/*
 * store_leaks: api_key_leaks (sql/009), where a key revoked as leaked was
 * found. Written only in the transaction of that revoke (core/keyops.h);
 * read by the dashboard's list. Insert and select only: the service's
 * database user has no other grant on it.
 */
#ifndef PS_STORE_LEAKS_H
#define PS_STORE_LEAKS_H

#include "data/store.h"

#define STORE_LEAK_URL_MAX    1024
#define STORE_LEAK_SOURCE_MAX 64

/* Where key `id` was found: url ("" for none, kept as NULL) and source, reported at `now`. */
enum db_status store_leak_insert(struct db *db, const uint8_t id[UUID_LEN], const char *url,
                                 const char *source, int64_t now);

/* The url key `id` was found at, into url (STORE_LEAK_URL_MAX + 1 bytes; "" for none). */
enum db_status store_leak_url(struct db *db, const uint8_t id[UUID_LEN],
                              char url[STORE_LEAK_URL_MAX + 1], bool *found);

#endif
