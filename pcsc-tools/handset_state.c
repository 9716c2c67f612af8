/* What handset-sim shows: the screen in the terminal (service bar, toolkit text or idle text, tone, menu) and the
 * same state as a JSON file rewritten atomically after every change, for tests and scripts to read. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <osmocom/core/logging.h>

#include "pcsct/handset.h"

#define LOG_KEEP 60
#define SCREEN_W 44

int handset_logss;

void handset_event(struct handset *hs, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	LOGP(handset_logss, LOGL_NOTICE, "%s\n", msg);
	json_array_append_new(hs->log, json_string(msg));
	while (json_array_size(hs->log) > LOG_KEEP)
		json_array_remove(hs->log, 0);
	/* the log is part of the state: readers see each event as it happens */
	handset_state_write(hs);
}

static void trace_line(void *arg, const char *text)
{
	LOGP(handset_logss, LOGL_NOTICE, "APDU %s\n", text);
}

void handset_trace_on(struct handset *hs)
{
	hs->tracer.line = trace_line;
	hs->tracer.arg = hs;
	hs->card->trace = pcsct_trace_redacted;
	hs->card->trace_arg = &hs->tracer;
}

static const char *service_text(const struct handset *hs)
{
	switch (hs->me.service) {
	case PCSCT_SVC_NORMAL:
		return "Normal service";
	case PCSCT_SVC_LIMITED:
		return "No service (emergency calls only)";
	default:
		return "No service";
	}
}

static json_t *card_json(const struct handset *hs)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:i}", "card", hs->cfg.card, "state",
			 handset_card_state_name(hs->card_state), "error", hs->card_error, "iccid", hs->usim.iccid,
			 "imsi", hs->usim.imsi, "pin_retries", hs->pin_retries);
}

static json_t *userdata_json(const struct handset *hs)
{
	static const char *const names[] = {"no key", "open", "unreadable", "error", "locked"};
	json_t *o = json_pack("{s:s,s:s}", "state", names[hs->ud_state], "error", hs->ud_error);

	if (hs->ud_state == HS_UD_OPEN && hs->user_data)
		json_object_set(o, "data", hs->user_data);
	return o;
}

json_t *handset_state_json(const struct handset *hs)
{
	const struct cat_location *l = &hs->cfg.me.loc;

	return json_pack("{s:s,s:s,s:s,s:i,s:o,s:s,s:s,s:{s:s,s:s},s:{s:i,s:i,s:i,s:i},s:o,s:o,s:O,s:O,s:{s:b},"
			 "s:o,s:i,s:{s:s,s:s,s:s},s:O}",
			 "power", hs->powered ? "on" : "off", "msisdn", hs->cfg.msisdn, "imei", hs->cfg.me.imei,
			 "power_ups", hs->power_ups, "card", card_json(hs), "service",
			 pcsct_service_name(hs->me.service), "service_text", service_text(hs), "attach", "result",
			 pcsct_auth_result_name(hs->auth), "why", hs->auth_why, "network", "mcc", l->mcc, "mnc", l->mnc,
			 "lac", l->lac, "cell_id", l->cell_id, "toolkit", pcsct_me_to_json(&hs->me), "user_data",
			 userdata_json(hs), "inbox", hs->inbox, "mo", hs->mo_log, "smpp", "bound", hs->smpp_bound,
			 "sgs", handset_sgs_json(hs), "downloads", hs->downloads, "call", "number", hs->call.number,
			 "result", hs->call.result, "text", hs->call.text, "log", hs->log);
}

int handset_state_write(struct handset *hs)
{
	char tmp[300];
	json_t *j;
	int rc;

	if (!hs->cfg.state_file[0])
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", hs->cfg.state_file, (int)getpid());
	j = handset_state_json(hs);
	rc = json_dump_file(j, tmp, JSON_INDENT(1));
	json_decref(j);
	if (rc == 0)
		rc = rename(tmp, hs->cfg.state_file);
	return rc;
}

static int cols_of(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static void line(char *out, size_t size, const char *text)
{
	snprintf(out + strlen(out), size - strlen(out), "| %-*.*s |\n", SCREEN_W - 4, SCREEN_W - 4, text);
}

/* Word-wrap text onto screen lines (UTF-8 continuation bytes do not count as width). */
static void wrapped(char *out, size_t size, const char *text)
{
	const int w = SCREEN_W - 4;
	char row[4 * SCREEN_W];

	while (*text) {
		int cols = 0, cut = -1, i;

		for (i = 0; text[i] && text[i] != '\n' && cols < w && i < (int)sizeof(row) - 1; i++) {
			if (((unsigned char)text[i] & 0xC0) != 0x80)
				cols++;
			if (text[i] == ' ')
				cut = i;
		}
		if (text[i] && text[i] != '\n' && cut > 0)
			i = cut;
		memcpy(row, text, (size_t)i);
		row[i] = '\0';
		snprintf(out + strlen(out), size - strlen(out), "| %s%*s |\n", row, w - cols_of(row), "");
		text += i;
		while (*text == ' ' || *text == '\n')
			text++;
	}
}

void handset_screen_draw(const struct handset *hs)
{
	static char last[4096];
	const struct pcsct_screen *s = &hs->me.screen;
	char buf[4096] = "", tmp[PCSCT_TEXT_MAX + 64];
	const char *main_text = s->has_text ? s->text : s->has_idle_text ? s->idle_text : "";

	snprintf(buf, sizeof(buf), "+%.*s+\n", SCREEN_W - 2, "------------------------------------------------");
	if (hs->me.service == PCSCT_SVC_NORMAL)
		snprintf(tmp, sizeof(tmp), "%03u-%02u  Normal service", hs->cfg.me.loc.mcc, hs->cfg.me.loc.mnc);
	else
		snprintf(tmp, sizeof(tmp), "%s", hs->powered ? service_text(hs) : "(switched off)");
	line(buf, sizeof(buf), tmp);
	if (hs->card_state != HS_CARD_READY)
		line(buf, sizeof(buf), handset_card_state_name(hs->card_state));
	line(buf, sizeof(buf), "");
	wrapped(buf, sizeof(buf), main_text);
	line(buf, sizeof(buf), "");
	if (s->tone_playing) {
		snprintf(tmp, sizeof(tmp), "tone: %s %s", cat_tone_name(s->tone), s->tone_alpha);
		line(buf, sizeof(buf), tmp);
	}
	if (hs->call.number[0]) {
		snprintf(tmp, sizeof(tmp), "call %s: %s", hs->call.number, hs->call.result);
		line(buf, sizeof(buf), tmp);
	}
	if (s->has_menu) {
		snprintf(tmp, sizeof(tmp), "menu: %s (%zu items)", s->menu_title, s->n_menu);
		line(buf, sizeof(buf), tmp);
	}
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "+%.*s+\n", SCREEN_W - 2,
		 "------------------------------------------------");
	if (strcmp(buf, last) == 0)
		return;
	strcpy(last, buf);
	fputs(buf, stdout);
	fflush(stdout);
}

void handset_changed(struct handset *hs)
{
	handset_state_write(hs);
	if (!hs->quiet)
		handset_screen_draw(hs);
}
