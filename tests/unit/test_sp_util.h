/* Hex helpers shared by the secured packet and OTA crypto unit tests (include after cmocka.h). */
#pragma once

#include <stdint.h>
#include <string.h>

#include "simguard/hex.h"

#define SP_TEST_HEX_MAX 1200

static inline size_t unhex(const char *hex, uint8_t *out, size_t size)
{
	struct sg_error err;
	long n = sg_hex_decode(hex, out, size, "test", &err);

	if (n < 0)
		fail_msg("bad hex in test: %s", err.msg);
	return (size_t)n;
}

/* Byte-exact comparison that prints both sides in hex when they differ. */
static inline void assert_hex(const uint8_t *got, size_t len, const char *want)
{
	static uint8_t w[SP_TEST_HEX_MAX];
	static char gh[2 * SP_TEST_HEX_MAX + 1], wh[2 * SP_TEST_HEX_MAX + 1];
	size_t n = unhex(want, w, sizeof(w));

	if (n != len || memcmp(got, w, n))
		fail_msg("got  %s\nwant %s", sg_hex_encode(got, len, gh, sizeof(gh)), sg_hex_encode(w, n, wh, sizeof(wh)));
}
