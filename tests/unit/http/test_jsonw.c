/*
 * Unit tests of lib/http/jsonw.c: the text is what json-c prints for the same
 * document with the API's flags (JSON_C_TO_STRING_PLAIN |
 * JSON_C_TO_STRING_NOSLASHESCAPE), for every byte in a string, nesting,
 * empty containers and numbers; a writer that cannot grow stops and gives
 * nothing, and an unfinished document is no text.
 */
#include "../../../lib/http/jsonw.c"
#include "../harness.h"

#include <json-c/json.h>

static const char *
json_c_text(json_object *o)
{
	return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
	                                         JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* Takes w's text, compares it with json-c's for o, frees both. */
static void
check_same(int line, struct jsonw *w, json_object *o)
{
	size_t len = 0;
	char *got = jsonw_take(w, &len);
	const char *want = json_c_text(o);

	CHECK_AT(got != NULL && strcmp(got, want) == 0 && len == strlen(want), line,
	         "\n got  %s\n want %s", got ? got : "(null)", want);
	free(got);
	json_object_put(o);
}

/* Every byte but NUL, alone and between others, as a value and as a member name. */
static void
test_strings(void)
{
	for (int c = 1; c < 256; c++) {
		char s[8] = {'a', (char)c, 'b', (char)c, '\0'};
		struct jsonw w;
		json_object *o = json_object_new_object();

		jsonw_init(&w);
		jsonw_object(&w);
		jsonw_key(&w, s);
		jsonw_string(&w, s + 1);
		jsonw_end_object(&w);
		json_object_object_add(o, s, json_object_new_string(s + 1));
		check_same(__LINE__, &w, o);
	}
	{
		static const struct { int line; const char *s; } cases[] = {
			{__LINE__, ""},
			{__LINE__, "plain"},
			{__LINE__, "\"\\/"},
			{__LINE__, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91"},
			{__LINE__, "\x7f\x1f\x01\n\r\t\b\f"},
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			struct jsonw w;

			jsonw_init(&w);
			jsonw_string(&w, cases[i].s);
			check_same(cases[i].line, &w, json_object_new_string(cases[i].s));
		}
	}
}

/* Objects in arrays in objects, empty ones, every kind of value. */
static void
test_nesting(void)
{
	struct jsonw w;
	json_object *o = json_object_new_object(), *a = json_object_new_array();
	json_object *inner = json_object_new_object();

	jsonw_init(&w);
	jsonw_object(&w);
	jsonw_key(&w, "list");
	jsonw_array(&w);
	for (int i = 0; i < 3; i++) {
		jsonw_object(&w);
		jsonw_key(&w, "n");
		jsonw_u64(&w, (uint64_t)i * 1000000007u);
		jsonw_key(&w, "b");
		jsonw_bool(&w, i % 2 == 0);
		jsonw_key(&w, "z");
		jsonw_null(&w);
		jsonw_end_object(&w);

		json_object *e = json_object_new_object();
		json_object_object_add(e, "n", json_object_new_uint64((uint64_t)i * 1000000007u));
		json_object_object_add(e, "b", json_object_new_boolean(i % 2 == 0));
		json_object_object_add(e, "z", NULL);
		json_object_array_add(a, e);
	}
	jsonw_array(&w);
	jsonw_end_array(&w);
	jsonw_u64(&w, UINT64_MAX);
	jsonw_end_array(&w);
	jsonw_key(&w, "empty");
	jsonw_object(&w);
	jsonw_end_object(&w);
	jsonw_key(&w, "max");
	jsonw_u64(&w, 0);
	jsonw_end_object(&w);
	json_object_array_add(a, json_object_new_array());
	json_object_array_add(a, json_object_new_uint64(UINT64_MAX));
	json_object_object_add(o, "list", a);
	json_object_object_add(o, "empty", inner);
	json_object_object_add(o, "max", json_object_new_uint64(0));
	check_same(__LINE__, &w, o);
}

/* A string member, or null. */
static void
test_member(void)
{
	struct jsonw w;
	json_object *o = json_object_new_object();

	jsonw_init(&w);
	jsonw_object(&w);
	jsonw_member(&w, "s", "v\"");
	jsonw_member(&w, "n", NULL);
	jsonw_end_object(&w);
	json_object_object_add(o, "s", json_object_new_string("v\""));
	json_object_object_add(o, "n", NULL);
	check_same(__LINE__, &w, o);
}

/* A long document grows the buffer (several times) and stays exact. */
static void
test_growth(void)
{
	struct jsonw w;
	json_object *a = json_object_new_array();
	char s[300];

	memset(s, 'x', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	jsonw_init(&w);
	jsonw_array(&w);
	for (int i = 0; i < 200; i++) {
		s[i % 299] = '"';
		jsonw_string(&w, s);
		json_object_array_add(a, json_object_new_string(s));
	}
	jsonw_end_array(&w);
	check_same(__LINE__, &w, a);
}

/* Unfinished, too deep or failed: no text, and the writer is reset. */
static void
test_refusals(void)
{
	struct jsonw w;
	size_t len = 7;

	jsonw_init(&w);
	jsonw_object(&w);
	CHECK(jsonw_take(&w, &len) == NULL && w.buf == NULL, "an open object gave text");
	jsonw_init(&w);
	for (int i = 0; i <= JSONW_DEPTH_MAX; i++)
		jsonw_array(&w);
	for (int i = 0; i <= JSONW_DEPTH_MAX; i++)
		jsonw_end_array(&w);
	CHECK(jsonw_take(&w, &len) == NULL, "nesting past JSONW_DEPTH_MAX gave text");
	jsonw_init(&w);
	jsonw_null(&w);
	w.failed = true;
	CHECK(jsonw_take(&w, &len) == NULL && w.buf == NULL, "a failed writer gave text");
	jsonw_init(&w);
	{
		char *t = jsonw_take(&w, &len);

		CHECK(t != NULL && t[0] == '\0' && len == 0, "an empty writer: %s", t ? t : "(null)");
		free(t);
	}
}

int
main(void)
{
	test_strings();
	test_nesting();
	test_member();
	test_growth();
	test_refusals();
	return harness_summary();
}
