/*
 * The harness (counters, per-test cleanup, main), request and expectation
 * helpers, JSON and format helpers, and scripts/admin through popen.
 */
#include "itest.h"

#include <ctype.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

int itest_passed, itest_failed;
const char *itest_current = "(none)";
static const char *current_file;
static int current_failed;

void
itest_fail_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	itest_failed++;
	current_failed++;
	/* Lines come from the test files, also when a helper here checks them. */
	printf("FAIL %s:%d [%s]: ", current_file ? current_file : file, line, itest_current);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* ---- per-test cleanup ----------------------------------------------------- */

struct tracked {
	void *ptr;
	void (*fn)(void *);
};
static struct tracked *tracked;
static size_t ntracked, cap_tracked;

void *
itest_track(void *ptr, void (*fn)(void *))
{
	if (ntracked == cap_tracked) {
		cap_tracked = cap_tracked ? cap_tracked * 2 : 256;
		tracked = realloc(tracked, cap_tracked * sizeof(*tracked));
		if (tracked == NULL)
			abort();
	}
	tracked[ntracked].ptr = ptr;
	tracked[ntracked].fn = fn;
	ntracked++;
	return ptr;
}

static void
release_all(void)
{
	while (ntracked > 0) {
		ntracked--;
		tracked[ntracked].fn(tracked[ntracked].ptr);
	}
}

const char *
P(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	return itest_track(s, free);
}

/* ---- requests ---------------------------------------------------------------- */

struct http_response *
itest_request(const struct rq *q)
{
	const char *lines[16];
	size_t n = 0;
	struct http_request hr = {.method = q->method, .path = q->path, .headers = lines,
	                          .source = q->source, .timeout_ms = q->timeout_ms};

	if (q->auth != NULL)
		lines[n++] = P("Authorization: %s", q->auth);
	else if (q->key != NULL)
		lines[n++] = P("Authorization: Bearer %s", q->key);
	if (q->org != NULL)
		lines[n++] = P("ParseSphere-Organization: %s", q->org);
	if (q->ctype != NULL)
		lines[n++] = P("Content-Type: %s", q->ctype);
	for (size_t i = 0; i < sizeof(q->hdr) / sizeof(q->hdr[0]) && q->hdr[i] != NULL; i++)
		lines[n++] = q->hdr[i];
	lines[n] = NULL;
	if (q->body != NULL) {
		hr.body = q->body;
		hr.body_len = q->body_len ? q->body_len : strlen(q->body);
	}
	return itest_track(http_do(&hr), http_response_free);
}

const char *
form_encode(const char *const *fields, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);
	bool first = true;

	for (size_t i = 0; i + 1 < n; i += 2) {
		if (fields[i + 1] == NULL)
			continue;
		if (!first)
			fputc('&', f);
		first = false;
		for (size_t part = 0; part < 2; part++) {
			if (part == 1)
				fputc('=', f);
			for (const unsigned char *p = (const unsigned char *)fields[i + part]; *p; p++) {
				if (isalnum(*p) || strchr("-._~", *p) != NULL)
					fputc(*p, f);
				else if (*p == ' ')
					fputc('+', f);
				else
					fprintf(f, "%%%c%c", hex[*p >> 4], hex[*p & 15]);
			}
		}
	}
	fclose(f);
	return itest_track(s, free);
}

/* ---- expectations --------------------------------------------------------------- */

static const char *
snippet(const struct http_response *r)
{
	if (r->status == 0)
		return P("(no response: %s)", r->error);
	return P("%d %.300s", r->status, r->body);
}

bool
expect_status_at(int line, const struct http_response *r, int status)
{
	return CHECK_AT(r->status == status, line, "%s: status %d expected, got %s",
	                r->what, status, snippet(r));
}

