/* Card lifecycle: creation from a profile and a card image (initialising a new image in one atomic commit),
 * power on/off/reset (volatile state only), the ATR, and the accessors the toolkit side uses. */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "uicc/profile.h"
#include "uicc/store.h"
#include "uicc/toolkit.h"
#include "card_internal.h"
#include "fs_internal.h"

#define IMAGE_ICCID_RECORD "card.iccid"

/* T=0, Fi/Di 512/32 (TA1 96), T=15 global bytes (TA3 C7: clock stop, classes A/B/C), 15 historical bytes, TCK */
static const uint8_t default_atr[] = {0x3B, 0x9F, 0x96, 0x80, 0x1F, 0xC7, 0x80, 0x31, 0xA0, 0x73, 0xBE,
				      0x21, 0x13, 0x67, 0x43, 0x20, 0x07, 0x18, 0x00, 0x00, 0x01, 0xA5};

/* The image must belong to this profile's card: a wrong pairing would mix one card's counters with another's. */
static int check_or_stamp_iccid(struct uicc_card *card, struct sg_error *err)
{
	const char *iccid = card->profile->iccid;
	const uint8_t *d;
	size_t len;

	if (uicc_store_is_new(card->store))
		return uicc_store_put(card->store, IMAGE_ICCID_RECORD, iccid, strlen(iccid)) < 0
			       ? sg_err(err, "card image: cannot stage the ICCID")
			       : 0;
	if (!uicc_store_get(card->store, IMAGE_ICCID_RECORD, &d, &len))
		return sg_err(err, "card image: has no ICCID record");
	if (len != strlen(iccid) || memcmp(d, iccid, len) != 0)
		return sg_err(err, "card image belongs to ICCID %.*s, the profile is ICCID %s", (int)len,
			      (const char *)d, iccid);
	return 0;
}

static int build(struct uicc_card *card, const char *image_path, struct sg_error *err)
{
	card->store = uicc_store_open(card, image_path, err);
	if (!card->store)
		return -1;
	if (uicc_store_begin(card->store) < 0)
		return sg_err(err, "card image: cannot start a transaction");
	if (check_or_stamp_iccid(card, err) < 0)
		goto abort;
	card->fs = fs_build(card, card->profile, card->store, err);
	if (!card->fs || pin_init(card, err) < 0 || auth_init(card, err) < 0)
		goto abort;
	/* a new image is written once, complete: never a half-initialised card */
	return uicc_store_commit(card->store, err);
abort:
	uicc_store_abort(card->store);
	return -1;
}

/* PIN values and SQN state do not outlive the card in freed memory. */
static int card_destructor(struct uicc_card *card)
{
	OPENSSL_cleanse(&card->pin, sizeof(card->pin));
	OPENSSL_cleanse(card->pending, sizeof(card->pending));
	return 0;
}

struct uicc_card *uicc_card_create(void *ctx, struct uicc_profile *profile, const char *image_path,
				   struct sg_error *err)
{
	struct uicc_card *card = talloc_zero(ctx, struct uicc_card);

	uicc_log_init(ctx);
	if (!card) {
		sg_err(err, "card: out of memory");
		return NULL;
	}
	talloc_set_destructor(card, card_destructor);
	card->profile = talloc_steal(card, profile);
	if (build(card, image_path, err) < 0) {
		talloc_free(card);
		return NULL;
	}
	LOGP(DUICC, LOGL_INFO, "card ICCID %s ready (image %s, generation %llu)\n", profile->iccid,
	     image_path ? image_path : "in memory", (unsigned long long)uicc_store_generation(card->store));
	return card;
}

struct uicc_card *uicc_card_open(void *ctx, const char *profile_path, const char *image_path, struct sg_error *err)
{
	struct uicc_profile *p = uicc_profile_load(ctx, profile_path, err);

	return p ? uicc_card_create(ctx, p, image_path, err) : NULL;
}

void uicc_card_free(struct uicc_card *card)
{
	talloc_free(card);
}

static void clear_volatile(struct uicc_card *card)
{
	card->pin1_verified = false;
	card->adm1_verified = false;
	card->has_pending = false;
	card->pending_len = 0;
	chan_reset(&card->chan, card, false);
}

void uicc_card_power_on(struct uicc_card *card)
{
	clear_volatile(card);
	card->powered = true;
	uicc_toolkit_reset(card);
}

void uicc_card_power_off(struct uicc_card *card)
{
	clear_volatile(card);
	card->powered = false;
}

void uicc_card_reset(struct uicc_card *card)
{
	uicc_card_power_off(card);
	uicc_card_power_on(card);
}

bool uicc_card_powered(const struct uicc_card *card)
{
	return card->powered;
}

const uint8_t *uicc_card_atr(const struct uicc_card *card, size_t *len)
{
	if (card->profile->atr_len) {
		*len = card->profile->atr_len;
		return card->profile->atr;
	}
	*len = sizeof(default_atr);
	return default_atr;
}

const struct uicc_profile *uicc_card_profile(const struct uicc_card *card)
{
	return card->profile;
}

struct uicc_fs *uicc_card_fs(struct uicc_card *card)
{
	return card->fs;
}

struct uicc_store *uicc_card_store(struct uicc_card *card)
{
	return card->store;
}

void *uicc_card_ctx(struct uicc_card *card)
{
	return card;
}

void *uicc_card_toolkit_data(const struct uicc_card *card)
{
	return card->toolkit;
}

void uicc_card_set_toolkit_data(struct uicc_card *card, void *data)
{
	card->toolkit = data;
}

bool uicc_card_pin1_ok(const struct uicc_card *card)
{
	return card->pin1_verified || !card->pin.pin1_enabled;
}
