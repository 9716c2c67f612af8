/* ISO 7816-4 command APDUs: parsing (card side), building the commands a terminal sends to a UICC (ETSI TS 102 221)
 * or a 2G SIM (GSM 11.11, CLA A0), and status word names for display.
 *
 * Parsing follows ISO 7816-4 clause 5.1 exactly; extended-length APDUs (B1 = 00 followed by two-byte Lc/Le) are
 * parsed too and flagged with `extended`, so the card can refuse them with 6700 (TS 102 221 cards use short APDUs
 * only) while PC/SC tools can still show them. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/sg_error.h"

/* Short APDU: CLA INS P1 P2 Lc 255 data Le */
#define APDU_SHORT_MAX 261

/* ISO 7816-4 cases: 1 no data no Le, 2 Le only, 3 data only, 4 data and Le */
enum apdu_case {
	APDU_CASE_1 = 1,
	APDU_CASE_2 = 2,
	APDU_CASE_3 = 3,
	APDU_CASE_4 = 4,
};

struct apdu {
	uint8_t cla, ins, p1, p2;
	size_t lc;	     /* number of data bytes (0 when absent) */
	const uint8_t *data; /* points into the parsed buffer (NULL when lc == 0) */
	size_t le;	     /* expected response bytes, 1..256 (short) or 1..65536 (extended); 0 when !has_le */
	bool has_le;
	bool extended;
	enum apdu_case apdu_case;
};

/* Parse a command APDU. -1 with err for fewer than 4 bytes, an Lc that does not match the bytes present, Lc = 0 in
 * an extended APDU, or bytes left over. */
int apdu_parse(const uint8_t *buf, size_t len, struct apdu *a, struct sg_error *err);

/* A command APDU being built by the terminal side. */
struct apdu_buf {
	uint8_t bytes[APDU_SHORT_MAX];
	size_t len;
};

/* Encode a short APDU from its parts: case from lc / has_le; le 256 is coded 00. -1 with err for lc > 255,
 * le outside 1..256 with has_le, or extended set. */
int apdu_build(struct apdu_buf *out, const struct apdu *a, struct sg_error *err);

/* Which card the terminal talks to: a UICC (CLA 00 for ISO commands, 80 for TS 102 221 ones) or a 2G SIM (A0). */
enum apdu_family {
	APDU_UICC,
	APDU_SIM2G,
};

/* SELECT P1 */
enum apdu_select_by {
	APDU_SELECT_FID = 0x00,	      /* file identifier */
	APDU_SELECT_AID = 0x04,	      /* DF name (application identifier) */
	APDU_SELECT_PATH_MF = 0x08,   /* path from the MF, without 3F00 */
	APDU_SELECT_PATH_CUR = 0x09,  /* path from the current DF */
};

/* SELECT P2 (UICC): return the FCP template or nothing */
enum apdu_select_rsp {
	APDU_SELECT_RSP_FCP = 0x04,
	APDU_SELECT_RSP_NONE = 0x0C,
};

/* A UICC SELECT asking for the FCP carries Le = 00 (case 4); a 2G SIM SELECT is always A0 A4 00 00 02 FID. */
int apdu_select_fid(struct apdu_buf *out, enum apdu_family f, uint16_t fid, enum apdu_select_rsp rsp,
		    struct sg_error *err);
/* path: FIDs as bytes (2 per level), without the leading 3F00 for APDU_SELECT_PATH_MF. UICC only. */
int apdu_select_path(struct apdu_buf *out, enum apdu_select_by by, const uint8_t *path, size_t len,
		     enum apdu_select_rsp rsp, struct sg_error *err);
int apdu_select_aid(struct apdu_buf *out, const uint8_t *aid, size_t len, enum apdu_select_rsp rsp,
		    struct sg_error *err);

/* READ / UPDATE BINARY at offset (0..32767) of the current EF. le 1..256. */
int apdu_read_binary(struct apdu_buf *out, enum apdu_family f, uint16_t offset, size_t le, struct sg_error *err);
int apdu_update_binary(struct apdu_buf *out, enum apdu_family f, uint16_t offset, const uint8_t *data, size_t len,
		       struct sg_error *err);
/* READ / UPDATE RECORD: absolute record number 1..254 of the current EF. */
int apdu_read_record(struct apdu_buf *out, enum apdu_family f, uint8_t record, size_t le, struct sg_error *err);
int apdu_update_record(struct apdu_buf *out, enum apdu_family f, uint8_t record, const uint8_t *data, size_t len,
		       struct sg_error *err);

/* PIN key references (TS 102 221 9.5.1): PIN1 of the application 01, universal PIN 11, second PIN 81.
 * 2G SIM: CHV1 01, CHV2 02. */
#define APDU_KEYREF_PIN1 0x01
#define APDU_KEYREF_PIN2 0x81
#define APDU_KEYREF_UPIN 0x11

/* VERIFY PIN: pin is 4..8 ASCII digits, padded with FF to 8 bytes; pin NULL builds the retry-counter query
 * (case 1, answered 63Cx). */
int apdu_verify_pin(struct apdu_buf *out, enum apdu_family f, uint8_t keyref, const char *pin, struct sg_error *err);

/* AUTHENTICATE. UICC: 3G context (P2 81), data 10 RAND 10 AUTN, Le 00. 2G SIM: RUN GSM ALGORITHM with RAND
 * (autn ignored). */
int apdu_authenticate(struct apdu_buf *out, enum apdu_family f, const uint8_t rand[16], const uint8_t autn[16],
		      struct sg_error *err);

