/*
 * The dashboard's markup (docs/dashboard.md lists the ids and classes tests
 * rely on). Everything goes through html(): values are escaped there.
 */
#include "dashboard.h"

#include <string.h>

#include "base/timefmt.h"
#include "core/audit.h"

#define CHART_BAR_W  4
#define CHART_GAP    1
#define CHART_H      28

/* "?org=ID" or "", then more parameters joined with '&'. */
static void
context_query(struct html *h, const char *org, const char *more)
{
	if (org != NULL)
		html(h, "?org=%s", org);
	if (more != NULL) {
		if (org != NULL)
			html(h, "&amp;");
		else
			html(h, "?");
		html(h, "%s", more);
	}
}

void
page_begin(struct html *h, const struct page_frame *f)
{
	html(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
	     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
	     "<title>%s · ParseSphere</title>"
	     "<link rel=\"stylesheet\" href=\"/dashboard/assets/app.css\">"
	     "<script src=\"/dashboard/assets/app.js\" defer></script></head>\n<body>"
	     "<header><a class=\"brand\" href=\"/dashboard/keys\">ParseSphere</a>",
	     f != NULL ? f->title : "Log in");
	if (f != NULL && f->account != NULL) {
		html(h, "<nav id=\"sections\"><a href=\"/dashboard/keys");
		context_query(h, f->org, NULL);
		html(h, "\">API Keys</a> <a id=\"activity-link\" href=\"/dashboard/activity");
		context_query(h, f->org, NULL);
		html(h, "\">Activity</a></nav>");
		if (f->orgs != NULL) {
			html(h, "<form id=\"context\" method=\"get\" action=\"/dashboard/keys\">"
			     "<label for=\"context-org\">Context</label> "
			     "<select id=\"context-org\" name=\"org\">"
			     "<option value=\"\"%s>Personal</option>",
			     f->org == NULL ? " selected" : "");
			for (unsigned i = 0; i < f->norgs; i++) {
				char id[UUID_TEXT_LEN + 1];

				uuid_format(f->orgs[i].org.id, id);
				html(h, "<option value=\"%s\"", id);
				if (f->org != NULL && strcmp(f->org, id) == 0)
					html(h, " selected");
				html(h, ">%s (%s)</option>", f->orgs[i].org.name,
				     store_role_name(f->orgs[i].role));
			}
			html(h, "</select> <button type=\"submit\">Switch</button></form>");
		}
		html(h, "<span class=\"account\" title=\"%s\">%s</span>"
		     "<form id=\"logout\" method=\"post\" action=\"/dashboard/logout\">"
		     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		     "<button type=\"submit\">Log out</button></form>",
		     f->account->email, f->account->name, f->csrf);
	}
	html(h, "</header>\n<main>");
}

void
page_end(struct html *h)
{
	html(h, "</main></body></html>\n");
}

void
page_login(struct html *h, const char *csrf, const char *email, const char *error,
           const char *notice)
{
	page_begin(h, NULL);
	html(h, "<h1>Log in</h1>");
	if (notice != NULL)
		html(h, "<p class=\"notice\">%s</p>", notice);
	if (error != NULL)
		html(h, "<p class=\"error\" role=\"alert\">%s</p>", error);
	html(h, "<form id=\"login\" method=\"post\" action=\"/dashboard/login\">"
	     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	     /* type=text: browsers refuse non-ASCII local parts that accounts may have. */
	     "<label>E-mail <input type=\"text\" inputmode=\"email\" name=\"email\" "
	     "value=\"%s\" autocomplete=\"username\" spellcheck=\"false\" required autofocus>"
	     "</label>"
	     "<label>Password <input type=\"password\" name=\"password\" "
	     "autocomplete=\"current-password\" required></label>"
	     "<button type=\"submit\">Log in</button></form>",
	     csrf, email);
	page_end(h);
}

/* A <time> with the exact instant on hover; `ago` selects relative text. */
static void
time_cell(struct html *h, int64_t t, int64_t now, bool ago)
{
	char iso[TIMEFMT_RFC3339_LEN + 1], human[TIMEFMT_HUMAN_LEN + 1];
	char rel[TIMEFMT_AGO_MAX + 1], day[TIMEFMT_DATE_LEN + 1];

	timefmt_rfc3339(t, iso);
	timefmt_human(t, human);
	if (ago)
		timefmt_ago(now, t, rel);
	else
		timefmt_date(t, day);
	html(h, "<time datetime=\"%s\" title=\"%s\">%s</time>", iso, human, ago ? rel : day);
}

