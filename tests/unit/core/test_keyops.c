/*
 * Unit tests of lib/core/keyops.c with a fake store (fake_store.h): finding
 * a visible key, list cursors, creating a key in a context (its owner, its
 * creator, its secret and what is stored of it), revoking, rolling; each
 * change with exactly one audit event in its transaction, a failed or empty
 * change with none.
 */
#include "../../../lib/core/keyops.c"
#include "../../../lib/core/audit.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "fake_store.h"

#define T_CREATED INT64_C(1795000000000000)     /* 2026-11-18, microseconds */
#define T_REVOKED INT64_C(1795000100000000)
#define T_NOW     INT64_C(1795000200000000)

#define ID_ADMIN 0xad          /* an admin of ID_ORG who did not create the key */
#define ID_REQ   0x7e          /* the request of every origin */

/* The row the fake store holds: key ID_KEY of account ID_ACCOUNT. */
static void
set_key(bool revoked)
{
	fake_id(fake.key.id, ID_KEY);
	fake_id(fake.key.created_by, ID_ACCOUNT);
	fake.key.created_at = T_CREATED;
	fake.key.revoked = revoked;
	fake.key.revoked_at = revoked ? T_REVOKED : 0;
	fake.key.revoked_reason = revoked ? REASON_USER : REASON_NONE;
}

/* The origin of every change below: key ID_KEY of ID_ACCOUNT, from 192.0.2.1. */
static void
set_origin(struct audit_origin *o)
{
	memset(o, 0, sizeof(*o));
	o->actor = AUDIT_BY_API_KEY;
	o->account.set = o->key.set = o->request_id.set = true;
	fake_id(o->account.id, ID_ACCOUNT);
	fake_id(o->key.id, ID_KEY);
	fake_id(o->request_id.id, ID_REQ);
	strcpy(o->address, "192.0.2.1");
	strcpy(o->user_agent, "unit/1.0");
}

/*
 * The changes' events: `want` of them kept (a rollback takes back the rest);
 * the one kept is `action` on key `target`, read in scope `scope`, from
 * set_origin's request, inside a transaction that committed.
 */
static void
check_events(int line, unsigned want, const char *action, const uint8_t target[UUID_LEN],
             uint8_t scope, const char *details)
{
	const struct store_audit_event *e = &fake.event[0];

	CHECK_AT(fake.events == want, line, "%u events kept, want %u", fake.events, want);
	CHECK_AT(!fake.in_tx, line, "a transaction left open");
	if (fake.events == 0 || want == 0)
		return;
	CHECK_AT(strcmp(e->action, action) == 0 && fake.event_in_tx[0] &&
	         strcmp(e->target_type, "api_key") == 0 && e->target.set &&
	         memcmp(e->target.id, target, UUID_LEN) == 0 && e->scope.set &&
	         is_id(e->scope.id, scope), line,
	         "event %s on %02x.. in %02x.., in a transaction %d; want %s on %02x.. in %02x..",
	         e->action, e->target.id[0], e->scope.id[0], fake.event_in_tx[0], action,
	         target[0], scope);
	CHECK_AT(strcmp(e->actor_type, "api_key") == 0 && is_id(e->actor_account.id, ID_ACCOUNT) &&
	         is_id(e->actor_key.id, ID_KEY) && !e->actor_session.set &&
	         strcmp(e->client_address, "192.0.2.1") == 0 &&
	         strcmp(e->user_agent, "unit/1.0") == 0 && is_id(e->request_id.id, ID_REQ), line,
	         "the actor and request of the event: %s", e->actor_type);
	if (details != NULL)
		CHECK_AT(strcmp(e->details, details) == 0, line, "details %s, want %s", e->details,
		         details);
}

static void
test_find(void)
{
	static const struct {
		int line;
		const char *id;
		enum db_status rc;
		bool found;                     /* visible to the scope */
		enum err want;
		unsigned calls;
	} cases[] = {
		/* Malformed ids: 404 without the database, like an invisible key. */
		{__LINE__, "", DB_OK, true, ERR_NOT_FOUND, 0},
		{__LINE__, "x", DB_OK, true, ERR_NOT_FOUND, 0},
		{__LINE__, "4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4", DB_OK, true, ERR_NOT_FOUND, 0},
		{__LINE__, "4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e4", DB_OK, true, ERR_NOT_FOUND, 0},
		{__LINE__, "4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e4e", DB_OK, true, ERR_NOT_FOUND, 0},
		{__LINE__, "4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4g", DB_OK, true, ERR_NOT_FOUND, 0},
		{__LINE__, "{e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4}", DB_OK, true, ERR_NOT_FOUND, 0},
		/* Well-formed, any letter case. */
		{__LINE__, "4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e", DB_OK, true, ERR_NONE, 1},
		{__LINE__, "4E4E4E4E-4E4E-4E4E-4E4E-4E4E4E4E4E4E", DB_OK, true, ERR_NONE, 1},
		{__LINE__, "4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e", DB_OK, false, ERR_NOT_FOUND, 1},
		{__LINE__, "4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e", DB_UNAVAILABLE, true,
		 ERR_SERVICE_UNAVAILABLE, 1},
		{__LINE__, "4e4e4e4e-4e4e-4e4e-4e4e-4e4e4e4e4e4e", DB_ERROR, true, ERR_INTERNAL, 1},
	};
	struct store_scope scope = {.own_only = true};

	fake_id(scope.owner, ID_ORG);
	fake_id(scope.actor, ID_ACCOUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_key k;
		enum err e;
		int line = cases[i].line;

		fake_reset();
		set_key(false);
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		e = keyops_find(NULL, &scope, cases[i].id, strlen(cases[i].id), &k);
		CHECK_AT(e == cases[i].want, line, "%s: %s, want %s", cases[i].id, ename(e),
		         ename(cases[i].want));
		CHECK_AT(fake.calls == cases[i].calls, line, "%s: %u store calls, want %u",
		         cases[i].id, fake.calls, cases[i].calls);
		if (fake.calls > 0)
			CHECK_AT(is_id(fake.asked_id, ID_KEY) &&
			         memcmp(&fake.asked_scope, &scope, sizeof(scope)) == 0, line,
			         "%s: asked for another id or scope", cases[i].id);
		if (e == ERR_NONE)
			CHECK_AT(memcmp(&k, &fake.key, sizeof(k)) == 0, line, "%s: not the row",
			         cases[i].id);
	}
}

