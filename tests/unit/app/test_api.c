/*
 * Unit tests of the API's gate (app/api.c, issue 11): every spelling of a
 * /v1 path is authenticated before anything else, keyed handlers never run
 * without a caller, and a principal that authentication did not seal is a
 * 500, never a caller.
 */
#include "../harness.h"
#include "api_gate.h"

static void
test_table(void)
{
	CHECK(gate_table_ok(), "route table: a public route other than /healthz and /metrics, "
	      "/metrics not restricted to metrics_allow, a keyed route outside /v1, or a "
	      "signed route other than POST /v1/leaks/github");
}

/* Every variable segment of a pattern has a name: the pattern is the route's template. */
static void
test_templates_named(void)
{
	for (size_t i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++)
		CHECK(strstr(api_routes[i].pattern, "{}") == NULL, "route %s: a variable segment "
		      "without a name (\"{id}\")", api_routes[i].pattern);
}

static void
test_spellings(void)
{
	static const struct {
		int line;
		const char *method, *uri;
		const char *auth;               /* Authorization */
		int status;
		int auth_runs;
		const char *handler;            /* NULL: none runs */
	} cases[] = {
		/* The attacks: 401, never a handler. */
		{__LINE__, "GET", "/%761/me", NULL, 401, 1, NULL},
		{__LINE__, "GET", "/v%31/api-keys", NULL, 401, 1, NULL},
		{__LINE__, "POST", "/%761/api-keys", NULL, 401, 1, NULL},
		{__LINE__, "GET", "/%76%31/api-keys/x/usage", NULL, 401, 1, NULL},
		{__LINE__, "DELETE", "/%76%31/api-keys/x", "Bearer bad", 401, 1, NULL},
		{__LINE__, "GET", "/%761/me/", NULL, 401, 1, NULL},
		{__LINE__, "GET", "/%761/ME", NULL, 401, 1, NULL},
		{__LINE__, "PUT", "/%761/me", NULL, 401, 1, NULL},
		{__LINE__, "GET", "/%761//me", NULL, 401, 1, NULL},
		{__LINE__, "GET", "/%761%2Fme", NULL, 401, 1, NULL},
		{__LINE__, "GET", "/v1%2fapi-keys", NULL, 401, 1, NULL},
		/* With a good key, every spelling reaches the handler of its decoded path. */
		{__LINE__, "GET", "/%761/me", "Bearer good", 200, 1, "me_get"},
		{__LINE__, "GET", "/v%31/api-keys", "Bearer good", 200, 1, "keys_list"},
		{__LINE__, "GET", "/v1/%61pi-keys", "Bearer good", 200, 1, "keys_list"},
		{__LINE__, "POST", "/%76%31/api-keys", "Bearer good", 415, 1, NULL},
		{__LINE__, "GET", "/%761/api-keys/abc", "Bearer good", 200, 1, "keys_get"},
		{__LINE__, "POST", "/v1/api-keys/abc/roll", "Bearer good", 200, 1, "keys_roll"},
		{__LINE__, "POST", "/v1/api-keys/abc/roll/", "Bearer good", 200, 1, "keys_roll"},
		{__LINE__, "GET", "/v1/api-keys/abc/roll", "Bearer good", 405, 1, NULL},
		{__LINE__, "POST", "/v1/api-keys/abc/roll", NULL, 401, 1, NULL},
		{__LINE__, "GET", "/v1/audit-events", "Bearer good", 200, 1, "audit_events_list"},
		{__LINE__, "GET", "/v%31/audit-events", NULL, 401, 1, NULL},
		{__LINE__, "DELETE", "/v1/audit-events", "Bearer good", 405, 1, NULL},
		{__LINE__, "GET", "/%761%2Fme", "Bearer good", 404, 1, NULL},
		{__LINE__, "PUT", "/%761/me", "Bearer good", 405, 1, NULL},
		/* Not /v1: no authentication, and no keyed handler. */
		{__LINE__, "GET", "/%2576%31/me", NULL, 404, 0, NULL},    /* "%761": decoded once */
		{__LINE__, "GET", "/%7631/me", NULL, 404, 0, NULL},       /* "v31" */
		{__LINE__, "GET", "/V1/me", NULL, 404, 0, NULL},
		{__LINE__, "GET", "/v3%31/me", NULL, 404, 0, NULL},
		{__LINE__, "GET", "/v1%zz/me", NULL, 404, 0, NULL},
		{__LINE__, "GET", "//v1/me", NULL, 404, 0, NULL},
		{__LINE__, "GET", "/x/v1/me", NULL, 404, 0, NULL},
		/* The one public route, in any spelling, with or without a key. */
		{__LINE__, "GET", "/healthz", NULL, 200, 0, "health_get"},
		{__LINE__, "GET", "/%68ealthz", NULL, 200, 0, "health_get"},
		{__LINE__, "GET", "/healthz", "Bearer bad", 200, 0, "health_get"},
		{__LINE__, "POST", "/healthz", NULL, 405, 0, NULL},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gate_params gp = {cases[i].method, cases[i].uri, cases[i].auth,
		                         "application/json", NULL, false, NULL, NULL};
		int status;

		if (strcmp(cases[i].uri, "/%76%31/api-keys") == 0)
			gp.content_type = "text/plain";
		status = gate_serve(&gp, &req);
		CHECK_AT(status == cases[i].status, cases[i].line, "%s %s: status %d, want %d",
		         cases[i].method, cases[i].uri, status, cases[i].status);
		CHECK_AT(gate.auth_runs == cases[i].auth_runs, cases[i].line,
		         "%s %s: authentication ran %d times, want %d", cases[i].method,
		         cases[i].uri, gate.auth_runs, cases[i].auth_runs);
		CHECK_AT(cases[i].handler == NULL ? gate.handler == NULL :
		         gate.handler != NULL && strcmp(gate.handler, cases[i].handler) == 0,
		         cases[i].line, "%s %s: handler %s, want %s", cases[i].method,
		         cases[i].uri, gate.handler ? gate.handler : "none",
		         cases[i].handler ? cases[i].handler : "none");
		if (gate.handler != NULL && strcmp(gate.handler, "health_get") != 0)
			CHECK_AT(gate.handler_had_caller, cases[i].line,
			         "%s %s: a keyed handler ran without a caller", cases[i].method,
			         cases[i].uri);
	}
}

