/* Osmocom logging categories of the card library (uicc/card.h). */
#include <osmocom/core/logging.h>
#include <osmocom/core/utils.h>

#include "uicc/card.h"

static const struct log_info_cat uicc_log_cats[] = {
	[DUICC] = {.name = "DUICC",
		   .description = "UICC core: power, files, PINs, authentication",
		   .enabled = 1,
		   .loglevel = LOGL_NOTICE},
	[DAPDU] = {.name = "DAPDU", .description = "APDU trace", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DSTORE] = {.name = "DSTORE", .description = "Card image persistence", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DVPCD] = {.name = "DVPCD", .description = "vpcd link to pcscd", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DCAT] = {.name = "DCAT", .description = "Card Application Toolkit", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DOTA] = {.name = "DOTA", .description = "OTA receiving entity", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DAPPLET] = {.name = "DAPPLET", .description = "Anti-theft applet", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DRFM] = {.name = "DRFM", .description = "Remote file management", .enabled = 1, .loglevel = LOGL_NOTICE},
};

const struct log_info uicc_log_info = {
	.cat = uicc_log_cats,
	.num_cat = ARRAY_SIZE(uicc_log_cats),
};

void uicc_log_init(void *ctx)
{
	if (!osmo_log_info)
		log_init(&uicc_log_info, ctx);
}
