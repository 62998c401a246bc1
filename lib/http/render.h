/*
 * render: the JSON objects of docs/api.md built from store rows. The key
 * objects, which the busiest answers carry, and the admin tool's accounts and
 * organizations are written as text into a struct jsonw (http/jsonw.h); the
 * audit events and the lists of them, and ids and times as values, are new
 * json-c objects the caller owns (json_object_put).
 */
#ifndef PS_RENDER_H
#define PS_RENDER_H

#include <json-c/json.h>

#include "data/store.h"
#include "http/jsonw.h"
#include "data/store_audit.h"

json_object *render_uuid(const uint8_t id[UUID_LEN]);
json_object *render_time(bool present, int64_t us);   /* null when !present */
/* A member holding an id's text, or null when id is NULL. */
void render_id(struct jsonw *w, const char *name, const uint8_t *id);
/*
 * The key object ("object": "api_key"; is_active as of `now`: a rolled key
 * expires), written into w; a new key's adds its secret.
 */
void render_key(struct jsonw *w, const struct store_key *k, int64_t now);
void render_new_key(struct jsonw *w, const struct store_key *k, const char *secret, int64_t now);
/* {"object": "list", "data": [the n keys], "has_more": has_more}. */
void render_key_list(struct jsonw *w, const struct store_key *keys, unsigned n, bool has_more,
                     int64_t now);
/* {"object": "list", "data": data, "has_more": has_more}; takes data. */
json_object *render_list(json_object *data, bool has_more);
/* "object": "audit_event". */
json_object *render_audit_event(const struct store_audit_event *e);
/* The admin tool's account and organization (an organization's default rate_limit: null for none). */
void render_account(struct jsonw *w, const struct store_account *a);
void render_org(struct jsonw *w, const struct store_org *o);

#endif
