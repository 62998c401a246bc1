/* /v1/api-keys: create, list, retrieve, revoke, roll, usage (docs/api.md, "Endpoints"). */
#include <stdio.h>
#include <string.h>
#include <sodium.h>

#include "api.h"
#include "base/timefmt.h"
#include "core/keyops.h"
#include "core/ratelimit.h"
#include "core/usage.h"
#include "http/body.h"
#include "http/render.h"

_Static_assert(API_USAGE_DAYS_MAX <= USAGE_HISTORY_MAX, "the usage history fits its buffer");

/* The {api_key_id} segment's key, visible in the caller's context; else the 404 is sent. */
static bool
find_key(struct api_call *c, const struct auth_principal *p, struct store_key *k)
{
	const struct request_str *seg = &c->req->seg[2];
	enum err e = keyops_find(c->env->db, &p->ctx.scope, seg->s, seg->len, k);

	if (e != ERR_NONE)
		api_fail(c, e);
	return e == ERR_NONE;
}

/* A body refused by the body_* parsers: param names the field (NULL: not an object). */
static void
refuse_body(struct api_call *c, enum err e, const char *param)
{
	response_error(c->resp, e, param, e == ERR_INVALID_REQUEST && param == NULL ?
	               "The request body must be a JSON object." : NULL);
}

/*
 * A create's or a roll's answer: its failure, or 201 with the new key and its
 * secret (shown this once, then wiped) and its Location.
 */
static void
send_new_key(struct api_call *c, enum err e, const struct store_key *k,
             char secret[APIKEY_LEN + 1])
{
	char location[64], id_text[UUID_TEXT_LEN + 1];
	struct jsonw w;

	if (e != ERR_NONE) {
		api_fail(c, e);
		return;
	}
	jsonw_init(&w);
	render_new_key(&w, k, secret, timefmt_now_us());
	sodium_memzero(secret, APIKEY_LEN + 1);
	uuid_format(k->id, id_text);
	snprintf(location, sizeof(location), "/v1/api-keys/%s", id_text);
	response_header(c->resp, "Location", location);
	response_jsonw(c->resp, 201, &w);
}

/* A key object's answer. */
static void
send_key(struct api_call *c, int status, const struct store_key *k, int64_t now)
{
	struct jsonw w;

	jsonw_init(&w);
	render_key(&w, k, now);
	response_jsonw(c->resp, status, &w);
}

void
keys_create(struct api_call *c, const struct auth_principal *p)
{
	char secret[APIKEY_LEN + 1], name[STORE_NAME_MAX + 1];
	struct audit_origin origin;
	struct store_rate_limit rl;
	struct store_key k;
	json_object *body = NULL;
	const char *param = NULL;
	enum err e;

	e = body_json_object(c->req->body, c->req->body_len, &body);
	if (e == ERR_NONE)
		e = body_key_create(body, RATELIMIT_MAX, name, &rl, &param);
	if (e != ERR_NONE) {
		refuse_body(c, e, param);
		goto done;
	}
	api_origin(c, p, &origin);
	e = keyops_create(c->env->db, c->env->cfg->pepper, &p->ctx, name, &rl, &origin, NULL, &k,
	                  secret);
	send_new_key(c, e, &k, secret);
done:
	if (body != NULL)
		json_object_put(body);
}

void
keys_list(struct api_call *c, const struct auth_principal *p)
{
	/* Workers serve one request at a time; 101 rows do not belong on the stack. */
	static struct store_key rows[API_LIST_LIMIT_MAX + 1];
	unsigned limit = (unsigned)c->query[Q_LIST_LIMIT].u;
	bool after = c->query[Q_LIST_STARTING_AFTER].present;
	int64_t now = timefmt_now_us();
	struct store_cursor cursor;
	struct jsonw w;
	unsigned n = 0;
	enum err e = ERR_NONE;

	/* The cursor must be a key this caller can see, revoked ones included. */
	if (after) {
		e = keyops_cursor(c->env->db, &p->ctx.scope, c->query[Q_LIST_STARTING_AFTER].id,
		                  &cursor);
		if (e == ERR_NOT_FOUND) {
			response_error(c->resp, ERR_INVALID_REQUEST, "starting_after",
			               API_STARTING_AFTER_MESSAGE);
			return;
		}
	}
	/* One row more than asked tells whether there is a next page. */
	if (e == ERR_NONE)
		e = keyops_list(c->env->db, &p->ctx.scope, after ? &cursor : NULL,
		                c->query[Q_LIST_INCLUDE_REVOKED].u == 1, now, limit + 1, rows, &n);
	if (e != ERR_NONE) {
		api_fail(c, e);
		return;
	}
	jsonw_init(&w);
	render_key_list(&w, rows, n < limit ? n : limit, n > limit, now);
	response_jsonw(c->resp, 200, &w);
}

