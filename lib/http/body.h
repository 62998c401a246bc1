/*
 * body: request bodies, from untrusted bytes to typed values (docs/api.md,
 * POST /v1/api-keys and POST /v1/api-keys/{id}/roll). Errors name the
 * offending field in *param.
 */
#ifndef PS_BODY_H
#define PS_BODY_H

#include <stddef.h>
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
 * The create-key body: exactly {"name": string}. On ERR_NONE writes the
 * trimmed name, NUL-terminated, into name (STORE_NAME_MAX + 1 bytes). On
 * ERR_INVALID_REQUEST *param is "name" or the unknown field's name, valid as
 * long as obj.
 */
enum err body_key_create(json_object *obj, char name[STORE_NAME_MAX + 1], const char **param);

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
