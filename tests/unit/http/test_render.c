/*
 * Unit tests of lib/http/render.c: the key object exactly as docs/api.md
 * shows it ("The key object": its members, nulls, RFC 3339 UTC times with
 * second precision, lowercase ids), the account and the organization.
 */
#include "../../../lib/http/render.c"
#include "../../../lib/http/jsonw.c"
#include "../../../lib/base/timefmt.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/validate.c"
#include "../../../lib/data/store.c"
#include "../harness.h"

#define SECOND INT64_C(1000000)
#define T_DOC  (INT64_C(1795694400) * SECOND)     /* 2026-11-26T12:00:00Z */
#define T_NOW  (T_DOC + 3600 * SECOND)
#define NOT_ROLLED ",\"revoked_reason\":null,\"expires_at\":null,\"replaced_by\":null," \
	"\"rolled_from\":null,\"rate_limit\":null}"

/* Sets id from its 32 hex digits. */
static void
id_of(uint8_t id[UUID_LEN], const char *hex)
{
	for (int i = 0; i < UUID_LEN; i++) {
		unsigned b;

		sscanf(hex + 2 * i, "%2x", &b);
		id[i] = (uint8_t)b;
	}
}

/* The text the API sends (lib/response.c's flags), compared, then freed. */
static void
check_json(int line, json_object *o, const char *want)
{
	const char *got = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                                    JSON_C_TO_STRING_NOSLASHESCAPE);

	CHECK_AT(strcmp(got, want) == 0, line, "\n got  %s\n want %s", got, want);
	json_object_put(o);
}

/* A key object's text with ,"secret":"sk_\"x\"" before its closing brace. */
static const char *
new_key_text(const char *key)
{
	static char text[2048];

	snprintf(text, sizeof(text), "%.*s,\"secret\":\"sk_\\\"x\\\"\"}", (int)strlen(key) - 1, key);
	return text;
}

/* A list of that key object twice. */
static const char *
list_text(const char *key, bool has_more)
{
	static char text[4096];

	snprintf(text, sizeof(text), "{\"object\":\"list\",\"data\":[%s,%s],\"has_more\":%s}",
	         key, key, has_more ? "true" : "false");
	return text;
}

/* A writer's text compared, then freed. */
static void
check_text(int line, struct jsonw *w, const char *want)
{
	size_t len = 0;
	char *got = jsonw_take(w, &len);

	CHECK_AT(got != NULL && strcmp(got, want) == 0 && len == strlen(want), line,
	         "\n got  %s\n want %s", got ? got : "(null)", want);
	free(got);
}

