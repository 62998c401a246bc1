/*
 * Helpers shared by the process-model and fault tests (test_process.c,
 * test_faults.c): time, the stack's state files, processes seen through
 * /proc, waiting for a worker pool, forked load children and shell commands. They check
 * with CHECK_AT, so failures are reported at the calling test's line.
 */
#include "itest.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- time ------------------------------------------------------------------------------------ */

/* Monotonic seconds: comparable across the forked load children. */
double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- the stack ------------------------------------------------------------------------------- */

const char *
state_path(const char *name)
{
	return P("%s/%s", getenv("PS_STATE"), name);
}

/*
 * Only through lighttpd is the stack's server the prefork master of
 * stack.sh; elsewhere a case is skipped with one check that still means
 * something: the service answers through this web server. needs completes
 * the skip message ("needs <needs> behind lighttpd"): each test file names
 * what it needs of the stack.
 */
bool
lighttpd_only(const char *needs)
{
	return web_server_in(P("%s behind lighttpd", needs), "lighttpd", (const char *)NULL);
}

bool
web_server_in(const char *needs, ...)
{
	const char *ws = getenv("PS_WEB_SERVER"), *name;
	va_list ap;
	bool in = false;

	va_start(ap, needs);
	while (!in && (name = va_arg(ap, const char *)) != NULL)
		in = ws != NULL && strcmp(ws, name) == 0;
	va_end(ap);
	if (in)
		return true;
	printf("skipped %s: needs %s (PS_WEB_SERVER=%s)\n", itest_current, needs,
	       ws ? ws : "(unset)");
	EXPECT_STATUS(REQ(.method = "GET", .path = "/healthz"), 200);
	return false;
}

pid_t
read_pid_file(const char *path)
{
	FILE *f = fopen(path, "r");
	long v = 0;

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld", &v) != 1)
		v = 0;
	fclose(f);
	return (pid_t)v;
}

/* `key = value` of the stack's parsesphere.conf (the last one), tracked; NULL if absent. */
const char *
config_value(const char *key)
{
	FILE *f = fopen(state_path("parsesphere.conf"), "r");
	char line[512], name[64], value[448];
	const char *found = NULL;

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %63[a-z_] = %447[^\n]", name, value) == 2 && strcmp(name, key) == 0)
			found = P("%s", value);
	fclose(f);
	return found;
}

/* `workers = N` of the stack's configuration, or -1. */
int
configured_workers(void)
{
	const char *v = config_value("workers");
	int n = -1;

	return v != NULL && sscanf(v, "%d", &n) == 1 ? n : -1;
}

/* Size of a file (app.log), so that only what is written after a point is read. */
long
file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : 0;
}

/* The file from offset on, owned by the current test ("" if unreadable). */
const char *
file_from(const char *path, long offset)
{
	FILE *f = fopen(path, "r");
	char *s;
	long size = file_size(path);

	if (f == NULL || size < offset) {
		if (f != NULL)
			fclose(f);
		return "";
	}
	s = calloc(1, (size_t)(size - offset) + 1);
	if (s == NULL)
		abort();
	fseek(f, offset, SEEK_SET);
	s[fread(s, 1, (size_t)(size - offset), f)] = '\0';
	fclose(f);
	return itest_track(s, free);
}

/* ---- processes (/proc) ----------------------------------------------------------------------- */

/* State letter and parent from a /proc stat file; false when there is no such process. */
bool
stat_file(const char *path, char *state, pid_t *ppid)
{
	char buf[1024];
	const char *close_paren;
	FILE *f;
	size_t n;
	int pp;

	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* "pid (comm) S ppid ...": comm may hold spaces and parentheses */
	if ((close_paren = strrchr(buf, ')')) == NULL ||
	    sscanf(close_paren + 1, " %c %d", state, &pp) != 2)
		return false;
	*ppid = (pid_t)pp;
	return true;
}

/* State letter and parent of pid from /proc/PID/stat; false when there is no such process. */
bool
proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return stat_file(path, state, ppid);
}

/* Running (not gone, not a zombie waiting for its parent). */
bool
alive(pid_t pid)
{
	char st;
	pid_t pp;

	return pid > 0 && proc_stat(pid, &st, &pp) && st != 'Z' && st != 'X';
}

