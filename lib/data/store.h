/*
 * store: the rows of the service's tables as plain structs, shared by the
 * store files of lib/data/ (store_keys, store_accounts, store_usage,
 * store_web, store_audit), one file a group of tables, each holding its SQL
 * next to its binds; store.c names the enums. Every store function returns
 * DB_OK or a db error; lookups set *found. Rows are the caller's; nothing
 * returned points into db buffers.
 */
#ifndef PS_STORE_H
#define PS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/apikey.h"
#include "base/uuid.h"
#include "data/db.h"

#define STORE_NAME_MAX  400   /* 100 code points of at most 4 bytes */
#define STORE_EMAIL_MAX 254

enum store_role { ROLE_NONE = 0, ROLE_OWNER, ROLE_ADMIN, ROLE_MEMBER };

const char *store_role_name(enum store_role r);       /* NULL for ROLE_NONE */
enum store_role store_role_parse(const char *s);      /* ROLE_NONE if unknown */

/*
 * Why a key was revoked: by its creator, by an owner or admin of its
 * organization, by a roll, by a report that it was found in public.
 */
enum store_reason { REASON_NONE = 0, REASON_USER, REASON_OWNER, REASON_ROLLED, REASON_LEAKED };

const char *store_reason_name(enum store_reason r);   /* NULL for REASON_NONE */
enum store_reason store_reason_parse(const char *s);  /* REASON_NONE if unknown */

/*
 * A rate limit (sql/008, core/ratelimit.h): per_second requests a second with
 * bursts of up to burst at once; per_second 0 is none (SQL NULL).
 */
#define STORE_RATE_LIMIT_MAX 100000   /* the bounds of both numbers: 1 to this */
struct store_rate_limit {
	uint32_t per_second;
	uint32_t burst;
};

/* An id that may be absent (SQL NULL when !set). */
struct store_ref {
	bool set;
	uint8_t id[UUID_LEN];
};

/* A key's usage counters (docs/api.md: last_used_at, request_count). */
struct store_counters {
	bool used;
	int64_t last_used_at;           /* when used */
	uint64_t request_count;
};

struct store_key {
	uint8_t id[UUID_LEN];
	bool has_org;
	uint8_t organization_id[UUID_LEN];
	uint8_t created_by[UUID_LEN];
	char name[STORE_NAME_MAX + 1];
	char prefix[APIKEY_PREFIX_LEN + 1];
	int64_t created_at;
	bool revoked;
	int64_t revoked_at;
	enum store_reason revoked_reason;    /* REASON_NONE unless revoked */
	bool expires;                        /* a rolled key: it ends at expires_at */
	int64_t expires_at;
	struct store_ref replaced_by;        /* the key a roll made in its place */
	struct store_ref rolled_from;        /* the key this one replaced */
	bool expiry_recorded;                /* its key.expired audit event is written */
	struct store_rate_limit rate_limit;  /* its own; per_second 0: none */
	struct store_counters counters;
};

/* Neither revoked nor past the end of its grace period at `now`. */
static inline bool
store_key_active(const struct store_key *k, int64_t now)
{
	return !k->revoked && !(k->expires && k->expires_at <= now);
}

struct store_account {
	uint8_t id[UUID_LEN];
	char email[STORE_EMAIL_MAX * 4 + 1];
	char name[STORE_NAME_MAX + 1];
	bool is_active;
};

struct store_org {
	uint8_t id[UUID_LEN];
	char name[STORE_NAME_MAX + 1];
	bool is_active;
	struct store_rate_limit rate_limit;  /* the default of its keys; per_second 0: none */
};

/* A key found by its hash, with everything authentication decides on. */
struct store_principal {
	struct store_key key;
	struct store_account account;   /* the owner (personal) or creator (org key) */
	struct store_org org;           /* valid when key.has_org */
	enum store_role role;           /* creator's role in key's org, ROLE_NONE if not a member */
};

/* Which keys a caller sees: those of `owner`, and only its own if own_only. */
struct store_scope {
	uint8_t owner[UUID_LEN];
	bool own_only;
	uint8_t actor[UUID_LEN];
};

/* The last instant a DATETIME column holds: 9999-12-31T23:59:59.999999Z. */
#define STORE_TIME_MAX INT64_C(253402300799999999)

/* A place in a list: the key before which the next page starts. */
struct store_cursor {
	int64_t created_at;
	uint8_t id[UUID_LEN];
};

/* The dashboard's columns. */
#define STORE_PWHASH_MAX      127   /* a crypto_pwhash_str string */
#define STORE_SESSION_ID_LEN  32
#define STORE_SEALED_MAX      128
#define STORE_SUBJECT_LEN     32

#endif
