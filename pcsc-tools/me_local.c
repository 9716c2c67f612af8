/* Proactive commands about the terminal itself: PROVIDE LOCAL INFORMATION, TIMER MANAGEMENT, SET UP EVENT LIST,
 * POLL INTERVAL / POLLING OFF, MORE TIME, REFRESH and LANGUAGE NOTIFICATION. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pcsct/me.h"
#include "simguard/sms_tpdu.h"

/* Events this terminal reports through EVENT DOWNLOAD. */
static const uint8_t supported_events[] = {CAT_EVT_LOCATION_STATUS, CAT_EVT_USER_ACTIVITY, CAT_EVT_IDLE_SCREEN};

static void put_extra(struct pcsct_me_exec *x, uint8_t tag, const uint8_t *val, size_t len)
{
	if (x->tr.extra_len + 2 + len > sizeof(x->extra))
		return;
	x->extra[x->tr.extra_len] = 0x80 | tag;
	x->extra[x->tr.extra_len + 1] = (uint8_t)len;
	memcpy(x->extra + x->tr.extra_len + 2, val, len);
	x->tr.extra_len += 2 + len;
	x->tr.extra = x->extra;
}

/* IMEISV as a TS 24.008 mobile identity: type 3, even number of digits, filler F after the last digit. */
static void put_imeisv(struct pcsct_me_exec *x, const char *d)
{
	uint8_t v[9];
	size_t i;

	if (strlen(d) != 16 || strspn(d, "0123456789") != 16) {
		x->tr.result = CAT_RES_BEYOND_CAPABILITIES;
		return;
	}
	v[0] = (uint8_t)((d[0] - '0') << 4 | 0x03);
	for (i = 1; i < 16; i += 2)
		v[(i + 1) / 2] = (uint8_t)((d[i] - '0') | (i + 1 < 16 ? (d[i + 1] - '0') << 4 : 0xF0));
	put_extra(x, CAT_TAG_IMEISV, v, sizeof(v));
}

static void put_location(struct pcsct_me_exec *x)
{
	if (x->me->service == PCSCT_SVC_NO_SERVICE) {
		pcsct_me_set_unable(x, CAT_UNABLE_NO_SERVICE);
		return;
	}
	x->tr.location = &x->me->cfg.loc;
	/* Camped on the cell but not registered: the location is real, the service limited. */
	if (x->me->service == PCSCT_SVC_LIMITED)
		x->tr.result = CAT_RES_OK_LIMITED_SERVICE;
}

void pcsct_me_local_info(struct pcsct_me_exec *x)
{
	struct pcsct_me *me = x->me;
	uint8_t v[7];

	switch (x->cmd->qualifier) {
	case CAT_PLI_LOCATION:
		put_location(x);
		break;
	case CAT_PLI_IMEI:
		x->tr.imei = me->cfg.imei;
		break;
	case CAT_PLI_IMEISV:
		put_imeisv(x, me->cfg.imeisv);
		break;
	case CAT_PLI_DATETIME:
		sms_scts_from_time(time(NULL), v);
		put_extra(x, CAT_TAG_DATETIME_TZ, v, 7);
		break;
	case CAT_PLI_LANGUAGE:
		put_extra(x, CAT_TAG_LANGUAGE, (const uint8_t *)me->cfg.language, 2);
		break;
	case CAT_PLI_ACCESS_TECH:
		v[0] = 0x03; /* UTRAN: this terminal attaches with 3G AUTHENTICATE */
		put_extra(x, CAT_TAG_ACCESS_TECHNOLOGY, v, 1);
		break;
	default:
		x->tr.result = CAT_RES_BEYOND_CAPABILITIES;
		return;
	}
	pcsct_me_note(me, "PROVIDE LOCAL INFORMATION %02X", x->cmd->qualifier);
}

void pcsct_me_timer_management(struct pcsct_me_exec *x)
{
	struct pcsct_me *me = x->me;
	const struct cat_obj *id = cat_decoded_find(x->cmd, CAT_TAG_TIMER_ID, 0);
	const struct cat_obj *val = cat_decoded_find(x->cmd, CAT_TAG_TIMER_VALUE, 0);
	uint8_t action = x->cmd->qualifier & 0x03;
	struct pcsct_timer *t;
	uint64_t elapsed;

	if (!id || id->type != CAT_VAL_TIMER_ID) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	if (id->v.byte < 1 || id->v.byte > PCSCT_TIMERS) {
		x->tr.result = CAT_RES_DATA_NOT_UNDERSTOOD;
		return;
	}
	t = &me->timers[id->v.byte - 1];
	x->tr.timer_id = id->v.byte;
	if (action == CAT_TIMER_START) {
		if (!val || val->type != CAT_VAL_TIMER_VALUE || val->v.timer.seconds == 0) {
			x->tr.result = CAT_RES_VALUES_MISSING;
			return;
		}
		t->running = true;
		t->start_ms = me->now_ms();
		t->seconds = val->v.timer.seconds;
		pcsct_me_note(me, "timer %u started for %u s", id->v.byte, t->seconds);
		pcsct_me_changed(me);
		return;
	}
	if (action != CAT_TIMER_DEACTIVATE && action != CAT_TIMER_GET_VALUE) {
		x->tr.result = CAT_RES_DATA_NOT_UNDERSTOOD;
		return;
	}
	if (!t->running) {
		x->tr.result = CAT_RES_TIMER_CONTRADICTION;
		return;
	}
	elapsed = (me->now_ms() - t->start_ms) / 1000;
	x->tr.has_timer_value = true;
	x->tr.timer_seconds = elapsed >= t->seconds ? 0 : t->seconds - (uint32_t)elapsed;
	if (action == CAT_TIMER_DEACTIVATE) {
		t->running = false;
		pcsct_me_note(me, "timer %u stopped", id->v.byte);
		pcsct_me_changed(me);
	}
}

