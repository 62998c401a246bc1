/*
 * pooldir: the directory that every process of one worker pool shares, for
 * the state they hold in common through the file system (core/verifyslot's
 * lock files, core/metrics' counters). The processes of a pool may have no
 * common parent (mod_fcgid and lighttpd bin-path start them one by one), but
 * they all listen on one socket, or (mod_fcgid) on sockets of one directory:
 * that of the listening unix socket, unless the configuration names one.
 */
#ifndef PS_POOLDIR_H
#define PS_POOLDIR_H

#include <stdbool.h>
#include <stddef.h>

/*
 * configured when not empty, else the directory of the unix socket listen_fd
 * listens on, into dir; false (dir "") when there is none: a TCP socket, an
 * unnamed or abstract one, or a path that does not fit.
 */
bool pooldir_of(const char *configured, int listen_fd, char *dir, size_t cap);

#endif
