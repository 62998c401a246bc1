/*
 * verifyslot: a cap on the password verifications (argon2id: 64 MiB and tens
 * of milliseconds of CPU each) that run at once in one worker pool of a host,
 * so that log-ins cannot take the CPU the API needs.
 *
 * The processes of a pool have no common parent to count in (mod_fcgid and
 * lighttpd bin-path start them one by one), so the count lives in the file
 * system: N lock files in one directory, a verification holding one of them
 * with flock(LOCK_EX | LOCK_NB). The kernel drops a lock when its holder dies,
 * SIGKILL included, so a worker that dies mid-verification leaks no slot.
 *
 * The directory is login_verify_dir, else that of the pool's listening unix
 * socket (every process of the pool shares it); with neither (a TCP socket
 * and no setting) verifications are not capped.
 */
#ifndef PS_VERIFYSLOT_H
#define PS_VERIFYSLOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "base/config.h"

#define VERIFYSLOT_OFF  (-1)     /* verifyslot_take: no cap (nothing to lock) */
#define VERIFYSLOT_BUSY (-2)     /* verifyslot_take: every slot is taken */

struct verifyslot {
	char dir[CONFIG_STR_MAX];    /* "" when there is no cap */
	unsigned n;
	bool warned;                 /* that the lock files cannot be opened (logged once) */
};

/* The slots of cfg for the pool listening on listen_fd. */
void verifyslot_init(struct verifyslot *v, const struct config *cfg, int listen_fd);

/*
 * Creates the lock files owned by uid:gid, mode 0600: a server started as root
 * does so before it becomes a user that may not write in the directory.
 * -1 with errno on the first failure.
 */
int verifyslot_create(const struct verifyslot *v, uid_t uid, gid_t gid);

/*
 * A free slot: its descriptor (>= 0), held until verifyslot_release;
 * VERIFYSLOT_BUSY; or VERIFYSLOT_OFF when there is nothing to lock (no
 * directory, or none of its lock files can be opened: logged once).
 */
int verifyslot_take(struct verifyslot *v);

/* Gives back a slot from verifyslot_take (anything else is ignored). */
void verifyslot_release(int slot);

#endif
