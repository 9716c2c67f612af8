/* handset-sim: a mobile equipment simulator around one card. The pieces (handset_*.c) share this state:
 *   handset_power.c    power-up (TERMINAL PROFILE, PIN, USIM, user data key, attach), power-off, REFRESH
 *   handset_toolkit.c  proactive sessions, event / timer envelopes, polling
 *   handset_sms.c      MT SMS (data download with reassembly, inbox), MO SMS, USSD
 *   handset_smpp.c     the lab route of sms-gateway (SMPP bind with the MSISDN)
 *   handset_sgs.c      or an MSC over SGs (handset-sim plays the MME too): SMS-DELIVER in, SMS-SUBMIT out
 *   handset_state.c    the screen in the terminal and the JSON state file
 *   handset_userdata.c contacts and notes sealed with the key from the anti-theft applet
 *   handset_call.c     placing a call through the card's call control
 *   handset_vty.c      configuration file (libosmovty) and VTY commands */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>
#include <osmocom/core/select.h>
#include <osmocom/core/timer.h>

#include "pcsct/answers.h"
#include "pcsct/card_access.h"
#include "pcsct/me.h"
#include "pcsct/netauth.h"
#include "pcsct/trace.h"
#include "pcsct/usim.h"
#include "pcsct/user_data.h"
#include "simguard/sms_tpdu.h"

#define HS_INBOX_MAX 100
#define HS_DL_GROUPS 8

struct handset_cfg {
	char msisdn[21];
	char card[256];
	char pin[9];
	struct pcsct_me_cfg me;
	struct pcsct_auth_cfg auth;
	bool have_auth_keys;
	char smsc[21]; /* service centre address (MO) */
	char smpp_host[64];
	uint16_t smpp_port; /* 0: no SMPP link */
	char smpp_password[9];
	char sgs_host[64];
	uint16_t sgs_port;     /* 0: no SGs link */
	const char *sgs_proto; /* "tcp", "sctp", or NULL: SCTP where the kernel has it */
	char sgs_mme_name[56]; /* "": built from the location's MCC / MNC */
	char state_file[256];
	char data_dir[256];	     /* user data, inbox, the network's SQN */
	int user_timeout_ms;	     /* how long a question waits for the keyboard; 0: nobody there */
	unsigned int reauth_s;	     /* periodic re-authentication (0: off) */
	bool reauth_after_download;  /* authenticate again once a data download transaction is over */
	uint32_t status_interval_ms; /* STATUS when the card asked for no POLL INTERVAL (0: none) */
};

enum handset_card_state {
	HS_CARD_ABSENT, /* powered off, or never opened */
	HS_CARD_READY,
	HS_CARD_PIN_NEEDED,
	HS_CARD_BLOCKED,
	HS_CARD_ERROR, /* the card stopped answering or answered nonsense */
};
const char *handset_card_state_name(enum handset_card_state s);

enum handset_userdata_state {
	HS_UD_NONE, /* no key from the card (yet, or the card has no key command) */
	HS_UD_OPEN,
	HS_UD_UNREADABLE, /* the key was destroyed, or the file does not open with the card's key: wiped */
	HS_UD_ERROR,
	HS_UD_LOCKED, /* the card is locked and keeps the key to itself */
};

/* Parts of a concatenated data download SMS, held until all are there, then given to the card in order. */
struct hs_dl_group {
	bool used;
	char from[SMS_ADDR_MAX_DIGITS + 1];
	uint16_t ref;
	bool is16;
	uint8_t total;
	time_t first;
	uint8_t tpdu[SMS_CONCAT_MAX_PARTS][SMS_TPDU_MAX];
	size_t len[SMS_CONCAT_MAX_PARTS];
	uint8_t have;
};

struct handset {
	void *ctx;
	struct handset_cfg cfg;
	struct pcsct_card *card;
	bool powered;
	enum handset_card_state card_state;
	char card_error[200];
	struct pcsct_me me;
	struct pcsct_usim usim;
	enum pcsct_pin_state pin_state;
	int pin_retries;
	enum pcsct_auth_result auth;
	char auth_why[200];
	unsigned int power_ups;

	/* user data */
	enum handset_userdata_state ud_state;
	json_t *user_data;
	uint8_t ud_key[PCSCT_UD_KEY_LEN];
	bool have_ud_key;
	char ud_error[200];

	/* SMS */
	json_t *inbox;		 /* array of stored messages */
	struct sms_reasm *reasm; /* ordinary concatenated SMS */
	struct hs_dl_group dl[HS_DL_GROUPS];
	unsigned int downloads;			 /* data download ENVELOPEs sent */
	json_t *mo_log;				 /* MO messages sent (last ones) */
	char ussd_peer[SMS_ADDR_MAX_DIGITS + 1]; /* who last sent a USSD string */

	/* the last call placed */
	struct {
		char number[CAT_ADDR_MAX_DIGITS + 2];
		char result[48];
		char text[PCSCT_TEXT_MAX + 64];
	} call;

	/* user input */
	struct pcsct_answers answers;
	bool interactive;

	/* SMPP link */
	struct smpp_client *smpp;
	struct osmo_fd smpp_ofd;
	bool smpp_bound;
	struct osmo_timer_list smpp_timer;
	unsigned int smpp_backoff_s;
	time_t smpp_retry_at;

	/* SGs link (handset_sgs.c), NULL when not configured */
	struct handset_sgs *sgs;

