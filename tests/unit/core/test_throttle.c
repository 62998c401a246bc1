/*
 * Unit tests of lib/core/throttle.c on an in-memory login_throttle
 * (fake_web.h): the rule's order (the address first, then a verification
 * slot, then the account and the pair), that an attacked account's owner
 * still gets in from another address, that refused attempts add no rows for
 * e-mails past the address's limit, forgiving, pruning, and failures.
 */
#include "../../../lib/core/throttle.c"
#include "../../../lib/core/verifyslot.c"
#include "../../../lib/core/pooldir.c"
#include "../../../lib/core/result.c"
#include "../../../lib/base/errors.c"
#include "../../../lib/base/log.c"
#include "../../../lib/base/timefmt.c"
#include "../harness.h"
#include "fake_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NOW    INT64_C(1795000000000000)
#define SECOND TIMEFMT_SECOND

static struct config cfg;
static struct verifyslot no_cap;        /* no directory: verifications are not capped */

static const uint8_t account[UUID_LEN] = {0xa1, 0xa1, 0xa1};

/* One attempt of `email`'s account from addr at now; the verdict, its slot released. */
static bool first;        /* the last refusal was its subject's first of the window */

static enum throttle_verdict
attempt(const char *addr, int64_t now, int64_t *wait, enum err *e)
{
	struct throttle_subjects s;
	enum throttle_verdict v = THROTTLE_LIMITED;
	int slot = VERIFYSLOT_OFF;

	throttle_subjects(account, "owner@example.com", addr, &s);
	*e = throttle_gate(NULL, &cfg, &no_cap, &s, now, &v, wait, &slot, &first);
	verifyslot_release(slot);
	return v;
}

static void
test_subjects(void)
{
	struct throttle_subjects a, b;

	/* An account is one subject whatever e-mail spelling found it; no account: the e-mail. */
	throttle_subjects(account, "Owner@Example.com", "192.0.2.1", &a);
	throttle_subjects(account, "owner@example.com", "192.0.2.1", &b);
	CHECK(memcmp(a.account, b.account, STORE_SUBJECT_LEN) == 0, "account subject by e-mail");
	throttle_subjects(NULL, "x@example.com", "192.0.2.1", &a);
	throttle_subjects(NULL, "y@example.com", "192.0.2.1", &b);
	CHECK(memcmp(a.account, b.account, STORE_SUBJECT_LEN) != 0, "unknown e-mails share one");
	/* IPv6 by its /64; IPv4 (mapped or not) by the address. */
	throttle_subjects(account, "", "2001:db8:1:2::1", &a);
	throttle_subjects(account, "", "2001:db8:1:2:ffff::9", &b);
	CHECK(memcmp(a.address, b.address, STORE_SUBJECT_LEN) == 0, "one /64, one subject");
	throttle_subjects(account, "", "2001:db8:1:3::1", &b);
	CHECK(memcmp(a.address, b.address, STORE_SUBJECT_LEN) != 0, "two /64s share one");
	throttle_subjects(account, "", "192.0.2.1", &a);
	throttle_subjects(account, "", "192.0.2.2", &b);
	CHECK(memcmp(a.address, b.address, STORE_SUBJECT_LEN) != 0, "two IPv4 share one");
	CHECK(memcmp(a.pair, b.pair, STORE_SUBJECT_LEN) != 0, "two pairs share one");
	throttle_subjects(account, "", NULL, &b);   /* no REMOTE_ADDR: a subject all the same */
	CHECK(memcmp(a.address, b.address, STORE_SUBJECT_LEN) != 0, "no address is an address");
}

/* 5 a window per account, 1 per further address; 20 per address. */
static void
test_order(void)
{
	int64_t wait = 0;
	enum err e;
	static const struct {
		int line; const char *addr; int64_t at; enum throttle_verdict want; bool first;
	} cases[] = {
		/* an attacker from one address: 5 checked, then refused */
		{__LINE__, "198.51.100.7", 0, THROTTLE_CHECK, false},
		{__LINE__, "198.51.100.7", 1, THROTTLE_CHECK, false},
		{__LINE__, "198.51.100.7", 2, THROTTLE_CHECK, false},
		{__LINE__, "198.51.100.7", 3, THROTTLE_CHECK, false},
		{__LINE__, "198.51.100.7", 4, THROTTLE_CHECK, false},
		{__LINE__, "198.51.100.7", 5, THROTTLE_LIMITED, true},
		{__LINE__, "198.51.100.7", 6, THROTTLE_LIMITED, false},
		/* the owner, from another address: its first attempt is checked ... */
		{__LINE__, "192.0.2.10", 7, THROTTLE_CHECK, false},
		/* ... a second one from there is not, while the account is over */
		{__LINE__, "192.0.2.10", 8, THROTTLE_LIMITED, true},
		/* a window later, all is forgotten */
		{__LINE__, "198.51.100.7", 61, THROTTLE_CHECK, false},
	};

	web_reset();
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum throttle_verdict v = attempt(cases[i].addr, NOW + cases[i].at * SECOND, &wait, &e);

		CHECK_AT(e == ERR_NONE && v == cases[i].want, cases[i].line,
		         "%s at +%llds: verdict %d, want %d (err %d)", cases[i].addr,
		         (long long)cases[i].at, v, cases[i].want, e);
		CHECK_AT(v != THROTTLE_LIMITED || (wait >= 1 && wait <= 60), cases[i].line,
		         "refused with Retry-After %lld", (long long)wait);
		/* A subject's first refusal of a window is the one a log records. */
		CHECK_AT(v != THROTTLE_LIMITED || first == cases[i].first, cases[i].line,
		         "first refusal %d, want %d", first, cases[i].first);
	}
}

