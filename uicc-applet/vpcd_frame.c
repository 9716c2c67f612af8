/* One vpcd frame to the card and back: control bytes (power off / on / reset, get ATR) and APDUs. */
#include <string.h>

#include <osmocom/core/logging.h>

#include "uicc/card.h"
#include "vpcd.h"

static void control(struct uicc_card *card, uint8_t ctrl, uint8_t *out, size_t *out_len, vpcd_trace_cb trace,
		    void *priv)
{
	const uint8_t *atr;
	size_t atr_len;

	*out_len = 0;
	switch (ctrl) {
	case VPCD_CTRL_OFF:
		uicc_card_power_off(card);
		LOGP(DVPCD, LOGL_INFO, "power off\n");
		return;
	case VPCD_CTRL_ON:
	case VPCD_CTRL_RESET:
		/* power on, or a warm reset: volatile state cleared either way */
		if (ctrl == VPCD_CTRL_ON)
			uicc_card_power_on(card);
		else
			uicc_card_reset(card);
		LOGP(DVPCD, LOGL_INFO, "%s\n", ctrl == VPCD_CTRL_ON ? "power on" : "reset");
		atr = uicc_card_atr(card, &atr_len);
		if (trace)
			trace(priv, card, NULL, 0, NULL, 0, atr, atr_len);
		return;
	case VPCD_CTRL_ATR:
		atr = uicc_card_atr(card, &atr_len);
		memcpy(out, atr, atr_len);
		*out_len = atr_len;
		return;
	default:
		LOGP(DVPCD, LOGL_NOTICE, "unknown control byte %02X ignored\n", ctrl);
		return;
	}
}

void vpcd_handle_frame(struct uicc_card *card, const uint8_t *in, size_t len, uint8_t *out, size_t *out_len,
		       vpcd_trace_cb trace, void *trace_priv)
{
	size_t rsp_len = UICC_RSP_MAX;

	*out_len = 0;
	if (len == 0)
		return;
	if (len == 1) {
		control(card, in[0], out, out_len, trace, trace_priv);
		return;
	}
	if (!uicc_card_powered(card)) {
		/* pcscd powers the card before any APDU; if a client gets here anyway, behave as a card would
		 * after an implicit activation rather than leave the reader hanging */
		LOGP(DVPCD, LOGL_NOTICE, "APDU to an unpowered card: powering it on\n");
		uicc_card_power_on(card);
	}
	if (uicc_card_apdu(card, in, len, out, &rsp_len) < 0) {
		out[0] = 0x6F;
		out[1] = 0x00;
		rsp_len = 2;
	}
	*out_len = rsp_len;
	if (trace)
		trace(trace_priv, card, in, len, out, rsp_len, NULL, 0);
}
