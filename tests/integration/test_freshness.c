/*
 * Integration tests of freshness (issue 14; docs/api.md "Key lifecycle" and
 * "Ownership and organization context"): a revoke, an account's or an
 * organization's deactivation, a member's removal, a role change, a
 * reactivation and a roll take effect on the very next request, in every
 * worker, whatever a worker may remember of a key (a cache of verified
 * principals must stay exact).
 *
 * Each case writes down a few requests ("probes": a key, a method, a path)
 * and what each must answer in every state: before the first change, then
 * after each. Through lighttpd's pool it
 *   1. warms the pool: rounds of the probes from several processes at once
 *      until every worker has answered every probe (a cache would hold every
 *      key in every worker); which worker answered is the "pid" of the
 *      request's line in the request log, found by its X-Request-Id;
 *   2. keeps a second client busy from start to end: processes sending GET
 *      /v1/me with keys of their own (always 200, always their own key) and
 *      the GET probes (checked when sent and answered within one state; one
 *      under way while a change commits is only counted);
 *   3. makes each change, with the next round's processes already forked and
 *      waiting: they send the moment the change's command or response has
 *      returned, each probe at least PER_WORKER times the pool's size on
 *      fresh connections, and more rounds follow until every worker has
 *      answered every probe in the new state;
 *   4. prints how many requests were checked after each change and fails with
 *      the first recorded response that is not the new state's.
 * The bounds: COVER_S for the rounds of one state, LOG_S for a log line.
 */
#include "itest.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KP(id) P("/v1/api-keys/%s", (id))

#define MAX_PROBES 6
#define MAX_STATES 4            /* before the first change, then after each */
#define ROUND_PROCS 4           /* processes sending a round's requests side by side */
#define HAMMER_PROCS 3          /* the second client's processes */
#define PER_WORKER 4            /* a round sends each probe at least 4 times the pool's size */
#define SHOTS_MAX 96            /* requests one round process records */
#define COVER_S 4.0             /* the rounds of one state end within this */
#define LOG_S 5.0               /* a request's log line is written right after its response */
#define GRACE_S 8               /* a roll's grace period: longer than the rounds of one state */
#define HAMMER_MAX_S 120.0      /* the second client stops by itself if never told to */
#define REQUEST_MS 5000         /* the longest silence of one request */

/* flags of the round processes (after flags[LOAD_STOP]) */
#define GO 1                    /* the change has returned: send */
/* flags of the second client */
#define STATE 1                 /* changes that have returned */
#define CHANGING 2              /* changes that have begun */

/* ---- what a state answers -------------------------------------------------------------------- */

struct want {
	int status;                 /* 0: the probe is not sent in this state */
	const char *code;           /* error_code of an error; NULL for a success */
	const char *role;           /* GET /v1/me: organization.role, "" for null; NULL: unchecked */
	const char *const *ids;     /* a list: exactly these key ids, NULL-terminated; NULL: unchecked */
};
#define OK200 {200, NULL, NULL, NULL}
#define ROLE(r) {200, NULL, (r), NULL}
#define LIST(...) {200, NULL, NULL, (const char *const[]){__VA_ARGS__, NULL}}
#define REFUSED(status, code) {(status), (code), NULL, NULL}
#define NOT_SENT {0, NULL, NULL, NULL}

struct probe {
	const char *whose;          /* the key's owner, for messages */
	const char *method, *path, *key, *org;
	struct want want[MAX_STATES];
};

/* One change: scripts/admin's arguments, or a request answered with status, or the end of a
 * roll's grace period (a key's expires_at, read with observer, has passed). */
struct change {
	const char *what;
	const char *admin[8];
	struct rq q;
	int status;
	const char *expiring, *observer;
};

struct scenario {
	struct probe probe[MAX_PROBES];      /* up to the first without a method */
	struct change change[MAX_STATES - 1]; /* up to the first without a what */
	struct key own[2];                   /* the second client's keys, never changed */
};

static size_t
probes_of(const struct scenario *s)
{
	size_t n = 0;

	while (n < MAX_PROBES && s->probe[n].method != NULL)
		n++;
	return n;
}

static size_t
changes_of(const struct scenario *s)
{
	size_t n = 0;

	while (n < MAX_STATES - 1 && s->change[n].what != NULL)
		n++;
	return n;
}

