/*
 * query: a route's query parameters, declared once in its route table entry
 * and read into typed values before the handler runs, so that handlers
 * receive numbers, booleans and ids rather than text.
 *
 * The specs are static tables the caller owns; query_parse writes only into
 * the caller's out[] array and returns pointers into the specs (never into
 * the request) except for an unknown parameter's name, which stays valid as
 * long as the request.
 */
#ifndef PS_QUERY_H
#define PS_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/errors.h"
#include "base/uuid.h"
#include "http/request.h"

#define QUERY_PARAMS_MAX 8

enum query_type {
	QUERY_UINT,       /* decimal digits, leading zeros allowed, in [min, max] */
	QUERY_BOOL,       /* exactly "true" or "false" */
	QUERY_UUID,       /* a UUID in any letter case */
	QUERY_TIME,       /* an RFC 3339 instant in UTC (base/timefmt.h) */
	QUERY_CHOICE      /* exactly one of `choices` */
};

struct query_param {
	const char *name;
	enum query_type type;
	uint64_t min, max, dflt;        /* QUERY_UINT; dflt also for QUERY_BOOL (0/1) */
	const char *message;            /* the 400's message for a wrong value */
	const char *const *choices;     /* QUERY_CHOICE: the values, NULL-terminated */
};

struct query_value {
	bool present;
	uint64_t u;                     /* QUERY_UINT, QUERY_BOOL (0/1): dflt when absent;
	                                   QUERY_CHOICE: the value's index in choices */
	uint8_t id[UUID_LEN];           /* QUERY_UUID */
	int64_t t;                      /* QUERY_TIME: microseconds */
};

/*
 * Reads req's query against params[0..n) into out[0..n). In the order of
 * docs/api.md: an unknown or repeated name, then a value that could not be
 * decoded, then each value against its type in table order. ERR_NONE, or
 * ERR_INVALID_REQUEST with *param (the parameter's name) and *message (NULL:
 * the error table's default).
 */
enum err query_parse(const struct request *req, const struct query_param *params, size_t n,
                     struct query_value *out, const char **param, const char **message);

#endif
