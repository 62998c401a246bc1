#include "base/addrlist.h"

#include <arpa/inet.h>
#include <string.h>

/* One address, IPv4-mapped IPv6 folded to IPv4; false if text is none. */
static bool
parse_one(const char *text, struct addrlist_addr *out)
{
	struct in6_addr a6;

	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->a) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, text, &a6) != 1)
		return false;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		out->family = AF_INET;
		memcpy(out->a, a6.s6_addr + 12, 4);
	} else {
		out->family = AF_INET6;
		memcpy(out->a, a6.s6_addr, 16);
	}
	return true;
}

int
addrlist_parse(struct addrlist *l, const char *text)
{
	static const char sep[] = ", \t";
	const char *p = text + strspn(text, sep);

	memset(l, 0, sizeof(*l));
	while (*p != '\0') {
		char one[INET6_ADDRSTRLEN];
		size_t n = strcspn(p, sep);

		if (n >= sizeof(one) || l->n == ADDRLIST_MAX)
			return -1;
		memcpy(one, p, n);
		one[n] = '\0';
		if (!parse_one(one, &l->addr[l->n]))
			return -1;
		l->n++;
		p += n;
		p += strspn(p, sep);
	}
	return 0;
}

bool
addrlist_has(const struct addrlist *l, const char *addr)
{
	struct addrlist_addr a;

	if (addr == NULL || !parse_one(addr, &a))
		return false;
	for (unsigned i = 0; i < l->n; i++)
		if (l->addr[i].family == a.family && memcmp(l->addr[i].a, a.a, sizeof(a.a)) == 0)
			return true;
	return false;
}
