/*
 * Unit tests of lib/core/ratelimit.c: GCRA's decisions and the numbers of
 * the RateLimit headers at given instants, the header values, which limit
 * applies to a key, slots given to keys and taken back when idle, and the
 * shared table under processes that fork and count at once: exactly the
 * limit admitted, whatever the contention.
 */
#include "../../../lib/core/ratelimit.c"
#include "../../../lib/core/pooldir.c"
#include "../harness.h"

#include <stdlib.h>
#include <sys/wait.h>

#define S  INT64_C(1000000000)
#define MS INT64_C(1000000)
#define T0 (INT64_C(1795694400) * S)      /* 2026-11-26T12:00:00Z */

/* GCRA from a given TAT at a given instant: the decision, its numbers and the TAT kept. */
static void
test_gcra(void)
{
	static const struct {
		int line;
		uint32_t per_second, burst;
		int64_t tat, now;                 /* relative to T0 */
		bool allowed;
		uint32_t remaining, reset, retry_after;
		int64_t next;                     /* relative to T0 */
	} cases[] = {
		/* Idle (a TAT in the past, or a fresh slot): the whole burst, minus this one. */
		{__LINE__, 100, 100, -5 * S, 0, true, 99, 1, 0, 10 * MS},
		{__LINE__, 100, 200, 0, 0, true, 199, 1, 0, 10 * MS},
		{__LINE__, 1, 1, -S, 0, true, 0, 1, 0, S},
		{__LINE__, 10, 50, -S, 0, true, 49, 1, 0, 100 * MS},
		/* The last of the burst: admitted, nothing left, the burst back in tau. */
		{__LINE__, 100, 100, 990 * MS, 0, true, 0, 1, 0, S},
		{__LINE__, 10, 50, 4900 * MS, 0, true, 0, 5, 0, 5 * S},
		/* Over: refused, the TAT kept; one admitted again after T. */
		{__LINE__, 100, 100, S, 0, false, 0, 1, 1, S},
		{__LINE__, 1, 1, S, 0, false, 0, 1, 1, S},
		{__LINE__, 1, 1, S, S - 1, false, 0, 1, 1, S},
		{__LINE__, 1, 1, S, S, true, 0, 1, 0, 2 * S},
		/* Retry-After rounds up to whole seconds: 1 s at 1/s with 10 s of debt beyond. */
		{__LINE__, 1, 10, 10 * S, 0, false, 0, 10, 1, 10 * S},
		{__LINE__, 1, 10, 10 * S, 500 * MS, false, 0, 10, 1, 10 * S},
		/* Used up at 0 (TAT = tau): exactly T later, one more. */
		{__LINE__, 100, 100, S, 10 * MS, true, 0, 1, 0, S + 10 * MS},
		{__LINE__, 100, 100, S, 10 * MS - 1, false, 0, 1, 1, S},
		/* A TAT beyond the limit (it was lowered): counted as used up, no more. */
		{__LINE__, 1, 2, 100 * S, 0, false, 0, 2, 1, 2 * S},
		{__LINE__, 1, 2, 2 * S, S, true, 0, 2, 0, 3 * S},
		/* A slot's first TAT after a claim (one below the old one): idle. */
		{__LINE__, 5, 5, -1, 0, true, 4, 1, 0, 200 * MS},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;
		struct store_rate_limit rl = {cases[i].per_second, cases[i].burst};
		struct ratelimit_decision d;
		int64_t next = 0;

		ratelimit_gcra(T0 + cases[i].tat, T0 + cases[i].now, &rl, &next, &d);
		CHECK_AT(d.allowed == cases[i].allowed && d.limit == cases[i].per_second &&
		         d.remaining == cases[i].remaining && d.reset == cases[i].reset &&
		         d.retry_after == cases[i].retry_after, line,
		         "allowed %d q %u r %u t %u retry %u; want %d %u %u %u %u", d.allowed, d.limit,
		         d.remaining, d.reset, d.retry_after, cases[i].allowed, cases[i].per_second,
		         cases[i].remaining, cases[i].reset, cases[i].retry_after);
		CHECK_AT(next == T0 + cases[i].next, line, "TAT %+lld ns, want %+lld",
		         (long long)(next - T0), (long long)cases[i].next);
	}
}

