/* Names of instructions and status words for display (TS 102 221 10.2, ISO 7816-4 5.6, GSM 11.11 9.4). */
#include <stdio.h>

#include "simguard/apdu.h"

/* How the low bits of a status word appear in its text */
enum sw_arg {
	SW_ARG_NONE,
	SW_ARG_BYTE, /* low byte as a count */
	SW_ARG_NIBBLE, /* low nibble as a count */
	SW_ARG_HEX, /* low byte shown as a qualifier */
};

struct sw_desc {
	uint16_t sw;
	uint16_t mask;
	enum sw_arg arg;
	const char *text;
};

/* Exact words first, then families; the first match wins. */
static const struct sw_desc sw_table[] = {
	{ 0x9000, 0xFFFF, SW_ARG_NONE, "normal ending" },
	{ 0x9300, 0xFFFF, SW_ARG_NONE, "toolkit busy, command cannot be executed now" },
	{ 0x6200, 0xFFFF, SW_ARG_NONE, "warning: no information given, memory unchanged" },
	{ 0x6281, 0xFFFF, SW_ARG_NONE, "warning: part of the returned data may be corrupted" },
	{ 0x6282, 0xFFFF, SW_ARG_NONE, "warning: end of file or record reached before reading Le bytes" },
	{ 0x6283, 0xFFFF, SW_ARG_NONE, "warning: selected file invalidated" },
	{ 0x6285, 0xFFFF, SW_ARG_NONE, "warning: selected file in termination state" },
	{ 0x62F1, 0xFFFF, SW_ARG_NONE, "warning: more data available" },
	{ 0x62F2, 0xFFFF, SW_ARG_NONE, "warning: more data available and proactive command pending" },
	{ 0x62F3, 0xFFFF, SW_ARG_NONE, "warning: response data available" },
	{ 0x63F1, 0xFFFF, SW_ARG_NONE, "warning: more data expected" },
	{ 0x63F2, 0xFFFF, SW_ARG_NONE, "warning: more data expected and proactive command pending" },
	{ 0x6400, 0xFFFF, SW_ARG_NONE, "execution error: memory unchanged" },
	{ 0x6500, 0xFFFF, SW_ARG_NONE, "execution error: memory changed" },
	{ 0x6581, 0xFFFF, SW_ARG_NONE, "execution error: memory problem" },
	{ 0x6700, 0xFFFF, SW_ARG_NONE, "wrong length" },
	{ 0x6800, 0xFFFF, SW_ARG_NONE, "functions in CLA not supported" },
	{ 0x6881, 0xFFFF, SW_ARG_NONE, "logical channel not supported" },
	{ 0x6882, 0xFFFF, SW_ARG_NONE, "secure messaging not supported" },
	{ 0x6981, 0xFFFF, SW_ARG_NONE, "command incompatible with file structure" },
	{ 0x6982, 0xFFFF, SW_ARG_NONE, "security status not satisfied" },
	{ 0x6983, 0xFFFF, SW_ARG_NONE, "authentication/PIN method blocked" },
	{ 0x6984, 0xFFFF, SW_ARG_NONE, "referenced data invalidated" },
	{ 0x6985, 0xFFFF, SW_ARG_NONE, "conditions of use not satisfied" },
	{ 0x6986, 0xFFFF, SW_ARG_NONE, "command not allowed (no EF selected)" },
	{ 0x6989, 0xFFFF, SW_ARG_NONE, "command not allowed: secure channel security not satisfied" },
	{ 0x6A80, 0xFFFF, SW_ARG_NONE, "incorrect parameters in the data field" },
	{ 0x6A81, 0xFFFF, SW_ARG_NONE, "function not supported" },
	{ 0x6A82, 0xFFFF, SW_ARG_NONE, "file or application not found" },
	{ 0x6A83, 0xFFFF, SW_ARG_NONE, "record not found" },
	{ 0x6A84, 0xFFFF, SW_ARG_NONE, "not enough memory space" },
	{ 0x6A86, 0xFFFF, SW_ARG_NONE, "incorrect parameters P1-P2" },
	{ 0x6A87, 0xFFFF, SW_ARG_NONE, "Lc inconsistent with P1-P2" },
	{ 0x6A88, 0xFFFF, SW_ARG_NONE, "referenced data not found" },
	{ 0x6B00, 0xFFFF, SW_ARG_NONE, "wrong parameters P1-P2" },
	{ 0x6D00, 0xFFFF, SW_ARG_NONE, "instruction code not supported or invalid" },
	{ 0x6E00, 0xFFFF, SW_ARG_NONE, "class not supported" },
	{ 0x6F00, 0xFFFF, SW_ARG_NONE, "technical problem, no precise diagnosis" },
	{ 0x9240, 0xFFFF, SW_ARG_NONE, "memory problem" },
	{ 0x9400, 0xFFFF, SW_ARG_NONE, "no EF selected" },
	{ 0x9402, 0xFFFF, SW_ARG_NONE, "out of range (invalid address)" },
	{ 0x9404, 0xFFFF, SW_ARG_NONE, "file ID or pattern not found" },
	{ 0x9408, 0xFFFF, SW_ARG_NONE, "file inconsistent with the command" },
	{ 0x9802, 0xFFFF, SW_ARG_NONE, "no CHV initialised" },
	{ 0x9804, 0xFFFF, SW_ARG_NONE, "access condition not fulfilled or CHV verification failed" },
	{ 0x9808, 0xFFFF, SW_ARG_NONE, "in contradiction with CHV status" },
	{ 0x9810, 0xFFFF, SW_ARG_NONE, "in contradiction with invalidation status" },
	{ 0x9840, 0xFFFF, SW_ARG_NONE, "CHV verification failed, no attempt left (blocked)" },
	{ 0x9850, 0xFFFF, SW_ARG_NONE, "INCREASE cannot be performed, maximum value reached" },
	{ 0x9862, 0xFFFF, SW_ARG_NONE, "authentication error, incorrect MAC" },
	{ 0x9863, 0xFFFF, SW_ARG_NONE, "security session or association expired" },
	{ 0x9864, 0xFFFF, SW_ARG_NONE, "minimum UICC suspension time is too long" },
	{ 0x91FF, 0xFF00, SW_ARG_BYTE, "normal ending, proactive command of %u bytes pending" },
	{ 0x9200, 0xFFF0, SW_ARG_NIBBLE, "command successful after %u internal retries" },
	{ 0x92FF, 0xFF00, SW_ARG_HEX, "normal ending with information on a data transfer session (%02X)" },
	{ 0x61FF, 0xFF00, SW_ARG_BYTE, "%u response bytes available" },
	{ 0x9FFF, 0xFF00, SW_ARG_BYTE, "%u response bytes available (SIM)" },
	{ 0x9EFF, 0xFF00, SW_ARG_BYTE, "data download error, %u response bytes available (SIM)" },
	{ 0x63CF, 0xFFF0, SW_ARG_NIBBLE, "verification failed, %u retries left" },
	{ 0x6CFF, 0xFF00, SW_ARG_BYTE, "wrong Le, exact length is %u" },
	{ 0x62FF, 0xFF00, SW_ARG_HEX, "warning, memory unchanged (%02X)" },
	{ 0x63FF, 0xFF00, SW_ARG_HEX, "warning, memory changed (%02X)" },
	{ 0x64FF, 0xFF00, SW_ARG_HEX, "execution error, memory unchanged (%02X)" },
	{ 0x65FF, 0xFF00, SW_ARG_HEX, "execution error, memory changed (%02X)" },
	{ 0x67FF, 0xFF00, SW_ARG_HEX, "wrong length (%02X)" },
	{ 0x68FF, 0xFF00, SW_ARG_HEX, "functions in CLA not supported (%02X)" },
	{ 0x69FF, 0xFF00, SW_ARG_HEX, "command not allowed (%02X)" },
	{ 0x6AFF, 0xFF00, SW_ARG_HEX, "wrong parameters (%02X)" },
	{ 0x6BFF, 0xFF00, SW_ARG_HEX, "wrong parameters P1-P2 (%02X)" },
	{ 0x6DFF, 0xFF00, SW_ARG_HEX, "instruction code not supported (%02X)" },
	{ 0x6EFF, 0xFF00, SW_ARG_HEX, "class not supported (%02X)" },
	{ 0x6FFF, 0xFF00, SW_ARG_HEX, "technical problem (%02X)" },
	{ 0x98FF, 0xFF00, SW_ARG_HEX, "security management (%02X)" },
};