static void
test_cursor(void)
{
	const struct fake_lookup *cases = fake_lookups;
	struct store_scope scope = {0};
	uint8_t id[UUID_LEN];

	fake_id(id, ID_KEY);
	for (size_t i = 0; i < FAKE_LOOKUPS; i++) {
		struct store_cursor c = {0};
		enum err e;

		fake_reset();
		set_key(i % 2 == 0);            /* revoked keys are cursors too */
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		e = keyops_cursor(NULL, &scope, id, &c);
		CHECK_AT(e == cases[i].want && fake.calls == 1 && is_id(fake.asked_id, ID_KEY),
		         __LINE__, "%s after %u calls, want %s (fake_store.h:%d)", ename(e), fake.calls,
		         ename(cases[i].want), cases[i].line);
		if (e == ERR_NONE)
			CHECK_AT(c.created_at == T_CREATED && is_id(c.id, ID_KEY), __LINE__,
			         "cursor %lld %02x.. (fake_store.h:%d)", (long long)c.created_at, c.id[0],
			         cases[i].line);
	}
}

static void
test_list(void)
{
	static const struct {
		int line;
		enum db_status rc;
		enum err want;
		unsigned n;
	} cases[] = {
		{__LINE__, DB_OK, ERR_NONE, 1},
		{__LINE__, DB_UNAVAILABLE, ERR_SERVICE_UNAVAILABLE, 0},
		{__LINE__, DB_ERROR, ERR_INTERNAL, 0},
	};
	struct store_scope scope = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_key rows[2];
		unsigned n = 99;
		enum err e;

		fake_reset();
		set_key(false);
		fake.rc = cases[i].rc;
		fake.found = true;
		e = keyops_list(NULL, &scope, NULL, false, T_NOW, 2, rows, &n);
		CHECK_AT(e == cases[i].want && n == cases[i].n, cases[i].line, "%s, %u rows",
		         ename(e), n);
		CHECK_AT(fake.asked_list_now == T_NOW, cases[i].line, "the list was asked for %lld",
		         (long long)fake.asked_list_now);
	}
}

/* An id's text and an instant's RFC 3339 text, in rotating buffers. */
static const char *
P_uuid(const uint8_t id[UUID_LEN])
{
	static char buf[4][UUID_TEXT_LEN + 1];
	static int n;
	char *b = buf[n++ % 4];

	uuid_format(id, b);
	return b;
}

static const char *
P_time(int64_t us)
{
	static char buf[4][TIMEFMT_RFC3339_LEN + 1];
	static int n;
	char *b = buf[n++ % 4];

	timefmt_rfc3339(us, b);
	return b;
}

/* True when all n bytes of p are zero. */
static bool
all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;
	unsigned char any = 0;

	for (size_t i = 0; i < n; i++)
		any |= b[i];
	return any == 0;
}

/* A name of n bytes. */
static const char *
name_of(size_t n)
{
	static char buf[STORE_NAME_MAX + 2];

	memset(buf, 'n', n);
	buf[n] = '\0';
	return buf;
}

/* A keeper that records the secret it saw and answers keeper_err. */
static struct {
	enum err err;
	unsigned calls;
	bool in_tx;
	char secret[APIKEY_LEN + 1];
} kept;

static enum err
keeper(struct db *db, const struct store_key *k, const char *secret, void *arg)
{
	(void)db;
	(void)k;
	(void)arg;
	kept.calls++;
	kept.in_tx = fake.in_tx;
	snprintf(kept.secret, sizeof(kept.secret), "%s", secret);
	return kept.err;
}