bool
expect_common_headers_at(int line, const struct http_response *r)
{
	const char *ct = http_header(r, "Content-Type");
	const char *cc = http_header(r, "Cache-Control");
	const char *rid = http_header(r, "X-Request-Id");
	bool ok = true;

	if (r->status == 0)
		return CHECK_AT(false, line, "%s: %s", r->what, snippet(r));
	ok &= CHECK_AT(ct != NULL && strcasecmp(ct, "application/json; charset=utf-8") == 0 &&
	               http_header_count(r, "Content-Type") == 1, line,
	               "%s: Content-Type \"%s\" (x%zu), want \"application/json; charset=utf-8\"",
	               r->what, ct ? ct : "(none)", http_header_count(r, "Content-Type"));
	ok &= CHECK_AT(cc != NULL && strcmp(cc, "no-store") == 0, line,
	               "%s: Cache-Control \"%s\", want \"no-store\"", r->what, cc ? cc : "(none)");
	ok &= CHECK_AT(rid != NULL && rid[0] != '\0', line, "%s (status %d): no X-Request-Id",
	               r->what, r->status);
	return ok;
}

bool
expect_error_at(int line, const struct http_response *r, int status, const char *code)
{
	const char *got, *rid, *hdr, *ct;

	if (!expect_status_at(line, r, status))
		return false;
	got = jstr(r->json, "error_code");
	if (!CHECK_AT(got != NULL && strcmp(got, code) == 0, line,
	              "%s: error_code %s expected, got %s", r->what, code, snippet(r)))
		return false;
	rid = jstr(r->json, "request_id");
	hdr = http_header(r, "X-Request-Id");
	ct = http_header(r, "Content-Type");
	bool ok = CHECK_AT(jstr(r->json, "message") != NULL && jstr(r->json, "message")[0] != '\0',
	                   line, "%s: error without a message: %s", r->what, r->body);
	ok &= CHECK_AT(rid != NULL && hdr != NULL && strcmp(rid, hdr) == 0, line,
	               "%s: body request_id %s != X-Request-Id %s", r->what,
	               rid ? rid : "(none)", hdr ? hdr : "(none)");
	ok &= CHECK_AT(ct != NULL && strcasecmp(ct, "application/json; charset=utf-8") == 0, line,
	               "%s: error Content-Type %s", r->what, ct ? ct : "(none)");
	return ok;
}

bool
expect_param_at(int line, const struct http_response *r, const char *param)
{
	const char *got = jstr(r->json, "param");

	return CHECK_AT(got != NULL && strcmp(got, param) == 0, line,
	                "%s: param \"%s\" expected, got %s", r->what, param, snippet(r));
}

bool
expect_invalid_at(int line, const struct http_response *r, const char *param)
{
	return expect_error_at(line, r, 400, "invalid_request") && expect_param_at(line, r, param);
}

static const char key_fields[] = "id,object,name,key_prefix,is_active,organization_id,"
                                 "created_by,created_at,last_used_at,request_count,revoked_at,"
                                 "revoked_reason,expires_at,replaced_by,rolled_from,rate_limit";

/* A member that is null or a lowercase id. */
static bool
null_or_id(json_object *k, const char *name)
{
	return jis_null(k, name) || is_uuid_lower(jstr(k, name));
}

