/* Unit tests of lib/body.c: strict JSON objects and the create-key body. */
#include "../../../lib/http/body.c"
#include "../../../lib/base/jsoncheck.c"
#include "../../../lib/base/validate.c"
#include "../harness.h"

/* String literals with an explicit length (they may contain NUL). */
#define B(lit) lit, sizeof(lit) - 1

static const char *
err_name(enum err e)
{
	switch (e) {
	case ERR_NONE: return "none";
	case ERR_INVALID_JSON: return "invalid_json";
	case ERR_INVALID_REQUEST: return "invalid_request";
	default: return "other";
	}
}

static void
test_json_object(void)
{
	static const struct { int line; const char *s; size_t len; enum err want; } cases[] = {
		{__LINE__, B("{}"), ERR_NONE},
		{__LINE__, B("{\"name\":\"x\"}"), ERR_NONE},
		{__LINE__, B(" \t\r\n{ } \t\r\n"), ERR_NONE},             /* JSON white space */
		{__LINE__, B("{\"a\":{\"b\":[1,2,{\"c\":null}]},\"d\":true}"), ERR_NONE},
		{__LINE__, B("{\"a\":\"caf\xc3\xa9 \xf0\x9f\x94\x91\"}"), ERR_NONE},
		{__LINE__, B("{\"a\":\"\\u00e9\\ud83d\\udd11\"}"), ERR_NONE},
		{__LINE__, B("{\"a\":-0.5e+3}"), ERR_NONE},
		/* Not JSON at all. */
		{__LINE__, B(""), ERR_INVALID_JSON},
		{__LINE__, B(" "), ERR_INVALID_JSON},
		{__LINE__, B(" \t\r\n"), ERR_INVALID_JSON},
		{__LINE__, B("{"), ERR_INVALID_JSON},
		{__LINE__, B("}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"name\":\"x\""), ERR_INVALID_JSON},
		{__LINE__, B("{\"name\":\"x}"), ERR_INVALID_JSON},
		{__LINE__, B("{name:\"x\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"name\":'x'}"), ERR_INVALID_JSON},
		{__LINE__, B("{'name':\"x\"}"), ERR_INVALID_JSON},       /* single-quoted key */
		{__LINE__, B("{\"a\":1,}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":[1,]}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":01}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":.5}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":NaN}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":Infinity}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":True}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":\"\\x41\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":\"x\ty\"}"), ERR_INVALID_JSON},      /* raw control in a string */
		{__LINE__, B("{\"a\":\"x\ny\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":\"x\x01y\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{/* c */}"), ERR_INVALID_JSON},
		{__LINE__, B("\xef\xbb\xbf{}"), ERR_INVALID_JSON},        /* a BOM is not white space */
		{__LINE__, B("\f{}"), ERR_INVALID_JSON},
		{__LINE__, B("\v{}"), ERR_INVALID_JSON},
		/* Trailing bytes. */
		{__LINE__, B("{}x"), ERR_INVALID_JSON},
		{__LINE__, B("{} x"), ERR_INVALID_JSON},
		{__LINE__, B("{}{}"), ERR_INVALID_JSON},
		{__LINE__, B("{} {}"), ERR_INVALID_JSON},
		{__LINE__, B("{},"), ERR_INVALID_JSON},
		{__LINE__, B("{}\f"), ERR_INVALID_JSON},
		{__LINE__, B("{}//"), ERR_INVALID_JSON},
		/* Invalid UTF-8, inside or outside strings. */
		{__LINE__, B("{\"a\":\"\xff\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":\"\xc0\x80\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":\"\xed\xa0\x80\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":\"\xc3\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{}\xff"), ERR_INVALID_JSON},
		/* A NUL byte anywhere. */
		{__LINE__, B("\0"), ERR_INVALID_JSON},
		{__LINE__, B("{}\0"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\":\"x\0y\"}"), ERR_INVALID_JSON},
		{__LINE__, B("{\"a\"\0:1}"), ERR_INVALID_JSON},
		/* Valid JSON, not an object. */
		{__LINE__, B("[]"), ERR_INVALID_REQUEST},
		{__LINE__, B("[{\"name\":\"x\"}]"), ERR_INVALID_REQUEST},
		{__LINE__, B("\"name\""), ERR_INVALID_REQUEST},
		{__LINE__, B(" \"x\" "), ERR_INVALID_REQUEST},
		{__LINE__, B("123 "), ERR_INVALID_REQUEST},
		{__LINE__, B("123"), ERR_INVALID_REQUEST},
		{__LINE__, B("-1.5e3"), ERR_INVALID_REQUEST},
		{__LINE__, B("true"), ERR_INVALID_REQUEST},
		{__LINE__, B("false"), ERR_INVALID_REQUEST},
		{__LINE__, B("null"), ERR_INVALID_REQUEST},
		{__LINE__, B("null\n"), ERR_INVALID_REQUEST},
	};
	json_object *obj;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		obj = (json_object *)&obj;            /* must be reset */
		enum err got = body_json_object(cases[i].s, cases[i].len, &obj);
		CHECK_AT(got == cases[i].want, cases[i].line, "body case %zu: %s, want %s", i,
		         err_name(got), err_name(cases[i].want));
		if (got == ERR_NONE) {
			CHECK_AT(obj != NULL && json_object_is_type(obj, json_type_object),
			         cases[i].line, "no object returned");
			json_object_put(obj);
		} else {
			CHECK_AT(obj == NULL, cases[i].line, "*out not NULL on error");
		}
	}
}

