/* Proactive commands that show or sound something: DISPLAY TEXT, SET UP IDLE MODE TEXT, PLAY TONE. The terminal
 * answers PLAY TONE when the tone starts rather than when it ends, so a three-minute RING never blocks the card;
 * the state shows the tone playing for its whole duration. */
#include <stdio.h>
#include <string.h>

#include "pcsct/me.h"

#define DEFAULT_TONE_MS 1000

static uint32_t duration_ms(const struct cat_decoded *cmd, uint32_t dflt)
{
	const struct cat_obj *o = cat_decoded_find(cmd, CAT_TAG_DURATION, 0);

	if (!o || o->type != CAT_VAL_DURATION || o->v.duration.ms == 0)
		return dflt;
	return o->v.duration.ms;
}

void pcsct_me_display_text(struct pcsct_me_exec *x)
{
	struct pcsct_me *me = x->me;
	struct pcsct_screen *s = &me->screen;
	const char *text = pcsct_me_text(x->cmd, CAT_TAG_TEXT_STRING);
	bool immediate = cat_decoded_find(x->cmd, CAT_TAG_IMMEDIATE_RESPONSE, 0) != NULL;
	struct pcsct_ask q = {.kind = PCSCT_ASK_CLEAR};
	struct pcsct_answer a;

	if (!text) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	/* A normal-priority text does not push away a high-priority one the user has not cleared yet. */
	if (s->has_text && s->text_high_priority && s->text_wait_for_user &&
	    !(x->cmd->qualifier & CAT_QUAL_DT_HIGH_PRIORITY)) {
		pcsct_me_set_unable(x, CAT_UNABLE_SCREEN_BUSY);
		return;
	}
	snprintf(s->text, sizeof(s->text), "%s", text);
	s->has_text = true;
	s->text_high_priority = x->cmd->qualifier & CAT_QUAL_DT_HIGH_PRIORITY;
	s->text_wait_for_user = (x->cmd->qualifier & CAT_QUAL_DT_WAIT_FOR_USER) != 0;
	s->text_shown_ms = me->now_ms();
	s->text_clear_ms = duration_ms(x->cmd, me->cfg.display_clear_ms);
	pcsct_me_note(me, "DISPLAY TEXT%s: %s", s->text_high_priority ? " (high priority)" : "", text);
	pcsct_me_changed(me);
	if (!s->text_wait_for_user || immediate)
		return;
	q.text = s->text;
	q.qualifier = x->cmd->qualifier;
	pcsct_me_ask(me, &q, &a);
	x->tr.result = pcsct_me_answer_result(&a);
	if (a.kind == PCSCT_ANS_NO_RESPONSE)
		pcsct_me_note(me, "nobody cleared the text");
	/* Whatever the user did, the text has been dealt with and leaves the screen. */
	s->has_text = false;
	pcsct_me_changed(me);
}

void pcsct_me_idle_mode_text(struct pcsct_me_exec *x)
{
	struct pcsct_screen *s = &x->me->screen;
	const char *text = pcsct_me_text(x->cmd, CAT_TAG_TEXT_STRING);

	if (!text) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	s->has_idle_text = text[0] != '\0';
	snprintf(s->idle_text, sizeof(s->idle_text), "%s", text);
	pcsct_me_note(x->me, s->has_idle_text ? "SET UP IDLE MODE TEXT: %s" : "idle mode text removed%s", text);
	pcsct_me_changed(x->me);
}

static bool tone_known(uint8_t tone)
{
	return (tone >= CAT_TONE_DIAL && tone <= CAT_TONE_RINGING) ||
	       (tone >= CAT_TONE_GENERAL_BEEP && tone <= CAT_TONE_CRITICAL_ALERT) || tone == CAT_TONE_VIBRATE_ONLY ||
	       (tone >= CAT_TONE_HAPPY && tone <= CAT_TONE_MESSAGE_RECEIVED) ||
	       (tone >= CAT_TONE_MELODY_1 && tone <= CAT_TONE_MELODY_8);
}

void pcsct_me_play_tone(struct pcsct_me_exec *x)
{
	struct pcsct_screen *s = &x->me->screen;
	const struct cat_obj *t = cat_decoded_find(x->cmd, CAT_TAG_TONE, 0);
	const char *alpha = pcsct_me_text(x->cmd, CAT_TAG_ALPHA_ID);
	uint8_t tone = t && t->len == 1 ? t->v.byte : CAT_TONE_GENERAL_BEEP;

	if (!tone_known(tone)) {
		pcsct_me_note(x->me, "PLAY TONE: tone %02X is not one this terminal can play", tone);
		x->tr.result = CAT_RES_BEYOND_CAPABILITIES;
		return;
	}
	s->tone_playing = true;
	s->tone = tone;
	s->tone_ms = duration_ms(x->cmd, DEFAULT_TONE_MS);
	s->tone_started_ms = x->me->now_ms();
	s->tone_vibrate = x->cmd->qualifier & CAT_QUAL_TONE_VIBRATE;
	snprintf(s->tone_alpha, sizeof(s->tone_alpha), "%s", alpha ? alpha : "");
	pcsct_me_note(x->me, "PLAY TONE %s for %u ms%s%s", cat_tone_name(tone), s->tone_ms, alpha ? ": " : "",
		      alpha ? alpha : "");
	pcsct_me_changed(x->me);
}
