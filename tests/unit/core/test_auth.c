/*
 * Unit tests of lib/core/auth.c with a fake store (fake_store.h): which
 * token reaches the database, what a key row decides, when a principal is
 * sealed, a rolled key's expiry and its one key.expired event, and the
 * context and scope of a request (docs/api.md, "Authentication" and
 * "Ownership and organization context").
 */
#include "../../../lib/core/auth.c"
#include "../../../lib/core/audit.c"
#include "../../../lib/core/counters.c"
#include "../../../lib/base/seal.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "fake_store.h"

#define T_NOW INT64_C(1795000200000000)

/* The request a refusal records from. */
static const struct audit_request refused = {"192.0.2.9", "unit/1.0", NULL};

/* Valid keys (tests/unit/base/test_apikey.c has their checksums). */
#define GOOD  "sk_abcdefghijabcdefghijabcdefghijabcdefghij4JqMWq"
#define GOOD2 "sk_01234567890123456789012345678901234567894WuBnh"

enum kind { PERSONAL, ORG_KEY };

/* The row store_principal_by_hash returns: a key of account ID_ACCOUNT (org ID_ORG). */
static void
set_principal(enum kind kind, bool revoked, bool account_active, bool org_active,
              enum store_role role)
{
	struct store_principal *w = &fake.principal;

	fake_id(w->key.id, ID_KEY);
	w->key.has_org = kind == ORG_KEY;
	if (w->key.has_org)
		fake_id(w->key.organization_id, ID_ORG);
	fake_id(w->key.created_by, ID_ACCOUNT);
	w->key.revoked = revoked;
	fake_id(w->account.id, ID_ACCOUNT);
	w->account.is_active = account_active;
	fake_id(w->org.id, ID_ORG);
	w->org.is_active = org_active;
	w->role = role;
}

/* Authenticates tok against the row in `fake`; checks the result, the calls and the seal. */
static void
check_authenticate(int line, const char *tok, enum err want, unsigned calls)
{
	unsigned char hash[APIKEY_HASH_LEN];
	struct auth_principal p;
	enum err e;

	fake.calls = 0;
	memset(&p, 0x5a, sizeof(p));    /* whatever the caller's stack held */
	e = auth_authenticate(NULL, fake_pepper, tok, strlen(tok), T_NOW, &refused, NULL, &p);
	CHECK_AT(e == want, line, "%s: %s, want %s", tok, ename(e), ename(want));
	CHECK_AT(fake.calls == calls, line, "%s: %u store calls, want %u", tok, fake.calls, calls);
	CHECK_AT(auth_principal_valid(&p) == (want == ERR_NONE), line, "%s: sealed %d after %s",
	         tok, auth_principal_valid(&p), ename(e));
	if (fake.calls > 0) {
		apikey_hash(tok, fake_pepper, hash);
		CHECK_AT(memcmp(fake.asked_hash, hash, sizeof(hash)) == 0, line,
		         "%s: the store was asked for another hash", tok);
	}
	if (e == ERR_NONE)
		CHECK_AT(memcmp(&p.who, &fake.principal, sizeof(p.who)) == 0 && !p.ctx.is_org &&
		         is_id(p.ctx.scope.owner, 0), line,
		         "%s: who is not the row, or ctx is not empty", tok);
}

/* Malformed keys and bad checksums: refused before the database, whatever it holds. */
static void
test_refused(void)
{
	static const struct { int line; const char *tok; } cases[] = {
		{__LINE__, ""},
		{__LINE__, "sk_"},
		{__LINE__, GOOD "x"},
		{__LINE__, "sk_abcdefghijabcdefghijabcdefghijabcdefghij4JqMW"},
		{__LINE__, "SK_abcdefghijabcdefghijabcdefghijabcdefghij4JqMWq"},
		{__LINE__, "pk_abcdefghijabcdefghijabcdefghijabcdefghij4JqMWq"},
		{__LINE__, "sk_abcdefghijabcdefghijabcdefghijabcdefghi-4JqMWq"},
		{__LINE__, " sk_abcdefghijabcdefghijabcdefghijabcdefghij4JqMW"},
		/* Bad checksum: in the checksum, in the random part. */
		{__LINE__, "sk_abcdefghijabcdefghijabcdefghijabcdefghij4JqMWQ"},
		{__LINE__, "sk_abcdefghijabcdefghijabcdefghijabcdefghik4JqMWq"},
		{__LINE__, "sk_01234567890123456789012345678901234567894WuBnH"},
	};

	fake_reset();
	fake.found = true;
	set_principal(PERSONAL, false, true, true, ROLE_NONE);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_authenticate(cases[i].line, cases[i].tok, ERR_INVALID_API_KEY, 0);
}

