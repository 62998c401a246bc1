/*
 * Integration tests of the request log (issue 13, lib/base/reqlog.c,
 * app/observe.c): one JSON line per request from the worker that answered
 * it, found by its request id, with the route's template, the caller and
 * the timings, and nothing of what the client sent (path, query, body,
 * cookie; issued secrets are searched for by scripts/test in every log);
 * then, through lighttpd's pool, a file destination with sampling, opened
 * again after a rotation on SIGHUP.
 *
 * The stack's workers log to stderr (the default): the pool's app.log
 * behind lighttpd, Apache's error log for the processes mod_fcgid spawned.
 */
#include "itest.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define LINE_S 5.0               /* a line is written right after the response */
#define LINE_FIELDS "time,request_id,pid,fcgi_role,method,route,status,error_code,key_id," \
                    "key_prefix,account_id,organization_id,duration_us,db_us"

/* Where the stack's workers' stderr goes through this web server; NULL: not known here. */
static const char *
stderr_log(void)
{
	const char *ws = getenv("PS_WEB_SERVER");

	if (ws == NULL)
		return NULL;
	if (strcmp(ws, "apache") == 0)
		return state_path("apache-error.log");
	if (strncmp(ws, "lighttpd", 8) == 0 && strcmp(ws, "lighttpd-binpath") != 0)
		return state_path("app.log");
	return NULL;
}

/* The line of request id rid written to path from offset on (waits for it); NULL if none. */
static json_object *
log_line(const char *path, long offset, const char *rid, const char **text)
{
	const char *needle = P("\"request_id\":\"%s\"", rid), *at = NULL;
	double end = now_s() + LINE_S;

	*text = "";
	while ((at = strstr(file_from(path, offset), needle)) == NULL && now_s() < end)
		sleep_s(0.05);
	if (at == NULL)
		return NULL;
	const char *log = file_from(path, offset), *bol = strstr(log, needle), *eol;
	while (bol > log && bol[-1] != '\n')
		bol--;
	eol = strchr(bol, '\n');
	*text = P("%.*s", (int)(eol ? eol - bol : (long)strlen(bol)), bol);
	return jparse(*text);
}

static bool
is_time_us(const char *s)
{
	int y, mo, d, h, mi, se, us, n = 0;

	return s != NULL && strlen(s) == 27 &&
	       sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6dZ%n", &y, &mo, &d, &h, &mi, &se, &us, &n) == 7 &&
	       n == 27;
}

/* A member that is an integer: its value, or -1. */
static long long
jint(json_object *o, const char *name)
{
	json_object *v = jget(o, name);

	return v != NULL && json_object_is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
}

/* name is the string want, or null when want is NULL. */
static bool
jstr_is(json_object *o, const char *name, const char *want)
{
	return want == NULL ? jis_null(o, name) :
	       jstr(o, name) != NULL && strcmp(jstr(o, name), want) == 0;
}

/* One request and what its line must say. */
struct logged {
	int line;
	struct rq rq;
	int status;
	const char *route, *error_code;  /* NULL: null */
	const struct key *key;           /* the caller's key; NULL: none */
	const char *account, *org;       /* NULL: null */
	bool db;                         /* the database was asked: db_us > 0 */
	const char *absent;              /* a value the client sent that the line must not hold */
};

static void
expect_logged(const char *log, const struct logged *c)
{
	long off = file_size(log);
	struct http_response *r = itest_request(&c->rq);
	const char *rid = http_header(r, "X-Request-Id"), *text;
	json_object *o;
	char why[128];

	if (!expect_status_at(c->line, r, c->status) ||
	    !CHECK_AT(rid != NULL, c->line, "%s: no X-Request-Id", r->what))
		return;
	o = log_line(log, off, rid, &text);
	if (!CHECK_AT(o != NULL && json_object_is_type(o, json_type_object), c->line,
	              "%s: no JSON line for request %s in %s (%s)", r->what, rid, log, text))
		return;
	CHECK_AT(jkeys_exactly(o, LINE_FIELDS, why, sizeof(why)), c->line, "%s: %s in %s",
	         r->what, why, text);
	CHECK_AT(is_time_us(jstr(o, "time")) && rfc3339_age(P("%.19sZ", jstr(o, "time"))) < 120,
	         c->line, "%s: time in %s", r->what, text);
	CHECK_AT(jint(o, "pid") > 1 && jstr_is(o, "fcgi_role", "responder") &&
	         jstr_is(o, "method", c->rq.method) && jint(o, "status") == c->status, c->line,
	         "%s: pid, role, method or status in %s", r->what, text);
	CHECK_AT(jstr_is(o, "route", c->route) && jstr_is(o, "error_code", c->error_code),
	         c->line, "%s: route %s and error_code %s expected in %s", r->what,
	         c->route ? c->route : "null", c->error_code ? c->error_code : "null", text);
	CHECK_AT(jstr_is(o, "key_id", c->key ? c->key->id : NULL) &&
	         jstr_is(o, "key_prefix", c->key ? P("%.12s", c->key->secret) : NULL) &&
	         jstr_is(o, "account_id", c->account) && jstr_is(o, "organization_id", c->org),
	         c->line, "%s: key %s, account %s, organization %s expected in %s", r->what,
	         c->key ? c->key->id : "null", c->account ? c->account : "null",
	         c->org ? c->org : "null", text);
	long long total = jint(o, "duration_us"), db = jint(o, "db_us");
	CHECK_AT(total >= db && db >= 0 && total < 60000000 && (!c->db || db > 0), c->line,
	         "%s: duration_us %lld, db_us %lld%s", r->what, total, db,
	         c->db ? " (it asked the database)" : "");
	CHECK_AT(c->absent == NULL || strstr(text, c->absent) == NULL, c->line,
	         "%s: the line holds what the client sent (%s): %s", r->what, c->absent, text);
}

