#include "data/store_audit.h"

#include <string.h>

#include "data/rows.h"

#define AUDIT_COLS "e.id, e.created_at, e.scope_id, e.organization_id, e.action, e.actor_type," \
                   " e.actor_account_id, e.actor_key_id, e.actor_session, e.target_type," \
                   " e.target_id, e.client_address, e.user_agent, e.request_id, e.details"
#define AUDIT_NCOLS 15

/* Output buffers for the AUDIT_COLS columns. */
struct rows_audit {
	uint8_t id[UUID_LEN];
	unsigned long id_len;
	MYSQL_TIME created;
	struct rows_ref scope, org, account, key, session, target, request;
	struct rows_text action, actor_type, target_type, address, agent, details;
};

static void
bind_audit(MYSQL_BIND *b, struct rows_audit *o)
{
	memset(o, 0, sizeof(*o));
	db_out_blob(&b[0], o->id, UUID_LEN, &o->id_len, NULL);
	db_out_time(&b[1], &o->created, NULL);
	rows_bind_ref(&b[2], &o->scope);
	rows_bind_ref(&b[3], &o->org);
	rows_bind_text(&b[4], &o->action);
	rows_bind_text(&b[5], &o->actor_type);
	rows_bind_ref(&b[6], &o->account);
	rows_bind_ref(&b[7], &o->key);
	rows_bind_ref(&b[8], &o->session);
	rows_bind_text(&b[9], &o->target_type);
	rows_bind_ref(&b[10], &o->target);
	rows_bind_text(&b[11], &o->address);
	rows_bind_text(&b[12], &o->agent);
	rows_bind_ref(&b[13], &o->request);
	rows_bind_text(&b[14], &o->details);
}

static void
copy_audit(struct store_audit_event *e, const struct rows_audit *o)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->id, o->id, UUID_LEN);
	e->created_at = db_time_to_us(&o->created);
	rows_copy_ref(&e->scope, &o->scope);
	rows_copy_ref(&e->organization, &o->org);
	rows_copy_text(e->action, sizeof(e->action), &o->action);
	rows_copy_text(e->actor_type, sizeof(e->actor_type), &o->actor_type);
	rows_copy_ref(&e->actor_account, &o->account);
	rows_copy_ref(&e->actor_key, &o->key);
	rows_copy_ref(&e->actor_session, &o->session);
	rows_copy_text(e->target_type, sizeof(e->target_type), &o->target_type);
	rows_copy_ref(&e->target, &o->target);
	rows_copy_text(e->client_address, sizeof(e->client_address), &o->address);
	rows_copy_text(e->user_agent, sizeof(e->user_agent), &o->agent);
	rows_copy_ref(&e->request_id, &o->request);
	rows_copy_text(e->details, sizeof(e->details), &o->details);
}

/* A text parameter that is NULL when empty; *nul must live until the statement ran. */
static void
in_text(MYSQL_BIND *b, const char *s, my_bool *nul)
{
	*nul = s[0] == '\0';
	db_bind(b, MYSQL_TYPE_STRING, (void *)s, strlen(s), NULL, nul);
}

/* Never retried: a lost reply would write the event twice. */
static struct db_stmt st_audit_insert = DB_STMT(false,
	"INSERT INTO audit_events (id, created_at, scope_id, organization_id, action, actor_type,"
	" actor_account_id, actor_key_id, actor_session, target_type, target_id, client_address,"
	" user_agent, request_id, details) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");