/* Well-formed keys: what the row decides. */
static void
test_authenticate(void)
{
	static const struct {
		int line;
		enum kind kind;
		bool revoked, account_active, org_active;
		enum db_status rc;
		bool found;
		enum err want;
	} cases[] = {
		{__LINE__, PERSONAL, false, true, true, DB_OK, false, ERR_INVALID_API_KEY},
		{__LINE__, PERSONAL, false, true, true, DB_UNAVAILABLE, false,
		 ERR_SERVICE_UNAVAILABLE},
		{__LINE__, PERSONAL, false, true, true, DB_ERROR, false, ERR_INTERNAL},
		{__LINE__, PERSONAL, false, true, true, DB_DUPLICATE, false, ERR_INTERNAL},
		/* Personal keys: the account decides, the organization's row does not. */
		{__LINE__, PERSONAL, false, true, true, DB_OK, true, ERR_NONE},
		{__LINE__, PERSONAL, false, true, false, DB_OK, true, ERR_NONE},
		{__LINE__, PERSONAL, true, true, true, DB_OK, true, ERR_API_KEY_REVOKED},
		{__LINE__, PERSONAL, true, false, true, DB_OK, true, ERR_API_KEY_REVOKED},
		{__LINE__, PERSONAL, false, false, true, DB_OK, true, ERR_ACCOUNT_DEACTIVATED},
		/* Org keys: the organization decides; a creator who left does not. */
		{__LINE__, ORG_KEY, false, true, true, DB_OK, true, ERR_NONE},
		{__LINE__, ORG_KEY, false, false, true, DB_OK, true, ERR_NONE},
		{__LINE__, ORG_KEY, false, true, false, DB_OK, true, ERR_ORGANIZATION_DEACTIVATED},
		{__LINE__, ORG_KEY, false, false, false, DB_OK, true, ERR_ORGANIZATION_DEACTIVATED},
		{__LINE__, ORG_KEY, true, true, false, DB_OK, true, ERR_API_KEY_REVOKED},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_reset();
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		set_principal(cases[i].kind, cases[i].revoked, cases[i].account_active,
		              cases[i].org_active, cases[i].kind == ORG_KEY ? ROLE_ADMIN : ROLE_NONE);
		check_authenticate(cases[i].line, i % 2 ? GOOD : GOOD2, cases[i].want, 1);
	}
}

/*
 * A rolled key: valid until expires_at, then refused; the first refusal
 * writes key.expired once (the claim decides among concurrent ones), and a
 * key whose event is written, like a key not expired, costs one lookup only.
 */
