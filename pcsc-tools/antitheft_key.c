/* The handset user data key from the anti-theft applet (specs/antitheft-protocol.md section 8): ENVELOPE with the
 * proprietary template CF holding the device identities terminal -> UICC; the 32 key bytes come back through
 * 61 20 / GET RESPONSE. */
#include <string.h>

#include <openssl/crypto.h>

#include "pcsct/antitheft_key.h"
#include "simguard/apdu.h"

#define ENV_USER_DATA_KEY 0xCF

enum pcsct_key_result pcsct_antitheft_user_key(struct pcsct_card *card, uint8_t key[PCSCT_UD_KEY_LEN],
					       struct sg_error *err)
{
	static const uint8_t env[] = {ENV_USER_DATA_KEY, 0x04, 0x82, 0x02, 0x82, 0x81};
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	char desc[96];
	enum pcsct_key_result rc = PCSCT_KEY_ERROR;

	if (apdu_envelope(&a, APDU_UICC, env, sizeof(env), err) < 0 || pcsct_transmit_buf(card, &a, &rsp, err) < 0)
		return PCSCT_KEY_ERROR;
	switch (rsp.sw) {
	case APDU_SW_OK:
		if (rsp.len == PCSCT_UD_KEY_LEN) {
			memcpy(key, rsp.data, PCSCT_UD_KEY_LEN);
			rc = PCSCT_KEY_OK;
		} else {
			sg_err(err, "the card answered the user data key request with %zu bytes, not %d", rsp.len,
			       PCSCT_UD_KEY_LEN);
		}
		break;
	case APDU_SW_SECURITY_NOT_SATISFIED:
		sg_err(err, "the card wants PIN1 verified before it gives the user data key");
		rc = PCSCT_KEY_PIN_NEEDED;
		break;
	case APDU_SW_CONDITIONS_NOT_SATISFIED:
		sg_err(err, "the card is locked: no user data key");
		rc = PCSCT_KEY_LOCKED;
		break;
	case APDU_SW_REF_DATA_NOT_FOUND:
		sg_err(err, "the user data key was destroyed (remote wipe)");
		rc = PCSCT_KEY_DESTROYED;
		break;
	default:
		sg_err(err, "user data key request refused: %s", apdu_sw_describe(rsp.sw, desc, sizeof(desc)));
		break;
	}
	OPENSSL_cleanse(rsp.data, sizeof(rsp.data));
	return rc;
}
