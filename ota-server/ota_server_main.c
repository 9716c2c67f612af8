/* ota-server: the operator's OTA platform (see specs/ota-server.md). `ota-server -c FILE`: libosmovty
 * configuration, VTY on loopback, Osmocom logging, HTTPS JSON API, SMPP link to the SMSC; SIGTERM / SIGINT end
 * it cleanly (in-flight commands stay in the store and are taken up again at the next start). */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include "api_internal.h"
#include "daemon/daemon_start.h"

#define VTY_PORT 4290

static const struct log_info_cat log_cats[] = {
	[DOSV] = {.name = "DOSV", .description = "ota-server", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DHTTP] = {.name = "DHTTP", .description = "HTTPS API requests", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DOSMPP] = {.name = "DOSMPP", .description = "SMPP link to the SMSC", .enabled = 1, .loglevel = LOGL_NOTICE},
	[DOTA] = {.name = "DOTA",
		  .description = "OTA commands, packets and PoRs",
		  .enabled = 1,
		  .loglevel = LOGL_NOTICE},
};

static const struct log_info log_info = {.cat = log_cats, .num_cat = ARRAY_SIZE(log_cats)};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: ota-server -c FILE\n"
		"  -c, --config-file FILE   libosmovty configuration (database / http / smpp / ota / owners / limits)\n"
		"  -V, --version            print the version\n"
		"  -h, --help               this text\n");
}

static const struct sg_daemon daemon_desc = {
	.name = "ota-server",
	.version = "1.0",
	.usage = usage,
	.log_info = &log_info,
	.vty_port = VTY_PORT,
	.config_required = true,
};

static int install_vty(void *cfg)
{
	osv_vty_init(cfg);
	return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct osv_server *srv = arg;

	LOGP(DOSV, LOGL_NOTICE, "signal %d: shutting down\n", (int)sig);
	event_base_loopbreak(srv->base);
}

/* Keys, store, and a look at the audit chain before serving anything. */
static int open_store(struct osv_server *srv)
{
	struct osv_audit_problem p;
	struct sg_error err;
	int64_t n;
	int rc;

	if (!srv->cfg.master_key_file[0]) {
		fprintf(stderr, "ota-server: database: master-key-file is required\n");
		return -1;
	}
	if (osv_keybox_load(&srv->kb, srv->cfg.master_key_file, &err) < 0) {
		fprintf(stderr, "ota-server: %s\n", err.msg);
		return -1;
	}
	srv->store = osv_store_open(srv->cfg.db_uri, &srv->kb, srv->cfg.instance, &err);
	if (!srv->store || osv_cmd_release_mine(srv->store, &err) < 0) {
		fprintf(stderr, "ota-server: %s\n", err.msg);
		return -1;
	}
	rc = osv_audit_verify(srv->store, &p, &n, &err);
	if (rc < 0)
		LOGP(DOSV, LOGL_ERROR, "audit log: cannot check: %s\n", err.msg);
	else if (rc > 0)
		LOGP(DOSV, LOGL_ERROR, "audit log: entry %lld: %s\n", (long long)p.seq, p.what);
	else
		LOGP(DOSV, LOGL_NOTICE, "audit log: %lld entries, chain intact\n", (long long)n);
	return 0;
}

static int serve(struct osv_server *srv)
{
	struct event *sigterm, *sigint;
	struct sg_error err;

	srv->base = event_base_new();
	srv->rl = osv_ratelimit_new();
	if (!srv->base || !srv->rl)
		return -1;
	if (osv_http_start(srv, &err) < 0) {
		fprintf(stderr, "ota-server: %s\n", err.msg);
		return -1;
	}
	if (osv_dispatcher_start(srv) < 0)
		return -1;
	sigterm = evsignal_new(srv->base, SIGTERM, on_signal, srv);
	sigint = evsignal_new(srv->base, SIGINT, on_signal, srv);
	event_add(sigterm, NULL);
	event_add(sigint, NULL);
	LOGP(DOSV, LOGL_NOTICE, "serving https://%s:%u, SMSC %s:%u, instance %s\n", srv->cfg.http_ip,
	     srv->cfg.http_port, srv->cfg.smpp_host, srv->cfg.smpp_port, srv->cfg.instance);
	event_base_dispatch(srv->base);
	event_free(sigterm);
	event_free(sigint);
	osv_http_stop(srv);
	osv_dispatcher_stop(srv);
	return 0;
}

int main(int argc, char **argv)
{
	const char *cfg_file = sg_daemon_parse_args(&daemon_desc, argc, argv);
	void *ctx = sg_daemon_init(&daemon_desc);
	struct osv_server *srv = calloc(1, sizeof(*srv));
	int rc;

	osv_server_cfg_defaults(&srv->cfg);
	if (sg_daemon_vty_config(ctx, &daemon_desc, cfg_file, install_vty, &srv->cfg) < 0)
		return 2;
	if (sg_daemon_vty_listen(ctx, &daemon_desc, NULL) < 0)
		return 1;
	/* libevent runs this loop (the select loop only in its turn), so the signals are libevent's: see serve() */
	signal(SIGPIPE, SIG_IGN);
	rc = open_store(srv) < 0 ? 1 : 0;
	osv_vty_set_store(srv->store);
	if (rc == 0 && serve(srv) < 0)
		rc = 1;
	osv_vty_set_store(NULL);
	osv_store_close(srv->store);
	osv_ratelimit_free(srv->rl);
	if (srv->base)
		event_base_free(srv->base);
	osv_keybox_cleanse(&srv->kb);
	free(srv);
	log_fini();
	talloc_free(ctx);
	return rc;
}
