/* The anti-theft applet's message encoding as specs/antitheft-protocol.md defines it, from the server's side:
 * command messages (VERB || REQUEST-ID || TLVs), the owner key and owner proof, the results a PoR carries and the
 * card's handset-change report. The one place that knows those bytes. No I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "simguard/sg_error.h"

#define OSV_AT_TAR 0xC10001u
#define OSV_AT_KEY_LEN 32
#define OSV_AT_PROOF_LEN 16
#define OSV_AT_MESSAGE_MAX 120

enum osv_at_origin {
	OSV_AT_ORIGIN_OWNER = 1,
	OSV_AT_ORIGIN_OPERATOR = 2,
};

/* What a command carries besides its verb. Empty strings / false flags: the parameter is left out. */
struct osv_at_params {
	enum osv_at_origin origin;
	char message[OSV_AT_MESSAGE_MAX + 1];
	char contact[22];
	int duration; /* RING seconds, 0 = card default */
	int tone;     /* RING tone code, -1 = card default */
	bool proof;   /* add an owner proof made with owner_key */
	uint8_t owner_key[OSV_AT_KEY_LEN];
	bool enrol;   /* ENRL: the new owner key */
	uint8_t new_key[OSV_AT_KEY_LEN];
};

/* The verb (4 ASCII bytes) for an API command name: lock, disable, unlock, wipe, locate, ring, message, status,
 * opt-out, opt-in, enrol. NULL for other names. */
const char *osv_at_verb(const char *command);

/* Check parameter values the card would refuse (message length and characters, contact digits, duration 30..180,
 * tone). 0 or -1 with err naming the field. */
int osv_at_params_check(const struct osv_at_params *p, struct sg_error *err);

/* Encode VERB || REQUEST-ID || TLVs. The proof covers verb, request id and cntr, the counter of the packet that
 * carries it. Returns the length, or -1 with err. */
long osv_at_encode(const char *verb, uint32_t request_id, uint64_t cntr, const struct osv_at_params *p,
		   uint8_t *out, size_t size, struct sg_error *err);

/* owner_key = PBKDF2-HMAC-SHA256(secret, "simguard-owner:" || ICCID, 100000, 32). */
int osv_at_owner_key(const char *secret, const char *iccid, uint8_t key[OSV_AT_KEY_LEN], struct sg_error *err);
/* First 16 bytes of HMAC-SHA256(owner_key, VERB || REQUEST-ID || CNTR(5)). */
int osv_at_proof(const uint8_t key[OSV_AT_KEY_LEN], const char *verb, uint32_t request_id, uint64_t cntr,
		 uint8_t proof[OSV_AT_PROOF_LEN]);

/* The applet's verdict in a PoR's data: RESULT (2 ASCII) || TLVs, as JSON:
 * {"result": "OK", "meaning": "...", "state": "locked", "location": {"mcc":..,"mnc":..,"lac":..,"cell":..},
 *  "imei": "...", "records_cleared": n, "service": n, "flags": {...}, "previous_imei": "..."}.
 * Returns the object, or NULL with err for data that does not parse. */
json_t *osv_at_result_decode(const uint8_t *data, size_t len, struct sg_error *err);
/* True when the result means "performed" (OK, or NL for a locate). */
bool osv_at_result_ok(const char result[2]);

/* A handset-change report's data (HSCH || REPORT-ID || 92 new IMEI || 98 previous IMEI || 90 state), as JSON
 * {"report_id", "imei", "previous_imei", "state"}. NULL with err when it is something else or malformed. */
json_t *osv_at_report_decode(const uint8_t *data, size_t len, struct sg_error *err);