static void
test_create(void)
{
	static const struct {
		int line;
		bool is_org;                    /* the context */
		size_t name_len;
		enum db_status rc[FAKE_INSERTS_MAX];   /* each insert attempt's status */
		enum err want;
		unsigned inserts;
		enum db_status audit_rc, commit_rc;
		enum err keeper_err;            /* ERR__COUNT: no keeper */
	} cases[] = {
		{__LINE__, false, 4, {DB_OK}, ERR_NONE, 1, DB_OK, DB_OK, ERR__COUNT},
		{__LINE__, true, 4, {DB_OK}, ERR_NONE, 1, DB_OK, DB_OK, ERR__COUNT},
		{__LINE__, true, STORE_NAME_MAX, {DB_OK}, ERR_NONE, 1, DB_OK, DB_OK, ERR__COUNT},
		/* A duplicate id or hash: a fresh key, a fresh id. */
		{__LINE__, false, 4, {DB_DUPLICATE, DB_OK}, ERR_NONE, 2, DB_OK, DB_OK, ERR__COUNT},
		{__LINE__, true, 4, {DB_DUPLICATE, DB_DUPLICATE, DB_OK}, ERR_NONE, 3, DB_OK, DB_OK,
		 ERR__COUNT},
		{__LINE__, false, 4, {DB_DUPLICATE, DB_DUPLICATE, DB_DUPLICATE}, ERR_INTERNAL, 3,
		 DB_OK, DB_OK, ERR__COUNT},
		{__LINE__, false, 4, {DB_DUPLICATE, DB_UNAVAILABLE}, ERR_SERVICE_UNAVAILABLE, 2, DB_OK,
		 DB_OK, ERR__COUNT},
		{__LINE__, false, 4, {DB_UNAVAILABLE}, ERR_SERVICE_UNAVAILABLE, 1, DB_OK, DB_OK,
		 ERR__COUNT},
		{__LINE__, true, 4, {DB_ERROR}, ERR_INTERNAL, 1, DB_OK, DB_OK, ERR__COUNT},
		/* The caller validates names; a longer one is a bug, and nothing is stored. */
		{__LINE__, false, STORE_NAME_MAX + 1, {DB_OK}, ERR_INTERNAL, 0, DB_OK, DB_OK,
		 ERR__COUNT},
		/* The event, the keeper or the commit fails: no key, no secret, no event. */
		{__LINE__, false, 4, {DB_OK}, ERR_SERVICE_UNAVAILABLE, 1, DB_UNAVAILABLE, DB_OK,
		 ERR__COUNT},
		{__LINE__, true, 4, {DB_OK}, ERR_INTERNAL, 1, DB_OK, DB_OK, ERR_INTERNAL},
		{__LINE__, false, 4, {DB_OK}, ERR_SERVICE_UNAVAILABLE, 1, DB_OK, DB_UNAVAILABLE,
		 ERR_NONE},
		/* A keeper in the transaction sees the secret the caller gets. */
		{__LINE__, true, 4, {DB_DUPLICATE, DB_OK}, ERR_NONE, 2, DB_OK, DB_OK, ERR_NONE},
	};
	struct auth_context ctx;
	struct audit_origin origin;
	unsigned char hash[APIKEY_HASH_LEN];

	set_origin(&origin);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = name_of(cases[i].name_len);
		struct keyops_keeper keep_it = {keeper, NULL};
		bool with_keeper = cases[i].keeper_err != ERR__COUNT;
		char secret[APIKEY_LEN + 1];
		struct store_key k;
		const struct store_key *last;
		int line = cases[i].line;
		enum err e;

		fake_reset();
		memset(&kept, 0, sizeof(kept));
		kept.err = cases[i].keeper_err;
		memcpy(fake.insert_rc, cases[i].rc, sizeof(fake.insert_rc));
		fake.audit_rc = cases[i].audit_rc;
		fake.commit_rc = cases[i].commit_rc;
		memset(&ctx, 0, sizeof(ctx));
		ctx.is_org = cases[i].is_org;
		fake_id(ctx.org.id, ID_ORG);
		fake_id(ctx.scope.owner, cases[i].is_org ? ID_ORG : ID_ACCOUNT);
		fake_id(ctx.scope.actor, ID_ACCOUNT);
		memset(secret, 'X', sizeof(secret));
		e = keyops_create(NULL, fake_pepper, &ctx, name, NULL, &origin,
		                  with_keeper ? &keep_it : NULL, &k, secret);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(fake.inserts == cases[i].inserts, line, "%u inserts, want %u",
		         fake.inserts, cases[i].inserts);
		check_events(line, e == ERR_NONE, "key.created", k.id,
		             cases[i].is_org ? ID_ORG : ID_ACCOUNT, "");
		CHECK_AT(kept.calls == with_keeper, line, "the keeper ran %u times", kept.calls);
		if (e != ERR_NONE) {
			CHECK_AT(all_zero(secret, sizeof(secret)), line,
			         "the secret was not wiped after %s", ename(e));
			continue;
		}
		CHECK_AT(fake.begins == 1 && fake.commits == 1, line,
		         "%u transactions, %u commits", fake.begins, fake.commits);
		CHECK_AT(fake.event[0].organization.set == cases[i].is_org &&
		         fake.event[0].created_at == k.created_at, line,
		         "key.created: organization %d, at %lld", fake.event[0].organization.set,
		         (long long)fake.event[0].created_at);
		if (with_keeper)
			CHECK_AT(kept.in_tx && strcmp(kept.secret, secret) == 0, line,
			         "the keeper saw another secret, or ran outside the transaction");
		last = &fake.inserted[fake.inserts - 1];
		CHECK_AT(strlen(secret) == APIKEY_LEN && strncmp(secret, "sk_", 3) == 0 &&
		         apikey_parse(secret, APIKEY_LEN) == APIKEY_OK, line, "secret %.49s", secret);
		apikey_hash(secret, fake_pepper, hash);
		CHECK_AT(memcmp(fake.inserted_hash[fake.inserts - 1], hash, sizeof(hash)) == 0,
		         line, "the stored hash is not the secret's");
		CHECK_AT(memcmp(last, &k, sizeof(k)) == 0, line, "the stored row is not *out");
		CHECK_AT(k.has_org == cases[i].is_org &&
		         is_id(k.organization_id, cases[i].is_org ? ID_ORG : 0) &&
		         is_id(k.created_by, ID_ACCOUNT), line,
		         "has_org %d org %02x.. created_by %02x..", k.has_org, k.organization_id[0],
		         k.created_by[0]);
		CHECK_AT(strcmp(k.name, name) == 0 && strncmp(k.prefix, secret, APIKEY_PREFIX_LEN) == 0 &&
		         strlen(k.prefix) == APIKEY_PREFIX_LEN && !k.revoked && !k.counters.used &&
		         k.counters.request_count == 0, line, "name, prefix %s or counters", k.prefix);
		CHECK_AT((k.id[6] >> 4) == 7 && k.created_at > T_CREATED &&
		         k.created_at <= timefmt_now_us(), line, "id version %d, created_at %lld",
		         k.id[6] >> 4, (long long)k.created_at);
		/* Each retry is a new key: another id and another hash. */
		for (unsigned j = 0; j + 1 < fake.inserts; j++)
			CHECK_AT(memcmp(fake.inserted[j].id, k.id, UUID_LEN) != 0 &&
			         memcmp(fake.inserted_hash[j], hash, sizeof(hash)) != 0, line,
			         "attempt %u reused the id or the key", j + 1);
	}
}

