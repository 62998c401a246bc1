/*
 * pooldir: the directory that every process of one worker pool shares, for
 * the state they hold in common through the file system (core/verifyslot's
 * lock files, core/metrics' counters, core/ratelimit's table). The processes of a pool may have no
 * common parent (mod_fcgid and lighttpd bin-path start them one by one), but
 * they all listen on one socket, or (mod_fcgid) on sockets of one directory:
 * that of the listening unix socket, unless the configuration names one.
 */
#ifndef PS_POOLDIR_H
#define PS_POOLDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/config.h"

/*
 * configured when not empty, else the directory of the unix socket listen_fd
 * listens on, into dir; false (dir "") when there is none: a TCP socket, an
 * unnamed or abstract one, or a path that does not fit.
 */
bool pooldir_of(const char *configured, int listen_fd, char *dir, size_t cap);

/*
 * A file the pool's processes share (core/metrics', core/ratelimit's):
 * "parsesphere-NAME-LAYOUT-SIZE" in the pool's directory, `size` bytes, mode
 * 0600, no link followed; a file found there that is not regular, is open to
 * group or others, or belongs to another user is refused (EPERM). A module
 * declares it once; a new layout or size is a new file, so that processes of
 * two versions never read each other's.
 */
struct pooldir_file {
	const char *name;
	int layout;
	size_t size;
};

#define POOLDIR_PATH_MAX (CONFIG_STR_MAX + 48)

/* The file's path in directory dir; false when it does not fit in cap. */
bool pooldir_path(const char *dir, const struct pooldir_file *f, char *path, size_t cap);
/*
 * Makes the file (if need be) owned by uid:gid: a server started as root does
 * so before it becomes a user that may not write in the directory. 0, or -1
 * with errno.
 */
int pooldir_create(const char *dir, const struct pooldir_file *f, uid_t uid, gid_t gid);
/*
 * Maps the file, creating and extending it if need be (processes starting
 * together may all extend it, to the same size, harmlessly); NULL with errno.
 * The mapping keeps the file: munmap(p, f->size) ends it.
 */
void *pooldir_map(const char *dir, const struct pooldir_file *f);

#endif
