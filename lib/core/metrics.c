#include "core/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "base/errors.h"
#include "core/pooldir.h"

#define METRICS_LAYOUT 1             /* bump when the meaning of the layout changes */

enum { ROUTE_FREE, ROUTE_NAMING, ROUTE_NAMED };

struct metrics_route {
	uint32_t state;                  /* ROUTE_*; NAMED is published after the name */
	char name[METRICS_NAME_MAX];
	uint64_t by_class[METRICS_CLASSES];
};

/* The file. All zeroes is a valid state: nothing counted yet. */
struct metrics_shared {
	struct metrics_route routes[METRICS_ROUTES];
	uint64_t other_route[METRICS_CLASSES];   /* when no slot can be had */
	uint64_t auth[ERR__COUNT];               /* by outcome; ERR_NONE: a caller */
	uint64_t latency[METRICS_BUCKETS];       /* by bucket, not cumulated */
	uint64_t latency_sum_us;
	uint64_t counters[METRICS__COUNT];
	int32_t pids[METRICS_PIDS];              /* 0: free */
};

/* Upper bounds of the latency buckets, microseconds; the last one is +Inf. */
static const int64_t bucket_us[METRICS_BUCKETS - 1] = {
	500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000,
	2500000, 5000000,
};

#define LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define ADD(p, n) __atomic_fetch_add((p), (n), __ATOMIC_RELAXED)

static const struct pooldir_file metrics_file = {"metrics", METRICS_LAYOUT, sizeof(struct metrics_shared)};

bool
metrics_path(const char *dir, char *path, size_t cap)
{
	return pooldir_path(dir, &metrics_file, path, cap);
}

int
metrics_create(const char *dir, uid_t uid, gid_t gid)
{
	return pooldir_create(dir, &metrics_file, uid, gid);
}

int
metrics_open(struct metrics *m, const char *dir)
{
	memset(m, 0, sizeof(*m));
	m->pid_slot = -1;
	m->shm = pooldir_map(dir, &metrics_file);
	return m->shm != NULL ? 0 : -1;
}

void
metrics_close(struct metrics *m)
{
	if (m->shm != NULL)
		munmap(m->shm, sizeof(struct metrics_shared));
	m->shm = NULL;
	m->pid_slot = -1;
	m->ncached = 0;
}

/* ---- workers ------------------------------------------------------------------ */

/* A process with this pid exists (it may be another user's: EPERM). */
static bool
pid_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

