/* JSON view of the SMS TPDU inside a CAT object (SMS-PP DOWNLOAD carries an SMS-DELIVER, SEND SHORT MESSAGE an
 * SMS-SUBMIT), decoded with the TS 23.040 codecs of sms_tpdu.h, so `simtool cat decode` shows the OTA framing. */
#include <stdio.h>

#include <jansson.h>

#include "simguard/hex.h"
#include "simguard/sms_tpdu.h"
#include "cat_internal.h"

static json_t *ud_hex(const uint8_t *b, size_t n)
{
	char s[2 * SMS_UD_MAX + 1];

	return json_string(sg_hex_encode(b, n, s, sizeof(s)));
}

static json_t *byte_json(uint8_t v)
{
	char s[4];

	snprintf(s, sizeof(s), "%02X", v);
	return json_string(s);
}

static json_t *addr_json(const struct sms_addr *a)
{
	return json_pack("{s:i, s:i, s:s}", "ton", a->ton, "npi", a->npi, "digits", a->digits);
}

/* User data header: which OTA identifiers and concatenation it carries */
static json_t *ud_json(bool udhi, const struct sms_ud *ud)
{
	json_t *j = json_pack("{s:i, s:o}", "udl", ud->udl, "ud", ud_hex(ud->ud, ud->ud_len));
	struct sms_udh h;
	struct sg_error err;

	if (!j || !udhi)
		return j;
	if (sms_udh_parse(ud->ud, ud->ud_len, &h, &err) < 0) {
		json_object_set_new(j, "udh_error", json_string(err.msg));
		return j;
	}
	json_object_set_new(j, "udh", json_pack("{s:b, s:b, s:b}", "command_packet", h.cpi, "response_packet",
						  h.rpi, "concatenated", h.has_concat));
	if (h.has_concat)
		json_object_set_new(json_object_get(j, "udh"), "concat",
				    json_pack("{s:i, s:i, s:i}", "ref", h.concat_ref, "total", h.concat_total, "seq",
					      h.concat_seq));
	json_object_set_new(j, "payload", ud_hex(ud->ud + h.udh_len, ud->ud_len - h.udh_len));
	return j;
}

static json_t *deliver_json(const uint8_t *tpdu, size_t len)
{
	struct sms_deliver d;
	struct sg_error err;
	json_t *j;

	if (sms_deliver_decode(tpdu, len, &d, &err) < 0)
		return json_pack("{s:s}", "error", err.msg);
	j = json_pack("{s:o, s:o, s:o, s:o, s:b}", "oa", addr_json(&d.oa), "pid", byte_json(d.pid), "dcs",
		      byte_json(d.dcs), "scts", ud_hex(d.scts, 7), "more_messages", d.more_msgs);
	if (j)
		json_object_update_new(j, ud_json(d.udhi, &d.ud));
	return j;
}

static json_t *submit_json(const uint8_t *tpdu, size_t len)
{
	struct sms_submit s;
	struct sg_error err;
	json_t *j;

	if (sms_submit_decode(tpdu, len, &s, &err) < 0)
		return json_pack("{s:s}", "error", err.msg);
	j = json_pack("{s:i, s:o, s:o, s:o, s:b}", "mr", s.mr, "da", addr_json(&s.da), "pid", byte_json(s.pid), "dcs",
		      byte_json(s.dcs), "status_report_request", s.status_report_req);
	if (j)
		json_object_update_new(j, ud_json(s.udhi, &s.ud));
	return j;
}

json_t *cat_tpdu_json(const uint8_t *tpdu, size_t len, bool from_network)
{
	uint8_t mti = tpdu[0] & 0x03;

	if (from_network && mti == 0x00)
		return deliver_json(tpdu, len);
	if (!from_network && mti == 0x01)
		return submit_json(tpdu, len);
	return NULL;
}
