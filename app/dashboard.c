/*
 * /dashboard: routing, the session gate, the context and the responses of
 * the HTML dashboard (docs/dashboard.md); the pages live in
 * dashboard_login.c and dashboard_keys.c, their markup in dashboard_page.c.
 *
 *   dashboard_serve: route → session → form → CSRF → context → page
 */
#include "dash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sodium.h>

#include "base/log.h"
#include "base/timefmt.h"

#define DASH_COOKIE_ATTRS "; Path=/dashboard; HttpOnly; SameSite=Strict"

typedef void (*dash_handler)(struct dash *d);
typedef void (*dash_user_handler)(struct dash *d, const struct dash_user *u);

/* What a route needs before its page runs. */
struct dash_route {
	dash_handler handle;               /* a public page, or */
	dash_user_handler handle_user;     /* a signed-in one: else 303 to the log-in page */
	bool session;                      /* a public page that looks at the session */
	bool context;                      /* resolves org (query or form) */
};

static const struct dash_route
	r_home = {.handle = dash_home},
	r_login_form = {.handle = dash_login_form, .session = true},
	r_login = {.handle = dash_login},
	r_logout = {.handle_user = dash_logout},
	r_keys = {.handle_user = dash_keys_page, .context = true},
	r_create = {.handle_user = dash_key_create, .context = true},
	r_created = {.handle_user = dash_key_created, .context = true},
	r_revoke_confirm = {.handle_user = dash_revoke_confirm, .context = true},
	r_revoke = {.handle_user = dash_revoke, .context = true},
	r_roll_confirm = {.handle_user = dash_roll_confirm, .context = true},
	r_roll = {.handle_user = dash_roll, .context = true},
	r_activity = {.handle_user = dash_activity_page, .context = true},
	r_asset = {.handle = dash_asset_page};

/* Every page of docs/dashboard.md. "{id}" is one path segment; the pattern is the template. */
static const struct route routes[] = {
	{METHOD_GET, "/dashboard", &r_home},
	{METHOD_GET, "/dashboard/login", &r_login_form},
	{METHOD_POST, "/dashboard/login", &r_login},
	{METHOD_POST, "/dashboard/logout", &r_logout},
	{METHOD_GET, "/dashboard/keys", &r_keys},
	{METHOD_POST, "/dashboard/keys", &r_create},
	{METHOD_GET, "/dashboard/keys/created", &r_created},
	{METHOD_GET, "/dashboard/keys/{id}/revoke", &r_revoke_confirm},
	{METHOD_POST, "/dashboard/keys/{id}/revoke", &r_revoke},
	{METHOD_GET, "/dashboard/keys/{id}/roll", &r_roll_confirm},
	{METHOD_POST, "/dashboard/keys/{id}/roll", &r_roll},
	{METHOD_GET, "/dashboard/activity", &r_activity},
	{METHOD_GET, "/dashboard/assets/{name}", &r_asset},
};

static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/* ---- responses ---------------------------------------------------------------- */

/* The headers of every page: no framing, no inline script, no caching. */
static void
page_headers(struct response *resp)
{
	response_header(resp, "Content-Security-Policy", csp);
	response_header(resp, "X-Frame-Options", "DENY");
	response_header(resp, "Referrer-Policy", "same-origin");
}

void
dash_send_page(struct dash *d, int status, struct html *h)
{
	size_t len = 0;
	char *doc = html_take(h, &len);

	if (doc == NULL) {
		log_error("request %s: out of memory building a page", d->resp->request_id);
		status = 500;
	}
	page_headers(d->resp);
	response_bytes(d->resp, status, "text/html; charset=utf-8", NULL,
	               doc ? doc : (char *)"", len, doc != NULL);
}

void
dash_send_message(struct dash *d, int status, const char *heading, const char *text)
{
	struct html h;

	html_init(&h);
	page_message(&h, d->session.live ? &d->frame : NULL, heading, text, status >= 400);
	dash_send_page(d, status, &h);
}

void
dash_send_failure(struct dash *d, enum err e)
{
	if (e == ERR_INTERNAL) {
		log_error("request %s: database error", d->resp->request_id);
		dash_send_message(d, 500, "Internal error", "Something went wrong on our side.");
		return;
	}
	response_header(d->resp, "Retry-After", "1");
	dash_send_message(d, 503, "Service unavailable",
	             "The service is briefly unavailable. Please try again in a moment.");
}

