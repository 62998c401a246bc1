/* /dashboard: routes and handlers of the HTML dashboard (docs/dashboard.md). */
#include "dashboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <arpa/inet.h>
#include <sodium.h>

#include "core/keyops.h"
#include "core/result.h"
#include "core/usage.h"
#include "base/log.h"
#include "base/tokens.h"
#include "base/timefmt.h"
#include "base/validate.h"
#include "data/store_web.h"

#define SECOND           TIMEFMT_SECOND
#define IDLE_TIMEOUT     (30 * 60 * SECOND)
#define ABSOLUTE_TIMEOUT (12 * 3600 * SECOND)
#define TOUCH_EVERY      (60 * SECOND)     /* last use written at most once a minute */
#define PAGE_KEYS        50
#define MAX_ORGS         100
#define EMAIL_MAX        254
#define PASSWORD_MAX     1024
#define DAY              TIMEFMT_DAY

#define SESSION_COOKIE "ps_session"
#define LOGIN_COOKIE   "ps_login"
#define COOKIE_ATTRS   "; Path=/dashboard; HttpOnly; SameSite=Strict"

static const char csp[] =
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/*
 * A valid argon2id hash of a random password nobody knows: a log-in for an
 * e-mail without an account (or without a password) verifies against it, so
 * that it costs the same time as a real one.
 */
static const char dummy_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$"
	"s2LpMXG/zyQM63SASezPSw$L6CYOpGLmtAxn9Ra3P7tY+j3oV/r7JxOX2hdfHn06j8";

/* One request through the dashboard. */
struct dash {
	struct api_env *env;
	const struct request *req;
	struct response *resp;
	int64_t now;

	/* The session, when the browser holds a live one. */
	bool signed_in;
	bool expired;                      /* it held one that timed out */
	uint8_t token[TOKENS_LEN];
	uint8_t sid[TOKENS_ID_LEN];
	struct store_session sess;
	char csrf[TOKENS_TEXT_LEN + 1];

	/* A POST's fields. */
	struct request_form *form;

	/* The context: personal, or an organization. */
	struct auth_context ctx;
	char org[UUID_TEXT_LEN + 1];       /* its id, when is_org */
	struct store_account_org orgs[MAX_ORGS];
	unsigned norgs;
	struct page_frame frame;
};

/*
 * A signed-in browser. Only sign_in makes one, from a live session of an
 * active account; a page that needs one takes it as an argument, so that no
 * signed-in page can run without (the API's auth_principal, for browsers).
 */
struct dash_user {
	const uint8_t *sid;                /* the session's stored id */
	const uint8_t *token;              /* the cookie's token: CSRF, sealing */
	const struct store_account *account;
	const struct auth_context *ctx;    /* the page's context */
};

typedef void (*dash_handler)(struct dash *d);
typedef void (*dash_user_handler)(struct dash *d, const struct dash_user *u);

/* What a route needs before its handler runs. */
struct dash_route {
	dash_handler handle;               /* a public page, or */
	dash_user_handler handle_user;     /* a signed-in one: else 303 to the log-in page */
	bool session;                      /* a public page that looks at the session */
	bool context;                      /* resolves org (query or form) */
};

static void login_form(struct dash *d);
static void login(struct dash *d);
static void logout(struct dash *d, const struct dash_user *u);
static void home(struct dash *d);
static void keys_page(struct dash *d, const struct dash_user *u);
static void key_create(struct dash *d, const struct dash_user *u);
static void key_created(struct dash *d, const struct dash_user *u);
static void revoke_confirm(struct dash *d, const struct dash_user *u);
static void revoke(struct dash *d, const struct dash_user *u);
static void asset(struct dash *d);

