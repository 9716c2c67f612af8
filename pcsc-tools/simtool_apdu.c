/* simtool readers / info / apdu / script: the plain PC/SC tester's commands. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/script.h"
#include "pcsct/simtool.h"
#include "pcsct/usim.h"
#include "simguard/hex.h"

#define MAX_READERS 16
#define MAX_SCRIPT  (1 << 20)

int simtool_cmd_readers(struct simtool *st, int argc, char **argv)
{
	struct pcsct_reader r[MAX_READERS];
	struct sg_error err;
	json_t *list = json_array();
	int n = pcsct_pcsc_list(r, MAX_READERS, &err), i;

	json_object_set_new(st->out, "readers", list);
	if (n < 0)
		return simtool_error(st, SIMTOOL_FAILED, "%s", err.msg);
	if (n == 0)
		simtool_print(st, "no PC/SC readers\n");
	for (i = 0; i < n; i++) {
		char *atr = simtool_hex(st, r[i].atr, r[i].atr_len);

		simtool_print(st, "%d: %s\n   %s\n", i, r[i].name, r[i].card_present ? atr : "(no card)");
		json_array_append_new(list, json_pack("{s:s,s:b,s:o}", "name", r[i].name, "card", r[i].card_present,
						      "atr", r[i].card_present ? json_string(atr) : json_null()));
	}
	return SIMTOOL_OK;
}

int simtool_cmd_info(struct simtool *st, int argc, char **argv)
{
	struct pcsct_usim u;
	struct sg_error err;
	enum pcsct_pin_state pin;
	int retries, rc = simtool_open_card(st);
	static const char *const pin_names[] = {"verified or disabled", "needed", "blocked"};

	if (rc)
		return rc;
	memset(&u, 0, sizeof(u));
	json_object_set_new(st->out, "card", json_string(st->card->name));
	json_object_set_new(st->out, "protocol", json_string(st->card->protocol));
	json_object_set_new(st->out, "atr", json_string(simtool_hex(st, st->card->atr, st->card->atr_len)));
	simtool_print(st, "card:     %s (%s)\nATR:      %s\n", st->card->name, st->card->protocol,
		      simtool_hex(st, st->card->atr, st->card->atr_len));
	if (pcsct_usim_read_iccid(st->card, &u, &err) < 0 || pcsct_usim_select(st->card, &u, &err) < 0 ||
	    pcsct_pin_state(st->card, &pin, &retries, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "%s", err.msg);
	json_object_set_new(st->out, "iccid", json_string(u.iccid));
	json_object_set_new(st->out, "usim_aid", json_string(simtool_hex(st, u.aid, u.aid_len)));
	json_object_set_new(st->out, "pin1", json_string(pin_names[pin]));
	simtool_print(st, "ICCID:    %s\nUSIM AID: %s\nPIN1:     %s", u.iccid, simtool_hex(st, u.aid, u.aid_len),
		      pin_names[pin]);
	simtool_print(st, retries >= 0 ? " (%d tries left)\n" : "\n", retries);
	if (pin != PCSCT_PIN_VERIFIED)
		return SIMTOOL_OK; /* EF.IMSI needs PIN1 */
	if (pcsct_usim_read_imsi(st->card, &u, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "%s", err.msg);
	json_object_set_new(st->out, "imsi", json_string(u.imsi));
	simtool_print(st, "IMSI:     %s\n", u.imsi);
	return SIMTOOL_OK;
}

/* Send one APDU and record it. Returns 0 when the card answered with a success status word, 1 when it answered
 * with an error, -1 when it did not answer. */
static int exchange(struct simtool *st, json_t *list, const uint8_t *apdu, size_t len, bool raw)
{
	struct pcsct_rsp rsp;
	struct sg_error err;
	char desc[96];
	int rc;

	if (raw) {
		size_t n = PCSCT_RAW_MAX;

		rc = st->card->ops->xfer(st->card, apdu, len, rsp.data, &n, &err);
		if (rc == 0 && n < 2)
			rc = sg_err(&err, "card answered without a status word");
		rsp.len = rc == 0 ? n - 2 : 0;
		rsp.sw = rc == 0 ? (uint16_t)(rsp.data[n - 2] << 8 | rsp.data[n - 1]) : 0;
	} else {
		rc = pcsct_transmit(st->card, apdu, len, &rsp, &err);
	}
	if (rc < 0) {
		json_array_append_new(list,
				      json_pack("{s:s,s:s}", "command", simtool_hex(st, apdu, len), "error", err.msg));
		simtool_print(st, "> %s\n", simtool_hex(st, apdu, len));
		fprintf(stderr, "simtool: %s\n", err.msg);
		return -1;
	}
	apdu_sw_describe(rsp.sw, desc, sizeof(desc));
	json_array_append_new(list,
			      json_pack("{s:s,s:s,s:s,s:s}", "command", simtool_hex(st, apdu, len), "response",
					simtool_hex(st, rsp.data, rsp.len), "sw",
					simtool_hex(st, (uint8_t[]){rsp.sw >> 8, rsp.sw & 0xFF}, 2), "sw_text", desc));
	simtool_print(st, "> %s\n< %s%s%s\n", simtool_hex(st, apdu, len), simtool_hex(st, rsp.data, rsp.len),
		      rsp.len ? " " : "", desc);
	return apdu_sw_is_success(rsp.sw) ? 0 : 1;
}

