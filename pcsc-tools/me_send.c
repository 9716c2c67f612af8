/* Proactive commands that reach the network: SEND SHORT MESSAGE (with 7-bit packing when the card asks the
 * terminal to pack) and SEND USSD. Without network service the terminal answers "currently unable, no service". */
#include <stdio.h>
#include <string.h>

#include "pcsct/me.h"
#include "simguard/sms_tpdu.h"

/* Pack the unpacked GSM text of an SMS-SUBMIT into 7-bit, as qualifier 01 asks (TS 102 223 6.4.10). Only user
 * data without a header is packed; a header would need fill bits this terminal does not produce. */
static int pack_submit(const uint8_t *tpdu, size_t len, uint8_t *out, size_t *out_len, struct sg_error *err)
{
	struct sms_submit s;
	uint8_t septets[SMS_UD_MAX];
	int n;

	if (sms_submit_decode(tpdu, len, &s, err) < 0)
		return -1;
	if (!sms_dcs_is_8bit(s.dcs) || s.udhi)
		return 0; /* already packed, or not packable text: sent as it is */
	memcpy(septets, s.ud.ud, s.ud.ud_len);
	n = cat_gsm7_pack(septets, s.ud.ud_len, s.ud.ud, sizeof(s.ud.ud), err);
	if (n < 0)
		return -1;
	s.ud.udl = (uint8_t)s.ud.ud_len;
	s.ud.ud_len = (size_t)n;
	s.dcs &= (uint8_t)~0x04; /* 8-bit -> GSM default alphabet in either DCS group */
	if (sms_submit_encode(&s, out, SMS_TPDU_MAX, out_len, err) < 0)
		return -1;
	return 1;
}

void pcsct_me_send_sms(struct pcsct_me_exec *x)
{
	struct pcsct_me *me = x->me;
	const struct cat_obj *t = cat_decoded_find(x->cmd, CAT_TAG_SMS_TPDU, 0);
	const struct cat_obj *sc = cat_decoded_find(x->cmd, CAT_TAG_ADDRESS, 0);
	const char *alpha = pcsct_me_text(x->cmd, CAT_TAG_ALPHA_ID);
	uint8_t packed[SMS_TPDU_MAX];
	const uint8_t *tpdu;
	size_t len;
	struct sg_error err;
	int rc;

	if (!t) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	tpdu = t->val;
	len = t->len;
	if (x->cmd->qualifier & CAT_QUAL_SMS_PACK) {
		rc = pack_submit(t->val, t->len, packed, &len, &err);
		if (rc < 0) {
			pcsct_me_note(me, "SEND SHORT MESSAGE: cannot pack: %s", err.msg);
			x->tr.result = CAT_RES_DATA_NOT_UNDERSTOOD;
			return;
		}
		if (rc > 0)
			tpdu = packed;
		else
			len = t->len;
	}
	if (alpha && alpha[0])
		pcsct_me_note(me, "SEND SHORT MESSAGE: %s", alpha);
	if (me->service != PCSCT_SVC_NORMAL || !me->ops || !me->ops->send_sms) {
		pcsct_me_note(me, "SEND SHORT MESSAGE: no network service");
		pcsct_me_set_unable(x, CAT_UNABLE_NO_SERVICE);
		return;
	}
	x->tr.result = me->ops->send_sms(me->ops_arg, tpdu, len,
					 sc && sc->type == CAT_VAL_ADDRESS ? &sc->v.address : NULL, x->addl);
	if (x->tr.result == CAT_RES_TERMINAL_UNABLE || x->tr.result == CAT_RES_SMS_RP_ERROR ||
	    x->tr.result == CAT_RES_NETWORK_UNABLE) {
		x->tr.addl = x->addl;
		x->tr.addl_len = 1;
	}
}

void pcsct_me_send_ussd(struct pcsct_me_exec *x)
{
	struct pcsct_me *me = x->me;
	const struct cat_obj *u = cat_decoded_find(x->cmd, CAT_TAG_USSD_STRING, 0);

	if (!u || u->len < 1) {
		x->tr.result = CAT_RES_VALUES_MISSING;
		return;
	}
	if (me->service != PCSCT_SVC_NORMAL) {
		pcsct_me_set_unable(x, CAT_UNABLE_NO_SERVICE);
		return;
	}
	if (!me->ops || !me->ops->send_ussd) {
		/* No USSD bearer on this link: the network cannot take it, with no specific cause. */
		x->tr.result = CAT_RES_NETWORK_UNABLE;
		x->addl[0] = 0x00;
		x->tr.addl = x->addl;
		x->tr.addl_len = 1;
		return;
	}
	x->tr.result =
		me->ops->send_ussd(me->ops_arg, u->val[0], u->val + 1, u->len - 1, x->addl, x->text, sizeof(x->text));
	if (x->tr.result == CAT_RES_OK) {
		/* the network's answer, as text; an empty one when it sent none */
		x->tr.has_text = true;
		x->tr.text = x->text;
		x->tr.text_coding = CAT_TEXT_AUTO;
	} else if (x->tr.result >= CAT_RES_TERMINAL_UNABLE) {
		x->tr.addl = x->addl;
		x->tr.addl_len = 1;
	}
}
