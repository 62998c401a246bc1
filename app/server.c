/*
 * parsesphere-fcgi: the FastCGI server.
 *
 *   parsesphere-fcgi [--config FILE] [--listen ADDR] [--workers N]
 *                    [--user NAME | --allow-root] [--socket-group GROUP]
 *
 * Socket: with --listen (a unix socket path, or host:port) it opens its own;
 * otherwise it serves the listening socket it was given on fd 0 (spawn-fcgi,
 * lighttpd bin-path, mod_fcgid). Process model: --workers N (N >= 1) runs
 * the prefork master; 0 serves in this process. Without the flag, an own
 * socket uses the config's `workers` and an inherited one serves in-process,
 * since whoever spawned us manages the processes.
 *
 * Privileges: started as root, the server reads the pepper and opens its
 * socket, then becomes --user (default parsesphere) before serving anything;
 * it serves as root only with --allow-root. The user is the service's own,
 * not the web server's: the pepper and the configuration (the database
 * password) are its files alone, so that a compromised web server process
 * cannot read them, and the master can still re-read them on SIGHUP. The
 * web server shares only the socket: a socket path gets --socket-group
 * (default www-data), mode 0660. Core dumps are disabled so that the pepper
 * and keys in memory never reach a core file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <pwd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcgiapp.h>
#include <sodium.h>

#include "base/config.h"
#include "base/coredump.h"
#include "base/log.h"
#include "base/validate.h"
#include "master.h"
#include "core/metrics.h"
#include "core/pooldir.h"
#include "core/ratelimit.h"
#include "core/verifyslot.h"
#include "worker.h"

#define LISTEN_BACKLOG 128
#define DEFAULT_USER "parsesphere"
#define DEFAULT_SOCKET_GROUP "www-data"

static void
usage(void)
{
	fprintf(stderr, "usage: parsesphere-fcgi [--config FILE] [--listen ADDR] [--workers N]\n"
	                "                        [--user NAME | --allow-root] [--socket-group GROUP]\n"
	                "  FILE defaults to $" CONFIG_ENV "; ADDR is a socket path or host:port;\n"
	                "  started as root, serves as NAME (default " DEFAULT_USER "), and a socket\n"
	                "  path belongs to GROUP (default " DEFAULT_SOCKET_GROUP ", the web server's)\n");
}

/* Keeps fds 0-2 open so that no later open() lands on them by accident. */
static void
ensure_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) < 0) {
			int n = open("/dev/null", O_RDWR);
			if (n >= 0 && n != fd) {
				dup2(n, fd);
				close(n);
			}
		}
}

static int
is_listening_socket(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);

	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0 && v;
}

