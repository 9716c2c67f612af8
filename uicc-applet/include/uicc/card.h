/* A simulated UICC: profile + persistent card image + volatile session state, driven by command APDUs.
 * This is the card engine library; uicc-sim puts it behind vpcd, and other programs can link it in-process.
 *
 * uicc_card_apdu() is the single entry point for the terminal: it takes one command APDU exactly as a PC/SC
 * client sends it (header, Lc/data, Le) and produces response data + SW1 SW2, with T=0 style 61xx / GET RESPONSE
 * and 91xx for pending proactive commands handled by the card. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

struct uicc_card;
struct uicc_profile;
struct uicc_fs;
struct uicc_store;
struct log_info;

/* Largest response uicc_card_apdu() produces: 256 data bytes + SW1 SW2. */
#define UICC_RSP_MAX 258

/* Osmocom logging categories of the card library (uicc_log_info). DCAT/DOTA/DAPPLET are for the toolkit side. */
enum uicc_log_cat {
	DUICC,	 /* card core: power, files, PIN, authentication */
	DAPDU,	 /* APDU trace (debug) */
	DSTORE,	 /* card image */
	DVPCD,	 /* vpcd link */
	DCAT,	 /* CAT engine */
	DOTA,	 /* OTA receiving entity */
	DAPPLET, /* anti-theft applet */
	DRFM,	 /* remote file management */
};
extern const struct log_info uicc_log_info;
/* Initialise Osmocom logging with uicc_log_info if the program has not initialised logging (no targets are
 * added, so a library user sees nothing unless it asks). */
void uicc_log_init(void *ctx);

/* Create a card from a profile and a card image path (NULL: in-memory image, nothing persists). The card takes
 * the profile (talloc_steal). A new image is initialised from the profile and committed; an existing image must
 * belong to the same ICCID. The card starts powered off. Returns NULL with err. */
struct uicc_card *uicc_card_create(void *ctx, struct uicc_profile *profile, const char *image_path,
				   struct sg_error *err);
/* Same, loading the profile from a file. */
struct uicc_card *uicc_card_open(void *ctx, const char *profile_path, const char *image_path, struct sg_error *err);
void uicc_card_free(struct uicc_card *card);

/* Power and reset: each of these clears the volatile state (selected files, PIN verification, pending response
 * data, toolkit session); persistent state stays. Power-on and reset call uicc_toolkit_reset(). */
void uicc_card_power_on(struct uicc_card *card);
void uicc_card_power_off(struct uicc_card *card);
void uicc_card_reset(struct uicc_card *card);
bool uicc_card_powered(const struct uicc_card *card);
/* Answer To Reset (from the profile, or the default one: T=0, UICC class A/B/C). */
const uint8_t *uicc_card_atr(const struct uicc_card *card, size_t *len);

/* Process one command APDU. rsp has *rsp_len bytes of room (at least 2; UICC_RSP_MAX always suffices); on return
 * *rsp_len is the response length (data then SW1 SW2). Returns the status word, or -1 when the card is not powered
 * or rsp is too small (nothing written). Never fails otherwise: any input gets a status word. After a store failure
 * (power cut) every command answers 6F00 until the card is recreated. */
int uicc_card_apdu(struct uicc_card *card, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len);

/* One APDU exchange as tracers record it (GSMTAP SIM, logs): the command followed by the response (data, SW1 SW2),
 * with secrets blanked with FF: PIN/PUK/ADM values in VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK, and the key material
 * (CK, IK, Kc) of an AUTHENTICATE answer. Call it right after uicc_card_apdu() for that exchange. Returns the
 * length written to out (truncated to size). */
size_t uicc_card_trace_redact(const struct uicc_card *card, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp,
			      size_t rsp_len, uint8_t *out, size_t size);

/* ---- for the toolkit side ---- */
const struct uicc_profile *uicc_card_profile(const struct uicc_card *card);
struct uicc_fs *uicc_card_fs(struct uicc_card *card);
struct uicc_store *uicc_card_store(struct uicc_card *card);
/* talloc context owned by the card (freed with it) */
void *uicc_card_ctx(struct uicc_card *card);
/* One pointer for the toolkit side's per-card state (allocate it under uicc_card_ctx()). NULL until set. */
void *uicc_card_toolkit_data(const struct uicc_card *card);
void uicc_card_set_toolkit_data(struct uicc_card *card, void *data);
/* AUTHENTICATE while uicc_toolkit_network_auth_allowed() is false is answered 6985 (conditions of use not
 * satisfied): the handset sees an authentication refusal, not a PIN problem (6982 would make it prompt for PIN).
 * True when PIN1 is verified in this session or disabled. */
bool uicc_card_pin1_ok(const struct uicc_card *card);

/* Remote sessions (TS 102 226 remote APDUs for RFM): an independent selection state starting at the MF, with
 * ADM rights on files; file and PIN commands only (SELECT, STATUS, READ/UPDATE BINARY/RECORD, SEARCH RECORD,
 * INCREASE, VERIFY/CHANGE/DISABLE/ENABLE/UNBLOCK PIN, DEACTIVATE/ACTIVATE FILE, GET RESPONSE); others get 6D00.
 * Responses are never split into 61xx: data comes back directly with the SW. */
struct uicc_session;
struct uicc_session *uicc_card_remote_session(struct uicc_card *card);
int uicc_session_apdu(struct uicc_session *s, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len);
void uicc_session_free(struct uicc_session *s);
