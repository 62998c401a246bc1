/*
 * Unit tests of lib/http/render.c: the key object exactly as docs/api.md
 * shows it ("The key object": its members, nulls, RFC 3339 UTC times with
 * second precision, lowercase ids), the account and the organization.
 */
#include "../../../lib/http/render.c"
#include "../../../lib/base/timefmt.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/validate.c"
#include "../harness.h"

#define SECOND INT64_C(1000000)
#define T_DOC  (INT64_C(1795694400) * SECOND)     /* 2026-11-26T12:00:00Z */

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
		const char *want;
	} cases[] = {
		/* docs/api.md's example, to the letter. */
		{__LINE__, "0193a1f27c4e7b1a9a553f2d1c0b9e8a", NULL, "0193a1f0111170008000000000000001",
		 "Production API Key", "sk_4fGh29KqT", T_DOC, true, T_DOC + 313 * SECOND, 42,
		 false, 0,
		 "{\"id\":\"0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a\",\"object\":\"api_key\","
		 "\"name\":\"Production API Key\",\"key_prefix\":\"sk_4fGh29KqT\",\"is_active\":true,"
		 "\"organization_id\":null,\"created_by\":\"0193a1f0-1111-7000-8000-000000000001\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":\"2026-11-26T12:05:13Z\","
		 "\"request_count\":42,\"revoked_at\":null}"},
		/* An org key, revoked, never used; ids lowercase, times cut to the second. */
		{__LINE__, "ABCDEF0123457ABC8DEFFEDCBA987654", "FFFFFFFFFFFF7FFFBFFFFFFFFFFFFFFF",
		 "0000000000000000000000000000000A", "ci / \"deploy\" caf\xc3\xa9", "sk_000000000",
		 T_DOC + SECOND - 1, false, 0, 0, true, T_DOC + 86400 * SECOND + 999999,
		 "{\"id\":\"abcdef01-2345-7abc-8def-fedcba987654\",\"object\":\"api_key\","
		 "\"name\":\"ci / \\\"deploy\\\" caf\xc3\xa9\",\"key_prefix\":\"sk_000000000\","
		 "\"is_active\":false,\"organization_id\":\"ffffffff-ffff-7fff-bfff-ffffffffffff\","
		 "\"created_by\":\"00000000-0000-0000-0000-00000000000a\","
		 "\"created_at\":\"2026-11-26T12:00:00Z\",\"last_used_at\":null,"
		 "\"request_count\":0,\"revoked_at\":\"2026-11-27T12:00:00Z\"}"},
		/* Used and revoked; the largest count; the epoch and 2038. */
		{__LINE__, "00000000000070008000000000000000", NULL, "11111111111111111111111111111111",
		 "", "sk_zzzzzzzzz", 0, true, INT64_C(2147483648) * SECOND, UINT64_MAX, true,
		 INT64_C(2147483648) * SECOND,
		 "{\"id\":\"00000000-0000-7000-8000-000000000000\",\"object\":\"api_key\","
		 "\"name\":\"\",\"key_prefix\":\"sk_zzzzzzzzz\",\"is_active\":false,"
		 "\"organization_id\":null,\"created_by\":\"11111111-1111-1111-1111-111111111111\","
		 "\"created_at\":\"1970-01-01T00:00:00Z\",\"last_used_at\":\"2038-01-19T03:14:08Z\","
		 "\"request_count\":18446744073709551615,\"revoked_at\":\"2038-01-19T03:14:08Z\"}"},
	};

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
		k.used = cases[i].used;
		k.last_used_at = cases[i].used ? cases[i].last_used_at : INT64_C(123456789);
		k.request_count = cases[i].request_count;
		k.revoked = cases[i].revoked;
		k.revoked_at = cases[i].revoked ? cases[i].revoked_at : INT64_C(987654321);
		check_json(cases[i].line, render_key(&k), cases[i].want);
	}
}

static void
test_account_org(void)
{
	struct store_account a;
	struct store_org o;

	memset(&a, 0, sizeof(a));
	id_of(a.id, "0193A1F0111170008000000000000001");
	snprintf(a.email, sizeof(a.email), "Ada@Example.com");
	snprintf(a.name, sizeof(a.name), "Ada");
	a.is_active = true;
	check_json(__LINE__, render_account(&a),
	           "{\"id\":\"0193a1f0-1111-7000-8000-000000000001\",\"email\":\"Ada@Example.com\","
	           "\"name\":\"Ada\",\"is_active\":true}");
	memset(&o, 0, sizeof(o));
	id_of(o.id, "0193A1F0222270008000000000000002");
	snprintf(o.name, sizeof(o.name), "Acme");
	check_json(__LINE__, render_org(&o),
	           "{\"id\":\"0193a1f0-2222-7000-8000-000000000002\",\"name\":\"Acme\","
	           "\"is_active\":false}");
	CHECK(render_time(false, T_DOC) == NULL, "an absent time is not null");
}

int
main(void)
{
	test_key();
	test_account_org();
	return harness_summary();
}
