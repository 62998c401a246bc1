/* Unit tests of lib/apikey.c: CRC-32 and base62 vectors, the parse table. */
#include "../../../lib/base/apikey.c"
#include "../harness.h"

static void
test_crc32(void)
{
	static const struct { int line; const char *in; uint32_t crc; } cases[] = {
		{__LINE__, "", 0x00000000u},
		{__LINE__, "a", 0xe8b7be43u},
		{__LINE__, "123456789", 0xcbf43926u},   /* the standard check value */
		{__LINE__, "The quick brown fox jumps over the lazy dog", 0x414fa339u},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t got = apikey_crc32(cases[i].in, strlen(cases[i].in));
		CHECK_AT(got == cases[i].crc, cases[i].line, "crc32 %08x != %08x", got, cases[i].crc);
	}
}

/* Expected values computed independently with Python's zlib.crc32. */
static void
test_checksum(void)
{
	static const struct { int line; const char *body; const char *want; } cases[] = {
		{__LINE__, "", "000000"},
		{__LINE__, "123456789", "3jZRME"},
		{__LINE__, "sk_abcdefghijabcdefghijabcdefghijabcdefghij", "4JqMWq"},
		{__LINE__, "sk_0123456789012345678901234567890123456789", "4WuBnh"},
	};
	char out[APIKEY_CHECK_LEN + 1] = {0};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		apikey_checksum(cases[i].body, strlen(cases[i].body), out);
		CHECK_AT(memcmp(out, cases[i].want, 6) == 0, cases[i].line,
		         "checksum %.6s, want %s", out, cases[i].want);
	}
}

static void
test_generate_parse(void)
{
	char key[APIKEY_LEN + 1], prefix[APIKEY_PREFIX_LEN + 1];

	for (int i = 0; i < 200; i++) {
		apikey_generate(key);
		CHECK(strlen(key) == APIKEY_LEN, "length %zu", strlen(key));
		CHECK(apikey_parse(key, strlen(key)) == APIKEY_OK, "generated key rejected: %s", key);
	}
	apikey_prefix(key, prefix);
	CHECK(strlen(prefix) == 12 && memcmp(prefix, key, 12) == 0, "prefix %s", prefix);
}

/*
 * Every character equally likely: 20 000 keys, 800 000 characters, each of
 * the 62 within 5 % of 1/62 (5.7 standard deviations; taking a byte modulo 62
 * without skipping would give 8 characters 25 % more).
 */
static void
test_generate_uniform(void)
{
	enum { KEYS = 20000 };
	unsigned long count[62] = {0};
	double want = (double)KEYS * APIKEY_RANDOM_LEN / 62;
	char key[APIKEY_LEN + 1];

	for (int i = 0; i < KEYS; i++) {
		apikey_generate(key);
		for (int j = 3; j < 3 + APIKEY_RANDOM_LEN; j++)
			count[strchr(base62, key[j]) - base62]++;
	}
	for (int c = 0; c < 62; c++)
		CHECK(count[c] > want * 0.95 && count[c] < want * 1.05, "'%c' drawn %lu times, want %.0f",
		      base62[c], count[c], want);
}

static void
test_parse_table(void)
{
	char good[APIKEY_LEN + 1], buf[128];

	apikey_generate(good);
	struct { int line; const char *s; enum apikey_status want; } cases[] = {
		{__LINE__, good, APIKEY_OK},
		{__LINE__, "sk_abcdefghijabcdefghijabcdefghijabcdefghij4JqMWq", APIKEY_OK},
		{__LINE__, "sk_01234567890123456789012345678901234567894WuBnh", APIKEY_OK},
		{__LINE__, "sk_01234567890123456789012345678901234567894WuBnH", APIKEY_ECHECKSUM},
		{__LINE__, "", APIKEY_EFORMAT},
		{__LINE__, "sk_", APIKEY_EFORMAT},
		{__LINE__, "sk_abc", APIKEY_EFORMAT},
		{__LINE__, "pk_0000000000000000000000000000000000000000000000", APIKEY_EFORMAT},
		{__LINE__, "SK_0000000000000000000000000000000000000000000000", APIKEY_EFORMAT},
		{__LINE__, "sk_000000000000000000000000000000000000000000000-", APIKEY_EFORMAT},
		{__LINE__, "sk_0000000000000000000000000000000000000000000000", APIKEY_ECHECKSUM},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum apikey_status got = apikey_parse(cases[i].s, strlen(cases[i].s));
		CHECK_AT(got == cases[i].want, cases[i].line, "parse(%s) = %d", cases[i].s, got);
	}
	/* Every single-character change of a valid key is caught by format or checksum. */
	int caught = 0, total = 0;
	for (size_t i = 3; i < APIKEY_LEN; i++) {
		memcpy(buf, good, APIKEY_LEN + 1);
		buf[i] = buf[i] == 'A' ? 'B' : 'A';
		total++;
		caught += apikey_parse(buf, APIKEY_LEN) != APIKEY_OK;
	}
	CHECK(caught == total, "%d of %d single-character changes caught", caught, total);
	/* One byte longer or shorter. */
	memcpy(buf, good, APIKEY_LEN + 1);
	CHECK(apikey_parse(buf, APIKEY_LEN - 1) == APIKEY_EFORMAT, "short key accepted");
	buf[APIKEY_LEN] = 'x';
	CHECK(apikey_parse(buf, APIKEY_LEN + 1) == APIKEY_EFORMAT, "long key accepted");
	/* An embedded NUL. */
	memcpy(buf, good, APIKEY_LEN + 1);
	buf[20] = '\0';
	CHECK(apikey_parse(buf, APIKEY_LEN) == APIKEY_EFORMAT, "embedded NUL accepted");
}

static void
test_hash(void)
{
	unsigned char pepper1[32] = {1}, pepper2[32] = {2}, h1[32], h2[32], h3[32];
	char key[APIKEY_LEN + 1];

	apikey_generate(key);
	CHECK(apikey_hash(key, pepper1, h1) == 0, "hash failed");
	apikey_hash(key, pepper1, h2);
	apikey_hash(key, pepper2, h3);
	CHECK(memcmp(h1, h2, 32) == 0, "hash is not deterministic");
	CHECK(memcmp(h1, h3, 32) != 0, "the pepper does not change the hash");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_crc32();
	test_checksum();
	test_generate_parse();
	test_generate_uniform();
	test_parse_table();
	test_hash();
	return harness_summary();
}
