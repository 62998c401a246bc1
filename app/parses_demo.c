/*
 * parsesphere-parses-demo: a stand-in for another ParseSphere endpoint,
 * GET /v1/parses, guarded by the API keys through the FastCGI Authorizer
 * (issue #5). The web server asks parsesphere-fcgi (FCGI_ROLE=AUTHORIZER)
 * first and hands this program the identity the authorizer returned in its
 * Variable-PARSESPHERE_* headers. Both shipped servers pass them as plain
 * CGI variables without the "Variable-" prefix: lighttpd's mod_fastcgi
 * ("mode" => "authorizer") and Apache's mod_fcgid (FcgidAccessChecker).
 * Clients cannot forge them: request headers arrive as HTTP_* variables.
 *
 * A FastCGI responder on fd 0, as lighttpd ("bin-path") and mod_fcgid start
 * it. It has no database and no configuration: it echoes the variables.
 *
 *   200 {"object": "list", "data": [], "has_more": false,
 *        "authorized_as": {"account_id", "organization_id", "api_key_id", "role"}}
 *
 * Routing, 404/405, strict query and the error shape come from lib/, as in
 * the service. Reached without the variables (a configuration that skips the
 * authorizer), it fails closed with 500.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcgiapp.h>
#include <sodium.h>

#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "send.h"

static const char *const no_params[] = {NULL};
static const struct route routes[] = {
	{METHOD_GET, "/v1/parses", NULL},
};

static const char *
fcgi_param(const char *name, void *ctx)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

/* A variable from the authorizer: the string, or NULL when absent or empty. */
static const char *
authorized(FCGX_Request *fr, const char *name)
{
	const char *v = FCGX_GetParam(name, fr->envp);

	return v != NULL && v[0] != '\0' ? v : NULL;
}

static json_object *
string_or_null(const char *s)
{
	return s != NULL ? json_object_new_string(s) : NULL;
}

/*
 * The key's RateLimit headers, as the authorizer handed them over
 * (Variable-RATELIMIT_POLICY, Variable-RATELIMIT), when the key has a limit:
 * what any backend behind the authorizer should do.
 */
static void
echo_rate_limit(FCGX_Request *fr, struct response *resp)
{
	const char *policy = authorized(fr, "RATELIMIT_POLICY"), *state = authorized(fr, "RATELIMIT");

	if (policy != NULL && state != NULL) {
		response_header(resp, "RateLimit-Policy", policy);
		response_header(resp, "RateLimit", state);
	}
}

static void
list(FCGX_Request *fr, struct response *resp)
{
	const char *account = authorized(fr, "PARSESPHERE_ACCOUNT_ID");
	const char *key = authorized(fr, "PARSESPHERE_API_KEY_ID");
	json_object *o, *who;

	if (account == NULL || key == NULL) {
		fprintf(stderr, "parsesphere-parses-demo: request %s without the authorizer's "
		        "PARSESPHERE_* variables: check the web server configuration\n",
		        resp->request_id);
		response_error(resp, ERR_INTERNAL, NULL, NULL);
		return;
	}
	who = json_object_new_object();
	json_object_object_add(who, "account_id", json_object_new_string(account));
	json_object_object_add(who, "organization_id",
	                       string_or_null(authorized(fr, "PARSESPHERE_ORGANIZATION_ID")));
	json_object_object_add(who, "api_key_id", json_object_new_string(key));
	json_object_object_add(who, "role", string_or_null(authorized(fr, "PARSESPHERE_ROLE")));
	o = json_object_new_object();
	json_object_object_add(o, "object", json_object_new_string("list"));
	json_object_object_add(o, "data", json_object_new_array());
	json_object_object_add(o, "has_more", json_object_new_boolean(0));
	json_object_object_add(o, "authorized_as", who);
	echo_rate_limit(fr, resp);
	response_json(resp, 200, o);
}

static void
serve(FCGX_Request *fr, struct request *req, struct response *resp)
{
	const struct route *match;
	const char *param;
	char allow[32];

	request_parse(req, fcgi_param, fr);
	if (!req->path_ok) {
		response_error(resp, ERR_NOT_FOUND, NULL, NULL);
		return;
	}
	switch (router_match(routes, sizeof(routes) / sizeof(routes[0]), req, &match,
	                     allow, sizeof(allow))) {
	case ROUTER_FOUND:
		break;
	case ROUTER_METHOD_NOT_ALLOWED:
		response_header(resp, "Allow", allow);
		response_error(resp, ERR_METHOD_NOT_ALLOWED, NULL, NULL);
		return;
	default:
		response_error(resp, ERR_NOT_FOUND, NULL, NULL);
		return;
	}
	if ((param = request_query_check(req, no_params)) != NULL || !req->query_ok) {
		response_error(resp, ERR_INVALID_REQUEST, param, NULL);
		return;
	}
	list(fr, resp);
}

int
main(void)
{
	static struct request req;
	FCGX_Request fr;
	struct response resp;

	signal(SIGPIPE, SIG_IGN);
	if (sodium_init() < 0 || FCGX_Init() != 0 || FCGX_InitRequest(&fr, 0, 0) != 0) {
		fprintf(stderr, "parsesphere-parses-demo: cannot initialise\n");
		return 1;
	}
	while (FCGX_Accept_r(&fr) >= 0) {
		response_init(&resp);
		serve(&fr, &req, &resp);
		send_response(&fr, &resp);
		response_reset(&resp);
		FCGX_Finish_r(&fr);
	}
	return 0;
}
