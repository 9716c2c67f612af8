/* handset-sim's toolkit side: proactive sessions after any 91xx, the ENVELOPEs a handset sends on its own (timer
 * expiration, event download, menu selection), STATUS polling (at the interval the card asked for, else the
 * configured presence check, TS 102 221 14.5.2), and the timers
 * that clear texts and stop tones. */
#include <stdio.h>
#include <string.h>

#include <osmocom/core/logging.h>

#include "pcsct/handset.h"
#include "pcsct/session.h"

#define MAX_COMMANDS_PER_SESSION 64

static uint8_t hs_send_sms(void *arg, const uint8_t *tpdu, size_t len, const struct cat_address *sc, uint8_t *addl)
{
	return handset_sms_submit(arg, tpdu, len, addl);
}

static uint8_t hs_send_ussd(void *arg, uint8_t dcs, const uint8_t *data, size_t len, uint8_t *addl, char *reply,
			    size_t reply_size)
{
	return handset_ussd_submit(arg, dcs, data, len, addl, reply, reply_size);
}

static void hs_ask(void *arg, const struct pcsct_ask *q, struct pcsct_answer *a)
{
	struct handset *hs = arg;

	pcsct_answers_next(&hs->answers, a);
	if (a->kind == PCSCT_ANS_NO_RESPONSE && hs->interactive && hs->cfg.user_timeout_ms)
		pcsct_answer_prompt(stdin, stdout, q, hs->cfg.user_timeout_ms, a);
}

static void hs_changed(void *arg)
{
	handset_changed(arg);
}

static void hs_note(void *arg, const char *msg)
{
	handset_event(arg, "%s", msg);
}

static const struct pcsct_me_ops handset_me_ops = {
	.send_sms = hs_send_sms,
	.send_ussd = hs_send_ussd,
	.ask = hs_ask,
	.changed = hs_changed,
	.note = hs_note,
};

static void session_failed(struct handset *hs, const struct pcsct_session *s, const char *why)
{
	if (s->card_mute) {
		handset_card_failed(hs, "toolkit", why);
		return;
	}
	/* The card misbehaved but still answers: say so, keep going. */
	handset_event(hs, "toolkit: %s", why);
}

/* An event the card asked for, then (for the one-shot events) dropped from the list as TS 102 223 says. */
static void event_download(struct handset *hs, const struct cat_event_download *ev, bool one_shot)
{
	struct cat_buf env;
	struct pcsct_rsp rsp;
	struct sg_error err;
	uint8_t *p;

	if (!pcsct_me_event_wanted(&hs->me, ev->event))
		return;
	if (cat_build_event_download(&env, ev, &err) < 0) {
		handset_event(hs, "event %s: %s", cat_event_name(ev->event), err.msg);
		return;
	}
	if (one_shot) {
		p = memchr(hs->me.events, ev->event, hs->me.n_events);
		memmove(p, p + 1, hs->me.n_events - (size_t)(p - hs->me.events) - 1);
		hs->me.n_events--;
	}
	handset_event(hs, "EVENT DOWNLOAD %s", cat_event_name(ev->event));
	handset_toolkit_envelope(hs, &env, &rsp);
}

void handset_location_event(struct handset *hs)
{
	struct cat_event_download ev = {.event = CAT_EVT_LOCATION_STATUS, .has_location_status = true};

	if (!hs->card || hs->card_state != HS_CARD_READY || hs->in_session)
		return;
	ev.location_status = hs->me.service == PCSCT_SVC_NORMAL	   ? CAT_LOCSTAT_NORMAL
			     : hs->me.service == PCSCT_SVC_LIMITED ? CAT_LOCSTAT_LIMITED
								   : CAT_LOCSTAT_NO_SERVICE;
	if (hs->me.service == PCSCT_SVC_NORMAL)
		ev.location = &hs->cfg.me.loc;
	event_download(hs, &ev, false);
}

void handset_user_activity(struct handset *hs)
{
	struct cat_event_download ev = {.event = CAT_EVT_USER_ACTIVITY};

	if (hs->card_state == HS_CARD_READY && !hs->in_session)
		event_download(hs, &ev, true);
}

/* The idle screen becomes available when no text is shown any more. */
static void idle_screen_check(struct handset *hs)
{
	bool idle = !hs->me.screen.has_text;
	struct cat_event_download ev = {.event = CAT_EVT_IDLE_SCREEN};

	if (idle && !hs->was_idle_screen && !hs->in_session)
		event_download(hs, &ev, true);
	hs->was_idle_screen = idle;
}

void handset_toolkit_serve(struct handset *hs, uint16_t sw)
{
	struct pcsct_session s = {.card = hs->card, .me = &hs->me};
	struct sg_error err;
	uint16_t last;

	if (!pcsct_sw_proactive(sw) || hs->in_session)
		return;
	hs->in_session = true;
	if (pcsct_session_serve(&s, sw, MAX_COMMANDS_PER_SESSION, &last, &err) < 0)
		session_failed(hs, &s, err.msg);
	else if (pcsct_sw_proactive(last))
		handset_event(hs, "toolkit: card still busy after %d commands; polling continues",
			      MAX_COMMANDS_PER_SESSION);
	hs->in_session = false;
	if (hs->me.refresh != PCSCT_REFRESH_NONE)
		handset_refresh(hs);
	idle_screen_check(hs);
	handset_toolkit_rearm(hs);
	handset_changed(hs);
}

