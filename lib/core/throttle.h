/*
 * throttle: the dashboard log-in's defence against guessing, written as one
 * rule (docs/dashboard.md, "Log-in throttle"). Counts live in login_throttle
 * under subjects, hashes that name what they count: the account (or the
 * e-mail as typed when no account has it), the client's address (IPv6 by its
 * /64) and the pair of both. On every attempt, in this order:
 *
 *  1. a few windows that have ended are deleted, anyone's;
 *  2. the address is counted: over its limit, refused before anything is
 *     counted for the e-mail, so that an address adds rows for at most
 *     per_address e-mails a window;
 *  3. a verification slot is taken (core/verifyslot.h), else the attempt is
 *     taken back and refused as busy: argon2id must not starve the API;
 *  4. the account and the pair are counted: over the account's limit, only
 *     the address's first attempt at it in the window is checked, so an
 *     attacker gets one guess per address and window while the owner, from
 *     another address, still gets in.
 *
 * Each count is one atomic increment before the password is checked, so a
 * burst cannot pass. The right password takes back its own attempt and the
 * address's earlier ones at the account (not the account's: those may be an
 * attacker's). Results follow core/result.h.
 */
#ifndef PS_THROTTLE_H
#define PS_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/config.h"
#include "base/errors.h"
#include "core/verifyslot.h"
#include "data/store_web.h"

struct throttle_subjects {
	uint8_t account[STORE_SUBJECT_LEN], address[STORE_SUBJECT_LEN], pair[STORE_SUBJECT_LEN];
};

/* account: its id, or NULL when no account has the e-mail (then the e-mail counts). */
void throttle_subjects(const uint8_t *account, const char *email, const char *address,
                       struct throttle_subjects *s);

enum throttle_verdict {
	THROTTLE_CHECK,        /* check the password, holding *slot */
	THROTTLE_LIMITED,      /* refused: retry after *wait seconds */
	THROTTLE_BUSY          /* refused: every verification slot is taken */
};

/*
 * Steps 1 to 4 for one attempt. On THROTTLE_CHECK the caller verifies the
 * password, then gives *slot back with verifyslot_release; on any other
 * verdict or error no slot is held. On THROTTLE_LIMITED, *first tells
 * whether this is the first refusal of the refusing subject's window (the
 * address, or the pair): the one a log records, so that an attacker's
 * refused attempts add at most one record per subject and window.
 */
enum err throttle_gate(struct db *db, const struct config *cfg, struct verifyslot *slots,
                       const struct throttle_subjects *s, int64_t now,
                       enum throttle_verdict *verdict, int64_t *wait, int *slot, bool *first);

/* The right password: its attempt was no failure after all. */
enum err throttle_forgive(struct db *db, const struct throttle_subjects *s);

#endif
