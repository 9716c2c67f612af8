/* Option parsing for `otactl packet`: every value is checked here, so a bad one is reported as one line naming
 * the option before any packet is touched. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "otasrv/otactl.h"
#include "simguard/hex.h"
#include "simguard/ota_crypto.h"

#include "otactl_packet.h"

static const struct option long_opts[] = {
	{ "spi", required_argument, NULL, 'S' },
	{ "kic", required_argument, NULL, 'c' },
	{ "kid", required_argument, NULL, 'd' },
	{ "kic-key", required_argument, NULL, 'C' },
	{ "kid-key", required_argument, NULL, 'D' },
	{ "tar", required_argument, NULL, 't' },
	{ "cntr", required_argument, NULL, 'n' },
	{ "data", required_argument, NULL, 'a' },
	{ "dialect", required_argument, NULL, 'l' },
	{ "udh", no_argument, NULL, 'u' },
	{ "json", no_argument, NULL, 'j' },
	{ "stored-cntr", required_argument, NULL, 'N' },
	{ "status", required_argument, NULL, 's' },
	{ "unsecured", no_argument, NULL, 'U' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* PO_* bit of each option, in the order of long_opts. */
static const unsigned int opt_bits[] = {
	PO_SPI,	 PO_KIC,  PO_KID,	  PO_KIC_KEY, PO_KID_KEY, PO_TAR,	PO_CNTR, PO_DATA,
	PO_DIALECT, PO_UDH, PO_JSON, PO_STORED_CNTR, PO_STATUS,  PO_UNSECURED, PO_HELP,
};

/* Exactly n bytes of hex for a fixed-size field. */
static int hex_fixed(const char *arg, uint8_t *out, size_t n, const char *what)
{
	uint8_t buf[SP_MAX_PACKET];
	struct sg_error err;
	long got = sg_hex_decode(arg, buf, sizeof(buf), what, &err);

	if (got < 0)
		return otactl_fail("%s", err.msg);
	if ((size_t)got != n)
		return otactl_fail("%s: needs %zu byte%s (%zu hex digits), got %ld", what, n, n == 1 ? "" : "s", 2 * n,
				   got);
	memcpy(out, buf, n);
	return 0;
}

/* A key in hex, or env:NAME to take it from an environment variable (argv is visible to every local user).
 * The hex in argv is wiped once read, which at least shortens the time ps can show it. */
static int hex_key(char *arg, struct sp_key *key, const char *what)
{
	uint8_t buf[SP_MAX_PACKET];
	struct sg_error err;
	const char *hex = arg;
	long got;

	if (!strncmp(arg, "env:", 4)) {
		hex = getenv(arg + 4);
		if (!arg[4] || !hex)
			return otactl_fail("%s: environment variable '%s' is not set", what, arg + 4);
	}
	got = sg_hex_decode(hex, buf, sizeof(buf), what, &err);
	if (hex == arg)
		OPENSSL_cleanse(arg, strlen(arg));
	if (got > 0 && (size_t)got <= sizeof(key->key)) {
		memcpy(key->key, buf, (size_t)got);
		key->len = (size_t)got;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	if (got < 0)
		return otactl_fail("%s", err.msg);
	if (got == 0 || (size_t)got > sizeof(key->key))
		return otactl_fail("%s: %ld bytes; keys are 8 (DES), 16 or 24 (3DES), 16, 24 or 32 (AES) bytes", what,
				   got);
	return 0;
}

/* A 40-bit counter, decimal or 0x-prefixed hex (no octal surprises from a leading zero). */
static int counter_value(const char *arg, uint64_t *out, const char *what)
{
	int base = 10;
	const char *digits = arg;
	unsigned long long v;
	char *end;

	if (!strncmp(arg, "0x", 2) || !strncmp(arg, "0X", 2)) {
		base = 16;
		digits = arg + 2;
	}
	if (!*digits || *digits == '-' || *digits == '+' || *digits == ' ')
		return otactl_fail("%s: '%s' is not a number", what, arg);
	errno = 0;
	v = strtoull(digits, &end, base);
	if (*end)
		return otactl_fail("%s: '%s' is not a number", what, arg);
	if (errno == ERANGE || v > SP_CNTR_MAX)
		return otactl_fail("%s: %s does not fit the 5-byte counter (at most %llu)", what, arg,
				   (unsigned long long)SP_CNTR_MAX);
	*out = v;
	return 0;
}

static int dialect_value(const char *arg, enum sp_dialect *out)
{
	if (!strcmp(arg, "sms"))
		*out = SP_DIALECT_SMS;
	else if (!strcmp(arg, "ussd"))
		*out = SP_DIALECT_USSD;
	else
		return otactl_fail("dialect: '%s' is neither sms nor ussd", arg);
	return 0;
}

static int set_value(int c, char *arg, struct pkt_opts *o)
{
	switch (c) {
	case 'S':
		return hex_fixed(arg, o->hdr.spi, 2, "spi");
	case 'c':
		return hex_fixed(arg, &o->hdr.kic, 1, "kic");
	case 'd':
		return hex_fixed(arg, &o->hdr.kid, 1, "kid");
	case 'C':
		return hex_key(arg, &o->keys.kic, "kic-key");
	case 'D':
		return hex_key(arg, &o->keys.kid, "kid-key");
	case 't':
		return hex_fixed(arg, o->hdr.tar, 3, "tar");
	case 'n':
		return counter_value(arg, &o->hdr.cntr, "cntr");
	case 'N':
		return counter_value(arg, &o->stored_cntr, "stored-cntr");
	case 's':
		return hex_fixed(arg, &o->status, 1, "status");
	case 'l':
		return dialect_value(arg, &o->dialect);
	case 'a': {
		struct sg_error err;
		long n = sg_hex_decode(arg, o->data, sizeof(o->data), "data", &err);

		if (n < 0)
			return otactl_fail("%s", err.msg);
		o->data_len = (size_t)n;
		return 0;
	}
	case 'u':
		o->udh = true;
		return 0;
	case 'j':
		o->json = true;
		return 0;
	case 'U':
		o->unsecured = true;
		return 0;
	}
	return 0;
}

static void print_help(const struct pkt_cmd_spec *spec)
{
	printf("usage: otactl packet %s", spec->help);
}

/* The option as the user wrote it, for messages: "--foo" from "--foo=bar". */
static const char *option_text(const char *arg, char *buf, size_t size)
{
	size_t n = strcspn(arg, "=");

	snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), arg);
	return buf;
}

