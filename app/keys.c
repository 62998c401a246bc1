/* /v1/api-keys: create, list, retrieve, revoke, usage (docs/api.md, "Endpoints"). */
#include <string.h>
#include <sodium.h>

#include "api.h"
#include "http/body.h"
#include "keyissue.h"
#include "base/log.h"
#include "http/render.h"
#include "base/timefmt.h"
#include "data/store_usage.h"
#include "data/store_keys.h"

_Static_assert(API_USAGE_DAYS_MAX <= STORE_USAGE_DAYS_MAX, "the usage history fits its buffer");

/* The {api_key_id} segment; a malformed id is reported like an unknown one. */
static bool
find_key(struct api_call *c, const struct auth_principal *p, struct store_key *k)
{
	const struct request_str *seg = &c->req->seg[2];
	uint8_t id[UUID_LEN];
	bool found = false;
	enum db_status rc;

	if (uuid_parse(seg->s, seg->len, id) != 0) {
		response_error(c->resp, ERR_NOT_FOUND, NULL, NULL);
		return false;
	}
	rc = store_key_get(c->env->db, &p->ctx.scope, id, k, &found);
	if (rc != DB_OK)
		api_db_failure(c, rc);
	else if (!found)
		response_error(c->resp, ERR_NOT_FOUND, NULL, NULL);
	return rc == DB_OK && found;
}

void
keys_create(struct api_call *c, const struct auth_principal *p)
{
	char secret[APIKEY_LEN + 1];
	char location[64], id_text[UUID_TEXT_LEN + 1];
	struct store_key k;
	json_object *body = NULL, *out;
	const char *param = NULL;
	enum db_status rc;
	enum err e;

	e = body_json_object(c->req->body, c->req->body_len, &body);
	if (e == ERR_NONE)
		e = body_key_create(body, k.name, &param);
	if (e != ERR_NONE) {
		response_error(c->resp, e, param, e == ERR_INVALID_REQUEST && param == NULL ?
		               "The request body must be a JSON object." : NULL);
		goto done;
	}
	/* Keys created in an organization's context are org keys, created by the actor. */
	k.has_org = p->ctx.is_org;
	memcpy(k.organization_id, p->ctx.org.id, UUID_LEN);
	memcpy(k.created_by, p->ctx.scope.actor, UUID_LEN);
	rc = keyissue_create(c->env->db, c->env->cfg->pepper, &k, secret);
	if (rc != DB_OK) {
		api_db_failure(c, rc);
		goto done;
	}
	out = render_key(&k);
	json_object_object_add(out, "secret", json_object_new_string(secret));
	sodium_memzero(secret, sizeof(secret));
	uuid_format(k.id, id_text);
	snprintf(location, sizeof(location), "/v1/api-keys/%s", id_text);
	response_header(c->resp, "Location", location);
	response_json(c->resp, 201, out);
done:
	if (body != NULL)
		json_object_put(body);
}

/* The list's cursor: a key this caller can see, revoked ones included; else 400. */
static bool
list_cursor(struct api_call *c, const struct auth_principal *p, struct store_cursor *cur)
{
	struct store_key k;
	bool found = false;
	enum db_status rc = store_key_get(c->env->db, &p->ctx.scope,
	                                  c->query[Q_LIST_STARTING_AFTER].id, &k, &found);

	if (rc != DB_OK) {
		api_db_failure(c, rc);
		return false;
	}
	if (!found) {
		response_error(c->resp, ERR_INVALID_REQUEST, "starting_after",
		               API_STARTING_AFTER_MESSAGE);
		return false;
	}
	cur->created_at = k.created_at;
	memcpy(cur->id, k.id, UUID_LEN);
	return true;
}

void
keys_list(struct api_call *c, const struct auth_principal *p)
{
	/* Workers serve one request at a time; 101 rows do not belong on the stack. */
	static struct store_key rows[API_LIST_LIMIT_MAX + 1];
	unsigned limit = (unsigned)c->query[Q_LIST_LIMIT].u;
	bool after = c->query[Q_LIST_STARTING_AFTER].present;
	struct store_cursor cursor;
	json_object *out, *data;
	unsigned n = 0;
	enum db_status rc;

	if (after && !list_cursor(c, p, &cursor))
		return;
	/* One row more than asked tells whether there is a next page. */
	rc = store_key_list(c->env->db, &p->ctx.scope, after ? &cursor : NULL,
	                    c->query[Q_LIST_INCLUDE_REVOKED].u == 1, limit + 1, rows, &n);
	if (rc != DB_OK) {
		api_db_failure(c, rc);
		return;
	}
	out = json_object_new_object();
	data = json_object_new_array_ext((int)n);
	for (unsigned i = 0; i < n && i < limit; i++)
		json_object_array_add(data, render_key(&rows[i]));
	json_object_object_add(out, "object", json_object_new_string("list"));
	json_object_object_add(out, "data", data);
	json_object_object_add(out, "has_more", json_object_new_boolean(n > limit));
	response_json(c->resp, 200, out);
}

void
keys_get(struct api_call *c, const struct auth_principal *p)
{
	struct store_key k;

	if (find_key(c, p, &k))
		response_json(c->resp, 200, render_key(&k));
}

void
keys_revoke(struct api_call *c, const struct auth_principal *p)
{
	struct store_key k;
	bool found = true, changed = false;
	int64_t now = timefmt_now_us();
	enum db_status rc = DB_OK;

	if (!find_key(c, p, &k))
		return;
	if (!k.revoked) {
		rc = store_key_revoke(c->env->db, k.id, now, &changed);
		if (rc == DB_OK && changed) {
			k.revoked = true;
			k.revoked_at = now;
		} else if (rc == DB_OK) {
			/* A concurrent revoke won: report the instant it set. */
			rc = store_key_get(c->env->db, &p->ctx.scope, k.id, &k, &found);
		}
	}
	if (rc != DB_OK || !found) {
		api_db_failure(c, rc != DB_OK ? rc : DB_ERROR);
		return;
	}
	response_json(c->resp, 200, render_key(&k));
}

void
keys_usage(struct api_call *c, const struct auth_principal *p)
{
	uint64_t counts[STORE_USAGE_DAYS_MAX];
	unsigned ndays = (unsigned)c->query[Q_USAGE_DAYS].u;
	struct store_key k;
	json_object *out, *data;
	int64_t today, day_us = TIMEFMT_DAY;
	enum db_status rc;

	if (!find_key(c, p, &k))
		return;
	today = timefmt_now_us() / day_us * day_us;
	if ((rc = store_usage_days(c->env->db, k.id, today, ndays, counts)) != DB_OK) {
		api_db_failure(c, rc);
		return;
	}
	out = json_object_new_object();
	data = json_object_new_array_ext((int)ndays);
	for (unsigned i = 0; i < ndays; i++) {
		char date[TIMEFMT_DATE_LEN + 1];
		json_object *e = json_object_new_object();

		timefmt_date(today - (int64_t)(ndays - 1 - i) * day_us, date);
		json_object_object_add(e, "date", json_object_new_string(date));
		json_object_object_add(e, "request_count", json_object_new_uint64(counts[i]));
		json_object_array_add(data, e);
	}
	json_object_object_add(out, "object", json_object_new_string("list"));
	json_object_object_add(out, "data", data);
	json_object_object_add(out, "has_more", json_object_new_boolean(false));
	response_json(c->resp, 200, out);
}
