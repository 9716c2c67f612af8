/* The card's OTA receiving entity (3GPP TS 31.115 / ETSI TS 102 225, specs/ota-receiving-entity.md): takes the
 * ENVELOPEs of SMS-PP DATA DOWNLOAD (D1) and USSD DATA DOWNLOAD (D9), reassembles concatenated command packets,
 * checks each packet against its TAR's minimum security level and keyset (checksum, deciphering, counter rule),
 * commits the new counter, hands the command to the application registered for the TAR and answers with the
 * Proof of Receipt where the SPI asks for it: in the ENVELOPE response data, or by SEND SHORT MESSAGE / SEND USSD.
 * Security failures never get a PoR made with the card's keys. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <time.h>

#include "simguard/secured_packet.h"
#include "simguard/sms_tpdu.h"
#include "uicc/cat_engine.h"

struct uicc_card;
struct uicc_profile_tar;
struct cat_engine;
struct ota_re;

/* Largest application answer a PoR carries (what fits one ENVELOPE response or a few concatenated SMS). */
#define OTA_REPLY_MAX 256

/* Where a (possibly later) PoR for one authentic command goes. Applications copy it to answer later. */
struct ota_origin {
	struct sp_cmd_hdr hdr; /* the command's header: TAR, counter and SPI the PoR follows */
	uint8_t kvn;	       /* keyset the command used (0: none) */
	enum sp_dialect dialect;
	bool has_oa; /* SMS: the TP-OA the command came from (PoR by SEND SHORT MESSAGE goes there) */
	struct sms_addr oa;
};

/* An authentic, fresh command for an application. */
struct ota_msg {
	const struct uicc_profile_tar *tar;
	struct ota_origin origin;
	const uint8_t *data;
	size_t len;
};

/* What the application answers. status is the PoR status (00 when the application ran); data its response data.
 * deferred: the application will send the real PoR later with ota_re_send_por(); the receiving entity answers
 * now with status 0B (SMS) / 0C (USSD). */
struct ota_reply {
	uint8_t status;
	uint8_t data[OTA_REPLY_MAX];
	size_t len;
	bool deferred;
};

/* Applications by TAR table name (struct uicc_profile_tar.app). */
typedef void (*ota_app_fn)(struct uicc_card *card, const struct ota_msg *msg, struct ota_reply *reply);

/* Minimum security an application insists on beyond its TAR's MSL (e.g. the anti-theft applet: CC + ciphering +
 * counter, no single DES). Returns true when the packet's SPI and keyset are acceptable to it. */
typedef bool (*ota_policy_fn)(uint8_t spi1, uint8_t kic_alg, uint8_t kid_alg);

struct ota_app {
	const char *name;
	ota_app_fn handle;
	ota_policy_fn policy; /* NULL: the TAR's MSL alone decides */
};

struct ota_re *ota_re_alloc(void *ctx, struct uicc_card *card, struct cat_engine *cat, const struct ota_app *apps,
			    size_t n_apps);
/* Power-up / reset: partly received concatenated packets are dropped. */
void ota_re_reset(struct ota_re *re);

/* ENVELOPE(SMS-PP DATA DOWNLOAD), the whole D1 template; rsp gets the ENVELOPE response data (the PoR starting
 * 02 71 00) with *rsp_len = room on input. Returns the status word: 9000 (with or without data), 9300 when the
 * toolkit cannot take the command now (the network retries; nothing was consumed), 6A80 for an envelope that is
 * not a well-formed SMS-PP download, 6F00 when the card image cannot be written. */
uint16_t ota_re_sms_pp(struct ota_re *re, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len);
/* ENVELOPE(USSD DATA DOWNLOAD), the whole D9 template; same answers, the PoR in the USSD dialect. */
uint16_t ota_re_ussd(struct ota_re *re, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len);

/* Send the PoR of an earlier command (deferred reply): secured as its SPI asks, by SEND SHORT MESSAGE to its
 * TP-OA (SMS) or SEND USSD (USSD). Returns 0, or -1 when the terminal cannot carry it or the queue is full. */
int ota_re_send_por(struct ota_re *re, const struct ota_origin *o, uint8_t status, const uint8_t *data, size_t len);

/* Build an SMS-SUBMIT (PID 7F, DCS F6, UDHI) to da with one TP-UD and queue it as SEND SHORT MESSAGE. prio, cb and
 * arg as for cat_engine_queue(). Returns 0 or -1. */
