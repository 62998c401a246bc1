#include "base/apikey.h"

#include <string.h>
#include <sodium.h>

static const char base62[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int
is_base62(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
	       (c >= 'a' && c <= 'z');
}

uint32_t
apikey_crc32(const void *buf, size_t len)
{
	const unsigned char *p = buf;
	uint32_t crc = 0xffffffffu;

	/* Bitwise on purpose: 43 bytes per request do not justify a table. */
	while (len-- > 0) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return crc ^ 0xffffffffu;
}

void
apikey_checksum(const char *body, size_t len, char out[APIKEY_CHECK_LEN])
{
	uint32_t v = apikey_crc32(body, len);

	/* 62^6 > 2^32, so six digits always hold the value. */
	for (int i = APIKEY_CHECK_LEN - 1; i >= 0; i--) {
		out[i] = base62[v % 62];
		v /= 62;
	}
}

/*
 * The random characters from one buffer of random bytes: a byte below 248
 * (4 × 62) picks a character uniformly, others are skipped (3 %), and the
 * buffer is drawn again when it runs out. (randombytes_uniform per character
 * asked the kernel 40 times a key.)
 */
void
apikey_generate(char out[APIKEY_LEN + 1])
{
	unsigned char pool[APIKEY_RANDOM_LEN + 16];
	size_t used = sizeof(pool);

	memcpy(out, "sk_", 3);
	for (int i = 0; i < APIKEY_RANDOM_LEN;) {
		if (used == sizeof(pool)) {
			randombytes_buf(pool, sizeof(pool));
			used = 0;
		}
		if (pool[used] < 248)
			out[3 + i++] = base62[pool[used] % 62];
		used++;
	}
	sodium_memzero(pool, sizeof(pool));
	apikey_checksum(out, 3 + APIKEY_RANDOM_LEN, out + 3 + APIKEY_RANDOM_LEN);
	out[APIKEY_LEN] = '\0';
}

enum apikey_status
apikey_parse(const char *tok, size_t len)
{
	char want[APIKEY_CHECK_LEN];

	if (len != APIKEY_LEN || memcmp(tok, "sk_", 3) != 0)
		return APIKEY_EFORMAT;
	for (size_t i = 3; i < len; i++)
		if (!is_base62((unsigned char)tok[i]))
			return APIKEY_EFORMAT;
	apikey_checksum(tok, 3 + APIKEY_RANDOM_LEN, want);
	/* The checksum is public data, but constant time costs nothing here. */
	if (sodium_memcmp(want, tok + 3 + APIKEY_RANDOM_LEN, APIKEY_CHECK_LEN) != 0)
		return APIKEY_ECHECKSUM;
	return APIKEY_OK;
}

void
apikey_prefix(const char *key, char out[APIKEY_PREFIX_LEN + 1])
{
	memcpy(out, key, APIKEY_PREFIX_LEN);
	out[APIKEY_PREFIX_LEN] = '\0';
}

int
apikey_hash(const char *key, const unsigned char pepper[APIKEY_PEPPER_LEN],
            unsigned char out[APIKEY_HASH_LEN])
{
	return crypto_generichash(out, APIKEY_HASH_LEN,
	                          (const unsigned char *)key, APIKEY_LEN,
	                          pepper, APIKEY_PEPPER_LEN);
}
