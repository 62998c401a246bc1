/*
 * A minimal unit test harness. A test file #includes the unit under test
 * (lib/x.c) and this header, runs table cases that carry __LINE__, and ends
 * with harness_summary(), which prints "N passed, N failed" and returns the
 * exit status.
 */
#ifndef PS_HARNESS_H
#define PS_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_passed, harness_failed;

/* CHECK(cond, line, "what"): line is the table case's __LINE__. */
#define CHECK_AT(cond, line, ...) do {                                   \
		if (cond) {                                                    \
			harness_passed++;                                          \
		} else {                                                       \
			harness_failed++;                                          \
			fprintf(stdout, "FAIL %s:%d: ", __FILE__, (int)(line));    \
			fprintf(stdout, __VA_ARGS__);                              \
			fputc('\n', stdout);                                       \
		}                                                              \
	} while (0)
#define CHECK(cond, ...) CHECK_AT(cond, __LINE__, __VA_ARGS__)

static int
harness_summary(void)
{
	printf("%d passed, %d failed\n", harness_passed, harness_failed);
	return harness_failed == 0 ? 0 : 1;
}

#endif
