/* Secured packets of ETSI TS 102 225 / 3GPP TS 31.115 (ex GSM 03.48): command packets and response packets
 * (Proof of Receipt), built by the sending entity (OTA server) and verified by the receiving entity (UICC).
 * One codec for both roles so that the server and the card can never disagree on a byte.
 * No I/O here; all cryptography goes through ota_crypto.h (OpenSSL 3 EVP). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

/* Which bearer framing the packet uses (TS 31.115 clause 4 SMS-PP, clause 6 USSD; specs/secured-packets.md 2).
 * SMS: packets start at CPL / RPL (the 02 70 00 / 02 71 00 header is the caller's). USSD: they start with the
 * CPI 03 / RPI 04 byte and CPL / RPL are BER lengths. */
enum sp_dialect {
	SP_DIALECT_SMS = 0,
	SP_DIALECT_USSD = 1,
};

/* SPI byte 1 */
#define SP_SPI1_CHK_MASK      0x03
#define SP_SPI1_CHK_NONE      0x00
#define SP_SPI1_CHK_RC        0x01
#define SP_SPI1_CHK_CC        0x02
#define SP_SPI1_CHK_DS        0x03
#define SP_SPI1_CIPHER        0x04
#define SP_SPI1_CNTR_MASK     0x18
#define SP_SPI1_CNTR_NONE     0x00
#define SP_SPI1_CNTR_NOCHECK  0x08
#define SP_SPI1_CNTR_HIGHER   0x10
#define SP_SPI1_CNTR_ONE_HIGHER 0x18
#define SP_SPI1_RESERVED_MASK 0xE0
/* SPI byte 2 */
#define SP_SPI2_POR_MASK      0x03
#define SP_SPI2_POR_NONE      0x00
#define SP_SPI2_POR_ALWAYS    0x01
#define SP_SPI2_POR_ON_ERROR  0x02
#define SP_SPI2_POR_CHK_MASK  0x0C
#define SP_SPI2_POR_CHK_SHIFT 2
#define SP_SPI2_POR_CIPHER    0x10
#define SP_SPI2_POR_SUBMIT    0x20 /* 31.115: PoR by SMS-SUBMIT instead of SMS-DELIVER-REPORT */
#define SP_SPI2_RESERVED_MASK 0xC0

#define SP_CNTR_MAX 0xFFFFFFFFFFULL /* 40 bits; a counter here is blocked for good */

#define SP_MAX_PACKET 1024 /* largest packet we build or accept (concatenated SMS, several parts) */
#define SP_SMS_SINGLE_MAX 137 /* 140 octets of TP-UD minus the 02 70 00 header */
/* One USSD string carries 160 octets, the first being the annex X PFI byte (TS 31.115 clause 6); we do not segment
 * USSD packets, so this is the USSD dialect's limit for a whole packet. */
#define SP_USSD_SINGLE_MAX 159

/* Response status codes, TS 102 225 clause 5.1.2 and TS 31.115 */
enum sp_status {
	SP_STATUS_OK = 0x00,
	SP_STATUS_CHK_FAILED = 0x01,
	SP_STATUS_CNTR_LOW = 0x02,
	SP_STATUS_CNTR_HIGH = 0x03,
	SP_STATUS_CNTR_BLOCKED = 0x04,
	SP_STATUS_CIPHER_ERROR = 0x05,
	SP_STATUS_UNIDENTIFIED = 0x06,
	SP_STATUS_NO_MEMORY = 0x07,
	SP_STATUS_MORE_TIME = 0x08,
	SP_STATUS_TAR_UNKNOWN = 0x09,
	SP_STATUS_INSUFFICIENT_SECURITY = 0x0A,
	SP_STATUS_RESP_BY_SUBMIT = 0x0B,
	SP_STATUS_RESP_BY_USSD = 0x0C,
};
/* "PoR OK", "RC/CC/DS failed", ...; "reserved" for codes above 0x0C. Never NULL. */
const char *sp_status_name(uint8_t status);

/* Key material for one key of a keyset. The algorithm comes from the KIc/KID byte; len must fit it. */
struct sp_key {
	uint8_t key[32];
	size_t len;
};

/* The two keys a packet is secured with (KIc for ciphering, KID for the checksum). */
struct sp_keys {
	struct sp_key kic;
	struct sp_key kid;
};

/* Wipe key material (OPENSSL_cleanse). */
void sp_keys_cleanse(struct sp_keys *keys);

/* Header fields of a command packet, as the sender chooses them or the receiver reads them. */
struct sp_cmd_hdr {
	uint8_t spi[2];
	uint8_t kic;
	uint8_t kid;
	uint8_t tar[3];
	uint64_t cntr; /* 40 bits */
};

/* A command packet after parsing / verification. */
struct sp_command {
	struct sp_cmd_hdr hdr;
	uint16_t cpl;
	uint8_t chl;
	uint8_t pcntr;
	uint8_t chk[8]; /* RC/CC/DS as received (deciphered) */
	size_t chk_len;
	const uint8_t *data; /* secured data without padding; points into the caller's plaintext buffer */
	size_t data_len;
};

/* Response packet (PoR) fields. */
struct sp_response {
	uint8_t tar[3];
	uint64_t cntr;
	uint8_t pcntr;
	uint8_t status;
	uint8_t chk[8];
	size_t chk_len;
	const uint8_t *data;
	size_t data_len;
};

