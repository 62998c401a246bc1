#include "data/rows.h"

#include <string.h>

void
rows_in_ref(MYSQL_BIND *b, const struct store_ref *r, my_bool *nul)
{
	*nul = !r->set;
	db_bind(b, MYSQL_TYPE_BLOB, (void *)r->id, UUID_LEN, NULL, nul);
}

void
rows_bind_ref(MYSQL_BIND *b, struct rows_ref *r)
{
	db_out_blob(b, r->id, UUID_LEN, &r->len, &r->nul);
}

void
rows_copy_ref(struct store_ref *dst, const struct rows_ref *r)
{
	memset(dst, 0, sizeof(*dst));
	dst->set = !r->nul && r->len == UUID_LEN;
	if (dst->set)
		memcpy(dst->id, r->id, UUID_LEN);
}

void
rows_bind_text(MYSQL_BIND *b, struct rows_text *t)
{
	db_out_str(b, t->buf, sizeof(t->buf) - 1, &t->len, &t->nul);
}

void
rows_copy_text(char *dst, size_t cap, const struct rows_text *t)
{
	size_t n = t->nul ? 0 : t->len;

	if (n >= cap)
		n = cap - 1;
	memcpy(dst, t->buf, n);
	dst[n] = '\0';
}

enum store_role
rows_role(const struct rows_text *t)
{
	char name[16];

	rows_copy_text(name, sizeof(name), t);
	return store_role_parse(name);
}

void
rows_bind_rate_limit(MYSQL_BIND *b, struct rows_rate_limit *r)
{
	memset(r, 0, sizeof(*r));
	db_out_i64(&b[0], &r->per_second, &r->per_second_nul);
	db_out_i64(&b[1], &r->burst, &r->burst_nul);
}

void
rows_copy_rate_limit(struct store_rate_limit *dst, const struct rows_rate_limit *r)
{
	/*
	 * Both columns within the bounds the API writes, or no limit: a half-set
	 * or out-of-range pair was written by hand (above 10^9 a second, the
	 * limiter's interval would be 0 ns and divide by zero).
	 */
	bool set = !r->per_second_nul && !r->burst_nul && r->per_second >= 1 && r->burst >= 1 &&
	           r->per_second <= STORE_RATE_LIMIT_MAX && r->burst <= STORE_RATE_LIMIT_MAX;

	dst->per_second = set ? (uint32_t)r->per_second : 0;
	dst->burst = set ? (uint32_t)r->burst : 0;
}

void
rows_in_rate_limit(MYSQL_BIND *b, const struct store_rate_limit *rl, int64_t v[2], my_bool *nul)
{
	*nul = rl == NULL || rl->per_second == 0;
	v[0] = *nul ? 0 : rl->per_second;
	v[1] = *nul ? 0 : rl->burst;
	db_bind(&b[0], MYSQL_TYPE_LONGLONG, &v[0], 0, NULL, nul);
	db_bind(&b[1], MYSQL_TYPE_LONGLONG, &v[1], 0, NULL, nul);
}

void
rows_bind_key(MYSQL_BIND *b, struct rows_key *o)
{
	memset(o, 0, sizeof(*o));
	db_out_blob(&b[0], o->id, UUID_LEN, &o->id_len, NULL);
	db_out_blob(&b[1], o->org, UUID_LEN, &o->org_len, &o->org_nul);
	db_out_blob(&b[2], o->creator, UUID_LEN, &o->creator_len, NULL);
	rows_bind_text(&b[3], &o->name);
	rows_bind_text(&b[4], &o->prefix);
	db_out_time(&b[5], &o->created, NULL);
	db_out_time(&b[6], &o->revoked, &o->revoked_nul);
	db_out_time(&b[7], &o->used, &o->used_nul);
	db_out_i64(&b[8], &o->count, NULL);
	rows_bind_text(&b[9], &o->reason);
	db_out_time(&b[10], &o->expires, &o->expires_nul);
	rows_bind_ref(&b[11], &o->replaced_by);
	rows_bind_ref(&b[12], &o->rolled_from);
	db_bind(&b[13], MYSQL_TYPE_TINY, &o->expiry_recorded, 0, NULL, NULL);
	rows_bind_rate_limit(&b[14], &o->rate_limit);
}

void
rows_copy_key(struct store_key *k, const struct rows_key *o)
{
	memset(k, 0, sizeof(*k));
	memcpy(k->id, o->id, UUID_LEN);
	k->has_org = !o->org_nul;
	if (k->has_org)
		memcpy(k->organization_id, o->org, UUID_LEN);
	memcpy(k->created_by, o->creator, UUID_LEN);
	rows_copy_text(k->name, sizeof(k->name), &o->name);
	rows_copy_text(k->prefix, sizeof(k->prefix), &o->prefix);
	k->created_at = db_time_to_us(&o->created);
	k->revoked = !o->revoked_nul;
	if (k->revoked)
		k->revoked_at = db_time_to_us(&o->revoked);
	k->counters.used = !o->used_nul;
	if (k->counters.used)
		k->counters.last_used_at = db_time_to_us(&o->used);
	k->counters.request_count = (uint64_t)o->count;
	if (k->revoked) {
		char reason[16];

		rows_copy_text(reason, sizeof(reason), &o->reason);
		k->revoked_reason = store_reason_parse(reason);
	}
	k->expires = !o->expires_nul;
	if (k->expires)
		k->expires_at = db_time_to_us(&o->expires);
	rows_copy_ref(&k->replaced_by, &o->replaced_by);
	rows_copy_ref(&k->rolled_from, &o->rolled_from);
	k->expiry_recorded = o->expiry_recorded != 0;
	rows_copy_rate_limit(&k->rate_limit, &o->rate_limit);
}

const struct store_cursor rows_cursor_top = {
	STORE_TIME_MAX,
	{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
};

/* Runs a statement expected to return at most one row into `out` binds. */
enum db_status
rows_query_one(struct db *db, struct db_stmt *st, MYSQL_BIND *params, MYSQL_BIND *result,
               bool *found)
{
	enum db_status rc = db_exec(db, st, params, result);

	*found = false;
	if (rc != DB_OK)
		return rc;
	*found = db_fetch(db, st) == 1;
	db_done(db, st);
	return DB_OK;
}

enum db_status
rows_exec_one(struct db *db, struct db_stmt *st, MYSQL_BIND *params, bool *changed)
{
	enum db_status rc = db_exec(db, st, params, NULL);

	*changed = rc == DB_OK && db_affected(db, st) == 1;
	return rc;
}
