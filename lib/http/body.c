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

/* ERR_NONE when obj has no field outside the NULL-terminated names; else *param is the first. */
static enum err
only_fields(json_object *obj, const char *const *names, const char **param)
{
	*param = names[0];
	json_object_object_foreach(obj, key, val) {
		size_t i = 0;

		(void)val;
		while (names[i] != NULL && strcmp(key, names[i]) != 0)
			i++;
		if (names[i] == NULL) {
			*param = key;
			return ERR_INVALID_REQUEST;
		}
	}
	return ERR_NONE;
}

/* A key's name field v: trimmed into name; else *param is "name". */
static enum err
name_field(json_object *v, char name[STORE_NAME_MAX + 1], const char **param)
{
	const char *s;
	size_t len, start, n;

	*param = "name";
	if (!json_object_is_type(v, json_type_string))
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

/* A JSON integer (not 1.0, "1" or null) from min to max; json-c saturates beyond int64. */
static bool
int_in(json_object *v, int64_t min, int64_t max, int64_t *out)
{
	if (!json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return *out >= min && *out <= max;
}

enum err
body_rate_limit(json_object *v, uint32_t max, struct store_rate_limit *rl, const char **param)
{
	static const char *const members[] = {"per_second", "burst", NULL};
	json_object *m = NULL;
	const char *unknown;
	int64_t n;

	memset(rl, 0, sizeof(*rl));
	*param = "rate_limit";
	if (v == NULL)
		return ERR_NONE;   /* null: none */
	if (!json_object_is_type(v, json_type_object) ||
	    only_fields(v, members, &unknown) != ERR_NONE)
		return ERR_INVALID_REQUEST;
	*param = "rate_limit.per_second";
	if (!json_object_object_get_ex(v, "per_second", &m) || !int_in(m, 1, max, &n))
		return ERR_INVALID_REQUEST;
	rl->per_second = rl->burst = (uint32_t)n;
	/* Without a burst, one second's worth at once. */
	*param = "rate_limit.burst";
	if (json_object_object_get_ex(v, "burst", &m)) {
		if (!int_in(m, 1, max, &n))
			return ERR_INVALID_REQUEST;
		rl->burst = (uint32_t)n;
	}
	return ERR_NONE;
}

enum err
body_key_create(json_object *obj, uint32_t max, char name[STORE_NAME_MAX + 1],
                struct store_rate_limit *rl, const char **param)
{
	static const char *const fields[] = {"name", "rate_limit", NULL};
	json_object *v = NULL;
	enum err e;

	memset(rl, 0, sizeof(*rl));
	if (only_fields(obj, fields, param) != ERR_NONE)
		return ERR_INVALID_REQUEST;
	if (!json_object_object_get_ex(obj, "name", &v))
		return ERR_INVALID_REQUEST;
	if ((e = name_field(v, name, param)) != ERR_NONE)
		return e;
	if (json_object_object_get_ex(obj, "rate_limit", &v))
		return body_rate_limit(v, max, rl, param);
	return ERR_NONE;
}

enum err
body_key_update(json_object *obj, uint32_t max, struct body_key_update *out, const char **param)
{
	static const char *const fields[] = {"name", "rate_limit", NULL};
	json_object *v = NULL;
	enum err e = ERR_NONE;

	memset(out, 0, sizeof(*out));
	if (only_fields(obj, fields, param) != ERR_NONE)
		return ERR_INVALID_REQUEST;
	out->has_name = json_object_object_get_ex(obj, "name", &v);
	if (out->has_name && (e = name_field(v, out->name, param)) != ERR_NONE)
		return e;
	out->has_rate_limit = json_object_object_get_ex(obj, "rate_limit", &v);
	if (out->has_rate_limit && (e = body_rate_limit(v, max, &out->rate_limit, param)) != ERR_NONE)
		return e;
	*param = NULL;
	return out->has_name || out->has_rate_limit ? ERR_NONE : ERR_INVALID_REQUEST;
}

enum err
body_key_roll(json_object *obj, unsigned max, unsigned *grace, const char **param)
{
	json_object *v = NULL;
	int64_t n;

	static const char *const fields[] = {"grace_period_seconds", NULL};

	*grace = 0;
	if (only_fields(obj, fields, param) != ERR_NONE)
		return ERR_INVALID_REQUEST;
	if (!json_object_object_get_ex(obj, "grace_period_seconds", &v))
		return ERR_NONE;
	/* An integer, not 60.0, "60" or null. */
	if (!int_in(v, 0, (int64_t)max, &n))
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
