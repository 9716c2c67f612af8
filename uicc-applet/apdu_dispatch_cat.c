/* CAT commands (TS 102 221 11.2): TERMINAL PROFILE, ENVELOPE, FETCH and TERMINAL RESPONSE are checked here for
 * parameters and lengths and then handed to the toolkit side (uicc/toolkit.h). ENVELOPE response data (a PoR)
 * leaves the card T=0 style, through 61xx and GET RESPONSE. */
#include "uicc/toolkit.h"
#include "card_internal.h"

/* Case-3 command with P1 = P2 = 00 and data: 9000, or the SW saying what is wrong. */
static uint16_t check_case3(const struct apdu *a)
{
	if (a->p1 || a->p2)
		return APDU_SW_WRONG_P1P2;
	if (!a->lc)
		return APDU_SW_WRONG_LENGTH;
	return APDU_SW_OK;
}

static void cmd_terminal_profile(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	r->sw = check_case3(a);
	if (r->sw == APDU_SW_OK)
		r->sw = uicc_toolkit_terminal_profile(ch->card, a->data, a->lc);
}

static void cmd_envelope(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	size_t len = sizeof(r->data);

	r->sw = check_case3(a);
	if (r->sw != APDU_SW_OK)
		return;
	r->sw = uicc_toolkit_envelope(ch->card, a->data, a->lc, r->data, &len);
	r->len = len <= sizeof(r->data) ? len : 0;
	r->via_get_response = true;
}

static void cmd_fetch(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	size_t pending = uicc_toolkit_pending_len(ch->card), len = sizeof(r->data);

	if (a->p1 || a->p2) {
		r->sw = APDU_SW_WRONG_P1P2;
		return;
	}
	if (a->lc || !a->has_le) {
		r->sw = APDU_SW_WRONG_LENGTH;
		return;
	}
	/* a wrong Le must not consume the command: tell the right one and keep it pending */
	if (pending && a->le != 256 && a->le != pending) {
		r->sw = 0x6C00 | (pending & 0xFF);
		return;
	}
	r->sw = uicc_toolkit_fetch(ch->card, a->le, r->data, &len);
	r->len = len <= sizeof(r->data) ? len : 0;
}

static void cmd_terminal_response(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	r->sw = check_case3(a);
	if (r->sw == APDU_SW_OK)
		r->sw = uicc_toolkit_terminal_response(ch->card, a->data, a->lc);
}

bool dispatch_cat_cmd(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	switch (a->ins) {
	case APDU_INS_TERMINAL_PROFILE:
		cmd_terminal_profile(ch, a, r);
		return true;
	case APDU_INS_ENVELOPE:
		cmd_envelope(ch, a, r);
		return true;
	case APDU_INS_FETCH:
		cmd_fetch(ch, a, r);
		return true;
	case APDU_INS_TERMINAL_RESPONSE:
		cmd_terminal_response(ch, a, r);
		return true;
	default:
		return false;
	}
}
