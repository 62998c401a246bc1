/* /dashboard/keys: the API Keys page, creating, showing a new secret, revoking, rolling. */
#include "dash.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "base/timefmt.h"
#include "base/validate.h"
#include "core/keyops.h"
#include "core/usage.h"

#define PAGE_KEYS 50

/* The keys page; with error set, the create form's refusal (400). */
static void
send_keys(struct dash *d, const struct dash_user *u, int status, const char *error,
          const char *name)
{
	/* Workers serve one request at a time: the rows live outside the stack. */
	static struct store_key keys[PAGE_KEYS + 1];
	static uint64_t usage[PAGE_KEYS][PAGE_CHART_DAYS], refused[PAGE_KEYS][PAGE_CHART_DAYS];
	static char leak_url[PAGE_KEYS][STORE_LEAK_URL_MAX + 1];
	const struct request_str *rv = request_query(d->req, "revoked");
	const struct request_str *after = request_query(d->req, "after");
	struct page_keys p = {.frame = &d->frame, .error = error, .name = name};
	struct store_cursor cur;
	uint8_t id[UUID_LEN];
	bool found = false;
	unsigned n = 0;
	struct html h;
	enum err e = ERR_NONE;

	p.now = d->now;
	p.today = d->now / TIMEFMT_DAY * TIMEFMT_DAY;
	p.show_revoked = d->req->method == METHOD_GET && rv != NULL && strcmp(rv->s, "1") == 0;
	/* A page cursor that is not one of the context's keys starts from the top. */
	if (d->req->method == METHOD_GET && after != NULL &&
	    uuid_parse(after->s, after->len, id) == 0) {
		e = keyops_cursor(d->env->db, &u->ctx->scope, id, &cur);
		found = e == ERR_NONE;
		if (e == ERR_NOT_FOUND)
			e = ERR_NONE;
	}
	if (e == ERR_NONE)
		e = keyops_list(d->env->db, &u->ctx->scope, found ? &cur : NULL, p.show_revoked,
		                d->now, PAGE_KEYS + 1, keys, &n);
	p.has_more = n > PAGE_KEYS;
	p.nkeys = n > PAGE_KEYS ? PAGE_KEYS : n;
	for (unsigned i = 0; e == ERR_NONE && i < p.nkeys; i++)
		e = usage_history(d->env->db, keys[i].id, d->now, PAGE_CHART_DAYS, usage[i],
		                  refused[i]);
	/* Where leaked keys were found: one read a leaked key (rare, and behind "Show revoked"). */
	for (unsigned i = 0; e == ERR_NONE && i < p.nkeys; i++) {
		leak_url[i][0] = '\0';
		if (keys[i].revoked && keys[i].revoked_reason == REASON_LEAKED)
			e = keyops_leak_url(d->env->db, keys[i].id, leak_url[i]);
	}
	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return;
	}
	p.keys = keys;
	p.usage = (const uint64_t (*)[PAGE_CHART_DAYS])usage;
	p.refused = (const uint64_t (*)[PAGE_CHART_DAYS])refused;
	p.leak_url = (const char (*)[STORE_LEAK_URL_MAX + 1])leak_url;
	p.paged = found;
	p.context_name = u->ctx->is_org ? u->ctx->org.name : "Personal";
	p.role = u->ctx->role;
	html_init(&h);
	page_keys(&h, &p);
	dash_send_page(d, status, &h);
}

void
dash_keys_page(struct dash *d, const struct dash_user *u)
{
	send_keys(d, u, 200, NULL, NULL);
}

void
dash_key_create(struct dash *d, const struct dash_user *u)
{
	const struct request_str *field_name = dash_field(d, "name");
	char path[96], name[STORE_NAME_MAX + 1];
	struct sessions_waiting w = {u->token, u->sid, d->now};
	struct audit_origin o;
	struct store_key k;
	size_t start = 0, len = 0;
	enum err e;

	if (!validate_name(field_name->s, field_name->len, &start, &len)) {
		send_keys(d, u, 400, "A key name needs 1 to 100 characters, without control "
		          "characters.", field_name->s);
		return;
	}
	memcpy(name, field_name->s + start, len);
	name[len] = '\0';
	/* The secret waits for the next page, sealed for this browser only. */
	dash_origin(d, u, &o);
	e = sessions_create_key(d->env->db, d->env->cfg->pepper, u->ctx, &w, name, &o, &k);
	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return;
	}
	dash_context_path(d, "/dashboard/keys/created", NULL, path, sizeof(path));
	dash_redirect(d, path);
}

/*
 * The newest secret waiting in this context, shown once (core/sessions.h
 * takes it before it is shown). Others waiting (two tabs, a double click)
 * stay for the next load.
 */
