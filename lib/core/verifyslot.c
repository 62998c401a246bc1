#include "core/verifyslot.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>

#include "base/log.h"
#include "core/pooldir.h"

void
verifyslot_init(struct verifyslot *v, const struct config *cfg, int listen_fd)
{
	memset(v, 0, sizeof(*v));
	v->n = cfg->login_verify_slots;
	pooldir_of(cfg->login_verify_dir, listen_fd, v->dir, sizeof(v->dir));
}

/* Lock file i: false if its path does not fit. */
static bool
slot_path(const struct verifyslot *v, unsigned i, char *path, size_t cap)
{
	return snprintf(path, cap, "%s/parsesphere-verify-%u.lock", v->dir, i) < (int)cap;
}

/* Opens (creating if need be) lock file i; -1 with errno on failure. */
static int
slot_open(const struct verifyslot *v, unsigned i)
{
	char path[CONFIG_STR_MAX + 48];

	if (!slot_path(v, i, path, sizeof(path))) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* flock needs no write access: read-only, and no link followed out of the directory. */
	return open(path, O_RDONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
}

int
verifyslot_create(const struct verifyslot *v, uid_t uid, gid_t gid)
{
	int rc = 0;

	for (unsigned i = 0; v->dir[0] != '\0' && i < v->n && rc == 0; i++) {
		int fd = slot_open(v, i);

		if (fd < 0 || fchown(fd, uid, gid) != 0)
			rc = -1;
		if (fd >= 0) {
			int saved = errno;
			close(fd);
			errno = saved;
		}
	}
	return rc;
}

int
verifyslot_take(struct verifyslot *v)
{
	unsigned opened = 0;
	int err = 0;

	for (unsigned i = 0; v->dir[0] != '\0' && i < v->n; i++) {
		int fd = slot_open(v, i);

		if (fd < 0) {
			err = errno;
			continue;
		}
		opened++;
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		close(fd);
	}
	if (opened > 0)
		return VERIFYSLOT_BUSY;
	/* A directory that does not work: log-ins go on uncapped rather than all refused. */
	if (v->dir[0] != '\0' && !v->warned) {
		log_error("login_verify_dir %s: no lock file can be opened (%s): password "
		          "verifications are not capped", v->dir, strerror(err));
		v->warned = true;
	}
	return VERIFYSLOT_OFF;
}

void
verifyslot_release(int slot)
{
	if (slot >= 0)
		close(slot);   /* drops the lock */
}
