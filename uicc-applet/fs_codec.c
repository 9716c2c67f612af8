/* Byte encodings of identities in EFs: ICCID (TS 102 221 13.2), IMSI (TS 31.102 4.2.2) and dialling numbers
 * (TS 31.102 4.4.2.3 / TS 51.011 10.5.1: BCD with TON/NPI). */
#include <string.h>

#include "fs_internal.h"

/* Swapped-nibble BCD of digits, F-padded, into out (n bytes). */
static void bcd_swapped(const char *digits, uint8_t *out, size_t n)
{
	size_t len = strlen(digits);

	memset(out, 0xFF, n);
	for (size_t i = 0; i < len && i / 2 < n; i++) {
		uint8_t d = digits[i] - '0';
		if (i % 2)
			out[i / 2] = (out[i / 2] & 0x0F) | (d << 4);
		else
			out[i / 2] = (out[i / 2] & 0xF0) | d;
	}
}

size_t fs_encode_iccid(const char *digits, uint8_t out[10])
{
	bcd_swapped(digits, out, 10);
	return 10;
}

size_t fs_encode_imsi(const char *digits, uint8_t out[9])
{
	size_t n = strlen(digits);

	memset(out, 0xFF, 9);
	out[0] = (n + 2) / 2;
	/* the first byte carries the parity in its low nibble: 9 for an odd number of digits, 1 for even */
	out[1] = ((digits[0] - '0') << 4) | (n % 2 ? 0x9 : 0x1);
	bcd_swapped(digits + 1, out + 2, 7);
	return 9;
}

int fs_encode_dialling(const char *number, uint8_t out[14])
{
	bool intl = number[0] == '+';
	const char *d = intl ? number + 1 : number;
	size_t n = strlen(d);

	if (n == 0 || n > 20 || strspn(d, "0123456789") != n)
		return -1;
	memset(out, 0xFF, 14);
	out[0] = 1 + (n + 1) / 2; /* TON/NPI byte + BCD bytes */
	out[1] = intl ? 0x91 : 0x81;
	bcd_swapped(d, out + 2, 10);
	return 0;
}
