/*
 * dash: what the dashboard's files share (app/dashboard.c: routing, the
 * session gate, the context and responses; dashboard_login.c: log-in and
 * log-out; dashboard_keys.c: the key pages; dashboard_activity.c: the audit
 * log; dashboard_page.c: markup; dashboard_assets.c: stylesheet and script).
 * Private to app/dashboard*.c.
 *
 * A struct dash lives for one request and owns nothing it points to except
 * its form, which dashboard_serve wipes afterwards (passwords go through it).
 * Pages are built into a struct html that dash_send_page hands to the
 * response.
 */
#ifndef PS_DASH_H
#define PS_DASH_H

#include "dashboard.h"
#include "base/tokens.h"
#include "core/audit.h"
#include "core/auth.h"
#include "core/sessions.h"

#define DASH_SESSION_COOKIE "ps_session"
#define DASH_LOGIN_COOKIE   "ps_login"
#define DASH_MAX_ORGS       100

/* One request through the dashboard. */
struct dash {
	struct api_env *env;
	const struct request *req;
	struct response *resp;
	int64_t now;

	/* The session, when the browser holds one (live: signed in). */
	uint8_t token[TOKENS_LEN];
	struct sessions_live session;
	char csrf[TOKENS_TEXT_LEN + 1];

	/* A POST's fields. */
	struct request_form *form;

	/* The context: personal, or an organization. */
	struct auth_context ctx;
	char org[UUID_TEXT_LEN + 1];       /* its id, when is_org */
	struct store_account_org orgs[DASH_MAX_ORGS];
	unsigned norgs;
	struct page_frame frame;
};

/*
 * A signed-in browser. Only dashboard.c's sign_in makes one, from a live
 * session of an active account; a page that needs one takes it as an
 * argument, so that no signed-in page can run without (the API's
 * auth_principal, for browsers).
 */
struct dash_user {
	const uint8_t *sid;                /* the session's stored id */
	const uint8_t *token;              /* the cookie's token: CSRF, sealing */
	const struct store_account *account;
	const struct auth_context *ctx;    /* the page's context */
};

/* Pages: public ones take the request, signed-in ones the user too. */
void dash_home(struct dash *d);
void dash_login_form(struct dash *d);
void dash_login(struct dash *d);
void dash_logout(struct dash *d, const struct dash_user *u);
void dash_keys_page(struct dash *d, const struct dash_user *u);
void dash_key_create(struct dash *d, const struct dash_user *u);
void dash_key_created(struct dash *d, const struct dash_user *u);
void dash_revoke_confirm(struct dash *d, const struct dash_user *u);
void dash_revoke(struct dash *d, const struct dash_user *u);
void dash_roll_confirm(struct dash *d, const struct dash_user *u);
void dash_roll(struct dash *d, const struct dash_user *u);
void dash_activity_page(struct dash *d, const struct dash_user *u);
void dash_asset_page(struct dash *d);

/* The origin of the audit events this request writes: the user's session (NULL: a log-in). */
void dash_origin(const struct dash *d, const struct dash_user *u, struct audit_origin *o);

/* Responses: each sends the whole answer. */
void dash_send_page(struct dash *d, int status, struct html *h);
void dash_send_message(struct dash *d, int status, const char *heading, const char *text);
/* A core failure as the API answers it: 503 to retry, or 500. */
void dash_send_failure(struct dash *d, enum err e);
/* 303 to location (our own path: never input). */
void dash_redirect(struct dash *d, const char *location);
/* The log-in form, with status, a refilled e-mail and an error (both may be NULL). */
void dash_send_login(struct dash *d, int status, const char *email, const char *error);

/* A path in the current context: "/dashboard/keys" + "?org=ID" + more ("&a=b"). */
void dash_context_path(const struct dash *d, const char *path, const char *more, char *out,
                       size_t cap);
void dash_set_cookie(struct dash *d, const char *name, const char *value, bool clear);
/* The token a cookie holds (the session's, the pre-login one): false if absent or malformed. */
bool dash_cookie_token(const struct dash *d, const char *name, uint8_t tok[TOKENS_LEN]);
/* A field of the POST's form; "" when absent. */
const struct request_str *dash_field(const struct dash *d, const char *name);
/* The form's csrf field against the token it must derive from. */
bool dash_csrf_ok(const struct dash *d, const uint8_t tok[TOKENS_LEN]);

#endif
