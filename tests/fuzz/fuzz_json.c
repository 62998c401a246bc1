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
 *    whose name validate_name accepts, with an optional "rate_limit" that is
 *    null or {"per_second": 1..100000, "burst"?: 1..100000} (burst defaulting
 *    to per_second); the name written is valid UTF-8, at
 *    most STORE_NAME_MAX bytes, is its own trim (validate_name gives the
 *    whole of it), and sent back as {"name": <it>} it comes back unchanged;
 *    on ERR_INVALID_REQUEST, *param is "name", the object's first other key,
 *    or "rate_limit", "rate_limit.per_second", "rate_limit.burst";
 *  - on an object, body_key_update: the same fields, each optional, at least
 *    one (else ERR_INVALID_REQUEST with param NULL), the same verdicts;
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
	struct store_rate_limit rl;

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
	FUZZ_CHECK(body_key_create(back, 100000, again, &rl, &param) == ERR_NONE);
	FUZZ_CHECK(rl.per_second == 0);
	FUZZ_CHECK(strcmp(again, name) == 0);
	json_object_put(back);
	json_object_put(o);
}

/* A JSON integer from 1 to 100000 (json-c keeps integers apart from doubles). */
static bool
ref_count(json_object *v)
{
	return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 1 &&
	       json_object_get_int64(v) <= 100000;
}

/* What a rate_limit value v (NULL: JSON null) should give, from the contract. */
static enum err
ref_rate_limit(json_object *v, struct store_rate_limit *rl, const char **param)
{
	json_object *ps = NULL, *b = NULL;

	memset(rl, 0, sizeof(*rl));
	if (v == NULL)
		return ERR_NONE;
	*param = "rate_limit";
	if (!json_object_is_type(v, json_type_object))
		return ERR_INVALID_REQUEST;
	json_object_object_foreach(v, key, val) {
		(void)val;
		if (strcmp(key, "per_second") != 0 && strcmp(key, "burst") != 0)
			return ERR_INVALID_REQUEST;
	}
	*param = "rate_limit.per_second";
	if (!json_object_object_get_ex(v, "per_second", &ps) || !ref_count(ps))
		return ERR_INVALID_REQUEST;
	*param = "rate_limit.burst";
	if (json_object_object_get_ex(v, "burst", &b) && !ref_count(b))
		return ERR_INVALID_REQUEST;
	rl->per_second = (uint32_t)json_object_get_int64(ps);
	rl->burst = b != NULL ? (uint32_t)json_object_get_int64(b) : rl->per_second;
	return ERR_NONE;
}

/* The name field v: a string validate_name accepts. */
static bool
ref_name(json_object *v)
{
	size_t start, n;

	return json_object_is_type(v, json_type_string) &&
	       ref_utf8_valid(json_object_get_string(v), (size_t)json_object_get_string_len(v)) &&
	       validate_name(json_object_get_string(v), (size_t)json_object_get_string_len(v),
	                     &start, &n);
}

/*
 * What body_key_create (need_name) or body_key_update should say about obj,
 * from the contract: *param on ERR_INVALID_REQUEST (NULL: an update of nothing).
 */
static enum err
ref_key_fields(json_object *obj, bool need_name, struct store_rate_limit *rl,
               const char **param)
{
	json_object *v = NULL;
	bool has_name, has_limit;

	memset(rl, 0, sizeof(*rl));
	*param = "name";
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (strcmp(key, "name") != 0 && strcmp(key, "rate_limit") != 0) {
			*param = key;
			return ERR_INVALID_REQUEST;
		}
	}
	has_name = json_object_object_get_ex(obj, "name", &v);
	if ((need_name || has_name) && (!has_name || !ref_name(v)))
		return ERR_INVALID_REQUEST;
	has_limit = json_object_object_get_ex(obj, "rate_limit", &v);
	if (has_limit && ref_rate_limit(v, rl, param) != ERR_NONE)
		return ERR_INVALID_REQUEST;
	*param = NULL;
	return has_name || has_limit ? ERR_NONE : ERR_INVALID_REQUEST;
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
		struct store_rate_limit rl, want_rl;
		struct body_key_update upd;
		enum err want = ref_key_fields(obj, true, &want_rl, &want_param);
		unsigned grace = 1, want_grace = 2;

		e = body_key_create(obj, 100000, name, &rl, &param);
		FUZZ_CHECK(e == want);
		FUZZ_CHECK(e == ERR_NONE || (param != NULL && strcmp(param, want_param) == 0));
		FUZZ_CHECK(e != ERR_NONE || memcmp(&rl, &want_rl, sizeof(rl)) == 0);
		if (e == ERR_NONE)
			check_name(name);
		want = ref_key_fields(obj, false, &want_rl, &want_param);
		e = body_key_update(obj, 100000, &upd, &param);
		FUZZ_CHECK(e == want);
		FUZZ_CHECK(e == ERR_NONE || (want_param == NULL ? param == NULL :
		                             param != NULL && strcmp(param, want_param) == 0));
		FUZZ_CHECK(e != ERR_NONE ||
		           memcmp(&upd.rate_limit, &want_rl, sizeof(want_rl)) == 0);
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