static void
test_expiry(void)
{
	static const struct {
		int line;
		enum kind kind;
		bool revoked;
		int64_t expires_in;             /* expires_at - now */
		bool recorded;                  /* the event is written already */
		enum db_status claim_rc;
		bool claimed;                   /* this refusal claims the event */
		enum db_status audit_rc;
		enum err want;
		unsigned calls, claims, events, logs;
	} cases[] = {
		/* In its grace period: it works, and nothing more is asked. */
		{__LINE__, PERSONAL, false, 1, false, DB_OK, true, DB_OK, ERR_NONE, 1, 0, 0, 0},
		{__LINE__, ORG_KEY, false, TIMEFMT_DAY, false, DB_OK, true, DB_OK, ERR_NONE, 1, 0, 0, 0},
		/* Expired (at expires_at itself too): refused, the first time recorded. */
		{__LINE__, PERSONAL, false, 0, false, DB_OK, true, DB_OK, ERR_API_KEY_EXPIRED, 3, 1, 1,
		 0},
		{__LINE__, ORG_KEY, false, -TIMEFMT_DAY, false, DB_OK, true, DB_OK, ERR_API_KEY_EXPIRED,
		 3, 1, 1, 0},
		/* Another refusal claimed it at the same time: its event, not a second one. */
		{__LINE__, PERSONAL, false, -1, false, DB_OK, false, DB_OK, ERR_API_KEY_EXPIRED, 2, 1, 0,
		 0},
		/* Recorded before: one lookup, like any refusal. */
		{__LINE__, PERSONAL, false, -1, true, DB_OK, true, DB_OK, ERR_API_KEY_EXPIRED, 1, 0, 0,
		 0},
		/* Revoked in its grace period: revoked, not expired, nothing recorded. */
		{__LINE__, PERSONAL, true, -1, false, DB_OK, true, DB_OK, ERR_API_KEY_REVOKED, 1, 0, 0,
		 0},
		{__LINE__, PERSONAL, true, 1, false, DB_OK, true, DB_OK, ERR_API_KEY_REVOKED, 1, 0, 0,
		 0},
		/* The record fails: logged and left to the next refusal; the refusal stands. */
		{__LINE__, PERSONAL, false, -1, false, DB_UNAVAILABLE, true, DB_OK, ERR_API_KEY_EXPIRED,
		 2, 1, 0, 1},
		{__LINE__, PERSONAL, false, -1, false, DB_OK, true, DB_ERROR, ERR_API_KEY_EXPIRED, 3, 1,
		 0, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct store_audit_event *ev = &fake.event[0];
		struct auth_principal p;
		int line = cases[i].line;
		enum err e;

		fake_reset();
		fake.found = true;
		set_principal(cases[i].kind, cases[i].revoked, true, true, ROLE_ADMIN);
		fake.principal.key.expires = true;
		fake.principal.key.expires_at = T_NOW + cases[i].expires_in;
		fake.principal.key.expiry_recorded = cases[i].recorded;
		fake.claim_rc = cases[i].claim_rc;
		fake.claimed = cases[i].claimed;
		fake.audit_rc = cases[i].audit_rc;
		e = auth_authenticate(NULL, fake_pepper, GOOD, strlen(GOOD), T_NOW, &refused, NULL, &p);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(fake.calls == cases[i].calls && fake.claims == cases[i].claims &&
		         fake.events == cases[i].events && fake.logs == cases[i].logs, line,
		         "%u store calls, %u claims, %u events, %u logs; want %u %u %u %u",
		         fake.calls, fake.claims, fake.events, fake.logs, cases[i].calls,
		         cases[i].claims, cases[i].events, cases[i].logs);
		CHECK_AT(!fake.in_tx && auth_principal_valid(&p) == (e == ERR_NONE), line,
		         "a transaction left open, or the seal after %s", ename(e));
		if (fake.events == 1)
			CHECK_AT(strcmp(ev->action, "key.expired") == 0 && fake.event_in_tx[0] &&
			         is_id(ev->target.id, ID_KEY) && strcmp(ev->actor_type, "system") == 0 &&
			         !ev->actor_account.set && strcmp(ev->client_address, "192.0.2.9") == 0 &&
			         is_id(ev->scope.id, cases[i].kind == ORG_KEY ? ID_ORG : ID_ACCOUNT) &&
			         ev->created_at == T_NOW, line, "the event: %s by %s", ev->action,
			         ev->actor_type);
	}
}

/* The seal: only a principal auth_authenticate returned with ERR_NONE passes. */
static void
test_seal(void)
{
	struct auth_principal p, copy;

	CHECK(!auth_principal_valid(NULL), "NULL principal valid");
	memset(&p, 0, sizeof(p));
	CHECK(!auth_principal_valid(&p), "zeroed principal valid");

	fake_reset();
	fake.found = true;
	set_principal(PERSONAL, false, true, true, ROLE_NONE);
	CHECK(auth_authenticate(NULL, fake_pepper, GOOD, strlen(GOOD), T_NOW, &refused, NULL, &p) == ERR_NONE &&
	      auth_principal_valid(&p), "a good key did not give a sealed principal");
	copy = p;
	CHECK(auth_principal_valid(&copy), "a copy of a sealed principal is not valid");
	copy.seal ^= 1;
	CHECK(!auth_principal_valid(&copy), "a principal with a changed seal is valid");
	copy = p;
	copy.seal = 0;
	CHECK(!auth_principal_valid(&copy), "a principal with seal 0 is valid");
	copy = p;
	memset(copy.who.key.id, 0, UUID_LEN);
	CHECK(!auth_principal_valid(&copy), "a sealed principal without a key is valid");
	copy = p;
	memset(copy.who.account.id, 0, UUID_LEN);
	CHECK(!auth_principal_valid(&copy), "a sealed principal without an account is valid");

	/* A failure into a struct that held a sealed principal unseals it. */
	fake.principal.key.revoked = true;
	CHECK(auth_authenticate(NULL, fake_pepper, GOOD, strlen(GOOD), T_NOW, &refused, NULL, &p) ==
	      ERR_API_KEY_REVOKED && !auth_principal_valid(&p),
	      "a revoked key left the earlier principal sealed");
	copy = p;
	CHECK(auth_authenticate(NULL, fake_pepper, "sk_", 3, T_NOW, &refused, NULL, &copy) == ERR_INVALID_API_KEY &&
	      !auth_principal_valid(&copy), "a malformed key left a principal sealed");
}

/* What the context's scope owner is. */
enum owner { OWN_NONE, OWN_ACCOUNT, OWN_ORG };

/* Header values: ID_ORG's and ID_OTHER_ORG's ids as text. */
#define H_ORG       "0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b"
#define H_ORG_UPPER "0B0B0B0B-0B0B-0B0B-0B0B-0B0B0B0B0B0B"
#define H_OTHER     "0c0c0c0c-0c0c-0c0c-0c0c-0c0c0c0c0c0c"

/* The expected context, checked after a call; line names the case. */
struct want_ctx {
	enum err err;
	bool is_org;
	enum store_role role;
	enum owner owner;
	bool own_only;
	unsigned calls;                     /* store_membership calls */
};

/* A refusal after `calls` membership lookups. */
#define FAILS(e, calls) {(e), false, ROLE_NONE, OWN_NONE, false, (calls)}

static void
check_ctx(int line, const char *what, enum err e, const struct auth_context *ctx,
          const struct want_ctx *w)
{
	uint8_t owner_fill = w->owner == OWN_ORG ? ID_ORG : ID_ACCOUNT;

	CHECK_AT(e == w->err, line, "%s: %s, want %s", what, ename(e), ename(w->err));
	CHECK_AT(fake.calls == w->calls, line, "%s: %u store calls, want %u", what, fake.calls,
	         w->calls);
	if (fake.calls > 0)
		CHECK_AT(is_id(fake.asked_org, ID_ORG) && is_id(fake.asked_account, ID_ACCOUNT),
		         line, "%s: membership asked for other ids", what);
	/* A failed context is none: nothing (a log line included) may take it for an org's. */
	if (e != ERR_NONE) {
		CHECK_AT(!ctx->is_org, line, "%s: %s left an org context", what, ename(e));
		return;
	}
	CHECK_AT(ctx->is_org == w->is_org && ctx->role == w->role, line,
	         "%s: is_org %d role %d, want %d %d", what, ctx->is_org, ctx->role, w->is_org,
	         w->role);
	CHECK_AT(is_id(ctx->scope.owner, owner_fill) && ctx->scope.own_only == w->own_only,
	         line, "%s: scope owner %02x.. own_only %d, want %02x.. %d", what,
	         ctx->scope.owner[0], ctx->scope.own_only, owner_fill, w->own_only);
	CHECK_AT(is_id(ctx->scope.actor, ID_ACCOUNT), line, "%s: actor %02x.., want %02x..",
	         what, ctx->scope.actor[0], ID_ACCOUNT);
	if (w->is_org)
		CHECK_AT(is_id(ctx->org.id, ID_ORG), line, "%s: context org %02x..", what,
		         ctx->org.id[0]);
}

static void
test_context(void)
{
	static const struct {
		int line;
		enum kind kind;
		const char *header;             /* ParseSphere-Organization, NULL: absent */
		enum store_role role;           /* the account's role in ID_ORG (the creator's) */
		bool org_active;                /* ID_ORG is active */
		enum db_status rc;              /* store_membership */
		bool found;
		struct want_ctx want;
	} cases[] = {
		/* A personal key: the personal context, or an org it is an active member of. */
		{__LINE__, PERSONAL, NULL, ROLE_OWNER, true, DB_OK, true,
		 {ERR_NONE, false, ROLE_NONE, OWN_ACCOUNT, false, 0}},
		{__LINE__, PERSONAL, H_ORG, ROLE_OWNER, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_OWNER, OWN_ORG, false, 1}},
		{__LINE__, PERSONAL, H_ORG_UPPER, ROLE_ADMIN, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_ADMIN, OWN_ORG, false, 1}},
		{__LINE__, PERSONAL, H_ORG, ROLE_MEMBER, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_MEMBER, OWN_ORG, true, 1}},
		{__LINE__, PERSONAL, H_ORG, ROLE_NONE, true, DB_OK, true,
		 FAILS(ERR_NOT_ORGANIZATION_MEMBER, 1)},
		{__LINE__, PERSONAL, H_ORG, ROLE_OWNER, true, DB_OK, false,
		 FAILS(ERR_NOT_ORGANIZATION_MEMBER, 1)},
		{__LINE__, PERSONAL, H_ORG, ROLE_OWNER, false, DB_OK, true,
		 FAILS(ERR_NOT_ORGANIZATION_MEMBER, 1)},
		{__LINE__, PERSONAL, H_ORG, ROLE_OWNER, true, DB_UNAVAILABLE, true,
		 FAILS(ERR_SERVICE_UNAVAILABLE, 1)},
		{__LINE__, PERSONAL, H_ORG, ROLE_OWNER, true, DB_ERROR, true,
		 FAILS(ERR_INTERNAL, 1)},
		/* Malformed headers: 400 before the database. */
		{__LINE__, PERSONAL, "", ROLE_OWNER, true, DB_OK, true,
		 FAILS(ERR_INVALID_REQUEST, 0)},
		{__LINE__, PERSONAL, "org_1", ROLE_OWNER, true, DB_OK, true,
		 FAILS(ERR_INVALID_REQUEST, 0)},
		{__LINE__, PERSONAL, H_ORG " ", ROLE_OWNER, true, DB_OK, true,
		 FAILS(ERR_INVALID_REQUEST, 0)},
		{__LINE__, PERSONAL, "0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", ROLE_OWNER, true, DB_OK, true,
		 FAILS(ERR_INVALID_REQUEST, 0)},
		{__LINE__, ORG_KEY, "0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0g", ROLE_OWNER, true, DB_OK,
		 true, FAILS(ERR_INVALID_REQUEST, 0)},
		{__LINE__, ORG_KEY, "", ROLE_OWNER, true, DB_OK, true,
		 FAILS(ERR_INVALID_REQUEST, 0)},
		/* An org key: its organization, as its creator with the creator's role. */
		{__LINE__, ORG_KEY, NULL, ROLE_OWNER, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_OWNER, OWN_ORG, false, 0}},
		{__LINE__, ORG_KEY, NULL, ROLE_ADMIN, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_ADMIN, OWN_ORG, false, 0}},
		{__LINE__, ORG_KEY, NULL, ROLE_MEMBER, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_MEMBER, OWN_ORG, true, 0}},
		/* Its creator left: a context without a role (api.c refuses key routes). */
		{__LINE__, ORG_KEY, NULL, ROLE_NONE, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_NONE, OWN_ORG, true, 0}},
		{__LINE__, ORG_KEY, H_ORG, ROLE_MEMBER, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_MEMBER, OWN_ORG, true, 0}},
		{__LINE__, ORG_KEY, H_ORG_UPPER, ROLE_OWNER, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_OWNER, OWN_ORG, false, 0}},
		{__LINE__, ORG_KEY, H_OTHER, ROLE_OWNER, true, DB_OK, true,
		 FAILS(ERR_ORGANIZATION_MISMATCH, 0)},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auth_principal p;
		const char *what = cases[i].header ? cases[i].header : "(no header)";
		enum err e;

		fake_reset();
		fake.found = true;
		set_principal(cases[i].kind, false, true, true, cases[i].role);
		if (auth_authenticate(NULL, fake_pepper, GOOD, strlen(GOOD), T_NOW, &refused, NULL, &p) != ERR_NONE) {
			CHECK_AT(false, cases[i].line, "authentication failed");
			continue;
		}
		/* store_membership's row: ID_ORG, the same role. */
		fake.calls = 0;
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		fake_id(fake.org.id, ID_ORG);
		fake.org.is_active = cases[i].org_active;
		fake.role = cases[i].role;
		memset(&p.ctx, 0xff, sizeof(p.ctx));     /* a context left by an earlier call */
		e = auth_context(NULL, &p, cases[i].header);
		check_ctx(cases[i].line, what, e, &p.ctx, &cases[i].want);
		CHECK_AT(auth_principal_valid(&p), cases[i].line, "%s: context unsealed", what);
	}
}

