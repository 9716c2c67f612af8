/* simtool terminal-profile / envelope / cat decode, and the proactive session simtool serves after them: simtool
 * plays a terminal with network service whose user answers from --answers (or the keyboard with --interactive). */
#include <stdio.h>
#include <string.h>

#include <talloc.h>

#include "pcsct/simtool.h"
#include "simguard/hex.h"

static uint8_t st_send_sms(void *arg, const uint8_t *tpdu, size_t len, const struct cat_address *sc, uint8_t *addl)
{
	struct simtool *st = arg;

	if (st->n_mo < sizeof(st->mo) / sizeof(st->mo[0]) && len <= sizeof(st->mo[0])) {
		memcpy(st->mo[st->n_mo], tpdu, len);
		st->mo_len[st->n_mo++] = len;
	}
	simtool_print(st, "  SMS-SUBMIT sent: %s\n", simtool_hex(st, tpdu, len));
	return CAT_RES_OK;
}

/* simtool is the network too: it takes the string and answers with an empty USSD response. */
static uint8_t st_send_ussd(void *arg, uint8_t dcs, const uint8_t *data, size_t len, uint8_t *addl, char *reply,
			    size_t reply_size)
{
	struct simtool *st = arg;

	if (st->n_mo_ussd < sizeof(st->mo_ussd) / sizeof(st->mo_ussd[0]) && len <= sizeof(st->mo_ussd[0])) {
		memcpy(st->mo_ussd[st->n_mo_ussd], data, len);
		st->mo_ussd_len[st->n_mo_ussd++] = len;
	}
	simtool_print(st, "  USSD sent (DCS %02X): %s\n", dcs, simtool_hex(st, data, len));
	reply[0] = '\0';
	return CAT_RES_OK;
}

static void st_ask(void *arg, const struct pcsct_ask *q, struct pcsct_answer *a)
{
	struct simtool *st = arg;

	pcsct_answers_next(&st->answers, a);
	if (a->kind == PCSCT_ANS_NO_RESPONSE && st->interactive)
		pcsct_answer_prompt(stdin, stderr, q, -1, a);
}

static void st_note(void *arg, const char *msg)
{
	struct simtool *st = arg;

	if (st->verbose)
		fprintf(stderr, "  %s\n", msg);
}

static const struct pcsct_me_ops simtool_me_ops = {
	.send_sms = st_send_sms,
	.send_ussd = st_send_ussd,
	.ask = st_ask,
	.note = st_note,
};

static json_t *decode_json(struct simtool *st, const uint8_t *b, size_t len)
{
	struct cat_decoded *d = NULL;
	struct sg_error err;
	json_t *j;

	cat_decode(st->ctx, b, len, &d, &err);
	j = d ? cat_decoded_to_json(d) : json_null();
	talloc_free(d);
	return j;
}

static void on_command(void *arg, const uint8_t *cmd, size_t cmd_len, const struct cat_decoded *d, const uint8_t *tr,
		       size_t tr_len, uint16_t sw)
{
	struct simtool *st = arg;
	char desc[96];

	if (sw)
		apdu_sw_describe(sw, desc, sizeof(desc));
	else
		snprintf(desc, sizeof(desc), "refused or not answered");
	json_array_append_new(st->proactive, json_pack("{s:s,s:o,s:o,s:s}", "fetched", simtool_hex(st, cmd, cmd_len),
						       "command", cat_decoded_to_json(d), "terminal_response",
						       tr_len ? decode_json(st, tr, tr_len) : json_null(), "sw", desc));
	simtool_print(st, "proactive %s (%02X)%s%s -> ", cat_cmd_type_name(d->type), d->type, d->valid ? "" : ": ",
		      d->valid ? "" : d->error);
	if (tr_len)
		simtool_print(st, "TERMINAL RESPONSE %s -> %s\n", simtool_hex(st, tr, tr_len), desc);
	else
		simtool_print(st, "no TERMINAL RESPONSE\n");
}

int simtool_serve(struct simtool *st, uint16_t sw, uint16_t *last_sw)
{
	struct pcsct_session s = {.card = st->card, .me = &st->me, .on_command = on_command, .cb_arg = st};
	struct sg_error err;
	int n;

	if (!st->me_ready) {
		pcsct_me_init(&st->me, &st->me_cfg, &simtool_me_ops, st);
		st->me.service = PCSCT_SVC_NORMAL;
		st->me_ready = true;
	}
	if (!st->proactive) {
		st->proactive = json_array();
		json_object_set_new(st->out, "proactive", st->proactive);
	}
	n = pcsct_session_serve(&s, sw, st->max_commands, last_sw, &err);
	if (n < 0)
		return simtool_error(st, SIMTOOL_FAILED, "%s", err.msg);
	if (st->me.refresh != PCSCT_REFRESH_NONE) {
		simtool_print(st, "the card asked for a REFRESH; simtool stops here\n");
		return SIMTOOL_OK;
	}
	if (pcsct_sw_proactive(*last_sw))
		return simtool_error(st, SIMTOOL_FAILED, "card still busy after %u proactive commands",
				     st->max_commands);
	return SIMTOOL_OK;
}