enum db_status
store_audit_insert(struct db *db, const struct store_audit_event *e)
{
	MYSQL_BIND in[AUDIT_NCOLS];
	MYSQL_TIME t;
	my_bool nul[10];

	db_time_from_us(&t, e->created_at);
	db_in_blob(&in[0], e->id, UUID_LEN);
	db_in_time(&in[1], &t);
	rows_in_ref(&in[2], &e->scope, &nul[0]);
	rows_in_ref(&in[3], &e->organization, &nul[1]);
	db_in_str(&in[4], e->action, strlen(e->action));
	db_in_str(&in[5], e->actor_type, strlen(e->actor_type));
	rows_in_ref(&in[6], &e->actor_account, &nul[2]);
	rows_in_ref(&in[7], &e->actor_key, &nul[3]);
	rows_in_ref(&in[8], &e->actor_session, &nul[4]);
	db_in_str(&in[9], e->target_type, strlen(e->target_type));
	rows_in_ref(&in[10], &e->target, &nul[5]);
	in_text(&in[11], e->client_address, &nul[6]);
	in_text(&in[12], e->user_agent, &nul[7]);
	rows_in_ref(&in[13], &e->request_id, &nul[8]);
	in_text(&in[14], e->details, &nul[9]);
	return db_exec(db, &st_audit_insert, in, NULL);
}

static struct db_stmt st_audit_get = DB_STMT(true,
	"SELECT " AUDIT_COLS " FROM audit_events e WHERE e.id = ? AND e.scope_id = ?");

enum db_status
store_audit_get(struct db *db, const uint8_t scope[UUID_LEN], const uint8_t id[UUID_LEN],
                struct store_audit_event *out, bool *found)
{
	MYSQL_BIND in[2], res[AUDIT_NCOLS];
	struct rows_audit o;
	enum db_status rc;

	db_in_blob(&in[0], id, UUID_LEN);
	db_in_blob(&in[1], scope, UUID_LEN);
	bind_audit(res, &o);
	rc = rows_query_one(db, &st_audit_get, in, res, found);
	if (rc == DB_OK && *found)
		copy_audit(out, &o);
	return rc;
}

/*
 * One statement whose filters switch off with "? = ''" and "? = 0": MariaDB
 * plans it again at each execution, a cost the key list avoids with a
 * statement per combination, but this list is read by people, not per request.
 */
static struct db_stmt st_audit_list = DB_STMT(true,
	"SELECT " AUDIT_COLS " FROM audit_events e WHERE e.scope_id = ?"
	" AND e.created_at >= ? AND e.created_at < ?"
	" AND (e.created_at < ? OR (e.created_at = ? AND e.id < ?))"
	" AND (? = '' OR e.action = ?) AND (? = 0 OR e.target_id = ?)"
	" ORDER BY e.created_at DESC, e.id DESC LIMIT ?");

enum db_status
store_audit_list(struct db *db, const uint8_t scope[UUID_LEN], const struct store_audit_filter *f,
                 const struct store_cursor *after, unsigned limit,
                 struct store_audit_event *out, unsigned *n)
{
	const char *action = f->action != NULL ? f->action : "";
	MYSQL_BIND in[11], res[AUDIT_NCOLS];
	MYSQL_TIME since, until, at;
	struct rows_audit o;
	int64_t has_target = f->target.set, lim = limit;
	enum db_status rc;

	if (after == NULL)
		after = &rows_cursor_top;
	db_time_from_us(&since, f->since);
	db_time_from_us(&until, f->until);
	db_time_from_us(&at, after->created_at);
	db_in_blob(&in[0], scope, UUID_LEN);
	db_in_time(&in[1], &since);
	db_in_time(&in[2], &until);
	db_in_time(&in[3], &at);
	db_in_time(&in[4], &at);
	db_in_blob(&in[5], after->id, UUID_LEN);
	db_in_str(&in[6], action, strlen(action));
	db_in_str(&in[7], action, strlen(action));
	db_in_i64(&in[8], &has_target);
	db_in_blob(&in[9], f->target.id, UUID_LEN);
	db_in_i64(&in[10], &lim);
	bind_audit(res, &o);
	*n = 0;
	if ((rc = db_exec(db, &st_audit_list, in, res)) != DB_OK)
		return rc;
	while (*n < limit && db_fetch(db, &st_audit_list) == 1)
		copy_audit(&out[(*n)++], &o);
	db_done(db, &st_audit_list);
	return DB_OK;
}
