/*
 * Unit tests of lib/core/metrics.c in a private temporary directory: what one
 * request counts (route and status class, latency bucket, authentication
 * outcome) as the exposition text shows it; exact counts from processes that
 * open the file each on its own and count at once; route templates named
 * concurrently, too many of them, or too long; the pool's size, starts and
 * restarts with workers that exit cleanly or are killed.
 */
#include "../../../lib/core/metrics.c"
#include "../../../lib/core/pooldir.c"
#include "../../../lib/base/errors.c"
#include "../harness.h"

#include <sys/wait.h>

static char dir[64];

/* The value of one sample line ("name{labels}" as written), or -1 if absent. */
static long long
value_of(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *p = text; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, series, n) == 0 && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

static long long
scrape(const struct metrics *m, const char *series)
{
	size_t len;
	char *text = metrics_render(m, &len);
	long long v = text != NULL ? value_of(text, series) : -2;

	free(text);
	return v;
}

static bool
open_checked(struct metrics *m)
{
	int rc = metrics_open(m, dir);

	CHECK(rc == 0, "open %s: %s", dir, strerror(errno));
	return rc == 0;
}

static void
test_open(void)
{
	struct metrics m;
	char path[POOLDIR_PATH_MAX];
	struct stat st;

	CHECK(metrics_path(dir, path, sizeof(path)) && strstr(path, "/parsesphere-metrics-1-"),
	      "path %s", path);
	CHECK(metrics_open(&m, dir) == 0, "open: %s", strerror(errno));
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 &&
	      st.st_size == (off_t)sizeof(struct metrics_shared), "%s: mode %o, %lld bytes", path,
	      st.st_mode & 0777, (long long)st.st_size);
	CHECK(metrics_create(dir, getuid(), getgid()) == 0, "create an existing file: %s",
	      strerror(errno));
	CHECK(!metrics_path(dir, path, 20), "a path that does not fit");
	metrics_close(&m);
	CHECK(m.shm == NULL, "close");
	CHECK(metrics_open(&m, "/nonexistent/dir") == -1 && errno == ENOENT && m.shm == NULL,
	      "a directory that does not exist: errno %d", errno);
	CHECK(metrics_create("/nonexistent/dir", getuid(), getgid()) == -1, "create in nowhere");
	/* Closed, nothing is counted or shown (and nothing crashes). */
	metrics_request(&m, &(struct reqlog_entry){.status = 200});
	metrics_add(&m, METRICS_DB_FAILED, 1);
	size_t len;
	CHECK(metrics_render(&m, &len) == NULL && len == 0, "a closed handle renders");
}

