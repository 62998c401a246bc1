/*
 * parsesphere-null: the benchmark's baseline, a FastCGI responder that does
 * nothing but answer {"status":"ok"} with the service's headers. Same prefork
 * master and accept loop shape as the real server, so that `make bench`
 * measures what the service adds on top of FastCGI and lighttpd.
 *
 *   parsesphere-null --listen ADDR [--workers N]
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcgiapp.h>

#include "acceptwait.h"
#include "finish.h"
#include "master.h"
#include "base/validate.h"

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int
null_worker(int fd, const struct config *cfg)
{
	static const char reply[] =
		"Status: 200 OK\r\n"
		"Content-Type: application/json; charset=utf-8\r\n"
		"Content-Length: 15\r\n"
		"Cache-Control: no-store\r\n"
		"\r\n"
		"{\"status\":\"ok\"}";
	struct sigaction sa;
	struct acceptwait wait;
	bool local = finish_is_local(fd);
	FCGX_Request fr;
	char sink[1024];

	(void)cfg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (FCGX_Init() != 0 || FCGX_InitRequest(&fr, fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0 ||
	    acceptwait_open(&wait, fd) != 0)
		return EXIT_FAILURE;
	while (!stop_requested) {
		if (!acceptwait_ready(&wait, 1000) || FCGX_Accept_r(&fr) < 0)
			continue;
		/* The input read to its end, as the server reads every body (finish.h). */
		while (FCGX_GetStr(sink, (int)sizeof(sink), fr.in) > 0)
			;
		FCGX_PutStr(reply, (int)sizeof(reply) - 1, fr.out);
		finish_request(&fr, local);
	}
	acceptwait_close(&wait);
	return EXIT_SUCCESS;
}

int
main(int argc, char **argv)
{
	const char *addr = NULL;
	uint64_t workers = 4;
	int fd;

	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--listen") == 0)
			addr = argv[i + 1];
		else if (strcmp(argv[i], "--workers") == 0 &&
		         !validate_uint(argv[i + 1], strlen(argv[i + 1]), 1, 256, &workers))
			workers = 0;
	}
	if (addr == NULL || workers == 0 || workers > 256) {
		fprintf(stderr, "usage: parsesphere-null --listen ADDR [--workers N]\n");
		return 2;
	}
	fd = FCGX_OpenSocket(addr, 128);
	if (fd < 0) {
		perror(addr);
		return EXIT_FAILURE;
	}
	return master_run(fd, NULL, NULL, (unsigned)workers, null_worker);
}
