/* /dashboard/login and /dashboard/logout: the sign-in pages (docs/dashboard.md). */
#include "dash.h"

#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "core/throttle.h"

#define EMAIL_MAX    254
#define PASSWORD_MAX 1024

/*
 * A valid argon2id hash of a random password nobody knows: a log-in for an
 * e-mail without an account (or without a password) verifies against it, so
 * that it costs the same time as a real one.
 */
static const char dummy_hash[] =
	"$argon2id$v=19$m=65536,t=2,p=1$"
	"s2LpMXG/zyQM63SASezPSw$L6CYOpGLmtAxn9Ra3P7tY+j3oV/r7JxOX2hdfHn06j8";

/* Bound to the pre-login cookie (reused when the browser has one). */
void
dash_send_login(struct dash *d, int status, const char *email, const char *error)
{
	uint8_t tok[TOKENS_LEN];
	char text[TOKENS_TEXT_LEN + 1], csrf[TOKENS_TEXT_LEN + 1];
	struct html h;

	if (!dash_cookie_token(d, DASH_LOGIN_COOKIE, tok)) {
		tokens_new(tok);
		tokens_text(tok, text);
		dash_set_cookie(d, DASH_LOGIN_COOKIE, text, false);
	}
	tokens_csrf(tok, csrf);
	html_init(&h);
	page_login(&h, csrf, email, error,
	           d->session.expired || request_query(d->req, "expired") != NULL ?
	           "Your session has ended. Please log in again." : NULL);
	dash_send_page(d, status, &h);
	sodium_memzero(tok, sizeof(tok));
}


void
dash_login_form(struct dash *d)
{
	if (d->session.live)
		dash_redirect(d, "/dashboard/keys");
	else
		dash_send_login(d, 200, NULL, NULL);
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

/* The log-in form again, with 429 and Retry-After: wait seconds. */
static void
send_throttled(struct dash *d, const char *email, int64_t wait)
{
	char retry[24];

	snprintf(retry, sizeof(retry), "%lld", (long long)wait);
	response_header(d->resp, "Retry-After", retry);
	dash_send_login(d, 429, email, "Too many failed log-ins. Please wait a minute and try again.");
}

/*
 * The dashboard.login event of an attempt that did not sign in: outcome
 * "failed" or "throttled", the reason of a failure; account NULL for an
 * e-mail of no account. False when it could not be written (the failure is sent).
 */
static bool
record_refusal(struct dash *d, const uint8_t *account, const char *outcome, const char *reason)
{
	struct audit_origin o;
	struct audit_details det;
	enum err e;

	dash_origin(d, NULL, &o);
	audit_details_init(&det);
	audit_detail_str(&det, "outcome", outcome);
	if (reason != NULL)
		audit_detail_str(&det, "reason", reason);
	if ((e = audit_login(d->env->db, &o, account, d->now, &det)) != ERR_NONE)
		dash_send_failure(d, e);
	return e == ERR_NONE;
}

/*
 * Whether this attempt's password may be checked (core/throttle.h); if not,
 * the answer is sent. A refusal is recorded when it is the first of its
 * window (of the address, or of the address at this account).
 */
static bool
login_gate(struct dash *d, const struct throttle_subjects *s, const char *email,
           const uint8_t *account, int *slot)
{
	enum throttle_verdict v;
	int64_t wait = 0;
	bool first = false;
	enum err e = throttle_gate(d->env->db, d->env->cfg, &d->env->slots, s, d->now, &v, &wait,
	                           slot, &first);

	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return false;
	}
	if (v == THROTTLE_LIMITED && first && !record_refusal(d, account, "throttled", NULL))
		return false;
	switch (v) {
	case THROTTLE_CHECK:
		return true;
	case THROTTLE_BUSY:
		response_header(d->resp, "Retry-After", "1");
		dash_send_login(d, 503, email, "Too many log-ins are being checked right now. Please "
		                "try again in a moment.");
		return false;
	default:
		send_throttled(d, email, wait);
		return false;
	}
}

