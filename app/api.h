/*
 * api: one request through the contract of API.md, as a straight line:
 *
 *   api_serve: authenticate → route → organization context → content type
 *              → body size → query → body → handler → response
 *
 * A handler receives an api_call whose request is already validated and
 * whose caller is authenticated; it talks to the store and fills the
 * response. Handlers live one resource per file (keys.c, me.c, health.c).
 */
#ifndef PS_API_H
#define PS_API_H

#include <stdbool.h>

#include "auth.h"
#include "config.h"
#include "db.h"
#include "request.h"
#include "response.h"
#include "router.h"
#include "usage.h"
#include "verifyslot.h"

/* Per-worker state, created after fork. */
struct api_env {
	const struct config *cfg;
	struct db *db;
	struct usage *usage;            /* NULL when usage tracking is off */
	struct verifyslot slots;        /* the pool's password verifications at once */
};

struct api_call {
	struct api_env *env;
	const struct request *req;
	struct response *resp;
	struct store_principal who;     /* valid on /v1 routes */
	struct auth_context ctx;
};

typedef void (*api_handler)(struct api_call *c);

/* What a route needs besides its handler; the router's opaque pointer. */
struct api_route {
	api_handler handle;
	const char *const *query;       /* accepted query parameters, NULL-terminated */
	bool json_body;                 /* requires Content-Type: application/json */
	bool manages_keys;              /* refused to an org key whose creator left */
};

/* Answers req into resp (initialised by the caller). */
void api_serve(struct api_env *env, const struct request *req, struct response *resp);

/*
 * The FastCGI Authorizer role: authenticates like api_serve (same errors, same
 * usage counting, the organization header honoured) and on success answers
 * 200 with Variable-PARSESPHERE_* headers for the protected backend.
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

/* Shared by handlers: a store failure as the API's 503 or 500. */
void api_db_failure(struct api_call *c, enum db_status s);

/* Handlers. */
void keys_create(struct api_call *c);
void keys_list(struct api_call *c);
void keys_get(struct api_call *c);
void keys_revoke(struct api_call *c);
void keys_usage(struct api_call *c);
void me_get(struct api_call *c);
void health_get(struct api_call *c);

#endif
