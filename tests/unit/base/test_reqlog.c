/*
 * Unit tests of lib/base/reqlog.c: the line of each kind of request (fields,
 * nulls, escaping, a buffer too small), the sampling rule (errors always),
 * and the destinations: a file appended to and opened again after a
 * rotation, off, and a file that cannot be opened (its lines go to stderr).
 */
#include "../../../lib/base/reqlog.c"
#include "../../../lib/base/timefmt.c"
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/validate.c"
#include "../harness.h"

#include <stdlib.h>
#include <sys/stat.h>

/* log_error of lib/base/log.c, counted instead of printed. */
static int logged;

void
log_error(const char *fmt, ...)
{
	(void)fmt;
	logged++;
}

#define ID_REQ "0197a1f0-1111-7000-8000-000000000001"
#define T0 INT64_C(1748779200123456)   /* 2025-06-01T12:00:00.123456Z */

static void
id_of(uint8_t out[UUID_LEN], unsigned char fill)
{
	memset(out, fill, UUID_LEN);
}

static void
test_format(void)
{
	static struct reqlog_entry full = {
		.start_us = T0, .duration_us = 812, .db_us = 403, .pid = 4242,
		.request_id = ID_REQ, .method = "GET", .route = "/v1/api-keys/{id}", .status = 200,
		.error_code = "", .has_key = true, .has_account = true, .has_org = true,
		.key_prefix = "sk_AbCdEfGhI",
	};
	static struct reqlog_entry bare = {
		.start_us = 0, .pid = 1, .request_id = ID_REQ, .method = "OTHER", .status = 404,
		.error_code = "not_found",
	};
	static struct reqlog_entry authz = {
		.start_us = T0, .duration_us = 90, .pid = 7, .authorizer = true,
		.request_id = ID_REQ, .method = "GET", .status = 401, .error_code = "invalid_api_key",
		.auth_ran = true, .auth = ERR_INVALID_API_KEY,
	};
	static struct reqlog_entry odd = {
		.start_us = T0, .pid = 1, .request_id = "a\"b\\c\n\x01\x7f\xc3\xa9", .method = "GET",
		.route = NULL, .status = 500, .error_code = NULL, .duration_us = -5,
		.db_us = INT64_MIN,
	};
	static struct reqlog_entry dash = {
		.start_us = T0, .duration_us = 5, .db_us = 0, .pid = 3, .request_id = ID_REQ,
		.method = "POST", .route = "/dashboard/keys/{id}/revoke", .status = 303,
		.has_account = true,
	};
	static const struct {
		int line;
		const struct reqlog_entry *e;
		const char *want;
	} cases[] = {
		{__LINE__, &full,
		 "{\"time\":\"2025-06-01T12:00:00.123456Z\",\"request_id\":\"" ID_REQ "\","
		 "\"pid\":4242,\"fcgi_role\":\"responder\",\"method\":\"GET\","
		 "\"route\":\"/v1/api-keys/{id}\",\"status\":200,\"error_code\":null,"
		 "\"key_id\":\"11111111-1111-1111-1111-111111111111\",\"key_prefix\":\"sk_AbCdEfGhI\","
		 "\"account_id\":\"22222222-2222-2222-2222-222222222222\","
		 "\"organization_id\":\"33333333-3333-3333-3333-333333333333\","
		 "\"duration_us\":812,\"db_us\":403}"},
		{__LINE__, &bare,
		 "{\"time\":\"1970-01-01T00:00:00.000000Z\",\"request_id\":\"" ID_REQ "\","
		 "\"pid\":1,\"fcgi_role\":\"responder\",\"method\":\"OTHER\",\"route\":null,"
		 "\"status\":404,\"error_code\":\"not_found\",\"key_id\":null,\"key_prefix\":null,"
		 "\"account_id\":null,\"organization_id\":null,\"duration_us\":0,\"db_us\":0}"},
		{__LINE__, &authz,
		 "{\"time\":\"2025-06-01T12:00:00.123456Z\",\"request_id\":\"" ID_REQ "\","
		 "\"pid\":7,\"fcgi_role\":\"authorizer\",\"method\":\"GET\",\"route\":null,"
		 "\"status\":401,\"error_code\":\"invalid_api_key\",\"key_id\":null,"
		 "\"key_prefix\":null,\"account_id\":null,\"organization_id\":null,"
		 "\"duration_us\":90,\"db_us\":0}"},
		/* Whatever a value holds, the line stays one line of valid JSON. */
		{__LINE__, &odd,
		 "{\"time\":\"2025-06-01T12:00:00.123456Z\","
		 "\"request_id\":\"a\\u0022b\\u005cc\\u000a\\u0001\\u007f\\u00c3\\u00a9\","
		 "\"pid\":1,\"fcgi_role\":\"responder\",\"method\":\"GET\",\"route\":null,"
		 "\"status\":500,\"error_code\":null,\"key_id\":null,\"key_prefix\":null,"
		 "\"account_id\":null,\"organization_id\":null,\"duration_us\":-5,"
		 "\"db_us\":-9223372036854775808}"},
		{__LINE__, &dash,
		 "{\"time\":\"2025-06-01T12:00:00.123456Z\",\"request_id\":\"" ID_REQ "\","
		 "\"pid\":3,\"fcgi_role\":\"responder\",\"method\":\"POST\","
		 "\"route\":\"/dashboard/keys/{id}/revoke\",\"status\":303,\"error_code\":null,"
		 "\"key_id\":null,\"key_prefix\":null,"
		 "\"account_id\":\"22222222-2222-2222-2222-222222222222\",\"organization_id\":null,"
		 "\"duration_us\":5,\"db_us\":0}"},
	};

	id_of(full.key_id, 0x11);
	id_of(full.account_id, 0x22);
	id_of(full.org_id, 0x33);
	id_of(dash.account_id, 0x22);
	id_of(dash.key_id, 0x44);      /* not shown: has_key is false */
	memcpy(dash.key_prefix, "sk_notshown1", 13);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char buf[REQLOG_LINE_MAX];
		size_t n = reqlog_format(cases[i].e, buf, sizeof(buf));
		size_t want = strlen(cases[i].want);

		CHECK_AT(n == want && memcmp(buf, cases[i].want, want) == 0, cases[i].line,
		         "line\n  %.*s\nwant\n  %s", (int)n, buf, cases[i].want);
		/* Exactly the room it needs (and its NUL), not a byte less. */
		CHECK_AT(reqlog_format(cases[i].e, buf, want + 1) == want, cases[i].line,
		         "does not fit in %zu bytes", want + 1);
		CHECK_AT(reqlog_format(cases[i].e, buf, want) == 0, cases[i].line,
		         "%zu bytes: not refused", want);
		CHECK_AT(reqlog_format(cases[i].e, buf, 10) == 0, cases[i].line, "10 bytes: not refused");
	}
}

