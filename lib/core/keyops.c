#include "core/keyops.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "base/timefmt.h"
#include "core/audit.h"
#include "core/ratelimit.h"
#include "core/result.h"
#include "data/store_keys.h"
#include "data/store_leaks.h"

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
            bool include_revoked, int64_t now, unsigned limit, struct store_key *out,
            unsigned *n)
{
	return result_db(store_key_list(db, scope, after, include_revoked, now, limit, out, n));
}

/*
 * Inserts k (its owner, creator, name and rolled_from set by the caller) with
 * a fresh id, instant and secret, inside the caller's transaction.
 */
static enum err
insert_new(struct db *db, const unsigned char *pepper, struct store_key *k,
           char secret[APIKEY_LEN + 1])
{
	unsigned char hash[APIKEY_HASH_LEN];
	enum db_status rc = DB_ERROR;

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
	return result_db(rc);
}

/* The keeper's work, inside the key's transaction. */
static enum err
keep(struct db *db, const struct keyops_keeper *keeper, const struct store_key *k,
     const char *secret)
{
	return keeper != NULL ? keeper->keep(db, k, secret, keeper->arg) : ERR_NONE;
}

enum err
keyops_create(struct db *db, const unsigned char *pepper, const struct auth_context *ctx,
              const char *name, const struct store_rate_limit *rl,
              const struct audit_origin *origin, const struct keyops_keeper *keeper,
              struct store_key *out, char secret[APIKEY_LEN + 1])
{
	size_t n = strlen(name);
	enum err e = ERR_INTERNAL;

	memset(out, 0, sizeof(*out));
	sodium_memzero(secret, APIKEY_LEN + 1);
	if (n > STORE_NAME_MAX || (rl != NULL && rl->per_second > 0 && !ratelimit_valid(rl)))
		return e;
	memcpy(out->name, name, n + 1);
	if (rl != NULL)
		out->rate_limit = *rl;
	/* Keys created in an organization's context are org keys, created by the actor. */
	out->has_org = ctx->is_org;
	if (ctx->is_org)
		memcpy(out->organization_id, ctx->org.id, UUID_LEN);
	memcpy(out->created_by, ctx->scope.actor, UUID_LEN);
	e = result_db(db_begin(db));
	if (e == ERR_NONE)
		e = insert_new(db, pepper, out, secret);
	if (e == ERR_NONE)
		e = audit_key(db, origin, AUDIT_KEY_CREATED, out, out->created_at, NULL);
	if (e == ERR_NONE)
		e = keep(db, keeper, out, secret);
	e = result_commit(db, e);
	if (e != ERR_NONE)
		sodium_memzero(secret, APIKEY_LEN + 1);
	return e;
}

/* *k again after a change that did not apply: a concurrent one won (the key cannot vanish). */
static enum err
reread(struct db *db, const struct store_scope *scope, struct store_key *k)
{
	enum err e = keyops_get(db, scope, k->id, k);

	return e == ERR_NOT_FOUND ? ERR_INTERNAL : e;
}

/*
 * The one revoke of every front end, inside the caller's transaction: k
 * revoked at `now` for `why` unless it is revoked or expired already, with
 * its event and, for a leak, where it was found. *changed: whether this call
 * revoked it (of revokes at once, one does: store_key_revoke's WHERE
 * decides, on the row it locks until the transaction ends).
 */
static enum err
revoke_in(struct db *db, const struct store_key *k, int64_t now, enum store_reason why,
          const struct audit_origin *origin, const struct keyops_leak *leak, bool *changed)
{
	struct audit_details d;
	enum err e;

	audit_details_init(&d);
	audit_detail_str(&d, "reason", store_reason_name(why));
	if (leak != NULL) {
		audit_detail_str(&d, "source", leak->source);
		if (leak->url[0] != '\0')
			audit_detail_str(&d, "url", leak->url);
	}
	e = result_db(store_key_revoke(db, k->id, now, why, changed));
	/* Not changed: nothing happened, so no event either. */
	if (e == ERR_NONE && *changed && leak != NULL)
		e = result_db(store_leak_insert(db, k->id, leak->url, leak->source, now));
	if (e == ERR_NONE && *changed)
		e = audit_key(db, origin, leak != NULL ? AUDIT_KEY_REVOKED_LEAK : AUDIT_KEY_REVOKED,
		              k, now, &d);
	return e;
}