/*
 * Daily requests as bars scaled to the busiest day, so that a spike stands
 * out; the part refused with 429 (rate limited) as a bar of its own on top.
 */
static void
usage_chart(struct html *h, const uint64_t days[PAGE_CHART_DAYS],
            const uint64_t refused[PAGE_CHART_DAYS], int64_t today)
{
	uint64_t max = 0, total = 0, total_refused = 0;

	for (int i = 0; i < PAGE_CHART_DAYS; i++) {
		total += days[i];
		total_refused += refused[i];
		if (days[i] > max)
			max = days[i];
	}
	html(h, "<svg class=\"usage-chart\" xmlns=\"http://www.w3.org/2000/svg\" "
	     "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
	     "aria-label=\"Requests per day over the last 30 days: %llu in total, "
	     "%llu refused\">",
	     PAGE_CHART_DAYS * (CHART_BAR_W + CHART_GAP), CHART_H,
	     PAGE_CHART_DAYS * (CHART_BAR_W + CHART_GAP), CHART_H, (unsigned long long)total,
	     (unsigned long long)total_refused);
	for (int i = 0; i < PAGE_CHART_DAYS; i++) {
		char date[TIMEFMT_DATE_LEN + 1];
		/* At least one pixel, so that an idle day still shows on the axis. */
		int bar = max == 0 ? 1 : 1 + (int)(days[i] * (CHART_H - 1) / max);
		/* The refused part of the bar, at least one pixel when there are any. */
		int top = refused[i] == 0 || days[i] == 0 ? 0 :
		          1 + (int)(refused[i] * (uint64_t)(bar - 1) / days[i]);
		int x = i * (CHART_BAR_W + CHART_GAP);

		timefmt_date(today - (int64_t)(PAGE_CHART_DAYS - 1 - i) * TIMEFMT_DAY, date);
		/* The day's count last in the title, with its refused part before it. */
		html(h, "<rect class=\"bar%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\">"
		     "<title>%s: ", days[i] == 0 ? " idle" : "", x, CHART_H - bar, CHART_BAR_W, bar,
		     date);
		if (refused[i] > 0)
			html(h, "%llu refused (rate limited) of ", (unsigned long long)refused[i]);
		html(h, "%llu requests</title></rect>", (unsigned long long)days[i]);
		if (top > 0)
			html(h, "<rect class=\"refused\" x=\"%d\" y=\"%d\" width=\"%d\" "
			     "height=\"%d\"><title>%s: %llu refused (rate limited)</title></rect>",
			     x, CHART_H - bar, CHART_BAR_W, top, date, (unsigned long long)refused[i]);
	}
	html(h, "</svg>");
}

/*
 * A key's status cell: Active (a rolled one with when it expires), Revoked
 * (why, on hover; a leaked key says where it was found), Expired. The url is
 * a report's (validated: http or https, printable, bounded), escaped like
 * any text.
 */
static void
status_cell(struct html *h, const struct store_key *k, const char *leak_url, int64_t now)
{
	char until[TIMEFMT_AGO_MAX + 1];

	if (k->revoked && k->revoked_reason == REASON_LEAKED) {
		html(h, "<td class=\"status leaked\" title=\"Revoked: leaked\">Revoked: found public");
		if (leak_url[0] != '\0')
			html(h, " at <a class=\"leak-url\" href=\"%s\" rel=\"nofollow noopener "
			     "noreferrer\">%s</a>", leak_url, leak_url);
		html(h, "</td>");
	} else if (k->revoked) {
		html(h, "<td class=\"status\" title=\"Revoked: %s\">Revoked</td>",
		     store_reason_name(k->revoked_reason));
	} else if (!store_key_active(k, now)) {
		html(h, "<td class=\"status\">Expired</td>");
	} else if (k->expires) {
		timefmt_until(now, k->expires_at, until);
		html(h, "<td class=\"status\">Active <span class=\"expires\">expires ");
		time_cell(h, k->expires_at, now, false);
		html(h, " (%s)</span></td>", until);
	} else {
		html(h, "<td class=\"status\">Active</td>");
	}
}

