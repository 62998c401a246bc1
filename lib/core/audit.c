#include "core/audit.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "base/timefmt.h"
#include "core/result.h"

const char *const audit_action_names[AUDIT__COUNT + 1] = {
	[AUDIT_KEY_CREATED] = "key.created",
	[AUDIT_KEY_ROLLED] = "key.rolled",
	[AUDIT_KEY_REVOKED] = "key.revoked",
	[AUDIT_KEY_EXPIRED] = "key.expired",
	[AUDIT_KEY_UPDATED] = "key.updated",
	[AUDIT_KEY_REVOKED_LEAK] = "key.revoked_leak",
	[AUDIT_ACCOUNT_DEACTIVATED] = "account.deactivated",
	[AUDIT_ACCOUNT_ACTIVATED] = "account.activated",
	[AUDIT_ORG_CREATED] = "org.created",
	[AUDIT_ORG_DEACTIVATED] = "org.deactivated",
	[AUDIT_ORG_ACTIVATED] = "org.activated",
	[AUDIT_ORG_RATE_LIMIT_CHANGED] = "org.rate_limit_changed",
	[AUDIT_ORG_MEMBER_ADDED] = "org.member_added",
	[AUDIT_ORG_MEMBER_ROLE_CHANGED] = "org.member_role_changed",
	[AUDIT_ORG_MEMBER_REMOVED] = "org.member_removed",
	[AUDIT_DASHBOARD_LOGIN] = "dashboard.login",
	[AUDIT__COUNT] = NULL,
};

static const char *const actor_names[] = {
	[AUDIT_BY_API_KEY] = "api_key",
	[AUDIT_BY_DASHBOARD] = "dashboard",
	[AUDIT_BY_ADMIN] = "admin",
	[AUDIT_BY_SYSTEM] = "system",
	[AUDIT_BY_GITHUB] = "github",
};

/* Copies s into out (cap bytes with the NUL): printable ASCII only, else '?'. */
static void
clean(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; s != NULL && s[n] != '\0' && n + 1 < cap; n++)
		out[n] = s[n] >= 0x20 && s[n] <= 0x7e ? s[n] : '?';
	out[n] = '\0';
}

void
audit_origin(struct audit_origin *o, enum audit_actor actor, const char *address,
             const char *user_agent, const char *request_id)
{
	memset(o, 0, sizeof(*o));
	o->actor = actor;
	clean(o->address, sizeof(o->address), address);
	clean(o->user_agent, sizeof(o->user_agent), user_agent);
	o->request_id.set = request_id != NULL &&
	                    uuid_parse(request_id, strlen(request_id), o->request_id.id) == 0;
}

void
audit_session_ref(const uint8_t id[TOKENS_ID_LEN], struct store_ref *out)
{
	static const char context[] = "parsesphere audit session";
	crypto_generichash_state st;

	/* One-way and of its own kind: it names the session, it opens nothing. */
	crypto_generichash_init(&st, NULL, 0, UUID_LEN);
	crypto_generichash_update(&st, (const uint8_t *)context, sizeof(context));
	crypto_generichash_update(&st, id, TOKENS_ID_LEN);
	crypto_generichash_final(&st, out->id, UUID_LEN);
	out->set = true;
}

void
audit_details_init(struct audit_details *d)
{
	d->text[0] = '\0';
}

/* Appends "name":value (value already JSON) to the object, or drops it whole if it does not fit. */
static void
add(struct audit_details *d, const char *name, const char *value)
{
	size_t len = strlen(d->text);
	int n;

	/* The object's closing brace is rewritten after the new member. */
	if (len == 0)
		n = snprintf(d->text, sizeof(d->text), "{\"%s\":%s}", name, value);
	else
		n = snprintf(d->text + len - 1, sizeof(d->text) - (len - 1), ",\"%s\":%s}", name,
		             value);
	if (n < 0 || (size_t)n >= sizeof(d->text) - (len == 0 ? 0 : len - 1)) {
		if (len == 0)
			d->text[0] = '\0';
		else
			memcpy(d->text + len - 1, "}", 2);
	}
}

void
audit_detail_str(struct audit_details *d, const char *name, const char *value)
{
	char quoted[STORE_AUDIT_DETAILS_MAX + 1];
	size_t n = 0;

	quoted[n++] = '"';
	for (const char *p = value; *p != '\0' && n + 2 < sizeof(quoted); p++)
		quoted[n++] = *p >= 0x20 && *p <= 0x7e && *p != '"' && *p != '\\' ? *p : '?';
	quoted[n++] = '"';
	quoted[n] = '\0';
	add(d, name, quoted);
}

void
audit_detail_int(struct audit_details *d, const char *name, int64_t value)
{
	char text[24];

	snprintf(text, sizeof(text), "%" PRId64, value);
	add(d, name, text);
}

