/*
 * addrlist: a short list of IP addresses from the configuration (IPv4 and
 * IPv6, written as inet_pton reads them), and the test of a client's address
 * (REMOTE_ADDR) against it. An IPv4 address and its IPv4-mapped IPv6 form
 * ("::ffff:127.0.0.1") are the same address, so that the list does not
 * depend on how a web server reports a client.
 */
#ifndef PS_ADDRLIST_H
#define PS_ADDRLIST_H

#include <stdbool.h>
#include <stdint.h>

#define ADDRLIST_MAX 16

struct addrlist_addr {
	int family;                     /* AF_INET or AF_INET6 */
	uint8_t a[16];                  /* 4 or 16 bytes used */
};

struct addrlist {
	unsigned n;
	struct addrlist_addr addr[ADDRLIST_MAX];
};

/*
 * Addresses separated by commas and/or blanks ("127.0.0.1, ::1"); "" is the
 * empty list. -1 on anything else (a name, a prefix, more than ADDRLIST_MAX).
 */
int addrlist_parse(struct addrlist *l, const char *text);

/* Whether addr (NULL: unknown, never listed) is one of the list's. */
bool addrlist_has(const struct addrlist *l, const char *addr);

#endif