void pcsct_me_event_list(struct pcsct_me_exec *x)
{
	struct pcsct_me *me = x->me;
	const struct cat_obj *o = cat_decoded_find(x->cmd, CAT_TAG_EVENT_LIST, 0);
	size_t i;

	if (!o) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	if (o->len > PCSCT_EVENTS_MAX) {
		x->tr.result = CAT_RES_BEYOND_CAPABILITIES;
		return;
	}
	for (i = 0; i < o->len; i++) {
		if (!memchr(supported_events, o->val[i], sizeof(supported_events))) {
			pcsct_me_note(me, "SET UP EVENT LIST: event %02X (%s) is not reported by this terminal",
				      o->val[i], cat_event_name(o->val[i]));
			x->tr.result = CAT_RES_BEYOND_CAPABILITIES;
			return;
		}
	}
	memcpy(me->events, o->val, o->len);
	me->n_events = o->len;
	pcsct_me_note(me, "SET UP EVENT LIST: %zu event%s", o->len, o->len == 1 ? "" : "s");
	pcsct_me_changed(me);
}

void pcsct_me_poll_interval(struct pcsct_me_exec *x)
{
	const struct cat_obj *o = cat_decoded_find(x->cmd, CAT_TAG_DURATION, 0);

	if (!o || o->type != CAT_VAL_DURATION || o->v.duration.ms == 0) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	/* The requested interval is used as it is, and the TERMINAL RESPONSE says so. */
	x->me->poll_interval_ms = o->v.duration.ms;
	x->tr.duration.unit = o->v.duration.unit;
	x->tr.duration.interval = o->v.duration.interval;
	pcsct_me_note(x->me, "POLL INTERVAL %u ms", o->v.duration.ms);
	pcsct_me_changed(x->me);
}

void pcsct_me_polling_off(struct pcsct_me_exec *x)
{
	x->me->poll_interval_ms = 0;
	pcsct_me_note(x->me, "POLLING OFF");
	pcsct_me_changed(x->me);
}

void pcsct_me_more_time(struct pcsct_me_exec *x)
{
	x->me->more_time++;
}

void pcsct_me_refresh(struct pcsct_me_exec *x)
{
	static const enum pcsct_refresh_action by_mode[] = {
		[CAT_REFRESH_INIT_FULL_FCN] = PCSCT_REFRESH_NAA_INIT, [CAT_REFRESH_FCN] = PCSCT_REFRESH_FILES,
		[CAT_REFRESH_INIT_FCN] = PCSCT_REFRESH_NAA_INIT,      [CAT_REFRESH_INIT] = PCSCT_REFRESH_NAA_INIT,
		[CAT_REFRESH_UICC_RESET] = PCSCT_REFRESH_RESET,	      [CAT_REFRESH_APP_RESET] = PCSCT_REFRESH_NAA_INIT,
		[CAT_REFRESH_SESSION_RESET] = PCSCT_REFRESH_NAA_INIT,
	};
	uint8_t mode = x->cmd->qualifier;

	if (mode >= sizeof(by_mode) / sizeof(by_mode[0])) {
		x->tr.result = CAT_RES_BEYOND_CAPABILITIES;
		return;
	}
	if ((mode == CAT_REFRESH_FCN || mode == CAT_REFRESH_INIT_FCN) &&
	    !cat_decoded_find(x->cmd, CAT_TAG_FILE_LIST, 0)) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	x->me->refresh = by_mode[mode];
	pcsct_me_note(x->me, "REFRESH mode %02X", mode);
}

void pcsct_me_language_notification(struct pcsct_me_exec *x)
{
	const struct cat_obj *o = cat_decoded_find(x->cmd, CAT_TAG_LANGUAGE, 0);

	if (o && o->len == 2)
		pcsct_me_note(x->me, "LANGUAGE NOTIFICATION %.2s", (const char *)o->val);
}
