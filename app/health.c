/* GET /healthz (docs/api.md, "Conventions"): for load balancers, no authentication. */
#include "api.h"
#include "core/health.h"

void
health_get(struct api_call *c)
{
	bool up = health_check(c->env->db) == ERR_NONE;
	json_object *out = json_object_new_object();

	json_object_object_add(out, "status", json_object_new_string(up ? "ok" : "unavailable"));
	response_json(c->resp, up ? 200 : 503, out);
	if (!up)
		response_header(c->resp, "Retry-After", "1");
}
