/* Enforcement of a lock through the terminal (specs/antitheft-protocol.md §6): the lock screen (DISPLAY TEXT and
 * SET UP IDLE MODE TEXT) after every TERMINAL PROFILE and right after LOCK / DISABLE, call control and MO short
 * message control answered "not allowed" except for emergency numbers and the owner's number, and the work the
 * applet does at each power-up (IMEI check, pending reports). */
#include <stdio.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "simguard/apdu.h"
#include "simguard/tlv.h"
#include "uicc/antitheft.h"
#include "uicc/card.h"

/* Cut UTF-8 text to at most n bytes without splitting a character. */
static void utf8_cut(char *s, size_t n)
{
	if (strlen(s) <= n)
		return;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
}

/* Build with the longest prefix of text that fits a proactive command (UCS2 text may not fit 255 bytes). */
static int build_text_cmd(struct cat_buf *out, uint8_t type, const char *text)
{
	struct cat_display_text dt = { .coding = CAT_TEXT_AUTO, .high_priority = true, .wait_for_user = true };
	char buf[ANTITHEFT_MSG_MAX + ANTITHEFT_NUMBER_MAX + 32];
	size_t n;

	snprintf(buf, sizeof(buf), "%s", text);
	for (n = strlen(buf); n > 0; n -= n > 8 ? 8 : n) {
		utf8_cut(buf, n);
		dt.text = buf;
		if (type == CAT_CMD_DISPLAY_TEXT ? cat_build_display_text(out, 1, &dt, NULL) == 0 :
						   cat_build_set_up_idle_mode_text(out, 1, buf, CAT_TEXT_AUTO, NULL) == 0)
			return 0;
	}
	return -1;
}

bool antitheft_show_text(struct antitheft *at, const char *text)
{
	struct cat_buf cmd;
	bool shown = false;

	if (cat_engine_supports(at->cat, CAT_CMD_DISPLAY_TEXT, 0) && build_text_cmd(&cmd, CAT_CMD_DISPLAY_TEXT, text) == 0)
		shown |= cat_engine_queue(at->cat, &cmd, CAT_PRIO_HIGH, NULL, NULL) == 0;
	if (cat_engine_supports(at->cat, CAT_CMD_SET_UP_IDLE_MODE_TEXT, 0) &&
	    build_text_cmd(&cmd, CAT_CMD_SET_UP_IDLE_MODE_TEXT, text) == 0)
		shown |= cat_engine_queue(at->cat, &cmd, CAT_PRIO_HIGH, NULL, NULL) == 0;
	return shown;
}

void antitheft_show_lock(struct antitheft *at)
{
	const struct antitheft_state *s = &at->st;
	char text[ANTITHEFT_MSG_MAX + ANTITHEFT_NUMBER_MAX + 32];

	if (s->contact[0] && !s->disabled)
		snprintf(text, sizeof(text), "%s\nContact: %s", s->message[0] ? s->message : at->cfg.lock_message,
			 s->contact);
	else
		snprintf(text, sizeof(text), "%s", s->message[0] ? s->message : at->cfg.lock_message);
	antitheft_show_text(at, text);
}

void antitheft_clear_idle_text(struct antitheft *at)
{
	struct cat_buf cmd;

	if (cat_engine_supports(at->cat, CAT_CMD_SET_UP_IDLE_MODE_TEXT, 0) &&
	    cat_build_set_up_idle_mode_text(&cmd, 1, NULL, CAT_TEXT_AUTO, NULL) == 0)
		cat_engine_queue(at->cat, &cmd, CAT_PRIO_NORMAL, NULL, NULL);
}

void antitheft_terminal_profile(struct antitheft *at)
{
	if (antitheft_locked(at))
		antitheft_show_lock(at);
	antitheft_check_imei(at);
	antitheft_flush_outbox(at);
}

/* ---- call control and MO short message control ---- */

