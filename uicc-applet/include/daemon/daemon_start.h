/* Start-up every simguard daemon shares (ota-server, sms-gateway, uicc-sim, handset-sim): the -c/-h/-V options, a
 * talloc context with Osmocom logging on stderr, the VTY on loopback with the configuration file read through it,
 * and SIGTERM / SIGINT ending the libosmocore select loop so the program can shut down cleanly. It lives in the
 * card library only because every program links all area libraries; nothing in it is about cards. */
#pragma once

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include <osmocom/core/logging.h>

struct sg_daemon {
	const char *name;    /* program name: messages, talloc context, VTY banner */
	const char *version; /* printed by -V */
	void (*usage)(FILE *f);
	const struct log_info *log_info;
	int vty_port; /* telnet VTY on 127.0.0.1 */
	bool config_required;
	/* The program's own options besides -c/-h/-V (all may be NULL/0). `option` returns < 0 for a bad value
	 * (after saying what is wrong), which is a usage error. Long options with val 'c' are more names of -c. */
	const char *shortopts;
	const struct option *longopts;
	int (*option)(int opt, const char *arg, void *priv);
	void *priv;
};

/* Parses the command line: -c/--config-file FILE, -h/--help (exit 0), -V/--version (exit 0) and the program's own
 * options. A usage error prints the usage on stderr and exits 2. Returns the configuration file (NULL if none). */
const char *sg_daemon_parse_args(const struct sg_daemon *d, int argc, char **argv);

/* A talloc context named after the program, and Osmocom logging with d->log_info on stderr. */
void *sg_daemon_init(const struct sg_daemon *d);

/* vty_init with the logging and talloc commands, then the program's own (`install`, may be NULL), then the
 * configuration file if there is one. < 0 (after a message on stderr) if the file cannot be read. */
int sg_daemon_vty_config(void *ctx, const struct sg_daemon *d, const char *config_file, int (*install)(void *arg),
			 void *arg);

/* The telnet VTY on 127.0.0.1:d->vty_port (`priv` goes to the telnet connections). < 0 after a message. */
int sg_daemon_vty_listen(void *ctx, const struct sg_daemon *d, void *priv);

/* SIGPIPE ignored (a peer gone shows as a write error); SIGTERM / SIGINT request the end of the select loop. */
void sg_daemon_signals_init(void);

/* Runs the libosmocore select loop until SIGTERM / SIGINT (or osmo_select_shutdown_request) ends it. */
void sg_daemon_run(void);
