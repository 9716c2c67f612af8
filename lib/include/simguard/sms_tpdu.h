/* SMS transfer-layer PDUs of 3GPP TS 23.040 as OTA needs them: SMS-DELIVER (network -> handset -> UICC),
 * SMS-SUBMIT (PoR sent by the UICC), SMS-DELIVER-REPORT (PoR in the RP-ACK / RP-ERROR), address fields, TP-SCTS,
 * user data headers (CPI 0x70, RPI 0x71, concatenation 0x00 / 0x08), the one-time split of a long OTA packet into
 * concatenated parts, and a bounded reassembly state machine for received parts.
 * Address and SCTS encoding go through libosmocore (gsm340_gen_oa, gsm340_gen_scts). No I/O, no clock: callers
 * pass the time in. Every decoder checks each length against the bytes actually present. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "simguard/sg_error.h"

#define SMS_UD_MAX 140		/* octets of TP-UD in one SMS */
#define SMS_ADDR_MAX_DIGITS 20	/* 10 octets of semi-octets */
#define SMS_TPDU_MAX 176	/* SMS-SUBMIT with 12-byte DA, 7-byte VP and 140 UD octets: 1+1+12+1+1+7+1+140 = 164 */

#define SMS_PID_SIM_DATA_DOWNLOAD 0x7F
#define SMS_DCS_8BIT_CLASS2 0xF6

/* Information element identifiers of the user data header (TS 23.040 9.2.3.24) */
#define SMS_IEI_CONCAT8 0x00
#define SMS_IEI_CONCAT16 0x08
#define SMS_IEI_CPI 0x70 /* command packet identifier, TS 31.115 */
#define SMS_IEI_RPI 0x71 /* response packet identifier */

/* TP-FCS values for the SMS-DELIVER-REPORT in an RP-ERROR */
#define SMS_FCS_SIM_BUSY 0xD4
#define SMS_FCS_DATA_DOWNLOAD_ERROR 0xD5
#define SMS_FCS_UNSPECIFIED 0xFF

/* An address field (TP-OA, TP-DA). For TON 5 (alphanumeric) digits holds the text (GSM 7-bit on the air). */
struct sms_addr {
	uint8_t ton; /* 0..7 */
	uint8_t npi; /* 0..15 */
	char digits[SMS_ADDR_MAX_DIGITS + 1]; /* "0-9*#abc" semi-octets, or text for TON 5 */
};

/* TP-User-Data as coded. udl is TP-UDL as on the air: octets for 8-bit / UCS2 DCS, septets for 7-bit DCS. */
struct sms_ud {
	uint8_t udl;
	uint8_t ud[SMS_UD_MAX];
	size_t ud_len; /* octets in ud */
};

struct sms_deliver {
	bool more_msgs; /* TP-MMS = 0 on the air ("more messages waiting"); false -> bit set */
	bool loop_prevention;
	bool status_report; /* TP-SRI */
	bool reply_path;
	bool udhi;
	struct sms_addr oa;
	uint8_t pid;
	uint8_t dcs;
	uint8_t scts[7];
	struct sms_ud ud;
};

/* TP-VPF values (first octet b4b3) */
enum sms_vpf {
	SMS_VPF_NONE = 0,
	SMS_VPF_ENHANCED = 1,
	SMS_VPF_RELATIVE = 2,
	SMS_VPF_ABSOLUTE = 3,
};

struct sms_submit {
	bool reject_duplicates;
	enum sms_vpf vpf;
	bool status_report_req; /* TP-SRR */
	bool reply_path;
	bool udhi;
	uint8_t mr;
	struct sms_addr da;
	uint8_t pid;
	uint8_t dcs;
	uint8_t vp[7]; /* 0, 1 or 7 bytes used per vpf */
	struct sms_ud ud;
};

/* SMS-DELIVER-REPORT for RP-ACK (is_error false) or RP-ERROR (TP-FCS present). Optional parts by has_*. */
struct sms_deliver_report {
	bool is_error;
	uint8_t fcs;
	bool udhi;
	bool has_pid, has_dcs, has_ud;
	uint8_t pid;
	uint8_t dcs;
	struct sms_ud ud;
};

/* ---- addresses and time stamps ---- */
/* Encode an address field into out (>= 12 bytes). Returns bytes written or -1 with err naming 'what'. */
int sms_addr_encode(const struct sms_addr *a, uint8_t *out, size_t out_size, const char *what, struct sg_error *err);
/* Decode the address field at buf; returns bytes consumed or -1 with err (length beyond the buffer, > 20 digits). */
int sms_addr_decode(const uint8_t *buf, size_t len, struct sms_addr *a, const char *what, struct sg_error *err);
/* TP-SCTS for a UTC time (time zone 0), via libosmocore. */
void sms_scts_from_time(time_t t, uint8_t scts[7]);
/* Decode TP-SCTS to a UTC time_t (the time zone offset is applied). -1 with err for non-BCD digits. */
int sms_scts_to_time(const uint8_t scts[7], time_t *t, struct sg_error *err);

/* ---- user data ---- */
/* Octets of TP-UD needed for udl given the DCS (septets packed for 7-bit). -1 for a reserved alphabet. */
int sms_ud_octets(uint8_t dcs, uint8_t udl);
/* True when the DCS codes 8-bit data (so UDL counts octets). */
bool sms_dcs_is_8bit(uint8_t dcs);
/* True for the class-2 8-bit DCS a UICC data download needs (F6, 16 and the other 8-bit class-2 codings). */
bool sms_dcs_is_class2_8bit(uint8_t dcs);
/* Fill ud with 8-bit user data (UDL = len). -1 if len > 140. */
int sms_ud_set_octets(struct sms_ud *ud, const uint8_t *data, size_t len, struct sg_error *err);