bool
expect_key_at(int line, json_object *k, const struct key_expect *e)
{
	char why[256];
	const char *id = jstr(k, "id"), *secret = jstr(k, "secret");
	const char *prefix = jstr(k, "key_prefix"), *created = jstr(k, "created_at");
	json_object *count = jget(k, "request_count");
	bool active = !e->active, ok = true;

	if (!CHECK_AT(k != NULL && json_object_is_type(k, json_type_object), line,
	              "key object expected, got %s", k ? json_object_to_json_string(k) : "(null)"))
		return false;
	ok &= CHECK_AT(jkeys_exactly(k, e->with_secret ? P("%s,secret", key_fields) : key_fields,
	                             why, sizeof(why)), line, "key object members: %s in %s",
	               why, json_object_to_json_string(k));
	ok &= CHECK_AT(id != NULL && is_uuid_lower(id), line, "id %s", id ? id : "(none)");
	if (e->id != NULL)
		ok &= CHECK_AT(id != NULL && strcmp(id, e->id) == 0, line, "id %s, want %s",
		               id ? id : "(none)", e->id);
	ok &= CHECK_AT(jstr(k, "object") && strcmp(jstr(k, "object"), "api_key") == 0, line,
	               "object %s", json_object_to_json_string(k));
	if (e->name != NULL)
		ok &= CHECK_AT(jstr(k, "name") && strcmp(jstr(k, "name"), e->name) == 0, line,
		               "name \"%s\", want \"%s\"", jstr(k, "name") ? jstr(k, "name") : "(none)",
		               e->name);
	else
		ok &= CHECK_AT(jstr(k, "name") != NULL, line, "name missing");
	ok &= CHECK_AT(prefix != NULL && strlen(prefix) == 12 && strncmp(prefix, "sk_", 3) == 0,
	               line, "key_prefix %s", prefix ? prefix : "(none)");
	ok &= CHECK_AT(jbool(k, "is_active", &active) && active == e->active, line,
	               "is_active %s, want %d", json_object_to_json_string(k), e->active);
	if (e->org == NULL)
		ok &= CHECK_AT(jis_null(k, "organization_id"), line, "organization_id not null: %s",
		               json_object_to_json_string(k));
	else
		ok &= CHECK_AT(jstr(k, "organization_id") &&
		               strcmp(jstr(k, "organization_id"), e->org) == 0, line,
		               "organization_id %s, want %s",
		               jstr(k, "organization_id") ? jstr(k, "organization_id") : "(none)", e->org);
	ok &= CHECK_AT(jstr(k, "created_by") && is_uuid_lower(jstr(k, "created_by")), line,
	               "created_by %s", json_object_to_json_string(k));
	if (e->created_by != NULL)
		ok &= CHECK_AT(jstr(k, "created_by") && strcmp(jstr(k, "created_by"), e->created_by) == 0,
		               line, "created_by %s, want %s",
		               jstr(k, "created_by") ? jstr(k, "created_by") : "(none)", e->created_by);
	ok &= CHECK_AT(created != NULL && is_rfc3339_utc(created) && rfc3339_age(created) >= 0 &&
	               rfc3339_age(created) < 3600, line, "created_at %s",
	               created ? created : "(none)");
	ok &= CHECK_AT(jis_null(k, "last_used_at") ||
	               (jstr(k, "last_used_at") && is_rfc3339_utc(jstr(k, "last_used_at"))), line,
	               "last_used_at %s", json_object_to_json_string(k));
	ok &= CHECK_AT(count != NULL && json_object_is_type(count, json_type_int) &&
	               json_object_get_int64(count) >= 0, line, "request_count %s",
	               json_object_to_json_string(k));
	if (e->active || e->expired)
		ok &= CHECK_AT(jis_null(k, "revoked_at") && jis_null(k, "revoked_reason"), line,
		               "revoked_at or revoked_reason not null on a key not revoked: %s",
		               json_object_to_json_string(k));
	else
		ok &= CHECK_AT(jstr(k, "revoked_at") && is_rfc3339_utc(jstr(k, "revoked_at")) &&
		               rfc3339_age(jstr(k, "revoked_at")) < 3600 && jstr(k, "revoked_reason") &&
		               strstr(",user,owner,rolled,", P(",%s,", jstr(k, "revoked_reason"))),
		               line, "revoked_at and revoked_reason on a revoked key: %s",
		               json_object_to_json_string(k));
	ok &= CHECK_AT((jis_null(k, "expires_at") && !e->expired) ||
	               (jstr(k, "expires_at") && is_rfc3339_utc(jstr(k, "expires_at"))), line,
	               "expires_at %s", json_object_to_json_string(k));
	ok &= CHECK_AT(null_or_id(k, "replaced_by") && null_or_id(k, "rolled_from"), line,
	               "replaced_by or rolled_from: %s", json_object_to_json_string(k));
	if (e->with_secret) {
		ok &= CHECK_AT(secret != NULL && is_secret_format(secret), line,
		               "secret %s does not match ^sk_[0-9A-Za-z]{46}$", secret ? secret : "(none)");
		ok &= CHECK_AT(secret && prefix && strncmp(secret, prefix, 12) == 0, line,
		               "key_prefix %s is not the first 12 characters of the secret",
		               prefix ? prefix : "(none)");
		if (secret != NULL && is_secret_format(secret)) {
			char sum[7];
			test_checksum(secret, 43, sum);
			ok &= CHECK_AT(memcmp(sum, secret + 43, 6) == 0, line,
			               "secret checksum %.6s, CRC-32/base62 of the body gives %s",
			               secret + 43, sum);
		}
	} else {
		ok &= CHECK_AT(secret == NULL && !json_object_object_get_ex(k, "secret", NULL), line,
		               "a key object outside the create response carries a secret");
	}
	return ok;
}

