#include "base/seal.h"

#include <sodium.h>

uint64_t
seal_value(uint64_t *value)
{
	while (*value == 0)
		randombytes_buf(value, sizeof(*value));
	return *value;
}
