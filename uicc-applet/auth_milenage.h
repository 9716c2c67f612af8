/* Milenage (3GPP TS 35.206) functions of libosmogsm. libosmocore exports them (symbol version LIBOSMOGSM_1.0, the
 * hostap-derived implementation behind osmo_auth_gen_vec) but installs no header for them, so their prototypes are
 * declared here. They return 0 on success. Private to auth*.c and profile*.c. */
#pragma once

#include <stdint.h>

int milenage_f1(const uint8_t *opc, const uint8_t *k, const uint8_t *rand, const uint8_t *sqn, const uint8_t *amf,
		uint8_t *mac_a, uint8_t *mac_s);
int milenage_f2345(const uint8_t *opc, const uint8_t *k, const uint8_t *rand, uint8_t *res, uint8_t *ck, uint8_t *ik,
		   uint8_t *ak, uint8_t *akstar);
int milenage_opc_gen(uint8_t *opc, const uint8_t *k, const uint8_t *op);
