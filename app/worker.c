#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcgiapp.h>
#include <sodium.h>

#include "api.h"
#include "dashboard.h"
#include "observe.h"
#include "base/log.h"
#include "base/validate.h"
#include "acceptwait.h"
#include "finish.h"
#include "send.h"
#include "data/store.h"
#include "base/timefmt.h"
#include "core/pooldir.h"

#define IDLE_POLL_MS 1000
#define FLUSH_EVERY_US INT64_C(1000000)   /* counts visible within 2 s (docs/api.md) */
#define FINAL_FLUSH_TRIES 3      /* with timeouts, within the master's grace */

static volatile sig_atomic_t stop_requested, reopen_requested;

static void
on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* SIGHUP: logrotate moved the request log's file (the master's SIGHUP is a reload). */
static void
on_reopen(int sig)
{
	(void)sig;
	reopen_requested = 1;
}

static const char *
fcgi_param(const char *name, void *ctx)
{
	return FCGX_GetParam(name, ((FCGX_Request *)ctx)->envp);
}

/*
 * Reads the body into buf (REQUEST_BULK_BODY_MAX bytes: the largest any route
 * takes; each route refuses more than its own limit, most of them
 * REQUEST_BODY_MAX); anything beyond is read and dropped so that the web
 * server sees a clean end of stream.
 */
static void
read_body(FCGX_Request *fr, struct request *req, char *buf)
{
	char sink[4096];
	int n;
	size_t len = 0;

	while (len < REQUEST_BULK_BODY_MAX &&
	       (n = FCGX_GetStr(buf + len, (int)(REQUEST_BULK_BODY_MAX - len), fr->in)) > 0)
		len += (size_t)n;
	while ((n = FCGX_GetStr(sink, sizeof(sink), fr->in)) > 0)
		req->bulk_body_too_large = true;
	sodium_memzero(sink, sizeof(sink));
	if (len > REQUEST_BODY_MAX || req->bulk_body_too_large)
		req->body_too_large = true;
	req->body = buf;
	req->body_len = len;
}

/*
 * The status a web server asks us to render as its error page, or 0: lighttpd's
 * server.error-handler and Apache's ErrorDocument both re-enter the
 * application with REDIRECT_STATUS set to the error (lighttpd sets 200 on
 * ordinary requests; clients cannot send CGI variables).
 */
static int
web_server_error(FCGX_Request *fr)
{
	const char *st = FCGX_GetParam("REDIRECT_STATUS", fr->envp);
	uint64_t status = 0;

	return st != NULL && validate_uint(st, strlen(st), 400, 599, &status) ? (int)status : 0;
}

static bool
is_authorizer(FCGX_Request *fr)
{
	const char *role = FCGX_GetParam("FCGI_ROLE", fr->envp);

	return role != NULL && strcmp(role, "AUTHORIZER") == 0;
}

/* One request, answered and finished, then logged and counted (observe.h). */
static void
serve_one(FCGX_Request *fr, bool local, struct api_env *env, struct observe *o)
{
	static char body[REQUEST_BULK_BODY_MAX];
	static struct request req;
	struct response resp;
	int status;

	observe_begin(o, env, is_authorizer(fr));
	response_init(&resp);
	request_parse(&req, fcgi_param, fr);
	if (is_authorizer(fr)) {
		/* An authorizer gets no body stream at all: reading one would block. */
		api_authorize(env, &req, &resp);
	} else {
		read_body(fr, &req, body);
		if ((status = web_server_error(fr)) != 0)
			api_web_server_error(env, &req, status, &resp);
		else if (request_under(&req, "dashboard"))
			dashboard_serve(env, &req, &resp);
		else
			api_serve(env, &req, &resp);
		/* Bodies carry passwords (log-in forms) and key names: not left behind. */
		sodium_memzero(body, req.body_len);
	}
	if (resp.status >= 500)
		log_error("request %s: status %d", resp.request_id, resp.status);
	send_response(fr, &resp);
	/* The client has its answer before anything is logged or counted. */
	finish_request(fr, local);
	observe_end(o, env, &req, &resp);
	response_reset(&resp);
}