/* ---- JSON ----------------------------------------------------------------------- */

static void
json_put(void *o)
{
	json_object_put(o);
}

json_object *
jparse(const char *text)
{
	json_object *o = json_tokener_parse(text);

	return o != NULL ? itest_track(o, json_put) : NULL;
}

json_object *
jget(json_object *o, const char *dotted)
{
	char name[128];
	const char *p = dotted;

	while (o != NULL && *p != '\0') {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		json_object *v = NULL;

		if (n >= sizeof(name) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(name, p, n);
		name[n] = '\0';
		if (!json_object_object_get_ex(o, name, &v))
			return NULL;
		o = v;
		p += n + (dot ? 1 : 0);
	}
	return o;
}

const char *
jstr(json_object *o, const char *dotted)
{
	json_object *v = jget(o, dotted);

	return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
	                                                             : NULL;
}

bool
jis_null(json_object *o, const char *dotted)
{
	const char *dot = strrchr(dotted, '.');
	json_object *parent = o, *v = NULL;

	if (dot != NULL)
		parent = jget(o, P("%.*s", (int)(dot - dotted), dotted));
	if (parent == NULL || !json_object_is_type(parent, json_type_object))
		return false;
	return json_object_object_get_ex(parent, dot ? dot + 1 : dotted, &v) && v == NULL;
}

bool
jbool(json_object *o, const char *dotted, bool *out)
{
	json_object *v = jget(o, dotted);

	if (v == NULL || !json_object_is_type(v, json_type_boolean))
		return false;
	*out = json_object_get_boolean(v);
	return true;
}

bool
jkeys_exactly(json_object *o, const char *names, char *why, size_t cap)
{
	char list[512], *save = NULL;
	int expected = 0;

	why[0] = '\0';
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		snprintf(why, cap, "not an object");
		return false;
	}
	snprintf(list, sizeof(list), "%s", names);
	for (char *n = strtok_r(list, ",", &save); n != NULL; n = strtok_r(NULL, ",", &save)) {
		expected++;
		if (!json_object_object_get_ex(o, n, NULL)) {
			snprintf(why, cap, "missing \"%s\"", n);
			return false;
		}
	}
	if (json_object_object_length(o) != expected) {
		json_object_object_foreach(o, k, v) {
			(void)v;
			char pat[140];
			snprintf(pat, sizeof(pat), ",%s,", k);
			if (strstr(P(",%s,", names), pat) == NULL) {
				snprintf(why, cap, "unexpected \"%s\"", k);
				break;
			}
		}
		return false;
	}
	return true;
}