static bool
same_ids(const struct http_response *r, const char *const *want)
{
	const char *ids[128];
	size_t n = 0, got = jlist_ids(r, ids, N_ELEMS(ids));

	for (; want[n] != NULL; n++)
		if (!jlist_contains(r, want[n]))
			return false;
	return got == n && jget(r->json, "data") != NULL;
}

/* Whether r is what w says; why gets the difference. No CHECK: the forked processes use it. */
static bool
answers(const struct http_response *r, const struct want *w, char *why, size_t cap)
{
	const char *code = jstr(r->json, "error_code"), *role = jstr(r->json, "organization.role");

	if (r->status != w->status)
		snprintf(why, cap, "status %d, want %d %s", r->status, w->status, w->code ? w->code : "");
	else if (w->code != NULL && (code == NULL || strcmp(code, w->code) != 0))
		snprintf(why, cap, "error_code %s, want %s", code ? code : "(none)", w->code);
	else if (w->role != NULL && (w->role[0] == '\0' ? !jis_null(r->json, "organization.role") :
	                             role == NULL || strcmp(role, w->role) != 0))
		snprintf(why, cap, "organization.role %s, want %s", role ? role : "not a string",
		         w->role[0] ? w->role : "null");
	else if (w->ids != NULL && !same_ids(r, w->ids))
		snprintf(why, cap, "another list of keys");
	else
		return true;
	return false;
}

/* One probe on a fresh connection; untracked (the second client sends thousands). */
static struct http_response *
send_probe(const struct probe *p)
{
	const char *h[] = {P("Authorization: Bearer %s", p->key),
	                   p->org ? P("ParseSphere-Organization: %s", p->org) : NULL, NULL};

	return http_do(&(struct http_request){.method = p->method, .path = p->path, .headers = h,
	                                      .timeout_ms = REQUEST_MS});
}

/* A forked process ends with the test's process, whatever stops that one. */
static bool
tied_to_parent(void)
{
	return prctl(PR_SET_PDEATHSIG, SIGKILL) == 0 && getppid() != 1;
}

/* "member's key GET /v1/me: status 200, want 401 api_key_revoked; got 200 {...}". */
static void
describe(char *out, size_t cap, const struct probe *p, const struct http_response *r,
         const char *why)
{
	const char *rid = http_header(r, "X-Request-Id");

	snprintf(out, cap, "%s key, %s %s%s: %s; got %d %.300s (X-Request-Id %s)", p->whose,
	         p->method, p->path, p->org ? " in the organization's context" : "", why, r->status,
	         r->status ? r->body : r->error, rid ? rid : "none");
}

/* ---- the rounds of one state --------------------------------------------------------------- */

struct shot {
	int probe, status;
	bool ok;
	char rid[40];
};

struct round_tally {
	int n;
	double first_sent;          /* now_s() as the first request left */
	char first_bad[640];
	struct shot shot[SHOTS_MAX];
};

struct round_args {
	const struct scenario *s;
	int state, reps;
};

/* One round process: waits for GO, then sends every probe of the state reps times. */
static void
round_child(void *tally, volatile int *flags, void *arg)
{
	struct round_tally *t = tally;
	const struct round_args *a = arg;
	size_t np = probes_of(a->s), first = (size_t)getpid() % np;
	char why[160];

	if (!tied_to_parent())
		return;
	while (!flags[GO] && !flags[LOAD_STOP])
		sleep_s(0.0002);
	if (!flags[GO])
		return;   /* the change failed: nothing to check */
	t->first_sent = now_s();
	for (int rep = 0; rep < a->reps; rep++) {
		for (size_t j = 0; j < np && t->n < SHOTS_MAX; j++) {
			const struct probe *p = &a->s->probe[(first + j) % np];
			const struct want *w = &p->want[a->state];
			struct http_response *r;
			struct shot *sh;

			if (w->status == 0)
				continue;
			r = send_probe(p);
			sh = &t->shot[t->n++];
			sh->probe = (int)((first + j) % np);
			sh->status = r->status;
			sh->ok = answers(r, w, why, sizeof(why));
			snprintf(sh->rid, sizeof(sh->rid), "%s",
			         http_header(r, "X-Request-Id") ? http_header(r, "X-Request-Id") : "");
			if (!sh->ok && t->first_bad[0] == '\0')
				describe(t->first_bad, sizeof(t->first_bad), p, r, why);
			http_response_free(r);
		}
	}
}

