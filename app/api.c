#include "api.h"

#include <stdio.h>
#include <string.h>

#include "base/addrlist.h"
#include "base/log.h"
#include "http/bearer.h"
#include "http/query.h"
#include "base/timefmt.h"
#include "base/validate.h"

/* The query parameters of docs/api.md, in the order they are checked (api.h's Q_*). */
static const struct query_param list_query[] = {
	[Q_LIST_LIMIT] = {"limit", QUERY_UINT, 1, API_LIST_LIMIT_MAX, API_LIST_LIMIT_MAX,
	                  "limit must be an integer from 1 to 100."},
	[Q_LIST_INCLUDE_REVOKED] = {"include_revoked", QUERY_BOOL, 0, 1, 0,
	                            "include_revoked must be true or false."},
	[Q_LIST_STARTING_AFTER] = {"starting_after", QUERY_UUID, 0, 0, 0,
	                           API_STARTING_AFTER_MESSAGE},
};
static const struct query_param usage_query[] = {
	[Q_USAGE_DAYS] = {"days", QUERY_UINT, 1, API_USAGE_DAYS_MAX, 30,
	                  "days must be an integer from 1 to 90."},
};
static const struct query_param audit_query[] = {
	[Q_AUDIT_LIMIT] = {"limit", QUERY_UINT, 1, API_LIST_LIMIT_MAX, API_LIST_LIMIT_MAX,
	                   "limit must be an integer from 1 to 100."},
	[Q_AUDIT_STARTING_AFTER] = {"starting_after", QUERY_UUID, 0, 0, 0,
	                            API_AUDIT_AFTER_MESSAGE},
	[Q_AUDIT_ACTION] = {"action", QUERY_CHOICE, 0, 0, 0,
	                    "action must be the name of an audit event's action.",
	                    audit_action_names},
	[Q_AUDIT_TARGET_ID] = {"target_id", QUERY_UUID, 0, 0, 0, "target_id must be an id."},
	[Q_AUDIT_SINCE] = {"since", QUERY_TIME, 0, 0, 0,
	                   "since must be an RFC 3339 instant in UTC, like 2026-11-26T12:00:00Z."},
	[Q_AUDIT_UNTIL] = {"until", QUERY_TIME, 0, 0, 0,
	                   "until must be an RFC 3339 instant in UTC, like 2026-11-26T12:00:00Z."},
};
#define QUERY(q) .query = (q), .nquery = sizeof(q) / sizeof((q)[0])

static const struct api_route
	r_health = {.handle_public = health_get},
	r_metrics = {.handle_public = scrape_get, .restricted = true},
	r_me = {.handle = me_get, .counters = true},
	r_create = {.handle = keys_create, .json_body = true, .manages_keys = true},
	r_list = {.handle = keys_list, QUERY(list_query), .manages_keys = true},
	r_get = {.handle = keys_get, .manages_keys = true},
	r_revoke = {.handle = keys_revoke, .manages_keys = true},
	r_roll = {.handle = keys_roll, .json_body = true, .manages_keys = true},
	r_update = {.handle = keys_update, .json_body = true, .manages_keys = true},
	r_usage = {.handle = keys_usage, QUERY(usage_query), .manages_keys = true},
	r_audit = {.handle = audit_events_list, QUERY(audit_query)},
	r_leaks = {.handle_signed = leaks_github, .json_body = true, .bulk_body = true};

/*
 * Every route of docs/api.md; a pattern is also the route's template in the
 * request log and the metrics. "{id}" is one path segment (checked by the
 * handler). Only /healthz and /metrics are public, and POST /v1/leaks/github
 * the one signed route; tests/unit/app/test_api.c holds the table to it.
 */
static const struct route api_routes[] = {
	{METHOD_GET, "/healthz", &r_health},
	{METHOD_GET, "/metrics", &r_metrics},
	{METHOD_GET, "/v1/me", &r_me},
	{METHOD_GET, "/v1/api-keys", &r_list},
	{METHOD_POST, "/v1/api-keys", &r_create},
	{METHOD_GET, "/v1/api-keys/{id}", &r_get},
	{METHOD_DELETE, "/v1/api-keys/{id}", &r_revoke},
	{METHOD_PATCH, "/v1/api-keys/{id}", &r_update},
	{METHOD_GET, "/v1/api-keys/{id}/usage", &r_usage},
	{METHOD_POST, "/v1/api-keys/{id}/roll", &r_roll},
	{METHOD_GET, "/v1/audit-events", &r_audit},
	{METHOD_POST, "/v1/leaks/github", &r_leaks},
};