static const struct dash_route
	r_home = {.handle = home},
	r_login_form = {.handle = login_form, .session = true},
	r_login = {.handle = login},
	r_logout = {.handle_user = logout},
	r_keys = {.handle_user = keys_page, .context = true},
	r_create = {.handle_user = key_create, .context = true},
	r_created = {.handle_user = key_created, .context = true},
	r_revoke_confirm = {.handle_user = revoke_confirm, .context = true},
	r_revoke = {.handle_user = revoke, .context = true},
	r_asset = {.handle = asset};

static const struct route routes[] = {
	{METHOD_GET, "/dashboard", &r_home},
	{METHOD_GET, "/dashboard/login", &r_login_form},
	{METHOD_POST, "/dashboard/login", &r_login},
	{METHOD_POST, "/dashboard/logout", &r_logout},
	{METHOD_GET, "/dashboard/keys", &r_keys},
	{METHOD_POST, "/dashboard/keys", &r_create},
	{METHOD_GET, "/dashboard/keys/created", &r_created},
	{METHOD_GET, "/dashboard/keys/{}/revoke", &r_revoke_confirm},
	{METHOD_POST, "/dashboard/keys/{}/revoke", &r_revoke},
	{METHOD_GET, "/dashboard/assets/{}", &r_asset},
};

/* ---- responses ---------------------------------------------------------------- */

/* The headers of every page: no framing, no inline script, no caching. */
static void
page_headers(struct response *resp)
{
	response_header(resp, "Content-Security-Policy", csp);
	response_header(resp, "X-Frame-Options", "DENY");
	response_header(resp, "Referrer-Policy", "same-origin");
}

/* Sends the document in h with status; the response takes it. */
static void
send_page(struct dash *d, int status, struct html *h)
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

/* A message page with the frame of the current session (if any). */
static void
send_message(struct dash *d, int status, const char *heading, const char *text)
{
	struct html h;

	html_init(&h);
	page_message(&h, d->signed_in ? &d->frame : NULL, heading, text, status >= 400);
	send_page(d, status, &h);
}

/* A failure of the store as the API answers it (core/result.h): 503 to retry, or 500. */
static void
send_failure(struct dash *d, enum err e)
{
	if (e == ERR_INTERNAL) {
		log_error("request %s: database error", d->resp->request_id);
		send_message(d, 500, "Internal error", "Something went wrong on our side.");
		return;
	}
	response_header(d->resp, "Retry-After", "1");
	send_message(d, 503, "Service unavailable",
	             "The service is briefly unavailable. Please try again in a moment.");
}

static void
send_db_failure(struct dash *d, enum db_status s)
{
	send_failure(d, result_db(s));
}

/* 303 to location (our own path: never input). */
static void
redirect(struct dash *d, const char *location)
{
	struct html h;

	html_init(&h);
	html(&h, "<!DOCTYPE html><title>See Other</title><a href=\"%s\">Continue</a>\n",
	     location);
	response_header(d->resp, "Location", location);
	send_page(d, 303, &h);
}

/* A path in the current context: "/dashboard/keys" + "?org=ID" + more ("&a=b"). */
static void
context_path(const struct dash *d, const char *path, const char *more, char *out, size_t cap)
{
	if (d->ctx.is_org) {
		snprintf(out, cap, "%s?org=%s%s%s", path, d->org, more ? "&" : "", more ? more : "");
	} else {
		snprintf(out, cap, "%s%s%s", path, more ? "?" : "", more ? more : "");
	}
}

static void
set_cookie(struct dash *d, const char *name, const char *value, bool clear)
{
	char line[256];

	snprintf(line, sizeof(line), "%s=%s" COOKIE_ATTRS "%s%s", name, value,
	         d->req->https || d->env->cfg->secure_cookies ? "; Secure" : "",
	         clear ? "; Max-Age=0" : "");
	response_header(d->resp, "Set-Cookie", line);
}

/* ---- the session ---------------------------------------------------------------- */

/* The token a cookie holds (the session's, the pre-login one): false if absent or malformed. */
static bool
cookie_token(const struct dash *d, const char *name, uint8_t tok[TOKENS_LEN])
{
	struct request_str v;

	return request_cookie(d->req, name, &v) && tokens_parse(v.s, v.len, tok);
}

