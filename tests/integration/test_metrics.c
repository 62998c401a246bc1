/*
 * Integration tests of GET /metrics (issue 13, lib/core/metrics.c,
 * app/scrape.c): the exposition as Prometheus' own parser reads it, counts
 * exact under concurrency across the pool's processes (the prefork workers
 * behind lighttpd, the processes mod_fcgid spawned one by one behind
 * Apache), the path unknown to other addresses, and the pool's size and
 * restarts (through lighttpd, whose pool's master is the stack's).
 *
 * A worker counts a request once its response is handed over, so a client
 * can read its answer a moment before it is counted: a test first waits
 * until the counts stand still (SETTLE), and the counts after the load are
 * read until they reach what they must (then they must be exactly that).
 * Usage counts are flushed up to a second after they were buffered, also
 * those of earlier tests: how many are flushed in a test's time is known
 * only to be at least its own.
 */
#include "itest.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define FLUSH_S 3.0             /* usage counts flushed within this (docs/api.md: 2 s) */
#define HISTOGRAM "parsesphere_request_duration_seconds"
#define REQS(route, cls) "parsesphere_requests_total{route=\"" route "\",status=\"" cls "\"}"
#define AUTH(outcome) "parsesphere_auth_total{outcome=\"" outcome "\"}"
#define USAGE(state) "parsesphere_usage_counts_total{state=\"" state "\"}"

#define EXPECT_GROWTH(after, before, series, want) \
	CHECK(sample_of(after, series) - sample_of(before, series) == (want), \
	      "%s grew by %.0f, want %d", series, \
	      sample_of(after, series) - sample_of(before, series), (int)(want))

/* ---- the exposition ------------------------------------------------------------------------ */

/* The families, their types, and a histogram whose buckets add up. */
static void
test_metrics_exposition(void)
{
	static const struct { int line; const char *family, *type; } families[] = {
		{__LINE__, "parsesphere_requests", "counter"},
		{__LINE__, "parsesphere_auth", "counter"},
		{__LINE__, HISTOGRAM, "histogram"},
		{__LINE__, "parsesphere_db_errors", "counter"},
		{__LINE__, "parsesphere_db_reconnects", "counter"},
		{__LINE__, "parsesphere_usage_counts", "counter"},
		{__LINE__, "parsesphere_worker_starts", "counter"},
		{__LINE__, "parsesphere_worker_restarts", "counter"},
		{__LINE__, "parsesphere_workers", "gauge"},
	};
	static const char *const le[] = {
		"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5",
		"1", "2.5", "5", "+Inf",
	};
	struct http_response *r = REQ(.method = "GET", .path = "/metrics");
	struct scrape s;
	double prev = 0;

	if (EXPECT_STATUS(r, 200)) {
		CHECK(http_header(r, "Cache-Control") && strcmp(http_header(r, "Cache-Control"),
		      "no-store") == 0 && http_header(r, "X-Request-Id") != NULL,
		      "GET /metrics: Cache-Control %s, X-Request-Id %s",
		      http_header(r, "Cache-Control") ? http_header(r, "Cache-Control") : "(none)",
		      http_header(r, "X-Request-Id") ? http_header(r, "X-Request-Id") : "(none)");
		CHECK(strstr(r->body, "sk_") == NULL, "a key's text in the metrics: %.300s", r->body);
	}
	if (!SCRAPE(&s))
		return;
	for (size_t i = 0; i < N_ELEMS(families); i++) {
		const char *t = jstr(s.types, families[i].family);
		CHECK_AT(t != NULL && strcmp(t, families[i].type) == 0, families[i].line,
		         "family %s: type %s, want %s", families[i].family, t ? t : "(none)",
		         families[i].type);
	}
	for (size_t i = 0; i < N_ELEMS(le); i++) {
		double v = sample_of(&s, P(HISTOGRAM "_bucket{le=\"%s\"}", le[i]));
		CHECK(v >= prev, "bucket le=%s: %.0f, below the one before (%.0f)", le[i], v, prev);
		prev = v;
	}
	CHECK(prev == sample_of(&s, HISTOGRAM "_count") && prev > 0, "+Inf %.0f, count %.0f",
	      prev, sample_of(&s, HISTOGRAM "_count"));
	CHECK(sample_of(&s, "parsesphere_workers") >= 1 &&
	      sample_of(&s, "parsesphere_worker_starts_total") >= sample_of(&s, "parsesphere_workers"),
	      "%.0f workers, %.0f started", sample_of(&s, "parsesphere_workers"),
	      sample_of(&s, "parsesphere_worker_starts_total"));
}