void
api_fail(struct api_call *c, enum err e)
{
	if (e == ERR_INTERNAL)
		log_error("request %s: internal error", c->resp->request_id);
	response_error(c->resp, e, NULL, NULL);
}

void
api_origin(const struct api_call *c, const struct auth_principal *p, struct audit_origin *o)
{
	audit_origin(o, AUDIT_BY_API_KEY, c->req->remote_addr, c->req->user_agent,
	             c->resp->request_id);
	o->account.set = o->key.set = true;
	memcpy(o->account.id, p->who.account.id, UUID_LEN);
	memcpy(o->key.id, p->who.key.id, UUID_LEN);
}

bool
api_is_v1(const struct request *req)
{
	return request_under(req, "v1");
}

/* Whether the route exists for this request (api_route.restricted). */
static bool
reachable(const struct api_call *c, const struct api_route *r)
{
	return !r->restricted || (c->env->metrics != NULL &&
	                          addrlist_has(&c->env->cfg->metrics_allow, c->req->remote_addr));
}

/*
 * The route of the request; *out on ROUTER_FOUND, allow (NUL-terminated) on
 * 405; the template of the path's route noted for the request log.
 */
static enum router_status
lookup(struct api_call *c, const struct api_route **out, char *allow, size_t cap)
{
	const struct route *match = NULL;
	enum router_status rs;

	allow[0] = '\0';
	if (!c->req->path_ok)
		return ROUTER_NOT_FOUND;
	rs = router_match(api_routes, sizeof(api_routes) / sizeof(api_routes[0]), c->req, &match,
	                  allow, cap);
	if (match != NULL && !reachable(c, match->handler)) {
		allow[0] = '\0';
		return ROUTER_NOT_FOUND;
	}
	reqlog_note_route(c->env->entry, match != NULL ? match->pattern : NULL);
	if (rs == ROUTER_FOUND)
		*out = match->handler;
	return rs;
}

/* A body over the route's limit (REQUEST_BULK_BODY_MAX for a bulk route). */
static enum err
check_size(struct api_call *c, const struct api_route *r)
{
	if (!(r->bulk_body ? c->req->bulk_body_too_large : c->req->body_too_large))
		return ERR_NONE;
	if (r->bulk_body)
		c->message = "The request body is larger than 1 MiB.";
	return ERR_PAYLOAD_TOO_LARGE;
}

/* The request checks after the organization context, in the order of docs/api.md. */
static enum err
check_request(struct api_call *c, const struct api_route *r)
{
	enum err e;

	if (r->json_body && !validate_json_content_type(c->req->content_type))
		return ERR_UNSUPPORTED_MEDIA_TYPE;
	if ((e = check_size(c, r)) != ERR_NONE)
		return e;
	return query_parse(c->req, r->query, r->nquery, c->query, &c->param, &c->message);
}

/*
 * Authentication and usage counting; on failure the response is set. With
 * `counters` (the route shows them, api_route.counters), the key's usage
 * counters too.
 */
static bool
authenticate(struct api_call *c, struct counters *counters, struct auth_principal *p)
{
	const char *tok = NULL;
	size_t len = 0;
	/* What a refusal records (an expiry) comes from this request. */
	struct audit_request from = {c->req->remote_addr, c->req->user_agent, c->resp->request_id};
	enum err e = bearer_token(c->req->authorization, &tok, &len);

	/* A 401 names the token invalid only when one was presented (RFC 6750). */
	if (e != ERR_NONE) {
		reqlog_note_auth(c->env->entry, e);
		response_auth_error(c->resp, e, false);
		return false;
	}
	if ((e = auth_authenticate(c->env->db, c->env->cfg->pepper, tok, len, timefmt_now_us(),
	                           &from, counters, p)) != ERR_NONE) {
		reqlog_note_auth(c->env->entry, e);
		response_auth_error(c->resp, e, true);
		return false;
	}
	reqlog_note_auth(c->env->entry, ERR_NONE);
	reqlog_note_key(c->env->entry, p->who.key.id, p->who.key.prefix);
	reqlog_note_account(c->env->entry, p->who.account.id);
	return true;
}