const char *apdu_sw_describe(uint16_t sw, char *out, size_t size)
{
	char text[96];
	size_t i;

	for (i = 0; i < sizeof(sw_table) / sizeof(sw_table[0]); i++) {
		const struct sw_desc *d = &sw_table[i];

		if ((sw & d->mask) != (d->sw & d->mask))
			continue;
		switch (d->arg) {
		case SW_ARG_NONE:
			snprintf(out, size, "%04X %s", sw, d->text);
			break;
		case SW_ARG_BYTE:
			/* 00 in 61xx / 6Cxx / 91xx means 256 */
			snprintf(text, sizeof(text), d->text, (sw & 0xFF) ? (unsigned int)(sw & 0xFF) : 256u);
			snprintf(out, size, "%04X %s", sw, text);
			break;
		case SW_ARG_NIBBLE:
			snprintf(text, sizeof(text), d->text, (unsigned int)(sw & 0x0F));
			snprintf(out, size, "%04X %s", sw, text);
			break;
		case SW_ARG_HEX:
			snprintf(text, sizeof(text), d->text, (unsigned int)(sw & 0xFF));
			snprintf(out, size, "%04X %s", sw, text);
			break;
		}
		return out;
	}
	snprintf(out, size, "%04X unknown status word", sw);
	return out;
}