static void
test_key(void)
{
	static const struct {
		int line;
		const char *id, *org, *creator; /* hex; org NULL: a personal key */
		const char *name, *prefix;
		int64_t created_at;
		bool used;
		int64_t last_used_at;
		uint64_t request_count;
		bool revoked;
		int64_t revoked_at;
		enum store_reason reason;
		int64_t expires_at;             /* 0: not rolled */
		const char *replaced_by, *rolled_from;   /* hex, NULL: none */
		const char *want;
	} cases[] = {
		/* docs/api.md's example, to the letter. */
		{__LINE__, "0193a1f27c4e7b1a9a553f2d1c0b9e8a", NULL, "0193a1f0111170008000000000000001",
		 "Production API Key", "sk_4fGh29KqT", T_DOC, true, T_DOC + 313 * SECOND, 42,
		 false, 0, REASON_NONE, 0, NULL, NULL,
		 "{\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a\",\"object\":\"api_key\","
		 "\"name\":\"Production API Key\",\"key_prefix\":\"sk_4fGh29KqT\",\"is_active\":true,"
		 "\"organization_id\":null,\"created_by\":\"0193a1f0-1111-7000-8000-000000000001\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":\"2026-11-26T12:05:13Z\","
		 "\"request_count\":42,\"revoked_at\":null" NOT_ROLLED},
		/* An org key, revoked, never used; ids lowercase, times cut to the second. */
		{__LINE__, "ABCDEF0123457ABC8DEFFEDCBA987654", "FFFFFFFFFFFF7FFFBFFFFFFFFFFFFFFF",
		 "0000000000000000000000000000000A", "ci / \"deploy\" caf\xc3\xa9", "sk_000000000",
		 T_DOC + SECOND - 1, false, 0, 0, true, T_DOC + 86400 * SECOND + 999999, REASON_OWNER,
		 0, NULL, NULL,
		 "{\"id\":\"abcdef01-2345-7abc-8def-fedcba987654\",\"object\":\"api_key\","
		 "\"name\":\"ci / \\\"deploy\\\" caf\xc3\xa9\",\"key_prefix\":\"sk_000000000\","
		 "\"is_active\":false,\"organization_id\":\"ffffffff-ffff-7fff-bfff-ffffffffffff\","
		 "\"created_by\":\"00000000-0000-0000-0000-00000000000a\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":null,"
		 "\"request_count\":0,\"revoked_at\":\"2026-11-27T12:00:00Z\","
		 "\"revoked_reason\":\"owner\",\"expires_at\":null,\"replaced_by\":null,"
		 "\"rolled_from\":null,\"rate_limit\":null}"},
		/* Used and revoked; the largest count; the epoch and 2038. */
		{__LINE__, "00000000000070008000000000000000", NULL, "11111111111111111111111111111111",
		 "", "sk_zzzzzzzzz", 0, true, INT64_C(2147483648) * SECOND, UINT64_MAX, true,
		 INT64_C(2147483648) * SECOND, REASON_USER, 0, NULL, NULL,
		 "{\"id\":\"00000000-0000-7000-8000-000000000000\",\"object\":\"api_key\","
		 "\"name\":\"\",\"key_prefix\":\"sk_zzzzzzzzz\",\"is_active\":false,"
		 "\"organization_id\":null,\"created_by\":\"11111111-1111-1111-1111-111111111111\","
		 "\"created_at\":\"1970-01-01T00:00:00Z\",\"last_used_at\":\"2038-01-19T03:14:08Z\","
		 "\"request_count\":18446744073709551615,\"revoked_at\":\"2038-01-19T03:14:08Z\","
		 "\"revoked_reason\":\"user\",\"expires_at\":null,\"replaced_by\":null,"
		 "\"rolled_from\":null,\"rate_limit\":null}"},
		/* Rolled, in its grace period (T_NOW is an hour after T_DOC): active until it ends. */
		{__LINE__, "0193a1f27c4e7b1a9a553f2d1c0b9e8a", NULL, "0193a1f0111170008000000000000001",
		 "K", "sk_4fGh29KqT", T_DOC, false, 0, 0, false, 0, REASON_NONE, T_NOW + 1,
		 "0193A1F27C4E7B1A9A553F2D1C0B9E8B", NULL,
		 "{\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a\",\"object\":\"api_key\","
		 "\"name\":\"K\",\"key_prefix\":\"sk_4fGh29KqT\",\"is_active\":true,"
		 "\"organization_id\":null,\"created_by\":\"0193a1f0-1111-7000-8000-000000000001\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":null,"
		 "\"request_count\":0,\"revoked_at\":null,\"revoked_reason\":null,"
		 "\"expires_at\":\"2026-11-26T13:00:00Z\","
		 "\"replaced_by\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8b\",\"rolled_from\":null,\"rate_limit\":null}"},
		/* Its grace period over (at expires_at itself): inactive, though never revoked. */
		{__LINE__, "0193a1f27c4e7b1a9a553f2d1c0b9e8a", NULL, "0193a1f0111170008000000000000001",
		 "K", "sk_4fGh29KqT", T_DOC, false, 0, 0, false, 0, REASON_NONE, T_NOW,
		 "0193a1f27c4e7b1a9a553f2d1c0b9e8b", NULL,
		 "{\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a\",\"object\":\"api_key\","
		 "\"name\":\"K\",\"key_prefix\":\"sk_4fGh29KqT\",\"is_active\":false,"
		 "\"organization_id\":null,\"created_by\":\"0193a1f0-1111-7000-8000-000000000001\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":null,"
		 "\"request_count\":0,\"revoked_at\":null,\"revoked_reason\":null,"
		 "\"expires_at\":\"2026-11-26T13:00:00Z\","
		 "\"replaced_by\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8b\",\"rolled_from\":null,\"rate_limit\":null}"},
		/* Rolled without a grace period: revoked "rolled" then; and the key that replaced it. */
		{__LINE__, "0193a1f27c4e7b1a9a553f2d1c0b9e8a", NULL, "0193a1f0111170008000000000000001",
		 "K", "sk_4fGh29KqT", T_DOC, false, 0, 0, true, T_DOC, REASON_ROLLED, T_DOC,
		 "0193a1f27c4e7b1a9a553f2d1c0b9e8b", NULL,
		 "{\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a\",\"object\":\"api_key\","
		 "\"name\":\"K\",\"key_prefix\":\"sk_4fGh29KqT\",\"is_active\":false,"
		 "\"organization_id\":null,\"created_by\":\"0193a1f0-1111-7000-8000-000000000001\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":null,"
		 "\"request_count\":0,\"revoked_at\":\"2026-11-26T12:00:00Z\","
		 "\"revoked_reason\":\"rolled\",\"expires_at\":\"2026-11-26T12:00:00Z\","
		 "\"replaced_by\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8b\",\"rolled_from\":null,\"rate_limit\":null}"},
		{__LINE__, "0193a1f27c4e7b1a9a553f2d1c0b9e8b", NULL, "0193a1f0111170008000000000000001",
		 "K", "sk_5fGh29KqT", T_DOC, false, 0, 0, false, 0, REASON_NONE, 0, NULL,
		 "0193a1f27c4e7b1a9a553f2d1c0b9e8a",
		 "{\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8b\",\"object\":\"api_key\","
		 "\"name\":\"K\",\"key_prefix\":\"sk_5fGh29KqT\",\"is_active\":true,"
		 "\"organization_id\":null,\"created_by\":\"0193a1f0-1111-7000-8000-000000000001\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":null,"
		 "\"request_count\":0,\"revoked_at\":null,\"revoked_reason\":null,"
		 "\"expires_at\":null,\"replaced_by\":null,"
		 "\"rolled_from\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a\",\"rate_limit\":null}"},
	};

	static struct store_key keys[2];
	struct jsonw w;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_key k;

		memset(&k, 0x5a, sizeof(k));     /* fields that do not apply hold garbage */
		id_of(k.id, cases[i].id);
		k.has_org = cases[i].org != NULL;
		if (k.has_org)
			id_of(k.organization_id, cases[i].org);
		id_of(k.created_by, cases[i].creator);
		snprintf(k.name, sizeof(k.name), "%s", cases[i].name);
		snprintf(k.prefix, sizeof(k.prefix), "%s", cases[i].prefix);
		k.created_at = cases[i].created_at;
		k.counters.used = cases[i].used;
		k.counters.last_used_at = cases[i].used ? cases[i].last_used_at : INT64_C(123456789);
		k.counters.request_count = cases[i].request_count;
		k.revoked = cases[i].revoked;
		k.revoked_at = cases[i].revoked ? cases[i].revoked_at : INT64_C(987654321);
		/* A reason is shown with a revocation only. */
		k.revoked_reason = cases[i].revoked ? cases[i].reason : REASON_USER;
		k.expires = cases[i].expires_at != 0;
		k.expires_at = k.expires ? cases[i].expires_at : INT64_C(5);
		k.replaced_by.set = cases[i].replaced_by != NULL;
		if (k.replaced_by.set)
			id_of(k.replaced_by.id, cases[i].replaced_by);
		k.rolled_from.set = cases[i].rolled_from != NULL;
		if (k.rolled_from.set)
			id_of(k.rolled_from.id, cases[i].rolled_from);
		k.rate_limit = (struct store_rate_limit){0, 0};
		jsonw_init(&w);
		render_key(&w, &k, T_NOW);
		check_text(cases[i].line, &w, cases[i].want);
		/* a new key: the same members, then its secret */
		jsonw_init(&w);
		render_new_key(&w, &k, "sk_\"x\"", T_NOW);
		check_text(cases[i].line, &w, new_key_text(cases[i].want));
		/* a list of it, twice, one more page or not */
		keys[0] = keys[1] = k;
		jsonw_init(&w);
		render_key_list(&w, keys, 2, i % 2 == 0, T_NOW);
		check_text(cases[i].line, &w, list_text(cases[i].want, i % 2 == 0));
	}
	jsonw_init(&w);
	render_key_list(&w, keys, 0, false, T_NOW);
	check_text(__LINE__, &w, "{\"object\":\"list\",\"data\":[],\"has_more\":false}");
}

