/*
 * router: a static table of (method, path pattern) → handler. Patterns are
 * '/'-separated literal segments or "{}" for one variable segment. 404 and
 * 405 (with the Allow list) come from the table, so a route exists in one
 * place only.
 */
#ifndef PS_ROUTER_H
#define PS_ROUTER_H

#include <stddef.h>

#include "http/request.h"

struct route {
	enum request_method method;
	const char *pattern;            /* e.g. "/v1/api-keys/{}/usage" */
	const void *handler;            /* opaque to the router */
};

enum router_status {
	ROUTER_FOUND,
	ROUTER_NOT_FOUND,
	ROUTER_METHOD_NOT_ALLOWED
};

/*
 * Matches req (path_ok must be true) against n routes. On ROUTER_FOUND sets
 * *match; on ROUTER_METHOD_NOT_ALLOWED writes "GET, POST"-style text to
 * allow (always NUL-terminated).
 */
enum router_status router_match(const struct route *routes, size_t n,
                                const struct request *req,
                                const struct route **match,
                                char *allow, size_t allow_cap);

const char *router_method_name(enum request_method m);

#endif