static void
test_revoke(void)
{
	static const struct {
		int line;
		bool revoked;                   /* the key as found */
		bool expired;                   /* a rolled key past its grace period */
		uint8_t actor;                  /* who revokes: its creator ID_ACCOUNT, or an admin */
		enum db_status revoke_rc;
		bool changed;                   /* this revoke set revoked_at */
		enum db_status get_rc;          /* the re-read after a concurrent revoke */
		bool found;
		enum db_status audit_rc;
		enum err want;
		unsigned revokes, gets, events;
		int64_t revoked_at;             /* afterwards; 0: not revoked */
		const char *details;
	} cases[] = {
		/* Already revoked, or expired: nothing to do, nothing asked, nothing recorded. */
		{__LINE__, true, false, ID_ACCOUNT, DB_OK, true, DB_OK, true, DB_OK, ERR_NONE, 0, 0, 0,
		 T_REVOKED, NULL},
		{__LINE__, false, true, ID_ACCOUNT, DB_OK, true, DB_OK, true, DB_OK, ERR_NONE, 0, 0, 0,
		 0, NULL},
		/* By its creator: "user"; by an owner or admin of its organization: "owner". */
		{__LINE__, false, false, ID_ACCOUNT, DB_OK, true, DB_OK, true, DB_OK, ERR_NONE, 1, 0, 1,
		 T_NOW, "{\"reason\":\"user\"}"},
		{__LINE__, false, false, ID_ADMIN, DB_OK, true, DB_OK, true, DB_OK, ERR_NONE, 1, 0, 1,
		 T_NOW, "{\"reason\":\"owner\"}"},
		/* A concurrent revoke won: its instant, read back; its event, not ours. */
		{__LINE__, false, false, ID_ACCOUNT, DB_OK, false, DB_OK, true, DB_OK, ERR_NONE, 1, 1,
		 0, T_REVOKED, NULL},
		{__LINE__, false, false, ID_ACCOUNT, DB_OK, false, DB_OK, false, DB_OK, ERR_INTERNAL, 1,
		 1, 0, 0, NULL},
		{__LINE__, false, false, ID_ACCOUNT, DB_OK, false, DB_UNAVAILABLE, true, DB_OK,
		 ERR_SERVICE_UNAVAILABLE, 1, 1, 0, 0, NULL},
		{__LINE__, false, false, ID_ACCOUNT, DB_UNAVAILABLE, true, DB_OK, true, DB_OK,
		 ERR_SERVICE_UNAVAILABLE, 1, 0, 0, 0, NULL},
		{__LINE__, false, false, ID_ACCOUNT, DB_ERROR, true, DB_OK, true, DB_OK, ERR_INTERNAL, 1,
		 0, 0, 0, NULL},
		/* The event cannot be written: the revoke is undone with it. */
		{__LINE__, false, false, ID_ACCOUNT, DB_OK, true, DB_OK, true, DB_UNAVAILABLE,
		 ERR_SERVICE_UNAVAILABLE, 1, 0, 0, 0, NULL},
	};
	struct store_scope scope = {0};
	struct audit_origin origin;

	set_origin(&origin);
	fake_id(scope.owner, ID_ACCOUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_key k;
		int line = cases[i].line;
		enum err e;

		fake_reset();
		set_key(cases[i].revoked);
		fake_id(scope.actor, cases[i].actor);
		k = fake.key;
		k.expires = cases[i].expired;
		k.expires_at = T_REVOKED;
		fake.key.revoked = true;        /* the row as the concurrent revoke left it */
		fake.key.revoked_at = T_REVOKED;
		fake.revoke_rc = cases[i].revoke_rc;
		fake.changed = cases[i].changed;
		fake.rc = cases[i].get_rc;
		fake.found = cases[i].found;
		fake.audit_rc = cases[i].audit_rc;
		e = keyops_revoke(NULL, &scope, &k, T_NOW, &origin);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(fake.revokes == cases[i].revokes && fake.gets == cases[i].gets, line,
		         "%u revokes %u reads, want %u %u", fake.revokes, fake.gets,
		         cases[i].revokes, cases[i].gets);
		check_events(line, cases[i].events, "key.revoked", k.id, ID_ACCOUNT, cases[i].details);
		if (fake.revokes > 0)
			CHECK_AT(is_id(fake.asked_id, ID_KEY) && fake.asked_now == T_NOW &&
			         fake.asked_reason == (cases[i].actor == ID_ACCOUNT ? REASON_USER :
			                               REASON_OWNER), line,
			         "revoke asked for another key, instant or reason");
		if (e == ERR_NONE && cases[i].revoked_at != 0)
			CHECK_AT(k.revoked && k.revoked_at == cases[i].revoked_at, line,
			         "revoked %d at %lld, want %lld", k.revoked, (long long)k.revoked_at,
			         (long long)cases[i].revoked_at);
		else if (cases[i].gets == 0)
			CHECK_AT(!k.revoked, line, "the key marked revoked after %s", ename(e));
	}
}