bool apdu_sw_is_success(uint16_t sw)
{
	uint8_t sw1 = sw >> 8;

	return sw == 0x9000 || sw1 == 0x91 || sw1 == 0x61 || sw1 == 0x9F || sw1 == 0x92;
}

struct ins_name {
	uint8_t ins;
	const char *name;
};

static const struct ins_name ins_names[] = {
	{ APDU_INS_SELECT, "SELECT" },
	{ APDU_INS_STATUS, "STATUS" },
	{ APDU_INS_READ_BINARY, "READ BINARY" },
	{ APDU_INS_UPDATE_BINARY, "UPDATE BINARY" },
	{ APDU_INS_READ_RECORD, "READ RECORD" },
	{ APDU_INS_UPDATE_RECORD, "UPDATE RECORD" },
	{ APDU_INS_SEARCH_RECORD, "SEARCH RECORD" },
	{ APDU_INS_INCREASE, "INCREASE" },
	{ APDU_INS_VERIFY, "VERIFY PIN" },
	{ APDU_INS_CHANGE_PIN, "CHANGE PIN" },
	{ APDU_INS_DISABLE_PIN, "DISABLE PIN" },
	{ APDU_INS_ENABLE_PIN, "ENABLE PIN" },
	{ APDU_INS_UNBLOCK_PIN, "UNBLOCK PIN" },
	{ APDU_INS_DEACTIVATE_FILE, "DEACTIVATE FILE" },
	{ APDU_INS_ACTIVATE_FILE, "ACTIVATE FILE" },
	{ APDU_INS_AUTHENTICATE, "AUTHENTICATE" },
	{ APDU_INS_GET_CHALLENGE, "GET CHALLENGE" },
	{ APDU_INS_TERMINAL_PROFILE, "TERMINAL PROFILE" },
	{ APDU_INS_ENVELOPE, "ENVELOPE" },
	{ APDU_INS_FETCH, "FETCH" },
	{ APDU_INS_TERMINAL_RESPONSE, "TERMINAL RESPONSE" },
	{ APDU_INS_MANAGE_CHANNEL, "MANAGE CHANNEL" },
	{ APDU_INS_GET_RESPONSE, "GET RESPONSE" },
};

const char *apdu_ins_name(uint8_t ins)
{
	size_t i;

	for (i = 0; i < sizeof(ins_names) / sizeof(ins_names[0]); i++) {
		if (ins_names[i].ins == ins)
			return ins_names[i].name;
	}
	return NULL;
}

bool apdu_carries_pin(const uint8_t *cmd, size_t len)
{
	if (len <= 5)
		return false;
	switch (cmd[1]) {
	case APDU_INS_VERIFY:
	case APDU_INS_CHANGE_PIN:
	case APDU_INS_DISABLE_PIN:
	case APDU_INS_ENABLE_PIN:
	case APDU_INS_UNBLOCK_PIN:
		return true;
	default:
		return false;
	}
}