/* Only len bytes are read: the same buffer parses or fails by its length. */
static void
test_json_length(void)
{
	static const char buf[] = "{\"a\":1}garbage";
	json_object *obj;

	CHECK(body_json_object(buf, 7, &obj) == ERR_NONE, "first 7 bytes rejected");
	if (obj != NULL)
		json_object_put(obj);
	CHECK(body_json_object(buf, 8, &obj) == ERR_INVALID_JSON, "8 bytes accepted");
	CHECK(body_json_object(buf, 6, &obj) == ERR_INVALID_JSON, "6 bytes accepted");
}

/* Duplicate keys: json-c keeps the last value, and the body is not rejected. */
static void
test_duplicate_keys(void)
{
	json_object *obj = NULL, *v;

	CHECK(body_json_object(B("{\"a\":1,\"a\":2}"), &obj) == ERR_NONE, "duplicate keys rejected");
	if (obj == NULL)
		return;
	CHECK(json_object_object_length(obj) == 1, "%d keys", json_object_object_length(obj));
	CHECK(json_object_object_get_ex(obj, "a", &v) && json_object_get_int(v) == 2,
	      "not the last value");
	json_object_put(obj);
}

/* Parses text with body_json_object, then runs body_key_create. */
static enum err
key_create(const char *text, size_t len, char *name, const char **param, enum err *parse)
{
	struct store_rate_limit rl;
	json_object *obj = NULL;
	enum err e;

	*param = NULL;
	name[0] = '\0';
	*parse = body_json_object(text, len, &obj);
	if (*parse != ERR_NONE)
		return *parse;
	e = body_key_create(obj, 100000, name, &rl, param);
	/* param must survive until obj is released: copy it for the caller. */
	static char param_copy[128];
	if (*param != NULL) {
		snprintf(param_copy, sizeof(param_copy), "%s", *param);
		*param = param_copy;
	}
	json_object_put(obj);
	return e;
}

