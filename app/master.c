#include "master.h"

#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"

#define MAX_WORKERS 256
#define STOP_GRACE_S 20         /* then SIGKILL; covers a worker's final flush retries */
#define YOUNG_DEATH_S 2         /* a worker dying sooner counts toward back-off */
#define BACKOFF_MAX_MS 5000

struct slot {
	pid_t pid;                  /* 0: empty */
	time_t started;
	bool stale;                 /* runs an old configuration: replace it (SIGHUP) */
	bool retiring;              /* asked to stop for that */
};

static struct timespec
ms_ts(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	return t;
}

static pid_t
spawn(int listen_fd, const struct config *cfg, const sigset_t *orig, master_worker_fn fn)
{
	pid_t pid = fork();

	if (pid == 0) {
		sigprocmask(SIG_SETMASK, orig, NULL);
		/* exit, not _exit: sanitizers and libraries run their exit hooks in workers. */
		exit(fn(listen_fd, cfg));
	}
	if (pid < 0)
		log_error("fork: %s", strerror(errno));
	return pid;
}

/* Reaps every exited child; returns how many died young. */
static int
reap(struct slot *slots, unsigned n, int *alive)
{
	int status, young = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned i = 0; i < n; i++) {
			if (slots[i].pid != pid)
				continue;
			if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0)
				log_error("worker %d exited (status %d, signal %d)", (int)pid,
				          WIFEXITED(status) ? WEXITSTATUS(status) : -1,
				          WIFSIGNALED(status) ? WTERMSIG(status) : 0);
			if (time(NULL) - slots[i].started < YOUNG_DEATH_S && !slots[i].retiring)
				young++;
			slots[i].pid = 0;
			slots[i].stale = slots[i].retiring = false;
			(*alive)--;
		}
	}
	return young;
}

static void
stop_all(struct slot *slots, unsigned n, int alive)
{
	sigset_t chld;
	struct timespec ts = {1, 0};
	time_t deadline = time(NULL) + STOP_GRACE_S;

	for (unsigned i = 0; i < n; i++)
		if (slots[i].pid > 0)
			kill(slots[i].pid, SIGTERM);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	while (alive > 0 && time(NULL) < deadline) {
		sigtimedwait(&chld, NULL, &ts);
		reap(slots, n, &alive);
	}
	for (unsigned i = 0; i < n; i++)
		if (slots[i].pid > 0) {
			log_error("worker %d did not stop in %d s; killing it",
			          (int)slots[i].pid, STOP_GRACE_S);
			kill(slots[i].pid, SIGKILL);
		}
	while (alive > 0 && waitpid(-1, NULL, 0) > 0)
		alive--;
}

/*
 * SIGHUP: re-read the configuration; on success every running worker is
 * marked stale and replaced one at a time (retire_next), so the others keep
 * serving and no request is dropped. A bad file keeps the old configuration.
 */
static void
reload(struct config *cfg, const char *path, struct slot *slots, unsigned n)
{
	struct config fresh;
	char err[512];

	if (cfg == NULL || path == NULL)
		return;
	if (config_load(&fresh, path, err, sizeof(err)) != 0) {
		log_error("reload: %s; keeping the running configuration", err);
		return;
	}
	config_free(cfg);
	*cfg = fresh;
	for (unsigned i = 0; i < n; i++)
		slots[i].stale = slots[i].pid > 0;
	log_info("reload: configuration re-read; replacing workers one by one");
}

/* Asks one stale worker to finish and exit, unless one is already on its way. */
static void
retire_next(struct slot *slots, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (slots[i].retiring)
			return;
	for (unsigned i = 0; i < n; i++)
		if (slots[i].stale && slots[i].pid > 0) {
			slots[i].retiring = true;
			kill(slots[i].pid, SIGTERM);
			return;
		}
}

int
master_run(int listen_fd, struct config *cfg, const char *config_path, unsigned workers,
           master_worker_fn fn)
{
	static struct slot slots[MAX_WORKERS];
	sigset_t set, orig;
	int alive = 0, backoff_ms = 0;

	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	/*
	 * No signal handlers in the master: signals stay blocked and are taken
	 * synchronously with sigtimedwait, which also paces respawns.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, &orig);
	log_info("master %d starting %u workers", (int)getpid(), workers);
	for (;;) {
		struct timespec ts;
		int sig;

		for (unsigned i = 0; i < workers; i++) {
			if (slots[i].pid != 0)
				continue;
			slots[i].pid = spawn(listen_fd, cfg, &orig, fn);
			slots[i].started = time(NULL);
			if (slots[i].pid > 0)
				alive++;
			else
				slots[i].pid = 0;
		}
		retire_next(slots, workers);
		ts = ms_ts(backoff_ms > 0 ? backoff_ms : 1000);
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP)
			reload(cfg, config_path, slots, workers);
		if (reap(slots, workers, &alive) > 0) {
			backoff_ms = backoff_ms == 0 ? 100 : backoff_ms * 2;
			if (backoff_ms > BACKOFF_MAX_MS)
				backoff_ms = BACKOFF_MAX_MS;
			/* Wait before respawning so that a crash loop does not spin. */
			struct timespec pause = ms_ts(backoff_ms);
			nanosleep(&pause, NULL);
		} else if (sig < 0) {
			backoff_ms = 0;   /* a quiet interval: the pool is healthy again */
		}
	}
	log_info("master %d stopping", (int)getpid());
	stop_all(slots, workers, alive);
	return EXIT_SUCCESS;
}
