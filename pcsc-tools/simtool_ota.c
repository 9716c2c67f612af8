/* simtool ota: deliver a secured command packet to the card as a handset would — SMS-DELIVER(s) in
 * ENVELOPE(SMS-PP DATA DOWNLOAD), or ENVELOPE(USSD DATA DOWNLOAD) — then find the PoR (ENVELOPE response data or
 * the SMS-SUBMIT of a proactive SEND SHORT MESSAGE), decode and verify it with the keys given, and serve the
 * proactive commands the card issues until it is idle. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <talloc.h>

#include "pcsct/download.h"
#include "pcsct/por.h"
#include "pcsct/simtool.h"
#include "simguard/hex.h"
#include "simguard/sms_tpdu.h"

#define MAX_INPUT (64 * 1024)

struct ota_req {
	uint8_t packet[SP_MAX_PACKET]; /* from CPL */
	size_t packet_len;
	uint8_t tpdu[SMS_TPDU_MAX]; /* --tpdu: delivered as given */
	size_t tpdu_len;
	bool ussd;
	uint8_t ussd_dcs;
	bool concat16;
	bool profile;
	struct sms_addr from;
	struct cat_address sc;
	bool has_sc;
	struct sp_keys keys;
	struct sp_cmd_hdr hdr;
	bool hdr_known;
};

static const char ota_help[] =
	"usage: simtool ota (--packet HEX | --packet-file FILE | --tpdu HEX) [options]\n"
	"  --packet HEX        secured command packet from CPL on (a leading 02 70 00 header is accepted), as\n"
	"                      'otactl packet encode' prints it\n"
	"  --packet-file FILE  the same from a file (- for standard input): hex, or JSON with a \"packet\" string\n"
	"  --tpdu HEX          a complete SMS-DELIVER TPDU, delivered as it is\n"
	"  --ussd              deliver by ENVELOPE(USSD DATA DOWNLOAD) instead of SMS-PP (USSD dialect packet)\n"
	"  --ussd-dcs HEX      USSD data coding scheme (default F6)\n"
	"  --kic-key HEX       KIc key (to decipher the PoR, and to read a ciphered command's counter)\n"
	"  --kid-key HEX       KID key (to verify the PoR's checksum)\n"
	"  --from ADDR         TP-OA of the SMS-DELIVER (default 12345; +digits = international)\n"
	"  --sc ADDR           service centre address in the ENVELOPE (default none)\n"
	"  --concat16          16-bit concatenation reference for packets longer than one SMS\n"
	"  --no-profile        do not send TERMINAL PROFILE first\n"
	"exit status 0 when the PoR verifies with status 00 (or none was asked for and the card accepted),\n"
	"1 when the card refused, no PoR came, or the PoR failed verification or reports an error\n";

static int parse_addr(const char *s, uint8_t *ton, char *digits, size_t size)
{
	*ton = 0;
	if (*s == '+') {
		*ton = 1;
		s++;
	}
	if (!*s || strlen(s) >= size || strspn(s, "0123456789") != strlen(s))
		return -1;
	strcpy(digits, s);
	return 0;
}

static int hex_opt(struct simtool *st, const char *name, const char *s, uint8_t *out, size_t size, size_t *len)
{
	struct sg_error err;
	long n = sg_hex_decode(s, out, size, name, &err);

	if (n < 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s", err.msg);
	*len = (size_t)n;
	return 0;
}

/* The packet hex from a file: plain hex, or the first "packet" / "hex" string in a JSON object. */
static int packet_file(struct simtool *st, const char *path, struct ota_req *r)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *text;
	size_t n;
	json_t *j, *v;
	json_error_t jerr;
	int rc;

	if (!f)
		return simtool_error(st, SIMTOOL_USAGE, "cannot open %s", path);
	text = talloc_size(st->ctx, MAX_INPUT + 1);
	n = fread(text, 1, MAX_INPUT, f);
	if (f != stdin)
		fclose(f);
	text[n] = '\0';
	if (text[strspn(text, " \t\r\n")] != '{')
		return hex_opt(st, "packet", text, r->packet, sizeof(r->packet), &r->packet_len);
	j = json_loads(text, 0, &jerr);
	v = j ? json_object_get(j, "packet") : NULL;
	if (json_is_object(v))
		v = json_object_get(v, "hex");
	if (!v && j)
		v = json_object_get(j, "hex");
	if (!json_is_string(v)) {
		json_decref(j);
		return simtool_error(st, SIMTOOL_USAGE, "%s: JSON without a \"packet\" or \"hex\" string", path);
	}
	rc = hex_opt(st, "packet", json_string_value(v), r->packet, sizeof(r->packet), &r->packet_len);
	json_decref(j);
	return rc;
}

