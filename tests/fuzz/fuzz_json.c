/*
 * libFuzzer driver for JSON request bodies: body_json_object, body_key_create
 * and body_key_roll (lib/body.c), with lib/jsoncheck.c and lib/validate.c.
 * The input is the raw body.
 *
 * Checks:
 *  - body_json_object is ERR_INVALID_JSON exactly when the bytes are empty,
 *    invalid UTF-8, hold a NUL or fail jsoncheck_valid; otherwise ERR_NONE
 *    for an object and ERR_INVALID_REQUEST for any other value;
 *  - whenever jsoncheck_valid says valid, json-c (strict) parses the text
 *    too, whatever the top-level value: the grammar check never lets through
 *    what json-c then fails on (which would turn into a wrong error);
 *  - on an object, body_key_create: ERR_NONE exactly for {"name": string}
 *    whose name validate_name accepts; the name written is valid UTF-8, at
 *    most STORE_NAME_MAX bytes, is its own trim (validate_name gives the
 *    whole of it), and sent back as {"name": <it>} it comes back unchanged;
 *    on ERR_INVALID_REQUEST, *param is "name" or the object's first other key;
 *  - on an object, body_key_roll: ERR_NONE exactly for {} and
 *    {"grace_period_seconds": an integer from 0 to 604800}, with that period
 *    (0 when absent); on ERR_INVALID_REQUEST, *param is the field or the first
 *    other key.
 */
#include "../../lib/http/body.c"
#include "../../lib/base/jsoncheck.c"
#include "../../lib/base/validate.c"
#include "fuzz_util.h"

static void
check_name(const char *name)
{
	size_t len = strlen(name), start = 1, n = 0;
	json_object *o, *back = NULL;
	const char *s, *param = NULL;
	char again[STORE_NAME_MAX + 1];

	FUZZ_CHECK(len > 0 && len <= STORE_NAME_MAX);
	FUZZ_CHECK(validate_utf8(name, len) && ref_utf8_valid(name, len));
	FUZZ_CHECK(validate_name(name, len, &start, &n) && start == 0 && n == len);

	/* The name as the service would return it, sent back in a create body. */
	o = json_object_new_object();
	FUZZ_CHECK(o != NULL);
	json_object_object_add(o, "name", json_object_new_string_len(name, (int)len));
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	FUZZ_CHECK(s != NULL && jsoncheck_valid(s, strlen(s)));
	FUZZ_CHECK(body_json_object(s, strlen(s), &back) == ERR_NONE);
	FUZZ_CHECK(body_key_create(back, again, &param) == ERR_NONE);
	FUZZ_CHECK(strcmp(again, name) == 0);
	json_object_put(back);
	json_object_put(o);
}

/* What body_key_create should say about obj, from the contract. */
static enum err
ref_key_create(json_object *obj, const char **param)
{
	json_object *v;
	size_t start, n;

	*param = "name";
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (strcmp(key, "name") != 0) {
			*param = key;
			return ERR_INVALID_REQUEST;
		}
	}
	if (!json_object_object_get_ex(obj, "name", &v) || !json_object_is_type(v, json_type_string))
		return ERR_INVALID_REQUEST;
	if (!ref_utf8_valid(json_object_get_string(v), (size_t)json_object_get_string_len(v)) ||
	    !validate_name(json_object_get_string(v), (size_t)json_object_get_string_len(v),
	                   &start, &n))
		return ERR_INVALID_REQUEST;
	return ERR_NONE;
}

/* What body_key_roll should say about obj, from the contract. */
static enum err
ref_key_roll(json_object *obj, unsigned *grace, const char **param)
{
	json_object *v = NULL;

	*grace = 0;
	*param = "grace_period_seconds";
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (strcmp(key, "grace_period_seconds") != 0) {
			*param = key;
			return ERR_INVALID_REQUEST;
		}
	}
	if (!json_object_object_get_ex(obj, "grace_period_seconds", &v))
		return ERR_NONE;
	if (!json_object_is_type(v, json_type_int) || json_object_get_int64(v) < 0 ||
	    json_object_get_int64(v) > 604800)
		return ERR_INVALID_REQUEST;
	*grace = (unsigned)json_object_get_int64(v);
	return ERR_NONE;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy (not NUL-terminated), so that ASan sees any over-read. */
	char *body = malloc(size ? size : 1), *text = fuzz_strdup(data, size);
	char name[STORE_NAME_MAX + 1];
	json_object *obj = NULL;
	const char *param = NULL, *want_param = NULL;
	bool grammar;
	size_t first = 0;
	enum err e;

	if (body == NULL)
		abort();
	if (size > 0)
		memcpy(body, data, size);

	grammar = size > 0 && validate_utf8(body, size) && memchr(body, '\0', size) == NULL &&
	          jsoncheck_valid(body, size);
	e = body_json_object(body, size, &obj);
	while (first < size && strchr(" \t\r\n", body[first]) != NULL && body[first] != '\0')
		first++;
	if (!grammar) {
		FUZZ_CHECK(e == ERR_INVALID_JSON && obj == NULL);
	} else {
		/* json-c agrees on every value the grammar check lets through. */
		json_tokener *tok = json_tokener_new();
		json_object *any;
		enum json_tokener_error jerr;

		FUZZ_CHECK(tok != NULL);
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		any = json_tokener_parse_ex(tok, text, (int)size + 1);   /* with the NUL, as json_tokener_parse */
		/* NULL is also json-c's `null`: the tokener's state tells. */
		jerr = json_tokener_get_error(tok);
		if (jerr != json_tokener_success)
			fprintf(stderr, "json-c: %s at offset %zu\n", json_tokener_error_desc(jerr),
			        json_tokener_get_parse_end(tok));
		FUZZ_CHECK(jerr == json_tokener_success);
		json_object_put(any);
		json_tokener_free(tok);

		if (body[first] == '{') {
			FUZZ_CHECK(e == ERR_NONE && obj != NULL && json_object_is_type(obj, json_type_object));
		} else {
			FUZZ_CHECK(e == ERR_INVALID_REQUEST && obj == NULL);
		}
	}

	if (obj != NULL) {
		enum err want = ref_key_create(obj, &want_param);
		unsigned grace = 1, want_grace = 2;

		e = body_key_create(obj, name, &param);
		FUZZ_CHECK(e == want);
		FUZZ_CHECK(param != NULL && strcmp(param, want_param) == 0);
		if (e == ERR_NONE)
			check_name(name);
		want = ref_key_roll(obj, &want_grace, &want_param);
		e = body_key_roll(obj, 604800, &grace, &param);
		FUZZ_CHECK(e == want);
		FUZZ_CHECK(e != ERR_NONE || grace == want_grace);
		FUZZ_CHECK(e == ERR_NONE || (param != NULL && strcmp(param, want_param) == 0));
		json_object_put(obj);
	}
	free(body);
	free(text);
	return 0;
}
