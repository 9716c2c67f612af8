/* libFuzzer target for the owner notification's SMS encoding (notify_sms.h): any bytes as the text (a notification
 * carries what a card's result said and what a certificate's CN holds), the first byte choosing max_parts.
 * Invariants: 1..max_parts parts; a header 05 00 03 ref total seq exactly when there are several; every part fits
 * one SMS (160 septets beside nothing, 153 beside the header; 140 / 134 UCS-2 octets, even); GSM parts decode
 * through the TS 23.038 tables (no octet above 7F, no escape without its extension character, none left alone at
 * a part's end); UCS-2 units are no surrogates and no NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "simguard/cat.h"
#include "otasrv/notify_sms.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_gsm(const uint8_t *ud, size_t len)
{
	char utf8[4 * OSV_SMS_UD_MAX + 1];
	struct sg_error err;

	if (len > 0 && ud[len - 1] == 0x1B)
		abort();
	if (cat_gsm_to_utf8(ud, len, utf8, sizeof(utf8), &err) < 0)
		abort();
}

static void check_ucs2(const uint8_t *ud, size_t len)
{
	if (len % 2)
		abort();
	for (size_t i = 0; i < len; i += 2) {
		unsigned int u = (unsigned int)ud[i] << 8 | ud[i + 1];

		if (u == 0 || (u >= 0xD800 && u <= 0xDFFF))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1024];
	struct osv_sms_text t;
	int max_parts;

	if (size < 1)
		return 0;
	max_parts = data[0] % 6; /* 0 and 5: clamped */
	size = size - 1 > sizeof(text) - 1 ? sizeof(text) - 1 : size - 1;
	memcpy(text, data + 1, size);
	text[size] = '\0';
	osv_sms_text_encode(text, 0x5A, max_parts, &t);
	if (t.n_parts < 1 || t.n_parts > OSV_SMS_MAX_PARTS || (max_parts >= 1 && t.n_parts > max_parts) ||
	    (t.dcs != OSV_SMS_DCS_GSM && t.dcs != OSV_SMS_DCS_UCS2))
		abort();
	for (int p = 0; p < t.n_parts; p++) {
		const struct osv_sms_part *part = &t.part[p];
		const uint8_t udh[] = { 5, 0, 3, 0x5A, (uint8_t)t.n_parts, (uint8_t)(p + 1) };
		size_t hl = t.n_parts > 1 ? sizeof(udh) : 0;
		size_t max = t.dcs == OSV_SMS_DCS_GSM ? (hl ? 153 : 160) : (hl ? 134 : 140);

		if (part->len < hl || part->len - hl > max || (hl && memcmp(part->ud, udh, hl)))
			abort();
		if (t.dcs == OSV_SMS_DCS_GSM)
			check_gsm(part->ud + hl, part->len - hl);
		else
			check_ucs2(part->ud + hl, part->len - hl);
	}
	return 0;
}