/*
 * /metrics: public, for metrics_allow's addresses (127.0.0.1 and ::1 here)
 * and with metrics on; to anyone else it is an unknown path, 405 included.
 */
static void
test_metrics_route(void)
{
	static const struct {
		int line;
		const char *method, *uri, *addr;
		bool off;                       /* the worker has no metrics */
		int status;
		const char *handler;
	} cases[] = {
		{__LINE__, "GET", "/metrics", "127.0.0.1", false, 200, "scrape_get"},
		{__LINE__, "GET", "/metrics", "::1", false, 200, "scrape_get"},
		{__LINE__, "GET", "/metrics", "::ffff:127.0.0.1", false, 200, "scrape_get"},
		{__LINE__, "GET", "/metrics/", "127.0.0.1", false, 200, "scrape_get"},
		{__LINE__, "GET", "/%6Detrics", "127.0.0.1", false, 200, "scrape_get"},
		{__LINE__, "GET", "/metrics?x=1", "127.0.0.1", false, 400, NULL},   /* no parameters */
		{__LINE__, "GET", "/metrics?x=1", "127.0.0.77", false, 404, NULL},
		{__LINE__, "POST", "/metrics", "127.0.0.1", false, 405, NULL},
		/* Any other address, none, or metrics off: unknown, like /nope. */
		{__LINE__, "GET", "/metrics", "127.0.0.77", false, 404, NULL},
		{__LINE__, "GET", "/metrics", "10.0.0.1", false, 404, NULL},
		{__LINE__, "GET", "/metrics", "::2", false, 404, NULL},
		{__LINE__, "GET", "/metrics", "", false, 404, NULL},
		{__LINE__, "GET", "/metrics", "localhost", false, 404, NULL},
		{__LINE__, "GET", "/metrics", NULL, false, 404, NULL},
		{__LINE__, "POST", "/metrics", "127.0.0.77", false, 404, NULL},
		{__LINE__, "DELETE", "/metrics", NULL, false, 404, NULL},
		{__LINE__, "GET", "/metrics", "127.0.0.1", true, 404, NULL},
		{__LINE__, "POST", "/metrics", "127.0.0.1", true, 404, NULL},
		{__LINE__, "GET", "/nope", "127.0.0.1", false, 404, NULL},
		/* Under /v1 it is another path: a key first. */
		{__LINE__, "GET", "/v1/metrics", "127.0.0.1", false, 401, NULL},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gate_params gp = {cases[i].method, cases[i].uri, NULL, NULL, cases[i].addr,
		                         cases[i].off, NULL, NULL};
		int status = gate_serve(&gp, &req);

		CHECK_AT(status == cases[i].status, cases[i].line, "%s %s from %s%s: status %d, "
		         "want %d", cases[i].method, cases[i].uri,
		         cases[i].addr ? cases[i].addr : "(none)", cases[i].off ? ", metrics off" : "",
		         status, cases[i].status);
		CHECK_AT(cases[i].handler == NULL ? gate.handler == NULL :
		         gate.handler != NULL && strcmp(gate.handler, cases[i].handler) == 0,
		         cases[i].line, "handler %s", gate.handler ? gate.handler : "none");
		CHECK_AT(gate.auth_runs == (cases[i].status == 401), cases[i].line,
		         "authentication ran %d times", gate.auth_runs);
		/* An unknown path has no template, whatever the reason. */
		CHECK_AT(cases[i].status != 404 || gate.entry.route == NULL, cases[i].line,
		         "a 404 noted route %s", gate.entry.route ? gate.entry.route : "");
	}
}