static void
key_row(struct html *h, const struct page_keys *p, unsigned i)
{
	const struct store_key *k = &p->keys[i];
	bool active = store_key_active(k, p->now);
	char id[UUID_TEXT_LEN + 1];

	uuid_format(k->id, id);
	html(h, "<tr class=\"key %s\" data-key-id=\"%s\" data-prefix=\"%s\">"
	     "<td class=\"name\">%s</td><td class=\"prefix\"><code>%s…</code></td>"
	     "<td class=\"created\">",
	     k->revoked ? "key-revoked" : active ? "key-active" : "key-expired", id, k->prefix,
	     k->name, k->prefix);
	time_cell(h, k->created_at, p->now, false);
	html(h, "</td><td class=\"last-used\">");
	if (k->counters.used)
		time_cell(h, k->counters.last_used_at, p->now, true);
	else
		html(h, "Never");
	html(h, "</td><td class=\"requests\">%llu</td>", (unsigned long long)k->counters.request_count);
	status_cell(h, k, p->leak_url[i], p->now);
	html(h, "<td class=\"usage\">");
	usage_chart(h, p->usage[i], p->refused[i], p->today);
	html(h, "</td><td class=\"actions\">");
	/* A key in its grace period may still be revoked, not rolled twice. */
	if (active && !k->replaced_by.set) {
		html(h, "<a class=\"roll\" href=\"/dashboard/keys/%s/roll", id);
		context_query(h, p->frame->org, NULL);
		html(h, "\">Roll…</a> ");
	}
	if (active) {
		html(h, "<a class=\"revoke\" href=\"/dashboard/keys/%s/revoke", id);
		context_query(h, p->frame->org, NULL);
		html(h, "\">Revoke…</a>");
	}
	html(h, "</td></tr>");
}

void
page_keys(struct html *h, const struct page_keys *p)
{
	const struct page_frame *f = p->frame;

	page_begin(h, f);
	html(h, "<h1>API Keys <small>%s", p->context_name);
	if (f->org != NULL)
		html(h, " · %s", store_role_name(p->role));
	html(h, "</small></h1>");
	if (f->org != NULL && p->role == ROLE_MEMBER)
		html(h, "<p class=\"hint\">As a member you see the organization keys you created; "
		     "owners and admins see all of them.</p>");
	if (p->error != NULL)
		html(h, "<p class=\"error\" role=\"alert\">%s</p>", p->error);
	html(h, "<form id=\"create-key\" method=\"post\" action=\"/dashboard/keys\">"
	     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	     "<input type=\"hidden\" name=\"org\" value=\"%s\">"
	     "<label>Name <input type=\"text\" name=\"name\" value=\"%s\" "
	     "placeholder=\"Production API Key\" required></label>"
	     "<button type=\"submit\">Create Key</button></form>",
	     f->csrf, f->org != NULL ? f->org : "", p->name);
	html(h, "<p class=\"toggle\"><a id=\"toggle-revoked\" href=\"/dashboard/keys");
	context_query(h, f->org, p->show_revoked ? NULL : "revoked=1");
	html(h, "\">%s</a></p>", p->show_revoked ? "Hide revoked keys" : "Show revoked keys");
	if (p->nkeys == 0) {
		html(h, "<p class=\"empty\">No %skeys here yet. Create one above.</p>",
		     p->show_revoked ? "" : "active ");
	} else {
		html(h, "<table id=\"keys\"><thead><tr><th>Name</th><th>Key</th><th>Created</th>"
		     "<th>Last used</th><th>Requests</th><th>Status</th>"
		     "<th>Last 30 days</th><th></th></tr></thead><tbody>");
		for (unsigned i = 0; i < p->nkeys; i++)
			key_row(h, p, i);
		html(h, "</tbody></table>");
	}
	if (p->paged || p->has_more) {
		html(h, "<nav class=\"pages\">");
		if (p->paged) {
			html(h, "<a href=\"/dashboard/keys");
			context_query(h, f->org, p->show_revoked ? "revoked=1" : NULL);
			html(h, "\">Newest keys</a> ");
		}
		if (p->has_more) {
			char last[UUID_TEXT_LEN + 1];

			uuid_format(p->keys[p->nkeys - 1].id, last);
			html(h, "<a id=\"older\" href=\"/dashboard/keys");
			context_query(h, f->org, p->show_revoked ? "revoked=1" : NULL);
			html(h, "%s%s\">Older keys</a>",
			     f->org != NULL || p->show_revoked ? "&after=" : "?after=", last);
		}
		html(h, "</nav>");
	}
	page_end(h);
}

