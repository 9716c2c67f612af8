/* JSON views of secured packets for `otactl packet`: every header field spelled out, so an operator reading the
 * output (or a script) need not decode SPI bits or algorithm nibbles by hand. */
#include <stdio.h>

#include "simguard/hex.h"

#include "otactl_packet.h"

static const char *const chk_names[] = { "none", "RC", "CC", "DS" };
static const char *const cntr_names[] = { "none", "no-check", "higher", "one-higher" };
static const char *const por_names[] = { "none", "always", "on-error", "reserved" };

json_t *pkt_json_hex(const uint8_t *bytes, size_t len)
{
	char buf[2 * SP_MAX_PACKET + 1];

	return json_string(sg_hex_encode(bytes, len, buf, sizeof(buf)));
}

json_t *pkt_json_status(uint8_t status)
{
	return json_pack("{s:i, s:s}", "code", status, "name", sp_status_name(status));
}

json_t *pkt_json_spi(const uint8_t spi[2])
{
	return json_pack("{s:o, s:s, s:b, s:s, s:s, s:s, s:b, s:s, s:b}", "hex", pkt_json_hex(spi, 2), "checksum",
			 chk_names[spi[0] & SP_SPI1_CHK_MASK], "ciphering", (spi[0] & SP_SPI1_CIPHER) != 0, "counter",
			 cntr_names[(spi[0] & SP_SPI1_CNTR_MASK) >> 3], "por", por_names[spi[1] & SP_SPI2_POR_MASK],
			 "por_checksum", chk_names[(spi[1] & SP_SPI2_POR_CHK_MASK) >> SP_SPI2_POR_CHK_SHIFT],
			 "por_ciphered", (spi[1] & SP_SPI2_POR_CIPHER) != 0, "por_via",
			 (spi[1] & SP_SPI2_POR_SUBMIT) ? "SMS-SUBMIT" : "SMS-DELIVER-REPORT", "reserved_bits",
			 (spi[0] & SP_SPI1_RESERVED_MASK) || (spi[1] & SP_SPI2_RESERVED_MASK));
}

/* Low nibble of KIc / KID: b2b1 family (implicit, DES, AES, proprietary), b4b3 mode within it. */
static const char *des_mode(uint8_t nibble, bool mac)
{
	static const char *const cipher[] = { "DES-CBC", "3DES-2K-CBC", "3DES-3K-CBC", "DES-ECB" };
	static const char *const cbcmac[] = { "DES-CBC-MAC", "3DES-2K-CBC-MAC", "3DES-3K-CBC-MAC", "reserved" };

	return (mac ? cbcmac : cipher)[(nibble >> 2) & 3];
}

static const char *aes_name(size_t keylen, bool mac)
{
	switch (keylen) {
	case 16:
		return mac ? "AES-128-CMAC" : "AES-128-CBC";
	case 24:
		return mac ? "AES-192-CMAC" : "AES-192-CBC";
	case 32:
		return mac ? "AES-256-CMAC" : "AES-256-CBC";
	}
	return mac ? "AES-CMAC" : "AES-CBC";
}

static const char *algorithm_name(uint8_t nibble, bool mac, size_t keylen)
{
	switch (nibble & 3) {
	case 0:
		return "implicit";
	case 1:
		return des_mode(nibble, mac);
	case 2:
		return (nibble >> 2) ? "reserved" : aes_name(keylen, mac);
	}
	return "proprietary";
}

static const char *rc_name(uint8_t nibble)
{
	switch (nibble) {
	case 0:
		return "implicit";
	case 1:
		return "CRC-16";
	case 5:
		return "CRC-32";
	}
	return (nibble & 3) == 3 ? "proprietary" : "reserved";
}

json_t *pkt_json_kic(uint8_t kic, size_t keylen)
{
	return json_pack("{s:o, s:i, s:s}", "hex", pkt_json_hex(&kic, 1), "kvn", kic >> 4, "algorithm",
			 algorithm_name(kic & 0x0F, false, keylen));
}

json_t *pkt_json_kid(uint8_t kid, uint8_t spi_chk, size_t keylen)
{
	const char *name = spi_chk == SP_SPI1_CHK_RC ? rc_name(kid & 0x0F) : algorithm_name(kid & 0x0F, true, keylen);

	return json_pack("{s:o, s:i, s:s}", "hex", pkt_json_hex(&kid, 1), "kvn", kid >> 4, "algorithm", name);
}

static const char *verdict_name(enum sp_verdict v)
{
	switch (v) {
	case SP_VERDICT_OK:
		return "verified";
	case SP_VERDICT_FORMAT:
		return "malformed";
	case SP_VERDICT_CHK_FAILED:
		return "failed";
	case SP_VERDICT_CIPHER:
		return "cannot decipher";
	case SP_VERDICT_UNSUPPORTED:
		return "unsupported";
	}
	return "unknown";
}

static const char *counter_result_name(enum sp_counter_result r)
{
	switch (r) {
	case SP_CNTR_ACCEPT:
		return "accept";
	case SP_CNTR_TOO_LOW:
		return "too-low";
	case SP_CNTR_TOO_HIGH:
		return "too-high";
	case SP_CNTR_BLOCKED:
		return "blocked";
	}
	return "unknown";
}

