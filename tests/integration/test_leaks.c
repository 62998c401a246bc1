/*
 * Integration tests of the leaked-key receiver (issue 16, docs/api.md "POST
 * /v1/leaks/github"): GitHub's secret scanning partner reports, signed here
 * with key pairs made at test time (never a real GitHub key) and installed
 * with `scripts/admin leaks refresh-keys`. A valid report revokes live keys
 * at once (401 from the next request) with their key.revoked_leak event and
 * answers GitHub's exact feedback; a report that does not verify (a byte
 * changed, an unknown identifier, a key of another curve, a raw r‖s
 * signature, a header missing) is 401 and revokes nothing.
 */
#include "itest.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define KP(id) P("/v1/api-keys/%s", (id))
#define LEAKS "/v1/leaks/github"
#define TYPE "parsesphere_api_key"

/* The identifiers of the keys document the tests install. */
#define KID "4f3c8d0e6a1b2c3d4e5f60718293a4b5c6d7e8f9011223344556677889900aab"
#define KID_OLD "90a421169f0a406205f1563a953312f0be898d3c7b6c06b681aa86a874555f4a"
#define KID_P384 "p384-test-key"
#define KID_K1 "secp256k1-test-key"

/* GitHub's side: the current and an older P-256 key, one P-384, one secp256k1, one not listed. */
static EVP_PKEY *gh, *gh_old, *gh_p384, *gh_k1, *stranger;

static EVP_PKEY *
gen(const char *curve)
{
	EVP_PKEY *k = EVP_EC_gen(curve);

	if (k == NULL)
		abort();
	return k;
}

static const char *
pem_of(EVP_PKEY *k)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data;
	long n;
	const char *s;

	PEM_write_bio_PUBKEY(b, k);
	n = BIO_get_mem_data(b, &data);
	s = P("%.*s", (int)n, data);
	BIO_free(b);
	return s;
}

/* The keys document in GitHub's format, as its endpoint serves it. */
static const char *
keys_document(void)
{
	json_object *root = json_object_new_object(), *arr = json_object_new_array();
	static const char *const ids[] = {KID_OLD, KID, KID_P384, KID_K1};
	EVP_PKEY *keys[] = {gh_old, gh, gh_p384, gh_k1};
	const char *s;

	for (size_t i = 0; i < N_ELEMS(ids); i++) {
		json_object *e = json_object_new_object();

		json_object_object_add(e, "key_identifier", json_object_new_string(ids[i]));
		json_object_object_add(e, "key", json_object_new_string(pem_of(keys[i])));
		json_object_object_add(e, "is_current", json_object_new_boolean(keys[i] == gh));
		json_object_array_add(arr, e);
	}
	json_object_object_add(root, "public_keys", arr);
	s = P("%s", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return s;
}

static bool
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok = f != NULL && fputs(text, f) >= 0;

	return (f == NULL || fclose(f) == 0) && ok;
}

/*
 * Once a run: GitHub's key pairs, the document of their public keys, and
 * `scripts/admin leaks refresh-keys file://…` installing it where
 * leak_public_keys_file says (what an operator does with GitHub's URL).
 */
static bool
setup_at(int line)
{
	static bool done;
	const char *path = config_value("leak_public_keys_file"), *src;
	struct admin_result *r;

	if (done)
		return true;
	if (!CHECK_AT(path != NULL, line, "no leak_public_keys_file in the stack's configuration"))
		return false;
	gh = gen("P-256");
	gh_old = gen("P-256");
	gh_p384 = gen("P-384");
	gh_k1 = gen("secp256k1");
	stranger = gen("P-256");
	src = state_path("github-public-keys.json");
	if (!CHECK_AT(write_file(src, keys_document()), line, "cannot write %s", src))
		return false;
	r = admin_run("leaks", "refresh-keys", P("file://%s", src), (const char *)NULL);
	done = admin_ok_at(line, r) &&
	       CHECK_AT(jget(r->json, "public_keys") != NULL &&
	                json_object_get_int(jget(r->json, "public_keys")) == 4 &&
	                json_object_get_int(jget(r->json, "p256_keys")) == 2 &&
	                strcmp(jstr(r->json, "leak_public_keys_file") ?: "", path) == 0, line,
	                "refresh-keys answered %s", r->out);
	return done;
}
#define SETUP() setup_at(__LINE__)

