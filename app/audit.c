/* GET /v1/audit-events (docs/api.md): the audit log of the caller's context, newest first. */
#include <string.h>

#include "api.h"
#include "core/audit.h"
#include "http/render.h"

/* The filters of the query; since and until default to all the instants the store holds. */
static void
filter_of(const struct api_call *c, struct store_audit_filter *f)
{
	const struct query_value *q = c->query;

	f->action = q[Q_AUDIT_ACTION].present ? audit_action_names[q[Q_AUDIT_ACTION].u] : NULL;
	f->target.set = q[Q_AUDIT_TARGET_ID].present;
	memcpy(f->target.id, q[Q_AUDIT_TARGET_ID].id, UUID_LEN);
	f->since = q[Q_AUDIT_SINCE].present && q[Q_AUDIT_SINCE].t > 0 ? q[Q_AUDIT_SINCE].t : 0;
	f->until = q[Q_AUDIT_UNTIL].present && q[Q_AUDIT_UNTIL].t < STORE_TIME_MAX ?
	           q[Q_AUDIT_UNTIL].t : STORE_TIME_MAX;
}

void
audit_events_list(struct api_call *c, const struct auth_principal *p)
{
	/* Workers serve one request at a time; 101 events do not belong on the stack. */
	static struct store_audit_event rows[API_LIST_LIMIT_MAX + 1];
	unsigned limit = (unsigned)c->query[Q_AUDIT_LIMIT].u, n = 0;
	bool after = c->query[Q_AUDIT_STARTING_AFTER].present;
	uint8_t scope[UUID_LEN];
	struct store_audit_filter f;
	struct store_cursor cursor;
	json_object *data;
	enum err e = audit_scope(&p->ctx, scope);

	/* The cursor must be an event this caller can see. */
	if (e == ERR_NONE && after) {
		e = audit_cursor(c->env->db, scope, c->query[Q_AUDIT_STARTING_AFTER].id, &cursor);
		if (e == ERR_NOT_FOUND) {
			response_error(c->resp, ERR_INVALID_REQUEST, "starting_after",
			               API_AUDIT_AFTER_MESSAGE);
			return;
		}
	}
	filter_of(c, &f);
	/* One row more than asked tells whether there is a next page. */
	if (e == ERR_NONE)
		e = audit_list(c->env->db, scope, &f, after ? &cursor : NULL, limit + 1, rows, &n);
	if (e != ERR_NONE) {
		api_fail(c, e);
		return;
	}
	data = json_object_new_array_ext((int)n);
	for (unsigned i = 0; i < n && i < limit; i++)
		json_object_array_add(data, render_audit_event(&rows[i]));
	response_json(c->resp, 200, render_list(data, n > limit));
}
