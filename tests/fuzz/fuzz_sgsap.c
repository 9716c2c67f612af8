/* libFuzzer target for handset-sim's SGs codec (pcsct/sgs.h): the input is the byte stream an MSC sends on SGs.
 * It is split into messages the way the handset does (sgs_msg_len), each is decoded, and the NAS containers of
 * DOWNLINK-UNITDATA go through the CP and RP decoders; the TPDU found is checked to lie inside the input, and the
 * mandatory IEs handset_sgs reads to be present. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <osmocom/gsm/protocol/gsm_04_11.h>
#include <osmocom/gsm/protocol/gsm_29_118.h>

#include "pcsct/sgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void nas(const uint8_t *p, size_t len)
{
	struct sms_cp cp;
	struct sms_rp rp;
	struct sg_error err;

	if (sms_cp_decode(p, len, &cp, &err) < 0 || cp.type != GSM411_MT_CP_DATA)
		return;
	if (cp.rp < p || cp.rp + cp.rp_len > p + len)
		abort();
	if (sms_rp_decode(cp.rp, cp.rp_len, &rp, &err) < 0)
		return;
	if (rp.ud && (rp.ud < cp.rp || rp.ud + rp.ud_len > cp.rp + cp.rp_len))
		abort();
}

/* The IEs handset_sgs reads without looking must be there in what decodes. */
static void mandatory(const struct sgs_msg *m)
{
	if ((m->type == SGSAP_MSGT_PAGING_REQ && !TLVP_PRESENT(&m->ies, SGSAP_IE_SERVICE_INDICATOR)) ||
	    (m->type == SGSAP_MSGT_LOC_UPD_REJ && !TLVP_PRESENT(&m->ies, SGSAP_IE_REJECT_CAUSE)) ||
	    (m->type == SGSAP_MSGT_DL_UD && !TLVP_PRESENT(&m->ies, SGSAP_IE_NAS_MSG_CONTAINER)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sgs_msg m;
	struct sg_error err;
	uint32_t tmsi;
	size_t off = 0;
	int n;

	while (off < size && (n = sgs_msg_len(data + off, size - off, &err)) > 0) {
		if ((size_t)n > size - off)
			abort();
		if (sgs_msg_decode(data + off, (size_t)n, &m, &err) == 0) {
			mandatory(&m);
			sgs_msg_new_tmsi(&m, &tmsi);
			if (m.type == SGSAP_MSGT_DL_UD && TLVP_PRESENT(&m.ies, SGSAP_IE_NAS_MSG_CONTAINER))
				nas(TLVP_VAL(&m.ies, SGSAP_IE_NAS_MSG_CONTAINER),
				    TLVP_LEN(&m.ies, SGSAP_IE_NAS_MSG_CONTAINER));
		}
		off += (size_t)n;
	}
	return 0;
}
