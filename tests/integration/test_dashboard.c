/*
 * Integration tests of docs/dashboard.md over HTTP: log-in and logout,
 * session expiry, CSRF refusals, the log-in throttle, escaping, the security
 * headers, what each role sees, creating, revoking and rolling keys through
 * the forms, the keys page's content, the log-ins' audit events and the
 * Activity page.
 *
 * A "browser" keeps the two cookies (ps_session, ps_login) and connects from
 * its own random 127/8 address: the log-in failures a test provokes on
 * purpose are counted per address, and the suite runs several times within
 * a minute against the same database, so no test may push 127.0.0.1 (or any
 * address another test uses) towards the throttle. Log-ins are few: each
 * costs an argon2id verification, seconds under valgrind.
 *
 * Pages are read with a small HTML scanner (start tags, attributes, entity
 * decoding) and the contract's stable ids and classes: "form#login",
 * "p.error", "tr.key[data-key-id=ID]".
 */
#include "itest.h"

#include <ctype.h>
#include <stdlib.h>
#include <strings.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sodium.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KP(id) P("/v1/api-keys/%s", (id))

static const char incorrect_msg[] = "Incorrect e-mail or password.";
static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "img-src 'self'; connect-src 'self'; form-action 'self'; "
                          "frame-ancestors 'none'; base-uri 'none'";

/* ---- HTML ------------------------------------------------------------------------------------ */

struct span {
	const char *p, *end;
};

/* An element: its start tag [open, open_end) and its content [inner, inner_end). */
struct el {
	const char *open, *open_end, *inner, *inner_end;
	char tag[16];
};

static struct span
page(const struct http_response *r)
{
	return (struct span){r->body, r->body + r->body_len};
}

static struct span
inside(const struct el *e)
{
	return (struct span){e->inner, e->inner_end};
}

/* Status and the page from <main> (or the start): for failure messages. */
static const char *
snip(const struct http_response *r)
{
	const char *m = strstr(r->body, "<main");

	if (r->status == 0)
		return P("(no response: %s)", r->error);
	return P("%d %.500s", r->status, m ? m : r->body);
}

/* s[0..n) with character references decoded (the named ones HTML escaping uses, and numeric). */
static const char *
decode(const char *s, size_t n)
{
	static const struct { const char *ent; char c; } named[] = {
		{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''},
	};
	char *out = malloc(n * 4 + 1), *o = out;

	if (out == NULL)
		abort();
	for (size_t i = 0; i < n; ) {
		size_t k;

		for (k = 0; k < N_ELEMS(named); k++) {
			size_t len = strlen(named[k].ent);
			if (n - i >= len && memcmp(s + i, named[k].ent, len) == 0) {
				*o++ = named[k].c;
				i += len;
				break;
			}
		}
		if (k < N_ELEMS(named))
			continue;
		if (s[i] == '&' && i + 2 < n && s[i + 1] == '#') {
			bool hexa = s[i + 2] == 'x' || s[i + 2] == 'X';
			char *end;
			unsigned long cp = strtoul(s + i + 2 + hexa, &end, hexa ? 16 : 10);

			if (end > s + i + 2 + hexa && end < s + n && *end == ';' && cp > 0 && cp < 0x110000) {
				if (cp < 0x80) {
					*o++ = (char)cp;
				} else if (cp < 0x800) {
					*o++ = (char)(0xc0 | (cp >> 6));
					*o++ = (char)(0x80 | (cp & 0x3f));
				} else if (cp < 0x10000) {
					*o++ = (char)(0xe0 | (cp >> 12));
					*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
					*o++ = (char)(0x80 | (cp & 0x3f));
				} else {
					*o++ = (char)(0xf0 | (cp >> 18));
					*o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
					*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
					*o++ = (char)(0x80 | (cp & 0x3f));
				}
				i = (size_t)(end - s) + 1;
				continue;
			}
		}
		*o++ = s[i++];
	}
	*o = '\0';
	return itest_track(out, free);
}

/* One attribute of a start tag at *pp (inside the tag): false at its '>' (left at *pp). */
static bool
next_attr(const char **pp, const char *end, char name[32], const char **val, size_t *vlen)
{
	const char *p = *pp;
	size_t n = 0;

	while (p < end && (isspace((unsigned char)*p) || *p == '/'))
		p++;
	*pp = p;
	if (p >= end || *p == '>')
		return false;
	while (p < end && !isspace((unsigned char)*p) && *p != '=' && *p != '>' && *p != '/') {
		if (n + 1 < 32)
			name[n++] = (char)tolower((unsigned char)*p);
		p++;
	}
	name[n] = '\0';
	*val = p;
	*vlen = 0;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && *p == '=') {
		p++;
		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			char q = *p++;
			*val = p;
			while (p < end && *p != q)
				p++;
			*vlen = (size_t)(p - *val);
			if (p < end)
				p++;
		} else {
			*val = p;
			while (p < end && !isspace((unsigned char)*p) && *p != '>')
				p++;
			*vlen = (size_t)(p - *val);
		}
	} else {
		p = *val;   /* a flag: what follows is the next attribute */
	}
	*pp = p;
	return true;
}

static bool
is_void(const char *tag)
{
	static const char *const v[] = {"area", "base", "br", "col", "embed", "hr", "img", "input",
	                                "link", "meta", "source", "track", "wbr"};

	for (size_t i = 0; i < N_ELEMS(v); i++)
		if (strcmp(tag, v[i]) == 0)
			return true;
	return false;
}

/* Where the element whose content starts at p ends: its matching end tag (nesting counted). */
static const char *
end_of(const char *tag, const char *p, const char *end)
{
	size_t n = strlen(tag);
	int depth = 1;

	while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		bool closing = p + 1 < end && p[1] == '/';
		const char *name = p + 1 + closing;

		if ((size_t)(end - name) > n && strncasecmp(name, tag, n) == 0 &&
		    !isalnum((unsigned char)name[n]) && name[n] != '-') {
			if (closing && --depth == 0)
				return p;
			if (!closing)
				depth++;
		}
		p++;
	}
	return end;
}

/* The next start tag in [p, end): the element, its content included; false if none. */
static bool
next_tag(const char *p, const char *end, struct el *e)
{
	while (p < end && (p = memchr(p, '<', (size_t)(end - p))) != NULL) {
		const char *q = p + 1, *v;
		char name[32];
		size_t n = 0, vlen;

		if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
			const char *c = memmem(p, (size_t)(end - p), "-->", 3);
			p = c ? c + 3 : end;
			continue;
		}
		if (q >= end || !isalpha((unsigned char)*q)) {
			p++;
			continue;
		}
		memset(e, 0, sizeof(*e));
		while (q < end && (isalnum((unsigned char)*q) || *q == '-')) {
			if (n + 1 < sizeof(e->tag))
				e->tag[n++] = (char)tolower((unsigned char)*q);
			q++;
		}
		while (next_attr(&q, end, name, &v, &vlen))
			;
		e->open = p;
		e->open_end = q < end ? q + 1 : end;
		e->inner = e->inner_end = e->open_end;
		/* void elements and self-closing SVG ones have no content */
		if (!is_void(e->tag) && !(q > p && q < end && q[-1] == '/'))
			e->inner_end = end_of(e->tag, e->open_end, end);
		return true;
	}
	return false;
}

/* The decoded value of an attribute of e, or NULL if it has none. */
static const char *
el_attr(const struct el *e, const char *attr)
{
	const char *p = e->open + 1 + strlen(e->tag), *v;
	char name[32];
	size_t vlen;

	while (next_attr(&p, e->open_end, name, &v, &vlen))
		if (strcmp(name, attr) == 0)
			return decode(v, vlen);
	return NULL;
}

/* The text of e: tags left out, references decoded, white space collapsed and trimmed. */
static const char *
el_text(const struct el *e)
{
	char *raw = malloc((size_t)(e->inner_end - e->inner) + 1), *o = raw;
	const char *t;
	char *out, *w;
	bool space = false;

	if (raw == NULL)
		abort();
	for (const char *p = e->inner; p < e->inner_end; p++) {
		if (*p == '<') {
			const char *gt = memchr(p, '>', (size_t)(e->inner_end - p));
			if (gt == NULL)
				break;
			p = gt;
			*o++ = ' ';   /* <br>, cells: a word boundary */
			continue;
		}
		*o++ = *p;
	}
	*o = '\0';
	t = decode(raw, (size_t)(o - raw));
	free(raw);
	out = itest_track(strdup(t), free);
	for (w = out; *t != '\0'; t++) {
		if (isspace((unsigned char)*t)) {
			space = w > out;
			continue;
		}
		if (space)
			*w++ = ' ';
		space = false;
		*w++ = *t;
	}
	*w = '\0';
	return out;
}

/* "tag", "tag#id" or "tag.class", then optionally "[attr=value]" or "[attr]". */
static bool
matches_sel(const struct el *e, const char *sel)
{
	size_t n = strcspn(sel, "#.[");
	const char *rest = sel + n, *v;

	if (strlen(e->tag) != n || strncmp(e->tag, sel, n) != 0)
		return false;
	if (*rest == '#' || *rest == '.') {
		size_t m = strcspn(rest + 1, "[");
		const char *want = P("%.*s", (int)m, rest + 1);

		v = el_attr(e, *rest == '#' ? "id" : "class");
		if (v == NULL)
			return false;
		if (*rest == '#' && strcmp(v, want) != 0)
			return false;
		if (*rest == '.' && strstr(P(" %s ", v), P(" %s ", want)) == NULL)
			return false;
		rest += 1 + m;
	}
	if (*rest == '[') {
		size_t m = strcspn(rest + 1, "=]");
		const char *attr = P("%.*s", (int)m, rest + 1);

		v = el_attr(e, attr);
		if (v == NULL)
			return false;
		if (rest[1 + m] == '=') {
			const char *want = rest + 2 + m;
			size_t wl = strlen(want);
			if (wl == 0 || want[wl - 1] != ']' || strlen(v) != wl - 1 ||
			    strncmp(v, want, wl - 1) != 0)
				return false;
		}
	}
	return true;
}

/* The first element of s matching sel (in document order). */
static bool
find_el(struct span s, const char *sel, struct el *e)
{
	for (const char *p = s.p; next_tag(p, s.end, e); p = e->open + 1)
		if (matches_sel(e, sel))
			return true;
	return false;
}

static size_t
count_el(struct span s, const char *sel)
{
	struct el e;
	size_t n = 0;

	for (const char *p = s.p; next_tag(p, s.end, &e); p = e.open + 1)
		n += matches_sel(&e, sel);
	return n;
}

static const char *
text_of(struct span s, const char *sel)
{
	struct el e;

	return find_el(s, sel, &e) ? el_text(&e) : NULL;
}

static const char *
attr_of(struct span s, const char *sel, const char *attr)
{
	struct el e;

	return find_el(s, sel, &e) ? el_attr(&e, attr) : NULL;
}

/* The element matching sel inside the first one matching outer (a descendant). */
static bool
find_in(const struct http_response *r, const char *outer, const char *sel, struct el *e)
{
	struct el o;

	return find_el(page(r), outer, &o) && find_el(inside(&o), sel, e);
}

/* A field's value in a form (e.g. "form#logout", "csrf"), or NULL. */
static const char *
field_of(const struct http_response *r, const char *form, const char *name)
{
	struct el e;

	return find_in(r, form, P("input[name=%s]", name), &e) ? el_attr(&e, "value") : NULL;
}

static const char *
csrf_of(const struct http_response *r, const char *form)
{
	return field_of(r, form, "csrf");
}

static const char *
error_text(const struct http_response *r)
{
	return text_of(page(r), "p.error");
}

static const char *
nz(const char *s)
{
	return s ? s : "(none)";
}

/* The same token with its first character changed. */
static const char *
tampered(const char *token)
{
	char *t = itest_track(strdup(token ? token : "x"), free);

	t[0] = t[0] == 'A' ? 'B' : 'A';
	return t;
}

/* ---- expectations -------------------------------------------------------------------------- */

/* Location without a scheme and host: the path and query the client is sent to. */
static const char *
location_path(const struct http_response *r)
{
	const char *loc = http_header(r, "Location");

	if (loc != NULL && (strncmp(loc, "http://", 7) == 0 || strncmp(loc, "https://", 8) == 0)) {
		const char *slash = strchr(strstr(loc, "//") + 2, '/');
		return slash ? slash : "/";
	}
	return loc;
}

/* Same path and same query parameters, in any order. */
static bool
same_url(const char *got, const char *want)
{
	size_t n = strcspn(want, "?"), ng = 0, nw = 0;
	char q[512], *save = NULL;

	if (got == NULL || strcspn(got, "?") != n || strncmp(got, want, n) != 0)
		return false;
	if (want[n] == '\0' || got[n] == '\0')
		return want[n] == got[n];
	snprintf(q, sizeof(q), "%s", got + n + 1);
	for (char *t = strtok_r(q, "&", &save); t != NULL; t = strtok_r(NULL, "&", &save), ng++)
		if (strstr(P("&%s&", want + n + 1), P("&%s&", t)) == NULL)
			return false;
	for (const char *p = want + n; p != NULL; p = strchr(p + 1, '&'))
		nw++;
	return ng == nw;
}

static bool
expect_redirect_at(int line, const struct http_response *r, const char *url)
{
	const char *loc = location_path(r);

	return expect_status_at(line, r, 303) &&
	       CHECK_AT(same_url(loc, url), line, "%s: Location %s, want %s", r->what,
	                nz(http_header(r, "Location")), url);
}
#define EXPECT_REDIRECT(r, url) expect_redirect_at(__LINE__, (r), (url))

/* To the log-in page, whatever notice its query carries (an expired session: ?expired=1). */
static bool
expect_to_login_at(int line, const struct http_response *r)
{
	const char *loc = location_path(r);

	return expect_status_at(line, r, 303) &&
	       CHECK_AT(loc != NULL && strncmp(loc, "/dashboard/login", 16) == 0 &&
	                (loc[16] == '\0' || loc[16] == '?'), line, "%s: Location %s, want the log-in "
	                "page", r->what, nz(http_header(r, "Location")));
}
#define EXPECT_TO_LOGIN(r) expect_to_login_at(__LINE__, (r))

static bool
expect_html_at(int line, const struct http_response *r, int status)
{
	const char *ct = http_header(r, "Content-Type");

	return expect_status_at(line, r, status) &&
	       CHECK_AT(ct != NULL && strcasecmp(ct, "text/html; charset=utf-8") == 0, line,
	                "%s (%d): Content-Type %s, want text/html; charset=utf-8", r->what, r->status,
	                nz(ct));
}
#define EXPECT_HTML(r, status) expect_html_at(__LINE__, (r), (status))

/* An HTML page with this status and "p.error" (its text returned through *msg when asked). */
static bool
expect_error_page_at(int line, const struct http_response *r, int status, const char **msg)
{
	const char *e;

	if (!expect_html_at(line, r, status))
		return false;
	e = error_text(r);
	if (msg != NULL)
		*msg = e;
	return CHECK_AT(e != NULL && e[0] != '\0', line, "%s (%d): no p.error: %s", r->what,
	                r->status, snip(r));
}
#define EXPECT_ERROR_PAGE(r, status) expect_error_page_at(__LINE__, (r), (status), NULL)

static bool
expect_throttled_at(int line, const struct http_response *r)
{
	const char *ra = http_header(r, "Retry-After");
	char *end = NULL;
	long s = ra ? strtol(ra, &end, 10) : -1;

	return expect_status_at(line, r, 429) &&
	       CHECK_AT(ra != NULL && end != ra && *end == '\0' && s >= 1 && s <= 60, line,
	                "%s: Retry-After \"%s\", want 1 to 60 seconds", r->what, nz(ra));
}
#define EXPECT_THROTTLED(r) expect_throttled_at(__LINE__, (r))

/*
 * Whether an answer read now came within the 60-s window (login_window_seconds, the stack's
 * default) that opened at t0 (now_s(), taken before the first failure), with 2 s to spare;
 * past it (a slow valgrind run on a busy machine) the server may have opened a new window.
 */
static bool
in_window(double t0)
{
	return now_s() - t0 < 58;
}