/* What the front ends note lands in the line; with no entry (unit tests) nothing happens. */
static void
test_notes(void)
{
	struct reqlog_entry e = {.start_us = T0, .request_id = ID_REQ, .method = "DELETE",
	                         .status = 200, .pid = 9};
	uint8_t key[UUID_LEN], acct[UUID_LEN], org[UUID_LEN];
	char buf[REQLOG_LINE_MAX];
	size_t n;

	id_of(key, 0xaa);
	id_of(acct, 0xbb);
	id_of(org, 0xcc);
	reqlog_note_route(NULL, "/x");
	reqlog_note_auth(NULL, ERR_NONE);
	reqlog_note_key(NULL, key, "sk_x");
	reqlog_note_account(NULL, acct);
	reqlog_note_org(NULL, org);
	reqlog_note_route(&e, "/v1/api-keys/{id}");
	reqlog_note_auth(&e, ERR_API_KEY_REVOKED);
	reqlog_note_key(&e, key, "sk_0123456789ABCDEF");   /* cut to a prefix's length */
	reqlog_note_account(&e, acct);
	reqlog_note_org(&e, org);
	CHECK(e.auth_ran && e.auth == ERR_API_KEY_REVOKED, "auth %d %d", e.auth_ran, e.auth);
	n = reqlog_format(&e, buf, sizeof(buf));
	CHECK(n > 0 && strstr(buf, "\"route\":\"/v1/api-keys/{id}\"") &&
	      strstr(buf, "\"key_id\":\"aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa\"") &&
	      strstr(buf, "\"key_prefix\":\"sk_012345678\"") &&
	      strstr(buf, "\"account_id\":\"bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb\"") &&
	      strstr(buf, "\"organization_id\":\"cccccccc-cccc-cccc-cccc-cccccccccccc\""),
	      "noted: %.*s", (int)n, buf);
	reqlog_note_route(&e, NULL);
	n = reqlog_format(&e, buf, sizeof(buf));
	CHECK(n > 0 && strstr(buf, "\"route\":null"), "no route: %.*s", (int)n, buf);
}