/* Whether the workers' request log is the stack's app.log, every request in it. */
static bool
request_log_readable(void)
{
	const char *dest = config_value("request_log");

	return (dest == NULL || strcmp(dest, "stderr") == 0) &&
	       config_value("request_log_sample") == NULL;
}

/* The pid in the request log's line of request id rid, from log on; 0 if none yet. */
static pid_t
answered_by(const char *log, const char *rid)
{
	const char *at = rid[0] ? strstr(log, P("\"request_id\":\"%s\"", rid)) : NULL;
	const char *pid = at ? strstr(at, "\"pid\":") : NULL, *eol = at ? strchr(at, '\n') : NULL;

	return pid != NULL && (eol == NULL || pid < eol) ? (pid_t)atoi(pid + 6) : 0;
}

/* Marks seen[probe][worker] for the round's requests, by their log lines (waits up to LOG_S). */
static void
mark_workers(long offset, const struct load_procs *l, const pid_t *pool, size_t workers,
             bool seen[MAX_PROBES][MAX_PIDS])
{
	double end = now_s() + LOG_S;
	bool missing;

	do {
		const char *log = file_from(state_path("app.log"), offset);

		missing = false;
		for (int c = 0; c < l->procs; c++) {
			const struct round_tally *t = (const struct round_tally *)l->tallies + c;

			for (int i = 0; i < t->n; i++) {
				pid_t pid = answered_by(log, t->shot[i].rid);

				missing |= pid == 0;
				for (size_t w = 0; w < workers; w++)
					seen[t->shot[i].probe][w] |= pool[w] == pid;
			}
		}
		if (missing)
			sleep_s(0.05);
	} while (missing && now_s() < end);
}

/* The first probe of the state some worker has not answered, or -1; *worker gets that worker. */
static int
uncovered(const struct scenario *s, int state, size_t workers, bool seen[MAX_PROBES][MAX_PIDS],
          size_t *worker)
{
	for (size_t i = 0; i < probes_of(s); i++)
		for (size_t w = 0; s->probe[i].want[state].status != 0 && w < workers; w++)
			if (!seen[i][w]) {
				*worker = w;
				return (int)i;
			}
	return -1;
}

/* Waits until the grace period of the key c names has ended; checked. The second client is
 * told the change begins a second before the instant shown (which may be rounded either way). */
static bool
wait_expired_at(int line, const struct change *c, volatile int *hammer, int state)
{
	struct http_response *r;
	struct tm tm;
	const char *until;
	time_t t;

	r = GET(KP(c->expiring), c->observer);
	until = jstr(r->json, "expires_at");
	memset(&tm, 0, sizeof(tm));
	if (!CHECK_AT(r->status == 200 && until != NULL && is_rfc3339_utc(until) &&
	              strptime(until, "%Y-%m-%dT%H:%M:%SZ", &tm) != NULL, line,
	              "the rolled key's expires_at: %d %s", r->status, r->body))
		return false;
	t = timegm(&tm);
	if (!CHECK_AT(t - time(NULL) <= GRACE_S, line, "expires_at %s is more than %d s ahead", until,
	              GRACE_S))
		return false;
	while (time(NULL) < t - 1)
		sleep_s(0.05);
	hammer[CHANGING] = state;
	while (time(NULL) <= t)
		sleep_s(0.05);
	return true;
}

/* Applies change number state (checked); the second client is told when it begins and when it
 * has returned (a change that failed never returns: what it sends then is only counted). */
static bool
apply_change_at(int line, const struct scenario *s, volatile int *hammer, int state)
{
	const struct change *c = &s->change[state - 1];
	const char *const *a = c->admin;
	bool ok;

	if (c->expiring == NULL)
		hammer[CHANGING] = state;
	if (a[0] != NULL)
		ok = admin_ok_at(line, admin_run(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7],
		                                 (const char *)NULL));
	else if (c->q.method != NULL)
		ok = expect_status_at(line, itest_request(&c->q), c->status);
	else
		ok = wait_expired_at(line, c, hammer, state);
	hammer[CHANGING] = state;
	if (ok)
		hammer[STATE] = state;
	return ok;
}