/* Throttled, if r came within the window that opened at t0; past it the answer proves nothing. */
static bool
expect_throttled_since_at(int line, const struct http_response *r, double t0)
{
	if (in_window(t0))
		return expect_throttled_at(line, r);
	printf("skipped a 429 check of %s (line %d): %.0f s since the first failure\n",
	       itest_current, line, now_s() - t0);
	return false;
}
#define EXPECT_THROTTLED_SINCE(r, t0) expect_throttled_since_at(__LINE__, (r), (t0))

static bool expect_page_headers_at(int line, const struct http_response *r);

/* ---- browsers -------------------------------------------------------------------------------- */

/*
 * A log-in verifies an argon2id hash: 1.5 s under valgrind, several seconds on a busy
 * machine, longer than the client's usual 10 s of silence when verifications run side by side.
 */
#define LOGIN_TIMEOUT_MS 30000

struct browser {
	char source[16];     /* every connection comes from this local address */
	char session[256];   /* ps_session, "" if none */
	char login[256];     /* ps_login, "" if none */
};

/* A browser without cookies on source, or on a random 127/8 address other than 127.0.0.1. */
static void
browser_on(struct browser *b, const char *source)
{
	memset(b, 0, sizeof(*b));
	if (source != NULL)
		snprintf(b->source, sizeof(b->source), "%s", source);
	else
		snprintf(b->source, sizeof(b->source), "127.%u.%u.%u", 1 + randombytes_uniform(254),
		         randombytes_uniform(256), 1 + randombytes_uniform(254));
}

static bool
expired(const char *http_date)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	return strptime(http_date, "%a, %d %b %Y %H:%M:%S GMT", &tm) != NULL &&
	       timegm(&tm) <= time(NULL);
}

/* A cookie set by r: kept, or dropped when cleared (empty, Max-Age <= 0, Expires past). */
static bool
cookie_cleared(const struct set_cookie *c)
{
	const char *v;

	return c->value[0] == '\0' || (set_cookie_attr(c, "Max-Age", &v) && atol(v) <= 0) ||
	       (set_cookie_attr(c, "Expires", &v) && expired(v));
}

static void
jar_take(char *slot, size_t cap, const struct http_response *r, const char *name)
{
	struct set_cookie c;

	if (http_set_cookie(r, name, &c))
		snprintf(slot, cap, "%s", cookie_cleared(&c) ? "" : c.value);
}

/* One request from b with its cookies; a form (NULL: none) as the body. Updates b's cookies. */
static struct http_response *
dash(struct browser *b, const char *method, const char *path, const char *form)
{
	const char *cookie = NULL;
	char before[sizeof(b->session)];
	struct http_response *r;

	if (b->session[0] != '\0' || b->login[0] != '\0')
		cookie = P("Cookie: %s%s%s%s%s", b->session[0] ? "ps_session=" : "", b->session,
		           b->session[0] && b->login[0] ? "; " : "", b->login[0] ? "ps_login=" : "",
		           b->login);
	r = REQ(.method = method, .path = path, .source = b->source, .body = form,
	        .ctype = form ? "application/x-www-form-urlencoded" : NULL, .hdr = {cookie},
	        .timeout_ms = strcmp(path, "/dashboard/login") == 0 ? LOGIN_TIMEOUT_MS : 0);
	snprintf(before, sizeof(before), "%s", b->session);
	jar_take(b->session, sizeof(b->session), r, "ps_session");
	jar_take(b->login, sizeof(b->login), r, "ps_login");
	/* the cookie is as much a credential as a key: scripts/test looks for it in logs and dumps */
	if (strcmp(before, b->session) != 0)
		itest_note_secret_str(b->session);
	return r;
}
#define BGET(b, path) dash((b), "GET", (path), NULL)
#define BPOST(b, path, ...) dash((b), "POST", (path), FORM(__VA_ARGS__))

/* ---- accounts, keys and the database ------------------------------------------------------------ */

struct user {
	struct acct a;
	char pw[48];
};

/* A fresh random password (or a wrong one), recorded so that scripts/test can find a leak. */
static const char *
new_password(const char *label)
{
	const char *pw = unique(label);

	itest_note_secret_str(pw);
	return pw;
}

/* scripts/admin account set-password, the password on standard input. */
static bool
set_password_at(int line, const char *account, const char *pw)
{
	const char *out;
	int st = run_cmd(P("cd %s && (printf '%%s\\n' %s | PS_STATE=%s scripts/admin account "
	                   "set-password %s)", sq(getenv("PS_ROOT")), sq(pw), sq(getenv("PS_STATE")),
	                   sq(account)), &out);

	return CHECK_AT(st == 0, line, "account set-password %s: exit %d: %s", account, st, out);
}

/* A user with this e-mail and display name, verbatim, and a fresh password. */
static bool
new_user_as_at(int line, struct user *u, const char *email, const char *name)
{
	struct admin_result *r = admin_run("account", "create", "--email", email, "--name", name,
	                                   (const char *)NULL);

	memset(u, 0, sizeof(*u));
	snprintf(u->pw, sizeof(u->pw), "%s", new_password("pw"));
	if (!admin_ok_at(line, r))
		return false;
	snprintf(u->a.id, sizeof(u->a.id), "%s", nz(jstr(r->json, "id")));
	snprintf(u->a.email, sizeof(u->a.email), "%s", email);
	snprintf(u->a.name, sizeof(u->a.name), "%s", name);
	return CHECK_AT(is_uuid_lower(u->a.id) && strcmp(nz(jstr(r->json, "email")), email) == 0 &&
	                strcmp(nz(jstr(r->json, "name")), name) == 0, line,
	                "account create changed the e-mail or name: %s", r->out) &&
	       set_password_at(line, u->a.id, u->pw);
}
#define NEW_USER_AS(u, email, name) new_user_as_at(__LINE__, (u), (email), (name))
#define NEW_USER(u, label) \
	new_user_as_at(__LINE__, (u), P("%s@example.test", unique(label)), P("Test %s", (label)))

/* A key through the API with any name (JSON-escaped here). */
static bool
api_key_named_at(int line, struct key *k, const char *auth, const char *org, const char *name)
{
	json_object *o = json_object_new_object();
	struct http_response *r;

	json_object_object_add(o, "name", json_object_new_string(name));
	r = OPOST_JSON("/v1/api-keys", auth, org, P("%s", json_object_to_json_string(o)));
	json_object_put(o);
	memset(k, 0, sizeof(*k));
	if (!expect_status_at(line, r, 201))
		return false;
	snprintf(k->id, sizeof(k->id), "%s", nz(jstr(r->json, "id")));
	snprintf(k->secret, sizeof(k->secret), "%s", nz(jstr(r->json, "secret")));
	return CHECK_AT(jstr(r->json, "name") && strcmp(jstr(r->json, "name"), name) == 0, line,
	                "created with the name %s: %s", name, r->body);
}
#define API_KEY_NAMED(k, auth, org, name) api_key_named_at(__LINE__, (k), (auth), (org), (name))

/* Keys of key's account in its personal context, revoked included; -1 on error. */
static int
api_key_count(const char *key)
{
	struct http_response *r = GET("/v1/api-keys?include_revoked=true&limit=100", key);
	json_object *d = jget(r->json, "data");

	return r->status == 200 && d && json_object_is_type(d, json_type_array)
	       ? (int)json_object_array_length(d) : -1;
}

/* SQL through the stack's client defaults file (root over the private socket): the output. */
static const char *
db_at(int line, const char *stmt)
{
	const char *out;
	int st = run_cmd(P("mariadb --defaults-file=%s -N -B parsesphere -e %s",
	                   sq(state_path("my.cnf")), sq(stmt)), &out);

	return CHECK_AT(st == 0, line, "mariadb -e \"%s\": exit %d: %s", stmt, st, out) ? out : NULL;
}
#define DB(stmt) db_at(__LINE__, (stmt))

/* WHERE column = id, for the BINARY(16) ids of the schema. */
static const char *
where_id(const char *column, const char *id)
{
	return P("WHERE %s = UNHEX(REPLACE('%s', '-', ''))", column, id);
}

static const char *
of_account(const char *id)
{
	return where_id("account_id", id);
}

static long
sessions_of_at(int line, const char *account)
{
	const char *out = db_at(line, P("SELECT COUNT(*) FROM dashboard_sessions %s",
	                                of_account(account)));

	return out ? atol(out) : -1;
}

/* Moves a time column of some rows back: as if that much time had passed since. */
static bool
age_at(int line, const char *table, const char *column, int minutes, const char *where)
{
	return db_at(line, P("UPDATE %s SET %s = %s - INTERVAL %d MINUTE %s", table, column, column,
	                     minutes, where)) != NULL;
}
#define AGE_SESSIONS(acc, column, minutes) \
	age_at(__LINE__, "dashboard_sessions", (column), (minutes), of_account(acc))

/* ---- log-in -------------------------------------------------------------------------------------- */

/* b fetches the log-in form and posts it: the POST's response. */
static struct http_response *
login_post(struct browser *b, const char *email, const char *pw)
{
	const char *csrf = csrf_of(BGET(b, "/dashboard/login"), "form#login");

	return BPOST(b, "/dashboard/login", "email", email, "password", pw, "csrf", csrf ? csrf : "");
}

/* A new browser (random address) logged in as u. */
static bool
login_at(int line, struct browser *b, const struct user *u)
{
	struct http_response *r;

	browser_on(b, NULL);
	r = login_post(b, u->a.email, u->pw);
	return expect_redirect_at(line, r, "/dashboard/keys") &&
	       CHECK_AT(b->session[0] != '\0', line, "log-in of %s set no ps_session cookie",
	                u->a.email);
}
#define LOGIN(b, u) login_at(__LINE__, (b), (u))

/* A log-in refused with 403: the form again, no session, the password not echoed; *msg. */
static bool
expect_login_refused_at(int line, const struct browser *b, const struct http_response *r,
                        const char *pw, const char **msg)
{
	bool ok = expect_error_page_at(line, r, 403, msg);

	ok &= CHECK_AT(find_el(page(r), "form#login", &(struct el){0}), line,
	               "%s: refused without the form again: %s", r->what, snip(r));
	ok &= CHECK_AT(b->session[0] == '\0', line, "%s: a refused log-in set ps_session", r->what);
	ok &= CHECK_AT(strstr(r->body, pw) == NULL, line, "%s: the password is in the page", r->what);
	return ok;
}

/* The keys page (query q, "" for none) of a signed-in browser, expected 200. */
static struct http_response *
keys_page_at(int line, struct browser *b, const char *q)
{
	struct http_response *r = dash(b, "GET", P("/dashboard/keys%s", q), NULL);

	expect_html_at(line, r, 200);
	return r;
}
#define KEYS_PAGE(b, q) keys_page_at(__LINE__, (b), (q))

static bool
row_of(const struct http_response *r, const char *key_id, struct el *row)
{
	return find_el(page(r), P("tr.key[data-key-id=%s]", key_id), row);
}

/* The rows of a keys page are exactly these keys. */
static bool
expect_rows_at(int line, const struct http_response *r, const struct key *const want[], size_t n)
{
	size_t got = count_el(page(r), "tr.key");
	bool ok = CHECK_AT(got == n, line, "%s: %zu tr.key rows, want %zu", r->what, got, n);
	struct el row;

	for (size_t i = 0; i < n; i++)
		ok &= CHECK_AT(row_of(r, want[i]->id, &row), line, "%s: no row for key %s", r->what,
		               want[i]->id);
	return ok;
}
#define EXPECT_ROWS(r, ...) expect_rows_at(__LINE__, (r), (const struct key *const[]){__VA_ARGS__}, \
	sizeof((const struct key *const[]){__VA_ARGS__}) / sizeof(const struct key *))

/* ---- log-in and logout ------------------------------------------------------------------------ */

static void
test_dashboard_login_success(void)
{
	struct user u;
	struct key k;
	struct browser b1, b2;
	struct set_cookie c;
	struct http_response *r;
	struct el row;
	const char *csrf, *v;

	if (!NEW_USER(&u, "login") || !NEW_KEY(&k, u.a.id, NULL, "listed key"))
		return;
	browser_on(&b1, NULL);
	r = BGET(&b1, "/dashboard/login");
	if (!EXPECT_HTML(r, 200))
		return;
	CHECK(b1.login[0] != '\0', "GET /dashboard/login set no ps_login cookie");
	csrf = csrf_of(r, "form#login");
	static const char *const fields[] = {"input[name=email]", "input[name=password]",
	                                     "input[name=csrf]", "button[type=submit]"};
	struct el form;
	if (CHECK(find_el(page(r), "form#login", &form), "no form#login: %s", snip(r)))
		for (size_t i = 0; i < N_ELEMS(fields); i++)
			CHECK(find_el(inside(&form), fields[i], &row), "form#login lacks %s", fields[i]);
	CHECK(csrf != NULL && csrf[0] != '\0', "form#login has no csrf value");

	r = BPOST(&b1, "/dashboard/login", "email", u.a.email, "password", u.pw, "csrf", csrf);
	if (!EXPECT_REDIRECT(r, "/dashboard/keys"))
		return;
	if (CHECK(http_set_cookie(r, "ps_session", &c), "log-in: no Set-Cookie ps_session")) {
		CHECK(strlen(c.value) == 43 && strspn(c.value, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		                                                 "opqrstuvwxyz0123456789-_") == 43,
		      "ps_session \"%s\": not 43 base64url characters", c.value);
		CHECK(set_cookie_attr(&c, "HttpOnly", NULL), "ps_session%s: no HttpOnly", c.attrs);
		CHECK(set_cookie_attr(&c, "SameSite", &v) && strcmp(v, "Strict") == 0,
		      "ps_session%s: SameSite=Strict expected", c.attrs);
		CHECK(set_cookie_attr(&c, "Path", &v) && strcmp(v, "/dashboard") == 0,
		      "ps_session%s: Path=/dashboard expected", c.attrs);
		CHECK(!set_cookie_attr(&c, "Secure", NULL), "ps_session%s: Secure over plain HTTP",
		      c.attrs);
		CHECK(!set_cookie_attr(&c, "Max-Age", NULL) && !set_cookie_attr(&c, "Expires", NULL),
		      "ps_session%s: a session cookie ends with the browser", c.attrs);
	}
	r = KEYS_PAGE(&b1, "");
	if (CHECK(row_of(r, k.id, &row), "the account's key %s is not listed: %s", k.id, snip(r)))
		CHECK(text_of(inside(&row), "td.name") &&
		      strcmp(text_of(inside(&row), "td.name"), "listed key") == 0,
		      "td.name \"%s\"", nz(text_of(inside(&row), "td.name")));
	CHECK(find_el(page(r), "form#logout", &row), "no form#logout on the keys page");
	/* the session cookie is no credential for the API (a form elsewhere could post there) */
	const char *cookie = P("Cookie: ps_session=%s", b1.session);
	EXPECT_ERROR(REQ(.method = "GET", .path = "/v1/me", .hdr = {cookie}), 401, "missing_api_key");
	EXPECT_ERROR(REQ(.method = "POST", .path = "/v1/api-keys", .ctype = "application/json",
	                 .body = "{\"name\": \"by cookie\"}", .hdr = {cookie}), 401, "missing_api_key");
	/* with a live session the log-in page sends to the keys */
	EXPECT_REDIRECT(BGET(&b1, "/dashboard/login"), "/dashboard/keys");
	EXPECT_REDIRECT(BGET(&b1, "/dashboard"), "/dashboard/keys");

	/* a second log-in: another session id, and both sessions work */
	if (!LOGIN(&b2, &u))
		return;
	CHECK(strcmp(b1.session, b2.session) != 0, "two log-ins gave the same session id %s",
	      b1.session);
	CHECK(row_of(KEYS_PAGE(&b1, ""), k.id, &row), "the first session no longer lists the key");
	CHECK(row_of(KEYS_PAGE(&b2, ""), k.id, &row), "the second session does not list the key");
	CHECK(sessions_of_at(__LINE__, u.a.id) == 2, "%ld session rows, want 2",
	      sessions_of_at(__LINE__, u.a.id));
}

