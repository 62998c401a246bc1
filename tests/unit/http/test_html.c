/*
 * Unit tests of lib/html.c: escaping of %s and html_text, the numeric
 * conversions, refusal of any other conversion, growth, html_take.
 * Every expected document is written out by hand from the HTML rules
 * (& < > " ' become &amp; &lt; &gt; &quot; &#39;), not produced by the code.
 */
#include "../../../lib/http/html.c"
#include "../harness.h"

#include <limits.h>
#include <stdint.h>

/* Takes the document and compares it with want[0..want_len); frees it. */
static void
expect_doc(struct html *h, const char *want, size_t want_len, int line)
{
	size_t len = 12345;
	char *doc = html_take(h, &len);

	CHECK_AT(doc != NULL, line, "html_take returned NULL, want \"%s\"", want);
	if (doc == NULL)
		return;
	CHECK_AT(len == want_len && memcmp(doc, want, want_len) == 0, line,
	         "document \"%.*s\" (%zu bytes), want \"%s\" (%zu bytes)", (int)len, doc, len,
	         want, want_len);
	/* The page is sent as a C string by some callers: it must end in a NUL. */
	CHECK_AT(doc[len] == '\0', line, "document not NUL-terminated");
	free(doc);
}
#define EXPECT(h, lit) expect_doc((h), (lit), sizeof(lit) - 1, __LINE__)

static void
expect_failed(struct html *h, int line)
{
	size_t len = 12345;
	char *doc = html_take(h, &len);

	CHECK_AT(doc == NULL, line, "html_take = \"%s\", want NULL (a failed document)", doc);
	CHECK_AT(len == 0, line, "failed document has length %zu", len);
	free(doc);
}

/* %s in element content and in a quoted attribute value: the same escaping. */
static void
test_escape_s(void)
{
	static const struct { int line; const char *in, *want; } cases[] = {
		{__LINE__, "", ""},
		{__LINE__, "plain text", "plain text"},
		{__LINE__, "&", "&amp;"},
		{__LINE__, "<", "&lt;"},
		{__LINE__, ">", "&gt;"},
		{__LINE__, "\"", "&quot;"},
		{__LINE__, "'", "&#39;"},
		{__LINE__, "<script>alert('x')</script>",
		 "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"},
		{__LINE__, "\" onmouseover=\"x", "&quot; onmouseover=&quot;x"},
		{__LINE__, "' autofocus '", "&#39; autofocus &#39;"},
		/* An entity in the input is text, so its '&' is escaped again. */
		{__LINE__, "&amp;", "&amp;amp;"},
		{__LINE__, "&#39;", "&amp;#39;"},
		{__LINE__, "a&&b", "a&amp;&amp;b"},
		{__LINE__, "<<>>", "&lt;&lt;&gt;&gt;"},
		/* Specials at both ends, around plain runs. */
		{__LINE__, "&x<", "&amp;x&lt;"},
		{__LINE__, "x\"y'z", "x&quot;y&#39;z"},
		/* Other bytes, UTF-8 and controls included, pass through unchanged. */
		{__LINE__, "caf\xc3\xa9 \xe2\x80\xa8 \t\n%d", "caf\xc3\xa9 \xe2\x80\xa8 \t\n%d"},
		{__LINE__, "`=/\\", "`=/\\"},
	};
	struct html h;
	char want[512];

	html_init(&h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		html(&h, "<p>%s</p>", cases[i].in);
		snprintf(want, sizeof(want), "<p>%s</p>", cases[i].want);
		expect_doc(&h, want, strlen(want), cases[i].line);

		html(&h, "<a title=\"%s\" data-x='%s'>", cases[i].in, cases[i].in);
		snprintf(want, sizeof(want), "<a title=\"%s\" data-x='%s'>", cases[i].want,
		         cases[i].want);
		expect_doc(&h, want, strlen(want), cases[i].line);

		html_text(&h, cases[i].in, strlen(cases[i].in));
		expect_doc(&h, cases[i].want, strlen(cases[i].want), cases[i].line);
	}
	html_free(&h);
}

/* The literal is the markup: its own specials are kept, only arguments are escaped. */
static void
test_literal_and_null(void)
{
	struct html h;

	html_init(&h);
	html(&h, "<a href=\"/x?a=1&amp;b=2\">'q'</a>");
	EXPECT(&h, "<a href=\"/x?a=1&amp;b=2\">'q'</a>");

	/* A NULL string is empty text, not "(null)" and not a crash (volatile:
	 * gcc would reject a NULL it can see at compile time). */
	const char *volatile none = NULL;
	html(&h, "<td>%s</td><td title=\"%s\">%s</td>", none, none, "x");
	EXPECT(&h, "<td></td><td title=\"\">x</td>");

	/* html_text is bounded by len: NULs inside are copied, what follows is not read. */
	html_text(&h, "a\0<b>", 5);
	EXPECT(&h, "a\0&lt;b&gt;");
	html_text(&h, "<<<<", 2);
	EXPECT(&h, "&lt;&lt;");
	html_text(&h, "<", 0);
	html(&h, "|");
	EXPECT(&h, "|");

	/* Pieces accumulate in order. */
	html(&h, "<ul>");
	for (int i = 0; i < 3; i++)
		html(&h, "<li>%d:%s</li>", i, i == 1 ? "<b>" : "b");
	html(&h, "</ul>");
	EXPECT(&h, "<ul><li>0:b</li><li>1:&lt;b&gt;</li><li>2:b</li></ul>");
	html_free(&h);
}