/* Each kind of request, its line found by its X-Request-Id. */
static void
test_request_log_lines(void)
{
	const char *log = stderr_log();
	struct acct a;
	struct key k, k2, ko;
	char org[37], wrong[50];
	const char *marker = unique("marker"), *path = P("/%s", unique("no-such-path"));

	if (log == NULL) {
		printf("skipped %s: the workers' stderr is not known through %s\n", itest_current,
		       getenv("PS_WEB_SERVER") ? getenv("PS_WEB_SERVER") : "(unset)");
		EXPECT_STATUS(REQ(.method = "GET", .path = "/healthz"), 200);
		return;
	}
	if (!NEW_ACCOUNT(&a, "reqlog") || !NEW_KEY(&k, a.id, NULL, "reqlog") ||
	    !NEW_KEY(&k2, a.id, NULL, "reqlog 2") ||
	    !NEW_ORG(org, unique("Reqlog Org"), a.id) || !NEW_KEY(&ko, a.id, org, "reqlog org"))
		return;
	random_wellformed_key(wrong);
	const struct logged cases[] = {
		{__LINE__, {.method = "GET", .path = P("/v1/api-keys/%s", k2.id), .key = k.secret},
		 200, "/v1/api-keys/{id}", NULL, &k, a.id, NULL, true, k2.id + 9},
		{__LINE__, {.method = "GET", .path = "/v1/me", .key = ko.secret},
		 200, "/v1/me", NULL, &ko, a.id, org, true, NULL},
		{__LINE__, {.method = "GET", .path = "/v1/api-keys", .key = k.secret, .org = org},
		 200, "/v1/api-keys", NULL, &k, a.id, org, true, NULL},
		{__LINE__, {.method = "GET", .path = P("/v1/api-keys?limit=3&%s=%s", marker + 7,
		                                     marker), .key = k.secret},
		 400, "/v1/api-keys", "invalid_request", &k, a.id, NULL, true, marker},
		{__LINE__, {.method = "POST", .path = "/v1/api-keys", .key = k.secret,
		            .ctype = "application/json", .body = P("{\"name\": \"%s\"}", marker)},
		 201, "/v1/api-keys", NULL, &k, a.id, NULL, true, marker},
		{__LINE__, {.method = "PUT", .path = P("/v1/api-keys/%s", k2.id), .key = k.secret},
		 405, "/v1/api-keys/{id}", "method_not_allowed", &k, a.id, NULL, true, NULL},
		{__LINE__, {.method = "GET", .path = "/v1/me", .key = wrong},
		 401, "/v1/me", "invalid_api_key", NULL, NULL, NULL, true, wrong + 3},
		{__LINE__, {.method = "GET", .path = "/v1/me"},
		 401, "/v1/me", "missing_api_key", NULL, NULL, NULL, false, NULL},
		{__LINE__, {.method = "GET", .path = path},
		 404, NULL, "not_found", NULL, NULL, NULL, false, path + 1},
		{__LINE__, {.method = "GET", .path = "/v1/me", .key = k.secret,
		            .hdr = {P("Cookie: ps_session=%s", marker)}},
		 200, "/v1/me", NULL, &k, a.id, NULL, true, marker},
		{__LINE__, {.method = "GET", .path = "/healthz"},
		 200, "/healthz", NULL, NULL, NULL, NULL, true, NULL},
		{__LINE__, {.method = "GET", .path = "/dashboard/login"},
		 200, "/dashboard/login", NULL, NULL, NULL, NULL, false, NULL},
		{__LINE__, {.method = "GET", .path = "/dashboard/keys/x/revoke"},
		 303, "/dashboard/keys/{id}/revoke", NULL, NULL, NULL, NULL, false, NULL},
	};

	for (size_t i = 0; i < N_ELEMS(cases); i++)
		expect_logged(log, &cases[i]);
}

