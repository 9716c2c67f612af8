/* The anti-theft applet (specs/antitheft-protocol.md): commands from the OTA server on TAR C1 00 01 (LOCK, DISABLE,
 * UNLOCK, WIPE, LOCATE, RING, MESSAGE, STATUS, OPT-OUT/IN, ENROL), enforcement while locked or disabled (lock
 * screen at every power-up, network authentication refused, call control and MO SMS control), handset change
 * detection and reports, and the handset's user data key. Its state lives in the card image. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/sg_error.h"
#include "simguard/sms_tpdu.h"
#include "uicc/ota_re.h"

struct uicc_card;
struct antitheft;

#define ANTITHEFT_KEY_LEN     32
#define ANTITHEFT_PROOF_LEN   16
#define ANTITHEFT_MSG_MAX     120 /* bytes of UTF-8 */
#define ANTITHEFT_NUMBER_MAX  21  /* optional '+' and up to 20 digits */
#define ANTITHEFT_EMERGENCY_MAX 16
#define ANTITHEFT_OUTBOX_MAX  4

/* ---- lifecycle (toolkit.c) ---- */
struct antitheft *antitheft_alloc(void *ctx, struct uicc_card *card, struct cat_engine *cat, struct ota_re *re);
/* Power-up / reset: volatile state (jobs waiting for terminal answers) is dropped. */
void antitheft_reset(struct antitheft *at);
/* After each TERMINAL PROFILE: lock screen when locked, IMEI check, pending reports. */
void antitheft_terminal_profile(struct antitheft *at);

/* ---- OTA (ota_re application "antitheft") ---- */
void antitheft_ota(struct uicc_card *card, const struct ota_msg *msg, struct ota_reply *reply);
/* CC + ciphering + counter at least "higher", and 3DES or AES keysets only. */
bool antitheft_policy(uint8_t spi1, uint8_t kic_alg, uint8_t kid_alg);

/* ---- terminal side ---- */
bool antitheft_network_allowed(const struct antitheft *at);
/* ENVELOPE(CALL CONTROL) D4 and ENVELOPE(MO SHORT MESSAGE CONTROL) D5: response data 01 00 (not allowed) or none
 * (allowed unchanged). */
uint16_t antitheft_call_control(struct antitheft *at, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len);
uint16_t antitheft_mo_sms_control(struct antitheft *at, const uint8_t *env, size_t len, uint8_t *rsp,
				  size_t *rsp_len);
/* ENVELOPE(EVENT DOWNLOAD) D6 */
uint16_t antitheft_event(struct antitheft *at, const uint8_t *env, size_t len);
/* ENVELOPE CF: the handset's user data key. */
uint16_t antitheft_user_key(struct antitheft *at, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len);

/* ---- configuration (card profile "apps": {"antitheft": {...}}) ---- */
struct antitheft_config {
	char lock_message[ANTITHEFT_MSG_MAX + 1];
	bool has_owner_key;
	uint8_t owner_key[ANTITHEFT_KEY_LEN];
	char owner_number[ANTITHEFT_NUMBER_MAX + 1];
	char emergency[ANTITHEFT_EMERGENCY_MAX][8];
	size_t n_emergency;
	bool has_report_address;
	struct sms_addr report_address;
	bool lock_refuses_network;
};
/* Defaults, then the settings of obj (may be NULL). Unknown fields and bad values are errors naming the field
 * ("apps.antitheft.owner_key: needs 32 bytes"); cfg then holds the defaults and the fields read before it. */
int antitheft_config_parse(const json_t *obj, struct antitheft_config *cfg, struct sg_error *err);

/* ---- persistent state (record "antitheft.state") ---- */
#define ANTITHEFT_LOCK_OWNER	0x01
#define ANTITHEFT_LOCK_OPERATOR 0x02

struct antitheft_outbox_entry {
	uint64_t id; /* the report counter it was secured with */
	uint8_t ud[SMS_UD_MAX];
	size_t ud_len;
};

struct antitheft_state {
	uint8_t lock; /* ANTITHEFT_LOCK_* */
	bool disabled;
	bool opted_out;
	bool has_owner_key;
	uint8_t owner_key[ANTITHEFT_KEY_LEN];
	bool has_data_key;
	bool key_destroyed;
	uint8_t data_key[ANTITHEFT_KEY_LEN];
	char message[ANTITHEFT_MSG_MAX + 1];
	char contact[ANTITHEFT_NUMBER_MAX + 1];
	char imei[16]; /* recorded handset, "" until the first one answered */
	bool has_server;
	struct sms_addr server; /* TP-OA of the last authentic command */
	uint8_t server_kvn;
	uint64_t report_cntr;
	struct antitheft_outbox_entry outbox[ANTITHEFT_OUTBOX_MAX];
	size_t n_outbox;
};

