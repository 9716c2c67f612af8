/* User data header parsing (TS 23.040 9.2.3.24) and the one-time split of a long OTA secured packet into
 * concatenated SMS user data (TS 31.115: the concatenation IE in every part, the CPI/RPI only in the first). */
#include <string.h>

#include "simguard/sms_tpdu.h"

static int concat_ie(struct sms_udh *h, const struct sms_udh_ie *ie, struct sg_error *err)
{
	bool is16 = ie->iei == SMS_IEI_CONCAT16;
	uint8_t want = is16 ? 4 : 3;
	const uint8_t *v = ie->val;

	if (ie->len != want)
		return sg_err(err, "udh: concatenation IE 0x%02X has length %u, must be %u", ie->iei, ie->len, want);
	if (h->has_concat)
		return sg_err(err, "udh: more than one concatenation IE");
	h->has_concat = true;
	h->concat16 = is16;
	h->concat_ref = is16 ? (uint16_t)(v[0] << 8 | v[1]) : v[0];
	h->concat_total = v[want - 2];
	h->concat_seq = v[want - 1];
	if (h->concat_total == 0)
		return sg_err(err, "udh: concatenation total is 0");
	if (h->concat_seq == 0 || h->concat_seq > h->concat_total)
		return sg_err(err, "udh: concatenation part %u of %u", h->concat_seq, h->concat_total);
	return 0;
}

int sms_udh_parse(const uint8_t *ud, size_t ud_len, struct sms_udh *h, struct sg_error *err)
{
	size_t udhl, pos = 1;

	memset(h, 0, sizeof(*h));
	if (ud_len < 1)
		return sg_err(err, "udh: user data empty, no UDHL");
	udhl = ud[0];
	if (udhl + 1 > ud_len)
		return sg_err(err, "udh: UDHL %zu runs past the %zu octets of user data", udhl, ud_len);
	h->udh_len = udhl + 1;
	while (pos < h->udh_len) {
		struct sms_udh_ie *ie;

		if (h->udh_len - pos < 2)
			return sg_err(err, "udh: IE at offset %zu truncated (no length octet)", pos);
		if (h->n_ies == SMS_UDH_MAX_IES)
			return sg_err(err, "udh: more than %d IEs", SMS_UDH_MAX_IES);
		ie = &h->ies[h->n_ies++];
		ie->iei = ud[pos];
		ie->len = ud[pos + 1];
		ie->val = ud + pos + 2;
		if (ie->len > h->udh_len - pos - 2)
			return sg_err(err, "udh: IE 0x%02X length %u runs past UDHL %zu", ie->iei, ie->len, udhl);
		pos += 2 + ie->len;
		if (ie->iei == SMS_IEI_CONCAT8 || ie->iei == SMS_IEI_CONCAT16) {
			if (concat_ie(h, ie, err) < 0)
				return -1;
		} else if (ie->iei == SMS_IEI_CPI || ie->iei == SMS_IEI_RPI) {
			if (ie->len != 0)
				return sg_err(err, "udh: IE 0x%02X must be empty, has length %u", ie->iei, ie->len);
			*(ie->iei == SMS_IEI_CPI ? &h->cpi : &h->rpi) = true;
		}
	}
	return 0;
}

static size_t put_concat_ie(uint8_t *p, bool concat16, uint16_t ref, uint8_t total, uint8_t seq)
{
	size_t n = 0;

	p[n++] = concat16 ? SMS_IEI_CONCAT16 : SMS_IEI_CONCAT8;
	p[n++] = concat16 ? 4 : 3;
	if (concat16)
		p[n++] = (uint8_t)(ref >> 8);
	p[n++] = (uint8_t)ref;
	p[n++] = total;
	p[n++] = seq;
	return n;
}

int sms_ota_split(const uint8_t *pkt, size_t len, uint8_t iei, bool concat16, uint16_t ref, struct sms_ota_part *parts,
		  size_t max_parts, struct sg_error *err)
{
	size_t ie_len = concat16 ? 6 : 5;
	size_t first_cap = SMS_UD_MAX - 1 - ie_len - 2, next_cap = SMS_UD_MAX - 1 - ie_len;
	size_t n_parts, pos = 0;

	if (len == 0)
		return sg_err(err, "ota split: empty packet");
	if (iei != SMS_IEI_CPI && iei != SMS_IEI_RPI)
		return sg_err(err, "ota split: IEI 0x%02X is neither CPI (70) nor RPI (71)", iei);
	if (max_parts < 1)
		return sg_err(err, "ota split: no room for parts");
	if (len <= SMS_UD_MAX - 3) {
		parts[0].ud[0] = 2;
		parts[0].ud[1] = iei;
		parts[0].ud[2] = 0;
		memcpy(parts[0].ud + 3, pkt, len);
		parts[0].len = 3 + len;
		return 1;
	}
	n_parts = 1 + (len - first_cap + next_cap - 1) / next_cap;
	if (n_parts > max_parts || n_parts > SMS_CONCAT_MAX_PARTS)
		return sg_err(err, "ota split: %zu bytes need %zu parts, limit %zu", len, n_parts,
			      max_parts < SMS_CONCAT_MAX_PARTS ? max_parts : SMS_CONCAT_MAX_PARTS);
	for (size_t i = 0; i < n_parts; i++) {
		uint8_t *u = parts[i].ud;
		size_t h = 1, cap = i ? next_cap : first_cap, take;

		h += put_concat_ie(u + h, concat16, ref, (uint8_t)n_parts, (uint8_t)(i + 1));
		if (i == 0) {
			u[h++] = iei;
			u[h++] = 0;
		}
		u[0] = (uint8_t)(h - 1);
		take = len - pos < cap ? len - pos : cap;
		memcpy(u + h, pkt + pos, take);
		pos += take;
		parts[i].len = h + take;
	}
	return (int)n_parts;
}