void
keys_get(struct api_call *c, const struct auth_principal *p)
{
	struct store_key k;

	if (find_key(c, p, &k))
		send_key(c, 200, &k, timefmt_now_us());
}

void
keys_revoke(struct api_call *c, const struct auth_principal *p)
{
	int64_t now = timefmt_now_us();
	struct audit_origin origin;
	struct store_key k;
	enum err e;

	if (!find_key(c, p, &k))
		return;
	api_origin(c, p, &origin);
	if ((e = keyops_revoke(c->env->db, &p->ctx.scope, &k, now, &origin)) != ERR_NONE)
		api_fail(c, e);
	else
		send_key(c, 200, &k, now);
}

void
keys_update(struct api_call *c, const struct auth_principal *p)
{
	struct body_key_update upd;
	struct keyops_change ch;
	struct audit_origin origin;
	struct store_key k;
	json_object *body = NULL;
	const char *param = NULL;
	enum err e;

	/* The body is a request check: before the key's 404, as for a roll. */
	e = body_json_object(c->req->body, c->req->body_len, &body);
	if (e == ERR_NONE)
		e = body_key_update(body, RATELIMIT_MAX, &upd, &param);
	if (e == ERR_INVALID_REQUEST && param == NULL && body != NULL) {
		response_error(c->resp, e, NULL, "The body must name name, rate_limit or both.");
		goto done;
	}
	if (e != ERR_NONE) {
		refuse_body(c, e, param);
		goto done;
	}
	if (!find_key(c, p, &k))
		goto done;
	ch.name = upd.has_name ? upd.name : NULL;
	ch.rate_limit = upd.has_rate_limit ? &upd.rate_limit : NULL;
	api_origin(c, p, &origin);
	e = keyops_update(c->env->db, &p->ctx.scope, &k, &ch, timefmt_now_us(), &origin);
	if (e == ERR_ROLL_REVOKED)
		response_error(c->resp, e, NULL,
		               "The API key is revoked or expired: only an active key can be changed.");
	else if (e != ERR_NONE)
		api_fail(c, e);
	else
		send_key(c, 200, &k, timefmt_now_us());
done:
	if (body != NULL)
		json_object_put(body);
}

void
keys_roll(struct api_call *c, const struct auth_principal *p)
{
	char secret[APIKEY_LEN + 1];
	struct audit_origin origin;
	struct store_key old, k;
	json_object *body = NULL;
	const char *param = NULL;
	unsigned grace = 0;
	enum err e;

	/* The body is a request check: before the key's 404, like a query's 400. */
	e = body_json_object(c->req->body, c->req->body_len, &body);
	if (e == ERR_NONE)
		e = body_key_roll(body, KEYOPS_GRACE_MAX, &grace, &param);
	if (e != ERR_NONE) {
		refuse_body(c, e, param);
		goto done;
	}
	if (!find_key(c, p, &old))
		goto done;
	api_origin(c, p, &origin);
	e = keyops_roll(c->env->db, c->env->cfg->pepper, &old, grace, timefmt_now_us(), &origin,
	                NULL, &k, secret);
	send_new_key(c, e, &k, secret);
done:
	if (body != NULL)
		json_object_put(body);
}

void
keys_usage(struct api_call *c, const struct auth_principal *p)
{
	uint64_t counts[USAGE_HISTORY_MAX], refused[USAGE_HISTORY_MAX];
	unsigned ndays = (unsigned)c->query[Q_USAGE_DAYS].u;
	int64_t now = timefmt_now_us(), today = now / TIMEFMT_DAY * TIMEFMT_DAY;
	struct store_key k;
	json_object *data;
	enum err e;

	if (!find_key(c, p, &k))
		return;
	if ((e = usage_history(c->env->db, k.id, now, ndays, counts, refused)) != ERR_NONE) {
		api_fail(c, e);
		return;
	}
	data = json_object_new_array_ext((int)ndays);
	for (unsigned i = 0; i < ndays; i++) {
		char date[TIMEFMT_DATE_LEN + 1];
		json_object *day = json_object_new_object();

		timefmt_date(today - (int64_t)(ndays - 1 - i) * TIMEFMT_DAY, date);
		json_object_object_add(day, "date", json_object_new_string(date));
		json_object_object_add(day, "request_count", json_object_new_uint64(counts[i]));
		json_object_object_add(day, "refused_count", json_object_new_uint64(refused[i]));
		json_object_array_add(data, day);
	}
	response_json(c->resp, 200, render_list(data, false));
}
