/*
 * An in-memory store_web (lib/data/store_web.h) for the unit tests of
 * lib/core/throttle.c and sessions.c: the login_throttle, dashboard_sessions
 * and dashboard_new_keys tables as small arrays, written with the SQL's own
 * rules (a count starts a new window when the old one began before
 * window_from; a prune deletes at most 10 ended windows, the oldest first).
 * web.rc makes every call fail with that status; the transaction fakes
 * record begin, commit and rollback.
 */
#ifndef PS_FAKE_WEB_H
#define PS_FAKE_WEB_H

#include <stdbool.h>
#include <string.h>

#include "data/store_web.h"

#define WEB_ROWS 64

struct web_throttle {
	bool used, refused;
	uint8_t subject[STORE_SUBJECT_LEN];
	int64_t start;
	unsigned n;
};
struct web_session { bool used; uint8_t id[STORE_SESSION_ID_LEN]; struct store_session s; };
struct web_new_key {
	bool used;
	uint8_t session[STORE_SESSION_ID_LEN], key[UUID_LEN];
	uint8_t sealed[STORE_SEALED_MAX];
	size_t len;
	int64_t at;
};

static struct fake_web {
	enum db_status rc;                 /* what every call returns (DB_OK: works) */
	enum db_status new_key_rc;         /* store_new_key_insert's own status */
	struct web_throttle throttle[WEB_ROWS];
	struct web_session sessions[WEB_ROWS];
	struct web_new_key new_keys[WEB_ROWS];
	struct store_account account;      /* every session's account */
	unsigned touches, begins, commits, rollbacks;
} web;

static inline void
web_reset(void)
{
	memset(&web, 0, sizeof(web));
	web.account.is_active = true;
	memset(web.account.id, 0xa1, UUID_LEN);
}

static inline struct web_throttle *
web_throttle_row(const uint8_t subject[STORE_SUBJECT_LEN], bool create)
{
	struct web_throttle *free_row = NULL;

	for (int i = 0; i < WEB_ROWS; i++) {
		if (web.throttle[i].used &&
		    memcmp(web.throttle[i].subject, subject, STORE_SUBJECT_LEN) == 0)
			return &web.throttle[i];
		if (!web.throttle[i].used && free_row == NULL)
			free_row = &web.throttle[i];
	}
	if (!create || free_row == NULL)
		return NULL;
	memset(free_row, 0, sizeof(*free_row));
	free_row->used = true;
	memcpy(free_row->subject, subject, STORE_SUBJECT_LEN);
	return free_row;
}

static inline unsigned
web_throttle_rows(void)
{
	unsigned n = 0;

	for (int i = 0; i < WEB_ROWS; i++)
		n += web.throttle[i].used;
	return n;
}

enum db_status
store_throttle_get(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                   int64_t *window_start, unsigned *failures)
{
	struct web_throttle *t = web_throttle_row(subject, false);

	(void)db;
	*window_start = t ? t->start : 0;
	*failures = t ? t->n : 0;
	return web.rc;
}

enum db_status
store_throttle_count(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN], int64_t now,
                     int64_t window_from)
{
	struct web_throttle *t;

	(void)db;
	if (web.rc != DB_OK)
		return web.rc;
	if ((t = web_throttle_row(subject, true)) == NULL)
		return DB_ERROR;     /* the fake's table is full: a test's mistake */
	if (t->n == 0 || t->start < window_from) {
		t->start = now;
		t->n = 1;
		t->refused = false;
	} else {
		t->n++;
	}
	return DB_OK;
}

enum db_status
store_throttle_claim_refusal(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN],
                             bool *claimed)
{
	struct web_throttle *t = web_throttle_row(subject, false);

	(void)db;
	*claimed = web.rc == DB_OK && t != NULL && !t->refused;
	if (*claimed)
		t->refused = true;
	return web.rc;
}

enum db_status
store_throttle_forgive(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN])
{
	struct web_throttle *t = web_throttle_row(subject, false);

	(void)db;
	if (web.rc == DB_OK && t != NULL && t->n > 0)
		t->n--;
	return web.rc;
}

enum db_status
store_throttle_clear(struct db *db, const uint8_t subject[STORE_SUBJECT_LEN])
{
	struct web_throttle *t = web_throttle_row(subject, false);

	(void)db;
	if (web.rc == DB_OK && t != NULL)
		t->used = false;
	return web.rc;
}

enum db_status
store_throttle_prune(struct db *db, int64_t before)
{
	(void)db;
	for (int k = 0; web.rc == DB_OK && k < 10; k++) {
		struct web_throttle *oldest = NULL;

		for (int i = 0; i < WEB_ROWS; i++)
			if (web.throttle[i].used && web.throttle[i].start < before &&
			    (oldest == NULL || web.throttle[i].start < oldest->start))
				oldest = &web.throttle[i];
		if (oldest == NULL)
			break;
		oldest->used = false;
	}
	return web.rc;
}

static inline struct web_session *
web_session_row(const uint8_t id[STORE_SESSION_ID_LEN])
{
	for (int i = 0; i < WEB_ROWS; i++)
		if (web.sessions[i].used && memcmp(web.sessions[i].id, id, STORE_SESSION_ID_LEN) == 0)
			return &web.sessions[i];
	return NULL;
}

