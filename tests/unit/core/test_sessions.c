/*
 * Unit tests of lib/core/sessions.c on in-memory dashboard tables
 * (fake_web.h) and keys (fake_store.h): lifetimes (idle, absolute, a
 * deactivated account), the rate of touches, and a new key's secret: kept
 * with the key in one transaction, sealed for the one browser, taken once.
 */
#include "../../../lib/core/sessions.c"
#include "../../../lib/core/keyops.c"
#include "../../../lib/core/audit.c"
#include "../../../lib/base/tokens.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "fake_store.h"
#include "fake_web.h"

#define NOW INT64_C(1795000000000000)
#define MIN (60 * TIMEFMT_SECOND)

/* Who starts a session: the dashboard, from one address (core/audit.h). */
static const struct audit_origin origin = {.actor = AUDIT_BY_DASHBOARD};

static const uint8_t acct[UUID_LEN] = {0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1,
                                        0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1, 0xa1};

/* Both fakes, empty. */
static void
reset(void)
{
	web_reset();
	fake_reset();
}

static void
test_lifetimes(void)
{
	static const struct {
		int line;
		int64_t idle, age;          /* since the last use, since the start */
		bool active;                /* the account */
		bool live, expired, kept;   /* the verdict; the row is still there */
	} cases[] = {
		{__LINE__, 0, 0, true, true, false, true},
		{__LINE__, 29 * MIN, 29 * MIN, true, true, false, true},
		{__LINE__, 30 * MIN, 30 * MIN, true, true, false, true},
		{__LINE__, 30 * MIN + 1, 30 * MIN + 1, true, false, true, false},   /* idle */
		{__LINE__, 1 * MIN, 12 * 60 * MIN, true, true, false, true},
		{__LINE__, 1 * MIN, 12 * 60 * MIN + 1, true, false, true, false},   /* too old */
		{__LINE__, 0, 0, false, false, false, false},                       /* deactivated */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t tok[TOKENS_LEN];
		struct sessions_live live;
		int64_t start = NOW - cases[i].age;
		enum err e;

		reset();
		CHECK_AT(sessions_start(NULL, acct, start, &origin, tok) == ERR_NONE, cases[i].line, "start");
		/* its last use: `idle` ago */
		web.sessions[0].s.last_seen_at = NOW - cases[i].idle;
		web.account.is_active = cases[i].active;
		e = sessions_load(NULL, tok, NOW, &live);
		CHECK_AT(e == ERR_NONE && live.live == cases[i].live && live.expired == cases[i].expired,
		         cases[i].line, "live %d expired %d (err %d)", live.live, live.expired, e);
		CHECK_AT(web.sessions[0].used == cases[i].kept, cases[i].line, "row kept %d",
		         web.sessions[0].used);
		CHECK_AT(!live.live || memcmp(live.row.account.id, acct, UUID_LEN) == 0,
		         cases[i].line, "the session's account");
	}
}

static void
test_touch_and_tokens(void)
{
	uint8_t tok[TOKENS_LEN], other[TOKENS_LEN];
	struct sessions_live live;

	reset();
	sessions_start(NULL, acct, NOW, &origin, tok);
	sessions_load(NULL, tok, NOW + 59 * TIMEFMT_SECOND, &live);
	CHECK(live.live && web.touches == 0, "no touch within a minute: %u", web.touches);
	sessions_load(NULL, tok, NOW + 60 * TIMEFMT_SECOND, &live);
	CHECK(live.live && web.touches == 1, "a touch after a minute: %u", web.touches);
	/* The database holds the token's id, never the token. */
	CHECK(memcmp(web.sessions[0].id, tok, TOKENS_ID_LEN) != 0, "the token itself is stored");
	tokens_new(other);
	sessions_load(NULL, other, NOW, &live);
	CHECK(!live.live && !live.expired, "an unknown token is no session");
	CHECK(sessions_end(NULL, live.id) == ERR_NONE, "end an unknown one");
	sessions_load(NULL, tok, NOW, &live);
	CHECK(sessions_end(NULL, live.id) == ERR_NONE && !web.sessions[0].used, "ended");
	/* A new session's start prunes the idle ones of anyone. */
	reset();
	sessions_start(NULL, acct, NOW - 40 * MIN, &origin, tok);
	sessions_start(NULL, acct, NOW, &origin, other);
	CHECK((web.sessions[0].used + web.sessions[1].used) == 1 &&
	      web.sessions[0].s.created_at == NOW, "the idle session was pruned");
	web.rc = DB_UNAVAILABLE;
	memset(other, 0x55, sizeof(other));
	CHECK(sessions_start(NULL, acct, NOW, &origin, other) == ERR_SERVICE_UNAVAILABLE, "start, db away");
	CHECK(sodium_is_zero(other, sizeof(other)), "a failed start leaves no token");
	CHECK(sessions_load(NULL, tok, NOW, &live) == ERR_SERVICE_UNAVAILABLE && !live.live,
	      "load, db away");
}

