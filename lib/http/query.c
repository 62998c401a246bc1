#include "http/query.h"

#include <string.h>

#include "base/timefmt.h"
#include "base/validate.h"

/* One value against its spec; false when it is not of the type. */
static bool
read_value(const struct query_param *q, const struct request_str *v, struct query_value *out)
{
	switch (q->type) {
	case QUERY_UINT:
		return validate_uint(v->s, v->len, q->min, q->max, &out->u);
	case QUERY_BOOL:
		out->u = strcmp(v->s, "true") == 0;
		return out->u == 1 || strcmp(v->s, "false") == 0;
	case QUERY_UUID:
		return uuid_parse(v->s, v->len, out->id) == 0;
	case QUERY_TIME:
		return timefmt_parse_rfc3339(v->s, v->len, &out->t);
	case QUERY_CHOICE:
		for (out->u = 0; q->choices[out->u] != NULL; out->u++)
			if (strcmp(v->s, q->choices[out->u]) == 0)
				return true;
		return false;
	}
	return false;
}

enum err
query_parse(const struct request *req, const struct query_param *params, size_t n,
            struct query_value *out, const char **param, const char **message)
{
	const char *names[QUERY_PARAMS_MAX + 1];

	*param = NULL;
	*message = NULL;
	for (size_t i = 0; i < n && i < QUERY_PARAMS_MAX; i++)
		names[i] = params[i].name;
	names[n < QUERY_PARAMS_MAX ? n : QUERY_PARAMS_MAX] = NULL;
	/* A query that could not be parsed whole still names what it parsed, if wrong. */
	if ((*param = request_query_check(req, names)) != NULL)
		return ERR_INVALID_REQUEST;
	if (!req->query_ok) {
		*param = req->query_bad;
		return ERR_INVALID_REQUEST;
	}
	for (size_t i = 0; i < n && i < QUERY_PARAMS_MAX; i++) {
		const struct request_str *v = request_query(req, params[i].name);

		memset(&out[i], 0, sizeof(out[i]));
		out[i].u = params[i].dflt;
		if (v == NULL)
			continue;
		out[i].present = true;
		if (!read_value(&params[i], v, &out[i])) {
			*param = params[i].name;
			*message = params[i].message;
			return ERR_INVALID_REQUEST;
		}
	}
	return ERR_NONE;
}