/* Base64 of k's ECDSA SHA-256 signature of body: DER, or raw r‖s (32 + 32 bytes) when raw. */
static const char *
sign(EVP_PKEY *k, const char *body, size_t len, bool raw)
{
	unsigned char der[160], rs[64];
	unsigned char b64[256];
	size_t n = sizeof(der);
	const unsigned char *p = der;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) != 1 ||
	    EVP_DigestSign(md, der, &n, (const unsigned char *)body, len) != 1)
		abort();
	EVP_MD_CTX_free(md);
	if (raw) {
		ECDSA_SIG *s = d2i_ECDSA_SIG(NULL, &p, (long)n);

		BN_bn2binpad(ECDSA_SIG_get0_r(s), rs, 32);
		BN_bn2binpad(ECDSA_SIG_get0_s(s), rs + 32, 32);
		ECDSA_SIG_free(s);
		EVP_EncodeBlock(b64, rs, 64);
	} else {
		EVP_EncodeBlock(b64, der, (int)n);
	}
	return P("%s", b64);
}

/* A report with these headers (NULL: left out) and Content-Type. */
static struct http_response *
post(const char *body, size_t len, const char *kid, const char *sig, const char *ctype)
{
	const char *h1 = kid ? P("Github-Public-Key-Identifier: %s", kid) : NULL;
	const char *h2 = sig ? P("Github-Public-Key-Signature: %s", sig) : NULL;

	return REQ(.method = "POST", .path = LEAKS, .ctype = ctype, .body = body,
	           .body_len = len, .hdr = {h1 ? h1 : h2, h1 ? h2 : NULL});
}

/* A report signed by GitHub's current key. */
static struct http_response *
report(const char *body)
{
	return post(body, strlen(body), KID, sign(gh, body, strlen(body), false),
	            "application/json");
}

/* One token found in public, as GitHub describes it. */
struct found {
	const char *token, *url, *source;
	bool ours;                  /* the feedback's label: true_positive */
};

static const char *
body_of(const struct found *f, size_t n)
{
	json_object *arr = json_object_new_array();
	const char *s;

	for (size_t i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(o, "token", json_object_new_string(f[i].token));
		json_object_object_add(o, "type", json_object_new_string(TYPE));
		json_object_object_add(o, "url", json_object_new_string(f[i].url));
		json_object_object_add(o, "source", json_object_new_string(f[i].source));
		json_object_array_add(arr, o);
	}
	s = P("%s", json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN |
	                                           JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(arr);
	return s;
}

/* SHA-256 of the token in hex, computed here with OpenSSL (the service uses libsodium). */
static const char *
sha256_hex(const char *token)
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	char hex[2 * SHA256_DIGEST_LENGTH + 1];

	SHA256((const unsigned char *)token, strlen(token), d);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return P("%s", hex);
}

/* 200 with GitHub's feedback: one entry a report, in order, exactly these members. */
static bool
expect_feedback_at(int line, const struct http_response *r, const struct found *f, size_t n)
{
	size_t got = r->json && json_object_is_type(r->json, json_type_array) ?
	             json_object_array_length(r->json) : (size_t)-1;
	bool ok = expect_status_at(line, r, 200) && expect_common_headers_at(line, r);
	char why[160];

	ok &= CHECK_AT(got == n, line, "%s: %zu feedback entries, want %zu: %.300s", r->what, got,
	               n, r->body);
	for (size_t i = 0; ok && i < n; i++) {
		json_object *e = json_object_array_get_idx(r->json, i);
		const char *want = f[i].ours ? "true_positive" : "false_positive";

		ok &= CHECK_AT(jkeys_exactly(e, "token_hash,token_type,label", why, sizeof(why)) &&
		               strcmp(jstr(e, "token_hash") ?: "", sha256_hex(f[i].token)) == 0 &&
		               strcmp(jstr(e, "token_type") ?: "", TYPE) == 0 &&
		               strcmp(jstr(e, "label") ?: "", want) == 0, line,
		               "feedback %zu: %s (%s), want %s", i, json_object_to_json_string(e), why,
		               want);
	}
	return ok;
}
#define EXPECT_FEEDBACK(r, f, n) expect_feedback_at(__LINE__, (r), (f), (n))