static void
test_secrets(void)
{
	uint8_t tok[TOKENS_LEN], other[TOKENS_LEN], id[TOKENS_ID_LEN], other_id[TOKENS_ID_LEN];
	uint8_t key[UUID_LEN];
	char secret[TOKENS_SEAL_MAX];
	struct auth_context ctx;
	struct store_key k;
	bool found, more;

	reset();
	memset(&ctx, 0, sizeof(ctx));
	memcpy(ctx.scope.actor, acct, UUID_LEN);
	memcpy(ctx.scope.owner, acct, UUID_LEN);
	tokens_new(tok);
	tokens_id(tok, id);
	CHECK(sessions_create_key(NULL, fake_pepper, &ctx, &(struct sessions_waiting){tok, id, NOW},
	                          "first", &origin, &k) == ERR_NONE &&
	      fake.begins == 1 && fake.commits == 1 && fake.rollbacks == 0, "create in a transaction");
	CHECK(sessions_create_key(NULL, fake_pepper, &ctx, &(struct sessions_waiting){tok, id, NOW + 1},
	                          "second", &origin, &k) ==
	      ERR_NONE, "a second key");
	/* Another browser's session sees none; this one gets the newest, then the other, once each. */
	tokens_new(other);
	tokens_id(other, other_id);
	CHECK(sessions_take_secret(NULL, other, other_id, acct, key, secret, &found, &more) ==
	      ERR_NONE && !found, "another session gets nothing");
	/* A token that is not the session's opens nothing (the seal is the token's). */
	CHECK(tokens_open(other, web.new_keys[0].sealed, web.new_keys[0].len, secret) < 0,
	      "another token opens a sealed secret");
	CHECK(sessions_take_secret(NULL, tok, id, acct, key, secret, &found, &more) == ERR_NONE &&
	      found && more && strlen(secret) == APIKEY_LEN &&
	      memcmp(key, fake.inserted[1].id, UUID_LEN) == 0, "the newest first: %d %d", found,
	      more);
	CHECK(sessions_take_secret(NULL, tok, id, acct, key, secret, &found, &more) == ERR_NONE &&
	      found && !more && strncmp(secret, "sk_", 3) == 0 && strlen(secret) == APIKEY_LEN &&
	      memcmp(key, fake.inserted[0].id, UUID_LEN) == 0, "then the first: %d %d", found, more);
	CHECK(sessions_take_secret(NULL, tok, id, acct, key, secret, &found, &more) == ERR_NONE &&
	      !found, "shown once");
	/* The secret's row fails: no commit, a rollback, nothing kept. */
	reset();
	web.new_key_rc = DB_UNAVAILABLE;
	CHECK(sessions_create_key(NULL, fake_pepper, &ctx, &(struct sessions_waiting){tok, id, NOW},
	                          "x", &origin, &k) ==
	      ERR_SERVICE_UNAVAILABLE && fake.commits == 0 && fake.rollbacks == 1,
	      "a failed secret: commits %u rollbacks %u", fake.commits, fake.rollbacks);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_lifetimes();
	test_touch_and_tokens();
	test_secrets();
	return harness_summary();
}