static void
test_key_create(void)
{
	static const struct {
		int line; const char *s; size_t len; enum err want;
		const char *name;       /* ERR_NONE: the stored name */
		const char *param;      /* ERR_INVALID_REQUEST: the field at fault */
	} cases[] = {
		{__LINE__, B("{\"name\":\"Production API Key\"}"), ERR_NONE, "Production API Key", NULL},
		{__LINE__, B("{\"name\":\"a\"}"), ERR_NONE, "a", NULL},
		{__LINE__, B(" { \"name\" : \"x\" } "), ERR_NONE, "x", NULL},
		/* Trimmed of Unicode white space, escaped or raw. */
		{__LINE__, B("{\"name\":\"  Prod  \"}"), ERR_NONE, "Prod", NULL},
		{__LINE__, B("{\"name\":\"\\t\\r\\n Prod \\n\\r\\t\"}"), ERR_NONE, "Prod", NULL},
		{__LINE__, B("{\"name\":\"\\u00a0Prod\\u3000\"}"), ERR_NONE, "Prod", NULL},
		{__LINE__, B("{\"name\":\"\xc2\xa0Prod\xe3\x80\x80\"}"), ERR_NONE, "Prod", NULL},
		{__LINE__, B("{\"name\":\"\\u0085Prod\\u0085\"}"), ERR_NONE, "Prod", NULL},
		{__LINE__, B("{\"name\":\"\\u2028a b\\u2029\"}"), ERR_NONE, "a b", NULL},
		{__LINE__, B("{\"name\":\"caf\\u00e9\"}"), ERR_NONE, "caf\xc3\xa9", NULL},
		{__LINE__, B("{\"name\":\"\\ud83d\\udd11 key\"}"), ERR_NONE, "\xf0\x9f\x94\x91 key", NULL},
		{__LINE__, B("{\"name\":\"a\\\"b\\\\c\\/d\"}"), ERR_NONE, "a\"b\\c/d", NULL},
		/* Stored verbatim, whatever it looks like. */
		{__LINE__, B("{\"name\":\"'; DROP TABLE api_keys; --\"}"), ERR_NONE,
		 "'; DROP TABLE api_keys; --", NULL},
		{__LINE__, B("{\"name\":\"Robert'); DELETE FROM accounts WHERE ('1'='1\"}"), ERR_NONE,
		 "Robert'); DELETE FROM accounts WHERE ('1'='1", NULL},
		{__LINE__, B("{\"name\":\"%s%n%x\"}"), ERR_NONE, "%s%n%x", NULL},
		{__LINE__, B("{\"name\":\"<script>alert(1)</script>\"}"), ERR_NONE,
		 "<script>alert(1)</script>", NULL},
		/* Missing or not a string. */
		{__LINE__, B("{}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":null}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":1}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":1.5}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":true}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":[\"x\"]}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":{\"x\":1}}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"Name\":\"x\"}"), ERR_INVALID_REQUEST, NULL, "Name"},
		/* Empty after trimming. */
		{__LINE__, B("{\"name\":\"\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"   \"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"\\t\\n\\r\\u00a0\\u3000\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		/* Control characters, as escapes. */
		{__LINE__, B("{\"name\":\"a\\u0000b\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"\\u0000\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"ab\\u0000\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"a\\u0007b\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"\\u0007\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"a\\tb\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"a\\nb\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"a\\u001bb\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"a\\u007fb\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"a\\u0085b\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		{__LINE__, B("{\"name\":\"a\\u009fb\"}"), ERR_INVALID_REQUEST, NULL, "name"},
		/* Unknown fields, before or after name, name the field. */
		{__LINE__, B("{\"name\":\"x\",\"extra\":1}"), ERR_INVALID_REQUEST, NULL, "extra"},
		{__LINE__, B("{\"extra\":1,\"name\":\"x\"}"), ERR_INVALID_REQUEST, NULL, "extra"},
		{__LINE__, B("{\"foo\":\"x\"}"), ERR_INVALID_REQUEST, NULL, "foo"},
		{__LINE__, B("{\"name\":\"x\",\"expires_at\":null}"), ERR_INVALID_REQUEST, NULL, "expires_at"},
		{__LINE__, B("{\"name \":\"x\"}"), ERR_INVALID_REQUEST, NULL, "name "},
		{__LINE__, B("{\"\":\"x\"}"), ERR_INVALID_REQUEST, NULL, ""},
		{__LINE__, B("{\"name\":1,\"extra\":2}"), ERR_INVALID_REQUEST, NULL, "extra"},
		/* Duplicate "name": the last one is used (json-c replaces). */
		{__LINE__, B("{\"name\":\"first\",\"name\":\"second\"}"), ERR_NONE, "second", NULL},
		{__LINE__, B("{\"name\":1,\"name\":\"ok\"}"), ERR_NONE, "ok", NULL},
		{__LINE__, B("{\"name\":\"ok\",\"name\":1}"), ERR_INVALID_REQUEST, NULL, "name"},
	};
	char name[STORE_NAME_MAX + 1];
	const char *param;
	enum err parse;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum err got = key_create(cases[i].s, cases[i].len, name, &param, &parse);
		CHECK_AT(parse == ERR_NONE, cases[i].line, "body did not parse: %s", err_name(parse));
		CHECK_AT(got == cases[i].want, cases[i].line, "key case %zu: %s, want %s", i,
		         err_name(got), err_name(cases[i].want));
		if (got != cases[i].want)
			continue;
		if (got == ERR_NONE)
			CHECK_AT(strcmp(name, cases[i].name) == 0, cases[i].line,
			         "name \"%s\", want \"%s\"", name, cases[i].name);
		else
			CHECK_AT(param != NULL && strcmp(param, cases[i].param) == 0, cases[i].line,
			         "param %s, want %s", param ? param : "NULL", cases[i].param);
	}
}

/* 100 code points fit, 101 do not, in bytes up to STORE_NAME_MAX. */
static void
test_key_create_length(void)
{
	static const struct {
		int line; const char *unit; int count; const char *pad; enum err want;
	} cases[] = {
		{__LINE__, "\xc3\xa9", 100, "", ERR_NONE},                 /* é, raw */
		{__LINE__, "\xc3\xa9", 101, "", ERR_INVALID_REQUEST},
		{__LINE__, "\\u00e9", 100, "", ERR_NONE},                  /* é, escaped */
		{__LINE__, "\\u00e9", 101, "", ERR_INVALID_REQUEST},
		{__LINE__, "\xc3\xa9", 100, "  \\t\\n", ERR_NONE},        /* white space is trimmed first */
		{__LINE__, "a", 100, "", ERR_NONE},
		{__LINE__, "a", 101, "", ERR_INVALID_REQUEST},
		{__LINE__, "\xf0\x9f\x94\x91", 100, "", ERR_NONE},         /* 400 bytes */
		{__LINE__, "\xf0\x9f\x94\x91", 101, "", ERR_INVALID_REQUEST},
		{__LINE__, "\\ud83d\\udd11", 100, "\\u3000", ERR_NONE},
		{__LINE__, "\xe2\x82\xac", 100, "", ERR_NONE},
		{__LINE__, "\xe2\x82\xac", 1000, "", ERR_INVALID_REQUEST},
	};
	char text[16384], name[STORE_NAME_MAX + 2], want[STORE_NAME_MAX + 1];
	const char *param;
	enum err parse;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int o = snprintf(text, sizeof(text), "{\"name\":\"%s", cases[i].pad);
		for (int k = 0; k < cases[i].count; k++)
			o += snprintf(text + o, sizeof(text) - (size_t)o, "%s", cases[i].unit);
		o += snprintf(text + o, sizeof(text) - (size_t)o, "%s\"}", cases[i].pad);
		name[STORE_NAME_MAX + 1] = 'X';
		enum err got = key_create(text, (size_t)o, name, &param, &parse);
		CHECK_AT(parse == ERR_NONE, cases[i].line, "body did not parse");
		CHECK_AT(got == cases[i].want, cases[i].line, "%d x %s: %s, want %s", cases[i].count,
		         cases[i].unit, err_name(got), err_name(cases[i].want));
		CHECK_AT(name[STORE_NAME_MAX + 1] == 'X', cases[i].line, "wrote past the name");
		if (got == ERR_NONE && cases[i].want == ERR_NONE) {
			/* The expected name: the unit's UTF-8 bytes, count times. */
			const char *u = strcmp(cases[i].unit, "\\u00e9") == 0 ? "\xc3\xa9" :
			                strcmp(cases[i].unit, "\\ud83d\\udd11") == 0 ?
			                "\xf0\x9f\x94\x91" : cases[i].unit;
			size_t w = 0;
			for (int k = 0; k < cases[i].count; k++, w += strlen(u))
				memcpy(want + w, u, strlen(u));
			want[w] = '\0';
			CHECK_AT(strcmp(name, want) == 0, cases[i].line, "name of %zu bytes, want %zu",
			         strlen(name), w);
		}
		if (got == ERR_INVALID_REQUEST)
			CHECK_AT(param != NULL && strcmp(param, "name") == 0, cases[i].line,
			         "param %s", param ? param : "NULL");
	}
}

/* The roll body: {} or a grace period from 0 to max, a JSON integer and nothing else. */
static void
test_key_roll(void)
{
	static const struct {
		int line; const char *s; size_t len; enum err want;
		unsigned grace;         /* ERR_NONE: the period */
		const char *param;      /* ERR_INVALID_REQUEST: the field at fault */
	} cases[] = {
		{__LINE__, B("{}"), ERR_NONE, 0, NULL},
		{__LINE__, B(" { } "), ERR_NONE, 0, NULL},
		{__LINE__, B("{\"grace_period_seconds\":0}"), ERR_NONE, 0, NULL},
		{__LINE__, B("{\"grace_period_seconds\":3600}"), ERR_NONE, 3600, NULL},
		{__LINE__, B("{\"grace_period_seconds\":604800}"), ERR_NONE, 604800, NULL},
		{__LINE__, B("{\"grace_period_seconds\":-0}"), ERR_NONE, 0, NULL},
		/* Out of range, or not an integer. */
		{__LINE__, B("{\"grace_period_seconds\":604801}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":-1}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":9223372036854775807}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":18446744073709551616}"), ERR_INVALID_REQUEST,
		 0, "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":-9223372036854775809}"), ERR_INVALID_REQUEST,
		 0, "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":60.0}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":6e1}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":\"60\"}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":null}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":true}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		{__LINE__, B("{\"grace_period_seconds\":[60]}"), ERR_INVALID_REQUEST, 0,
		 "grace_period_seconds"},
		/* Any other field, the create's name included. */
		{__LINE__, B("{\"name\":\"x\"}"), ERR_INVALID_REQUEST, 0, "name"},
		{__LINE__, B("{\"grace_period_seconds\":60,\"expires_at\":null}"), ERR_INVALID_REQUEST,
		 0, "expires_at"},
		{__LINE__, B("{\"Grace_period_seconds\":60}"), ERR_INVALID_REQUEST, 0,
		 "Grace_period_seconds"},
		/* Duplicates: the last one counts (json-c replaces). */
		{__LINE__, B("{\"grace_period_seconds\":\"x\",\"grace_period_seconds\":7}"), ERR_NONE,
		 7, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *obj = NULL;
		const char *param = NULL;
		unsigned grace = 99;
		enum err parse = body_json_object(cases[i].s, cases[i].len, &obj), got;

		CHECK_AT(parse == ERR_NONE, cases[i].line, "body did not parse: %s", err_name(parse));
		if (parse != ERR_NONE)
			continue;
		got = body_key_roll(obj, 604800, &grace, &param);
		CHECK_AT(got == cases[i].want, cases[i].line, "%s, want %s", err_name(got),
		         err_name(cases[i].want));
		if (got == ERR_NONE && cases[i].want == ERR_NONE)
			CHECK_AT(grace == cases[i].grace, cases[i].line, "grace %u, want %u", grace,
			         cases[i].grace);
		if (got != ERR_NONE && cases[i].want != ERR_NONE)
			CHECK_AT(param != NULL && strcmp(param, cases[i].param) == 0, cases[i].line,
			         "param %s, want %s", param ? param : "NULL", cases[i].param);
		json_object_put(obj);
	}
}

