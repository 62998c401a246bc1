/*
 * GET /metrics as a Prometheus server reads it: the text parsed by the
 * official Python client's parser (promparse.py), for the metrics tests and
 * the fault tests that check what the metrics saw.
 */
#include "itest.h"

#include <stdlib.h>
#include <unistd.h>

#define PROMPARSE_PYTHON "/usr/bin/python3"   /* Debian's, with python3-prometheus-client */

bool
scrape_at(int line, struct scrape *s)
{
	struct http_response *r = REQ(.method = "GET", .path = "/metrics");
	const char *ct = http_header(r, "Content-Type"), *out;
	char path[] = "/tmp/itest-scrape-XXXXXX";
	json_object *o;
	int fd, rc;

	memset(s, 0, sizeof(*s));
	if (!expect_status_at(line, r, 200) ||
	    !CHECK_AT(ct != NULL && strcmp(ct, "text/plain; version=0.0.4; charset=utf-8") == 0,
	              line, "GET /metrics: Content-Type %s", ct ? ct : "(none)"))
		return false;
	if ((fd = mkstemp(path)) < 0 || write(fd, r->body, r->body_len) != (ssize_t)r->body_len) {
		if (fd >= 0)
			close(fd);
		unlink(path);
		return CHECK_AT(false, line, "cannot write the scrape to %s", path);
	}
	close(fd);
	rc = run_cmd(P("%s %s/tests/integration/promparse.py %s", PROMPARSE_PYTHON,
	               getenv("PS_ROOT"), path), &out);
	unlink(path);
	o = rc == 0 ? jparse(out) : NULL;
	if (!CHECK_AT(o != NULL, line, "the Prometheus parser refused GET /metrics (exit %d): %s\n"
	              "%.600s", rc, out, r->body))
		return false;
	s->samples = jget(o, "samples");
	s->types = jget(o, "types");
	return CHECK_AT(s->samples != NULL && s->types != NULL, line, "promparse printed %.200s",
	                out);
}

double
sample_of(const struct scrape *s, const char *series)
{
	json_object *v = NULL;

	if (s->samples == NULL || !json_object_object_get_ex(s->samples, series, &v))
		return 0;
	return json_object_get_double(v);
}

bool
settle_at(int line, struct scrape *s)
{
	struct scrape next;
	double end = now_s() + SCRAPE_SETTLE_S;

	if (!scrape_at(line, s))
		return false;
	for (;;) {
		sleep_s(0.05);
		if (!scrape_at(line, &next))
			return false;
		if (sample_of(&next, SCRAPE_COUNT) == sample_of(s, SCRAPE_COUNT) + 1)
			return true;
		*s = next;
		if (!CHECK_AT(now_s() < end, line, "the metrics did not settle within %.0f s",
		              SCRAPE_SETTLE_S))
			return false;
	}
}

double
grown_to(struct scrape *now, const struct scrape *before, const char *series, double want,
         double timeout)
{
	double end = now_s() + timeout;

	while (SCRAPE(now) && sample_of(now, series) - sample_of(before, series) < want &&
	       now_s() < end)
		sleep_s(0.1);
	return sample_of(now, series) - sample_of(before, series);
}