/* What one state's rounds found. */
struct state_count {
	int sent, bad, rounds, per_probe;   /* per_probe: the fewest of one probe in the first round */
	size_t workers_seen;
	double first_sent;                  /* the first request of the first round left */
	char first_bad[640];
};

static void
add_round(struct state_count *sc, const struct load_procs *l, size_t np)
{
	int per[MAX_PROBES] = {0};

	for (int c = 0; c < l->procs; c++) {
		const struct round_tally *t = (const struct round_tally *)l->tallies + c;

		for (int i = 0; i < t->n; i++) {
			sc->sent++;
			sc->bad += !t->shot[i].ok;
			per[t->shot[i].probe]++;
		}
		if (sc->first_bad[0] == '\0' && t->first_bad[0] != '\0')
			memcpy(sc->first_bad, t->first_bad, sizeof(sc->first_bad));
		if (sc->rounds == 0 && t->n > 0 && (sc->first_sent == 0 || t->first_sent < sc->first_sent))
			sc->first_sent = t->first_sent;
	}
	if (sc->rounds++ == 0)
		for (size_t i = 0; i < np; i++)
			if (per[i] > 0 && (sc->per_probe == 0 || per[i] < sc->per_probe))
				sc->per_probe = per[i];
}

/*
 * The rounds of one state: the first one's processes forked before the change
 * (state > 0) and released the moment it returns; more rounds until every
 * worker has answered every probe of the state (when the request log can
 * tell), within COVER_S. Returns false when a change or a response failed.
 */
static bool
check_state_at(int line, const struct scenario *s, int state, volatile int *hammer,
               const pid_t *pool, size_t workers)
{
	size_t np = probes_of(s), worker = 0;
	struct round_args a = {s, state, (int)((PER_WORKER * workers + ROUND_PROCS - 1) / ROUND_PROCS)};
	const char *label = state ? P("after %s", s->change[state - 1].what) : "warming up";
	bool seen[MAX_PROBES][MAX_PIDS], by_log = request_log_readable(), ok = true;
	struct state_count sc;
	double start = now_s();
	int missing = -1;

	memset(seen, 0, sizeof(seen));
	memset(&sc, 0, sizeof(sc));
	if (a.reps > (int)(SHOTS_MAX / np))
		a.reps = (int)(SHOTS_MAX / np);
	do {
		struct load_procs l;
		long offset = file_size(state_path("app.log"));

		if (!load_procs_start_at(line, &l, ROUND_PROCS, sizeof(struct round_tally), 2, 30,
		                         round_child, &a))
			return false;
		if (sc.rounds == 0 && state > 0) {
			ok = apply_change_at(line, s, hammer, state);
			start = now_s();
		}
		l.flags[GO] = ok;
		ok &= load_procs_finish_at(line, &l);
		add_round(&sc, &l, np);
		if (ok && by_log)
			mark_workers(offset, &l, pool, workers, seen);
		load_procs_unmap(&l);
		missing = by_log ? uncovered(s, state, workers, seen, &worker) : -1;
	} while (ok && sc.bad == 0 && missing >= 0 && now_s() - start < COVER_S);
	if (!ok)
		return false;
	for (size_t w = 0; w < workers; w++)
		for (size_t i = 0; i < np; i++)
			if (seen[i][w]) {
				sc.workers_seen++;
				break;
			}
	printf("  %s: %d requests checked in %d round%s (each probe at least %d times in the "
	       "first%s), answered by %s%zu of %zu workers\n", label, sc.sent, sc.rounds,
	       sc.rounds == 1 ? "" : "s", sc.per_probe, state == 0 ? "" :
	       P(", which began %.1f ms after the change returned", (sc.first_sent - start) * 1000),
	       by_log ? "" : "(not known: request log elsewhere) ", sc.workers_seen, workers);
	ok &= CHECK_AT(sc.bad == 0, line, "%s: %d of %d requests not as expected; the first: %s",
	               label, sc.bad, sc.sent, sc.first_bad);
	if (ok)
		ok &= CHECK_AT(missing < 0, line, "%s: in %.1f s, worker %d never answered %s key's %s %s",
		               label, now_s() - start, (int)pool[worker], s->probe[missing].whose,
		               s->probe[missing].method, s->probe[missing].path);
	return ok;
}

/* ---- the second client ------------------------------------------------------------------- */

