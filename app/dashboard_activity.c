/*
 * /dashboard/activity: the audit log of the context (core/audit.h), with the
 * filters of GET /v1/audit-events. An empty filter field is no filter, so
 * that the page's own form can be sent as it is; an invalid one is a 400
 * page that shows the form again.
 */
#include "dash.h"

#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"

#define PAGE_EVENTS 50

/* The filters as typed and as read. */
struct filters {
	const char *action, *target_id, *since, *until;   /* "" when absent */
	struct store_audit_filter f;
	uint8_t after[UUID_LEN];
	bool has_after;
};

/* A query parameter's value, "" when absent. */
static const char *
param(const struct dash *d, const char *name)
{
	const struct request_str *v = request_query(d->req, name);

	return v != NULL ? v->s : "";
}

/* Reads the query into *q; NULL, or the sentence that refuses it. */
static const char *
read_filters(const struct dash *d, struct filters *q)
{
	const char *after = param(d, "after");
	size_t i;

	memset(q, 0, sizeof(*q));
	q->action = param(d, "action");
	q->target_id = param(d, "target_id");
	q->since = param(d, "since");
	q->until = param(d, "until");
	q->f.since = 0;
	q->f.until = STORE_TIME_MAX;
	for (i = 0; q->action[0] != '\0' && audit_action_names[i] != NULL &&
	            strcmp(q->action, audit_action_names[i]) != 0; i++)
		;
	if (q->action[0] != '\0' && audit_action_names[i] == NULL)
		return "That is not an action of the audit log.";
	q->f.action = q->action[0] != '\0' ? audit_action_names[i] : NULL;
	q->f.target.set = q->target_id[0] != '\0';
	if (q->f.target.set && uuid_parse(q->target_id, strlen(q->target_id), q->f.target.id) != 0)
		return "The target id must be an id like 0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a.";
	if ((q->since[0] != '\0' && !timefmt_parse_rfc3339(q->since, strlen(q->since), &q->f.since)) ||
	    (q->until[0] != '\0' && !timefmt_parse_rfc3339(q->until, strlen(q->until), &q->f.until)))
		return "Since and until must be UTC instants like 2026-11-26T12:00:00Z.";
	if (q->f.since < 0)
		q->f.since = 0;
	if (q->f.until > STORE_TIME_MAX)
		q->f.until = STORE_TIME_MAX;
	/* A page cursor that is not one of the context's events starts from the top. */
	q->has_after = uuid_parse(after, strlen(after), q->after) == 0;
	return NULL;
}

/* The query of the page after `last`: the context and the filters (all validated). */
static void
older_query(const struct dash *d, const struct filters *q, const uint8_t last[UUID_LEN],
            char *out, size_t cap)
{
	char id[UUID_TEXT_LEN + 1];

	uuid_format(last, id);
	snprintf(out, cap, "%s%s%saction=%s&target_id=%s&since=%s&until=%s&after=%s",
	         d->ctx.is_org ? "org=" : "", d->ctx.is_org ? d->org : "",
	         d->ctx.is_org ? "&" : "", q->action, q->target_id, q->since, q->until, id);
}

void
dash_activity_page(struct dash *d, const struct dash_user *u)
{
	/* Workers serve one request at a time: the rows live outside the stack. */
	static struct store_audit_event events[PAGE_EVENTS + 1];
	struct page_activity p = {.frame = &d->frame, .now = d->now};
	char older[512];
	uint8_t scope[UUID_LEN];
	struct store_cursor cur;
	struct filters q;
	unsigned n = 0;
	struct html h;
	enum err e = audit_scope(u->ctx, scope);

	d->frame.title = "Activity";
	if (e == ERR_INSUFFICIENT_PERMISSIONS) {
		dash_send_message(d, 403, "Owners and admins only",
		                  "Only owners and admins see the activity of the organization.");
		return;
	}
	p.error = read_filters(d, &q);
	p.action = q.action;
	p.target_id = q.target_id;
	p.since = q.since;
	p.until = q.until;
	if (p.error == NULL && q.has_after) {
		e = audit_cursor(d->env->db, scope, q.after, &cur);
		p.paged = e == ERR_NONE;
		if (e == ERR_NOT_FOUND)
			e = ERR_NONE;
	}
	if (p.error == NULL && e == ERR_NONE)
		e = audit_list(d->env->db, scope, &q.f, p.paged ? &cur : NULL, PAGE_EVENTS + 1, events,
		               &n);
	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return;
	}
	p.context_name = u->ctx->is_org ? u->ctx->org.name : "Personal";
	p.events = events;
	p.nevents = n > PAGE_EVENTS ? PAGE_EVENTS : n;
	if (n > PAGE_EVENTS) {
		older_query(d, &q, events[PAGE_EVENTS - 1].id, older, sizeof(older));
		p.older = older;
	}
	html_init(&h);
	page_activity(&h, &p);
	dash_send_page(d, p.error != NULL ? 400 : 200, &h);
}