static void
test_dashboard_login_failure_same_message(void)
{
	struct user u;
	struct acct nopw;
	struct browser b;

	if (!NEW_USER(&u, "fail") || !NEW_ACCOUNT(&nopw, "nopw"))
		return;
	const struct { int line; const char *what, *email, *pw; } cases[] = {
		{__LINE__, "unknown e-mail", P("%s@example.test", unique("nobody")), u.pw},
		{__LINE__, "wrong password", u.a.email, new_password("wrong")},
		{__LINE__, "no password set", nopw.email, u.pw},
	};
	browser_on(&b, NULL);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct http_response *r = login_post(&b, cases[i].email, cases[i].pw);
		const char *msg = NULL;

		expect_page_headers_at(cases[i].line, r);
		if (expect_login_refused_at(cases[i].line, &b, r, cases[i].pw, &msg))
			CHECK_AT(strcmp(msg, incorrect_msg) == 0, cases[i].line,
			         "%s: p.error \"%s\", want \"%s\" whatever the reason", cases[i].what, msg,
			         incorrect_msg);
	}
	/* the right password from the same browser: the refusals were for the reasons given */
	struct http_response *r = login_post(&b, u.a.email, u.pw);
	EXPECT_REDIRECT(r, "/dashboard/keys");
}

/* Odd log-in forms: refused (4xx, not a server error), as an HTML page, never a session. */
static void
test_dashboard_login_malformed_form(void)
{
	struct user u;
	struct browser b;
	const char *t;

	if (!NEW_USER(&u, "oddform"))
		return;
	browser_on(&b, NULL);
	t = csrf_of(BGET(&b, "/dashboard/login"), "form#login");
	if (!CHECK(t != NULL, "no log-in form"))
		return;
	const char *email = FORM("email", u.a.email), *pw = FORM("password", u.pw);
	const struct { int line; const char *what, *body; } cases[] = {
		{__LINE__, "empty fields", P("email=&password=&csrf=%s", t)},
		{__LINE__, "no e-mail field", P("%s&csrf=%s", pw, t)},
		{__LINE__, "no password field", P("%s&csrf=%s", email, t)},
		{__LINE__, "a 300-character e-mail", FORM("email", P("%0300d@example.test", 0),
		                                          "password", u.pw, "csrf", t)},
		{__LINE__, "a 2000-byte password", FORM("email", u.a.email, "password",
		                                        P("%s%01990d", u.pw, 0), "csrf", t)},
		{__LINE__, "malformed percent-encoding", P("email=%%zz%%4&password=%%&csrf=%s", t)},
		/* the account's e-mail, a NUL and more, with the right password: not that account */
		{__LINE__, "a NUL in the e-mail", P("%s%%00x&%s&csrf=%s", email, pw, t)},
		{__LINE__, "a NUL in the password", P("%s&%s%%00&csrf=%s", email, pw, t)},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct http_response *r = dash(&b, "POST", "/dashboard/login", cases[i].body);
		CHECK_AT(r->status >= 400 && r->status < 500 && r->status != 429, cases[i].line,
		         "log-in with %s: %s", cases[i].what, snip(r));
		CHECK_AT(b.session[0] == '\0', cases[i].line, "log-in with %s made a session",
		         cases[i].what);
		expect_html_at(cases[i].line, r, r->status);
	}
	/* the right form from the same browser still logs in */
	EXPECT_REDIRECT(login_post(&b, u.a.email, u.pw), "/dashboard/keys");
}

static void
test_dashboard_deactivated_account(void)
{
	struct user u;
	struct browser b, fresh;
	struct http_response *r;
	const char *msg = NULL;

	if (!NEW_USER(&u, "deact") || !LOGIN(&b, &u))
		return;
	/* inactive while its session row is still there: refused all the same */
	const char *row = where_id("id", u.a.id);
	if (!DB(P("UPDATE accounts SET is_active = 0 %s", row)))
		return;
	EXPECT_TO_LOGIN(BGET(&b, "/dashboard/keys"));
	if (!DB(P("UPDATE accounts SET is_active = 1 %s", row)) || !LOGIN(&b, &u))
		return;
	KEYS_PAGE(&b, "");
	if (!ADMIN_OK("account", "deactivate", u.a.id))
		return;
	/* its live session ends at once */
	EXPECT_TO_LOGIN(BGET(&b, "/dashboard/keys"));
	CHECK(sessions_of_at(__LINE__, u.a.id) == 0, "%ld session rows left after deactivation",
	      sessions_of_at(__LINE__, u.a.id));
	/* the right password: refused, and told why */
	browser_on(&fresh, NULL);
	r = login_post(&fresh, u.a.email, u.pw);
	if (expect_login_refused_at(__LINE__, &fresh, r, u.pw, &msg))
		CHECK(strstr(msg, "deactivated") != NULL && strcmp(msg, incorrect_msg) != 0,
		      "deactivated account: p.error \"%s\"", msg);
}

static void
test_dashboard_logout(void)
{
	struct user u;
	struct key k;
	struct browser b, old;
	struct set_cookie c;
	struct http_response *r, *keys;
	struct el button;
	const char *csrf, *v;

	if (!NEW_USER(&u, "logout") || !NEW_KEY(&k, u.a.id, NULL, "counter") || !LOGIN(&b, &u))
		return;
	/* without a token: refused, and the session goes on */
	EXPECT_ERROR_PAGE(dash(&b, "POST", "/dashboard/logout", ""), 403);
	keys = KEYS_PAGE(&b, "");
	csrf = csrf_of(keys, "form#logout");
	if (!CHECK(csrf != NULL && csrf[0] != '\0', "no csrf in form#logout: %s", snip(keys)))
		return;
	CHECK(find_in(keys, "form#logout", "button", &button) &&
	      strcmp(el_text(&button), "Log out") == 0, "form#logout has no \"Log out\" button");
	old = b;
	r = BPOST(&b, "/dashboard/logout", "csrf", csrf);
	EXPECT_REDIRECT(r, "/dashboard/login");
	if (CHECK(http_set_cookie(r, "ps_session", &c), "logout: ps_session not cleared"))
		CHECK(cookie_cleared(&c) && set_cookie_attr(&c, "Path", &v) &&
		      strcmp(v, "/dashboard") == 0, "logout: Set-Cookie ps_session=%s%s does not clear "
		      "the cookie of Path=/dashboard", c.value, c.attrs);
	/* the old cookie is dead on the server: every page, a POST as well, sends to the log-in */
	EXPECT_TO_LOGIN(BGET(&old, "/dashboard/keys"));
	EXPECT_TO_LOGIN(BPOST(&old, "/dashboard/keys", "csrf", csrf_of(keys, "form#create-key"),
	                      "name", "after logout", "org", ""));
	EXPECT_TO_LOGIN(BPOST(&old, "/dashboard/keys", "name", "after logout"));
	CHECK(api_key_count(k.secret) == 1, "%d keys after a create without session",
	      api_key_count(k.secret));
	CHECK(sessions_of_at(__LINE__, u.a.id) == 0, "%ld session rows after logout",
	      sessions_of_at(__LINE__, u.a.id));
	EXPECT_HTML(BGET(&b, "/dashboard/login"), 200);
}

/* Anything but a live session's exact cookie is no session, for a GET as for a POST. */
static void
test_dashboard_forged_session_cookie(void)
{
	static const char b64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct user u;
	struct browser b;
	char rnd[44];

	if (!NEW_USER(&u, "forged") || !LOGIN(&b, &u))
		return;
	for (size_t i = 0; i < 43; i++)
		rnd[i] = b64url[randombytes_uniform(64)];
	rnd[43] = '\0';
	const char *valid = P("%s", b.session);
	const struct { int line; const char *cookie; } cases[] = {
		{__LINE__, P("ps_session=%s", rnd)},
		{__LINE__, P("ps_session=%s", tampered(valid))},
		{__LINE__, P("ps_session=%.42s", valid)},
		{__LINE__, P("ps_session=%sA", valid)},
		{__LINE__, "ps_session="},
		{__LINE__, P("ps_session=%0250d", 0)},
		{__LINE__, P("ps_session=%%%02X%s", (unsigned char)valid[0], valid + 1)},
		{__LINE__, P("PS_SESSION=%s", valid)},
		{__LINE__, P("ps_login=%s", valid)},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const char *hdr = P("Cookie: %s", cases[i].cookie);
		expect_to_login_at(cases[i].line, REQ(.method = "GET", .path = "/dashboard/keys",
		                                      .source = b.source, .hdr = {hdr}));
		expect_to_login_at(cases[i].line, REQ(.method = "POST", .path = "/dashboard/keys",
		                                      .source = b.source, .hdr = {hdr},
		                                      .ctype = "application/x-www-form-urlencoded",
		                                      .body = "name=forged&org="));
	}
	/* the real one still works, and nothing was made */
	CHECK(count_el(page(KEYS_PAGE(&b, "")), "tr.key") == 0, "a forged cookie made a key");
}

/* ---- session expiry ------------------------------------------------------------------------- */

/* After the change, the session's cookie is refused now and on the next request too. */
static void
expect_session_refused_at(int line, struct browser *b)
{
	struct browser copy = *b;   /* the cookie as it was, whatever the answer clears */

	expect_to_login_at(line, dash(b, "GET", "/dashboard/keys", NULL));
	expect_to_login_at(line, dash(&copy, "GET", "/dashboard/keys", NULL));
}

static void
test_dashboard_session_idle_expiry(void)
{
	struct user u;
	struct browser b;
	const char *out;

	if (!NEW_USER(&u, "idle") || !LOGIN(&b, &u))
		return;
	/* 29 minutes idle: alive, and this use is recorded (at most once a minute) */
	if (!AGE_SESSIONS(u.a.id, "last_seen_at", 29))
		return;
	KEYS_PAGE(&b, "");
	out = DB(P("SELECT last_seen_at >= created_at FROM dashboard_sessions %s", of_account(u.a.id)));
	CHECK(out && atoi(out) == 1, "a use after 29 idle minutes was not recorded (%s)", nz(out));
	/* 31 minutes idle */
	if (!AGE_SESSIONS(u.a.id, "last_seen_at", 31))
		return;
	expect_session_refused_at(__LINE__, &b);
}

/* A session left idle is deleted by someone else's log-in, not only by its own next use. */
static void
test_dashboard_idle_sessions_pruned(void)
{
	struct user u, v;
	struct browser b, c;

	if (!NEW_USER(&u, "abandoned") || !NEW_USER(&v, "pruner") || !LOGIN(&b, &u))
		return;
	if (!AGE_SESSIONS(u.a.id, "last_seen_at", 31))
		return;
	CHECK(sessions_of_at(__LINE__, u.a.id) == 1, "the idle session is not in the table");
	if (LOGIN(&c, &v))
		CHECK(sessions_of_at(__LINE__, u.a.id) == 0, "another log-in left the idle session");
	CHECK(sessions_of_at(__LINE__, v.a.id) == 1, "the new session is missing");
}

static void
test_dashboard_session_absolute_expiry(void)
{
	struct user u;
	struct browser b;

	if (!NEW_USER(&u, "absolute") || !LOGIN(&b, &u))
		return;
	/* 11 h 58 min old, last used at the log-in seconds ago: alive */
	if (!AGE_SESSIONS(u.a.id, "created_at", 718))
		return;
	KEYS_PAGE(&b, "");
	/* 12 h 1 min old, last_seen_at still recent */
	if (!AGE_SESSIONS(u.a.id, "created_at", 3))
		return;
	expect_session_refused_at(__LINE__, &b);
}

/* ---- CSRF ------------------------------------------------------------------------------------- */

static void
test_dashboard_csrf_refused(void)
{
	struct user u;
	struct key k, target;
	struct browser a, b;
	struct http_response *r;

	if (!NEW_USER(&u, "csrf") || !NEW_KEY(&k, u.a.id, NULL, "counter") ||
	    !NEW_KEY(&target, u.a.id, NULL, "target") || !LOGIN(&a, &u) || !LOGIN(&b, &u))
		return;
	const char *mine = csrf_of(KEYS_PAGE(&a, ""), "form#create-key");
	const char *theirs = csrf_of(KEYS_PAGE(&b, ""), "form#create-key");
	const char *mine_revoke = csrf_of(BGET(&a, P("/dashboard/keys/%s/revoke", target.id)),
	                                  "form#revoke");
	if (!CHECK(mine && theirs && mine_revoke, "csrf fields: create %s, other %s, revoke %s",
	           nz(mine), nz(theirs), nz(mine_revoke)))
		return;
	CHECK(strcmp(mine, theirs) != 0, "two sessions share the token %s", mine);
	const struct { int line; const char *what, *token; } tokens[] = {
		{__LINE__, "no token", NULL},
		{__LINE__, "an empty token", ""},
		{__LINE__, "a wrong token", tampered(mine)},
		{__LINE__, "another session's token", theirs},
	};
	for (size_t i = 0; i < N_ELEMS(tokens); i++) {
		const char *t = tokens[i].token;

		r = BPOST(&a, "/dashboard/keys", "csrf", t, "name", "csrf probe", "org", "");
		CHECK_AT(r->status == 403, tokens[i].line, "create with %s: %s", tokens[i].what, snip(r));
		r = BPOST(&a, P("/dashboard/keys/%s/revoke", target.id), "csrf", t, "org", "");
		CHECK_AT(r->status == 403, tokens[i].line, "revoke with %s: %s", tokens[i].what, snip(r));
		r = BPOST(&a, "/dashboard/logout", "csrf", t);
		CHECK_AT(r->status == 403, tokens[i].line, "logout with %s: %s", tokens[i].what, snip(r));
	}
	/* nothing changed: no key made, the target alive, the session too */
	CHECK(api_key_count(k.secret) == 2, "%d keys after refused creates (want 2)",
	      api_key_count(k.secret));
	EXPECT_STATUS(GET("/v1/me", target.secret), 200);
	KEYS_PAGE(&a, "");
	/* and the right tokens work, so the refusals were the tokens' doing */
	EXPECT_REDIRECT(BPOST(&a, P("/dashboard/keys/%s/revoke", target.id), "csrf", mine_revoke,
	                      "org", ""), "/dashboard/keys?revoked=1");
	EXPECT_REDIRECT(BPOST(&a, "/dashboard/logout", "csrf", csrf_of(KEYS_PAGE(&a, ""),
	                                                             "form#logout")),
	                "/dashboard/login");
}

static void
test_dashboard_login_csrf_refused(void)
{
	struct user u;
	struct browser a, b, none;
	struct http_response *r;
	const char *msg;

	if (!NEW_USER(&u, "logincsrf"))
		return;
	browser_on(&a, NULL);
	browser_on(&b, a.source);
	const char *ta = csrf_of(BGET(&a, "/dashboard/login"), "form#login");
	const char *tb = csrf_of(BGET(&b, "/dashboard/login"), "form#login");
	if (!CHECK(ta && tb && a.login[0] && b.login[0], "log-in forms: tokens %s %s, cookies %s %s",
	           nz(ta), nz(tb), a.login, b.login))
		return;
	CHECK(strcmp(ta, tb) != 0 && strcmp(a.login, b.login) != 0,
	      "two log-in forms share a token or a ps_login cookie");
	browser_on(&none, a.source);
	const struct { int line; const char *what; struct browser *br; const char *token; } cases[] = {
		{__LINE__, "without the ps_login cookie", &none, ta},
		{__LINE__, "with another form's token", &a, tb},
		{__LINE__, "with a wrong token", &a, tampered(ta)},
		{__LINE__, "without a token", &a, NULL},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		/* the right password each time: only the token can refuse */
		r = BPOST(cases[i].br, "/dashboard/login", "email", u.a.email, "password", u.pw, "csrf",
		          cases[i].token);
		msg = NULL;
		if (expect_login_refused_at(cases[i].line, cases[i].br, r, u.pw, &msg))
			CHECK_AT(strstr(msg, "expired") != NULL, cases[i].line,
			         "log-in %s: p.error \"%s\", want the expired-form message", cases[i].what,
			         msg);
	}
	CHECK(sessions_of_at(__LINE__, u.a.id) == 0, "a refused log-in made a session");
}

/* ---- throttle ----------------------------------------------------------------------------------- */

/*
 * One round of test_dashboard_throttle_per_email at an e-mail, pw the right password of its
 * account (if any): five failures from b, pw from b (429); from another address one failure
 * (its one attempt at the e-mail in the window, the owner's way in:
 * test_dashboard_throttle_owner_not_locked_out), then pw (429). What the window decides is
 * judged only when the whole round came within it: past it (a log-in takes seconds under
 * valgrind on a busy machine) a new window may have opened midway, in which pw signs in.
 * False when the round was too slow to judge.
 */