static bool number_matches(const char *dialled, const char *allowed)
{
	size_t a, b;

	if (*allowed == '+')
		allowed++;
	if (strcmp(dialled, allowed) == 0)
		return true;
	/* the same subscriber number dialled in national or international form */
	a = strlen(dialled);
	b = strlen(allowed);
	return a >= 9 && b >= 9 && strcmp(dialled + a - 9, allowed + b - 9) == 0;
}

static bool call_allowed(const struct antitheft *at, const char *digits)
{
	for (size_t i = 0; i < at->cfg.n_emergency; i++)
		if (strcmp(digits, at->cfg.emergency[i]) == 0)
			return true;
	return !at->st.disabled && at->st.contact[0] && number_matches(digits, at->st.contact);
}

static uint16_t not_allowed(uint8_t *rsp, size_t *rsp_len)
{
	rsp[0] = 0x01; /* call control result: not allowed */
	rsp[1] = 0x00;
	*rsp_len = 2;
	return APDU_SW_OK;
}

/* Unlocked: every call and message as the terminal asked. Locked: a request the card cannot read is refused too,
 * so a malformed envelope never lets a call through (fail closed). */
uint16_t antitheft_call_control(struct antitheft *at, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	struct cat_decoded *d = NULL;
	const struct cat_obj *addr;
	bool readable, allowed;

	*rsp_len = 0;
	readable = cat_decode(NULL, env, len, &d, NULL) == 0 && d->kind == CAT_KIND_ENVELOPE &&
		   d->ber_tag == CAT_ENV_CALL_CONTROL;
	if (!antitheft_locked(at)) {
		talloc_free(d);
		return readable ? APDU_SW_OK : APDU_SW_WRONG_DATA;
	}
	addr = readable ? cat_decoded_find(d, CAT_TAG_ADDRESS, 0) : NULL;
	allowed = addr && addr->type == CAT_VAL_ADDRESS && call_allowed(at, addr->v.address.digits);
	LOGP(DAPPLET, LOGL_INFO, "call control while locked: %s %s\n",
	     addr ? addr->v.address.digits : readable ? "(SS/USSD)" : "(unreadable)", allowed ? "allowed" : "barred");
	talloc_free(d);
	return allowed ? APDU_SW_OK : not_allowed(rsp, rsp_len);
}

uint16_t antitheft_mo_sms_control(struct antitheft *at, const uint8_t *env, size_t len, uint8_t *rsp,
				  size_t *rsp_len)
{
	struct sg_tlv_reader r;
	struct sg_tlv t;

	*rsp_len = 0;
	if (antitheft_locked(at))
		return not_allowed(rsp, rsp_len);
	sg_tlv_reader_init(&r, env, len);
	if (sg_ber_tlv_next(&r, &t, NULL) != 1 || t.tag != CAT_ENV_MO_SMS_CONTROL || r.pos != len)
		return APDU_SW_WRONG_DATA;
	return APDU_SW_OK;
}

uint16_t antitheft_event(struct antitheft *at, const uint8_t *env, size_t len)
{
	struct sg_tlv_reader r;
	struct sg_tlv tpl, ev, st;

	sg_tlv_reader_init(&r, env, len);
	if (sg_ber_tlv_next(&r, &tpl, NULL) != 1 || tpl.tag != CAT_ENV_EVENT_DOWNLOAD || r.pos != len ||
	    sg_ctlv_find(tpl.val, tpl.len, CAT_TAG_EVENT_LIST, &ev, NULL) != 1 || ev.len < 1)
		return APDU_SW_WRONG_DATA;
	/* service is back: the reports waiting for it can go */
	if (ev.val[0] == CAT_EVT_LOCATION_STATUS &&
	    sg_ctlv_find(tpl.val, tpl.len, CAT_TAG_LOCATION_STATUS, &st, NULL) == 1 && st.len == 1 &&
	    st.val[0] == CAT_LOCSTAT_NORMAL)
		antitheft_flush_outbox(at);
	return APDU_SW_OK;
}