/* ---- exact counts ------------------------------------------------------------------------- */

/* Children each sending `each` GET /v1/me with key; how many answered `status`, in shm. */
static bool
load(const char *key, int procs, int each, int status, int *answered)
{
	int *shm = mmap(NULL, sizeof(int) * LOAD_MAX_PROCS, PROT_READ | PROT_WRITE,
	                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pids[LOAD_MAX_PROCS];
	bool ok = true;

	*answered = 0;
	if (shm == MAP_FAILED)
		return false;
	memset(shm, 0, sizeof(int) * LOAD_MAX_PROCS);
	fflush(stdout);
	for (int i = 0; i < procs; i++)
		if ((pids[i] = fork()) == 0) {
			const char *hdrs[] = {P("Authorization: Bearer %s", key), NULL};
			for (int j = 0; j < each; j++) {
				struct http_response *r = http_do(&(struct http_request){
					.method = "GET", .path = "/v1/me", .headers = hdrs});
				shm[i] += r->status == status;
				http_response_free(r);
			}
			_exit(0);
		}
	for (int i = 0; i < procs; i++) {
		int st = -1;
		ok &= pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0;
		*answered += shm[i];
	}
	munmap(shm, sizeof(int) * LOAD_MAX_PROCS);
	return ok;
}

/*
 * N requests from several processes at once, spread over the pool's
 * processes: every counter they touch grows by exactly N.
 */
static void
test_metrics_count_exactly_under_concurrency(void)
{
	enum { PROCS = 6, GOOD = 12, BAD = 4 };
	struct acct a;
	struct key k;
	struct scrape before, after;
	char wrong[50];
	int ok = 0, refused = 0;
	pid_t pid;

	if (!NEW_ACCOUNT(&a, "metrics") || !NEW_KEY(&k, a.id, NULL, "metrics") || !SETTLE(&before))
		return;
	random_wellformed_key(wrong);
	fflush(stdout);
	/* the good and the refused keys at once, from 2 x PROCS processes */
	if ((pid = fork()) == 0)
		_exit(load(wrong, PROCS, BAD, 401, &refused) && refused == PROCS * BAD ? 0 : 1);
	CHECK(load(k.secret, PROCS, GOOD, 200, &ok) && ok == PROCS * GOOD,
	      "%d of %d GET /v1/me answered 200", ok, PROCS * GOOD);
	int st = -1;
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	      "%d GET /v1/me with an unknown key: not all answered 401 (status 0x%x)",
	      PROCS * BAD, st);

	grown_to(&after, &before, REQS("/v1/me", "4xx"), PROCS * BAD, FLUSH_S);
	grown_to(&after, &before, REQS("/v1/me", "2xx"), PROCS * GOOD, FLUSH_S);
	EXPECT_GROWTH(&after, &before, REQS("/v1/me", "2xx"), PROCS * GOOD);
	EXPECT_GROWTH(&after, &before, REQS("/v1/me", "4xx"), PROCS * BAD);
	EXPECT_GROWTH(&after, &before, AUTH("ok"), PROCS * GOOD);
	EXPECT_GROWTH(&after, &before, AUTH("invalid_api_key"), PROCS * BAD);
	EXPECT_GROWTH(&after, &before, USAGE("buffered"), PROCS * GOOD);
	/* the scrapes since `before` count too: each is /metrics, 2xx */
	double scrapes = sample_of(&after, REQS("/metrics", "2xx")) -
	                 sample_of(&before, REQS("/metrics", "2xx"));
	CHECK(scrapes >= 1 && sample_of(&after, HISTOGRAM "_count") -
	      sample_of(&before, HISTOGRAM "_count") == PROCS * (GOOD + BAD) + scrapes,
	      "the histogram counted %.0f requests, want %d and %.0f scrapes",
	      sample_of(&after, HISTOGRAM "_count") - sample_of(&before, HISTOGRAM "_count"),
	      PROCS * (GOOD + BAD), scrapes);
	CHECK(sample_of(&after, REQS("unmatched", "4xx")) == sample_of(&before, REQS("unmatched", "4xx")),
	      "requests counted as unmatched");
	/* within a flush, every buffered count is written (and maybe some of earlier tests) */
	CHECK(grown_to(&after, &before, USAGE("flushed"), PROCS * GOOD, FLUSH_S) >= PROCS * GOOD,
	      "usage counts flushed: %.0f, want at least %d",
	      sample_of(&after, USAGE("flushed")) - sample_of(&before, USAGE("flushed")),
	      PROCS * GOOD);
	EXPECT_GROWTH(&after, &before, USAGE("dropped"), 0);
}

