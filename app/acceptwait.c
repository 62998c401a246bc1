#include "acceptwait.h"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>
#include <sys/epoll.h>

int
acceptwait_open(struct acceptwait *w, int listen_fd)
{
	struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
	int flags = fcntl(listen_fd, F_GETFL);

	w->listen_fd = listen_fd;
	w->epoll_fd = -1;
	if (flags < 0 || fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -1;
	w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epoll_fd >= 0 && epoll_ctl(w->epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) != 0)
		acceptwait_close(w);   /* an old kernel: poll() below */
	return 0;
}

bool
acceptwait_ready(struct acceptwait *w, int timeout_ms)
{
	struct epoll_event ev;
	struct pollfd pfd = {.fd = w->listen_fd, .events = POLLIN};

	if (w->epoll_fd >= 0)
		return epoll_wait(w->epoll_fd, &ev, 1, timeout_ms) > 0;
	return poll(&pfd, 1, timeout_ms) > 0;
}

void
acceptwait_close(struct acceptwait *w)
{
	if (w->epoll_fd >= 0)
		close(w->epoll_fd);
	w->epoll_fd = -1;
}
