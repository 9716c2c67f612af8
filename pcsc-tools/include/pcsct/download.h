/* Data download to the card as a handset does it (TS 31.111 7.1, sms-pp-and-ussd.md sections 8-10):
 * ENVELOPE(SMS-PP DATA DOWNLOAD) or ENVELOPE(USSD DATA DOWNLOAD), the card's answer sorted into what the handset
 * tells the network (RP-ACK with or without the PoR, RP-ERROR "toolkit busy" or "data download error"), and the
 * SMS-DELIVER-REPORT that carries it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcsct/card_access.h"
#include "simguard/cat.h"
#include "simguard/sms_tpdu.h"

enum pcsct_dl_outcome {
	PCSCT_DL_ACK,	/* 9000 / 91xx: done; data (the PoR) if the card returned any */
	PCSCT_DL_BUSY,	/* 9300: toolkit busy -> RP-ERROR, TP-FCS D4 */
	PCSCT_DL_ERROR, /* 62xx / 63xx / 9Exx or another error: RP-ERROR, TP-FCS D5, with data if any */
};

struct pcsct_dl_result {
	enum pcsct_dl_outcome outcome;
	uint16_t sw;	   /* the card's final status word */
	uint8_t data[256]; /* response data (for SMS-PP: the PoR starting 02 71 00) */
	size_t len;
	bool proactive;	       /* sw is 91xx: a proactive command follows (e.g. SEND SHORT MESSAGE with the PoR) */
	uint16_t proactive_sw; /* the 91xx to start the session with */
};

/* Deliver one SMS-DELIVER TPDU. sc: the service centre address or NULL. -1 with err when the card does not
 * answer or the TPDU does not fit an ENVELOPE. */
int pcsct_download_sms_pp(struct pcsct_card *card, const struct cat_address *sc, const uint8_t *tpdu, size_t len,
			  struct pcsct_dl_result *res, struct sg_error *err);
/* Deliver a USSD string: dcs is the USSD data coding scheme, data the string's octets. */
int pcsct_download_ussd(struct pcsct_card *card, uint8_t dcs, const uint8_t *data, size_t len,
			struct pcsct_dl_result *res, struct sg_error *err);

/* The SMS-DELIVER-REPORT for a download result: RP-ACK (TP-PI 07 with the data when there is some), or RP-ERROR
 * with TP-FCS D4 / D5. pid and dcs are copied from the SMS-DELIVER. *rp_error tells which RP message carries it. */
int pcsct_download_report(const struct pcsct_dl_result *res, uint8_t pid, uint8_t dcs, uint8_t *out, size_t size,
			  size_t *out_len, bool *rp_error, struct sg_error *err);

/* The SMS-DELIVER(s) a network builds for a secured command packet (from CPL on): PID 7F, DCS F6, UDHI, CPI;
 * split once into concatenated parts (8-bit or 16-bit reference ref) when longer than one SMS. tpdus must have room
 * for max TPDUs of SMS_TPDU_MAX bytes. Returns the number of TPDUs, or -1 with err. */
int pcsct_ota_tpdus(const uint8_t *packet, size_t len, const struct sms_addr *from, bool concat16, uint16_t ref,
		    uint8_t (*tpdus)[SMS_TPDU_MAX], size_t *lens, size_t max, struct sg_error *err);

/* "ack", "busy", "error" */
const char *pcsct_dl_outcome_name(enum pcsct_dl_outcome o);
