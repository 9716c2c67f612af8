/* TS 23.040 address fields, TP-SCTS and user-data length rules (TP-UDL in septets or octets by DCS).
 * Encoding goes through libosmocore's gsm340_gen_oa / gsm340_gen_scts; decoding is ours because the libosmocore
 * decoders do not check lengths against the buffer. */
#include <string.h>

#include <osmocom/core/utils.h>
#include <osmocom/gsm/gsm0411_utils.h>
#include <osmocom/gsm/gsm_utils.h>
#include <osmocom/gsm/protocol/gsm_03_40.h>
#include <osmocom/gsm/protocol/gsm_04_11.h>

#include "simguard/sms_tpdu.h"

/* Semi-octet values 0xA..0xE are "*#abc" in 23.040 (libosmocore's encoder uses the same spelling). */
static const char semi_octet_chars[] = "0123456789*#abc";

static int semi_octet_value(char c)
{
	const char *p = strchr(semi_octet_chars, c);

	return (p && c) ? (int)(p - semi_octet_chars) : -1;
}

int sms_addr_encode(const struct sms_addr *a, uint8_t *out, size_t out_size, const char *what, struct sg_error *err)
{
	size_t n = strnlen(a->digits, sizeof(a->digits));
	uint8_t tmp[2 + 32];
	int rc;

	if (a->ton > 7 || a->npi > 15)
		return sg_err(err, "%s: TON %u / NPI %u out of range", what, a->ton, a->npi);
	if (n > SMS_ADDR_MAX_DIGITS)
		return sg_err(err, "%s: not NUL-terminated", what);
	if (a->ton != GSM340_TYPE_ALPHA_NUMERIC)
		for (size_t i = 0; i < n; i++)
			if (semi_octet_value(a->digits[i]) < 0)
				return sg_err(err, "%s: '%c' is not an address digit (0-9 * # a b c)", what,
					      a->digits[i]);
	/* the BCD path (gsm48_encode_bcd_number) checks its limit against the bytes after the length octet */
	rc = gsm340_gen_oa(tmp, sizeof(tmp) - 1, a->ton, a->npi, a->digits);
	if (rc < 2)
		return sg_err(err, "%s: libosmocore could not encode '%s'", what, a->digits);
	/* 10 octets of address value at most; alphanumeric text with escapes may need more */
	if (rc > 12 || tmp[0] > SMS_ADDR_MAX_DIGITS)
		return sg_err(err, "%s: '%s' needs %d octets, more than 10", what, a->digits, rc - 2);
	if (out_size < (size_t)rc)
		return sg_err(err, "%s: output buffer too small", what);
	memcpy(out, tmp, (size_t)rc);
	return rc;
}

static int addr_decode_alnum(const uint8_t *buf, unsigned int semi, struct sms_addr *a, const char *what,
			     struct sg_error *err)
{
	char text[32];
	/* useful semi-octets count 4-bit units, so the septet count is exact */
	unsigned int septets = semi * 4 / 7;

	gsm_7bit_decode_n(text, sizeof(text), buf, (uint8_t)septets);
	if (strlen(text) > SMS_ADDR_MAX_DIGITS)
		return sg_err(err, "%s: alphanumeric address too long", what);
	OSMO_STRLCPY_ARRAY(a->digits, text);
	return 0;
}

