/* `otactl packet`: secured packets offline. encode / verify a command packet (sending / receiving entity) and
 * encode-por / decode-por its Proof of Receipt (card / server), through the one shared codec in lib/. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otasrv/otactl.h"
#include "simguard/hex.h"

#include "otactl_packet.h"

#define KEY_OPTS "[--kic-key HEX] [--kid-key HEX]"
#define HDR_OPTS "--spi HEX4 --kic HEX2 --kid HEX2 --tar HEX6 --cntr N"
#define FIELD_HELP                                                                                     \
	"  --spi HEX4       security parameter indicator, e.g. 1619: CC, ciphering, counter higher;\n"     \
	"                   PoR always, with CC, ciphered, in the SMS-DELIVER-REPORT (1639: SMS-SUBMIT)\n" \
	"  --kic/--kid HEX2 key version (high nibble), algorithm (low nibble): x1 DES, x5 3DES 2 keys,\n"   \
	"                   x9 3DES 3 keys, x2 AES; with RC in the SPI, KID x1 is CRC-16, x5 CRC-32\n"     \
	"  --tar HEX6       target application reference\n"                                               \
	"  --cntr N         counter, decimal or 0x hex, at most 40 bits\n"
#define KEY_HELP                                                                                       \
	"  --kic-key/--kid-key HEX|env:NAME\n"                                                             \
	"                   the keys in hex, or from environment variable NAME; needed when the SPI asks\n" \
	"                   for ciphering / a CC. DES 8, 3DES 16 or 24, AES 16, 24 or 32 bytes\n"
#define DIALECT_HELP "  --dialect sms|ussd  bearer framing (default sms)\n"
#define OUT_HELP                                                                                       \
	"  --json           JSON output\n"                                                                 \
	"exit: 0 ok, 1 check failed, 2 usage or input error\n"
#define JSON_ANYWAY_HELP "  --json           accepted (the output is JSON anyway)\n"

static const struct pkt_cmd_spec spec_encode = {
	.name = "encode",
	.allowed = PO_SPI | PO_KIC | PO_KID | PO_KIC_KEY | PO_KID_KEY | PO_TAR | PO_CNTR | PO_DATA | PO_DIALECT |
		   PO_UDH | PO_JSON,
	.required = PO_SPI | PO_KIC | PO_KID | PO_TAR | PO_CNTR,
	.help = "encode " HDR_OPTS " " KEY_OPTS "\n"
		"           [--data HEX] [--dialect sms|ussd] [--udh] [--json]\n"
		"Build a command packet (sending entity); print it as one line of hex. SMS: the bytes from CPL on,\n"
		"as they follow the user data header. With --json: {\"packet\": \"HEX\"}.\n" FIELD_HELP KEY_HELP
		"  --data HEX       secured data (the application message)\n"
		"  --udh            prefix the SMS user data header 02 70 00 (one SMS: packet at most 137 bytes)\n"
		DIALECT_HELP OUT_HELP,
};

static const struct pkt_cmd_spec spec_verify = {
	.name = "verify",
	.allowed = PO_KIC_KEY | PO_KID_KEY | PO_DIALECT | PO_UDH | PO_JSON | PO_STORED_CNTR,
	.operand = true,
	.help = "verify " KEY_OPTS " [--dialect sms|ussd] [--udh] [--stored-cntr N] PACKET_HEX\n"
		"Decipher and check a command packet as the receiving entity (the card) does. Prints JSON: SPI,\n"
		"KIc, KID (also spelled out), TAR, CNTR, PCNTR, the integrity result, the data and the status a\n"
		"card would answer. PACKET_HEX may contain spaces; - reads it from standard input.\n" KEY_HELP
		"  --udh            PACKET_HEX starts with the SMS user data header 02 70 00\n"
		"  --stored-cntr N  the card's stored counter: also judge CNTR as the SPI's counter mode says\n"
		DIALECT_HELP JSON_ANYWAY_HELP
		"exit: 0 verified (and, with --stored-cntr, counter accepted), 1 not, 2 usage or input error\n",
};

static const struct pkt_cmd_spec spec_encode_por = {
	.name = "encode-por",
	.allowed = PO_SPI | PO_KIC | PO_KID | PO_KIC_KEY | PO_KID_KEY | PO_TAR | PO_CNTR | PO_DATA | PO_DIALECT |
		   PO_UDH | PO_JSON | PO_STATUS | PO_UNSECURED,
	.required = PO_SPI | PO_KIC | PO_KID | PO_TAR | PO_CNTR,
	.help = "encode-por " HDR_OPTS " " KEY_OPTS "\n"
		"           [--status HEX2] [--data HEX] [--unsecured] [--dialect sms|ussd] [--udh] [--json]\n"
		"Build the Proof of Receipt a card sends for a command (give the command's SPI, KIc, KID, TAR,\n"
		"CNTR and keys), secured as the command's SPI2 asks. SMS: from RPL on.\n"
		"With --json: {\"por\": \"HEX\"}.\n" FIELD_HELP KEY_HELP
		"  --status HEX2    response status code (default 00, PoR OK)\n"
		"  --data HEX       additional response data\n"
		"  --unsecured      no checksum, not ciphered, whatever SPI2 asks (the answer to a security failure)\n"
		"  --udh            prefix the SMS user data header 02 71 00\n" DIALECT_HELP OUT_HELP,
};

static const struct pkt_cmd_spec spec_decode_por = {
	.name = "decode-por",
	.allowed = PO_SPI | PO_KIC | PO_KID | PO_KIC_KEY | PO_KID_KEY | PO_TAR | PO_CNTR | PO_DIALECT | PO_UDH |
		   PO_JSON,
	.required = PO_SPI | PO_KIC | PO_KID | PO_TAR | PO_CNTR,
	.operand = true,
	.help = "decode-por " HDR_OPTS " " KEY_OPTS "\n"
		"           [--dialect sms|ussd] [--udh] POR_HEX\n"
		"Decode and check a Proof of Receipt as the sender of the command (give its SPI, KIc, KID, TAR,\n"
		"CNTR and keys). Prints JSON: TAR, CNTR, PCNTR, status (code and name), the checksum result and\n"
		"the data. POR_HEX may contain spaces; - reads it from standard input.\n" FIELD_HELP KEY_HELP
		"  --udh            POR_HEX starts with the SMS user data header 02 71 00\n" DIALECT_HELP
		JSON_ANYWAY_HELP
		"exit: 0 decoded, and its checksum verified or the command's SPI2 asked for none;\n"
		"      1 a checksum was asked for but is wrong or missing (an unsecured PoR, such as a card's answer\n"
		"        to a bad MAC: its status is shown but cannot be trusted); 2 usage or input error\n",
};

bool pkt_por_authentic(const struct pkt_opts *o, bool checksum_ok)
{
	return checksum_ok || !(o->hdr.spi[1] & SP_SPI2_POR_CHK_MASK);
}

/* Print a packet built at out + 3 (room left for the SMS user data header 02 iei 00). */
static int print_packet(const struct pkt_opts *o, const char *key, uint8_t iei, uint8_t *out, size_t len)
{
	char hex[2 * (SP_MAX_PACKET + 3) + 1];
	uint8_t *start = out + 3;

	if (o->udh) {
		if (len > SP_SMS_SINGLE_MAX)
			return otactl_fail("udh: a %zu-byte packet does not fit one SMS after 02 %02X 00 (at most %d); "
					   "leave out --udh and send it concatenated",
					   len, iei, SP_SMS_SINGLE_MAX);
		out[0] = 0x02;
		out[1] = iei;
		out[2] = 0x00;
		start = out;
		len += 3;
	}
	sg_hex_encode(start, len, hex, sizeof(hex));
	if (o->json)
		return otactl_print_json(json_pack("{s:s}", key, hex));
	printf("%s\n", hex);
	return OTACTL_OK;
}

