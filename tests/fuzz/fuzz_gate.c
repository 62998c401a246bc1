/*
 * libFuzzer driver for the API's gate (app/api.c through api_gate.h: real
 * request, router and response; authentication and handlers recorded). The
 * input is split on NUL bytes (fuzz_util.h): REQUEST_METHOD, REQUEST_URI,
 * Authorization (absent when left out; "Bearer good" is the stub's one valid
 * key), Content-Type, REMOTE_ADDR, Github-Public-Key-Signature ("good" is the
 * stub's one valid signature), Content-Length.
 *
 * The oracle, for any input:
 *  - a keyed handler ran  ⇒  authentication ran and succeeded, and the
 *    handler got a principal that auth_principal_valid accepts;
 *  - the signed handler ran  ⇒  the request is POST /v1/leaks/github (in
 *    ref_request.h's reading), its signature verified and the handler got a
 *    proof leaks_signature_valid accepts, and no key was asked for;
 *  - the decoded first segment is v1 (ref_request.h's reading) ⇒ for POST
 *    /v1/leaks/github its signature was verified (no key asked), unless its
 *    body was over the limit (413, no handler), and when it failed the
 *    answer is 401 and no handler ran; for anything else authentication ran,
 *    before anything else: when it failed the answer is 401 and no handler
 *    ran;
 *  - outside /v1 authentication never runs (no keyed route lives there);
 *  - the metrics are only served to metrics_allow's addresses;
 *  - the gate never answers 500.
 */
#include "fuzz_util.h"
#include "../unit/app/api_gate.h"
#include "ref_request.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request req;
	struct fuzz_fields ff;
	struct ref_request ref;
	struct gate_params gp = {0};
	bool keyed, signed_route, leaks;
	int status;

	fuzz_fields_split(&ff, data, size);
	gp.method = ff.n > 0 ? ff.f[0] : NULL;
	gp.uri = ff.n > 1 ? ff.f[1] : NULL;
	gp.authorization = ff.n > 2 ? ff.f[2] : NULL;
	gp.content_type = ff.n > 3 ? ff.f[3] : NULL;
	gp.remote_addr = ff.n > 4 ? ff.f[4] : NULL;
	gp.signature = ff.n > 5 ? ff.f[5] : NULL;
	gp.content_length = ff.n > 6 ? ff.f[6] : NULL;
	status = gate_serve(&gp, &req);
	ref_parse(&ref, gp.uri, NULL, gp.content_length);

	signed_route = gp.method != NULL && strcmp(gp.method, "POST") == 0 && ref.path_ok &&
	               ref.nseg == 3 && strcmp(ref.seg[0].s, "v1") == 0 &&
	               strcmp(ref.seg[1].s, "leaks") == 0 && strcmp(ref.seg[2].s, "github") == 0 &&
	               ref.seg[0].len == 2 && ref.seg[1].len == 5 && ref.seg[2].len == 6;
	leaks = gate.handler != NULL && strcmp(gate.handler, "leaks_github") == 0;
	keyed = gate.handler != NULL && strcmp(gate.handler, "health_get") != 0 &&
	        strcmp(gate.handler, "scrape_get") != 0 && !leaks;
	if (leaks)
		FUZZ_CHECK(signed_route && gate.sig_runs == 1 && gate.sig_ok &&
		           gate.handler_had_caller && gate.auth_runs == 0);
	if (gate.handler != NULL && strcmp(gate.handler, "scrape_get") == 0)
		FUZZ_CHECK(addrlist_has(&gate_config()->metrics_allow, gp.remote_addr));
	if (keyed)
		FUZZ_CHECK(gate.auth_runs == 1 && gate.auth_ok && gate.handler_had_caller);
	if (ref.under_v1 && signed_route) {
		FUZZ_CHECK(gate.auth_runs == 0 && !keyed);
		if (ref.bulk_body_too_large)
			FUZZ_CHECK(status == 413 && gate.sig_runs == 0 && gate.handler == NULL);
		else
			FUZZ_CHECK(gate.sig_runs == 1);
		if (!gate.sig_ok)
			FUZZ_CHECK(gate.handler == NULL && (status == 401 || status == 413));
	} else if (ref.under_v1) {
		FUZZ_CHECK(gate.auth_runs == 1 && gate.sig_runs == 0 && !leaks);
		if (!gate.auth_ok)
			FUZZ_CHECK(status == 401 && gate.handler == NULL);
	} else {
		FUZZ_CHECK(gate.auth_runs == 0 && gate.sig_runs == 0 && !keyed && !leaks);
	}
	FUZZ_CHECK(status != 500);
	FUZZ_CHECK(gate_table_ok());

	ref_free(&ref);
	fuzz_fields_free(&ff);
	return 0;
}