/*
 * A token reported found in public: not ours (malformed, bad checksum: no
 * read; unknown) is a false positive; ours is a true positive, revoked with
 * reason "leaked" when still active, with the leak's row and its
 * key.revoked_leak event in the revoke's transaction, and nothing recorded
 * when a concurrent revoke won or the key was revoked or expired already.
 */
static void
test_revoke_leaked(void)
{
	enum tok { GOOD, BAD_CHECKSUM, MALFORMED };
	static const struct {
		int line;
		enum tok tok;
		bool found, revoked, expired;
		bool changed;                   /* our revoke set revoked_at (else a concurrent one) */
		enum db_status rc, revoke_rc, leak_rc, audit_rc;
		enum err want;
		enum keyops_leak_label label;
		unsigned lookups, revokes, leaks, events;
	} cases[] = {
		{__LINE__, MALFORMED, true, false, false, true, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 KEYOPS_FALSE_POSITIVE, 0, 0, 0, 0},
		{__LINE__, BAD_CHECKSUM, true, false, false, true, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 KEYOPS_FALSE_POSITIVE, 0, 0, 0, 0},
		{__LINE__, GOOD, false, false, false, true, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 KEYOPS_FALSE_POSITIVE, 1, 0, 0, 0},
		{__LINE__, GOOD, true, false, false, true, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 KEYOPS_TRUE_POSITIVE, 1, 1, 1, 1},
		/* Revoked or expired already, or a user's revoke won the race: nothing more. */
		{__LINE__, GOOD, true, true, false, true, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 KEYOPS_TRUE_POSITIVE, 1, 0, 0, 0},
		{__LINE__, GOOD, true, false, true, true, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 KEYOPS_TRUE_POSITIVE, 1, 0, 0, 0},
		{__LINE__, GOOD, true, false, false, false, DB_OK, DB_OK, DB_OK, DB_OK, ERR_NONE,
		 KEYOPS_TRUE_POSITIVE, 1, 1, 0, 0},
		/* Failures: the whole revoke is undone (the caller answers 503 or 500). */
		{__LINE__, GOOD, true, false, false, true, DB_UNAVAILABLE, DB_OK, DB_OK, DB_OK,
		 ERR_SERVICE_UNAVAILABLE, KEYOPS_FALSE_POSITIVE, 1, 0, 0, 0},
		{__LINE__, GOOD, true, false, false, true, DB_OK, DB_UNAVAILABLE, DB_OK, DB_OK,
		 ERR_SERVICE_UNAVAILABLE, KEYOPS_TRUE_POSITIVE, 1, 1, 0, 0},
		{__LINE__, GOOD, true, false, false, true, DB_OK, DB_OK, DB_ERROR, DB_OK,
		 ERR_INTERNAL, KEYOPS_TRUE_POSITIVE, 1, 1, 1, 0},
		{__LINE__, GOOD, true, false, false, true, DB_OK, DB_OK, DB_OK, DB_UNAVAILABLE,
		 ERR_SERVICE_UNAVAILABLE, KEYOPS_TRUE_POSITIVE, 1, 1, 1, 0},
	};
	struct keyops_leak_report r = {.leak = {"https://github.com/o/r/blob/abc/.env", "content"}};
	struct audit_origin origin;

	audit_origin(&origin, AUDIT_BY_GITHUB, "192.0.2.9", "GitHub-Hookshot/1", NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char tok[APIKEY_LEN + 1];
		uint8_t want_hash[APIKEY_HASH_LEN];
		int line = cases[i].line;
		const struct store_audit_event *ev = &fake.event[0];
		enum err e;

		fake_reset();
		set_key(cases[i].revoked);
		fake.key.expires = cases[i].expired;
		fake.key.expires_at = T_REVOKED;
		fake.found = cases[i].found;
		fake.rc = cases[i].rc;
		fake.revoke_rc = cases[i].revoke_rc;
		fake.changed = cases[i].changed;
		fake.leak_rc = cases[i].leak_rc;
		fake.audit_rc = cases[i].audit_rc;
		apikey_generate(tok);
		apikey_hash(tok, fake_pepper, want_hash);
		if (cases[i].tok == BAD_CHECKSUM)
			tok[APIKEY_LEN - 1] = tok[APIKEY_LEN - 1] == 'a' ? 'b' : 'a';
		r.token = tok;
		r.len = cases[i].tok == MALFORMED ? APIKEY_LEN - 1 : APIKEY_LEN;
		r.label = KEYOPS_TRUE_POSITIVE + KEYOPS_FALSE_POSITIVE + 7;   /* set by the call */
		e = keyops_revoke_leaked(NULL, fake_pepper, &r, 1, T_NOW, &origin);
		CHECK_AT(e == cases[i].want && r.label == cases[i].label, line,
		         "%s label %d, want %s %d", ename(e), r.label, ename(cases[i].want),
		         cases[i].label);
		CHECK_AT(fake.hash_lookups == cases[i].lookups && fake.revokes == cases[i].revokes &&
		         fake.leaks == cases[i].leaks && fake.events == cases[i].events && !fake.in_tx,
		         line, "%u lookups %u revokes %u leaks %u events (open transaction %d)",
		         fake.hash_lookups, fake.revokes, fake.leaks, fake.events, fake.in_tx);
		if (fake.hash_lookups > 0)
			CHECK_AT(memcmp(fake.asked_hash, want_hash, APIKEY_HASH_LEN) == 0, line,
			         "looked up by another hash");
		if (fake.revokes > 0)
			CHECK_AT(fake.asked_reason == REASON_LEAKED && fake.asked_now == T_NOW, line,
			         "revoked for reason %d", fake.asked_reason);
		if (fake.leaks > 0)
			CHECK_AT(fake.leak_in_tx && strcmp(fake.leak_url, r.leak.url) == 0 &&
			         strcmp(fake.leak_source, "content") == 0, line, "the leak's row: %s %s",
			         fake.leak_url, fake.leak_source);
		if (fake.events > 0)
			CHECK_AT(strcmp(ev->action, "key.revoked_leak") == 0 && fake.event_in_tx[0] &&
			         strcmp(ev->actor_type, "github") == 0 && !ev->actor_account.set &&
			         !ev->actor_key.set && is_id(ev->target.id, ID_KEY) &&
			         is_id(ev->scope.id, ID_ACCOUNT) &&
			         strcmp(ev->details, "{\"reason\":\"leaked\",\"source\":\"content\","
			                "\"url\":\"https://github.com/o/r/blob/abc/.env\"}") == 0,
			         line, "event %s by %s: %s", ev->action, ev->actor_type, ev->details);
		sodium_memzero(tok, sizeof(tok));
	}
}

