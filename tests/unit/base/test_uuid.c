/* Unit tests of lib/uuid.c: the parse table, lowercase formatting, v7 layout. */
#include "../../../lib/base/uuid.c"
#include "../../../lib/base/validate.c"
#include "../harness.h"

#include <sys/wait.h>
#include <unistd.h>

/* The bytes of 0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a (docs/api.md's example id). */
static const uint8_t example[UUID_LEN] = {
	0x01, 0x93, 0xa1, 0xf2, 0x7c, 0x4e, 0x7b, 0x1a,
	0x9a, 0x55, 0x3f, 0x2d, 0x1c, 0x0b, 0x9e, 0x8a,
};

static void
test_parse_table(void)
{
	static const struct { int line; const char *s; int want; } cases[] = {
		{__LINE__, "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a", 0},
		{__LINE__, "0193A1F2-7C4E-7B1A-9A55-3F2D1C0B9E8A", 0},   /* upper case */
		{__LINE__, "0193a1F2-7c4E-7B1a-9A55-3f2D1c0B9e8A", 0},   /* mixed case */
		{__LINE__, "", -1},
		{__LINE__, "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8", -1},    /* 35 chars */
		{__LINE__, "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a0", -1},  /* 37 chars */
		{__LINE__, "0193a1f27c4e7b1a9a553f2d1c0b9e8a", -1},       /* no hyphens */
		{__LINE__, "0193a1f27-c4e-7b1a-9a55-3f2d1c0b9e8a", -1},   /* hyphen moved right */
		{__LINE__, "0193a1f-27c4e-7b1a-9a55-3f2d1c0b9e8a", -1},   /* hyphen moved left */
		{__LINE__, "0193a1f2-7c4e7-b1a-9a55-3f2d1c0b9e8a", -1},
		{__LINE__, "0193a1f2-7c4e-7b1a9-a55-3f2d1c0b9e8a", -1},
		{__LINE__, "0193a1f2-7c4e-7b1a-9a553-f2d1c0b9e8a", -1},
		{__LINE__, "0193a1f2_7c4e_7b1a_9a55_3f2d1c0b9e8a", -1},   /* underscores */
		{__LINE__, "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8g", -1},   /* 'g' */
		{__LINE__, "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8G", -1},
		{__LINE__, "z193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a", -1},
		{__LINE__, " 193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a", -1},   /* space */
		{__LINE__, "+193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a", -1},
		{__LINE__, "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e-a", -1},   /* hyphen for a digit */
		{__LINE__, "0193a1f2--c4e-7b1a-9a55-3f2d1c0b9e8a", -1},
		{__LINE__, "{0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a}", -1}, /* braces */
		{__LINE__, "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8\xc3", -1},
		{__LINE__, "------------------------------------", -1},
	};
	uint8_t out[UUID_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = uuid_parse(cases[i].s, strlen(cases[i].s), out);
		CHECK_AT(got == cases[i].want, cases[i].line, "parse(%s) = %d, want %d",
		         cases[i].s, got, cases[i].want);
		if (got == 0 && cases[i].want == 0)
			CHECK_AT(memcmp(out, example, UUID_LEN) == 0, cases[i].line,
			         "parse(%s): wrong bytes", cases[i].s);
	}
}

static void
test_parse_length_and_nul(void)
{
	static const char good[] = "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a";
	char buf[64];
	uint8_t out[UUID_LEN];

	/* Only len counts, not the NUL: a longer string with len 36 is parsed. */
	snprintf(buf, sizeof(buf), "%sXYZ", good);
	CHECK(uuid_parse(buf, 36, out) == 0 && memcmp(out, example, UUID_LEN) == 0,
	      "36 bytes of a longer string rejected");
	CHECK(uuid_parse(buf, 37, out) == -1, "37 bytes accepted");
	CHECK(uuid_parse(good, 35, out) == -1, "35 bytes accepted");
	CHECK(uuid_parse(good, 0, out) == -1, "0 bytes accepted");

	/* An embedded NUL, at a hex position and at a hyphen position. */
	static const int at[] = {0, 1, 7, 8, 13, 20, 35};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		memcpy(buf, good, 37);
		buf[at[i]] = '\0';
		CHECK(uuid_parse(buf, 36, out) == -1, "NUL at %d accepted", at[i]);
	}
}

static void
test_format(void)
{
	static const struct { int line; uint8_t id[UUID_LEN]; const char *want; } cases[] = {
		{__LINE__, {0}, "00000000-0000-0000-0000-000000000000"},
		{__LINE__, {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
		 "ffffffff-ffff-ffff-ffff-ffffffffffff"},
		{__LINE__, {0x01, 0x93, 0xa1, 0xf2, 0x7c, 0x4e, 0x7b, 0x1a,
		            0x9a, 0x55, 0x3f, 0x2d, 0x1c, 0x0b, 0x9e, 0x8a},
		 "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a"},
		{__LINE__, {0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		            0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff},
		 "00112233-4455-6677-8899-aabbccddeeff"},
	};
	char out[UUID_TEXT_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'X', sizeof(out));
		uuid_format(cases[i].id, out);
		CHECK_AT(out[UUID_TEXT_LEN] == '\0' && strcmp(out, cases[i].want) == 0,
		         cases[i].line, "format = %.37s, want %s", out, cases[i].want);
	}
}