int simtool_send_profile(struct simtool *st, const uint8_t *profile, size_t len)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	struct sg_error err;
	char desc[96];
	uint16_t last;

	if (!profile) {
		profile = st->me_cfg.profile;
		len = st->me_cfg.profile_len;
	}
	if (apdu_terminal_profile(&a, APDU_UICC, profile, len, &err) < 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s", err.msg);
	if (pcsct_transmit_buf(st->card, &a, &rsp, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "TERMINAL PROFILE: %s", err.msg);
	apdu_sw_describe(rsp.sw, desc, sizeof(desc));
	json_object_set_new(st->out, "terminal_profile",
			    json_pack("{s:s,s:s}", "profile", simtool_hex(st, profile, len), "sw", desc));
	simtool_print(st, "TERMINAL PROFILE %s -> %s\n", simtool_hex(st, profile, len), desc);
	if (rsp.sw != APDU_SW_OK && !pcsct_sw_proactive(rsp.sw))
		return simtool_error(st, SIMTOOL_FAILED, "card refused TERMINAL PROFILE: %s", desc);
	return simtool_serve(st, rsp.sw, &last);
}

int simtool_cmd_terminal_profile(struct simtool *st, int argc, char **argv)
{
	uint8_t tp[PCSCT_PROFILE_MAX];
	struct sg_error err;
	long n = 0;
	int rc;

	if (argc > 2)
		return simtool_error(st, SIMTOOL_USAGE, "usage: simtool terminal-profile [HEX]");
	if (argc == 2 && (n = sg_hex_decode(argv[1], tp, sizeof(tp), "profile", &err)) <= 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s", n < 0 ? err.msg : "profile: empty");
	rc = simtool_open_card(st);
	if (rc)
		return rc;
	return simtool_send_profile(st, argc == 2 ? tp : NULL, (size_t)n);
}

int simtool_cmd_envelope(struct simtool *st, int argc, char **argv)
{
	uint8_t env[CAT_VALUE_MAX];
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	struct sg_error err;
	char desc[96];
	uint16_t last;
	long n;
	int rc;

	if (argc != 2)
		return simtool_error(st, SIMTOOL_USAGE, "usage: simtool envelope HEX");
	n = sg_hex_decode(argv[1], env, sizeof(env), "envelope", &err);
	if (n <= 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s", n < 0 ? err.msg : "envelope: empty");
	rc = simtool_open_card(st);
	if (rc)
		return rc;
	if (apdu_envelope(&a, APDU_UICC, env, (size_t)n, &err) < 0 || pcsct_transmit_buf(st->card, &a, &rsp, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "ENVELOPE: %s", err.msg);
	apdu_sw_describe(rsp.sw, desc, sizeof(desc));
	json_object_set_new(st->out, "envelope",
			    json_pack("{s:o,s:s,s:s}", "decoded", decode_json(st, env, (size_t)n), "response",
				      simtool_hex(st, rsp.data, rsp.len), "sw", desc));
	simtool_print(st, "ENVELOPE -> %s%s%s\n", simtool_hex(st, rsp.data, rsp.len), rsp.len ? " " : "", desc);
	if (rsp.sw != APDU_SW_OK && !pcsct_sw_proactive(rsp.sw))
		return SIMTOOL_FAILED;
	return simtool_serve(st, rsp.sw, &last);
}

int simtool_cmd_cat(struct simtool *st, int argc, char **argv)
{
	uint8_t buf[4096];
	struct cat_decoded *d = NULL;
	struct sg_error err;
	json_t *j;
	long n;
	int rc;

	if (argc != 3 || strcmp(argv[1], "decode") != 0)
		return simtool_error(st, SIMTOOL_USAGE, "usage: simtool cat decode HEX");
	n = sg_hex_decode(argv[2], buf, sizeof(buf), "bytes", &err);
	if (n < 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s", err.msg);
	rc = cat_decode(st->ctx, buf, (size_t)n, &d, &err);
	if (!d)
		return simtool_error(st, SIMTOOL_FAILED, "out of memory");
	j = cat_decoded_to_json(d);
	if (st->json) {
		json_object_set_new(st->out, "decoded", j);
	} else {
		json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(j);
	}
	if (rc < 0)
		fprintf(stderr, "simtool: %s\n", err.msg);
	talloc_free(d);
	return rc < 0 ? SIMTOOL_FAILED : SIMTOOL_OK;
}