static void
test_numbers(void)
{
	struct html h;

	html_init(&h);
	html(&h, "%d|%d|%d|%d|%d", 0, 7, -1, INT_MAX, INT_MIN);
	EXPECT(&h, "0|7|-1|2147483647|-2147483648");
	html(&h, "%u|%u|%u", 0u, 42u, UINT_MAX);
	EXPECT(&h, "0|42|4294967295");
	html(&h, "%lld|%lld|%lld|%lld", 0LL, -5LL, (long long)INT64_MAX, (long long)INT64_MIN);
	EXPECT(&h, "0|-5|9223372036854775807|-9223372036854775808");
	html(&h, "%llu|%llu", 0ULL, (unsigned long long)UINT64_MAX);
	EXPECT(&h, "0|18446744073709551615");
	/* Conversions next to text and to each other; "%lldx" is %lld then "x". */
	html(&h, "<rect x=\"%d\" width=\"%u\"/>%lldx%llu%s", -3, 4u, 5LL, 6ULL, "&");
	EXPECT(&h, "<rect x=\"-3\" width=\"4\"/>5x6&amp;");
	/* %% is one literal '%', and does not consume an argument. */
	html(&h, "%%|100%%|%d%%|%%s|%s", 50, "a");
	EXPECT(&h, "%|100%|50%|%s|a");
	html_free(&h);
}

/*
 * Any conversion other than %s %d %u %lld %llu %% fails the whole document:
 * it would read the next argument with the wrong type. gcc's format check
 * accepts these with matching arguments, so they compile as literals; the
 * builder must still refuse them.
 */
static void
test_unknown_conversion_checked(void)
{
	struct html h;

	html_init(&h);
	html(&h, "<p>before</p>%x", 255u);
	expect_failed(&h, __LINE__);
	html(&h, "%zu", sizeof(h));                 /* the usual size_t slip */
	expect_failed(&h, __LINE__);
	html(&h, "%ld", 1L);
	expect_failed(&h, __LINE__);
	html(&h, "%lu", 1UL);
	expect_failed(&h, __LINE__);
	html(&h, "%i", 1);
	expect_failed(&h, __LINE__);
	html(&h, "%5d", 1);                         /* a width is not supported either */
	expect_failed(&h, __LINE__);
	html(&h, "%-d", 1);
	expect_failed(&h, __LINE__);
	html(&h, "%.3s", "abcdef");                 /* a precision would skip escaping rules */
	expect_failed(&h, __LINE__);
	html(&h, "%c", '<');                        /* a char would bypass escaping */
	expect_failed(&h, __LINE__);
	html(&h, "%p", (void *)&h);
	expect_failed(&h, __LINE__);
	html(&h, "%f", 1.5);
	expect_failed(&h, __LINE__);
	html(&h, "%hhd", 1);
	expect_failed(&h, __LINE__);
	html_free(&h);
}

/*
 * Formats gcc rejects at compile time (so html() cannot be given them)
 * still fail the document when they reach html_fmt_ some other way.
 */
static void
test_unknown_conversion_unchecked(void)
{
	static const struct { int line; const char *fmt; } cases[] = {
		{__LINE__, "%"},               /* a lone trailing '%' */
		{__LINE__, "<p>%</p>"},
		{__LINE__, "%q"},
		{__LINE__, "%l"},
		{__LINE__, "%ll"},
		{__LINE__, "%lls"},
		{__LINE__, "%lldd%"},
	};
	struct html h;

	html_init(&h);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		html(&h, "<p>kept?</p>");
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
		html_fmt_(&h, cases[i].fmt, 1LL);
#pragma GCC diagnostic pop
		expect_failed(&h, cases[i].line);
	}
	html_free(&h);
}

/* After a failure, later pieces are dropped; html_take then starts afresh. */
static void
test_failed_then_reused(void)
{
	struct html h;

	html_init(&h);
	html(&h, "<p>%s</p>", "one");
	html(&h, "%x", 1u);
	html(&h, "<p>%s</p>", "two");
	html_text(&h, "three", 5);
	CHECK(h.failed, "the builder forgot it failed");
	expect_failed(&h, __LINE__);
	html(&h, "<p>%s</p>", "fresh");
	EXPECT(&h, "<p>fresh</p>");

	/* html_free of a failed builder is safe and leaves it usable. */
	html(&h, "%x", 1u);
	html_free(&h);
	html(&h, "ok");
	EXPECT(&h, "ok");
	html_free(&h);
}

