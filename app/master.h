/*
 * master: the prefork pool. Forks N workers on one listening socket,
 * respawns any that dies (backing off when they die young, so a crash loop
 * does not spin), and on SIGTERM/SIGINT stops them gracefully: each finishes
 * its request in flight, then exits. SIGHUP re-reads the configuration and
 * replaces the workers one by one.
 */
#ifndef PS_MASTER_H
#define PS_MASTER_H

#include "base/config.h"

/* A worker's whole life: serve listen_fd until asked to stop; returns its exit status. */
typedef int (*master_worker_fn)(int listen_fd, const struct config *cfg);

/*
 * Returns the exit status for the master process. On SIGHUP it re-reads
 * config_path into *cfg (both may be NULL: no reload) and replaces the
 * workers one at a time.
 */
int master_run(int listen_fd, struct config *cfg, const char *config_path, unsigned workers,
               master_worker_fn fn);

#endif