/* Reads the session cookie; signed_in when it names a live session of an active account. */
static enum db_status
load_session(struct dash *d)
{
	bool found = false;
	enum db_status rc;

	if (!cookie_token(d, SESSION_COOKIE, d->token))
		return DB_OK;
	tokens_id(d->token, d->sid);
	if ((rc = store_session_get(d->env->db, d->sid, &d->sess, &found)) != DB_OK || !found)
		return rc;
	if (!d->sess.account.is_active || d->now - d->sess.last_seen_at > IDLE_TIMEOUT ||
	    d->now - d->sess.created_at > ABSOLUTE_TIMEOUT) {
		d->expired = d->sess.account.is_active;
		return store_session_delete(d->env->db, d->sid);
	}
	if (d->now - d->sess.last_seen_at >= TOUCH_EVERY &&
	    (rc = store_session_touch(d->env->db, d->sid, d->now)) != DB_OK)
		return rc;
	d->signed_in = true;
	tokens_csrf(d->token, d->csrf);
	return DB_OK;
}

static const struct request_str *
field(const struct dash *d, const char *name)
{
	static const struct request_str empty = {"", 0};
	const struct request_str *v = d->form ? request_form_get(d->form, name) : NULL;

	return v ? v : &empty;
}

/* The form's csrf field against the token it must derive from. */
static bool
csrf_ok(const struct dash *d, const uint8_t tok[TOKENS_LEN])
{
	const struct request_str *v = field(d, "csrf");

	return tokens_csrf_check(tok, v->s, v->len);
}

/* ---- the context ------------------------------------------------------------------- */

/* The organization of the query (GET) or the form (POST); the frame for the page. */
static bool
resolve_context(struct dash *d)
{
	const struct request_str *v = d->req->method == METHOD_POST ? field(d, "org")
	                              : request_query(d->req, "org");
	uint8_t org_id[UUID_LEN];
	enum db_status rc;
	enum err e;

	rc = store_account_orgs(d->env->db, d->sess.account.id, d->orgs, MAX_ORGS, &d->norgs);
	if (rc != DB_OK) {
		send_db_failure(d, rc);
		return false;
	}
	/* The switcher shows on the refusals below too: the way out of a wrong context. */
	d->frame.orgs = d->orgs;
	d->frame.norgs = d->norgs;
	if (v != NULL && v->len > 0 && uuid_parse(v->s, v->len, org_id) != 0) {
		send_message(d, 400, "Bad request", "That is not an organization id.");
		return false;
	}
	e = auth_context_account(d->env->db, d->sess.account.id,
	                         v != NULL && v->len > 0 ? org_id : NULL, &d->ctx);
	if (e == ERR_NOT_ORGANIZATION_MEMBER) {
		send_message(d, 403, "Not a member",
		             "You are not an active member of that organization.");
		return false;
	}
	if (e != ERR_NONE) {
		send_failure(d, e);
		return false;
	}
	if (d->ctx.is_org) {
		uuid_format(d->ctx.org.id, d->org);
		d->frame.org = d->org;
	}
	return true;
}

/* ---- log-in and log-out ----------------------------------------------------------------- */

static void
home(struct dash *d)
{
	redirect(d, "/dashboard/keys");
}

/* The log-in form, bound to the pre-login cookie (reused when the browser has one). */
static void
send_login(struct dash *d, int status, const char *email, const char *error)
{
	uint8_t tok[TOKENS_LEN];
	char text[TOKENS_TEXT_LEN + 1], csrf[TOKENS_TEXT_LEN + 1];
	struct html h;

	if (!cookie_token(d, LOGIN_COOKIE, tok)) {
		tokens_new(tok);
		tokens_text(tok, text);
		set_cookie(d, LOGIN_COOKIE, text, false);
	}
	tokens_csrf(tok, csrf);
	html_init(&h);
	page_login(&h, csrf, email, error,
	           d->expired || request_query(d->req, "expired") != NULL ?
	           "Your session has ended. Please log in again." : NULL);
	send_page(d, status, &h);
	sodium_memzero(tok, sizeof(tok));
}