static int missing_required(const struct pkt_cmd_spec *spec, const struct pkt_opts *o)
{
	size_t i;

	for (i = 0; i < sizeof(opt_bits) / sizeof(opt_bits[0]); i++)
		if ((spec->required & opt_bits[i]) && !(o->given & opt_bits[i]))
			return otactl_fail("--%s: required (see otactl packet %s --help)", long_opts[i].name,
					   spec->name);
	return 0;
}

static int bad_option(int c, int argc, char **argv, const struct pkt_cmd_spec *spec)
{
	char buf[64];
	const char *arg = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	if (strncmp(arg, "--", 2))
		snprintf(buf, sizeof(buf), "-%c", optopt ? optopt : '?');
	else
		option_text(arg, buf, sizeof(buf));
	if (c == ':')
		return otactl_fail("%s: missing value", buf);
	return otactl_fail("%s: unknown option (see otactl packet %s --help)", buf, spec->name);
}

int pkt_opts_parse(int argc, char **argv, const struct pkt_cmd_spec *spec, struct pkt_opts *o)
{
	int c, idx;

	memset(o, 0, sizeof(*o));
	o->dialect = SP_DIALECT_SMS;
	optind = 0; /* GNU getopt: start afresh, the dispatcher may have parsed before */
	opterr = 0;
	for (;;) {
		idx = -1;
		optopt = 0;
		c = getopt_long(argc, argv, ":h", long_opts, &idx);
		if (c == -1)
			break;
		if (c == '?' || c == ':')
			return bad_option(c, argc, argv, spec), -1;
		if (c == 'h') {
			print_help(spec);
			return 1;
		}
		if (idx < 0 || !(spec->allowed & opt_bits[idx]))
			return otactl_fail("--%s: not an option of 'packet %s' (see otactl packet %s --help)",
					   idx < 0 ? "?" : long_opts[idx].name, spec->name, spec->name),
			       -1;
		if (set_value(c, optarg, o))
			return -1;
		o->given |= opt_bits[idx];
	}
	o->operand_argc = argc - optind;
	o->operand_argv = argv + optind;
	if (missing_required(spec, o))
		return -1;
	if (!spec->operand && o->operand_argc > 0)
		return otactl_fail("'%s': unexpected argument (see otactl packet %s --help)", o->operand_argv[0],
				   spec->name),
		       -1;
	if (o->udh && o->dialect != SP_DIALECT_SMS)
		return otactl_fail("udh: the 02 7x 00 user data header exists only in the SMS dialect"), -1;
	return 0;
}

/* One key the SPI asks for: given, and of a length its algorithm takes. */
static int check_cipher_key(uint8_t kic, const struct sp_key *key, bool given)
{
	enum ota_cipher c;
	struct sg_error err;

	if (!given)
		return otactl_fail("kic-key: required: the SPI asks for ciphering");
	if (ota_cipher_from_kic(kic, key->len, &c, &err) < 0 || ota_cipher_key_ok(c, key->len, "kic-key", &err) < 0)
		return otactl_fail("%s", err.msg);
	return 0;
}

static int check_mac_key(uint8_t kid, uint8_t chk, const struct sp_key *key, bool given)
{
	enum ota_mac m;
	struct sg_error err;

	if (chk == SP_SPI1_CHK_CC && !given)
		return otactl_fail("kid-key: required: the SPI asks for a cryptographic checksum (CC)");
	if (ota_mac_from_kid(kid, chk, key->len, &m, &err) < 0)
		return otactl_fail("%s", err.msg);
	if (chk == SP_SPI1_CHK_CC && ota_mac_key_ok(m, key->len, "kid-key", &err) < 0)
		return otactl_fail("%s", err.msg);
	return 0;
}

int pkt_opts_check_keys(const struct pkt_opts *o, const struct sp_cmd_hdr *hdr, bool por)
{
	bool cipher;
	uint8_t chk;

	if (por) {
		cipher = !o->unsecured && (hdr->spi[1] & SP_SPI2_POR_CIPHER);
		chk = o->unsecured ? SP_SPI1_CHK_NONE : (hdr->spi[1] & SP_SPI2_POR_CHK_MASK) >> SP_SPI2_POR_CHK_SHIFT;
	} else {
		cipher = hdr->spi[0] & SP_SPI1_CIPHER;
		chk = hdr->spi[0] & SP_SPI1_CHK_MASK;
	}
	if (chk == SP_SPI1_CHK_DS)
		return otactl_fail("spi: %sdigital signature (DS) is not supported", por ? "PoR with " : ""), -1;
	if (cipher && check_cipher_key(hdr->kic, &o->keys.kic, o->given & PO_KIC_KEY))
		return -1;
	if (chk != SP_SPI1_CHK_NONE && check_mac_key(hdr->kid, chk, &o->keys.kid, o->given & PO_KID_KEY))
		return -1;
	return 0;
}
