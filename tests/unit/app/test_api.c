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
	CHECK(gate_table_ok(), "route table: a public route other than /healthz, or a keyed "
	      "route outside /v1");
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
		                         "application/json"};
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

/* A principal that authentication returned but did not seal: 500, no handler. */
static void
test_unsealed_principal(void)
{
	static const struct config cfg;
	struct api_env env = {.cfg = &cfg};
	struct gate_params gp = {"GET", "/v1/me", "Bearer good", NULL};
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
	test_spellings();
	test_unsealed_principal();
	return harness_summary();
}