static void
login_form(struct dash *d)
{
	if (d->signed_in)
		redirect(d, "/dashboard/keys");
	else
		send_login(d, 200, NULL, NULL);
}

/* A throttle subject: a hash of what it counts (an account, an e-mail, an address, a pair). */
static void
subject(const char *kind, const void *value, size_t len, uint8_t out[STORE_SUBJECT_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, STORE_SUBJECT_LEN);
	crypto_generichash_update(&st, (const uint8_t *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const uint8_t *)value, len);
	crypto_generichash_final(&st, out, STORE_SUBJECT_LEN);
}

/* The subjects of a log-in: the account (or the e-mail), the client's address, and both. */
struct login_subjects {
	uint8_t account[STORE_SUBJECT_LEN], address[STORE_SUBJECT_LEN], pair[STORE_SUBJECT_LEN];
};

/*
 * The client's address as the throttle counts it: IPv6 by its /64, which one
 * client usually holds whole (counting each address would give it 2^64
 * counters); IPv4, and IPv4 mapped into IPv6, by the address.
 */
static void
address_subject(const char *addr, uint8_t out[STORE_SUBJECT_LEN])
{
	struct in6_addr a6;

	if (inet_pton(AF_INET6, addr, &a6) == 1 && !IN6_IS_ADDR_V4MAPPED(&a6))
		subject("address6", a6.s6_addr, 8, out);
	else
		subject("address", addr, strlen(addr), out);
}

/*
 * Counted per account when there is one (account: its id, else NULL), so that
 * no other spelling of its e-mail (MariaDB folds case across Unicode) gets a
 * counter of its own; else per e-mail as typed, so that unknown e-mails behave
 * alike.
 */
static void
login_subjects(const struct dash *d, const uint8_t *account, const char *email,
               struct login_subjects *s)
{
	uint8_t both[2 * STORE_SUBJECT_LEN];

	if (account != NULL)
		subject("account", account, UUID_LEN, s->account);
	else
		subject("email", email, strlen(email), s->account);
	address_subject(d->req->remote_addr ? d->req->remote_addr : "", s->address);
	memcpy(both, s->account, STORE_SUBJECT_LEN);
	memcpy(both + STORE_SUBJECT_LEN, s->address, STORE_SUBJECT_LEN);
	subject("pair", both, sizeof(both), s->pair);
}

/* An e-mail an account could have: 1 to 254 bytes without whitespace or controls. */
static bool
plausible_email(const struct request_str *e)
{
	if (e->len == 0 || e->len > EMAIL_MAX)
		return false;
	for (size_t i = 0; i < e->len; i++)
		if ((unsigned char)e->s[i] <= ' ' || e->s[i] == 0x7f)
			return false;
	return true;
}

/*
 * Counts this attempt against the subject before the password is checked:
 * one atomic increment, then the count, so that of any number of attempts at
 * once no more than `limit` get through (a check before and a count after
 * would let a burst pass). *wait: the seconds until the window ends when this
 * attempt is over the limit, else 0.
 */
static enum db_status
count_attempt(struct dash *d, const uint8_t subj[STORE_SUBJECT_LEN], unsigned limit,
              int64_t *wait)
{
	int64_t start = 0, window = (int64_t)d->env->cfg->login_window_seconds * SECOND;
	unsigned attempts = 0;
	enum db_status rc = store_throttle_count(d->env->db, subj, d->now, d->now - window);

	if (rc == DB_OK)
		rc = store_throttle_get(d->env->db, subj, &start, &attempts);
	*wait = 0;
	if (rc == DB_OK && attempts > limit && start + window > d->now)
		*wait = (start + window - d->now + SECOND - 1) / SECOND;
	return rc;
}

