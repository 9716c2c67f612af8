/* CAT text codings to and from UTF-8: the GSM 7-bit default alphabet with its extension table (TS 23.038 6.2.1),
 * 7-bit packing, UCS2, the data coding schemes of SMS and of USSD/CBS (TS 23.038 clauses 4 and 5), and the
 * alpha identifier codings of TS 102 221 Annex A.
 * libosmocore's gsm_septet_pack() does the packing; its decoders are not used because they map to a Latin-1 like
 * 8-bit set and lose the Greek letters and the euro sign, and its gsm338_get_sms_alphabet() logs and does not
 * know the 01xx DCS group. */
#include <string.h>

#include <osmocom/gsm/gsm_utils.h>

#include "simguard/cat.h"

#define GSM_ESC 0x1B
#define GSM_CR 0x0D

/* TS 23.038 6.2.1 default alphabet, code -> Unicode (0x1B is the escape, shown as NBSP if alone) */
static const uint16_t gsm_default[128] = {
	0x0040, 0x00A3, 0x0024, 0x00A5, 0x00E8, 0x00E9, 0x00F9, 0x00EC, 0x00F2, 0x00C7, 0x000A, 0x00D8, 0x00F8,
	0x000D, 0x00C5, 0x00E5, 0x0394, 0x005F, 0x03A6, 0x0393, 0x039B, 0x03A9, 0x03A0, 0x03A8, 0x03A3, 0x0398,
	0x039E, 0x00A0, 0x00C6, 0x00E6, 0x00DF, 0x00C9, 0x0020, 0x0021, 0x0022, 0x0023, 0x00A4, 0x0025, 0x0026,
	0x0027, 0x0028, 0x0029, 0x002A, 0x002B, 0x002C, 0x002D, 0x002E, 0x002F, 0x0030, 0x0031, 0x0032, 0x0033,
	0x0034, 0x0035, 0x0036, 0x0037, 0x0038, 0x0039, 0x003A, 0x003B, 0x003C, 0x003D, 0x003E, 0x003F, 0x00A1,
	0x0041, 0x0042, 0x0043, 0x0044, 0x0045, 0x0046, 0x0047, 0x0048, 0x0049, 0x004A, 0x004B, 0x004C, 0x004D,
	0x004E, 0x004F, 0x0050, 0x0051, 0x0052, 0x0053, 0x0054, 0x0055, 0x0056, 0x0057, 0x0058, 0x0059, 0x005A,
	0x00C4, 0x00D6, 0x00D1, 0x00DC, 0x00A7, 0x00BF, 0x0061, 0x0062, 0x0063, 0x0064, 0x0065, 0x0066, 0x0067,
	0x0068, 0x0069, 0x006A, 0x006B, 0x006C, 0x006D, 0x006E, 0x006F, 0x0070, 0x0071, 0x0072, 0x0073, 0x0074,
	0x0075, 0x0076, 0x0077, 0x0078, 0x0079, 0x007A, 0x00E4, 0x00F6, 0x00F1, 0x00FC, 0x00E0,
};

/* TS 23.038 6.2.1.1 extension table (after 1B) */
static const struct {
	uint8_t code;
	uint16_t cp;
} gsm_ext[] = {
	{ 0x0A, 0x000C }, { 0x14, 0x005E }, { 0x28, 0x007B }, { 0x29, 0x007D }, { 0x2F, 0x005C },
	{ 0x3C, 0x005B }, { 0x3D, 0x007E }, { 0x3E, 0x005D }, { 0x40, 0x007C }, { 0x65, 0x20AC },
};

#define N_EXT (sizeof(gsm_ext) / sizeof(gsm_ext[0]))

/* Append one code point as UTF-8, keeping room for the NUL. */
static int put_utf8(char *out, size_t size, size_t *pos, uint32_t cp, struct sg_error *err)
{
	uint8_t b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xC0 | cp >> 6);
		b[1] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xE0 | cp >> 12);
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (uint8_t)(0xF0 | cp >> 18);
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (uint8_t)(0x80 | (cp & 0x3F));
		n = 4;
	}
	if (size == 0 || n > size - 1 - *pos)
		return sg_err(err, "text longer than %zu bytes of UTF-8", size ? size - 1 : 0);
	memcpy(out + *pos, b, n);
	*pos += n;
	out[*pos] = '\0';
	return 0;
}