static bool
email_round_at(int line, struct browser *b, const char *email, const char *pw)
{
	struct browser elsewhere;
	const char *wrong = new_password("wrong");
	struct http_response *sixth, *again;
	bool sixth_signed_in;
	double t0 = now_s();

	for (int i = 0; i < 5; i++)
		CHECK_AT(login_post(b, email, new_password("wrong"))->status == 403, line,
		         "failure %d for %s: not 403", i + 1, email);
	sixth = login_post(b, email, pw);
	sixth_signed_in = b->session[0] != '\0';
	browser_on(&elsewhere, NULL);
	expect_login_refused_at(line, &elsewhere, login_post(&elsewhere, email, wrong), wrong, NULL);
	again = login_post(&elsewhere, email, pw);
	if (!in_window(t0)) {
		printf("note %s (line %d): a round at %s took %.0f s, past the throttle's window: "
		       "not judged\n", itest_current, line, email, now_s() - t0);
		return false;
	}
	if (expect_throttled_at(line, sixth))
		expect_page_headers_at(line, sixth);
	CHECK_AT(!sixth_signed_in, line, "%s: the sixth attempt, throttled, set ps_session", email);
	expect_throttled_at(line, again);
	CHECK_AT(elsewhere.session[0] == '\0', line, "%s: the second attempt from another "
	         "address, throttled, set ps_session", email);
	return true;
}

/* Rounds of test_dashboard_throttle_per_email an e-mail gets before it is skipped as too slow. */
#define EMAIL_ROUNDS 3

static void
test_dashboard_throttle_per_email(void)
{
	struct user u, v;
	struct browser b;

	if (!NEW_USER(&u, "throttled") || !NEW_USER(&v, "neighbour"))
		return;
	browser_on(&b, NULL);
	/*
	 * The same for an account that exists and for one that does not (u's password): no
	 * enumeration. A round too slow to judge may have signed u in at b: the next round has a
	 * new account or e-mail and a new address.
	 */
	for (int account = 1; account >= 0; account--) {
		bool judged = false;

		for (int round = 0; round < EMAIL_ROUNDS && !judged; round++) {
			if (round > 0)
				browser_on(&b, NULL);
			if (account && round > 0 && !NEW_USER(&u, "throttled"))
				return;
			judged = email_round_at(__LINE__, &b, account ? u.a.email :
			                        P("%s@example.test", unique("ghost")), u.pw);
			if (judged && account)
				CHECK(sessions_of_at(__LINE__, u.a.id) == 0,
				      "the throttled account got a session");
		}
		if (!judged)
			printf("skipped a throttle check of %s: %d rounds at %s e-mail, each past "
			       "the window\n", itest_current, EMAIL_ROUNDS, account ? "an account's" :
			       "an unknown");
	}
	/* another e-mail from the same address still logs in */
	EXPECT_REDIRECT(login_post(&b, v.a.email, v.pw), "/dashboard/keys");
}

/*
 * Other spellings of an account's e-mail (MariaDB compares them case-folded) share the
 * account's count; a spelling with whitespace finds no account, even with the password.
 */
static void
test_dashboard_throttle_email_spellings(void)
{
	struct user u;
	struct browser b;
	char upper[160];
	size_t n;
	double t0;

	if (!NEW_USER(&u, "spellings"))
		return;
	browser_on(&b, NULL);
	str_upper(upper, u.a.email, sizeof(upper));
	/* "spellings-...": its 'i' as U+0130 (capital I with dot), which MariaDB's LOWER() folds */
	n = (size_t)(strchr(u.a.email, 'i') - u.a.email);
	const char *const spellings[] = {
		u.a.email, upper, P("%.*s\xc4\xb0%s", (int)n, u.a.email, u.a.email + n + 1),
		P("%.*s\xc4\xb0%s", (int)n, upper, upper + n + 1),
		P("%c%.*s\xc4\xb0%s", upper[0], (int)n - 1, u.a.email + 1, u.a.email + n + 1),
	};
	/* no account for these, so no way in: refused like a wrong password */
	expect_login_refused_at(__LINE__, &b, login_post(&b, P("%s ", u.a.email), u.pw), u.pw, NULL);
	expect_login_refused_at(__LINE__, &b, login_post(&b, P(" %s", u.a.email), u.pw), u.pw, NULL);
	t0 = now_s();
	for (size_t i = 0; i < N_ELEMS(spellings); i++)
		CHECK(login_post(&b, spellings[i], new_password("wrong"))->status == 403,
		      "failure %zu (\"%s\"): not 403", i + 1, spellings[i]);
	/* the right password, in a spelling not used yet: the account's count is full (past the
	 * window, a new one may have let it sign in: nothing to judge, as for the 429) */
	if (EXPECT_THROTTLED_SINCE(login_post(&b, P("%.2s%.*s\xc4\xb0%s", upper, (int)n - 2,
	                                            u.a.email + 2, upper + n + 1), u.pw), t0) ||
	    in_window(t0))
		CHECK(sessions_of_at(__LINE__, u.a.id) == 0,
		      "a spelling of the e-mail got past the throttle");
}

/* Forked children trying log-ins from one address, for one e-mail or each for its own. */
struct attempt_tally {
	int refused, throttled, signed_in, busy, other;
	char first_other[200];   /* the first answer none of the others */
};
struct attempt_args {
	const char *source;      /* NULL: each child from its own random address */
	const char *email;       /* NULL: a new unknown e-mail for every attempt */
	int procs, each;
	const char *pw;          /* NULL: a new wrong password for every attempt */
};

/* 503 for want of a verification slot: Retry-After, the form again, no session. */
static bool
is_busy(const struct browser *b, const struct http_response *r)
{
	const char *ra = http_header(r, "Retry-After");

	return r->status == 503 && ra != NULL && atoi(ra) >= 1 && b->session[0] == '\0' &&
	       find_el(page(r), "form#login", &(struct el){0}) && error_text(r) != NULL;
}

static void
attempt_child(void *tally, volatile int *flags, void *arg)
{
	struct attempt_tally *t = tally;
	const struct attempt_args *a = arg;
	struct browser b;

	(void)flags;
	browser_on(&b, a->source);
	for (int i = 0; i < a->each; i++) {
		const char *email = a->email ? a->email : P("%s-%d@example.test", unique("nobody"),
		                                            (int)getpid());
		struct http_response *r = login_post(&b, email, a->pw ? a->pw : unique("wrong"));
		if (r->status == 403)
			t->refused++;
		else if (r->status == 429)
			t->throttled++;
		else if (r->status == 303 && b.session[0] != '\0')
			t->signed_in++;
		else if (is_busy(&b, r))
			t->busy++;
		else if (t->other++ == 0)
			snprintf(t->first_other, sizeof(t->first_other), "%s", snip(r));
		b.session[0] = '\0';
	}
}

/* a->procs children, each trying a->each log-ins; their tallies summed into *sum. */
static bool
attempts_side_by_side_at(int line, struct attempt_args *a, struct attempt_tally *sum)
{
	struct load_procs l;
	bool ok;

	memset(sum, 0, sizeof(*sum));
	if (!load_procs_start_at(line, &l, a->procs, sizeof(struct attempt_tally), 1, 120,
	                         attempt_child, a))
		return false;
	ok = load_procs_finish_at(line, &l);
	for (int i = 0; i < l.procs; i++) {
		const struct attempt_tally *t = (const struct attempt_tally *)l.tallies + i;
		sum->refused += t->refused;
		sum->throttled += t->throttled;
		sum->signed_in += t->signed_in;
		sum->busy += t->busy;
		if (sum->other == 0)
			memcpy(sum->first_other, t->first_other, sizeof(sum->first_other));
		sum->other += t->other;
	}
	load_procs_unmap(&l);
	return ok;
}

/* `key = value` of the stack's parsesphere.conf (tracked), or NULL. */
static const char *
conf_value(const char *key)
{
	FILE *f = fopen(state_path("parsesphere.conf"), "r");
	char line[512], k[64], v[400];
	const char *found = NULL;

	if (f == NULL)
		return NULL;
	while (found == NULL && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, " %63[^= \t] = %399s", k, v) == 2 && strcmp(k, key) == 0)
			found = P("%s", v);
	fclose(f);
	return found;
}

/* The workers' cap on password verifications at once (login_verify_slots, default 2). */
static int
verify_slots(void)
{
	const char *v = conf_value("login_verify_slots");

	return v ? atoi(v) : 2;
}

/*
 * The limit holds for attempts that arrive together: a burst of wrong passwords for one
 * e-mail gets at most 5 of them verified, whatever the number of workers verifying at once.
 */
static void
test_dashboard_throttle_concurrent_attempts(void)
{
	enum { BURST = 12, LIMIT = 5 };
	const char *email = P("%s@example.test", unique("burst"));
	struct browser b;
	struct attempt_tally sum;

	browser_on(&b, NULL);
	if (!attempts_side_by_side_at(__LINE__, &(struct attempt_args){b.source, email, BURST, 1,
	                                                               NULL}, &sum))
		return;
	/* those beyond the verification slots are refused unverified too (503) */
	CHECK(sum.refused <= LIMIT && sum.refused + sum.throttled + sum.busy == BURST,
	      "%d simultaneous wrong passwords for %s: %d verified and refused (403), %d throttled "
	      "(429), %d busy (503), %d other (first: %s); at most %d may be verified in a window",
	      BURST, email, sum.refused, sum.throttled, sum.busy, sum.other,
	      sum.other ? sum.first_other : "-", LIMIT);
}

static void
test_dashboard_throttle_per_address(void)
{
	/*
	 * 20 failures within the window, also under valgrind (1.5 s or more a verification):
	 * side by side, a child per CPU; more would not verify any sooner, and more than the
	 * verification slots would be refused (503).
	 */
	enum { FAILURES = 20 };
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int procs = cpus >= 4 ? 4 : cpus >= 2 ? 2 : 1;
	struct user u;
	struct browser b, local;
	struct http_response *r;
	struct attempt_tally sum;
	double t0;

	if (procs > verify_slots())
		procs = verify_slots();
	if (!NEW_USER(&u, "addr"))
		return;
	browser_on(&b, NULL);
	t0 = now_s();
	if (!attempts_side_by_side_at(__LINE__, &(struct attempt_args){b.source, NULL, procs,
	                                                               FAILURES / procs, NULL}, &sum))
		return;
	CHECK(sum.refused == FAILURES, "%d failures from %s: %d refused (403), %d throttled, "
	      "%d other (first: %s)", FAILURES, b.source, sum.refused, sum.throttled, sum.other,
	      sum.other ? sum.first_other : "-");
	/* a 21st e-mail from that address, with its right password */
	r = login_post(&b, u.a.email, u.pw);
	if (EXPECT_THROTTLED_SINCE(r, t0))
		CHECK(b.session[0] == '\0', "a throttled log-in set ps_session");
	/* 127.0.0.1 is another address */
	browser_on(&local, "127.0.0.1");
	EXPECT_REDIRECT(login_post(&local, u.a.email, u.pw), "/dashboard/keys");
}

/*
 * An attacker failing at an account keeps its owner out no longer: once the account's count
 * is full, every other client address still gets one attempt at it in the window, so the right
 * password from elsewhere logs in, while the attacker's address stays refused unverified.
 */
static void
test_dashboard_throttle_owner_not_locked_out(void)
{
	struct user u;
	struct browser attacker, owner;
	double t0;

	if (!NEW_USER(&u, "besieged"))
		return;
	browser_on(&attacker, NULL);
	t0 = now_s();
	for (int i = 0; i < 5; i++)
		CHECK(login_post(&attacker, u.a.email, new_password("guess"))->status == 403,
		      "guess %d at %s: not 403", i + 1, u.a.email);
	EXPECT_THROTTLED_SINCE(login_post(&attacker, u.a.email, new_password("guess")), t0);
	browser_on(&owner, NULL);
	if (EXPECT_REDIRECT(login_post(&owner, u.a.email, u.pw), "/dashboard/keys"))
		KEYS_PAGE(&owner, "");
	/* the owner's log-in took back its own attempt only: the attacker's address stays out */
	EXPECT_THROTTLED_SINCE(login_post(&attacker, u.a.email, new_password("guess")), t0);
	/* past the window the attacker's right password may sign in: judged only within it */
	if (EXPECT_THROTTLED_SINCE(login_post(&attacker, u.a.email, u.pw), t0) || in_window(t0)) {
		CHECK(attacker.session[0] == '\0', "the attacker's address got a session");
		CHECK(sessions_of_at(__LINE__, u.a.id) == 1, "%ld sessions, want the owner's",
		      sessions_of_at(__LINE__, u.a.id));
	}
}

/*
 * login_throttle keeps live windows only, and few of them a client address: an address over
 * its limit adds no row for the e-mails it tries (429 before they are counted), so it can
 * start at most 1 + 2 x 20 rows in a window (its own; per e-mail, the e-mail's and the pair's);
 * and every attempt, a 429 too, deletes some windows that have ended, oldest first.
 */
static void
test_dashboard_throttle_rows_bounded(void)
{
	enum { PER_ACCOUNT = 5, PER_ADDRESS = 20, SPRAY = 60, ROW_CAP = 1 + 2 * PER_ADDRESS };
	const char *target = P("%s@example.test", unique("sprayed")), *since, *rows, *old;
	char t0[40];
	int answers[600] = {0}, other = 0;
	struct browser b;
	struct http_response *r;
	double start;

	if ((since = DB("SELECT UTC_TIMESTAMP(6)")) == NULL)
		return;
	snprintf(t0, sizeof(t0), "%.*s", (int)strcspn(since, "\n"), since);
	browser_on(&b, NULL);
	start = now_s();
	/* the address's limit reached with 5 verifications: then its attempts at a full account */
	for (int i = 0; i < PER_ADDRESS; i++) {
		r = login_post(&b, target, unique("wrong"));
		CHECK(r->status == (i < PER_ACCOUNT ? 403 : 429), "attempt %d at %s: %s", i + 1,
		      target, snip(r));
	}
	/* many e-mails from that address */
	for (int i = 0; i < SPRAY; i++) {
		r = login_post(&b, P("%s@example.test", unique("spray")), unique("wrong"));
		answers[r->status % 600]++;
		other += r->status != 429 || http_header(r, "Retry-After") == NULL;
	}
	rows = DB(P("SELECT COUNT(*) FROM login_throttle WHERE window_start >= '%s'", t0));
	/* a window that ends mid-way lets the address start again: nothing to conclude */
	if (now_s() - start > 55) {
		printf("skipped the row count of %s: %.0f s for the attempts\n", itest_current,
		       now_s() - start);
	} else {
		CHECK(other == 0, "%d of %d e-mails from an address over its limit not answered 429 "
		      "with Retry-After (403: %d, 503: %d)", other, SPRAY, answers[403], answers[503]);
		CHECK(rows != NULL && atol(rows) <= ROW_CAP, "%ld rows started by %d attempts from "
		      "one address, at most %d expected", rows ? atol(rows) : -1L, PER_ADDRESS + SPRAY,
		      ROW_CAP);
	}
	/* windows that ended long ago: the next attempt, answered 429, deletes them */
	if (DB("INSERT INTO login_throttle (subject, window_start, failures) VALUES "
	       "(UNHEX(SHA2(UUID(), 256)), '2000-01-01', 1), (UNHEX(SHA2(UUID(), 256)), '2000-01-01', 2), "
	       "(UNHEX(SHA2(UUID(), 256)), '2000-01-01', 3), (UNHEX(SHA2(UUID(), 256)), '2000-01-01', 4), "
	       "(UNHEX(SHA2(UUID(), 256)), '2000-01-01', 5)") == NULL)
		return;
	r = login_post(&b, target, unique("wrong"));
	old = DB("SELECT COUNT(*) FROM login_throttle WHERE window_start < '2001-01-01'");
	CHECK(old != NULL && atol(old) == 0, "%ld rows of windows that ended in 2000 left after an "
	      "attempt (%d)", old ? atol(old) : -1L, r->status);
}

/* ---- password verifications at once -------------------------------------------------------------- */

/*
 * Lock file i of the verification slots of the workers behind this web server: in
 * login_verify_dir, else next to their listening socket (the stack's app.sock, or mod_fcgid's
 * socket directory).
 */
