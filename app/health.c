/*
 * GET /healthz (API.md, "Conventions"): for load balancers, no authentication.
 * "The database answers" means it serves a read of the service's own table,
 * within db_timeout: a ping alone passes on a database that cannot serve.
 */
#include "api.h"

void
health_get(struct api_call *c)
{
	bool up = store_health(c->env->db) == DB_OK;
	json_object *out = json_object_new_object();

	json_object_object_add(out, "status", json_object_new_string(up ? "ok" : "unavailable"));
	response_json(c->resp, up ? 200 : 503, out);
	if (!up)
		response_header(c->resp, "Retry-After", "1");
}