/* Read one code point of UTF-8 at s[*pos]; -1 with err for an invalid or overlong sequence. */
static int next_utf8(const char *s, size_t *pos, uint32_t *cp, struct sg_error *err)
{
	const uint8_t *p = (const uint8_t *)s + *pos;
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		*pos += 1;
		return 0;
	}
	if ((p[0] & 0xE0) == 0xC0) {
		n = 2;
		c = p[0] & 0x1F;
	} else if ((p[0] & 0xF0) == 0xE0) {
		n = 3;
		c = p[0] & 0x0F;
	} else if ((p[0] & 0xF8) == 0xF0) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return sg_err(err, "invalid UTF-8 byte 0x%02X at byte %zu", p[0], *pos + 1);
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return sg_err(err, "truncated UTF-8 sequence at byte %zu", *pos + 1);
		c = c << 6 | (p[i] & 0x3F);
	}
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10FFFF ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return sg_err(err, "invalid UTF-8 sequence at byte %zu", *pos + 1);
	*cp = c;
	*pos += n;
	return 0;
}

int cat_gsm_to_utf8(const uint8_t *septets, size_t n, char *out, size_t size, struct sg_error *err)
{
	size_t i, pos = 0, k;

	if (size)
		out[0] = '\0';
	for (i = 0; i < n; i++) {
		uint32_t cp;

		if (septets[i] > 0x7F)
			return sg_err(err, "byte 0x%02X at offset %zu is not in the GSM 7-bit alphabet", septets[i],
				      i);
		if (septets[i] != GSM_ESC) {
			cp = gsm_default[septets[i]];
		} else if (i + 1 == n) {
			/* a trailing escape has nothing to escape */
			break;
		} else {
			i++;
			if (septets[i] > 0x7F)
				return sg_err(err, "byte 0x%02X at offset %zu is not in the GSM 7-bit alphabet",
					      septets[i], i);
			/* TS 23.038: an unknown extension shows the default-table character; 1B 1B as a space */
			cp = septets[i] == GSM_ESC ? 0x20 : gsm_default[septets[i]];
			for (k = 0; k < N_EXT; k++) {
				if (gsm_ext[k].code == septets[i])
					cp = gsm_ext[k].cp;
			}
		}
		if (put_utf8(out, size, &pos, cp, err))
			return -1;
	}
	return 0;
}

/* GSM code(s) for a code point: 1 (default), 2 (escape + extension) or 0 when it has none. */
static int gsm_code(uint32_t cp, uint8_t code[2])
{
	size_t k;

	for (k = 0; k < 128; k++) {
		if (gsm_default[k] == cp && k != GSM_ESC) {
			code[0] = (uint8_t)k;
			return 1;
		}
	}
	for (k = 0; k < N_EXT; k++) {
		if (gsm_ext[k].cp == cp) {
			code[0] = GSM_ESC;
			code[1] = gsm_ext[k].code;
			return 2;
		}
	}
	return 0;
}

int cat_utf8_to_gsm(const char *utf8, uint8_t *septets, size_t size, size_t *n, struct sg_error *err)
{
	size_t pos = 0;

	*n = 0;
	while (utf8[pos]) {
		size_t at = pos;
		uint32_t cp;
		uint8_t code[2];
		int k;

		if (next_utf8(utf8, &pos, &cp, err))
			return -1;
		k = gsm_code(cp, code);
		if (k == 0)
			return sg_err(err, "character U+%04X at byte %zu has no GSM 7-bit code", cp, at + 1);
		if ((size_t)k > size - *n)
			return sg_err(err, "more than %zu GSM characters", size);
		memcpy(septets + *n, code, (size_t)k);
		*n += (size_t)k;
	}
	return 0;
}