static int
cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return (x > y) - (x < y);
}

/* Live children of parent, ascending; returns how many (at most cap). */
size_t
children_of(pid_t parent, pid_t *out, size_t cap)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL && n < cap) {
		char *end, st;
		long v = strtol(e->d_name, &end, 10);
		pid_t pp;

		if (e->d_name[0] == '\0' || *end != '\0' || v <= 0)
			continue;
		if (proc_stat((pid_t)v, &st, &pp) && pp == parent && st != 'Z' && st != 'X')
			out[n++] = (pid_t)v;
	}
	closedir(d);
	qsort(out, n, sizeof(*out), cmp_pid);
	return n;
}

const char *
pid_list(const pid_t *p, size_t n)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	fputc('[', f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%d", i ? " " : "", (int)p[i]);
	fputc(']', f);
	fclose(f);
	return itest_track(s, free);
}

bool
pid_in(pid_t pid, const pid_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == pid)
			return true;
	return false;
}

/*
 * Waits up to timeout seconds for parent to have exactly n live children,
 * none of them in old[]; now[]/nnow get the last children seen. Returns the
 * seconds it took, or -1.
 */
double
wait_pool(pid_t parent, size_t n, const pid_t *old, size_t nold, double timeout, pid_t *now,
          size_t *nnow)
{
	double start = now_s();

	for (;;) {
		bool fresh = true;

		*nnow = children_of(parent, now, MAX_PIDS);
		for (size_t i = 0; i < *nnow; i++)
			fresh = fresh && !pid_in(now[i], old, nold);
		if (*nnow == n && fresh)
			return now_s() - start;
		if (now_s() - start >= timeout)
			return -1;
		sleep_s(0.05);
	}
}

/* Waits up to timeout seconds for pid to be gone (or a zombie). */
bool
wait_gone(pid_t pid, double timeout)
{
	double end = now_s() + timeout;

	while (alive(pid)) {
		if (now_s() >= end)
			return false;
		sleep_s(0.05);
	}
	return true;
}

/* Waits up to timeout seconds for our own child; its wait status in *status. */
bool
reap_child(pid_t pid, double timeout, int *status)
{
	double end = now_s() + timeout;

	for (;;) {
		pid_t got = waitpid(pid, status, WNOHANG);
		if (got == pid || (got < 0 && errno != EINTR))
			return got == pid;
		if (now_s() >= end)
			return false;
		sleep_s(0.05);
	}
}

/*
 * The stack's master (app.pid) alive with the configured number of workers;
 * pool[] and *n get them. Every process and fault case starts with this;
 * suite ("process", "fault") names the tests in the message.
 */
bool
stack_pool_at(int line, const char *suite, pid_t *master, pid_t *pool, size_t *n)
{
	int want = configured_workers();

	*master = read_pid_file(state_path("app.pid"));
	*n = 0;
	if (!CHECK_AT(*master > 0 && alive(*master), line, "no running master: app.pid %d",
	              (int)*master))
		return false;
	if (!CHECK_AT(want >= 2, line, "the stack's configuration has workers = %d; the %s "
	              "tests need a pool of at least 2", want, suite))
		return false;
	/* A worker replaced by an earlier test may be on its way back: allow the back-off. */
	wait_pool(*master, (size_t)want, NULL, 0, RESPAWN_S, pool, n);
	return CHECK_AT(*n == (size_t)want, line, "master %d has %zu workers %s, configured %d",
	                (int)*master, *n, pid_list(pool, *n), want);
}

bool
reload_at(int line, pid_t master, size_t n)
{
	pid_t pool[MAX_PIDS], now[MAX_PIDS];
	size_t nold = children_of(master, pool, MAX_PIDS), nnow;

	CHECK_AT(kill(master, SIGHUP) == 0, line, "kill -HUP %d: %s", (int)master, strerror(errno));
	return CHECK_AT(wait_pool(master, n, pool, nold, RELOAD_S, now, &nnow) >= 0, line,
	                "workers %s after SIGHUP, before %s", pid_list(now, nnow),
	                pid_list(pool, nold));
}

/* ---- runs a shell command -------------------------------------------------------------------- */