static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	/* SA_RESTART keeps database reads going; the wait for a connection is
	 * interrupted regardless (epoll_wait and poll are never restarted). */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reopen;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * The pool's rate-limit table (core/ratelimit.h), else one of this process
 * alone (logged: the pool then admits up to its size times a limit).
 */
static struct ratelimit *
open_ratelimit(struct ratelimit *r, const struct config *cfg, int listen_fd)
{
	char dir[CONFIG_STR_MAX];
	bool pooled = pooldir_of(cfg->rate_limit_dir, listen_fd, dir, sizeof(dir));

	if (pooled && ratelimit_open(r, dir) == 0)
		return r;
	log_error("rate limits: %s%s; each worker limits on its own",
	          pooled ? "cannot map the table in " : "no directory for the table "
	                   "(a TCP socket: set rate_limit_dir)", pooled ? dir : "");
	return ratelimit_open(r, NULL) == 0 ? r : NULL;
}

/* How long a wait for a connection may sleep: until the next flush is due when counts are pending. */
static int
wait_timeout(const struct usage *u, int64_t next_flush)
{
	int64_t ms;

	if (u == NULL || !usage_pending(u))
		return IDLE_POLL_MS;
	ms = (next_flush - timefmt_now_us()) / 1000;
	return ms < 0 ? 0 : ms > IDLE_POLL_MS ? IDLE_POLL_MS : (int)ms;
}

/* On a graceful stop no count may be lost: retry a few times if the database is away. */
static void
final_flush(struct usage *u)
{
	for (int i = 0; u != NULL && usage_pending(u) && i < FINAL_FLUSH_TRIES; i++) {
		if (usage_flush(u) == ERR_NONE)
			return;
		sleep(1);
	}
	if (u != NULL && usage_pending(u))
		log_error("usage: %u counters could not be written before exit", u->used);
}

int
worker_run(int listen_fd, const struct config *cfg)
{
	static struct usage usage;
	static struct observe obs;
	static struct ratelimit limiter;
	static struct counters counters;
	struct api_env env = {.cfg = cfg, .counters = &counters};
	FCGX_Request fr;
	struct acceptwait wait = {.epoll_fd = -1};
	int64_t next_flush = timefmt_now_us() + FLUSH_EVERY_US;
	bool local = finish_is_local(listen_fd);
	int rc = EXIT_FAILURE;

	if (FCGX_Init() != 0)
		goto fail;
	install_signals();
	if (acceptwait_open(&wait, listen_fd) != 0)
		goto fail;
	env.db = db_new(cfg);
	if (env.db == NULL || FCGX_InitRequest(&fr, listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		goto fail;
	if (cfg->usage_tracking) {
		usage_init(&usage, env.db);
		env.usage = &usage;
	}
	verifyslot_init(&env.slots, cfg, listen_fd);
	env.ratelimit = open_ratelimit(&limiter, cfg, listen_fd);
	observe_open(&obs, &env, cfg, listen_fd);
	while (!stop_requested) {
		if (acceptwait_ready(&wait, wait_timeout(env.usage, next_flush)) &&
		    FCGX_Accept_r(&fr) >= 0)
			serve_one(&fr, local, &env, &obs);
		/* After the response is sent, so that no client waits for the flush. */
		if (env.usage != NULL && timefmt_now_us() >= next_flush) {
			usage_flush(env.usage);
			observe_sync(&obs, &env);
			next_flush = timefmt_now_us() + FLUSH_EVERY_US;
		}
		if (reopen_requested) {
			reopen_requested = 0;
			observe_reopen(&obs);
		}
	}
	final_flush(env.usage);
	observe_sync(&obs, &env);
	observe_close(&obs);
	ratelimit_close(&limiter);
	FCGX_Free(&fr, 1);
	rc = EXIT_SUCCESS;
fail:
	acceptwait_close(&wait);
	db_free(env.db);
	return rc;
}