/*
 * The right password: the attempt was no failure after all. The address's
 * other attempts at the account are forgotten, not the account's: those may be
 * an attacker's, who would otherwise get a fresh count at each of the owner's
 * log-ins.
 */
static enum db_status
forgive_attempt(struct dash *d, const struct login_subjects *s)
{
	enum db_status rc = store_throttle_clear(d->env->db, s->pair);

	if (rc == DB_OK)
		rc = store_throttle_forgive(d->env->db, s->account);
	return rc == DB_OK ? store_throttle_forgive(d->env->db, s->address) : rc;
}

/* The log-in form again, with 429 and Retry-After: wait seconds. */
static void
send_throttled(struct dash *d, const char *email, int64_t wait)
{
	char retry[24];

	snprintf(retry, sizeof(retry), "%lld", (long long)wait);
	response_header(d->resp, "Retry-After", retry);
	send_login(d, 429, email, "Too many failed log-ins. Please wait a minute and try again.");
}

/*
 * Whether this attempt's password may be checked; if not, the answer is sent.
 * In an order that keeps login_throttle small and lets an account's owner in
 * while others fail at it (docs/dashboard.md):
 *
 *  1. a few windows that have ended are deleted, anyone's;
 *  2. the client's address is counted: over its limit, 429 before anything is
 *     counted for the e-mail, so that an address adds rows for at most
 *     login_failures_per_address e-mails a window;
 *  3. a verification slot is taken (*slot), else 503 and the attempt is taken
 *     back: it was not checked;
 *  4. the account and the pair (account, address) are counted: over the
 *     account's limit, only the address's first attempt at it in the window is
 *     checked, so that an attacker gets one guess per address and window while
 *     the owner, from another address, can still log in.
 */
static bool
login_gate(struct dash *d, const struct login_subjects *s, const char *email, int *slot)
{
	const struct config *cfg = d->env->cfg;
	int64_t wait = 0, wait_pair = 0;
	enum db_status rc;

	/*
	 * Housekeeping, unchecked: a lock conflict with another attempt's prune
	 * must refuse no log-in, and a lost database fails the count below.
	 */
	store_throttle_prune(d->env->db, d->now - (int64_t)cfg->login_window_seconds * SECOND);
	rc = count_attempt(d, s->address, cfg->login_failures_per_address, &wait);
	if (rc != DB_OK || wait > 0)
		goto refuse;
	*slot = verifyslot_take(&d->env->slots);
	if (*slot == VERIFYSLOT_BUSY) {
		/* Unchecked: the answer is 503 whether or not the count is taken back. */
		store_throttle_forgive(d->env->db, s->address);
		response_header(d->resp, "Retry-After", "1");
		send_login(d, 503, email, "Too many log-ins are being checked right now. Please try "
		           "again in a moment.");
		return false;
	}
	rc = count_attempt(d, s->account, cfg->login_failures_per_account, &wait);
	if (rc == DB_OK)
		rc = count_attempt(d, s->pair, 1, &wait_pair);
	/* Refused only when both say so; free again when either window ends. */
	wait = wait < wait_pair ? wait : wait_pair;
	if (rc == DB_OK && wait == 0)
		return true;
	verifyslot_release(*slot);
	*slot = VERIFYSLOT_OFF;
refuse:
	if (rc != DB_OK)
		send_db_failure(d, rc);
	else
		send_throttled(d, email, wait);
	return false;
}

