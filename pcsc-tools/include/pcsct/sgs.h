/* The SGs interface as handset-sim plays it: the MME side of SGsAP (3GPP TS 29.118) towards an MSC/VLR, carried
 * over a byte stream (osmo-msc's SCTP socket seen through a TCP shim, so there is no message framing), and the
 * short message layers of the UE inside its NAS containers (CP and RP of TS 24.011). Pure codec, no I/O: bytes
 * from the MSC are outside input and every length is checked here. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <osmocom/core/msgb.h>
#include <osmocom/gsm/tlv.h>

#include "simguard/sg_error.h"

#define SGS_MME_NAME_MAX 55 /* TS 29.118 9.4.13: the MME name, as DNS labels */
#define SGS_IMSI_MAX	 15

/* Length of the first whole SGsAP message at the start of a stream buffer: > 0 its length, 0 when more bytes are
 * needed, -1 (err set) when the bytes are not an SGsAP message the MME side can receive. Messages are told apart
 * by the IEs each message type may carry, in the order TS 29.118 lists them. */
int sgs_msg_len(const uint8_t *buf, size_t len, struct sg_error *err);
/* Whether an MSC/VLR sends this message type (false: one the MME sends, or unknown). */
bool sgs_msg_to_mme(uint8_t type);

/* One SGsAP message, its IEs pointing into the caller's buffer. */
struct sgs_msg {
	uint8_t type;
	struct tlv_parsed ies;
	char imsi[SGS_IMSI_MAX + 1]; /* "" when there is no IMSI IE */
};

/* Decode one whole message (as sgs_msg_len found it): the IEs, their fixed lengths, the IMSI. */
int sgs_msg_decode(const uint8_t *buf, size_t len, struct sgs_msg *m, struct sg_error *err);
/* The TMSI of a LOCATION-UPDATE-ACCEPT's Mobile identity IE: 1 with *tmsi set, 0 when there is none (or an IMSI). */
int sgs_msg_new_tmsi(const struct sgs_msg *m, uint32_t *tmsi);

/* Messages the MME sends. NULL for an IMSI or name that does not encode. */
struct sgs_mme {
	char imsi[SGS_IMSI_MAX + 1];
	char mme_name[SGS_MME_NAME_MAX + 1];
	uint16_t mcc, mnc, lac;
	bool mnc_3_digits;
};
struct msgb *sgs_build_lu_req(const struct sgs_mme *ue);
struct msgb *sgs_build_tmsi_realloc_complete(const struct sgs_mme *ue);
struct msgb *sgs_build_service_req(const struct sgs_mme *ue, uint8_t service_indicator);
struct msgb *sgs_build_paging_reject(const struct sgs_mme *ue, uint8_t sgs_cause);
struct msgb *sgs_build_imsi_detach(const struct sgs_mme *ue, uint8_t noneps_type);
struct msgb *sgs_build_reset_ack(const struct sgs_mme *ue);
struct msgb *sgs_build_alert_ack(const struct sgs_mme *ue);
struct msgb *sgs_build_ul_unitdata(const struct sgs_mme *ue, const uint8_t *nas, size_t nas_len);
/* SGsAP-STATUS (TS 29.118 8.18) for a received message refused: ue NULL when it carried no IMSI. */
struct msgb *sgs_build_status(const struct sgs_mme *ue, uint8_t sgs_cause, const uint8_t *erroneous, size_t len);

/* TS 24.011 CP messages (protocol discriminator 9) and the RP messages in CP-DATA. */
struct sms_cp {
	bool ti_flag;	   /* set by the side that did not start the transaction */
	uint8_t ti;	   /* 0..6 */
	uint8_t type;	   /* GSM411_MT_CP_DATA / _ACK / _ERROR */
	uint8_t cause;	   /* CP-ERROR */
	const uint8_t *rp; /* CP-DATA: the RP message */
	size_t rp_len;
};
int sms_cp_decode(const uint8_t *nas, size_t len, struct sms_cp *cp, struct sg_error *err);

/* RP-Originator / RP-Destination Address (TS 24.011 8.2.5.1, 8.2.5.2): a length octet, then at most 11 octets -
 * TON/NPI and 10 octets of BCD, so 20 digits. */
#define SMS_RP_ADDR_OCTETS 11
#define SMS_RP_ADDR_MAX	   20
/* An address handset-sim sends (international ISDN digits): 1 to SMS_RP_ADDR_MAX decimal digits. -1 with err
 * naming what, the length and the limit. */
int sms_rp_addr_check(const char *digits, const char *what, struct sg_error *err);
struct sms_rp {
	uint8_t type; /* GSM411_MT_RP_* */
	uint8_t mr;
	char oa[SMS_RP_ADDR_MAX + 1]; /* RP-DATA: originator (the service centre) */
	char da[SMS_RP_ADDR_MAX + 1];
	uint8_t cause;	   /* RP-ERROR */
	const uint8_t *ud; /* RP-DATA: the TPDU; RP-ACK / RP-ERROR: the report's TPDU, if any */
	size_t ud_len;
};
int sms_rp_decode(const uint8_t *rp, size_t len, struct sms_rp *m, struct sg_error *err);

/* The UE's messages, complete NAS PDUs in a new msgb (ti_flag as in struct sms_cp). */
struct msgb *sms_build_cp_ack(bool ti_flag, uint8_t ti);
/* RP-ACK (cause 0) or RP-ERROR (cause != 0) MS->network for an MT message, with the deliver report if any. */
struct msgb *sms_build_rp_report(bool ti_flag, uint8_t ti, uint8_t mr, uint8_t cause, const uint8_t *report,
				 size_t report_len);
/* RP-DATA MS->network: an SMS-SUBMIT for the service centre smsc (digits, international). */
struct msgb *sms_build_rp_data(uint8_t ti, uint8_t mr, const char *smsc, const uint8_t *tpdu, size_t tpdu_len,
			       struct sg_error *err);
