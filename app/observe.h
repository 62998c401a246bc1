/*
 * observe: what a worker tells about the requests it serves, once each
 * response is handed over: the request log's line (base/reqlog) and the
 * pool's metrics (core/metrics), with the progress of its database handle
 * (failures, reconnects) and of its usage counters (buffered, flushed,
 * dropped) since the last report.
 *
 *   observe_open → (observe_begin → api/dashboard note → observe_end)*
 *                → observe_close
 *
 * Ownership: struct observe is the worker's; it lends env its metrics and
 * the entry of the request being served.
 */
#ifndef PS_OBSERVE_H
#define PS_OBSERVE_H

#include <stdbool.h>

#include "api.h"

struct observe {
	struct reqlog log;
	struct metrics metrics;          /* shm NULL: off */
	struct reqlog_entry entry;       /* the request being served */
	int pid;                         /* this worker's */
	uint64_t db_busy_at_start;       /* the handle's busy_us when it was taken */
	struct db_stats db_seen;         /* what the metrics have of the handle's stats */
	struct usage_totals usage_seen;  /* ... and of the usage totals */
};

/*
 * Opens cfg's request log and the pool's metrics for the pool listening on
 * listen_fd (a failure is logged: that process counts nothing); points env at
 * the metrics and the entry. env->db and env->usage must be set.
 */
void observe_open(struct observe *o, struct api_env *env, const struct config *cfg,
                  int listen_fd);

/* A request taken: a fresh entry, its clock started. */
void observe_begin(struct observe *o, const struct api_env *env, bool authorizer);

/* Its response handed over: the entry completed, counted and logged. */
void observe_end(struct observe *o, const struct api_env *env, const struct request *req,
                 const struct response *resp);

/* The database's and the usage counters' progress into the metrics (after a flush). */
void observe_sync(struct observe *o, const struct api_env *env);

/* The request log's file opened again (SIGHUP, after logrotate moved it). */
void observe_reopen(struct observe *o);

void observe_close(struct observe *o);

#endif
