/* The toolkit side of the card behind uicc/toolkit.h: TERMINAL PROFILE, ENVELOPE, FETCH and TERMINAL RESPONSE as
 * the card core hands them over. This first version answers every command plainly (no proactive command is ever
 * pending, network authentication always allowed) so the card core links; the CAT engine, OTA receiving entity
 * and anti-theft applet grow behind these entry points. */
#include "uicc/toolkit.h"

#include "simguard/apdu.h"

uint16_t uicc_toolkit_terminal_profile(struct uicc_card *card, const uint8_t *profile, size_t len)
{
	return APDU_SW_OK;
}

uint16_t uicc_toolkit_envelope(struct uicc_card *card, const uint8_t *data, size_t len, uint8_t *rsp,
			       size_t *rsp_len)
{
	*rsp_len = 0;
	return APDU_SW_OK;
}

uint16_t uicc_toolkit_fetch(struct uicc_card *card, size_t le, uint8_t *rsp, size_t *rsp_len)
{
	*rsp_len = 0;
	return 0x6F00;
}

uint16_t uicc_toolkit_terminal_response(struct uicc_card *card, const uint8_t *data, size_t len)
{
	return APDU_SW_OK;
}

size_t uicc_toolkit_pending_len(const struct uicc_card *card)
{
	return 0;
}

bool uicc_toolkit_network_auth_allowed(const struct uicc_card *card)
{
	return true;
}

void uicc_toolkit_reset(struct uicc_card *card)
{
}
