/* PIN1 / PUK1 / ADM1 (TS 102 221 9.5 and 11.1.9-11.1.13): VERIFY, CHANGE, DISABLE, ENABLE and UNBLOCK PIN with
 * persistent retry counters. Anti-tearing: the retry counter is decremented and committed before the comparison
 * and restored only after a match, so cutting power during a wrong guess can never give a free try. */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/logging.h>

#include "uicc/profile.h"
#include "uicc/store.h"
#include "card_internal.h"
#include "fs_internal.h"

#define PIN_RECORD	   "pin"
#define PIN_RECORD_VERSION 1
#define PIN_RECORD_LEN	   (1 + 2 * PIN_LEN + 4)
#define ADM1_TRIES	   10

#define KEYREF_PIN1 0x01
#define KEYREF_ADM1 0x0A

static void pad_pin(const char *digits, uint8_t out[PIN_LEN])
{
	size_t n = strlen(digits);

	memset(out, 0xFF, PIN_LEN);
	memcpy(out, digits, n);
}

/* 4..8 ASCII digits, then FF padding (TS 102 221 9.5.2) */
static bool pin_format_ok(const uint8_t *p)
{
	size_t n = 0;

	while (n < PIN_LEN && p[n] >= '0' && p[n] <= '9')
		n++;
	if (n < 4)
		return false;
	for (size_t i = n; i < PIN_LEN; i++)
		if (p[i] != 0xFF)
			return false;
	return true;
}

static int pin_encode_put(struct uicc_card *card)
{
	const struct pin_state *s = &card->pin;
	uint8_t b[PIN_RECORD_LEN];
	int rc;

	b[0] = PIN_RECORD_VERSION;
	memcpy(b + 1, s->pin1, PIN_LEN);
	memcpy(b + 1 + PIN_LEN, s->puk1, PIN_LEN);
	b[17] = s->pin1_left;
	b[18] = s->puk1_left;
	b[19] = s->adm1_left;
	b[20] = s->pin1_enabled;
	rc = uicc_store_put(card->store, PIN_RECORD, b, sizeof(b));
	OPENSSL_cleanse(b, sizeof(b));
	return rc;
}

/* Persist the PIN state now; 0 or -1 (the store has failed: the card is dead). */
static int pin_save(struct uicc_card *card)
{
	if (uicc_store_begin(card->store) < 0)
		return -1;
	if (pin_encode_put(card) < 0) {
		uicc_store_abort(card->store);
		return -1;
	}
	return uicc_store_commit(card->store, NULL);
}

static int pin_load(struct uicc_card *card, struct sg_error *err)
{
	const struct uicc_profile *p = card->profile;
	struct pin_state *s = &card->pin;
	uint8_t b[PIN_RECORD_LEN];
	int rc = uicc_store_get_exact(card->store, PIN_RECORD, b, sizeof(b));

	if (rc <= 0 || b[0] != PIN_RECORD_VERSION)
		return sg_err(err, "card image: PIN record %s", rc == 0 ? "missing" : "damaged");
	memcpy(s->pin1, b + 1, PIN_LEN);
	memcpy(s->puk1, b + 1 + PIN_LEN, PIN_LEN);
	s->pin1_left = b[17];
	s->puk1_left = b[18];
	s->adm1_left = b[19];
	s->pin1_enabled = b[20];
	OPENSSL_cleanse(b, sizeof(b));
	if (s->pin1_left > p->pin1_tries || s->puk1_left > p->puk1_tries || s->adm1_left > ADM1_TRIES ||
	    !pin_format_ok(s->pin1))
		return sg_err(err, "card image: PIN record out of range");
	return 0;
}

int pin_init(struct uicc_card *card, struct sg_error *err)
{
	const struct uicc_profile *p = card->profile;
	struct pin_state *s = &card->pin;

	if (!uicc_store_is_new(card->store)) {
		if (pin_load(card, err) < 0)
			return -1;
		card->fs->pin1_enabled = s->pin1_enabled;
		return 0;
	}
	pad_pin(p->pin1, s->pin1);
	pad_pin(p->puk1, s->puk1);
	s->pin1_left = p->pin1_tries;
	s->puk1_left = p->puk1_tries;
	s->adm1_left = ADM1_TRIES;
	s->pin1_enabled = p->pin1_enabled;
	if (pin_encode_put(card) < 0)
		return sg_err(err, "card image: cannot stage the PIN record");
	return 0;
}

/* Compare a presented secret against the reference under a retry counter. */
static uint16_t check_secret(struct uicc_card *card, uint8_t *left, uint8_t max, const uint8_t *ref,
			     const uint8_t *given)
{
	bool match;

	if (*left == 0)
		return APDU_SW_AUTH_METHOD_BLOCKED;
	(*left)--;
	if (pin_save(card) < 0)
		return 0x6581;
	match = CRYPTO_memcmp(ref, given, PIN_LEN) == 0;
	if (!match) {
		LOGP(DUICC, LOGL_NOTICE, "wrong PIN/PUK/ADM presented, %u tries left\n", *left);
		return APDU_SW_VERIFY_FAILED(*left);
	}
	*left = max;
	if (pin_save(card) < 0)
		return 0x6581;
	return APDU_SW_OK;
}

static uint16_t tries_sw(uint8_t left)
{
	return left ? APDU_SW_VERIFY_FAILED(left) : APDU_SW_AUTH_METHOD_BLOCKED;
}