/* Starts a session for the account: cookie, row, redirect. */
static void
start_session(struct dash *d, const uint8_t account[UUID_LEN])
{
	uint8_t tok[TOKENS_LEN];
	char text[TOKENS_TEXT_LEN + 1];
	struct audit_origin o;
	enum err e;

	dash_origin(d, NULL, &o);
	e = sessions_start(d->env->db, account, d->now, &o, tok);
	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return;
	}
	tokens_text(tok, text);
	dash_set_cookie(d, DASH_SESSION_COOKIE, text, false);
	dash_set_cookie(d, DASH_LOGIN_COOKIE, "", true);
	dash_redirect(d, "/dashboard/keys");
	sodium_memzero(text, sizeof(text));
	sodium_memzero(tok, sizeof(tok));
}

void
dash_login(struct dash *d)
{
	const struct request_str *email = dash_field(d, "email"), *pw = dash_field(d, "password");
	uint8_t pre_tok[TOKENS_LEN];
	struct throttle_subjects subj;
	struct store_login acct;
	char lower[EMAIL_MAX + 1];
	int slot = VERIFYSLOT_OFF;
	bool found = false, ok;
	enum err e = ERR_NONE;

	memset(&acct, 0, sizeof(acct));
	if (!dash_cookie_token(d, DASH_LOGIN_COOKIE, pre_tok) || !dash_csrf_ok(d, pre_tok)) {
		dash_send_login(d, 403, NULL, "Your log-in form expired. Please try again.");
		return;
	}
	for (size_t i = 0; i < email->len && i < EMAIL_MAX; i++)
		lower[i] = (char)((email->s[i] >= 'A' && email->s[i] <= 'Z') ? email->s[i] | 0x20
		                                                           : email->s[i]);
	lower[email->len < EMAIL_MAX ? email->len : EMAIL_MAX] = '\0';
	if (plausible_email(email) &&
	    (e = auth_login_account(d->env->db, lower, &acct, &found)) != ERR_NONE)
		goto fail;
	throttle_subjects(found ? acct.account_id : NULL, lower, d->req->remote_addr, &subj);
	if (!login_gate(d, &subj, email->s, found ? acct.account_id : NULL, &slot))
		goto done;
	if (!found || acct.password_hash[0] == '\0')
		snprintf(acct.password_hash, sizeof(acct.password_hash), "%s", dummy_hash);
	/* The same work whether or not the account exists: no enumeration by time. */
	ok = pw->len <= PASSWORD_MAX &&
	     crypto_pwhash_str_verify(acct.password_hash, pw->s, pw->len) == 0 && found;
	verifyslot_release(slot);
	if (!ok) {
		if (record_refusal(d, found ? acct.account_id : NULL, "failed", "invalid_credentials"))
			dash_send_login(d, 403, email->s, "Incorrect e-mail or password.");
		goto done;
	}
	if ((e = throttle_forgive(d->env->db, &subj)) != ERR_NONE)
		goto fail;
	if (!acct.is_active) {
		if (record_refusal(d, acct.account_id, "failed", "account_deactivated"))
			dash_send_login(d, 403, email->s, "This account is deactivated. Contact your "
			                "administrator.");
		goto done;
	}
	start_session(d, acct.account_id);
	goto done;
fail:
	dash_send_failure(d, e);
done:
	sodium_memzero(&acct, sizeof(acct));
	sodium_memzero(pre_tok, sizeof(pre_tok));
}

void
dash_logout(struct dash *d, const struct dash_user *u)
{
	enum err e = sessions_end(d->env->db, u->sid);

	if (e != ERR_NONE) {
		dash_send_failure(d, e);
		return;
	}
	dash_set_cookie(d, DASH_SESSION_COOKIE, "", true);
	dash_redirect(d, "/dashboard/login");
}
