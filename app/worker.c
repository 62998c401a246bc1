#include "worker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcgiapp.h>

#include "api.h"
#include "log.h"
#include "store.h"

#define IDLE_POLL_MS 1000
/* Path lighttpd's server.error-handler points at (conf/lighttpd.conf). */
#define ERROR_HANDLER_PATH "/__error"

static volatile sig_atomic_t stop_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static const char *
fcgi_param(const char *name, void *ctx)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

/*
 * Reads the body into buf (REQUEST_BODY_MAX bytes); anything beyond is read
 * and dropped so that the web server sees a clean end of stream.
 */
static void
read_body(FCGX_Request *fr, struct request *req, char *buf)
{
	char sink[4096];
	int n;
	size_t len = 0;

	while (len < REQUEST_BODY_MAX &&
	       (n = FCGX_GetStr(buf + len, (int)(REQUEST_BODY_MAX - len), fr->in)) > 0)
		len += (size_t)n;
	while ((n = FCGX_GetStr(sink, sizeof(sink), fr->in)) > 0)
		req->body_too_large = true;
	req->body = buf;
	req->body_len = len;
}

/* The status a web server asks its error handler to render, or 0. */
static int
web_server_error(FCGX_Request *fr)
{
	const char *st = FCGX_GetParam("REDIRECT_STATUS", fr->envp);
	const char *uri = FCGX_GetParam("REDIRECT_URI", fr->envp);
	int status;

	if (st == NULL || uri == NULL || strcmp(uri, ERROR_HANDLER_PATH) != 0)
		return 0;
	status = atoi(st);
	return status >= 400 && status <= 599 ? status : 0;
}

static void
send_response(FCGX_Request *fr, const struct response *resp)
{
	char head[1024];
	size_t body_len, head_len;
	const char *body = response_body(resp, &body_len);

	head_len = response_head(resp, body_len, head, sizeof(head));
	FCGX_PutStr(head, (int)head_len, fr->out);
	FCGX_PutStr(body, (int)body_len, fr->out);
}

static void
serve_one(FCGX_Request *fr, struct api_env *env)
{
	static char body[REQUEST_BODY_MAX];
	static struct request req;
	struct response resp;
	int status;

	response_init(&resp);
	request_parse(&req, fcgi_param, fr);
	read_body(fr, &req, body);
	if ((status = web_server_error(fr)) != 0)
		api_web_server_error(status, &resp);
	else
		api_serve(env, &req, &resp);
	if (resp.status >= 500)
		log_error("request %s: status %d", resp.request_id, resp.status);
	send_response(fr, &resp);
	response_reset(&resp);
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	/* SA_RESTART keeps database reads going; poll() is interrupted regardless. */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int
worker_run(int listen_fd, const struct config *cfg)
{
	struct api_env env = {.cfg = cfg};
	FCGX_Request fr;
	struct pollfd pfd = {.fd = listen_fd, .events = POLLIN};
	int rc = EXIT_FAILURE;

	if (FCGX_Init() != 0)
		goto fail;
	install_signals();
	/* Non-blocking, so that a worker that lost the race to accept goes back to poll. */
	if (fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;
	env.db = db_new(cfg, store_statements, store_statement_count);
	if (env.db == NULL || FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		goto fail;
	while (!stop_requested) {
		int ready = poll(&pfd, 1, IDLE_POLL_MS);

		if (ready <= 0)
			continue;
		if (FCGX_Accept_r(&fr) < 0)
			continue;   /* another worker took it, or a signal: back to poll */
		serve_one(&fr, &env);
		FCGX_Finish_r(&fr);
	}
	FCGX_Free(&fr, 1);
	rc = EXIT_SUCCESS;
fail:
	db_free(env.db);
	return rc;
}
