/*
 * Unit tests of lib/verifyslot.c: where the lock files live (the setting, else
 * the listening unix socket's directory, else nowhere), taking and giving back
 * slots, a holder that dies, and a directory that cannot be used.
 */
#include "../../../lib/core/verifyslot.c"
#include "../../../lib/core/pooldir.c"
#include "../harness.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>

/* log_error of lib/log.c, counted instead of printed. */
static int logged;

void
log_error(const char *fmt, ...)
{
	(void)fmt;
	logged++;
}

static char tmp[64];

/* A listening unix socket at path (relative to the working directory if not absolute). */
static int
unix_listener(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "%s: too long for a socket\n", path);
		exit(2);
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0) {
		perror(path);
		exit(2);
	}
	return fd;
}

static int
tcp_listener(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fd, 1) != 0) {
		perror("tcp");
		exit(2);
	}
	return fd;
}

static void
test_directory(void)
{
	struct {
		int line;
		const char *setting, *socket;   /* socket NULL: a TCP listener */
		const char *dir;                /* "%T": the temporary directory */
	} cases[] = {
		{__LINE__, "", "%T/app.sock", "%T"},
		{__LINE__, "", "%T/a/b.sock", "%T/a"},
		{__LINE__, "/run/elsewhere", "%T/c.sock", "/run/elsewhere"},
		{__LINE__, "", NULL, ""},                          /* TCP: no cap */
		{__LINE__, "/run/elsewhere", NULL, "/run/elsewhere"},
		{__LINE__, "", "d.sock", "."},                     /* relative: the working directory */
	};
	char path[128], want[128];
	struct config cfg;
	struct verifyslot v;

	mkdir(strcat(strcpy(path, tmp), "/a"), 0700);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int fd;

		memset(&cfg, 0, sizeof(cfg));
		cfg.login_verify_slots = 3;
		snprintf(cfg.login_verify_dir, sizeof(cfg.login_verify_dir), "%s", cases[i].setting);
		if (cases[i].socket == NULL) {
			fd = tcp_listener();
		} else {
			const char *t = strstr(cases[i].socket, "%T");
			snprintf(path, sizeof(path), "%s%s", t ? tmp : "", t ? t + 2 : cases[i].socket);
			if (!t && chdir(tmp) != 0)
				perror("chdir");
			fd = unix_listener(path);
		}
		snprintf(want, sizeof(want), "%s%s", strncmp(cases[i].dir, "%T", 2) ? "" : tmp,
		         cases[i].dir + (strncmp(cases[i].dir, "%T", 2) ? 0 : 2));
		verifyslot_init(&v, &cfg, fd);
		CHECK_AT(strcmp(v.dir, want) == 0 && v.n == 3, cases[i].line, "dir \"%s\" (%u slots), "
		         "want \"%s\" (3)", v.dir, v.n, want);
		close(fd);
	}
}

/* n slots in dir. */
static void
slots_in(struct verifyslot *v, const char *dir, unsigned n)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->dir, sizeof(v->dir), "%s", dir);
	v->n = n;
}

static void
test_take_and_release(void)
{
	struct verifyslot v;
	char path[128];
	struct stat st;
	int a, b, c;

	slots_in(&v, tmp, 2);
	CHECK(verifyslot_create(&v, getuid(), getgid()) == 0, "create: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/parsesphere-verify-1.lock", tmp);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600 && st.st_uid == getuid(),
	      "%s: mode %o, uid %d", path, (unsigned)(st.st_mode & 0777), (int)st.st_uid);
	a = verifyslot_take(&v);
	b = verifyslot_take(&v);
	c = verifyslot_take(&v);
	CHECK(a >= 0 && b >= 0 && c == VERIFYSLOT_BUSY, "two slots: took %d, %d, then %d", a, b, c);
	verifyslot_release(a);
	a = verifyslot_take(&v);
	CHECK(a >= 0, "a slot given back is free again: %d", a);
	verifyslot_release(a);
	verifyslot_release(b);
	verifyslot_release(VERIFYSLOT_BUSY);   /* ignored */
	verifyslot_release(VERIFYSLOT_OFF);
}

/* A process that dies holding every slot (SIGKILL: no clean-up of its own) leaves them free. */
static void
test_holder_dies(void)
{
	struct verifyslot v;
	int p[2], st = 0, fd;
	char held = 0;
	pid_t pid;

	slots_in(&v, tmp, 2);
	if (pipe(p) != 0)
		return;
	if ((pid = fork()) == 0) {
		char all = verifyslot_take(&v) >= 0 && verifyslot_take(&v) >= 0;
		if (write(p[1], &all, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	CHECK(pid > 0 && read(p[0], &held, 1) == 1 && held, "the child took no slots");
	CHECK(verifyslot_take(&v) == VERIFYSLOT_BUSY, "slots held by another process are busy");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	fd = verifyslot_take(&v);
	CHECK(fd >= 0, "after the holder was killed: %d", fd);
	verifyslot_release(fd);
	close(p[0]);
	close(p[1]);
}

static void
test_no_cap(void)
{
	struct verifyslot v;
	char path[128];

	slots_in(&v, "", 2);
	logged = 0;
	CHECK(verifyslot_take(&v) == VERIFYSLOT_OFF && logged == 0, "no directory: no cap, nothing "
	      "logged (%d)", logged);
	CHECK(verifyslot_create(&v, getuid(), getgid()) == 0, "no directory: nothing to create");
	snprintf(path, sizeof(path), "%s/missing", tmp);
	slots_in(&v, path, 2);
	CHECK(verifyslot_create(&v, getuid(), getgid()) != 0, "created lock files in %s", path);
	CHECK(verifyslot_take(&v) == VERIFYSLOT_OFF && verifyslot_take(&v) == VERIFYSLOT_OFF &&
	      logged == 1, "a directory that does not exist: no cap, logged once (%d)", logged);
}

int
main(void)
{
	snprintf(tmp, sizeof(tmp), "/tmp/ps-verifyslot-XXXXXX");
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_directory();
	test_take_and_release();
	test_holder_dies();
	test_no_cap();
	if (system(NULL) && chdir("/") == 0) {
		char cmd[128];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp);
		if (system(cmd) != 0)
			printf("could not remove %s\n", tmp);
	}
	return harness_summary();
}
