/*
 * keyops: the rules of API keys, written once for the API, the dashboard and
 * the admin tool (docs/api.md, "Ownership and organization context" and the
 * key endpoints): which key a caller may see, where a list continues,
 * creating a key in a context, revoking, rolling; each change with its audit
 * event (core/audit.h) in its own transaction. Results follow core/result.h.
 *
 * Keys come back as rows the caller owns. A new key's secret is written into
 * the caller's buffer only: the caller shows it once and wipes it
 * (sodium_memzero); it is wiped here on any failure.
 */
#ifndef PS_KEYOPS_H
#define PS_KEYOPS_H

#include <stddef.h>

#include "base/errors.h"
#include "core/audit.h"
#include "core/auth.h"
#include "data/store.h"
#include "data/store_leaks.h"

/* The key `id` when scope can see it, else ERR_NOT_FOUND. */
enum err keyops_get(struct db *db, const struct store_scope *scope, const uint8_t id[UUID_LEN],
                    struct store_key *out);

/*
 * The key whose id is the text id[0..len) (a path segment, any letter case)
 * when scope can see it. A malformed id and a key the scope cannot see are
 * both ERR_NOT_FOUND, never 403, so that ids do not leak.
 */
enum err keyops_find(struct db *db, const struct store_scope *scope, const char *id, size_t len,
                     struct store_key *out);

/*
 * Where a list continues after key `id`: ERR_NONE with *out when scope can
 * see that key (revoked ones included), ERR_NOT_FOUND otherwise (the API
 * refuses such a cursor, the dashboard starts from the top).
 */
enum err keyops_cursor(struct db *db, const struct store_scope *scope,
                       const uint8_t id[UUID_LEN], struct store_cursor *out);

/*
 * Up to `limit` keys of scope after the cursor (NULL: from the newest),
 * newest first; revoked and expired ones (at `now`) only when asked; *n rows
 * written to out.
 */
enum err keyops_list(struct db *db, const struct store_scope *scope,
                     const struct store_cursor *after, bool include_revoked, int64_t now,
                     unsigned limit, struct store_key *out, unsigned *n);

/*
 * What else a new key's transaction does with its secret before it commits:
 * the dashboard seals it for the page that shows it once (core/sessions.h).
 * keep's error undoes the key. NULL: nothing, the caller shows the secret.
 */
struct keyops_keeper {
	enum err (*keep)(struct db *db, const struct store_key *k, const char *secret, void *arg);
	void *arg;
};

/*
 * Creates a key named `name` (validated, at most STORE_NAME_MAX bytes) in ctx:
 * an org key of ctx's organization when ctx.is_org, else a personal key, in
 * both cases created by ctx's actor, with its own rate limit rl (NULL or
 * per_second 0: none; else validated). *out is the new key; secret holds the
 * full key, NUL-terminated. In one transaction with its key.created event
 * (from origin) and the keeper's work.
 */
enum err keyops_create(struct db *db, const unsigned char *pepper,
                       const struct auth_context *ctx, const char *name,
                       const struct store_rate_limit *rl, const struct audit_origin *origin,
                       const struct keyops_keeper *keeper, struct store_key *out,
                       char secret[APIKEY_LEN + 1]);

/* What an update (PATCH) changes: its name, its own rate limit, or both. */
struct keyops_change {
	const char *name;                     /* NULL: kept; else validated */
	const struct store_rate_limit *rate_limit;   /* NULL: kept; per_second 0: removed */
};

/*
 * Changes k (a key found in scope) at `now`, with its key.updated event
 * (details: which fields, and the new limit) in the change's transaction.
 * Only an active key: a revoked or expired one is ERR_ROLL_REVOKED (409
 * api_key_revoked), also when a revoke commits first. Setting what the key
 * already has is not an error and writes no event. Afterwards *k is as stored.
 */
enum err keyops_update(struct db *db, const struct store_scope *scope, struct store_key *k,
                       const struct keyops_change *ch, int64_t now,
                       const struct audit_origin *origin);

/*
 * Revokes k (a key found in scope) at `now` unless it is revoked or expired
 * already, with its key.revoked event; the reason is "user" when scope's actor
 * created it, else "owner" (an owner or admin of its organization).
 * Afterwards *k is the key as stored: when a concurrent revoke won, with that
 * revoke's instant. Revoking twice is not an error, and records one event.
 */
enum err keyops_revoke(struct db *db, const struct store_scope *scope, struct store_key *k,
                       int64_t now, const struct audit_origin *origin);

/* Where a leaked key was found, as a report tells it (validated: store_leaks.h's bounds). */
struct keyops_leak {
	char url[STORE_LEAK_URL_MAX + 1];         /* "": none usable */
	char source[STORE_LEAK_SOURCE_MAX + 1];
};

/* GitHub's verdict on a reported token (its feedback's "label"). */
enum keyops_leak_label { KEYOPS_FALSE_POSITIVE, KEYOPS_TRUE_POSITIVE };

/* One token reported found in public: the token (untrusted, borrowed), where; its verdict. */
struct keyops_leak_report {
	const char *token;
	size_t len;
	struct keyops_leak leak;
	enum keyops_leak_label label;     /* set by keyops_revoke_leaked */
};

/* The most reports one call takes: their revokes share one transaction (one commit). */
#define KEYOPS_LEAK_CHUNK 64

/*
 * Up to KEYOPS_LEAK_CHUNK tokens reported found in public. A token that is
 * not a key of ours (malformed, bad checksum: no database read; unknown) is
 * a false positive; a key of ours is a true positive, revoked at `now` with
 * reason "leaked" if it is still active, through the same revoke as
 * keyops_revoke (so of a user's revoke and a leak's at once one wins), with
 * its report's url and source stored and in its key.revoked_leak event. The
 * revokes of one call are one transaction, all or none, taken in key id
 * order; a key reported twice is revoked once. Tokens are never copied,
 * logged or stored.
 */
enum err keyops_revoke_leaked(struct db *db, const unsigned char *pepper,
                              struct keyops_leak_report *r, size_t n, int64_t now,
                              const struct audit_origin *origin);

/* Where key `id`, revoked as leaked, was found (url: "" when the report's was not kept). */
enum err keyops_leak_url(struct db *db, const uint8_t id[UUID_LEN],
                         char url[STORE_LEAK_URL_MAX + 1]);

/* The longest grace period of a roll: 7 days. */
#define KEYOPS_GRACE_MAX 604800

/*
 * Rolls `old` (a key found in the caller's scope): a new key with its name,
 * organization and creator (*out, its secret in secret), which `old` names as
 * replaced_by, and `old` ending `grace` seconds after `now` (0: revoked now,
 * reason "rolled"). One transaction with the key.rolled event and the
 * keeper's work, which first locks the key's row and reads it again: of rolls
 * at once one wins. ERR_ROLL_REVOKED for a revoked key,
 * ERR_API_KEY_ALREADY_ROLLED for one rolled before. Afterwards *old is as stored.
 */
enum err keyops_roll(struct db *db, const unsigned char *pepper, struct store_key *old,
                     unsigned grace, int64_t now, const struct audit_origin *origin,
                     const struct keyops_keeper *keeper, struct store_key *out,
                     char secret[APIKEY_LEN + 1]);

#endif
