/* The SMS <-> SMPP mapping of a lab handset (handset-sim's SMPP link, handset-farm): the SMS-DELIVER the radio would
 * have brought for a deliver_sm, the submit_sm an MO message becomes, and which MT messages are for the card. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <osmocom/gsm/gsm_utils.h>
#include <smpp34.h>

#include "pcsct/sms_smpp.h"
#include "simguard/cat.h"
#include "smsgw/smpp_codec.h"

#define PID_ANSI136_RDATA 0x7C

bool pcsct_sms_is_data_download(const struct sms_deliver *d)
{
	return (d->pid == SMS_PID_SIM_DATA_DOWNLOAD || d->pid == PID_ANSI136_RDATA) && sms_dcs_is_class2_8bit(d->dcs);
}

int pcsct_sm_to_deliver(const struct smpp_sm *sm, uint8_t *tpdu, size_t size, size_t *len, struct sg_error *err)
{
	struct sms_deliver d;

	memset(&d, 0, sizeof(d));
	d.oa.ton = sm->src_ton & 0x07;
	d.oa.npi = sm->src_npi & 0x0F;
	snprintf(d.oa.digits, sizeof(d.oa.digits), "%s", sm->src);
	d.pid = sm->pid;
	d.dcs = sm->dcs;
	d.udhi = (sm->esm_class & SMPP34_UDHI_IND) != 0;
	sms_scts_from_time(time(NULL), d.scts);
	if (sms_dcs_is_8bit(sm->dcs) || (sm->dcs & 0x0C) == 0x08) {
		if (sms_ud_set_octets(&d.ud, sm->ud, sm->ud_len, err) < 0)
			return -1;
	} else if (d.udhi) {
		/* GSM 7-bit after a header (a concatenated text): the header's octets as they are, the characters
		 * packed from the next septet boundary (fill bits), UDL counting the header's septets too */
		size_t hl = sm->ud_len ? (size_t)sm->ud[0] + 1 : 1, fill, septets;

		if (hl > sm->ud_len)
			return sg_err(err, "a %zu-octet user data header in %zu octets of 7-bit text", hl, sm->ud_len);
		fill = (7 - hl * 8 % 7) % 7;
		septets = (hl * 8 + fill) / 7 + sm->ud_len - hl;
		if (septets > 160)
			return sg_err(err, "%zu septets of 7-bit text with a header do not fit one SMS", septets);
		memcpy(d.ud.ud, sm->ud, hl);
		gsm_septet_pack(d.ud.ud + hl, sm->ud + hl, sm->ud_len - hl, (uint8_t)fill);
		d.ud.udl = (uint8_t)septets;
		d.ud.ud_len = (septets * 7 + 7) / 8;
	} else {
		/* GSM 7-bit: SMPP carries one character per octet; the radio would pack them. */
		if (sm->ud_len > 160)
			return sg_err(err, "%zu characters of 7-bit text do not fit one SMS", sm->ud_len);
		d.ud.udl = (uint8_t)sm->ud_len;
		if (cat_gsm7_pack(sm->ud, sm->ud_len, d.ud.ud, sizeof(d.ud.ud), err) < 0)
			return -1;
		d.ud.ud_len = (sm->ud_len * 7 + 7) / 8;
	}
	return sms_deliver_encode(&d, tpdu, size, len, err);
}

int pcsct_mo_sm(struct smpp_sm *sm, const char *src, const struct sms_addr *dst, uint8_t pid, uint8_t dcs, bool udhi,
		const uint8_t *ud, size_t len, int ussd_op, struct sg_error *err)
{
	if (len > SMPP_UD_MAX)
		return sg_err(err, "%zu bytes of user data do not fit", len);
	smpp_sm_init(sm);
	snprintf(sm->src, sizeof(sm->src), "%s", src);
	sm->src_ton = 1;
	sm->src_npi = 1;
	snprintf(sm->dst, sizeof(sm->dst), "%s", dst->digits);
	sm->dst_ton = dst->ton;
	sm->dst_npi = dst->npi;
	sm->pid = pid;
	sm->dcs = dcs;
	sm->esm_class = udhi ? SMPP34_UDHI_IND : 0;
	sm->ussd_op = ussd_op;
	memcpy(sm->ud, ud, len);
	sm->ud_len = len;
	sm->use_payload = len > SMPP_SM_MAX;
	return 0;
}
