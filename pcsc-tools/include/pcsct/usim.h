/* What a handset does with the card's files and PIN at power-up: find ADF.USIM through EF.DIR and select it, read
 * EF.ICCID and EF.IMSI, ask for the PIN state and verify PIN1. Works with any UICC (TS 102 221 / TS 31.102). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pcsct/card_access.h"

struct pcsct_usim {
	uint8_t aid[16];
	size_t aid_len;
	char iccid[21];
	char imsi[16];
};

/* Read EF.DIR and select the first USIM application (AID A0000000871002...). -1 with err naming the step. */
int pcsct_usim_select(struct pcsct_card *card, struct pcsct_usim *u, struct sg_error *err);
/* EF.ICCID (2FE2 under the MF) as digits. */
int pcsct_usim_read_iccid(struct pcsct_card *card, struct pcsct_usim *u, struct sg_error *err);
/* EF.IMSI (6F07 in ADF.USIM, selected first) as digits. */
int pcsct_usim_read_imsi(struct pcsct_card *card, struct pcsct_usim *u, struct sg_error *err);

enum pcsct_pin_state {
	PCSCT_PIN_VERIFIED, /* disabled, or already verified */
	PCSCT_PIN_NEEDED,
	PCSCT_PIN_BLOCKED,
};

/* The state of PIN1 (VERIFY without data). *retries is set for PCSCT_PIN_NEEDED. */
int pcsct_pin_state(struct pcsct_card *card, enum pcsct_pin_state *st, int *retries, struct sg_error *err);
/* Verify PIN1. Returns 0 when accepted, 1 when wrong (*retries left), 2 when blocked, -1 with err otherwise. */
int pcsct_pin_verify(struct pcsct_card *card, const char *pin, int *retries, struct sg_error *err);

/* Decode BCD digits (low nibble first), stopping at the first F; into out (NUL-terminated). */
void pcsct_bcd_digits(const uint8_t *bcd, size_t len, bool skip_first_nibble, char *out, size_t size);