/* Starts a session for the account: cookie, row, redirect. */
static void
start_session(struct dash *d, const uint8_t account[UUID_LEN])
{
	uint8_t tok[TOKENS_LEN], sid[TOKENS_ID_LEN];
	char text[TOKENS_TEXT_LEN + 1];
	enum db_status rc;

	/* Each log-in clears away some sessions that ended on their own, anyone's. */
	rc = store_session_prune(d->env->db, d->now - IDLE_TIMEOUT);
	tokens_new(tok);
	tokens_id(tok, sid);
	if (rc == DB_OK)
		rc = store_session_insert(d->env->db, sid, account, d->now);
	if (rc != DB_OK) {
		send_db_failure(d, rc);
		goto done;
	}
	tokens_text(tok, text);
	set_cookie(d, SESSION_COOKIE, text, false);
	set_cookie(d, LOGIN_COOKIE, "", true);
	redirect(d, "/dashboard/keys");
	sodium_memzero(text, sizeof(text));
done:
	sodium_memzero(tok, sizeof(tok));
}

static void
login(struct dash *d)
{
	const struct request_str *email = field(d, "email"), *pw = field(d, "password");
	uint8_t pre_tok[TOKENS_LEN];
	struct login_subjects subj;
	struct store_login acct;
	char lower[EMAIL_MAX + 1];
	int slot = VERIFYSLOT_OFF;
	bool found = false, ok;
	enum db_status rc;

	memset(&acct, 0, sizeof(acct));
	if (!cookie_token(d, LOGIN_COOKIE, pre_tok) || !csrf_ok(d, pre_tok)) {
		send_login(d, 403, NULL, "Your log-in form expired. Please try again.");
		return;
	}
	for (size_t i = 0; i < email->len && i < EMAIL_MAX; i++)
		lower[i] = (char)((email->s[i] >= 'A' && email->s[i] <= 'Z') ? email->s[i] | 0x20
		                                                           : email->s[i]);
	lower[email->len < EMAIL_MAX ? email->len : EMAIL_MAX] = '\0';
	if (plausible_email(email) &&
	    (rc = store_login_by_email(d->env->db, lower, &acct, &found)) != DB_OK)
		goto db_fail;
	login_subjects(d, found ? acct.account_id : NULL, lower, &subj);
	if (!login_gate(d, &subj, email->s, &slot))
		return;
	if (!found || acct.password_hash[0] == '\0')
		snprintf(acct.password_hash, sizeof(acct.password_hash), "%s", dummy_hash);
	/* The same work whether or not the account exists: no enumeration by time. */
	ok = pw->len <= PASSWORD_MAX &&
	     crypto_pwhash_str_verify(acct.password_hash, pw->s, pw->len) == 0 && found;
	verifyslot_release(slot);
	if (!ok) {
		send_login(d, 403, email->s, "Incorrect e-mail or password.");
		return;
	}
	if ((rc = forgive_attempt(d, &subj)) != DB_OK)
		goto db_fail;
	if (!acct.is_active) {
		send_login(d, 403, email->s, "This account is deactivated. Contact your "
		           "administrator.");
		return;
	}
	start_session(d, acct.account_id);
	return;
db_fail:
	send_db_failure(d, rc);
}

static void
logout(struct dash *d, const struct dash_user *u)
{
	enum db_status rc = store_session_delete(d->env->db, u->sid);

	if (rc != DB_OK) {
		send_db_failure(d, rc);
		return;
	}
	set_cookie(d, SESSION_COOKIE, "", true);
	redirect(d, "/dashboard/login");
}

/* ---- keys ---------------------------------------------------------------------------- */

/* The keys page; with error set, the create form's refusal (400). */
static void
send_keys(struct dash *d, const struct dash_user *u, int status, const char *error,
          const char *name)
{
	/* Workers serve one request at a time: the rows live outside the stack. */
	static struct store_key keys[PAGE_KEYS + 1];
	static uint64_t usage[PAGE_KEYS][PAGE_CHART_DAYS];
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
	p.today = d->now / DAY * DAY;
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
		                PAGE_KEYS + 1, keys, &n);
	p.has_more = n > PAGE_KEYS;
	p.nkeys = n > PAGE_KEYS ? PAGE_KEYS : n;
	for (unsigned i = 0; e == ERR_NONE && i < p.nkeys; i++)
		e = usage_history(d->env->db, keys[i].id, d->now, PAGE_CHART_DAYS, usage[i]);
	if (e != ERR_NONE) {
		send_failure(d, e);
		return;
	}
	p.keys = keys;
	p.usage = (const uint64_t (*)[PAGE_CHART_DAYS])usage;
	p.paged = found;
	p.context_name = u->ctx->is_org ? u->ctx->org.name : "Personal";
	p.role = u->ctx->role;
	html_init(&h);
	page_keys(&h, &p);
	send_page(d, status, &h);
}

