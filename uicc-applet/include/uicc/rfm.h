/* Remote file management (ETSI TS 102 226 clause 5, compact format) for the RFM TARs: the secured data is a
 * sequence of command APDUs (CLA INS P1 P2 P3 [data]), run in a remote session of the card core (ADM rights on
 * files, its own selection); execution stops at the first command that does not end with 9000 or 61xx.
 * The PoR data is: number of commands executed (1 byte) || status word of the last one || its response data. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "uicc/ota_re.h"

struct uicc_card;

/* ota_re applications: "rfm-uicc" starts at the MF, "rfm-usim" with ADF.USIM selected. */
void rfm_ota_uicc(struct uicc_card *card, const struct ota_msg *msg, struct ota_reply *reply);
void rfm_ota_usim(struct uicc_card *card, const struct ota_msg *msg, struct ota_reply *reply);

/* Run a compact command script in a new remote session; fills reply (status 00, data as above). start_usim
 * selects ADF.USIM first. A script that does not parse runs up to the broken command, which answers 6700. */
void rfm_run(struct uicc_card *card, const uint8_t *script, size_t len, bool start_usim, struct ota_reply *reply);
