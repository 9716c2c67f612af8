/* Proof of Receipt handling on the terminal side: finding the response packet in what the card returned (the
 * ENVELOPE response data, the TP-UD of a SEND SHORT MESSAGE's SMS-SUBMIT, or a USSD string) and decoding it with
 * the command's keys through secured_packet.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/secured_packet.h"
#include "simguard/sg_error.h"

struct pcsct_por {
	const char *via; /* "envelope response", "SEND SHORT MESSAGE", "USSD" */
	enum sp_verdict verdict;
	bool checksum_ok;
	struct sp_response rsp;
	uint8_t plain[SP_MAX_PACKET];
	uint8_t raw[SP_MAX_PACKET]; /* the response packet as received (from RPL) */
	size_t raw_len;
	char error[160];
};

/* What a command packet's PoR is checked against: the header the sender used (cmd), found with the keys when
 * the command is ciphered. Returns 0, or -1 with err (packet malformed, or ciphered and no keys). */
int pcsct_por_cmd_header(const uint8_t *pkt, size_t len, enum sp_dialect d, const struct sp_keys *keys,
			 struct sp_cmd_hdr *hdr, struct sg_error *err);

/* Decode a PoR. For SMS, ud is TP-UD (must start with a header carrying the RPI 71); for USSD, the packet itself.
 * Returns 0 when a PoR was found and decoded (p->verdict tells whether it verified), -1 with err when the bytes
 * are no PoR at all. */
int pcsct_por_decode(const uint8_t *ud, size_t len, enum sp_dialect d, const struct sp_cmd_hdr *cmd,
		     const struct sp_keys *keys, const char *via, struct pcsct_por *p, struct sg_error *err);

/* A TPDU sent by SEND SHORT MESSAGE: its TP-UD if it is an SMS-SUBMIT carrying a response packet. Returns the
 * TP-UD length, 0 when it is not a PoR, -1 when it is no SMS-SUBMIT. */
int pcsct_por_from_submit(const uint8_t *tpdu, size_t len, uint8_t *ud, size_t size, struct sg_error *err);

json_t *pcsct_por_to_json(const struct pcsct_por *p);
