#include "core/auth.h"

#include <string.h>
#include <sodium.h>

#include "base/apikey.h"
#include "base/log.h"
#include "base/seal.h"
#include "core/audit.h"
#include "core/result.h"
#include "data/store_keys.h"
#include "data/store_accounts.h"

/* base/seal.h: a principal not sealed here never matches it. */
static uint64_t principal_seal;

static bool
nonzero(const uint8_t id[UUID_LEN])
{
	uint8_t any = 0;

	for (size_t i = 0; i < UUID_LEN; i++)
		any |= id[i];
	return any != 0;
}

bool
auth_principal_valid(const struct auth_principal *p)
{
	return p != NULL && p->seal == seal_value(&principal_seal) && nonzero(p->who.key.id) &&
	       nonzero(p->who.account.id);
}

/*
 * The key.expired event, at the first refusal: of any number at once, the one
 * that sets the key's flag writes it, in the flag's transaction. A failure is
 * logged and left for the next refusal; the refusal itself stands.
 */
static void
record_expiry(struct db *db, const struct store_key *k, int64_t now,
              const struct audit_request *req)
{
	struct audit_origin o;
	struct audit_details d;
	bool claimed = false;
	enum err e = result_db(db_begin(db));

	if (e == ERR_NONE)
		e = result_db(store_key_claim_expiry(db, k->id, &claimed));
	if (e == ERR_NONE && claimed) {
		audit_origin(&o, AUDIT_BY_SYSTEM, req->address, req->user_agent, req->request_id);
		audit_details_init(&d);
		audit_detail_time(&d, "expires_at", k->expires_at);
		e = audit_key(db, &o, AUDIT_KEY_EXPIRED, k, now, &d);
	}
	if (result_commit(db, e) != ERR_NONE)
		log_error("the expiry of a key could not be recorded: database error");
}

enum err
auth_authenticate(struct db *db, const unsigned char *pepper, const char *tok, size_t len,
                  int64_t now, const struct audit_request *req, struct counters *counters,
                  struct auth_principal *p)
{
	struct store_principal *who = &p->who;
	unsigned char hash[APIKEY_HASH_LEN];
	struct store_counters copy;
	bool found, have_copy = false;
	enum db_status rc;

	memset(p, 0, sizeof(*p));
	if (apikey_parse(tok, len) != APIKEY_OK)
		return ERR_INVALID_API_KEY;
	if (apikey_hash(tok, pepper, hash) != 0)
		return ERR_INTERNAL;
	if (counters != NULL)
		have_copy = counters_get(counters, hash, now, &copy);
	rc = store_principal_by_hash(db, hash, counters != NULL && !have_copy, who, &found);
	if (rc == DB_OK && found && have_copy)
		who->key.counters = copy;
	else if (rc == DB_OK && found && counters != NULL)
		counters_put(counters, hash, now, &who->key.counters);
	sodium_memzero(hash, sizeof(hash));
	if (rc != DB_OK)
		return result_db(rc);
	if (!found)
		return ERR_INVALID_API_KEY;
	if (who->key.revoked)
		return ERR_API_KEY_REVOKED;
	if (!store_key_active(&who->key, now)) {
		if (!who->key.expiry_recorded)
			record_expiry(db, &who->key, now, req);
		return ERR_API_KEY_EXPIRED;
	}
	if (who->key.has_org && !who->org.is_active)
		return ERR_ORGANIZATION_DEACTIVATED;
	if (!who->key.has_org && !who->account.is_active)
		return ERR_ACCOUNT_DEACTIVATED;
	p->seal = seal_value(&principal_seal);
	return ERR_NONE;
}

/* Builds the scope once the context's organization and role are known. */
static void
set_scope(struct auth_context *ctx, const uint8_t account[UUID_LEN])
{
	memcpy(ctx->scope.actor, account, UUID_LEN);
	if (ctx->is_org) {
		memcpy(ctx->scope.owner, ctx->org.id, UUID_LEN);
		ctx->scope.own_only = ctx->role != ROLE_OWNER && ctx->role != ROLE_ADMIN;
	} else {
		memcpy(ctx->scope.owner, account, UUID_LEN);
	}
}

enum err
auth_context_account(struct db *db, const uint8_t account[UUID_LEN], const uint8_t *org_id,
                     struct auth_context *ctx)
{
	bool found;
	enum db_status rc;

	memset(ctx, 0, sizeof(*ctx));
	if (org_id != NULL) {
		rc = store_membership(db, org_id, account, &ctx->org, &ctx->role, &found);
		if (rc != DB_OK)
			return result_db(rc);
		if (!found || !ctx->org.is_active || ctx->role == ROLE_NONE)
			return ERR_NOT_ORGANIZATION_MEMBER;
		ctx->is_org = true;
	}
	set_scope(ctx, account);
	return ERR_NONE;
}

enum err
auth_context(struct db *db, struct auth_principal *p, const char *org_header)
{
	const struct store_principal *who = &p->who;
	struct auth_context *ctx = &p->ctx;
	uint8_t org_id[UUID_LEN];

	memset(ctx, 0, sizeof(*ctx));
	if (org_header != NULL && uuid_parse(org_header, strlen(org_header), org_id) != 0)
		return ERR_INVALID_REQUEST;
	if (!who->key.has_org)
		return auth_context_account(db, who->account.id, org_header ? org_id : NULL, ctx);
	/* An org key acts in its organization, as its creator. */
	if (org_header != NULL && memcmp(org_id, who->key.organization_id, UUID_LEN) != 0)
		return ERR_ORGANIZATION_MISMATCH;
	ctx->is_org = true;
	ctx->org = who->org;
	ctx->role = who->role;
	set_scope(ctx, who->key.created_by);
	return ERR_NONE;
}

enum err
auth_login_account(struct db *db, const char *email, struct store_login *out, bool *found)
{
	return result_db(store_login_by_email(db, email, out, found));
}

enum err
auth_account_orgs(struct db *db, const uint8_t account[UUID_LEN], struct store_account_org *out,
                  unsigned max, unsigned *n)
{
	return result_db(store_account_orgs(db, account, out, max, n));
}
