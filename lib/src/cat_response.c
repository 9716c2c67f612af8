/* Terminal-side CAT builders: TERMINAL RESPONSE (TS 102 223 6.8) and the ENVELOPEs of TS 102 223 clause 7 /
 * TS 31.111 clause 7 (SMS-PP and USSD data download, event download, timer expiration, menu selection, call
 * control). */
#include <string.h>

#include "cat_internal.h"

void cat_tr_init(struct cat_tr *tr, const struct cat_decoded *cmd, uint8_t result)
{
	memset(tr, 0, sizeof(*tr));
	tr->item_id = -1;
	tr->result = result;
	if (cmd && cmd->has_details) {
		tr->number = cmd->number;
		tr->type = cmd->type;
		tr->qualifier = cmd->qualifier;
	}
}

static int put_tr_objects(struct sg_tlv_writer *w, const struct cat_tr *tr, struct sg_error *err)
{
	if (tr->has_text && cat_put_text_string(w, CAT_TAG_TEXT_STRING, tr->text, tr->text_coding, err))
		return -1;
	if (tr->item_id >= 0) {
		uint8_t id = (uint8_t)tr->item_id;

		sg_ctlv_put(w, CAT_TAG_ITEM_ID, true, &id, 1);
	}
	if (tr->location && cat_put_location(w, tr->location, err))
		return -1;
	if (tr->imei && cat_put_imei(w, tr->imei, err))
		return -1;
	if (tr->duration.interval && cat_put_duration(w, &tr->duration, err))
		return -1;
	if (tr->timer_id)
		sg_ctlv_put(w, CAT_TAG_TIMER_ID, true, &tr->timer_id, 1);
	if (tr->has_timer_value && cat_put_timer_value(w, tr->timer_seconds, err))
		return -1;
	if (tr->extra_len)
		sg_tlv_put_raw(w, tr->extra, tr->extra_len);
	return 0;
}

int cat_build_terminal_response(struct cat_buf *out, const struct cat_tr *tr, struct sg_error *err)
{
	uint8_t details[3] = { tr->number, tr->type, tr->qualifier };
	static const uint8_t dev[2] = { CAT_DEV_TERMINAL, CAT_DEV_UICC };
	uint8_t result[CAT_VALUE_MAX];
	struct sg_tlv_writer w;

	out->len = 0;
	if (tr->addl_len > sizeof(result) - 1)
		return sg_err(err, "TERMINAL RESPONSE: %zu bytes of additional information", tr->addl_len);
	if (cat_result_needs_addl_info(tr->result) && tr->addl_len == 0)
		return sg_err(err, "TERMINAL RESPONSE: general result 0x%02X needs additional information", tr->result);
	result[0] = tr->result;
	if (tr->addl_len)
		memcpy(result + 1, tr->addl, tr->addl_len);
	/* a TERMINAL RESPONSE has no outer template and must fit one APDU (Lc <= 255) */
	sg_tlv_writer_init(&w, out->data, CAT_VALUE_MAX);
	sg_ctlv_put(&w, CAT_TAG_COMMAND_DETAILS, true, details, 3);
	sg_ctlv_put(&w, CAT_TAG_DEVICE_IDS, true, dev, 2);
	sg_ctlv_put(&w, CAT_TAG_RESULT, true, result, 1 + tr->addl_len);
	if (put_tr_objects(&w, tr, err) || cat_writer_check(&w, "TERMINAL RESPONSE", err))
		return -1;
	out->len = w.len;
	return 0;
}

int cat_build_sms_pp_download(struct cat_buf *out, const struct cat_address *sc, const uint8_t *tpdu,
			      size_t tpdu_len, struct sg_error *err)
{
	struct cat_tpl t;

	out->len = 0;
	if (!tpdu || tpdu_len == 0)
		return sg_err(err, "SMS-PP DOWNLOAD: TPDU missing");
	cat_tpl_begin(&t, out, CAT_ENV_SMS_PP_DOWNLOAD, CAT_DEV_NETWORK, CAT_DEV_UICC);
	if (sc && cat_put_address_cr(&t.w, CAT_TAG_ADDRESS, false, sc, err))
		return -1;
	sg_ctlv_put(&t.w, CAT_TAG_SMS_TPDU, true, tpdu, tpdu_len);
	return cat_tpl_end(&t, out, "SMS-PP DOWNLOAD", err);
}

int cat_build_ussd_download(struct cat_buf *out, uint8_t dcs, const uint8_t *data, size_t len, struct sg_error *err)
{
	uint8_t v[CAT_VALUE_MAX];
	struct cat_tpl t;

	out->len = 0;
	if (len == 0 || len > sizeof(v) - 1)
		return sg_err(err, "USSD DOWNLOAD: USSD string of %zu bytes", len);
	v[0] = dcs;
	memcpy(v + 1, data, len);
	cat_tpl_begin(&t, out, CAT_ENV_USSD_DOWNLOAD, CAT_DEV_NETWORK, CAT_DEV_UICC);
	sg_ctlv_put(&t.w, CAT_TAG_USSD_STRING, true, v, len + 1);
	return cat_tpl_end(&t, out, "USSD DOWNLOAD", err);
}

