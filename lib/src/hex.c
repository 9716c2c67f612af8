/* Hex strings <-> bytes (see hex.h). */
#include <ctype.h>

#include "simguard/hex.h"

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

long sg_hex_decode(const char *hex, uint8_t *out, size_t out_size, const char *what, struct sg_error *err)
{
	size_t n = 0, pos;
	int hi = -1;

	for (pos = 0; hex[pos]; pos++) {
		int v;

		if (isspace((unsigned char)hex[pos]) && hi < 0)
			continue;
		v = nibble(hex[pos]);
		if (v < 0)
			return sg_err(err, "%s: '%c' at position %zu is not a hex digit", what, hex[pos], pos + 1);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= out_size)
			return sg_err(err, "%s: longer than %zu bytes", what, out_size);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return sg_err(err, "%s: odd number of hex digits", what);
	return (long)n;
}

char *sg_hex_encode(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	if (out_size == 0)
		return out;
	if (len > (out_size - 1) / 2)
		len = (out_size - 1) / 2;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
	return out;
}