static void
keys_page(struct dash *d, const struct dash_user *u)
{
	send_keys(d, u, 200, NULL, NULL);
}

static void
key_create(struct dash *d, const struct dash_user *u)
{
	const struct request_str *field_name = field(d, "name");
	uint8_t sealed[TOKENS_SEAL_MAX];
	char secret[APIKEY_LEN + 1], path[96], name[STORE_NAME_MAX + 1];
	struct store_key k;
	size_t start = 0, len = 0, sealed_len;
	enum err e;

	if (!validate_name(field_name->s, field_name->len, &start, &len)) {
		send_keys(d, u, 400, "A key name needs 1 to 100 characters, without control "
		          "characters.", field_name->s);
		return;
	}
	memcpy(name, field_name->s + start, len);
	name[len] = '\0';
	/* The key and its waiting secret together: never a key whose secret nobody has. */
	e = result_db(db_begin(d->env->db));
	if (e == ERR_NONE)
		e = keyops_create(d->env->db, d->env->cfg->pepper, u->ctx, name, &k, secret);
	if (e == ERR_NONE) {
		/* The secret waits for the next page, sealed for this browser only. */
		sealed_len = tokens_seal(u->token, secret, strlen(secret), sealed);
		e = result_db(store_new_key_insert(d->env->db, u->sid, k.id, sealed, sealed_len,
		                                   d->now));
	}
	sodium_memzero(secret, sizeof(secret));
	if (e == ERR_NONE)
		e = result_db(db_commit(d->env->db));
	if (e != ERR_NONE) {
		db_rollback(d->env->db);
		send_failure(d, e);
		return;
	}
	context_path(d, "/dashboard/keys/created", NULL, path, sizeof(path));
	redirect(d, path);
}

/*
 * The newest secret waiting in this context, shown once: taken (deleted)
 * before it is shown, so that of two loads at once only one shows it. Others
 * waiting (two tabs, a double click) stay for the next load.
 */
static void
key_created(struct dash *d, const struct dash_user *u)
{
	char secret[TOKENS_SEAL_MAX];
	struct store_new_key nk;
	struct store_key k;
	bool waiting = false, more = false, taken = false;
	struct html h;
	enum err e;

	e = result_db(store_new_key_next(d->env->db, u->sid, u->ctx->scope.owner, &nk, &waiting,
	                                 &more));
	if (e == ERR_NONE && waiting)
		e = keyops_get(d->env->db, &u->ctx->scope, nk.key_id, &k);
	if (e == ERR_NONE && waiting)
		e = result_db(store_new_key_take(d->env->db, u->sid, nk.key_id, &taken));
	if (e == ERR_NOT_FOUND)
		e = ERR_NONE;   /* not this context's: nothing to show here */
	if (e != ERR_NONE) {
		send_failure(d, e);
		return;
	}
	if (!taken || tokens_open(u->token, nk.sealed, nk.sealed_len, secret) < 0) {
		send_message(d, 410, "Secret already shown",
		             "A key's secret is shown only once, right after it is created. If you "
		             "did not copy it, revoke the key and create a new one.");
		return;
	}
	html_init(&h);
	page_secret(&h, &d->frame, &k, secret, more);
	sodium_memzero(secret, sizeof(secret));
	send_page(d, 200, &h);
}

