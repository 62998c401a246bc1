/* A fake CGI parameter source for request_parse: a NULL-terminated table. */
#ifndef PS_FAKE_PARAMS_H
#define PS_FAKE_PARAMS_H

#include <string.h>

struct kv { const char *name, *value; };

static const char *
getter(const char *name, void *ctx)
{
	for (const struct kv *p = ctx; p->name != NULL; p++)
		if (strcmp(p->name, name) == 0)
			return p->value;
	return NULL;
}

#endif
