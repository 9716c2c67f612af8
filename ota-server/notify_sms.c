/* An owner notification's text as SMS user data (notify_sms.h). Characters are mapped with lib's TS 23.038 table
 * (cat_utf8_to_gsm: UTF-8 in, default alphabet and extension table). libosmocore's gsm_septet_encode() and
 * gsm_7bit_encode_n() are not used here: they read the text byte by byte as an 8-bit Latin-1-like set, so the
 * UTF-8 bytes of 'é' (C3 A9) or '€' (E2 82 AC) come out as FF septets, and gsm_7bit_encode_n() packs, while SMPP
 * data_coding 0 carries one septet per octet (the SMSC packs for the air). */
#include <string.h>

#include "simguard/cat.h"
#include "otasrv/notify_sms.h"

#define GSM_SINGLE  160 /* septets in one SMS */
#define GSM_PART    153 /* septets beside the 6-octet concatenation header (48 bits + 1 fill bit = 7 septets) */
#define UCS2_SINGLE 70
#define UCS2_PART   67
#define MAX_CHARS   (OSV_SMS_MAX_PARTS * GSM_SINGLE)
#define ELLIPSIS    3 /* "..." ending a cut text */

/* One character in both alphabets. */
struct sms_char {
	uint8_t gsm[2];
	uint8_t n_gsm; /* its septets in GSM (2 for the extension table), 0 when it has no GSM code */
	uint16_t ucs2;
};

/* Bytes of the UTF-8 sequence a lead byte announces, 0 when it starts none. */
static size_t utf8_len(uint8_t lead)
{
	if (lead < 0x80)
		return 1;
	if ((lead & 0xE0) == 0xC0)
		return 2;
	if ((lead & 0xF0) == 0xE0)
		return 3;
	if ((lead & 0xF8) == 0xF0)
		return 4;
	return 0;
}

static bool shown_control(uint8_t b)
{
	return (b < 0x20 && b != '\n' && b != '\r') || b == 0x7F;
}

/* The character at s (not at its end) into c; returns the bytes it took (>= 1). What neither alphabet can carry
 * is '?': a byte that starts no sequence or a cut one (the byte alone), a complete sequence that is no BMP
 * character (all of it), a control character. */
static size_t next_char(const char *s, struct sms_char *c)
{
	size_t n = utf8_len((uint8_t)s[0]), len, k;
	struct sg_error ignored;
	uint8_t ucs2[3];
	char one[5];

	for (size_t i = 1; i < n; i++) {
		if (((uint8_t)s[i] & 0xC0) != 0x80) {
			n = 0;
			break;
		}
	}
	c->gsm[0] = '?';
	c->n_gsm = 1;
	c->ucs2 = '?';
	if (n == 0)
		return 1;
	if (n == 1 && shown_control((uint8_t)s[0]))
		return 1;
	memcpy(one, s, n);
	one[n] = '\0';
	if (cat_text_encode(one, CAT_TEXT_UCS2, ucs2, sizeof(ucs2), &len, &ignored) < 0 || len != sizeof(ucs2))
		return n;
	c->ucs2 = (uint16_t)(ucs2[1] << 8 | ucs2[2]);
	c->n_gsm = cat_utf8_to_gsm(one, c->gsm, sizeof(c->gsm), &k, &ignored) == 0 ? (uint8_t)k : 0;
	return n;
}

static size_t units(const struct sms_char *c, bool gsm)
{
	return gsm ? c->n_gsm : 1;
}

/* Parts a greedy fill of per units each needs. */
static int parts_needed(const struct sms_char *ch, size_t n, bool gsm, size_t per)
{
	size_t i = 0, used;
	int parts = 0;

	while (i < n) {
		for (used = 0; i < n && used + units(&ch[i], gsm) <= per; i++)
			used += units(&ch[i], gsm);
		parts++;
	}
	return parts;
}

static size_t put_char(const struct sms_char *c, bool gsm, uint8_t *ud)
{
	if (gsm) {
		memcpy(ud, c->gsm, c->n_gsm);
		return c->n_gsm;
	}
	ud[0] = (uint8_t)(c->ucs2 >> 8);
	ud[1] = (uint8_t)c->ucs2;
	return 2;
}

/* Characters from *i while they fit cap units (cap - 3, then "...", when cut); returns the octets written. */
static size_t put_chars(const struct sms_char *ch, size_t n, size_t *i, bool gsm, size_t cap, bool cut, uint8_t *ud)
{
	static const struct sms_char dot = { .gsm = { '.' }, .n_gsm = 1, .ucs2 = '.' };
	size_t used = 0, o = 0;

	if (cut)
		cap -= ELLIPSIS;
	for (; *i < n && used + units(&ch[*i], gsm) <= cap; (*i)++) {
		used += units(&ch[*i], gsm);
		o += put_char(&ch[*i], gsm, ud + o);
	}
	for (int k = 0; cut && k < ELLIPSIS; k++)
		o += put_char(&dot, gsm, ud + o);
	return o;
}

void osv_sms_text_encode(const char *text, uint8_t ref, int max_parts, struct osv_sms_text *out)
{
	struct sms_char ch[MAX_CHARS];
	size_t n = 0, total = 0, cap, i = 0;
	bool gsm = true, header;
	int need;

	/* beyond MAX_CHARS nothing fits any more: what is left is cut anyway */
	for (const char *p = text; *p && n < MAX_CHARS; n++) {
		p += next_char(p, &ch[n]);
		gsm = gsm && ch[n].n_gsm;
	}
	for (size_t k = 0; k < n; k++)
		total += units(&ch[k], gsm);
	if (max_parts < 1)
		max_parts = 1;
	if (max_parts > OSV_SMS_MAX_PARTS)
		max_parts = OSV_SMS_MAX_PARTS;
	memset(out, 0, sizeof(*out));
	out->dcs = gsm ? OSV_SMS_DCS_GSM : OSV_SMS_DCS_UCS2;
	header = total > (gsm ? GSM_SINGLE : UCS2_SINGLE) && max_parts > 1;
	cap = header ? (gsm ? GSM_PART : UCS2_PART) : (gsm ? GSM_SINGLE : UCS2_SINGLE);
	need = parts_needed(ch, n, gsm, cap);
	out->n_parts = need < 1 ? 1 : need > max_parts ? max_parts : need;
	out->cut = need > max_parts;
	for (int p = 0; p < out->n_parts; p++) {
		struct osv_sms_part *part = &out->part[p];

		if (header) {
			const uint8_t udh[] = { 5, 0x00, 3, ref, (uint8_t)out->n_parts, (uint8_t)(p + 1) };

			memcpy(part->ud, udh, sizeof(udh));
			part->len = sizeof(udh);
		}
		part->len += put_chars(ch, n, &i, gsm, cap, out->cut && p == out->n_parts - 1, part->ud + part->len);
	}
}