static const char *
verify_slot_path(int i)
{
	const char *dir = conf_value("login_verify_dir"), *ws = getenv("PS_WEB_SERVER");

	if (dir == NULL)
		dir = state_path(ws == NULL ? "." : strcmp(ws, "apache") == 0 ? "fcgid" :
		                 strcmp(ws, "apache-htaccess") == 0 ? "fcgid-htaccess" : ".");
	return P("%s/parsesphere-verify-%d.lock", dir, i);
}

/*
 * Takes verification slots from..n-1 as a verifying worker would (a lock file created here
 * belongs to its directory's owner, like the workers' own), waiting up to 10 s for ones
 * a worker holds; fds[i] is -1 for a slot not taken. Returns how many were taken.
 */
static int
take_slots(int *fds, int from, int n)
{
	int taken = 0;

	for (int i = from; i < n; i++) {
		const char *path = verify_slot_path(i);
		char dir[4096];
		struct stat st;
		int fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		snprintf(dir, sizeof(dir), "%.*s", (int)(strrchr(path, '/') - path), path);
		if (fd >= 0 && stat(dir, &st) == 0 && fchown(fd, st.st_uid, st.st_gid) != 0)
			printf("chown %s: %s\n", path, strerror(errno));
		if (fd < 0)
			fd = open(path, O_RDONLY | O_CLOEXEC);
		for (double t0 = now_s(); fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0 &&
		     now_s() - t0 < 10; )
			sleep_s(0.02);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
			close(fd);
			fd = -1;
		}
		fds[i] = fd;
		taken += fd >= 0;
	}
	return taken;
}

