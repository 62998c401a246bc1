/*
 * render: the JSON objects of docs/api.md built from store rows. Each function
 * returns a new json-c object the caller owns (json_object_put).
 */
#ifndef PS_RENDER_H
#define PS_RENDER_H

#include <json-c/json.h>

#include "data/store.h"
#include "data/store_audit.h"

json_object *render_uuid(const uint8_t id[UUID_LEN]);
json_object *render_time(bool present, int64_t us);   /* null when !present */
/* "object": "api_key"; is_active as of `now` (a rolled key expires). */
json_object *render_key(const struct store_key *k, int64_t now);
/* {"per_second": N, "burst": M}, or null for none. */
json_object *render_rate_limit(const struct store_rate_limit *rl);
/* {"object": "list", "data": data, "has_more": has_more}; takes data. */
json_object *render_list(json_object *data, bool has_more);
/* "object": "audit_event". */
json_object *render_audit_event(const struct store_audit_event *e);
json_object *render_account(const struct store_account *a);
json_object *render_org(const struct store_org *o);

#endif