static int parse_raw_flag(int argc, char **argv, bool *raw)
{
	static const struct option opts[] = {{"raw", no_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
	int c;

	*raw = false;
	while ((c = getopt_long(argc, argv, "+r", opts, NULL)) != -1) {
		if (c != 'r')
			return -1;
		*raw = true;
	}
	return 0;
}

int simtool_cmd_apdu(struct simtool *st, int argc, char **argv)
{
	uint8_t apdu[64][APDU_SHORT_MAX];
	size_t len[64];
	struct sg_error err;
	json_t *list = json_array();
	bool raw, failed = false;
	int i, n, rc;

	json_object_set_new(st->out, "exchanges", list);
	if (parse_raw_flag(argc, argv, &raw) < 0 || optind >= argc || argc - optind > 64)
		return simtool_error(st, SIMTOOL_USAGE, "usage: simtool apdu [--raw] HEX... (at most 64)");
	for (n = 0, i = optind; i < argc; i++, n++) {
		long l = sg_hex_decode(argv[i], apdu[n], sizeof(apdu[n]), "apdu", &err);

		if (l < 0)
			return simtool_error(st, SIMTOOL_USAGE, "'%s': %s", argv[i], err.msg);
		if (l < 4)
			return simtool_error(st, SIMTOOL_USAGE, "'%s': an APDU needs at least CLA INS P1 P2", argv[i]);
		len[n] = (size_t)l;
	}
	rc = simtool_open_card(st);
	if (rc)
		return rc;
	for (i = 0; i < n; i++) {
		rc = exchange(st, list, apdu[i], len[i], raw);
		if (rc < 0)
			return SIMTOOL_FAILED;
		failed |= rc > 0;
	}
	return failed ? SIMTOOL_FAILED : SIMTOOL_OK;
}

static int reset_card(struct simtool *st, json_t *list)
{
	struct sg_error err;

	simtool_print(st, "> RESET\n");
	if (pcsct_card_power(st->card, PCSCT_POWER_RESET, &err) < 0) {
		json_array_append_new(list, json_pack("{s:s,s:s}", "command", "reset", "error", err.msg));
		return simtool_error(st, SIMTOOL_FAILED, "reset: %s", err.msg);
	}
	json_array_append_new(list, json_pack("{s:s}", "command", "reset"));
	simtool_print(st, "< OK\n");
	return 0;
}

static int read_text(struct simtool *st, const char *path, char **text, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;

	if (!f)
		return simtool_error(st, SIMTOOL_USAGE, "cannot open %s", path);
	*text = talloc_size(st->ctx, MAX_SCRIPT + 1);
	*len = fread(*text, 1, MAX_SCRIPT + 1, f);
	if (f != stdin)
		fclose(f);
	if (*len > MAX_SCRIPT)
		return simtool_error(st, SIMTOOL_USAGE, "%s: larger than %d bytes", path, MAX_SCRIPT);
	return 0;
}

int simtool_cmd_script(struct simtool *st, int argc, char **argv)
{
	struct pcsct_script s;
	struct sg_error err;
	json_t *list = json_array();
	char *text = NULL;
	size_t len = 0, i;
	bool raw, failed = false;
	int rc;

	json_object_set_new(st->out, "exchanges", list);
	if (parse_raw_flag(argc, argv, &raw) < 0 || optind + 1 != argc)
		return simtool_error(st, SIMTOOL_USAGE, "usage: simtool script [--raw] FILE");
	rc = read_text(st, argv[optind], &text, &len);
	if (rc)
		return rc;
	if (pcsct_script_parse(st->ctx, text, len, &s, &err) < 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s: %s", argv[optind], err.msg);
	rc = simtool_open_card(st);
	if (rc)
		return rc;
	for (i = 0; i < s.n; i++) {
		if (s.steps[i].kind == PCSCT_STEP_RESET) {
			if (reset_card(st, list))
				return SIMTOOL_FAILED;
			continue;
		}
		rc = exchange(st, list, s.steps[i].apdu, s.steps[i].len, raw);
		if (rc < 0)
			return simtool_error(st, SIMTOOL_FAILED, "%s line %u: the card did not answer", argv[optind],
					     s.steps[i].line);
		failed |= rc > 0;
	}
	return failed ? SIMTOOL_FAILED : SIMTOOL_OK;
}
