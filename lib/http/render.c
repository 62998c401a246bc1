#include "http/render.h"

#include <sodium.h>

#include "base/timefmt.h"

json_object *
render_uuid(const uint8_t id[UUID_LEN])
{
	char text[UUID_TEXT_LEN + 1];

	uuid_format(id, text);
	return json_object_new_string(text);
}

json_object *
render_time(bool present, int64_t us)
{
	char text[TIMEFMT_RFC3339_LEN + 1];

	if (!present)
		return NULL;   /* json-c's null */
	timefmt_rfc3339(us, text);
	return json_object_new_string(text);
}

/* An optional id: its text, or null. */
static json_object *
render_ref(const struct store_ref *r)
{
	return r->set ? render_uuid(r->id) : NULL;
}

/* Text the store keeps as "" for NULL: the text, or null. */
static json_object *
render_text(const char *s)
{
	return s[0] != '\0' ? json_object_new_string(s) : NULL;
}

void
render_id(struct jsonw *w, const char *name, const uint8_t *id)
{
	char text[UUID_TEXT_LEN + 1];

	if (id != NULL)
		uuid_format(id, text);
	jsonw_member(w, name, id != NULL ? text : NULL);
}

/* A member holding an instant's text, or null when absent. */
static void
time_member(struct jsonw *w, const char *name, bool present, int64_t us)
{
	char text[TIMEFMT_RFC3339_LEN + 1];

	if (present)
		timefmt_rfc3339(us, text);
	jsonw_member(w, name, present ? text : NULL);
}

/* {"per_second": N, "burst": M}, or null for none (per_second 0). */
static void
write_rate_limit(struct jsonw *w, const struct store_rate_limit *rl)
{
	if (rl->per_second == 0) {
		jsonw_null(w);
		return;
	}
	jsonw_object(w);
	jsonw_key(w, "per_second");
	jsonw_u64(w, rl->per_second);
	jsonw_key(w, "burst");
	jsonw_u64(w, rl->burst);
	jsonw_end_object(w);
}

/* The key object's members, into an object the caller opened. */
static void
render_key_members(struct jsonw *w, const struct store_key *k, int64_t now)
{
	render_id(w, "id", k->id);
	jsonw_member(w, "object", "api_key");
	jsonw_member(w, "name", k->name);
	jsonw_member(w, "key_prefix", k->prefix);
	jsonw_key(w, "is_active");
	jsonw_bool(w, store_key_active(k, now));
	render_id(w, "organization_id", k->has_org ? k->organization_id : NULL);
	render_id(w, "created_by", k->created_by);
	time_member(w, "created_at", true, k->created_at);
	time_member(w, "last_used_at", k->counters.used, k->counters.last_used_at);
	jsonw_key(w, "request_count");
	jsonw_u64(w, k->counters.request_count);
	time_member(w, "revoked_at", k->revoked, k->revoked_at);
	jsonw_member(w, "revoked_reason", k->revoked ? store_reason_name(k->revoked_reason) : NULL);
	time_member(w, "expires_at", k->expires, k->expires_at);
	render_id(w, "replaced_by", k->replaced_by.set ? k->replaced_by.id : NULL);
	render_id(w, "rolled_from", k->rolled_from.set ? k->rolled_from.id : NULL);
	jsonw_key(w, "rate_limit");
	write_rate_limit(w, &k->rate_limit);
}

void
render_key(struct jsonw *w, const struct store_key *k, int64_t now)
{
	jsonw_object(w);
	render_key_members(w, k, now);
	jsonw_end_object(w);
}

void
render_new_key(struct jsonw *w, const struct store_key *k, const char *secret, int64_t now)
{
	jsonw_object(w);
	render_key_members(w, k, now);
	jsonw_key(w, "secret");
	jsonw_string(w, secret);
	jsonw_end_object(w);
}

void
render_key_list(struct jsonw *w, const struct store_key *keys, unsigned n, bool has_more,
                int64_t now)
{
	jsonw_object(w);
	jsonw_member(w, "object", "list");
	jsonw_key(w, "data");
	jsonw_array(w);
	for (unsigned i = 0; i < n; i++)
		render_key(w, &keys[i], now);
	jsonw_end_array(w);
	jsonw_key(w, "has_more");
	jsonw_bool(w, has_more);
	jsonw_end_object(w);
}

json_object *
render_list(json_object *data, bool has_more)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "object", json_object_new_string("list"));
	json_object_object_add(o, "data", data);
	json_object_object_add(o, "has_more", json_object_new_boolean(has_more));
	return o;
}

json_object *
render_audit_event(const struct store_audit_event *e)
{
	json_object *o = json_object_new_object(), *actor = json_object_new_object();
	json_object *target = json_object_new_object(), *details = NULL;
	char session[2 * UUID_LEN + 1];

	json_object_object_add(actor, "type", json_object_new_string(e->actor_type));
	json_object_object_add(actor, "account_id", render_ref(&e->actor_account));
	json_object_object_add(actor, "api_key_id", render_ref(&e->actor_key));
	if (e->actor_session.set)
		sodium_bin2hex(session, sizeof(session), e->actor_session.id, UUID_LEN);
	json_object_object_add(actor, "dashboard_session",
	                       e->actor_session.set ? json_object_new_string(session) : NULL);
	json_object_object_add(target, "type", json_object_new_string(e->target_type));
	json_object_object_add(target, "id", render_ref(&e->target));
	/* The service wrote details as a JSON object; anything else would be a bug: {}. */
	if (e->details[0] != '\0')
		details = json_tokener_parse(e->details);
	if (details != NULL && !json_object_is_type(details, json_type_object)) {
		json_object_put(details);
		details = NULL;
	}
	json_object_object_add(o, "id", render_uuid(e->id));
	json_object_object_add(o, "object", json_object_new_string("audit_event"));
	json_object_object_add(o, "action", json_object_new_string(e->action));
	json_object_object_add(o, "created_at", render_time(true, e->created_at));
	json_object_object_add(o, "organization_id", render_ref(&e->organization));
	json_object_object_add(o, "actor", actor);
	json_object_object_add(o, "target", target);
	json_object_object_add(o, "client_address", render_text(e->client_address));
	json_object_object_add(o, "user_agent", render_text(e->user_agent));
	json_object_object_add(o, "request_id", render_ref(&e->request_id));
	json_object_object_add(o, "details", details != NULL ? details : json_object_new_object());
	return o;
}

void
render_account(struct jsonw *w, const struct store_account *a)
{
	jsonw_object(w);
	render_id(w, "id", a->id);
	jsonw_member(w, "email", a->email);
	jsonw_member(w, "name", a->name);
	jsonw_key(w, "is_active");
	jsonw_bool(w, a->is_active);
	jsonw_end_object(w);
}

void
render_org(struct jsonw *w, const struct store_org *org)
{
	jsonw_object(w);
	render_id(w, "id", org->id);
	jsonw_member(w, "name", org->name);
	jsonw_key(w, "is_active");
	jsonw_bool(w, org->is_active);
	jsonw_key(w, "rate_limit");
	write_rate_limit(w, &org->rate_limit);
	jsonw_end_object(w);
}
