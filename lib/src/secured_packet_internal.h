/* Shared pieces of the command and response packet codecs: security parameters resolved from SPI/KIc/KID,
 * key checks and the dialect framing (SMS-PP fixed-size lengths, USSD CPI/RPI and BER lengths). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "simguard/ota_crypto.h"
#include "simguard/secured_packet.h"

/* Packet identifiers of the USSD dialect (TS 31.115 clause 6); SMS carries them in the UDH instead. */
#define SP_USSD_CPI 0x03
#define SP_USSD_RPI 0x04

#define SP_CMD_FIXED_HDR 13 /* SPI..PCNTR: what CHL counts besides the RC/CC/DS */
#define SP_RSP_FIXED_HDR 10 /* TAR..status: what RHL counts besides the RC/CC/DS */

/* How one packet is secured: ciphering and the RC/CC/DS, with their algorithms. */
struct sp_sec {
	bool cipher;
	enum ota_cipher c;
	size_t block;
	uint8_t chk; /* SP_SPI1_CHK_* */
	enum ota_mac m;
	size_t chk_len;
};

/* The clear framing of either packet kind: [CPI/RPI (USSD)] length(CPL/RPL) header length(CHL/RHL) ... CNTR. */
struct sp_frame_kind {
	const char *field; /* names the packet in errors: "packet" / "por" */
	const char *noun;  /* "packet" / "PoR" */
	const char *kind;  /* "command" / "response" */
	uint8_t ussd_id;   /* CPI / RPI */
	const char *id_name, *len_name, *hl_name;
	size_t fixed;           /* what the header length counts besides the RC/CC/DS */
	const char *fixed_desc; /* "SPI to PCNTR" / "TAR to status" */
	size_t clear;           /* bytes from the header length to CNTR */
};
extern const struct sp_frame_kind sp_cmd_frame, sp_rsp_frame;

struct sp_frame {
	size_t prefix;    /* bytes before the header length: [CPI/RPI] CPL/RPL */
	size_t len_value; /* CPL / RPL */
	uint8_t hl;       /* CHL / RHL */
	size_t body;      /* offset of CNTR: the first byte that can be ciphered */
};

/* Lengths and identifiers of the clear part: everything a receiver checks before any key is involved. */
int sp_frame_parse(const uint8_t *pkt, size_t len, enum sp_dialect d, const struct sp_frame_kind *k,
		   struct sp_frame *f, struct sg_error *err);

/* Resolve algorithms from the KIc/KID bytes. Returns SP_VERDICT_OK, SP_VERDICT_FORMAT (reserved coding) or
 * SP_VERDICT_UNSUPPORTED (DS, proprietary, implicit), err naming the byte. */
enum sp_verdict sp_sec_resolve(uint8_t chk, bool cipher, uint8_t kic, uint8_t kid, struct sp_sec *s,
			       struct sg_error *err);
/* The keys a packet secured as s needs are present and of the right length; -1 with err naming kic-key/kid-key. */
int sp_sec_keys_ok(const struct sp_sec *s, const struct sp_keys *keys, struct sg_error *err);
/* Padding to append so that 'ciphered' bytes fill whole blocks (0 without ciphering). */
size_t sp_sec_pcntr(const struct sp_sec *s, size_t ciphered);

/* Reserved SPI codings; returns -1 with err. por_only checks only SPI byte 2. */
int sp_spi1_check(uint8_t spi1, struct sg_error *err);
int sp_spi2_check(uint8_t spi2, struct sg_error *err);

/* Length fields: SMS uses 2 bytes (CPL/RPL), USSD a BER-TLV length of 1 to 3 bytes. */
size_t sp_len_size(enum sp_dialect d, size_t value);
size_t sp_len_put(enum sp_dialect d, uint8_t *out, size_t value);
/* Reads the length at pkt (len bytes available); sets *value and *size. -1 with err naming 'what'. */
int sp_len_get(enum sp_dialect d, const uint8_t *pkt, size_t len, const char *what, size_t *value, size_t *size,
	       struct sg_error *err);
/* Largest packet the dialect carries (SMS: SP_MAX_PACKET through concatenation; USSD: one USSD string). */
size_t sp_dialect_max(enum sp_dialect d);
const char *sp_dialect_name(enum sp_dialect d);

void sp_put_cntr(uint8_t *out, uint64_t cntr);
uint64_t sp_get_cntr(const uint8_t *in);

/* Sizes of a packet about to be built: 'ciphered' counts the bytes from CNTR up to the RC/CC/DS (6 for a command,
 * 7 for a PoR). Fills the padding, the length field value (CPL/RPL) and the total; -1 with err when it does not
 * fit the dialect or the output buffer. */
struct sp_layout {
	size_t pcntr;
	size_t len_value;
	size_t total;
};
int sp_layout(const struct sp_sec *s, enum sp_dialect d, size_t ciphered, size_t fixed_hdr, size_t data_len,
	      size_t out_size, const char *what, struct sp_layout *l, struct sg_error *err);

/* Sender: write the RC/CC/DS at pkt+chk_off over in1 || pkt[chk_off+chk_len .. total), then cipher
 * pkt[body .. total) in place. */
int sp_seal(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *in1, size_t len1, uint8_t *pkt,
	    size_t body, size_t chk_off, size_t total, struct sg_error *err);
/* Receiver: copy pkt to plain, deciphering from body on. */
enum sp_verdict sp_open(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *pkt, size_t len,
			size_t body, uint8_t *plain, size_t plain_size, const char *what, struct sg_error *err);
/* Receiver: recompute the RC/CC/DS over in1 || plain[chk_off+chk_len .. len) and compare it in constant time
 * with the one at plain+chk_off. */
enum sp_verdict sp_chk_verify(const struct sp_sec *s, const struct sp_keys *keys, const uint8_t *in1, size_t len1,
			      const uint8_t *plain, size_t chk_off, size_t len, const char *what,
			      struct sg_error *err);
