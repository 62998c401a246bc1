/*
 * ratelimit: per-key rate limits (docs/api.md, "Rate limits"), enforced
 * exactly across every worker process of one host.
 *
 * The algorithm is GCRA (the generic cell rate algorithm, a token bucket
 * kept as one number): a key's state is its theoretical arrival time (TAT),
 * in nanoseconds of CLOCK_REALTIME. With T = 1 s / per_second and
 * tau = burst * T, a request at `now` is admitted when
 * max(TAT, now) + T - now <= tau, and then TAT becomes max(TAT, now) + T. So
 * an idle key may send `burst` requests at once, then one every T.
 *
 * The states live in a file of the pool's directory (core/pooldir:
 * rate_limit_dir, else the listening unix socket's), mapped MAP_SHARED by
 * each process, as core/metrics does: processes with no common parent
 * (mod_fcgid, lighttpd bin-path) share it. The file is a hash table of
 * RATELIMIT_BUCKETS buckets of RATELIMIT_WAYS slots; a slot holds a key's
 * 64-bit tag (a hash of its id) and its TAT. Admitting a request is
 * lock-free: one compare-and-swap of the TAT, retried if another process
 * changed it in between. Only giving a slot to a key that has none takes the
 * bucket's lock (a word holding the claimer's pid, taken over when that
 * process died), so that a key never gets two slots. A slot whose TAT has
 * passed holds nothing a fresh state would not: it may be given to another
 * key. When every slot of a key's bucket belongs to a key that is being
 * limited right now, the request is judged from a fresh state (counted in
 * ratelimit.untracked; at 57 344 slots this takes that many keys busy at
 * once).
 *
 * Without a directory (a TCP listener and no rate_limit_dir) or when the
 * file cannot be mapped, each process keeps a table of its own: a pool of N
 * workers then admits up to N times the limit (logged at start).
 */
#ifndef PS_RATELIMIT_H
#define PS_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/config.h"
#include "data/store.h"

#define RATELIMIT_BUCKETS   8192
#define RATELIMIT_WAYS      7
/* The bounds of a limit's two numbers (the API's, the admin tool's, the configuration's). */
#define RATELIMIT_MAX       STORE_RATE_LIMIT_MAX
/* "key";q=4294967295;w=1 and "key";r=4294967295;t=4294967295, with room. */
#define RATELIMIT_HEADER_MAX 64

struct ratelimit_shared;             /* the file's layout, private to ratelimit.c */

/* One process's view of the table. */
struct ratelimit {
	struct ratelimit_shared *shm;    /* NULL: not open */
	bool pooled;                     /* the pool's file, not this process's own table */
	uint64_t untracked;              /* requests judged without a slot (a full bucket) */
};

/* What one request learnt: admitted or not, and the numbers of its headers. */
struct ratelimit_decision {
	bool allowed;
	uint32_t limit;                  /* per_second: RateLimit-Policy's q (w=1) */
	uint32_t remaining;              /* requests admissible at once after this one: r */
	uint32_t reset;                  /* seconds until the whole burst is back: t */
	uint32_t retry_after;            /* when refused: seconds until one is admitted, >= 1 */
};

/*
 * The limit that applies to a key: its own, else its organization's default
 * (an org key), else the server's (server_default, per_second 0: none).
 * *out per_second 0: no limit.
 */
void ratelimit_effective(const struct store_principal *who,
                         const struct store_rate_limit *server_default,
                         struct store_rate_limit *out);

/* A limit within bounds: 1 to RATELIMIT_MAX each. */
static inline bool
ratelimit_valid(const struct store_rate_limit *rl)
{
	return rl->per_second >= 1 && rl->per_second <= RATELIMIT_MAX && rl->burst >= 1 &&
	       rl->burst <= RATELIMIT_MAX;
}

/* The file of directory dir into path; false if it does not fit. */
bool ratelimit_path(const char *dir, char *path, size_t cap);

/* Creates the file (if need be) owned by uid:gid, mode 0600. -1 with errno on failure. */
int ratelimit_create(const char *dir, uid_t uid, gid_t gid);

/*
 * Maps dir's file, creating it if need be (dir NULL: a table of this process
 * only). -1 with errno on failure (r stays closed).
 */
int ratelimit_open(struct ratelimit *r, const char *dir);
void ratelimit_close(struct ratelimit *r);

/*
 * One request of key under limit rl (per_second > 0) at now_ns
 * (ratelimit_now_ns): admitted and counted, or refused (not counted).
 */
void ratelimit_take(struct ratelimit *r, const uint8_t key[UUID_LEN],
                    const struct store_rate_limit *rl, int64_t now_ns,
                    struct ratelimit_decision *d);

/* What ratelimit_take would decide, without counting anything. */
void ratelimit_peek(struct ratelimit *r, const uint8_t key[UUID_LEN],
                    const struct store_rate_limit *rl, int64_t now_ns,
                    struct ratelimit_decision *d);

/*
 * GCRA itself: the decision for a key whose TAT is tat, at now (both ns), and
 * the TAT to store (*next; equal to tat when nothing changes).
 */
void ratelimit_gcra(int64_t tat, int64_t now, const struct store_rate_limit *rl,
                    int64_t *next, struct ratelimit_decision *d);

/* CLOCK_REALTIME in nanoseconds. */
int64_t ratelimit_now_ns(void);

/*
 * The header values of draft-ietf-httpapi-ratelimit-headers (structured
 * fields): RateLimit-Policy `"key";q=N;w=1` and RateLimit `"key";r=R;t=T`.
 */
void ratelimit_policy_value(const struct ratelimit_decision *d, char out[RATELIMIT_HEADER_MAX]);
void ratelimit_value(const struct ratelimit_decision *d, char out[RATELIMIT_HEADER_MAX]);

#endif