/* ---- a file, sampled, rotated ---------------------------------------------------------------- */

/* n GET /v1/me with key, each answering status. */
static void
send_n(int n, const char *key, int status)
{
	for (int i = 0; i < n; i++)
		EXPECT_STATUS(GET("/v1/me", key), status);
}

/* How many lines the file has ("" and a missing file: 0). */
static int
lines_in(const char *path)
{
	int n = 0;

	for (const char *p = file_from(path, 0); *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

/*
 * request_log = a file, request_log_sample = 0 (a SIGHUP reload brings them
 * in): successes are left out, every error is there; logrotate moves the
 * file and SIGHUP to a worker opens it again under its name; no worker dies
 * of it. The stack's own settings come back at the end.
 */
static void
test_request_log_file_sampled_and_reopened(void)
{
	const char *conf = state_path("parsesphere.conf"), *dir = state_path("reqlog");
	const char *file = P("%s/requests.log", dir), *rotated = P("%s/requests-rotated.log", dir);
	struct passwd *pw = getpwnam("parsesphere");
	pid_t master, pool[MAX_PIDS], now[MAX_PIDS];
	size_t n, nnow;
	struct acct a;
	struct key k;
	char wrong[50];
	long size;
	FILE *f;

	if (!lighttpd_only("the prefork master of scripts/stack.sh") ||
	    !stack_pool_at(__LINE__, "request log", &master, pool, &n) ||
	    !NEW_ACCOUNT(&a, "reqfile") || !NEW_KEY(&k, a.id, NULL, "reqfile"))
		return;
	random_wellformed_key(wrong);
	/* the workers' own directory: they create the file again after a rotation */
	mkdir(dir, 0750);
	unlink(file);
	unlink(rotated);
	if (!CHECK(pw != NULL && chown(dir, pw->pw_uid, pw->pw_gid) == 0, "chown %s: %s", dir,
	           strerror(errno)))
		return;
	size = file_size(conf);
	if (!CHECK(size > 0 && (f = fopen(conf, "a")) != NULL, "%s: cannot append", conf))
		return;
	fprintf(f, "request_log = %s\nrequest_log_sample = 0\n", file);
	fclose(f);
	if (reload_at(__LINE__, master, n)) {
		send_n(5, k.secret, 200);
		send_n(3, wrong, 401);
		sleep_s(0.3);
		CHECK(lines_in(file) == 3 && strstr(file_from(file, 0), "\"status\":200") == NULL,
		      "at request_log_sample = 0 the 3 errors of 8 requests expected in %s: %s", file,
		      file_from(file, 0));
		/* logrotate: moved away, then SIGHUP to the workers */
		CHECK(rename(file, rotated) == 0, "rename: %s", strerror(errno));
		n = children_of(master, pool, MAX_PIDS);
		for (size_t i = 0; i < n; i++)
			CHECK(kill(pool[i], SIGHUP) == 0, "kill -HUP %d: %s", (int)pool[i],
			      strerror(errno));
		sleep_s(0.3);
		send_n(2, wrong, 401);
		send_n(2, k.secret, 200);
		sleep_s(0.3);
		CHECK(lines_in(file) == 2 && lines_in(rotated) == 3, "after the rotation: %d lines in "
		      "the file opened again (want 2), %d in the rotated one (want 3)", lines_in(file),
		      lines_in(rotated));
		nnow = children_of(master, now, MAX_PIDS);
		CHECK(nnow == n && memcmp(now, pool, n * sizeof(pid_t)) == 0,
		      "SIGHUP changed the workers: %s, before %s", pid_list(now, nnow),
		      pid_list(pool, n));
	}
	/* the stack's own file back, whatever happened above */
	CHECK(truncate(conf, size) == 0, "truncate %s: %s", conf, strerror(errno));
	reload_at(__LINE__, master, n);
}

const struct itest_case itest_requestlog_cases[] = {
	ITEST(test_request_log_lines),
	ITEST(test_request_log_file_sampled_and_reopened),
};
const size_t itest_requestlog_count = N_ELEMS(itest_requestlog_cases);