static void
test_request(void)
{
	static const struct {
		int line;
		struct reqlog_entry e;
		const char *series[4];       /* each one more than before */
	} cases[] = {
		{__LINE__, {.route = "/v1/me", .status = 200, .duration_us = 400, .auth_ran = true},
		 {"parsesphere_requests_total{route=\"/v1/me\",status=\"2xx\"}",
		  "parsesphere_request_duration_seconds_bucket{le=\"0.0005\"}",
		  "parsesphere_auth_total{outcome=\"ok\"}"}},
		{__LINE__, {.route = "/v1/me", .status = 401, .duration_us = 500, .auth_ran = true,
		            .auth = ERR_INVALID_API_KEY},
		 {"parsesphere_requests_total{route=\"/v1/me\",status=\"4xx\"}",
		  "parsesphere_request_duration_seconds_bucket{le=\"0.0005\"}",
		  "parsesphere_auth_total{outcome=\"invalid_api_key\"}"}},
		{__LINE__, {.route = "/v1/api-keys/{id}", .status = 503, .duration_us = 501,
		            .auth_ran = true, .auth = ERR_SERVICE_UNAVAILABLE},
		 {"parsesphere_requests_total{route=\"/v1/api-keys/{id}\",status=\"5xx\"}",
		  "parsesphere_request_duration_seconds_bucket{le=\"0.001\"}",
		  "parsesphere_auth_total{outcome=\"service_unavailable\"}"}},
		{__LINE__, {.route = NULL, .status = 404, .duration_us = 2500000},
		 {"parsesphere_requests_total{route=\"unmatched\",status=\"4xx\"}",
		  "parsesphere_request_duration_seconds_bucket{le=\"2.5\"}"}},
		{__LINE__, {.route = "/ignored", .authorizer = true, .status = 200,
		            .duration_us = 5000001, .auth_ran = true},
		 {"parsesphere_requests_total{route=\"authorizer\",status=\"2xx\"}",
		  "parsesphere_request_duration_seconds_bucket{le=\"+Inf\"}",
		  "parsesphere_auth_total{outcome=\"ok\"}"}},
		{__LINE__, {.route = "/dashboard/login", .status = 303, .duration_us = 0},
		 {"parsesphere_requests_total{route=\"/dashboard/login\",status=\"3xx\"}",
		  "parsesphere_request_duration_seconds_bucket{le=\"0.0005\"}"}},
		{__LINE__, {.route = "/x", .status = 101, .duration_us = 1000},
		 {"parsesphere_requests_total{route=\"/x\",status=\"1xx\"}",
		  "parsesphere_request_duration_seconds_bucket{le=\"0.001\"}"}},
		/* A status outside 100-599 counts as a server error. */
		{__LINE__, {.route = "/x", .status = 0, .duration_us = 1000},
		 {"parsesphere_requests_total{route=\"/x\",status=\"5xx\"}"}},
		/* A label value keeps the format: quotes and backslashes escaped. */
		{__LINE__, {.route = "/a\"b\\c", .status = 200},
		 {"parsesphere_requests_total{route=\"/a\\\"b\\\\c\",status=\"2xx\"}"}},
	};
	struct metrics m;

	if (!open_checked(&m))
		return;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		long long before[4], count = scrape(&m, "parsesphere_request_duration_seconds_count");

		for (int s = 0; s < 4 && cases[i].series[s] != NULL; s++)
			before[s] = scrape(&m, cases[i].series[s]);
		metrics_request(&m, &cases[i].e);
		for (int s = 0; s < 4 && cases[i].series[s] != NULL; s++) {
			long long after = scrape(&m, cases[i].series[s]);
			CHECK_AT(after == (before[s] < 0 ? 0 : before[s]) + 1, cases[i].line,
			         "%s: %lld, then %lld", cases[i].series[s], before[s], after);
		}
		CHECK_AT(scrape(&m, "parsesphere_request_duration_seconds_count") == count + 1,
		         cases[i].line, "the histogram's count did not grow by one");
	}
	/* Buckets are cumulative: +Inf is the count; the sum is in seconds. */
	CHECK(scrape(&m, "parsesphere_request_duration_seconds_bucket{le=\"+Inf\"}") ==
	      scrape(&m, "parsesphere_request_duration_seconds_count"), "+Inf != count");
	CHECK(scrape(&m, "parsesphere_request_duration_seconds_bucket{le=\"5\"}") ==
	      scrape(&m, "parsesphere_request_duration_seconds_count") - 1, "le=5");
	/* Untouched counters are shown, at 0. */
	CHECK(scrape(&m, "parsesphere_db_errors_total{kind=\"failed\"}") == 0 &&
	      scrape(&m, "parsesphere_usage_counts_total{state=\"dropped\"}") == 0 &&
	      scrape(&m, "parsesphere_db_reconnects_total") == 0, "counters not at 0");
	metrics_add(&m, METRICS_DB_FAILED, 2);
	metrics_add(&m, METRICS_USAGE_FLUSHED, 7);
	metrics_add(&m, METRICS_DB_RECONNECTS, 0);
	CHECK(scrape(&m, "parsesphere_db_errors_total{kind=\"failed\"}") == 2 &&
	      scrape(&m, "parsesphere_usage_counts_total{state=\"flushed\"}") == 7,
	      "metrics_add");

	size_t len;
	char *text = metrics_render(&m, &len);
	CHECK(text != NULL && strlen(text) == len && len > 0 && text[len - 1] == '\n',
	      "the text is not whole lines");
	/* Every family has its HELP and TYPE. */
	static const char *const families[] = {
		"parsesphere_requests_total counter", "parsesphere_auth_total counter",
		"parsesphere_request_duration_seconds histogram",
		"parsesphere_db_errors_total counter", "parsesphere_db_reconnects_total counter",
		"parsesphere_usage_counts_total counter", "parsesphere_worker_starts_total counter",
		"parsesphere_worker_restarts_total counter", "parsesphere_workers gauge",
	};
	for (size_t i = 0; text != NULL && i < sizeof(families) / sizeof(families[0]); i++) {
		char type[128], help[128];
		snprintf(type, sizeof(type), "# TYPE %s\n", families[i]);
		snprintf(help, sizeof(help), "# HELP %.*s ", (int)strcspn(families[i], " "),
		         families[i]);
		CHECK(strstr(text, type) != NULL && strstr(text, help) != NULL, "no %s", type);
	}
	free(text);
	metrics_close(&m);
}

