/* simtool: a tester's tool for real and simulated cards — readers and ATRs, APDUs and scriptor scripts, TERMINAL
 * PROFILE, OTA delivery with PoR decoding, CAT decoding, personalisation of the simulated card. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <talloc.h>

#include "pcsct/simtool.h"
#include "simguard/hex.h"

static const char usage_text[] =
	"usage: simtool [-c CARD] [--json] [-v] [--answers FILE] [--interactive] COMMAND [ARGS]\n"
	"\n"
	"CARD is pcsc:READER-SUBSTRING (first reader with a card when empty), sim:PROFILE[,IMAGE] (the simulated\n"
	"UICC in-process) or replay:FILE; default $SIMTOOL_CARD, else pcsc:.\n"
	"\n"
	"commands:\n"
	"  readers                       list PC/SC readers and the ATRs of their cards\n"
	"  info                          ATR, protocol, ICCID, USIM AID, IMSI, PIN state of the card\n"
	"  apdu [--raw] HEX...           send command APDUs (61xx/6Cxx handled unless --raw)\n"
	"  script [--raw] FILE           run a pcsc-tools scriptor file (hex APDUs, reset, exit, # comments)\n"
	"  terminal-profile [HEX]        send TERMINAL PROFILE (default " PCSCT_PROFILE_DEFAULT ") and serve\n"
	"                                the proactive commands that follow\n"
	"  envelope HEX                  send an ENVELOPE (D1..DD) and serve the proactive commands that follow\n"
	"  ota OPTIONS                   deliver an OTA packet by SMS-PP or USSD data download and decode the PoR;\n"
	"                                'simtool ota --help' for the options\n"
	"  cat decode HEX                decode a proactive command, terminal response or envelope as JSON\n"
	"  personalize OPTIONS           write keys, counters and files of the simulated card (or files of any\n"
	"                                card by APDUs); 'simtool personalize --help'\n"
	"\n"
	"options:\n"
	"  -c, --card CARD     the card to use\n"
	"  -j, --json          print one JSON object with the result\n"
	"  -v, --verbose       show every APDU and every toolkit action on stderr\n"
	"  -a, --answers FILE  answers to GET INKEY / GET INPUT / SELECT ITEM / DISPLAY TEXT, in order\n"
	"                      (lines: text STRING | item N | ok | back | end | help | none)\n"
	"  -i, --interactive   ask the keyboard when the answers run out\n"
	"      --max-commands N  proactive commands served per session (default 64)\n"
	"  -h, --help          this text\n"
	"\n"
	"exit status: 0 ok, 1 the card answered with an error or a check failed, 2 usage or input error\n";

void simtool_print(struct simtool *st, const char *fmt, ...)
{
	va_list ap;

	if (st->json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

int simtool_error(struct simtool *st, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "simtool: %s\n", msg);
	if (st->json)
		json_object_set_new(st->out, "error", json_string(msg));
	return code;
}

char *simtool_hex(struct simtool *st, const uint8_t *b, size_t len)
{
	char *s = talloc_size(st->ctx, 2 * len + 1);

	return sg_hex_encode(b, len, s, 2 * len + 1);
}

int simtool_open_card(struct simtool *st)
{
	struct sg_error err;

	if (st->card)
		return 0;
	if (pcsct_card_open(st->ctx, st->card_spec, &st->card, &err) < 0)
		return simtool_error(st,
				     strncmp(st->card_spec, "pcsc:", 5) && strncmp(st->card_spec, "sim:", 4) &&
						     strncmp(st->card_spec, "replay:", 7)
					     ? SIMTOOL_USAGE
					     : SIMTOOL_FAILED,
				     "%s", err.msg);
	if (st->verbose) {
		st->tracer.out = stderr;
		st->card->trace = pcsct_trace_redacted;
		st->card->trace_arg = &st->tracer;
	}
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(struct simtool *st, int argc, char **argv);
} commands[] = {
	{"readers", simtool_cmd_readers},
	{"info", simtool_cmd_info},
	{"apdu", simtool_cmd_apdu},
	{"script", simtool_cmd_script},
	{"terminal-profile", simtool_cmd_terminal_profile},
	{"envelope", simtool_cmd_envelope},
	{"ota", simtool_cmd_ota},
	{"cat", simtool_cmd_cat},
	{"personalize", simtool_cmd_personalize},
};

static int parse_global(struct simtool *st, int argc, char **argv)
{
	static const struct option opts[] = {
		{"card", required_argument, NULL, 'c'},	 {"json", no_argument, NULL, 'j'},
		{"verbose", no_argument, NULL, 'v'},	 {"answers", required_argument, NULL, 'a'},
		{"interactive", no_argument, NULL, 'i'}, {"max-commands", required_argument, NULL, 'm'},
		{"help", no_argument, NULL, 'h'},	 {NULL, 0, NULL, 0},
	};
	struct sg_error err;
	int c;

	while ((c = getopt_long(argc, argv, "+c:jva:ih", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			st->card_spec = optarg;
			break;
		case 'j':
			st->json = true;
			break;
		case 'v':
			st->verbose = true;
			break;
		case 'a':
			if (pcsct_answers_load(st->ctx, optarg, &st->answers, &err) < 0)
				return simtool_error(st, SIMTOOL_USAGE, "%s", err.msg);
			break;
		case 'i':
			st->interactive = true;
			break;
		case 'm':
			st->max_commands = (unsigned int)atoi(optarg);
			if (st->max_commands < 1 || st->max_commands > 10000)
				return simtool_error(st, SIMTOOL_USAGE, "--max-commands: 1..10000");
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			return SIMTOOL_USAGE;
		}
	}
	return 0;
}

static int run(struct simtool *st, int argc, char **argv)
{
	size_t i;
	int rc = parse_global(st, argc, argv);

	if (rc)
		return rc;
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return SIMTOOL_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name) == 0) {
			char **sub = argv + optind;
			int subc = argc - optind;
			const char *next = optind + 1 < argc ? argv[optind + 1] : "";

			/* ota and personalize have their own help; the others are described in the main one */
			if ((!strcmp(next, "--help") || !strcmp(next, "-h")) && strcmp(commands[i].name, "ota") &&
			    strcmp(commands[i].name, "personalize")) {
				fputs(usage_text, stdout);
				exit(0);
			}
			json_object_set_new(st->out, "command", json_string(commands[i].name));
			optind = 0; /* getopt restarts on the subcommand's arguments */
			return commands[i].fn(st, subc, sub);
		}
	}
	return simtool_error(st, SIMTOOL_USAGE, "unknown command '%s' (simtool --help lists them)", argv[optind]);
}

int main(int argc, char **argv)
{
	struct simtool st;
	int rc;

	memset(&st, 0, sizeof(st));
	st.ctx = talloc_named_const(NULL, 0, "simtool");
	st.card_spec = getenv("SIMTOOL_CARD") ? getenv("SIMTOOL_CARD") : "pcsc:";
	st.max_commands = 64;
	st.out = json_object();
	pcsct_me_cfg_default(&st.me_cfg);
	rc = run(&st, argc, argv);
	if (st.json) {
		json_object_set_new(st.out, "exit", json_integer(rc));
		json_dumpf(st.out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
	}
	json_decref(st.out);
	pcsct_card_close(st.card);
	talloc_free(st.ctx);
	return rc;
}
