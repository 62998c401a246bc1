#include "http/router.h"

#include <stdbool.h>
#include <string.h>

const char *
router_method_name(enum request_method m)
{
	static const char *const names[] = {
		[METHOD_GET] = "GET", [METHOD_POST] = "POST", [METHOD_PUT] = "PUT",
		[METHOD_PATCH] = "PATCH", [METHOD_DELETE] = "DELETE",
		[METHOD_HEAD] = "HEAD", [METHOD_OPTIONS] = "OPTIONS",
		[METHOD_OTHER] = "OTHER",
	};
	return names[m];
}

/* A variable segment: "{" and "}" around its name ("{id}"), or nothing ("{}"). */
static bool
is_variable(const char *seg, size_t n)
{
	return n >= 2 && seg[0] == '{' && seg[n - 1] == '}';
}

static bool
path_matches(const char *pattern, const struct request *req)
{
	const char *p = pattern;
	int i = 0;

	while (*p == '/') {
		const char *end = strchr(p + 1, '/');
		size_t n = end ? (size_t)(end - (p + 1)) : strlen(p + 1);

		if (i == req->nseg)
			return false;
		if (!is_variable(p + 1, n) &&
		    !(req->seg[i].len == n && memcmp(req->seg[i].s, p + 1, n) == 0))
			return false;
		i++;
		p += n + 1;
	}
	return i == req->nseg;
}

enum router_status
router_match(const struct route *routes, size_t n, const struct request *req,
             const struct route **match, char *allow, size_t allow_cap)
{
	size_t used = 0;
	bool path_found = false, full = false;

	allow[0] = '\0';
	*match = NULL;
	for (size_t i = 0; i < n; i++) {
		if (!path_matches(routes[i].pattern, req))
			continue;
		if (routes[i].method == req->method) {
			*match = &routes[i];
			return ROUTER_FOUND;
		}
		if (!path_found)
			*match = &routes[i];   /* the path's first route: its template */
		const char *name = router_method_name(routes[i].method);
		size_t need = strlen(name) + (path_found ? 2 : 0);
		/* Once a name does not fit, none after it goes in: the text stays the
		 * table's order, never a list with a hole in it. */
		full = full || used + need >= allow_cap;
		if (!full) {
			memcpy(allow + used, path_found ? ", " : "", path_found ? 2 : 0);
			used += path_found ? 2 : 0;
			memcpy(allow + used, name, strlen(name) + 1);
			used += strlen(name);
		}
		path_found = true;
	}
	return path_found ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}
