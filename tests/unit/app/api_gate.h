/*
 * The API's dispatch (app/api.c) with everything around it real (request,
 * router, response, errors) except what needs a database: authentication and
 * the handlers are stubs that record what ran. Included by
 * tests/unit/test_api.c and tests/fuzz/fuzz_gate.c, which hold the gate to
 * its rule: a keyed handler runs only after authentication succeeded, a
 * signed handler only after its signature verified, and every request under
 * /v1 is authenticated (by a key, or for the one signed route by its
 * signature) before anything else.
 */
#ifndef PS_API_GATE_H
#define PS_API_GATE_H

#include "../../../app/api.c"
#include "../../../lib/http/request.c"
#include "../../../lib/http/router.c"
#include "../../../lib/http/query.c"
#include "../../../lib/http/response.c"
#include "../../../lib/http/jsonw.c"
#include "../../../lib/base/errors.c"
#include "../../../lib/base/validate.c"
#include "../../../lib/base/timefmt.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/addrlist.c"
#include "../../../lib/base/reqlog.c"
#include "../../../lib/core/ratelimit.c"
#include "../../../lib/core/pooldir.c"

/* What one request did. */
static struct gate_trace {
	int auth_runs;                  /* authentication began (bearer_token was asked) */
	bool auth_ok;                   /* the last one succeeded */
	const char *handler;            /* the handler that ran, NULL: none */
	bool handler_had_caller;        /* it got a principal auth_principal_valid accepts */
	bool seal_principals;           /* the stub seals what it makes (a bug when false) */
	int sig_runs;                   /* a signature's verification began */
	bool sig_ok;                    /* it succeeded */
	struct reqlog_entry entry;      /* what the request log learnt */
} gate;

#define GATE_SEAL UINT64_C(0x5eed5eed5eed5eed)

/* The signature's stand-in: "good" verifies, anything else (or none) does not. */
#define GATE_SIG_SEAL UINT64_C(0x51675167)

enum err
leaks_verify(struct api_call *c, struct api_signature *out)
{
	const char *h = c->req->github_signature;

	gate.sig_runs++;
	memset(out, 0, sizeof(*out));
	gate.sig_ok = h != NULL && strcmp(h, "good") == 0;
	if (!gate.sig_ok)
		return ERR_INVALID_SIGNATURE;
	out->seal = gate.seal_principals ? GATE_SIG_SEAL : 0;
	return ERR_NONE;
}

bool
leaks_signature_valid(const struct api_signature *sig)
{
	return sig != NULL && sig->seal == GATE_SIG_SEAL;
}

/* Authentication starts here: every attempt is counted, with or without a header. */
enum err
bearer_token(const char *header, const char **tok, size_t *len)
{
	gate.auth_runs++;
	if (header == NULL || strncmp(header, "Bearer ", 7) != 0 || header[7] == '\0')
		return ERR_MISSING_API_KEY;
	*tok = header + 7;
	*len = strlen(header + 7);
	return ERR_NONE;
}

enum err
auth_authenticate(struct db *db, const unsigned char *pepper, const char *tok, size_t len,
                  int64_t now, const struct audit_request *req, struct counters *counters,
                  struct auth_principal *p)
{
	(void)db;
	(void)counters;
	(void)pepper;
	(void)now;
	(void)req;
	memset(p, 0, sizeof(*p));
	gate.auth_ok = len == 4 && memcmp(tok, "good", 4) == 0;
	if (!gate.auth_ok)
		return ERR_INVALID_API_KEY;
	memset(p->who.key.id, 0x11, UUID_LEN);
	memset(p->who.account.id, 0x22, UUID_LEN);
	p->seal = gate.seal_principals ? GATE_SEAL : 0;
	return ERR_NONE;
}

bool
auth_principal_valid(const struct auth_principal *p)
{
	return p != NULL && p->seal == GATE_SEAL && p->who.key.id[0] != 0;
}

enum err
auth_context(struct db *db, struct auth_principal *p, const char *org_header)
{
	(void)db;
	(void)org_header;
	memcpy(p->ctx.scope.actor, p->who.account.id, UUID_LEN);
	memcpy(p->ctx.scope.owner, p->who.account.id, UUID_LEN);
	return ERR_NONE;
}

const char *
store_role_name(enum store_role r)
{
	(void)r;
	return "member";
}

/* The audit log's names (the list's filter) and origins: nothing is recorded here. */
const char *const audit_action_names[AUDIT__COUNT + 1] = {"key.created"};

void
audit_origin(struct audit_origin *o, enum audit_actor actor, const char *address,
             const char *user_agent, const char *request_id)
{
	(void)address;
	(void)user_agent;
	(void)request_id;
	memset(o, 0, sizeof(*o));
	o->actor = actor;
}

void
usage_record(struct usage *u, const uint8_t key[UUID_LEN], int64_t now, bool refused)
{
	(void)u;
	(void)key;
	(void)now;
	(void)refused;
}

void
log_error(const char *fmt, ...)
{
	(void)fmt;
}

