/*
 * accounts: the changes the admin tool makes to accounts, organizations and
 * memberships (docs/api.md, "Operations contract"), each in one transaction
 * with its audit event (core/audit.h). A change that changes nothing (an
 * account deactivated twice, a role set to itself) writes no event. Results
 * follow core/result.h.
 */
#ifndef PS_ACCOUNTS_H
#define PS_ACCOUNTS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/errors.h"
#include "core/audit.h"
#include "data/store_accounts.h"

/* Activates or deactivates an existing account; deactivating ends its dashboard sessions. */
enum err accounts_set_active(struct db *db, const struct audit_origin *o,
                             const uint8_t account[UUID_LEN], bool active, int64_t now);

/*
 * Sets an account's dashboard password (hash: a crypto_pwhash_str string)
 * and ends all its dashboard sessions, in one transaction: a new password
 * that left an old session alive would not lock out whoever had the old one.
 */
enum err accounts_set_password(struct db *db, const uint8_t account[UUID_LEN], const char *hash);

/*
 * The default rate limit of org's keys (rl per_second 0: none; else
 * validated), with its org.rate_limit_changed event (details: the new limit);
 * setting what it has already writes none.
 */
enum err accounts_org_set_rate_limit(struct db *db, const struct audit_origin *o,
                                     const uint8_t org[UUID_LEN],
                                     const struct store_rate_limit *rl, int64_t now);
/* Creates org (id and name set) with owner as its member of role owner. */
enum err accounts_org_create(struct db *db, const struct audit_origin *o,
                             const struct store_org *org, const uint8_t owner[UUID_LEN],
                             int64_t now);
enum err accounts_org_set_active(struct db *db, const struct audit_origin *o,
                                 const uint8_t org[UUID_LEN], bool active, int64_t now);

/* Adds account to org with role, or changes its role (org.member_added, org.member_role_changed). */
enum err accounts_member_set(struct db *db, const struct audit_origin *o,
                             const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                             enum store_role role, int64_t now);
/* Removes a member; *removed false (and no event) when it was none. */
enum err accounts_member_remove(struct db *db, const struct audit_origin *o,
                                const uint8_t org[UUID_LEN], const uint8_t account[UUID_LEN],
                                int64_t now, bool *removed);

#endif