/* Over its own limit, an address adds nothing for the e-mails it tries. */
static void
test_address_limit_bounds_rows(void)
{
	struct throttle_subjects s;
	enum throttle_verdict v = THROTTLE_CHECK;
	int64_t wait = 0;
	int slot;
	char email[64];
	unsigned rows_at_limit = 0;

	web_reset();
	for (int i = 0; i < 30; i++) {
		snprintf(email, sizeof(email), "guess%d@example.com", i);
		throttle_subjects(NULL, email, "203.0.113.5", &s);
		CHECK(throttle_gate(NULL, &cfg, &no_cap, &s, NOW + i, &v, &wait, &slot, &first) == ERR_NONE,
		      "attempt %d", i);
		verifyslot_release(slot);
		CHECK((i < 20) == (v == THROTTLE_CHECK), "attempt %d: verdict %d", i, v);
		if (i == 19)
			rows_at_limit = web_throttle_rows();
	}
	/* 1 address row + 2 rows (e-mail, pair) per checked attempt; none after. */
	CHECK(rows_at_limit == 41 && web_throttle_rows() == 41, "rows: %u at the limit, %u after",
	      rows_at_limit, web_throttle_rows());
}

/* Every slot taken: busy, and the address's count is given back. */
static void
test_busy(void)
{
	char dir[] = "/tmp/ps-throttle-XXXXXX", path[CONFIG_STR_MAX + 64];
	struct verifyslot slots;
	struct throttle_subjects s;
	enum throttle_verdict v;
	int64_t wait;
	int held, slot;

	web_reset();
	if (mkdtemp(dir) == NULL) {
		CHECK(false, "mkdtemp");
		return;
	}
	memset(&slots, 0, sizeof(slots));
	snprintf(slots.dir, sizeof(slots.dir), "%s", dir);
	slots.n = 1;
	held = verifyslot_take(&slots);
	CHECK(held >= 0, "the one slot: %d", held);
	throttle_subjects(account, "", "192.0.2.1", &s);
	CHECK(throttle_gate(NULL, &cfg, &slots, &s, NOW, &v, &wait, &slot, &first) == ERR_NONE &&
	      v == THROTTLE_BUSY && slot == VERIFYSLOT_OFF, "busy: verdict %d slot %d", v, slot);
	CHECK(web_throttle_row(s.address, false) != NULL && web_throttle_row(s.address, false)->n == 0,
	      "the address's attempt was given back");
	CHECK(web_throttle_row(s.account, false) == NULL, "the account was not counted");
	verifyslot_release(held);
	CHECK(throttle_gate(NULL, &cfg, &slots, &s, NOW, &v, &wait, &slot, &first) == ERR_NONE &&
	      v == THROTTLE_CHECK && slot >= 0, "free again: verdict %d slot %d", v, slot);
	verifyslot_release(slot);
	snprintf(path, sizeof(path), "%s/parsesphere-verify-0.lock", dir);
	unlink(path);
	rmdir(dir);
}

static void
test_forgive_and_prune(void)
{
	struct throttle_subjects s;
	int64_t wait;
	enum err e;

	web_reset();
	for (int i = 0; i < 3; i++)
		attempt("192.0.2.1", NOW + i, &wait, &e);
	throttle_subjects(account, "owner@example.com", "192.0.2.1", &s);
	CHECK(throttle_forgive(NULL, &s) == ERR_NONE, "forgive");
	CHECK(web_throttle_row(s.pair, false) == NULL, "the pair is cleared");
	CHECK(web_throttle_row(s.account, false)->n == 2 && web_throttle_row(s.address, false)->n == 2,
	      "one attempt fewer: account %u, address %u", web_throttle_row(s.account, false)->n,
	      web_throttle_row(s.address, false)->n);
	/* 15 ended windows: each attempt deletes 10 of them, the oldest first. */
	web_reset();
	for (int i = 0; i < 15; i++) {
		uint8_t subj[STORE_SUBJECT_LEN] = {(uint8_t)i, 0xee};

		store_throttle_count(NULL, subj, NOW - (100 - i) * SECOND, 0);
	}
	attempt("192.0.2.1", NOW, &wait, &e);
	CHECK(web_throttle_rows() == 5 + 3, "after one attempt: %u rows", web_throttle_rows());
	attempt("192.0.2.1", NOW + 1, &wait, &e);
	CHECK(web_throttle_rows() == 3, "after two: %u rows", web_throttle_rows());
}

static void
test_failures(void)
{
	int64_t wait = 0;
	enum err e;

	web_reset();
	web.rc = DB_UNAVAILABLE;
	CHECK(attempt("192.0.2.1", NOW, &wait, &e) == THROTTLE_LIMITED &&
	      e == ERR_SERVICE_UNAVAILABLE, "database away: %d", e);
	web.rc = DB_ERROR;
	CHECK(attempt("192.0.2.1", NOW, &wait, &e) == THROTTLE_LIMITED && e == ERR_INTERNAL,
	      "database error: %d", e);
	struct throttle_subjects s;
	throttle_subjects(account, "", "192.0.2.1", &s);
	CHECK(throttle_forgive(NULL, &s) == ERR_INTERNAL, "forgive on a broken database");
}

int
main(void)
{
	cfg.login_failures_per_account = 5;
	cfg.login_failures_per_address = 20;
	cfg.login_window_seconds = 60;
	test_subjects();
	test_order();
	test_address_limit_bounds_rows();
	test_busy();
	test_forgive_and_prune();
	test_failures();
	return harness_summary();
}