enum err
keyops_revoke(struct db *db, const struct store_scope *scope, struct store_key *k, int64_t now,
              const struct audit_origin *origin)
{
	enum store_reason why = memcmp(k->created_by, scope->actor, UUID_LEN) == 0 ?
	                        REASON_USER : REASON_OWNER;
	bool changed = false;
	enum err e;

	if (!store_key_active(k, now))
		return ERR_NONE;
	e = result_db(db_begin(db));
	if (e == ERR_NONE)
		e = revoke_in(db, k, now, why, origin, NULL, &changed);
	if ((e = result_commit(db, e)) != ERR_NONE)
		return e;
	if (!changed)
		return reread(db, scope, k);
	k->revoked = true;
	k->revoked_at = now;
	k->revoked_reason = why;
	return ERR_NONE;
}

/* The change's event: which fields changed, and the key's limit when it did. */
static void
change_details(struct audit_details *d, bool renamed, const struct store_rate_limit *rl)
{
	audit_details_init(d);
	audit_detail_str(d, "changed", renamed && rl != NULL ? "name,rate_limit" :
	                               renamed ? "name" : "rate_limit");
	if (rl != NULL)
		audit_detail_rate_limit(d, rl);
}

enum err
keyops_update(struct db *db, const struct store_scope *scope, struct store_key *k,
              const struct keyops_change *ch, int64_t now, const struct audit_origin *origin)
{
	const struct store_rate_limit *rl = ch->rate_limit;
	bool renamed = false, limited = false;
	struct audit_details d;
	enum err e;

	if ((ch->name != NULL && strlen(ch->name) > STORE_NAME_MAX) ||
	    (rl != NULL && rl->per_second > 0 && !ratelimit_valid(rl)))
		return ERR_INTERNAL;
	if (!store_key_active(k, now))
		return ERR_ROLL_REVOKED;
	e = result_db(db_begin(db));
	if (e == ERR_NONE && ch->name != NULL)
		e = result_db(store_key_rename(db, k->id, ch->name, now, &renamed));
	if (e == ERR_NONE && rl != NULL)
		e = result_db(store_key_set_rate_limit(db, k->id, rl, now, &limited));
	/* Nothing changed (the same values, or revoked meanwhile): no event. */
	if (e == ERR_NONE && (renamed || limited)) {
		change_details(&d, renamed, limited ? rl : NULL);
		e = audit_key(db, origin, AUDIT_KEY_UPDATED, k, now, &d);
	}
	if ((e = result_commit(db, e)) != ERR_NONE)
		return e;
	/* As stored: a revoke that committed first leaves the key unchanged. */
	if ((e = reread(db, scope, k)) != ERR_NONE)
		return e;
	return store_key_active(k, now) ? ERR_NONE : ERR_ROLL_REVOKED;
}

/* r's token looked up: *found with *k when it is a key of ours (r->label set). */
static enum err
leak_lookup(struct db *db, const unsigned char *pepper, struct keyops_leak_report *r,
            struct store_key *k, bool *found)
{
	uint8_t hash[APIKEY_HASH_LEN];
	enum err e = ERR_NONE;

	r->label = KEYOPS_FALSE_POSITIVE;
	*found = false;
	/* A token that is not a key of ours costs no database read. */
	if (apikey_parse(r->token, r->len) != APIKEY_OK)
		return ERR_NONE;
	if (apikey_hash(r->token, pepper, hash) != 0)
		e = ERR_INTERNAL;
	else
		e = result_db(store_key_by_hash(db, hash, k, found));
	sodium_memzero(hash, sizeof(hash));
	/* A key of ours, revoked by now whoever wins: a user's revoke at once changes nothing. */
	if (e == ERR_NONE && *found)
		r->label = KEYOPS_TRUE_POSITIVE;
	return e;
}

/* A key to revoke for report `leak`. */
struct leak_pending {
	struct store_key k;
	const struct keyops_leak *leak;
};

static int
by_key_id(const void *a, const void *b)
{
	return memcmp(((const struct leak_pending *)a)->k.id,
	              ((const struct leak_pending *)b)->k.id, UUID_LEN);
}

