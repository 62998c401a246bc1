#include "http/body.h"

#include <string.h>

#include "base/jsoncheck.h"
#include "base/validate.h"

/* body_json_object and body_json_array: a strict JSON value of type `want` ('{' or '['). */
static enum err
json_value(const char *body, size_t len, char want, json_object **out)
{
	struct json_tokener *tok = NULL;
	json_object *obj = NULL;
	enum err e = ERR_INVALID_JSON;
	size_t first = 0;

	*out = NULL;
	/* The grammar is checked here; json-c only builds the object. */
	if (len == 0 || !validate_utf8(body, len) || memchr(body, '\0', len) != NULL ||
	    !jsoncheck_valid(body, len))
		goto fail;
	while (first < len && strchr(" \t\r\n", body[first]) != NULL)
		first++;
	if (first >= len || body[first] != want) {
		e = ERR_INVALID_REQUEST;   /* valid JSON, but not of that type */
		goto fail;
	}
	tok = json_tokener_new();
	if (tok == NULL) {
		e = ERR_INTERNAL;
		goto fail;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	if (obj == NULL || !json_object_is_type(obj, want == '{' ? json_type_object :
	                                              json_type_array))
		goto fail;
	*out = obj;
	obj = NULL;
	e = ERR_NONE;
fail:
	if (obj != NULL)
		json_object_put(obj);
	if (tok != NULL)
		json_tokener_free(tok);
	return e;
}

enum err
body_json_object(const char *body, size_t len, json_object **out)
{
	return json_value(body, len, '{', out);
}

enum err
body_json_array(const char *body, size_t len, json_object **out)
{
	return json_value(body, len, '[', out);
}

/* ERR_NONE when obj has no field but `name`; else *param is the first other one. */
static enum err
only_field(json_object *obj, const char *name, const char **param)
{
	*param = name;
	json_object_object_foreach(obj, key, val) {
		(void)val;
		if (strcmp(key, name) != 0) {
			*param = key;
			return ERR_INVALID_REQUEST;
		}
	}
	return ERR_NONE;
}

enum err
body_key_create(json_object *obj, char name[STORE_NAME_MAX + 1], const char **param)
{
	json_object *v = NULL;
	const char *s;
	size_t len, start, n;

	if (only_field(obj, "name", param) != ERR_NONE)
		return ERR_INVALID_REQUEST;
	if (!json_object_object_get_ex(obj, "name", &v) ||
	    !json_object_is_type(v, json_type_string))
		return ERR_INVALID_REQUEST;
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	/* \u escapes can produce what the raw-byte check could not see: check again. */
	if (!validate_utf8(s, len) || !validate_name(s, len, &start, &n))
		return ERR_INVALID_REQUEST;
	memcpy(name, s + start, n);
	name[n] = '\0';
	return ERR_NONE;
}

enum err
body_key_roll(json_object *obj, unsigned max, unsigned *grace, const char **param)
{
	json_object *v = NULL;
	int64_t n;

	*grace = 0;
	if (only_field(obj, "grace_period_seconds", param) != ERR_NONE)
		return ERR_INVALID_REQUEST;
	if (!json_object_object_get_ex(obj, "grace_period_seconds", &v))
		return ERR_NONE;
	/* An integer, not 60.0, "60" or null; json-c saturates what int64 cannot hold. */
	if (!json_object_is_type(v, json_type_int))
		return ERR_INVALID_REQUEST;
	n = json_object_get_int64(v);
	if (n < 0 || n > (int64_t)max)
		return ERR_INVALID_REQUEST;
	*grace = (unsigned)n;
	return ERR_NONE;
}

/* The string member `name` of a report into *out (borrowed from obj), else *param names it. */
static enum err
leak_member(json_object *obj, const char *name, size_t max, struct request_str *out,
            const char **param)
{
	json_object *v = NULL;

	*param = name;
	if (!json_object_object_get_ex(obj, name, &v) || !json_object_is_type(v, json_type_string))
		return ERR_INVALID_REQUEST;
	out->s = json_object_get_string(v);
	out->len = (size_t)json_object_get_string_len(v);
	return out->len <= max ? ERR_NONE : ERR_INVALID_REQUEST;
}

enum err
body_leak_reports(json_object *arr, struct body_leak *out, size_t *n, const char **param)
{
	size_t count = json_object_array_length(arr);
	enum err e = ERR_NONE;

	*n = 0;
	*param = NULL;
	if (count > BODY_LEAKS_MAX)
		return ERR_INVALID_REQUEST;
	for (size_t i = 0; i < count && e == ERR_NONE; i++) {
		json_object *r = json_object_array_get_idx(arr, i);
		struct body_leak *b = &out[i];

		*param = NULL;
		if (!json_object_is_type(r, json_type_object))
			return ERR_INVALID_REQUEST;
		e = leak_member(r, "token", BODY_LEAK_FIELD_MAX, &b->token, param);
		if (e == ERR_NONE)
			e = leak_member(r, "type", BODY_LEAK_FIELD_MAX, &b->type, param);
		if (e == ERR_NONE)
			e = leak_member(r, "url", BODY_LEAK_FIELD_MAX, &b->url, param);
		if (e == ERR_NONE)
			e = leak_member(r, "source", BODY_LEAK_FIELD_MAX, &b->source, param);
	}
	if (e == ERR_NONE) {
		*n = count;
		*param = NULL;
	}
	return e;
}
