#include "base/errors.h"

static const struct err_info table[ERR__COUNT] = {
	[ERR_NONE] = {200, "", ""},
	[ERR_INVALID_JSON] = {400, "invalid_json", "The request body is not valid JSON."},
	[ERR_INVALID_REQUEST] = {400, "invalid_request", "The request is not valid."},
	[ERR_MISSING_API_KEY] = {401, "missing_api_key",
		"No API key was provided. Send it as 'Authorization: Bearer sk_...'."},
	[ERR_INVALID_API_KEY] = {401, "invalid_api_key", "The API key is not valid."},
	[ERR_API_KEY_REVOKED] = {401, "api_key_revoked", "The API key has been revoked."},
	[ERR_API_KEY_EXPIRED] = {401, "api_key_expired",
		"The API key has expired: it was rolled and its grace period is over."},
	[ERR_INVALID_SIGNATURE] = {401, "invalid_signature",
		"The request's signature is missing, names an unknown key or does not verify."},
	[ERR_ACCOUNT_DEACTIVATED] = {403, "account_deactivated",
		"The account that owns this API key is deactivated."},
	[ERR_ORGANIZATION_DEACTIVATED] = {403, "organization_deactivated",
		"The organization that owns this API key is deactivated."},
	[ERR_NOT_ORGANIZATION_MEMBER] = {403, "not_organization_member",
		"The caller is not an active member of this organization."},
	[ERR_ORGANIZATION_MISMATCH] = {403, "organization_mismatch",
		"This API key belongs to a different organization."},
	[ERR_INSUFFICIENT_PERMISSIONS] = {403, "insufficient_permissions",
		"Only owners and admins of the organization may do this."},
	[ERR_NOT_FOUND] = {404, "not_found", "The requested resource does not exist."},
	[ERR_METHOD_NOT_ALLOWED] = {405, "method_not_allowed",
		"The method is not allowed on this resource."},
	[ERR_ROLL_REVOKED] = {409, "api_key_revoked",
		"The API key is revoked: only an active key can be rolled."},
	[ERR_API_KEY_ALREADY_ROLLED] = {409, "api_key_already_rolled",
		"The API key has been rolled already: roll the key that replaced it."},
	[ERR_PAYLOAD_TOO_LARGE] = {413, "payload_too_large",
		"The request body is larger than 64 KiB."},
	[ERR_UNSUPPORTED_MEDIA_TYPE] = {415, "unsupported_media_type",
		"The request body must be sent with 'Content-Type: application/json'."},
	[ERR_RATE_LIMITED] = {429, "rate_limited",
		"Too many requests with this API key. Retry after the time in Retry-After."},
	[ERR_INTERNAL] = {500, "internal_error", "An internal error occurred."},
	[ERR_SERVICE_UNAVAILABLE] = {503, "service_unavailable",
		"The service is temporarily unavailable. Retry later."},
};

const struct err_info *
err_info(enum err e)
{
	if ((unsigned)e >= ERR__COUNT)
		e = ERR_INTERNAL;
	return &table[e];
}

const char *
err_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}
