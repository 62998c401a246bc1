/*
 * uuid: 16-byte identifiers, stored as BINARY(16), shown as 36-character
 * lowercase hyphenated text. New ids are version 7 (time-ordered) so that
 * InnoDB primary keys append instead of splitting pages.
 */
#ifndef PS_UUID_H
#define PS_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_LEN      16
#define UUID_TEXT_LEN 36

/* A version-7 id for the instant unix_ms, 74 random bits from libsodium. */
void uuid_v7(uint8_t out[UUID_LEN], uint64_t unix_ms);

/* Parses exactly 36 bytes of hyphenated hex, any letter case. Returns 0 or -1. */
int uuid_parse(const char *s, size_t len, uint8_t out[UUID_LEN]);

/* Writes lowercase text and a NUL. */
void uuid_format(const uint8_t id[UUID_LEN], char out[UUID_TEXT_LEN + 1]);

#endif
