/* Unit tests of lib/validate.c: strict UTF-8, key names, the JSON content type. */
#include "../../../lib/base/validate.c"
#include "../harness.h"

/* String literals with an explicit length (they may contain NUL). */
#define B(lit) lit, sizeof(lit) - 1

static void
test_utf8(void)
{
	static const struct { int line; const char *s; size_t len; bool want; } cases[] = {
		{__LINE__, B(""), true},
		{__LINE__, B("plain ASCII"), true},
		{__LINE__, B("a\0b"), true},                    /* NUL is valid UTF-8 */
		{__LINE__, B("\x7f"), true},
		{__LINE__, B("\xc2\x80"), true},                /* U+0080, smallest 2-byte */
		{__LINE__, B("\xc3\xa9"), true},                /* é */
		{__LINE__, B("\xdf\xbf"), true},                /* U+07FF */
		{__LINE__, B("\xe0\xa0\x80"), true},            /* U+0800, smallest 3-byte */
		{__LINE__, B("\xe2\x82\xac"), true},            /* € */
		{__LINE__, B("\xed\x9f\xbf"), true},            /* U+D7FF, before the surrogates */
		{__LINE__, B("\xee\x80\x80"), true},            /* U+E000, after them */
		{__LINE__, B("\xef\xbb\xbf"), true},            /* U+FEFF */
		{__LINE__, B("\xef\xbf\xbf"), true},            /* U+FFFF */
		{__LINE__, B("\xf0\x90\x80\x80"), true},        /* U+10000, smallest 4-byte */
		{__LINE__, B("\xf0\x9f\x98\x80"), true},        /* 😀 */
		{__LINE__, B("\xf4\x8f\xbf\xbf"), true},        /* U+10FFFF */
		{__LINE__, B("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"), true},
		/* Overlong forms. */
		{__LINE__, B("\xc0\x80"), false},
		{__LINE__, B("\xc0\xaf"), false},
		{__LINE__, B("\xc1\xbf"), false},
		{__LINE__, B("\xe0\x80\x80"), false},
		{__LINE__, B("\xe0\x80\xaf"), false},
		{__LINE__, B("\xe0\x9f\xbf"), false},
		{__LINE__, B("\xf0\x80\x80\x80"), false},
		{__LINE__, B("\xf0\x8f\xbf\xbf"), false},
		/* Surrogates. */
		{__LINE__, B("\xed\xa0\x80"), false},           /* U+D800 */
		{__LINE__, B("\xed\xaf\xbf"), false},           /* U+DBFF */
		{__LINE__, B("\xed\xb0\x80"), false},           /* U+DC00 */
		{__LINE__, B("\xed\xbf\xbf"), false},           /* U+DFFF */
		{__LINE__, B("\xed\xa0\xbd\xed\xb8\x80"), false}, /* CESU-8 pair */
		/* Above U+10FFFF and bytes that never occur. */
		{__LINE__, B("\xf4\x90\x80\x80"), false},
		{__LINE__, B("\xf5\x80\x80\x80"), false},
		{__LINE__, B("\xf7\xbf\xbf\xbf"), false},
		{__LINE__, B("\xf8\x88\x80\x80\x80"), false},
		{__LINE__, B("\xfc\x84\x80\x80\x80\x80"), false},
		{__LINE__, B("\xfe"), false},
		{__LINE__, B("\xff"), false},
		/* Stray continuation bytes. */
		{__LINE__, B("\x80"), false},
		{__LINE__, B("\xbf"), false},
		{__LINE__, B("a\x80" "b"), false},
		{__LINE__, B("\xc3\xa9\xa9"), false},
		/* Truncated sequences. */
		{__LINE__, B("\xc3"), false},
		{__LINE__, B("\xe2\x82"), false},
		{__LINE__, B("\xe2"), false},
		{__LINE__, B("\xf0\x9f\x98"), false},
		{__LINE__, B("\xf0\x9f"), false},
		{__LINE__, B("\xf0"), false},
		{__LINE__, B("ok\xc3"), false},
		/* A continuation byte replaced by something else. */
		{__LINE__, B("\xc3\x28"), false},
		{__LINE__, B("\xc3\xc3\xa9"), false},
		{__LINE__, B("\xe2\x28\xac"), false},
		{__LINE__, B("\xe2\x82\x28"), false},
		{__LINE__, B("\xf0\x9f\x98\x28"), false},
		{__LINE__, B("\xe2\x82\0"), false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = validate_utf8(cases[i].s, cases[i].len);
		CHECK_AT(got == cases[i].want, cases[i].line, "utf8 case %zu = %d", i, got);
	}
	/* len is honoured: a valid sequence cut by len is truncated. */
	CHECK(!validate_utf8("\xc3\xa9", 1), "cut 2-byte sequence accepted");
	CHECK(!validate_utf8("\xf0\x9f\x98\x80", 3), "cut 4-byte sequence accepted");
	CHECK(validate_utf8("ab\xff", 2), "bytes after len were read");
}

/* Builds n copies of unit between pre and post into buf. */
static size_t
repeat(char *buf, const char *pre, const char *unit, int n, const char *post)
{
	size_t o = 0;

	memcpy(buf + o, pre, strlen(pre));
	o += strlen(pre);
	for (int i = 0; i < n; i++) {
		memcpy(buf + o, unit, strlen(unit));
		o += strlen(unit);
	}
	memcpy(buf + o, post, strlen(post));
	o += strlen(post);
	buf[o] = '\0';
	return o;
}

static void
test_name(void)
{
	/* start/len: the expected trimmed slice (ignored when rejected). */
	static const struct {
		int line; const char *s; size_t len; bool ok; size_t start, n;
	} cases[] = {
		{__LINE__, B("Production API Key"), true, 0, 18},
		{__LINE__, B("a"), true, 0, 1},
		{__LINE__, B("  a  "), true, 2, 1},
		{__LINE__, B("\t\r\n a b \n\r\t"), true, 4, 3},     /* internal space kept */
		{__LINE__, B("\x0b\x0c" "key"), true, 2, 3},        /* VT, FF */
		{__LINE__, B("\xc2\xa0key\xc2\xa0"), true, 2, 3},   /* U+00A0 */
		{__LINE__, B("\xe3\x80\x80key\xe3\x80\x80"), true, 3, 3},   /* U+3000 */
		{__LINE__, B("\xe1\x9a\x80key"), true, 3, 3},       /* U+1680 */
		{__LINE__, B("\xe2\x80\x80k\xe2\x80\x8a"), true, 3, 1},     /* U+2000, U+200A */
		{__LINE__, B("\xe2\x80\xa8k\xe2\x80\xa9"), true, 3, 1},     /* U+2028, U+2029 */
		{__LINE__, B("\xe2\x80\xafk\xe2\x81\x9f"), true, 3, 1},     /* U+202F, U+205F */
		{__LINE__, B("\xc2\x85key\xc2\x85"), true, 2, 3},   /* U+0085 at the ends: space */
		{__LINE__, B("a\xc2\xa0" "b"), true, 0, 4},         /* NBSP inside is fine */
		{__LINE__, B("a\xe3\x80\x80" "b"), true, 0, 5},     /* U+3000 inside is fine */
		{__LINE__, B("\xe2\x80\x8bkey"), true, 0, 6},       /* U+200B is not White_Space */
		{__LINE__, B("\xef\xbb\xbfkey"), true, 0, 6},       /* nor is U+FEFF */
		{__LINE__, B("caf\xc3\xa9"), true, 0, 5},
		{__LINE__, B("\xf0\x9f\x94\x91 key"), true, 0, 8},
		{__LINE__, B("'; DROP TABLE api_keys; --"), true, 0, 26},
		{__LINE__, B("<script>"), true, 0, 8},
		/* Empty or only white space. */
		{__LINE__, B(""), false, 0, 0},
		{__LINE__, B(" "), false, 0, 0},
		{__LINE__, B(" \t\r\n\x0b\x0c"), false, 0, 0},
		{__LINE__, B("\xc2\xa0\xe3\x80\x80\xc2\x85"), false, 0, 0},
		/* Control characters inside. */
		{__LINE__, B("a\tb"), false, 0, 0},
		{__LINE__, B("a\nb"), false, 0, 0},
		{__LINE__, B("a\rb"), false, 0, 0},
		{__LINE__, B("a\0b"), false, 0, 0},
		{__LINE__, B("\0"), false, 0, 0},
		{__LINE__, B("a\0"), false, 0, 0},                  /* NUL is not white space */
		{__LINE__, B("\x01" "a"), false, 0, 0},
		{__LINE__, B("a\x07"), false, 0, 0},
		{__LINE__, B("a\x1b[31m"), false, 0, 0},
		{__LINE__, B("a\x1f" "b"), false, 0, 0},
		{__LINE__, B("a\x7f" "b"), false, 0, 0},            /* DEL */
		{__LINE__, B("a\x7f"), false, 0, 0},
		{__LINE__, B("a\xc2\x80" "b"), false, 0, 0},        /* U+0080 */
		{__LINE__, B("a\xc2\x85" "b"), false, 0, 0},        /* U+0085 inside: C1 control */
		{__LINE__, B("a\xc2\x9f"), false, 0, 0},            /* U+009F */
		{__LINE__, B("\xc2\x9b" "a"), false, 0, 0},         /* U+009B (CSI) */
	};
	size_t start, n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		start = n = (size_t)-1;
		bool got = validate_name(cases[i].s, cases[i].len, &start, &n);
		CHECK_AT(got == cases[i].ok, cases[i].line, "name case %zu = %d", i, got);
		if (got && cases[i].ok)
			CHECK_AT(start == cases[i].start && n == cases[i].n, cases[i].line,
			         "slice [%zu, +%zu), want [%zu, +%zu)", start, n,
			         cases[i].start, cases[i].n);
	}
}

