#include "api.h"

#include <string.h>

#include "log.h"
#include "timefmt.h"
#include "validate.h"

static const char *const no_params[] = {NULL};
static const char *const list_params[] = {"limit", "starting_after", "include_revoked", NULL};
static const char *const usage_params[] = {"days", NULL};

static const struct api_route
	r_health = {health_get, no_params, false, false},
	r_me = {me_get, no_params, false, false},
	r_create = {keys_create, no_params, true, true},
	r_list = {keys_list, list_params, false, true},
	r_get = {keys_get, no_params, false, true},
	r_revoke = {keys_revoke, no_params, false, true},
	r_usage = {keys_usage, usage_params, false, true};

/* Every route of API.md. "{}" is one path segment (an id, checked by the handler). */
static const struct route routes[] = {
	{METHOD_GET, "/healthz", &r_health},
	{METHOD_GET, "/v1/me", &r_me},
	{METHOD_GET, "/v1/api-keys", &r_list},
	{METHOD_POST, "/v1/api-keys", &r_create},
	{METHOD_GET, "/v1/api-keys/{}", &r_get},
	{METHOD_DELETE, "/v1/api-keys/{}", &r_revoke},
	{METHOD_GET, "/v1/api-keys/{}/usage", &r_usage},
};

void
api_db_failure(struct api_call *c, enum db_status s)
{
	enum err e = auth_db_error(s);

	if (e == ERR_INTERNAL)
		log_error("request %s: database error", c->resp->request_id);
	response_error(c->resp, e, NULL, NULL);
}

/* Route → 404/405; on success *out is the route's api_route. */
static enum err
route(const struct request *req, struct response *resp, const struct api_route **out)
{
	const struct route *match;
	char allow[64];

	if (!req->path_ok)
		return ERR_NOT_FOUND;
	switch (router_match(routes, sizeof(routes) / sizeof(routes[0]), req, &match,
	                     allow, sizeof(allow))) {
	case ROUTER_FOUND:
		*out = match->handler;
		return ERR_NONE;
	case ROUTER_METHOD_NOT_ALLOWED:
		response_header(resp, "Allow", allow);
		return ERR_METHOD_NOT_ALLOWED;
	default:
		return ERR_NOT_FOUND;
	}
}

/* The request checks after the organization context, in the order of API.md. */
static enum err
check_request(const struct api_route *r, const struct request *req, const char **param)
{
	*param = NULL;
	if (r->json_body && !validate_json_content_type(req->content_type))
		return ERR_UNSUPPORTED_MEDIA_TYPE;
	if (req->body_too_large)
		return ERR_PAYLOAD_TOO_LARGE;
	/* A query that could not be parsed whole still names what it parsed, if wrong. */
	if ((*param = request_query_check(req, r->query)) != NULL)
		return ERR_INVALID_REQUEST;
	if (!req->query_ok) {
		*param = req->query_bad;
		return ERR_INVALID_REQUEST;
	}
	return ERR_NONE;
}

/* Authentication and usage counting; on failure the response is set. */
static bool
authenticate(struct api_call *c)
{
	bool token_presented = false;
	enum err e = auth_authenticate(c->env->db, c->env->cfg->pepper, c->req->authorization,
	                               &c->who, &token_presented);

	if (e != ERR_NONE) {
		response_auth_error(c->resp, e, token_presented);
		return false;
	}
	/* Counted whatever happens next: the key authenticated. */
	if (c->env->usage != NULL)
		usage_record(c->env->usage, c->who.key.id, timefmt_now_us());
	return true;
}

/* The organization context; *param names the header when it is malformed. */
static enum err
context(struct api_call *c, const char **param)
{
	enum err e = auth_context(c->env->db, &c->who, c->req->organization, &c->ctx);

	if (e == ERR_INVALID_REQUEST)
		*param = "ParseSphere-Organization";
	return e;
}

void
api_serve(struct api_env *env, const struct request *req, struct response *resp)
{
	struct api_call c = {.env = env, .req = req, .resp = resp};
	const struct api_route *r = NULL;
	const char *param = NULL;
	enum err e;

	/* Authentication comes first for anything under /v1, whatever the path. */
	if (req->under_v1 && !authenticate(&c))
		return;
	if ((e = route(req, resp, &r)) != ERR_NONE)
		goto fail;
	if (req->under_v1) {
		e = context(&c, &param);
		if (e == ERR_NONE && r->manages_keys && c.ctx.is_org && c.ctx.role == ROLE_NONE)
			e = ERR_NOT_ORGANIZATION_MEMBER;
		if (e != ERR_NONE)
			goto fail;
	}
	if ((e = check_request(r, req, &param)) != ERR_NONE)
		goto fail;
	r->handle(&c);
	return;
fail:
	response_error(resp, e, param, NULL);
}