/*
 * Processes that open the file each on its own (as mod_fcgid's do) and count
 * at once: every count is there, and templates named by several at once are
 * one series.
 */
static void
test_concurrent(void)
{
	enum { PROCS = 4, EACH = 20000, NAMES = 10 };
	static const char *const names[NAMES] = {
		"/c/0", "/c/1", "/c/2", "/c/3", "/c/4", "/c/5", "/c/6", "/c/7", "/c/8", "/c/9",
	};
	struct metrics m;
	pid_t pids[PROCS];
	long long before = -1;

	if (!open_checked(&m))
		return;
	before = scrape(&m, "parsesphere_usage_counts_total{state=\"buffered\"}");
	fflush(stdout);
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			struct metrics mine;

			if (metrics_open(&mine, dir) != 0)
				_exit(1);
			for (int i = 0; i < EACH; i++) {
				metrics_request(&mine, &(struct reqlog_entry){.route = names[i % NAMES],
				                                             .status = 200});
				metrics_add(&mine, METRICS_USAGE_BUFFERED, 1);
			}
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int st = -1;
		CHECK(pids[p] > 0 && waitpid(pids[p], &st, 0) == pids[p] && WIFEXITED(st) &&
		      WEXITSTATUS(st) == 0, "child %d: status %d", p, st);
	}
	CHECK(scrape(&m, "parsesphere_usage_counts_total{state=\"buffered\"}") ==
	      before + PROCS * EACH, "usage buffered: %lld, want %lld",
	      scrape(&m, "parsesphere_usage_counts_total{state=\"buffered\"}"),
	      before + PROCS * EACH);
	for (int n = 0; n < NAMES; n++) {
		char series[96];
		snprintf(series, sizeof(series),
		         "parsesphere_requests_total{route=\"%s\",status=\"2xx\"}", names[n]);
		CHECK(scrape(&m, series) == PROCS * EACH / NAMES, "%s: %lld, want %d", series,
		      scrape(&m, series), PROCS * EACH / NAMES);
	}
	metrics_close(&m);
}

/* More templates than slots, or one too long: counted as route "other", never lost. */
static void
test_route_overflow(void)
{
	static char names[METRICS_ROUTES + 3][24];
	char too_long[METRICS_NAME_MAX + 1];
	struct metrics m;
	long long named = 0;

	if (!open_checked(&m))
		return;
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[0] = '/';
	too_long[sizeof(too_long) - 1] = '\0';
	metrics_request(&m, &(struct reqlog_entry){.route = too_long, .status = 201});
	CHECK(scrape(&m, "parsesphere_requests_total{route=\"other\",status=\"2xx\"}") == 1,
	      "a template too long is not counted as other");
	for (int i = 0; i < METRICS_ROUTES + 3; i++) {
		snprintf(names[i], sizeof(names[i]), "/overflow/%d", i);
		metrics_request(&m, &(struct reqlog_entry){.route = names[i], .status = 500});
	}
	for (int i = 0; i < METRICS_ROUTES + 3; i++) {
		char series[128];
		snprintf(series, sizeof(series),
		         "parsesphere_requests_total{route=\"%.23s\",status=\"5xx\"}", names[i]);
		named += scrape(&m, series) > 0 ? scrape(&m, series) : 0;
	}
	CHECK(named + scrape(&m, "parsesphere_requests_total{route=\"other\",status=\"5xx\"}") ==
	      METRICS_ROUTES + 3, "%lld named and %lld other, want %d in all", named,
	      scrape(&m, "parsesphere_requests_total{route=\"other\",status=\"5xx\"}"),
	      METRICS_ROUTES + 3);
	CHECK(scrape(&m, "parsesphere_requests_total{route=\"other\",status=\"5xx\"}") > 0,
	      "the slots never ran out");
	metrics_close(&m);
}

