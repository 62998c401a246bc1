/*
 * Unit tests of lib/errors.c: every error has its status and its stable
 * error_code, the same as docs/api.md's table ("Errors"), read here so that
 * the table and the code cannot drift apart; the reason phrases.
 */
#include "../../../lib/base/errors.c"
#include "../harness.h"

#include <stdbool.h>

/* The stable API: a code never changes once clients see it. */
static const struct {
	int line;
	enum err e;
	int status;
	const char *code;
} codes[] = {
	{__LINE__, ERR_NONE, 200, ""},
	{__LINE__, ERR_INVALID_JSON, 400, "invalid_json"},
	{__LINE__, ERR_INVALID_REQUEST, 400, "invalid_request"},
	{__LINE__, ERR_MISSING_API_KEY, 401, "missing_api_key"},
	{__LINE__, ERR_INVALID_API_KEY, 401, "invalid_api_key"},
	{__LINE__, ERR_API_KEY_REVOKED, 401, "api_key_revoked"},
	{__LINE__, ERR_API_KEY_EXPIRED, 401, "api_key_expired"},
	{__LINE__, ERR_INVALID_SIGNATURE, 401, "invalid_signature"},
	{__LINE__, ERR_ACCOUNT_DEACTIVATED, 403, "account_deactivated"},
	{__LINE__, ERR_ORGANIZATION_DEACTIVATED, 403, "organization_deactivated"},
	{__LINE__, ERR_NOT_ORGANIZATION_MEMBER, 403, "not_organization_member"},
	{__LINE__, ERR_ORGANIZATION_MISMATCH, 403, "organization_mismatch"},
	{__LINE__, ERR_INSUFFICIENT_PERMISSIONS, 403, "insufficient_permissions"},
	{__LINE__, ERR_NOT_FOUND, 404, "not_found"},
	{__LINE__, ERR_METHOD_NOT_ALLOWED, 405, "method_not_allowed"},
	/* Rolling a revoked key: the 401's code with the status of a conflict. */
	{__LINE__, ERR_ROLL_REVOKED, 409, "api_key_revoked"},
	{__LINE__, ERR_API_KEY_ALREADY_ROLLED, 409, "api_key_already_rolled"},
	{__LINE__, ERR_PAYLOAD_TOO_LARGE, 413, "payload_too_large"},
	{__LINE__, ERR_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type"},
	{__LINE__, ERR_RATE_LIMITED, 429, "rate_limited"},
	{__LINE__, ERR_INTERNAL, 500, "internal_error"},
	{__LINE__, ERR_SERVICE_UNAVAILABLE, 503, "service_unavailable"},
};
#define NCODES (sizeof(codes) / sizeof(codes[0]))

static void
test_table(void)
{
	CHECK(NCODES == ERR__COUNT, "%zu errors here, %d in errors.h: one has no test",
	      NCODES, (int)ERR__COUNT);
	for (size_t i = 0; i < NCODES; i++) {
		const struct err_info *in = err_info(codes[i].e);
		int line = codes[i].line;

		CHECK_AT(in != NULL && in->status == codes[i].status &&
		         strcmp(in->code, codes[i].code) == 0, line, "error %d: %d %s, want %d %s",
		         (int)codes[i].e, in ? in->status : 0, in ? in->code : "(null)",
		         codes[i].status, codes[i].code);
		if (codes[i].e == ERR_NONE)
			continue;
		/* A message for humans, never a format (request data is not put in it). */
		CHECK_AT(in->message != NULL && in->message[0] != '\0' &&
		         strchr(in->message, '%') == NULL, line, "%s: message [%s]", codes[i].code,
		         in->message ? in->message : "(null)");
		CHECK_AT(strcmp(err_reason(in->status), "Unknown") != 0, line,
		         "%s: status %d has no reason phrase", codes[i].code, in->status);
		/* A code may come with two statuses (api_key_revoked), never twice with one. */
		for (size_t j = 0; j < i; j++)
			CHECK_AT(strcmp(err_info(codes[j].e)->code, in->code) != 0 ||
			         err_info(codes[j].e)->status != in->status, line,
			         "%d %s: the status and code of two errors", in->status, in->code);
	}
	/* An out-of-range value is a bug: reported as one, never a crash. */
	CHECK(err_info(ERR__COUNT) == err_info(ERR_INTERNAL), "ERR__COUNT is not internal_error");
}

/* docs/api.md, found from this file's path (the Makefile compiles from the checkout). */
static FILE *
open_docs(void)
{
	const char *f = __FILE__, *at = strstr(f, "tests/unit/");
	char path[4096];

	snprintf(path, sizeof(path), "%.*sdocs/api.md", at ? (int)(at - f) : 0, f);
	return fopen(path, "r");
}

/* Every row of the "## Errors" table is an error of errors.c, and every error a row. */
static void
test_docs(void)
{
	bool listed[ERR__COUNT] = {0};
	char line[1024];
	bool in_errors = false;
	int rows = 0;
	FILE *f = open_docs();

	CHECK(f != NULL, "docs/api.md: cannot open it");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char code[64];
		int status;
		size_t i;

		if (strncmp(line, "## ", 3) == 0)
			in_errors = strncmp(line, "## Errors", 9) == 0;
		if (!in_errors || sscanf(line, "| %d | %63[a-z_] |", &status, code) != 2)
			continue;
		rows++;
		for (i = 0; i < NCODES && (strcmp(codes[i].code, code) != 0 ||
		                           codes[i].status != status); i++)
			;
		CHECK(i < NCODES, "docs/api.md: %d %s is not an error of errors.c", status, code);
		if (i < NCODES)
			listed[codes[i].e] = true;
	}
	fclose(f);
	CHECK(rows > 0, "docs/api.md: no error table under \"## Errors\"");
	for (int e = ERR_NONE + 1; e < ERR__COUNT; e++)
		CHECK(listed[e], "%s: not in docs/api.md's table", err_info((enum err)e)->code);
}

static void
test_reason(void)
{
	static const struct { int line; int status; const char *want; } cases[] = {
		{__LINE__, 200, "OK"},
		{__LINE__, 201, "Created"},
		{__LINE__, 400, "Bad Request"},
		{__LINE__, 401, "Unauthorized"},
		{__LINE__, 403, "Forbidden"},
		{__LINE__, 404, "Not Found"},
		{__LINE__, 405, "Method Not Allowed"},
		{__LINE__, 409, "Conflict"},
		{__LINE__, 413, "Content Too Large"},
		{__LINE__, 415, "Unsupported Media Type"},
		{__LINE__, 429, "Too Many Requests"},
		{__LINE__, 431, "Request Header Fields Too Large"},
		{__LINE__, 500, "Internal Server Error"},
		{__LINE__, 503, "Service Unavailable"},
		{__LINE__, 0, "Unknown"},
		{__LINE__, -1, "Unknown"},
		{__LINE__, 299, "Unknown"},
		{__LINE__, 600, "Unknown"},
		{__LINE__, 4040, "Unknown"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = err_reason(cases[i].status);

		CHECK_AT(got != NULL && strcmp(got, cases[i].want) == 0, cases[i].line,
		         "err_reason(%d) = %s, want %s", cases[i].status, got ? got : "(null)",
		         cases[i].want);
	}
}

int
main(void)
{
	test_table();
	test_docs();
	test_reason();
	return harness_summary();
}
