/* simtool's shared context and subcommands (simtool_*.c); main() is in simtool_main.c. Every subcommand returns
 * an exit code: 0 ok, 1 the card or a check failed, 2 usage or input error. With --json the subcommand fills
 * st->out and main prints it once. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "pcsct/answers.h"
#include "pcsct/card_access.h"
#include "pcsct/me.h"
#include "pcsct/session.h"
#include "pcsct/trace.h"

enum {
	SIMTOOL_OK = 0,
	SIMTOOL_FAILED = 1,
	SIMTOOL_USAGE = 2,
};

struct simtool {
	void *ctx;
	const char *card_spec;
	bool json;
	bool verbose;
	bool interactive;	   /* ask the keyboard when the answers run out */
	unsigned int max_commands; /* proactive commands served per session */
	struct pcsct_card *card;
	struct pcsct_tracer tracer;
	struct pcsct_answers answers;
	struct pcsct_me_cfg me_cfg;
	struct pcsct_me me;
	bool me_ready;
	json_t *out;	   /* the --json result object */
	json_t *proactive; /* array of served commands */
	/* SEND SHORT MESSAGE TPDUs the card sent during the session (the PoR may be among them) */
	uint8_t mo[8][176];
	size_t mo_len[8];
	unsigned int n_mo;
	/* SEND USSD strings (the PoR of the USSD dialect may be among them) */
	uint8_t mo_ussd[4][256];
	size_t mo_ussd_len[4];
	unsigned int n_mo_ussd;
};

/* Human output (suppressed with --json) and errors (always on stderr). */
void simtool_print(struct simtool *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int simtool_error(struct simtool *st, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Open st->card_spec if not yet open. Returns 0 or SIMTOOL_FAILED / SIMTOOL_USAGE with the message printed. */
int simtool_open_card(struct simtool *st);
/* Hex string of bytes, allocated under st->ctx. */
char *simtool_hex(struct simtool *st, const uint8_t *b, size_t len);

/* Serve proactive commands from sw on (see pcsct_session_serve); prints / records each command. Returns 0 when
 * the card ended idle, SIMTOOL_FAILED otherwise. *last_sw gets the final status word. */
int simtool_serve(struct simtool *st, uint16_t sw, uint16_t *last_sw);
/* Send TERMINAL PROFILE (profile NULL: the default one) and serve what the card starts. */
int simtool_send_profile(struct simtool *st, const uint8_t *profile, size_t len);

int simtool_cmd_readers(struct simtool *st, int argc, char **argv);
int simtool_cmd_info(struct simtool *st, int argc, char **argv);
int simtool_cmd_apdu(struct simtool *st, int argc, char **argv);
int simtool_cmd_script(struct simtool *st, int argc, char **argv);
int simtool_cmd_terminal_profile(struct simtool *st, int argc, char **argv);
int simtool_cmd_envelope(struct simtool *st, int argc, char **argv);
int simtool_cmd_cat(struct simtool *st, int argc, char **argv);
int simtool_cmd_ota(struct simtool *st, int argc, char **argv);
int simtool_cmd_personalize(struct simtool *st, int argc, char **argv);
