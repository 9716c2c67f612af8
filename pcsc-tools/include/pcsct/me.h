/* The mobile equipment's toolkit side: executes one decoded proactive command against the terminal's state
 * (screen, menu, event list, timers, local information) and builds the TERMINAL RESPONSE. What needs the outside
 * world (sending an SMS, asking the user, noticing a change) goes through callbacks, so simtool and handset-sim
 * share one implementation of every command. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/cat.h"
#include "simguard/sg_error.h"

#define PCSCT_TEXT_MAX	    512
#define PCSCT_ITEM_TEXT_MAX 128
#define PCSCT_MENU_MAX	    32
#define PCSCT_TIMERS	    8
#define PCSCT_EVENTS_MAX    16
#define PCSCT_PROFILE_MAX   32

/* The richer-than-minimum profile handset-sim declares: byte 1 adds menu selection, byte 2 call control by the
 * card, byte 5 user activity and idle screen events (cat-proactive.md section 9). */
#define PCSCT_PROFILE_DEFAULT "3B03FF6B71000017"

/* What the terminal is configured as. */
struct pcsct_me_cfg {
	char imei[16];	 /* 15 digits */
	char imeisv[17]; /* 16 digits */
	struct cat_location loc;
	char language[3];
	uint8_t profile[PCSCT_PROFILE_MAX];
	size_t profile_len;
	uint32_t display_clear_ms; /* a normal DISPLAY TEXT without "wait for user" is cleared after this */
};

enum pcsct_service {
	PCSCT_SVC_NO_SERVICE = 0,
	PCSCT_SVC_LIMITED, /* camped on a cell, emergency calls only (e.g. authentication refused) */
	PCSCT_SVC_NORMAL,
};
const char *pcsct_service_name(enum pcsct_service s);

/* A question for the user: GET INKEY, GET INPUT, SELECT ITEM, or clearing a DISPLAY TEXT that waits for it. */
enum pcsct_ask_kind {
	PCSCT_ASK_INKEY,
	PCSCT_ASK_INPUT,
	PCSCT_ASK_SELECT,
	PCSCT_ASK_CLEAR,
};

struct pcsct_ask {
	enum pcsct_ask_kind kind;
	const char *text; /* prompt / title / the displayed text */
	uint8_t qualifier;
	uint8_t min_len, max_len;     /* GET INPUT */
	const char *default_text;     /* GET INPUT */
	const struct cat_item *items; /* SELECT ITEM */
	size_t n_items;
	uint8_t default_item;
};

enum pcsct_answer_kind {
	PCSCT_ANS_TEXT,	       /* text (input, inkey character, "y"/"n" for yes/no) */
	PCSCT_ANS_ITEM,	       /* item identifier */
	PCSCT_ANS_OK,	       /* user cleared the text */
	PCSCT_ANS_BACK,	       /* backward move */
	PCSCT_ANS_END,	       /* session terminated by the user */
	PCSCT_ANS_HELP,	       /* help requested */
	PCSCT_ANS_NO_RESPONSE, /* nobody answered in time */
};

struct pcsct_answer {
	enum pcsct_answer_kind kind;
	char text[PCSCT_TEXT_MAX];
	uint8_t item;
};

struct pcsct_me;

struct pcsct_me_ops {
	/* Send an MO SMS (SEND SHORT MESSAGE). Returns the general result: CAT_RES_OK, CAT_RES_SMS_RP_ERROR with
	 * *addl the RP cause, or CAT_RES_TERMINAL_UNABLE with *addl CAT_UNABLE_NO_SERVICE. */
	uint8_t (*send_sms)(void *arg, const uint8_t *tpdu, size_t len, const struct cat_address *sc, uint8_t *addl);
	/* Send a USSD string (SEND USSD); on CAT_RES_OK reply holds the network's answer as UTF-8. NULL: no USSD
	 * bearer (answered "network currently unable"). */
	uint8_t (*send_ussd)(void *arg, uint8_t dcs, const uint8_t *data, size_t len, uint8_t *addl, char *reply,
			     size_t reply_size);
	/* Ask the user; must fill a. NULL: nobody there (no response). */
	void (*ask)(void *arg, const struct pcsct_ask *q, struct pcsct_answer *a);
	/* The visible state changed (screen, tone, menu...). */
	void (*changed)(void *arg);
	/* A message for the log / terminal ("DISPLAY TEXT: ..."). */
	void (*note)(void *arg, const char *msg);
};

struct pcsct_timer {
	bool running;
	uint64_t start_ms;
	uint32_t seconds;
};

struct pcsct_screen {
	bool has_text; /* a DISPLAY TEXT is on the screen */
	char text[PCSCT_TEXT_MAX];
	bool text_high_priority;
	bool text_wait_for_user;
	uint64_t text_shown_ms;
	uint32_t text_clear_ms; /* cleared after this unless it waits for the user */
	bool has_idle_text;
	char idle_text[PCSCT_TEXT_MAX];
	bool tone_playing;
	uint8_t tone;
	char tone_alpha[PCSCT_ITEM_TEXT_MAX];
	uint32_t tone_ms;
	uint64_t tone_started_ms;
	bool tone_vibrate;
	bool has_menu;
	char menu_title[PCSCT_ITEM_TEXT_MAX];
	struct {
		uint8_t id;
		char text[PCSCT_ITEM_TEXT_MAX];
	} menu[PCSCT_MENU_MAX];
	size_t n_menu;
};