/* An account by itself (a dashboard session, the admin tool). */
static void
test_context_account(void)
{
	static const struct {
		int line;
		bool with_org;
		enum store_role role;
		bool org_active;
		enum db_status rc;
		bool found;
		struct want_ctx want;
	} cases[] = {
		{__LINE__, false, ROLE_OWNER, true, DB_OK, true,
		 {ERR_NONE, false, ROLE_NONE, OWN_ACCOUNT, false, 0}},
		{__LINE__, true, ROLE_ADMIN, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_ADMIN, OWN_ORG, false, 1}},
		{__LINE__, true, ROLE_MEMBER, true, DB_OK, true,
		 {ERR_NONE, true, ROLE_MEMBER, OWN_ORG, true, 1}},
		{__LINE__, true, ROLE_OWNER, false, DB_OK, true,
		 FAILS(ERR_NOT_ORGANIZATION_MEMBER, 1)},
		{__LINE__, true, ROLE_NONE, true, DB_OK, true,
		 FAILS(ERR_NOT_ORGANIZATION_MEMBER, 1)},
		{__LINE__, true, ROLE_OWNER, true, DB_OK, false,
		 FAILS(ERR_NOT_ORGANIZATION_MEMBER, 1)},
		{__LINE__, true, ROLE_OWNER, true, DB_UNAVAILABLE, false,
		 FAILS(ERR_SERVICE_UNAVAILABLE, 1)},
	};
	uint8_t account[UUID_LEN], org[UUID_LEN];

	fake_id(account, ID_ACCOUNT);
	fake_id(org, ID_ORG);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auth_context ctx;
		enum err e;

		fake_reset();
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		fake_id(fake.org.id, ID_ORG);
		fake.org.is_active = cases[i].org_active;
		fake.role = cases[i].role;
		memset(&ctx, 0xff, sizeof(ctx));
		e = auth_context_account(NULL, account, cases[i].with_org ? org : NULL, &ctx);
		check_ctx(cases[i].line, cases[i].with_org ? "org" : "personal", e, &ctx,
		          &cases[i].want);
	}
}

