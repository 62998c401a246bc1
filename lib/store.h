/*
 * store: every query the service and the admin tool run, one function per
 * statement, through db's prepared statements. Rows come back as plain
 * structs the caller owns; nothing returned points into db buffers.
 */
#ifndef PS_STORE_H
#define PS_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "apikey.h"
#include "db.h"
#include "uuid.h"

#define STORE_NAME_MAX  400   /* 100 code points of at most 4 bytes */
#define STORE_EMAIL_MAX 254

enum store_role { ROLE_NONE = 0, ROLE_OWNER, ROLE_ADMIN, ROLE_MEMBER };

const char *store_role_name(enum store_role r);       /* NULL for ROLE_NONE */
enum store_role store_role_parse(const char *s);      /* ROLE_NONE if unknown */

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
	bool used;
	int64_t last_used_at;
	uint64_t request_count;
};

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

/* The statement catalogue db is created with. */
extern const struct db_stmt_def store_statements[];
extern const size_t store_statement_count;

/* DB_OK when the service's tables can be read now (GET /healthz). */
enum db_status store_health(struct db *db);

/* Lookups return DB_OK with *found set, or a db error. */
enum db_status store_principal_by_hash(struct db *db, const uint8_t hash[APIKEY_HASH_LEN],
                                       struct store_principal *out, bool *found);
/* The org and the account's role in it; ROLE_NONE unless an active member. */
enum db_status store_membership(struct db *db, const uint8_t org[UUID_LEN],
                                const uint8_t account[UUID_LEN],
                                struct store_org *org_out, enum store_role *role, bool *found);

enum db_status store_key_insert(struct db *db, const struct store_key *k,
                                const uint8_t hash[APIKEY_HASH_LEN]);
enum db_status store_key_get(struct db *db, const struct store_scope *scope,
                             const uint8_t id[UUID_LEN], struct store_key *out, bool *found);
/* Sets revoked_at to `now` unless already set; *changed tells whether this call did. */
enum db_status store_key_revoke(struct db *db, const uint8_t id[UUID_LEN], int64_t now,
                                bool *changed);

struct store_cursor {
	int64_t created_at;
	uint8_t id[UUID_LEN];
};
/* Up to `limit` keys older than cursor (NULL: from the newest), newest first. */
enum db_status store_key_list(struct db *db, const struct store_scope *scope,
                              const struct store_cursor *after, bool include_revoked,
                              unsigned limit, struct store_key *out, unsigned *n);

struct store_usage_day {
	int64_t day;                /* midnight UTC, microseconds */
	uint64_t request_count;
};
/* Days with use from `since` (midnight UTC) on, oldest first, at most max rows. */
enum db_status store_usage_history(struct db *db, const uint8_t key[UUID_LEN], int64_t since,
                                   struct store_usage_day *out, unsigned max, unsigned *n);

/*
 * Requests of each of the ndays days up to `today` (midnight UTC), oldest
 * first, 0 for days without use: counts has room for ndays (at most
 * STORE_USAGE_DAYS_MAX; more are not filled).
 */
#define STORE_USAGE_DAYS_MAX 90
enum db_status store_usage_days(struct db *db, const uint8_t key[UUID_LEN], int64_t today,
                                unsigned ndays, uint64_t *counts);

/*
 * Adds count requests to key (request_count and the daily row of `day`,
 * midnight UTC) and moves last_used_at forward to last_used. Additive, so
 * concurrent workers compose; an unknown key is skipped.
 */
enum db_status store_usage_add(struct db *db, const uint8_t key[UUID_LEN], int64_t day,
                               uint32_t count, int64_t last_used);

/* Admin operations. */
enum db_status store_account_insert(struct db *db, const struct store_account *a, int64_t now);
enum db_status store_account_get(struct db *db, const uint8_t id[UUID_LEN],
                                 struct store_account *out, bool *found);