/* A signature refused: 401 invalid_signature, challenged for the signature, not for a key. */
static bool
expect_refused_at(int line, const struct http_response *r)
{
	return expect_error_at(line, r, 401, "invalid_signature") &&
	       CHECK_AT(strcmp(http_header(r, "WWW-Authenticate") ?: "",
	                       "Github-Public-Key-Signature realm=\"parsesphere\"") == 0, line,
	                "%s: WWW-Authenticate %s", r->what, http_header(r, "WWW-Authenticate"));
}
#define EXPECT_REFUSED(r) expect_refused_at(__LINE__, (r))

/* How many events of this action the key's owner (observer: a key of the same account) reads. */
static size_t
events_of(const char *observer, const char *action, const char *key_id, json_object **newest)
{
	return audit_count(AUDIT_GET(observer, NULL, P("action=%s&target_id=%s", action, key_id)),
	                   action, key_id, newest);
}

bool
leak_report_at(int line, const char *token, const char *url, const char *source)
{
	const struct found f = {token, url, source, true};

	return setup_at(line) && expect_feedback_at(line, report(body_of(&f, 1)), &f, 1);
}

static void
test_leaks_report_revokes_and_answers_feedback(void)
{
	struct acct a;
	struct key obs, live, gone, other;
	char unknown[50], bad_sum[64];
	struct http_response *r;
	json_object *ev = NULL;

	if (!SETUP() || !NEW_ACCOUNT(&a, "leak") || !NEW_KEY(&obs, a.id, NULL, "observer") ||
	    !API_CREATE_KEY(&live, obs.secret, NULL, "leaked one") ||
	    !API_CREATE_KEY(&gone, obs.secret, NULL, "revoked before") ||
	    !API_CREATE_KEY(&other, obs.secret, NULL, "not reported"))
		return;
	EXPECT_STATUS(DEL(KP(gone.id), obs.secret), 200);
	random_wellformed_key(unknown);
	snprintf(bad_sum, sizeof(bad_sum), "%s", live.secret);
	bad_sum[48] = bad_sum[48] == 'A' ? 'B' : 'A';
	{
		/* Mixed sources, a duplicate, ours and not ours, a url that is not one. */
		const struct found f[] = {
			{live.secret, "https://github.com/octo/app/blob/1a2b3c/config/.env#L3", "content", true},
			{unknown, "https://github.com/octo/app/commit/1a2b3c", "commit", false},
			{bad_sum, "https://gist.github.com/octo/abc", "gist_content", false},
			{"ghp_not_ours_at_all", "https://github.com/octo/app/issues/7", "issue_comment", false},
			{live.secret, "https://github.com/octo/app/pull/9", "pull_request_comment", true},
			{gone.secret, "javascript:alert(1)", "wiki content!", true},
		};
		const char *body = body_of(f, N_ELEMS(f));

		r = report(body);
		EXPECT_FEEDBACK(r, f, N_ELEMS(f));
		/* Idempotent: the same report again, the same answer, nothing more recorded. */
		EXPECT_FEEDBACK(report(body), f, N_ELEMS(f));
	}
	/* Refused at once by the next request, in whichever worker. */
	for (int i = 0; i < 8; i++)
		EXPECT_ERROR(GET("/v1/me", live.secret), 401, "api_key_revoked");
	EXPECT_STATUS(GET("/v1/me", other.secret), 200);
	r = GET(KP(live.id), obs.secret);
	CHECK(r->status == 200 && jbool(r->json, "is_active", &(bool){true}) &&
	      !json_object_get_boolean(jget(r->json, "is_active")) &&
	      strcmp(jstr(r->json, "revoked_reason") ?: "", "leaked") == 0 &&
	      is_rfc3339_utc(jstr(r->json, "revoked_at")), "the leaked key: %s", r->body);
	r = GET(KP(gone.id), obs.secret);
	CHECK(strcmp(jstr(r->json, "revoked_reason") ?: "", "user") == 0,
	      "a key revoked before keeps its reason: %s", r->body);
	/* One event, GitHub's, with the first report's url and source; none for the others. */
	CHECK(events_of(obs.secret, "key.revoked_leak", live.id, &ev) == 1 && ev != NULL &&
	      strcmp(jstr(ev, "actor.type") ?: "", "github") == 0 &&
	      jis_null(ev, "actor.account_id") && jis_null(ev, "actor.api_key_id") &&
	      strcmp(jstr(ev, "details.reason") ?: "", "leaked") == 0 &&
	      strcmp(jstr(ev, "details.source") ?: "", "content") == 0 &&
	      strcmp(jstr(ev, "details.url") ?: "",
	             "https://github.com/octo/app/blob/1a2b3c/config/.env#L3") == 0 &&
	      is_uuid_lower(jstr(ev, "request_id")), "key.revoked_leak: %s",
	      ev ? json_object_to_json_string(ev) : "none");
	CHECK(events_of(obs.secret, "key.revoked_leak", gone.id, NULL) == 0 &&
	      events_of(obs.secret, "key.revoked", live.id, NULL) == 0,
	      "an event for the key revoked before, or a key.revoked for the leaked one");
	/* The token is in no answer and no event. */
	r = AUDIT_GET(obs.secret, NULL, "");
	CHECK(strstr(r->body, live.secret) == NULL && strstr(r->body, live.secret + 3) == NULL,
	      "a token in the audit log");
}

