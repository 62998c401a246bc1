#include "base/tokens.h"

#include <string.h>
#include <sodium.h>

/* KDF context (8 bytes) and the subkey ids of each derived secret. */
static const char kdf_ctx[crypto_kdf_CONTEXTBYTES] = "pssessn";
enum { SUB_ID = 1, SUB_CSRF = 2, SUB_SEAL = 3 };

void
tokens_new(uint8_t tok[TOKENS_LEN])
{
	randombytes_buf(tok, TOKENS_LEN);
}

void
tokens_text(const uint8_t tok[TOKENS_LEN], char out[TOKENS_TEXT_LEN + 1])
{
	sodium_bin2base64(out, TOKENS_TEXT_LEN + 1, tok, TOKENS_LEN,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
tokens_parse(const char *s, size_t len, uint8_t tok[TOKENS_LEN])
{
	size_t n = 0;
	const char *end = NULL;

	if (len != TOKENS_TEXT_LEN)
		return false;
	/* libsodium 1.0.18 lets bytes above 0x7f through as base64 characters. */
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return false;
	return sodium_base642bin(tok, TOKENS_LEN, s, len, NULL, &n, &end,
	                         sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
	       n == TOKENS_LEN && end == s + len;
}

static void
derive(const uint8_t tok[TOKENS_LEN], uint64_t sub, uint8_t out[32])
{
	crypto_kdf_derive_from_key(out, 32, sub, kdf_ctx, tok);
}

void
tokens_id(const uint8_t tok[TOKENS_LEN], uint8_t id[TOKENS_ID_LEN])
{
	derive(tok, SUB_ID, id);
}

void
tokens_csrf(const uint8_t tok[TOKENS_LEN], char out[TOKENS_TEXT_LEN + 1])
{
	uint8_t k[32];

	derive(tok, SUB_CSRF, k);
	tokens_text(k, out);
	sodium_memzero(k, sizeof(k));
}

bool
tokens_csrf_check(const uint8_t tok[TOKENS_LEN], const char *s, size_t len)
{
	char want[TOKENS_TEXT_LEN + 1];
	bool ok;

	tokens_csrf(tok, want);
	/* The length is public (always 43); the content is compared in constant time. */
	ok = len == TOKENS_TEXT_LEN && sodium_memcmp(want, s, TOKENS_TEXT_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}

size_t
tokens_seal(const uint8_t tok[TOKENS_LEN], const char *msg, size_t len,
             uint8_t out[TOKENS_SEAL_MAX])
{
	uint8_t k[crypto_secretbox_KEYBYTES];

	if (len > TOKENS_SEAL_MAX - TOKENS_SEAL_OVERHEAD)
		return 0;
	derive(tok, SUB_SEAL, k);
	randombytes_buf(out, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(out + crypto_secretbox_NONCEBYTES, (const uint8_t *)msg, len,
	                      out, k);
	sodium_memzero(k, sizeof(k));
	return len + TOKENS_SEAL_OVERHEAD;
}

long
tokens_open(const uint8_t tok[TOKENS_LEN], const uint8_t *sealed, size_t len,
             char out[TOKENS_SEAL_MAX])
{
	uint8_t k[crypto_secretbox_KEYBYTES];
	long n = -1;

	if (len < TOKENS_SEAL_OVERHEAD || len > TOKENS_SEAL_MAX)
		return -1;
	derive(tok, SUB_SEAL, k);
	if (crypto_secretbox_open_easy((uint8_t *)out, sealed + crypto_secretbox_NONCEBYTES,
	                               len - crypto_secretbox_NONCEBYTES, sealed, k) == 0) {
		n = (long)(len - TOKENS_SEAL_OVERHEAD);
		out[n] = '\0';
	}
	sodium_memzero(k, sizeof(k));
	return n;
}