void
metrics_worker_start(struct metrics *m)
{
	int32_t me = (int32_t)getpid();
	bool replaced = false;

	if (m->shm == NULL)
		return;
	/* First the place of a worker that died without a clean exit: that death was a restart. */
	for (int i = 0; i < METRICS_PIDS && m->pid_slot < 0; i++) {
		int32_t p = LOAD(&m->shm->pids[i]);

		if (p != 0 && (p == me || !pid_alive(p)) &&
		    __atomic_compare_exchange_n(&m->shm->pids[i], &p, me, false, __ATOMIC_RELAXED,
		                                __ATOMIC_RELAXED)) {
			m->pid_slot = i;
			replaced = true;
		}
	}
	for (int i = 0; i < METRICS_PIDS && m->pid_slot < 0; i++) {
		int32_t free_slot = 0;

		if (__atomic_compare_exchange_n(&m->shm->pids[i], &free_slot, me, false,
		                                __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			m->pid_slot = i;
	}
	ADD(&m->shm->counters[METRICS_WORKER_STARTS], 1);
	if (replaced)
		ADD(&m->shm->counters[METRICS_WORKER_RESTARTS], 1);
}

void
metrics_worker_exit(struct metrics *m)
{
	int32_t me = (int32_t)getpid();

	if (m->shm != NULL && m->pid_slot >= 0)
		__atomic_compare_exchange_n(&m->shm->pids[m->pid_slot], &me, 0, false,
		                            __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	m->pid_slot = -1;
}

/* ---- counting -------------------------------------------------------------------- */

/* The slot named name in the file, naming a free one if need be; -1: none left. */
static int
claim_route(struct metrics_shared *s, const char *name)
{
	size_t len = strlen(name);

	if (len >= METRICS_NAME_MAX)
		return -1;
	for (int i = 0; i < METRICS_ROUTES; i++)
		if (__atomic_load_n(&s->routes[i].state, __ATOMIC_ACQUIRE) == ROUTE_NAMED &&
		    strcmp(s->routes[i].name, name) == 0)
			return i;
	/*
	 * Two processes naming the same template at once take two slots, and a
	 * process that dies while naming leaves one unnamed: the exposition adds
	 * up slots of the same name and skips unnamed ones.
	 */
	for (int i = 0; i < METRICS_ROUTES; i++) {
		uint32_t expect = ROUTE_FREE;

		if (!__atomic_compare_exchange_n(&s->routes[i].state, &expect, ROUTE_NAMING, false,
		                                 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
			continue;
		memcpy(s->routes[i].name, name, len + 1);
		__atomic_store_n(&s->routes[i].state, ROUTE_NAMED, __ATOMIC_RELEASE);
		return i;
	}
	return -1;
}

static int
route_slot(struct metrics *m, const char *name)
{
	int slot;

	for (unsigned i = 0; i < m->ncached; i++)
		if (m->cache[i].name == name)
			return m->cache[i].slot;
	slot = claim_route(m->shm, name);
	if (slot >= 0 && m->ncached < METRICS_CACHE) {
		m->cache[m->ncached].name = name;
		m->cache[m->ncached].slot = slot;
		m->ncached++;
	}
	return slot;
}

void
metrics_request(struct metrics *m, const struct reqlog_entry *e)
{
	const char *name = e->authorizer ? METRICS_AUTHORIZER :
	                   e->route != NULL ? e->route : METRICS_UNMATCHED;
	int cls = e->status >= 100 && e->status <= 599 ? e->status / 100 - 1 : 4;
	int slot, b = 0;

	if (m->shm == NULL)
		return;
	slot = route_slot(m, name);
	ADD(slot >= 0 ? &m->shm->routes[slot].by_class[cls] : &m->shm->other_route[cls], 1);
	while (b < METRICS_BUCKETS - 1 && e->duration_us > bucket_us[b])
		b++;
	ADD(&m->shm->latency[b], 1);
	ADD(&m->shm->latency_sum_us, e->duration_us > 0 ? (uint64_t)e->duration_us : 0);
	if (e->auth_ran && (unsigned)e->auth < ERR__COUNT)
		ADD(&m->shm->auth[e->auth], 1);
}

void
metrics_add(struct metrics *m, enum metrics_counter c, uint64_t n)
{
	if (m->shm != NULL && n > 0)
		ADD(&m->shm->counters[c], n);
}

/* ---- the exposition ------------------------------------------------------------ */

static const char *const class_name[METRICS_CLASSES] = {"1xx", "2xx", "3xx", "4xx", "5xx"};

/* A label value as the text format wants it: \, " and newlines escaped. */
static void
label_value(FILE *f, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void
family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(FILE *f, const char *name, const char *label, const char *value, uint64_t n)
{
	fputs(name, f);
	if (label != NULL) {
		fprintf(f, "{%s=\"", label);
		label_value(f, value);
		fputs("\"}", f);
	}
	fprintf(f, " %llu\n", (unsigned long long)n);
}

static void
route_sample(FILE *f, const char *route, int cls, uint64_t n)
{
	fputs("parsesphere_requests_total{route=\"", f);
	label_value(f, route);
	fprintf(f, "\",status=\"%s\"} %llu\n", class_name[cls], (unsigned long long)n);
}

/* Requests by route and class, the slots of one name added up (claim_route). */
static void
render_requests(FILE *f, const struct metrics_shared *s)
{
	char copy[METRICS_ROUTES][METRICS_NAME_MAX];
	bool named[METRICS_ROUTES];

	family(f, "parsesphere_requests_total", "counter", "Requests answered, by route "
	       "template (unmatched: no route; authorizer: FastCGI Authorizer checks) and "
	       "status class.");
	for (int i = 0; i < METRICS_ROUTES; i++) {
		named[i] = __atomic_load_n(&s->routes[i].state, __ATOMIC_ACQUIRE) == ROUTE_NAMED;
		if (named[i])
			memcpy(copy[i], s->routes[i].name, METRICS_NAME_MAX);
		copy[i][METRICS_NAME_MAX - 1] = '\0';
	}
	for (int i = 0; i < METRICS_ROUTES; i++) {
		uint64_t n[METRICS_CLASSES] = {0};
		bool first = named[i];

		for (int j = 0; j < i && first; j++)
			first = !(named[j] && strcmp(copy[j], copy[i]) == 0);
		if (!first)
			continue;
		for (int j = i; j < METRICS_ROUTES; j++) {
			if (!named[j] || strcmp(copy[j], copy[i]) != 0)
				continue;
			for (int c = 0; c < METRICS_CLASSES; c++)
				n[c] += LOAD(&s->routes[j].by_class[c]);
		}
		for (int c = 0; c < METRICS_CLASSES; c++)
			if (n[c] > 0)
				route_sample(f, copy[i], c, n[c]);
	}
	for (int c = 0; c < METRICS_CLASSES; c++)
		if (LOAD(&s->other_route[c]) > 0)
			route_sample(f, "other", c, LOAD(&s->other_route[c]));
}

static void
render_auth(FILE *f, const struct metrics_shared *s)
{
	static const char name[] = "parsesphere_auth_total";

	family(f, name, "counter", "API key authentications, by outcome: ok, or the "
	       "error_code of the refusal.");
	for (int e = 0; e < ERR__COUNT; e++) {
		uint64_t n = LOAD(&s->auth[e]);

		if (n > 0)
			sample(f, name, "outcome", e == ERR_NONE ? "ok" : err_info((enum err)e)->code, n);
	}
}

/* Cumulated from the buckets, so that +Inf and _count always agree. */
static void
render_latency(FILE *f, const struct metrics_shared *s)
{
	static const char name[] = "parsesphere_request_duration_seconds";
	uint64_t total = 0;

	family(f, name, "histogram", "Time from taking a request to handing over its response.");
	for (int b = 0; b < METRICS_BUCKETS; b++) {
		total += LOAD(&s->latency[b]);
		if (b < METRICS_BUCKETS - 1)
			fprintf(f, "%s_bucket{le=\"%g\"} %llu\n", name, (double)bucket_us[b] / 1e6,
			        (unsigned long long)total);
		else
			fprintf(f, "%s_bucket{le=\"+Inf\"} %llu\n", name, (unsigned long long)total);
	}
	fprintf(f, "%s_sum %.6f\n%s_count %llu\n", name, (double)LOAD(&s->latency_sum_us) / 1e6,
	        name, (unsigned long long)total);
}

static void
render_counters(FILE *f, const struct metrics_shared *s)
{
	const uint64_t *c = s->counters;
	unsigned alive = 0;

	family(f, "parsesphere_db_errors_total", "counter", "Database calls that failed: "
	       "unavailable (answered 503, Retry-After) or failed (answered 500).");
	sample(f, "parsesphere_db_errors_total", "kind", "unavailable",
	       LOAD(&c[METRICS_DB_UNAVAILABLE]));
	sample(f, "parsesphere_db_errors_total", "kind", "failed", LOAD(&c[METRICS_DB_FAILED]));
	family(f, "parsesphere_db_reconnects_total", "counter", "Database connections opened "
	       "again after a worker's first (the previous one was lost or dropped).");
	sample(f, "parsesphere_db_reconnects_total", NULL, NULL, LOAD(&c[METRICS_DB_RECONNECTS]));
	family(f, "parsesphere_usage_counts_total", "counter", "Usage counts (requests of a key) "
	       "buffered in the workers, flushed to the database, or dropped (buffer full, "
	       "database away).");
	sample(f, "parsesphere_usage_counts_total", "state", "buffered",
	       LOAD(&c[METRICS_USAGE_BUFFERED]));
	sample(f, "parsesphere_usage_counts_total", "state", "flushed",
	       LOAD(&c[METRICS_USAGE_FLUSHED]));
	sample(f, "parsesphere_usage_counts_total", "state", "dropped",
	       LOAD(&c[METRICS_USAGE_DROPPED]));
	family(f, "parsesphere_worker_starts_total", "counter", "Worker processes started.");
	sample(f, "parsesphere_worker_starts_total", NULL, NULL, LOAD(&c[METRICS_WORKER_STARTS]));
	family(f, "parsesphere_worker_restarts_total", "counter", "Workers started in the place "
	       "of one that died without a clean exit (a crash, SIGKILL).");
	sample(f, "parsesphere_worker_restarts_total", NULL, NULL,
	       LOAD(&c[METRICS_WORKER_RESTARTS]));
	for (int i = 0; i < METRICS_PIDS; i++) {
		int32_t p = LOAD(&s->pids[i]);
		alive += p > 0 && pid_alive(p);
	}
	family(f, "parsesphere_workers", "gauge", "Worker processes of the pool alive now.");
	sample(f, "parsesphere_workers", NULL, NULL, alive);
}

char *
metrics_render(const struct metrics *m, size_t *len)
{
	char *text = NULL;
	FILE *f;

	*len = 0;
	if (m->shm == NULL || (f = open_memstream(&text, len)) == NULL)
		return NULL;
	render_requests(f, m->shm);
	render_auth(f, m->shm);
	render_latency(f, m->shm);
	render_counters(f, m->shm);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}
