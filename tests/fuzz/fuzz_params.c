/*
 * libFuzzer driver for the FastCGI-parameters-to-request step
 * (request_parse in lib/request.c). The input is split on NUL bytes
 * (fuzz_util.h) into the CGI parameters the server reads, in this order:
 *
 *   REQUEST_METHOD, REQUEST_URI, QUERY_STRING, CONTENT_LENGTH,
 *   HTTP_AUTHORIZATION, CONTENT_TYPE, HTTP_PARSESPHERE_ORGANIZATION
 *
 * (missing trailing fields, or a field that is the single byte 0x01, are
 * absent: the getter returns NULL). Checks:
 *  - method, path, query, body_too_large agree with ref_request.h and an
 *    exact method table;
 *  - the header pointers are the getter's own strings (borrowed, not copied);
 *  - request_query_check / request_query agree with the reference for every
 *    route's parameter list;
 *  - a second parse into a dirty struct gives the same result (no state
 *    leaks from one request to the next in a worker).
 */
#include "../../lib/http/request.c"
#include "../../lib/base/validate.c"
#include "ref_request.h"

enum { P_METHOD, P_URI, P_QS, P_CL, P_AUTH, P_CT, P_ORG, P__COUNT };

static const char *const names[P__COUNT] = {
	"REQUEST_METHOD", "REQUEST_URI", "QUERY_STRING", "CONTENT_LENGTH",
	"HTTP_AUTHORIZATION", "CONTENT_TYPE", "HTTP_PARSESPHERE_ORGANIZATION",
};

static const char *
get(const char *name, void *ctx)
{
	struct fuzz_fields *ff = ctx;

	for (int i = 0; i < P__COUNT; i++)
		if (strcmp(name, names[i]) == 0)
			return i < ff->n ? ff->f[i] : NULL;
	return NULL;
}

static enum request_method
ref_method(const char *m)
{
	static const char *const tab[] = {
		[METHOD_GET] = "GET", [METHOD_POST] = "POST", [METHOD_PUT] = "PUT",
		[METHOD_PATCH] = "PATCH", [METHOD_DELETE] = "DELETE", [METHOD_HEAD] = "HEAD",
		[METHOD_OPTIONS] = "OPTIONS",
	};
	for (int i = 0; m != NULL && i < METHOD_OTHER; i++)
		if (strcmp(m, tab[i]) == 0)   /* methods are case-sensitive (RFC 9110) */
			return (enum request_method)i;
	return METHOD_OTHER;
}

static const char *const no_params[] = {NULL};
static const char *const list_params[] = {"limit", "starting_after", "include_revoked", NULL};
static const char *const usage_params[] = {"days", NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request req;
	struct fuzz_fields ff;
	struct ref_request ref;

	fuzz_fields_split(&ff, data, size);
	/* A dirty struct, as a worker reuses it between requests. */
	memset(&req, 0xa5, sizeof(req));
	request_parse(&req, get, &ff);
	ref_parse(&ref, get(names[P_URI], &ff), get(names[P_QS], &ff), get(names[P_CL], &ff));

	FUZZ_CHECK(req.method == ref_method(get(names[P_METHOD], &ff)));
	ref_compare(&req, &ref);
	FUZZ_CHECK(req.authorization == get(names[P_AUTH], &ff));
	FUZZ_CHECK(req.content_type == get(names[P_CT], &ff));
	FUZZ_CHECK(req.organization == get(names[P_ORG], &ff));
	ref_check_query(&req, &ref, no_params);
	ref_check_query(&req, &ref, list_params);
	ref_check_query(&req, &ref, usage_params);
	/* What api.c does next with the headers must not crash either. */
	(void)validate_json_content_type(req.content_type);

	ref_free(&ref);
	fuzz_fields_free(&ff);
	return 0;
}