/* sh -c cmd with stdout and stderr captured into *out (tracked); returns the exit status. */
int
run_cmd(const char *cmd, const char **out)
{
	char *s = NULL, chunk[4096];
	size_t len = 0, n;
	FILE *cf = open_memstream(&s, &len), *p;
	int st;

	fflush(stdout);
	if ((p = popen(P("%s </dev/null 2>&1", cmd), "r")) == NULL) {
		fclose(cf);
		free(s);
		*out = "popen failed";
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		fwrite(chunk, 1, n, cf);
	st = pclose(p);
	fclose(cf);
	*out = itest_track(s, free);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

const char *
sq(const char *s)   /* single-quoted for sh */
{
	char *q = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&q, &len);

	fputc('\'', f);
	for (; *s != '\0'; s++)
		*s == '\'' ? fputs("'\\''", f) : fputc(*s, f);
	fputc('\'', f);
	fclose(f);
	return itest_track(q, free);
}

/* ---- usage counters and setup ---------------------------------------------------------------- */

long long
count_of(const struct http_response *r)
{
	json_object *c = jget(r->json, "request_count");

	return c && json_object_is_type(c, json_type_int) ? (long long)json_object_get_int64(c) : -1;
}

/* An account with a key under test and an observer key to read its counters. */
bool
setup_observed_at(int line, struct acct *a, struct key *k, struct key *obs, const char *label)
{
	return new_account_at(line, a, label) && new_key_at(line, k, a->id, NULL, label) &&
	       new_key_at(line, obs, a->id, NULL, "observer");
}

/* ---- load children --------------------------------------------------------------------------- */

/*
 * Forks procs children (at most LOAD_MAX_PROCS); child i runs child(its tally, flags, arg) and
 * exits 0. The tallies (tally_size bytes each) and then nflags ints (flags[LOAD_STOP] first)
 * share one zeroed anonymous mapping, which the parent reads once the children are reaped.
 * If a fork fails, the children already forked are stopped and reaped.
 */
bool
load_procs_start_at(int line, struct load_procs *l, int procs, size_t tally_size, int nflags,
                    double reap_s, load_child_fn *child, void *arg)
{
	void *shm;

	memset(l, 0, sizeof(*l));
	if (procs > LOAD_MAX_PROCS)
		procs = LOAD_MAX_PROCS;
	l->size = tally_size * LOAD_MAX_PROCS + (size_t)nflags * sizeof(int);
	shm = mmap(NULL, l->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!CHECK_AT(shm != MAP_FAILED, line, "mmap: %s", strerror(errno)))
		return false;
	memset(shm, 0, l->size);
	l->tallies = shm;
	l->flags = (volatile int *)((char *)shm + tally_size * LOAD_MAX_PROCS);
	l->reap_s = reap_s;
	fflush(stdout);
	for (int i = 0; i < procs; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			child((char *)shm + tally_size * (size_t)i, l->flags, arg);
			_exit(0);
		}
		if (!CHECK_AT(pid > 0, line, "fork: %s", strerror(errno))) {
			load_procs_finish_at(line, l);   /* no child left behind */
			load_procs_unmap(l);
			return false;
		}
		l->pids[l->procs++] = pid;
	}
	return true;
}

/* Sets flags[LOAD_STOP] and reaps every child (SIGKILL after reap_s), each checked to exit 0. */
bool
load_procs_finish_at(int line, struct load_procs *l)
{
	bool ok = true;

	if (l->tallies == NULL)
		return false;
	l->flags[LOAD_STOP] = 1;
	for (int i = 0; i < l->procs; i++) {
		int st = 0;
		bool reaped = reap_child(l->pids[i], l->reap_s, &st);
		if (!reaped) {
			kill(l->pids[i], SIGKILL);
			waitpid(l->pids[i], &st, 0);
		}
		ok &= CHECK_AT(reaped && WIFEXITED(st) && WEXITSTATUS(st) == 0, line,
		               "load child %d did not finish cleanly (status 0x%x)", (int)l->pids[i], st);
	}
	return ok;
}

void
load_procs_unmap(struct load_procs *l)
{
	if (l->tallies != NULL)
		munmap(l->tallies, l->size);
	l->tallies = NULL;
	l->flags = NULL;
}
