/*
 * Unit tests of lib/core/keyops.c with a fake store (fake_store.h): finding
 * a visible key, list cursors, creating a key in a context (its owner, its
 * creator, its secret and what is stored of it), revoking.
 */
#include "../../../lib/core/keyops.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "fake_store.h"

#define T_CREATED INT64_C(1795000000000000)     /* 2026-11-18, microseconds */
#define T_REVOKED INT64_C(1795000100000000)
#define T_NOW     INT64_C(1795000200000000)

/* The row the fake store holds: key ID_KEY of account ID_ACCOUNT. */
static void
set_key(bool revoked)
{
	fake_id(fake.key.id, ID_KEY);
	fake_id(fake.key.created_by, ID_ACCOUNT);
	fake.key.created_at = T_CREATED;
	fake.key.revoked = revoked;
	fake.key.revoked_at = revoked ? T_REVOKED : 0;
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
	static const struct {
		int line;
		enum db_status rc;
		bool found;
		enum err want;
	} cases[] = {
		{__LINE__, DB_OK, true, ERR_NONE},
		{__LINE__, DB_OK, false, ERR_NOT_FOUND},
		{__LINE__, DB_UNAVAILABLE, true, ERR_SERVICE_UNAVAILABLE},
		{__LINE__, DB_ERROR, true, ERR_INTERNAL},
	};
	struct store_scope scope = {0};
	uint8_t id[UUID_LEN];

	fake_id(id, ID_KEY);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_cursor c = {0};
		enum err e;

		fake_reset();
		set_key(i % 2 == 0);            /* revoked keys are cursors too */
		fake.rc = cases[i].rc;
		fake.found = cases[i].found;
		e = keyops_cursor(NULL, &scope, id, &c);
		CHECK_AT(e == cases[i].want && fake.calls == 1 && is_id(fake.asked_id, ID_KEY),
		         cases[i].line, "%s after %u calls, want %s", ename(e), fake.calls,
		         ename(cases[i].want));
		if (e == ERR_NONE)
			CHECK_AT(c.created_at == T_CREATED && is_id(c.id, ID_KEY), cases[i].line,
			         "cursor %lld %02x..", (long long)c.created_at, c.id[0]);
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
		e = keyops_list(NULL, &scope, NULL, false, 2, rows, &n);
		CHECK_AT(e == cases[i].want && n == cases[i].n, cases[i].line, "%s, %u rows",
		         ename(e), n);
	}
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
	} cases[] = {
		{__LINE__, false, 4, {DB_OK}, ERR_NONE, 1},
		{__LINE__, true, 4, {DB_OK}, ERR_NONE, 1},
		{__LINE__, true, STORE_NAME_MAX, {DB_OK}, ERR_NONE, 1},
		/* A duplicate id or hash: a fresh key, a fresh id. */
		{__LINE__, false, 4, {DB_DUPLICATE, DB_OK}, ERR_NONE, 2},
		{__LINE__, true, 4, {DB_DUPLICATE, DB_DUPLICATE, DB_OK}, ERR_NONE, 3},
		{__LINE__, false, 4, {DB_DUPLICATE, DB_DUPLICATE, DB_DUPLICATE}, ERR_INTERNAL, 3},
		{__LINE__, false, 4, {DB_DUPLICATE, DB_UNAVAILABLE}, ERR_SERVICE_UNAVAILABLE, 2},
		{__LINE__, false, 4, {DB_UNAVAILABLE}, ERR_SERVICE_UNAVAILABLE, 1},
		{__LINE__, true, 4, {DB_ERROR}, ERR_INTERNAL, 1},
		/* The caller validates names; a longer one is a bug, and nothing is stored. */
		{__LINE__, false, STORE_NAME_MAX + 1, {DB_OK}, ERR_INTERNAL, 0},
	};
	struct auth_context ctx;
	unsigned char hash[APIKEY_HASH_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *name = name_of(cases[i].name_len);
		char secret[APIKEY_LEN + 1];
		struct store_key k;
		const struct store_key *last;
		int line = cases[i].line;
		enum err e;

		fake_reset();
		memcpy(fake.insert_rc, cases[i].rc, sizeof(fake.insert_rc));
		memset(&ctx, 0, sizeof(ctx));
		ctx.is_org = cases[i].is_org;
		fake_id(ctx.org.id, ID_ORG);
		fake_id(ctx.scope.owner, cases[i].is_org ? ID_ORG : ID_ACCOUNT);
		fake_id(ctx.scope.actor, ID_ACCOUNT);
		memset(secret, 'X', sizeof(secret));
		e = keyops_create(NULL, fake_pepper, &ctx, name, &k, secret);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(fake.inserts == cases[i].inserts, line, "%u inserts, want %u",
		         fake.inserts, cases[i].inserts);
		if (e != ERR_NONE) {
			CHECK_AT(all_zero(secret, sizeof(secret)), line,
			         "the secret was not wiped after %s", ename(e));
			continue;
		}
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
		         strlen(k.prefix) == APIKEY_PREFIX_LEN && !k.revoked && !k.used &&
		         k.request_count == 0, line, "name, prefix %s or counters", k.prefix);
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
		enum db_status revoke_rc;
		bool changed;                   /* this revoke set revoked_at */
		enum db_status get_rc;          /* the re-read after a concurrent revoke */
		bool found;
		enum err want;
		unsigned revokes, gets;
		int64_t revoked_at;             /* afterwards; 0: not revoked */
	} cases[] = {
		/* Already revoked: nothing to do, nothing asked. */
		{__LINE__, true, DB_OK, true, DB_OK, true, ERR_NONE, 0, 0, T_REVOKED},
		{__LINE__, false, DB_OK, true, DB_OK, true, ERR_NONE, 1, 0, T_NOW},
		/* A concurrent revoke won: its instant, read back. */
		{__LINE__, false, DB_OK, false, DB_OK, true, ERR_NONE, 1, 1, T_REVOKED},
		{__LINE__, false, DB_OK, false, DB_OK, false, ERR_INTERNAL, 1, 1, 0},
		{__LINE__, false, DB_OK, false, DB_UNAVAILABLE, true, ERR_SERVICE_UNAVAILABLE, 1, 1,
		 0},
		{__LINE__, false, DB_UNAVAILABLE, true, DB_OK, true, ERR_SERVICE_UNAVAILABLE, 1, 0, 0},
		{__LINE__, false, DB_ERROR, true, DB_OK, true, ERR_INTERNAL, 1, 0, 0},
	};
	struct store_scope scope = {0};

	fake_id(scope.owner, ID_ACCOUNT);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_key k;
		int line = cases[i].line;
		enum err e;

		fake_reset();
		set_key(cases[i].revoked);
		k = fake.key;
		fake.key.revoked = true;        /* the row as the concurrent revoke left it */
		fake.key.revoked_at = T_REVOKED;
		fake.revoke_rc = cases[i].revoke_rc;
		fake.changed = cases[i].changed;
		fake.rc = cases[i].get_rc;
		fake.found = cases[i].found;
		e = keyops_revoke(NULL, &scope, &k, T_NOW);
		CHECK_AT(e == cases[i].want, line, "%s, want %s", ename(e), ename(cases[i].want));
		CHECK_AT(fake.revokes == cases[i].revokes && fake.gets == cases[i].gets, line,
		         "%u revokes %u reads, want %u %u", fake.revokes, fake.gets,
		         cases[i].revokes, cases[i].gets);
		if (fake.revokes > 0)
			CHECK_AT(is_id(fake.asked_id, ID_KEY) && fake.asked_now == T_NOW, line,
			         "revoke asked for another key or instant");
		if (e == ERR_NONE)
			CHECK_AT(k.revoked && k.revoked_at == cases[i].revoked_at, line,
			         "revoked %d at %lld, want %lld", k.revoked, (long long)k.revoked_at,
			         (long long)cases[i].revoked_at);
		else if (cases[i].gets == 0)
			CHECK_AT(!k.revoked, line, "a failed revoke marked the key revoked");
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
	return harness_summary();
}
