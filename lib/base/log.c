#include "base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "base/timefmt.h"

static void
vlog(const char *level, const char *fmt, va_list ap)
{
	char when[TIMEFMT_RFC3339_LEN + 1];
	char line[1024];

	timefmt_rfc3339(timefmt_now_us(), when);
	vsnprintf(line, sizeof(line), fmt, ap);
	/* One write per line so that lines of concurrent workers do not interleave. */
	dprintf(STDERR_FILENO, "%s parsesphere[%d] %s: %s\n", when, (int)getpid(), level, line);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", fmt, ap);
	va_end(ap);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
}