/*
 * The request log gets the template of the path's route (also on 405 and
 * after a failed authentication), never the path, and what authentication
 * found out.
 */
static void
test_notes(void)
{
	static const struct {
		int line;
		const char *method, *uri, *auth;
		const char *route;              /* NULL: none */
		bool auth_ran;
		enum err auth_outcome;
		bool has_key;
	} cases[] = {
		{__LINE__, "GET", "/v1/api-keys/0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a", "Bearer good",
		 "/v1/api-keys/{id}", true, ERR_NONE, true},
		{__LINE__, "GET", "/%761/api-keys/x/usage?days=3", "Bearer good",
		 "/v1/api-keys/{id}/usage", true, ERR_NONE, true},
		{__LINE__, "POST", "/v1/api-keys/abc", "Bearer good", "/v1/api-keys/{id}", true,
		 ERR_NONE, true},
		{__LINE__, "DELETE", "/v1/api-keys/abc", NULL, "/v1/api-keys/{id}", true,
		 ERR_MISSING_API_KEY, false},
		{__LINE__, "GET", "/v1/me", "Bearer bad", "/v1/me", true, ERR_INVALID_API_KEY, false},
		{__LINE__, "GET", "/v1/nope", "Bearer good", NULL, true, ERR_NONE, true},
		{__LINE__, "GET", "/healthz", "Bearer good", "/healthz", false, ERR_NONE, false},
		{__LINE__, "GET", "/nope", NULL, NULL, false, ERR_NONE, false},
		{__LINE__, "GET", "//v1/me", NULL, NULL, false, ERR_NONE, false},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gate_params gp = {cases[i].method, cases[i].uri, cases[i].auth,
		                         "application/json", "127.0.0.1", false, NULL, NULL};
		const struct reqlog_entry *e = &gate.entry;

		gate_serve(&gp, &req);
		CHECK_AT(cases[i].route == NULL ? e->route == NULL :
		         e->route != NULL && strcmp(e->route, cases[i].route) == 0, cases[i].line,
		         "%s %s: route %s, want %s", cases[i].method, cases[i].uri,
		         e->route ? e->route : "null", cases[i].route ? cases[i].route : "null");
		CHECK_AT(e->auth_ran == cases[i].auth_ran &&
		         (!e->auth_ran || e->auth == cases[i].auth_outcome), cases[i].line,
		         "%s %s: authentication %d, outcome %d", cases[i].method, cases[i].uri,
		         e->auth_ran, e->auth);
		CHECK_AT(e->has_key == cases[i].has_key && e->has_account == cases[i].has_key &&
		         (!e->has_key || e->key_id[0] == 0x11), cases[i].line,
		         "%s %s: key %d, account %d", cases[i].method, cases[i].uri, e->has_key,
		         e->has_account);
	}
}

