#include "observe.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "core/pooldir.h"

/* The pool's metrics for this process; false (logged) when it has none. */
static bool
open_metrics(struct metrics *m, const struct config *cfg, int listen_fd)
{
	char dir[CONFIG_STR_MAX];

	if (!cfg->metrics)
		return false;
	if (!pooldir_of(cfg->metrics_dir, listen_fd, dir, sizeof(dir))) {
		log_error("metrics: no directory for their file (a TCP socket: set metrics_dir); "
		          "not counted, /metrics answers 404");
		return false;
	}
	if (metrics_open(m, dir) != 0) {
		log_error("metrics: cannot map their file in %s: %s; not counted in this process",
		          dir, strerror(errno));
		return false;
	}
	metrics_worker_start(m);
	return true;
}

void
observe_open(struct observe *o, struct api_env *env, const struct config *cfg, int listen_fd)
{
	memset(o, 0, sizeof(*o));
	o->metrics.pid_slot = -1;
	o->pid = (int)getpid();
	reqlog_open(&o->log, cfg);
	env->metrics = open_metrics(&o->metrics, cfg, listen_fd) ? &o->metrics : NULL;
	env->entry = &o->entry;
	o->db_seen = *db_stats(env->db);
	if (env->usage != NULL)
		o->usage_seen = env->usage->totals;
}

void
observe_begin(struct observe *o, const struct api_env *env, bool authorizer)
{
	memset(&o->entry, 0, sizeof(o->entry));
	o->entry.start_us = timefmt_now_us();
	o->entry.pid = o->pid;
	o->entry.authorizer = authorizer;
	o->db_busy_at_start = db_stats(env->db)->busy_us;
}

/* Adds to counter c what grew from *seen to now, and remembers now. */
static void
add_growth(struct metrics *m, enum metrics_counter c, uint64_t *seen, uint64_t now)
{
	metrics_add(m, c, now - *seen);
	*seen = now;
}

void
observe_sync(struct observe *o, const struct api_env *env)
{
	const struct db_stats *d = db_stats(env->db);

	add_growth(&o->metrics, METRICS_DB_UNAVAILABLE, &o->db_seen.unavailable, d->unavailable);
	add_growth(&o->metrics, METRICS_DB_FAILED, &o->db_seen.failed, d->failed);
	add_growth(&o->metrics, METRICS_DB_RECONNECTS, &o->db_seen.reconnects, d->reconnects);
	if (env->usage == NULL)
		return;
	add_growth(&o->metrics, METRICS_USAGE_BUFFERED, &o->usage_seen.buffered,
	           env->usage->totals.buffered);
	add_growth(&o->metrics, METRICS_USAGE_FLUSHED, &o->usage_seen.flushed,
	           env->usage->totals.flushed);
	add_growth(&o->metrics, METRICS_USAGE_DROPPED, &o->usage_seen.dropped,
	           env->usage->totals.dropped);
}

void
observe_end(struct observe *o, const struct api_env *env, const struct request *req,
            const struct response *resp)
{
	struct reqlog_entry *e = &o->entry;

	e->duration_us = timefmt_now_us() - e->start_us;
	e->db_us = (int64_t)(db_stats(env->db)->busy_us - o->db_busy_at_start);
	e->request_id = resp->request_id;
	e->method = router_method_name(req->method);
	e->status = resp->status;
	e->error_code = resp->error != ERR_NONE ? err_info(resp->error)->code : NULL;
	metrics_request(&o->metrics, e);
	observe_sync(o, env);
	reqlog_write(&o->log, e);
}

void
observe_reopen(struct observe *o)
{
	reqlog_reopen(&o->log);
}

void
observe_close(struct observe *o)
{
	metrics_worker_exit(&o->metrics);
	metrics_close(&o->metrics);
	reqlog_close(&o->log);
}