static void
release_slots(int *fds, int from, int n)
{
	for (int i = from; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/*
 * Password verifications at once are capped per worker pool, across its processes: with
 * every slot taken, log-ins are refused at once (503, Retry-After) while the API and
 * /healthz answer; with one free (a cap of 1), log-ins at once are verified or refused so,
 * never queued; a process that dies holding slots leaves none taken.
 */
static void
test_dashboard_login_verifications_capped(void)
{
	enum { AT_ONCE = 4 };
	int n = verify_slots(), fds[64], pipefd[2];
	struct attempt_tally sum;
	struct user u;
	struct key k;
	struct browser b;
	char ready = 0;
	pid_t holder;

	if (!CHECK(n >= 1 && n <= 64, "login_verify_slots %d", n) || !NEW_USER(&u, "capped") ||
	    !NEW_KEY(&k, u.a.id, NULL, "capped"))
		return;
	if (!CHECK(take_slots(fds, 0, n) == n, "could not take the %d slots at %s", n,
	           verify_slot_path(0))) {
		release_slots(fds, 0, n);
		return;
	}
	attempts_side_by_side_at(__LINE__, &(struct attempt_args){NULL, u.a.email, AT_ONCE, 1, u.pw},
	                         &sum);
	CHECK(sum.busy == AT_ONCE, "%d log-ins with every slot taken: %d busy (503), %d signed in, "
	      "%d refused, %d throttled, %d other (first: %s)", AT_ONCE, sum.busy, sum.signed_in,
	      sum.refused, sum.throttled, sum.other, sum.other ? sum.first_other : "-");
	EXPECT_STATUS(REQ(.method = "GET", .path = "/healthz"), 200);
	EXPECT_STATUS(GET("/v1/me", k.secret), 200);
	/* one slot free */
	release_slots(fds, n - 1, n);
	attempts_side_by_side_at(__LINE__, &(struct attempt_args){NULL, u.a.email, AT_ONCE, 1, u.pw},
	                         &sum);
	CHECK(sum.signed_in >= 1 && sum.signed_in + sum.busy == AT_ONCE, "%d log-ins at once with "
	      "one slot: %d signed in, %d busy (503), %d refused, %d throttled, %d other (first: %s)",
	      AT_ONCE, sum.signed_in, sum.busy, sum.refused, sum.throttled, sum.other,
	      sum.other ? sum.first_other : "-");
	release_slots(fds, 0, n - 1);

	/* a holder killed with its slots: the kernel releases them */
	if (!CHECK(pipe(pipefd) == 0, "pipe: %s", strerror(errno)))
		return;
	fflush(stdout);
	if ((holder = fork()) == 0) {
		char all = take_slots(fds, 0, n) == n;
		if (write(pipefd[1], &all, 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	if (!CHECK(holder > 0 && read(pipefd[0], &ready, 1) == 1 && ready, "the holder took no slots"))
		goto done;
	browser_on(&b, NULL);
	CHECK(is_busy(&b, login_post(&b, u.a.email, u.pw)), "a log-in while another process holds "
	      "every slot was not refused 503");
	kill(holder, SIGKILL);
	waitpid(holder, NULL, 0);
	holder = 0;
	EXPECT_REDIRECT(login_post(&b, u.a.email, u.pw), "/dashboard/keys");
done:
	if (holder > 0) {
		kill(holder, SIGKILL);
		waitpid(holder, NULL, 0);
	}
	close(pipefd[0]);
}

/* ---- escaping ----------------------------------------------------------------------------------- */

/*
 * Text that, unescaped, would add an element (b#inj) or an attribute (onclick) to the page,
 * in text and in single- or double-quoted attributes; "&amp;" must come back as itself. An
 * e-mail may not hold spaces: there '/' separates (<b/id=inj> is <b id=inj> to a browser).
 */
static const char inject_name[] = "q\" onclick=\"alert(2)' onclick='alert(3) &amp; & <b id=inj>x</b>";
static const char inject_email[] = "q\"onclick=\"alert(4)'onclick='x&amp;<b/id=inj>";

/* Nothing of these strings became markup: no raw copy, no b#inj, no onclick anywhere. */
static bool
expect_inert_at(int line, const struct http_response *r, const char *const *raw, size_t n)
{
	struct el e;
	bool ok = true;

	for (size_t i = 0; i < n; i++)
		ok &= CHECK_AT(strstr(r->body, raw[i]) == NULL, line, "%s: %s is in the page as it is",
		               r->what, raw[i]);
	ok &= CHECK_AT(!find_el(page(r), "b#inj", &e), line, "%s: an injected <b id=inj>", r->what);
	for (const char *p = r->body; next_tag(p, r->body + r->body_len, &e); p = e.open + 1)
		ok &= CHECK_AT(el_attr(&e, "onclick") == NULL, line, "%s: an injected onclick on <%s>",
		               r->what, e.tag);
	return ok;
}
#define EXPECT_INERT(r, ...) expect_inert_at(__LINE__, (r), (const char *const[]){__VA_ARGS__}, \
	sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* The element's decoded attribute (or text, attr NULL) is exactly want. */
static bool
expect_reads_at(int line, const struct http_response *r, const char *outer, const char *sel,
                const char *attr, const char *want)
{
	struct el e;
	const char *got = NULL;

	if (find_in(r, outer, sel, &e))
		got = attr ? el_attr(&e, attr) : el_text(&e);
	return CHECK_AT(got != NULL && strcmp(got, want) == 0, line, "%s: %s %s %s reads \"%s\", "
	                "want \"%s\"", r->what, outer, sel, attr ? attr : "text", nz(got), want);
}
#define EXPECT_READS(r, outer, sel, attr, want) \
	expect_reads_at(__LINE__, (r), (outer), (sel), (attr), (want))

static void
test_dashboard_escaping(void)
{
	static const char script[] = "<script>alert(1)</script>";
	const char *email = P("%s%s@example.test", inject_email, unique(""));
	const char *stranger = P("%s%s@example.test", inject_email, unique(""));
	const char *too_long = P("%s%0*d", inject_name, (int)(101 - strlen(inject_name)), 0);
	struct user u;
	struct key k, ks, ki;
	struct browser b, anon;
	struct http_response *r;
	char org[37];

	if (!NEW_USER_AS(&u, email, inject_name) || !NEW_ORG(org, inject_name, u.a.id) ||
	    !NEW_KEY(&k, u.a.id, NULL, "api") || !API_KEY_NAMED(&ks, k.secret, NULL, script) ||
	    !API_KEY_NAMED(&ki, k.secret, NULL, inject_name))
		return;
	/* reflected before any log-in: the e-mail of a failed attempt comes back in the form */
	browser_on(&anon, NULL);
	r = login_post(&anon, stranger, new_password("wrong"));
	if (EXPECT_ERROR_PAGE(r, 403)) {
		EXPECT_INERT(r, inject_email);
		EXPECT_READS(r, "form#login", "input[name=email]", "value", stranger);
	}
	if (!LOGIN(&b, &u))
		return;
	r = KEYS_PAGE(&b, "");
	CHECK(strstr(r->body, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	      "the escaped key name is not in the page: %s", snip(r));
	EXPECT_INERT(r, script, inject_name, inject_email);
	EXPECT_READS(r, P("tr.key[data-key-id=%s]", ks.id), "td.name", NULL, script);
	EXPECT_READS(r, P("tr.key[data-key-id=%s]", ki.id), "td.name", NULL, inject_name);
	EXPECT_READS(r, "header", "span.account", NULL, inject_name);
	EXPECT_READS(r, "header", "span.account", "title", email);
	EXPECT_READS(r, "form#context", P("option[value=%s]", org), NULL, P("%s (owner)", inject_name));
	/* the confirmation page names the key */
	r = BGET(&b, P("/dashboard/keys/%s/revoke", ki.id));
	if (EXPECT_HTML(r, 200)) {
		EXPECT_INERT(r, inject_name, inject_email);
		CHECK(strstr(r->body, "&lt;b id=inj&gt;") != NULL, "revoke page: the name is not shown "
		      "escaped: %s", snip(r));
	}
	/* through the form: the created page, and a refused name given back in its input */
	const char *csrf = csrf_of(KEYS_PAGE(&b, ""), "form#create-key");
	r = BPOST(&b, "/dashboard/keys", "csrf", csrf, "name", inject_name, "org", "");
	if (EXPECT_REDIRECT(r, "/dashboard/keys/created")) {
		r = BGET(&b, "/dashboard/keys/created");
		itest_note_secret_str(text_of(page(r), "code#secret"));
		if (EXPECT_HTML(r, 200))
			EXPECT_INERT(r, inject_name, inject_email);
	}
	r = BPOST(&b, "/dashboard/keys", "csrf", csrf, "name", too_long, "org", "");
	if (EXPECT_ERROR_PAGE(r, 400)) {
		EXPECT_INERT(r, inject_name, inject_email);
		EXPECT_READS(r, "form#create-key", "input[name=name]", "value", too_long);
	}
}

/* ---- headers ------------------------------------------------------------------------------------- */

static bool
expect_page_headers_at(int line, const struct http_response *r)
{
	static const struct { const char *name, *value; } want[] = {
		{"Content-Type", "text/html; charset=utf-8"},
		{"Cache-Control", "no-store"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "same-origin"},
		{"Content-Security-Policy", csp},
	};
	const char *rid = http_header(r, "X-Request-Id");
	bool ok;

	if (!CHECK_AT(r->status != 0, line, "%s: %s", r->what, snip(r)))
		return false;
	ok = true;
	for (size_t i = 0; i < N_ELEMS(want); i++) {
		const char *v = http_header(r, want[i].name);
		ok &= CHECK_AT(v != NULL && http_header_count(r, want[i].name) == 1 &&
		               (i == 0 ? strcasecmp(v, want[i].value) : strcmp(v, want[i].value)) == 0,
		               line, "%s (%d): %s \"%s\" (x%zu), want \"%s\"", r->what, r->status,
		               want[i].name, nz(v), http_header_count(r, want[i].name), want[i].value);
	}
	return ok & CHECK_AT(rid != NULL && rid[0] != '\0', line, "%s (%d): no X-Request-Id",
	                     r->what, r->status);
}

/* What the CSP would block: inline script or style, event handler attributes, javascript: URLs. */
static bool
expect_csp_markup_at(int line, const struct http_response *r)
{
	struct el e;
	bool ok = true;

	for (const char *p = r->body; next_tag(p, r->body + r->body_len, &e); p = e.open + 1) {
		const char *q = e.open + 1 + strlen(e.tag), *v;
		char name[32];
		size_t vlen;

		ok &= CHECK_AT(strcmp(e.tag, "style") != 0, line, "%s: a <style> element", r->what);
		if (strcmp(e.tag, "script") == 0)
			ok &= CHECK_AT(el_attr(&e, "src") != NULL && e.inner == e.inner_end, line,
			               "%s: an inline script: %.200s", r->what, e.open);
		while (next_attr(&q, e.open_end, name, &v, &vlen))
			ok &= CHECK_AT(strncmp(name, "on", 2) != 0 && strcmp(name, "style") != 0 &&
			               strncasecmp(decode(v, vlen), "javascript:", 11) != 0, line,
			               "%s: <%s %s=\"%.*s\">", r->what, e.tag, name, (int)vlen, v);
	}
	return ok;
}

static void
test_dashboard_security_headers(void)
{
	struct user u;
	struct browser b, anon;

	if (!NEW_USER(&u, "headers") || !LOGIN(&b, &u))
		return;
	browser_on(&anon, NULL);
	const struct { int line; struct browser *br; const char *method, *path; int status; } cases[] = {
		{__LINE__, &anon, "GET", "/dashboard/login", 200},
		{__LINE__, &anon, "GET", "/dashboard", 303},
		{__LINE__, &anon, "GET", "/dashboard/keys", 303},
		{__LINE__, &b, "GET", "/dashboard/keys", 200},
		{__LINE__, &b, "GET", "/dashboard/", 303},
		{__LINE__, &b, "GET", "/dashboard/no-such-page", 404},
		{__LINE__, &b, "PUT", "/dashboard/keys", 405},
		{__LINE__, &b, "POST", "/dashboard/logout", 403},
		{__LINE__, &b, "GET", "/dashboard/keys?org=nope", 400},
		{__LINE__, &b, "GET", "/dashboard/keys/created", 410},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct http_response *r = dash(cases[i].br, cases[i].method, cases[i].path,
		                               strcmp(cases[i].method, "GET") ? "" : NULL);
		expect_status_at(cases[i].line, r, cases[i].status);
		expect_page_headers_at(cases[i].line, r);
		if (r->status == 200)
			expect_csp_markup_at(cases[i].line, r);
	}
	/* the assets: their own types, cacheable */
	const struct { int line; const char *path, *type; } assets[] = {
		{__LINE__, "/dashboard/assets/app.css", "text/css"},
		{__LINE__, "/dashboard/assets/app.js", "text/javascript"},
	};
	for (size_t i = 0; i < N_ELEMS(assets); i++) {
		struct http_response *r = BGET(&b, assets[i].path);
		const char *ct = http_header(r, "Content-Type"), *cc = http_header(r, "Cache-Control");
		if (!expect_status_at(assets[i].line, r, 200))
			continue;
		CHECK_AT(ct && strncasecmp(ct, assets[i].type, strlen(assets[i].type)) == 0 &&
		         r->body_len > 0, assets[i].line, "%s: Content-Type %s, %zu bytes", r->what,
		         nz(ct), r->body_len);
		CHECK_AT(cc && strcmp(cc, "max-age=3600") == 0, assets[i].line,
		         "%s: Cache-Control %s, want max-age=3600", r->what, nz(cc));
		CHECK_AT(http_header(r, "X-Content-Type-Options") &&
		         strcmp(http_header(r, "X-Content-Type-Options"), "nosniff") == 0,
		         assets[i].line, "%s: no nosniff", r->what);
	}
}

/* ---- creating through the form ---------------------------------------------------------------- */

/* The created page after a create: the secret (recorded), checked to be shown once. */
static const char *
take_secret_at(int line, struct browser *b, const char *created_path)
{
	struct http_response *r = dash(b, "GET", created_path, NULL), *again;
	const char *secret;

	if (!expect_html_at(line, r, 200))
		return NULL;
	expect_page_headers_at(line, r);   /* no-store above all: the page holds a live key */
	secret = text_of(page(r), "code#secret");
	itest_note_secret_str(secret);
	if (!CHECK_AT(secret && is_secret_format(secret), line, "code#secret \"%s\" is not a key: %s",
	              nz(secret), snip(r)))
		return NULL;
	CHECK_AT(find_el(page(r), "button#copy-secret", &(struct el){0}) &&
	         text_of(page(r), "p.warning") &&
	         strstr(text_of(page(r), "p.warning"), "not be shown again") != NULL, line,
	         "created page without button#copy-secret or p.warning: %s", snip(r));
	/* a reload: gone */
	again = dash(b, "GET", created_path, NULL);
	expect_page_headers_at(line, again);
	if (expect_error_page_at(line, again, 410, NULL))
		CHECK_AT(strstr(again->body, secret) == NULL &&
		         !find_el(page(again), "code#secret", &(struct el){0}), line,
		         "the second GET shows the secret again");
	return secret;
}
#define TAKE_SECRET(b, path) take_secret_at(__LINE__, (b), (path))

/*
 * Creates a key through b's form (org NULL: personal), takes its secret from the created
 * page and fills k through GET /v1/me, which also checks the name and the context.
 */
static bool
form_create_at(int line, struct browser *b, const char *org, const char *name, struct key *k)
{
	const char *q = org ? P("?org=%s", org) : "", *created = P("/dashboard/keys/created%s", q);
	const char *csrf = csrf_of(keys_page_at(line, b, q), "form#create-key"), *secret;
	struct http_response *r = dash(b, "POST", "/dashboard/keys",
	                               FORM("csrf", csrf, "name", name, "org", org ? org : ""));

	memset(k, 0, sizeof(*k));
	if (!expect_redirect_at(line, r, created) || (secret = take_secret_at(line, b, created)) == NULL)
		return false;
	r = GET("/v1/me", secret);
	if (!expect_status_at(line, r, 200))
		return false;
	snprintf(k->id, sizeof(k->id), "%s", nz(jstr(r->json, "api_key.id")));
	snprintf(k->secret, sizeof(k->secret), "%s", secret);
	return CHECK_AT(is_uuid_lower(k->id) && strcmp(nz(jstr(r->json, "api_key.name")), name) == 0 &&
	                (org ? strcmp(nz(jstr(r->json, "organization.id")), org) == 0
	                     : jget(r->json, "organization") == NULL), line,
	                "/v1/me with the key made through the form (name \"%s\", org %s): %s", name,
	                nz(org), r->body);
}
#define FORM_CREATE(b, org, name, k) form_create_at(__LINE__, (b), (org), (name), (k))

/* ---- organizations ------------------------------------------------------------------------------- */

enum who { OWNER, ADMIN, MEMBER, N_WHO };
static const char *const who_role[N_WHO] = {"owner", "admin", "member"};

/* The context switcher's option for org ("" = Personal): its text, or NULL; *sel if selected. */
static const char *
context_option(const struct http_response *r, const char *org, bool *sel)
{
	struct el form, select, opt;

	*sel = false;
	if (!find_el(page(r), "form#context", &form) ||
	    !find_el(inside(&form), "select[name=org]", &select) ||
	    !find_el(inside(&select), P("option[value=%s]", org), &opt))
		return NULL;
	*sel = el_attr(&opt, "selected") != NULL;
	return el_text(&opt);
}

static void
test_dashboard_role_visibility(void)
{
	struct user u[N_WHO];
	struct browser b[N_WHO];
	struct key orgk[N_WHO], personal;
	char org[37], other[37], gone[37];
	const char *org_name = unique("Dash Org"), *gone_name = unique("Gone Org"), *text;
	struct http_response *r;
	bool sel;

	for (int w = 0; w < N_WHO; w++)
		if (!NEW_USER(&u[w], who_role[w]))
			return;
	if (!NEW_ORG(org, org_name, u[OWNER].a.id) || !ADD_MEMBER(org, u[ADMIN].a.id, "admin") ||
	    !ADD_MEMBER(org, u[MEMBER].a.id, "member") ||
	    !NEW_ORG(other, unique("Other Org"), u[OWNER].a.id) ||
	    !NEW_ORG(gone, gone_name, u[OWNER].a.id) || !ADD_MEMBER(gone, u[MEMBER].a.id, "member") ||
	    !NEW_KEY(&personal, u[OWNER].a.id, NULL, "owner personal"))
		return;
	/* each makes an org key through the form, in the org's context */
	for (int w = 0; w < N_WHO; w++)
		if (!LOGIN(&b[w], &u[w]) ||
		    !FORM_CREATE(&b[w], org, P("org key %s", who_role[w]), &orgk[w]))
			return;
	for (int w = 0; w < N_WHO; w++) {
		r = KEYS_PAGE(&b[w], P("?org=%s", org));
		if (w == MEMBER)
			EXPECT_ROWS(r, &orgk[MEMBER]);
		else
			EXPECT_ROWS(r, &orgk[OWNER], &orgk[ADMIN], &orgk[MEMBER]);
		text = context_option(r, org, &sel);
		CHECK(text && strcmp(text, P("%s (%s)", org_name, who_role[w])) == 0 && sel,
		      "%s: the switcher's option for the org reads \"%s\"%s", who_role[w], nz(text),
		      sel ? "" : " and is not selected");
		text = context_option(r, "", &sel);
		CHECK(text && strcmp(text, "Personal") == 0 && !sel, "%s: the Personal option \"%s\"%s",
		      who_role[w], nz(text), sel ? " is selected in the org" : "");
		CHECK(strcmp(nz(field_of(r, "form#create-key", "org")), org) == 0,
		      "%s: form#create-key's org field is \"%s\"", who_role[w],
		      nz(field_of(r, "form#create-key", "org")));
	}
	/* the personal context holds only personal keys */
	r = KEYS_PAGE(&b[OWNER], "");
	EXPECT_ROWS(r, &personal);
	text = context_option(r, "", &sel);
	CHECK(text && sel, "the Personal option is not selected in the personal context");

	/* the member: not in `other`, a malformed id, then `gone` deactivated; reading or creating */
	const char *csrf = csrf_of(KEYS_PAGE(&b[MEMBER], ""), "form#create-key");
	const struct { int line; const char *org; int status; } refused[] = {
		{__LINE__, other, 403},
		{__LINE__, "not-an-org", 400},
	};
	for (size_t i = 0; i < N_ELEMS(refused); i++) {
		expect_error_page_at(refused[i].line, BGET(&b[MEMBER], P("/dashboard/keys?org=%s",
		                                                        refused[i].org)),
		                     refused[i].status, NULL);
		r = BPOST(&b[MEMBER], "/dashboard/keys", "csrf", csrf, "name", "refused", "org",
		          refused[i].org);
		if (expect_error_page_at(refused[i].line, r, refused[i].status, &text))
			CHECK_AT(strstr(text, "no longer valid") == NULL, refused[i].line,
			         "refused for its token, not its org: %s", text);
	}
	CHECK(count_el(page(KEYS_PAGE(&b[OWNER], P("?org=%s", other))), "tr.key") == 0,
	      "a key was made in an org by a non-member");
	r = KEYS_PAGE(&b[MEMBER], "");
	text = context_option(r, gone, &sel);
	CHECK(text && strcmp(text, P("%s (member)", gone_name)) == 0, "option for the second org: %s",
	      nz(text));
	CHECK(context_option(r, other, &sel) == NULL, "an org the member is not in is offered");
	if (!ADMIN_OK("org", "deactivate", gone))
		return;
	r = KEYS_PAGE(&b[MEMBER], "");
	CHECK(context_option(r, gone, &sel) == NULL, "a deactivated org is still offered");
	CHECK(context_option(r, org, &sel) != NULL, "the active org is no longer offered");
	EXPECT_ERROR_PAGE(BGET(&b[MEMBER], P("/dashboard/keys?org=%s", gone)), 403);
	/* removed while signed in: out at the next request */
	if (!ADMIN_OK("org", "remove-member", org, u[MEMBER].a.id))
		return;
	EXPECT_ERROR_PAGE(BGET(&b[MEMBER], P("/dashboard/keys?org=%s", org)), 403);
	CHECK(context_option(KEYS_PAGE(&b[MEMBER], ""), org, &sel) == NULL,
	      "the org is still offered after the member's removal");
}

/* ---- creating and revoking ----------------------------------------------------------------------- */

static void
test_dashboard_create_key_form(void)
{
	/* spaces, '&', '+', '%', '=' and UTF-8: the form's encoding decoded right */
	static const char name[] = "form key \xc3\xbc & 1+1=2 100%";
	struct user u;
	struct key k;
	struct browser b;
	struct http_response *r;
	char org[37];

	struct browser other;
	const char *csrf;

	if (!NEW_USER(&u, "create") || !NEW_ORG(org, unique("Create Org"), u.a.id) ||
	    !LOGIN(&b, &u) || !LOGIN(&other, &u))
		return;
	/* the new secret waits for the session that made the key, not for another of the account */
	csrf = csrf_of(KEYS_PAGE(&b, ""), "form#create-key");
	if (EXPECT_REDIRECT(BPOST(&b, "/dashboard/keys", "csrf", csrf, "name", "mine only", "org", ""),
	                    "/dashboard/keys/created")) {
		r = BGET(&other, "/dashboard/keys/created");
		CHECK(r->status == 410 && !find_el(page(r), "code#secret", &(struct el){0}),
		      "another session of the account reads the created page: %s", snip(r));
		itest_note_secret_str(text_of(page(r), "code#secret"));
		TAKE_SECRET(&b, "/dashboard/keys/created");
	}
	if (FORM_CREATE(&b, NULL, name, &k)) {
		EXPECT_KEY(GET(KP(k.id), k.secret)->json, .id = k.id, .name = name, .created_by = u.a.id,
		           .active = true);
		/* listed, without its secret */
		r = KEYS_PAGE(&b, "");
		CHECK(row_of(r, k.id, &(struct el){0}) && count_el(page(r), "tr.key") == 2,
		      "the keys page after two creates: %s", snip(r));
		CHECK(strstr(r->body, k.secret) == NULL, "the keys page shows the secret");
	}
	/* in the organization's context: listed there, not in the personal context */
	if (FORM_CREATE(&b, org, "org form key", &k)) {
		EXPECT_KEY(OGET(KP(k.id), k.secret, org)->json, .id = k.id, .name = "org form key",
		           .created_by = u.a.id, .org = org, .active = true);
		EXPECT_ROWS(KEYS_PAGE(&b, P("?org=%s", org)), &k);
		CHECK(!row_of(KEYS_PAGE(&b, ""), k.id, &(struct el){0}), "the org key is listed in the "
		      "personal context");
	}
}

/* Two keys created before either page is seen (two tabs, a double click): both secrets kept. */
static void
test_dashboard_two_creates_keep_both_secrets(void)
{
	struct user u;
	struct browser b;
	struct http_response *first, *second;
	const char *csrf, *s1, *s2;

	if (!NEW_USER(&u, "twotabs") || !LOGIN(&b, &u))
		return;
	csrf = csrf_of(KEYS_PAGE(&b, ""), "form#create-key");
	EXPECT_REDIRECT(BPOST(&b, "/dashboard/keys", "csrf", csrf, "name", "tab one", "org", ""),
	                "/dashboard/keys/created");
	EXPECT_REDIRECT(BPOST(&b, "/dashboard/keys", "csrf", csrf, "name", "tab two", "org", ""),
	                "/dashboard/keys/created");
	/* the newest first, with a link to the other; then the other; then nothing */
	first = BGET(&b, "/dashboard/keys/created");
	second = BGET(&b, "/dashboard/keys/created");
	s1 = text_of(page(first), "code#secret");
	s2 = text_of(page(second), "code#secret");
	itest_note_secret_str(s1);
	itest_note_secret_str(s2);
	CHECK(first->status == 200 && strstr(first->body, "tab two") != NULL &&
	      find_el(page(first), "p#more-secrets", &(struct el){0}), "first page: %s", snip(first));
	CHECK(second->status == 200 && strstr(second->body, "tab one") != NULL &&
	      !find_el(page(second), "p#more-secrets", &(struct el){0}),
	      "second page: %s", snip(second));
	if (CHECK(s1 && s2 && is_secret_format(s1) && is_secret_format(s2) && strcmp(s1, s2) != 0,
	          "two different secrets: \"%s\", \"%s\"", nz(s1), nz(s2))) {
		EXPECT_STATUS(GET("/v1/me", s1), 200);
		EXPECT_STATUS(GET("/v1/me", s2), 200);
	}
	EXPECT_ERROR_PAGE(BGET(&b, "/dashboard/keys/created"), 410);
}

static void
test_dashboard_create_invalid_name(void)
{
	struct user u;
	struct key k;
	struct browser b;
	const char *csrf;

	if (!NEW_USER(&u, "badname") || !NEW_KEY(&k, u.a.id, NULL, "counter") || !LOGIN(&b, &u))
		return;
	csrf = csrf_of(KEYS_PAGE(&b, ""), "form#create-key");
	const struct { int line; const char *name; } cases[] = {
		{__LINE__, ""},
		{__LINE__, "   "},
		{__LINE__, P("%0101d", 0)},
		{__LINE__, NULL},   /* no name field at all */
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct http_response *r = BPOST(&b, "/dashboard/keys", "csrf", csrf, "name",
		                                cases[i].name, "org", "");
		if (expect_error_page_at(cases[i].line, r, 400, NULL))
			CHECK_AT(find_el(page(r), "form#create-key", &(struct el){0}), cases[i].line,
			         "the 400 page is not the keys page: %s", snip(r));
	}
	CHECK(api_key_count(k.secret) == 1, "%d keys after invalid names (want 1)",
	      api_key_count(k.secret));
	/* nothing is waiting to be shown either */
	EXPECT_ERROR_PAGE(BGET(&b, "/dashboard/keys/created"), 410);
}

static void
test_dashboard_revoke(void)
{
	struct user u;
	struct acct owner, peer;
	struct key mine, spare, my_org_key, peer_key;
	struct browser b;
	struct http_response *r;
	struct el form;
	char org[37];
	const char *csrf;

	if (!NEW_USER(&u, "revoker") || !NEW_ACCOUNT(&owner, "owner") ||
	    !NEW_ACCOUNT(&peer, "peer") || !NEW_ORG(org, unique("Revoke Org"), owner.id) ||
	    !ADD_MEMBER(org, u.a.id, "member") || !ADD_MEMBER(org, peer.id, "member") ||
	    !NEW_KEY(&mine, u.a.id, NULL, "to revoke") || !NEW_KEY(&spare, u.a.id, NULL, "spare") ||
	    !NEW_KEY(&my_org_key, u.a.id, org, "my org key") ||
	    !NEW_KEY(&peer_key, peer.id, org, "peer org key") || !LOGIN(&b, &u))
		return;
	r = BGET(&b, P("/dashboard/keys/%s/revoke", mine.id));
	if (!EXPECT_HTML(r, 200) ||
	    !CHECK(find_el(page(r), "form#revoke", &form), "no form#revoke: %s", snip(r)))
		return;
	CHECK(strstr(r->body, "to revoke") != NULL && strstr(r->body, P("%.12s", mine.secret)),
	      "the confirmation does not name the key (name, prefix): %s", snip(r));
	CHECK(find_el(inside(&form), "button#confirm-revoke", &(struct el){0}) &&
	      strcmp(nz(field_of(r, "form#revoke", "org")), "") == 0,
	      "form#revoke: button#confirm-revoke %s, org field \"%s\"",
	      find_el(inside(&form), "button#confirm-revoke", &(struct el){0}) ? "present" : "missing",
	      nz(field_of(r, "form#revoke", "org")));
	csrf = csrf_of(r, "form#revoke");
	EXPECT_REDIRECT(BPOST(&b, P("/dashboard/keys/%s/revoke", mine.id), "csrf", csrf, "org", ""),
	                "/dashboard/keys?revoked=1");
	EXPECT_ERROR(GET("/v1/me", mine.secret), 401, "api_key_revoked");
	/* twice: fine, still revoked */
	EXPECT_REDIRECT(BPOST(&b, P("/dashboard/keys/%s/revoke", mine.id), "csrf", csrf, "org", ""),
	                "/dashboard/keys?revoked=1");
	EXPECT_ERROR(GET("/v1/me", mine.secret), 401, "api_key_revoked");
	EXPECT_STATUS(GET("/v1/me", spare.secret), 200);

	/* not another member's key, nor an org key from the personal context, nor what is no key */
	const struct { int line; const char *id, *org; } hidden[] = {
		{__LINE__, peer_key.id, org},
		{__LINE__, peer_key.id, ""},
		{__LINE__, my_org_key.id, ""},
		{__LINE__, "not-a-key-id", ""},
	};
	for (size_t i = 0; i < N_ELEMS(hidden); i++) {
		const char *path = P("/dashboard/keys/%s/revoke", hidden[i].id);
		const char *q = hidden[i].org[0] ? P("?org=%s", hidden[i].org) : "";
		expect_html_at(hidden[i].line, BGET(&b, P("%s%s", path, q)), 404);
		expect_html_at(hidden[i].line, BPOST(&b, path, "csrf", csrf, "org", hidden[i].org), 404);
	}
	/* nor in an org the member is not in */
	char foreign[37];
	if (NEW_ORG(foreign, unique("Foreign Org"), owner.id)) {
		EXPECT_ERROR_PAGE(BGET(&b, P("/dashboard/keys/%s/revoke?org=%s", my_org_key.id, foreign)),
		                  403);
		EXPECT_ERROR_PAGE(BPOST(&b, P("/dashboard/keys/%s/revoke", my_org_key.id), "csrf", csrf,
		                        "org", foreign), 403);
	}
	EXPECT_STATUS(GET("/v1/me", peer_key.secret), 200);
	EXPECT_STATUS(GET("/v1/me", my_org_key.secret), 200);

	/* the member's own org key, in the org's context */
	r = BGET(&b, P("/dashboard/keys/%s/revoke?org=%s", my_org_key.id, org));
	if (EXPECT_HTML(r, 200))
		CHECK(strcmp(nz(field_of(r, "form#revoke", "org")), org) == 0,
		      "form#revoke's org field \"%s\" in the org's context",
		      nz(field_of(r, "form#revoke", "org")));
	EXPECT_REDIRECT(BPOST(&b, P("/dashboard/keys/%s/revoke", my_org_key.id), "csrf",
	                      csrf_of(r, "form#revoke"), "org", org),
	                P("/dashboard/keys?revoked=1&org=%s", org));
	EXPECT_ERROR(GET("/v1/me", my_org_key.secret), 401, "api_key_revoked");
}

/* ---- the keys page ---------------------------------------------------------------------------- */

/* A row's cell (td.CLASS) text, or "(none)". */
static const char *
cell(const struct el *row, const char *cls)
{
	return nz(text_of(inside(row), P("td.%s", cls)));
}

static bool
has_class(const struct el *e, const char *cls)
{
	const char *c = el_attr(e, "class");

	return c && strstr(P(" %s ", c), P(" %s ", cls)) != NULL;
}

/*
 * A key revoked because GitHub found it in public says where in the owner's
 * list: "Revoked: found public at <url>", the url escaped (it is a report's)
 * and a link; a report's url that is not one is not shown.
 */
static void
test_dashboard_leaked_key_shows_where(void)
{
	static const char url[] = "https://github.com/octo/app/blob/0a1b/.env?x=1&y='2'#L3";
	struct user u;
	struct key k, bad_url, kept;
	struct browser b;
	struct http_response *r;
	struct el row, a;

	if (!NEW_USER(&u, "leaked") || !NEW_KEY(&k, u.a.id, NULL, "found on GitHub") ||
	    !API_KEY_NAMED(&bad_url, k.secret, NULL, "found elsewhere") ||
	    !API_KEY_NAMED(&kept, k.secret, NULL, "still fine") ||
	    !LEAK_REPORT(k.secret, url, "content") ||
	    !LEAK_REPORT(bad_url.secret, "javascript:alert(document.cookie)", "commit") ||
	    !LOGIN(&b, &u))
		return;
	r = KEYS_PAGE(&b, "");
	EXPECT_ROWS(r, &kept);
	r = KEYS_PAGE(&b, "?revoked=1");
	EXPECT_ROWS(r, &kept, &bad_url, &k);
	if (CHECK(row_of(r, k.id, &row), "no row for the leaked key: %s", snip(r))) {
		CHECK(has_class(&row, "key-revoked") &&
		      strcmp(cell(&row, "status"), P("Revoked: found public at %s", url)) == 0 &&
		      strcmp(nz(attr_of(inside(&row), "td.status", "title")), "Revoked: leaked") == 0,
		      "the leaked key's status: \"%s\"", cell(&row, "status"));
		CHECK(find_el(inside(&row), "a.leak-url", &a) &&
		      strcmp(nz(el_attr(&a, "href")), url) == 0 &&
		      strstr(nz(el_attr(&a, "rel")), "nofollow") != NULL &&
		      !find_el(inside(&row), "a.revoke", &(struct el){0}) &&
		      !find_el(inside(&row), "a.roll", &(struct el){0}),
		      "the leaked key's link or actions: %s", snip(r));
	}
	/* Escaped as text: the page holds the url's & and ' only as references. */
	CHECK(strstr(r->body, "x=1&y=") == NULL && strstr(r->body, "'2'") == NULL,
	      "the url is in the page unescaped");
	if (CHECK(row_of(r, bad_url.id, &row), "no row for the other leaked key"))
		CHECK(strcmp(cell(&row, "status"), "Revoked: found public") == 0 &&
		      !find_el(inside(&row), "a.leak-url", &(struct el){0}) &&
		      strstr(r->body, "javascript:") == NULL,
		      "a report's url that is not http(s) shown: \"%s\"", cell(&row, "status"));
}

static void
test_dashboard_keys_page_content(void)
{
	struct user u;
	struct key used, obs, never, gone;
	struct browser b;
	struct http_response *r, *api;
	struct el row, t, svg;
	long long count;
	char org[37];

	if (!NEW_USER(&u, "content") || !NEW_KEY(&used, u.a.id, NULL, "used key") ||
	    !NEW_KEY(&obs, u.a.id, NULL, "observer") || !NEW_KEY(&never, u.a.id, NULL, "never used") ||
	    !NEW_KEY(&gone, u.a.id, NULL, "revoked key") ||
	    !NEW_ORG(org, unique("Empty Org"), u.a.id))
		return;
	EXPECT_STATUS(DEL(KP(gone.id), obs.secret), 200);
	for (int i = 0; i < 3; i++)
		EXPECT_STATUS(GET("/v1/me", used.secret), 200);
	usleep(2500 * 1000);   /* usage counters are flushed within a second or so */
	/* last used 3 minutes ago, for a relative time in minutes */
	if (!age_at(__LINE__, "api_key_counters", "last_used_at", 3, where_id("api_key_id", used.id)))
		return;
	api = GET(KP(used.id), obs.secret);
	count = count_of(api);
	CHECK(count == 3, "request_count through the API: %s", api->body);
	if (!LOGIN(&b, &u))
		return;
	r = KEYS_PAGE(&b, "");
	EXPECT_ROWS(r, &used, &obs, &never);
	for (size_t i = 0; i < 4; i++) {
		const struct key *k = (const struct key *[]){&used, &obs, &never, &gone}[i];
		CHECK(strstr(r->body, k->secret) == NULL, "the secret of %s is in the page", k->id);
	}
	if (CHECK(row_of(r, used.id, &row), "no row for the used key")) {
		const char *prefix = P("%.12s", used.secret), *dt, *title, *text;
		CHECK(has_class(&row, "key-active") && !has_class(&row, "key-revoked"),
		      "row class \"%s\"", nz(el_attr(&row, "class")));
		CHECK(strcmp(nz(el_attr(&row, "data-prefix")), prefix) == 0 &&
		      strncmp(cell(&row, "prefix"), prefix, 12) == 0, "prefix %s / %s, want %s",
		      nz(el_attr(&row, "data-prefix")), cell(&row, "prefix"), prefix);
		CHECK(strcmp(cell(&row, "name"), "used key") == 0, "td.name %s", cell(&row, "name"));
		CHECK(strcmp(cell(&row, "status"), "Active") == 0, "td.status %s", cell(&row, "status"));
		CHECK(strcmp(cell(&row, "requests"), P("%lld", count)) == 0,
		      "td.requests \"%s\", the API says %lld", cell(&row, "requests"), count);
		CHECK(find_el(inside(&row), "td.created", &t) && find_el(inside(&t), "time", &t),
		      "td.created without a <time>");
		if (CHECK(find_el(inside(&row), "td.last-used", &t) && find_el(inside(&t), "time", &t),
		          "td.last-used without a <time>: %s", cell(&row, "last-used"))) {
			dt = el_attr(&t, "datetime");
			title = el_attr(&t, "title");
			text = el_text(&t);
			CHECK(dt && is_rfc3339_utc(dt) && rfc3339_age(dt) >= 180 && rfc3339_age(dt) < 240 &&
			      strcmp(dt, nz(jstr(api->json, "last_used_at"))) == 0,
			      "last used datetime \"%s\", the API says %s", nz(dt),
			      nz(jstr(api->json, "last_used_at")));
			CHECK(title && title[0] != '\0', "last used <time> without a title");
			CHECK(strcmp(text, "3 minutes ago") == 0, "last used reads \"%s\", want \"3 minutes "
			      "ago\"", text);
		}
		if (CHECK(find_el(inside(&row), "td.usage", &t) &&
		          find_el(inside(&t), "svg.usage-chart", &svg), "no svg.usage-chart in td.usage"))
			CHECK(count_el(inside(&svg), "rect.bar") == 30 &&
			      count_el(inside(&svg), "title") >= 30,
			      "usage chart: %zu rect.bar, %zu titles, want 30 bars each with a title",
			      count_el(inside(&svg), "rect.bar"), count_el(inside(&svg), "title"));
		CHECK(find_el(inside(&row), "a.revoke", &t) &&
		      strstr(nz(el_attr(&t, "href")), P("/dashboard/keys/%s/revoke", used.id)) != NULL,
		      "a.revoke of the used key: %s", nz(el_attr(&t, "href")));
	}
	if (CHECK(row_of(r, never.id, &row), "no row for the unused key"))
		CHECK(strcmp(cell(&row, "last-used"), "Never") == 0 &&
		      strcmp(cell(&row, "requests"), "0") == 0, "unused key: last used \"%s\", "
		      "requests \"%s\"", cell(&row, "last-used"), cell(&row, "requests"));

	/* the revoked toggle */
	CHECK(strcmp(nz(text_of(page(r), "a#toggle-revoked")), "Show revoked keys") == 0 &&
	      strstr(nz(attr_of(page(r), "a#toggle-revoked", "href")), "revoked=1") != NULL,
	      "toggle \"%s\" to %s", nz(text_of(page(r), "a#toggle-revoked")),
	      nz(attr_of(page(r), "a#toggle-revoked", "href")));
	r = KEYS_PAGE(&b, "?revoked=1");
	EXPECT_ROWS(r, &used, &obs, &never, &gone);
	if (CHECK(row_of(r, gone.id, &row), "revoked=1: no row for the revoked key"))
		CHECK(has_class(&row, "key-revoked") && strcmp(cell(&row, "status"), "Revoked") == 0 &&
		      !find_el(inside(&row), "a.revoke", &t), "revoked row: class \"%s\", status \"%s\"%s",
		      nz(el_attr(&row, "class")), cell(&row, "status"),
		      find_el(inside(&row), "a.revoke", &t) ? ", with a.revoke" : "");
	CHECK(strcmp(nz(text_of(page(r), "a#toggle-revoked")), "Hide revoked keys") == 0,
	      "toggle \"%s\" with revoked=1", nz(text_of(page(r), "a#toggle-revoked")));
	/* an empty list */
	r = KEYS_PAGE(&b, P("?org=%s", org));
	CHECK(count_el(page(r), "tr.key") == 0 && find_el(page(r), "p.empty", &t),
	      "an org without keys: %zu rows, p.empty %s", count_el(page(r), "tr.key"),
	      find_el(page(r), "p.empty", &t) ? "present" : "missing");
}

/* Comma-separated method lists name the same methods; HEAD in got is tolerated. */
static bool
same_methods(const char *got, const char *want)
{
	char g[128], *save = NULL;
	size_t n_got = 0, n_want = 1;

	if (got == NULL)
		return false;
	for (const char *p = want; *p; p++)
		n_want += *p == ',';
	snprintf(g, sizeof(g), "%s", got);
	for (char *t = strtok_r(g, ", ", &save); t != NULL; t = strtok_r(NULL, ", ", &save)) {
		if (strstr(P(", %s, ", want), P(" %s,", t)) != NULL)
			n_got++;
		else if (strcmp(t, "HEAD") != 0)
			return false;
	}
	return n_got == n_want;
}

/* ---- rolling, the audit log -------------------------------------------------------------------- */

/* The newest dashboard.login event of the account key reads (personal context), or NULL. */
static json_object *
login_event_at(int line, const char *key, const char *outcome)
{
	struct http_response *r = audit_get_at(line, key, NULL, "action=dashboard.login");
	json_object *data = jget(r->json, "data");

	for (size_t i = 0; data != NULL && i < json_object_array_length(data); i++) {
		json_object *e = json_object_array_get_idx(data, i);

		if (strcmp(nz(jstr(e, "details.outcome")), outcome) == 0)
			return e;
	}
	return NULL;
}

/* Log-ins write dashboard.login: succeeded, failed (why), throttled once a window. */
static void
test_dashboard_login_events(void)
{
	struct user u, v;
	struct key k, kv;
	struct browser b, ghost, t;
	struct http_response *r;
	json_object *e;
	const char *wrong = new_password("wrong");
	int failed = 0, throttled = 0;
	double t0;

	if (!NEW_USER(&u, "loginevents") || !NEW_KEY(&k, u.a.id, NULL, "reader") ||
	    !NEW_USER(&v, "throttleevents") || !NEW_KEY(&kv, v.a.id, NULL, "reader"))
		return;
	browser_on(&b, NULL);
	expect_login_refused_at(__LINE__, &b, login_post(&b, u.a.email, wrong), wrong, NULL);
	e = login_event_at(__LINE__, k.secret, "failed");
	CHECK(e != NULL && strcmp(nz(jstr(e, "details.reason")), "invalid_credentials") == 0 &&
	      strcmp(nz(jstr(e, "actor.type")), "dashboard") == 0 &&
	      jis_null(e, "actor.account_id") && jis_null(e, "actor.dashboard_session") &&
	      strcmp(nz(jstr(e, "client_address")), b.source) == 0 &&
	      strcmp(nz(jstr(e, "target.id")), u.a.id) == 0, "a failed log-in's event: %s",
	      e ? json_object_to_json_string(e) : "(none)");
	EXPECT_REDIRECT(login_post(&b, u.a.email, u.pw), "/dashboard/keys");
	e = login_event_at(__LINE__, k.secret, "succeeded");
	CHECK(e != NULL && strcmp(nz(jstr(e, "actor.account_id")), u.a.id) == 0 &&
	      jstr(e, "actor.dashboard_session") && strlen(jstr(e, "actor.dashboard_session")) == 32 &&
	      strstr(b.session, jstr(e, "actor.dashboard_session")) == NULL &&
	      strcmp(nz(jstr(e, "client_address")), b.source) == 0 &&
	      is_uuid_lower(jstr(e, "request_id")), "a log-in's event: %s",
	      e ? json_object_to_json_string(e) : "(none)");
	/* The password and the cookie are nowhere in the log. */
	r = AUDIT_GET(k.secret, NULL, "");
	CHECK(strstr(r->body, u.pw) == NULL && strstr(r->body, wrong) == NULL &&
	      strstr(r->body, b.session) == NULL, "a password or a cookie in the audit log");
	/* The right password of a deactivated account: failed, and why. */
	ADMIN_OK("account", "deactivate", u.a.id);
	login_post(&b, u.a.email, u.pw);
	ADMIN_OK("account", "activate", u.a.id);
	e = login_event_at(__LINE__, k.secret, "failed");
	CHECK(e != NULL && strcmp(nz(jstr(e, "details.reason")), "account_deactivated") == 0,
	      "a deactivated account's log-in: %s", e ? json_object_to_json_string(e) : "(none)");
	/* An e-mail of no account: an event only operators read. */
	browser_on(&ghost, NULL);
	login_post(&ghost, P("%s@example.test", unique("ghost")), wrong);
	CHECK(atol(nz(DB(P("SELECT COUNT(*) FROM audit_events WHERE scope_id IS NULL AND "
	                   "client_address = '%s' AND action = 'dashboard.login'", ghost.source)))) == 1,
	      "the log-in of an unknown e-mail from %s is not recorded once", ghost.source);
	/* Throttled: 5 failures, then three refusals, recorded once (within one window). */
	browser_on(&t, NULL);
	t0 = now_s();
	for (int i = 0; i < 5; i++)
		login_post(&t, v.a.email, wrong);
	for (int i = 0; i < 3; i++)
		EXPECT_THROTTLED_SINCE(login_post(&t, v.a.email, v.pw), t0);
	if (!in_window(t0))
		return;   /* a new window may have let v in or counted anew: said by the 429 check */
	r = AUDIT_GET(kv.secret, NULL, "action=dashboard.login");
	for (size_t i = 0; i < audit_count(r, NULL, NULL, NULL); i++) {
		const char *o = jstr(json_object_array_get_idx(jget(r->json, "data"), i),
		                     "details.outcome");
		failed += o && strcmp(o, "failed") == 0;
		throttled += o && strcmp(o, "throttled") == 0;
	}
	CHECK(failed == 5 && throttled == 1, "5 failures and 3 throttled log-ins: %d failed and %d "
	      "throttled events, want 5 and 1", failed, throttled);
}

/* The roll form's grace periods, the default first. */
static const char *const graces[] = {"86400", "3600", "604800", "0"};

static void
test_dashboard_roll(void)
{
	struct user u;
	struct acct peer;
	struct key k, now_key, watcher, peer_key;
	struct browser b;
	struct http_response *r, *old;
	struct el row, sel;
	const char *csrf, *secret, *created = "/dashboard/keys/created";
	json_object *e = NULL;
	char org[37];

	if (!NEW_USER(&u, "roller") || !NEW_ACCOUNT(&peer, "rollpeer") ||
	    !NEW_ORG(org, unique("Roll Org"), peer.id) || !ADD_MEMBER(org, u.a.id, "member") ||
	    !NEW_KEY(&k, u.a.id, NULL, "rolled by form") || !NEW_KEY(&now_key, u.a.id, NULL, "now") ||
	    !NEW_KEY(&watcher, u.a.id, NULL, "watcher") ||
	    !NEW_KEY(&peer_key, peer.id, org, "peer org key") || !LOGIN(&b, &u))
		return;
	r = KEYS_PAGE(&b, "");
	CHECK(row_of(r, k.id, &row) && attr_of(inside(&row), "a.roll", "href") &&
	      strcmp(attr_of(inside(&row), "a.roll", "href"), P("/dashboard/keys/%s/roll", k.id)) == 0,
	      "no a.roll for the key: %s", snip(r));
	r = BGET(&b, P("/dashboard/keys/%s/roll", k.id));
	if (!EXPECT_HTML(r, 200) || !CHECK(find_in(r, "form#roll", "select[name=grace]", &sel),
	                                   "no form#roll with select[name=grace]: %s", snip(r)))
		return;
	for (size_t i = 0; i < N_ELEMS(graces); i++)
		CHECK(find_el(inside(&sel), P("option[value=%s]", graces[i]), &(struct el){0}),
		      "no grace period of %s s", graces[i]);
	CHECK(find_el(inside(&sel), "option[selected]", &row) &&
	      strcmp(nz(el_attr(&row, "value")), "86400") == 0, "24 hours is not the default");
	csrf = csrf_of(r, "form#roll");
	/* Refused: a grace period not offered, a forged form. */
	EXPECT_ERROR_PAGE(BPOST(&b, P("/dashboard/keys/%s/roll", k.id), "csrf", csrf, "org", "",
	                        "grace", "5"), 400);
	EXPECT_ERROR_PAGE(BPOST(&b, P("/dashboard/keys/%s/roll", k.id), "csrf", csrf, "org", ""),
	                  400);
	EXPECT_ERROR_PAGE(BPOST(&b, P("/dashboard/keys/%s/roll", k.id), "csrf", tampered(csrf), "org",
	                        "", "grace", "3600"), 403);
	CHECK(jis_null(GET(KP(k.id), watcher.secret)->json, "replaced_by"),
	      "a refused roll form rolled the key");
	/* Not another member's key, not what is no key. */
	expect_html_at(__LINE__, BGET(&b, P("/dashboard/keys/%s/roll?org=%s", peer_key.id, org)), 404);
	expect_html_at(__LINE__, BPOST(&b, P("/dashboard/keys/%s/roll", peer_key.id), "csrf", csrf,
	                               "org", org, "grace", "0"), 404);
	expect_html_at(__LINE__, BGET(&b, "/dashboard/keys/not-a-key/roll"), 404);
	/* Rolled with an hour of grace: the new secret once, the old key's end told. */
	if (!EXPECT_REDIRECT(BPOST(&b, P("/dashboard/keys/%s/roll", k.id), "csrf", csrf, "org", "",
	                           "grace", "3600"), created))
		return;
	r = BGET(&b, created);
	secret = text_of(page(r), "code#secret");
	itest_note_secret_str(secret);
	if (!CHECK(EXPECT_HTML(r, 200) && secret && is_secret_format(secret),
	           "the created page after a roll: %s", snip(r)))
		return;
	CHECK(text_of(page(r), "p#rolled") && strstr(text_of(page(r), "p#rolled"),
	                                             P("%.12s", k.secret)) &&
	      strstr(text_of(page(r), "p#rolled"), "in 59 minutes"),
	      "p#rolled does not name the old key and its end: %s", snip(r));
	EXPECT_ERROR_PAGE(BGET(&b, created), 410);
	r = GET("/v1/me", secret);
	CHECK(r->status == 200 && strcmp(nz(jstr(r->json, "api_key.name")), "rolled by form") == 0 &&
	      strcmp(nz(jstr(r->json, "api_key.rolled_from")), k.id) == 0,
	      "the rolled key: %s", r->body);
	/* The old key works for its hour, listed "expires", no longer with a.roll. */
	EXPECT_STATUS(GET("/v1/me", k.secret), 200);
	old = GET(KP(k.id), watcher.secret);
	CHECK(jstr(old->json, "replaced_by") != NULL && jstr(old->json, "expires_at") != NULL,
	      "the old key: %s", old->body);
	r = KEYS_PAGE(&b, "");
	if (CHECK(row_of(r, k.id, &row), "the old key is not listed: %s", snip(r))) {
		CHECK(find_el(inside(&row), "span.expires", &(struct el){0}) &&
		      strstr(nz(text_of(inside(&row), "td.status")), "Active") &&
		      strstr(nz(text_of(inside(&row), "td.status")), "in 59 minutes"),
		      "td.status of a key in its grace period: %s", nz(text_of(inside(&row), "td.status")));
		CHECK(!find_el(inside(&row), "a.roll", &(struct el){0}) &&
		      find_el(inside(&row), "a.revoke", &(struct el){0}),
		      "a key in its grace period offers a.roll or no a.revoke");
	}
	r = BGET(&b, P("/dashboard/keys/%s/roll", k.id));
	CHECK(EXPECT_HTML(r, 200) && !find_el(page(r), "form#roll", &(struct el){0}) &&
	      strstr(nz(text_of(page(r), "p.notice")), "rolled already"),
	      "the roll page of a rolled key: %s", snip(r));
	EXPECT_ERROR_PAGE(BPOST(&b, P("/dashboard/keys/%s/roll", k.id), "csrf", csrf, "org", "",
	                        "grace", "0"), 409);
	/* "Now": the old key is refused at once, listed as revoked. */
	if (EXPECT_REDIRECT(BPOST(&b, P("/dashboard/keys/%s/roll", now_key.id), "csrf", csrf, "org",
	                          "", "grace", "0"), created)) {
		r = BGET(&b, created);
		itest_note_secret_str(text_of(page(r), "code#secret"));
		CHECK(strstr(nz(text_of(page(r), "p#rolled")), "no longer works"),
		      "p#rolled after a roll without grace: %s", snip(r));
	}
	EXPECT_ERROR(GET("/v1/me", now_key.secret), 401, "api_key_revoked");
	r = KEYS_PAGE(&b, "?revoked=1");
	CHECK(row_of(r, now_key.id, &row) && strcmp(nz(text_of(inside(&row), "td.status")),
	                                            "Revoked") == 0 &&
	      strcmp(nz(attr_of(inside(&row), "td.status", "title")), "Revoked: rolled") == 0,
	      "the row of a key rolled without grace: %s", snip(r));
	/* Recorded as the dashboard's, from this session. */
	r = AUDIT_GET(watcher.secret, NULL, "action=key.rolled");
	CHECK(audit_count(r, "key.rolled", NULL, NULL) == 2 &&
	      audit_count(r, "key.rolled", k.id, &e) == 1 && e &&
	      strcmp(nz(jstr(e, "actor.type")), "dashboard") == 0 &&
	      strcmp(nz(jstr(e, "actor.account_id")), u.a.id) == 0 &&
	      jstr(e, "actor.dashboard_session") && jis_null(e, "actor.api_key_id") &&
	      strcmp(nz(jstr(e, "client_address")), b.source) == 0, "the dashboard's key.rolled: %s",
	      r->body);
}

static void
test_dashboard_activity(void)
{
	struct user u, m;
	struct key k, km;
	struct browser b, bm;
	struct http_response *r;
	struct el row;
	char org[37];
	size_t rows;

	if (!NEW_USER(&u, "activity") || !NEW_USER(&m, "activitymember") ||
	    !NEW_ORG(org, unique("Activity Org"), u.a.id) || !ADD_MEMBER(org, m.a.id, "member") ||
	    !NEW_KEY(&k, u.a.id, NULL, "active") || !NEW_KEY(&km, m.a.id, org, "member's"))
		return;
	/* More events than a page holds: 52 with the key and the log-in. */
	for (int i = 0; i < 50; i++)
		EXPECT_STATUS(POST_JSON("/v1/api-keys", k.secret, P("{\"name\": \"made %d\"}", i)), 201);
	if (!LOGIN(&b, &u))
		return;
	CHECK(attr_of(page(KEYS_PAGE(&b, "")), "a#activity-link", "href") != NULL,
	      "no a#activity-link on the keys page");
	r = BGET(&b, "/dashboard/activity");
	if (!EXPECT_HTML(r, 200))
		return;
	expect_page_headers_at(__LINE__, r);
	rows = count_el(page(r), "tr.event");
	CHECK(rows == 50 && find_el(page(r), "tr.event[data-action=dashboard.login]", &row) &&
	      find_el(page(r), "form#activity-filters", &(struct el){0}),
	      "the activity page: %zu rows: %s", rows, snip(r));
	CHECK(strstr(r->body, "sk_") == NULL, "a key's secret or prefix on the activity page");
	/* The next page, with the rest. */
	const char *older = attr_of(page(r), "a#older", "href");
	if (CHECK(older != NULL, "no a#older with 52 events: %s", snip(r))) {
		r = BGET(&b, older);
		CHECK(EXPECT_HTML(r, 200) && count_el(page(r), "tr.event") == 2 &&
		      !find_el(page(r), "a#older", &(struct el){0}),
		      "the second page: %zu rows", count_el(page(r), "tr.event"));
	}
	/* Filters: an action; refused values show the form again with an error. */
	r = BGET(&b, "/dashboard/activity?action=dashboard.login&target_id=&since=&until=");
	CHECK(EXPECT_HTML(r, 200) && count_el(page(r), "tr.event") == 1 &&
	      count_el(page(r), "tr.event[data-action=dashboard.login]") == 1,
	      "action=dashboard.login: %s", snip(r));
	r = BGET(&b, P("/dashboard/activity?target_id=%s", k.id));
	CHECK(EXPECT_HTML(r, 200) && count_el(page(r), "tr.event") == 1, "target_id: %s", snip(r));
	static const char *const bad[] = {"action=nope", "target_id=x", "since=yesterday",
	                                  "until=2026-11-26"};
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		r = BGET(&b, P("/dashboard/activity?%s", bad[i]));
		CHECK(r->status == 400 && error_text(r) != NULL &&
		      find_el(page(r), "form#activity-filters", &(struct el){0}) &&
		      !find_el(page(r), "tr.event", &(struct el){0}), "?%s: %s", bad[i], snip(r));
	}
	/* The organization's activity: its owner sees it; a member is refused. */
	r = BGET(&b, P("/dashboard/activity?org=%s", org));
	CHECK(EXPECT_HTML(r, 200) && find_el(page(r), "tr.event[data-action=org.created]", &row) &&
	      find_el(page(r), "tr.event[data-action=key.created]", &row),
	      "the organization's activity for its owner: %s", snip(r));
	if (LOGIN(&bm, &m)) {
		EXPECT_ERROR_PAGE(BGET(&bm, P("/dashboard/activity?org=%s", org)), 403);
		r = BGET(&bm, "/dashboard/activity");
		CHECK(EXPECT_HTML(r, 200) && count_el(page(r), "tr.event") == 1 &&
		      find_el(page(r), "tr.event[data-action=dashboard.login]", &row),
		      "the member's own activity: %s", snip(r));
	}
	EXPECT_TO_LOGIN(BGET(&(struct browser){.source = "127.0.0.1"}, "/dashboard/activity"));
}

static void
test_dashboard_unknown_path_and_method(void)
{
	struct user u;
	struct key k;
	struct browser b;

	if (!NEW_USER(&u, "routes") || !NEW_KEY(&k, u.a.id, NULL, "route key") || !LOGIN(&b, &u))
		return;
	static const char *const missing[] = {"/dashboard/x", "/dashboard/keys/x",
	                                      "/dashboard/nope/deeper", "/dashboard/assets/nope.js"};
	for (size_t i = 0; i < N_ELEMS(missing); i++)
		EXPECT_HTML(BGET(&b, missing[i]), 404);
	const struct { int line; const char *method, *path, *allow; } cases[] = {
		{__LINE__, "PUT", "/dashboard/keys", "GET, POST"},
		{__LINE__, "DELETE", "/dashboard/keys", "GET, POST"},
		{__LINE__, "PUT", "/dashboard/login", "GET, POST"},
		{__LINE__, "GET", "/dashboard/logout", "POST"},
		{__LINE__, "DELETE", P("/dashboard/keys/%s/revoke", k.id), "GET, POST"},
		{__LINE__, "POST", "/dashboard/keys/created", "GET"},
	};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct http_response *r = dash(&b, cases[i].method, cases[i].path,
		                               strcmp(cases[i].method, "GET") ? "" : NULL);
		const char *allow = http_header(r, "Allow");
		if (expect_html_at(cases[i].line, r, 405))
			CHECK_AT(same_methods(allow, cases[i].allow), cases[i].line,
			         "%s: Allow \"%s\", want \"%s\"", r->what, nz(allow), cases[i].allow);
	}
	/* none of them did anything */
	EXPECT_STATUS(GET("/v1/me", k.secret), 200);
	KEYS_PAGE(&b, "");
}

const struct itest_case itest_dashboard_cases[] = {
	ITEST(test_dashboard_login_success),
	ITEST(test_dashboard_leaked_key_shows_where),
	ITEST(test_dashboard_login_failure_same_message),
	ITEST(test_dashboard_login_malformed_form),
	ITEST(test_dashboard_deactivated_account),
	ITEST(test_dashboard_logout),
	ITEST(test_dashboard_forged_session_cookie),
	ITEST(test_dashboard_session_idle_expiry),
	ITEST(test_dashboard_idle_sessions_pruned),
	ITEST(test_dashboard_session_absolute_expiry),
	ITEST(test_dashboard_csrf_refused),
	ITEST(test_dashboard_login_csrf_refused),
	ITEST(test_dashboard_throttle_per_email),
	ITEST(test_dashboard_throttle_per_address),
	ITEST(test_dashboard_throttle_concurrent_attempts),
	ITEST(test_dashboard_throttle_email_spellings),
	ITEST(test_dashboard_throttle_owner_not_locked_out),
	ITEST(test_dashboard_throttle_rows_bounded),
	ITEST(test_dashboard_login_verifications_capped),
	ITEST(test_dashboard_escaping),
	ITEST(test_dashboard_security_headers),
	ITEST(test_dashboard_role_visibility),
	ITEST(test_dashboard_create_key_form),
	ITEST(test_dashboard_two_creates_keep_both_secrets),
	ITEST(test_dashboard_create_invalid_name),
	ITEST(test_dashboard_revoke),
	ITEST(test_dashboard_keys_page_content),
	ITEST(test_dashboard_unknown_path_and_method),
	ITEST(test_dashboard_login_events),
	ITEST(test_dashboard_roll),
	ITEST(test_dashboard_activity),
};
const size_t itest_dashboard_count = N_ELEMS(itest_dashboard_cases);