struct hammer_tally {
	int own, probes, exact, bad;
	char first_bad[640];
};

/*
 * One process of the second client: GET /v1/me with its own keys, then each
 * GET probe, until stopped. A probe sent once change k had returned
 * (flags[STATE]) and answered before change k + 1 began (flags[CHANGING])
 * must answer as state k. One under way while a change commits is counted
 * only: it may read the database on both sides of the commit (authenticated
 * before a deactivation, refused the organization after it).
 */
static void
hammer_child(void *tally, volatile int *flags, void *arg)
{
	struct hammer_tally *t = tally;
	const struct scenario *s = arg;
	size_t np = probes_of(s);
	double end = now_s() + HAMMER_MAX_S;
	char why[160];

	/* Thousands of the same few requests: the lighttpd pass's record for the OpenAPI checks
	 * (PS_RECORD) gets the rounds' exchanges, not these. */
	unsetenv("PS_RECORD");
	if (!tied_to_parent())
		return;
	for (unsigned i = (unsigned)getpid(); !flags[LOAD_STOP] && now_s() < end; i++) {
		size_t slot = i % (np + 1);
		const struct key *own = &s->own[(i / (np + 1)) % 2];
		const struct probe *p = slot < np ? &s->probe[slot] : &(const struct probe){
			"the second client's own", "GET", "/v1/me", own->secret, NULL, {OK200}};
		int from = slot < np ? flags[STATE] : 0, to;
		struct http_response *r;
		bool ok;

		if (strcmp(p->method, "GET") != 0)
			continue;
		r = send_probe(p);
		to = slot < np ? flags[CHANGING] : 0;
		ok = from != to || answers(r, &p->want[from], why, sizeof(why));
		if (ok && slot == np && !(jstr(r->json, "api_key.id") &&
		                          strcmp(jstr(r->json, "api_key.id"), own->id) == 0)) {
			ok = false;
			snprintf(why, sizeof(why), "another key's identity");
		}
		t->own += slot == np;
		t->probes += slot < np;
		t->exact += slot < np && from == to;
		if (!ok && t->bad++ == 0)
			describe(t->first_bad, sizeof(t->first_bad), p, r, why);
		http_response_free(r);
	}
}

/* Stops the second client and checks what it saw. */
static void
hammer_finish_at(int line, struct load_procs *l)
{
	struct hammer_tally sum;

	memset(&sum, 0, sizeof(sum));
	load_procs_finish_at(line, l);
	for (int c = 0; c < l->procs; c++) {
		const struct hammer_tally *t = (const struct hammer_tally *)l->tallies + c;

		sum.own += t->own;
		sum.probes += t->probes;
		sum.exact += t->exact;
		sum.bad += t->bad;
		if (sum.first_bad[0] == '\0' && t->first_bad[0] != '\0')
			memcpy(sum.first_bad, t->first_bad, sizeof(sum.first_bad));
	}
	load_procs_unmap(l);
	printf("  second client: %d requests with its own keys, %d with the keys under test (%d "
	       "sent and answered within one state, checked; %d under way during a change)\n",
	       sum.own, sum.probes, sum.exact, sum.probes - sum.exact);
	CHECK_AT(sum.bad == 0, line, "the second client: %d of %d requests not as expected; the "
	         "first: %s", sum.bad, sum.own + sum.probes, sum.first_bad);
	CHECK_AT(sum.own > 0 && sum.probes > 0, line, "the second client sent %d and %d requests",
	         sum.own, sum.probes);
}

/* The whole case: keys for the second client, the warm-up, then each change and its rounds. */
static void
run_scenario_at(int line, struct scenario *s)
{
	struct load_procs hammer;
	pid_t master, pool[MAX_PIDS];
	size_t workers;
	struct acct own;
	bool ok;

	if (!stack_pool_at(line, "freshness", &master, pool, &workers) ||
	    !new_account_at(line, &own, "fresh-bystander") ||
	    !new_key_at(line, &s->own[0], own.id, NULL, "bystander 1") ||
	    !new_key_at(line, &s->own[1], own.id, NULL, "bystander 2") ||
	    !load_procs_start_at(line, &hammer, HAMMER_PROCS, sizeof(struct hammer_tally), 3, 10,
	                         hammer_child, s))
		return;
	ok = check_state_at(line, s, 0, hammer.flags, pool, workers);
	for (size_t c = 0; ok && c < changes_of(s); c++)
		ok = check_state_at(line, s, (int)c + 1, hammer.flags, pool, workers);
	hammer_finish_at(line, &hammer);
}
#define RUN_SCENARIO(s) run_scenario_at(__LINE__, (s))