/* The packet operand as bytes; with --udh it must start with 02 iei 00, which is dropped. */
static int read_packet(const struct pkt_opts *o, const char *what, uint8_t iei, uint8_t *buf, size_t size,
		       const uint8_t **pkt, size_t *len)
{
	char hex[4 * (SP_MAX_PACKET + 3) + 1];
	struct sg_error err;
	long n;
	int rc = otactl_operand(o->operand_argc, o->operand_argv, what, hex, sizeof(hex));

	if (rc)
		return rc;
	n = sg_hex_decode(hex, buf, size, what, &err);
	if (n < 0)
		return otactl_fail("%s", err.msg);
	*pkt = buf;
	*len = (size_t)n;
	if (!o->udh)
		return OTACTL_OK;
	if (n < 3 || buf[0] != 0x02 || buf[1] != iei || buf[2] != 0x00)
		return otactl_fail("%s: does not start with the user data header 02 %02X 00 (given --udh)", what, iei);
	*pkt = buf + 3;
	*len = (size_t)n - 3;
	return OTACTL_OK;
}

/* A parse error, with a hint when the bytes look like they still carry the user data header. */
static int packet_error(const struct pkt_opts *o, const char *what, uint8_t iei, const uint8_t *pkt, size_t len,
			const struct sg_error *err)
{
	bool header = !o->udh && o->dialect == SP_DIALECT_SMS && len >= 3 && pkt[0] == 0x02 && pkt[1] == iei &&
		      pkt[2] == 0x00;

	if (header)
		return otactl_fail("%s (%s starts with 02 %02X 00: add --udh)", err->msg, what, iei);
	if (strncmp(err->msg, what, strlen(what)))
		return otactl_fail("%s: %s", what, err->msg);
	return otactl_fail("%s", err->msg);
}

