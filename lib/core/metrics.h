/*
 * metrics: the counters of GET /metrics (Prometheus text exposition format
 * 0.0.4), counted by every worker process of a pool and read by whichever
 * worker answers the scrape.
 *
 * The processes of a pool may have no common parent (mod_fcgid and lighttpd
 * bin-path start them one by one), so the counters live in a file of the
 * pool's directory (core/pooldir: metrics_dir, else the listening unix
 * socket's), mapped MAP_SHARED by each process and updated with atomic
 * additions: exact however many processes count at once, and kept when a
 * process dies, SIGKILL included. The file has a fixed size (its layout is
 * in its name, parsesphere-metrics-LAYOUT-SIZE, so that two builds never
 * read each other's): 64 route templates by status class, the API's error
 * codes, the latency histogram's buckets, the counters below, and 256
 * worker pids. Counts run from the file's creation: it lives as long as the
 * directory keeps it (/run: until a reboot); delete it to start from zero.
 *
 * Route templates are claimed by name in the file (the first process that
 * counts one names a slot for it), so the file does not depend on a route
 * table; each process remembers the slots of the templates it met.
 *
 * The pool's size is the number of pids in the file whose process is alive;
 * a worker that starts in the place of one that died without a clean exit
 * (a crash, SIGKILL) counts a restart.
 */
#ifndef PS_METRICS_H
#define PS_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/reqlog.h"

#define METRICS_ROUTES      64       /* distinct route templates */
#define METRICS_NAME_MAX    60       /* bytes of a template, its NUL included */
#define METRICS_CLASSES     5        /* status 1xx to 5xx */
#define METRICS_BUCKETS     14       /* the latency histogram's, +Inf included */
#define METRICS_PIDS        256      /* workers tracked at once */
#define METRICS_CACHE       32       /* templates a process remembers the slot of */

/* The route label of a request no route matched, and of a FastCGI Authorizer check. */
#define METRICS_UNMATCHED   "unmatched"
#define METRICS_AUTHORIZER  "authorizer"

/* Counters without labels of their own (the exposition gives them names). */
enum metrics_counter {
	METRICS_DB_UNAVAILABLE,          /* database calls that failed as 503s */
	METRICS_DB_FAILED,               /* ... and as 500s */
	METRICS_DB_RECONNECTS,           /* connections opened after the first of a process */
	METRICS_USAGE_BUFFERED,          /* usage counts recorded in a worker's memory */
	METRICS_USAGE_FLUSHED,           /* ... written to the database */
	METRICS_USAGE_DROPPED,           /* ... lost: the buffer was full and the database away */
	METRICS_WORKER_STARTS,
	METRICS_WORKER_RESTARTS,
	METRICS__COUNT
};

struct metrics_shared;               /* the file's layout, private to metrics.c */

/* One process's view of the file. */
struct metrics {
	struct metrics_shared *shm;      /* NULL: not open */
	int pid_slot;                    /* this worker's, -1: none */
	unsigned ncached;
	struct {
		const char *name;            /* a template's static text, compared by address */
		int slot;
	} cache[METRICS_CACHE];
};

/* The file of directory dir into path; false if it does not fit. */
bool metrics_path(const char *dir, char *path, size_t cap);

/*
 * Creates the file (if need be) owned by uid:gid, mode 0600: a server started
 * as root does so before it becomes a user that may not write in the
 * directory. -1 with errno on failure.
 */
int metrics_create(const char *dir, uid_t uid, gid_t gid);

/* Maps dir's file, creating it if need be. -1 with errno on failure (m stays closed). */
int metrics_open(struct metrics *m, const char *dir);
void metrics_close(struct metrics *m);

/* A worker process begins and ends serving (its pid in the file; a start, maybe a restart). */
void metrics_worker_start(struct metrics *m);
void metrics_worker_exit(struct metrics *m);

/* One answered request: its route and status class, its latency, its authentication. */
void metrics_request(struct metrics *m, const struct reqlog_entry *e);

void metrics_add(struct metrics *m, enum metrics_counter c, uint64_t n);

/*
 * The exposition text of the whole pool (malloc'ed, *len bytes, NUL-terminated);
 * NULL when out of memory.
 */
char *metrics_render(const struct metrics *m, size_t *len);

#endif
