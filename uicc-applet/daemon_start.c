/* Start-up shared by the simguard daemons: options -c/-h/-V, talloc context and logging, the VTY with the
 * configuration file, clean shutdown on SIGTERM / SIGINT. See daemon/daemon_start.h. */
#include <assert.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <osmocom/core/application.h>
#include <osmocom/core/select.h>
#include <osmocom/core/talloc.h>
#include <osmocom/vty/command.h>
#include <osmocom/vty/logging.h>
#include <osmocom/vty/misc.h>
#include <osmocom/vty/telnet_interface.h>
#include <osmocom/vty/vty.h>

#include "daemon/daemon_start.h"

#define MAX_LONGOPTS 48

static const struct option common_longopts[] = {
	{"config-file", required_argument, NULL, 'c'},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
};

static void usage_error(const struct sg_daemon *d)
{
	d->usage(stderr);
	exit(2);
}

/* The common long options followed by the program's own, terminated by a zero entry. */
static void merge_longopts(const struct sg_daemon *d, struct option *all)
{
	size_t n = sizeof(common_longopts) / sizeof(common_longopts[0]);
	const struct option *o;

	memcpy(all, common_longopts, sizeof(common_longopts));
	for (o = d->longopts; o && o->name; o++) {
		assert(n < MAX_LONGOPTS - 1);
		all[n++] = *o;
	}
	memset(&all[n], 0, sizeof(all[n]));
}

const char *sg_daemon_parse_args(const struct sg_daemon *d, int argc, char **argv)
{
	struct option longopts[MAX_LONGOPTS];
	char shortopts[64];
	const char *config = NULL;
	int c;

	merge_longopts(d, longopts);
	snprintf(shortopts, sizeof(shortopts), "c:hV%s", d->shortopts ? d->shortopts : "");
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			d->usage(stdout);
			exit(0);
		case 'V':
			printf("%s %s\n", d->name, d->version);
			exit(0);
		case '?':
			usage_error(d);
			break;
		default:
			if (!d->option || d->option(c, optarg, d->priv) < 0)
				usage_error(d);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", d->name, argv[optind]);
		usage_error(d);
	}
	if (d->config_required && !config) {
		fprintf(stderr, "%s: -c FILE is required\n", d->name);
		usage_error(d);
	}
	return config;
}

void *sg_daemon_init(const struct sg_daemon *d)
{
	void *ctx = talloc_named_const(NULL, 0, d->name);

	osmo_init_logging2(ctx, d->log_info);
	log_set_print_category(osmo_stderr_target, 1);
	log_set_print_level(osmo_stderr_target, 1);
	log_set_print_category_hex(osmo_stderr_target, 0);
	return ctx;
}

/* vty_init keeps pointers to these, so they live as long as the program. */
static struct vty_app_info vty_info;
static char vty_banner[64];

int sg_daemon_vty_config(void *ctx, const struct sg_daemon *d, const char *config_file, int (*install)(void *arg),
			 void *arg)
{
	vty_info.name = d->name;
	vty_info.version = d->version;
	snprintf(vty_banner, sizeof(vty_banner), "simguard %s\r\n", d->name);
	vty_info.copyright = vty_banner;
	vty_info.tall_ctx = ctx;
	vty_init(&vty_info);
	logging_vty_add_cmds();
	osmo_talloc_vty_add_cmds();
	if (install && install(arg) < 0) {
		fprintf(stderr, "%s: cannot install the VTY commands\n", d->name);
		return -1;
	}
	if (config_file && vty_read_config_file(config_file, NULL) < 0) {
		fprintf(stderr, "%s: cannot read config file %s\n", d->name, config_file);
		return -1;
	}
	return 0;
}

int sg_daemon_vty_listen(void *ctx, const struct sg_daemon *d, void *priv)
{
	if (telnet_init_default(ctx, priv, d->vty_port) < 0) {
		fprintf(stderr, "%s: cannot start the VTY on %s:%d\n", d->name, vty_get_bind_addr(), d->vty_port);
		return -1;
	}
	return 0;
}

static void on_signal(int sig)
{
	/* Only bumps a counter, so safe in a signal handler; the select loop sees it on its next round. */
	osmo_select_shutdown_request();
}

void sg_daemon_signals_init(void)
{
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
}

void sg_daemon_run(void)
{
	while (!osmo_select_shutdown_done())
		osmo_select_main_ctx(0);
}