/* A leading TP-UD header (02 70 00) is dropped unless the bytes are a packet whose CPL says otherwise. */
static void strip_cpi(struct ota_req *r)
{
	if (r->packet_len > 5 && memcmp(r->packet, "\x02\x70\x00", 3) == 0 &&
	    (size_t)(r->packet[0] << 8 | r->packet[1]) != r->packet_len - 2) {
		memmove(r->packet, r->packet + 3, r->packet_len - 3);
		r->packet_len -= 3;
	}
}

static int key_opt(struct simtool *st, const char *name, const char *s, struct sp_key *k)
{
	return hex_opt(st, name, s, k->key, sizeof(k->key), &k->len);
}

static int parse_ota(struct simtool *st, int argc, char **argv, struct ota_req *r)
{
	static const struct option opts[] = {
		{"packet", required_argument, NULL, 'p'},
		{"packet-file", required_argument, NULL, 'f'},
		{"tpdu", required_argument, NULL, 't'},
		{"ussd", no_argument, NULL, 'u'},
		{"ussd-dcs", required_argument, NULL, 'd'},
		{"kic-key", required_argument, NULL, 'C'},
		{"kid-key", required_argument, NULL, 'D'},
		{"from", required_argument, NULL, 'o'},
		{"sc", required_argument, NULL, 's'},
		{"concat16", no_argument, NULL, '6'},
		{"no-profile", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	size_t one;
	int c, rc = 0;

	while (rc == 0 && (c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			rc = hex_opt(st, "packet", optarg, r->packet, sizeof(r->packet), &r->packet_len);
			break;
		case 'f':
			rc = packet_file(st, optarg, r);
			break;
		case 't':
			rc = hex_opt(st, "tpdu", optarg, r->tpdu, sizeof(r->tpdu), &r->tpdu_len);
			break;
		case 'u':
			r->ussd = true;
			break;
		case 'd':
			rc = hex_opt(st, "ussd-dcs", optarg, &r->ussd_dcs, 1, &one);
			break;
		case 'C':
			rc = key_opt(st, "kic-key", optarg, &r->keys.kic);
			break;
		case 'D':
			rc = key_opt(st, "kid-key", optarg, &r->keys.kid);
			break;
		case 'o':
			if (parse_addr(optarg, &r->from.ton, r->from.digits, sizeof(r->from.digits)) < 0)
				rc = simtool_error(st, SIMTOOL_USAGE, "--from: digits, optionally after +");
			break;
		case 's':
			r->has_sc = true;
			r->sc.npi = 1;
			if (parse_addr(optarg, &r->sc.ton, r->sc.digits, sizeof(r->sc.digits)) < 0)
				rc = simtool_error(st, SIMTOOL_USAGE, "--sc: digits, optionally after +");
			break;
		case '6':
			r->concat16 = true;
			break;
		case 'n':
			r->profile = false;
			break;
		case 'h':
			fputs(ota_help, stdout);
			return -1;
		default:
			return simtool_error(st, SIMTOOL_USAGE, "simtool ota: bad option (simtool ota --help)");
		}
	}
	if (rc)
		return rc;
	if (!!r->packet_len + !!r->tpdu_len != 1)
		return simtool_error(st, SIMTOOL_USAGE, "simtool ota: give one of --packet, --packet-file or --tpdu");
	if (r->tpdu_len && r->ussd)
		return simtool_error(st, SIMTOOL_USAGE, "simtool ota: --tpdu is an SMS; --ussd takes --packet");
	if (!r->ussd)
		strip_cpi(r);
	return 0;
}

/* The packet inside a --tpdu, so its PoR can be checked. */
static void packet_of_tpdu(struct ota_req *r)
{
	struct sms_deliver d;
	struct sms_udh h;
	struct sg_error err;

	if (sms_deliver_decode(r->tpdu, r->tpdu_len, &d, &err) < 0 || !d.udhi ||
	    sms_udh_parse(d.ud.ud, d.ud.ud_len, &h, &err) < 0 || !h.cpi || h.has_concat)
		return;
	r->packet_len = d.ud.ud_len - h.udh_len;
	memcpy(r->packet, d.ud.ud + h.udh_len, r->packet_len);
}

static json_t *dl_json(struct simtool *st, const uint8_t *tpdu, size_t len, const struct pcsct_dl_result *res)
{
	char desc[96];

	apdu_sw_describe(res->sw, desc, sizeof(desc));
	return json_pack("{s:s,s:s,s:s,s:s}", "tpdu", simtool_hex(st, tpdu, len), "sw", desc, "outcome",
			 pcsct_dl_outcome_name(res->outcome), "response", simtool_hex(st, res->data, res->len));
}

static int deliver_one(struct simtool *st, struct ota_req *r, const uint8_t *tpdu, size_t len, json_t *list,
		       struct pcsct_dl_result *res)
{
	struct sg_error err;

	if (pcsct_download_sms_pp(st->card, r->has_sc ? &r->sc : NULL, tpdu, len, res, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "SMS-PP data download: %s", err.msg);
	json_array_append_new(list, dl_json(st, tpdu, len, res));
	simtool_print(st, "ENVELOPE(SMS-PP DOWNLOAD) %s -> %s\n", simtool_hex(st, tpdu, len),
		      pcsct_dl_outcome_name(res->outcome));
	return 0;
}

/* Split the packet as the sender would and deliver every part; res is the last part's result. */
static int deliver_sms(struct simtool *st, struct ota_req *r, struct pcsct_dl_result *res)
{
	uint8_t(*tpdus)[SMS_TPDU_MAX] = talloc_size(st->ctx, (size_t)SMS_CONCAT_MAX_PARTS * SMS_TPDU_MAX);
	size_t lens[SMS_CONCAT_MAX_PARTS];
	json_t *list = json_array();
	struct sg_error err;
	int n, i;

	json_object_set_new(st->out, "delivery", list);
	if (r->tpdu_len)
		return deliver_one(st, r, r->tpdu, r->tpdu_len, list, res);
	n = pcsct_ota_tpdus(r->packet, r->packet_len, &r->from, r->concat16, (uint16_t)(time(NULL) & 0xFF), tpdus, lens,
			    SMS_CONCAT_MAX_PARTS, &err);
	if (n < 0)
		return simtool_error(st, SIMTOOL_USAGE, "%s", err.msg);
	for (i = 0; i < n; i++) {
		if (deliver_one(st, r, tpdus[i], lens[i], list, res))
			return SIMTOOL_FAILED;
		if (i + 1 < n && res->outcome != PCSCT_DL_ACK)
			return simtool_error(st, SIMTOOL_FAILED, "card refused part %d of %d", i + 1, n);
	}
	return 0;
}

static int deliver_ussd(struct simtool *st, struct ota_req *r, struct pcsct_dl_result *res)
{
	struct sg_error err;

	if (pcsct_download_ussd(st->card, r->ussd_dcs, r->packet, r->packet_len, res, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "USSD data download: %s", err.msg);
	json_object_set_new(st->out, "delivery", json_pack("[o]", dl_json(st, r->packet, r->packet_len, res)));
	simtool_print(st, "ENVELOPE(USSD DOWNLOAD) -> %s\n", pcsct_dl_outcome_name(res->outcome));
	return 0;
}

/* Decode one PoR candidate and judge it: 0 verified with status 00, 1 otherwise. */
static int judge_por(struct simtool *st, struct ota_req *r, const uint8_t *ud, size_t len, const char *via)
{
	struct pcsct_por *p = talloc_zero(st->ctx, struct pcsct_por);
	enum sp_dialect d = r->ussd ? SP_DIALECT_USSD : SP_DIALECT_SMS;
	bool wanted_chk = (r->hdr.spi[1] & SP_SPI2_POR_CHK_MASK) != 0;
	struct sg_error err;

	if (!r->hdr_known)
		return simtool_error(st, SIMTOOL_FAILED, "PoR via %s not checked: command header unknown", via);
	if (pcsct_por_decode(ud, len, d, &r->hdr, &r->keys, via, p, &err) < 0)
		return simtool_error(st, SIMTOOL_FAILED, "no PoR in the %s: %s", via, err.msg);
	json_object_set_new(st->out, "por", pcsct_por_to_json(p));
	if (p->verdict != SP_VERDICT_OK)
		return simtool_error(st, SIMTOOL_FAILED, "PoR via %s does not verify: %s", via, p->error);
	simtool_print(st, "PoR via %s: TAR %s counter %llu status %02X (%s)%s data %s\n", via,
		      simtool_hex(st, p->rsp.tar, 3), (unsigned long long)p->rsp.cntr, p->rsp.status,
		      sp_status_name(p->rsp.status), p->checksum_ok ? ", checksum verified," : ", unsecured,",
		      simtool_hex(st, p->rsp.data, p->rsp.data_len));
	if (wanted_chk && !p->checksum_ok && p->rsp.status == SP_STATUS_OK)
		return simtool_error(st, SIMTOOL_FAILED,
				     "PoR claims success without the checksum the command asked for");
	return p->rsp.status == SP_STATUS_OK ? SIMTOOL_OK : SIMTOOL_FAILED;
}

/* The PoR: in the ENVELOPE response data (a short "see SMS-SUBMIT" / "see USSD" PoR there is followed), or the
 * SMS-SUBMIT of a SEND SHORT MESSAGE, or (USSD dialect) the string of a SEND USSD during the proactive session. */
static int find_por(struct simtool *st, struct ota_req *r, const struct pcsct_dl_result *res)
{
	uint8_t ud[SMS_UD_MAX];
	struct sg_error err;
	int rc = -1, n;
	unsigned int i;

	if (res->len) {
		rc = judge_por(st, r, res->data, res->len, r->ussd ? "USSD response" : "ENVELOPE response");
		json_t *por = json_object_get(st->out, "por");
		json_int_t status = por ? json_integer_value(json_object_get(por, "status")) : -1;

		if (status != SP_STATUS_RESP_BY_SUBMIT && status != SP_STATUS_RESP_BY_USSD)
			return rc;
	}
	if (r->ussd && st->n_mo_ussd)
		return judge_por(st, r, st->mo_ussd[0], st->mo_ussd_len[0], "SEND USSD");
	for (i = 0; i < st->n_mo; i++) {
		n = pcsct_por_from_submit(st->mo[i], st->mo_len[i], ud, sizeof(ud), &err);
		if (n > 0)
			return judge_por(st, r, ud, (size_t)n, "SEND SHORT MESSAGE");
	}
	if ((r->hdr.spi[1] & SP_SPI2_POR_MASK) == SP_SPI2_POR_ALWAYS || !r->hdr_known)
		return simtool_error(st, SIMTOOL_FAILED, "the command asked for a PoR and none came");
	simtool_print(st, "no PoR (none was asked for unconditionally)\n");
	return res->outcome == PCSCT_DL_ACK ? SIMTOOL_OK : SIMTOOL_FAILED;
}

int simtool_cmd_ota(struct simtool *st, int argc, char **argv)
{
	struct ota_req *r = talloc_zero(st->ctx, struct ota_req);
	struct pcsct_dl_result res;
	struct sg_error err;
	uint16_t last;
	int rc;

	r->profile = true;
	r->ussd_dcs = SMS_DCS_8BIT_CLASS2;
	snprintf(r->from.digits, sizeof(r->from.digits), "12345");
	r->from.npi = 1;
	rc = parse_ota(st, argc, argv, r);
	if (rc)
		return rc < 0 ? SIMTOOL_OK : rc;
	if (r->tpdu_len)
		packet_of_tpdu(r);
	if (r->packet_len)
		r->hdr_known =
			pcsct_por_cmd_header(r->packet, r->packet_len, r->ussd ? SP_DIALECT_USSD : SP_DIALECT_SMS,
					     &r->keys, &r->hdr, &err) == 0;
	if (r->packet_len && !r->hdr_known)
		fprintf(stderr, "simtool: the PoR cannot be checked: %s\n", err.msg);
	rc = simtool_open_card(st);
	if (!rc && r->profile)
		rc = simtool_send_profile(st, NULL, 0);
	if (!rc)
		rc = r->ussd ? deliver_ussd(st, r, &res) : deliver_sms(st, r, &res);
	if (!rc && res.proactive)
		rc = simtool_serve(st, res.proactive_sw, &last);
	if (!rc)
		rc = find_por(st, r, &res);
	sp_keys_cleanse(&r->keys);
	return rc;
}