static void
test_leaks_signature_refused_revokes_nothing(void)
{
	struct acct a;
	struct key k;
	const char *body, *good, *changed;
	size_t len;
	struct http_response *r;

	if (!SETUP() || !NEW_ACCOUNT(&a, "leaksig") || !NEW_KEY(&k, a.id, NULL, "kept"))
		return;
	body = body_of(&(struct found){k.secret, "https://github.com/o/r/blob/1/x", "content", true},
	               1);
	len = strlen(body);
	good = sign(gh, body, len, false);
	/* One byte of the body changed after signing (in the url: still JSON). */
	changed = P("%s", body);
	((char *)changed)[len - 20] ^= 0x01;
	EXPECT_REFUSED(post(changed, len, KID, good, "application/json"));
	/* An identifier GitHub's document does not have; a key of another curve; a key unlisted. */
	EXPECT_REFUSED(post(body, len, "0000000000000000", good, "application/json"));
	EXPECT_REFUSED(post(body, len, KID_P384, sign(gh_p384, body, len, false),
	                    "application/json"));
	EXPECT_REFUSED(post(body, len, KID_K1, sign(gh_k1, body, len, false), "application/json"));
	EXPECT_REFUSED(post(body, len, KID, sign(stranger, body, len, false), "application/json"));
	/* Signed by the other listed key but named as the current one. */
	EXPECT_REFUSED(post(body, len, KID, sign(gh_old, body, len, false), "application/json"));
	/* The raw r‖s form, not DER. */
	EXPECT_REFUSED(post(body, len, KID, sign(gh, body, len, true), "application/json"));
	/* Headers missing or empty, or not base64. */
	EXPECT_REFUSED(post(body, len, NULL, good, "application/json"));
	EXPECT_REFUSED(post(body, len, KID, NULL, "application/json"));
	EXPECT_REFUSED(post(body, len, NULL, NULL, "application/json"));
	EXPECT_REFUSED(post(body, len, KID, "", "application/json"));
	EXPECT_REFUSED(post(body, len, KID, "not*base64", "application/json"));
	/* A key is no substitute for the signature. */
	r = REQ(.method = "POST", .path = LEAKS, .key = k.secret, .ctype = "application/json",
	        .body = body);
	EXPECT_REFUSED(r);
	/* The signature comes first: a refused one is 401 whatever the content type or body. */
	EXPECT_REFUSED(post("[", 1, KID, good, "text/plain"));
	/* Nothing was revoked. */
	EXPECT_STATUS(GET("/v1/me", k.secret), 200);
	/* The older listed key verifies what it signed: GitHub rotates keys. */
	EXPECT_FEEDBACK(post(body, len, KID_OLD, sign(gh_old, body, len, false), "application/json"),
	                (&(struct found){k.secret, "", "", true}), 1);
	EXPECT_ERROR(GET("/v1/me", k.secret), 401, "api_key_revoked");
}