/* Outcome of verifying a packet. Each maps to a response status code (sp_verdict_status). */
enum sp_verdict {
	SP_VERDICT_OK = 0,
	SP_VERDICT_FORMAT,      /* malformed: wrong lengths, reserved codings */
	SP_VERDICT_CHK_FAILED,  /* RC/CC/DS mismatch */
	SP_VERDICT_CIPHER,      /* cannot decipher: length not a block multiple, PCNTR impossible */
	SP_VERDICT_UNSUPPORTED, /* algorithm we do not implement (DS, proprietary, implicit), or keys not fitting it */
};
uint8_t sp_verdict_status(enum sp_verdict v);

/* Length of the RC/CC/DS field for an SPI1 checksum kind and a KID algorithm (0 for none); -1 if reserved. */
int sp_chk_len(uint8_t spi_chk, uint8_t kid);

/* Build a command packet. For SMS the output starts at CPL (the bytes after the 02 70 00 user data header).
 * keys may be NULL when the SPI asks neither ciphering nor a cryptographic checksum. Padding is 00 bytes, CC 8 bytes.
 * Returns 0, or -1 with err naming the field and the problem (bad key length, reserved algorithm or SPI bits, a
 * PoR request the KIc/KID cannot satisfy, more than SP_MAX_PACKET (SMS) / SP_USSD_SINGLE_MAX (USSD) bytes). */
int sp_command_build(const struct sp_cmd_hdr *hdr, const uint8_t *data, size_t data_len, const struct sp_keys *keys,
		     enum sp_dialect dialect, uint8_t *out, size_t out_size, size_t *out_len, struct sg_error *err);

/* Read the clear part of a command packet (CPL, CHL, SPI, KIc, KID, TAR) so the receiver can pick the keyset by TAR
 * and key version before verifying. Returns 0, or -1 with err for a packet too short or inconsistent. */
int sp_command_peek(const uint8_t *pkt, size_t len, enum sp_dialect dialect, struct sp_cmd_hdr *hdr,
		    struct sg_error *err);

/* Decipher and verify a command packet (receiving entity). plain (>= len bytes) receives the deciphered bytes;
 * cmd->data points into it (padding stripped); the caller cleanses plain. plain may be pkt itself. Counter freshness is NOT judged here: use
 * sp_counter_verdict() with cmd->hdr.cntr once this returned SP_VERDICT_OK. Comparison of checksums is
 * constant-time; SPI byte 2 is judged only after the checksum verified. */
enum sp_verdict sp_command_verify(const uint8_t *pkt, size_t len, enum sp_dialect dialect, const struct sp_keys *keys,
				  struct sp_command *cmd, uint8_t *plain, size_t plain_size, struct sg_error *err);

/* Build the PoR for a command, secured as the command's SPI2 asks (checksum kind, ciphering) with the command's
 * KIc/KID algorithms and keys. With unsecured=true the PoR carries no checksum and is not ciphered, whatever SPI2
 * says: that is what a card must send for security failures. For SMS the output starts at RPL (the 02 71 00
 * header is part of the checksum input but not of the output). */
int sp_response_build(const struct sp_cmd_hdr *cmd, uint8_t status, const uint8_t *data, size_t data_len,
		      const struct sp_keys *keys, enum sp_dialect dialect, bool unsecured, uint8_t *out,
		      size_t out_size, size_t *out_len, struct sg_error *err);

/* Decode and verify a PoR as the sender of cmd. pkt starts at RPL (SMS: without 02 71 00).
 * *checksum_ok is set true only when a checksum was present and verified. An unsecured PoR (no checksum, not
 * ciphered, e.g. a card's answer to a bad MAC) decodes with *checksum_ok=false and SP_VERDICT_OK: show its status,
 * do not trust it. A secured PoR that does not echo cmd's TAR and counter is SP_VERDICT_CHK_FAILED. */
enum sp_verdict sp_response_verify(const uint8_t *pkt, size_t len, const struct sp_cmd_hdr *cmd,
				   const struct sp_keys *keys, enum sp_dialect dialect, struct sp_response *rsp,
				   bool *checksum_ok, uint8_t *plain, size_t plain_size, struct sg_error *err);

/* ---- counters (TS 102 225 clause 5.1.1, SPI1 b5b4) ---- */
enum sp_counter_result {
	SP_CNTR_ACCEPT = 0,
	SP_CNTR_TOO_LOW,
	SP_CNTR_TOO_HIGH,
	SP_CNTR_BLOCKED,
};
/* The receiving side's rule, shared by card and server: given SPI1, the stored counter and the received one.
 * *store is set to the value to store after the packet is accepted (unchanged for modes without checking and for
 * refused packets). A stored counter at SP_CNTR_MAX blocks the checking modes for good. */
enum sp_counter_result sp_counter_verdict(uint8_t spi1, uint64_t stored, uint64_t received, uint64_t *store);
/* Status code for a counter result (00, 02, 03, 04). */
uint8_t sp_counter_status(enum sp_counter_result r);
/* Sender side: next counter after 'last'; -1 when the counter is exhausted (blocked at SP_CNTR_MAX). */
int sp_counter_next(uint64_t last, uint64_t *next);

/* ---- minimum security level (TS 102 226 clause 8.2.1.3.2.4.2) ---- */
/* MSL is coded like SPI1. True when the packet's SPI1 meets it: checksum at least as strong (none < RC < CC < DS),
 * ciphering if required, counter checking at least as strict as required. */
bool sp_msl_satisfied(uint8_t msl, uint8_t spi1);