static void
test_keeps(void)
{
	static const struct {
		int line;
		unsigned ppm;
		int status;
		uint32_t draw;
		bool want;
	} cases[] = {
		/* Every request at 1, the default. */
		{__LINE__, CONFIG_PPM, 200, 0, true},
		{__LINE__, CONFIG_PPM, 200, CONFIG_PPM - 1, true},
		{__LINE__, CONFIG_PPM, 303, CONFIG_PPM - 1, true},
		/* Errors always, whatever the rate. */
		{__LINE__, 0, 400, 0, true},
		{__LINE__, 0, 401, CONFIG_PPM - 1, true},
		{__LINE__, 0, 404, 5, true},
		{__LINE__, 0, 500, 5, true},
		{__LINE__, 0, 503, CONFIG_PPM - 1, true},
		{__LINE__, 1, 429, CONFIG_PPM - 1, true},
		/* Successes with probability ppm / 10^6: draws below it. */
		{__LINE__, 0, 200, 0, false},
		{__LINE__, 0, 399, 0, false},
		{__LINE__, 250000, 200, 0, true},
		{__LINE__, 250000, 200, 249999, true},
		{__LINE__, 250000, 201, 250000, false},
		{__LINE__, 250000, 200, CONFIG_PPM - 1, false},
		{__LINE__, 1, 200, 0, true},
		{__LINE__, 1, 200, 1, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_AT(reqlog_keeps(cases[i].ppm, cases[i].status, cases[i].draw) == cases[i].want,
		         cases[i].line, "rate %u, status %d, draw %u: %d", cases[i].ppm,
		         cases[i].status, cases[i].draw, !cases[i].want);
}

static char dir[64];

static const char *
file_text(const char *path)
{
	static char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;

	if (f != NULL)
		fclose(f);
	buf[n] = '\0';
	return buf;
}

static size_t
count_lines(const char *text)
{
	size_t n = 0;

	for (; *text != '\0'; text++)
		n += *text == '\n';
	return n;
}

static void
config_to(struct config *cfg, const char *to, unsigned ppm)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->request_log, sizeof(cfg->request_log), "%s", to);
	cfg->request_log_sample_ppm = ppm;
}