void
audit_detail_id(struct audit_details *d, const char *name, const uint8_t id[UUID_LEN])
{
	char text[UUID_TEXT_LEN + 1];

	uuid_format(id, text);
	audit_detail_str(d, name, text);
}

void
audit_detail_time(struct audit_details *d, const char *name, int64_t us)
{
	char text[TIMEFMT_RFC3339_LEN + 1];

	timefmt_rfc3339(us, text);
	audit_detail_str(d, name, text);
}

void
audit_detail_rate_limit(struct audit_details *d, const struct store_rate_limit *rl)
{
	if (rl->per_second == 0) {
		add(d, "rate_limit_per_second", "null");
		add(d, "rate_limit_burst", "null");
		return;
	}
	audit_detail_int(d, "rate_limit_per_second", rl->per_second);
	audit_detail_int(d, "rate_limit_burst", rl->burst);
}

/* What an event is about: read in scope (NULL: by operators only), in org, of a target. */
struct about {
	const uint8_t *scope, *org;
	const char *target_type;
	const uint8_t *target;
};

static void
ref(struct store_ref *r, const uint8_t *id)
{
	r->set = id != NULL;
	if (id != NULL)
		memcpy(r->id, id, UUID_LEN);
}

/* One event from its origin and what it is about. */
static enum err
record(struct db *db, const struct audit_origin *o, enum audit_action a, const struct about *w,
       int64_t now, const struct audit_details *d)
{
	/* Static: one request at a time per worker, and the row is about 1.4 KiB. */
	static struct store_audit_event e;

	memset(&e, 0, sizeof(e));
	uuid_v7(e.id, (uint64_t)(now / 1000));
	e.created_at = now;
	ref(&e.scope, w->scope);
	ref(&e.organization, w->org);
	snprintf(e.action, sizeof(e.action), "%s", audit_action_names[a]);
	snprintf(e.actor_type, sizeof(e.actor_type), "%s", actor_names[o->actor]);
	e.actor_account = o->account;
	e.actor_key = o->key;
	e.actor_session = o->session;
	snprintf(e.target_type, sizeof(e.target_type), "%s", w->target_type);
	ref(&e.target, w->target);
	memcpy(e.client_address, o->address, sizeof(o->address));
	memcpy(e.user_agent, o->user_agent, sizeof(o->user_agent));
	e.request_id = o->request_id;
	if (d != NULL)
		memcpy(e.details, d->text, sizeof(d->text));
	return result_db(store_audit_insert(db, &e));
}

enum err
audit_key(struct db *db, const struct audit_origin *o, enum audit_action a,
          const struct store_key *k, int64_t now, const struct audit_details *d)
{
	const uint8_t *org = k->has_org ? k->organization_id : NULL;
	struct about w = {org != NULL ? org : k->created_by, org, "api_key", k->id};

	return record(db, o, a, &w, now, d);
}

enum err
audit_account(struct db *db, const struct audit_origin *o, enum audit_action a,
              const uint8_t account[UUID_LEN], int64_t now)
{
	struct about w = {account, NULL, "account", account};

	return record(db, o, a, &w, now, NULL);
}

enum err
audit_org(struct db *db, const struct audit_origin *o, enum audit_action a,
          const uint8_t org[UUID_LEN], const uint8_t *member, int64_t now,
          const struct audit_details *d)
{
	struct about w = {org, org, member != NULL ? "account" : "organization",
	                  member != NULL ? member : org};

	return record(db, o, a, &w, now, d);
}

enum err
audit_login(struct db *db, const struct audit_origin *o, const uint8_t *account, int64_t now,
            const struct audit_details *d)
{
	struct about w = {account, NULL, "account", account};

	return record(db, o, AUDIT_DASHBOARD_LOGIN, &w, now, d);
}

enum err
audit_scope(const struct auth_context *ctx, uint8_t scope[UUID_LEN])
{
	if (ctx->is_org && ctx->role != ROLE_OWNER && ctx->role != ROLE_ADMIN)
		return ERR_INSUFFICIENT_PERMISSIONS;
	memcpy(scope, ctx->is_org ? ctx->org.id : ctx->scope.actor, UUID_LEN);
	return ERR_NONE;
}

enum err
audit_cursor(struct db *db, const uint8_t scope[UUID_LEN], const uint8_t id[UUID_LEN],
             struct store_cursor *out)
{
	static struct store_audit_event e;
	bool found = false;
	enum db_status rc = store_audit_get(db, scope, id, &e, &found);

	if (rc != DB_OK)
		return result_db(rc);
	if (!found)
		return ERR_NOT_FOUND;
	out->created_at = e.created_at;
	memcpy(out->id, e.id, UUID_LEN);
	return ERR_NONE;
}

enum err
audit_list(struct db *db, const uint8_t scope[UUID_LEN], const struct store_audit_filter *f,
           const struct store_cursor *after, unsigned limit, struct store_audit_event *out,
           unsigned *n)
{
	return result_db(store_audit_list(db, scope, f, after, limit, out, n));
}