/*
 * The key's rate limit, right after authentication (count: the request is
 * counted against it; else only looked at, for a replay). A key with a limit
 * gets the RateLimit-Policy and RateLimit headers on whatever the answer is
 * (*d filled, d->limit 0 without a limit); over it, 429 with Retry-After is
 * set. Counted in usage either way, since the key authenticated: as refused
 * when over.
 */
static bool
admit(struct api_call *c, const struct auth_principal *p, bool count,
      struct ratelimit_decision *d)
{
	const struct config *cfg = c->env->cfg;
	struct store_rate_limit rl, server = {cfg->rate_limit_per_second,
	                                      cfg->rate_limit_burst > 0 ? cfg->rate_limit_burst :
	                                                                  cfg->rate_limit_per_second};
	char policy[RATELIMIT_HEADER_MAX], state[RATELIMIT_HEADER_MAX], retry[16];

	memset(d, 0, sizeof(*d));
	d->allowed = true;
	ratelimit_effective(&p->who, &server, &rl);
	if (rl.per_second > 0 && c->env->ratelimit != NULL) {
		(count ? ratelimit_take : ratelimit_peek)(c->env->ratelimit, p->who.key.id, &rl,
		                                          ratelimit_now_ns(), d);
		ratelimit_policy_value(d, policy);
		ratelimit_value(d, state);
		response_header(c->resp, "RateLimit-Policy", policy);
		response_header(c->resp, "RateLimit", state);
	}
	if (c->env->usage != NULL)
		usage_record(c->env->usage, p->who.key.id, timefmt_now_us(), !d->allowed);
	if (!d->allowed) {
		snprintf(retry, sizeof(retry), "%u", (unsigned)d->retry_after);
		response_header(c->resp, "Retry-After", retry);
		response_error(c->resp, ERR_RATE_LIMITED, NULL, NULL);
	}
	return d->allowed;
}

/* The organization context; c->param names the header when it is malformed. */
static enum err
context(struct api_call *c, struct auth_principal *p)
{
	enum err e = auth_context(c->env->db, p, c->req->organization);

	if (e == ERR_INVALID_REQUEST)
		c->param = "ParseSphere-Organization";
	if (e == ERR_NONE && p->ctx.is_org)
		reqlog_note_org(c->env->entry, p->ctx.org.id);
	return e;
}

/* A public route: the request checks, then its handler. */
static enum err
serve_public(struct api_call *c, const struct api_route *r)
{
	enum err e = check_request(c, r);

	if (e == ERR_NONE)
		r->handle_public(c);
	return e;
}

/*
 * A signed route: its signature is its authentication, so it comes first,
 * but for a body over the limit (413: what was not kept cannot be verified);
 * then the request checks, then its handler, with the proof.
 */
static enum err
serve_signed(struct api_call *c, const struct api_route *r)
{
	struct api_signature sig = {0};
	enum err e = check_size(c, r);

	if (e == ERR_NONE)
		e = leaks_verify(c, &sig);
	if (e == ERR_NONE)
		e = check_request(c, r);
	if (e != ERR_NONE)
		return e;
	if (!leaks_signature_valid(&sig)) {
		log_error("request %s: a signed route reached without a verified signature",
		          c->resp->request_id);
		return ERR_INTERNAL;
	}
	r->handle_signed(c, &sig);
	return ERR_NONE;
}

/* A keyed route once authenticated: context, request checks, handler. */
static enum err
serve_keyed(struct api_call *c, const struct api_route *r, struct auth_principal *p)
{
	enum err e = context(c, p);

	if (e == ERR_NONE && r->manages_keys && p->ctx.is_org && p->ctx.role == ROLE_NONE)
		e = ERR_NOT_ORGANIZATION_MEMBER;
	if (e == ERR_NONE)
		e = check_request(c, r);
	if (e != ERR_NONE)
		return e;
	if (!auth_principal_valid(p)) {
		log_error("request %s: a keyed route reached without a caller",
		          c->resp->request_id);
		return ERR_INTERNAL;
	}
	r->handle(c, p);
	return ERR_NONE;
}