int sms_addr_decode(const uint8_t *buf, size_t len, struct sms_addr *a, const char *what, struct sg_error *err)
{
	unsigned int semi, octets;

	if (len < 2)
		return sg_err(err, "%s: truncated (need length and type-of-address)", what);
	semi = buf[0];
	if (semi > SMS_ADDR_MAX_DIGITS)
		return sg_err(err, "%s: length %u semi-octets exceeds %u", what, semi, SMS_ADDR_MAX_DIGITS);
	octets = (semi + 1) / 2;
	if (len < 2 + (size_t)octets)
		return sg_err(err, "%s: %u semi-octets need %u bytes, only %zu present", what, semi, octets, len - 2);
	if (!(buf[1] & 0x80))
		return sg_err(err, "%s: type-of-address 0x%02X lacks bit 8", what, buf[1]);
	a->ton = (buf[1] >> 4) & 0x07;
	a->npi = buf[1] & 0x0f;
	if (a->ton == GSM340_TYPE_ALPHA_NUMERIC) {
		if (addr_decode_alnum(buf + 2, semi, a, what, err) < 0)
			return -1;
		return 2 + octets;
	}
	for (unsigned int i = 0; i < semi; i++) {
		uint8_t v = (i & 1) ? buf[2 + i / 2] >> 4 : buf[2 + i / 2] & 0x0f;

		if (v > 0x0e)
			return sg_err(err, "%s: filler 0xF inside the digits (semi-octet %u)", what, i + 1);
		a->digits[i] = semi_octet_chars[v];
	}
	a->digits[semi] = '\0';
	return 2 + octets;
}

void sms_scts_from_time(time_t t, uint8_t scts[7])
{
	gsm340_gen_scts(scts, t);
}

static int bcd_swapped(uint8_t b, int *v)
{
	uint8_t lo = b & 0x0f, hi = b >> 4;

	if (lo > 9 || hi > 9)
		return -1;
	*v = lo * 10 + hi;
	return 0;
}

int sms_scts_to_time(const uint8_t scts[7], time_t *t, struct sg_error *err)
{
	static const char *const names[] = { "year", "month", "day", "hour", "minute", "second" };
	int f[6], tz;
	struct tm tm = { 0 };

	for (int i = 0; i < 6; i++)
		if (bcd_swapped(scts[i], &f[i]) < 0)
			return sg_err(err, "scts: %s octet 0x%02X is not BCD", names[i], scts[i]);
	/* b3 of the TZ octet is the sign, the rest two swapped BCD digits of quarter hours */
	if (bcd_swapped(scts[6] & 0xf7, &tz) < 0)
		return sg_err(err, "scts: time zone octet 0x%02X is not BCD", scts[6]);
	if (f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59)
		return sg_err(err, "scts: %02d-%02d %02d:%02d:%02d is not a valid date/time", f[1], f[2], f[3], f[4],
			      f[5]);
	/* two-digit year: 70..99 are 19xx, like libosmocore's gsm340_scts */
	tm.tm_year = f[0] < 70 ? f[0] + 100 : f[0];
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	*t = timegm(&tm) - (time_t)((scts[6] & 0x08) ? -tz : tz) * 15 * 60;
	return 0;
}

bool sms_dcs_is_8bit(uint8_t dcs)
{
	return gsm338_get_sms_alphabet(dcs) == DCS_8BIT_DATA;
}

bool sms_dcs_is_class2_8bit(uint8_t dcs)
{
	/* "1111" group: b2 8-bit, b1b0 class */
	if ((dcs & 0xf0) == 0xf0)
		return (dcs & 0x07) == 0x06;
	/* general groups 00xx: uncompressed, class meaningful, 8-bit, class 2 */
	if ((dcs & 0xc0) == 0x00)
		return (dcs & 0x3f) == 0x16;
	return false;
}

int sms_ud_octets(uint8_t dcs, uint8_t udl)
{
	switch (gsm338_get_sms_alphabet(dcs)) {
	case DCS_7BIT_DEFAULT:
		return (udl * 7 + 7) / 8;
	case DCS_8BIT_DATA:
	case DCS_UCS2:
		return udl;
	default:
		return -1;
	}
}

int sms_ud_set_octets(struct sms_ud *ud, const uint8_t *data, size_t len, struct sg_error *err)
{
	if (len > SMS_UD_MAX)
		return sg_err(err, "user data: %zu octets exceed %d", len, SMS_UD_MAX);
	if (len)
		memcpy(ud->ud, data, len);
	ud->ud_len = len;
	ud->udl = (uint8_t)len;
	return 0;
}
