/* Unit tests of lib/http/query.c: typed query parameters, in the order of docs/api.md. */
#include "../../../lib/http/query.c"
#include "../../../lib/http/request.c"
#include "../../../lib/base/validate.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "../fake_params.h"

static const char *const colours[] = {"red", "key.rolled", NULL};

static const struct query_param spec[] = {
	{"limit", QUERY_UINT, 1, 100, 100, "limit msg", NULL},
	{"flag", QUERY_BOOL, 0, 1, 0, "flag msg", NULL},
	{"after", QUERY_UUID, 0, 0, 0, "after msg", NULL},
	{"since", QUERY_TIME, 0, 0, 0, "since msg", NULL},
	{"pick", QUERY_CHOICE, 0, 0, 0, "pick msg", colours},
};
#define T_DOC (INT64_C(1795694400) * 1000000)     /* 2026-11-26T12:00:00Z */
#define N (sizeof(spec) / sizeof(spec[0]))
#define ID "0193A1F2-7c4e-7b1a-9a55-3f2d1c0b9e8a"

/* A refused value: the parameter named, with its own message. */
#define BAD(query, name) __LINE__, (query), ERR_INVALID_REQUEST, (name), name " msg", 0, 0, \
	false, 0, 0

static void
test_values(void)
{
	static const struct {
		int line;
		const char *query;
		enum err want;
		const char *param, *message;    /* on failure */
		uint64_t limit, flag;           /* on success */
		bool has_after;
		int64_t since;                  /* 0: not given */
		uint64_t pick;
	} cases[] = {
		{__LINE__, "", ERR_NONE, NULL, NULL, 100, 0, false, 0, 0},
		{__LINE__, "limit=1", ERR_NONE, NULL, NULL, 1, 0, false, 0, 0},
		{__LINE__, "limit=0100", ERR_NONE, NULL, NULL, 100, 0, false, 0, 0},
		{__LINE__, "limit=00000000000000000000000007", ERR_NONE, NULL, NULL, 7, 0, false, 0, 0},
		{__LINE__, "flag=true&limit=5", ERR_NONE, NULL, NULL, 5, 1, false, 0, 0},
		{__LINE__, "flag=false", ERR_NONE, NULL, NULL, 100, 0, false, 0, 0},
		{__LINE__, "after=" ID, ERR_NONE, NULL, NULL, 100, 0, true, 0, 0},
		/* Wrong values, each with its own message. */
		{__LINE__, "limit=0", ERR_INVALID_REQUEST, "limit", "limit msg", 0, 0, false, 0, 0},
		{__LINE__, "limit=101", ERR_INVALID_REQUEST, "limit", "limit msg", 0, 0, false, 0, 0},
		{__LINE__, "limit=", ERR_INVALID_REQUEST, "limit", "limit msg", 0, 0, false, 0, 0},
		{__LINE__, "limit=+5", ERR_INVALID_REQUEST, "limit", "limit msg", 0, 0, false, 0, 0},
		{__LINE__, "limit=5%20", ERR_INVALID_REQUEST, "limit", "limit msg", 0, 0, false, 0, 0},
		{__LINE__, "limit=-1", ERR_INVALID_REQUEST, "limit", "limit msg", 0, 0, false, 0, 0},
		{__LINE__, "limit=18446744073709551617", ERR_INVALID_REQUEST, "limit", "limit msg",
		 0, 0, false, 0, 0},
		{__LINE__, "flag=TRUE", ERR_INVALID_REQUEST, "flag", "flag msg", 0, 0, false, 0, 0},
		{__LINE__, "flag=1", ERR_INVALID_REQUEST, "flag", "flag msg", 0, 0, false, 0, 0},
		{__LINE__, "flag=", ERR_INVALID_REQUEST, "flag", "flag msg", 0, 0, false, 0, 0},
		{__LINE__, "after=x", ERR_INVALID_REQUEST, "after", "after msg", 0, 0, false, 0, 0},
		/* Instants: RFC 3339 in UTC only; choices: exactly one of the list. */
		{__LINE__, "since=2026-11-26T12:00:00Z", ERR_NONE, NULL, NULL, 100, 0, false, T_DOC, 0},
		{__LINE__, "since=2026-11-26T12:00:00.25Z", ERR_NONE, NULL, NULL, 100, 0, false,
		 T_DOC + 250000, 0},
		{__LINE__, "since=2026-11-26T12:00:00.000001Z", ERR_NONE, NULL, NULL, 100, 0, false,
		 T_DOC + 1, 0},
		{__LINE__, "since=2024-02-29T00:00:00Z", ERR_NONE, NULL, NULL, 100, 0, false,
		 INT64_C(1709164800) * 1000000, 0},
		{BAD("since=2026-11-26T12:00:00", "since")},
		{BAD("since=2026-11-26T12:00:00%2B00:00", "since")},
		{BAD("since=2026-11-26T12:00:00z", "since")},
		{BAD("since=2026-11-26+12:00:00Z", "since")},
		{BAD("since=2026-02-29T00:00:00Z", "since")},
		{BAD("since=2026-11-31T00:00:00Z", "since")},
		{BAD("since=2026-11-26T24:00:00Z", "since")},
		{BAD("since=2026-11-26T12:00:60Z", "since")},
		{BAD("since=2026-11-26T12:00:00.Z", "since")},
		{BAD("since=2026-11-26T12:00:00.1234567Z", "since")},
		{BAD("since=1795694400", "since")},
		{BAD("since=", "since")},
		{__LINE__, "pick=key.rolled", ERR_NONE, NULL, NULL, 100, 0, false, 0, 1},
		{__LINE__, "pick=red", ERR_NONE, NULL, NULL, 100, 0, false, 0, 0},
		{BAD("pick=KEY.ROLLED", "pick")},
		{BAD("pick=key", "pick")},
		{BAD("pick=", "pick")},
		/* Checked in table order, after names and decoding. */
		{__LINE__, "after=x&limit=0", ERR_INVALID_REQUEST, "limit", "limit msg", 0, 0, false, 0, 0},
		{__LINE__, "limit=0&other=1", ERR_INVALID_REQUEST, "other", NULL, 0, 0, false, 0, 0},
		{__LINE__, "limit=1&limit=2", ERR_INVALID_REQUEST, "limit", NULL, 0, 0, false, 0, 0},
		{__LINE__, "limit=0&flag=%zz", ERR_INVALID_REQUEST, "flag", NULL, 0, 0, false, 0, 0},
	};
	struct request req;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kv tab[] = {{"REQUEST_METHOD", "GET"},
		                   {"REQUEST_URI", "/x"}, {"QUERY_STRING", cases[i].query},
		                   {NULL, NULL}};
		struct query_value out[N];
		const char *param = "unset", *message = "unset";
		enum err e;

		request_parse(&req, getter, tab);
		e = query_parse(&req, spec, N, out, &param, &message);
		CHECK_AT(e == cases[i].want, cases[i].line, "%s: err %d, want %d", cases[i].query,
		         e, cases[i].want);
		if (e != ERR_NONE || cases[i].want != ERR_NONE) {
			CHECK_AT(param != NULL && cases[i].param != NULL &&
			         strcmp(param, cases[i].param) == 0, cases[i].line, "%s: param %s",
			         cases[i].query, param ? param : "NULL");
			CHECK_AT(cases[i].message == NULL ? message == NULL :
			         message != NULL && strcmp(message, cases[i].message) == 0,
			         cases[i].line, "%s: message %s", cases[i].query,
			         message ? message : "NULL");
			continue;
		}
		CHECK_AT(out[0].u == cases[i].limit && out[1].u == cases[i].flag &&
		         out[2].present == cases[i].has_after, cases[i].line,
		         "%s: limit %llu flag %llu after %d", cases[i].query,
		         (unsigned long long)out[0].u, (unsigned long long)out[1].u, out[2].present);
		if (cases[i].has_after)
			CHECK_AT(out[2].id[0] == 0x01 && out[2].id[1] == 0x93, cases[i].line,
			         "%s: id not parsed", cases[i].query);
		CHECK_AT(out[3].present == (cases[i].since != 0) && out[3].t == cases[i].since,
		         cases[i].line, "%s: since %lld", cases[i].query, (long long)out[3].t);
		CHECK_AT(out[4].u == cases[i].pick, cases[i].line, "%s: pick %llu", cases[i].query,
		         (unsigned long long)out[4].u);
	}
}

int
main(void)
{
	test_values();
	return harness_summary();
}