/* A verified body that is not a report: 400 (and 415 for another content type). */
static void
test_leaks_malformed_after_signature(void)
{
	static const struct {
		int line;
		const char *body, *ctype;
		int status;
		const char *code, *param;
	} cases[] = {
		{__LINE__, "[{\"token\":", "application/json", 400, "invalid_json", NULL},
		{__LINE__, "", "application/json", 400, "invalid_json", NULL},
		{__LINE__, "[1,]", "application/json", 400, "invalid_json", NULL},
		{__LINE__, "{\"token\":\"x\"}", "application/json", 400, "invalid_request", NULL},
		{__LINE__, "[\"sk_x\"]", "application/json", 400, "invalid_request", NULL},
		{__LINE__, "[{\"token\":1,\"type\":\"t\",\"url\":\"u\",\"source\":\"s\"}]",
		 "application/json", 400, "invalid_request", "token"},
		{__LINE__, "[{\"token\":\"x\",\"url\":\"u\",\"source\":\"s\"}]", "application/json", 400,
		 "invalid_request", "type"},
		{__LINE__, "[{\"token\":\"x\",\"type\":\"t\",\"url\":null,\"source\":\"s\"}]",
		 "application/json", 400, "invalid_request", "url"},
		{__LINE__, "[{\"token\":\"x\",\"type\":\"t\",\"url\":\"u\"}]", "application/json", 400,
		 "invalid_request", "source"},
		{__LINE__, "[]", "text/plain", 415, "unsupported_media_type", NULL},
		{__LINE__, "[]", NULL, 415, "unsupported_media_type", NULL},
	};

	if (!SETUP())
		return;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const char *b = cases[i].body;
		struct http_response *r = post(b, strlen(b), KID, sign(gh, b, strlen(b), false),
		                                cases[i].ctype);

		if (expect_error_at(cases[i].line, r, cases[i].status, cases[i].code) &&
		    cases[i].param != NULL)
			expect_param_at(cases[i].line, r, cases[i].param);
	}
	/* An empty report is a report: nothing to say. */
	EXPECT_FEEDBACK(report("[]"), NULL, 0);
}

/* The server runs under ASan or valgrind (scripts/test's last passes): timings mean nothing. */
static bool
instrumented(void)
{
	const char *ws = getenv("PS_WEB_SERVER");

	return ws != NULL && (strstr(ws, "asan") != NULL || strstr(ws, "valgrind") != NULL);
}

/*
 * A report of the n tokens of f, signed; prints how long its answer took
 * (make bench's case L reads that line: keep its words).
 */
static struct http_response *
timed_report(const struct found *f, size_t n)
{
	const char *body = body_of(f, n);
	double t0 = now_s();
	struct http_response *r = REQ(.method = "POST", .path = LEAKS, .ctype = "application/json",
	        .body = body, .hdr = {P("Github-Public-Key-Identifier: %s", KID),
	                              P("Github-Public-Key-Signature: %s",
	                                sign(gh, body, strlen(body), false))},
	        .timeout_ms = 120000);

	printf("  %zu tokens, %zu bytes: answered in %.3f s\n", n, strlen(body), now_s() - t0);
	return r;
}

/*
 * GitHub sends up to 1 000 tokens at once: all answered and revoked, and the
 * same report again (all revoked by then) too. An instrumented server gets 100
 * of them. How long a report takes (issue 16: within 2 s) is not judged here,
 * where a stall of the shared machine would fail it: `make bench` runs this
 * test against its own stack as case L and reports the times printed by
 * timed_report against that target.
 */
static void
test_leaks_thousand_tokens(void)
{
	enum { N = 1000 };
	static struct key keys[N];
	static struct found f[N];
	size_t n = instrumented() ? 100 : N;
	struct acct a;
	struct key obs;
	size_t refused = 0;

	if (!SETUP() || !NEW_ACCOUNT(&a, "leak1000") || !NEW_KEY(&obs, a.id, NULL, "observer"))
		return;
	for (size_t i = 0; i < n; i++) {
		if (!API_CREATE_KEY(&keys[i], obs.secret, NULL, P("bulk %zu", i)))
			return;
		f[i] = (struct found){keys[i].secret,
		                      P("https://github.com/octo/mono/blob/%040zu/services/s%zu/.env", i,
		                        i), i % 2 ? "commit" : "content", true};
	}
	CHECK(n < N || strlen(body_of(f, n)) > 65536, "a batch of 1000 is not past 64 KiB");
	EXPECT_FEEDBACK(timed_report(f, n), f, n);
	for (size_t i = 0; i < n; i++)
		refused += GET("/v1/me", keys[i].secret)->status == 401;
	CHECK(refused == n, "%zu of %zu reported keys refused", refused, n);
	EXPECT_FEEDBACK(timed_report(f, n), f, n);
	EXPECT_STATUS(GET("/v1/me", obs.secret), 200);
}

