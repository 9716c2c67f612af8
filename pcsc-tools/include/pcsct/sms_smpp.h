/* The SMS <-> SMPP mapping of a lab handset, shared by handset-sim's SMPP link and handset-farm. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"
#include "simguard/sms_tpdu.h"

struct smpp_sm;

/* A class-2 8-bit SMS with PID 7F (or ANSI-136 R-DATA 7C) is (U)SIM data download: it is for the card. */
bool pcsct_sms_is_data_download(const struct sms_deliver *d);
/* The SMS-DELIVER the radio would bring for a deliver_sm: TP-OA from the source, PID / DCS / UDHI as sent, SCTS
 * now, GSM 7-bit text (one character per SMPP octet) packed. -1 with err when it does not fit one SMS. */
int pcsct_sm_to_deliver(const struct smpp_sm *sm, uint8_t *tpdu, size_t size, size_t *len, struct sg_error *err);
/* The submit_sm for an MO message from src (ussd_op -1 for SMS; message_payload above 254 octets). -1 with err
 * when the user data does not fit. */
int pcsct_mo_sm(struct smpp_sm *sm, const char *src, const struct sms_addr *dst, uint8_t pid, uint8_t dcs, bool udhi,
		const uint8_t *ud, size_t len, int ussd_op, struct sg_error *err);
