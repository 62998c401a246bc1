#include "core/pooldir.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

/* The directory of the unix socket fd listens on into dir; false if it has none. */
static bool
socket_dir(int fd, char *dir, size_t cap)
{
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	size_t n;
	const char *slash;

	memset(&a, 0, sizeof(a));
	if (getsockname(fd, (struct sockaddr *)&a, &len) != 0 || a.sun_family != AF_UNIX ||
	    len <= offsetof(struct sockaddr_un, sun_path) || a.sun_path[0] == '\0')
		return false;   /* not a unix socket, unnamed, or abstract */
	a.sun_path[sizeof(a.sun_path) - 1] = '\0';
	slash = strrchr(a.sun_path, '/');
	if (slash == NULL)
		return snprintf(dir, cap, ".") < (int)cap;
	n = slash == a.sun_path ? 1 : (size_t)(slash - a.sun_path);
	return snprintf(dir, cap, "%.*s", (int)n, a.sun_path) < (int)cap;
}

bool
pooldir_of(const char *configured, int listen_fd, char *dir, size_t cap)
{
	bool ok = configured[0] != '\0' ? snprintf(dir, cap, "%s", configured) < (int)cap
	                                : socket_dir(listen_fd, dir, cap);

	if (!ok && cap > 0)
		dir[0] = '\0';
	return ok;
}