int ota_re_queue_sms(struct ota_re *re, const struct sms_addr *da, const uint8_t *ud, size_t ud_len,
		     enum cat_prio prio, cat_answer_cb cb, void *arg);

/* The OTA counter the card holds for a keyset and TAR (from the card image, else the profile's initial value). */
uint64_t ota_re_counter(struct uicc_card *card, uint8_t kvn, const uint8_t tar[3]);

/* ---- card-side reassembly of concatenated command packets (concat.c) ----
 * Bounded: at most OTA_CONCAT_GROUPS packets in progress, each at most SP_MAX_PACKET bytes, a group that has not
 * completed OTA_CONCAT_TIMEOUT seconds after its first part is dropped. Parts may come in any order; duplicates
 * are ignored. Only the first part (sequence 1) carries the CPI. */
#define OTA_CONCAT_GROUPS  4
#define OTA_CONCAT_TIMEOUT 120

struct ota_concat;
struct ota_concat *ota_concat_alloc(void *ctx);
/* Drop every group in progress. */
void ota_concat_reset(struct ota_concat *c);
/* Add one part of an SMS-DELIVER with its parsed UDH (which must have the concatenation IE). On
 * SMS_REASM_COMPLETE, *msg (talloc child of ctx_out) is the reassembled user data after the headers and *cpi says
 * whether the first part marked it as a command packet. now is the card's time in seconds. */
enum sms_reasm_result ota_concat_add(struct ota_concat *c, const struct sms_deliver *d, const struct sms_udh *h,
				     time_t now, void *ctx_out, uint8_t **msg, size_t *len, bool *cpi,
				     struct sg_error *err);
unsigned int ota_concat_pending(const struct ota_concat *c);

/* ---- shared by ota_re*.c (not for applications) ---- */

/* Outcome of checking a command packet: the status code to report (00 accepted), and for an accepted packet the
 * application, the keys (cleanse with sp_keys_cleanse) and the verified command (data points into plain). */
struct ota_check {
	uint8_t status;
	bool have_hdr; /* the clear header could be read (cmd.hdr holds it, counter zeroed on refusal) */
	const struct uicc_profile_tar *tar;
	const struct ota_app *app;
	uint8_t kvn;
	struct sp_keys keys;
	struct sp_command cmd;
};

/* Everything between a packet and its application: peek, TAR, MSL, keyset and application policy, checksum and
 * deciphering, counter rule, and on success the new counter committed. Returns 0 with c->status saying whether the
 * packet passed, -1 when the card image could not be written (the card stops). plain must hold len bytes. */
int ota_re_check(struct uicc_card *card, const struct ota_app *apps, size_t n_apps, const uint8_t *pkt, size_t len,
		 enum sp_dialect dialect, struct ota_check *c, uint8_t *plain, size_t plain_size);
/* Keys of a keyset, for the PoR of a deferred reply. Returns 0 or -1 when the profile has no such keyset. */
int ota_re_keys(struct uicc_card *card, uint8_t kvn, struct sp_keys *keys);

/* PoR delivery: the answer to an accepted command (reply) or to a security failure (status, unsecured), as the SPI
 * and the card profile say. Writes the ENVELOPE response data into rsp (*rsp_len room in, length out) and queues
 * SEND SHORT MESSAGE / SEND USSD where needed. */
void ota_por_answer(struct ota_re *re, const struct ota_origin *o, const struct sp_keys *keys,
		    const struct ota_reply *reply, uint8_t *rsp, size_t *rsp_len);
void ota_por_security_failure(struct uicc_card *card, const struct ota_origin *o, bool have_hdr, uint8_t status,
			      uint8_t *rsp, size_t *rsp_len);
struct cat_engine *ota_re_cat(const struct ota_re *re);
struct uicc_card *ota_re_card(const struct ota_re *re);
/* Next concatenation reference for a PoR cut into several SMS-SUBMITs. */
uint8_t ota_re_next_ref(struct ota_re *re);
/* Store a new counter value durably (before the command runs). 0, or -1 with err when the card image failed. */
int ota_re_counter_commit(struct uicc_card *card, uint8_t kvn, const uint8_t tar[3], uint64_t value,
			  struct sg_error *err);
