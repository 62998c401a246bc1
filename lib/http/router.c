#include "http/router.h"

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

static int
path_matches(const char *pattern, const struct request *req)
{
	const char *p = pattern;
	int i = 0;

	while (*p == '/') {
		const char *end = strchr(p + 1, '/');
		size_t n = end ? (size_t)(end - (p + 1)) : strlen(p + 1);

		if (i == req->nseg)
			return 0;
		if (!(n == 2 && memcmp(p + 1, "{}", 2) == 0) &&
		    !(req->seg[i].len == n && memcmp(req->seg[i].s, p + 1, n) == 0))
			return 0;
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
	int path_found = 0;

	allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!path_matches(routes[i].pattern, req))
			continue;
		if (routes[i].method == req->method) {
			*match = &routes[i];
			return ROUTER_FOUND;
		}
		const char *name = router_method_name(routes[i].method);
		size_t need = strlen(name) + (path_found ? 2 : 0);
		if (used + need < allow_cap) {
			memcpy(allow + used, path_found ? ", " : "", path_found ? 2 : 0);
			used += path_found ? 2 : 0;
			memcpy(allow + used, name, strlen(name) + 1);
			used += strlen(name);
		}
		path_found = 1;
	}
	return path_found ? ROUTER_METHOD_NOT_ALLOWED : ROUTER_NOT_FOUND;
}
