/*
 * The integration suite: a small HTTP/1.1 client over a raw TCP socket, a
 * harness in the style of tests/unit/harness.h (checks carry __LINE__, the
 * run ends with "N passed, N failed"), scripts/admin through popen and the
 * helpers shared by the test files.
 *
 * Environment (set by scripts/test): PS_BASE_URL (http://host:port),
 * PS_STATE (the stack's state directory), PS_ROOT (the project root).
 *
 * Memory: responses, admin results and formatted strings are owned by the
 * running test and freed when it ends (itest_track), so tests never free.
 */
#ifndef PS_ITEST_H
#define PS_ITEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <json.h>

/* ---- harness -------------------------------------------------------- */

extern int itest_passed, itest_failed;
extern const char *itest_current;        /* name of the running test */

void itest_fail_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* CHECK_AT(cond, line, "what", ...): evaluates to cond (as a bool); the message
 * arguments are evaluated only on failure. */
#define CHECK_AT(cond, line, ...) __extension__ ({                          \
		bool itest_ok_ = (cond);                                           \
		if (itest_ok_)                                                     \
			itest_passed++;                                                \
		else                                                               \
			itest_fail_at(__FILE__, (line), __VA_ARGS__);                  \
		itest_ok_;                                                         \
	})
#define CHECK(cond, ...) CHECK_AT(cond, __LINE__, __VA_ARGS__)

struct itest_case {
	const char *name;
	void (*run)(void);
	const char *file;   /* failures are reported as FILE:LINE of the test file */
};
#define ITEST(fn) {#fn, fn, __FILE__}

extern const struct itest_case itest_keys_cases[];
extern const size_t itest_keys_count;
extern const struct itest_case itest_orgs_cases[];
extern const size_t itest_orgs_count;
extern const struct itest_case itest_process_cases[];
extern const size_t itest_process_count;
extern const struct itest_case itest_authorizer_cases[];
extern const size_t itest_authorizer_count;
extern const struct itest_case itest_faults_cases[];
extern const size_t itest_faults_count;
extern const struct itest_case itest_dashboard_cases[];
extern const size_t itest_dashboard_count;
extern const struct itest_case itest_metrics_cases[];
extern const size_t itest_metrics_count;
extern const struct itest_case itest_requestlog_cases[];
extern const size_t itest_requestlog_count;
extern const struct itest_case itest_roll_cases[];
extern const size_t itest_roll_count;
extern const struct itest_case itest_audit_cases[];
extern const size_t itest_audit_count;
extern const struct itest_case itest_ratelimit_cases[];
extern const size_t itest_ratelimit_count;
extern const struct itest_case itest_freshness_cases[];
extern const size_t itest_freshness_count;
extern const struct itest_case itest_leaks_cases[];
extern const size_t itest_leaks_count;

/* Frees ptr with fn when the current test ends. Returns ptr. */
void *itest_track(void *ptr, void (*fn)(void *));
/* printf into a string owned by the current test. */
const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- HTTP client ------------------------------------------------------ */

struct http_header {
	char *name, *value;
};

struct http_response {
	int status;                 /* 0 when the exchange failed (see error) */
	char error[160];
	char what[160];             /* "METHOD /path" for messages */
	struct http_header *headers;
	size_t nheaders;
	char *body;                 /* NUL-terminated */
	size_t body_len;
	json_object *json;          /* the parsed body, or NULL */
};

struct http_request {
	const char *method, *path;
	const char *const *headers;  /* "Name: value" lines, NULL-terminated, may be NULL */
	const char *body;            /* NULL: no body (Content-Length: 0 for POST/PUT/PATCH) */
	size_t body_len;
	const char *source;          /* numeric local address to connect from (127.0.0.77), or NULL */
	int timeout_ms;              /* longest silence while sending or reading; 0: 10 s */
};

/* Connects to PS_BASE_URL, sends the request with Connection: close, reads the
 * whole response (10 s of silence is a failure). Never returns NULL. */
struct http_response *http_do(const struct http_request *rq);

/*
 * Records a "secret" field of o (if any) in $PS_STATE/issued-secrets, so that
 * scripts/test can prove no log or database dump contains any of them.
 */
void itest_note_secret(json_object *o);
/* The same for one secret string (a key shown by the dashboard, a password, a session cookie). */
void itest_note_secret_str(const char *secret);
void http_response_free(void *resp);
/* First header with this name (case-insensitive), or NULL. */
const char *http_header(const struct http_response *r, const char *name);
size_t http_header_count(const struct http_response *r, const char *name);