void
api_authorize(struct api_env *env, const struct request *req, struct response *resp)
{
	struct api_call c = {.env = env, .req = req, .resp = resp};
	char id[UUID_TEXT_LEN + 1];
	const char *param = NULL;
	enum err e;

	if (!authenticate(&c))
		return;
	if ((e = context(&c, &param)) != ERR_NONE) {
		response_error(resp, e, param, NULL);
		return;
	}
	/* The web server hands these to the backend of the protected path. */
	uuid_format(c.ctx.scope.actor, id);
	response_header(resp, "Variable-PARSESPHERE_ACCOUNT_ID", id);
	if (c.ctx.is_org)
		uuid_format(c.ctx.org.id, id);
	response_header(resp, "Variable-PARSESPHERE_ORGANIZATION_ID", c.ctx.is_org ? id : "");
	uuid_format(c.who.key.id, id);
	response_header(resp, "Variable-PARSESPHERE_API_KEY_ID", id);
	response_header(resp, "Variable-PARSESPHERE_ROLE",
	                c.ctx.is_org && c.ctx.role != ROLE_NONE ? store_role_name(c.ctx.role) : "");
	response_json(resp, 200, json_object_new_object());
}

/*
 * A refused authorizer's real error, for Apache: mod_fcgid drops the
 * authorizer's answer and reports 401, which ErrorDocument 401 sends back
 * here. Same checks, not counted again; if they pass by now (the state
 * changed in between), 503 asks the client to retry.
 */
static void
authorize_replay(struct api_env *env, const struct request *req, struct response *resp)
{
	struct api_env uncounted = *env;
	struct api_call c = {.env = &uncounted, .req = req, .resp = resp};
	const char *param = NULL;
	enum err e;

	uncounted.usage = NULL;   /* the authorizer's call was counted already */
	if (!authenticate(&c))
		return;
	if ((e = context(&c, &param)) == ERR_NONE)
		e = ERR_SERVICE_UNAVAILABLE;
	response_error(resp, e, param, NULL);
}

/* The JSON rendering of an error the web server decided on its own. */
static void
web_server_error(int status, struct response *resp)
{
	enum err e;

	switch (status) {
	case 413: e = ERR_PAYLOAD_TOO_LARGE; break;
	case 404: e = ERR_NOT_FOUND; break;
	case 405: case 501: e = ERR_METHOD_NOT_ALLOWED; break;
	default: e = status >= 500 ? ERR_SERVICE_UNAVAILABLE : ERR_INVALID_REQUEST; break;
	}
	response_error(resp, e, NULL, status == 431 ? "The request headers are too large." :
	               status == 501 ? "The method is not supported." : NULL);
	/*
	 * A web server's 5xx means the backend failed (a worker died with the
	 * request, a timeout): for the client that is 503, retry. Its 4xx are
	 * kept where more precise than the table's (431, 414, ...), and 501.
	 */
	if ((status >= 400 && status <= 499) || status == 501)
		resp->status = status;
}

void
api_web_server_error(struct api_env *env, struct request *req, int status,
                     struct response *resp)
{
	switch (status) {
	case 401:
		/* Apache's mod_fcgid replaced a failed authorizer's answer with 401. */
		if (req->under_v1) {
			authorize_replay(env, req, resp);
			return;
		}
		break;
	case 411:
		/* lighttpd refuses a POST without Content-Length (and re-enters as a
		 * GET): to the API it is a POST with an empty body. */
		req->method = METHOD_POST;
		req->body_len = 0;
		api_serve(env, req, resp);
		return;
	case 501:
		/*
		 * A method the web server does not know: to the API a 405 (after
		 * authentication) with the route's Allow, when the web server still
		 * tells the path. lighttpd does not (its request line was refused):
		 * then 501 method_not_allowed is all that can be said.
		 */
		if (req->under_v1 || req->path_ok) {
			req->method = METHOD_OTHER;
			api_serve(env, req, resp);
			return;
		}
		break;
	}
	web_server_error(status, resp);
}
