/*
 * errors: the one table of API error codes (docs/api.md, "Errors"). Every layer
 * returns an `enum err`; only the response layer turns it into HTTP.
 */
#ifndef PS_ERRORS_H
#define PS_ERRORS_H

enum err {
	ERR_NONE = 0,
	ERR_INVALID_JSON,
	ERR_INVALID_REQUEST,
	ERR_MISSING_API_KEY,
	ERR_INVALID_API_KEY,
	ERR_API_KEY_REVOKED,
	ERR_API_KEY_EXPIRED,
	ERR_INVALID_SIGNATURE,     /* a signed route's signature (POST /v1/leaks/github) */
	ERR_ACCOUNT_DEACTIVATED,
	ERR_ORGANIZATION_DEACTIVATED,
	ERR_NOT_ORGANIZATION_MEMBER,
	ERR_ORGANIZATION_MISMATCH,
	ERR_INSUFFICIENT_PERMISSIONS,
	ERR_NOT_FOUND,
	ERR_METHOD_NOT_ALLOWED,
	ERR_ROLL_REVOKED,          /* 409 api_key_revoked: the code of the 401, another status */
	ERR_API_KEY_ALREADY_ROLLED,
	ERR_PAYLOAD_TOO_LARGE,
	ERR_UNSUPPORTED_MEDIA_TYPE,
	ERR_RATE_LIMITED,
	ERR_INTERNAL,
	ERR_SERVICE_UNAVAILABLE,
	ERR__COUNT
};

struct err_info {
	int status;
	const char *code;      /* stable API: error_code (unique with its status) */
	const char *message;   /* default human text; never contains request data */
};

/* Static storage; never NULL for a valid enum value. */
const struct err_info *err_info(enum err e);

/* "Not Found" for 404 and so on; "Unknown" for codes the service never sends. */
const char *err_reason(int status);

#endif