enum err
keyops_revoke_leaked(struct db *db, const unsigned char *pepper, struct keyops_leak_report *r,
                     size_t n, int64_t now, const struct audit_origin *origin)
{
	struct leak_pending p[KEYOPS_LEAK_CHUNK];
	size_t np = 0;
	bool found = false, changed = false;
	enum err e = n <= KEYOPS_LEAK_CHUNK ? ERR_NONE : ERR_INTERNAL;

	for (size_t i = 0; i < n && e == ERR_NONE; i++) {
		e = leak_lookup(db, pepper, &r[i], &p[np].k, &found);
		if (e == ERR_NONE && found && store_key_active(&p[np].k, now))
			p[np++].leak = &r[i].leak;
	}
	if (e != ERR_NONE || np == 0)
		return e;
	/* In id order: two reports at once lock the rows they share in the same order. */
	qsort(p, np, sizeof(p[0]), by_key_id);
	e = result_db(db_begin(db));
	/* A key reported twice: the second revoke finds it revoked and changes nothing. */
	for (size_t j = 0; j < np && e == ERR_NONE; j++)
		e = revoke_in(db, &p[j].k, now, REASON_LEAKED, origin, p[j].leak, &changed);
	return result_commit(db, e);
}

enum err
keyops_leak_url(struct db *db, const uint8_t id[UUID_LEN], char url[STORE_LEAK_URL_MAX + 1])
{
	bool found = false;

	return result_db(store_leak_url(db, id, url, &found));
}

/* Why old cannot be rolled, ERR_NONE if it can. */
static enum err
unrollable(const struct store_key *old)
{
	if (old->revoked)
		return ERR_ROLL_REVOKED;
	return old->replaced_by.set ? ERR_API_KEY_ALREADY_ROLLED : ERR_NONE;
}

enum err
keyops_roll(struct db *db, const unsigned char *pepper, struct store_key *old, unsigned grace,
            int64_t now, const struct audit_origin *origin, const struct keyops_keeper *keeper,
            struct store_key *out, char secret[APIKEY_LEN + 1])
{
	int64_t ends = now + (int64_t)grace * TIMEFMT_SECOND;
	struct audit_details d;
	bool found = false, changed = false;
	enum err e = unrollable(old);

	memset(out, 0, sizeof(*out));
	sodium_memzero(secret, APIKEY_LEN + 1);
	if (e != ERR_NONE || grace > KEYOPS_GRACE_MAX)
		return e != ERR_NONE ? e : ERR_INVALID_REQUEST;
	e = result_db(db_begin(db));
	/* The key as it is now, locked: a concurrent roll or revoke has committed, or waits. */
	if (e == ERR_NONE)
		e = result_db(store_key_lock(db, old->id, old, &found));
	if (e == ERR_NONE)
		e = found ? unrollable(old) : ERR_INTERNAL;   /* keys are never deleted */
	/* The same key, a new secret: its name, owner and creator. */
	memcpy(out->name, old->name, sizeof(out->name));
	out->has_org = old->has_org;
	memcpy(out->organization_id, old->organization_id, UUID_LEN);
	memcpy(out->created_by, old->created_by, UUID_LEN);
	out->rolled_from.set = true;
	memcpy(out->rolled_from.id, old->id, UUID_LEN);
	if (e == ERR_NONE)
		e = insert_new(db, pepper, out, secret);
	if (e == ERR_NONE)
		e = result_db(store_key_roll(db, old->id, out->id, ends, grace == 0, &changed));
	if (e == ERR_NONE && !changed)
		e = ERR_INTERNAL;     /* the row is locked: nothing else could change it */
	if (e == ERR_NONE) {
		audit_details_init(&d);
		audit_detail_id(&d, "replaced_by", out->id);
		audit_detail_int(&d, "grace_period_seconds", grace);
		audit_detail_time(&d, "expires_at", ends);
		e = audit_key(db, origin, AUDIT_KEY_ROLLED, old, now, &d);
	}
	if (e == ERR_NONE)
		e = keep(db, keeper, out, secret);
	if ((e = result_commit(db, e)) != ERR_NONE) {
		sodium_memzero(secret, APIKEY_LEN + 1);
		return e;
	}
	old->replaced_by.set = true;
	memcpy(old->replaced_by.id, out->id, UUID_LEN);
	old->expires = true;
	old->expires_at = ends;
	if (grace == 0) {
		old->revoked = true;
		old->revoked_at = ends;
		old->revoked_reason = REASON_ROLLED;
	}
	return ERR_NONE;
}