/* 1..100 code points after trimming, whatever their width in bytes. */
static void
test_name_length(void)
{
	static const struct {
		int line; const char *pre, *unit; int count; const char *post; bool ok; size_t start;
	} cases[] = {
		{__LINE__, "", "a", 100, "", true, 0},
		{__LINE__, "", "a", 101, "", false, 0},
		{__LINE__, "", "\xc3\xa9", 100, "", true, 0},                 /* é */
		{__LINE__, "", "\xc3\xa9", 101, "", false, 0},
		{__LINE__, "", "\xe2\x82\xac", 100, "", true, 0},             /* € */
		{__LINE__, "", "\xe2\x82\xac", 101, "", false, 0},
		{__LINE__, "", "\xf0\x9f\x98\x80", 100, "", true, 0},         /* 😀 */
		{__LINE__, "", "\xf0\x9f\x98\x80", 101, "", false, 0},
		{__LINE__, "   \t", "\xc3\xa9", 100, "\n\xe3\x80\x80", true, 4}, /* spaces do not count */
		{__LINE__, "\xc2\xa0", "a", 100, "\xc2\xa0", true, 2},
		{__LINE__, "", "a ", 50, "", true, 0},       /* 99 after trimming the last space */
		{__LINE__, "x", "a ", 50, "", true, 0},      /* 100 */
		{__LINE__, "xy", "a ", 50, "", false, 0},    /* 101 */
	};
	char buf[1024];
	size_t start, n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = repeat(buf, cases[i].pre, cases[i].unit, cases[i].count, cases[i].post);
		bool got = validate_name(buf, len, &start, &n);
		CHECK_AT(got == cases[i].ok, cases[i].line, "%d x \"%s\" = %d", cases[i].count,
		         cases[i].unit, got);
		if (got && cases[i].ok)
			CHECK_AT(start == cases[i].start, cases[i].line, "start %zu, want %zu", start,
			         cases[i].start);
	}
	/* The 100-"é" slice is exactly the 200 bytes in the middle. */
	size_t len = repeat(buf, " ", "\xc3\xa9", 100, " ");
	CHECK(validate_name(buf, len, &start, &n) && start == 1 && n == 200,
	      "slice [%zu, +%zu)", start, n);
}