/* The last Set-Cookie of a response for one cookie name: its value and its attributes. */
struct set_cookie {
	char value[256];
	char attrs[512];    /* "; HttpOnly; Path=/x" as sent, "" if none */
};
bool http_set_cookie(const struct http_response *r, const char *name, struct set_cookie *c);
/* Whether the cookie has the attribute (case-insensitive); *value (may be NULL) is its value,
 * "" for a flag such as HttpOnly, tracked. */
bool set_cookie_attr(const struct set_cookie *c, const char *attr, const char **value);

/* ---- API requests ------------------------------------------------------- */

struct rq {
	const char *method, *path;
	const char *key;        /* Authorization: Bearer <key> */
	const char *auth;       /* raw Authorization value (instead of key) */
	const char *org;        /* ParseSphere-Organization */
	const char *ctype;      /* Content-Type */
	const char *body;
	size_t body_len;        /* 0: strlen(body) */
	const char *hdr[6];     /* more "Name: value" lines */
	const char *source;     /* numeric local address to connect from, or NULL */
	int timeout_ms;         /* 0: the client's default (10 s) */
};
/* Tracked: freed at the end of the test. */
struct http_response *itest_request(const struct rq *q);
#define REQ(...) itest_request(&(struct rq){__VA_ARGS__})
#define GET(p_, k) REQ(.method = "GET", .path = (p_), .key = (k))
#define DEL(p_, k) REQ(.method = "DELETE", .path = (p_), .key = (k))
#define POST_JSON(p_, k, b) \
	REQ(.method = "POST", .path = (p_), .key = (k), .ctype = "application/json", .body = (b))
#define OGET(p_, k, o) REQ(.method = "GET", .path = (p_), .key = (k), .org = (o))
#define ODEL(p_, k, o) REQ(.method = "DELETE", .path = (p_), .key = (k), .org = (o))
#define OPOST_JSON(p_, k, o, b) \
	REQ(.method = "POST", .path = (p_), .key = (k), .org = (o), \
	    .ctype = "application/json", .body = (b))

/*
 * application/x-www-form-urlencoded: n strings, name then value; a NULL value leaves its
 * field out. Everything but [A-Za-z0-9-._~] is percent-encoded, a space as '+'. Tracked.
 */
const char *form_encode(const char *const *fields, size_t n);
#define FORM(...) form_encode((const char *const[]){__VA_ARGS__}, \
	sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

/* ---- expectations (each returns true when all its checks passed) --------- */

bool expect_status_at(int line, const struct http_response *r, int status);
/* status, error_code, a message, request_id == X-Request-Id, JSON content type */
bool expect_error_at(int line, const struct http_response *r, int status, const char *code);
/* the error's "param" (NULL: no param member expected to matter, not checked) */
bool expect_param_at(int line, const struct http_response *r, const char *param);
/* Content-Type, Cache-Control, X-Request-Id of docs/api.md's Conventions */
bool expect_common_headers_at(int line, const struct http_response *r);
#define EXPECT_STATUS(r, s) expect_status_at(__LINE__, (r), (s))
#define EXPECT_ERROR(r, s, c) expect_error_at(__LINE__, (r), (s), (c))
#define EXPECT_PARAM(r, p) expect_param_at(__LINE__, (r), (p))
#define EXPECT_COMMON_HEADERS(r) expect_common_headers_at(__LINE__, (r))
bool expect_invalid_at(int line, const struct http_response *r, const char *param);
#define EXPECT_INVALID(r, p) expect_invalid_at(__LINE__, (r), (p))

/* What a key object must look like (docs/api.md, "The key object"). */
struct key_expect {
	const char *id;          /* NULL: any well-formed id */
	const char *name;        /* NULL: not checked */
	const char *created_by;  /* NULL: not checked */
	const char *org;         /* NULL: organization_id must be null */
	bool active;
	bool expired;            /* inactive by its roll's grace period, not revoked */
	bool with_secret;        /* the create response: "secret" present */
};
bool expect_key_at(int line, json_object *k, const struct key_expect *e);
#define EXPECT_KEY(k, ...) expect_key_at(__LINE__, (k), &(struct key_expect){__VA_ARGS__})

/* ---- JSON helpers -------------------------------------------------------- */

json_object *jparse(const char *text);                    /* NULL if not JSON; tracked */
json_object *jget(json_object *o, const char *dotted);   /* NULL if absent or null */
const char *jstr(json_object *o, const char *dotted);     /* NULL unless a string */
bool jis_null(json_object *o, const char *dotted);        /* present and null */
bool jbool(json_object *o, const char *dotted, bool *out);
/* The object's member names are exactly the comma-separated list. */
bool jkeys_exactly(json_object *o, const char *names, char *why, size_t cap);
/* Ids of a list response's "data", in order; n set; NULL-safe. */
size_t jlist_ids(const struct http_response *r, const char *ids[], size_t cap);
bool jlist_contains(const struct http_response *r, const char *id);

