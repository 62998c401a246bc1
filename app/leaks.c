/*
 * POST /v1/leaks/github (docs/api.md, "POST /v1/leaks/github"): GitHub's
 * secret scanning partner feed. The request carries no API key: its ECDSA
 * signature over the raw body (base/leaksig.h, against leak_public_keys_file)
 * authenticates it, verified by the gate (api.c's serve_signed) through
 * leaks_verify before the handler runs. Each reported token is answered with
 * GitHub's feedback, and a live key of ours is revoked at once
 * (keyops_revoke_leaked). A token is never copied into a log, an error or
 * the database: only its SHA-256 goes back, as GitHub asks.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "api.h"
#include "base/leaksig.h"
#include "base/log.h"
#include "base/seal.h"
#include "base/timefmt.h"
#include "base/validate.h"
#include "core/keyops.h"
#include "http/body.h"

/* base/seal.h: a proof not sealed by leaks_verify never matches it. */
static uint64_t proof_seal;

bool
leaks_signature_valid(const struct api_signature *sig)
{
	return sig != NULL && sig->seal == seal_value(&proof_seal);
}

/* The keys file into doc (*n bytes); false when it cannot be read whole. */
static bool
read_keys(const char *path, char *doc, size_t cap, size_t *n)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t got = 0;

	*n = 0;
	if (fd < 0)
		return false;
	while (*n < cap && (got = read(fd, doc + *n, cap - *n)) > 0)
		*n += (size_t)got;
	close(fd);
	/* A file that fills the buffer is larger than any keys document. */
	return got >= 0 && *n < cap;
}

enum err
leaks_verify(struct api_call *c, struct api_signature *out)
{
	static char doc[LEAKSIG_KEYS_DOC_MAX + 1];
	const char *path = c->env->cfg->leak_public_keys_file;
	enum leaksig_result r;
	size_t n = 0;

	memset(out, 0, sizeof(*out));
	/* A header missing, empty or too long: refused before anything else is looked at. */
	if (!leaksig_headers_ok(c->req->github_key_id, c->req->github_signature))
		return ERR_INVALID_SIGNATURE;
	/* Not configured: no key is known, so nothing verifies. */
	if (path[0] == '\0')
		return ERR_INVALID_SIGNATURE;
	errno = 0;
	if (!read_keys(path, doc, sizeof(doc), &n)) {
		int why = errno;

		log_error("request %s: leak_public_keys_file %s: %s%s", c->resp->request_id, path,
		          why != 0 ? strerror(why) : "too large",
		          why == ENOENT ? " (scripts/admin leaks refresh-keys fetches it)" : "");
		/*
		 * Not fetched yet: no key is known, as when not configured, and the
		 * signature is refused (401). A file that is there but cannot be read
		 * may hold the key that signed: 503, GitHub retries.
		 */
		return why == ENOENT ? ERR_INVALID_SIGNATURE : ERR_SERVICE_UNAVAILABLE;
	}
	r = leaksig_verify(doc, n, c->req->github_key_id, c->req->github_signature, c->req->body,
	                   c->req->body_len);
	if (r == LEAKSIG_BAD_DOCUMENT) {
		log_error("request %s: leak_public_keys_file %s is not a keys document "
		          "(scripts/admin leaks refresh-keys)", c->resp->request_id, path);
		return ERR_SERVICE_UNAVAILABLE;
	}
	if (r != LEAKSIG_OK)
		return ERR_INVALID_SIGNATURE;
	out->seal = seal_value(&proof_seal);
	return ERR_NONE;
}

/* A report as the core takes it: the token, and where it was found as stored (a url we
 * can show, a source word). */
static void
report_of(const struct body_leak *b, struct keyops_leak_report *r)
{
	struct keyops_leak *leak = &r->leak;

	r->token = b->token.s;
	r->len = b->token.len;
	leak->url[0] = '\0';
	if (validate_http_url(b->url.s, b->url.len, STORE_LEAK_URL_MAX))
		memcpy(leak->url, b->url.s, b->url.len + 1);
	if (validate_word(b->source.s, b->source.len, STORE_LEAK_SOURCE_MAX))
		memcpy(leak->source, b->source.s, b->source.len + 1);
	else
		strcpy(leak->source, "unknown");
}

/* GitHub's feedback for one token: its SHA-256 in hex, its type as sent, the label. */
static json_object *
feedback(const struct body_leak *b, enum keyops_leak_label label)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	json_object *o = json_object_new_object();

	crypto_hash_sha256(hash, (const unsigned char *)b->token.s, b->token.len);
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	json_object_object_add(o, "token_hash", json_object_new_string(hex));
	json_object_object_add(o, "token_type",
	                       json_object_new_string_len(b->type.s, (int)b->type.len));
	json_object_object_add(o, "label", json_object_new_string(
		label == KEYOPS_TRUE_POSITIVE ? "true_positive" : "false_positive"));
	return o;
}

void
leaks_github(struct api_call *c, const struct api_signature *sig)
{
	static struct body_leak reports[BODY_LEAKS_MAX];
	static struct keyops_leak_report chunk[KEYOPS_LEAK_CHUNK];
	struct audit_origin origin;
	json_object *arr = NULL, *out = NULL;
	const char *param = NULL;
	size_t n = 0;
	enum err e = ERR_INTERNAL;

	/* The gate checked it; a handler that acts on reports checks again. */
	if (!leaks_signature_valid(sig)) {
		log_error("request %s: a leak report without a verified signature",
		          c->resp->request_id);
		goto fail;
	}
	if ((e = body_json_array(c->req->body, c->req->body_len, &arr)) == ERR_NONE)
		e = body_leak_reports(arr, reports, &n, &param);
	if (e != ERR_NONE) {
		response_error(c->resp, e, param, e == ERR_INVALID_REQUEST && param == NULL ?
		               "The request body must be a JSON array of at most 4096 token "
		               "reports." : NULL);
		goto done;
	}
	audit_origin(&origin, AUDIT_BY_GITHUB, c->req->remote_addr, c->req->user_agent,
	             c->resp->request_id);
	out = json_object_new_array();
	/*
	 * A chunk a transaction: a thousand tokens cost a few commits, not a
	 * thousand. A batch cut short by a failure is answered 503 and resent
	 * whole by GitHub; the chunks before it stay revoked.
	 */
	for (size_t at = 0; at < n && e == ERR_NONE; at += KEYOPS_LEAK_CHUNK) {
		size_t m = n - at < KEYOPS_LEAK_CHUNK ? n - at : KEYOPS_LEAK_CHUNK;

		for (size_t i = 0; i < m; i++)
			report_of(&reports[at + i], &chunk[i]);
		e = keyops_revoke_leaked(c->env->db, c->env->cfg->pepper, chunk, m,
		                         timefmt_now_us(), &origin);
		for (size_t i = 0; i < m && e == ERR_NONE; i++)
			json_object_array_add(out, feedback(&reports[at + i], chunk[i].label));
	}
fail:
	if (e != ERR_NONE) {
		api_fail(c, e);
		goto done;
	}
	response_json(c->resp, 200, out);
	out = NULL;
done:
	json_object_put(out);
	json_object_put(arr);
}
