/* Unit tests for the hex helpers used by every CLI. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "simguard/hex.h"

static void decode_ok(void **state)
{
	uint8_t out[8];
	struct sg_error err;

	assert_int_equal(sg_hex_decode("00aFff 10", out, sizeof(out), "data", &err), 4);
	assert_memory_equal(out, "\x00\xaf\xff\x10", 4);
}

static void decode_errors(void **state)
{
	uint8_t out[2];
	struct sg_error err;

	assert_int_equal(sg_hex_decode("abc", out, sizeof(out), "tar", &err), -1);
	assert_string_equal(err.msg, "tar: odd number of hex digits");
	assert_int_equal(sg_hex_decode("0g", out, sizeof(out), "spi", &err), -1);
	assert_string_equal(err.msg, "spi: 'g' at position 2 is not a hex digit");
	assert_int_equal(sg_hex_decode("001122", out, sizeof(out), "kic", &err), -1);
	assert_string_equal(err.msg, "kic: longer than 2 bytes");
}

static void encode(void **state)
{
	char s[7];

	assert_string_equal(sg_hex_encode((const uint8_t *)"\x01\xab\xff", 3, s, sizeof(s)), "01ABFF");
	/* truncates rather than overflowing */
	assert_string_equal(sg_hex_encode((const uint8_t *)"\x01\xab\xff\x00", 4, s, sizeof(s)), "01ABFF");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(decode_ok),
		cmocka_unit_test(decode_errors),
		cmocka_unit_test(encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