enum db_status
store_session_insert(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                     const uint8_t account[UUID_LEN], int64_t now)
{
	(void)db;
	for (int i = 0; web.rc == DB_OK && i < WEB_ROWS; i++) {
		if (web.sessions[i].used)
			continue;
		web.sessions[i].used = true;
		memcpy(web.sessions[i].id, id, STORE_SESSION_ID_LEN);
		web.sessions[i].s.account = web.account;
		memcpy(web.sessions[i].s.account.id, account, UUID_LEN);
		web.sessions[i].s.created_at = web.sessions[i].s.last_seen_at = now;
		return DB_OK;
	}
	return web.rc != DB_OK ? web.rc : DB_ERROR;
}

enum db_status
store_session_get(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN],
                  struct store_session *out, bool *found)
{
	struct web_session *s = web_session_row(id);

	(void)db;
	*found = web.rc == DB_OK && s != NULL;
	if (*found) {
		*out = s->s;
		out->account.is_active = web.account.is_active;
	}
	return web.rc;
}

enum db_status
store_session_touch(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN], int64_t now)
{
	struct web_session *s = web_session_row(id);

	(void)db;
	web.touches++;
	if (web.rc == DB_OK && s != NULL && now > s->s.last_seen_at)
		s->s.last_seen_at = now;
	return web.rc;
}

enum db_status
store_session_delete(struct db *db, const uint8_t id[STORE_SESSION_ID_LEN])
{
	struct web_session *s = web_session_row(id);

	(void)db;
	if (web.rc == DB_OK && s != NULL)
		s->used = false;
	return web.rc;
}

/* fake_store.h has its own when a test includes both (core/sessions.c's). */
#ifndef PS_FAKE_STORE_H
enum db_status
store_session_delete_account(struct db *db, const uint8_t account[UUID_LEN])
{
	(void)db;
	(void)account;
	return web.rc;
}
#endif

enum db_status
store_session_prune(struct db *db, int64_t seen_before)
{
	(void)db;
	for (int i = 0; web.rc == DB_OK && i < WEB_ROWS; i++)
		if (web.sessions[i].used && web.sessions[i].s.last_seen_at < seen_before)
			web.sessions[i].used = false;
	return web.rc;
}

enum db_status
store_new_key_insert(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                     const uint8_t key[UUID_LEN], const uint8_t *sealed, size_t len, int64_t now)
{
	(void)db;
	if (web.rc != DB_OK || web.new_key_rc != DB_OK)
		return web.rc != DB_OK ? web.rc : web.new_key_rc;
	for (int i = 0; i < WEB_ROWS && len <= STORE_SEALED_MAX; i++) {
		struct web_new_key *n = &web.new_keys[i];

		if (n->used)
			continue;
		n->used = true;
		memcpy(n->session, session, STORE_SESSION_ID_LEN);
		memcpy(n->key, key, UUID_LEN);
		memcpy(n->sealed, sealed, len);
		n->len = len;
		n->at = now;
		return DB_OK;
	}
	return DB_ERROR;
}

/* The scope is not modelled: every waiting key of the session is in it. */
enum db_status
store_new_key_next(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                   const uint8_t scope_owner[UUID_LEN], struct store_new_key *out, bool *found,
                   bool *more)
{
	const struct web_new_key *best = NULL;
	unsigned n = 0;

	(void)db;
	(void)scope_owner;
	for (int i = 0; i < WEB_ROWS; i++) {
		const struct web_new_key *k = &web.new_keys[i];

		if (!k->used || memcmp(k->session, session, STORE_SESSION_ID_LEN) != 0)
			continue;
		n++;
		if (best == NULL || k->at >= best->at)
			best = k;
	}
	*found = web.rc == DB_OK && best != NULL;
	*more = *found && n > 1;
	if (*found) {
		memcpy(out->key_id, best->key, UUID_LEN);
		memcpy(out->sealed, best->sealed, best->len);
		out->sealed_len = best->len;
	}
	return web.rc;
}

enum db_status
store_new_key_take(struct db *db, const uint8_t session[STORE_SESSION_ID_LEN],
                   const uint8_t key[UUID_LEN], bool *taken)
{
	(void)db;
	*taken = false;
	for (int i = 0; web.rc == DB_OK && i < WEB_ROWS; i++) {
		struct web_new_key *k = &web.new_keys[i];

		if (k->used && memcmp(k->session, session, STORE_SESSION_ID_LEN) == 0 &&
		    memcmp(k->key, key, UUID_LEN) == 0) {
			k->used = false;
			*taken = true;
		}
	}
	return web.rc;
}

#ifndef PS_FAKE_STORE_H
enum db_status
db_begin(struct db *db)
{
	(void)db;
	web.begins++;
	return web.rc;
}

enum db_status
db_commit(struct db *db)
{
	(void)db;
	web.commits++;
	return web.rc;
}

void
db_rollback(struct db *db)
{
	(void)db;
	web.rollbacks++;
}

#endif

#endif
