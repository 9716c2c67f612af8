/* uicc-sim: runs one simulated UICC from its profile and card image. With --vpcd it is the card in pcscd's virtual
 * reader (any PC/SC client sees it), with --gsmtap every APDU is also sent as GSMTAP SIM. Without --vpcd it only
 * creates or checks the card image and prints what card it is.
 * `-c FILE` libosmovty config, VTY on 127.0.0.1:4278, Osmocom logging, clean shutdown on SIGTERM / SIGINT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/vty.h>

#include "daemon/daemon_start.h"
#include "uicc/card.h"
#include "uicc/profile.h"
#include "uicc/store.h"
#include "gsmtap_sim.h"
#include "vpcd.h"

#define VTY_PORT     4278
#define RECONNECT_MS 500

struct options {
	const char *profile;
	const char *image;
	const char *vpcd;
	const char *gsmtap;
};

static struct uicc_card *g_card;
static struct vpcd_link *g_link;

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: uicc-sim --profile FILE --image FILE [--vpcd HOST[:PORT]] [--gsmtap HOST] [-c FILE]\n"
		"Run a simulated UICC from a card profile (JSON, specs/card-profile.md) and its card image.\n"
		"  -p, --profile FILE   card profile\n"
		"  -i, --image FILE     card image (created from the profile when missing)\n"
		"  -v, --vpcd HOST:PORT connect to pcscd's vpcd reader (default port %d) and serve APDUs\n"
		"  -g, --gsmtap HOST    send every APDU as GSMTAP SIM to HOST (UDP 4729)\n"
		"  -c, --config FILE    libosmovty configuration (logging, line vty)\n"
		"  -V, --version        print the version\n"
		"  -h, --help           this text\n"
		"Without --vpcd the image is created or checked and the card described; exit 0 ok,\n"
		"2 for a usage, profile or image error.\n",
		VPCD_DEFAULT_PORT);
}

static int take_option(int opt, const char *arg, void *priv)
{
	struct options *o = priv;

	switch (opt) {
	case 'p':
		o->profile = arg;
		return 0;
	case 'i':
		o->image = arg;
		return 0;
	case 'v':
		o->vpcd = arg;
		return 0;
	case 'g':
		o->gsmtap = arg;
		return 0;
	}
	return -1;
}

static const struct option longopts[] = {
	{"profile", required_argument, NULL, 'p'}, {"image", required_argument, NULL, 'i'},
	{"vpcd", required_argument, NULL, 'v'},	   {"gsmtap", required_argument, NULL, 'g'},
	{"config", required_argument, NULL, 'c'},  {NULL, 0, NULL, 0},
};

static struct options opts;

static const struct sg_daemon daemon_desc = {
	.name = "uicc-sim",
	.version = "1.0",
	.usage = usage,
	.log_info = &uicc_log_info,
	.vty_port = VTY_PORT,
	.shortopts = "p:i:v:g:",
	.longopts = longopts,
	.option = take_option,
	.priv = &opts,
};

DEFUN(show_uicc, show_uicc_cmd, "show uicc", SHOW_STR "The simulated UICC\n")
{
	const struct uicc_profile *p = uicc_card_profile(g_card);

	vty_out(vty, "ICCID %s IMSI %s%s", p->iccid, p->imsi, VTY_NEWLINE);
	vty_out(vty, "power %s, vpcd link %s, image generation %llu%s", uicc_card_powered(g_card) ? "on" : "off",
		g_link ? (vpcd_link_connected(g_link) ? "up" : "down") : "not used",
		(unsigned long long)uicc_store_generation(uicc_card_store(g_card)), VTY_NEWLINE);
	return CMD_SUCCESS;
}

static int install_vty(void *arg)
{
	install_element_ve(&show_uicc_cmd);
	return 0;
}

static void describe(struct uicc_card *card)
{
	const struct uicc_profile *p = uicc_card_profile(card);
	const uint8_t *atr;
	size_t atr_len;

	atr = uicc_card_atr(card, &atr_len);
	printf("ICCID %s IMSI %s image generation %llu ATR %s\n", p->iccid, p->imsi,
	       (unsigned long long)uicc_store_generation(uicc_card_store(card)), osmo_hexdump_nospc(atr, atr_len));
}

static int serve(void *ctx, const struct options *o)
{
	struct gsmtap_sim *gs = NULL;
	char *host;
	uint16_t port;

	if (vpcd_parse_addr(ctx, o->vpcd, &host, &port) < 0) {
		fprintf(stderr, "uicc-sim: --vpcd '%s': expected HOST or HOST:PORT with a port 1..65535\n", o->vpcd);
		return 2;
	}
	if (o->gsmtap) {
		gs = gsmtap_sim_open(ctx, o->gsmtap);
		if (!gs) {
			fprintf(stderr, "uicc-sim: --gsmtap '%s': cannot open a GSMTAP sink\n", o->gsmtap);
			return 2;
		}
	}
	g_link = vpcd_link_start(ctx, g_card, host, port, RECONNECT_MS, gs ? gsmtap_sim_trace : NULL, gs);
	LOGP(DVPCD, LOGL_NOTICE, "serving ICCID %s to vpcd %s:%u\n", uicc_card_profile(g_card)->iccid, host, port);
	sg_daemon_signals_init();
	sg_daemon_run();
	LOGP(DVPCD, LOGL_NOTICE, "shutting down\n");
	vpcd_link_stop(g_link);
	g_link = NULL;
	if (gs)
		gsmtap_sim_close(gs);
	return 0;
}

int main(int argc, char **argv)
{
	const char *config = sg_daemon_parse_args(&daemon_desc, argc, argv);
	void *ctx;
	struct sg_error err;
	int rc;

	if (!opts.profile || !opts.image) {
		fprintf(stderr, "uicc-sim: --profile and --image are required\n");
		usage(stderr);
		return 2;
	}
	ctx = sg_daemon_init(&daemon_desc);
	g_card = uicc_card_open(ctx, opts.profile, opts.image, &err);
	if (!g_card) {
		fprintf(stderr, "uicc-sim: %s\n", err.msg);
		return 2;
	}
	if (!opts.vpcd) {
		describe(g_card);
		uicc_card_free(g_card);
		talloc_free(ctx);
		return 0;
	}
	if (sg_daemon_vty_config(ctx, &daemon_desc, config, install_vty, NULL) < 0 ||
	    sg_daemon_vty_listen(ctx, &daemon_desc, NULL) < 0) {
		uicc_card_free(g_card);
		return 2;
	}
	rc = serve(ctx, &opts);
	uicc_card_power_off(g_card);
	uicc_card_free(g_card);
	return rc;
}
