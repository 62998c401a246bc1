/*
 * acceptwait: how a process of the pool waits for its next connection on the
 * listening socket it shares with the others (the server's workers and the
 * benchmark's null responder alike).
 *
 * Every process polling the shared socket would be woken by each new
 * connection, and all but one would find nothing to accept: with N idle
 * workers a connection cost N wake-ups (docs/bench.md, "Waiting for a
 * connection"). An epoll instance of each process's own, holding the socket
 * with EPOLLEXCLUSIVE, makes the kernel wake one idle process a connection;
 * a busy process still finds the socket ready when it comes back. Where the
 * kernel refuses EPOLLEXCLUSIVE (before Linux 4.5) the wait falls back to
 * poll(), with the old behaviour. At low load the kernel wakes the idle
 * process first in its queue, so sequential requests mostly go to one worker
 * instead of a random one: a worker whose database node cannot serve must
 * leave it (data/db.c), or it answers every one of them 503 (make
 * cluster-test, check 4, found it).
 *
 * The caller owns the listening socket; acceptwait_open makes it
 * non-blocking (a process that lost the race to accept goes back to waiting)
 * and acceptwait_close leaves it open.
 */
#ifndef PS_ACCEPTWAIT_H
#define PS_ACCEPTWAIT_H

#include <stdbool.h>

struct acceptwait {
	int listen_fd;
	int epoll_fd;       /* -1: poll() on listen_fd */
};

/* Open in the process that waits (after fork): 0, or -1 with errno set. */
int acceptwait_open(struct acceptwait *w, int listen_fd);

/*
 * Sleeps until a connection may be waiting (true), or until timeout_ms have
 * passed or a signal arrived (false). True does not promise that accept()
 * succeeds: another process may have taken the connection.
 */
bool acceptwait_ready(struct acceptwait *w, int timeout_ms);

void acceptwait_close(struct acceptwait *w);

#endif
