/* Secured packets: status names, SPI/KIc/KID resolution, key checks and dialect framing shared by the command
 * and response codecs (TS 102 225 clause 5, TS 31.115 clauses 4 and 6). */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "simguard/tlv.h"

#include "secured_packet_internal.h"

static const char *const status_names[] = {
	[SP_STATUS_OK] = "PoR OK",
	[SP_STATUS_CHK_FAILED] = "RC/CC/DS failed",
	[SP_STATUS_CNTR_LOW] = "CNTR low",
	[SP_STATUS_CNTR_HIGH] = "CNTR high",
	[SP_STATUS_CNTR_BLOCKED] = "CNTR blocked",
	[SP_STATUS_CIPHER_ERROR] = "Ciphering error",
	[SP_STATUS_UNIDENTIFIED] = "Unidentified security error",
	[SP_STATUS_NO_MEMORY] = "Insufficient memory to process incoming message",
	[SP_STATUS_MORE_TIME] = "More time needed",
	[SP_STATUS_TAR_UNKNOWN] = "TAR unknown",
	[SP_STATUS_INSUFFICIENT_SECURITY] = "Insufficient security level",
	[SP_STATUS_RESP_BY_SUBMIT] = "Response data will be sent using SMS-SUBMIT",
	[SP_STATUS_RESP_BY_USSD] = "Response data will be sent using PROCESS-UNSTRUCTURED-SS-REQUEST",
};

const char *sp_status_name(uint8_t status)
{
	if (status < sizeof(status_names) / sizeof(status_names[0]))
		return status_names[status];
	return "reserved";
}

uint8_t sp_verdict_status(enum sp_verdict v)
{
	switch (v) {
	case SP_VERDICT_OK:
		return SP_STATUS_OK;
	case SP_VERDICT_CHK_FAILED:
		return SP_STATUS_CHK_FAILED;
	case SP_VERDICT_CIPHER:
		return SP_STATUS_CIPHER_ERROR;
	case SP_VERDICT_FORMAT:
	case SP_VERDICT_UNSUPPORTED:
		break;
	}
	return SP_STATUS_UNIDENTIFIED;
}

void sp_keys_cleanse(struct sp_keys *keys)
{
	if (keys)
		OPENSSL_cleanse(keys, sizeof(*keys));
}

int sp_chk_len(uint8_t spi_chk, uint8_t kid)
{
	uint8_t alg = kid & 0x0F;

	switch (spi_chk & SP_SPI1_CHK_MASK) {
	case SP_SPI1_CHK_NONE:
		return 0;
	case SP_SPI1_CHK_RC:
		return alg == 0x1 ? 2 : alg == 0x5 ? 4 : -1;
	case SP_SPI1_CHK_CC:
		return alg == 0x1 || alg == 0x5 || alg == 0x9 || alg == 0x2 ? 8 : -1;
	}
	return -1;
}

/* An algorithm nibble we decline is a malformed packet when the spec reserves it (b2b1 = 01 DES/CRC or 10 AES
 * with an undefined mode), and merely unsupported when it is proprietary (11) or known implicitly (00). */
static enum sp_verdict resolve_verdict(uint8_t id)
{
	uint8_t family = id & 0x03;

	return family == 0x01 || family == 0x02 ? SP_VERDICT_FORMAT : SP_VERDICT_UNSUPPORTED;
}

enum sp_verdict sp_sec_resolve(uint8_t chk, bool cipher, uint8_t kic, uint8_t kid, struct sp_sec *s,
			       struct sg_error *err)
{
	struct sg_error local;

	if (!err)
		err = &local;
	memset(s, 0, sizeof(*s));
	s->cipher = cipher;
	s->chk = chk & SP_SPI1_CHK_MASK;
	if (cipher) {
		if (ota_cipher_from_kic(kic, 0, &s->c, err) < 0)
			return resolve_verdict(kic);
		s->block = ota_cipher_block(s->c);
	}
	if (s->chk == SP_SPI1_CHK_DS) {
		sg_err(err, "spi: digital signature (DS) is not supported");
		return SP_VERDICT_UNSUPPORTED;
	}
	if (s->chk != SP_SPI1_CHK_NONE) {
		if (ota_mac_from_kid(kid, s->chk, 0, &s->m, err) < 0)
			return resolve_verdict(kid);
		s->chk_len = (size_t)sp_chk_len(s->chk, kid);
	}
	return SP_VERDICT_OK;
}

int sp_sec_keys_ok(const struct sp_sec *s, const struct sp_keys *keys, struct sg_error *err)
{
	bool mac_key = s->chk == SP_SPI1_CHK_CC;

	if (s->cipher && (!keys || !keys->kic.len))
		return sg_err(err, "kic-key: required: the SPI asks for ciphering");
	if (mac_key && (!keys || !keys->kid.len))
		return sg_err(err, "kid-key: required: the SPI asks for a cryptographic checksum (CC)");
	if (s->cipher && ota_cipher_key_ok(s->c, keys->kic.len, "kic-key", err) < 0)
		return -1;
	if (mac_key && ota_mac_key_ok(s->m, keys->kid.len, "kid-key", err) < 0)
		return -1;
	return 0;
}

