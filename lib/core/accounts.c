#include "core/accounts.h"

#include "core/ratelimit.h"
#include "core/result.h"
#include "data/store_web.h"

enum err
accounts_set_active(struct db *db, const struct audit_origin *o, const uint8_t account[UUID_LEN],
                    bool active, int64_t now)
{
	bool changed = false;
	enum err e = result_db(db_begin(db));

	if (e == ERR_NONE)
		e = result_db(store_account_set_active(db, account, active, &changed));
	/* Sessions end even when it was deactivated already: none may outlive it. */
	if (e == ERR_NONE && !active)
		e = result_db(store_session_delete_account(db, account));
	if (e == ERR_NONE && changed)
		e = audit_account(db, o, active ? AUDIT_ACCOUNT_ACTIVATED : AUDIT_ACCOUNT_DEACTIVATED,
		                  account, now);
	return result_commit(db, e);
}

enum err
accounts_set_password(struct db *db, const uint8_t account[UUID_LEN], const char *hash)
{
	enum err e = result_db(db_begin(db));

	if (e == ERR_NONE)
		e = result_db(store_account_set_password(db, account, hash));
	if (e == ERR_NONE)
		e = result_db(store_session_delete_account(db, account));
	return result_commit(db, e);
}

enum err
accounts_org_create(struct db *db, const struct audit_origin *o, const struct store_org *org,
                    const uint8_t owner[UUID_LEN], int64_t now)
{
	struct audit_details d;
	enum err e = result_db(db_begin(db));

	audit_details_init(&d);
	audit_detail_id(&d, "owner", owner);
	if (e == ERR_NONE)
		e = result_db(store_org_insert(db, org, now));
	if (e == ERR_NONE)
		e = result_db(store_member_set(db, org->id, owner, ROLE_OWNER, now));
	if (e == ERR_NONE)
		e = audit_org(db, o, AUDIT_ORG_CREATED, org->id, NULL, now, &d);
	return result_commit(db, e);
}

enum err
accounts_org_set_active(struct db *db, const struct audit_origin *o, const uint8_t org[UUID_LEN],
                        bool active, int64_t now)
{
	bool changed = false;
	enum err e = result_db(db_begin(db));

	if (e == ERR_NONE)
		e = result_db(store_org_set_active(db, org, active, &changed));
	if (e == ERR_NONE && changed)
		e = audit_org(db, o, active ? AUDIT_ORG_ACTIVATED : AUDIT_ORG_DEACTIVATED, org, NULL,
		              now, NULL);
	return result_commit(db, e);
}

enum err
accounts_org_set_rate_limit(struct db *db, const struct audit_origin *o,
                            const uint8_t org[UUID_LEN], const struct store_rate_limit *rl,
                            int64_t now)
{
	struct audit_details d;
	bool changed = false;
	enum err e;

	if (rl->per_second > 0 && !ratelimit_valid(rl))
		return ERR_INVALID_REQUEST;
	e = result_db(db_begin(db));
	if (e == ERR_NONE)
		e = result_db(store_org_set_rate_limit(db, org, rl, &changed));
	if (e == ERR_NONE && changed) {
		audit_details_init(&d);
		audit_detail_rate_limit(&d, rl);
		e = audit_org(db, o, AUDIT_ORG_RATE_LIMIT_CHANGED, org, NULL, now, &d);
	}
	return result_commit(db, e);
}

enum err
accounts_member_set(struct db *db, const struct audit_origin *o, const uint8_t org[UUID_LEN],
                    const uint8_t account[UUID_LEN], enum store_role role, int64_t now)
{
	enum store_role was = ROLE_NONE;
	struct audit_details d;
	enum err e = result_db(db_begin(db));

	/* The role before, read and locked in the change's transaction. */
	if (e == ERR_NONE)
		e = result_db(store_member_role(db, org, account, &was));
	if (e == ERR_NONE && was != role)
		e = result_db(store_member_set(db, org, account, role, now));
	if (e == ERR_NONE && was != role) {
		audit_details_init(&d);
		audit_detail_str(&d, "role", store_role_name(role));
		if (was != ROLE_NONE)
			audit_detail_str(&d, "previous_role", store_role_name(was));
		e = audit_org(db, o, was == ROLE_NONE ? AUDIT_ORG_MEMBER_ADDED :
		              AUDIT_ORG_MEMBER_ROLE_CHANGED, org, account, now, &d);
	}
	return result_commit(db, e);
}

enum err
accounts_member_remove(struct db *db, const struct audit_origin *o, const uint8_t org[UUID_LEN],
                       const uint8_t account[UUID_LEN], int64_t now, bool *removed)
{
	enum store_role was = ROLE_NONE;
	struct audit_details d;
	enum err e = result_db(db_begin(db));

	*removed = false;
	if (e == ERR_NONE)
		e = result_db(store_member_role(db, org, account, &was));
	if (e == ERR_NONE && was != ROLE_NONE)
		e = result_db(store_member_remove(db, org, account, removed));
	if (e == ERR_NONE && *removed) {
		audit_details_init(&d);
		audit_detail_str(&d, "previous_role", store_role_name(was));
		e = audit_org(db, o, AUDIT_ORG_MEMBER_REMOVED, org, account, now, &d);
	}
	e = result_commit(db, e);
	if (e != ERR_NONE)
		*removed = false;
	return e;
}