int cat_build_event_download(struct cat_buf *out, const struct cat_event_download *p, struct sg_error *err)
{
	uint8_t src = p->source ? p->source : (p->event == CAT_EVT_MT_CALL ? CAT_DEV_NETWORK : CAT_DEV_TERMINAL);
	struct cat_tpl t;

	out->len = 0;
	if (p->language && strlen(p->language) != 2)
		return sg_err(err, "EVENT DOWNLOAD: language '%s' must be 2 letters", p->language);
	/* the event list comes first here, before the device identities (TS 102 223 7.5) */
	sg_tlv_writer_init(&t.w, out->data, sizeof(out->data));
	t.mark = sg_ber_tlv_open(&t.w, CAT_ENV_EVENT_DOWNLOAD);
	sg_ctlv_put(&t.w, CAT_TAG_EVENT_LIST, true, &p->event, 1);
	sg_ctlv_put(&t.w, CAT_TAG_DEVICE_IDS, true, (const uint8_t[]){ src, CAT_DEV_UICC }, 2);
	if (p->has_location_status)
		sg_ctlv_put(&t.w, CAT_TAG_LOCATION_STATUS, true, &p->location_status, 1);
	if (p->location && cat_put_location(&t.w, p->location, err))
		return -1;
	if (p->language)
		sg_ctlv_put(&t.w, CAT_TAG_LANGUAGE, true, p->language, 2);
	if (p->extra_len)
		sg_tlv_put_raw(&t.w, p->extra, p->extra_len);
	return cat_tpl_end(&t, out, "EVENT DOWNLOAD", err);
}

int cat_build_timer_expiration(struct cat_buf *out, uint8_t timer_id, uint32_t seconds, struct sg_error *err)
{
	struct cat_tpl t;

	out->len = 0;
	if (timer_id < 1 || timer_id > 8)
		return sg_err(err, "TIMER EXPIRATION: timer %u outside 1..8", timer_id);
	cat_tpl_begin(&t, out, CAT_ENV_TIMER_EXPIRATION, CAT_DEV_TERMINAL, CAT_DEV_UICC);
	sg_ctlv_put(&t.w, CAT_TAG_TIMER_ID, true, &timer_id, 1);
	if (cat_put_timer_value(&t.w, seconds, err))
		return -1;
	return cat_tpl_end(&t, out, "TIMER EXPIRATION", err);
}

int cat_build_menu_selection(struct cat_buf *out, uint8_t item_id, bool help_request, struct sg_error *err)
{
	struct cat_tpl t;

	out->len = 0;
	cat_tpl_begin(&t, out, CAT_ENV_MENU_SELECTION, CAT_DEV_KEYPAD, CAT_DEV_UICC);
	sg_ctlv_put(&t.w, CAT_TAG_ITEM_ID, true, &item_id, 1);
	if (help_request)
		sg_ctlv_put(&t.w, CAT_TAG_HELP_REQUEST, false, NULL, 0);
	return cat_tpl_end(&t, out, "MENU SELECTION", err);
}

int cat_build_call_control(struct cat_buf *out, const struct cat_call_control *p, struct sg_error *err)
{
	uint8_t v[CAT_VALUE_MAX];
	struct cat_tpl t;
	int kinds = !!p->address + !!p->ss + !!p->has_ussd;

	out->len = 0;
	if (kinds != 1)
		return sg_err(err, "CALL CONTROL: needs exactly one of address, SS string, USSD string");
	if (p->has_ussd && (p->ussd_len == 0 || p->ussd_len > sizeof(v) - 1))
		return sg_err(err, "CALL CONTROL: USSD string of %zu bytes", p->ussd_len);
	cat_tpl_begin(&t, out, CAT_ENV_CALL_CONTROL, CAT_DEV_TERMINAL, CAT_DEV_UICC);
	if (p->address && cat_put_address(&t.w, CAT_TAG_ADDRESS, p->address, err))
		return -1;
	if (p->ss && cat_put_address(&t.w, CAT_TAG_SS_STRING, p->ss, err))
		return -1;
	if (p->has_ussd) {
		v[0] = p->ussd_dcs;
		memcpy(v + 1, p->ussd, p->ussd_len);
		sg_ctlv_put(&t.w, CAT_TAG_USSD_STRING, true, v, p->ussd_len + 1);
	}
	if (p->location && cat_put_location(&t.w, p->location, err))
		return -1;
	return cat_tpl_end(&t, out, "CALL CONTROL", err);
}
