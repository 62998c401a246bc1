#include "base/uuid.h"

#include <pthread.h>
#include <string.h>
#include <sodium.h>

#include "base/validate.h"

/*
 * The random bits of ids come from a pool drawn UUID_POOL bytes at a time:
 * one getrandom system call per 409 ids instead of one per id (every request
 * gets an id). Ids are not secrets, but they must never repeat: a child of
 * fork() empties its copy of the pool (pthread_atfork), so that no two
 * processes hand out the same bytes. One thread per process draws ids.
 */
#define UUID_POOL 4096

static unsigned char pool[UUID_POOL];
static size_t pool_used = UUID_POOL;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void
empty_pool(void)
{
	pool_used = UUID_POOL;
}

static void
watch_forks(void)
{
	pthread_atfork(NULL, NULL, empty_pool);
}

static void
draw(uint8_t *out, size_t n)
{
	pthread_once(&fork_once, watch_forks);
	if (UUID_POOL - pool_used < n) {
		randombytes_buf(pool, UUID_POOL);
		pool_used = 0;
	}
	memcpy(out, pool + pool_used, n);
	pool_used += n;
}

void
uuid_v7(uint8_t out[UUID_LEN], uint64_t unix_ms)
{
	draw(out + 6, UUID_LEN - 6);
	for (int i = 0; i < 6; i++)
		out[i] = (uint8_t)(unix_ms >> (8 * (5 - i)));
	out[6] = (uint8_t)(0x70 | (out[6] & 0x0f));   /* version 7 */
	out[8] = (uint8_t)(0x80 | (out[8] & 0x3f));   /* RFC 9562 variant */
}

int
uuid_parse(const char *s, size_t len, uint8_t out[UUID_LEN])
{
	size_t o = 0;

	if (len != UUID_TEXT_LEN)
		return -1;
	for (size_t i = 0; i < len; ) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return -1;
			i++;
			continue;
		}
		int hi = validate_hex_digit((unsigned char)s[i]);
		int lo = validate_hex_digit((unsigned char)s[i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[o++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return 0;
}

void
uuid_format(const uint8_t id[UUID_LEN], char out[UUID_TEXT_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (int i = 0; i < UUID_LEN; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[id[i] >> 4];
		out[o++] = hex[id[i] & 0x0f];
	}
	out[o] = '\0';
}
