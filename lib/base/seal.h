/*
 * seal: a random nonzero value a process draws once per kind of struct that
 * only one function may make (an authenticated principal, a verified
 * signature). That function stores the value in what it makes; the checks
 * compare against it, so a zeroed, copied-in or half-built struct never
 * passes for one. Not a secret across processes: it only has to be unknown
 * to code that did not call the maker.
 */
#ifndef PS_SEAL_H
#define PS_SEAL_H

#include <stdint.h>

/* *value, drawn from libsodium the first time (the caller's static, 0 until then). */
uint64_t seal_value(uint64_t *value);

#endif
