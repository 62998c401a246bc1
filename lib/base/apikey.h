/*
 * apikey: the `sk_` key format of docs/api.md, "Authentication".
 *
 *   sk_ + 40 random base62 characters + 6 base62 characters of CRC-32
 *   (IEEE, as zlib's crc32) over the first 43 bytes, most significant first.
 *
 * Pure functions on caller-owned buffers; nothing here allocates. The full
 * key is a secret: callers wipe their copies with sodium_memzero when done.
 */
#ifndef PS_APIKEY_H
#define PS_APIKEY_H

#include <stddef.h>
#include <stdint.h>

#define APIKEY_LEN        49   /* "sk_" + 40 + 6 */
#define APIKEY_RANDOM_LEN 40
#define APIKEY_CHECK_LEN  6
#define APIKEY_PREFIX_LEN 12   /* display prefix: "sk_" + 9 */
#define APIKEY_HASH_LEN   32   /* keyed BLAKE2b-256 */
#define APIKEY_PEPPER_LEN 32

enum apikey_status {
	APIKEY_OK = 0,
	APIKEY_EFORMAT,     /* wrong length, prefix or alphabet */
	APIKEY_ECHECKSUM    /* well-formed but the checksum does not match */
};

/* CRC-32 (IEEE 802.3, reflected, init and final xor 0xffffffff). */
uint32_t apikey_crc32(const void *buf, size_t len);

/* Writes the 6-character base62 checksum of `body` (43 bytes) into out. */
void apikey_checksum(const char *body, size_t len, char out[APIKEY_CHECK_LEN]);

/* Fills out with a fresh key and a terminating NUL; randomness from libsodium. */
void apikey_generate(char out[APIKEY_LEN + 1]);

/* Checks format and checksum of an untrusted token of `len` bytes. */
enum apikey_status apikey_parse(const char *tok, size_t len);

/* Copies the display prefix of a valid key and NUL-terminates it. */
void apikey_prefix(const char *key, char out[APIKEY_PREFIX_LEN + 1]);

/* Keyed BLAKE2b-256 of a valid key with the server pepper. Returns 0 on success. */
int apikey_hash(const char *key, const unsigned char pepper[APIKEY_PEPPER_LEN],
                unsigned char out[APIKEY_HASH_LEN]);

#endif
