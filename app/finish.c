#include "finish.h"

#include <sys/ioctl.h>
#include <sys/socket.h>

bool
finish_is_local(int listen_fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);

	return getsockname(listen_fd, (struct sockaddr *)&sa, &len) == 0 &&
	       sa.ss_family == AF_UNIX;
}

/*
 * libfcgi closes a connection with shutdown(SHUT_WR), then waits until the
 * web server has closed its end: on TCP, closing with input still unread
 * makes the kernel reset the connection, and the peer can lose the answer it
 * has not read yet. That wait is a round trip through the web server for every
 * request (about a fifth of a worker's CPU time here, docs/bench.md). A
 * UNIX-domain socket never drops what was written to it, and with nothing
 * unread the web server sees a plain end of file; FCGX_Detach makes libfcgi
 * close without the wait.
 *
 * A connection the web server asked to keep (FCGI_KEEP_CONN: nginx's
 * fastcgi_keep_conn, Apache's enablereuse=on) is closed all the same: a
 * worker waits for its next request on the listening socket only, so the next
 * request on a kept connection would wait for an unrelated connection to wake
 * the worker, and a worker holding an idle connection serves nobody else. The
 * web server sees the end of file and opens a new connection next time.
 */
void
finish_request(FCGX_Request *fr, bool local)
{
	int unread = -1;

	fr->keepConnection = 0;
	if (local && ioctl(fr->ipcFd, FIONREAD, &unread) == 0 && unread == 0)
		FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}