size_t sp_sec_pcntr(const struct sp_sec *s, size_t ciphered)
{
	if (!s->cipher)
		return 0;
	return (s->block - ciphered % s->block) % s->block;
}

int sp_spi1_check(uint8_t spi1, struct sg_error *err)
{
	if (spi1 & SP_SPI1_RESERVED_MASK)
		return sg_err(err, "spi: reserved bits b8-b6 of byte 1 are set (%02X)", spi1);
	return 0;
}

int sp_spi2_check(uint8_t spi2, struct sg_error *err)
{
	if (spi2 & SP_SPI2_RESERVED_MASK)
		return sg_err(err, "spi: reserved bits b8-b7 of byte 2 are set (%02X)", spi2);
	if ((spi2 & SP_SPI2_POR_MASK) == 0x03)
		return sg_err(err, "spi: PoR request b2b1 = 11 of byte 2 is reserved (%02X)", spi2);
	return 0;
}

size_t sp_len_size(enum sp_dialect d, size_t value)
{
	if (d == SP_DIALECT_SMS)
		return 2;
	return (size_t)sg_tlv_len_size(value);
}

size_t sp_len_put(enum sp_dialect d, uint8_t *out, size_t value)
{
	size_t n = sp_len_size(d, value);

	if (d == SP_DIALECT_SMS) {
		out[0] = (uint8_t)(value >> 8);
		out[1] = (uint8_t)value;
	} else if (n == 1) {
		out[0] = (uint8_t)value;
	} else {
		out[0] = (uint8_t)(0x80 | (n - 1));
		if (n == 3)
			out[1] = (uint8_t)(value >> 8);
		out[n - 1] = (uint8_t)value;
	}
	return n;
}

int sp_len_get(enum sp_dialect d, const uint8_t *pkt, size_t len, const char *what, size_t *value, size_t *size,
	       struct sg_error *err)
{
	struct sg_error lerr;
	int n;

	if (d == SP_DIALECT_SMS) {
		if (len < 2)
			return sg_err(err, "%s: %zu byte(s), too short for the 2-byte length", what, len);
		*value = (size_t)pkt[0] << 8 | pkt[1];
		*size = 2;
		return 0;
	}
	n = sg_tlv_len_decode(pkt, len, value, &lerr);
	if (n < 0)
		return sg_err(err, "%s: %s", what, lerr.msg);
	*size = (size_t)n;
	return 0;
}

const struct sp_frame_kind sp_cmd_frame = {
	"packet", "packet", "command", SP_USSD_CPI, "CPI", "CPL", "CHL", SP_CMD_FIXED_HDR, "SPI to PCNTR", 8,
};
const struct sp_frame_kind sp_rsp_frame = {
	"por", "PoR", "response", SP_USSD_RPI, "RPI", "RPL", "RHL", SP_RSP_FIXED_HDR, "TAR to status", 4,
};

int sp_frame_parse(const uint8_t *pkt, size_t len, enum sp_dialect d, const struct sp_frame_kind *k,
		   struct sp_frame *f, struct sg_error *err)
{
	size_t n, lsize, id = d == SP_DIALECT_USSD;
	char what[16];

	if (len == 0)
		return sg_err(err, "%s: empty", k->field);
	if (id && pkt[0] != k->ussd_id)
		return sg_err(err, "%s: %s %02X is not a %s packet (%02X)", k->field, k->id_name, pkt[0], k->kind,
			      k->ussd_id);
	snprintf(what, sizeof(what), "%s: %s", k->field, k->len_name);
	if (sp_len_get(d, pkt + id, len - id, what, &f->len_value, &lsize, err) < 0)
		return -1;
	f->prefix = id + lsize;
	n = len - f->prefix;
	if (f->len_value != n)
		return sg_err(err, "%s says %zu bytes follow it, %zu do", what, f->len_value, n);
	if (n < 1 + k->fixed)
		return sg_err(err, "%s: %zu bytes after %s, the %s header alone takes %zu", k->field, n, k->len_name,
			      k->kind, 1 + k->fixed);
	f->hl = pkt[f->prefix];
	if (f->hl < k->fixed)
		return sg_err(err, "%s: %s %u is below the %zu bytes %s take", k->field, k->hl_name, f->hl, k->fixed,
			      k->fixed_desc);
	if (f->hl > n - 1)
		return sg_err(err, "%s: %s %u runs past the end of the %s (%zu bytes after %s)", k->field, k->hl_name,
			      f->hl, k->noun, n - 1, k->hl_name);
	f->body = f->prefix + k->clear;
	return 0;
}

size_t sp_dialect_max(enum sp_dialect d)
{
	return d == SP_DIALECT_USSD ? SP_USSD_SINGLE_MAX : SP_MAX_PACKET;
}

const char *sp_dialect_name(enum sp_dialect d)
{
	return d == SP_DIALECT_USSD ? "USSD" : "SMS";
}

void sp_put_cntr(uint8_t *out, uint64_t cntr)
{
	int i;

	for (i = 4; i >= 0; i--) {
		out[i] = (uint8_t)cntr;
		cntr >>= 8;
	}
}

uint64_t sp_get_cntr(const uint8_t *in)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 5; i++)
		v = v << 8 | in[i];
	return v;
}