size_t
jlist_ids(const struct http_response *r, const char *ids[], size_t cap)
{
	json_object *data = jget(r->json, "data");
	size_t n = 0;

	if (data == NULL || !json_object_is_type(data, json_type_array))
		return 0;
	for (size_t i = 0; i < json_object_array_length(data) && n < cap; i++) {
		const char *id = jstr(json_object_array_get_idx(data, i), "id");
		ids[n++] = id ? id : "(no id)";
	}
	return n;
}

bool
jlist_contains(const struct http_response *r, const char *id)
{
	const char *ids[128];
	size_t n = jlist_ids(r, ids, 128);

	for (size_t i = 0; i < n; i++)
		if (strcmp(ids[i], id) == 0)
			return true;
	return false;
}

/* ---- formats ------------------------------------------------------------------- */

static bool
matches(const char *s, const char *re)
{
	regex_t rx;
	bool ok;

	if (s == NULL || regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	ok = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

bool
is_uuid_lower(const char *s)
{
	return matches(s, "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$");
}

bool
is_rfc3339_utc(const char *s)
{
	return matches(s, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$");
}

bool
is_secret_format(const char *s)
{
	return matches(s, "^sk_[0-9A-Za-z]{46}$");
}

long
rfc3339_age(const char *s)
{
	struct tm tm;
	const char *end;
	long d;

	memset(&tm, 0, sizeof(tm));
	if (!is_rfc3339_utc(s) || (end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) == NULL ||
	    *end != '\0')
		return -1;
	d = (long)(time(NULL) - timegm(&tm));
	return d < 0 ? -d : d;
}

void
str_upper(char *dst, const char *src, size_t cap)
{
	size_t i = 0;

	for (; src[i] != '\0' && i + 1 < cap; i++)
		dst[i] = (src[i] >= 'a' && src[i] <= 'z') ? (char)(src[i] - 32) : src[i];
	dst[i] = '\0';
}

/* CRC-32, IEEE polynomial (reflected 0xEDB88320), as zlib's crc32. */
uint32_t
test_crc32(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t c = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
	}
	return c ^ 0xffffffffu;
}

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void
test_checksum(const char *body, size_t len, char out[7])
{
	uint32_t v = test_crc32(body, len);

	for (int i = 5; i >= 0; i--) {
		out[i] = b62[v % 62];
		v /= 62;
	}
	out[6] = '\0';
}

void
random_wellformed_key(char out[50])
{
	memcpy(out, "sk_", 3);
	for (int i = 0; i < 40; i++)
		out[3 + i] = b62[randombytes_uniform(62)];
	test_checksum(out, 43, out + 43);
	out[49] = '\0';
}

void
random_uuid(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	size_t o = 0;

	randombytes_buf(b, sizeof(b));
	b[6] = (unsigned char)(0x40 | (b[6] & 0x0f));
	b[8] = (unsigned char)(0x80 | (b[8] & 0x3f));
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[b[i] >> 4];
		out[o++] = hex[b[i] & 0x0f];
	}
	out[o] = '\0';
}

const char *
unique(const char *label)
{
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	char sfx[11];

	for (int i = 0; i < 10; i++)
		sfx[i] = alnum[randombytes_uniform(sizeof(alnum) - 1)];
	sfx[10] = '\0';
	return P("%s-%s", label, sfx);
}

/* ---- scripts/admin --------------------------------------------------------------- */

static void
admin_free(void *p)
{
	struct admin_result *r = p;

	free(r->out);
	free(r->err);
	if (r->json != NULL)
		json_object_put(r->json);
	free(r);
}

static void
shell_quote(FILE *f, const char *arg)
{
	fputc('\'', f);
	for (const char *p = arg; *p != '\0'; p++) {
		if (*p == '\'')
			fputs("'\\''", f);
		else
			fputc(*p, f);
	}
	fputs("' ", f);
}

static char *
slurp(FILE *f)
{
	char *s = NULL, chunk[4096];
	size_t len = 0, n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		s = realloc(s, len + n + 1);
		if (s == NULL)
			abort();
		memcpy(s + len, chunk, n);
		len += n;
	}
	if (s == NULL)
		s = calloc(1, 1);
	else
		s[len] = '\0';
	return s;
}

