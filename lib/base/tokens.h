/*
 * tokens: the secrets of a dashboard session, all derived from one token of
 * 32 random bytes that only the browser keeps (in a cookie):
 *
 *   id     the hash the database stores instead of the token;
 *   csrf   the form token that proves a POST came from a page we served to
 *          the token's holder (bound to the session, never stored);
 *   seal   the key that locks a new API key's secret while it waits in the
 *          database for the one page that shows it.
 *
 * Each is a libsodium KDF subkey of the token with its own id, so one never
 * reveals another. The same functions serve the pre-login cookie whose token
 * binds the log-in form's csrf. Pure functions: no database, no I/O.
 */
#ifndef PS_TOKENS_H
#define PS_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOKENS_LEN   32
#define TOKENS_TEXT_LEN    43   /* base64url of 32 bytes, no padding */
#define TOKENS_ID_LEN      32
/* Sealed text: nonce, MAC, then the plaintext's bytes. */
#define TOKENS_SEAL_OVERHEAD 40
#define TOKENS_SEAL_MAX    128

/* A fresh token from the system's CSPRNG. */
void tokens_new(uint8_t tok[TOKENS_LEN]);
void tokens_text(const uint8_t tok[TOKENS_LEN], char out[TOKENS_TEXT_LEN + 1]);
/* A cookie value back to its token: false unless exactly 43 base64url characters. */
bool tokens_parse(const char *s, size_t len, uint8_t tok[TOKENS_LEN]);

void tokens_id(const uint8_t tok[TOKENS_LEN], uint8_t id[TOKENS_ID_LEN]);
void tokens_csrf(const uint8_t tok[TOKENS_LEN], char out[TOKENS_TEXT_LEN + 1]);
/* Whether a form's csrf value belongs to tok; constant time in its content. */
bool tokens_csrf_check(const uint8_t tok[TOKENS_LEN], const char *s, size_t len);

/*
 * Seals msg[0..len) for the token's holder into out (len +
 * TOKENS_SEAL_OVERHEAD bytes, at most TOKENS_SEAL_MAX). Returns the sealed
 * length, or 0 if it does not fit.
 */
size_t tokens_seal(const uint8_t tok[TOKENS_LEN], const char *msg, size_t len,
                    uint8_t out[TOKENS_SEAL_MAX]);
/* Opens sealed text into out (room for TOKENS_SEAL_MAX bytes, NUL-terminated);
 * returns the length, or -1 if it was not sealed for this token. */
long tokens_open(const uint8_t tok[TOKENS_LEN], const uint8_t *sealed, size_t len,
                  char out[TOKENS_SEAL_MAX]);

#endif
