/*
 * libFuzzer driver for the query string of lib/request.c. The input is split
 * on NUL bytes (fuzz_util.h): REQUEST_URI, QUERY_STRING (a field that is the
 * single byte 0x01 is absent), then an optional repeat field: its first byte
 * modulo 32, plus one, is how many copies of QUERY_STRING are joined with
 * the rest of the field (e.g. "\x03&"), so that queries longer than
 * -max_len reach REQUEST_QUERY_MAX. REQUEST_METHOD is GET.
 *
 * request_parse must agree with the reference reading of ref_request.h (path
 * and query, parameter by parameter, NUL-terminated inside query_buf); then
 * request_query_check and request_query, with the parameter lists of every
 * route of app/api.c, must agree with the reference parameters.
 */
#include "../../lib/http/request.c"
#include "../../lib/base/validate.c"
#include "ref_request.h"

struct params {
	const char *uri, *qs;
};

static const char *
get(const char *name, void *ctx)
{
	const struct params *p = ctx;

	if (strcmp(name, "REQUEST_METHOD") == 0)
		return "GET";
	if (strcmp(name, "REQUEST_URI") == 0)
		return p->uri;
	if (strcmp(name, "QUERY_STRING") == 0)
		return p->qs;
	return NULL;
}

/* The query parameter lists of app/api.c. */
static const char *const no_params[] = {NULL};
static const char *const list_params[] = {"limit", "starting_after", "include_revoked", NULL};
static const char *const usage_params[] = {"days", NULL};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct request req;   /* 10 KB: not on the stack */
	struct fuzz_fields ff;
	struct params p;
	struct ref_request ref;

	char *rep = NULL;

	fuzz_fields_split(&ff, data, size);
	p.uri = ff.n > 0 ? ff.f[0] : NULL;
	p.qs = ff.n > 1 ? ff.f[1] : NULL;
	if (p.qs != NULL && ff.n > 2 && ff.f[2] != NULL && ff.f[2][0] != '\0') {
		size_t copies = (unsigned char)ff.f[2][0] % 32 + 1;
		size_t ql = strlen(p.qs), sl = strlen(ff.f[2] + 1), o = 0;

		rep = malloc(copies * (ql + sl) + 1);
		if (rep == NULL)
			abort();
		for (size_t i = 0; i < copies; i++) {
			if (i > 0) {
				memcpy(rep + o, ff.f[2] + 1, sl);
				o += sl;
			}
			memcpy(rep + o, p.qs, ql);
			o += ql;
		}
		rep[o] = '\0';
		p.qs = rep;
	}
	request_parse(&req, get, &p);
	ref_parse(&ref, p.uri, p.qs, NULL);
	FUZZ_CHECK(req.method == METHOD_GET);
	ref_compare(&req, &ref);
	ref_check_query(&req, &ref, no_params);
	ref_check_query(&req, &ref, list_params);
	ref_check_query(&req, &ref, usage_params);
	ref_free(&ref);
	free(rep);
	fuzz_fields_free(&ff);
	return 0;
}