static void
test_content_type(void)
{
	static const struct { int line; const char *ct; bool want; } cases[] = {
		{__LINE__, "application/json", true},
		{__LINE__, "APPLICATION/JSON", true},
		{__LINE__, "Application/Json", true},
		{__LINE__, "application/json; charset=utf-8", true},
		{__LINE__, "application/json;charset=utf-8", true},
		{__LINE__, "application/json; charset=UTF-8", true},
		{__LINE__, "application/json; CHARSET=Utf-8", true},
		{__LINE__, "application/json; charset=\"utf-8\"", true},
		{__LINE__, "application/json; charset=\"UTF-8\"", true},
		{__LINE__, "application/json ; charset=utf-8", true},
		{__LINE__, "application/json\t;\tcharset=utf-8\t", true},
		{__LINE__, "application/json  ", true},
		{__LINE__, "application/json;   charset=utf-8   ", true},
		{__LINE__, NULL, false},
		{__LINE__, "", false},
		{__LINE__, " ", false},
		{__LINE__, "application/jsonx", false},
		{__LINE__, "application/json5", false},
		{__LINE__, "application/json-patch+json", false},
		{__LINE__, "application/jso", false},
		{__LINE__, "application/", false},
		{__LINE__, "text/json", false},
		{__LINE__, "text/plain", false},
		{__LINE__, "application/x-www-form-urlencoded", false},
		{__LINE__, "multipart/form-data; boundary=x", false},
		{__LINE__, "application/json;", true},            /* RFC 9110: empty parameters */
		{__LINE__, "application/json; ", true},
		{__LINE__, "application/json; charset=latin1", false},
		{__LINE__, "application/json; charset=iso-8859-1", false},
		{__LINE__, "application/json; charset=utf-16", false},
		{__LINE__, "application/json; charset=utf8", false},
		{__LINE__, "application/json; charset=utf-8x", false},
		{__LINE__, "application/json; charset=utf-88", false},
		{__LINE__, "application/json; charset=", false},
		{__LINE__, "application/json; charset=\"utf-8", false},
		{__LINE__, "application/json; charset=utf-8\"", false},
		{__LINE__, "application/json; charset='utf-8'", false},
		{__LINE__, "application/json; charset=utf-8; foo=bar", false},
		{__LINE__, "application/json; charset=utf-8;", true},
		{__LINE__, "application/json;;charset=utf-8; ;", true},
		{__LINE__, "application/json; charset=utf-8; charset=utf-8", false},   /* repeated */
		{__LINE__, "application/json; charset=utf-8 x", false},
		{__LINE__, "application/json; ; foo=bar", false},
		{__LINE__, "application/json; foo=bar", false},
		{__LINE__, "application/json; foo=bar; charset=utf-8", false},
		{__LINE__, "application/json; boundary=x", false},
		{__LINE__, "application/json, text/plain", false},
		{__LINE__, "application /json", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = validate_json_content_type(cases[i].ct);
		CHECK_AT(got == cases[i].want, cases[i].line, "content type \"%s\" = %d",
		         cases[i].ct ? cases[i].ct : "(null)", got);
	}
}

static void
test_uint(void)
{
	static const struct {
		int line; const char *s; uint64_t min, max; bool ok; uint64_t want;
	} cases[] = {
		{__LINE__, "0", 0, 10, true, 0},
		{__LINE__, "10", 0, 10, true, 10},
		{__LINE__, "0010", 0, 10, true, 10},
		{__LINE__, "11", 0, 10, false, 0},
		{__LINE__, "1", 2, 10, false, 0},
		{__LINE__, "", 0, 10, false, 0},
		{__LINE__, "+1", 0, 10, false, 0},
		{__LINE__, "-1", 0, 10, false, 0},
		{__LINE__, " 1", 0, 10, false, 0},
		{__LINE__, "1 ", 0, 10, false, 0},
		{__LINE__, "1a", 0, 10, false, 0},
		{__LINE__, "0x1", 0, 10, false, 0},
		{__LINE__, "18446744073709551615", 0, UINT64_MAX, true, UINT64_MAX},
		{__LINE__, "18446744073709551616", 0, UINT64_MAX, false, 0},   /* would wrap */
		{__LINE__, "99999999999999999999999", 0, 100, false, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t got = 12345;
		bool ok = validate_uint(cases[i].s, strlen(cases[i].s), cases[i].min, cases[i].max,
		                        &got);
		CHECK_AT(ok == cases[i].ok && (!ok || got == cases[i].want), cases[i].line,
		         "validate_uint(\"%s\") = %d, %llu", cases[i].s, ok, (unsigned long long)got);
	}
	/* Not NUL-terminated: only len bytes count. */
	uint64_t got = 0;
	CHECK(validate_uint("123456", 3, 0, 1000, &got) && got == 123, "prefix: %llu",
	      (unsigned long long)got);
}

static void
test_hex_digit(void)
{
	for (int c = 0; c < 256; c++) {
		int want = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
		           c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		CHECK(validate_hex_digit((unsigned char)c) == want, "hex digit 0x%02x", c);
	}
}

/* A leak report's url (stored, shown in the dashboard): http(s), bounded, no markup. */
static void
test_http_url(void)
{
#define U(lit) lit, sizeof(lit) - 1
	static const struct { int line; const char *s; size_t len; size_t max; bool want; } cases[] = {
		{__LINE__, U("https://github.com/o/r/blob/0123abc/src/.env#L3"), 1024, true},
		{__LINE__, U("http://example.com"), 1024, true},
		{__LINE__, U("HTTPS://gist.github.com/x?a=1&b=%20'(c)'"), 1024, true},
		{__LINE__, U("https://h/"), 10, true},
		{__LINE__, U("https://h/x"), 10, false},               /* over max */
		{__LINE__, U("https://"), 1024, false},
		{__LINE__, U("https:///path"), 1024, false},
		{__LINE__, U("https://?q"), 1024, false},
		{__LINE__, U("javascript:alert(1)"), 1024, false},
		{__LINE__, U("ftp://example.com/"), 1024, false},
		{__LINE__, U("//example.com/"), 1024, false},
		{__LINE__, U("https//example.com"), 1024, false},
		{__LINE__, U("https://e.com/<script>"), 1024, false},
		{__LINE__, U("https://e.com/\"q\""), 1024, false},
		{__LINE__, U("https://e.com/a b"), 1024, false},
		{__LINE__, U("https://e.com/a\\b"), 1024, false},
		{__LINE__, U("https://e.com/a\nb"), 1024, false},
		{__LINE__, U("https://e.com/a\0b"), 1024, false},
		{__LINE__, U("https://e.com/caf\xc3\xa9"), 1024, false},
		{__LINE__, U("https://e.com/a`b"), 1024, false},
		{__LINE__, U(""), 1024, false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_AT(validate_http_url(cases[i].s, cases[i].len, cases[i].max) == cases[i].want,
		         cases[i].line, "validate_http_url(%s): want %d", cases[i].s, cases[i].want);
}

static void
test_word(void)
{
	static const struct { int line; const char *s; size_t len; bool want; } cases[] = {
		{__LINE__, U("content"), true},
		{__LINE__, U("pull_request_comment"), true},
		{__LINE__, U("a.b-c_9"), true},
		{__LINE__, U(""), false},
		{__LINE__, U("a b"), false},
		{__LINE__, U("a\"b"), false},
		{__LINE__, U("a\0b"), false},
		{__LINE__, U("caf\xc3\xa9"), false},
		{__LINE__, U("123456789012345678901"), false},          /* over 20 */
		{__LINE__, U("12345678901234567890"), true},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_AT(validate_word(cases[i].s, cases[i].len, 20) == cases[i].want, cases[i].line,
		         "validate_word(%s): want %d", cases[i].s, cases[i].want);
#undef U
}

int
main(void)
{
	test_uint();
	test_hex_digit();
	test_utf8();
	test_name();
	test_name_length();
	test_content_type();
	test_http_url();
	test_word();
	return harness_summary();
}
