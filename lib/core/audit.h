/*
 * audit: the events of the audit log (docs/api.md, "GET /v1/audit-events"):
 * what each change records and who may read it. The core's writers call these
 * inside the transaction of the change they record, so that a change and its
 * event commit or vanish together; nothing here begins or ends a transaction.
 *
 * An event holds the service's own values only: ids, names of actions, roles
 * and reasons, numbers, instants, and of the request its client address, a
 * cut and cleaned user agent and its id. Never a secret, a password, a cookie
 * or a token: a dashboard session is named by a one-way handle of its id.
 * Results follow core/result.h.
 */
#ifndef PS_AUDIT_H
#define PS_AUDIT_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/tokens.h"
#include "core/auth.h"
#include "data/store_audit.h"

enum audit_action {
	AUDIT_KEY_CREATED,
	AUDIT_KEY_ROLLED,
	AUDIT_KEY_REVOKED,
	AUDIT_KEY_EXPIRED,
	AUDIT_KEY_UPDATED,
	AUDIT_KEY_REVOKED_LEAK,
	AUDIT_ACCOUNT_DEACTIVATED,
	AUDIT_ACCOUNT_ACTIVATED,
	AUDIT_ORG_CREATED,
	AUDIT_ORG_DEACTIVATED,
	AUDIT_ORG_ACTIVATED,
	AUDIT_ORG_RATE_LIMIT_CHANGED,
	AUDIT_ORG_MEMBER_ADDED,
	AUDIT_ORG_MEMBER_ROLE_CHANGED,
	AUDIT_ORG_MEMBER_REMOVED,
	AUDIT_DASHBOARD_LOGIN,
	AUDIT__COUNT
};

/* "key.created", ...: the names of the API, in enum order, then NULL (a list's filter). */
extern const char *const audit_action_names[AUDIT__COUNT + 1];

/* Who acts: a key (and the account it acts as), a dashboard session, the admin tool, the
 * service itself (an expiry noticed by a refused request), GitHub's secret scanning (a
 * signed report of keys found in public). */
enum audit_actor { AUDIT_BY_API_KEY, AUDIT_BY_DASHBOARD, AUDIT_BY_ADMIN, AUDIT_BY_SYSTEM,
                   AUDIT_BY_GITHUB };

/* A user agent is kept to this many bytes. */
#define AUDIT_AGENT_KEEP 200

/* Who acts, and from where: made once per request by its front end. */
struct audit_origin {
	enum audit_actor actor;
	struct store_ref account, key, session;
	char address[STORE_AUDIT_ADDRESS_MAX + 1];     /* "": none */
	char user_agent[AUDIT_AGENT_KEEP + 1];         /* "": none */
	struct store_ref request_id;
};

/* A request as its front end has it (borrowed, unchecked text), for an origin made later. */
struct audit_request {
	const char *address, *user_agent, *request_id;
};

/*
 * The request part of an origin, everything else cleared: the client's
 * address and user agent (NULL: none; anything but printable ASCII becomes
 * '?', cut to AUDIT_AGENT_KEEP bytes) and the request id's text (not a UUID:
 * none).
 */
void audit_origin(struct audit_origin *o, enum audit_actor actor, const char *address,
                  const char *user_agent, const char *request_id);
/* The dashboard session of id (tokens_id) as an origin names it: a one-way handle. */
void audit_session_ref(const uint8_t id[TOKENS_ID_LEN], struct store_ref *out);

/* Details: a small JSON object of the service's own values (a `""` while empty). */
struct audit_details {
	char text[STORE_AUDIT_DETAILS_MAX + 1];
};
void audit_details_init(struct audit_details *d);
/* value: ids, names and instants of the service; a '"', '\' or control character becomes '?'. */
void audit_detail_str(struct audit_details *d, const char *name, const char *value);
void audit_detail_int(struct audit_details *d, const char *name, int64_t value);
void audit_detail_id(struct audit_details *d, const char *name, const uint8_t id[UUID_LEN]);
void audit_detail_time(struct audit_details *d, const char *name, int64_t us);
/* rate_limit_per_second and rate_limit_burst: two integers, or two nulls for none. */
void audit_detail_rate_limit(struct audit_details *d, const struct store_rate_limit *rl);

/*
 * Writers, one event each at `now` (d NULL: no details). A key's event is
 * read in its owner's scope (its organization, else its account) and targets
 * the key; an account's in its own scope; an organization's in the
 * organization's, targeting the member account when there is one, else the
 * organization. A log-in's is read by the account tried (NULL: an e-mail of
 * no account, for operators only).
 */
enum err audit_key(struct db *db, const struct audit_origin *o, enum audit_action a,
                   const struct store_key *k, int64_t now, const struct audit_details *d);
enum err audit_account(struct db *db, const struct audit_origin *o, enum audit_action a,
                       const uint8_t account[UUID_LEN], int64_t now);
enum err audit_org(struct db *db, const struct audit_origin *o, enum audit_action a,
                   const uint8_t org[UUID_LEN], const uint8_t *member, int64_t now,
                   const struct audit_details *d);
enum err audit_login(struct db *db, const struct audit_origin *o, const uint8_t *account,
                     int64_t now, const struct audit_details *d);

/*
 * Whose events a context reads: the account's own in the personal context;
 * an organization's for its owners and admins, ERR_INSUFFICIENT_PERMISSIONS
 * for anyone else there.
 */
enum err audit_scope(const struct auth_context *ctx, uint8_t scope[UUID_LEN]);

/* Where a list continues after event `id`: ERR_NOT_FOUND unless it is scope's. */
enum err audit_cursor(struct db *db, const uint8_t scope[UUID_LEN], const uint8_t id[UUID_LEN],
                      struct store_cursor *out);

/* Up to `limit` events of scope after the cursor (NULL: the newest), newest first. */
enum err audit_list(struct db *db, const uint8_t scope[UUID_LEN],
                    const struct store_audit_filter *f, const struct store_cursor *after,
                    unsigned limit, struct store_audit_event *out, unsigned *n);

#endif
