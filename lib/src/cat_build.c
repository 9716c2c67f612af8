/* Builders for the proactive commands the card issues (TS 102 223 clause 6.6, TS 31.111 clause 6.6): objects in
 * the order the specs list them, CR set as in the TS 102 384 / oFono vectors. */
#include <string.h>

#include "cat_internal.h"

static int check_number(uint8_t number, struct sg_error *err)
{
	/* 00 and FF are reserved command numbers */
	if (number == 0x00 || number == 0xFF)
		return sg_err(err, "command number %u reserved (01..FE)", number);
	return 0;
}

static int begin(struct cat_tpl *t, struct cat_buf *out, uint8_t number, uint8_t type, uint8_t qualifier,
		 uint8_t dst, struct sg_error *err)
{
	out->len = 0;
	if (check_number(number, err))
		return -1;
	cat_cmd_begin(t, out, number, type, qualifier, dst);
	return 0;
}

int cat_build_display_text(struct cat_buf *out, uint8_t number, const struct cat_display_text *p,
			   struct sg_error *err)
{
	struct cat_tpl t;
	uint8_t q = (p->high_priority ? CAT_QUAL_DT_HIGH_PRIORITY : 0) | (p->wait_for_user ? CAT_QUAL_DT_WAIT_FOR_USER : 0);

	if (!p->text || !p->text[0])
		return sg_err(err, "DISPLAY TEXT: text must not be empty");
	if (begin(&t, out, number, CAT_CMD_DISPLAY_TEXT, q, CAT_DEV_DISPLAY, err) ||
	    cat_put_text_string(&t.w, CAT_TAG_TEXT_STRING, p->text, p->coding, err))
		return -1;
	if (p->immediate_response)
		sg_ctlv_put(&t.w, CAT_TAG_IMMEDIATE_RESPONSE, true, NULL, 0);
	if (p->duration.interval && cat_put_duration(&t.w, &p->duration, err))
		return -1;
	return cat_tpl_end(&t, out, "DISPLAY TEXT", err);
}

int cat_build_set_up_idle_mode_text(struct cat_buf *out, uint8_t number, const char *text,
				    enum cat_text_coding coding, struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_SET_UP_IDLE_MODE_TEXT, 0, CAT_DEV_TERMINAL, err) ||
	    cat_put_text_string(&t.w, CAT_TAG_TEXT_STRING, text && text[0] ? text : NULL, coding, err))
		return -1;
	return cat_tpl_end(&t, out, "SET UP IDLE MODE TEXT", err);
}

int cat_build_play_tone(struct cat_buf *out, uint8_t number, const struct cat_play_tone *p, struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_PLAY_TONE, p->vibrate ? CAT_QUAL_TONE_VIBRATE : 0, CAT_DEV_EARPIECE, err))
		return -1;
	if (p->alpha && cat_put_alpha(&t.w, p->alpha, err))
		return -1;
	if (p->tone)
		sg_ctlv_put(&t.w, CAT_TAG_TONE, true, &p->tone, 1);
	if (p->duration.interval && cat_put_duration(&t.w, &p->duration, err))
		return -1;
	return cat_tpl_end(&t, out, "PLAY TONE", err);
}

int cat_build_provide_local_info(struct cat_buf *out, uint8_t number, enum cat_pli what, struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_PROVIDE_LOCAL_INFO, (uint8_t)what, CAT_DEV_TERMINAL, err))
		return -1;
	return cat_tpl_end(&t, out, "PROVIDE LOCAL INFORMATION", err);
}

