/*
 * result: the core's one result convention. Every function of lib/core/
 * returns an `enum err` (base/errors.h, the API's error table): ERR_NONE, or
 * the error the API and the dashboard show. A database failure never leaves
 * the core as a db_status: result_db turns it into ERR_SERVICE_UNAVAILABLE
 * (retry; 503 with Retry-After) or ERR_INTERNAL (a bug: lib/data/db.c logged
 * its cause, the front end logs the request's id).
 */
#ifndef PS_RESULT_H
#define PS_RESULT_H

#include "base/errors.h"
#include "data/db.h"

enum err result_db(enum db_status s);

/*
 * Ends the transaction that db_begin opened: commits when e is ERR_NONE,
 * else rolls it back. Returns e, or the commit's failure.
 */
enum err result_commit(struct db *db, enum err e);

#endif
