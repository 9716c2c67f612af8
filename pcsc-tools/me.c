/* Mobile equipment core: configuration defaults, dispatch of proactive commands to their handlers, the TERMINAL
 * RESPONSE, and the time-driven parts of the terminal state (display clear delay, tones, toolkit timers). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pcsct/me.h"
#include "simguard/hex.h"

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

const char *pcsct_service_name(enum pcsct_service s)
{
	switch (s) {
	case PCSCT_SVC_NORMAL:
		return "normal";
	case PCSCT_SVC_LIMITED:
		return "limited";
	default:
		return "none";
	}
}

void pcsct_me_cfg_default(struct pcsct_me_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->imei, sizeof(cfg->imei), "123456789012345");
	snprintf(cfg->imeisv, sizeof(cfg->imeisv), "1234567890123401");
	cfg->loc.mcc = 1;
	cfg->loc.mnc = 1;
	cfg->loc.lac = 1;
	cfg->loc.cell_id = 1;
	snprintf(cfg->language, sizeof(cfg->language), "en");
	cfg->profile_len =
		(size_t)sg_hex_decode(PCSCT_PROFILE_DEFAULT, cfg->profile, sizeof(cfg->profile), "profile", NULL);
	cfg->display_clear_ms = 5000;
}

void pcsct_me_init(struct pcsct_me *me, const struct pcsct_me_cfg *cfg, const struct pcsct_me_ops *ops, void *arg)
{
	memset(me, 0, sizeof(*me));
	me->cfg = *cfg;
	me->ops = ops;
	me->ops_arg = arg;
	me->now_ms = mono_ms;
}

void pcsct_me_note(struct pcsct_me *me, const char *fmt, ...)
{
	char msg[PCSCT_TEXT_MAX + 128];
	va_list ap;

	if (!me->ops || !me->ops->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	me->ops->note(me->ops_arg, msg);
}

void pcsct_me_changed(struct pcsct_me *me)
{
	if (me->ops && me->ops->changed)
		me->ops->changed(me->ops_arg);
}

void pcsct_me_ask(struct pcsct_me *me, const struct pcsct_ask *q, struct pcsct_answer *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = PCSCT_ANS_NO_RESPONSE;
	if (me->ops && me->ops->ask)
		me->ops->ask(me->ops_arg, q, a);
}

uint8_t pcsct_me_answer_result(const struct pcsct_answer *a)
{
	switch (a->kind) {
	case PCSCT_ANS_BACK:
		return CAT_RES_USER_BACKWARD;
	case PCSCT_ANS_END:
		return CAT_RES_USER_TERMINATED;
	case PCSCT_ANS_HELP:
		return CAT_RES_HELP_REQUESTED;
	case PCSCT_ANS_NO_RESPONSE:
		return CAT_RES_NO_RESPONSE;
	default:
		return CAT_RES_OK;
	}
}

const char *pcsct_me_text(const struct cat_decoded *cmd, uint16_t tag)
{
	const struct cat_obj *o = cat_decoded_find(cmd, tag, 0);

	if (!o)
		return NULL;
	if (o->type != CAT_VAL_TEXT)
		return "";
	return o->v.text.utf8 ? o->v.text.utf8 : "";
}

void pcsct_me_set_unable(struct pcsct_me_exec *x, uint8_t cause)
{
	x->tr.result = CAT_RES_TERMINAL_UNABLE;
	x->addl[0] = cause;
	x->tr.addl = x->addl;
	x->tr.addl_len = 1;
}

typedef void (*handler_fn)(struct pcsct_me_exec *x);

static handler_fn handler_for(uint8_t type)
{
	switch (type) {
	case CAT_CMD_DISPLAY_TEXT:
		return pcsct_me_display_text;
	case CAT_CMD_SET_UP_IDLE_MODE_TEXT:
		return pcsct_me_idle_mode_text;
	case CAT_CMD_PLAY_TONE:
		return pcsct_me_play_tone;
	case CAT_CMD_GET_INKEY:
		return pcsct_me_get_inkey;
	case CAT_CMD_GET_INPUT:
		return pcsct_me_get_input;
	case CAT_CMD_SELECT_ITEM:
		return pcsct_me_select_item;
	case CAT_CMD_SET_UP_MENU:
		return pcsct_me_set_up_menu;
	case CAT_CMD_PROVIDE_LOCAL_INFO:
		return pcsct_me_local_info;
	case CAT_CMD_TIMER_MANAGEMENT:
		return pcsct_me_timer_management;
	case CAT_CMD_SET_UP_EVENT_LIST:
		return pcsct_me_event_list;
	case CAT_CMD_POLL_INTERVAL:
		return pcsct_me_poll_interval;
	case CAT_CMD_POLLING_OFF:
		return pcsct_me_polling_off;
	case CAT_CMD_MORE_TIME:
		return pcsct_me_more_time;
	case CAT_CMD_REFRESH:
		return pcsct_me_refresh;
	case CAT_CMD_SEND_SHORT_MESSAGE:
		return pcsct_me_send_sms;
	case CAT_CMD_SEND_USSD:
		return pcsct_me_send_ussd;
	case CAT_CMD_LANGUAGE_NOTIFICATION:
		return pcsct_me_language_notification;
	default:
		return NULL;
	}
}

static int build_tr(struct pcsct_me *me, struct pcsct_me_exec *x, struct cat_buf *tr, struct sg_error *err)
{
	me->last_result = x->tr.result;
	if (cat_build_terminal_response(tr, &x->tr, err) < 0)
		return -1;
	pcsct_me_note(me, "TERMINAL RESPONSE %s: %02X %s", cat_cmd_type_name(x->cmd->type), x->tr.result,
		      cat_result_name(x->tr.result));
	return 0;
}

int pcsct_me_reject(struct pcsct_me *me, const struct cat_decoded *cmd, uint8_t result, struct cat_buf *tr,
		    struct sg_error *err)
{
	struct pcsct_me_exec x = {.me = me, .cmd = cmd};

	cat_tr_init(&x.tr, cmd, result);
	if (result == CAT_RES_TERMINAL_UNABLE)
		pcsct_me_set_unable(&x, CAT_UNABLE_NO_CAUSE);
	return build_tr(me, &x, tr, err);
}

int pcsct_me_execute(struct pcsct_me *me, const struct cat_decoded *cmd, struct cat_buf *tr, struct sg_error *err)
{
	struct pcsct_me_exec x = {.me = me, .cmd = cmd};
	handler_fn h;

	tr->len = 0;
	me->commands++;
	snprintf(me->last_command, sizeof(me->last_command), "%s", cat_cmd_type_name(cmd->type));
	if (!cmd->valid) {
		pcsct_me_note(me, "malformed %s: %s", cat_cmd_type_name(cmd->type), cmd->error);
		return pcsct_me_reject(me, cmd, cmd->tr_result, tr, err);
	}
	h = handler_for(cmd->type);
	if (!h) {
		pcsct_me_note(me, "%s (%02X) is beyond this terminal's capabilities", cat_cmd_type_name(cmd->type),
			      cmd->type);
		return pcsct_me_reject(me, cmd, CAT_RES_BEYOND_CAPABILITIES, tr, err);
	}
	cat_tr_init(&x.tr, cmd, CAT_RES_OK);
	h(&x);
	/* This terminal draws no icons: say so rather than claiming full success. */
	if (x.tr.result == CAT_RES_OK && cat_decoded_find(cmd, CAT_TAG_ICON_ID, 0))
		x.tr.result = CAT_RES_OK_NO_ICON;
	/* REFRESH with UICC reset is acknowledged by the reset itself, never by a TERMINAL RESPONSE. */
	if (cmd->type == CAT_CMD_REFRESH && me->refresh == PCSCT_REFRESH_RESET) {
		me->last_result = x.tr.result;
		return 0;
	}
	return build_tr(me, &x, tr, err);
}

