/* AUTHENTICATE (TS 102 221 11.1.16, TS 31.102 7.1): 3G context (P2 81: RAND + AUTN -> DB RES CK IK [Kc], or DC
 * AUTS on a sync failure, 9862 on a MAC failure) and GSM context (P2 80: RAND -> SRES Kc, via Milenage c2/c3).
 * The new SQN state is committed before the response leaves the card. While the anti-theft applet holds the card
 * locked, AUTHENTICATE answers 6985 (conditions of use not satisfied). */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/bit64gen.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/crypt/auth.h>

#include "uicc/profile.h"
#include "uicc/store.h"
#include "uicc/toolkit.h"
#include "auth_milenage.h"
#include "card_internal.h"

#define SQN_RECORD	    "usim.sqn"
#define SW_AUTH_MAC_FAILURE 0x9862
#define TAG_AUTH_OK	    0xDB
#define TAG_SYNC_FAIL	    0xDC
#define P2_GSM		    0x80
#define P2_3G		    0x81

/* Record: u16 number of slots, then highest and each slot's SQN as 6 bytes. */
static int sqn_put(struct uicc_card *card)
{
	const struct sqn_state *s = card->sqn;
	size_t len = 2 + 6 * (1 + s->slots);
	uint8_t *b = talloc_size(NULL, len);
	int rc;

	b[0] = s->slots >> 8;
	b[1] = s->slots & 0xFF;
	osmo_store64be_ext(s->highest, b + 2, 6);
	for (unsigned int i = 0; i < s->slots; i++)
		osmo_store64be_ext(s->seq[i], b + 8 + 6 * i, 6);
	rc = uicc_store_put(card->store, SQN_RECORD, b, len);
	talloc_free(b);
	return rc;
}

static int sqn_load(struct uicc_card *card, struct sg_error *err)
{
	struct sqn_state *s = card->sqn;
	const uint8_t *d;
	size_t len;

	if (!uicc_store_get(card->store, SQN_RECORD, &d, &len) || len < 8)
		return sg_err(err, "card image: SQN record missing or damaged");
	if (((unsigned int)d[0] << 8 | d[1]) != s->slots || len != 2 + 6 * (1 + s->slots))
		return sg_err(err, "card image: SQN array has %u slots, the profile's sqn_ind_bits needs %u",
			      (unsigned int)d[0] << 8 | d[1], s->slots);
	s->highest = osmo_load64be_ext_2(d + 2, 6);
	for (unsigned int i = 0; i < s->slots; i++)
		s->seq[i] = osmo_load64be_ext_2(d + 8 + 6 * i, 6);
	return 0;
}

int auth_init(struct uicc_card *card, struct sg_error *err)
{
	card->sqn = talloc_zero(card, struct sqn_state);
	if (!card->sqn)
		return sg_err(err, "card: out of memory");
	card->sqn->slots = 1u << card->profile->sqn_ind_bits;
	if (!uicc_store_is_new(card->store))
		return sqn_load(card, err);
	return sqn_put(card) < 0 ? sg_err(err, "card image: cannot stage the SQN record") : 0;
}

static int sqn_commit(struct uicc_card *card)
{
	if (uicc_store_begin(card->store) < 0)
		return -1;
	if (sqn_put(card) < 0) {
		uicc_store_abort(card->store);
		return -1;
	}
	return uicc_store_commit(card->store, NULL);
}

static void put_lv(struct apdu_rsp *r, const uint8_t *v, size_t len)
{
	r->data[r->len++] = len;
	memcpy(r->data + r->len, v, len);
	r->len += len;
}

