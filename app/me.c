/* GET /v1/me (docs/api.md): who the key is, in which context. */
#include "api.h"
#include "base/timefmt.h"
#include "http/render.h"

/* The identity object of docs/api.md ("GET /v1/me"). */
static void
write_identity(struct jsonw *w, const struct auth_principal *p, int64_t now)
{
	jsonw_object(w);
	jsonw_member(w, "object", "identity");
	jsonw_key(w, "account");
	jsonw_object(w);
	render_id(w, "id", p->who.account.id);
	jsonw_member(w, "email", p->who.account.email);
	jsonw_member(w, "name", p->who.account.name);
	jsonw_end_object(w);
	jsonw_key(w, "organization");
	if (p->ctx.is_org) {
		jsonw_object(w);
		render_id(w, "id", p->ctx.org.id);
		jsonw_member(w, "name", p->ctx.org.name);
		/* null when an org key's creator is no longer an active member */
		jsonw_member(w, "role", p->ctx.role == ROLE_NONE ? NULL : store_role_name(p->ctx.role));
		jsonw_end_object(w);
	} else {
		jsonw_null(w);
	}
	jsonw_key(w, "api_key");
	render_key(w, &p->who.key, now);
	jsonw_end_object(w);
}

void
me_get(struct api_call *c, const struct auth_principal *p)
{
	struct jsonw w;

	jsonw_init(&w);
	write_identity(&w, p, timefmt_now_us());
	response_jsonw(c->resp, 200, &w);
}
