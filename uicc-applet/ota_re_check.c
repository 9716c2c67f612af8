/* The receiving entity's checks on one command packet, in the order that leaks least (specs/ota-receiving-entity.md
 * §4): the clear header (TAR known, an application behind it, SPI meeting the TAR's MSL, a keyset the TAR allows
 * and whose algorithms match KIc/KID and satisfy the application's policy), then deciphering and the checksum
 * (constant-time, in the codec), then the counter rule; the new counter is committed before anything runs. */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/logging.h>

#include "uicc/card.h"
#include "uicc/ota_re.h"
#include "uicc/profile.h"

static const struct ota_app *find_app(const struct ota_app *apps, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcmp(apps[i].name, name) == 0)
			return &apps[i];
	return NULL;
}

int ota_re_keys(struct uicc_card *card, uint8_t kvn, struct sp_keys *keys)
{
	const struct uicc_keyset *ks = uicc_profile_keyset(uicc_card_profile(card), kvn);

	memset(keys, 0, sizeof(*keys));
	if (!ks)
		return -1;
	memcpy(keys->kic.key, ks->kic.bytes, ks->kic.len);
	keys->kic.len = ks->kic.len;
	memcpy(keys->kid.key, ks->kid.bytes, ks->kid.len);
	keys->kid.len = ks->kid.len;
	return 0;
}

/* The keyset a packet names, checked against the TAR and the algorithms; sets c->kvn. Returns a status code. */
static uint8_t pick_keyset(struct uicc_card *card, const struct sp_cmd_hdr *h, struct ota_check *c)
{
	uint8_t spi1 = h->spi[0];
	bool cipher = spi1 & SP_SPI1_CIPHER, cc = (spi1 & SP_SPI1_CHK_MASK) == SP_SPI1_CHK_CC;
	uint8_t kvn = cipher ? h->kic >> 4 : cc ? h->kid >> 4 : (h->kid >> 4 ? h->kid >> 4 : h->kic >> 4);
	const struct uicc_keyset *ks;

	c->kvn = kvn;
	if (!cipher && !cc)
		goto policy;
	if (cipher && cc && h->kic >> 4 != h->kid >> 4)
		return SP_STATUS_UNIDENTIFIED;
	ks = uicc_profile_keyset(uicc_card_profile(card), kvn);
	if (!ks || (c->tar->kvn_mask && !(c->tar->kvn_mask & (1u << kvn))))
		return SP_STATUS_UNIDENTIFIED;
	if ((cipher && (!ks->kic.len || (h->kic & 0x0F) != ks->kic_alg)) ||
	    (cc && (!ks->kid.len || (h->kid & 0x0F) != ks->kid_alg)))
		return SP_STATUS_UNIDENTIFIED;
	if (c->app->policy && !c->app->policy(spi1, cipher ? ks->kic_alg : 0, cc ? ks->kid_alg : 0))
		return SP_STATUS_INSUFFICIENT_SECURITY;
	return ota_re_keys(card, kvn, &c->keys) < 0 ? SP_STATUS_UNIDENTIFIED : SP_STATUS_OK;
policy:
	if (c->app->policy && !c->app->policy(spi1, 0, 0))
		return SP_STATUS_INSUFFICIENT_SECURITY;
	return SP_STATUS_OK;
}

/* Header checks before any cryptography. */
static uint8_t check_header(struct uicc_card *card, const struct ota_app *apps, size_t n_apps,
			    const struct sp_cmd_hdr *h, struct ota_check *c)
{
	c->tar = uicc_profile_tar(uicc_card_profile(card), h->tar);
	c->app = c->tar ? find_app(apps, n_apps, c->tar->app) : NULL;
	if (!c->app)
		return SP_STATUS_TAR_UNKNOWN;
	if (!sp_msl_satisfied(c->tar->msl, h->spi[0]))
		return SP_STATUS_INSUFFICIENT_SECURITY;
	return pick_keyset(card, h, c);
}

static uint8_t check_counter(struct uicc_card *card, struct ota_check *c, int *store_failed)
{
	const struct sp_cmd_hdr *h = &c->cmd.hdr;
	uint64_t stored = ota_re_counter(card, c->kvn, h->tar), next;
	enum sp_counter_result r = sp_counter_verdict(h->spi[0], stored, h->cntr, &next);
	struct sg_error err;

	if (r != SP_CNTR_ACCEPT)
		return sp_counter_status(r);
	if (next != stored && ota_re_counter_commit(card, c->kvn, h->tar, next, &err) < 0) {
		LOGP(DOTA, LOGL_ERROR, "counter not stored, command dropped: %s\n", err.msg);
		*store_failed = 1;
	}
	return SP_STATUS_OK;
}

int ota_re_check(struct uicc_card *card, const struct ota_app *apps, size_t n_apps, const uint8_t *pkt, size_t len,
		 enum sp_dialect dialect, struct ota_check *c, uint8_t *plain, size_t plain_size)
{
	struct sp_cmd_hdr h;
	struct sg_error err;
	enum sp_verdict v;
	int store_failed = 0;

	memset(c, 0, sizeof(*c));
	if (sp_command_peek(pkt, len, dialect, &h, &err) < 0) {
		LOGP(DOTA, LOGL_NOTICE, "not a command packet: %s\n", err.msg);
		c->status = SP_STATUS_UNIDENTIFIED;
		return 0;
	}
	c->cmd.hdr = h;
	c->have_hdr = true;
	c->status = check_header(card, apps, n_apps, &h, c);
	if (c->status != SP_STATUS_OK)
		goto refused;
	v = sp_command_verify(pkt, len, dialect, &c->keys, &c->cmd, plain, plain_size, &err);
	if (v != SP_VERDICT_OK) {
		c->status = sp_verdict_status(v);
		goto refused;
	}
	c->status = check_counter(card, c, &store_failed);
	if (c->status != SP_STATUS_OK)
		goto refused;
	return store_failed ? -1 : 0;
refused:
	LOGP(DOTA, LOGL_NOTICE, "packet for TAR %02X%02X%02X refused: %s\n", h.tar[0], h.tar[1], h.tar[2],
	     sp_status_name(c->status));
	sp_keys_cleanse(&c->keys);
	c->cmd.hdr = h;
	c->cmd.hdr.cntr = 0; /* never echo what a refused packet deciphered to */
	c->cmd.data = NULL;
	c->cmd.data_len = 0;
	return 0;
}