/* A worker child: starts, then exits cleanly, or waits to be killed. */
static pid_t
worker_child(bool clean, int ready[2])
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct metrics mine;

		if (metrics_open(&mine, dir) != 0)
			_exit(1);
		metrics_worker_start(&mine);
		if (write(ready[1], "x", 1) != 1)
			_exit(1);
		if (clean) {
			metrics_worker_exit(&mine);
			_exit(0);
		}
		pause();
		_exit(0);
	}
	return pid;
}

static bool
wait_ready(int ready[2])
{
	char c;

	return read(ready[0], &c, 1) == 1;
}

static void
test_workers(void)
{
	struct metrics m;
	int ready[2], st;
	pid_t a, b, c;

	if (!open_checked(&m))
		return;
	if (pipe(ready) != 0) {
		CHECK(false, "pipe: %s", strerror(errno));
		metrics_close(&m);
		return;
	}
	long long starts = scrape(&m, "parsesphere_worker_starts_total");
	long long restarts = scrape(&m, "parsesphere_worker_restarts_total");
	long long workers = scrape(&m, "parsesphere_workers");

	metrics_worker_start(&m);
	CHECK(scrape(&m, "parsesphere_workers") == workers + 1 &&
	      scrape(&m, "parsesphere_worker_starts_total") == starts + 1,
	      "this process started: %lld workers", scrape(&m, "parsesphere_workers"));
	/* a clean exit: the pool shrinks back, no restart */
	a = worker_child(true, ready);
	CHECK(wait_ready(ready) && waitpid(a, &st, 0) == a, "clean child");
	CHECK(scrape(&m, "parsesphere_workers") == workers + 1 &&
	      scrape(&m, "parsesphere_worker_starts_total") == starts + 2 &&
	      scrape(&m, "parsesphere_worker_restarts_total") == restarts,
	      "after a clean exit: %lld workers, %lld restarts", scrape(&m, "parsesphere_workers"),
	      scrape(&m, "parsesphere_worker_restarts_total"));
	/* one that is killed: alive it counts, dead it does not, its successor is a restart */
	b = worker_child(false, ready);
	CHECK(wait_ready(ready), "child b");
	CHECK(scrape(&m, "parsesphere_workers") == workers + 2, "b alive: %lld workers",
	      scrape(&m, "parsesphere_workers"));
	kill(b, SIGKILL);
	waitpid(b, &st, 0);
	CHECK(scrape(&m, "parsesphere_workers") == workers + 1, "b killed: %lld workers",
	      scrape(&m, "parsesphere_workers"));
	c = worker_child(true, ready);
	CHECK(wait_ready(ready) && waitpid(c, &st, 0) == c, "child c");
	CHECK(scrape(&m, "parsesphere_worker_restarts_total") == restarts + 1 &&
	      scrape(&m, "parsesphere_worker_starts_total") == starts + 4,
	      "after a killed worker's successor: %lld restarts, %lld starts",
	      scrape(&m, "parsesphere_worker_restarts_total"),
	      scrape(&m, "parsesphere_worker_starts_total"));
	/* that place is free again: the next start is no restart */
	c = worker_child(true, ready);
	CHECK(wait_ready(ready) && waitpid(c, &st, 0) == c, "child d");
	CHECK(scrape(&m, "parsesphere_worker_restarts_total") == restarts + 1,
	      "a second restart counted for one death");
	metrics_worker_exit(&m);
	CHECK(scrape(&m, "parsesphere_workers") == workers && m.pid_slot == -1,
	      "after this process exited: %lld workers", scrape(&m, "parsesphere_workers"));
	close(ready[0]);
	close(ready[1]);
	metrics_close(&m);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");
	char path[POOLDIR_PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/test_metrics.XXXXXX",
	         tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	test_open();
	test_request();
	test_concurrent();
	test_route_overflow();
	test_workers();
	if (metrics_path(dir, path, sizeof(path)))
		unlink(path);
	rmdir(dir);
	return harness_summary();
}
