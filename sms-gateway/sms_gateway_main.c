/* sms-gateway: SMPP 3.4 gateway between OTA servers, upstream SMSCs and lab handsets (see specs/sms-gateway.md).
 * `sms-gateway -c FILE`, VTY on loopback, Osmocom logging, clean shutdown on SIGTERM / SIGINT. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/rate_ctr.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "daemon/daemon_start.h"
#include "smsgw/gw.h"

#define VTY_PORT 4280

struct gw *g_gw;
void *gw_ctx;

static const struct log_info_cat log_cats[] = {
	[DSMPP] = {.name = "DSMPP",
		   .description = "SMPP sessions with ESMEs and handsets",
		   .enabled = 1,
		   .loglevel = LOGL_NOTICE},
	[DROUTE] = {.name = "DROUTE", .description = "Routing and delivery", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DQUEUE] = {.name = "DQUEUE", .description = "On-disk message queue", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DUPSTREAM] = {.name = "DUPSTREAM",
		       .description = "Upstream SMSC links",
		       .enabled = 1,
		       .loglevel = LOGL_NOTICE},
};

static const struct log_info log_info = {.cat = log_cats, .num_cat = ARRAY_SIZE(log_cats)};

static const struct rate_ctr_desc ctr_desc[] = {
	[GW_CTR_SUBMIT_RX] = {"submit:received", "submit_sm / data_sm received"},
	[GW_CTR_SUBMIT_REJ] = {"submit:rejected", "submits answered with an error status"},
	[GW_CTR_DUPLICATE] = {"submit:duplicate", "duplicate submits answered with the first message id"},
	[GW_CTR_DELIVER_TX] = {"deliver:sent", "deliver_sm sent to ESMEs and handsets"},
	[GW_CTR_UPSTREAM_TX] = {"upstream:sent", "submit_sm sent to upstream SMSCs"},
	[GW_CTR_DELIVERED] = {"msg:delivered", "messages the next hop accepted"},
	[GW_CTR_FAILED] = {"msg:failed", "messages failed for good"},
	[GW_CTR_RECEIPT_TX] = {"receipt:generated", "delivery receipts generated"},
	[GW_CTR_NACK] = {"pdu:rejected", "malformed or unsupported PDUs"},
	[GW_CTR_BIND_FAIL] = {"bind:refused", "binds refused"},
	[GW_CTR_THROTTLED] = {"msg:throttled", "ESME_RTHROTTLED / ESME_RMSGQFUL from the next hop"},
	[GW_CTR_SPLIT] = {"ota:split", "OTA packets split into concatenated SMS"},
	[GW_CTR_REASM] = {"mo:reassembled", "concatenated MO reassembled"},
	[GW_CTR_BAD_SOURCE] = {"submit:bad-source", "submits and upstream MO refused for their source address"},
};

static const struct rate_ctr_group_desc ctrg_desc = {
	.group_name_prefix = "smsgw",
	.group_description = "SMS gateway",
	.num_ctr = ARRAY_SIZE(ctr_desc),
	.ctr_desc = ctr_desc,
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sms-gateway -c FILE\n"
		   "  -c, --config-file FILE   libosmovty configuration (smpp / route / queue nodes)\n"
		   "  -V, --version            print the version\n"
		   "  -h, --help               this text\n");
}

static const struct sg_daemon daemon_desc = {
	.name = "sms-gateway",
	.version = "1.0",
	.usage = usage,
	.log_info = &log_info,
	.vty_port = VTY_PORT,
	.config_required = true,
};

static int install_vty(void *gw)
{
	return gw_vty_init(gw);
}

static void shutdown_gw(struct gw *gw)
{
	struct gw_conn *c, *tmp;
	struct gw_route *r;

	gw->shutting_down = true;
	LOGP(DSMPP, LOGL_NOTICE, "shutting down: %u queued, %u in flight stay in the queue database\n", gw->n_pending,
	     gw->n_inflight);
	llist_for_each_entry(r, &gw->cfg.routes, list) {
		osmo_timer_del(&r->reconnect);
		if (r->type == GW_ROUTE_PCSC)
			gw_pcsc_close(r);
	}
	llist_for_each_entry_safe(c, tmp, &gw->conns, list)
		gw_conn_close(c, "shutdown");
	osmo_timer_del(&gw->dispatch_timer);
	osmo_timer_del(&gw->housekeeping);
	gw_store_close(gw->store);
	gw->store = NULL;
}

int main(int argc, char **argv)
{
	const char *cfg_file = sg_daemon_parse_args(&daemon_desc, argc, argv);
	struct gw_route *r;
	struct gw *gw;

	gw_ctx = sg_daemon_init(&daemon_desc);
	gw = g_gw = talloc_zero(gw_ctx, struct gw);
	gw_cfg_defaults(&gw->cfg);
	INIT_LLIST_HEAD(&gw->conns);
	gw->ctrs = rate_ctr_group_alloc(gw, &ctrg_desc, 0);

	if (sg_daemon_vty_config(gw_ctx, &daemon_desc, cfg_file, install_vty, gw) < 0)
		return 2;
	if (sg_daemon_vty_listen(gw_ctx, &daemon_desc, gw) < 0)
		return 1;
	gw->store = gw_store_open(gw, gw->cfg.db_path);
	if (!gw->store || gw_queue_load(gw) < 0 || gw_server_start(gw) < 0)
		return 1;
	llist_for_each_entry(r, &gw->cfg.routes, list)
		if (r->type == GW_ROUTE_UPSTREAM)
			gw_upstream_start(gw, r);

	sg_daemon_signals_init();
	sg_daemon_run();
	shutdown_gw(gw);
	log_fini();
	talloc_free(gw_ctx);
	return 0;
}