/*
 * Several reports in one call: one lookup each that can be a key, and the
 * revokes of all the live keys in one transaction; more than a chunk is a bug.
 */
static void
test_revoke_leaked_chunk(void)
{
	static struct keyops_leak_report r[KEYOPS_LEAK_CHUNK + 1];
	char toks[3][APIKEY_LEN + 1];
	struct audit_origin origin;
	enum err e;

	audit_origin(&origin, AUDIT_BY_GITHUB, NULL, NULL, NULL);
	fake_reset();
	set_key(false);
	fake.found = true;
	fake.changed = true;
	for (int i = 0; i < 3; i++) {
		apikey_generate(toks[i]);
		r[i] = (struct keyops_leak_report){.token = toks[i], .len = APIKEY_LEN,
		                                    .leak = {"", "commit"}};
	}
	r[1].len = 3;                       /* not a key: no lookup */
	e = keyops_revoke_leaked(NULL, fake_pepper, r, 3, T_NOW, &origin);
	CHECK(e == ERR_NONE && r[0].label == KEYOPS_TRUE_POSITIVE &&
	      r[1].label == KEYOPS_FALSE_POSITIVE && r[2].label == KEYOPS_TRUE_POSITIVE,
	      "%s, labels %d %d %d", ename(e), r[0].label, r[1].label, r[2].label);
	CHECK(fake.hash_lookups == 2 && fake.revokes == 2 && fake.events == 2 && fake.begins == 1 &&
	      fake.commits == 1 && !fake.in_tx, "%u lookups, %u revokes, %u events in %u "
	      "transactions (%u commits)", fake.hash_lookups, fake.revokes, fake.events, fake.begins,
	      fake.commits);
	CHECK(strcmp(fake.event[0].details, "{\"reason\":\"leaked\",\"source\":\"commit\"}") == 0,
	      "details without a url: %s", fake.event[0].details);
	fake_reset();
	e = keyops_revoke_leaked(NULL, fake_pepper, r, KEYOPS_LEAK_CHUNK + 1, T_NOW, &origin);
	CHECK(e == ERR_INTERNAL && fake.calls == 0, "%d reports: %s after %u calls",
	      KEYOPS_LEAK_CHUNK + 1, ename(e), fake.calls);
	sodium_memzero(toks, sizeof(toks));
}