/* ---- formats ------------------------------------------------------------- */

bool is_uuid_lower(const char *s);
bool is_rfc3339_utc(const char *s);
bool is_secret_format(const char *s);         /* ^sk_[0-9A-Za-z]{46}$ */
/* Seconds between an RFC 3339 timestamp and now (absolute), or -1. */
long rfc3339_age(const char *s);
void str_upper(char *dst, const char *src, size_t cap);
uint32_t test_crc32(const void *data, size_t len);
/* The 6 base62 checksum characters of docs/api.md for body ("sk_" + 40 chars). */
void test_checksum(const char *body, size_t len, char out[7]);
/* A well-formed key with a valid checksum that the service never issued. */
void random_wellformed_key(char out[50]);
void random_uuid(char out[37]);
/* A short random lowercase suffix for unique e-mails and names. */
const char *unique(const char *label);

/* ---- scripts/admin ------------------------------------------------------- */

struct admin_result {
	int status;          /* exit status, -1 if it could not run */
	char *out, *err;
	json_object *json;   /* stdout parsed, or NULL */
};
/* Runs "$PS_ROOT/scripts/admin ARGS..." (NULL-terminated), tracked. */
struct admin_result *admin_run(const char *arg, ...) __attribute__((sentinel));

struct acct { char id[37], email[160], name[64]; };
struct key { char id[37], secret[64]; };

bool new_account_at(int line, struct acct *a, const char *label);
bool new_key_at(int line, struct key *k, const char *account, const char *org, const char *name);
bool new_org_at(int line, char id[37], const char *name, const char *owner);
bool add_member_at(int line, const char *org, const char *account, const char *role);
bool admin_ok_at(int line, struct admin_result *r);
#define NEW_ACCOUNT(a, label) new_account_at(__LINE__, (a), (label))
#define NEW_KEY(k, acc, org, name) new_key_at(__LINE__, (k), (acc), (org), (name))
#define NEW_ORG(id, name, owner) new_org_at(__LINE__, (id), (name), (owner))
#define ADD_MEMBER(org, acc, role) add_member_at(__LINE__, (org), (acc), (role))
#define ADMIN_OK(...) admin_ok_at(__LINE__, admin_run(__VA_ARGS__, (const char *)NULL))

/* ---- the audit log (GET /v1/audit-events) ------------------------------------- */

/* GET /v1/audit-events?query (query may be "") with key, in org's context (NULL: none);
 * checked to be 200 and a list. */
struct http_response *audit_get_at(int line, const char *key, const char *org, const char *query);
#define AUDIT_GET(key, org, query) audit_get_at(__LINE__, (key), (org), (query))
/* The events of a list with this action and target id (NULL: any), and the newest of them. */
size_t audit_count(const struct http_response *r, const char *action, const char *target,
                   json_object **newest);

/* Creates a key through the API (personal or org context); fills k. */
bool api_create_key_at(int line, struct key *k, const char *auth_key, const char *org,
                       const char *name);
#define API_CREATE_KEY(k, auth, org, name) api_create_key_at(__LINE__, (k), (auth), (org), (name))

/* ---- POST /v1/leaks/github (test_leaks.c) ----------------------------------------- */

/* GitHub reports token, a key of ours, found at url (source): signed, 200 true_positive; checked. */
bool leak_report_at(int line, const char *token, const char *url, const char *source);
#define LEAK_REPORT(token, url, source) leak_report_at(__LINE__, (token), (url), (source))

/* ---- GET /metrics (scrape.c) ------------------------------------------------ */

/* A scrape as Prometheus parses it (tests/integration/promparse.py); tracked. */
struct scrape {
	json_object *samples;       /* "name{label=\"value\",...}" (labels sorted) → value */
	json_object *types;         /* family → "counter", "gauge", "histogram", ... */
};
/* GET /metrics from 127.0.0.1: 200, the exposition's Content-Type, parsed; checked. */
bool scrape_at(int line, struct scrape *s);
#define SCRAPE(s) scrape_at(__LINE__, (s))
/* A sample's value, 0 when absent (a counter that never moved). */
double sample_of(const struct scrape *s, const char *series);
/*
 * A scrape once the requests answered so far are all counted (a worker counts
 * a request just after its answer): two scrapes in a row that differ by the
 * first one only, within SCRAPE_SETTLE_S; checked.
 */
#define SCRAPE_SETTLE_S 5.0
#define SCRAPE_COUNT "parsesphere_request_duration_seconds_count"
bool settle_at(int line, struct scrape *s);
#define SETTLE(s) settle_at(__LINE__, (s))
/* Scrapes into *now until series grew by want since before, or timeout s passed; the growth. */
double grown_to(struct scrape *now, const struct scrape *before, const char *series, double want,
                double timeout);

