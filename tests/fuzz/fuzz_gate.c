/*
 * libFuzzer driver for the API's gate (app/api.c through api_gate.h: real
 * request, router and response; authentication and handlers recorded). The
 * input is split on NUL bytes (fuzz_util.h): REQUEST_METHOD, REQUEST_URI,
 * Authorization (absent when left out; "Bearer good" is the stub's one valid
 * key), Content-Type, REMOTE_ADDR.
 *
 * The oracle, for any input:
 *  - a keyed handler ran  ⇒  authentication ran and succeeded, and the
 *    handler got a principal that auth_principal_valid accepts;
 *  - the decoded first segment is v1 (ref_request.h's reading) ⇒
 *    authentication ran, before anything else: when it failed the answer is
 *    401 and no handler ran;
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
	bool keyed;
	int status;

	fuzz_fields_split(&ff, data, size);
	gp.method = ff.n > 0 ? ff.f[0] : NULL;
	gp.uri = ff.n > 1 ? ff.f[1] : NULL;
	gp.authorization = ff.n > 2 ? ff.f[2] : NULL;
	gp.content_type = ff.n > 3 ? ff.f[3] : NULL;
	gp.remote_addr = ff.n > 4 ? ff.f[4] : NULL;
	status = gate_serve(&gp, &req);
	ref_parse(&ref, gp.uri, NULL, NULL);

	keyed = gate.handler != NULL && strcmp(gate.handler, "health_get") != 0 &&
	        strcmp(gate.handler, "scrape_get") != 0;
	if (gate.handler != NULL && strcmp(gate.handler, "scrape_get") == 0)
		FUZZ_CHECK(addrlist_has(&gate_config()->metrics_allow, gp.remote_addr));
	if (keyed)
		FUZZ_CHECK(gate.auth_runs == 1 && gate.auth_ok && gate.handler_had_caller);
	if (ref.under_v1) {
		FUZZ_CHECK(gate.auth_runs == 1);
		if (!gate.auth_ok)
			FUZZ_CHECK(status == 401 && gate.handler == NULL);
	} else {
		FUZZ_CHECK(gate.auth_runs == 0 && !keyed);
	}
	FUZZ_CHECK(status != 500);
	FUZZ_CHECK(gate_table_ok());

	ref_free(&ref);
	fuzz_fields_free(&ff);
	return 0;
}
