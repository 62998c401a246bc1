/*
 * store_audit: the audit log (audit_events): append one event, read one, list
 * a scope's events newest first. Rows only; what an event says and who may
 * read it are core/audit.h's rules. The table is append-only: there is no
 * update or delete here, and the service's database user has no grant for one.
 */
#ifndef PS_STORE_AUDIT_H
#define PS_STORE_AUDIT_H

#include "data/store.h"

#define STORE_AUDIT_ACTION_MAX   32
#define STORE_AUDIT_TYPE_MAX     16
#define STORE_AUDIT_ADDRESS_MAX  64
#define STORE_AUDIT_AGENT_MAX    256
#define STORE_AUDIT_DETAILS_MAX  2048   /* sql/009: a leak's url fits */

/* One event; text columns are ASCII, "" for NULL. */
struct store_audit_event {
	uint8_t id[UUID_LEN];
	int64_t created_at;
	struct store_ref scope;                  /* who may read it: an org or an account */
	struct store_ref organization;
	char action[STORE_AUDIT_ACTION_MAX + 1];
	char actor_type[STORE_AUDIT_TYPE_MAX + 1];
	struct store_ref actor_account, actor_key, actor_session;
	char target_type[STORE_AUDIT_TYPE_MAX + 1];
	struct store_ref target;
	char client_address[STORE_AUDIT_ADDRESS_MAX + 1];
	char user_agent[STORE_AUDIT_AGENT_MAX + 1];
	struct store_ref request_id;
	char details[STORE_AUDIT_DETAILS_MAX + 1];   /* a JSON object, or "" */
};

enum db_status store_audit_insert(struct db *db, const struct store_audit_event *e);

/* The event `id` when its scope is `scope`. */
enum db_status store_audit_get(struct db *db, const uint8_t scope[UUID_LEN],
                               const uint8_t id[UUID_LEN], struct store_audit_event *out,
                               bool *found);

/* What a list keeps: created_at in [since, until), and the action and target when given. */
struct store_audit_filter {
	const char *action;                      /* NULL: any */
	struct store_ref target;
	int64_t since, until;
};

/* Up to `limit` events of scope older than the cursor (NULL: from the newest), newest first. */
enum db_status store_audit_list(struct db *db, const uint8_t scope[UUID_LEN],
                                const struct store_audit_filter *f,
                                const struct store_cursor *after, unsigned limit,
                                struct store_audit_event *out, unsigned *n);

#endif