/* The body limit of this route is 1 MiB (64 KiB elsewhere); beyond it 413 before the signature. */
static void
test_leaks_body_limit(void)
{
	size_t len = 1024 * 1024 + 1;
	char *big = itest_track(malloc(len + 1), free);
	struct http_response *r;

	if (!SETUP())
		return;
	memset(big, ' ', len);
	big[0] = '[';
	big[len - 1] = ']';
	big[len] = '\0';
	r = post(big, len, KID, sign(gh, big, len, false), "application/json");
	if (EXPECT_ERROR(r, 413, "payload_too_large"))
		CHECK(strstr(jstr(r->json, "message") ?: "", "1 MiB") != NULL, "413 message %s",
		      jstr(r->json, "message"));
	EXPECT_ERROR(post(big, len, NULL, NULL, "application/json"), 413, "payload_too_large");
	/* Just within it: verified and read. */
	big[len - 2] = ']';
	EXPECT_FEEDBACK(post(big, len - 1, KID, sign(gh, big, len - 1, false), "application/json"),
	                NULL, 0);
}

/* Any other method there is an ordinary /v1 request: a key first, then 405. */
static void
test_leaks_other_methods_need_a_key(void)
{
	struct acct a;
	struct key k;
	struct http_response *r;

	if (!SETUP() || !NEW_ACCOUNT(&a, "leakget") || !NEW_KEY(&k, a.id, NULL, "k"))
		return;
	EXPECT_ERROR(REQ(.method = "GET", .path = LEAKS), 401, "missing_api_key");
	r = GET(LEAKS, k.secret);
	if (EXPECT_ERROR(r, 405, "method_not_allowed"))
		CHECK(strcmp(http_header(r, "Allow") ?: "", "POST") == 0, "Allow: %s",
		      http_header(r, "Allow"));
	EXPECT_ERROR(REQ(.method = "POST", .path = "/v1/leaks/gitlab", .ctype = "application/json",
	                 .body = "[]"), 401, "missing_api_key");
}

/* A user's revoke and a leak's at once: one wins, with one event and its reason. */
static void
test_leaks_race_with_user_revoke(void)
{
	enum { N = 12 };
	struct acct a;
	struct key obs, k[N];
	int won_leak = 0;

	if (!SETUP() || !NEW_ACCOUNT(&a, "leakrace") || !NEW_KEY(&obs, a.id, NULL, "observer"))
		return;
	for (int i = 0; i < N; i++)
		if (!API_CREATE_KEY(&k[i], obs.secret, NULL, P("race %d", i)))
			return;
	for (int i = 0; i < N; i++) {
		const char *body = body_of(&(struct found){k[i].secret, "https://github.com/r", "content",
		                                            true}, 1);
		pid_t pid = fork();
		int st = 0;

		if (pid == 0)
			_exit(DEL(KP(k[i].id), obs.secret)->status == 200 ? 0 : 1);
		EXPECT_FEEDBACK(report(body), (&(struct found){k[i].secret, "", "", true}), 1);
		CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "the user's revoke failed");
	}
	for (int i = 0; i < N; i++) {
		struct http_response *r = GET(KP(k[i].id), obs.secret);
		const char *why = jstr(r->json, "revoked_reason") ?: "";
		size_t leaks = events_of(obs.secret, "key.revoked_leak", k[i].id, NULL);
		size_t users = events_of(obs.secret, "key.revoked", k[i].id, NULL);

		CHECK(leaks + users == 1 && (strcmp(why, "leaked") == 0) == (leaks == 1) &&
		      (strcmp(why, "user") == 0) == (users == 1), "key %d: reason %s, %zu leak and "
		      "%zu user events", i, why, leaks, users);
		won_leak += leaks == 1;
	}
	printf("  %d of %d races won by the leak report\n", won_leak, N);
}

/*
 * leak_public_keys_file not fetched yet (scripts/stack.sh configures it; on
 * `make run` nothing fetches it): no key is known, so every report is 401.
 * A file there that is not a keys document: 503 for a signed report (the key
 * that signed may be in it), but a header missing or empty is still 401,
 * judged before the file is looked at. The file put back, reports verify.
 */