/* A link back to the keys of the frame's context. */
static void
back_link(struct html *h, const struct page_frame *f, const char *text)
{
	html(h, "<p><a class=\"back\" href=\"/dashboard/keys");
	context_query(h, f != NULL ? f->org : NULL, NULL);
	html(h, "\">%s</a></p>", text);
}

void
page_secret(struct html *h, const struct page_secret *p)
{
	const struct page_frame *f = p->frame;
	const struct store_key *old = p->replaces;

	page_begin(h, f);
	html(h, "<h1>Your new key: %s</h1>"
	     "<p class=\"warning\" role=\"alert\">Copy this secret now and keep it somewhere "
	     "safe. It will not be shown again: we store only a hash of it.</p>"
	     "<div class=\"secret\"><code id=\"secret\">%s</code> "
	     "<button type=\"button\" id=\"copy-secret\" data-copy=\"secret\">Copy</button></div>",
	     p->key->name, p->secret);
	if (old != NULL && store_key_active(old, p->now)) {
		char until[TIMEFMT_AGO_MAX + 1];

		timefmt_until(p->now, old->expires_at, until);
		html(h, "<p class=\"notice\" id=\"rolled\">It replaces <code>%s…</code>, which "
		     "keeps working until ", old->prefix);
		time_cell(h, old->expires_at, p->now, false);
		html(h, " (%s): deploy the new key before then.</p>", until);
	} else if (old != NULL) {
		html(h, "<p class=\"notice\" id=\"rolled\">It replaces <code>%s…</code>, which "
		     "no longer works.</p>", old->prefix);
	}
	if (p->more) {
		html(h, "<p class=\"notice\" id=\"more-secrets\">The secret of another key you "
		     "just created is waiting too: <a href=\"/dashboard/keys/created");
		context_query(h, f->org, NULL);
		html(h, "\">show it once</a>.</p>");
	}
	back_link(h, f, "I have copied it: back to API Keys");
	page_end(h);
}

void
page_revoke(struct html *h, const struct page_frame *f, const struct store_key *k)
{
	char id[UUID_TEXT_LEN + 1];

	uuid_format(k->id, id);
	page_begin(h, f);
	html(h, "<h1>Revoke %s?</h1>", k->name);
	if (k->revoked) {
		html(h, "<p class=\"notice\">The key <code>%s…</code> is already revoked.</p>",
		     k->prefix);
	} else {
		html(h, "<p class=\"warning\">Requests with the key <code>%s…</code> will be "
		     "refused with 401 from the next request on. This cannot be undone.</p>"
		     "<form id=\"revoke\" method=\"post\" action=\"/dashboard/keys/%s/revoke\">"
		     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		     "<input type=\"hidden\" name=\"org\" value=\"%s\">"
		     "<button type=\"submit\" id=\"confirm-revoke\" class=\"danger\">Revoke key"
		     "</button></form>",
		     k->prefix, id, f->csrf, f->org != NULL ? f->org : "");
	}
	back_link(h, f, "Cancel");
	page_end(h);
}

const struct page_grace_choice page_grace[PAGE_GRACE_CHOICES] = {
	{86400, "In 24 hours"},
	{3600, "In 1 hour"},
	{604800, "In 7 days"},
	{0, "Now: the old key is refused at once"},
};

void
page_roll(struct html *h, const struct page_frame *f, const struct store_key *k, int64_t now)
{
	char id[UUID_TEXT_LEN + 1];

	uuid_format(k->id, id);
	page_begin(h, f);
	html(h, "<h1>Roll %s?</h1>", k->name);
	if (!store_key_active(k, now)) {
		html(h, "<p class=\"notice\">The key <code>%s…</code> no longer works: only an "
		     "active key can be rolled.</p>", k->prefix);
	} else if (k->replaced_by.set) {
		html(h, "<p class=\"notice\">The key <code>%s…</code> has been rolled already: "
		     "roll the key that replaced it.</p>", k->prefix);
	} else {
		html(h, "<p>A new key with the same name replaces <code>%s…</code>; its secret is "
		     "shown once on the next page. The old key keeps working until the end of the "
		     "grace period you choose, then it is refused with 401.</p>"
		     "<form id=\"roll\" method=\"post\" action=\"/dashboard/keys/%s/roll\">"
		     "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
		     "<input type=\"hidden\" name=\"org\" value=\"%s\">"
		     "<label>The old key stops working <select name=\"grace\">",
		     k->prefix, id, f->csrf, f->org != NULL ? f->org : "");
		for (size_t i = 0; i < PAGE_GRACE_CHOICES; i++)
			html(h, "<option value=\"%u\"%s>%s</option>", page_grace[i].seconds,
			     i == 0 ? " selected" : "", page_grace[i].label);
		html(h, "</select></label> <button type=\"submit\" id=\"confirm-roll\">Roll key"
		     "</button></form>");
	}
	back_link(h, f, "Cancel");
	page_end(h);
}

