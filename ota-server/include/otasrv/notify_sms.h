/* An owner notification's text as SMS user data for SMPP (TS 23.038, TS 23.040): the GSM 7-bit default alphabet
 * with its extension table, one septet per octet (SMPP data_coding 0: the SMSC packs the septets for the air -
 * osmo-msc's submit_sm handling does, and our sms-gateway's lab handsets do), or UCS-2 (data_coding 8) when a
 * character has no GSM code. A text longer than one SMS becomes concatenated parts, each starting with the
 * 8-bit-reference concatenation header 05 00 03 ref total seq (esm_class UDHI). No I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OSV_SMS_DCS_GSM	  0x00
#define OSV_SMS_DCS_UCS2  0x08
#define OSV_SMS_MAX_PARTS 4   /* 612 septets / 268 UCS-2 characters: more than a stored notification text holds */
#define OSV_SMS_UD_MAX	  160 /* one SMS of GSM text: 160 septets, one per octet */

struct osv_sms_part {
	uint8_t ud[OSV_SMS_UD_MAX]; /* concatenation header included when the text has several parts */
	size_t len;
};

struct osv_sms_text {
	uint8_t dcs; /* OSV_SMS_DCS_GSM or OSV_SMS_DCS_UCS2 */
	int n_parts; /* 1..max_parts */
	bool cut;    /* longer than max_parts SMS: cut at a character, ending in "..." */
	struct osv_sms_part part[OSV_SMS_MAX_PARTS];
};

/* Encode a UTF-8 text as SMS: GSM 7-bit when every character has a GSM code, else UCS-2. In one SMS up to 160
 * septets / 70 UCS-2 characters, else parts of up to 153 septets (an escape and its extension character never
 * split) / 67 characters with the concatenation reference ref. A byte that starts no valid UTF-8 sequence, a
 * character outside the BMP and a control character other than LF and CR each become '?'. max_parts is
 * clamped to 1..OSV_SMS_MAX_PARTS. */
void osv_sms_text_encode(const char *text, uint8_t ref, int max_parts, struct osv_sms_text *out);