static void
test_leaks_keys_file_missing_or_broken(void)
{
	const char *path, *aside, *good, *body = "[]";
	size_t len = strlen(body);

	if (!SETUP())
		return;
	path = config_value("leak_public_keys_file");
	aside = P("%s.aside", path);
	good = sign(gh, body, len, false);
	if (!CHECK(rename(path, aside) == 0, "cannot move %s aside", path))
		return;
	EXPECT_REFUSED(post(body, len, NULL, NULL, "application/json"));
	EXPECT_REFUSED(post(body, len, KID, good, "application/json"));
	/* Readable by the server's user: the document, not the mode, is what is wrong. */
	if (CHECK(write_file(path, "not a keys document") && chmod(path, 0644) == 0,
	          "cannot write %s", path)) {
		EXPECT_REFUSED(post(body, len, NULL, good, "application/json"));
		EXPECT_REFUSED(post(body, len, KID, "", "application/json"));
		EXPECT_ERROR(post(body, len, KID, good, "application/json"), 503,
		             "service_unavailable");
	}
	CHECK(rename(aside, path) == 0, "cannot put %s back", path);
	EXPECT_FEEDBACK(post(body, len, KID, good, "application/json"), NULL, 0);
}

/*
 * The longest url kept (1 024 bytes) makes an event over 1 KiB: it lists
 * whole, and the key's events before it still do (a text buffer smaller
 * than audit_events.details once ended the list at such an event).
 */
static void
test_leaks_longest_url_in_audit(void)
{
	char path[1024 - sizeof("https://github.com/") + 2];
	const char *url;
	struct acct a;
	struct key obs, k;
	json_object *ev;
	struct http_response *r;

	if (!SETUP() || !NEW_ACCOUNT(&a, "leaklong") || !NEW_KEY(&obs, a.id, NULL, "observer") ||
	    !NEW_KEY(&k, a.id, NULL, "long"))
		return;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	url = P("https://github.com/%s", path);
	if (!CHECK(strlen(url) == 1024, "url of %zu bytes", strlen(url)) ||
	    !LEAK_REPORT(k.secret, url, "content"))
		return;
	r = AUDIT_GET(obs.secret, NULL, P("target_id=%s", k.id));
	CHECK(audit_count(r, "key.revoked_leak", k.id, &ev) == 1 &&
	      strcmp(jstr(ev, "details.url") ?: "", url) == 0, "the leak's event: %.200s", r->body);
	CHECK(audit_count(r, "key.created", k.id, NULL) == 1, "the key's events before the leak's "
	      "are not listed: %.200s", r->body);
}

/* A keys document that is not one is refused, and the file in place kept. */
static void
test_leaks_refresh_keys_validates(void)
{
	static const char *const bad[] = {
		"{\"public_keys\":[]}",
		"not json",
		"{\"public_keys\":[{\"key_identifier\":\"x\",\"key\":\"-----BEGIN PUBLIC KEY-----\\nAA==\\n"
		"-----END PUBLIC KEY-----\\n\",\"is_current\":true}]}",
	};
	const char *src = state_path("bad-public-keys.json");
	struct acct a;
	struct key k;

	if (!SETUP())
		return;
	for (size_t i = 0; i < N_ELEMS(bad); i++) {
		struct admin_result *r;

		if (!CHECK(write_file(src, bad[i]), "cannot write %s", src))
			return;
		r = admin_run("leaks", "refresh-keys", P("file://%s", src), (const char *)NULL);
		CHECK(r->status != 0 && strstr(r->err, "not replaced") != NULL && r->out[0] == '\0',
		      "refresh-keys with [%s]: exit %d, %s", bad[i], r->status, r->err);
	}
	/* The keys in place still verify. */
	if (NEW_ACCOUNT(&a, "leakkeep") && NEW_KEY(&k, a.id, NULL, "k")) {
		const char *body = body_of(&(struct found){k.secret, "https://github.com/x", "content",
		                                            true}, 1);

		EXPECT_FEEDBACK(report(body), (&(struct found){k.secret, "", "", true}), 1);
	}
}

const struct itest_case itest_leaks_cases[] = {
	ITEST(test_leaks_report_revokes_and_answers_feedback),
	ITEST(test_leaks_signature_refused_revokes_nothing),
	ITEST(test_leaks_malformed_after_signature),
	ITEST(test_leaks_thousand_tokens),
	ITEST(test_leaks_body_limit),
	ITEST(test_leaks_other_methods_need_a_key),
	ITEST(test_leaks_race_with_user_revoke),
	ITEST(test_leaks_refresh_keys_validates),
	ITEST(test_leaks_keys_file_missing_or_broken),
	ITEST(test_leaks_longest_url_in_audit),
};
const size_t itest_leaks_count = N_ELEMS(itest_leaks_cases);
