/*
 * Unit tests of lib/core/pooldir.c in a scratch directory: a shared file is
 * made 0600 at its size and mapped; one found there already is used only if
 * it can be ours (regular, owner-only, owned by this user or the pool's).
 */
#include "../../../lib/core/pooldir.c"
#include "../harness.h"

#include <stdlib.h>
#include <sys/stat.h>

static const struct pooldir_file file = {"test", 1, 4096};

/* The file's path in dir (a static buffer). */
static const char *
path_in(const char *dir)
{
	static char path[POOLDIR_PATH_MAX];

	if (!pooldir_path(dir, &file, path, sizeof(path)))
		abort();
	return path;
}

/* Maps the file of dir; true when it was, and unmaps it. */
static bool
maps(const char *dir)
{
	void *p = pooldir_map(dir, &file);

	if (p == NULL)
		return false;
	munmap(p, file.size);
	return true;
}

static void
test_made_and_refused(void)
{
	char dir[] = "/tmp/test-pooldir-XXXXXX";
	const char *path;
	struct stat st;
	bool root = geteuid() == 0;

	if (mkdtemp(dir) == NULL) {
		CHECK(false, "mkdtemp: %s", strerror(errno));
		return;
	}
	path = path_in(dir);
	CHECK(maps(dir) && stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	      (st.st_mode & 0777) == 0600 && st.st_size == (off_t)file.size,
	      "a new file: mode %o, %lld bytes", (unsigned)(st.st_mode & 0777), (long long)st.st_size);
	/* Opened to others: refused until it is the owner's alone again. */
	chmod(path, 0666);
	errno = 0;
	CHECK(!maps(dir) && errno == EPERM, "a file of mode 0666 mapped (errno %d)", errno);
	chmod(path, 0640);
	CHECK(!maps(dir), "a file of mode 0640 mapped");
	chmod(path, 0600);
	CHECK(maps(dir), "the owner's file again not mapped");
	if (root) {
		/* Another user's file: refused, but for the pool's user when the root master makes it. */
		CHECK(chown(path, 65534, 65534) == 0, "chown");
		errno = 0;
		CHECK(!maps(dir) && errno == EPERM, "another user's file mapped (errno %d)", errno);
		CHECK(pooldir_create(dir, &file, 65534, 65534) == 0, "the pool user's file refused "
		      "by pooldir_create for that user");
		CHECK(pooldir_create(dir, &file, 1, 1) != 0, "another user's file taken by "
		      "pooldir_create for a third");
	} else {
		printf("  (not root: the owner cases were not run)\n");
	}
	unlink(path);
	/* Not a regular file. */
	CHECK(mkfifo(path, 0600) == 0, "mkfifo");
	CHECK(!maps(dir), "a FIFO mapped");
	unlink(path);
	CHECK(mkdir(path, 0700) == 0, "mkdir");
	CHECK(!maps(dir), "a directory mapped");
	rmdir(path);
	/* A link is never followed. */
	CHECK(symlink("/etc/passwd", path) == 0, "symlink");
	CHECK(!maps(dir), "a symbolic link followed");
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	test_made_and_refused();
	return harness_summary();
}
