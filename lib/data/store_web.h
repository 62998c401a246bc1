/*
 * store_web: the dashboard's tables: sessions, new keys waiting to be
 * shown, the log-in throttle.
 */
#ifndef PS_STORE_WEB_H
#define PS_STORE_WEB_H

#include <stddef.h>

#include "data/store.h"

/* A dashboard session by the hash of its token (lib/base/tokens.h), with its account. */
struct store_session {
	struct store_account account;
	int64_t created_at, last_seen_at;
};
enum db_status store_session_insert(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                                    const uint8_t account[UUID_LEN], int64_t now);
enum db_status store_session_get(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                                 struct store_session *out, bool *found);
/* Records a use (last_seen_at never moves back). */
enum db_status store_session_touch(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                                   int64_t now);
/* Deletes the session and the secrets waiting in it. */
enum db_status store_session_delete(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN]);
/* Deletes every session of the account. */
enum db_status store_session_delete_account(struct db *db, const uint8_t account[UUID_LEN]);
/* Deletes (up to 100) sessions of any account last seen before seen_before. */
enum db_status store_session_prune(struct db *db, int64_t seen_before);

/* A key created from a session, its secret sealed for that session, waiting to be shown. */
struct store_new_key {
	uint8_t key_id[UUID_LEN];
	uint8_t sealed[STORE_SEALED_MAX];
	unsigned long sealed_len;
};
enum db_status store_new_key_insert(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                                    const uint8_t key[UUID_LEN], const uint8_t *sealed,
                                    size_t len, int64_t now);
/* The newest waiting for the session among the keys of scope_owner (an account or
 * an organization); *more: another one waits there too. */
enum db_status store_new_key_next(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                                  const uint8_t scope_owner[UUID_LEN], struct store_new_key *out,
                                  bool *found, bool *more);
/* Removes it; *taken is true for exactly one caller. */
enum db_status store_new_key_take(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                                  const uint8_t key[UUID_LEN], bool *taken);

/* Log-in attempts not forgiven of a subject (a hash naming an e-mail, an address or both). */
enum db_status store_throttle_get(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                                  int64_t *window_start, unsigned *failures);
/* One more attempt: counted in the window started at or after window_from, else a new one. */
enum db_status store_throttle_count(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                                    int64_t now, int64_t window_from);
/* The subject's first refusal of its window: *claimed for the one call that says so. */
enum db_status store_throttle_claim_refusal(struct db *db,
                                            const uint8_t subject[STORE_SUBJECT_LEN],
                                            bool *claimed);
/* One attempt fewer (it turned out right). */
enum db_status store_throttle_forgive(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN]);
enum db_status store_throttle_clear(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN]);
/* Forgets up to 10 windows that started before `before`, the oldest. */
enum db_status store_throttle_prune(struct db *db, int64_t before);

#endif