/* STATUS P1 (application status) and P2 (what to return), TS 102 221 11.1.2 */
#define APDU_STATUS_P1_NONE 0x00
#define APDU_STATUS_P1_APP_INIT 0x01
#define APDU_STATUS_P1_APP_TERM 0x02
#define APDU_STATUS_P2_FCP 0x00
#define APDU_STATUS_P2_AID 0x01
#define APDU_STATUS_P2_NONE 0x0C
/* STATUS: le 0 means no response data (case 1, P2 must be 0C); otherwise case 2. */
int apdu_status(struct apdu_buf *out, enum apdu_family f, uint8_t p1, uint8_t p2, size_t le, struct sg_error *err);

/* CAT APDUs (TS 102 221 10.1, GSM 11.14): TERMINAL PROFILE, ENVELOPE and TERMINAL RESPONSE are case 3, FETCH and
 * GET RESPONSE case 2. */
int apdu_terminal_profile(struct apdu_buf *out, enum apdu_family f, const uint8_t *profile, size_t len,
			  struct sg_error *err);
int apdu_envelope(struct apdu_buf *out, enum apdu_family f, const uint8_t *data, size_t len, struct sg_error *err);
int apdu_fetch(struct apdu_buf *out, enum apdu_family f, size_t le, struct sg_error *err);
int apdu_terminal_response(struct apdu_buf *out, enum apdu_family f, const uint8_t *data, size_t len,
			   struct sg_error *err);
int apdu_get_response(struct apdu_buf *out, enum apdu_family f, size_t le, struct sg_error *err);

/* Instruction bytes */
enum apdu_ins {
	APDU_INS_SELECT = 0xA4,
	APDU_INS_STATUS = 0xF2,
	APDU_INS_READ_BINARY = 0xB0,
	APDU_INS_UPDATE_BINARY = 0xD6,
	APDU_INS_READ_RECORD = 0xB2,
	APDU_INS_UPDATE_RECORD = 0xDC,
	APDU_INS_SEARCH_RECORD = 0xA2,
	APDU_INS_INCREASE = 0x32,
	APDU_INS_VERIFY = 0x20,
	APDU_INS_CHANGE_PIN = 0x24,
	APDU_INS_DISABLE_PIN = 0x26,
	APDU_INS_ENABLE_PIN = 0x28,
	APDU_INS_UNBLOCK_PIN = 0x2C,
	APDU_INS_DEACTIVATE_FILE = 0x04,
	APDU_INS_ACTIVATE_FILE = 0x44,
	APDU_INS_AUTHENTICATE = 0x88,
	APDU_INS_GET_CHALLENGE = 0x84,
	APDU_INS_TERMINAL_PROFILE = 0x10,
	APDU_INS_ENVELOPE = 0xC2,
	APDU_INS_FETCH = 0x12,
	APDU_INS_TERMINAL_RESPONSE = 0x14,
	APDU_INS_MANAGE_CHANNEL = 0x70,
	APDU_INS_GET_RESPONSE = 0xC0,
};

/* Name of an instruction ("SELECT", "FETCH", ...) or NULL when unknown. */
const char *apdu_ins_name(uint8_t ins);

/* True for a VERIFY / CHANGE / DISABLE / ENABLE / UNBLOCK PIN command with data: bytes 5.. are PIN values, which
 * traces and logs must blank. */
bool apdu_carries_pin(const uint8_t *cmd, size_t len);

/* Status words (TS 102 221 10.2, ISO 7816-4, GSM 11.11) */
#define APDU_SW_OK 0x9000
#define APDU_SW_PROACTIVE(xx) (0x9100 | (xx))
#define APDU_SW_BYTES_AVAILABLE(xx) (0x6100 | (xx))
#define APDU_SW_SIM_BYTES_AVAILABLE(xx) (0x9F00 | (xx))
#define APDU_SW_TOOLKIT_BUSY 0x9300
#define APDU_SW_WRONG_LENGTH 0x6700
#define APDU_SW_SECURITY_NOT_SATISFIED 0x6982
#define APDU_SW_AUTH_METHOD_BLOCKED 0x6983
#define APDU_SW_CONDITIONS_NOT_SATISFIED 0x6985
#define APDU_SW_COMMAND_NOT_ALLOWED 0x6986
#define APDU_SW_WRONG_DATA 0x6A80
#define APDU_SW_FUNC_NOT_SUPPORTED 0x6A81
#define APDU_SW_FILE_NOT_FOUND 0x6A82
#define APDU_SW_RECORD_NOT_FOUND 0x6A83
#define APDU_SW_WRONG_P1P2_DATA 0x6A86
#define APDU_SW_REF_DATA_NOT_FOUND 0x6A88
#define APDU_SW_WRONG_P1P2 0x6B00
#define APDU_SW_INS_NOT_SUPPORTED 0x6D00
#define APDU_SW_CLA_NOT_SUPPORTED 0x6E00
#define APDU_SW_TECHNICAL_PROBLEM 0x6F00
#define APDU_SW_VERIFY_FAILED(x) (0x63C0 | (x))

/* A one-line description of a status word, e.g. "9000 normal ending", "611A 26 response bytes available",
 * "63C2 verification failed, 2 retries left", "6A82 file or application not found". Unknown words still get a
 * line naming their ISO 7816-4 group. Returns out. */
const char *apdu_sw_describe(uint16_t sw, char *out, size_t size);

/* True for 9000, 91xx, 61xx, 9Fxx, 92xx: the command was executed. */
bool apdu_sw_is_success(uint16_t sw);