static inline void
gate_keyed(const char *name, struct api_call *c, const struct auth_principal *p)
{
	gate.handler = name;
	gate.handler_had_caller = auth_principal_valid(p) && gate.auth_ok;
	response_json(c->resp, 200, json_object_new_object());
}

#define GATE_KEYED(fn) \
	void fn(struct api_call *c, const struct auth_principal *p) { gate_keyed(#fn, c, p); }
GATE_KEYED(keys_create)
GATE_KEYED(keys_list)
GATE_KEYED(keys_get)
GATE_KEYED(keys_revoke)
GATE_KEYED(keys_usage)
GATE_KEYED(keys_roll)
GATE_KEYED(keys_update)
GATE_KEYED(audit_events_list)
GATE_KEYED(me_get)

void
leaks_github(struct api_call *c, const struct api_signature *sig)
{
	gate.handler = "leaks_github";
	gate.handler_had_caller = leaks_signature_valid(sig) && gate.sig_ok;
	response_json(c->resp, 200, json_object_new_array());
}

static inline void
gate_public(const char *name, struct api_call *c)
{
	gate.handler = name;
	gate.handler_had_caller = false;
	response_json(c->resp, 200, json_object_new_object());
}

void
health_get(struct api_call *c)
{
	gate_public("health_get", c);
}

void
scrape_get(struct api_call *c)
{
	gate_public("scrape_get", c);
}

/* The CGI parameters of one request. */
struct gate_params {
	const char *method, *uri, *authorization, *content_type;
	const char *remote_addr;        /* REMOTE_ADDR */
	bool metrics_off;               /* the worker has no metrics */
	const char *signature;          /* Github-Public-Key-Signature ("good" verifies) */
	const char *content_length;     /* CONTENT_LENGTH */
};

/* The configuration of the gate's requests: metrics_allow's default. */
static inline const struct config *
gate_config(void)
{
	static struct config cfg;

	if (cfg.metrics_allow.n == 0)
		addrlist_parse(&cfg.metrics_allow, "127.0.0.1, ::1");
	return &cfg;
}

static inline const char *
gate_get(const char *name, void *ctx)
{
	const struct gate_params *gp = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return gp->method;
	if (strcmp(name, "REQUEST_URI") == 0)
		return gp->uri;
	if (strcmp(name, "HTTP_AUTHORIZATION") == 0)
		return gp->authorization;
	if (strcmp(name, "CONTENT_TYPE") == 0)
		return gp->content_type;
	if (strcmp(name, "REMOTE_ADDR") == 0)
		return gp->remote_addr;
	if (strcmp(name, "HTTP_GITHUB_PUBLIC_KEY_SIGNATURE") == 0)
		return gp->signature;
	if (strcmp(name, "CONTENT_LENGTH") == 0)
		return gp->content_length;
	return NULL;
}

/* Serves one request through api_serve; returns the status, gate holds the trace. */
static inline int
gate_serve(const struct gate_params *gp, struct request *req)
{
	static struct metrics metrics;   /* never read: scrape_get is a stub */
	struct api_env env = {.cfg = gate_config(), .metrics = gp->metrics_off ? NULL : &metrics,
	                      .entry = &gate.entry};
	struct response resp;
	int status;

	memset(&gate, 0, sizeof(gate));
	gate.seal_principals = true;
	request_parse(req, gate_get, (void *)gp);
	response_init(&resp);
	api_serve(&env, req, &resp);
	status = resp.status;
	response_reset(&resp);
	return status;
}

/*
 * The table's rule: each route has exactly one kind of handler; only
 * /healthz and /metrics are public, /metrics only for metrics_allow's
 * addresses (restricted); exactly one route is signed, POST
 * /v1/leaks/github, and it takes the bulk body limit; every other route is
 * keyed and under /v1.
 */
static inline bool
gate_table_ok(void)
{
	int signed_routes = 0;

	for (size_t i = 0; i < sizeof(api_routes) / sizeof(api_routes[0]); i++) {
		const struct api_route *r = api_routes[i].handler;
		const char *pat = api_routes[i].pattern;
		bool v1 = strncmp(pat, "/v1/", 4) == 0;
		bool metrics = strcmp(pat, "/metrics") == 0;
		int kinds = (r->handle != NULL) + (r->handle_public != NULL) +
		            (r->handle_signed != NULL);

		if (kinds != 1)
			return false;
		if (r->handle_public != NULL && strcmp(pat, "/healthz") != 0 && !metrics)
			return false;
		if (r->handle != NULL && !v1)
			return false;
		if (r->handle_signed != NULL && (strcmp(pat, "/v1/leaks/github") != 0 ||
		                                 api_routes[i].method != METHOD_POST ||
		                                 !r->bulk_body || signed_routes++ > 0))
			return false;
		if (r->bulk_body && r->handle_signed == NULL)
			return false;
		if (r->restricted != metrics)
			return false;
	}
	return signed_routes == 1;
}

#endif