static uint16_t verify_adm1(struct uicc_chan *ch, const struct apdu *a)
{
	struct uicc_card *card = ch->card;
	const struct uicc_profile *p = card->profile;
	uint16_t sw;

	if (!p->has_adm1)
		return APDU_SW_REF_DATA_NOT_FOUND;
	if (a->lc == 0)
		return card->adm1_verified && !ch->remote ? APDU_SW_OK : tries_sw(card->pin.adm1_left);
	if (a->lc != PIN_LEN)
		return APDU_SW_WRONG_LENGTH;
	sw = check_secret(card, &card->pin.adm1_left, ADM1_TRIES, p->adm1, a->data);
	if (sw == APDU_SW_OK && !ch->remote)
		card->adm1_verified = true;
	return sw;
}

static uint16_t verify(struct uicc_chan *ch, const struct apdu *a)
{
	struct uicc_card *card = ch->card;
	struct pin_state *s = &card->pin;
	uint16_t sw;

	if (a->p1 != 0x00)
		return APDU_SW_WRONG_P1P2;
	if (a->p2 == KEYREF_ADM1)
		return verify_adm1(ch, a);
	if (a->p2 != KEYREF_PIN1)
		return APDU_SW_REF_DATA_NOT_FOUND;
	if (a->lc == 0) {
		if (s->pin1_left && (!s->pin1_enabled || (card->pin1_verified && !ch->remote)))
			return APDU_SW_OK;
		return tries_sw(s->pin1_left);
	}
	if (a->lc != PIN_LEN)
		return APDU_SW_WRONG_LENGTH;
	sw = check_secret(card, &s->pin1_left, card->profile->pin1_tries, s->pin1, a->data);
	if (sw == APDU_SW_OK && !ch->remote)
		card->pin1_verified = true;
	return sw;
}

/* Parameters of the PIN1 commands: P1 00, P2 = PIN1, data of the given length. */
static uint16_t pin1_params(const struct apdu *a, size_t lc)
{
	if (a->p1 != 0x00)
		return APDU_SW_WRONG_P1P2;
	if (a->p2 != KEYREF_PIN1)
		return APDU_SW_REF_DATA_NOT_FOUND;
	if (a->lc != lc)
		return APDU_SW_WRONG_LENGTH;
	return APDU_SW_OK;
}

/* After a successful PIN1 operation: store the state, count the terminal session as verified. */
static uint16_t pin1_done(struct uicc_chan *ch)
{
	if (pin_save(ch->card) < 0)
		return 0x6581;
	if (!ch->remote)
		ch->card->pin1_verified = true;
	return APDU_SW_OK;
}

static uint16_t change(struct uicc_chan *ch, const struct apdu *a)
{
	struct uicc_card *card = ch->card;
	struct pin_state *s = &card->pin;
	uint16_t sw = pin1_params(a, 2 * PIN_LEN);

	if (sw != APDU_SW_OK)
		return sw;
	if (!s->pin1_enabled)
		return 0x6984; /* reference data not usable: a disabled PIN cannot be changed */
	if (!pin_format_ok(a->data + PIN_LEN))
		return APDU_SW_WRONG_DATA;
	sw = check_secret(card, &s->pin1_left, card->profile->pin1_tries, s->pin1, a->data);
	if (sw != APDU_SW_OK)
		return sw;
	memcpy(s->pin1, a->data + PIN_LEN, PIN_LEN);
	return pin1_done(ch);
}

static uint16_t enable_disable(struct uicc_chan *ch, const struct apdu *a, bool enable)
{
	struct uicc_card *card = ch->card;
	struct pin_state *s = &card->pin;
	uint16_t sw = pin1_params(a, PIN_LEN);

	if (sw != APDU_SW_OK)
		return sw;
	if (s->pin1_enabled == enable)
		return APDU_SW_CONDITIONS_NOT_SATISFIED;
	sw = check_secret(card, &s->pin1_left, card->profile->pin1_tries, s->pin1, a->data);
	if (sw != APDU_SW_OK)
		return sw;
	s->pin1_enabled = enable;
	card->fs->pin1_enabled = enable;
	return pin1_done(ch);
}

static uint16_t unblock(struct uicc_chan *ch, const struct apdu *a)
{
	struct uicc_card *card = ch->card;
	struct pin_state *s = &card->pin;
	uint16_t sw = pin1_params(a, a->lc ? 2 * PIN_LEN : 0);

	if (sw != APDU_SW_OK)
		return sw;
	if (a->lc == 0)
		return tries_sw(s->puk1_left);
	if (!pin_format_ok(a->data + PIN_LEN))
		return APDU_SW_WRONG_DATA;
	sw = check_secret(card, &s->puk1_left, card->profile->puk1_tries, s->puk1, a->data);
	if (sw != APDU_SW_OK)
		return sw;
	memcpy(s->pin1, a->data + PIN_LEN, PIN_LEN);
	s->pin1_left = card->profile->pin1_tries;
	return pin1_done(ch);
}

bool dispatch_pin_cmd(struct uicc_chan *ch, const struct apdu *a, struct apdu_rsp *r)
{
	switch (a->ins) {
	case APDU_INS_VERIFY:
		r->sw = verify(ch, a);
		return true;
	case APDU_INS_CHANGE_PIN:
		r->sw = change(ch, a);
		return true;
	case APDU_INS_DISABLE_PIN:
		r->sw = enable_disable(ch, a, false);
		return true;
	case APDU_INS_ENABLE_PIN:
		r->sw = enable_disable(ch, a, true);
		return true;
	case APDU_INS_UNBLOCK_PIN:
		r->sw = unblock(ch, a);
		return true;
	default:
		return false;
	}
}