void pcsct_me_user_clear(struct pcsct_me *me)
{
	if (!me->screen.has_text)
		return;
	me->screen.has_text = false;
	pcsct_me_changed(me);
}

bool pcsct_me_tick(struct pcsct_me *me)
{
	struct pcsct_screen *s = &me->screen;
	uint64_t now = me->now_ms();
	bool changed = false;

	if (s->has_text && !s->text_wait_for_user && now - s->text_shown_ms >= s->text_clear_ms) {
		s->has_text = false;
		changed = true;
	}
	if (s->tone_playing && now - s->tone_started_ms >= s->tone_ms) {
		s->tone_playing = false;
		changed = true;
	}
	if (changed)
		pcsct_me_changed(me);
	return changed;
}

static int64_t remaining(uint64_t start, uint64_t len, uint64_t now)
{
	return start + len > now ? (int64_t)(start + len - now) : 0;
}

int64_t pcsct_me_next_due_ms(const struct pcsct_me *me)
{
	const struct pcsct_screen *s = &me->screen;
	uint64_t now = me->now_ms();
	int64_t due = -1, r;
	int i;

	if (s->has_text && !s->text_wait_for_user)
		due = remaining(s->text_shown_ms, s->text_clear_ms, now);
	if (s->tone_playing) {
		r = remaining(s->tone_started_ms, s->tone_ms, now);
		if (due < 0 || r < due)
			due = r;
	}
	for (i = 0; i < PCSCT_TIMERS; i++) {
		if (!me->timers[i].running)
			continue;
		r = remaining(me->timers[i].start_ms, (uint64_t)me->timers[i].seconds * 1000, now);
		if (due < 0 || r < due)
			due = r;
	}
	return due;
}

uint8_t pcsct_me_timer_expired(struct pcsct_me *me, uint32_t *seconds)
{
	uint64_t now = me->now_ms();
	int i;

	for (i = 0; i < PCSCT_TIMERS; i++) {
		struct pcsct_timer *t = &me->timers[i];

		if (t->running && remaining(t->start_ms, (uint64_t)t->seconds * 1000, now) == 0) {
			t->running = false;
			*seconds = t->seconds;
			return (uint8_t)(i + 1);
		}
	}
	return 0;
}

bool pcsct_me_event_wanted(const struct pcsct_me *me, uint8_t event)
{
	return memchr(me->events, event, me->n_events) != NULL;
}
