/*
 * dashboard: the HTML pages under /dashboard/ (docs/dashboard.md), served by
 * the API's workers with the API's store and rules:
 *
 *   dashboard_serve: route → session → form → CSRF → context → handler
 *
 * dashboard.c holds the routes, the session gate and the context;
 * dashboard_login.c and dashboard_keys.c the pages (what happens, through the
 * rules of lib/core/); dashboard_page.c the markup (what is shown, through
 * lib/http/html.h only); dashboard_assets.c the stylesheet and script. Their
 * shared internals are app/dash.h. Pages are built into a struct html that
 * dash_send_page hands to the response, which then owns the document.
 */
#ifndef PS_DASHBOARD_H
#define PS_DASHBOARD_H

#include "api.h"
#include "http/html.h"
#include "data/store_accounts.h"
#include "data/store_audit.h"
#include "data/store_leaks.h"

/* Answers a request under /dashboard into resp (initialised by the caller). */
void dashboard_serve(struct api_env *env, const struct request *req, struct response *resp);

/* ---- pages (dashboard_page.c) ---------------------------------------------- */

/* What the frame of a signed-in page shows: account, context switcher, logout. */
struct page_frame {
	const char *title;
	const struct store_account *account;     /* NULL: signed out */
	const char *csrf;                        /* the session's form token */
	const char *org;                         /* the context's org id, NULL: personal */
	const struct store_account_org *orgs;    /* for the switcher */
	unsigned norgs;
};

void page_begin(struct html *h, const struct page_frame *f);
void page_end(struct html *h);

/* The log-in form; error and notice may be NULL; email refills the field. */
void page_login(struct html *h, const char *csrf, const char *email, const char *error,
                const char *notice);

/* The API Keys page. */
#define PAGE_CHART_DAYS 30
struct page_keys {
	const struct page_frame *frame;
	const char *context_name;                /* "Personal" or the org's name */
	enum store_role role;                    /* in the org context */
	const struct store_key *keys;
	unsigned nkeys;
	/* usage[i][d]: requests of keys[i] on day d of the last 30 (oldest first) */
	const uint64_t (*usage)[PAGE_CHART_DAYS];
	const uint64_t (*refused)[PAGE_CHART_DAYS];   /* of usage, refused with 429 */
	/* leak_url[i]: where keys[i] was found when it was revoked as leaked ("": not said) */
	const char (*leak_url)[STORE_LEAK_URL_MAX + 1];
	int64_t today;                           /* midnight UTC of the last day */
	int64_t now;
	bool show_revoked;
	bool has_more;
	bool paged;                              /* not the first page */
	const char *error;                       /* the create form's error, NULL: none */
	const char *name;                        /* the create form's name after an error */
};
void page_keys(struct html *h, const struct page_keys *p);

/* The new key's secret, shown once. */
struct page_secret {
	const struct page_frame *frame;
	const struct store_key *key;
	const struct store_key *replaces;        /* the key a roll replaced; NULL: none */
	const char *secret;
	bool more;                               /* another new key's secret waits */
	int64_t now;
};
void page_secret(struct html *h, const struct page_secret *p);
/* The revoke confirmation. */
void page_revoke(struct html *h, const struct page_frame *f, const struct store_key *k);

/* The roll form's grace periods (the form's `grace` values), the default first. */
#define PAGE_GRACE_CHOICES 4
struct page_grace_choice {
	unsigned seconds;
	const char *label;
};
extern const struct page_grace_choice page_grace[PAGE_GRACE_CHOICES];
/* The roll form, or why the key cannot be rolled. */
void page_roll(struct html *h, const struct page_frame *f, const struct store_key *k,
               int64_t now);

/* The Activity page: the audit events of the context. */
struct page_activity {
	const struct page_frame *frame;
	const char *context_name;
	const struct store_audit_event *events;
	unsigned nevents;
	int64_t now;
	/* The filters as given (the form shows them again); "" when absent. */
	const char *action, *target_id, *since, *until;
	const char *error;                       /* a filter's refusal, NULL: none */
	const char *older;                       /* the next page's query, NULL: last page */
	bool paged;                              /* not the first page */
};
void page_activity(struct html *h, const struct page_activity *p);
/* A message page: a heading, a sentence (class "error" or "notice") and a link back. */
void page_message(struct html *h, const struct page_frame *f, const char *heading,
                  const char *text, bool error);

/* ---- assets (dashboard_assets.c) --------------------------------------------- */

struct dash_asset {
	const char *name;            /* the last path segment */
	const char *content_type;
	const char *body;
};
/* The asset of that name, or NULL. */
const struct dash_asset *dash_asset(const char *name, size_t len);

#endif