size_t cat_gsm7_unpack(const uint8_t *packed, size_t len, uint8_t *septets, size_t size)
{
	size_t n = len * 8 / 7, i;

	if (n > size)
		n = size;
	for (i = 0; i < n; i++) {
		size_t bit = i * 7, byte = bit / 8, shift = bit % 8;
		unsigned int v = packed[byte] >> shift;

		if (shift > 1 && byte + 1 < len)
			v |= (unsigned int)packed[byte + 1] << (8 - shift);
		septets[i] = v & 0x7F;
	}
	/* seven spare bits at the end hold CR (TS 23.038 6.1.2.3.1) or zeros, not a character */
	if (n > 0 && n == len * 8 / 7 && (len * 8) % 7 == 0 && (septets[n - 1] == GSM_CR || septets[n - 1] == 0))
		n--;
	return n;
}

int cat_gsm7_pack(const uint8_t *septets, size_t n, uint8_t *out, size_t size, struct sg_error *err)
{
	uint8_t tmp[CAT_VALUE_MAX * 8 / 7 + 2];
	size_t octets = (n * 7 + 7) / 8;

	if (octets > size || n + 1 > sizeof(tmp))
		return sg_err(err, "%zu packed characters do not fit in %zu bytes", n, size);
	memcpy(tmp, septets, n);
	if (n % 8 == 7)
		tmp[n++] = GSM_CR;
	return gsm_septet_pack(out, tmp, n, 0);
}

static int ucs2_to_utf8(const uint8_t *data, size_t len, char *out, size_t size, struct sg_error *err)
{
	size_t i, pos = 0;

	if (size)
		out[0] = '\0';
	if (len % 2)
		return sg_err(err, "UCS2 text has odd length %zu", len);
	for (i = 0; i < len; i += 2) {
		uint32_t cp = (uint32_t)data[i] << 8 | data[i + 1];

		/* UTF-16 surrogate pairs are accepted: handsets send them in UCS2 fields */
		if (cp >= 0xD800 && cp <= 0xDBFF && i + 3 < len) {
			uint32_t lo = (uint32_t)data[i + 2] << 8 | data[i + 3];

			if (lo >= 0xDC00 && lo <= 0xDFFF) {
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
				i += 2;
			}
		}
		if (cp >= 0xD800 && cp <= 0xDFFF)
			return sg_err(err, "lone UTF-16 surrogate %04X at offset %zu", cp, i);
		if (cp == 0)
			return sg_err(err, "NUL character at offset %zu", i);
		if (put_utf8(out, size, &pos, cp, err))
			return -1;
	}
	return 0;
}

/* UTF-8 -> UCS2 big endian (BMP only: UCS2 has no surrogates) */
static int utf8_to_ucs2(const char *utf8, uint8_t *out, size_t size, size_t *n, struct sg_error *err)
{
	size_t pos = 0;

	*n = 0;
	while (utf8[pos]) {
		size_t at = pos;
		uint32_t cp;

		if (next_utf8(utf8, &pos, &cp, err))
			return -1;
		if (cp > 0xFFFF)
			return sg_err(err, "character U+%X at byte %zu is outside UCS2", cp, at + 1);
		if (size - *n < 2)
			return sg_err(err, "UCS2 form longer than %zu bytes", size);
		out[(*n)++] = (uint8_t)(cp >> 8);
		out[(*n)++] = (uint8_t)cp;
	}
	return 0;
}

enum alphabet {
	ALPHABET_GSM7,
	ALPHABET_8BIT,
	ALPHABET_UCS2,
	ALPHABET_UNSUPPORTED,
};

/* Alphabet of an SMS data coding scheme (TS 23.038 clause 4) */
static enum alphabet sms_dcs_alphabet(uint8_t dcs)
{
	switch (dcs >> 4) {
	case 0x0:
	case 0x1:
	case 0x2:
	case 0x3: /* general data coding */
	case 0x4:
	case 0x5:
	case 0x6:
	case 0x7: /* automatic deletion group: same coding */
		if (dcs & 0x20)
			return ALPHABET_UNSUPPORTED; /* compressed */
		return (dcs & 0x0C) == 0x00 ? ALPHABET_GSM7 :
		       (dcs & 0x0C) == 0x04 ? ALPHABET_8BIT :
		       (dcs & 0x0C) == 0x08 ? ALPHABET_UCS2 :
					      ALPHABET_UNSUPPORTED;
	case 0xC:
	case 0xD:
		return ALPHABET_GSM7; /* message waiting, discard / store */
	case 0xE:
		return ALPHABET_UCS2; /* message waiting, store, UCS2 */
	case 0xF:
		return (dcs & 0x04) ? ALPHABET_8BIT : ALPHABET_GSM7;
	default:
		return ALPHABET_UNSUPPORTED; /* 1000-1011 reserved */
	}
}

