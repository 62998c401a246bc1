/*
 * libFuzzer driver for GitHub's leak reports (POST /v1/leaks/github):
 * body_json_array and body_leak_reports (lib/http/body.c), and the checks of
 * what is stored of a report, validate_http_url and validate_word
 * (lib/base/validate.c). The input is the raw body.
 *
 * Checks:
 *  - body_json_array is ERR_INVALID_JSON exactly when the bytes are empty,
 *    invalid UTF-8, hold a NUL or fail jsoncheck_valid; otherwise ERR_NONE
 *    for an array (which json-c, strict, parses to the same value) and
 *    ERR_INVALID_REQUEST for any other value;
 *  - on an array, body_leak_reports is ERR_NONE exactly when it has at most
 *    BODY_LEAKS_MAX elements, each an object whose "token", "type", "url"
 *    and "source" are strings of at most BODY_LEAK_FIELD_MAX bytes (read
 *    here from json-c's own value), and then gives every element, in order,
 *    with those strings' exact bytes (NULs included); on ERR_INVALID_REQUEST
 *    *param is NULL or one of the four names;
 *  - a url validate_http_url keeps starts with http:// or https:// and holds
 *    no byte that could end an attribute or a tag or break a line (space,
 *    quote, angle bracket, backslash, control, non-ASCII); a word
 *    validate_word keeps is letters, digits, '_', '-' and '.' only.
 */
#include "../../lib/http/body.c"
#include "../../lib/base/jsoncheck.c"
#include "../../lib/base/validate.c"
#include "fuzz_util.h"

static const char *const fields[] = {"token", "type", "url", "source"};

/* The report's field f from json-c's value, NULL when it is not a usable string. */
static json_object *
ref_field(json_object *r, const char *f)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(r, f, &v) || !json_object_is_type(v, json_type_string) ||
	    (size_t)json_object_get_string_len(v) > BODY_LEAK_FIELD_MAX)
		return NULL;
	return v;
}

static bool
ref_reports_ok(json_object *arr)
{
	size_t n = json_object_array_length(arr);

	if (n > BODY_LEAKS_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(arr, i);

		if (!json_object_is_type(r, json_type_object))
			return false;
		for (size_t f = 0; f < 4; f++)
			if (ref_field(r, fields[f]) == NULL)
				return false;
	}
	return true;
}

static void
check_stored(const struct request_str *url, const struct request_str *source)
{
	if (validate_http_url(url->s, url->len, 1024)) {
		FUZZ_CHECK(url->len <= 1024 && (strncasecmp(url->s, "http://", 7) == 0 ||
		                                strncasecmp(url->s, "https://", 8) == 0));
		for (size_t i = 0; i < url->len; i++)
			FUZZ_CHECK(url->s[i] > 0x20 && url->s[i] < 0x7f &&
			           strchr("\"<>\\` ", url->s[i]) == NULL);
	}
	if (validate_word(source->s, source->len, 64))
		for (size_t i = 0; i < source->len; i++)
			FUZZ_CHECK((source->s[i] >= '0' && source->s[i] <= '9') ||
			           (source->s[i] >= 'a' && source->s[i] <= 'z') ||
			           (source->s[i] >= 'A' && source->s[i] <= 'Z') ||
			           strchr("_-.", source->s[i]) != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct body_leak out[BODY_LEAKS_MAX];
	const char *body = (const char *)data, *param = NULL;
	json_object *arr = NULL, *ref = NULL;
	struct json_tokener *tok;
	size_t first = 0, n = 0;
	bool valid = size > 0 && validate_utf8(body, size) && memchr(body, '\0', size) == NULL &&
	             jsoncheck_valid(body, size);
	enum err e = body_json_array(body, size, &arr), want;

	while (first < size && strchr(" \t\r\n", body[first]) != NULL)
		first++;
	want = !valid ? ERR_INVALID_JSON : body[first] == '[' ? ERR_NONE : ERR_INVALID_REQUEST;
	FUZZ_CHECK(e == want);
	if (e != ERR_NONE)
		return 0;
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	ref = json_tokener_parse_ex(tok, body, (int)size);
	FUZZ_CHECK(ref != NULL && json_object_equal(ref, arr));
	json_tokener_free(tok);

	e = body_leak_reports(arr, out, &n, &param);
	FUZZ_CHECK((e == ERR_NONE) == ref_reports_ok(ref));
	if (e == ERR_NONE) {
		FUZZ_CHECK(n == json_object_array_length(ref) && param == NULL);
		for (size_t i = 0; i < n; i++) {
			json_object *r = json_object_array_get_idx(ref, i);
			const struct request_str *got[4] = {&out[i].token, &out[i].type, &out[i].url,
			                                    &out[i].source};

			for (size_t f = 0; f < 4; f++) {
				json_object *v = ref_field(r, fields[f]);

				FUZZ_CHECK((size_t)json_object_get_string_len(v) == got[f]->len &&
				           memcmp(json_object_get_string(v), got[f]->s, got[f]->len) == 0);
			}
			check_stored(&out[i].url, &out[i].source);
		}
	} else {
		FUZZ_CHECK(e == ERR_INVALID_REQUEST);
		FUZZ_CHECK(param == NULL || strcmp(param, "token") == 0 || strcmp(param, "type") == 0 ||
		           strcmp(param, "url") == 0 || strcmp(param, "source") == 0);
	}
	json_object_put(ref);
	json_object_put(arr);
	return 0;
}