/* The structured-field values of draft-ietf-httpapi-ratelimit-headers. */
static void
test_headers(void)
{
	static const struct {
		int line;
		struct ratelimit_decision d;
		const char *policy, *state;
	} cases[] = {
		{__LINE__, {true, 100, 99, 1, 0}, "\"key\";q=100;w=1", "\"key\";r=99;t=1"},
		{__LINE__, {false, 1, 0, 1, 1}, "\"key\";q=1;w=1", "\"key\";r=0;t=1"},
		{__LINE__, {true, 100000, 0, 0, 0}, "\"key\";q=100000;w=1", "\"key\";r=0;t=0"},
		{__LINE__, {true, UINT32_MAX, UINT32_MAX, UINT32_MAX, 0},
		 "\"key\";q=4294967295;w=1", "\"key\";r=4294967295;t=4294967295"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char policy[RATELIMIT_HEADER_MAX], state[RATELIMIT_HEADER_MAX];

		ratelimit_policy_value(&cases[i].d, policy);
		ratelimit_value(&cases[i].d, state);
		CHECK_AT(strcmp(policy, cases[i].policy) == 0, cases[i].line, "policy [%s], want [%s]",
		         policy, cases[i].policy);
		CHECK_AT(strcmp(state, cases[i].state) == 0, cases[i].line, "state [%s], want [%s]",
		         state, cases[i].state);
	}
}

/* The key's own limit, else its organization's (org keys only), else the server's. */
static void
test_effective(void)
{
	static const struct {
		int line;
		bool org_key;
		uint32_t key_ps, key_b, org_ps, org_b, server_ps, server_b;
		uint32_t want_ps, want_b;
	} cases[] = {
		{__LINE__, false, 0, 0, 0, 0, 0, 0, 0, 0},
		{__LINE__, false, 10, 20, 0, 0, 5, 5, 10, 20},
		{__LINE__, false, 0, 0, 0, 0, 5, 6, 5, 6},
		/* A personal key has no organization's default, whatever a row holds. */
		{__LINE__, false, 0, 0, 7, 7, 0, 0, 0, 0},
		{__LINE__, false, 0, 0, 7, 7, 5, 6, 5, 6},
		{__LINE__, true, 0, 0, 7, 8, 5, 6, 7, 8},
		{__LINE__, true, 1, 2, 7, 8, 5, 6, 1, 2},
		{__LINE__, true, 0, 0, 0, 0, 5, 6, 5, 6},
		{__LINE__, true, 0, 0, 0, 0, 0, 0, 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_principal who;
		struct store_rate_limit server = {cases[i].server_ps, cases[i].server_b}, out;

		memset(&who, 0, sizeof(who));
		who.key.has_org = cases[i].org_key;
		who.key.rate_limit = (struct store_rate_limit){cases[i].key_ps, cases[i].key_b};
		who.org.rate_limit = (struct store_rate_limit){cases[i].org_ps, cases[i].org_b};
		ratelimit_effective(&who, &server, &out);
		CHECK_AT(out.per_second == cases[i].want_ps && out.burst == cases[i].want_b,
		         cases[i].line, "%u/s burst %u, want %u/s burst %u", out.per_second, out.burst,
		         cases[i].want_ps, cases[i].want_b);
	}
}

static void
key_n(unsigned n, uint8_t id[UUID_LEN])
{
	memset(id, 0, UUID_LEN);
	memcpy(id + 8, &n, sizeof(n));
	id[6] = 0x70;
}

/* A table of this process: each key its own state; a peek counts nothing. */
static void
test_table(void)
{
	struct store_rate_limit rl = {2, 3};
	struct ratelimit r;
	struct ratelimit_decision d;
	uint8_t a[UUID_LEN], b[UUID_LEN];
	int admitted = 0;

	key_n(1, a);
	key_n(2, b);
	CHECK(ratelimit_open(&r, NULL) == 0 && r.shm != NULL && !r.pooled, "open: %s",
	      strerror(errno));
	ratelimit_peek(&r, a, &rl, T0, &d);
	CHECK(d.allowed && d.remaining == 2, "peek of an unknown key: %d r=%u", d.allowed,
	      d.remaining);
	for (int i = 0; i < 5; i++) {
		ratelimit_take(&r, a, &rl, T0, &d);
		admitted += d.allowed;
	}
	CHECK(admitted == 3 && !d.allowed && d.retry_after == 1, "a burst of 3: %d admitted",
	      admitted);
	ratelimit_peek(&r, a, &rl, T0, &d);
	CHECK(!d.allowed, "peek after the burst admits");
	ratelimit_take(&r, b, &rl, T0, &d);
	CHECK(d.allowed && d.remaining == 2, "another key shares the state: r=%u", d.remaining);
	/* Half a second later (T at 2/s), one more for a. */
	ratelimit_take(&r, a, &rl, T0 + 500 * MS, &d);
	CHECK(d.allowed && d.remaining == 0, "after T: %d r=%u", d.allowed, d.remaining);
	ratelimit_close(&r);
}

/*
 * Keys whose tags fall in one bucket: more of them than it has slots. While
 * they are all being limited, the extra one is judged fresh (untracked);
 * once one is idle, its slot is taken over.
 */
static void
test_full_bucket(void)
{
	struct store_rate_limit rl = {1, 1};
	struct ratelimit r;
	struct ratelimit_decision d;
	uint8_t ids[RATELIMIT_WAYS + 1][UUID_LEN], id[UUID_LEN];
	uint64_t bucket0 = 0;
	int n = 0;

	CHECK(ratelimit_open(&r, NULL) == 0, "open: %s", strerror(errno));
	for (unsigned k = 0; n < RATELIMIT_WAYS + 1 && k < 10000000; k++) {
		key_n(k, id);
		uint64_t bucket = (tag_of(id) >> 32) % RATELIMIT_BUCKETS;
		if (n == 0)
			bucket0 = bucket;
		if (bucket == bucket0)
			memcpy(ids[n++], id, UUID_LEN);
	}
	CHECK(n == RATELIMIT_WAYS + 1, "only %d keys found for one bucket", n);
	for (int i = 0; i < RATELIMIT_WAYS; i++)
		ratelimit_take(&r, ids[i], &rl, T0, &d);
	ratelimit_take(&r, ids[RATELIMIT_WAYS], &rl, T0, &d);
	CHECK(d.allowed && r.untracked == 1, "a full bucket: allowed %d, %llu untracked",
	      d.allowed, (unsigned long long)r.untracked);
	ratelimit_take(&r, ids[RATELIMIT_WAYS], &rl, T0, &d);
	CHECK(d.allowed && r.untracked == 2, "still untracked: %llu",
	      (unsigned long long)r.untracked);
	/* A second later every slot is idle: the extra key gets one and is limited. */
	ratelimit_take(&r, ids[RATELIMIT_WAYS], &rl, T0 + 2 * S, &d);
	CHECK(d.allowed && r.untracked == 2, "a slot taken over: %llu untracked",
	      (unsigned long long)r.untracked);
	ratelimit_take(&r, ids[RATELIMIT_WAYS], &rl, T0 + 2 * S, &d);
	CHECK(!d.allowed, "the key that took a slot over is not limited");
	/* The key it replaced starts fresh: its state was idle, nothing is lost. */
	ratelimit_take(&r, ids[0], &rl, T0 + 2 * S, &d);
	CHECK(d.allowed, "the replaced key was refused");
	ratelimit_close(&r);
}

/* A bucket whose lock a dead process holds, with a slot it left half-claimed. */
static void
test_dead_holder(void)
{
	struct store_rate_limit rl = {1, 1};
	struct ratelimit r;
	struct ratelimit_decision d;
	struct ratelimit_bucket *b;
	uint8_t id[UUID_LEN];
	pid_t dead = fork();

	if (dead == 0)
		_exit(0);
	waitpid(dead, NULL, 0);
	key_n(42, id);
	CHECK(ratelimit_open(&r, NULL) == 0, "open: %s", strerror(errno));
	b = &r.shm->buckets[(tag_of(id) >> 32) % RATELIMIT_BUCKETS];
	b->lock = (uint32_t)dead;
	b->tag[0] = tag_of(id);
	b->tat[0] = TAT_CLAIMING;
	ratelimit_take(&r, id, &rl, T0, &d);
	CHECK(d.allowed && b->lock == 0 && find_way(b, tag_of(id)) >= 0 && r.untracked == 0,
	      "after a dead holder: allowed %d, lock %u", d.allowed, b->lock);
	ratelimit_take(&r, id, &rl, T0, &d);
	CHECK(!d.allowed, "the key is not limited after the repair");
	ratelimit_close(&r);
}

#define PROCS   8
#define EACH    4000
#define KEYS    4

/*
 * The pool's file under contention: PROCS forked processes (as workers are)
 * take EACH requests each, spread over KEYS keys, all at the same instant:
 * exactly `burst` admitted per key, never one more.
 */
static void
test_processes(void)
{
	struct store_rate_limit rl = {1000, 257};
	char dir[] = "/tmp/ps-ratelimit-XXXXXX", path[POOLDIR_PATH_MAX];
	struct ratelimit r;
	struct ratelimit_decision d;
	pid_t pids[PROCS];
	int *admitted;
	uint8_t id[UUID_LEN];

	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	CHECK(ratelimit_create(dir, getuid(), getgid()) == 0, "create: %s", strerror(errno));
	admitted = mmap(NULL, sizeof(int) * PROCS * KEYS, PROT_READ | PROT_WRITE,
	                MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(admitted != MAP_FAILED, "mmap: %s", strerror(errno));
	memset(admitted, 0, sizeof(int) * PROCS * KEYS);
	fflush(stdout);
	for (int p = 0; p < PROCS; p++) {
		pids[p] = fork();
		if (pids[p] == 0) {
			struct ratelimit mine;

			/* Each process maps the file itself, as a worker does after fork. */
			if (ratelimit_open(&mine, dir) != 0 || !mine.pooled)
				_exit(1);
			for (int i = 0; i < EACH; i++) {
				key_n((unsigned)(i % KEYS), id);
				ratelimit_take(&mine, id, &rl, T0, &d);
				admitted[p * KEYS + i % KEYS] += d.allowed;
			}
			_exit(0);
		}
	}
	for (int p = 0; p < PROCS; p++) {
		int st = -1;

		waitpid(pids[p], &st, 0);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "process %d: status 0x%x", p, st);
	}
	for (int k = 0; k < KEYS; k++) {
		int total = 0;

		for (int p = 0; p < PROCS; p++)
			total += admitted[p * KEYS + k];
		CHECK(total == (int)rl.burst, "key %d: %d admitted, want %u", k, total, rl.burst);
	}
	/* And the parent, mapping the same file, sees the keys used up. */
	CHECK(ratelimit_open(&r, dir) == 0 && r.pooled, "open: %s", strerror(errno));
	key_n(0, id);
	ratelimit_peek(&r, id, &rl, T0, &d);
	CHECK(!d.allowed && d.remaining == 0, "the parent's view: allowed %d", d.allowed);
	ratelimit_close(&r);
	munmap(admitted, sizeof(int) * PROCS * KEYS);
	CHECK(ratelimit_path(dir, path, sizeof(path)) && unlink(path) == 0 && rmdir(dir) == 0,
	      "cleanup: %s", strerror(errno));
}

int
main(void)
{
	test_gcra();
	test_headers();
	test_effective();
	test_table();
	test_full_bucket();
	test_dead_holder();
	test_processes();
	return harness_summary();
}