static int run_encode(struct pkt_opts *o)
{
	uint8_t out[3 + SP_MAX_PACKET];
	struct sg_error err;
	size_t len;

	if (pkt_opts_check_keys(o, &o->hdr, false))
		return OTACTL_USAGE;
	if (sp_command_build(&o->hdr, o->data, o->data_len, &o->keys, o->dialect, out + 3, sizeof(out) - 3, &len,
			     &err) < 0)
		return otactl_fail("%s", err.msg);
	return print_packet(o, "packet", 0x70, out, len);
}

static int run_verify(struct pkt_opts *o)
{
	uint8_t buf[3 + SP_MAX_PACKET], plain[3 + SP_MAX_PACKET];
	struct sp_command cmd = { 0 };
	struct sp_cmd_hdr peeked;
	enum sp_counter_result cr = SP_CNTR_ACCEPT;
	uint8_t card_status;
	json_t *counter = NULL;
	struct sg_error err = { "" };
	enum sp_verdict v;
	const uint8_t *pkt;
	uint64_t store;
	size_t len;
	int rc = read_packet(o, "packet", 0x70, buf, sizeof(buf), &pkt, &len);

	if (rc)
		return rc;
	if (sp_command_peek(pkt, len, o->dialect, &peeked, &err) < 0)
		return packet_error(o, "packet", 0x70, pkt, len, &err);
	if (pkt_opts_check_keys(o, &peeked, false))
		return OTACTL_USAGE;
	v = sp_command_verify(pkt, len, o->dialect, &o->keys, &cmd, plain, sizeof(plain), &err);
	if (v == SP_VERDICT_FORMAT || v == SP_VERDICT_UNSUPPORTED)
		return packet_error(o, "packet", 0x70, pkt, len, &err);
	card_status = sp_verdict_status(v);
	/* The counter is only meaningful once the checksum vouched for it, as on the card. */
	if (v == SP_VERDICT_OK && (o->given & PO_STORED_CNTR)) {
		cr = sp_counter_verdict(peeked.spi[0], o->stored_cntr, cmd.hdr.cntr, &store);
		counter = pkt_json_counter(peeked.spi[0], o->stored_cntr, cmd.hdr.cntr, cr, store);
		card_status = sp_counter_status(cr);
	}
	rc = otactl_print_json(pkt_json_command(&peeked, &cmd, v, &err, o, counter, card_status));
	OPENSSL_cleanse(plain, sizeof(plain));
	if (rc)
		return rc;
	return v == SP_VERDICT_OK && cr == SP_CNTR_ACCEPT ? OTACTL_OK : OTACTL_CHECK_FAILED;
}