/* Alphabet of a CBS / USSD data coding scheme (TS 23.038 clause 5) */
static enum alphabet cbs_dcs_alphabet(uint8_t dcs)
{
	switch (dcs >> 4) {
	case 0x0:
	case 0x2:
	case 0x3:
		return ALPHABET_GSM7;
	case 0x1:
		/* 10: GSM 7-bit with language indication; 11 (UCS2 with a packed language prefix) not supported */
		return dcs == 0x10 ? ALPHABET_GSM7 : ALPHABET_UNSUPPORTED;
	case 0x4:
	case 0x5:
	case 0x6:
	case 0x7:
	case 0x9:
		if ((dcs >> 4) != 0x9 && (dcs & 0x20))
			return ALPHABET_UNSUPPORTED;
		return (dcs & 0x0C) == 0x00 ? ALPHABET_GSM7 :
		       (dcs & 0x0C) == 0x04 ? ALPHABET_8BIT :
		       (dcs & 0x0C) == 0x08 ? ALPHABET_UCS2 :
					      ALPHABET_UNSUPPORTED;
	case 0xF:
		return (dcs & 0x04) ? ALPHABET_8BIT : ALPHABET_GSM7;
	default:
		return ALPHABET_UNSUPPORTED;
	}
}

static int packed_to_utf8(const uint8_t *data, size_t len, char *out, size_t size, struct sg_error *err)
{
	uint8_t septets[CAT_VALUE_MAX * 8 / 7 + 1];

	if (len > CAT_VALUE_MAX)
		return sg_err(err, "%zu bytes, at most %d", len, CAT_VALUE_MAX);
	return cat_gsm_to_utf8(septets, cat_gsm7_unpack(data, len, septets, sizeof(septets)), out, size, err);
}

static int decode_alphabet(enum alphabet a, uint8_t dcs, const uint8_t *data, size_t len, char *out, size_t size,
			   struct sg_error *err)
{
	switch (a) {
	case ALPHABET_GSM7:
		return packed_to_utf8(data, len, out, size, err);
	case ALPHABET_8BIT:
		/* TS 102 223 8.15: 8-bit text is the SMS default alphabet, one character per byte */
		return cat_gsm_to_utf8(data, len, out, size, err);
	case ALPHABET_UCS2:
		return ucs2_to_utf8(data, len, out, size, err);
	default:
		return sg_err(err, "data coding scheme 0x%02X not supported", dcs);
	}
}

int cat_text_decode_dcs(uint8_t dcs, const uint8_t *data, size_t len, char *out, size_t size, struct sg_error *err)
{
	return decode_alphabet(sms_dcs_alphabet(dcs), dcs, data, len, out, size, err);
}

int cat_cbs_text_decode(uint8_t dcs, const uint8_t *data, size_t len, char *out, size_t size, struct sg_error *err)
{
	enum alphabet a = cbs_dcs_alphabet(dcs);

	if (size)
		out[0] = '\0';
	if (a == ALPHABET_8BIT)
		return 1;
	return decode_alphabet(a, dcs, data, len, out, size, err);
}

int cat_text_decode(const uint8_t *val, size_t len, char *out, size_t size, struct sg_error *err)
{
	if (size)
		out[0] = '\0';
	if (len == 0)
		return 0;
	return cat_text_decode_dcs(val[0], val + 1, len - 1, out, size, err);
}

int cat_text_encode(const char *utf8, enum cat_text_coding coding, uint8_t *out, size_t size, size_t *out_len,
		    struct sg_error *err)
{
	uint8_t septets[2 * CAT_VALUE_MAX];
	size_t n;
	int k;