/* One audit event as a row: when, what, who, on what, from where, details. */
static void
event_row(struct html *h, const struct store_audit_event *e, int64_t now)
{
	char actor[UUID_TEXT_LEN + 1] = "", target[UUID_TEXT_LEN + 1] = "";

	if (e->actor_account.set)
		uuid_format(e->actor_account.id, actor);
	if (e->target.set)
		uuid_format(e->target.id, target);
	html(h, "<tr class=\"event\" data-action=\"%s\"><td class=\"when\">", e->action);
	time_cell(h, e->created_at, now, true);
	html(h, "</td><td class=\"action\"><code>%s</code></td>"
	     "<td class=\"actor\">%s <code>%s</code></td>"
	     "<td class=\"target\">%s <code>%s</code></td>"
	     "<td class=\"client\" title=\"%s\">%s</td>"
	     "<td class=\"details\"><code>%s</code></td></tr>",
	     e->action, e->actor_type, actor, e->target_type, target, e->user_agent,
	     e->client_address, e->details);
}

void
page_activity(struct html *h, const struct page_activity *p)
{
	const struct page_frame *f = p->frame;

	page_begin(h, f);
	html(h, "<h1>Activity <small>%s</small></h1>", p->context_name);
	html(h, "<form id=\"activity-filters\" method=\"get\" action=\"/dashboard/activity\">"
	     "<input type=\"hidden\" name=\"org\" value=\"%s\">"
	     "<label>Action <select name=\"action\"><option value=\"\">Any</option>",
	     f->org != NULL ? f->org : "");
	for (size_t i = 0; audit_action_names[i] != NULL; i++)
		html(h, "<option%s>%s</option>", strcmp(p->action, audit_action_names[i]) == 0 ?
		     " selected" : "", audit_action_names[i]);
	html(h, "</select></label> <label>Target id <input type=\"text\" name=\"target_id\" "
	     "value=\"%s\" size=\"36\"></label> <label>Since <input type=\"text\" name=\"since\" "
	     "value=\"%s\" placeholder=\"2026-11-26T12:00:00Z\"></label> <label>Until "
	     "<input type=\"text\" name=\"until\" value=\"%s\" "
	     "placeholder=\"2026-11-26T13:00:00Z\"></label> "
	     "<button type=\"submit\">Filter</button></form>",
	     p->target_id, p->since, p->until);
	if (p->error != NULL)
		html(h, "<p class=\"error\" role=\"alert\">%s</p>", p->error);
	if (p->nevents == 0) {
		html(h, "<p class=\"empty\">No events here%s.</p>",
		     p->action[0] || p->target_id[0] || p->since[0] || p->until[0] ?
		     " with these filters" : " yet");
	} else {
		html(h, "<table id=\"events\"><thead><tr><th>When</th><th>Action</th><th>Actor</th>"
		     "<th>Target</th><th>Client</th><th>Details</th></tr></thead><tbody>");
		for (unsigned i = 0; i < p->nevents; i++)
			event_row(h, &p->events[i], p->now);
		html(h, "</tbody></table>");
	}
	if (p->paged || p->older != NULL) {
		html(h, "<nav class=\"pages\">");
		if (p->paged) {
			html(h, "<a href=\"/dashboard/activity");
			context_query(h, f->org, NULL);
			html(h, "\">Newest events</a> ");
		}
		if (p->older != NULL)
			html(h, "<a id=\"older\" href=\"/dashboard/activity?%s\">Older events</a>",
			     p->older);
		html(h, "</nav>");
	}
	page_end(h);
}

void
page_message(struct html *h, const struct page_frame *f, const char *heading,
             const char *text, bool error)
{
	page_begin(h, f);
	html(h, "<h1>%s</h1><p class=\"%s\">%s</p>", heading, error ? "error" : "notice", text);
	if (f != NULL)
		back_link(h, f, "Back to API Keys");
	else
		html(h, "<p><a class=\"back\" href=\"/dashboard/login\">Log in</a></p>");
	page_end(h);
}