json_t *pkt_json_counter(uint8_t spi1, uint64_t stored, uint64_t received, enum sp_counter_result r, uint64_t store)
{
	return json_pack("{s:s, s:I, s:I, s:s, s:o, s:I}", "mode", cntr_names[(spi1 & SP_SPI1_CNTR_MASK) >> 3],
			 "stored", (json_int_t)stored, "received", (json_int_t)received, "verdict",
			 counter_result_name(r), "status", pkt_json_status(sp_counter_status(r)), "store_after",
			 (json_int_t)store);
}

static json_t *command_integrity(const struct sp_command *cmd, enum sp_verdict v, uint8_t spi1)
{
	json_t *o = json_pack("{s:s, s:s}", "kind", chk_names[spi1 & SP_SPI1_CHK_MASK], "result",
			      (spi1 & SP_SPI1_CHK_MASK) == SP_SPI1_CHK_NONE && v == SP_VERDICT_OK ? "none requested"
												  : verdict_name(v));

	if (o && v == SP_VERDICT_OK && cmd->chk_len)
		json_object_set_new(o, "value", pkt_json_hex(cmd->chk, cmd->chk_len));
	return o;
}

json_t *pkt_json_command(const struct sp_cmd_hdr *peeked, const struct sp_command *cmd, enum sp_verdict v,
			 const struct sg_error *err, const struct pkt_opts *o, json_t *counter, uint8_t card_status)
{
	uint8_t spi1 = peeked->spi[0];
	json_t *j = json_pack("{s:b, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "verified", v == SP_VERDICT_OK,
			      "dialect", o->dialect == SP_DIALECT_SMS ? "sms" : "ussd", "spi",
			      pkt_json_hex(peeked->spi, 2), "kic", pkt_json_hex(&peeked->kic, 1), "kid",
			      pkt_json_hex(&peeked->kid, 1), "tar", pkt_json_hex(peeked->tar, 3), "spi_fields",
			      pkt_json_spi(peeked->spi), "kic_fields", pkt_json_kic(peeked->kic, o->keys.kic.len),
			      "kid_fields", pkt_json_kid(peeked->kid, spi1 & SP_SPI1_CHK_MASK, o->keys.kid.len));

	if (!j)
		return NULL;
	if (v == SP_VERDICT_OK) {
		json_object_set_new(j, "cpl", json_integer(cmd->cpl));
		json_object_set_new(j, "chl", json_integer(cmd->chl));
		json_object_set_new(j, "cntr", json_integer((json_int_t)cmd->hdr.cntr));
		json_object_set_new(j, "pcntr", json_integer(cmd->pcntr));
	}
	json_object_set_new(j, "integrity", command_integrity(cmd, v, spi1));
	if (v == SP_VERDICT_OK)
		json_object_set_new(j, "data", pkt_json_hex(cmd->data, cmd->data_len));
	else
		json_object_set_new(j, "error", json_string(err->msg));
	if (counter)
		json_object_set_new(j, "counter", counter);
	json_object_set_new(j, "card_status", pkt_json_status(card_status));
	return j;
}

/* The PoR checksum: asked for by the command's SPI2, present, verified. */
static json_t *response_checksum(const struct sp_response *rsp, enum sp_verdict v, bool checksum_ok, uint8_t spi2)
{
	uint8_t asked = (spi2 & SP_SPI2_POR_CHK_MASK) >> SP_SPI2_POR_CHK_SHIFT;
	const char *result;
	json_t *o;

	/* A failed PoR may be a wrong checksum or a TAR / CNTR that is not the command's: "error" says which. */
	if (v == SP_VERDICT_CHK_FAILED)
		result = "rejected";
	else if (v != SP_VERDICT_OK)
		result = verdict_name(v);
	else if (checksum_ok)
		result = "verified";
	else if (asked != SP_SPI1_CHK_NONE)
		result = "missing (unsecured PoR)";
	else
		result = "none requested";
	o = json_pack("{s:s, s:s}", "requested", chk_names[asked], "result", result);
	if (o && v == SP_VERDICT_OK && rsp->chk_len)
		json_object_set_new(o, "value", pkt_json_hex(rsp->chk, rsp->chk_len));
	return o;
}

json_t *pkt_json_response(const struct sp_response *rsp, enum sp_verdict v, bool checksum_ok,
			  const struct sg_error *err, const struct pkt_opts *o)
{
	json_t *j = json_pack("{s:b, s:s}", "verified", v == SP_VERDICT_OK && pkt_por_authentic(o, checksum_ok),
			      "dialect", o->dialect == SP_DIALECT_SMS ? "sms" : "ussd");

	if (!j)
		return NULL;
	if (v == SP_VERDICT_OK) {
		json_object_set_new(j, "tar", pkt_json_hex(rsp->tar, 3));
		json_object_set_new(j, "cntr", json_integer((json_int_t)rsp->cntr));
		json_object_set_new(j, "pcntr", json_integer(rsp->pcntr));
		json_object_set_new(j, "status", pkt_json_status(rsp->status));
	}
	json_object_set_new(j, "checksum", response_checksum(rsp, v, checksum_ok, o->hdr.spi[1]));
	if (v == SP_VERDICT_OK)
		json_object_set_new(j, "data", pkt_json_hex(rsp->data, rsp->data_len));
	else
		json_object_set_new(j, "error", json_string(err->msg));
	return j;
}
