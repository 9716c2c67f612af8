/* Network attach with Milenage vectors (see netauth.h). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <osmocom/crypt/auth.h>

#include "pcsct/netauth.h"

#define TAG_SUCCESS	 0xDB
#define TAG_SYNC_FAILURE 0xDC
#define AUTS_LEN	 14

const char *pcsct_auth_result_name(enum pcsct_auth_result r)
{
	switch (r) {
	case PCSCT_AUTH_OK:
		return "attached";
	case PCSCT_AUTH_REFUSED:
		return "refused by the card";
	case PCSCT_AUTH_MAC_FAILURE:
		return "network not authentic for the card";
	case PCSCT_AUTH_RES_MISMATCH:
		return "wrong RES";
	case PCSCT_AUTH_SYNC_FAILURE:
		return "SQN out of sync";
	default:
		return "error";
	}
}

static void aud_from_cfg(struct osmo_sub_auth_data *aud, const struct pcsct_auth_cfg *cfg)
{
	memset(aud, 0, sizeof(*aud));
	aud->type = OSMO_AUTH_TYPE_UMTS;
	aud->algo = OSMO_AUTH_ALG_MILENAGE;
	memcpy(aud->u.umts.k, cfg->k, 16);
	memcpy(aud->u.umts.opc, cfg->opc, 16);
	memcpy(aud->u.umts.amf, cfg->amf, 2);
	aud->u.umts.opc_is_op = cfg->opc_is_op;
	aud->u.umts.sqn = cfg->sqn;
	aud->u.umts.ind_bitlen = cfg->ind_bitlen;
}

/* Send AUTHENTICATE with the vector; fill res/auts from the answer. Returns the result for everything but the
 * success and sync-failure templates, which return PCSCT_AUTH_OK with *tag set. */
static enum pcsct_auth_result run_auth(struct pcsct_card *card, const struct osmo_auth_vector *vec, uint8_t *tag,
				       struct pcsct_rsp *rsp, struct sg_error *why)
{
	struct apdu_buf a;
	char desc[96];

	if (apdu_authenticate(&a, APDU_UICC, vec->rand, vec->autn, why) < 0)
		return PCSCT_AUTH_ERROR;
	if (pcsct_transmit_buf(card, &a, rsp, why) < 0)
		return PCSCT_AUTH_ERROR;
	if (rsp->sw == 0x9862) {
		sg_err(why, "card: authentication error, incorrect MAC (9862)");
		return PCSCT_AUTH_MAC_FAILURE;
	}
	if (rsp->sw != APDU_SW_OK && (rsp->sw >> 8) != 0x91) {
		sg_err(why, "card refused AUTHENTICATE: %s", apdu_sw_describe(rsp->sw, desc, sizeof(desc)));
		return (rsp->sw >> 8) == 0x69 || (rsp->sw >> 8) == 0x98 ? PCSCT_AUTH_REFUSED : PCSCT_AUTH_ERROR;
	}
	if (rsp->len < 2 || (rsp->data[0] != TAG_SUCCESS && rsp->data[0] != TAG_SYNC_FAILURE)) {
		sg_err(why, "AUTHENTICATE answer starts with neither DB (success) nor DC (sync failure)");
		return PCSCT_AUTH_ERROR;
	}
	*tag = rsp->data[0];
	return PCSCT_AUTH_OK;
}

static enum pcsct_auth_result check_res(const struct osmo_auth_vector *vec, const struct pcsct_rsp *rsp,
					struct sg_error *why)
{
	size_t len = rsp->data[1];

	if (len + 2 > rsp->len || len < 4 || len > 16) {
		sg_err(why, "AUTHENTICATE: RES of %zu bytes does not fit the answer", len);
		return PCSCT_AUTH_ERROR;
	}
	if (len != vec->res_len || CRYPTO_memcmp(rsp->data + 2, vec->res, len) != 0) {
		sg_err(why, "AUTHENTICATE: the card's RES differs from the network's XRES");
		return PCSCT_AUTH_RES_MISMATCH;
	}
	return PCSCT_AUTH_OK;
}

enum pcsct_auth_result pcsct_network_authenticate(struct pcsct_card *card, struct pcsct_auth_cfg *cfg,
						  struct sg_error *why)
{
	struct osmo_sub_auth_data aud;
	struct osmo_auth_vector vec;
	struct pcsct_rsp rsp;
	uint8_t rand[16], prev_rand[16], auts[AUTS_LEN], tag = 0;
	enum pcsct_auth_result r = PCSCT_AUTH_ERROR;
	int attempt;

	aud_from_cfg(&aud, cfg);
	for (attempt = 0; attempt < 2; attempt++) {
		if (RAND_bytes(rand, sizeof(rand)) != 1) {
			sg_err(why, "no random numbers for RAND");
			break;
		}
		if (attempt == 0 ? osmo_auth_gen_vec(&vec, &aud, rand)
				 : osmo_auth_gen_vec_auts(&vec, &aud, auts, prev_rand, rand)) {
			sg_err(why, attempt ? "AUTS does not verify with the configured K/OPc"
					    : "Milenage vector generation failed");
			r = attempt ? PCSCT_AUTH_SYNC_FAILURE : PCSCT_AUTH_ERROR;
			break;
		}
		cfg->sqn = aud.u.umts.sqn;
		r = run_auth(card, &vec, &tag, &rsp, why);
		if (r != PCSCT_AUTH_OK)
			break;
		if (tag == TAG_SUCCESS) {
			r = check_res(&vec, &rsp, why);
			break;
		}
		if (rsp.data[1] != AUTS_LEN || rsp.len < 2 + AUTS_LEN) {
			sg_err(why, "AUTHENTICATE: sync failure without a 14-byte AUTS");
			r = PCSCT_AUTH_ERROR;
			break;
		}
		memcpy(auts, rsp.data + 2, AUTS_LEN);
		memcpy(prev_rand, vec.rand, sizeof(prev_rand));
		sg_err(why, "SQN out of sync");
		r = PCSCT_AUTH_SYNC_FAILURE;
	}
	OPENSSL_cleanse(&aud, sizeof(aud));
	OPENSSL_cleanse(&vec, sizeof(vec));
	return r;
}