void
dash_redirect(struct dash *d, const char *location)
{
	struct html h;

	html_init(&h);
	html(&h, "<!DOCTYPE html><title>See Other</title><a href=\"%s\">Continue</a>\n",
	     location);
	response_header(d->resp, "Location", location);
	dash_send_page(d, 303, &h);
}

void
dash_context_path(const struct dash *d, const char *path, const char *more, char *out,
                  size_t cap)
{
	if (d->ctx.is_org) {
		snprintf(out, cap, "%s?org=%s%s%s", path, d->org, more ? "&" : "", more ? more : "");
	} else {
		snprintf(out, cap, "%s%s%s", path, more ? "?" : "", more ? more : "");
	}
}

void
dash_set_cookie(struct dash *d, const char *name, const char *value, bool clear)
{
	char line[256];

	snprintf(line, sizeof(line), "%s=%s" DASH_COOKIE_ATTRS "%s%s", name, value,
	         d->req->https || d->env->cfg->secure_cookies ? "; Secure" : "",
	         clear ? "; Max-Age=0" : "");
	response_header(d->resp, "Set-Cookie", line);
	explicit_bzero(line, sizeof(line));   /* a session's token */
}

void
dash_origin(const struct dash *d, const struct dash_user *u, struct audit_origin *o)
{
	audit_origin(o, AUDIT_BY_DASHBOARD, d->req->remote_addr, d->req->user_agent,
	             d->resp->request_id);
	if (u == NULL)
		return;
	o->account.set = true;
	memcpy(o->account.id, u->account->id, UUID_LEN);
	audit_session_ref(u->sid, &o->session);
}

/* ---- the session ---------------------------------------------------------------- */

bool
dash_cookie_token(const struct dash *d, const char *name, uint8_t tok[TOKENS_LEN])
{
	struct request_str v;

	return request_cookie(d->req, name, &v) && tokens_parse(v.s, v.len, tok);
}

/* Reads the session cookie: d->session.live when it names a live session of an active account. */
static enum err
load_session(struct dash *d)
{
	enum err e;

	if (!dash_cookie_token(d, DASH_SESSION_COOKIE, d->token))
		return ERR_NONE;
	e = sessions_load(d->env->db, d->token, d->now, &d->session);
	if (e == ERR_NONE && d->session.live)
		tokens_csrf(d->token, d->csrf);
	return e;
}

const struct request_str *
dash_field(const struct dash *d, const char *name)
{
	static const struct request_str empty = {"", 0};
	const struct request_str *v = d->form ? request_form_get(d->form, name) : NULL;

	return v ? v : &empty;
}

bool
dash_csrf_ok(const struct dash *d, const uint8_t tok[TOKENS_LEN])
{
	const struct request_str *v = dash_field(d, "csrf");

	return tokens_csrf_check(tok, v->s, v->len);
}

/* ---- the context ------------------------------------------------------------------- */

/* The organization of the query (GET) or the form (POST); the frame for the page. */
static bool
resolve_context(struct dash *d)
{
	const struct request_str *v = d->req->method == METHOD_POST ? dash_field(d, "org")
	                              : request_query(d->req, "org");
	uint8_t org_id[UUID_LEN];
	enum err e;

	e = auth_account_orgs(d->env->db, d->session.row.account.id, d->orgs, DASH_MAX_ORGS,
	                      &d->norgs);
	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return false;
	}
	/* The switcher shows on the refusals below too: the way out of a wrong context. */
	d->frame.orgs = d->orgs;
	d->frame.norgs = d->norgs;
	if (v != NULL && v->len > 0 && uuid_parse(v->s, v->len, org_id) != 0) {
		dash_send_message(d, 400, "Bad request", "That is not an organization id.");
		return false;
	}
	e = auth_context_account(d->env->db, d->session.row.account.id,
	                         v != NULL && v->len > 0 ? org_id : NULL, &d->ctx);
	if (e == ERR_NOT_ORGANIZATION_MEMBER) {
		dash_send_message(d, 403, "Not a member",
		             "You are not an active member of that organization.");
		return false;
	}
	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return false;
	}
	if (d->ctx.is_org) {
		uuid_format(d->ctx.org.id, d->org);
		d->frame.org = d->org;
		reqlog_note_org(d->env->entry, d->ctx.org.id);
	}
	return true;
}

void
dash_home(struct dash *d)
{
	dash_redirect(d, "/dashboard/keys");
}

/* ---- the request ----------------------------------------------------------------------- */