static void
test_take_empty_and_reuse(void)
{
	struct html h;
	size_t len = 99;
	char *doc;

	/* Nothing written: an empty document (a 200 with no body), not NULL (a 500). */
	html_init(&h);
	doc = html_take(&h, &len);
	CHECK(doc != NULL && len == 0 && doc[0] == '\0', "empty builder: %s, len %zu",
	      doc ? "\"...\"" : "NULL", len);
	free(doc);

	/* Only empty pieces written: still empty, not failed. */
	html(&h, "%s", "");
	html(&h, "%s%s", "", "");
	html_text(&h, "", 0);
	EXPECT(&h, "");

	/* The builder is empty after html_take, and the document is the caller's. */
	html(&h, "<b>%s</b>", "first");
	len = 0;
	doc = html_take(&h, &len);
	CHECK(h.buf == NULL && h.len == 0 && h.cap == 0 && !h.failed,
	      "builder not emptied by html_take");
	html(&h, "<i>%s</i>", "second");
	EXPECT(&h, "<i>second</i>");
	CHECK(doc != NULL && len == 12 && strcmp(doc, "<b>first</b>") == 0,
	      "first document changed by reuse: %s", doc ? doc : "NULL");
	free(doc);

	/* A taken builder needs no html_free; a second html_free is harmless. */
	html_free(&h);
	html_free(&h);
}

/*
 * Documents far larger than the first 4096-byte buffer: many pieces (many
 * reallocations), one piece larger than several doublings at once, and the
 * exact boundaries around 4096 where the terminating NUL needs a byte.
 */
static void
test_growth(void)
{
	enum { ITEMS = 20000 };
	static char want[ITEMS * 32];
	static char big[3 * 4096 + 17];
	struct html h;
	size_t o = 0, len;
	char *doc;

	html_init(&h);
	for (int i = 0; i < ITEMS; i++) {
		bool special = i % 7 == 0;
		html(&h, "<li id=\"i%d\">%s</li>", i - ITEMS / 2, special ? "a&b" : "x");
		o += (size_t)snprintf(want + o, sizeof(want) - o, "<li id=\"i%d\">%s</li>",
		                      i - ITEMS / 2, special ? "a&amp;b" : "x");
	}
	doc = html_take(&h, &len);
	CHECK(doc != NULL && len == o && memcmp(doc, want, o) == 0 && doc[len] == '\0',
	      "%d items: %zu bytes, want %zu", ITEMS, doc ? len : 0, o);
	free(doc);

	/* One html_text of 3 * 4096 + 17 plain bytes, then escaping across the boundary. */
	for (size_t i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	html_text(&h, big, sizeof(big));
	html_text(&h, "<", 1);
	doc = html_take(&h, &len);
	CHECK(doc != NULL && len == sizeof(big) + 4 && memcmp(doc, big, sizeof(big)) == 0 &&
	      memcmp(doc + sizeof(big), "&lt;", 5) == 0,
	      "one large piece: %zu bytes, want %zu", doc ? len : 0, sizeof(big) + 4);
	free(doc);

	/* 4095, 4096 and 4097 bytes, each built one byte short then completed. */
	for (size_t n = 4094; n <= 4098; n++) {
		html_text(&h, big, n - 1);
		html_text(&h, "'", 1);
		doc = html_take(&h, &len);
		CHECK(doc != NULL && len == n - 1 + 5 && memcmp(doc, big, n - 1) == 0 &&
		      memcmp(doc + n - 1, "&#39;", 6) == 0, "%zu bytes then an escape: len %zu",
		      n - 1, doc ? len : 0);
		free(doc);
	}

	/* Escapes only: every byte grows fivefold, across many buffers. */
	memset(big, '"', sizeof(big));
	html_text(&h, big, sizeof(big));
	doc = html_take(&h, &len);
	bool all = doc != NULL && len == 6 * sizeof(big);
	for (size_t i = 0; all && i < sizeof(big); i++)
		all = memcmp(doc + 6 * i, "&quot;", 6) == 0;
	CHECK(all, "%zu quotes: %zu bytes, want %zu", sizeof(big), doc ? len : 0,
	      6 * sizeof(big));
	free(doc);
	html_free(&h);
}

int
main(void)
{
	test_escape_s();
	test_literal_and_null();
	test_numbers();
	test_unknown_conversion_checked();
	test_unknown_conversion_unchecked();
	test_failed_then_reused();
	test_take_empty_and_reuse();
	test_growth();
	return harness_summary();
}