/* ---- the cases -------------------------------------------------------------------------------- */

/* An organization: its owner and one more member of role, their personal keys (the member
 * two) and their org keys. */
struct org_fx {
	struct acct owner, member;
	struct key owner_personal, owner_org, member_personal, member_spare, member_org;
	char org[37];
};

static bool
org_fixture_at(int line, struct org_fx *f, const char *role)
{
	return new_account_at(line, &f->owner, "fresh-owner") &&
	       new_account_at(line, &f->member, P("fresh-%s", role)) &&
	       new_org_at(line, f->org, unique("Fresh Org"), f->owner.id) &&
	       add_member_at(line, f->org, f->member.id, role) &&
	       new_key_at(line, &f->owner_personal, f->owner.id, NULL, "owner personal") &&
	       new_key_at(line, &f->owner_org, f->owner.id, f->org, "owner org") &&
	       new_key_at(line, &f->member_personal, f->member.id, NULL, "member personal") &&
	       new_key_at(line, &f->member_spare, f->member.id, NULL, "member spare") &&
	       new_key_at(line, &f->member_org, f->member.id, f->org, "member org");
}
#define ORG_FIXTURE(f, role) \
	(lighttpd_only("the prefork pool of scripts/stack.sh") && org_fixture_at(__LINE__, (f), (role)))

/* DELETE /v1/api-keys/{id}: 401 api_key_revoked. A personal key revoked with another key of its
 * account, then a member's org key by the owner acting in the organization. */
static void
test_fresh_after_revoke(void)
{
	struct org_fx f;

	if (!ORG_FIXTURE(&f, "member"))
		return;
	struct scenario s = {
		.probe = {
			{"the member's personal", "GET", "/v1/me", f.member_personal.secret, NULL,
			 {OK200, REFUSED(401, "api_key_revoked"), REFUSED(401, "api_key_revoked")}},
			{"the member's personal", "GET", "/v1/api-keys", f.member_personal.secret, NULL,
			 {LIST(f.member_personal.id, f.member_spare.id), REFUSED(401, "api_key_revoked"),
			  REFUSED(401, "api_key_revoked")}},
			{"the member's org", "GET", "/v1/me", f.member_org.secret, NULL,
			 {ROLE("member"), ROLE("member"), REFUSED(401, "api_key_revoked")}},
			{"the member's org", "GET", KP(f.member_org.id), f.member_org.secret, NULL,
			 {OK200, OK200, REFUSED(401, "api_key_revoked")}},
			{"the member's spare", "GET", "/v1/me", f.member_spare.secret, NULL,
			 {OK200, OK200, OK200}},
		},
		.change = {
			{.what = "DELETE of the member's personal key",
			 .q = {.method = "DELETE", .path = KP(f.member_personal.id),
			       .key = f.member_spare.secret}, .status = 200},
			{.what = "DELETE of the member's org key by the owner",
			 .q = {.method = "DELETE", .path = KP(f.member_org.id),
			       .key = f.owner_personal.secret, .org = f.org}, .status = 200},
		},
	};
	RUN_SCENARIO(&s);
}

/* account deactivate: its personal key is 403 account_deactivated whatever the context; its
 * org key still works (it is the organization's) with a null role, and cannot manage keys.
 * account activate: all back. */
