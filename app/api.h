/*
 * api: one request through the contract of docs/api.md, as a straight line:
 *
 *   api_serve: authenticate → rate limit → route → organization context
 *              → content type → body size → query → body → handler → response
 *
 * The gate fails closed by construction. A route is public (its handler
 * takes no caller: only /healthz, and /metrics for the addresses of
 * metrics_allow), keyed (its handler takes a `const struct auth_principal *`,
 * which only auth_authenticate seals) or signed (its handler takes a
 * `const struct api_signature *`, which only leaks_verify seals: the one /v1
 * route without a key, POST /v1/leaks/github, whose GitHub signature over
 * the body authenticates it instead).
 * Every request whose decoded first segment is `v1`, and every keyed route
 * wherever it lives, is authenticated before anything else; a keyed handler
 * never runs with a principal auth_principal_valid refuses (that is a 500
 * and a log line, never a caller). Handlers live one resource per file
 * (keys.c, audit.c, me.c, health.c, scrape.c); each goes through the rules
 * of lib/core/ and fills the response. What the gate learns (the route's
 * template, the caller, the outcome of authentication) it notes in
 * env->entry for the request log.
 */
#ifndef PS_API_H
#define PS_API_H

#include <stdbool.h>

#include "core/audit.h"
#include "core/auth.h"
#include "base/config.h"
#include "base/reqlog.h"
#include "data/db.h"
#include "http/request.h"
#include "http/response.h"
#include "http/query.h"
#include "http/router.h"
#include "core/metrics.h"
#include "core/ratelimit.h"
#include "core/usage.h"
#include "core/verifyslot.h"

/* Per-worker state, created after fork. */
struct api_env {
	const struct config *cfg;
	struct db *db;
	struct usage *usage;            /* NULL when usage tracking is off */
	struct counters *counters;      /* the worker's copies of /v1/me's counters */
	struct verifyslot slots;        /* the pool's password verifications at once */
	struct metrics *metrics;        /* the pool's counters; NULL when off */
	struct ratelimit *ratelimit;    /* the pool's rate-limit table; NULL: none (nothing limited) */
	struct reqlog_entry *entry;     /* what the request log learns of the request; NULL: none */
};

struct api_call {
	struct api_env *env;
	const struct request *req;
	struct response *resp;
	/* The route's query parameters, typed (api_route.query; the Q_* below). */
	struct query_value query[QUERY_PARAMS_MAX];
	/* What a refusal names: the parameter at fault, a message (NULL: the default). */
	const char *param, *message;
};

/* The list's, the usage history's and the audit log's query parameters, by position. */
enum { Q_LIST_LIMIT, Q_LIST_INCLUDE_REVOKED, Q_LIST_STARTING_AFTER };
enum { Q_USAGE_DAYS };
enum { Q_AUDIT_LIMIT, Q_AUDIT_STARTING_AFTER, Q_AUDIT_ACTION, Q_AUDIT_TARGET_ID,
       Q_AUDIT_SINCE, Q_AUDIT_UNTIL };
#define API_LIST_LIMIT_MAX  100
#define API_USAGE_DAYS_MAX  90
#define API_STARTING_AFTER_MESSAGE "starting_after must be the id of one of your API keys."
#define API_AUDIT_AFTER_MESSAGE \
	"starting_after must be the id of an audit event of this context."

/*
 * The proof that a signed route's request verified (leaks_verify, app/leaks.c,
 * alone makes one): sealed with a per-process random value there, checked
 * with leaks_signature_valid before its handler acts.
 */
struct api_signature {
	uint64_t seal;
};

typedef void (*api_handler)(struct api_call *c, const struct auth_principal *p);
typedef void (*api_public_handler)(struct api_call *c);
typedef void (*api_signed_handler)(struct api_call *c, const struct api_signature *sig);

/* What a route needs besides its handler; the router's opaque pointer. */
struct api_route {
	/*
	 * Exactly one of the three is set: a keyed route (an API key first), a
	 * public one (/healthz, /metrics) or a signed one (POST /v1/leaks/github:
	 * no key, its request signature instead, verified before anything else).
	 */
	api_handler handle;
	api_public_handler handle_public;
	api_signed_handler handle_signed;
	const struct query_param *query;  /* accepted query parameters, typed */
	size_t nquery;
	bool json_body;                 /* requires Content-Type: application/json */
	bool manages_keys;              /* refused to an org key whose creator left */
	bool counters;                  /* shows the key's usage counters (core/counters.h) */
	bool bulk_body;                 /* takes REQUEST_BULK_BODY_MAX bytes, not REQUEST_BODY_MAX */
	/*
	 * Exists only for the addresses of metrics_allow, with metrics on: to
	 * anyone else its path is unknown (404, never 405), like any unknown path.
	 */
	bool restricted;
};

/* The requests of the API: decoded first segment `v1` (request_under). */
bool api_is_v1(const struct request *req);

/* Answers req into resp (initialised by the caller). */
void api_serve(struct api_env *env, const struct request *req, struct response *resp);

/*
 * The FastCGI Authorizer role: authenticates and rate-limits like api_serve
 * (same errors, same usage counting, the organization header honoured) and
 * on success answers 200 with Variable-PARSESPHERE_* headers for the
 * protected backend, and Variable-RATELIMIT_POLICY and Variable-RATELIMIT
 * when the key has a rate limit.
 */
void api_authorize(struct api_env *env, const struct request *req, struct response *resp);

/*
 * Answers a request the web server sent to its error handler with
 * REDIRECT_STATUS = status: a JSON error with that status, except where the
 * web server refused what the API answers itself (lighttpd's 411 for a POST
 * without Content-Length, 501 for an unknown method: served as the API would;
 * Apache mod_fcgid's 401 for a refused authorizer: the authorizer's checks
 * again, uncounted, for its real error). May rewrite req's method and body.
 */
void api_web_server_error(struct api_env *env, struct request *req, int status,
                          struct response *resp);

/* Shared by handlers: a core failure as the API's error (500s logged with the request id). */
void api_fail(struct api_call *c, enum err e);

/* The origin of the audit events a keyed request writes: its key, account and request. */
void api_origin(const struct api_call *c, const struct auth_principal *p,
                struct audit_origin *o);

/* Handlers. */
void keys_create(struct api_call *c, const struct auth_principal *p);
void keys_list(struct api_call *c, const struct auth_principal *p);
void keys_get(struct api_call *c, const struct auth_principal *p);
void keys_revoke(struct api_call *c, const struct auth_principal *p);
void keys_roll(struct api_call *c, const struct auth_principal *p);
void keys_update(struct api_call *c, const struct auth_principal *p);
void audit_events_list(struct api_call *c, const struct auth_principal *p);
void keys_usage(struct api_call *c, const struct auth_principal *p);
void me_get(struct api_call *c, const struct auth_principal *p);
void health_get(struct api_call *c);
void scrape_get(struct api_call *c);
void leaks_github(struct api_call *c, const struct api_signature *sig);

/*
 * The signature of a signed route's request (GitHub's headers over the raw
 * body, against leak_public_keys_file): ERR_NONE with *out sealed, else
 * ERR_INVALID_SIGNATURE (*out left unsealed), or ERR_SERVICE_UNAVAILABLE when
 * the keys file cannot be read. Whether a proof was sealed by it:
 */
enum err leaks_verify(struct api_call *c, struct api_signature *out);
bool leaks_signature_valid(const struct api_signature *sig);

#endif
