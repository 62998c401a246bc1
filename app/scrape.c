/*
 * GET /metrics (docs/api.md): the pool's counters in the Prometheus text
 * exposition format, for metrics_allow's addresses only (api.c's gate makes
 * the path unknown to anyone else, and with metrics off).
 */
#include "api.h"

#include <stdlib.h>

#define EXPOSITION_TYPE "text/plain; version=0.0.4; charset=utf-8"

void
scrape_get(struct api_call *c)
{
	size_t len = 0;
	char *text = metrics_render(c->env->metrics, &len);

	if (text == NULL) {
		api_fail(c, ERR_INTERNAL);
		return;
	}
	response_bytes(c->resp, 200, EXPOSITION_TYPE, NULL, text, len, true);
}
