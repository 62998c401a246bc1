#include "core/throttle.h"

#include <string.h>
#include <arpa/inet.h>
#include <sodium.h>

#include "base/timefmt.h"
#include "base/uuid.h"
#include "core/result.h"

/* A subject: a hash of what it counts, with its kind (an account, an e-mail, ...). */
static void
subject(const char *kind, const void *value, size_t len, uint8_t out[STORE_SUBJECT_LEN])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, STORE_SUBJECT_LEN);
	crypto_generichash_update(&st, (const uint8_t *)kind, strlen(kind) + 1);
	crypto_generichash_update(&st, (const uint8_t *)value, len);
	crypto_generichash_final(&st, out, STORE_SUBJECT_LEN);
}

/*
 * The client's address as the throttle counts it: IPv6 by its /64, which one
 * client usually holds whole (counting each address would give it 2^64
 * counters); IPv4, and IPv4 mapped into IPv6, by the address.
 */
static void
address_subject(const char *addr, uint8_t out[STORE_SUBJECT_LEN])
{
	struct in6_addr a6;

	if (inet_pton(AF_INET6, addr, &a6) == 1 && !IN6_IS_ADDR_V4MAPPED(&a6))
		subject("address6", a6.s6_addr, 8, out);
	else
		subject("address", addr, strlen(addr), out);
}

/*
 * Counted per account when there is one, so that no other spelling of its
 * e-mail (MariaDB folds case across Unicode) gets a counter of its own; else
 * per e-mail as typed, so that unknown e-mails behave alike.
 */
void
throttle_subjects(const uint8_t *account, const char *email, const char *address,
                  struct throttle_subjects *s)
{
	uint8_t both[2 * STORE_SUBJECT_LEN];

	if (account != NULL)
		subject("account", account, UUID_LEN, s->account);
	else
		subject("email", email, strlen(email), s->account);
	address_subject(address ? address : "", s->address);
	memcpy(both, s->account, STORE_SUBJECT_LEN);
	memcpy(both + STORE_SUBJECT_LEN, s->address, STORE_SUBJECT_LEN);
	subject("pair", both, sizeof(both), s->pair);
}

/*
 * Counts this attempt against the subject: one atomic increment, then the
 * count, so that of any number of attempts at once no more than `limit` get
 * through (a check before and a count after would let a burst pass). *wait:
 * the seconds until the window ends when this attempt is over the limit, else 0.
 */
static enum db_status
count(struct db *db, const uint8_t subj[STORE_SUBJECT_LEN], unsigned limit, int64_t now,
      int64_t window, int64_t *wait)
{
	int64_t start = 0;
	unsigned attempts = 0;
	enum db_status rc = store_throttle_count(db, subj, now, now - window);

	if (rc == DB_OK)
		rc = store_throttle_get(db, subj, &start, &attempts);
	*wait = 0;
	if (rc == DB_OK && attempts > limit && start + window > now)
		*wait = (start + window - now + TIMEFMT_SECOND - 1) / TIMEFMT_SECOND;
	return rc;
}

enum err
throttle_gate(struct db *db, const struct config *cfg, struct verifyslot *slots,
              const struct throttle_subjects *s, int64_t now, enum throttle_verdict *verdict,
              int64_t *wait, int *slot, bool *first)
{
	int64_t window = (int64_t)cfg->login_window_seconds * TIMEFMT_SECOND, wait_pair = 0;
	enum db_status rc;

	*verdict = THROTTLE_LIMITED;
	*slot = VERIFYSLOT_OFF;
	*first = false;
	/*
	 * Housekeeping, unchecked: a lock conflict with another attempt's prune
	 * must refuse no log-in, and a lost database fails the count below.
	 */
	store_throttle_prune(db, now - window);
	rc = count(db, s->address, cfg->login_failures_per_address, now, window, wait);
	if (rc == DB_OK && *wait > 0)
		rc = store_throttle_claim_refusal(db, s->address, first);
	if (rc != DB_OK || *wait > 0)
		return result_db(rc);
	*slot = verifyslot_take(slots);
	if (*slot == VERIFYSLOT_BUSY) {
		/* Unchecked: the answer is "busy" whether or not the count is taken back. */
		store_throttle_forgive(db, s->address);
		*slot = VERIFYSLOT_OFF;
		*verdict = THROTTLE_BUSY;
		return ERR_NONE;
	}
	rc = count(db, s->account, cfg->login_failures_per_account, now, window, wait);
	if (rc == DB_OK)
		rc = count(db, s->pair, 1, now, window, &wait_pair);
	/* Refused only when both say so; free again when either window ends. */
	*wait = *wait < wait_pair ? *wait : wait_pair;
	if (rc == DB_OK && *wait == 0) {
		*verdict = THROTTLE_CHECK;
		return ERR_NONE;
	}
	verifyslot_release(*slot);
	*slot = VERIFYSLOT_OFF;
	if (rc == DB_OK)
		rc = store_throttle_claim_refusal(db, s->pair, first);
	return result_db(rc);
}

enum err
throttle_forgive(struct db *db, const struct throttle_subjects *s)
{
	enum db_status rc = store_throttle_clear(db, s->pair);

	if (rc == DB_OK)
		rc = store_throttle_forgive(db, s->account);
	if (rc == DB_OK)
		rc = store_throttle_forgive(db, s->address);
	return result_db(rc);
}
