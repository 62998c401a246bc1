/*
 * router: a static table of (method, path pattern) → handler. Patterns are
 * '/'-separated literal segments or a named variable segment, "{id}", which
 * matches any one segment ("{}" too, but the name makes the pattern the
 * route's template in the request log and the metrics). 404 and 405 (with
 * the Allow list) come from the table, so a route exists in one place only.
 */
#ifndef PS_ROUTER_H
#define PS_ROUTER_H

#include <stddef.h>

#include "http/request.h"

struct route {
	enum request_method method;
	const char *pattern;            /* e.g. "/v1/api-keys/{id}/usage": also its template */
	const void *handler;            /* opaque to the router */
};

enum router_status {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_METHOD_NOT_ALLOWED
};

/*
 * Matches req (path_ok must be true) against n routes. On ROUTER_FOUND sets
 * *match to the route; on ROUTER_METHOD_NOT_ALLOWED to the first route of the
 * path (whose pattern names what was asked for) and writes "GET, POST"-style
 * text to allow (always NUL-terminated; the first names that fit when
 * allow_cap is too small: the callers' buffers hold their tables' longest
 * list, tests/unit/http/test_router.c); on ROUTER_NOT_FOUND to NULL.
 */
enum router_status router_match(const struct route *routes, size_t n,
                                const struct request *req,
                                const struct route **match,
                                char *allow, size_t allow_cap);

const char *router_method_name(enum request_method m);

#endif
