/*
 * libFuzzer driver for lib/apikey.c (docs/api.md, "Authentication", key format).
 *  - apikey_parse on the raw input agrees with the format read from the
 *    contract: ^sk_[0-9A-Za-z]{46}$ and the last 6 characters the base62
 *    CRC-32 of the first 43;
 *  - apikey_crc32 equals zlib's crc32 on the input (the contract's reference);
 *  - parse(generate()) is OK, and so is a key built from the input's bytes;
 *    changing any one character of a valid key makes it invalid
 *    (EFORMAT in "sk_", ECHECKSUM elsewhere: CRC-32 catches every
 *    single-byte change and 6 base62 digits hold any 32-bit value);
 *  - apikey_prefix and apikey_hash work on every key parse accepts.
 */
#include "../../lib/base/apikey.c"
#include "fuzz_util.h"

#include <zlib.h>

static const char alphabet[] =
	"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static bool
ref_base62(unsigned char c)
{
	return c != '\0' && memchr(alphabet, c, 62) != NULL;
}

/* The 6-character checksum written from the contract, with zlib's CRC-32. */
static void
ref_checksum(const char *body, char out[6])
{
	uint32_t v = (uint32_t)crc32(0L, (const Bytef *)body, 43);

	for (int i = 5; i >= 0; i--) {
		out[i] = alphabet[v % 62];
		v /= 62;
	}
}

static enum apikey_status
ref_parse(const char *t, size_t len)
{
	char want[6];

	if (len != 49 || memcmp(t, "sk_", 3) != 0)
		return APIKEY_EFORMAT;
	for (size_t i = 3; i < 49; i++)
		if (!ref_base62((unsigned char)t[i]))
			return APIKEY_EFORMAT;
	ref_checksum(t, want);
	return memcmp(want, t + 43, 6) == 0 ? APIKEY_OK : APIKEY_ECHECKSUM;
}

static void
check_valid_key(const char *key, const uint8_t *data, size_t size)
{
	static const unsigned char pepper[APIKEY_PEPPER_LEN] = {1, 2, 3};
	unsigned char h1[APIKEY_HASH_LEN], h2[APIKEY_HASH_LEN];
	char prefix[APIKEY_PREFIX_LEN + 1], copy[APIKEY_LEN];

	FUZZ_CHECK(apikey_parse(key, APIKEY_LEN) == APIKEY_OK);
	FUZZ_CHECK(ref_parse(key, APIKEY_LEN) == APIKEY_OK);
	apikey_prefix(key, prefix);
	FUZZ_CHECK(strlen(prefix) == APIKEY_PREFIX_LEN && memcmp(prefix, key, APIKEY_PREFIX_LEN) == 0);
	FUZZ_CHECK(apikey_hash(key, pepper, h1) == 0 && apikey_hash(key, pepper, h2) == 0);
	FUZZ_CHECK(memcmp(h1, h2, sizeof(h1)) == 0);

	/* One character changed, at a position and to a byte from the input. */
	if (size >= 2) {
		size_t pos = data[0] % APIKEY_LEN;
		char c = (char)data[1];
		if (c != key[pos]) {
			enum apikey_status st;
			memcpy(copy, key, APIKEY_LEN);
			copy[pos] = c;
			st = apikey_parse(copy, APIKEY_LEN);
			FUZZ_CHECK(st != APIKEY_OK);
			FUZZ_CHECK(st == ((pos < 3 || !ref_base62((unsigned char)c)) ?
			                  APIKEY_EFORMAT : APIKEY_ECHECKSUM));
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that ASan sees any read past the token. */
	char *tok = malloc(size ? size : 1), key[APIKEY_LEN + 1];
	enum apikey_status st;

	if (tok == NULL)
		abort();
	if (size > 0)
		memcpy(tok, data, size);
	st = apikey_parse(tok, size);
	FUZZ_CHECK(st == APIKEY_OK || st == APIKEY_EFORMAT || st == APIKEY_ECHECKSUM);
	FUZZ_CHECK(st == ref_parse(tok, size));
	FUZZ_CHECK(apikey_crc32(tok, size) == (uint32_t)crc32(0L, (const Bytef *)tok, (uInt)size));
	if (st == APIKEY_OK)
		check_valid_key(tok, data, size);

	/* A fresh key always parses. */
	apikey_generate(key);
	FUZZ_CHECK(key[APIKEY_LEN] == '\0' && strlen(key) == APIKEY_LEN);
	check_valid_key(key, data, size);

	/* So does one whose 40 random characters come from the input. */
	memcpy(key, "sk_", 3);
	for (size_t i = 0; i < APIKEY_RANDOM_LEN; i++)
		key[3 + i] = alphabet[(i < size ? data[i] : i) % 62];
	apikey_checksum(key, 3 + APIKEY_RANDOM_LEN, key + 3 + APIKEY_RANDOM_LEN);
	key[APIKEY_LEN] = '\0';
	check_valid_key(key, data, size);

	free(tok);
	return 0;
}