/* rate_limit in a create's body and in an update's (PATCH) body. */
static void
test_rate_limit(void)
{
	static const struct {
		int line; const char *s; size_t len; enum err want;
		uint32_t per_second, burst;    /* ERR_NONE: the limit (0: none) */
		const char *param;             /* else the field at fault */
	} cases[] = {
		{__LINE__, B("{\"name\":\"x\"}"), ERR_NONE, 0, 0, NULL},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":null}"), ERR_NONE, 0, 0, NULL},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":100,\"burst\":200}}"),
		 ERR_NONE, 100, 200, NULL},
		{__LINE__, B("{\"rate_limit\":{\"burst\":3,\"per_second\":1},\"name\":\"x\"}"),
		 ERR_NONE, 1, 3, NULL},
		/* Without a burst: one second's worth. */
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":50}}"), ERR_NONE, 50, 50,
		 NULL},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":100000,"
		             "\"burst\":100000}}"), ERR_NONE, 100000, 100000, NULL},
		/* Out of bounds, or not an integer. */
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":0}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":100001}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":-1}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":1.5}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":\"10\"}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":99999999999999999999}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"burst\":5}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":5,\"burst\":0}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.burst"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":5,\"burst\":null}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.burst"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":5,\"burst\":100001}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit.burst"},
		/* Not an object, or a member it does not have. */
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":100}"), ERR_INVALID_REQUEST, 0, 0,
		 "rate_limit"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":[100]}"), ERR_INVALID_REQUEST, 0, 0,
		 "rate_limit"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{}}"), ERR_INVALID_REQUEST, 0, 0,
		 "rate_limit.per_second"},
		{__LINE__, B("{\"name\":\"x\",\"rate_limit\":{\"per_second\":5,\"per_day\":9}}"),
		 ERR_INVALID_REQUEST, 0, 0, "rate_limit"},
		/* The name is still required, and checked first. */
		{__LINE__, B("{\"rate_limit\":{\"per_second\":5}}"), ERR_INVALID_REQUEST, 0, 0, "name"},
		{__LINE__, B("{\"name\":\"\",\"rate_limit\":5}"), ERR_INVALID_REQUEST, 0, 0, "name"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;
		struct store_rate_limit rl = {9, 9};
		struct body_key_update upd;
		char name[STORE_NAME_MAX + 1];
		json_object *obj = NULL;
		const char *param = NULL;
		enum err parse = body_json_object(cases[i].s, cases[i].len, &obj), got;

		CHECK_AT(parse == ERR_NONE, line, "body did not parse: %s", err_name(parse));
		if (parse != ERR_NONE)
			continue;
		got = body_key_create(obj, 100000, name, &rl, &param);
		CHECK_AT(got == cases[i].want, line, "create: %s, want %s", err_name(got),
		         err_name(cases[i].want));
		if (got == ERR_NONE && cases[i].want == ERR_NONE)
			CHECK_AT(rl.per_second == cases[i].per_second && rl.burst == cases[i].burst, line,
			         "create: %u/s burst %u", rl.per_second, rl.burst);
		if (got != ERR_NONE && cases[i].want != ERR_NONE)
			CHECK_AT(param != NULL && strcmp(param, cases[i].param) == 0, line,
			         "create: param %s, want %s", param ? param : "NULL", cases[i].param);
		/* An update takes the same fields, each optional: the same verdicts on them. */
		got = body_key_update(obj, 100000, &upd, &param);
		if (strcmp(cases[i].param ? cases[i].param : "", "name") != 0 ||
		    strstr(cases[i].s, "\"name\"") != NULL) {
			CHECK_AT(got == cases[i].want, line, "update: %s, want %s", err_name(got),
			         err_name(cases[i].want));
			if (got == ERR_NONE && cases[i].want == ERR_NONE)
				CHECK_AT(upd.has_name && strcmp(upd.name, "x") == 0 &&
				         upd.has_rate_limit == (strstr(cases[i].s, "rate_limit") != NULL) &&
				         upd.rate_limit.per_second == cases[i].per_second &&
				         upd.rate_limit.burst == cases[i].burst, line,
				         "update: name %d rate_limit %d %u/%u", upd.has_name,
				         upd.has_rate_limit, upd.rate_limit.per_second, upd.rate_limit.burst);
		} else {
			/* No name: an update of the limit alone. */
			CHECK_AT(got == ERR_NONE && !upd.has_name && upd.has_rate_limit &&
			         upd.rate_limit.per_second == 5, line, "update without a name: %s",
			         err_name(got));
		}
		json_object_put(obj);
	}
}

