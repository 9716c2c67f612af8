/* Card access to the simulated UICC linked in-process ("sim:PROFILE[,IMAGE]"): no pcscd, no sockets, the card
 * engine's APDU entry point called directly. Without IMAGE the card state lives in memory only. */
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/card_access.h"
#include "uicc/card.h"

static int sim_power(struct pcsct_card *c, enum pcsct_power p, struct sg_error *err)
{
	struct uicc_card *card = c->priv;

	switch (p) {
	case PCSCT_POWER_OFF:
		uicc_card_power_off(card);
		break;
	case PCSCT_POWER_ON:
		if (!uicc_card_powered(card))
			uicc_card_power_on(card);
		break;
	case PCSCT_POWER_RESET:
		uicc_card_reset(card);
		break;
	}
	return 0;
}

static int sim_xfer(struct pcsct_card *c, const uint8_t *cmd, size_t len, uint8_t *rsp, size_t *rsp_len,
		    struct sg_error *err)
{
	if (*rsp_len < UICC_RSP_MAX)
		return sg_err(err, "response buffer smaller than %d bytes", UICC_RSP_MAX);
	if (uicc_card_apdu(c->priv, cmd, len, rsp, rsp_len) < 0)
		return sg_err(err, "simulated card %s is not powered", c->name);
	return 0;
}

static void sim_close(struct pcsct_card *c)
{
	uicc_card_free(c->priv);
}

static const struct pcsct_card_ops sim_ops = {
	.scheme = "sim",
	.power = sim_power,
	.xfer = sim_xfer,
	.close = sim_close,
};

int pcsct_sim_attach(void *ctx, struct uicc_card *card, const char *name, struct pcsct_card **out)
{
	struct pcsct_card *c = talloc_zero(ctx, struct pcsct_card);
	const uint8_t *atr;
	size_t atr_len;

	talloc_steal(c, card);
	uicc_card_power_on(card);
	c->ops = &sim_ops;
	c->priv = card;
	snprintf(c->name, sizeof(c->name), "%s", name);
	snprintf(c->protocol, sizeof(c->protocol), "direct");
	atr = uicc_card_atr(card, &atr_len);
	if (atr && atr_len <= PCSCT_ATR_MAX) {
		memcpy(c->atr, atr, atr_len);
		c->atr_len = atr_len;
	}
	c->powered = true;
	*out = c;
	return 0;
}

int pcsct_sim_open(void *ctx, const char *arg, struct pcsct_card **out, struct sg_error *err)
{
	char *profile = talloc_strdup(ctx, arg);
	char *image = strchr(profile, ',');
	struct uicc_card *card;

	if (image)
		*image++ = '\0';
	if (!profile[0]) {
		talloc_free(profile);
		return sg_err(err, "sim: needs a card profile file (sim:PROFILE[,IMAGE])");
	}
	uicc_log_init(NULL);
	card = uicc_card_open(ctx, profile, image && image[0] ? image : NULL, err);
	talloc_free(profile);
	if (!card)
		return -1;
	return pcsct_sim_attach(ctx, card, arg, out);
}