/* The last member of w's object: the limit as want says (`what` names the object). */
static void
check_ends_with_limit(int line, struct jsonw *w, const char *what, const char *want)
{
	char expect[128], *text;
	size_t len = 0, n;

	text = jsonw_take(w, &len);
	n = (size_t)snprintf(expect, sizeof(expect), ",\"rate_limit\":%s}", want);
	CHECK_AT(text != NULL && len >= n && strcmp(text + len - n, expect) == 0, line,
	         "%s %s, want it to end %s", what, text ? text : "(null)", expect);
	free(text);
}

/* A key's own limit (render_key) and an organization's default (render_org). */
static void
check_limit(int line, const struct store_rate_limit *rl, const char *want)
{
	struct store_key k;
	struct store_org o;
	struct jsonw w;

	memset(&k, 0, sizeof(k));
	k.rate_limit = *rl;
	jsonw_init(&w);
	render_key(&w, &k, T_NOW);
	check_ends_with_limit(line, &w, "key object", want);
	memset(&o, 0, sizeof(o));
	o.rate_limit = *rl;
	jsonw_init(&w);
	render_org(&w, &o);
	check_ends_with_limit(line, &w, "organization", want);
}

/* A rate limit: null for none (per_second 0), else both numbers. */
static void
test_rate_limit(void)
{
	static const struct { int line; uint32_t per_second, burst; const char *want; } cases[] = {
		{__LINE__, 0, 0, "null"},
		{__LINE__, 0, 7, "null"},
		{__LINE__, 100, 200, "{\"per_second\":100,\"burst\":200}"},
		{__LINE__, 1, 1, "{\"per_second\":1,\"burst\":1}"},
		{__LINE__, 100000, 100000, "{\"per_second\":100000,\"burst\":100000}"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct store_rate_limit rl = {cases[i].per_second, cases[i].burst};

		check_limit(cases[i].line, &rl, cases[i].want);
	}
}

static void
test_account_org(void)
{
	struct store_account a;
	struct store_org o;
	struct jsonw w;

	memset(&a, 0, sizeof(a));
	id_of(a.id, "0193A1F0111170008000000000000001");
	snprintf(a.email, sizeof(a.email), "Ada@Example.com");
	snprintf(a.name, sizeof(a.name), "Ada");
	a.is_active = true;
	jsonw_init(&w);
	render_account(&w, &a);
	check_text(__LINE__, &w,
	           "{\"id\":\"0193a1f0-1111-7000-8000-000000000001\",\"email\":\"Ada@Example.com\","
	           "\"name\":\"Ada\",\"is_active\":true}");
	memset(&o, 0, sizeof(o));
	id_of(o.id, "0193A1F0222270008000000000000002");
	snprintf(o.name, sizeof(o.name), "Acme");
	jsonw_init(&w);
	render_org(&w, &o);
	check_text(__LINE__, &w,
	           "{\"id\":\"0193a1f0-2222-7000-8000-000000000002\",\"name\":\"Acme\","
	           "\"is_active\":false,\"rate_limit\":null}");
	CHECK(render_time(false, T_DOC) == NULL, "an absent time is not null");
	check_json(__LINE__, render_list(json_object_new_array(), true),
	           "{\"object\":\"list\",\"data\":[],\"has_more\":true}");
}

/* An audit event: every member, nulls for what it lacks, details as written. */
static void
test_audit_event(void)
{
	struct store_audit_event e;

	memset(&e, 0, sizeof(e));
	id_of(e.id, "0193A1F27C4E7B1A9A553F2D1C0B9E00");
	e.created_at = T_DOC + 999999;
	e.scope.set = e.organization.set = true;
	id_of(e.organization.id, "0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B0B");
	snprintf(e.action, sizeof(e.action), "key.rolled");
	snprintf(e.actor_type, sizeof(e.actor_type), "dashboard");
	e.actor_account.set = e.actor_session.set = true;
	id_of(e.actor_account.id, "0193A1F0111170008000000000000001");
	id_of(e.actor_session.id, "00112233445566778899AABBCCDDEEFF");
	snprintf(e.target_type, sizeof(e.target_type), "api_key");
	e.target.set = true;
	id_of(e.target.id, "0193A1F27C4E7B1A9A553F2D1C0B9E8A");
	snprintf(e.client_address, sizeof(e.client_address), "2001:db8::1");
	snprintf(e.user_agent, sizeof(e.user_agent), "Mozilla/5.0 \"x\"");
	e.request_id.set = true;
	id_of(e.request_id.id, "0193A1F27C4E7B1A9A553F2D1C0B9EFF");
	snprintf(e.details, sizeof(e.details), "{\"grace_period_seconds\":3600}");
	check_json(__LINE__, render_audit_event(&e),
	           "{\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e00\",\"object\":\"audit_event\","
	           "\"action\":\"key.rolled\",\"created_at\":\"2026-11-26T12:00:00Z\","
	           "\"organization_id\":\"0b0b0b0b-0b0b-0b0b-0b0b-0b0b0b0b0b0b\","
	           "\"actor\":{\"type\":\"dashboard\","
	           "\"account_id\":\"0193a1f0-1111-7000-8000-000000000001\",\"api_key_id\":null,"
	           "\"dashboard_session\":\"00112233445566778899aabbccddeeff\"},"
	           "\"target\":{\"type\":\"api_key\",\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a\"},"
	           "\"client_address\":\"2001:db8::1\",\"user_agent\":\"Mozilla/5.0 \\\"x\\\"\","
	           "\"request_id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9eff\","
	           "\"details\":{\"grace_period_seconds\":3600}}");
	/* The admin tool's: no request, no address; no details is {}, and so is a broken one. */
	memset(&e, 0, sizeof(e));
	snprintf(e.action, sizeof(e.action), "org.created");
	snprintf(e.actor_type, sizeof(e.actor_type), "admin");
	snprintf(e.target_type, sizeof(e.target_type), "organization");
	snprintf(e.details, sizeof(e.details), "[1]");
	check_json(__LINE__, render_audit_event(&e),
	           "{\"id\":\"00000000-0000-0000-0000-000000000000\",\"object\":\"audit_event\","
	           "\"action\":\"org.created\",\"created_at\":\"1970-01-01T00:00:00Z\","
	           "\"organization_id\":null,\"actor\":{\"type\":\"admin\",\"account_id\":null,"
	           "\"api_key_id\":null,\"dashboard_session\":null},"
	           "\"target\":{\"type\":\"organization\",\"id\":null},\"client_address\":null,"
	           "\"user_agent\":null,\"request_id\":null,\"details\":{}}");
}

int
main(void)
{
	test_key();
	test_audit_event();
	test_account_org();
	test_rate_limit();
	return harness_summary();
}
