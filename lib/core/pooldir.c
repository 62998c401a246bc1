#include "core/pooldir.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

bool
pooldir_path(const char *dir, const struct pooldir_file *f, char *path, size_t cap)
{
	int n = snprintf(path, cap, "%s/parsesphere-%s-%d-%zu", dir, f->name, f->layout, f->size);

	return n > 0 && (size_t)n < cap;
}

/*
 * Whether a file found in the directory can be ours: a regular file that
 * only its owner can open, owned by this process's user or by owner. A file
 * someone else made first could hold planted state (a rate-limit bucket
 * locked by a live pid hangs every worker that needs it), or be open for
 * writing in their process still.
 */
static bool
trusted(const struct stat *st, uid_t owner)
{
	return S_ISREG(st->st_mode) && (st->st_mode & 077) == 0 &&
	       (st->st_uid == geteuid() || st->st_uid == owner);
}

/* Opens (creating) the file and gives it its size; -1 with errno (EPERM: not trusted). */
static int
open_shared(const char *dir, const struct pooldir_file *f, uid_t owner)
{
	char path[POOLDIR_PATH_MAX];
	struct stat st;
	int fd, saved;

	if (!pooldir_path(dir, f, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!trusted(&st, owner)) {
		errno = EPERM;
		goto fail;
	}
	if (st.st_size < (off_t)f->size && ftruncate(fd, (off_t)f->size) != 0)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
pooldir_create(const char *dir, const struct pooldir_file *f, uid_t uid, gid_t gid)
{
	int fd = open_shared(dir, f, uid), rc = -1, saved;

	if (fd < 0)
		return -1;
	if (fchown(fd, uid, gid) == 0)
		rc = 0;
	saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

void *
pooldir_map(const char *dir, const struct pooldir_file *f)
{
	int fd = open_shared(dir, f, geteuid()), saved;
	void *p;

	if (fd < 0)
		return NULL;
	p = mmap(NULL, f->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	saved = errno;
	close(fd);
	errno = saved;
	return p == MAP_FAILED ? NULL : p;
}