static bool
form_content_type(const char *ct)
{
	static const char want[] = "application/x-www-form-urlencoded";

	return ct != NULL && strncasecmp(ct, want, sizeof(want) - 1) == 0 &&
	       (ct[sizeof(want) - 1] == '\0' || ct[sizeof(want) - 1] == ';');
}

/* A POST's form, refused whole when it is not one. */
static bool
read_form(struct dash *d)
{
	/* 64 KiB: static, one request at a time; wiped after each use (passwords). */
	static struct request_form form;

	if (d->req->body_too_large) {
		dash_send_message(d, 413, "Too large", "That form was too large.");
		return false;
	}
	if (!form_content_type(d->req->content_type)) {
		dash_send_message(d, 415, "Unsupported form", "Forms must be sent as "
		             "application/x-www-form-urlencoded.");
		return false;
	}
	/* Set first: a form that fails half-way may hold a password decoded already. */
	d->form = &form;
	if (!request_form_parse(&form, d->req->body, d->req->body_len)) {
		dash_send_message(d, 400, "Bad request", "That form could not be read.");
		return false;
	}
	return true;
}

static const struct dash_route *
route(struct dash *d)
{
	const struct route *match = NULL;
	char allow[64];

	enum router_status rs = d->req->path_ok ?
		router_match(routes, sizeof(routes) / sizeof(routes[0]), d->req, &match, allow,
		             sizeof(allow)) : ROUTER_NOT_FOUND;

	reqlog_note_route(d->env->entry, match != NULL ? match->pattern : NULL);
	switch (rs) {
	case ROUTER_FOUND:
		return match->handler;
	case ROUTER_METHOD_NOT_ALLOWED:
		response_header(d->resp, "Allow", allow);
		dash_send_message(d, 405, "Method not allowed", "This page does not take that method.");
		return NULL;
	default:
		dash_send_message(d, 404, "Not found", "There is no such page.");
		return NULL;
	}
}

/*
 * The signed-in user of this request, or NULL: the one place a dash_user is
 * made. A session without an account id would be a bug: refused here.
 */
static const struct dash_user *
sign_in(struct dash *d, struct dash_user *u)
{
	uint8_t any = 0;

	for (size_t i = 0; i < UUID_LEN; i++)
		any |= d->session.row.account.id[i];
	if (!d->session.live || any == 0)
		return NULL;
	u->sid = d->session.id;
	u->token = d->token;
	u->account = &d->session.row.account;
	u->ctx = &d->ctx;
	reqlog_note_account(d->env->entry, d->session.row.account.id);
	return u;
}

/* A signed-in page: CSRF on forms, the context, then the page. */
static void
serve_user(struct dash *d, const struct dash_route *r, const struct dash_user *u)
{
	/* Signed-in forms carry the session's token; the log-in form its own. */
	if (d->req->method == METHOD_POST && !dash_csrf_ok(d, u->token)) {
		dash_send_message(d, 403, "Form expired", "This form is no longer valid. Go back, "
		             "reload the page and try again.");
		return;
	}
	if (r->context && !resolve_context(d))
		return;
	r->handle_user(d, u);
}

void
dashboard_serve(struct api_env *env, const struct request *req, struct response *resp)
{
	struct dash *d = calloc(1, sizeof(*d));
	const struct dash_route *r;
	struct dash_user user;
	const struct dash_user *u;
	enum err e;

	if (d == NULL) {
		response_error(resp, ERR_INTERNAL, NULL, NULL);
		return;
	}
	d->env = env;
	d->req = req;
	d->resp = resp;
	d->now = timefmt_now_us();
	if ((r = route(d)) == NULL)
		goto done;
	if ((r->session || r->handle_user != NULL) && (e = load_session(d)) != ERR_NONE) {
		dash_send_failure(d, e);
		goto done;
	}
	d->frame.title = "API Keys";
	d->frame.account = &d->session.row.account;
	d->frame.csrf = d->csrf;
	u = sign_in(d, &user);
	if (r->handle_user != NULL && u == NULL) {
		dash_redirect(d, d->session.expired ? "/dashboard/login?expired=1" : "/dashboard/login");
		goto done;
	}
	if (req->method == METHOD_POST && !read_form(d))
		goto done;
	if (r->handle_user != NULL)
		serve_user(d, r, u);
	else
		r->handle(d);
done:
	if (d->form != NULL)
		sodium_memzero(d->form, sizeof(*d->form));
	sodium_memzero(d->token, sizeof(d->token));
	sodium_memzero(d->csrf, sizeof(d->csrf));
	free(d);
}
