/*
 * Unit tests of lib/base/tokens.c: the cookie text of a token, the derived id and
 * csrf token, sealing a secret for the token's holder.
 */
#include "../../../lib/base/tokens.c"
#include "../harness.h"

/* The token whose bytes are 0, 1, ..., 31, and its text by Python's
 * base64.urlsafe_b64encode(bytes(range(32))) without the '='. */
static uint8_t seq[TOKENS_LEN];
static const char seq_text[] = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

static void
init_seq(void)
{
	for (int i = 0; i < TOKENS_LEN; i++)
		seq[i] = (uint8_t)i;
}

static void
test_token_text(void)
{
	static const struct { int line; uint8_t fill; const char *text; } cases[] = {
		{__LINE__, 0x00, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"},
		/* 256 one bits: 42 x 63 ('_'), then 1111 + two zero pad bits = 60 ('8'). */
		{__LINE__, 0xff, "__________________________________________8"},
		/* 0xfb 0xfb 0xfb = 111110 111111 101111 111011: 62 and 63 are '+' and
		 * '/' in standard base64, '-' and '_' in the URL-safe alphabet. */
		{__LINE__, 0xfb, "-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_v7-_s"},
	};
	uint8_t tok[TOKENS_LEN], back[TOKENS_LEN];
	char text[TOKENS_TEXT_LEN + 1];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(tok, cases[i].fill, sizeof(tok));
		memset(text, 'X', sizeof(text));
		tokens_text(tok, text);
		CHECK_AT(text[TOKENS_TEXT_LEN] == '\0' && strcmp(text, cases[i].text) == 0,
		         cases[i].line, "text of %02x... = %.44s, want %s", cases[i].fill, text,
		         cases[i].text);
		CHECK_AT(tokens_parse(cases[i].text, TOKENS_TEXT_LEN, back) &&
		         memcmp(back, tok, sizeof(tok)) == 0, cases[i].line, "parse(%s)",
		         cases[i].text);
	}
	tokens_text(seq, text);
	CHECK(strcmp(text, seq_text) == 0, "text of 0..31 = %s, want %s", text, seq_text);
	CHECK(tokens_parse(seq_text, strlen(seq_text), tok) &&
	      memcmp(tok, seq, sizeof(tok)) == 0, "parse of %s", seq_text);

	/* Fresh tokens: text, parse and back again, and no two alike. */
	uint8_t prev[TOKENS_LEN] = {0};
	int bad = 0, same = 0;
	for (int i = 0; i < 200; i++) {
		tokens_new(tok);
		tokens_text(tok, text);
		bad += strlen(text) != TOKENS_TEXT_LEN ||
		       strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		                    "0123456789-_") != TOKENS_TEXT_LEN ||
		       !tokens_parse(text, TOKENS_TEXT_LEN, back) ||
		       memcmp(back, tok, sizeof(tok)) != 0;
		same += memcmp(prev, tok, sizeof(tok)) == 0;
		memcpy(prev, tok, sizeof(tok));
	}
	CHECK(bad == 0, "%d of 200 fresh tokens failed the text round trip", bad);
	CHECK(same == 0, "tokens_new repeated itself %d times", same);
}

/* s[0..len) with bytes outside printable ASCII as \xHH: failure lines stay text. */
static const char *
shown(const char *s, size_t len)
{
	static char out[4 * 64 + 1];
	size_t o = 0;

	for (size_t i = 0; i < len && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof(out) - o, "\\x%02x", c);
	}
	out[o] = '\0';
	return out;
}