/* The key of the path's {id}, visible in the context; else a 404 page. */
static bool
path_key(struct dash *d, const struct dash_user *u, struct store_key *k)
{
	const struct request_str *seg = &d->req->seg[2];
	enum err e = keyops_find(d->env->db, &u->ctx->scope, seg->s, seg->len, k);

	if (e == ERR_NOT_FOUND)
		send_message(d, 404, "Not found", "There is no such key in this context.");
	else if (e != ERR_NONE)
		send_failure(d, e);
	return e == ERR_NONE;
}

static void
revoke_confirm(struct dash *d, const struct dash_user *u)
{
	struct store_key k;
	struct html h;

	if (!path_key(d, u, &k))
		return;
	html_init(&h);
	page_revoke(&h, &d->frame, &k);
	send_page(d, 200, &h);
}

static void
revoke(struct dash *d, const struct dash_user *u)
{
	struct store_key k;
	char path[96];
	enum err e;

	if (!path_key(d, u, &k))
		return;
	if ((e = keyops_revoke(d->env->db, &u->ctx->scope, &k, d->now)) != ERR_NONE) {
		send_failure(d, e);
		return;
	}
	context_path(d, "/dashboard/keys", "revoked=1", path, sizeof(path));
	redirect(d, path);
}

static void
asset(struct dash *d)
{
	const struct request_str *seg = &d->req->seg[2];
	const struct dash_asset *a = dash_asset(seg->s, seg->len);

	if (a == NULL) {
		send_message(d, 404, "Not found", "There is no such page.");
		return;
	}
	response_bytes(d->resp, 200, a->content_type, "max-age=3600", (char *)a->body,
	               strlen(a->body), false);
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
		send_message(d, 413, "Too large", "That form was too large.");
		return false;
	}
	if (!form_content_type(d->req->content_type)) {
		send_message(d, 415, "Unsupported form", "Forms must be sent as "
		             "application/x-www-form-urlencoded.");
		return false;
	}
	/* Set first: a form that fails half-way may hold a password decoded already. */
	d->form = &form;
	if (!request_form_parse(&form, d->req->body, d->req->body_len)) {
		send_message(d, 400, "Bad request", "That form could not be read.");
		return false;
	}
	return true;
}

static const struct dash_route *
route(struct dash *d)
{
	const struct route *match = NULL;
	char allow[64];

	switch (d->req->path_ok ? router_match(routes, sizeof(routes) / sizeof(routes[0]), d->req,
	                                       &match, allow, sizeof(allow))
	                        : ROUTER_NOT_FOUND) {
	case ROUTER_FOUND:
		return match->handler;
	case ROUTER_METHOD_NOT_ALLOWED:
		response_header(d->resp, "Allow", allow);
		send_message(d, 405, "Method not allowed", "This page does not take that method.");
		return NULL;
	default:
		send_message(d, 404, "Not found", "There is no such page.");
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
		any |= d->sess.account.id[i];
	if (!d->signed_in || any == 0)
		return NULL;
	u->sid = d->sid;
	u->token = d->token;
	u->account = &d->sess.account;
	u->ctx = &d->ctx;
	return u;
}

/* A signed-in page: CSRF on forms, the context, then the page. */
static void
serve_user(struct dash *d, const struct dash_route *r, const struct dash_user *u)
{
	/* Signed-in forms carry the session's token; the log-in form its own. */
	if (d->req->method == METHOD_POST && !csrf_ok(d, u->token)) {
		send_message(d, 403, "Form expired", "This form is no longer valid. Go back, "
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
	enum db_status rc;

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
	if ((r->session || r->handle_user != NULL) && (rc = load_session(d)) != DB_OK) {
		send_db_failure(d, rc);
		goto done;
	}
	d->frame.title = "API Keys";
	d->frame.account = &d->sess.account;
	d->frame.csrf = d->csrf;
	u = sign_in(d, &user);
	if (r->handle_user != NULL && u == NULL) {
		redirect(d, d->expired ? "/dashboard/login?expired=1" : "/dashboard/login");
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
	free(d);
}