	/* toolkit */
	struct osmo_timer_list tick_timer;
	struct osmo_timer_list poll_timer;
	struct osmo_timer_list reauth_timer;
	bool was_idle_screen;
	bool in_session;

	/* output */
	bool quiet; /* no screen in the terminal */
	bool trace; /* log every APDU (secrets blanked) */
	struct pcsct_tracer tracer;
	json_t *log; /* last events (for the state file) */
	bool shutdown;
};

/* handset_power.c */
int handset_power_up(struct handset *hs);
void handset_power_down(struct handset *hs);
int handset_power_cycle(struct handset *hs);
/* Run the network attach again (periodic re-authentication, REFRESH). */
void handset_attach(struct handset *hs);
/* Do what a REFRESH asked for (hs->me.refresh), after its proactive session ended. */
void handset_refresh(struct handset *hs);
/* The card failed: note it, drop service. */
void handset_card_failed(struct handset *hs, const char *what, const char *why);

/* handset_toolkit.c */
void handset_toolkit_init(struct handset *hs);
/* Serve the proactive commands a status word announces, then act on a REFRESH. */
void handset_toolkit_serve(struct handset *hs, uint16_t sw);
/* Send an ENVELOPE built by the caller and serve what follows; returns the card's status word or -1. */
int handset_toolkit_envelope(struct handset *hs, const struct cat_buf *env, struct pcsct_rsp *rsp);
/* The user picks a menu item (MENU SELECTION envelope). */
int handset_menu_select(struct handset *hs, uint8_t item);
/* The user did something (user activity event, if the card asked for it). */
void handset_user_activity(struct handset *hs);
/* Service state changed: location status event if the card asked for it. */
void handset_location_event(struct handset *hs);
/* Re-arm the timers after a state change (display clear, tones, toolkit timers, polling). */
void handset_toolkit_rearm(struct handset *hs);

/* handset_sms.c */
/* An SMS-DELIVER from the network (oa = its sender). Returns 0, or -1 with err for a TPDU that does not decode. */
int handset_sms_deliver(struct handset *hs, const uint8_t *tpdu, size_t len, struct sg_error *err);
/* A USSD string for data download (network-initiated, ussd_op as in SMPP); the card's answer goes back. */
int handset_ussd_deliver(struct handset *hs, const char *from, int ussd_op, uint8_t dcs, const uint8_t *data,
			 size_t len, struct sg_error *err);
/* MO SMS (SEND SHORT MESSAGE, PoR) from a TPDU (SMS-SUBMIT). Returns a CAT general result. */
uint8_t handset_sms_submit(struct handset *hs, const uint8_t *tpdu, size_t len, uint8_t *addl);
void handset_sms_expire(struct handset *hs);
/* MO USSD (SEND USSD) to the service that last sent one; the TERMINAL RESPONSE does not wait for the network's
 * answer (reply empty). Returns a CAT general result. */
uint8_t handset_ussd_submit(struct handset *hs, uint8_t dcs, const uint8_t *data, size_t len, uint8_t *addl,
			    char *reply, size_t reply_size);
int handset_inbox_load(struct handset *hs);

/* handset_smpp.c */
void handset_smpp_start(struct handset *hs);
void handset_smpp_stop(struct handset *hs);
/* Send an MO message as submit_sm. ussd_op -1 for SMS. Returns 0 or -1 with err. */
int handset_smpp_submit(struct handset *hs, const struct sms_addr *dst, uint8_t pid, uint8_t dcs, bool udhi,
			const uint8_t *ud, size_t len, int ussd_op, struct sg_error *err);

/* handset_sgs.c: the SGs bearer, an alternative to the SMPP link (attach by LOCATION UPDATE with the card's IMSI,
 * MT SMS by paging and DOWNLINK-UNITDATA, MO SMS by UPLINK-UNITDATA). */
void handset_sgs_start(struct handset *hs);
void handset_sgs_stop(struct handset *hs);
/* An MO SMS-SUBMIT over SGs (sent once no other SMS transaction is open). Returns a CAT general result. */
uint8_t handset_sgs_submit(struct handset *hs, const uint8_t *tpdu, size_t len, uint8_t *addl);
/* The data download's SMS-DELIVER-REPORT for the RP-ACK / RP-ERROR of the MT message being delivered. */
void handset_sgs_report(struct handset *hs, const uint8_t *report, size_t len, bool rp_error);
json_t *handset_sgs_json(const struct handset *hs);

/* handset_state.c */
void handset_changed(struct handset *hs);
void handset_event(struct handset *hs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
json_t *handset_state_json(const struct handset *hs);
int handset_state_write(struct handset *hs);
void handset_screen_draw(const struct handset *hs);
/* Log every APDU with the card (--trace), PINs and keys blanked. */
void handset_trace_on(struct handset *hs);

/* handset_userdata.c */
/* Ask the anti-theft applet for the user data key and open the sealed file. */
void handset_userdata_open(struct handset *hs);
void handset_userdata_close(struct handset *hs);
int handset_userdata_add(struct handset *hs, const char *kind, const char *a, const char *b, struct sg_error *err);

/* handset_call.c: place a call (emergency numbers bypass call control). 0, or -1 for a malformed number. */
int handset_dial(struct handset *hs, const char *number);

/* handset_vty.c */
int handset_vty_init(struct handset *hs);
void handset_cfg_default(struct handset_cfg *cfg);