/* ---- processes and the stack's files (procs.c, for test_process.c and test_faults.c) ---- */

#define MAX_PIDS 300           /* room for the children of a master, and more */
#define RESPAWN_S 5.0          /* a dead worker is replaced within this */
#define RELOAD_S 10.0          /* SIGHUP replaces every worker within this */

/* Monotonic seconds: comparable across forked children. */
double now_s(void);
/* Sleeps s seconds (nothing if s <= 0), resuming after signals. */
void sleep_s(double s);
/* $PS_STATE/name, tracked. */
const char *state_path(const char *name);
/* True through lighttpd; else prints "skipped: needs <needs> behind lighttpd", checks /healthz. */
bool lighttpd_only(const char *needs);
/* The pid in a pid file, or 0. */
pid_t read_pid_file(const char *path);
/* True through one of the web servers named (PS_WEB_SERVER; NULL ends the list); else prints
 * "skipped: needs <needs>" and checks /healthz. */
bool web_server_in(const char *needs, ...) __attribute__((sentinel));
/* `key = value` of the stack's parsesphere.conf (the last one), tracked; NULL if absent. */
const char *config_value(const char *key);
/* `workers = N` of the stack's parsesphere.conf, or -1. */
int configured_workers(void);
/* Size of a file in bytes (0 if it cannot be read). */
long file_size(const char *path);
/* The file from offset on, tracked ("" if unreadable). */
const char *file_from(const char *path, long offset);
/* State letter and parent from a /proc stat file (process or thread); false if none. */
bool stat_file(const char *path, char *state, pid_t *ppid);
/* State letter and parent of pid from /proc/PID/stat; false if there is no such process. */
bool proc_stat(pid_t pid, char *state, pid_t *ppid);
/* pid is running (not gone, not a zombie). */
bool alive(pid_t pid);
/* Live children of parent, ascending; returns how many (at most cap). */
size_t children_of(pid_t parent, pid_t *out, size_t cap);
/* "[p1 p2 ...]", tracked. */
const char *pid_list(const pid_t *p, size_t n);
/* pid is one of set[0..n). */
bool pid_in(pid_t pid, const pid_t *set, size_t n);
/* Waits up to timeout s for parent to have exactly n live children, none in old[]: secs or -1. */
double wait_pool(pid_t parent, size_t n, const pid_t *old, size_t nold, double timeout,
                 pid_t *now, size_t *nnow);
/* Waits up to timeout s for pid to be gone (or a zombie). */
bool wait_gone(pid_t pid, double timeout);
/* Waits up to timeout s for our own child pid; its wait status in *status. */
bool reap_child(pid_t pid, double timeout, int *status);
/* Checks the stack's master (app.pid) runs the configured pool (suite: "process", "fault"). */
bool stack_pool_at(int line, const char *suite, pid_t *master, pid_t *pool, size_t *n);
/* SIGHUP to master, then waits until its n workers are all new (they read the file again). */
bool reload_at(int line, pid_t master, size_t n);
/* sh -c cmd, stdout and stderr into *out (tracked); returns the exit status. */
int run_cmd(const char *cmd, const char **out);
/* s single-quoted for sh, tracked. */
const char *sq(const char *s);
/* A key's "request_count" in a response, or -1. */
long long count_of(const struct http_response *r);
/* Checks: a new account, a key under test and an observer key to read its counters. */
bool setup_observed_at(int line, struct acct *a, struct key *k, struct key *obs,
                       const char *label);

/* Forked load children writing tallies into one shared mapping (load_procs_start_at). */
#define LOAD_MAX_PROCS 32
#define LOAD_STOP 0            /* flags[LOAD_STOP]: set by the parent, the children stop */
struct load_procs {
	int procs;                 /* children forked */
	pid_t pids[LOAD_MAX_PROCS];
	void *tallies;             /* LOAD_MAX_PROCS tallies, one a child; NULL once unmapped */
	volatile int *flags;       /* after the tallies: [LOAD_STOP], then the caller's */
	size_t size;               /* of the mapping */
	double reap_s;             /* how long finish waits for each child */
};
typedef void load_child_fn(void *tally, volatile int *flags, void *arg);
/* Maps the tallies and flags, forks procs children running child; checked. */
bool load_procs_start_at(int line, struct load_procs *l, int procs, size_t tally_size, int nflags,
                         double reap_s, load_child_fn *child, void *arg);
/* Sets flags[LOAD_STOP], reaps the children (checked: each exited 0); the tallies stay mapped. */
bool load_procs_finish_at(int line, struct load_procs *l);
/* Unmaps the tallies and flags. */
void load_procs_unmap(struct load_procs *l);

#endif
