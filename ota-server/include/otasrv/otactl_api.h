/* otactl's command groups that talk to the ota-server's HTTPS API (cards, owners, devices, commands, audit), the
 * options they share and the HTTPS client they use. Connection options (also from the environment):
 * --server URL (OTACTL_SERVER, default https://127.0.0.1:8443), --ca FILE (OTACTL_CA), operators --cert FILE
 * --key FILE (OTACTL_CERT, OTACTL_KEY), owners --token TOKEN (OTACTL_TOKEN). Exit: 0 ok, 1 a check failed or
 * the server could not be reached, 2 usage or input error (a 4xx answer included). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "otasrv/otactl.h"

int otactl_cards(int argc, char **argv, const struct otactl_global *global);
int otactl_owners(int argc, char **argv, const struct otactl_global *global);
int otactl_devices(int argc, char **argv, const struct otactl_global *global);
int otactl_commands(int argc, char **argv, const struct otactl_global *global);
int otactl_audit(int argc, char **argv, const struct otactl_global *global);

#define OTACTL_MAX_POS 8
#define OTACTL_MAX_OPTS 24

/* A subcommand's command line: positional arguments and --name [value] options. */
struct otactl_args {
	const char *pos[OTACTL_MAX_POS];
	int npos;
	const char *names[OTACTL_MAX_OPTS];
	const char *vals[OTACTL_MAX_OPTS];
	int nopt;
	bool json, help;
};

/* Parse argv (argv[0] = subcommand). allowed: space-separated option names, "name=" for those taking a value;
 * the connection options and --json / --help are always allowed. -1 after one line on stderr. */
int otactl_args_parse(int argc, char **argv, const char *allowed, const struct otactl_global *g,
		      struct otactl_args *a);
const char *otactl_opt(const struct otactl_args *a, const char *name);

/* A secret from a file (first line) or standard input ("-"), never from the command line. */
int otactl_read_secret(const char *file, const char *what, char *buf, size_t size);

/* One HTTPS request. ctype NULL: no body. *reply gets the JSON answer (may be NULL), *raw the body as text when
 * wanted (malloc'ed). Returns the HTTP status, or -1 after a message (connection or TLS trouble). */
int otactl_http(const struct otactl_args *a, const char *method, const char *path, const char *ctype,
		const char *body, size_t len, json_t **reply, char **raw);

/* Turn an answer into the exit code: 2xx -> print (JSON with --json, else via show), 4xx -> the server's error
 * on stderr and exit 2, others -> exit 1. show may be NULL (then JSON is printed anyway). */
int otactl_answer(const struct otactl_args *a, int status, json_t *reply, void (*show)(json_t *reply));

/* A subcommand of a group. */
struct otactl_sub {
	const char *name;
	const char *usage; /* "NAME [--opt V]..." */
	const char *allowed;
	int npos_min, npos_max;
	int (*run)(const struct otactl_args *a);
};

/* Find and run the subcommand named in argv[1]; prints the group's help for --help or a bad name. */
int otactl_run_sub(const char *group, const struct otactl_sub *subs, int argc, char **argv,
		   const struct otactl_global *g);
