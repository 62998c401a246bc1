/*
 * body: request bodies, from untrusted bytes to typed values (docs/api.md,
 * POST /v1/api-keys and POST /v1/api-keys/{id}/roll). Errors name the
 * offending field in *param.
 */
#ifndef PS_BODY_H
#define PS_BODY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "base/errors.h"
#include "data/store.h"
#include "http/request.h"

/*
 * Parses a whole body as one strict JSON object. ERR_INVALID_JSON for empty
 * input, invalid UTF-8, syntax errors or trailing bytes; ERR_INVALID_REQUEST
 * (param NULL) for valid JSON that is not an object. On ERR_NONE the caller
 * owns *out.
 */
enum err body_json_object(const char *body, size_t len, json_object **out);

/* The same for a body that must be one JSON array (valid JSON of another type: ERR_INVALID_REQUEST). */
enum err body_json_array(const char *body, size_t len, json_object **out);

/*
 * A rate_limit field's value v (NULL: JSON null, none): {"per_second": N,
 * "burst": M}, integers from 1 to max, burst defaulting to per_second. On
 * ERR_INVALID_REQUEST *param is "rate_limit" (not null nor an object, or an
 * unknown member), "rate_limit.per_second" or "rate_limit.burst".
 */
enum err body_rate_limit(json_object *v, uint32_t max, struct store_rate_limit *rl,
                         const char **param);

/*
 * The create-key body: {"name": string} with an optional "rate_limit"
 * (body_rate_limit; absent or null: none). On ERR_NONE writes the trimmed
 * name, NUL-terminated, into name (STORE_NAME_MAX + 1 bytes). On
 * ERR_INVALID_REQUEST *param is "name", a rate_limit one, or the unknown
 * field's name, valid as long as obj.
 */
enum err body_key_create(json_object *obj, uint32_t max, char name[STORE_NAME_MAX + 1],
                         struct store_rate_limit *rl, const char **param);

/* The update (PATCH) body: "name" and "rate_limit", each optional, as in create. */
struct body_key_update {
	bool has_name;
	char name[STORE_NAME_MAX + 1];
	bool has_rate_limit;
	struct store_rate_limit rate_limit;   /* per_second 0: null, remove the key's own */
};
/*
 * On ERR_INVALID_REQUEST *param is as for create, or NULL when the body
 * names neither field.
 */
enum err body_key_update(json_object *obj, uint32_t max, struct body_key_update *out,
                         const char **param);

/*
 * The roll body: {} or {"grace_period_seconds": N}, N a JSON integer from 0
 * to max (absent: 0). On ERR_INVALID_REQUEST *param is "grace_period_seconds"
 * or the unknown field's name, valid as long as obj.
 */
enum err body_key_roll(json_object *obj, unsigned max, unsigned *grace, const char **param);

/*
 * GitHub's secret scanning report (POST /v1/leaks/github): an array of at
 * most BODY_LEAKS_MAX objects, each with the strings "token", "type", "url"
 * and "source" (other members are ignored: the partner format may grow), of
 * at most BODY_LEAK_FIELD_MAX bytes each (any content: a token that is not a
 * key is a false positive, the url and source are checked where they are
 * stored). On ERR_NONE out[0..*n) borrow from arr. ERR_INVALID_REQUEST with
 * *param the member at fault, or NULL for an element that is not an object
 * or too many elements.
 */
#define BODY_LEAKS_MAX      4096
#define BODY_LEAK_FIELD_MAX 4096
struct body_leak {
	struct request_str token, type, url, source;
};
enum err body_leak_reports(json_object *arr, struct body_leak *out, size_t *n,
                           const char **param);

#endif
