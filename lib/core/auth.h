/*
 * auth: from the Authorization header to an authenticated principal, and
 * from the ParseSphere-Organization header to the request's context
 * (docs/api.md, "Authentication" and "Ownership and organization context").
 *
 * Nothing is cached: every call reads the database, so a revocation or a
 * deactivation takes effect on the very next request in every worker.
 */
#ifndef PS_AUTH_H
#define PS_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "base/errors.h"
#include "core/counters.h"
#include "data/store_accounts.h"

/* The context a request acts in. */
struct auth_context {
	bool is_org;
	struct store_org org;            /* when is_org */
	enum store_role role;            /* actor's current role; ROLE_NONE: not an active member */
	struct store_scope scope;        /* which keys /v1/api-keys sees */
};

/*
 * An authenticated caller. Only auth_authenticate makes one (it sets the
 * seal, a per-process random value nothing else knows); every front end
 * checks auth_principal_valid before a handler that needs a caller runs, so
 * that a zeroed or half-built principal is a 500, never a caller.
 */
struct auth_principal {
	struct store_principal who;
	struct auth_context ctx;         /* filled by auth_context */
	uint64_t seal;                   /* private to auth.c */
};

struct audit_request;

/*
 * Authenticates a presented token (http/bearer.h extracts it) at `now`:
 * format and checksum first (no database), then the peppered hash. On
 * ERR_NONE *p is sealed with who filled and ctx empty; on any error it is
 * left unsealed. A rolled key past its expires_at is ERR_API_KEY_EXPIRED; the
 * first such refusal writes the key.expired event, by the service itself from
 * request `req`, once whatever the concurrency: a key whose event is written,
 * like any key not expired, costs no more than the one lookup.
 *
 * With `counters` (a worker's copies, core/counters.h), the key's usage
 * counters are filled too, from a copy or read with the key; without, they
 * are absent (never used, 0) and must not be shown.
 */
enum err auth_authenticate(struct db *db, const unsigned char *pepper, const char *tok,
                           size_t len, int64_t now, const struct audit_request *req,
                           struct counters *counters, struct auth_principal *p);

/* The account that has this e-mail (compared case-insensitively), for a log-in. */
enum err auth_login_account(struct db *db, const char *email, struct store_login *out,
                            bool *found);

/* The active organizations the account belongs to, by name (the context switcher). */
enum err auth_account_orgs(struct db *db, const uint8_t account[UUID_LEN],
                           struct store_account_org *out, unsigned max, unsigned *n);

/* Made by auth_authenticate in this process, with a key and an account. */
bool auth_principal_valid(const struct auth_principal *p);

/*
 * Resolves p->ctx from the principal and the raw header value (NULL:
 * absent). Errors: ERR_INVALID_REQUEST (malformed id), ERR_ORGANIZATION_MISMATCH,
 * ERR_NOT_ORGANIZATION_MEMBER, or a database error.
 */
enum err auth_context(struct db *db, struct auth_principal *p, const char *org_header);

/*
 * The context of an account acting by itself (a personal key, a dashboard
 * session): personal when org_id is NULL, else that organization if the
 * account is an active member of it and it is active (else
 * ERR_NOT_ORGANIZATION_MEMBER), or a database error.
 */
enum err auth_context_account(struct db *db, const uint8_t account[UUID_LEN],
                              const uint8_t *org_id, struct auth_context *ctx);


#endif
