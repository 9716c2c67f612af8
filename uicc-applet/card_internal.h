/* Internals of the card core shared by card*.c, apdu_dispatch*.c, pin*.c and auth*.c (not public API). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/apdu.h"
#include "uicc/card.h"
#include "uicc/fs.h"

#define PIN_LEN	      8
#define SQN_SLOTS_MAX 1024 /* 2^10: the largest IND length a profile may ask for */

/* Persistent PIN state ("pin" record). */
struct pin_state {
	uint8_t pin1[PIN_LEN]; /* ASCII digits padded with FF */
	uint8_t puk1[PIN_LEN];
	uint8_t pin1_left, puk1_left, adm1_left;
	bool pin1_enabled;
};

/* Persistent USIM sequence number state ("usim.sqn" record): the highest SQN accepted per IND slot. */
struct sqn_state {
	unsigned int slots;
	uint64_t seq[SQN_SLOTS_MAX]; /* full 48-bit SQN last accepted in each slot */
	uint64_t highest;	     /* highest SQN accepted in any slot */
};

/* Selection state of one session: the terminal's basic channel, or a remote (RFM) session. */
struct uicc_chan {
	struct uicc_card *card;
	struct uicc_file *cur_df;
	struct uicc_file *cur_ef;
	struct uicc_file *cur_adf; /* active application, NULL until selected */
	unsigned int cur_rec;	   /* record pointer of cur_ef, 0 = none */
	bool remote;		   /* OTA remote session: ADM rights, file and PIN commands only */
};

struct uicc_session {
	struct uicc_chan chan;
};

/* One response being built by a command handler. */
struct apdu_rsp {
	uint8_t data[256];
	size_t len;
	uint16_t sw;
	bool via_get_response; /* case 4 (T=0): data is announced with 61xx and fetched by GET RESPONSE */
	bool secret;	       /* data carries key material (CK, IK, Kc): traces must not show it */
};

struct uicc_card {
	struct uicc_profile *profile;
	struct uicc_store *store;
	struct uicc_fs *fs;
	bool powered;
	struct uicc_chan chan;

	/* volatile security state */
	bool pin1_verified;
	bool adm1_verified;

	struct pin_state pin;
	struct sqn_state *sqn;

	/* T=0 response data waiting for GET RESPONSE */
	uint8_t pending[256];
	size_t pending_len;
	uint16_t pending_sw;
	bool pending_secret;
	bool has_pending;
	bool last_rsp_secret;

	void *toolkit;
};

/* Dispatch groups (apdu_dispatch_*.c). Each returns true when it handled the INS. */
bool dispatch_file_cmd(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r);
bool dispatch_cat_cmd(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r);
/* Le rules for data a case-2 command returns: Le 00 takes everything, otherwise Le must match (6Cxx). */
void rsp_deliver(const struct apdu *a, struct apdu_rsp *r);

/* Access check for the session (PIN / ADM state or remote rights); returns 9000 or 6982. */
uint16_t card_check_access(const struct uicc_chan *ch, enum uicc_acc acc);

/* PIN commands and state (pin*.c) */
int pin_init(struct uicc_card *card, struct sg_error *err);
bool dispatch_pin_cmd(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r);

/* AUTHENTICATE (auth*.c) */
int auth_init(struct uicc_card *card, struct sg_error *err);
void auth_handle(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r);
/* Card-side Milenage check of RAND/AUTN against the SQN state. Returns 0 success (res/ck/ik/kc filled, new state in
 * *sqn), 1 sync failure (auts filled), -1 MAC failure. */
int auth_milenage_check(const uint8_t *k, const uint8_t *opc, struct sqn_state *sqn, unsigned int ind_bits,
			const uint8_t rand[16], const uint8_t autn[16], uint8_t res[8], uint8_t ck[16], uint8_t ik[16],
			uint8_t kc[8], uint8_t auts[14]);

/* Session handling shared by the terminal channel and remote sessions */
void chan_reset(struct uicc_chan *ch, struct uicc_card *card, bool remote);
int chan_apdu(struct uicc_chan *ch, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len);
