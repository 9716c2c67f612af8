/* The toolkit side of the card behind uicc/toolkit.h: one CAT engine, one OTA receiving entity and the
 * applications on their TARs (anti-theft applet, remote file management) per card, created on first use and kept
 * with the card. ENVELOPEs are routed by their BER tag. */
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "simguard/apdu.h"
#include "simguard/cat.h"
#include "simguard/tlv.h"
#include "uicc/antitheft.h"
#include "uicc/card.h"
#include "uicc/cat_engine.h"
#include "uicc/ota_re.h"
#include "uicc/rfm.h"
#include "uicc/toolkit.h"

#define ENV_USER_DATA_KEY 0xCF /* TS 101 220: proprietary template, specs/antitheft-protocol.md §8 */

struct uicc_toolkit {
	struct cat_engine *cat;
	struct ota_re *re;
	struct antitheft *at;
};

static const struct ota_app apps[] = {
	{ .name = "antitheft", .handle = antitheft_ota, .policy = antitheft_policy },
	{ .name = "rfm-uicc", .handle = rfm_ota_uicc },
	{ .name = "rfm-usim", .handle = rfm_ota_usim },
};

static struct uicc_toolkit *tk_get(struct uicc_card *card)
{
	struct uicc_toolkit *tk = uicc_card_toolkit_data(card);

	if (tk)
		return tk;
	tk = talloc_zero(uicc_card_ctx(card), struct uicc_toolkit);
	if (!tk)
		return NULL;
	tk->cat = cat_engine_alloc(tk, card);
	tk->re = tk->cat ? ota_re_alloc(tk, card, tk->cat, apps, sizeof(apps) / sizeof(apps[0])) : NULL;
	tk->at = tk->re ? antitheft_alloc(tk, card, tk->cat, tk->re) : NULL;
	if (!tk->at) {
		talloc_free(tk);
		return NULL;
	}
	uicc_card_set_toolkit_data(card, tk);
	return tk;
}

struct cat_engine *uicc_toolkit_cat(struct uicc_card *card)
{
	struct uicc_toolkit *tk = tk_get(card);

	return tk ? tk->cat : NULL;
}

struct ota_re *uicc_toolkit_ota(struct uicc_card *card)
{
	struct uicc_toolkit *tk = tk_get(card);

	return tk ? tk->re : NULL;
}

struct antitheft *uicc_toolkit_antitheft(struct uicc_card *card)
{
	struct uicc_toolkit *tk = tk_get(card);

	return tk ? tk->at : NULL;
}

uint16_t uicc_toolkit_terminal_profile(struct uicc_card *card, const uint8_t *profile, size_t len)
{
	struct uicc_toolkit *tk = tk_get(card);

	if (!tk)
		return APDU_SW_TECHNICAL_PROBLEM;
	cat_engine_set_profile(tk->cat, profile, len);
	antitheft_terminal_profile(tk->at);
	return APDU_SW_OK;
}

uint16_t uicc_toolkit_envelope(struct uicc_card *card, const uint8_t *data, size_t len, uint8_t *rsp,
			       size_t *rsp_len)
{
	struct uicc_toolkit *tk = tk_get(card);

	if (!tk) {
		*rsp_len = 0;
		return APDU_SW_TECHNICAL_PROBLEM;
	}
	switch (data[0]) {
	case CAT_ENV_SMS_PP_DOWNLOAD:
		return ota_re_sms_pp(tk->re, data, len, rsp, rsp_len);
	case CAT_ENV_USSD_DOWNLOAD:
		return ota_re_ussd(tk->re, data, len, rsp, rsp_len);
	case CAT_ENV_CALL_CONTROL:
		return antitheft_call_control(tk->at, data, len, rsp, rsp_len);
	case CAT_ENV_MO_SMS_CONTROL:
		return antitheft_mo_sms_control(tk->at, data, len, rsp, rsp_len);
	case ENV_USER_DATA_KEY:
		return antitheft_user_key(tk->at, data, len, rsp, rsp_len);
	case CAT_ENV_EVENT_DOWNLOAD:
		*rsp_len = 0;
		return antitheft_event(tk->at, data, len);
	default:
		break;
	}
	*rsp_len = 0;
	/* other toolkit envelopes (cell broadcast, menu selection, timers ...) have no application here */
	if (data[0] >= CAT_ENV_SMS_PP_DOWNLOAD && data[0] <= CAT_ENV_GEO_LOCATION_REPORTING) {
		struct sg_tlv_reader r;
		struct sg_tlv t;
		sg_tlv_reader_init(&r, data, len);
		return sg_ber_tlv_next(&r, &t, NULL) == 1 && r.pos == len ? APDU_SW_OK : APDU_SW_WRONG_DATA;
	}
	LOGP(DCAT, LOGL_NOTICE, "ENVELOPE with unknown template %02X\n", data[0]);
	return APDU_SW_WRONG_DATA;
}

uint16_t uicc_toolkit_fetch(struct uicc_card *card, size_t le, uint8_t *rsp, size_t *rsp_len)
{
	struct uicc_toolkit *tk = tk_get(card);

	if (!tk) {
		*rsp_len = 0;
		return APDU_SW_TECHNICAL_PROBLEM;
	}
	return cat_engine_fetch(tk->cat, rsp, rsp_len);
}

uint16_t uicc_toolkit_terminal_response(struct uicc_card *card, const uint8_t *data, size_t len)
{
	struct uicc_toolkit *tk = tk_get(card);

	return tk ? cat_engine_terminal_response(tk->cat, data, len) : APDU_SW_TECHNICAL_PROBLEM;
}

size_t uicc_toolkit_pending_len(const struct uicc_card *card)
{
	const struct uicc_toolkit *tk = uicc_card_toolkit_data(card);

	return tk ? cat_engine_pending_len(tk->cat) : 0;
}

bool uicc_toolkit_network_auth_allowed(const struct uicc_card *card)
{
	/* a card whose toolkit could not start refuses too: a lock must not fail open */
	struct uicc_toolkit *tk = tk_get((struct uicc_card *)card);

	return tk && antitheft_network_allowed(tk->at);
}

void uicc_toolkit_reset(struct uicc_card *card)
{
	struct uicc_toolkit *tk = tk_get(card);

	if (!tk)
		return;
	antitheft_reset(tk->at);
	ota_re_reset(tk->re);
	cat_engine_reset(tk->cat);
}