int handset_toolkit_envelope(struct handset *hs, const struct cat_buf *env, struct pcsct_rsp *rsp)
{
	struct apdu_buf a;
	struct sg_error err;

	if (!hs->card || hs->card_state == HS_CARD_ERROR || hs->card_state == HS_CARD_ABSENT)
		return -1;
	if (apdu_envelope(&a, APDU_UICC, env->data, env->len, &err) < 0)
		return -1;
	if (pcsct_transmit_buf(hs->card, &a, rsp, &err) < 0) {
		handset_card_failed(hs, "ENVELOPE", err.msg);
		return -1;
	}
	handset_toolkit_serve(hs, rsp->sw);
	return rsp->sw;
}

int handset_menu_select(struct handset *hs, uint8_t item)
{
	struct cat_buf env;
	struct pcsct_rsp rsp;
	struct sg_error err;
	size_t i;

	for (i = 0; i < hs->me.screen.n_menu && hs->me.screen.has_menu; i++)
		if (hs->me.screen.menu[i].id == item)
			break;
	if (!hs->me.screen.has_menu || i == hs->me.screen.n_menu) {
		handset_event(hs, "menu: no item %u", item);
		return -1;
	}
	if (cat_build_menu_selection(&env, item, false, &err) < 0)
		return -1;
	handset_event(hs, "MENU SELECTION %u (%s)", item, hs->me.screen.menu[i].text);
	return handset_toolkit_envelope(hs, &env, &rsp) < 0 ? -1 : 0;
}

static void timer_expirations(struct handset *hs)
{
	struct cat_buf env;
	struct pcsct_rsp rsp;
	struct sg_error err;
	uint32_t secs;
	uint8_t id;

	while ((id = pcsct_me_timer_expired(&hs->me, &secs)) != 0) {
		if (cat_build_timer_expiration(&env, id, secs, &err) < 0)
			continue;
		handset_event(hs, "TIMER EXPIRATION %u", id);
		if (handset_toolkit_envelope(hs, &env, &rsp) == APDU_SW_TOOLKIT_BUSY) {
			/* The card is busy: the timer fires again shortly (TS 102 223 6.4.21 lets us retry). */
			hs->me.timers[id - 1].running = true;
			hs->me.timers[id - 1].start_ms = hs->me.now_ms() - (uint64_t)secs * 1000 + 1000;
			break;
		}
	}
}

static void tick_cb(void *data)
{
	struct handset *hs = data;

	pcsct_me_tick(&hs->me);
	timer_expirations(hs);
	idle_screen_check(hs);
	handset_toolkit_rearm(hs);
	handset_changed(hs);
}

static void poll_cb(void *data)
{
	struct handset *hs = data;
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	struct sg_error err;

	if (hs->card_state != HS_CARD_READY || hs->in_session)
		return;
	if (apdu_status(&a, APDU_UICC, APDU_STATUS_P1_NONE, APDU_STATUS_P2_NONE, 0, &err) < 0)
		return;
	if (pcsct_transmit_buf(hs->card, &a, &rsp, &err) < 0) {
		handset_card_failed(hs, "STATUS", err.msg);
		return;
	}
	handset_toolkit_serve(hs, rsp.sw);
	handset_toolkit_rearm(hs);
}

static void reauth_cb(void *data)
{
	struct handset *hs = data;

	if (hs->card_state == HS_CARD_READY && !hs->in_session)
		handset_attach(hs);
	handset_toolkit_rearm(hs);
}

void handset_toolkit_rearm(struct handset *hs)
{
	int64_t due = pcsct_me_next_due_ms(&hs->me);
	uint32_t poll = hs->me.poll_interval_ms ? hs->me.poll_interval_ms : hs->cfg.status_interval_ms;

	if (due >= 0)
		osmo_timer_schedule(&hs->tick_timer, due / 1000, (due % 1000) * 1000);
	else
		osmo_timer_del(&hs->tick_timer);
	if (poll && hs->card_state == HS_CARD_READY && !osmo_timer_pending(&hs->poll_timer))
		osmo_timer_schedule(&hs->poll_timer, poll / 1000, (poll % 1000) * 1000);
	else if (!poll)
		osmo_timer_del(&hs->poll_timer);
	if (hs->cfg.reauth_s && !osmo_timer_pending(&hs->reauth_timer))
		osmo_timer_schedule(&hs->reauth_timer, hs->cfg.reauth_s, 0);
}

void handset_toolkit_init(struct handset *hs)
{
	pcsct_me_init(&hs->me, &hs->cfg.me, &handset_me_ops, hs);
	osmo_timer_setup(&hs->tick_timer, tick_cb, hs);
	osmo_timer_setup(&hs->poll_timer, poll_cb, hs);
	osmo_timer_setup(&hs->reauth_timer, reauth_cb, hs);
}
