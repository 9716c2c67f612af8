/* SMPP 3.4 PDU codec shared by the gateway, its test client and the OTA server: checks a PDU's framing and every
 * length inside its body before libsmpp34 sees it (so a lying PDU yields the right command_status, never a
 * read past the buffer), then packs and unpacks with libsmpp34 (smpp34_pack / smpp34_unpack). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMPP_HDR_LEN 16
#define SMPP_MAX_PDU 4096 /* largest PDU we accept: a 1024-byte message_payload plus every other field */
#define SMPP_UD_MAX 1024  /* libsmpp34's TLV value limit */
#define SMPP_SM_MAX 254	  /* short_message */

#define SMPP_CMD_GENERIC_NACK 0x80000000u
#define SMPP_CMD_RESP 0x80000000u

struct smpp_hdr {
	uint32_t len;
	uint32_t id;
	uint32_t status;
	uint32_t seq;
};

/* A short message as submit_sm / deliver_sm / data_sm carry it. ud is short_message or message_payload. */
struct smpp_sm {
	char service_type[6];
	uint8_t src_ton, src_npi;
	char src[21];
	uint8_t dst_ton, dst_npi;
	char dst[21];
	uint8_t esm_class;
	uint8_t pid;
	uint8_t priority;
	uint8_t regdel;
	uint8_t dcs;
	uint8_t ud[SMPP_UD_MAX];
	size_t ud_len;
	bool use_payload; /* ud travels in the message_payload TLV (always when longer than 254) */
	bool has_umr;
	uint16_t umr; /* user_message_reference */
	int ussd_op;  /* ussd_service_op, -1 when absent */
	char receipted_id[65];
	int message_state; /* -1 when absent */
};

struct smpp_bind {
	uint32_t cmd; /* BIND_TRANSMITTER / BIND_RECEIVER / BIND_TRANSCEIVER */
	char system_id[16];
	char password[9];
	char system_type[13];
	uint8_t version;
};

/* Read the header at buf (len >= 16). */
void smpp_hdr_get(const uint8_t *buf, struct smpp_hdr *h);
/* Name of a command id ("submit_sm", ...) or "unknown". */
const char *smpp_cmd_name(uint32_t id);
/* Name of a command_status ("ESME_RTHROTTLED", ...) or "status". */
const char *smpp_status_name(uint32_t status);
/* True for the command ids we know (requests and responses of SMPP 3.4). */
bool smpp_cmd_known(uint32_t id);

/* Check one whole PDU's body against the layout of its command id. Returns ESME_ROK or the status naming the
 * problem (ESME_RINVCMDLEN for a field running past the end, ESME_RINVMSGLEN for sm_length, ESME_RINVOPTPARSTREAM
 * / ESME_RINVPARLEN for TLVs, ESME_RINVCMDID for unknown ids); why gets a one-line explanation. */
uint32_t smpp_pdu_check(const uint8_t *pdu, size_t len, char *why, size_t why_size);

/* Decode requests (the PDU must have passed smpp_pdu_check). Return ESME_ROK or a status, with why. */
uint32_t smpp_decode_sm(const uint8_t *pdu, size_t len, struct smpp_sm *sm, char *why, size_t why_size);
uint32_t smpp_decode_bind(const uint8_t *pdu, size_t len, struct smpp_bind *b, char *why, size_t why_size);
/* The message_id of a submit_sm_resp / data_sm_resp (empty when absent). */
void smpp_decode_resp_msgid(const uint8_t *pdu, size_t len, char *msgid, size_t size);

/* Encoders: return the PDU length, or -1 when libsmpp34 refuses (why filled). */
int smpp_encode_sm(uint32_t cmd, uint32_t seq, const struct smpp_sm *sm, uint8_t *buf, size_t size, char *why,
		   size_t why_size);
int smpp_encode_bind(uint32_t seq, const struct smpp_bind *b, uint8_t *buf, size_t size);
int smpp_encode_bind_resp(uint32_t cmd, uint32_t status, uint32_t seq, const char *system_id, uint8_t *buf,
			  size_t size);
/* submit_sm_resp / data_sm_resp with a message id (omitted when status != 0), deliver_sm_resp. */
int smpp_encode_sm_resp(uint32_t cmd, uint32_t status, uint32_t seq, const char *msgid, uint8_t *buf, size_t size);
/* Header-only PDUs: enquire_link(_resp), unbind(_resp), generic_nack. */
int smpp_encode_hdr_only(uint32_t cmd, uint32_t status, uint32_t seq, uint8_t *buf, size_t size);

/* Initialise sm with OTA defaults cleared (ussd_op and message_state -1). */
void smpp_sm_init(struct smpp_sm *sm);
