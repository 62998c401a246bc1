#include "http/render.h"

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

json_object *
render_key(const struct store_key *k)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", render_uuid(k->id));
	json_object_object_add(o, "object", json_object_new_string("api_key"));
	json_object_object_add(o, "name", json_object_new_string(k->name));
	json_object_object_add(o, "key_prefix", json_object_new_string(k->prefix));
	json_object_object_add(o, "is_active", json_object_new_boolean(!k->revoked));
	json_object_object_add(o, "organization_id",
	                       k->has_org ? render_uuid(k->organization_id) : NULL);
	json_object_object_add(o, "created_by", render_uuid(k->created_by));
	json_object_object_add(o, "created_at", render_time(true, k->created_at));
	json_object_object_add(o, "last_used_at", render_time(k->used, k->last_used_at));
	json_object_object_add(o, "request_count",
	                       json_object_new_uint64(k->request_count));
	json_object_object_add(o, "revoked_at", render_time(k->revoked, k->revoked_at));
	return o;
}

json_object *
render_account(const struct store_account *a)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", render_uuid(a->id));
	json_object_object_add(o, "email", json_object_new_string(a->email));
	json_object_object_add(o, "name", json_object_new_string(a->name));
	json_object_object_add(o, "is_active", json_object_new_boolean(a->is_active));
	return o;
}

json_object *
render_org(const struct store_org *org)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", render_uuid(org->id));
	json_object_object_add(o, "name", json_object_new_string(org->name));
	json_object_object_add(o, "is_active", json_object_new_boolean(org->is_active));
	return o;
}
