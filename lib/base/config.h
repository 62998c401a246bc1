/*
 * config: the service's settings, from a `key = value` file (see
 * conf/parsesphere.conf.example). Unknown keys are errors so that a typo
 * never silently falls back to a default.
 *
 * The pepper is read from its own file into memory locked against swapping
 * where the system allows; config_free wipes it.
 */
#ifndef PS_CONFIG_H
#define PS_CONFIG_H

#include <stdbool.h>

#include "base/addrlist.h"
#include "base/apikey.h"

#define CONFIG_STR_MAX 256
#define CONFIG_PPM     1000000   /* a share of 1, in millionths */

/* A database node: a unix socket (host "") or a TCP host and port. */
#define CONFIG_DB_NODES_MAX 8
struct config_db_node {
	char host[CONFIG_STR_MAX];
	char socket[CONFIG_STR_MAX];
	unsigned port;
};

struct config {
	char db_socket[CONFIG_STR_MAX];
	char db_host[CONFIG_STR_MAX];
	unsigned db_port;
	char db_user[CONFIG_STR_MAX];
	char db_password[CONFIG_STR_MAX];
	char db_name[CONFIG_STR_MAX];
	unsigned db_timeout;             /* seconds, connect/read/write */
	/*
	 * The database nodes, tried in this order (lib/data/db.c): those of
	 * db_hosts, or else the one node of db_socket/db_host/db_port.
	 */
	struct config_db_node db_nodes[CONFIG_DB_NODES_MAX];
	unsigned db_nnodes;
	/* SET wsrep_sync_wait = 1 on every connection: reads wait for the cluster's commits. */
	bool db_causal_reads;
	char pepper_file[CONFIG_STR_MAX];
	char listen[CONFIG_STR_MAX];     /* unix socket path or host:port */
	unsigned workers;                /* 0: serve in this process */
	bool usage_tracking;
	/* Dashboard log-in throttle: failures allowed per window, then 429. */
	unsigned login_failures_per_account;
	unsigned login_failures_per_address;
	unsigned login_window_seconds;
	/*
	 * Password verifications running at once in one worker pool of a host, beyond
	 * which log-ins answer 503 (lib/verifyslot.h): that many lock files in
	 * login_verify_dir, by default the directory of the listening unix socket.
	 */
	unsigned login_verify_slots;
	char login_verify_dir[CONFIG_STR_MAX];
	/* Dashboard cookies always Secure (TLS ends at a proxy in front), not only over HTTPS. */
	bool secure_cookies;
	/*
	 * The request log (lib/base/reqlog.h): "stderr", "syslog", "off" or a file's
	 * absolute path; and the share of successful requests it keeps, in
	 * millionths (request_log_sample = 0.25 is 250000). Errors are always logged.
	 */
	char request_log[CONFIG_STR_MAX];
	unsigned request_log_sample_ppm;
	/*
	 * Metrics (lib/core/metrics.h, GET /metrics): whether they are counted; the
	 * directory of their shared file (default: the listening unix socket's);
	 * the client addresses that may read them (anyone else gets 404).
	 */
	bool metrics;
	char metrics_dir[CONFIG_STR_MAX];
	struct addrlist metrics_allow;
	/*
	 * Rate limits (lib/core/ratelimit.h): the server-wide default of keys
	 * without a limit of their own or of their organization (per_second 0:
	 * none, the default; burst 0: per_second), and the directory of the
	 * pool's shared table (default: the listening unix socket's).
	 */
	unsigned rate_limit_per_second;
	unsigned rate_limit_burst;
	char rate_limit_dir[CONFIG_STR_MAX];
	/*
	 * GitHub's secret scanning public keys (POST /v1/leaks/github), in
	 * GitHub's format; read at each report, replaced by `parsesphere-admin
	 * leaks refresh-keys`. "": the receiver verifies nothing (every report 401).
	 */
	char leak_public_keys_file[CONFIG_STR_MAX];
	unsigned char *pepper;           /* APIKEY_PEPPER_LEN bytes, sodium-allocated */
};

/* The environment variable naming the file when no --config is given. */
#define CONFIG_ENV "PARSESPHERE_CONFIG"

/*
 * Loads path and the pepper. On failure returns -1 and writes a message
 * (never a secret) to err.
 */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);
void config_free(struct config *cfg);

#endif
