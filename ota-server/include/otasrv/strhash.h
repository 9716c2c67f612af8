/* FNV-1a over a NUL-terminated string: the slot hash of the server's small in-memory tables (rate limits,
 * security audit limits). Not for anything an attacker must not steer: they probe a few slots only. */
#pragma once

#include <stdint.h>

static inline uint32_t osv_strhash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}
