/*
 * worker: the accept loop of one process. It polls the listening socket
 * with a timeout (so that it notices a stop request while idle), accepts one
 * FastCGI request at a time, turns it into a typed request and answers it.
 */
#ifndef PS_WORKER_H
#define PS_WORKER_H

#include "base/config.h"

/*
 * Serves listen_fd until SIGTERM or SIGINT. Connects to the database itself
 * (after any fork). Returns the process exit status.
 */
int worker_run(int listen_fd, const struct config *cfg);

#endif
