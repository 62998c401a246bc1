/* GET /v1/me (docs/api.md): who the key is, in which context. */
#include "api.h"
#include "base/timefmt.h"
#include "http/render.h"

void
me_get(struct api_call *c, const struct auth_principal *p)
{
	int64_t now = timefmt_now_us();
	struct store_key key = p->who.key;
	enum err e = counters_fill(c->env->db, c->env->counters, &key, now);
	json_object *out, *org = NULL;

	if (e != ERR_NONE) {
		api_fail(c, e);
		return;
	}
	out = json_object_new_object();

	if (p->ctx.is_org) {
		org = json_object_new_object();
		json_object_object_add(org, "id", render_uuid(p->ctx.org.id));
		json_object_object_add(org, "name", json_object_new_string(p->ctx.org.name));
		/* null when an org key's creator is no longer an active member */
		json_object_object_add(org, "role", p->ctx.role == ROLE_NONE ? NULL :
		                       json_object_new_string(store_role_name(p->ctx.role)));
	}
	json_object *account = json_object_new_object();
	json_object_object_add(account, "id", render_uuid(p->who.account.id));
	json_object_object_add(account, "email", json_object_new_string(p->who.account.email));
	json_object_object_add(account, "name", json_object_new_string(p->who.account.name));

	json_object_object_add(out, "object", json_object_new_string("identity"));
	json_object_object_add(out, "account", account);
	json_object_object_add(out, "organization", org);
	json_object_object_add(out, "api_key", render_key(&key, now));
	response_json(c->resp, 200, out);
}