static void
test_token_parse_rejects(void)
{
	static const struct { int line; const char *s; size_t len; } cases[] = {
		{__LINE__, "", 0},
		{__LINE__, seq_text, TOKENS_TEXT_LEN - 1},                         /* 42 */
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", 44},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", 44},     /* padded */
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8;", 44},     /* garbage */
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8 ", 44},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8AAAAAAAAAAAAA", 56},
		/* 43 characters, one outside the URL-safe alphabet. */
		{__LINE__, "+AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMU/RYXGBkaGxwdHh8", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh=", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdH==", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh.", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd Hh", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh\xc3", 43},
		/* Bytes above 0x7f anywhere, not only last (libsodium 1.0.18's decoder
		 * reads them through a signed char and turns them into bits). */
		{__LINE__, "AAECAwQFBg\xa9ICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 43},
		{__LINE__, "\xff" "AECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd\xc3\xa9" "8", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh\0", 43},          /* NUL */
		{__LINE__, "AAECAwQFBgcICQoLDA0O\0xAREhMUFRYXGBkaGxwdHh8", 43},
		/* The last character carries 4 bits and 2 pad bits that must be zero,
		 * so that a token has exactly one cookie text ('8' is ok, '9' is not). */
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9", 43},
		{__LINE__, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh-", 43},
	};
	uint8_t tok[TOKENS_LEN];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_AT(!tokens_parse(cases[i].s, cases[i].len, tok), cases[i].line,
		         "parse(\"%s\", %zu) accepted", shown(cases[i].s, cases[i].len),
		         cases[i].len);

	/* Only len counts: the 43 characters of a longer string parse. */
	CHECK(tokens_parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8;x", 43, tok) &&
	      memcmp(tok, seq, sizeof(tok)) == 0, "a 43-byte prefix was not parsed");
}

/*
 * The id and the csrf token are BLAKE2b subkeys of the token (libsodium's
 * KDF, context "pssessn", ids 1 and 2). Known answers computed with Python:
 * hashlib.blake2b(b"", digest_size=32, key=bytes(range(32)),
 *                 salt=struct.pack("<Q", ID) + bytes(8), person=b"pssessn" + bytes(9)).
 * The database keeps these ids: a change of derivation would end every session.
 */
static void
test_known_answers(void)
{
	static const uint8_t want_id[TOKENS_ID_LEN] = {
		0x84, 0x79, 0xfe, 0x89, 0x91, 0xbf, 0x18, 0x1a, 0x90, 0x18, 0x2c, 0x27, 0xd0, 0x29, 0x25, 0x33,
		0x9b, 0x4a, 0x48, 0xf4, 0xa9, 0xac, 0xb7, 0x58, 0xba, 0x66, 0x97, 0x9f, 0xee, 0x12, 0x41, 0x19,
	};
	static const char want_csrf[] = "jdlhhTVfkgN9Q6V9guIBFxxYsJImYard_qPirPseTi8";
	uint8_t id[TOKENS_ID_LEN];
	char csrf[TOKENS_TEXT_LEN + 1];

	tokens_id(seq, id);
	CHECK(memcmp(id, want_id, sizeof(id)) == 0, "tokens_id of 0..31 differs from BLAKE2b");
	memset(csrf, 'X', sizeof(csrf));
	tokens_csrf(seq, csrf);
	CHECK(csrf[TOKENS_TEXT_LEN] == '\0' && strcmp(csrf, want_csrf) == 0,
	      "csrf of 0..31 = %.44s, want %s", csrf, want_csrf);
}

static void
test_id(void)
{
	uint8_t a[TOKENS_LEN], b[TOKENS_LEN];
	uint8_t ida[TOKENS_ID_LEN], ida2[TOKENS_ID_LEN], idb[TOKENS_ID_LEN];
	uint8_t csrf_bytes[TOKENS_LEN];
	char csrf[TOKENS_TEXT_LEN + 1];

	tokens_new(a);
	memcpy(b, a, sizeof(b));
	b[TOKENS_LEN - 1] ^= 0x01;       /* one bit apart */
	tokens_id(a, ida);
	tokens_id(a, ida2);
	tokens_id(b, idb);
	CHECK(memcmp(ida, ida2, sizeof(ida)) == 0, "tokens_id is not deterministic");
	CHECK(memcmp(ida, idb, sizeof(ida)) != 0, "tokens one bit apart share an id");
	/* The stored id is not the token (the database must not hold the cookie)... */
	CHECK(memcmp(ida, a, sizeof(ida)) != 0, "tokens_id is the token itself");
	/* ...nor the csrf token's bytes (one secret must not reveal another). */
	tokens_csrf(a, csrf);
	CHECK(tokens_parse(csrf, strlen(csrf), csrf_bytes),
	      "csrf %s is not 43 base64url characters", csrf);
	CHECK(memcmp(csrf_bytes, ida, sizeof(ida)) != 0, "csrf token equals the session id");
	CHECK(memcmp(csrf_bytes, a, sizeof(ida)) != 0, "csrf token equals the cookie token");
}

static void
test_csrf(void)
{
	uint8_t a[TOKENS_LEN], b[TOKENS_LEN];
	char ca[TOKENS_TEXT_LEN + 1], ca2[TOKENS_TEXT_LEN + 1], cb[TOKENS_TEXT_LEN + 1];
	char text[TOKENS_TEXT_LEN + 1], buf[64];
	int accepted = 0;

	tokens_new(a);
	tokens_new(b);
	tokens_csrf(a, ca);
	tokens_csrf(a, ca2);
	tokens_csrf(b, cb);
	CHECK(strcmp(ca, ca2) == 0, "csrf not deterministic: %s vs %s", ca, ca2);
	CHECK(strcmp(ca, cb) != 0, "two sessions share a csrf token");
	CHECK(tokens_csrf_check(a, ca, strlen(ca)), "a session's own csrf refused");
	CHECK(tokens_csrf_check(b, cb, strlen(cb)), "b session's own csrf refused");
	/* A token derived for another session (or the pre-login cookie) is refused. */
	CHECK(!tokens_csrf_check(a, cb, strlen(cb)), "b's csrf accepted for a");
	CHECK(!tokens_csrf_check(b, ca, strlen(ca)), "a's csrf accepted for b");
	/* The cookie's own text is not its csrf token. */
	tokens_text(a, text);
	CHECK(!tokens_csrf_check(a, text, strlen(text)), "the cookie value accepted as csrf");

	/* Wrong lengths: a prefix, an extension, nothing. */
	CHECK(!tokens_csrf_check(a, ca, TOKENS_TEXT_LEN - 1), "42-char prefix accepted");
	snprintf(buf, sizeof(buf), "%sA", ca);
	CHECK(!tokens_csrf_check(a, buf, strlen(buf)), "44 chars accepted");
	CHECK(!tokens_csrf_check(a, "", 0), "empty csrf accepted");
	CHECK(!tokens_csrf_check(a, ca, 0), "zero length accepted");

	/* Any one character changed is refused. */
	for (int i = 0; i < TOKENS_TEXT_LEN; i++) {
		memcpy(buf, ca, sizeof(ca));
		buf[i] = buf[i] == 'A' ? 'B' : 'A';
		accepted += tokens_csrf_check(a, buf, TOKENS_TEXT_LEN);
	}
	CHECK(accepted == 0, "%d one-character changes of the csrf accepted", accepted);
}

static void
test_seal(void)
{
	static const char secret[] = "sk_4fGh29KqTzLm8Np3Rs7Vw1Xy5Bc0Dg6Hj2Kn4Mp";
	size_t slen = strlen(secret);
	uint8_t a[TOKENS_LEN], b[TOKENS_LEN];
	uint8_t s1[TOKENS_SEAL_MAX], s2[TOKENS_SEAL_MAX], t[TOKENS_SEAL_MAX];
	char out[TOKENS_SEAL_MAX], msg[TOKENS_SEAL_MAX + 1];
	size_t n1, n2, n;
	long got;
	int opened = 0;

	tokens_new(a);
	tokens_new(b);
	n1 = tokens_seal(a, secret, slen, s1);
	CHECK(n1 == slen + TOKENS_SEAL_OVERHEAD, "sealed length %zu, want %zu", n1,
	      slen + TOKENS_SEAL_OVERHEAD);
	CHECK(memmem(s1, n1, secret, slen) == NULL && memmem(s1, n1, "sk_", 3) == NULL,
	      "the secret shows in its sealed text");
	memset(out, 'X', sizeof(out));
	got = tokens_open(a, s1, n1, out);
	CHECK(got == (long)slen && memcmp(out, secret, slen) == 0 && out[slen] == '\0',
	      "open = %ld \"%.*s\"", got, got > 0 ? (int)got : 0, out);

	/* Random nonces: the same secret seals differently, and both open. */
	n2 = tokens_seal(a, secret, slen, s2);
	CHECK(n2 == n1 && memcmp(s1, s2, n1) != 0, "two seals of one secret are identical");
	CHECK(memcmp(s1, s2, 24) != 0, "two seals share a nonce");
	CHECK(tokens_open(a, s2, n2, out) == (long)slen && strcmp(out, secret) == 0,
	      "second seal does not open");

	/* Only the token's holder can open it. */
	CHECK(tokens_open(b, s1, n1, out) == -1, "opened with another session's token");

	/* Any changed byte (nonce, MAC or text) is detected. */
	for (size_t i = 0; i < n1; i++) {
		memcpy(t, s1, n1);
		t[i] ^= 0x20;
		opened += tokens_open(a, t, n1, out) != -1;
	}
	CHECK(opened == 0, "%d of %zu one-byte changes opened", opened, n1);

	/* Cut or extended sealed text, and lengths outside the format. */
	CHECK(tokens_open(a, s1, n1 - 1, out) == -1, "truncated seal opened");
	memcpy(t, s1, n1);
	t[n1] = 0;
	CHECK(tokens_open(a, t, n1 + 1, out) == -1, "extended seal opened");
	CHECK(tokens_open(a, s1, TOKENS_SEAL_OVERHEAD - 1, out) == -1, "39 bytes opened");
	CHECK(tokens_open(a, s1, 0, out) == -1, "0 bytes opened");
	CHECK(tokens_open(a, s1, TOKENS_SEAL_MAX + 1, out) == -1, "129 bytes opened");

	/* The empty message, and the longest that fits (88 bytes: 128 sealed). */
	n = tokens_seal(a, "", 0, t);
	CHECK(n == TOKENS_SEAL_OVERHEAD, "empty message sealed to %zu bytes", n);
	CHECK(tokens_open(a, t, n, out) == 0 && out[0] == '\0', "empty message did not open");
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)(i % 7 == 0 ? '\0' : 'a' + i % 26);   /* NULs survive too */
	size_t max = TOKENS_SEAL_MAX - TOKENS_SEAL_OVERHEAD;
	n = tokens_seal(a, msg, max, t);
	CHECK(n == TOKENS_SEAL_MAX, "%zu-byte message sealed to %zu bytes", max, n);
	got = tokens_open(a, t, n, out);
	CHECK(got == (long)max && memcmp(out, msg, max) == 0 && out[max] == '\0',
	      "%zu-byte message opened to %ld bytes", max, got);
	/* One byte more does not fit: refused, not truncated. */
	CHECK(tokens_seal(a, msg, max + 1, t) == 0, "%zu-byte message sealed", max + 1);
	CHECK(tokens_seal(a, msg, sizeof(msg), t) == 0, "%zu-byte message sealed", sizeof(msg));
}

int
main(void)
{
	if (sodium_init() < 0) {
		printf("sodium_init failed\n0 passed, 1 failed\n");
		return 1;
	}
	init_seq();
	test_token_text();
	test_token_parse_rejects();
	test_known_answers();
	test_id();
	test_csrf();
	test_seal();
	return harness_summary();
}
