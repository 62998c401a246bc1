#include "core/ratelimit.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/pooldir.h"

#define RATELIMIT_LAYOUT 1           /* bump when the meaning of the layout changes */
#define NS_PER_S INT64_C(1000000000)

/* A slot being handed to another key: its old key's charges must fail. */
#define TAT_CLAIMING INT64_MIN

/* How often a process waiting for a bucket's lock looks whether its holder died. */
#define SPINS_BEFORE_CHECK 256

/* One bucket: two cache lines. A slot is free while its tag is 0. */
struct ratelimit_bucket {
	uint32_t lock;                   /* pid of the process claiming a slot; 0: free */
	uint32_t unused;
	uint64_t tag[RATELIMIT_WAYS];
	int64_t tat[RATELIMIT_WAYS];
	uint64_t pad;
};
_Static_assert(sizeof(struct ratelimit_bucket) == 128, "a bucket is two cache lines");

/* The file. All zeroes is a valid state: every slot free. */
struct ratelimit_shared {
	struct ratelimit_bucket buckets[RATELIMIT_BUCKETS];
};

#define LOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELEASE)
#define CAS(p, expect, desired) \
	__atomic_compare_exchange_n((p), (expect), (desired), false, __ATOMIC_ACQ_REL, \
	                            __ATOMIC_ACQUIRE)

void
ratelimit_effective(const struct store_principal *who,
                    const struct store_rate_limit *server_default, struct store_rate_limit *out)
{
	if (who->key.rate_limit.per_second > 0)
		*out = who->key.rate_limit;
	else if (who->key.has_org && who->org.rate_limit.per_second > 0)
		*out = who->org.rate_limit;
	else
		*out = *server_default;
}

int64_t
ratelimit_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* Whole seconds from ns, rounded up. */
static uint32_t
ceil_s(int64_t ns)
{
	int64_t s = ns <= 0 ? 0 : (ns + NS_PER_S - 1) / NS_PER_S;

	return s > UINT32_MAX ? UINT32_MAX : (uint32_t)s;
}

void
ratelimit_gcra(int64_t tat, int64_t now, const struct store_rate_limit *rl, int64_t *next,
               struct ratelimit_decision *d)
{
	int64_t t = NS_PER_S / rl->per_second, tau = t * (int64_t)rl->burst;
	/*
	 * A TAT beyond what the limit allows (the limit was lowered, the clock
	 * stepped back) counts as the limit used up, no more.
	 */
	int64_t base = tat < now ? now : tat > now + tau ? now + tau : tat;
	int64_t after = base + t, kept;

	memset(d, 0, sizeof(*d));
	d->limit = rl->per_second;
	d->allowed = after - now <= tau;
	kept = d->allowed ? after : base;
	*next = kept;
	d->remaining = (uint32_t)((now + tau - kept) / t);
	d->reset = ceil_s(kept - now);
	if (!d->allowed) {
		d->retry_after = ceil_s(after - tau - now);
		if (d->retry_after < 1)
			d->retry_after = 1;
	}
}

/* ---- the file ------------------------------------------------------------------- */

static const struct pooldir_file ratelimit_file = {"ratelimit", RATELIMIT_LAYOUT, sizeof(struct ratelimit_shared)};

bool
ratelimit_path(const char *dir, char *path, size_t cap)
{
	return pooldir_path(dir, &ratelimit_file, path, cap);
}

int
ratelimit_create(const char *dir, uid_t uid, gid_t gid)
{
	return pooldir_create(dir, &ratelimit_file, uid, gid);
}