static int
open_listener(const char *addr)
{
	struct stat st;
	int fd;

	/* A stale socket file from an earlier run would make bind fail. */
	if (addr[0] == '/' && stat(addr, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(addr);
	fd = FCGX_OpenSocket(addr, LISTEN_BACKLOG);
	if (fd < 0) {
		log_error("cannot listen on %s: %s", addr, strerror(errno));
		return -1;
	}
	if (addr[0] == '/')
		chmod(addr, 0660);   /* the web server's group; nobody else */
	return fd;
}

/*
 * Becomes `user` when running as root. The socket stays usable by the web
 * server: a path socket is handed to `user` and the web server's group
 * first (the user need not be a member of that group). The lock files of the
 * verification slots, the metrics' file (metrics_dir, NULL: none) and the
 * rate-limit table (ratelimit_dir, NULL: none) are made the user's, since it
 * may not be able to create them where the socket lives.
 */
static int
drop_privileges(const char *user, const char *socket_path, const char *socket_group,
                const struct verifyslot *slots, const char *metrics_dir,
                const char *ratelimit_dir)
{
	struct passwd *pw;
	struct group *gr;

	if (geteuid() != 0)
		return 0;
	pw = getpwnam(user);
	if (pw == NULL) {
		log_error("--user %s: no such user", user);
		return -1;
	}
	if (socket_path != NULL && socket_path[0] == '/') {
		gr = getgrnam(socket_group);
		if (gr == NULL) {
			log_error("--socket-group %s: no such group", socket_group);
			return -1;
		}
		if (chown(socket_path, pw->pw_uid, gr->gr_gid) != 0)
			log_error("chown %s: %s", socket_path, strerror(errno));
	}
	if (verifyslot_create(slots, pw->pw_uid, pw->pw_gid) != 0)
		log_error("login verification lock files in %s: %s", slots->dir, strerror(errno));
	if (metrics_dir != NULL && metrics_create(metrics_dir, pw->pw_uid, pw->pw_gid) != 0)
		log_error("metrics file in %s: %s", metrics_dir, strerror(errno));
	if (ratelimit_dir != NULL && ratelimit_create(ratelimit_dir, pw->pw_uid, pw->pw_gid) != 0)
		log_error("rate-limit table in %s: %s", ratelimit_dir, strerror(errno));
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
	    setuid(pw->pw_uid) != 0 || setuid(0) == 0) {
		log_error("cannot become %s: %s", user, strerror(errno));
		return -1;
	}
	coredump_disable();   /* setuid resets the dumpable flag */
	return 0;
}

static int
parse_workers(const char *s, unsigned *out)
{
	uint64_t v;

	if (!validate_uint(s, strlen(s), 0, 256, &v))
		return -1;
	*out = (unsigned)v;
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config_path = getenv(CONFIG_ENV), *listen_addr = NULL, *user = DEFAULT_USER;
	const char *socket_group = DEFAULT_SOCKET_GROUP;
	struct config cfg;
	struct verifyslot slots;
	char err[512], metrics_dir[CONFIG_STR_MAX], ratelimit_dir[CONFIG_STR_MAX];
	unsigned workers = 0;
	int have_workers = 0, allow_root = 0, fd, rc = EXIT_FAILURE;

	ensure_std_fds();
	coredump_disable();   /* no core file may hold the pepper or keys in flight */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") == 0 && i + 1 < argc)
			config_path = argv[++i];
		else if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
			listen_addr = argv[++i];
		else if (strcmp(argv[i], "--user") == 0 && i + 1 < argc)
			user = argv[++i];
		else if (strcmp(argv[i], "--socket-group") == 0 && i + 1 < argc)
			socket_group = argv[++i];
		else if (strcmp(argv[i], "--allow-root") == 0)
			allow_root = 1;
		else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc &&
		         parse_workers(argv[i + 1], &workers) == 0) {
			have_workers = 1;
			i++;
		} else {
			usage();
			return 2;
		}
	}
	if (config_path == NULL) {
		fprintf(stderr, "parsesphere-fcgi: no configuration: use --config or set %s\n",
		        CONFIG_ENV);
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "parsesphere-fcgi: libsodium failed to initialise\n");
		return EXIT_FAILURE;
	}
	if (config_load(&cfg, config_path, err, sizeof(err)) != 0) {
		fprintf(stderr, "parsesphere-fcgi: %s\n", err);
		return EXIT_FAILURE;
	}
	if (listen_addr == NULL && cfg.listen[0] != '\0' && !is_listening_socket(0))
		listen_addr = cfg.listen;
	if (listen_addr != NULL) {
		if ((fd = open_listener(listen_addr)) < 0)
			goto done;
		if (!have_workers)
			workers = cfg.workers;
	} else if (is_listening_socket(0)) {
		fd = 0;
	} else {
		fprintf(stderr, "parsesphere-fcgi: fd 0 is not a listening socket; "
		                "give --listen ADDR or start under spawn-fcgi or a web server\n");
		goto done;
	}
	verifyslot_init(&slots, &cfg, fd);
	if (!allow_root &&
	    drop_privileges(user, listen_addr, socket_group, &slots,
	                    cfg.metrics && pooldir_of(cfg.metrics_dir, fd, metrics_dir,
	                                              sizeof(metrics_dir)) ? metrics_dir : NULL,
	                    pooldir_of(cfg.rate_limit_dir, fd, ratelimit_dir,
	                               sizeof(ratelimit_dir)) ? ratelimit_dir : NULL) != 0)
		goto done;
	rc = workers > 0 ? master_run(fd, &cfg, config_path, workers, worker_run) : worker_run(fd, &cfg);
done:
	config_free(&cfg);
	return rc;
}