int cat_build_send_sms(struct cat_buf *out, uint8_t number, const struct cat_send_sms *p, struct sg_error *err)
{
	struct cat_tpl t;

	if (!p->tpdu || p->tpdu_len == 0)
		return sg_err(err, "SEND SHORT MESSAGE: TPDU missing");
	if (begin(&t, out, number, CAT_CMD_SEND_SHORT_MESSAGE, p->pack ? CAT_QUAL_SMS_PACK : 0, CAT_DEV_NETWORK,
		  err))
		return -1;
	if (p->alpha && cat_put_alpha(&t.w, p->alpha, err))
		return -1;
	if (p->sc && cat_put_address(&t.w, CAT_TAG_ADDRESS, p->sc, err))
		return -1;
	sg_ctlv_put(&t.w, CAT_TAG_SMS_TPDU, true, p->tpdu, p->tpdu_len);
	return cat_tpl_end(&t, out, "SEND SHORT MESSAGE", err);
}

int cat_build_set_up_event_list(struct cat_buf *out, uint8_t number, const uint8_t *events, size_t n_events,
				struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_SET_UP_EVENT_LIST, 0, CAT_DEV_TERMINAL, err))
		return -1;
	sg_ctlv_put(&t.w, CAT_TAG_EVENT_LIST, true, events, n_events);
	return cat_tpl_end(&t, out, "SET UP EVENT LIST", err);
}

int cat_build_timer_management(struct cat_buf *out, uint8_t number, enum cat_timer_action action, uint8_t timer_id,
			       uint32_t seconds, struct sg_error *err)
{
	struct cat_tpl t;

	if (timer_id < 1 || timer_id > 8)
		return sg_err(err, "TIMER MANAGEMENT: timer %u outside 1..8", timer_id);
	if (action > CAT_TIMER_GET_VALUE)
		return sg_err(err, "TIMER MANAGEMENT: action %u reserved", action);
	if (action == CAT_TIMER_START && seconds == 0)
		return sg_err(err, "TIMER MANAGEMENT: starting a timer needs a value");
	if (begin(&t, out, number, CAT_CMD_TIMER_MANAGEMENT, (uint8_t)action, CAT_DEV_TERMINAL, err))
		return -1;
	sg_ctlv_put(&t.w, CAT_TAG_TIMER_ID, true, &timer_id, 1);
	if (action == CAT_TIMER_START && cat_put_timer_value(&t.w, seconds, err))
		return -1;
	return cat_tpl_end(&t, out, "TIMER MANAGEMENT", err);
}

int cat_build_more_time(struct cat_buf *out, uint8_t number, struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_MORE_TIME, 0, CAT_DEV_TERMINAL, err))
		return -1;
	return cat_tpl_end(&t, out, "MORE TIME", err);
}

int cat_build_poll_interval(struct cat_buf *out, uint8_t number, const struct cat_duration *d, struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_POLL_INTERVAL, 0, CAT_DEV_TERMINAL, err) || cat_put_duration(&t.w, d, err))
		return -1;
	return cat_tpl_end(&t, out, "POLL INTERVAL", err);
}

int cat_build_refresh(struct cat_buf *out, uint8_t number, enum cat_refresh_mode mode, const uint8_t *file_list,
		      size_t file_list_len, const uint8_t *aid, size_t aid_len, struct sg_error *err)
{
	struct cat_tpl t;

	if (mode > CAT_REFRESH_SESSION_RESET)
		return sg_err(err, "REFRESH: mode %u reserved", mode);
	if ((mode == CAT_REFRESH_FCN || mode == CAT_REFRESH_INIT_FCN) && (!file_list || file_list_len < 3))
		return sg_err(err, "REFRESH: file change notification needs a file list");
	if (begin(&t, out, number, CAT_CMD_REFRESH, (uint8_t)mode, CAT_DEV_TERMINAL, err))
		return -1;
	if (file_list && file_list_len)
		sg_ctlv_put(&t.w, CAT_TAG_FILE_LIST, true, file_list, file_list_len);
	if (aid && aid_len)
		sg_ctlv_put(&t.w, CAT_TAG_AID, true, aid, aid_len);
	return cat_tpl_end(&t, out, "REFRESH", err);
}

