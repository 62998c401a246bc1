/* The names of store.h's enums, as the columns hold them (and the API shows them). */
#include "data/store.h"

#include <string.h>

const char *
store_role_name(enum store_role r)
{
	switch (r) {
	case ROLE_OWNER: return "owner";
	case ROLE_ADMIN: return "admin";
	case ROLE_MEMBER: return "member";
	default: return NULL;
	}
}

enum store_role
store_role_parse(const char *s)
{
	for (enum store_role r = ROLE_OWNER; r <= ROLE_MEMBER; r++)
		if (strcmp(s, store_role_name(r)) == 0)
			return r;
	return ROLE_NONE;
}

static const char *const reasons[] = {
	[REASON_USER] = "user", [REASON_OWNER] = "owner", [REASON_ROLLED] = "rolled",
	[REASON_LEAKED] = "leaked",
};

const char *
store_reason_name(enum store_reason r)
{
	return r > REASON_NONE && r <= REASON_LEAKED ? reasons[r] : NULL;
}

enum store_reason
store_reason_parse(const char *s)
{
	for (enum store_reason r = REASON_USER; r <= REASON_LEAKED; r++)
		if (strcmp(s, reasons[r]) == 0)
			return r;
	return REASON_NONE;
}