static void
test_roll(void)
{
	static const struct {
		int line;
		bool revoked, rolled;           /* the old key as the caller found it */
		bool now_revoked, now_rolled;   /* and as it is when locked */
		bool is_org;
		unsigned grace;
		enum db_status lock_rc, insert_rc, roll_rc;
		enum db_status audit_rc;
		enum err keeper_err;            /* ERR__COUNT: no keeper */
		enum err want;
		unsigned locks, inserts, rolls;
	} cases[] = {
		/* Rolled: a new key, the old one ends after the grace period (0: at once, revoked). */
		{__LINE__, false, false, false, false, false, 0, DB_OK, DB_OK, DB_OK, DB_OK, ERR__COUNT,
		 ERR_NONE, 1, 1, 1},
		{__LINE__, false, false, false, false, true, 3600, DB_OK, DB_OK, DB_OK, DB_OK, ERR__COUNT,
		 ERR_NONE, 1, 1, 1},
		{__LINE__, false, false, false, false, false, KEYOPS_GRACE_MAX, DB_OK, DB_OK, DB_OK,
		 DB_OK, ERR_NONE, ERR_NONE, 1, 1, 1},
		/* Refused before the database: revoked, rolled already, a grace period too long. */
		{__LINE__, true, false, true, false, false, 60, DB_OK, DB_OK, DB_OK, DB_OK, ERR__COUNT,
		 ERR_ROLL_REVOKED, 0, 0, 0},
		{__LINE__, true, true, true, true, false, 60, DB_OK, DB_OK, DB_OK, DB_OK, ERR__COUNT,
		 ERR_ROLL_REVOKED, 0, 0, 0},
		{__LINE__, false, true, false, true, false, 60, DB_OK, DB_OK, DB_OK, DB_OK, ERR__COUNT,
		 ERR_API_KEY_ALREADY_ROLLED, 0, 0, 0},
		{__LINE__, false, false, false, false, false, KEYOPS_GRACE_MAX + 1, DB_OK, DB_OK, DB_OK,
		 DB_OK, ERR__COUNT, ERR_INVALID_REQUEST, 0, 0, 0},
		/* A concurrent roll or revoke committed first: seen once locked, nothing made. */
		{__LINE__, false, false, false, true, false, 60, DB_OK, DB_OK, DB_OK, DB_OK, ERR__COUNT,
		 ERR_API_KEY_ALREADY_ROLLED, 1, 0, 0},
		{__LINE__, false, false, true, false, false, 60, DB_OK, DB_OK, DB_OK, DB_OK, ERR__COUNT,
		 ERR_ROLL_REVOKED, 1, 0, 0},
		/* Failures: nothing kept, the secret wiped. */
		{__LINE__, false, false, false, false, false, 60, DB_UNAVAILABLE, DB_OK, DB_OK, DB_OK,
		 ERR__COUNT, ERR_SERVICE_UNAVAILABLE, 1, 0, 0},
		{__LINE__, false, false, false, false, false, 60, DB_OK, DB_UNAVAILABLE, DB_OK, DB_OK,
		 ERR__COUNT, ERR_SERVICE_UNAVAILABLE, 1, 1, 0},
		{__LINE__, false, false, false, false, false, 60, DB_OK, DB_OK, DB_ERROR, DB_OK,
		 ERR__COUNT, ERR_INTERNAL, 1, 1, 1},
		{__LINE__, false, false, false, false, false, 60, DB_OK, DB_OK, DB_OK, DB_UNAVAILABLE,
		 ERR__COUNT, ERR_SERVICE_UNAVAILABLE, 1, 1, 1},
		{__LINE__, false, false, false, false, true, 60, DB_OK, DB_OK, DB_OK, DB_OK, ERR_INTERNAL,
		 ERR_INTERNAL, 1, 1, 1},
	};
	struct audit_origin origin;

	set_origin(&origin);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keyops_keeper keep_it = {keeper, NULL};
		bool with_keeper = cases[i].keeper_err != ERR__COUNT;
		uint8_t scope_fill = cases[i].is_org ? ID_ORG : ID_ACCOUNT;
		char secret[APIKEY_LEN + 1], details[160];
		struct store_key old, k;
		int line = cases[i].line;
		enum err e;

		fake_reset();
		memset(&kept, 0, sizeof(kept));
		kept.err = cases[i].keeper_err;
		set_key(cases[i].revoked);
		fake.key.has_org = cases[i].is_org;
		fake_id(fake.key.organization_id, cases[i].is_org ? ID_ORG : 0);
		snprintf(fake.key.name, sizeof(fake.key.name), "CI key");
		fake.key.replaced_by.set = cases[i].rolled;
		old = fake.key;
		/* The row as it is when locked. */
		fake.key.revoked = cases[i].now_revoked;
		fake.key.replaced_by.set = cases[i].now_rolled;
		fake.found = true;
		fake.lock_rc = cases[i].lock_rc;
		fake.insert_rc[0] = cases[i].insert_rc;
		fake.roll_rc = cases[i].roll_rc;
		fake.roll_changed = true;
		fake.audit_rc = cases[i].audit_rc;
		memset(secret, 'X', sizeof(secret));
		e = keyops_roll(NULL, fake_pepper, &old, cases[i].grace, T_NOW, &origin,
		                with_keeper ? &keep_it : NULL, &k, secret);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(fake.locks == cases[i].locks && fake.inserts == cases[i].inserts &&
		         fake.rolls == cases[i].rolls, line, "%u locks %u inserts %u rolls, want %u %u %u",
		         fake.locks, fake.inserts, fake.rolls, cases[i].locks, cases[i].inserts,
		         cases[i].rolls);
		CHECK_AT(fake.locks == 0 || (fake.locked_in_tx && fake.calls > 0 &&
		                              is_id(fake.key.id, ID_KEY)), line,
		         "the key was not locked inside the transaction");
		snprintf(details, sizeof(details), "{\"replaced_by\":\"%s\","
		         "\"grace_period_seconds\":%u,\"expires_at\":\"%s\"}",
		         P_uuid(k.id), cases[i].grace, P_time(T_NOW + cases[i].grace * TIMEFMT_SECOND));
		check_events(line, e == ERR_NONE, "key.rolled", old.id, scope_fill, details);
		if (e != ERR_NONE) {
			CHECK_AT(all_zero(secret, sizeof(secret)), line, "the secret was not wiped");
			/* As locked, once it was; else as the caller had it. */
			CHECK_AT(old.replaced_by.set == (fake.locks > 0 && fake.lock_rc == DB_OK ?
			                                 cases[i].now_rolled : cases[i].rolled) &&
			         !old.expires, line, "the old key is not as stored after %s", ename(e));
			continue;
		}
		/* The new key: the old one's name, owner and creator, a fresh secret. */
		CHECK_AT(memcmp(&fake.inserted[0], &k, sizeof(k)) == 0 && strcmp(k.name, "CI key") == 0 &&
		         k.has_org == cases[i].is_org && is_id(k.created_by, ID_ACCOUNT) &&
		         k.rolled_from.set && is_id(k.rolled_from.id, ID_KEY) && !k.replaced_by.set &&
		         !k.expires && apikey_parse(secret, APIKEY_LEN) == APIKEY_OK, line,
		         "the new key: %s, org %d, creator %02x..", k.name, k.has_org,
		         k.created_by[0]);
		/* The old key: replaced by it, ending after the grace period; revoked without one. */
		CHECK_AT(is_id(fake.asked_id, ID_KEY) &&
		         memcmp(fake.asked_replaced_by, k.id, UUID_LEN) == 0 &&
		         fake.asked_ends == T_NOW + cases[i].grace * TIMEFMT_SECOND &&
		         fake.asked_revoke == (cases[i].grace == 0), line,
		         "the roll asked for ends %lld, revoke %d", (long long)fake.asked_ends,
		         fake.asked_revoke);
		CHECK_AT(old.replaced_by.set && memcmp(old.replaced_by.id, k.id, UUID_LEN) == 0 &&
		         old.expires && old.expires_at == fake.asked_ends &&
		         old.revoked == (cases[i].grace == 0) &&
		         old.revoked_reason == (cases[i].grace == 0 ? REASON_ROLLED : REASON_NONE) &&
		         store_key_active(&old, T_NOW) == (cases[i].grace > 0), line,
		         "the old key afterwards: revoked %d expires %lld", old.revoked,
		         (long long)old.expires_at);
		if (with_keeper)
			CHECK_AT(kept.calls == 1 && kept.in_tx && strcmp(kept.secret, secret) == 0, line,
			         "the keeper saw another secret");
	}
}

