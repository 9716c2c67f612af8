/* Internal to `otactl packet`: the options its subcommands share, their parser, and the JSON views of packets.
 * Split so each file keeps one concern: otactl_packet.c runs the subcommands, otactl_packet_opts.c parses,
 * otactl_packet_json.c renders. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/secured_packet.h"

/* One bit per option, so each subcommand states which options it takes and which it requires. */
enum pkt_opt {
	PO_SPI = 1 << 0,
	PO_KIC = 1 << 1,
	PO_KID = 1 << 2,
	PO_KIC_KEY = 1 << 3,
	PO_KID_KEY = 1 << 4,
	PO_TAR = 1 << 5,
	PO_CNTR = 1 << 6,
	PO_DATA = 1 << 7,
	PO_DIALECT = 1 << 8,
	PO_UDH = 1 << 9,
	PO_JSON = 1 << 10,
	PO_STORED_CNTR = 1 << 11,
	PO_STATUS = 1 << 12,
	PO_UNSECURED = 1 << 13,
	PO_HELP = 1 << 14,
};

/* Everything a `packet` subcommand can be told; 'given' has a PO_* bit for each option that was on the line. */
struct pkt_opts {
	unsigned int given;
	struct sp_cmd_hdr hdr;
	struct sp_keys keys;
	uint8_t data[SP_MAX_PACKET];
	size_t data_len;
	enum sp_dialect dialect;
	uint64_t stored_cntr;
	uint8_t status;
	bool udh, json, unsecured;
	int operand_argc; /* positional arguments (the packet hex), left in argv after the options */
	char **operand_argv;
};

/* What a subcommand accepts; help is printed for --help. */
struct pkt_cmd_spec {
	const char *name;
	unsigned int allowed;
	unsigned int required;
	bool operand; /* takes the packet hex as last argument */
	const char *help;
};

/* Parse argv (argv[0] = subcommand name) into o. Returns 0 to go on, 1 when --help was printed,
 * or -1 after printing one line naming the bad option or value. Cleanse o->keys when done with o. */
int pkt_opts_parse(int argc, char **argv, const struct pkt_cmd_spec *spec, struct pkt_opts *o);

/* Check that the keys a packet needs were given and fit the KIc/KID algorithms: ciphering and checksum kind
 * as the SPI asks for the command (por=false) or for its PoR (por=true). 0, or -1 after one line on stderr. */
int pkt_opts_check_keys(const struct pkt_opts *o, const struct sp_cmd_hdr *hdr, bool por);

/* A decoded PoR is authentic when its checksum verified, or when the command's SPI2 asked for none. */
bool pkt_por_authentic(const struct pkt_opts *o, bool checksum_ok);

/* ---- JSON views ---- */
json_t *pkt_json_hex(const uint8_t *bytes, size_t len);
json_t *pkt_json_status(uint8_t status);
/* The fields of SPI, KIc and KID spelled out (checksum kind, counter mode, PoR wishes, key version, algorithm). */
json_t *pkt_json_spi(const uint8_t spi[2]);
json_t *pkt_json_kic(uint8_t kic, size_t keylen);
json_t *pkt_json_kid(uint8_t kid, uint8_t spi_chk, size_t keylen);
/* `packet verify` output. v and err describe the verification; counter is NULL or the --stored-cntr verdict;
 * card_status is the status code a card would put in its PoR. */
json_t *pkt_json_command(const struct sp_cmd_hdr *peeked, const struct sp_command *cmd, enum sp_verdict v,
			 const struct sg_error *err, const struct pkt_opts *o, json_t *counter, uint8_t card_status);
/* `packet decode-por` output. */
json_t *pkt_json_response(const struct sp_response *rsp, enum sp_verdict v, bool checksum_ok,
			  const struct sg_error *err, const struct pkt_opts *o);
/* The counter verdict of the receiving side, for `verify --stored-cntr`. */
json_t *pkt_json_counter(uint8_t spi1, uint64_t stored, uint64_t received, enum sp_counter_result r, uint64_t store);