static void
test_fresh_after_account_deactivation(void)
{
	struct org_fx f;

	if (!ORG_FIXTURE(&f, "admin"))
		return;
	struct scenario s = {
		.probe = {
			{"the admin's personal", "GET", "/v1/me", f.member_personal.secret, NULL,
			 {OK200, REFUSED(403, "account_deactivated"), OK200}},
			{"the admin's personal", "GET", "/v1/api-keys", f.member_personal.secret, f.org,
			 {LIST(f.owner_org.id, f.member_org.id), REFUSED(403, "account_deactivated"),
			  LIST(f.owner_org.id, f.member_org.id)}},
			{"the admin's org", "GET", "/v1/me", f.member_org.secret, NULL,
			 {ROLE("admin"), ROLE(""), ROLE("admin")}},
			{"the admin's org", "GET", "/v1/api-keys", f.member_org.secret, NULL,
			 {LIST(f.owner_org.id, f.member_org.id), REFUSED(403, "not_organization_member"),
			  LIST(f.owner_org.id, f.member_org.id)}},
			{"the owner's org", "GET", "/v1/me", f.owner_org.secret, NULL,
			 {ROLE("owner"), ROLE("owner"), ROLE("owner")}},
		},
		.change = {
			{.what = "account deactivate", .admin = {"account", "deactivate", f.member.id}},
			{.what = "account activate", .admin = {"account", "activate", f.member.id}},
		},
	};
	RUN_SCENARIO(&s);
}

/* org deactivate: its org keys are 403 organization_deactivated, its members' personal keys
 * cannot enter it (403 not_organization_member) but keep their personal context.
 * org activate: all back. */
static void
test_fresh_after_org_deactivation(void)
{
	struct org_fx f;

	if (!ORG_FIXTURE(&f, "member"))
		return;
	struct scenario s = {
		.probe = {
			{"the owner's org", "GET", "/v1/me", f.owner_org.secret, NULL,
			 {ROLE("owner"), REFUSED(403, "organization_deactivated"), ROLE("owner")}},
			{"the member's org", "GET", "/v1/api-keys", f.member_org.secret, NULL,
			 {LIST(f.member_org.id), REFUSED(403, "organization_deactivated"),
			  LIST(f.member_org.id)}},
			{"the owner's personal", "GET", "/v1/api-keys", f.owner_personal.secret, f.org,
			 {LIST(f.owner_org.id, f.member_org.id), REFUSED(403, "not_organization_member"),
			  LIST(f.owner_org.id, f.member_org.id)}},
			{"the member's personal", "GET", "/v1/me", f.member_personal.secret, f.org,
			 {ROLE("member"), REFUSED(403, "not_organization_member"), ROLE("member")}},
			{"the owner's personal", "GET", "/v1/me", f.owner_personal.secret, NULL,
			 {OK200, OK200, OK200}},
		},
		.change = {
			{.what = "org deactivate", .admin = {"org", "deactivate", f.org}},
			{.what = "org activate", .admin = {"org", "activate", f.org}},
		},
	};
	RUN_SCENARIO(&s);
}

/* org remove-member: the member's org key works with a null role and cannot manage keys (403
 * not_organization_member), its personal key cannot enter the organization. Added back as a
 * member: its own keys again. */
static void
test_fresh_after_member_removal(void)
{
	struct org_fx f;

	if (!ORG_FIXTURE(&f, "member"))
		return;
	struct scenario s = {
		.probe = {
			{"the member's org", "GET", "/v1/me", f.member_org.secret, NULL,
			 {ROLE("member"), ROLE(""), ROLE("member")}},
			{"the member's org", "GET", "/v1/api-keys", f.member_org.secret, NULL,
			 {LIST(f.member_org.id), REFUSED(403, "not_organization_member"),
			  LIST(f.member_org.id)}},
			{"the member's org", "GET", KP(f.member_org.id), f.member_org.secret, NULL,
			 {OK200, REFUSED(403, "not_organization_member"), OK200}},
			{"the member's personal", "GET", "/v1/me", f.member_personal.secret, f.org,
			 {ROLE("member"), REFUSED(403, "not_organization_member"), ROLE("member")}},
			{"the member's personal", "GET", "/v1/me", f.member_personal.secret, NULL,
			 {OK200, OK200, OK200}},
		},
		.change = {
			{.what = "org remove-member", .admin = {"org", "remove-member", f.org, f.member.id}},
			{.what = "org add-member --role member",
			 .admin = {"org", "add-member", f.org, f.member.id, "--role", "member"}},
		},
	};
	RUN_SCENARIO(&s);
}

/* org add-member --role member for an admin: /v1/me shows the role, the admin's view of the
 * organization's keys shrinks to its own (another's key is 404, also to revoke); back to admin:
 * the whole view again. */
