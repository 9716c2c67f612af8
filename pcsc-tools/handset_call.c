/* handset-sim placing a call, so that the card's call control can be seen at work: emergency numbers are never
 * given to call control and go out even with limited service (TS 22.101); any other number needs normal service
 * and is first offered to the card by ENVELOPE(CALL CONTROL) (TS 102 223 7.3.1.6), whose answer allows it, bars
 * it, or changes it. The simulator has no voice path: the outcome is what the state shows. */
#include <stdio.h>
#include <string.h>

#include "pcsct/handset.h"
#include "simguard/tlv.h"

static const char *const emergency_numbers[] = {"112", "911", "999", "000", "08", "110", "118", "119"};

static bool is_emergency(const char *number)
{
	size_t i;

	for (i = 0; i < sizeof(emergency_numbers) / sizeof(emergency_numbers[0]); i++)
		if (strcmp(number, emergency_numbers[i]) == 0)
			return true;
	return false;
}

static void outcome(struct handset *hs, const char *number, const char *result, const char *text)
{
	snprintf(hs->call.number, sizeof(hs->call.number), "%s", number);
	snprintf(hs->call.result, sizeof(hs->call.result), "%s", result);
	snprintf(hs->call.text, sizeof(hs->call.text), "%s", text ? text : "");
	handset_event(hs, "call to %s: %s%s%s", number, result, text && text[0] ? ": " : "", text ? text : "");
	handset_changed(hs);
}

/* The call control result: result byte, length, then COMPREHENSION-TLVs (address, alpha identifier ...). */
static void control_result(struct handset *hs, const char *number, const uint8_t *data, size_t len)
{
	static const char *const results[] = {"allowed", "barred by the card", "allowed, modified by the card"};
	char alpha[PCSCT_TEXT_MAX] = "", to[CAT_ADDR_MAX_DIGITS + 1] = "";
	struct sg_tlv t;
	struct sg_tlv_reader r;
	struct sg_error err;
	size_t body;
	int n;

	if (len < 2 || data[0] > 2 || (n = sg_tlv_len_decode(data + 1, len - 1, &body, &err)) < 0 ||
	    (size_t)n + 1 + body > len) {
		outcome(hs, number, "allowed", "call control answer not understood");
		return;
	}
	sg_tlv_reader_init(&r, data + 1 + n, body);
	while (sg_ctlv_next(&r, &t, &err) > 0) {
		if (t.tag == CAT_TAG_ALPHA_ID)
			cat_alpha_decode(t.val, t.len, alpha, sizeof(alpha), &err);
		else if (t.tag == CAT_TAG_ADDRESS && t.len > 1)
			pcsct_bcd_digits(t.val + 1, t.len - 1, false, to, sizeof(to));
	}
	if (data[0] == 2 && to[0]) {
		char what[PCSCT_TEXT_MAX + 64];

		snprintf(what, sizeof(what), "now to %s%s%s", to, alpha[0] ? ", " : "", alpha);
		outcome(hs, number, results[2], what);
		return;
	}
	outcome(hs, number, results[data[0]], alpha);
}

int handset_dial(struct handset *hs, const char *number)
{
	struct cat_address a = {.ton = 0, .npi = 1};
	struct cat_call_control cc = {.address = &a, .location = &hs->cfg.me.loc};
	struct cat_buf env;
	struct pcsct_rsp rsp;
	struct sg_error err;
	const char *digits = number[0] == '+' ? number + 1 : number;

	if (!digits[0] || strlen(digits) > CAT_ADDR_MAX_DIGITS || strspn(digits, "0123456789*#") != strlen(digits)) {
		outcome(hs, number, "not dialled", "not a number");
		return -1;
	}
	if (is_emergency(digits)) {
		outcome(hs, number, hs->me.service == PCSCT_SVC_NO_SERVICE ? "failed, no network" : "emergency call",
			NULL);
		return 0;
	}
	if (hs->me.service != PCSCT_SVC_NORMAL) {
		outcome(hs, number, "no service", "emergency calls only");
		return 0;
	}
	a.ton = number[0] == '+' ? 1 : 0;
	snprintf(a.digits, sizeof(a.digits), "%s", digits);
	if (cat_build_call_control(&env, &cc, &err) < 0) {
		outcome(hs, number, "not dialled", err.msg);
		return -1;
	}
	if (handset_toolkit_envelope(hs, &env, &rsp) < 0) {
		outcome(hs, number, "failed", "SIM failure");
		return 0;
	}
	if (rsp.sw == APDU_SW_OK && rsp.len == 0)
		outcome(hs, number, "allowed", NULL);
	else if (rsp.len)
		control_result(hs, number, rsp.data, rsp.len);
	else
		outcome(hs, number, "allowed", "call control unavailable on the card");
	return 0;
}