/* ---- TPDUs ---- */
int sms_deliver_encode(const struct sms_deliver *d, uint8_t *out, size_t out_size, size_t *out_len,
		       struct sg_error *err);
int sms_deliver_decode(const uint8_t *buf, size_t len, struct sms_deliver *d, struct sg_error *err);
int sms_submit_encode(const struct sms_submit *s, uint8_t *out, size_t out_size, size_t *out_len,
		      struct sg_error *err);
int sms_submit_decode(const uint8_t *buf, size_t len, struct sms_submit *s, struct sg_error *err);
int sms_deliver_report_encode(const struct sms_deliver_report *r, uint8_t *out, size_t out_size, size_t *out_len,
			      struct sg_error *err);
/* is_error tells whether the report came in an RP-ERROR (then TP-FCS follows the first octet). */
int sms_deliver_report_decode(const uint8_t *buf, size_t len, bool is_error, struct sms_deliver_report *r,
			      struct sg_error *err);

/* Build the SMS-DELIVER an OTA command travels in: PID 7F, DCS F6, UDHI, TP-MMS "no more", ud = TP-UD
 * (UDH included, e.g. 02 70 00 || packet, as sms_ota_split produces it). */
int sms_ota_deliver_build(const struct sms_addr *oa, const uint8_t scts[7], const uint8_t *ud, size_t ud_len,
			  uint8_t *out, size_t out_size, size_t *out_len, struct sg_error *err);

/* ---- user data header ---- */
#define SMS_UDH_MAX_IES 32

struct sms_udh_ie {
	uint8_t iei;
	uint8_t len;
	const uint8_t *val; /* points into the parsed buffer */
};

struct sms_udh {
	size_t udh_len; /* UDHL + 1: octets of TP-UD taken by the header */
	unsigned int n_ies;
	struct sms_udh_ie ies[SMS_UDH_MAX_IES];
	bool has_concat;
	bool concat16;	   /* IEI 08 rather than 00 */
	uint16_t concat_ref;
	uint8_t concat_total;
	uint8_t concat_seq;
	bool cpi; /* IEI 70 present */
	bool rpi; /* IEI 71 present */
};

/* Parse the header at the start of TP-UD (ud_len octets). Rejects a UDHL past the data, an IE running past the
 * UDHL, concatenation IEs of the wrong length, total 0, sequence 0 or above total, and two concatenation IEs.
 * The payload after the header is ud + h->udh_len. */
int sms_udh_parse(const uint8_t *ud, size_t ud_len, struct sms_udh *h, struct sg_error *err);

/* ---- OTA concatenation (split exactly once, by the sender) ---- */
#define SMS_CONCAT_MAX_PARTS 255

struct sms_ota_part {
	uint8_t ud[SMS_UD_MAX]; /* complete TP-UD: UDH || payload piece */
	size_t len;
};

/* Cut a secured packet (starting at CPL / RPL) into TP-UDs. iei is SMS_IEI_CPI or SMS_IEI_RPI. A packet that fits
 * one SMS (<= 137 bytes) gives one part "02 iei 00 || packet" and no concatenation IE. A longer one gives parts
 * with the concatenation IE (8-bit ref, or 16-bit when concat16) in every part and iei only in the first
 * (first part 132 / 131 payload bytes, then 134 / 133). Returns the number of parts (>= 1) or -1 with err
 * (packet empty, or more parts than max_parts). */
int sms_ota_split(const uint8_t *pkt, size_t len, uint8_t iei, bool concat16, uint16_t ref, struct sms_ota_part *parts,
		  size_t max_parts, struct sg_error *err);

/* ---- bounded reassembly of concatenated parts ---- */
/* Limits: at most max_groups messages in progress, each at most max_bytes reassembled; a group that has not
 * completed within timeout seconds of its first part is dropped by sms_reasm_expire(). */
struct sms_reasm_cfg {
	unsigned int max_groups;
	size_t max_bytes;
	unsigned int timeout;
};

enum sms_reasm_result {
	SMS_REASM_ERROR = -1,	  /* invalid part (err says why); nothing stored */
	SMS_REASM_PENDING = 0,	  /* stored, waiting for more parts */
	SMS_REASM_COMPLETE = 1,	  /* all parts present: *out holds the payloads concatenated in sequence order */
	SMS_REASM_DUPLICATE = 2,  /* this part was already stored; ignored */
	SMS_REASM_FULL = 3,	  /* no room for a new group (max_groups) or too many bytes; nothing stored */
};

struct sms_reasm;

/* Allocate a reassembler (talloc child of ctx). */
struct sms_reasm *sms_reasm_alloc(void *ctx, const struct sms_reasm_cfg *cfg);
void sms_reasm_free(struct sms_reasm *r);

/* Add one part. originator identifies the sender (its address); ref/total/seq come from the concatenation IE;
 * is16 distinguishes the 8-bit and 16-bit reference spaces. payload is the part's TP-UD after the concatenation IE
 * has been taken out: for the first part, the caller decides which other IEs to keep (see sms_ota_part_payload).
 * On COMPLETE, *out (talloc child of ctx_out) holds the whole message and *out_len its length, and the group is
 * released. Parts whose total differs from the group's first part are errors. */
enum sms_reasm_result sms_reasm_add(struct sms_reasm *r, const char *originator, bool is16, uint16_t ref,
				    uint8_t total, uint8_t seq, const uint8_t *payload, size_t len, time_t now,
				    void *ctx_out, uint8_t **out, size_t *out_len, struct sg_error *err);

/* Drop groups older than the timeout. Returns the number dropped. */
unsigned int sms_reasm_expire(struct sms_reasm *r, time_t now);
/* Groups in progress. */
unsigned int sms_reasm_pending(const struct sms_reasm *r);