/* An update names at least one field, and nothing else. */
static void
test_key_update(void)
{
	static const struct {
		int line; const char *s; size_t len; enum err want;
		bool has_name, has_rate_limit;
		const char *param;             /* ERR_INVALID_REQUEST: the field at fault (NULL: none) */
	} cases[] = {
		{__LINE__, B("{\"name\":\" Renamed \"}"), ERR_NONE, true, false, NULL},
		{__LINE__, B("{\"rate_limit\":null}"), ERR_NONE, false, true, NULL},
		{__LINE__, B("{\"rate_limit\":{\"per_second\":1}}"), ERR_NONE, false, true, NULL},
		{__LINE__, B("{}"), ERR_INVALID_REQUEST, false, false, NULL},
		{__LINE__, B("{\"name\":null}"), ERR_INVALID_REQUEST, false, false, "name"},
		{__LINE__, B("{\"name\":\"\\u0007\"}"), ERR_INVALID_REQUEST, false, false, "name"},
		{__LINE__, B("{\"is_active\":false}"), ERR_INVALID_REQUEST, false, false, "is_active"},
		{__LINE__, B("{\"name\":\"x\",\"revoked_at\":null}"), ERR_INVALID_REQUEST, false, false,
		 "revoked_at"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int line = cases[i].line;
		struct body_key_update upd;
		json_object *obj = NULL;
		const char *param = "unset";
		enum err parse = body_json_object(cases[i].s, cases[i].len, &obj), got;

		CHECK_AT(parse == ERR_NONE, line, "body did not parse: %s", err_name(parse));
		if (parse != ERR_NONE)
			continue;
		got = body_key_update(obj, 100000, &upd, &param);
		CHECK_AT(got == cases[i].want, line, "%s, want %s", err_name(got),
		         err_name(cases[i].want));
		if (got == ERR_NONE && cases[i].want == ERR_NONE)
			CHECK_AT(upd.has_name == cases[i].has_name &&
			         upd.has_rate_limit == cases[i].has_rate_limit &&
			         (!upd.has_name || strcmp(upd.name, "Renamed") == 0), line,
			         "name %d [%s], rate_limit %d", upd.has_name, upd.name,
			         upd.has_rate_limit);
		if (got != ERR_NONE && cases[i].want != ERR_NONE)
			CHECK_AT(cases[i].param == NULL ? param == NULL :
			         param != NULL && strcmp(param, cases[i].param) == 0, line,
			         "param %s, want %s", param ? param : "NULL",
			         cases[i].param ? cases[i].param : "NULL");
		json_object_put(obj);
	}
}

/* GitHub's report: an array of {token, type, url, source}, other members ignored. */
static void
test_leak_reports(void)
{
#define R(tok) "{\"token\":\"" tok "\",\"type\":\"t\",\"url\":\"u\",\"source\":\"content\"}"
	static const struct {
		int line;
		const char *s;
		size_t len;
		enum err parse, want;
		size_t n;
		const char *param;              /* NULL: none */
		size_t first_token_len;
	} cases[] = {
		{__LINE__, B("[]"), ERR_NONE, ERR_NONE, 0, NULL, 0},
		{__LINE__, B("[" R("sk_a") "]"), ERR_NONE, ERR_NONE, 1, NULL, 4},
		{__LINE__, B(" [" R("a") "," R("a") "," R("b") "] "), ERR_NONE, ERR_NONE, 3, NULL, 1},
		/* A token with an escaped NUL is bytes like any other: hashed, never a key. */
		{__LINE__, B("[" R("a\\u0000b") "]"), ERR_NONE, ERR_NONE, 1, NULL, 3},
		{__LINE__, B("[{\"token\":\"x\",\"type\":\"t\",\"url\":\"\",\"source\":\"\","
		             "\"extra\":[1]}]"), ERR_NONE, ERR_NONE, 1, NULL, 1},
		/* Not the format. */
		{__LINE__, B("{}"), ERR_INVALID_REQUEST, ERR_NONE, 0, NULL, 0},
		{__LINE__, B("\"x\""), ERR_INVALID_REQUEST, ERR_NONE, 0, NULL, 0},
		{__LINE__, B("[1]"), ERR_NONE, ERR_INVALID_REQUEST, 0, NULL, 0},
		{__LINE__, B("[" R("a") ",null]"), ERR_NONE, ERR_INVALID_REQUEST, 0, NULL, 0},
		{__LINE__, B("[{\"type\":\"t\",\"url\":\"u\",\"source\":\"s\"}]"), ERR_NONE,
		 ERR_INVALID_REQUEST, 0, "token", 0},
		{__LINE__, B("[{\"token\":1,\"type\":\"t\",\"url\":\"u\",\"source\":\"s\"}]"),
		 ERR_NONE, ERR_INVALID_REQUEST, 0, "token", 0},
		{__LINE__, B("[{\"token\":\"x\",\"url\":\"u\",\"source\":\"s\"}]"), ERR_NONE,
		 ERR_INVALID_REQUEST, 0, "type", 0},
		{__LINE__, B("[{\"token\":\"x\",\"type\":\"t\",\"url\":null,\"source\":\"s\"}]"),
		 ERR_NONE, ERR_INVALID_REQUEST, 0, "url", 0},
		{__LINE__, B("[{\"token\":\"x\",\"type\":\"t\",\"url\":\"u\"}]"), ERR_NONE,
		 ERR_INVALID_REQUEST, 0, "source", 0},
		{__LINE__, B("[" R("a") ",]"), ERR_INVALID_JSON, ERR_NONE, 0, NULL, 0},
		{__LINE__, B("[" R("a")), ERR_INVALID_JSON, ERR_NONE, 0, NULL, 0},
		{__LINE__, B(""), ERR_INVALID_JSON, ERR_NONE, 0, NULL, 0},
	};
	static struct body_leak out[BODY_LEAKS_MAX];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_object *arr = NULL;
		const char *param = "unset";
		size_t n = 99;
		enum err parse = body_json_array(cases[i].s, cases[i].len, &arr), got;

		CHECK_AT(parse == cases[i].parse, cases[i].line, "parse: %s, want %s",
		         err_name(parse), err_name(cases[i].parse));
		if (parse != ERR_NONE)
			continue;
		got = body_leak_reports(arr, out, &n, &param);
		CHECK_AT(got == cases[i].want && (got != ERR_NONE || n == cases[i].n), cases[i].line,
		         "%s with %zu reports, want %s %zu", err_name(got), n, err_name(cases[i].want),
		         cases[i].n);
		CHECK_AT(cases[i].param == NULL ? param == NULL :
		         param != NULL && strcmp(param, cases[i].param) == 0, cases[i].line,
		         "param %s, want %s", param ? param : "NULL",
		         cases[i].param ? cases[i].param : "NULL");
		if (got == ERR_NONE && n > 0)
			CHECK_AT(out[0].token.len == cases[i].first_token_len, cases[i].line,
			         "first token of %zu bytes", out[0].token.len);
		json_object_put(arr);
	}
#undef R
}