/*
 * POST /v1/leaks/github, the one /v1 route without a key: its signature
 * first (never a key), then the request checks, then its handler; any other
 * method or spelling of a neighbouring path is an ordinary /v1 request.
 */
static void
test_signed_route(void)
{
	static const struct {
		int line;
		const char *method, *uri, *auth, *sig, *ct, *cl;
		int status;
		int auth_runs, sig_runs;
		const char *handler;
	} cases[] = {
		{__LINE__, "POST", "/v1/leaks/github", NULL, "good", "application/json", NULL, 200, 0,
		 1, "leaks_github"},
		{__LINE__, "POST", "/v1/leaks/github", NULL, NULL, "application/json", NULL, 401, 0, 1,
		 NULL},
		{__LINE__, "POST", "/v1/leaks/github", NULL, "bad", "application/json", NULL, 401, 0, 1,
		 NULL},
		/* A key is neither needed nor a substitute. */
		{__LINE__, "POST", "/v1/leaks/github", "Bearer good", NULL, "application/json", NULL,
		 401, 0, 1, NULL},
		{__LINE__, "POST", "/v1/leaks/github", "Bearer good", "good", "application/json", NULL,
		 200, 0, 1, "leaks_github"},
		/* The signature before the content type; the content type before the handler. */
		{__LINE__, "POST", "/v1/leaks/github", NULL, "bad", "text/plain", NULL, 401, 0, 1,
		 NULL},
		{__LINE__, "POST", "/v1/leaks/github", NULL, "good", "text/plain", NULL, 415, 0, 1,
		 NULL},
		{__LINE__, "POST", "/v1/leaks/github", NULL, "good", NULL, NULL, 415, 0, 1, NULL},
		/* Its body limit is 1 MiB; beyond it nothing can be verified: 413 first. */
		{__LINE__, "POST", "/v1/leaks/github", NULL, "good", "application/json", "1048576", 200,
		 0, 1, "leaks_github"},
		{__LINE__, "POST", "/v1/leaks/github", NULL, "good", "application/json", "1048577", 413,
		 0, 0, NULL},
		{__LINE__, "POST", "/v1/leaks/github", NULL, NULL, "application/json", "1048577", 413,
		 0, 0, NULL},
		/* ... which no other route has. */
		{__LINE__, "POST", "/v1/api-keys", "Bearer good", "good", "application/json", "65537",
		 413, 1, 0, NULL},
		/* Every spelling of the path is the route. */
		{__LINE__, "POST", "/%761/leaks/github", NULL, "good", "application/json", NULL, 200, 0,
		 1, "leaks_github"},
		{__LINE__, "POST", "/v1/leaks/github/", NULL, "good", "application/json", NULL, 200, 0,
		 1, "leaks_github"},
		{__LINE__, "POST", "/v1/%6Ceaks/github", NULL, NULL, "application/json", NULL, 401, 0,
		 1, NULL},
		/* Anything else there is a keyed /v1 request: a key first, whatever the signature. */
		{__LINE__, "GET", "/v1/leaks/github", NULL, "good", NULL, NULL, 401, 1, 0, NULL},
		{__LINE__, "GET", "/v1/leaks/github", "Bearer good", "good", NULL, NULL, 405, 1, 0,
		 NULL},
		{__LINE__, "DELETE", "/v1/leaks/github", NULL, "good", NULL, NULL, 401, 1, 0, NULL},
		{__LINE__, "POST", "/v1/leaks/GitHub", NULL, "good", "application/json", NULL, 401, 1,
		 0, NULL},
		{__LINE__, "POST", "/v1/leaks", NULL, "good", "application/json", NULL, 401, 1, 0,
		 NULL},
		{__LINE__, "POST", "/v1/leaks/github/x", NULL, "good", "application/json", NULL, 401, 1,
		 0, NULL},
		{__LINE__, "POST", "/v1/leaks//github", NULL, "good", "application/json", NULL, 401, 1,
		 0, NULL},
		{__LINE__, "POST", "/v1%2Fleaks/github", NULL, "good", "application/json", NULL, 401, 1,
		 0, NULL},
		{__LINE__, "POST", "/leaks/github", NULL, "good", "application/json", NULL, 404, 0, 0,
		 NULL},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gate_params gp = {cases[i].method, cases[i].uri, cases[i].auth, cases[i].ct,
		                         "192.0.2.1", false, cases[i].sig, cases[i].cl};
		int status = gate_serve(&gp, &req);

		CHECK_AT(status == cases[i].status, cases[i].line, "%s %s: status %d, want %d",
		         cases[i].method, cases[i].uri, status, cases[i].status);
		CHECK_AT(gate.auth_runs == cases[i].auth_runs && gate.sig_runs == cases[i].sig_runs,
		         cases[i].line, "%s %s: authentication ran %d times, the signature %d; want "
		         "%d, %d", cases[i].method, cases[i].uri, gate.auth_runs, gate.sig_runs,
		         cases[i].auth_runs, cases[i].sig_runs);
		CHECK_AT(cases[i].handler == NULL ? gate.handler == NULL :
		         gate.handler != NULL && strcmp(gate.handler, cases[i].handler) == 0,
		         cases[i].line, "%s %s: handler %s", cases[i].method, cases[i].uri,
		         gate.handler ? gate.handler : "none");
		if (gate.handler != NULL)
			CHECK_AT(gate.handler_had_caller, cases[i].line,
			         "%s %s: the signed handler ran without a verified signature",
			         cases[i].method, cases[i].uri);
	}
}