void
api_serve(struct api_env *env, const struct request *req, struct response *resp)
{
	struct api_call c = {.env = env, .req = req, .resp = resp};
	struct auth_principal p = {0};
	struct ratelimit_decision d;
	const struct api_route *r = NULL;
	char allow[64];
	enum router_status rs = lookup(&c, &r, allow, sizeof(allow));
	enum err e;

	if (rs == ROUTER_FOUND && r->handle_public != NULL) {
		e = serve_public(&c, r);
		goto done;
	}
	if (rs == ROUTER_FOUND && r->handle_signed != NULL) {
		e = serve_signed(&c, r);
		goto done;
	}
	/* Anything under /v1, however spelled, and any keyed route: authentication first,
	 * then the key's rate limit. */
	if ((api_is_v1(req) || rs == ROUTER_FOUND) &&
	    (!authenticate(&c, rs == ROUTER_FOUND && r->counters ? env->counters : NULL, &p) ||
	     !admit(&c, &p, true, &d)))
		return;
	switch (rs) {
	case ROUTER_FOUND:
		e = serve_keyed(&c, r, &p);
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		response_header(resp, "Allow", allow);
		e = ERR_METHOD_NOT_ALLOWED;
		break;
	default:
		e = ERR_NOT_FOUND;
		break;
	}
done:
	if (e != ERR_NONE)
		response_error(resp, e, c.param, c.message);
}

void
api_authorize(struct api_env *env, const struct request *req, struct response *resp)
{
	struct api_call c = {.env = env, .req = req, .resp = resp};
	struct auth_principal p = {0};
	struct ratelimit_decision d;
	char id[UUID_TEXT_LEN + 1], value[RATELIMIT_HEADER_MAX];
	enum err e;

	if (!authenticate(&c, NULL, &p) || !admit(&c, &p, true, &d))
		return;
	if ((e = context(&c, &p)) == ERR_NONE && !auth_principal_valid(&p)) {
		log_error("request %s: an authorizer answer without a caller", resp->request_id);
		e = ERR_INTERNAL;
	}
	if (e != ERR_NONE) {
		response_error(resp, e, c.param, NULL);
		return;
	}
	/* The web server hands these to the backend of the protected path. */
	uuid_format(p.ctx.scope.actor, id);
	response_header(resp, "Variable-PARSESPHERE_ACCOUNT_ID", id);
	if (p.ctx.is_org)
		uuid_format(p.ctx.org.id, id);
	response_header(resp, "Variable-PARSESPHERE_ORGANIZATION_ID", p.ctx.is_org ? id : "");
	uuid_format(p.who.key.id, id);
	response_header(resp, "Variable-PARSESPHERE_API_KEY_ID", id);
	response_header(resp, "Variable-PARSESPHERE_ROLE",
	                p.ctx.is_org && p.ctx.role != ROLE_NONE ? store_role_name(p.ctx.role) : "");
	/* The backend may echo the key's RateLimit headers from these. */
	if (d.limit > 0) {
		ratelimit_policy_value(&d, value);
		response_header(resp, "Variable-RATELIMIT_POLICY", value);
		ratelimit_value(&d, value);
		response_header(resp, "Variable-RATELIMIT", value);
	}
	response_json(resp, 200, json_object_new_object());
}

/*
 * A refused authorizer's real error, for Apache: mod_fcgid drops the
 * authorizer's answer and reports 401, which ErrorDocument 401 sends back
 * here. Same checks, not counted again: the context's refusal first (the
 * authorizer's came after its limit let it through), then the rate limit,
 * looked at (429 when another request would be refused now); if they pass by
 * now (the state changed in between), 503 asks the client to retry.
 */
static void
authorize_replay(struct api_env *env, const struct request *req, struct response *resp)
{
	struct api_env uncounted = *env;
	struct api_call c = {.env = &uncounted, .req = req, .resp = resp};
	struct auth_principal p = {0};
	struct ratelimit_decision d;
	enum err e;

	uncounted.usage = NULL;   /* the authorizer's call was counted already */
	uncounted.entry = NULL;   /* and its authentication, in the metrics */
	if (!authenticate(&c, NULL, &p))
		return;
	if ((e = context(&c, &p)) == ERR_NONE && !admit(&c, &p, false, &d))
		return;
	response_error(resp, e != ERR_NONE ? e : ERR_SERVICE_UNAVAILABLE, c.param, NULL);
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
		if (api_is_v1(req)) {
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
		if (api_is_v1(req) || req->path_ok) {
			req->method = METHOD_OTHER;
			api_serve(env, req, resp);
			return;
		}
		break;
	}
	web_server_error(status, resp);
}