	if (size < 1)
		return sg_err(err, "no room for the data coding scheme");
	if (coding == CAT_TEXT_AUTO) {
		struct sg_error ignored;

		coding = cat_utf8_to_gsm(utf8, septets, sizeof(septets), &n, &ignored) == 0 ? CAT_TEXT_GSM8 :
											      CAT_TEXT_UCS2;
	}
	out[0] = (uint8_t)coding;
	switch (coding) {
	case CAT_TEXT_GSM8:
		if (cat_utf8_to_gsm(utf8, out + 1, size - 1, &n, err))
			return -1;
		break;
	case CAT_TEXT_GSM7_PACKED:
		if (cat_utf8_to_gsm(utf8, septets, sizeof(septets), &n, err))
			return -1;
		k = cat_gsm7_pack(septets, n, out + 1, size - 1, err);
		if (k < 0)
			return -1;
		n = (size_t)k;
		break;
	case CAT_TEXT_UCS2:
		if (utf8_to_ucs2(utf8, out + 1, size - 1, &n, err))
			return -1;
		break;
	default:
		return sg_err(err, "coding 0x%02X not supported for encoding", coding);
	}
	*out_len = n + 1;
	return 0;
}

/* Alpha identifier UCS2 forms 81 and 82: GSM characters (b8 = 0, escapes allowed) and offsets from a base. */
static int alpha_base_form(const uint8_t *chars, size_t n, uint32_t base, char *out, size_t size,
			   struct sg_error *err)
{
	size_t i = 0, pos = 0;

	while (i < n) {
		size_t j = i;

		while (j < n && !(chars[j] & 0x80))
			j++;
		if (j > i) {
			/* a run of GSM characters, converted together so escapes work */
			char tmp[4 * CAT_VALUE_MAX + 1];

			if (cat_gsm_to_utf8(chars + i, j - i, tmp, sizeof(tmp), err))
				return -1;
			if (strlen(tmp) > size - 1 - pos)
				return sg_err(err, "text longer than %zu bytes of UTF-8", size - 1);
			memcpy(out + pos, tmp, strlen(tmp) + 1);
			pos += strlen(tmp);
			i = j;
			continue;
		}
		{
			uint32_t cp = base + (chars[i] & 0x7F);

			if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0xFFFF)
				return sg_err(err, "character %zu gives invalid UCS2 value %04X", i + 1,
					      cp);
			if (put_utf8(out, size, &pos, cp, err))
				return -1;
		}
		i++;
	}
	return 0;
}

int cat_alpha_decode(const uint8_t *val, size_t len, char *out, size_t size, struct sg_error *err)
{
	size_t n;

	if (size)
		out[0] = '\0';
	if (len == 0)
		return 0;
	switch (val[0]) {
	case 0x80:
		/* UCS2 data at val[1..n]: an odd trailing FF is padding, then whole FFFF characters are */
		n = len - 1;
		if (n % 2 && val[n] == 0xFF)
			n--;
		while (n >= 2 && val[n - 1] == 0xFF && val[n] == 0xFF)
			n -= 2;
		return ucs2_to_utf8(val + 1, n, out, size, err);
	case 0x81:
		if (len < 3)
			return sg_err(err, "UCS2 form 81 needs 3 header bytes, has %zu", len);
		if (val[1] > len - 3)
			return sg_err(err, "form 81 says %u characters, %zu present", val[1],
				      len - 3);
		return alpha_base_form(val + 3, val[1], (uint32_t)val[2] << 7, out, size, err);
	case 0x82:
		if (len < 4)
			return sg_err(err, "UCS2 form 82 needs 4 header bytes, has %zu", len);
		if (val[1] > len - 4)
			return sg_err(err, "form 82 says %u characters, %zu present", val[1],
				      len - 4);
		return alpha_base_form(val + 4, val[1], (uint32_t)val[2] << 8 | val[3], out, size, err);
	default:
		n = len;
		while (n > 0 && val[n - 1] == 0xFF)
			n--;
		return cat_gsm_to_utf8(val, n, out, size, err);
	}
}

int cat_alpha_encode(const char *utf8, uint8_t *out, size_t size, size_t *out_len, struct sg_error *err)
{
	struct sg_error ignored;
	size_t n;

	if (cat_utf8_to_gsm(utf8, out, size, &n, &ignored) == 0) {
		*out_len = n;
		return 0;
	}
	if (size < 1)
		return sg_err(err, "no room");
	out[0] = 0x80;
	if (utf8_to_ucs2(utf8, out + 1, size - 1, &n, err))
		return -1;
	*out_len = n + 1;
	return 0;
}