static int run_encode_por(struct pkt_opts *o)
{
	uint8_t out[3 + SP_MAX_PACKET];
	struct sg_error err;
	size_t len;

	if (pkt_opts_check_keys(o, &o->hdr, true))
		return OTACTL_USAGE;
	if (sp_response_build(&o->hdr, o->status, o->data, o->data_len, &o->keys, o->dialect, o->unsecured, out + 3,
			      sizeof(out) - 3, &len, &err) < 0)
		return otactl_fail("%s", err.msg);
	return print_packet(o, "por", 0x71, out, len);
}

static int run_decode_por(struct pkt_opts *o)
{
	uint8_t buf[3 + SP_MAX_PACKET], plain[3 + SP_MAX_PACKET];
	struct sp_response rsp = { 0 };
	struct sg_error err = { "" };
	bool checksum_ok = false;
	enum sp_verdict v;
	const uint8_t *pkt;
	size_t len;
	int rc = read_packet(o, "por", 0x71, buf, sizeof(buf), &pkt, &len);

	if (rc)
		return rc;
	if (pkt_opts_check_keys(o, &o->hdr, true))
		return OTACTL_USAGE;
	v = sp_response_verify(pkt, len, &o->hdr, &o->keys, o->dialect, &rsp, &checksum_ok, plain, sizeof(plain), &err);
	if (v == SP_VERDICT_FORMAT || v == SP_VERDICT_UNSUPPORTED)
		return packet_error(o, "por", 0x71, pkt, len, &err);
	rc = otactl_print_json(pkt_json_response(&rsp, v, checksum_ok, &err, o));
	OPENSSL_cleanse(plain, sizeof(plain));
	if (rc)
		return rc;
	return v == SP_VERDICT_OK && pkt_por_authentic(o, checksum_ok) ? OTACTL_OK : OTACTL_CHECK_FAILED;
}

struct pkt_cmd {
	const struct pkt_cmd_spec *spec;
	int (*run)(struct pkt_opts *o);
	const char *summary;
};

static const struct pkt_cmd cmds[] = {
	{ &spec_encode, run_encode, "build a command packet (sending entity)" },
	{ &spec_verify, run_verify, "decipher and check a command packet (receiving entity, the card)" },
	{ &spec_encode_por, run_encode_por, "build the Proof of Receipt for a command (the card)" },
	{ &spec_decode_por, run_decode_por, "decode and check a Proof of Receipt (the server)" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: otactl packet SUBCOMMAND [OPTIONS]   (otactl packet SUBCOMMAND --help for its options)\n"
		   "Secured packets of TS 102 225 / TS 31.115, offline.\n\nsubcommands:\n");
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-11s %s\n", cmds[i].spec->name, cmds[i].summary);
}

int otactl_packet(int argc, char **argv, const struct otactl_global *global)
{
	struct pkt_opts o;
	size_t i;
	int rc;

	if (argc < 2) {
		usage(stderr);
		return OTACTL_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return OTACTL_OK;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (strcmp(argv[1], cmds[i].spec->name))
			continue;
		rc = pkt_opts_parse(argc - 1, argv + 1, cmds[i].spec, &o);
		if (rc == 0) {
			o.json |= global->json;
			rc = cmds[i].run(&o);
		} else {
			rc = rc > 0 ? OTACTL_OK : OTACTL_USAGE;
		}
		sp_keys_cleanse(&o.keys);
		return rc;
	}
	return otactl_fail("packet %s: unknown subcommand (see otactl packet --help)", argv[1]);
}