int cat_build_get_input(struct cat_buf *out, uint8_t number, const struct cat_get_input *p, struct sg_error *err)
{
	struct cat_tpl t;
	uint8_t rl[2] = { p->min_len, p->max_len };

	if (p->min_len > p->max_len || p->max_len == 0)
		return sg_err(err, "GET INPUT: response length %u..%u invalid", p->min_len, p->max_len);
	if (begin(&t, out, number, CAT_CMD_GET_INPUT, p->qualifier, CAT_DEV_TERMINAL, err) ||
	    cat_put_text_string(&t.w, CAT_TAG_TEXT_STRING, p->text ? p->text : "", p->coding, err))
		return -1;
	sg_ctlv_put(&t.w, CAT_TAG_RESPONSE_LENGTH, true, rl, 2);
	if (p->default_text && cat_put_text_string(&t.w, CAT_TAG_DEFAULT_TEXT, p->default_text, p->coding, err))
		return -1;
	return cat_tpl_end(&t, out, "GET INPUT", err);
}

int cat_build_get_inkey(struct cat_buf *out, uint8_t number, const char *text, enum cat_text_coding coding,
			uint8_t qualifier, struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_GET_INKEY, qualifier, CAT_DEV_TERMINAL, err) ||
	    cat_put_text_string(&t.w, CAT_TAG_TEXT_STRING, text ? text : "", coding, err))
		return -1;
	return cat_tpl_end(&t, out, "GET INKEY", err);
}

static int put_items(struct sg_tlv_writer *w, const struct cat_item *items, size_t n, struct sg_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (cat_put_item(w, &items[i], err))
			return -1;
	}
	return 0;
}

int cat_build_set_up_menu(struct cat_buf *out, uint8_t number, const char *title, const struct cat_item *items,
			  size_t n_items, uint8_t qualifier, struct sg_error *err)
{
	struct cat_tpl t;

	if (begin(&t, out, number, CAT_CMD_SET_UP_MENU, qualifier, CAT_DEV_TERMINAL, err) ||
	    cat_put_alpha(&t.w, title ? title : "", err))
		return -1;
	if (n_items == 0)
		sg_ctlv_put(&t.w, CAT_TAG_ITEM, true, NULL, 0); /* null item: remove the menu */
	else if (put_items(&t.w, items, n_items, err))
		return -1;
	return cat_tpl_end(&t, out, "SET UP MENU", err);
}

int cat_build_select_item(struct cat_buf *out, uint8_t number, const char *title, const struct cat_item *items,
			  size_t n_items, uint8_t default_item, uint8_t qualifier, struct sg_error *err)
{
	struct cat_tpl t;

	if (n_items == 0)
		return sg_err(err, "SELECT ITEM: needs at least one item");
	if (begin(&t, out, number, CAT_CMD_SELECT_ITEM, qualifier, CAT_DEV_TERMINAL, err))
		return -1;
	if (title && cat_put_alpha(&t.w, title, err))
		return -1;
	if (put_items(&t.w, items, n_items, err))
		return -1;
	if (default_item)
		sg_ctlv_put(&t.w, CAT_TAG_ITEM_ID, true, &default_item, 1);
	return cat_tpl_end(&t, out, "SELECT ITEM", err);
}

int cat_build_send_ussd(struct cat_buf *out, uint8_t number, const char *alpha, uint8_t dcs, const uint8_t *data,
			size_t len, struct sg_error *err)
{
	uint8_t v[CAT_VALUE_MAX];
	struct cat_tpl t;

	if (len == 0 || len > sizeof(v) - 1)
		return sg_err(err, "SEND USSD: USSD string of %zu bytes", len);
	if (begin(&t, out, number, CAT_CMD_SEND_USSD, 0, CAT_DEV_NETWORK, err))
		return -1;
	if (alpha && cat_put_alpha(&t.w, alpha, err))
		return -1;
	v[0] = dcs;
	memcpy(v + 1, data, len);
	sg_ctlv_put(&t.w, CAT_TAG_USSD_STRING, true, v, len + 1);
	return cat_tpl_end(&t, out, "SEND USSD", err);
}