static void auth_3g(struct uicc_card *card, const struct apdu *a, struct apdu_rsp *r)
{
	const struct uicc_profile *p = card->profile;
	uint8_t res[8], ck[16], ik[16], kc[8], auts[14];
	struct sqn_state next;
	int rc;

	/* 10 RAND 10 AUTN */
	if (a->lc != 34 || a->data[0] != 16 || a->data[17] != 16) {
		r->sw = a->lc == 34 ? APDU_SW_WRONG_DATA : APDU_SW_WRONG_LENGTH;
		return;
	}
	next = *card->sqn;
	rc = auth_milenage_check(p->k, p->opc, &next, p->sqn_ind_bits, a->data + 1, a->data + 18, res, ck, ik, kc,
				 auts);
	if (rc < 0) {
		LOGP(DUICC, LOGL_NOTICE, "AUTHENTICATE: AUTN MAC failure\n");
		r->sw = SW_AUTH_MAC_FAILURE;
	} else if (rc == 1) {
		LOGP(DUICC, LOGL_NOTICE, "AUTHENTICATE: SQN not fresh, answering AUTS\n");
		r->data[r->len++] = TAG_SYNC_FAIL;
		put_lv(r, auts, sizeof(auts));
		r->sw = APDU_SW_OK;
	} else {
		*card->sqn = next;
		if (sqn_commit(card) < 0) {
			r->sw = 0x6581;
			goto out;
		}
		r->secret = true;
		r->data[r->len++] = TAG_AUTH_OK;
		put_lv(r, res, sizeof(res));
		put_lv(r, ck, sizeof(ck));
		put_lv(r, ik, sizeof(ik));
		put_lv(r, kc, sizeof(kc));
		r->sw = APDU_SW_OK;
	}
out:
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(ik, sizeof(ik));
	OPENSSL_cleanse(kc, sizeof(kc));
	OPENSSL_cleanse(&next, sizeof(next));
}

/* GSM context: SRES = c2(RES) (XOR of RES's 32-bit halves), Kc = c3(CK, IK) (TS 33.102 6.8.1.2) */
static void auth_gsm(struct uicc_card *card, const struct apdu *a, struct apdu_rsp *r)
{
	const struct uicc_profile *p = card->profile;
	uint8_t res[8], ck[16], ik[16], kc[8], sres[4];

	if (a->lc != 17 || a->data[0] != 16) {
		r->sw = a->lc == 17 ? APDU_SW_WRONG_DATA : APDU_SW_WRONG_LENGTH;
		return;
	}
	if (milenage_f2345(p->opc, p->k, a->data + 1, res, ck, ik, NULL, NULL) != 0) {
		r->sw = APDU_SW_TECHNICAL_PROBLEM;
		return;
	}
	for (int i = 0; i < 4; i++)
		sres[i] = res[i] ^ res[i + 4];
	osmo_auth_c3(kc, ck, ik);
	r->secret = true;
	put_lv(r, sres, sizeof(sres));
	put_lv(r, kc, sizeof(kc));
	r->sw = APDU_SW_OK;
	OPENSSL_cleanse(ck, sizeof(ck));
	OPENSSL_cleanse(ik, sizeof(ik));
	OPENSSL_cleanse(kc, sizeof(kc));
}

void auth_handle(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	struct uicc_card *card = ch->card;

	r->via_get_response = true;
	if (a->p1 != 0x00 || (a->p2 != P2_3G && a->p2 != P2_GSM)) {
		r->sw = APDU_SW_WRONG_P1P2;
		return;
	}
	if (a->lc == 0) {
		r->sw = APDU_SW_WRONG_LENGTH;
		return;
	}
	if (!ch->cur_adf) {
		r->sw = APDU_SW_CONDITIONS_NOT_SATISFIED; /* no USIM application selected */
		return;
	}
	if (!uicc_card_pin1_ok(card)) {
		r->sw = APDU_SW_SECURITY_NOT_SATISFIED;
		return;
	}
	if (!uicc_toolkit_network_auth_allowed(card)) {
		LOGP(DUICC, LOGL_NOTICE, "AUTHENTICATE refused: the card is locked\n");
		r->sw = APDU_SW_CONDITIONS_NOT_SATISFIED;
		return;
	}
	if (a->p2 == P2_3G)
		auth_3g(card, a, r);
	else
		auth_gsm(card, a, r);
}