/* A file: appended to, one line a request; opened again under its name after a rotation. */
static void
test_file(void)
{
	struct reqlog_entry ok = {.request_id = ID_REQ, .method = "GET", .route = "/v1/me",
	                          .status = 200};
	struct reqlog_entry err = {.request_id = ID_REQ, .method = "GET", .status = 404,
	                           .error_code = "not_found"};
	char path[128], rotated[160];
	struct config cfg;
	struct reqlog l;
	struct stat st;

	snprintf(path, sizeof(path), "%s/requests.log", dir);
	snprintf(rotated, sizeof(rotated), "%s.1", path);
	config_to(&cfg, path, CONFIG_PPM);
	reqlog_open(&l, &cfg);
	CHECK(l.to == REQLOG_FILE && l.fd > STDERR_FILENO, "a file: destination %d, fd %d", l.to,
	      l.fd);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "%s: mode %o", path,
	      st.st_mode & 0777);
	reqlog_write(&l, &ok);
	reqlog_write(&l, &err);
	CHECK(count_lines(file_text(path)) == 2 && strstr(file_text(path), "\"route\":\"/v1/me\""),
	      "two lines expected: [%s]", file_text(path));
	/* logrotate moves the file; the next lines go on into it until the reopen */
	CHECK(rename(path, rotated) == 0, "rename");
	reqlog_write(&l, &ok);
	reqlog_reopen(&l);
	reqlog_write(&l, &err);
	reqlog_write(&l, &err);
	CHECK(count_lines(file_text(rotated)) == 3, "rotated file: [%s]", file_text(rotated));
	CHECK(count_lines(file_text(path)) == 2 && strstr(file_text(path), "not_found") != NULL,
	      "the file opened again: [%s]", file_text(path));
	reqlog_close(&l);
	unlink(rotated);

	/* At rate 0 successes are left out, errors kept. */
	unlink(path);
	config_to(&cfg, path, 0);
	reqlog_open(&l, &cfg);
	for (int i = 0; i < 50; i++)
		reqlog_write(&l, &ok);
	reqlog_write(&l, &err);
	CHECK(count_lines(file_text(path)) == 1 && strstr(file_text(path), "\"status\":404"),
	      "rate 0: only the error expected: [%s]", file_text(path));
	reqlog_close(&l);

	/* At 0.5, about half of 2000 successes (far outside 5 standard deviations: a bug). */
	unlink(path);
	config_to(&cfg, path, CONFIG_PPM / 2);
	reqlog_open(&l, &cfg);
	for (int i = 0; i < 2000; i++)
		reqlog_write(&l, &ok);
	size_t kept = count_lines(file_text(path));
	CHECK(kept > 1000 - 112 && kept < 1000 + 112, "rate 0.5: %zu of 2000 kept", kept);
	reqlog_close(&l);
	unlink(path);
}

/* off writes nothing; a file that cannot be opened is logged, its lines go to stderr. */
static void
test_destinations(void)
{
	struct config cfg;
	struct reqlog l;
	char path[128];

	config_to(&cfg, "off", CONFIG_PPM);
	reqlog_open(&l, &cfg);
	CHECK(l.to == REQLOG_OFF && l.fd == -1, "off: destination %d, fd %d", l.to, l.fd);
	reqlog_close(&l);

	config_to(&cfg, "stderr", CONFIG_PPM);
	reqlog_open(&l, &cfg);
	CHECK(l.to == REQLOG_STDERR && l.fd == STDERR_FILENO, "stderr: destination %d, fd %d",
	      l.to, l.fd);
	reqlog_close(&l);

	logged = 0;
	snprintf(path, sizeof(path), "%s/no-such-dir/requests.log", dir);
	config_to(&cfg, path, CONFIG_PPM);
	reqlog_open(&l, &cfg);
	CHECK(l.to == REQLOG_STDERR && l.fd == STDERR_FILENO && logged == 1,
	      "an unusable file: destination %d, fd %d, %d messages", l.to, l.fd, logged);
	reqlog_reopen(&l);   /* nothing to reopen */
	CHECK(l.to == REQLOG_STDERR && l.fd == STDERR_FILENO, "reopen changed stderr");
	reqlog_close(&l);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	if (sodium_init() < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/test_reqlog.XXXXXX",
	         tmp != NULL && strlen(tmp) < 40 ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		perror(dir);
		return 1;
	}
	test_format();
	test_notes();
	test_keeps();
	test_file();
	test_destinations();
	rmdir(dir);
	return harness_summary();
}
