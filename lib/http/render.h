/*
 * render: the JSON objects of docs/api.md built from store rows. The key
 * objects, which the busiest answers carry, are written as text into a
 * struct jsonw; each other function returns a new json-c object the caller
 * owns (json_object_put).
 */
#ifndef PS_RENDER_H
#define PS_RENDER_H

#include <json-c/json.h>

#include "data/store.h"
#include "http/jsonw.h"
#include "data/store_audit.h"

json_object *render_uuid(const uint8_t id[UUID_LEN]);
json_object *render_time(bool present, int64_t us);   /* null when !present */
/*
 * The key object ("object": "api_key"; is_active as of `now`: a rolled key
 * expires), written into w (http/jsonw.h); a new key's adds its secret.
 */
/* A member holding an id's text, or null when id is NULL. */
void render_id(struct jsonw *w, const char *name, const uint8_t *id);
void render_key(struct jsonw *w, const struct store_key *k, int64_t now);
void render_new_key(struct jsonw *w, const struct store_key *k, const char *secret, int64_t now);
/* {"object": "list", "data": [the n keys], "has_more": has_more}. */
void render_key_list(struct jsonw *w, const struct store_key *keys, unsigned n, bool has_more,
                     int64_t now);
/* {"per_second": N, "burst": M}, or null for none (an organization's default, json-c). */
json_object *render_rate_limit(const struct store_rate_limit *rl);
/* {"object": "list", "data": data, "has_more": has_more}; takes data. */
json_object *render_list(json_object *data, bool has_more);
/* "object": "audit_event". */
json_object *render_audit_event(const struct store_audit_event *e);
json_object *render_account(const struct store_account *a);
json_object *render_org(const struct store_org *o);

#endif
