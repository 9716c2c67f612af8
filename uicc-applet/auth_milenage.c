/* Card side of UMTS AKA with Milenage (TS 33.102 6.3.3, Annex C): verify AUTN's MAC first, then the freshness of
 * its SQN against the per-IND array; answer RES/CK/IK (and Kc) or AUTS. The Milenage functions f1..f5* are
 * libosmogsm's. */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/bit64gen.h>
#include <osmocom/crypt/auth.h>

#include "auth_milenage.h"
#include "card_internal.h"

/* TS 33.102 C.2.1: a SEQ may run ahead of the highest accepted one by at most this much (2^28 recommended) */
#define SQN_DELTA (1ULL << 28)
#define SQN_MASK  0xFFFFFFFFFFFFULL

static uint64_t load48(const uint8_t *b)
{
	return osmo_load64be_ext_2(b, 6);
}

static void store48(uint64_t v, uint8_t *b)
{
	osmo_store64be_ext(v, b, 6);
}

/* TS 33.102 C.2.2: accept when SEQ is above the slot's SEQ and not too far above the highest SEQ seen. */
static bool sqn_fresh(const struct sqn_state *s, unsigned int ind_bits, uint64_t sqn)
{
	unsigned int ind = sqn & ((1u << ind_bits) - 1);
	uint64_t seq = sqn >> ind_bits, highest = s->highest >> ind_bits;

	if (seq <= s->seq[ind] >> ind_bits)
		return false;
	return seq <= highest || seq - highest <= SQN_DELTA;
}

int auth_milenage_check(const uint8_t *k, const uint8_t *opc, struct sqn_state *sqn, unsigned int ind_bits,
			const uint8_t rand[16], const uint8_t autn[16], uint8_t res[8], uint8_t ck[16], uint8_t ik[16],
			uint8_t kc[8], uint8_t auts[14])
{
	static const uint8_t resync_amf[2] = {0x00, 0x00};
	uint8_t ak[6], akstar[6], sqn_b[6], mac_a[8];
	uint64_t rx_sqn;
	int rc = -1;

	if (milenage_f2345(opc, k, rand, res, ck, ik, ak, akstar) != 0)
		goto out;
	for (int i = 0; i < 6; i++)
		sqn_b[i] = autn[i] ^ ak[i];
	if (milenage_f1(opc, k, rand, sqn_b, autn + 6, mac_a, NULL) != 0)
		goto out;
	if (CRYPTO_memcmp(mac_a, autn + 8, 8) != 0)
		goto out;
	rx_sqn = load48(sqn_b);
	if (!sqn_fresh(sqn, ind_bits, rx_sqn)) {
		/* AUTS = (SQN_MS xor AK*) || MAC-S, with SQN_MS the highest accepted SQN and AMF 0000 */
		store48(sqn->highest, sqn_b);
		if (milenage_f1(opc, k, rand, sqn_b, resync_amf, NULL, auts + 6) != 0)
			goto out;
		for (int i = 0; i < 6; i++)
			auts[i] = sqn_b[i] ^ akstar[i];
		rc = 1;
		goto out;
	}
	sqn->seq[rx_sqn & ((1u << ind_bits) - 1)] = rx_sqn;
	if (rx_sqn > sqn->highest)
		sqn->highest = rx_sqn & SQN_MASK;
	osmo_auth_c3(kc, ck, ik);
	rc = 0;
out:
	OPENSSL_cleanse(ak, sizeof(ak));
	OPENSSL_cleanse(akstar, sizeof(akstar));
	return rc;
}