static void
test_fresh_after_role_change(void)
{
	struct org_fx f;

	if (!ORG_FIXTURE(&f, "admin"))
		return;
	struct scenario s = {
		.probe = {
			{"the admin's org", "GET", "/v1/me", f.member_org.secret, NULL,
			 {ROLE("admin"), ROLE("member"), ROLE("admin")}},
			{"the admin's org", "GET", "/v1/api-keys", f.member_org.secret, NULL,
			 {LIST(f.owner_org.id, f.member_org.id), LIST(f.member_org.id),
			  LIST(f.owner_org.id, f.member_org.id)}},
			{"the admin's personal", "GET", "/v1/api-keys", f.member_personal.secret, f.org,
			 {LIST(f.owner_org.id, f.member_org.id), LIST(f.member_org.id),
			  LIST(f.owner_org.id, f.member_org.id)}},
			{"the admin's org", "GET", KP(f.owner_org.id), f.member_org.secret, NULL,
			 {OK200, REFUSED(404, "not_found"), OK200}},
			/* as an admin it would revoke: sent only while a member */
			{"the admin's org", "DELETE", KP(f.owner_org.id), f.member_org.secret, NULL,
			 {NOT_SENT, REFUSED(404, "not_found"), NOT_SENT}},
			{"the admin's personal", "DELETE", KP(f.owner_org.id), f.member_personal.secret, f.org,
			 {NOT_SENT, REFUSED(404, "not_found"), NOT_SENT}},
		},
		.change = {
			{.what = "org add-member --role member",
			 .admin = {"org", "add-member", f.org, f.member.id, "--role", "member"}},
			{.what = "org add-member --role admin",
			 .admin = {"org", "add-member", f.org, f.member.id, "--role", "admin"}},
		},
	};
	RUN_SCENARIO(&s);
}

/* POST /v1/api-keys/{id}/roll: without a grace period the old key is revoked at once (401
 * api_key_revoked, docs/api.md); with one it works until expires_at, then 401 api_key_expired
 * from the next request on, though nothing was written at that instant. */
static void
test_fresh_after_roll(void)
{
	struct acct a;
	struct key now, later, watcher;

	if (!lighttpd_only("the prefork pool of scripts/stack.sh") ||
	    !NEW_ACCOUNT(&a, "fresh-roll") || !NEW_KEY(&now, a.id, NULL, "rolled at once") ||
	    !NEW_KEY(&later, a.id, NULL, "rolled with grace") || !NEW_KEY(&watcher, a.id, NULL, "watcher"))
		return;
	struct scenario s = {
		.probe = {
			{"the first rolled", "GET", "/v1/me", now.secret, NULL,
			 {OK200, REFUSED(401, "api_key_revoked"), REFUSED(401, "api_key_revoked"),
			  REFUSED(401, "api_key_revoked")}},
			{"the second rolled", "GET", "/v1/me", later.secret, NULL,
			 {OK200, OK200, OK200, REFUSED(401, "api_key_expired")}},
			{"the second rolled", "GET", KP(later.id), later.secret, NULL,
			 {OK200, OK200, OK200, REFUSED(401, "api_key_expired")}},
			{"the watcher", "GET", "/v1/me", watcher.secret, NULL,
			 {OK200, OK200, OK200, OK200}},
		},
		.change = {
			{.what = "a roll with grace_period_seconds 0",
			 .q = {.method = "POST", .path = P("/v1/api-keys/%s/roll", now.id),
			       .key = watcher.secret, .ctype = "application/json",
			       .body = "{\"grace_period_seconds\": 0}"}, .status = 201},
			{.what = P("a roll with grace_period_seconds %d", GRACE_S),
			 .q = {.method = "POST", .path = P("/v1/api-keys/%s/roll", later.id),
			       .key = watcher.secret, .ctype = "application/json",
			       .body = P("{\"grace_period_seconds\": %d}", GRACE_S)}, .status = 201},
			{.what = "the end of that grace period", .expiring = later.id,
			 .observer = watcher.secret},
		},
	};
	RUN_SCENARIO(&s);
}

const struct itest_case itest_freshness_cases[] = {
	ITEST(test_fresh_after_revoke),
	ITEST(test_fresh_after_account_deactivation),
	ITEST(test_fresh_after_org_deactivation),
	ITEST(test_fresh_after_member_removal),
	ITEST(test_fresh_after_role_change),
	ITEST(test_fresh_after_roll),
};
const size_t itest_freshness_count = N_ELEMS(itest_freshness_cases);