struct admin_result *
admin_run(const char *arg, ...)
{
	struct admin_result *r = calloc(1, sizeof(*r));
	const char *root = getenv("PS_ROOT"), *state = getenv("PS_STATE");
	char errpath[] = "/tmp/itest-admin-XXXXXX";
	char *cmd = NULL;
	size_t cmdlen = 0;
	FILE *cf, *p, *ef;
	va_list ap;
	int fd, st;

	if (r == NULL)
		abort();
	itest_track(r, admin_free);
	r->status = -1;
	if (root == NULL || state == NULL) {
		r->out = strdup("");
		r->err = strdup("PS_ROOT and PS_STATE must be set");
		return r;
	}
	if ((fd = mkstemp(errpath)) < 0)
		abort();
	close(fd);
	cf = open_memstream(&cmd, &cmdlen);
	fputs("cd ", cf);
	shell_quote(cf, root);
	fputs("&& PS_STATE=", cf);
	shell_quote(cf, state);
	shell_quote(cf, P("%s/scripts/admin", root));
	va_start(ap, arg);
	for (const char *a = arg; a != NULL; a = va_arg(ap, const char *))
		shell_quote(cf, a);
	va_end(ap);
	fputs("</dev/null 2>", cf);
	shell_quote(cf, errpath);
	fclose(cf);
	fflush(stdout);
	p = popen(cmd, "r");
	free(cmd);
	if (p == NULL) {
		r->out = strdup("");
		r->err = strdup("popen failed");
		unlink(errpath);
		return r;
	}
	r->out = slurp(p);
	st = pclose(p);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128;
	ef = fopen(errpath, "r");
	r->err = ef ? slurp(ef) : strdup("");
	if (ef != NULL)
		fclose(ef);
	unlink(errpath);
	r->json = json_tokener_parse(r->out);
	itest_note_secret(r->json);
	return r;
}

void
itest_note_secret(json_object *o)
{
	itest_note_secret_str(jstr(o, "secret"));
}

void
itest_note_secret_str(const char *secret)
{
	static FILE *f;

	if (secret == NULL || secret[0] == '\0')
		return;
	if (f == NULL && getenv("PS_STATE") != NULL) {
		mode_t old = umask(077);   /* live keys: readable by root only */
		f = fopen(P("%s/issued-secrets", getenv("PS_STATE")), "a");
		umask(old);
	}
	if (f != NULL) {
		fprintf(f, "%s\n", secret);
		fflush(f);
	}
}

bool
admin_ok_at(int line, struct admin_result *r)
{
	return CHECK_AT(r->status == 0 && r->json != NULL, line,
	                "scripts/admin failed (exit %d): %s%s", r->status, r->err, r->out);
}

bool
new_account_at(int line, struct acct *a, const char *label)
{
	const char *email = P("%s@example.test", unique(label));
	const char *name = P("Test %s", label);
	struct admin_result *r = admin_run("account", "create", "--email", email, "--name", name,
	                                   (const char *)NULL);
	bool active = false;

	memset(a, 0, sizeof(*a));
	if (!admin_ok_at(line, r))
		return false;
	snprintf(a->id, sizeof(a->id), "%s", jstr(r->json, "id") ? jstr(r->json, "id") : "");
	snprintf(a->email, sizeof(a->email), "%s", email);
	snprintf(a->name, sizeof(a->name), "%s", name);
	return CHECK_AT(is_uuid_lower(a->id) && jstr(r->json, "email") &&
	                strcmp(jstr(r->json, "email"), email) == 0 && jstr(r->json, "name") &&
	                strcmp(jstr(r->json, "name"), name) == 0 &&
	                jbool(r->json, "is_active", &active) && active, line,
	                "account create printed %s", r->out);
}