/* A proof the verification did not seal: 500, no handler. */
static void
test_unsealed_signature(void)
{
	static const struct config cfg;
	struct api_env env = {.cfg = &cfg};
	struct gate_params gp = {"POST", "/v1/leaks/github", NULL, "application/json", NULL, false,
	                         "good", NULL};
	struct request req;
	struct response resp;

	memset(&gate, 0, sizeof(gate));
	gate.seal_principals = false;
	request_parse(&req, gate_get, &gp);
	response_init(&resp);
	api_serve(&env, &req, &resp);
	CHECK(resp.status == 500 && resp.error == ERR_INTERNAL && gate.handler == NULL,
	      "unsealed signature: status %d, handler %s", resp.status,
	      gate.handler ? gate.handler : "none");
	response_reset(&resp);
}

/* A principal that authentication returned but did not seal: 500, no handler. */
static void
test_unsealed_principal(void)
{
	static const struct config cfg;
	struct api_env env = {.cfg = &cfg};
	struct gate_params gp = {"GET", "/v1/me", "Bearer good", NULL, NULL, false, NULL,
	                         NULL};
	struct request req;
	struct response resp;

	memset(&gate, 0, sizeof(gate));
	gate.seal_principals = false;
	request_parse(&req, gate_get, &gp);
	response_init(&resp);
	api_serve(&env, &req, &resp);
	CHECK(resp.status == 500 && resp.error == ERR_INTERNAL && gate.handler == NULL,
	      "unsealed principal: status %d, handler %s", resp.status,
	      gate.handler ? gate.handler : "none");
	response_reset(&resp);
}

int
main(void)
{
	test_table();
	test_templates_named();
	test_spellings();
	test_metrics_route();
	test_notes();
	test_unsealed_principal();
	test_signed_route();
	test_unsealed_signature();
	return harness_summary();
}