/* ---- who may read them --------------------------------------------------------------------- */

/* The names of the headers of r but the transport's, sorted by the order sent. */
static const char *
header_names(const struct http_response *r)
{
	const char *s = "";

	for (size_t i = 0; i < r->nheaders; i++)
		if (strcasecmp(r->headers[i].name, "Date") != 0 &&
		    strcasecmp(r->headers[i].name, "Content-Length") != 0)
			s = P("%s%s,", s, r->headers[i].name);
	return s;
}

/*
 * From an address not in metrics_allow, /metrics is an unknown path: the
 * same 404 as any other, 405 included; from 127.0.0.1 it is a route.
 */
static void
test_metrics_unknown_to_other_addresses(void)
{
	const char *unknown = P("/%s", unique("nothing-here"));
	struct http_response *m, *u, *post, *mine;

	m = REQ(.method = "GET", .path = "/metrics", .source = "127.0.0.77");
	u = REQ(.method = "GET", .path = unknown, .source = "127.0.0.77");
	if (EXPECT_ERROR(m, 404, "not_found") && EXPECT_ERROR(u, 404, "not_found")) {
		CHECK(strcmp(jstr(m->json, "message"), jstr(u->json, "message")) == 0 &&
		      jkeys_exactly(m->json, "error_code,message,request_id", (char[64]){0}, 64),
		      "GET /metrics from 127.0.0.77 %s, an unknown path %s", m->body, u->body);
		CHECK(strcmp(header_names(m), header_names(u)) == 0,
		      "headers of GET /metrics from 127.0.0.77: %s; of an unknown path: %s",
		      header_names(m), header_names(u));
	}
	post = REQ(.method = "POST", .path = "/metrics", .source = "127.0.0.77");
	if (EXPECT_ERROR(post, 404, "not_found"))
		CHECK(http_header(post, "Allow") == NULL, "POST /metrics from 127.0.0.77: Allow %s",
		      http_header(post, "Allow"));
	CHECK(strstr(m->body, "parsesphere_") == NULL, "metrics shown to 127.0.0.77");
	mine = REQ(.method = "POST", .path = "/metrics");
	if (EXPECT_ERROR(mine, 405, "method_not_allowed"))
		CHECK(http_header(mine, "Allow") && strcmp(http_header(mine, "Allow"), "GET") == 0,
		      "POST /metrics from 127.0.0.1: Allow %s", http_header(mine, "Allow"));
	EXPECT_STATUS(REQ(.method = "GET", .path = "/metrics"), 200);
}

/* ---- the pool ----------------------------------------------------------------------------- */

/* The pool's size; a worker killed with -9 and respawned counts one start and one restart. */
static void
test_metrics_pool_size_and_restarts(void)
{
	pid_t master, pool[MAX_PIDS], now[MAX_PIDS];
	size_t n, nnow;
	struct scrape before, after;

	if (!lighttpd_only("the prefork master of scripts/stack.sh") ||
	    !stack_pool_at(__LINE__, "metrics", &master, pool, &n) || !SCRAPE(&before))
		return;
	CHECK(sample_of(&before, "parsesphere_workers") == (double)n,
	      "parsesphere_workers %.0f, the pool has %zu", sample_of(&before, "parsesphere_workers"),
	      n);
	CHECK(kill(pool[0], SIGKILL) == 0, "kill -9 %d: %s", (int)pool[0], strerror(errno));
	CHECK(wait_pool(master, n, pool, 1, RESPAWN_S, now, &nnow) >= 0,
	      "the pool after kill -9 of %d: %s", (int)pool[0], pid_list(now, nnow));
	/* the new worker registers itself as it starts */
	grown_to(&after, &before, "parsesphere_worker_starts_total", 1, RESPAWN_S);
	EXPECT_GROWTH(&after, &before, "parsesphere_worker_starts_total", 1);
	EXPECT_GROWTH(&after, &before, "parsesphere_worker_restarts_total", 1);
	CHECK(sample_of(&after, "parsesphere_workers") == (double)n,
	      "parsesphere_workers %.0f after the respawn, the pool has %zu",
	      sample_of(&after, "parsesphere_workers"), n);
}

const struct itest_case itest_metrics_cases[] = {
	ITEST(test_metrics_exposition),
	ITEST(test_metrics_count_exactly_under_concurrency),
	ITEST(test_metrics_unknown_to_other_addresses),
	ITEST(test_metrics_pool_size_and_restarts),
};
const size_t itest_metrics_count = N_ELEMS(itest_metrics_cases);