bool
new_key_at(int line, struct key *k, const char *account, const char *org, const char *name)
{
	struct admin_result *r = org ?
		admin_run("key", "create", "--account", account, "--org", org, "--name", name,
		          (const char *)NULL) :
		admin_run("key", "create", "--account", account, "--name", name, (const char *)NULL);

	memset(k, 0, sizeof(*k));
	if (!admin_ok_at(line, r))
		return false;
	snprintf(k->id, sizeof(k->id), "%s", jstr(r->json, "id") ? jstr(r->json, "id") : "");
	snprintf(k->secret, sizeof(k->secret), "%s",
	         jstr(r->json, "secret") ? jstr(r->json, "secret") : "");
	return expect_key_at(line, r->json, &(struct key_expect){
		.name = name, .created_by = account, .org = org, .active = true, .with_secret = true});
}

bool
new_org_at(int line, char id[37], const char *name, const char *owner)
{
	struct admin_result *r = admin_run("org", "create", "--name", name, "--owner", owner,
	                                   (const char *)NULL);
	bool active = false;

	id[0] = '\0';
	if (!admin_ok_at(line, r))
		return false;
	snprintf(id, 37, "%s", jstr(r->json, "id") ? jstr(r->json, "id") : "");
	return CHECK_AT(is_uuid_lower(id) && jstr(r->json, "name") &&
	                strcmp(jstr(r->json, "name"), name) == 0 &&
	                jbool(r->json, "is_active", &active) && active, line,
	                "org create printed %s", r->out);
}

bool
add_member_at(int line, const char *org, const char *account, const char *role)
{
	struct admin_result *r = admin_run("org", "add-member", org, account, "--role", role,
	                                   (const char *)NULL);

	if (!admin_ok_at(line, r))
		return false;
	return CHECK_AT(jstr(r->json, "organization_id") &&
	                strcmp(jstr(r->json, "organization_id"), org) == 0 &&
	                jstr(r->json, "account_id") && strcmp(jstr(r->json, "account_id"), account) == 0 &&
	                jstr(r->json, "role") && strcmp(jstr(r->json, "role"), role) == 0, line,
	                "org add-member printed %s", r->out);
}

struct http_response *
audit_get_at(int line, const char *key, const char *org, const char *query)
{
	struct http_response *r = OGET(P("/v1/audit-events%s%s", query[0] ? "?" : "", query), key,
	                               org);
	json_object *data = jget(r->json, "data");

	if (expect_status_at(line, r, 200))
		CHECK_AT(data != NULL && json_object_is_type(data, json_type_array) &&
		         jstr(r->json, "object") && strcmp(jstr(r->json, "object"), "list") == 0,
		         line, "%s: not a list: %.300s", r->what, r->body);
	return r;
}

size_t
audit_count(const struct http_response *r, const char *action, const char *target,
            json_object **newest)
{
	json_object *data = jget(r->json, "data");
	size_t n = 0;

	if (newest != NULL)
		*newest = NULL;
	for (size_t i = 0; data != NULL && i < json_object_array_length(data); i++) {
		json_object *e = json_object_array_get_idx(data, i);
		const char *a = jstr(e, "action"), *t = jstr(e, "target.id");

		if ((action != NULL && (a == NULL || strcmp(a, action) != 0)) ||
		    (target != NULL && (t == NULL || strcmp(t, target) != 0)))
			continue;
		if (n++ == 0 && newest != NULL)
			*newest = e;
	}
	return n;
}

