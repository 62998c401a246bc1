/*
 * sessions: the dashboard's sessions and their rules (docs/dashboard.md):
 * a session lives while its account is active, up to SESSIONS_IDLE of
 * inactivity and SESSIONS_ABSOLUTE in all; its use is written at most once
 * per SESSIONS_TOUCH_EVERY. A new API key's secret waits, sealed for the
 * browser that created it, until the one page that shows it.
 *
 * The browser holds a token (base/tokens.h); the database only its id. The
 * caller owns every buffer and wipes tokens and secrets when done. Results
 * follow core/result.h.
 */
#ifndef PS_SESSIONS_H
#define PS_SESSIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "core/audit.h"
#include "core/auth.h"
#include "base/timefmt.h"
#include "base/tokens.h"
#include "data/store_web.h"

#define SESSIONS_IDLE        (30 * 60 * TIMEFMT_SECOND)
#define SESSIONS_ABSOLUTE    (12 * 3600 * TIMEFMT_SECOND)
#define SESSIONS_TOUCH_EVERY (60 * TIMEFMT_SECOND)

/* A session found from a browser's token. */
struct sessions_live {
	uint8_t id[TOKENS_ID_LEN];
	struct store_session row;           /* with its account */
	bool live;                          /* usable: the browser is signed in */
	bool expired;                       /* it timed out (its account still active) */
};

/*
 * The session of tok at `now`: live, or ended (deleted now if it timed out
 * or its account is deactivated), or unknown (live false, expired false).
 */
enum err sessions_load(struct db *db, const uint8_t tok[TOKENS_LEN], int64_t now,
                       struct sessions_live *out);

/*
 * A new session for account: a fresh token in tok (for the cookie), in one
 * transaction with its dashboard.login event (outcome "succeeded"; the
 * request's parts of `origin`, the actor the new session). Each start also
 * deletes some sessions of anyone that ended on their own.
 */
enum err sessions_start(struct db *db, const uint8_t account[UUID_LEN], int64_t now,
                        const struct audit_origin *origin, uint8_t tok[TOKENS_LEN]);

/* Ends the session (and drops the secrets waiting in it). */
enum err sessions_end(struct db *db, const uint8_t id[TOKENS_ID_LEN]);

/* The session a new key's secret waits in: its token (sealing), its id, the instant. */
struct sessions_waiting {
	const uint8_t *tok;                 /* TOKENS_LEN */
	const uint8_t *id;                  /* TOKENS_ID_LEN */
	int64_t now;
};

/*
 * Creates a key named `name` in ctx (core/keyops.h) whose secret waits for
 * the session's next page, sealed with its token: both in the key's
 * transaction, so that there is never a key whose secret nobody has. The
 * secret never leaves.
 */
enum err sessions_create_key(struct db *db, const unsigned char *pepper,
                             const struct auth_context *ctx, const struct sessions_waiting *w,
                             const char *name, const struct audit_origin *origin,
                             struct store_key *out);

/* Rolls old (core/keyops.h, keyops_roll) the same way: the new secret waits, sealed. */
enum err sessions_roll_key(struct db *db, const unsigned char *pepper,
                           const struct sessions_waiting *w, struct store_key *old,
                           unsigned grace, const struct audit_origin *origin,
                           struct store_key *out);

/*
 * The newest secret waiting in the session among the keys of scope_owner,
 * taken (deleted) before it is returned, so that of two pages at once only one
 * shows it. *key is its key's id; *more: another one waits. On ERR_NONE with
 * *found false there is none (or it was taken, or cannot be opened).
 */
enum err sessions_take_secret(struct db *db, const uint8_t tok[TOKENS_LEN],
                              const uint8_t id[TOKENS_ID_LEN],
                              const uint8_t scope_owner[UUID_LEN],
                              uint8_t key[UUID_LEN], char secret[TOKENS_SEAL_MAX], bool *found,
                              bool *more);

#endif
