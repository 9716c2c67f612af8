/* Proof of Receipt decoding on the terminal side (see por.h). */
#include <stdio.h>
#include <string.h>

#include "pcsct/por.h"
#include "simguard/hex.h"
#include "simguard/sms_tpdu.h"

int pcsct_por_cmd_header(const uint8_t *pkt, size_t len, enum sp_dialect d, const struct sp_keys *keys,
			 struct sp_cmd_hdr *hdr, struct sg_error *err)
{
	uint8_t plain[SP_MAX_PACKET];
	struct sp_command cmd;
	struct sg_error verr;

	if (sp_command_peek(pkt, len, d, hdr, err) < 0)
		return -1;
	if (!(hdr->spi[0] & SP_SPI1_CIPHER))
		return 0;
	/* The counter travels ciphered: only the keys reveal the value the PoR must echo. */
	if (!keys || !keys->kic.len)
		return sg_err(err, "the command is ciphered: give its KIc key to check the PoR against it");
	if (sp_command_verify(pkt, len, d, keys, &cmd, plain, sizeof(plain), &verr) != SP_VERDICT_OK)
		return sg_err(err, "the command does not verify with the keys given: %s", verr.msg);
	*hdr = cmd.hdr;
	return 0;
}

int pcsct_por_decode(const uint8_t *ud, size_t len, enum sp_dialect d, const struct sp_cmd_hdr *cmd,
		     const struct sp_keys *keys, const char *via, struct pcsct_por *p, struct sg_error *err)
{
	struct sms_udh h;
	const uint8_t *pkt = ud;
	size_t plen = len;
	struct sg_error verr;

	memset(p, 0, sizeof(*p));
	p->via = via;
	if (d == SP_DIALECT_SMS) {
		if (sms_udh_parse(ud, len, &h, err) < 0)
			return -1;
		if (!h.rpi)
			return sg_err(err, "user data header carries no response packet identifier (IEI 71)");
		pkt = ud + h.udh_len;
		plen = len - h.udh_len;
	}
	if (plen > sizeof(p->raw))
		return sg_err(err, "response packet of %zu bytes is too long", plen);
	memcpy(p->raw, pkt, plen);
	p->raw_len = plen;
	p->verdict = sp_response_verify(pkt, plen, cmd, keys, d, &p->rsp, &p->checksum_ok, p->plain, sizeof(p->plain),
					&verr);
	if (p->verdict != SP_VERDICT_OK)
		snprintf(p->error, sizeof(p->error), "%s", verr.msg);
	return 0;
}

int pcsct_por_from_submit(const uint8_t *tpdu, size_t len, uint8_t *ud, size_t size, struct sg_error *err)
{
	struct sms_submit s;
	struct sms_udh h;
	struct sg_error uerr;

	if (sms_submit_decode(tpdu, len, &s, err) < 0)
		return -1;
	if (!s.udhi || sms_udh_parse(s.ud.ud, s.ud.ud_len, &h, &uerr) < 0 || !h.rpi || s.ud.ud_len > size)
		return 0;
	memcpy(ud, s.ud.ud, s.ud.ud_len);
	return (int)s.ud.ud_len;
}

static const char *verdict_name(enum sp_verdict v)
{
	switch (v) {
	case SP_VERDICT_OK:
		return "ok";
	case SP_VERDICT_FORMAT:
		return "malformed";
	case SP_VERDICT_CHK_FAILED:
		return "checksum failed";
	case SP_VERDICT_CIPHER:
		return "cannot decipher";
	default:
		return "unsupported algorithm";
	}
}

json_t *pcsct_por_to_json(const struct pcsct_por *p)
{
	char hex[2 * SP_MAX_PACKET + 1], tar[7], chk[17];
	json_t *o;

	sg_hex_encode(p->raw, p->raw_len, hex, sizeof(hex));
	o = json_pack("{s:s,s:s,s:s}", "via", p->via ? p->via : "", "packet", hex, "verdict", verdict_name(p->verdict));
	if (p->verdict != SP_VERDICT_OK) {
		json_object_set_new(o, "error", json_string(p->error));
		return o;
	}
	sg_hex_encode(p->rsp.tar, 3, tar, sizeof(tar));
	sg_hex_encode(p->rsp.chk, p->rsp.chk_len, chk, sizeof(chk));
	sg_hex_encode(p->rsp.data, p->rsp.data_len, hex, sizeof(hex));
	json_object_set_new(o, "tar", json_string(tar));
	json_object_set_new(o, "counter", json_integer((json_int_t)p->rsp.cntr));
	json_object_set_new(o, "status", json_integer(p->rsp.status));
	json_object_set_new(o, "status_name", json_string(sp_status_name(p->rsp.status)));
	json_object_set_new(o, "secured", json_boolean(p->rsp.chk_len > 0));
	json_object_set_new(o, "checksum", json_string(chk));
	json_object_set_new(o, "checksum_ok", json_boolean(p->checksum_ok));
	json_object_set_new(o, "data", json_string(hex));
	return o;
}