enum db_status store_account_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active);
/* hash: a crypto_pwhash_str string. */
enum db_status store_account_set_password(struct db *db, const uint8_t id[UUID_LEN],
                                          const char *hash);

enum db_status store_org_insert(struct db *db, const struct store_org *o, int64_t now);
enum db_status store_org_get(struct db *db, const uint8_t id[UUID_LEN],
                             struct store_org *out, bool *found);
enum db_status store_org_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active);
/* Adds a member or changes the role of an existing one. */
enum db_status store_member_set(struct db *db, const uint8_t org[UUID_LEN],
                                const uint8_t account[UUID_LEN], enum store_role role,
                                int64_t now);
enum db_status store_member_remove(struct db *db, const uint8_t org[UUID_LEN],
                                   const uint8_t account[UUID_LEN], bool *removed);

/* ---- The dashboard -------------------------------------------------------- */

#define STORE_PWHASH_MAX      127   /* a crypto_pwhash_str string */
#define STORE_SESSION_ID_LEN  32
#define STORE_SEALED_MAX      128
#define STORE_SUBJECT_LEN     32

/* What a log-in needs of an account; password_hash is "" when none is set. */
struct store_login {
	uint8_t account_id[UUID_LEN];
	bool is_active;
	char password_hash[STORE_PWHASH_MAX + 1];
};
/* The account of an e-mail, compared case-insensitively. */
enum db_status store_login_by_email(struct db *db, const char *email, struct store_login *out,
                                    bool *found);

/* The active organizations an account belongs to, by name. */
struct store_account_org {
	struct store_org org;
	enum store_role role;
};
enum db_status store_account_orgs(struct db *db, const uint8_t account[UUID_LEN],
                                  struct store_account_org *out, unsigned max, unsigned *n);

/* A dashboard session by the hash of its token (lib/session.h), with its account. */
struct store_session {
	struct store_account account;
	int64_t created_at, last_seen_at;
};
enum db_status store_session_insert(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                                    const uint8_t account[UUID_LEN], int64_t now);
enum db_status store_session_get(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                                 struct store_session *out, bool *found);
/* Records a use (last_seen_at never moves back). */
enum db_status store_session_touch(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                                   int64_t now);
/* Deletes the session and the secrets waiting in it. */
enum db_status store_session_delete(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN]);
/* Deletes every session of the account. */
enum db_status store_session_delete_account(struct db *db, const uint8_t account[UUID_LEN]);
/* Deletes (up to 100) sessions of any account last seen before seen_before. */
enum db_status store_session_prune(struct db *db, int64_t seen_before);

/* A key created from a session, its secret sealed for that session, waiting to be shown. */
struct store_new_key {
	uint8_t key_id[UUID_LEN];
	uint8_t sealed[STORE_SEALED_MAX];
	unsigned long sealed_len;
};
enum db_status store_new_key_insert(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                                    const uint8_t key[UUID_LEN], const uint8_t *sealed,
                                    size_t len, int64_t now);
/* The newest waiting for the session among the keys of scope_owner (an account or
 * an organization); *more: another one waits there too. */
enum db_status store_new_key_next(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                                  const uint8_t scope_owner[UUID_LEN], struct store_new_key *out,
                                  bool *found, bool *more);
/* Removes it; *taken is true for exactly one caller. */
enum db_status store_new_key_take(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                                  const uint8_t key[UUID_LEN], bool *taken);

/* Log-in attempts not forgiven of a subject (a hash naming an e-mail or an address). */
enum db_status store_throttle_get(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                                  int64_t *window_start, unsigned *failures);
/* One more attempt: counted in the window started at or after window_from, else a new one. */
enum db_status store_throttle_count(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                                    int64_t now, int64_t window_from);
/* One attempt fewer (it turned out right). */
enum db_status store_throttle_forgive(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN]);
enum db_status store_throttle_clear(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN]);
/* Forgets (some of the) windows that started before `before`. */
enum db_status store_throttle_prune(struct db *db, int64_t before);

#endif