/* At most BODY_LEAKS_MAX reports a request. */
static void
test_leak_reports_count(void)
{
	static struct body_leak out[BODY_LEAKS_MAX];
	json_object *arr = json_object_new_array();
	const char *param;
	size_t n;

	for (int i = 0; i < BODY_LEAKS_MAX + 1; i++) {
		json_object *r = json_object_new_object();

		json_object_object_add(r, "token", json_object_new_string("x"));
		json_object_object_add(r, "type", json_object_new_string("t"));
		json_object_object_add(r, "url", json_object_new_string("u"));
		json_object_object_add(r, "source", json_object_new_string("s"));
		json_object_array_add(arr, r);
	}
	CHECK(body_leak_reports(arr, out, &n, &param) == ERR_INVALID_REQUEST,
	      "%d reports accepted", BODY_LEAKS_MAX + 1);
	json_object_array_del_idx(arr, 0, 1);
	CHECK(body_leak_reports(arr, out, &n, &param) == ERR_NONE && n == BODY_LEAKS_MAX,
	      "%d reports refused", BODY_LEAKS_MAX);
	json_object_put(arr);
}

int
main(void)
{
	test_json_object();
	test_json_length();
	test_duplicate_keys();
	test_key_create();
	test_key_create_length();
	test_key_roll();
	test_rate_limit();
	test_key_update();
	test_leak_reports();
	test_leak_reports_count();
	return harness_summary();
}