/* Any-case input comes back out lowercase. */
static void
test_round_trip(void)
{
	static const struct { int line; const char *in, *want; } cases[] = {
		{__LINE__, "0193A1F2-7C4E-7B1A-9A55-3F2D1C0B9E8A", "0193a1f2-7c4e-7b1a-9a55-3f2d1c0b9e8a"},
		{__LINE__, "AbCdEf01-2345-6789-aBcD-eF0123456789", "abcdef01-2345-6789-abcd-ef0123456789"},
		{__LINE__, "00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000000"},
	};
	uint8_t id[UUID_LEN];
	char out[UUID_TEXT_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = uuid_parse(cases[i].in, strlen(cases[i].in), id);
		CHECK_AT(rc == 0, cases[i].line, "parse(%s) = %d", cases[i].in, rc);
		uuid_format(id, out);
		CHECK_AT(strcmp(out, cases[i].want) == 0, cases[i].line, "round trip %s -> %s",
		         cases[i].in, out);
	}
}

static void
test_v7(void)
{
	uint8_t a[UUID_LEN], b[UUID_LEN];
	char ta[UUID_TEXT_LEN + 1], tb[UUID_TEXT_LEN + 1];
	int bad_version = 0, bad_variant = 0, same = 0;

	/* The 48-bit big-endian millisecond prefix. */
	uuid_v7(a, UINT64_C(0x0193a1f27c4e));
	static const uint8_t prefix[6] = {0x01, 0x93, 0xa1, 0xf2, 0x7c, 0x4e};
	CHECK(memcmp(a, prefix, 6) == 0, "time prefix %02x%02x%02x%02x%02x%02x",
	      a[0], a[1], a[2], a[3], a[4], a[5]);
	uuid_format(a, ta);
	CHECK(memcmp(ta, "0193a1f2-7c4e-7", 15) == 0, "text %s", ta);
	CHECK(strchr("89ab", ta[19]) != NULL, "variant digit %c in %s", ta[19], ta);

	/* Only the low 48 bits of the instant are used. */
	uuid_v7(a, UINT64_C(0xabcd000000000001));
	static const uint8_t low48[6] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x01};
	CHECK(memcmp(a, low48, 6) == 0, "high bits leak into the prefix");

	/* Version and variant bits on many ids (the other bits are random). */
	for (int i = 0; i < 1000; i++) {
		uuid_v7(a, UINT64_C(1795867200000) + (uint64_t)i);
		uuid_v7(b, UINT64_C(1795867200000) + (uint64_t)i);
		bad_version += (a[6] >> 4) != 7;
		bad_variant += (a[8] & 0xc0) != 0x80;
		same += memcmp(a, b, UUID_LEN) == 0;
	}
	CHECK(bad_version == 0, "%d ids without version 7", bad_version);
	CHECK(bad_variant == 0, "%d ids without the 10xx variant", bad_variant);
	CHECK(same == 0, "%d pairs of equal ids in the same millisecond", same);

	/* Later instants sort later, as bytes and as text. */
	static const struct { int line; uint64_t t1, t2; } order[] = {
		{__LINE__, 0, 1},
		{__LINE__, 1795867200000u, 1795867200001u},
		{__LINE__, 1795867200255u, 1795867200256u},   /* carry into the next byte */
		{__LINE__, 0xffffffffffu, 0x10000000000u},     /* carry into the first byte */
		{__LINE__, 1700000000000u, 1795867200000u},
	};
	for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		int unordered = 0;
		for (int k = 0; k < 50; k++) {
			uuid_v7(a, order[i].t1);
			uuid_v7(b, order[i].t2);
			uuid_format(a, ta);
			uuid_format(b, tb);
			unordered += memcmp(a, b, UUID_LEN) >= 0 || strcmp(ta, tb) >= 0;
		}
		CHECK_AT(unordered == 0, order[i].line, "%d of 50: %s does not sort before %s",
		         unordered, ta, tb);
	}
}

/*
 * The pool of random bits: ids stay distinct across refills (more ids than
 * one pool holds), and a child of fork() never hands out the ids its parent
 * would: without the fork handler both would draw the same next bytes.
 */
static void
test_v7_pool_and_fork(void)
{
	enum { N = 2000 };   /* 2000 × 10 bytes: five pools */
	static uint8_t ids[N][UUID_LEN];
	uint8_t mine[UUID_LEN], childs[UUID_LEN];
	int fds[2], same = 0, status = 0;
	pid_t pid;

	for (int i = 0; i < N; i++)
		uuid_v7(ids[i], 1);
	for (int i = 0; i < N; i++)
		for (int j = i + 1; j < N; j++)
			same += memcmp(ids[i], ids[j], UUID_LEN) == 0;
	CHECK(same == 0, "%d pairs of equal ids over five pools", same);

	if (pipe(fds) != 0) {
		CHECK(false, "pipe");
		return;
	}
	uuid_v7(mine, 1);        /* the pool is partly used before the fork */
	pid = fork();
	if (pid == 0) {
		uuid_v7(childs, 1);
		_exit(write(fds[1], childs, UUID_LEN) == UUID_LEN ? 0 : 1);
	}
	uuid_v7(mine, 1);
	close(fds[1]);
	CHECK(pid > 0 && read(fds[0], childs, UUID_LEN) == UUID_LEN &&
	      waitpid(pid, &status, 0) == pid && status == 0, "no id from the child");
	close(fds[0]);
	CHECK(memcmp(mine, childs, UUID_LEN) != 0, "parent and child drew the same id after fork");
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_parse_table();
	test_parse_length_and_nul();
	test_format();
	test_round_trip();
	test_v7();
	test_v7_pool_and_fork();
	return harness_summary();
}
