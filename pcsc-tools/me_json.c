/* The terminal state as JSON, for state files that tests read and for simtool --json. */
#include <stdio.h>

#include "pcsct/me.h"

static json_t *screen_json(const struct pcsct_me *me)
{
	const struct pcsct_screen *s = &me->screen;
	json_t *menu = json_array();
	size_t i;

	for (i = 0; s->has_menu && i < s->n_menu; i++)
		json_array_append_new(menu, json_pack("{s:i,s:s}", "id", s->menu[i].id, "text", s->menu[i].text));
	return json_pack("{s:o,s:b,s:b,s:o,s:{s:b,s:i,s:s,s:s,s:i,s:b},s:o,s:o}", "display",
			 s->has_text ? json_string(s->text) : json_null(), "display_high_priority",
			 s->has_text && s->text_high_priority, "display_wait_for_user",
			 s->has_text && s->text_wait_for_user, "idle_text",
			 s->has_idle_text ? json_string(s->idle_text) : json_null(), "tone", "playing", s->tone_playing,
			 "tone", s->tone, "name", s->tone ? cat_tone_name(s->tone) : "", "alpha", s->tone_alpha,
			 "duration_ms", s->tone_ms, "vibrate", s->tone_vibrate, "menu_title",
			 s->has_menu ? json_string(s->menu_title) : json_null(), "menu", menu);
}

static json_t *timers_json(const struct pcsct_me *me)
{
	json_t *a = json_array();
	uint64_t now = me->now_ms();
	int i;

	for (i = 0; i < PCSCT_TIMERS; i++) {
		const struct pcsct_timer *t = &me->timers[i];
		uint64_t left = t->start_ms + (uint64_t)t->seconds * 1000;

		if (!t->running)
			continue;
		json_array_append_new(a, json_pack("{s:i,s:i,s:I}", "id", i + 1, "seconds", t->seconds, "remaining_ms",
						   (json_int_t)(left > now ? left - now : 0)));
	}
	return a;
}

json_t *pcsct_me_to_json(const struct pcsct_me *me)
{
	json_t *events = json_array();
	size_t i;

	for (i = 0; i < me->n_events; i++)
		json_array_append_new(events, json_string(cat_event_name(me->events[i])));
	return json_pack("{s:o,s:o,s:o,s:i,s:i,s:i,s:s,s:o}", "screen", screen_json(me), "events", events, "timers",
			 timers_json(me), "poll_interval_ms", me->poll_interval_ms, "more_time", me->more_time,
			 "proactive_commands", me->commands, "last_command", me->last_command, "last_result",
			 me->commands ? json_string(cat_result_name(me->last_result)) : json_null());
}