/* Encode / decode the record. decode: -1 with err for a damaged record. */
int antitheft_state_encode(const struct antitheft_state *s, uint8_t *out, size_t size, size_t *len);
int antitheft_state_decode(const uint8_t *buf, size_t len, struct antitheft_state *s, struct sg_error *err);

/* ---- shared by antitheft*.c (not for other modules) ---- */

/* A LOCATE waiting for the terminal's two PROVIDE LOCAL INFORMATION answers. */
struct antitheft_locate {
	bool active;
	struct ota_origin origin;
	unsigned int answers;
	bool has_location;
	uint8_t location[9];
	size_t location_len;
	uint8_t service; /* general result of the location request */
	char imei[16];
};

#define ANTITHEFT_LOCATE_JOBS 2

struct antitheft {
	struct uicc_card *card;
	struct cat_engine *cat;
	struct ota_re *re;
	struct antitheft_config cfg;
	struct antitheft_state st;
	struct antitheft_locate locate[ANTITHEFT_LOCATE_JOBS];
	uint64_t in_flight[ANTITHEFT_OUTBOX_MAX]; /* outbox entries handed to the terminal */
	size_t n_in_flight;
	bool watching_service; /* SET UP EVENT LIST (location status) in force */
};

/* The parameters of one command (specs/antitheft-protocol.md §2). */
struct antitheft_params {
	uint8_t origin; /* 1 owner, 2 operator */
	const char *message; /* NUL-terminated copy in buf, or NULL */
	const char *contact;
	const uint8_t *proof;
	bool has_duration;
	uint16_t duration;
	const uint8_t *key;
	bool has_tone;
	uint8_t tone;
	char buf[ANTITHEFT_MSG_MAX + 1 + ANTITHEFT_NUMBER_MAX + 1];
};

#define ANTITHEFT_ORIGIN_OWNER	  1
#define ANTITHEFT_ORIGIN_OPERATOR 2

/* One command being executed. */
struct antitheft_cmd {
	struct antitheft *at;
	const struct ota_msg *msg;
	char verb[5];
	const uint8_t *request_id; /* 4 bytes */
	struct antitheft_params p;
};

/* Result code and TLVs into the reply. antitheft_result() returns 0, so a command can end with
 * `return antitheft_result(r, "OK");`. */
int antitheft_result(struct ota_reply *reply, const char code[2]);
void antitheft_result_tlv(struct ota_reply *reply, uint8_t tag, const void *val, size_t len);

/* State: load at start, commit after each change (joins an open card-image transaction). */
int antitheft_state_load(struct antitheft *at, struct sg_error *err);
int antitheft_commit(struct antitheft *at);
bool antitheft_locked(const struct antitheft *at);
uint8_t antitheft_state_code(const struct antitheft *at);
uint8_t antitheft_flags(const struct antitheft *at);

/* Command parameters; -1 with err naming the problem. */
int antitheft_params_parse(const uint8_t *buf, size_t len, struct antitheft_params *p, struct sg_error *err);
/* Owner proof of a command (constant-time); false when no key is enrolled or no proof was sent. */
bool antitheft_proof_ok(const struct antitheft_cmd *c);

/* Commands (antitheft_cmds.c, antitheft_locate.c, antitheft_wipe.c); they return 0. */
int antitheft_cmd_lock(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_disable(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_unlock(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_wipe(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_locate(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_ring(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_message(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_status(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_opt_out(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_opt_in(struct antitheft_cmd *c, struct ota_reply *r);
int antitheft_cmd_enrol(struct antitheft_cmd *c, struct ota_reply *r);

/* Enforcement (antitheft_enforce.c): the lock screen now (DISPLAY TEXT + SET UP IDLE MODE TEXT); its removal. */
void antitheft_show_lock(struct antitheft *at);
void antitheft_clear_idle_text(struct antitheft *at);
/* DISPLAY TEXT (high priority, wait for the user) and SET UP IDLE MODE TEXT with text; false when the terminal
 * supports neither. */
bool antitheft_show_text(struct antitheft *at, const char *text);

/* Handset change and reports (antitheft_report.c) */
void antitheft_check_imei(struct antitheft *at);
void antitheft_flush_outbox(struct antitheft *at);
/* Lock screen text: 1..ANTITHEFT_MSG_MAX bytes, no control characters but line feed. */
int antitheft_text_ok(const char *s, size_t len);
/* Optional '+' and 3..20 digits. */
int antitheft_number_ok(const char *s);
/* A number as an SMS address ('+' -> international, else unknown; E.164 plan). */
void antitheft_number_to_addr(const char *s, struct sms_addr *a);
void antitheft_tr_imei(const struct cat_answer *ans, char out[16]);
