/* handset-farm: many simulated handsets behind one SMPP bind, for load tests of the whole OTA chain. Every handset
 * has its own simulated UICC (uicc-applet, in memory), made lazily from one card profile with its own ICCID, IMSI
 * and MSISDN (consecutive numbers from the first ones given); keys and everything else come from the profile.
 *   handset_farm.c       the handsets: identities, cards made on first use, power-up, SMS-PP data download
 *   handset_farm_csv.c   the ota-server card import CSV for the range (keys taken from the profile)
 *   handset_farm_link.c  the SMPP link: one bind to sms-gateway's lab route for the whole range (system_type
 *                        "range", system_id = the numbers' common prefix), deliver_sm in, PoRs out as submit_sm
 * The ME side (proactive commands, data download, PoR) is the pcsc-tools library handset-sim uses. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pcsct/card_access.h"
#include "pcsct/me.h"
#include "simguard/sg_error.h"

struct smpp_sm;
struct smpp_client;
struct uicc_profile;

#define FARM_MAX_HANDSETS 1000000

struct farm_cfg {
	char profile[256];	/* card profile (JSON) every card is made from */
	char msisdn_first[16];	/* digits; handset i has msisdn_first + i (same number of digits) */
	char iccid_first[21];	/* with its Luhn digit; handset i: the digits before it + i, Luhn digit recomputed
				 * ("": the profile's) */
	char imsi_first[16];	/* handset i: imsi_first + i ("": the profile's) */
	unsigned long count;	/* handsets in the range */
	char pin[9];		/* PIN1 verified at power-up ("" : none) */
	struct pcsct_me_cfg me; /* the terminal every handset is (IMEI, location, profile) */
	char smpp_host[64];
	uint16_t smpp_port;
	char smpp_password[9];
	char range[16]; /* system_id of the bind; default: the common prefix of the first and last MSISDN */
};

struct farm_identity {
	char iccid[21];
	char imsi[16];
	char msisdn[16];
};

struct farm;

/* One handset: its card and its terminal state. */
struct farm_handset {
	struct farm *farm;
	unsigned long index;
	struct farm_identity id;
	struct pcsct_card *card;
	struct pcsct_me me;
	bool failed; /* the card stopped answering or refused power-up: messages to it are refused */
};

struct farm_stats {
	unsigned long mt;	 /* deliver_sm taken */
	unsigned long refused;	 /* deliver_sm refused (not ours, undecodable, card failed) */
	unsigned long downloads; /* ENVELOPE(SMS-PP DATA DOWNLOAD) sent */
	unsigned long mo;	 /* MO submit_sm sent (PoRs, SEND SHORT MESSAGE) */
	unsigned long mo_failed; /* MO that could not be sent, or refused by the gateway */
	unsigned long cards;	 /* cards made so far */
	unsigned long proactive; /* proactive commands served */
	unsigned long ordinary;	 /* ordinary SMS (not data download): acknowledged, not kept */
};

struct farm {
	void *ctx;
	struct farm_cfg cfg;
	/* the profile, parsed once: every card gets a copy of it with its own identities (farm_init to farm_free) */
	const struct uicc_profile *profile;
	struct farm_handset **hs; /* cfg.count slots, NULL until a message comes */
	struct smpp_client *link; /* NULL while not bound */
	struct farm_stats st;
	bool verbose;
	volatile int *stats_req; /* set (by a signal): print the counters and clear it */
};

/* Read the profile (once), take the first ICCID and IMSI from it where cfg has none, and check the configuration
 * (identities fit their digits). -1 with err. */
int farm_init(struct farm *f, void *ctx, const struct farm_cfg *cfg, struct sg_error *err);
void farm_free(struct farm *f);
/* Identities of handset i. -1 with err when a number would need more digits. */
int farm_identity(const struct farm_cfg *cfg, unsigned long i, struct farm_identity *id, struct sg_error *err);
/* The index of msisdn in the range, or -1. */
long farm_index(const struct farm *f, const char *msisdn);
/* Handset i, its card made and powered up on first use. NULL with err. */
struct farm_handset *farm_handset(struct farm *f, unsigned long i, struct sg_error *err);
/* A deliver_sm for one of the handsets: returns the command_status for the deliver_sm_resp. */
uint32_t farm_deliver(struct farm *f, const struct smpp_sm *sm);
/* Send an MO message, from the handset sm's source names (handset_farm_link.c). -1 with err. */
int farm_send_mo(struct farm *f, const struct smpp_sm *sm, struct sg_error *err);

/* handset_farm_csv.c: the card import CSV of ota-server for the range: ICCID, IMSI, MSISDN, every keyset of the
 * profile (KIC<n>, KID<n>, ALGO<n>), SPI, KVN. -1 with err. */
int farm_cards_csv(const struct farm *f, FILE *out, const char *spi, int kvn, struct sg_error *err);

/* handset_farm_link.c: connect and bind for the range. 0, or -1 with err (f->link stays NULL). */
int farm_link_up(struct farm *f, int timeout_ms, struct sg_error *err);
/* Serve the link until *stop is set or it drops: 0 when stopped (unbound), -1 with err when the link broke. */
int farm_link_serve(struct farm *f, volatile int *stop, struct sg_error *err);
void farm_link_down(struct farm *f);
/* Print the counters as one JSON object line. */
void farm_stats_print(const struct farm *f, FILE *out);