bool
api_create_key_at(int line, struct key *k, const char *auth_key, const char *org,
                  const char *name)
{
	struct http_response *r = OPOST_JSON("/v1/api-keys", auth_key, org,
	                                     P("{\"name\": \"%s\"}", name));

	memset(k, 0, sizeof(*k));
	if (!expect_status_at(line, r, 201))
		return false;
	snprintf(k->id, sizeof(k->id), "%s", jstr(r->json, "id") ? jstr(r->json, "id") : "");
	snprintf(k->secret, sizeof(k->secret), "%s",
	         jstr(r->json, "secret") ? jstr(r->json, "secret") : "");
	return CHECK_AT(is_uuid_lower(k->id) && is_secret_format(k->secret), line,
	                "create response %s", r->body);
}

/* ---- main ------------------------------------------------------------------------- */

static void test_service_still_answers(void);

static const struct itest_case final_cases[] = {
	ITEST(test_service_still_answers),
};

/* Last of all: after every bad input above, the service still answers. */
static void
test_service_still_answers(void)
{
	struct acct a;
	struct key k;
	struct http_response *r;

	NEW_ACCOUNT(&a, "final");
	NEW_KEY(&k, a.id, NULL, "final");
	r = GET("/v1/me", k.secret);
	if (EXPECT_STATUS(r, 200))
		CHECK(jstr(r->json, "api_key.id") && strcmp(jstr(r->json, "api_key.id"), k.id) == 0,
		      "/v1/me names another key: %s", r->body);
	r = REQ(.method = "GET", .path = "/healthz");
	EXPECT_STATUS(r, 200);
}

static bool
selected(int argc, char **argv, const char *name)
{
	if (argc < 2)
		return true;
	for (int i = 1; i < argc; i++)
		if (strstr(name, argv[i]) != NULL)
			return true;
	return false;
}

static void
run_cases(const struct itest_case *cases, size_t n, int argc, char **argv)
{
	for (size_t i = 0; i < n; i++) {
		int before = itest_passed;

		if (!selected(argc, argv, cases[i].name))
			continue;
		itest_current = cases[i].name;
		current_file = cases[i].file;
		current_failed = 0;
		cases[i].run();
		release_all();
		printf("%s %s (%d checks)\n", current_failed ? "FAILED" : "ok    ", cases[i].name,
		       itest_passed - before + current_failed);
		fflush(stdout);
	}
}

/* Usage: integration [NAME-SUBSTRING...] runs the tests whose names match. */
int
main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sodium_init() < 0) {
		puts("sodium_init failed");
		puts("0 passed, 1 failed");
		return 1;
	}
	if (getenv("PS_BASE_URL") == NULL || getenv("PS_STATE") == NULL ||
	    getenv("PS_ROOT") == NULL) {
		puts("PS_BASE_URL, PS_STATE and PS_ROOT must be set (scripts/test sets them)");
		puts("0 passed, 1 failed");
		return 1;
	}
	run_cases(itest_keys_cases, itest_keys_count, argc, argv);
	run_cases(itest_orgs_cases, itest_orgs_count, argc, argv);
	run_cases(itest_process_cases, itest_process_count, argc, argv);
	run_cases(itest_authorizer_cases, itest_authorizer_count, argc, argv);
	run_cases(itest_dashboard_cases, itest_dashboard_count, argc, argv);
	run_cases(itest_metrics_cases, itest_metrics_count, argc, argv);
	run_cases(itest_requestlog_cases, itest_requestlog_count, argc, argv);
	run_cases(itest_roll_cases, itest_roll_count, argc, argv);
	run_cases(itest_audit_cases, itest_audit_count, argc, argv);
	run_cases(itest_ratelimit_cases, itest_ratelimit_count, argc, argv);
	run_cases(itest_freshness_cases, itest_freshness_count, argc, argv);
	run_cases(itest_leaks_cases, itest_leaks_count, argc, argv);
	run_cases(itest_faults_cases, itest_faults_count, argc, argv);
	run_cases(final_cases, sizeof(final_cases) / sizeof(final_cases[0]), argc, argv);
	printf("%d passed, %d failed\n", itest_passed, itest_failed);
	return itest_failed == 0 ? 0 : 1;
}
