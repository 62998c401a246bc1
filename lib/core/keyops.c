#include "core/keyops.h"

#include <string.h>
#include <sodium.h>

#include "base/timefmt.h"
#include "core/result.h"
#include "data/store_keys.h"

/* A duplicate hash or id is astronomically unlikely; retrying costs nothing. */
#define ATTEMPTS 3

enum err
keyops_get(struct db *db, const struct store_scope *scope, const uint8_t id[UUID_LEN],
           struct store_key *out)
{
	bool found = false;
	enum db_status rc = store_key_get(db, scope, id, out, &found);

	if (rc != DB_OK)
		return result_db(rc);
	return found ? ERR_NONE : ERR_NOT_FOUND;
}

enum err
keyops_find(struct db *db, const struct store_scope *scope, const char *id, size_t len,
            struct store_key *out)
{
	uint8_t bin[UUID_LEN];

	if (uuid_parse(id, len, bin) != 0)
		return ERR_NOT_FOUND;
	return keyops_get(db, scope, bin, out);
}

enum err
keyops_cursor(struct db *db, const struct store_scope *scope, const uint8_t id[UUID_LEN],
              struct store_cursor *out)
{
	struct store_key k;
	enum err e = keyops_get(db, scope, id, &k);

	if (e == ERR_NONE) {
		out->created_at = k.created_at;
		memcpy(out->id, k.id, UUID_LEN);
	}
	return e;
}

enum err
keyops_list(struct db *db, const struct store_scope *scope, const struct store_cursor *after,
            bool include_revoked, unsigned limit, struct store_key *out, unsigned *n)
{
	return result_db(store_key_list(db, scope, after, include_revoked, limit, out, n));
}

enum err
keyops_create(struct db *db, const unsigned char *pepper, const struct auth_context *ctx,
              const char *name, struct store_key *out, char secret[APIKEY_LEN + 1])
{
	unsigned char hash[APIKEY_HASH_LEN];
	enum db_status rc = DB_ERROR;
	size_t n = strlen(name);

	memset(out, 0, sizeof(*out));
	if (n > STORE_NAME_MAX)
		goto done;
	memcpy(out->name, name, n + 1);
	/* Keys created in an organization's context are org keys, created by the actor. */
	out->has_org = ctx->is_org;
	if (ctx->is_org)
		memcpy(out->organization_id, ctx->org.id, UUID_LEN);
	memcpy(out->created_by, ctx->scope.actor, UUID_LEN);
	for (int i = 0; i < ATTEMPTS; i++) {
		out->created_at = timefmt_now_us();
		uuid_v7(out->id, (uint64_t)(out->created_at / 1000));
		apikey_generate(secret);
		apikey_prefix(secret, out->prefix);
		if (apikey_hash(secret, pepper, hash) != 0) {
			rc = DB_ERROR;
			break;
		}
		rc = store_key_insert(db, out, hash);
		if (rc != DB_DUPLICATE)
			break;
	}
done:
	sodium_memzero(hash, sizeof(hash));
	if (rc != DB_OK)
		sodium_memzero(secret, APIKEY_LEN + 1);
	return result_db(rc);
}

enum err
keyops_revoke(struct db *db, const struct store_scope *scope, struct store_key *k, int64_t now)
{
	bool changed = false;
	enum db_status rc;
	enum err e;

	if (k->revoked)
		return ERR_NONE;
	if ((rc = store_key_revoke(db, k->id, now, &changed)) != DB_OK)
		return result_db(rc);
	if (changed) {
		k->revoked = true;
		k->revoked_at = now;
		return ERR_NONE;
	}
	/* A concurrent revoke won: report the instant it set (the key cannot vanish). */
	e = keyops_get(db, scope, k->id, k);
	return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
}