/* The store's answers pass through as the core's one convention. */
static void
test_lookups(void)
{
	static const struct { int line; enum db_status rc; bool found; enum err want; } cases[] = {
		{__LINE__, DB_OK, true, ERR_NONE},
		{__LINE__, DB_OK, false, ERR_NONE},
		{__LINE__, DB_UNAVAILABLE, false, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_ERROR, false, ERR_INTERNAL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_account_org orgs[2];
		struct store_login login;
		unsigned n = 99;
		bool found = !cases[i].found;
		enum err e;

		fake_reset();
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		e = auth_login_account(NULL, "a@example.com", &login, &found);
		CHECK_AT(e == cases[i].want && found == (cases[i].rc == DB_OK && cases[i].found),
		         cases[i].line, "auth_login_account: %s, found %d", ename(e), found);
		e = auth_account_orgs(NULL, login.account_id, orgs, 2, &n);
		CHECK_AT(e == cases[i].want && n == 0, cases[i].line, "auth_account_orgs: %s, n %u",
		         ename(e), n);
	}
}

/*
 * With a worker's copies of the counters (/v1/me): the first lookup reads the
 * key with its counters and leaves a copy; lookups within COUNTERS_MAX_AGE_US
 * read without them and take the copy; then with them again. A failed or
 * empty lookup leaves no copy. Without copies, never with counters.
 */
static void
test_counters_copy(void)
{
	static const struct {
		int line;
		int64_t at;               /* µs after T_NOW */
		enum db_status rc;
		bool found;
		uint64_t db_count;        /* what a read with counters would show */
		enum err want;
		bool want_counted;
		uint64_t want_count;
	} steps[] = {
		{__LINE__, 0, DB_UNAVAILABLE, false, 1, ERR_SERVICE_UNAVAILABLE, true, 0},
		{__LINE__, 1, DB_OK, false, 1, ERR_INVALID_API_KEY, true, 0},
		{__LINE__, 2, DB_OK, true, 7, ERR_NONE, true, 7},
		{__LINE__, 3, DB_OK, true, 8, ERR_NONE, false, 7},
		{__LINE__, 2 + COUNTERS_MAX_AGE_US - 1, DB_OK, true, 9, ERR_NONE, false, 7},
		{__LINE__, 2 + COUNTERS_MAX_AGE_US, DB_OK, true, 10, ERR_NONE, true, 10},
		{__LINE__, 3 + COUNTERS_MAX_AGE_US, DB_UNAVAILABLE, false, 11, ERR_SERVICE_UNAVAILABLE,
		 false, 0},
		{__LINE__, 4 + COUNTERS_MAX_AGE_US, DB_OK, true, 12, ERR_NONE, false, 10},
	};
	static struct counters copies;
	struct auth_principal p;

	set_principal(PERSONAL, false, true, false, ROLE_NONE);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		unsigned before = fake.counted_reads;
		enum err e;

		fake.rc = steps[i].rc;
		fake.found = steps[i].found;
		fake.principal.key.counters.request_count = steps[i].db_count;
		e = auth_authenticate(NULL, fake_pepper, GOOD, strlen(GOOD), T_NOW + steps[i].at,
		                      &refused, &copies, &p);
		CHECK_AT(e == steps[i].want && (fake.counted_reads != before) == steps[i].want_counted &&
		         (e != ERR_NONE || p.who.key.counters.request_count == steps[i].want_count),
		         steps[i].line, "%s, read with counters %d, count %llu", ename(e),
		         fake.counted_reads != before,
		         (unsigned long long)p.who.key.counters.request_count);
	}
	/* Without copies: never with counters. */
	fake.rc = DB_OK;
	fake.counted_reads = 0;
	for (int i = 0; i < 3; i++)
		auth_authenticate(NULL, fake_pepper, GOOD, strlen(GOOD), T_NOW, &refused, NULL, &p);
	CHECK(fake.counted_reads == 0, "%u reads with counters without copies", fake.counted_reads);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_lookups();
	test_refused();
	test_authenticate();
	test_expiry();
	test_seal();
	test_counters_copy();
	test_context();
	test_context_account();
	return harness_summary();
}