/* What the session owner must do after the TERMINAL RESPONSE of a REFRESH. */
enum pcsct_refresh_action {
	PCSCT_REFRESH_NONE = 0,
	PCSCT_REFRESH_FILES,	/* re-read the files named (nothing cached here) */
	PCSCT_REFRESH_NAA_INIT, /* initialise the application again (attach again) */
	PCSCT_REFRESH_RESET,	/* UICC reset: power cycle the card and start over */
};

struct pcsct_me {
	struct pcsct_me_cfg cfg;
	const struct pcsct_me_ops *ops;
	void *ops_arg;
	uint64_t (*now_ms)(void); /* monotonic clock; replaceable by tests */

	enum pcsct_service service;
	struct pcsct_screen screen;
	uint8_t events[PCSCT_EVENTS_MAX]; /* SET UP EVENT LIST */
	size_t n_events;
	struct pcsct_timer timers[PCSCT_TIMERS]; /* index = timer id - 1 */
	uint32_t poll_interval_ms;		 /* 0: polling off / not requested */
	unsigned int more_time;			 /* MORE TIME commands seen */
	enum pcsct_refresh_action refresh;
	unsigned int commands;
	char last_command[48];
	uint8_t last_result;
};

/* Defaults: IMEI 123456789012345 (the oFono vector), MCC 001 MNC 01 LAC 1 cell 1, language "en", the default
 * profile, 5 s display clear. */
void pcsct_me_cfg_default(struct pcsct_me_cfg *cfg);
void pcsct_me_init(struct pcsct_me *me, const struct pcsct_me_cfg *cfg, const struct pcsct_me_ops *ops, void *arg);

/* Execute a decoded proactive command and write the TERMINAL RESPONSE into tr. A command that broke the coding
 * rules (cmd->valid false) is answered with the decoder's result and changes nothing. Returns 0, or -1 with err
 * when no TERMINAL RESPONSE can be built at all. */
int pcsct_me_execute(struct pcsct_me *me, const struct cat_decoded *cmd, struct cat_buf *tr, struct sg_error *err);

/* Build the TERMINAL RESPONSE for raw proactive command bytes that did not even decode into command details:
 * the details are echoed as far as they can be read. */
int pcsct_me_reject(struct pcsct_me *me, const struct cat_decoded *cmd, uint8_t result, struct cat_buf *tr,
		    struct sg_error *err);

/* Time-driven changes: a normal DISPLAY TEXT clears after its delay, a tone stops. Returns true if anything
 * changed. */
bool pcsct_me_tick(struct pcsct_me *me);
/* Milliseconds until the next time-driven change or timer expiry, or -1 when none is due. */
int64_t pcsct_me_next_due_ms(const struct pcsct_me *me);
/* The first expired toolkit timer (1..8), stopping it; 0 when none. *seconds = its configured value. */
uint8_t pcsct_me_timer_expired(struct pcsct_me *me, uint32_t *seconds);
/* True when the card asked for this event in SET UP EVENT LIST. */
bool pcsct_me_event_wanted(const struct pcsct_me *me, uint8_t event);
/* The user cleared the display (a keypress): the text goes away. */
void pcsct_me_user_clear(struct pcsct_me *me);

/* The terminal state as JSON (screen, tone, menu, events, timers, poll interval, last command). */
json_t *pcsct_me_to_json(const struct pcsct_me *me);

/* Internal to the command handlers (me_*.c). */
struct pcsct_me_exec {
	struct pcsct_me *me;
	const struct cat_decoded *cmd;
	struct cat_tr tr;
	uint8_t addl[4];
	uint8_t extra[64];
	char text[PCSCT_TEXT_MAX];
};
void pcsct_me_set_unable(struct pcsct_me_exec *x, uint8_t cause);
void pcsct_me_note(struct pcsct_me *me, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pcsct_me_changed(struct pcsct_me *me);
void pcsct_me_ask(struct pcsct_me *me, const struct pcsct_ask *q, struct pcsct_answer *a);
/* Result for an answer that is not a value: back 11, end 10, help 13, no response 12. */
uint8_t pcsct_me_answer_result(const struct pcsct_answer *a);
const char *pcsct_me_text(const struct cat_decoded *cmd, uint16_t tag);

void pcsct_me_display_text(struct pcsct_me_exec *x);
void pcsct_me_idle_mode_text(struct pcsct_me_exec *x);
void pcsct_me_play_tone(struct pcsct_me_exec *x);
void pcsct_me_get_inkey(struct pcsct_me_exec *x);
void pcsct_me_get_input(struct pcsct_me_exec *x);
void pcsct_me_select_item(struct pcsct_me_exec *x);
void pcsct_me_set_up_menu(struct pcsct_me_exec *x);
void pcsct_me_local_info(struct pcsct_me_exec *x);
void pcsct_me_timer_management(struct pcsct_me_exec *x);
void pcsct_me_event_list(struct pcsct_me_exec *x);
void pcsct_me_poll_interval(struct pcsct_me_exec *x);
void pcsct_me_polling_off(struct pcsct_me_exec *x);
void pcsct_me_more_time(struct pcsct_me_exec *x);
void pcsct_me_refresh(struct pcsct_me_exec *x);
void pcsct_me_send_sms(struct pcsct_me_exec *x);
void pcsct_me_send_ussd(struct pcsct_me_exec *x);
void pcsct_me_language_notification(struct pcsct_me_exec *x);
