/*
 * reqlog: the request log, one JSON line per request, written by the worker
 * that answered it (README, "Request log"):
 *
 *   {"time":"2025-06-01T12:00:00.123456Z","request_id":"0197…","pid":4242,
 *    "fcgi_role":"responder","method":"GET","route":"/v1/api-keys/{id}",
 *    "status":200,"error_code":null,"key_id":"0197…","key_prefix":"sk_AbCdEfGhI",
 *    "account_id":"0197…","organization_id":null,"duration_us":812,"db_us":403}
 *
 * Every value is the service's own: ids, the route's template (never the
 * path), names from its tables, numbers. Nothing the client sent is copied
 * into a line (no path, query, header, cookie or body), so no secret can be.
 *
 * Destinations (request_log): stderr (the default: the web server's error log
 * or the run script's file collects it), syslog (facility daemon), a file
 * (appended, one write per line; reqlog_reopen after logrotate moved it), or
 * off. Successful requests (status below 400) are kept with the configured
 * probability (request_log_sample); errors always.
 */
#ifndef PS_REQLOG_H
#define PS_REQLOG_H

#include <stdbool.h>
#include <stdint.h>

#include "base/apikey.h"
#include "base/config.h"
#include "base/errors.h"
#include "base/uuid.h"

#define REQLOG_LINE_MAX 1024

/* What is known of one request once it is answered (also what core/metrics counts). */
struct reqlog_entry {
	int64_t start_us;                /* when the worker took it */
	int64_t duration_us;             /* until its response was handed over */
	int64_t db_us;                   /* of which in database calls */
	int pid;
	bool authorizer;                 /* the FastCGI Authorizer role, else a responder */
	const char *request_id;
	const char *method;              /* "GET", ..., "OTHER" */
	const char *route;               /* the template of the route; NULL: none matched */
	int status;
	const char *error_code;          /* of an error body; NULL or "": none */
	/* API key authentication: whether it ran, and its outcome (ERR_NONE: a caller). */
	bool auth_ran;
	enum err auth;
	/* The caller, when known: the key (API), the account and the organization (API, dashboard). */
	bool has_key, has_account, has_org;
	uint8_t key_id[UUID_LEN];
	char key_prefix[APIKEY_PREFIX_LEN + 1];
	uint8_t account_id[UUID_LEN];
	uint8_t org_id[UUID_LEN];
};

/*
 * What the front ends learn while they serve (each does nothing when e is
 * NULL: the unit tests serve without an entry): the route's template (NULL:
 * none), the outcome of API key authentication, the caller.
 */
void reqlog_note_route(struct reqlog_entry *e, const char *template_);
void reqlog_note_auth(struct reqlog_entry *e, enum err outcome);
void reqlog_note_key(struct reqlog_entry *e, const uint8_t id[UUID_LEN], const char *prefix);
void reqlog_note_account(struct reqlog_entry *e, const uint8_t id[UUID_LEN]);
void reqlog_note_org(struct reqlog_entry *e, const uint8_t id[UUID_LEN]);

enum reqlog_to { REQLOG_OFF, REQLOG_STDERR, REQLOG_SYSLOG, REQLOG_FILE };

struct reqlog {
	enum reqlog_to to;
	int fd;                          /* stderr or the file; -1 otherwise */
	char path[CONFIG_STR_MAX];       /* REQLOG_FILE */
	unsigned sample_ppm;             /* of successful requests kept, in millionths */
};

/*
 * Opens cfg's destination. A file that cannot be opened is logged (base/log)
 * and its lines go to stderr instead, so that no line is lost silently.
 */
void reqlog_open(struct reqlog *l, const struct config *cfg);

/* The file again under its name (after a rotation); on failure the old one stays, logged. */
void reqlog_reopen(struct reqlog *l);
void reqlog_close(struct reqlog *l);

/*
 * Whether a request with this status is kept at a sampling rate of
 * sample_ppm, given draw, uniform in [0, CONFIG_PPM): errors always.
 */
bool reqlog_keeps(unsigned sample_ppm, int status, uint32_t draw);

/* The entry's line (without its newline) into buf; its length, 0 if cap is too small. */
size_t reqlog_format(const struct reqlog_entry *e, char *buf, size_t cap);

/* Writes the entry's line when the sampling keeps it. */
void reqlog_write(struct reqlog *l, const struct reqlog_entry *e);

#endif