void
dash_key_created(struct dash *d, const struct dash_user *u)
{
	char secret[TOKENS_SEAL_MAX];
	uint8_t key_id[UUID_LEN];
	struct store_key k, old;
	bool found = false, more = false;
	struct html h;
	enum err e;

	e = sessions_take_secret(d->env->db, u->token, u->sid, u->ctx->scope.owner, key_id, secret,
	                         &found, &more);
	if (e == ERR_NONE && found)
		e = keyops_get(d->env->db, &u->ctx->scope, key_id, &k);
	/* A rolled key's page tells when the key it replaces stops working. */
	if (e == ERR_NONE && found && k.rolled_from.set)
		e = keyops_get(d->env->db, &u->ctx->scope, k.rolled_from.id, &old);
	if (e == ERR_NOT_FOUND)
		found = false;      /* not this context's: nothing to show here */
	else if (e != ERR_NONE) {
		dash_send_failure(d, e);
		goto done;
	}
	if (!found) {
		dash_send_message(d, 410, "Secret already shown",
		                  "A key's secret is shown only once, right after it is created. If "
		                  "you did not copy it, revoke the key and create a new one.");
		goto done;
	}
	html_init(&h);
	page_secret(&h, &(struct page_secret){&d->frame, &k, k.rolled_from.set ? &old : NULL,
	                                      secret, more, d->now});
	dash_send_page(d, 200, &h);
done:
	sodium_memzero(secret, sizeof(secret));
}

/* The key of the path's {id}, visible in the context; else a 404 page. */
static bool
path_key(struct dash *d, const struct dash_user *u, struct store_key *k)
{
	const struct request_str *seg = &d->req->seg[2];
	enum err e = keyops_find(d->env->db, &u->ctx->scope, seg->s, seg->len, k);

	if (e == ERR_NOT_FOUND)
		dash_send_message(d, 404, "Not found", "There is no such key in this context.");
	else if (e != ERR_NONE)
		dash_send_failure(d, e);
	return e == ERR_NONE;
}

void
dash_revoke_confirm(struct dash *d, const struct dash_user *u)
{
	struct store_key k;
	struct html h;

	if (!path_key(d, u, &k))
		return;
	html_init(&h);
	page_revoke(&h, &d->frame, &k);
	dash_send_page(d, 200, &h);
}

void
dash_revoke(struct dash *d, const struct dash_user *u)
{
	struct audit_origin o;
	struct store_key k;
	char path[96];
	enum err e;

	if (!path_key(d, u, &k))
		return;
	dash_origin(d, u, &o);
	if ((e = keyops_revoke(d->env->db, &u->ctx->scope, &k, d->now, &o)) != ERR_NONE) {
		dash_send_failure(d, e);
		return;
	}
	dash_context_path(d, "/dashboard/keys", "revoked=1", path, sizeof(path));
	dash_redirect(d, path);
}

void
dash_roll_confirm(struct dash *d, const struct dash_user *u)
{
	struct store_key k;
	struct html h;

	if (!path_key(d, u, &k))
		return;
	html_init(&h);
	page_roll(&h, &d->frame, &k, d->now);
	dash_send_page(d, 200, &h);
}

/* The form's grace period: one of the page's choices (PAGE_GRACE_CHOICES). */
static bool
grace_field(const struct request_str *v, unsigned *grace)
{
	for (size_t i = 0; i < PAGE_GRACE_CHOICES; i++) {
		char text[16];

		snprintf(text, sizeof(text), "%u", page_grace[i].seconds);
		if (v->len == strlen(text) && memcmp(v->s, text, v->len) == 0) {
			*grace = page_grace[i].seconds;
			return true;
		}
	}
	return false;
}

void
dash_roll(struct dash *d, const struct dash_user *u)
{
	struct sessions_waiting w = {u->token, u->sid, d->now};
	struct audit_origin o;
	struct store_key old, k;
	unsigned grace = 0;
	char path[96];
	enum err e;

	if (!path_key(d, u, &old))
		return;
	if (!grace_field(dash_field(d, "grace"), &grace)) {
		dash_send_message(d, 400, "Bad request", "Choose when the old key stops working.");
		return;
	}
	/* The new secret waits for the created page, sealed for this browser only. */
	dash_origin(d, u, &o);
	e = sessions_roll_key(d->env->db, d->env->cfg->pepper, &w, &old, grace, &o, &k);
	if (e == ERR_ROLL_REVOKED || e == ERR_API_KEY_ALREADY_ROLLED) {
		dash_send_message(d, 409, "Cannot roll this key", e == ERR_ROLL_REVOKED ?
		                  "This key is revoked: only an active key can be rolled." :
		                  "This key has been rolled already: roll the key that replaced it.");
		return;
	}
	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return;
	}
	dash_context_path(d, "/dashboard/keys/created", NULL, path, sizeof(path));
	dash_redirect(d, path);
}