int
ratelimit_open(struct ratelimit *r, const char *dir)
{
	void *p;

	memset(r, 0, sizeof(*r));
	if (dir != NULL) {
		p = pooldir_map(dir, &ratelimit_file);
	} else {
		p = mmap(NULL, sizeof(struct ratelimit_shared), PROT_READ | PROT_WRITE,
		         MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			p = NULL;
	}
	if (p == NULL)
		return -1;
	r->shm = p;
	r->pooled = dir != NULL;
	return 0;
}

void
ratelimit_close(struct ratelimit *r)
{
	if (r->shm != NULL)
		munmap(r->shm, sizeof(struct ratelimit_shared));
	r->shm = NULL;
}

/* ---- slots -------------------------------------------------------------------------- */

/* A 64-bit tag of a key id, never 0 (splitmix64's finalizer over both halves). */
static uint64_t
tag_of(const uint8_t key[UUID_LEN])
{
	uint64_t a, b, h;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	h = a ^ (b * UINT64_C(0x9e3779b97f4a7c15));
	h = (h ^ (h >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	h = (h ^ (h >> 27)) * UINT64_C(0x94d049bb133111eb);
	h ^= h >> 31;
	return h != 0 ? h : 1;
}

/* The slot of tag in b, or -1. */
static int
find_way(struct ratelimit_bucket *b, uint64_t tag)
{
	for (int i = 0; i < RATELIMIT_WAYS; i++)
		if (LOAD(&b->tag[i]) == tag)
			return i;
	return -1;
}

static bool
holder_alive(pid_t pid)
{
	return kill(pid, 0) == 0 || errno == EPERM;
}

/*
 * Takes b's lock. Its holder keeps it for a few stores; one that died
 * holding it (SIGKILL) has its lock taken over.
 */
static void
lock_bucket(struct ratelimit_bucket *b)
{
	uint32_t me = (uint32_t)getpid();

	for (unsigned spins = 1;; spins++) {
		uint32_t holder = 0;

		if (CAS(&b->lock, &holder, me))
			return;
		if (spins % SPINS_BEFORE_CHECK == 0 && !holder_alive((pid_t)holder) &&
		    CAS(&b->lock, &holder, me))
			return;
		sched_yield();
	}
}

static void
unlock_bucket(struct ratelimit_bucket *b)
{
	STORE(&b->lock, 0);
}

/*
 * Under the lock: a slot left half-claimed by a process that died holding
 * it is free again (nobody else writes TAT_CLAIMING).
 */
static void
repair(struct ratelimit_bucket *b)
{
	for (int i = 0; i < RATELIMIT_WAYS; i++)
		if (LOAD(&b->tat[i]) == TAT_CLAIMING) {
			STORE(&b->tag[i], 0);
			STORE(&b->tat[i], 0);
		}
}

/*
 * Under the lock: gives a slot to tag, whose state is then fresh (a TAT in
 * the past). A free slot first, else the one idle the longest. -1: every
 * slot belongs to a key being limited right now.
 */
static int
claim_way(struct ratelimit_bucket *b, uint64_t tag, int64_t now)
{
	for (;;) {
		int best = -1;
		int64_t best_tat = now, old;

		for (int i = 0; i < RATELIMIT_WAYS; i++) {
			int64_t t = LOAD(&b->tat[i]);

			if (LOAD(&b->tag[i]) == 0) {
				best = i;
				best_tat = t;
				break;
			}
			if (t <= best_tat) {
				best = i;
				best_tat = t;
			}
		}
		if (best < 0)
			return -1;
		/*
		 * A charge of the old key between here and the new tag would land
		 * on the new key: marking the TAT first makes any such CAS fail.
		 * Afterwards the TAT is one below what it was, a value the old
		 * key's charges never saw (each moves it forward by T or more).
		 */
		old = best_tat;
		if (!CAS(&b->tat[best], &old, TAT_CLAIMING))
			continue;   /* the old key was charged meanwhile: look again */
		STORE(&b->tag[best], tag);
		STORE(&b->tat[best], best_tat - 1);
		return best;
	}
}

/* tag's slot in b, given one if need be; -1 when none can be had. */
static int
slot_for(struct ratelimit_bucket *b, uint64_t tag, int64_t now)
{
	int way;

	lock_bucket(b);
	repair(b);
	way = find_way(b, tag);
	if (way < 0)
		way = claim_way(b, tag, now);
	unlock_bucket(b);
	return way;
}

/* The decision for key; with count, an admitted request is counted. */
static void
decide(struct ratelimit *r, const uint8_t key[UUID_LEN], const struct store_rate_limit *rl,
       int64_t now, bool count, struct ratelimit_decision *d)
{
	uint64_t tag = tag_of(key);
	struct ratelimit_bucket *b;
	int64_t next;

	if (r->shm == NULL) {
		ratelimit_gcra(now, now, rl, &next, d);
		return;
	}
	b = &r->shm->buckets[(tag >> 32) % RATELIMIT_BUCKETS];
	for (;;) {
		int way = find_way(b, tag);
		int64_t tat;

		if (way < 0 && count)
			way = slot_for(b, tag, now);
		if (way < 0) {
			/* No state (a peek of an unknown key, a full bucket): a fresh one. */
			r->untracked += count;
			ratelimit_gcra(now, now, rl, &next, d);
			return;
		}
		tat = LOAD(&b->tat[way]);
		/* Being handed to another key, or no longer this key's: look again. */
		if ((tat == TAT_CLAIMING || LOAD(&b->tag[way]) != tag) && count) {
			slot_for(b, tag, now);   /* waits for the claim (or repairs it) */
			continue;
		}
		if (tat == TAT_CLAIMING || LOAD(&b->tag[way]) != tag)
			tat = now;               /* a peek: the state is a fresh one's */
		ratelimit_gcra(tat, now, rl, &next, d);
		if (!count || next == tat || CAS(&b->tat[way], &tat, next))
			return;
	}
}

void
ratelimit_take(struct ratelimit *r, const uint8_t key[UUID_LEN],
               const struct store_rate_limit *rl, int64_t now_ns, struct ratelimit_decision *d)
{
	decide(r, key, rl, now_ns, true, d);
}

void
ratelimit_peek(struct ratelimit *r, const uint8_t key[UUID_LEN],
               const struct store_rate_limit *rl, int64_t now_ns, struct ratelimit_decision *d)
{
	decide(r, key, rl, now_ns, false, d);
}

/* ---- headers -------------------------------------------------------------------------- */

void
ratelimit_policy_value(const struct ratelimit_decision *d, char out[RATELIMIT_HEADER_MAX])
{
	snprintf(out, RATELIMIT_HEADER_MAX, "\"key\";q=%" PRIu32 ";w=1", d->limit);
}

void
ratelimit_value(const struct ratelimit_decision *d, char out[RATELIMIT_HEADER_MAX])
{
	snprintf(out, RATELIMIT_HEADER_MAX, "\"key\";r=%" PRIu32 ";t=%" PRIu32, d->remaining,
	         d->reset);
}
