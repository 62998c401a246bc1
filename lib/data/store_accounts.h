/*
 * store_accounts: accounts, organizations and memberships.
 */
#ifndef PS_STORE_ACCOUNTS_H
#define PS_STORE_ACCOUNTS_H

#include "data/store.h"

/* The org and the account's role in it; ROLE_NONE unless an active member. */
enum db_status store_membership(struct db *db, const uint8_t org[UUID_LEN],
                                const uint8_t account[UUID_LEN],
                                struct store_org *org_out, enum store_role *role, bool *found);

/* Admin operations. */
enum db_status store_account_insert(struct db *db, const struct store_account *a, int64_t now);
enum db_status store_account_get(struct db *db, const uint8_t id[UUID_LEN],
                                 struct store_account *out, bool *found);
/* *changed: it was not so already. */
enum db_status store_account_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active,
                                        bool *changed);
/* hash: a crypto_pwhash_str string. */
enum db_status store_account_set_password(struct db *db, const uint8_t id[UUID_LEN],
                                          const char *hash);

enum db_status store_org_insert(struct db *db, const struct store_org *o, int64_t now);
enum db_status store_org_get(struct db *db, const uint8_t id[UUID_LEN],
                             struct store_org *out, bool *found);
/* The default rate limit of its keys (rl NULL or per_second 0: none); *changed: it differed. */
enum db_status store_org_set_rate_limit(struct db *db, const uint8_t id[UUID_LEN],
                                        const struct store_rate_limit *rl, bool *changed);
enum db_status store_org_set_active(struct db *db, const uint8_t id[UUID_LEN], bool active,
                                    bool *changed);
/* The account's role in org, ROLE_NONE if not a member; the row stays locked in a transaction. */
enum db_status store_member_role(struct db *db, const uint8_t org[UUID_LEN],
                                 const uint8_t account[UUID_LEN], enum store_role *role);
/* Adds a member or changes the role of an existing one. */
enum db_status store_member_set(struct db *db, const uint8_t org[UUID_LEN],
                                const uint8_t account[UUID_LEN], enum store_role role,
                                int64_t now);
enum db_status store_member_remove(struct db *db, const uint8_t org[UUID_LEN],
                                   const uint8_t account[UUID_LEN], bool *removed);

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

#endif