/*
 * An update (PATCH): the name, the key's own limit or both, only while the
 * key is active, with one key.updated event when something changed.
 */
static void
test_update(void)
{
	static const struct store_rate_limit set = {5, 9}, none = {0, 0}, too_big = {100001, 1};
	static const struct {
		int line;
		bool revoked, expired;          /* the key as found */
		const char *name;               /* NULL: kept */
		const struct store_rate_limit *limit;   /* NULL: kept */
		enum db_status rc;              /* of the writes and the re-read */
		bool changed;                   /* the writes changed the row */
		bool revoked_meanwhile;         /* the re-read finds it revoked */
		enum err want;
		unsigned renames, limit_sets, events;
		const char *details;
	} cases[] = {
		{__LINE__, false, false, "New", NULL, DB_OK, true, false, ERR_NONE, 1, 0, 1,
		 "{\"changed\":\"name\"}"},
		{__LINE__, false, false, NULL, &set, DB_OK, true, false, ERR_NONE, 0, 1, 1,
		 "{\"changed\":\"rate_limit\",\"rate_limit_per_second\":5,\"rate_limit_burst\":9}"},
		{__LINE__, false, false, "New", &set, DB_OK, true, false, ERR_NONE, 1, 1, 1,
		 "{\"changed\":\"name,rate_limit\",\"rate_limit_per_second\":5,"
		 "\"rate_limit_burst\":9}"},
		{__LINE__, false, false, NULL, &none, DB_OK, true, false, ERR_NONE, 0, 1, 1,
		 "{\"changed\":\"rate_limit\",\"rate_limit_per_second\":null,"
		 "\"rate_limit_burst\":null}"},
		/* What it has already: nothing changed, nothing recorded. */
		{__LINE__, false, false, "Same", &set, DB_OK, false, false, ERR_NONE, 1, 1, 0, NULL},
		/* Revoked or expired: 409, nothing asked. */
		{__LINE__, true, false, "New", NULL, DB_OK, true, false, ERR_ROLL_REVOKED, 0, 0, 0,
		 NULL},
		{__LINE__, false, true, NULL, &set, DB_OK, true, false, ERR_ROLL_REVOKED, 0, 0, 0,
		 NULL},
		/* Revoked meanwhile: the writes found no active key. */
		{__LINE__, false, false, "New", &set, DB_OK, false, true, ERR_ROLL_REVOKED, 1, 1, 0,
		 NULL},
		{__LINE__, false, false, "New", NULL, DB_UNAVAILABLE, true, false,
		 ERR_SERVICE_UNAVAILABLE, 1, 0, 0, NULL},
		/* Out of bounds (the API's parser refuses it first): a bug, nothing written. */
		{__LINE__, false, false, NULL, &too_big, DB_OK, true, false, ERR_INTERNAL, 0, 0, 0,
		 NULL},
	};
	struct store_scope scope = {0};
	struct audit_origin origin;

	set_origin(&origin);
	fake_id(scope.owner, ID_ACCOUNT);
	fake_id(scope.actor, ID_ACCOUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct keyops_change ch = {cases[i].name, cases[i].limit};
		struct store_key k;
		int line = cases[i].line;
		enum err e;

		fake_reset();
		set_key(cases[i].revoked);
		k = fake.key;
		k.expires = cases[i].expired;
		k.expires_at = T_REVOKED;
		fake.key.revoked = cases[i].revoked || cases[i].revoked_meanwhile;
		fake.rc = cases[i].rc;
		fake.found = true;
		fake.changed = cases[i].changed;
		e = keyops_update(NULL, &scope, &k, &ch, T_NOW, &origin);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(fake.renames == cases[i].renames && fake.limit_sets == cases[i].limit_sets,
		         line, "%u renames %u limit writes, want %u %u", fake.renames,
		         fake.limit_sets, cases[i].renames, cases[i].limit_sets);
		if (cases[i].renames > 0)
			CHECK_AT(strcmp(fake.asked_name, cases[i].name) == 0 && fake.asked_now == T_NOW,
			         line, "renamed to [%s]", fake.asked_name);
		if (cases[i].limit_sets > 0)
			CHECK_AT(fake.asked_limit.per_second == cases[i].limit->per_second &&
			         fake.asked_limit.burst == cases[i].limit->burst, line,
			         "limit written %u/%u", fake.asked_limit.per_second,
			         fake.asked_limit.burst);
		check_events(line, cases[i].events, "key.updated", k.id, ID_ACCOUNT, cases[i].details);
	}
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_find();
	test_cursor();
	test_list();
	test_create();
	test_revoke();
	test_revoke_leaked();
	test_revoke_leaked_chunk();
	test_roll();
	test_update();
	return harness_summary();
}
