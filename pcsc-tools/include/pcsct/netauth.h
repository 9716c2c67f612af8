/* Network attach as the handset simulator plays it: the "network" side computes a UMTS authentication vector
 * with Milenage (libosmocore osmo_auth_gen_vec) from the subscriber's K / OPc, the card answers AUTHENTICATE in
 * the USIM context, and the RES is compared with the XRES. A synchronisation failure (AUTS) re-synchronises the
 * network's SQN and tries once more, as an HLR would. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "pcsct/card_access.h"

struct pcsct_auth_cfg {
	uint8_t k[16];
	uint8_t opc[16];
	bool opc_is_op; /* the 16 bytes are OP, not OPc */
	uint8_t amf[2];
	uint64_t sqn; /* the network's last used SQN; updated */
	unsigned int ind_bitlen;
};

enum pcsct_auth_result {
	PCSCT_AUTH_OK,		 /* RES == XRES: attached */
	PCSCT_AUTH_REFUSED,	 /* the card refused to run the algorithm (locked card, PIN not verified...) */
	PCSCT_AUTH_MAC_FAILURE,	 /* the card found the network not authentic (9862): wrong keys in the config */
	PCSCT_AUTH_RES_MISMATCH, /* the card answered with a RES the network does not expect */
	PCSCT_AUTH_SYNC_FAILURE, /* still out of sync after re-synchronising */
	PCSCT_AUTH_ERROR,	 /* malformed answer, or the card does not answer (err) */
};

const char *pcsct_auth_result_name(enum pcsct_auth_result r);

/* Run one attach. why gets a one-line explanation for anything but PCSCT_AUTH_OK. */
enum pcsct_auth_result pcsct_network_authenticate(struct pcsct_card *card, struct pcsct_auth_cfg *cfg,
						  struct sg_error *why);
