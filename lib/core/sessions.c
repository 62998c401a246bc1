#include "core/sessions.h"

#include <string.h>
#include <sodium.h>

#include "core/keyops.h"
#include "core/result.h"

enum err
sessions_load(struct db *db, const uint8_t tok[TOKENS_LEN], int64_t now,
              struct sessions_live *out)
{
	bool found = false;
	enum db_status rc;

	memset(out, 0, sizeof(*out));
	tokens_id(tok, out->id);
	if ((rc = store_session_get(db, out->id, &out->row, &found)) != DB_OK || !found)
		return result_db(rc);
	if (!out->row.account.is_active || now - out->row.last_seen_at > SESSIONS_IDLE ||
	    now - out->row.created_at > SESSIONS_ABSOLUTE) {
		out->expired = out->row.account.is_active;
		return result_db(store_session_delete(db, out->id));
	}
	if (now - out->row.last_seen_at >= SESSIONS_TOUCH_EVERY &&
	    (rc = store_session_touch(db, out->id, now)) != DB_OK)
		return result_db(rc);
	out->live = true;
	return ERR_NONE;
}

enum err
sessions_start(struct db *db, const uint8_t account[UUID_LEN], int64_t now,
               const struct audit_origin *origin, uint8_t tok[TOKENS_LEN])
{
	uint8_t id[TOKENS_ID_LEN];
	struct audit_origin by = *origin;
	struct audit_details d;
	enum err e;

	/* Every session past its absolute limit is idle too, or ends at its next use. */
	e = result_db(store_session_prune(db, now - SESSIONS_IDLE));
	tokens_new(tok);
	tokens_id(tok, id);
	by.actor = AUDIT_BY_DASHBOARD;
	by.account.set = true;
	memcpy(by.account.id, account, UUID_LEN);
	audit_session_ref(id, &by.session);
	audit_details_init(&d);
	audit_detail_str(&d, "outcome", "succeeded");
	if (e == ERR_NONE)
		e = result_db(db_begin(db));
	if (e == ERR_NONE)
		e = result_db(store_session_insert(db, id, account, now));
	if (e == ERR_NONE)
		e = audit_login(db, &by, account, now, &d);
	if ((e = result_commit(db, e)) != ERR_NONE)
		sodium_memzero(tok, TOKENS_LEN);
	return e;
}

enum err
sessions_end(struct db *db, const uint8_t id[TOKENS_ID_LEN])
{
	return result_db(store_session_delete(db, id));
}

/* The keeper of a new key made from a session: its secret sealed for the session's page. */
static enum err
keep_sealed(struct db *db, const struct store_key *k, const char *secret, void *arg)
{
	const struct sessions_waiting *w = arg;
	uint8_t sealed[TOKENS_SEAL_MAX];
	size_t len = tokens_seal(w->tok, secret, strlen(secret), sealed);

	if (len == 0)
		return ERR_INTERNAL;
	return result_db(store_new_key_insert(db, w->id, k->id, sealed, len, w->now));
}

enum err
sessions_create_key(struct db *db, const unsigned char *pepper, const struct auth_context *ctx,
                    const struct sessions_waiting *w, const char *name,
                    const struct audit_origin *origin, struct store_key *out)
{
	struct keyops_keeper keeper = {keep_sealed, (void *)w};
	char secret[APIKEY_LEN + 1];
	enum err e = keyops_create(db, pepper, ctx, name, NULL, origin, &keeper, out, secret);

	sodium_memzero(secret, sizeof(secret));
	return e;
}

enum err
sessions_roll_key(struct db *db, const unsigned char *pepper, const struct sessions_waiting *w,
                  struct store_key *old, unsigned grace, const struct audit_origin *origin,
                  struct store_key *out)
{
	struct keyops_keeper keeper = {keep_sealed, (void *)w};
	char secret[APIKEY_LEN + 1];
	enum err e = keyops_roll(db, pepper, old, grace, w->now, origin, &keeper, out, secret);

	sodium_memzero(secret, sizeof(secret));
	return e;
}

enum err
sessions_take_secret(struct db *db, const uint8_t tok[TOKENS_LEN],
                     const uint8_t id[TOKENS_ID_LEN], const uint8_t scope_owner[UUID_LEN],
                     uint8_t key[UUID_LEN], char secret[TOKENS_SEAL_MAX], bool *found,
                     bool *more)
{
	struct store_new_key nk;
	bool waiting = false, taken = false;
	enum db_status rc;

	*found = *more = false;
	rc = store_new_key_next(db, id, scope_owner, &nk, &waiting, more);
	if (rc == DB_OK && waiting)
		rc = store_new_key_take(db, id, nk.key_id, &taken);
	if (rc != DB_OK)
		return result_db(rc);
	*found = taken && tokens_open(tok, nk.sealed, nk.sealed_len, secret) >= 0;
	if (*found)
		memcpy(key, nk.key_id, UUID_LEN);
	sodium_memzero(&nk, sizeof(nk));
	return ERR_NONE;
}
