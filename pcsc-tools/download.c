/* Data download ENVELOPEs and the handset's report of the outcome (see download.h). */
#include <string.h>
#include <time.h>

#include "pcsct/download.h"
#include "pcsct/session.h"
#include "simguard/sms_tpdu.h"

const char *pcsct_dl_outcome_name(enum pcsct_dl_outcome o)
{
	switch (o) {
	case PCSCT_DL_ACK:
		return "ack";
	case PCSCT_DL_BUSY:
		return "busy";
	default:
		return "error";
	}
}

/* A warning with no data may still have response data behind it (62F3 and friends): ask once. */
static int fetch_warning_data(struct pcsct_card *card, struct pcsct_dl_result *res, struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;

	if (apdu_get_response(&a, APDU_UICC, 256, err) < 0 || pcsct_transmit_buf(card, &a, &rsp, err) < 0)
		return -1;
	if ((rsp.sw == APDU_SW_OK || pcsct_sw_proactive(rsp.sw)) && rsp.len <= sizeof(res->data)) {
		memcpy(res->data, rsp.data, rsp.len);
		res->len = rsp.len;
	}
	return 0;
}

static int envelope(struct pcsct_card *card, const struct cat_buf *env, struct pcsct_dl_result *res,
		    struct sg_error *err)
{
	struct apdu_buf a;
	struct pcsct_rsp rsp;
	uint8_t sw1;

	memset(res, 0, sizeof(*res));
	if (apdu_envelope(&a, APDU_UICC, env->data, env->len, err) < 0 || pcsct_transmit_buf(card, &a, &rsp, err) < 0)
		return -1;
	if (rsp.len > sizeof(res->data))
		return sg_err(err, "card returned %zu bytes to the ENVELOPE, more than a response can carry", rsp.len);
	memcpy(res->data, rsp.data, rsp.len);
	res->len = rsp.len;
	res->sw = rsp.sw;
	sw1 = rsp.sw >> 8;
	res->proactive = pcsct_sw_proactive(rsp.sw);
	res->proactive_sw = rsp.sw;
	if (rsp.sw == APDU_SW_OK || res->proactive) {
		res->outcome = PCSCT_DL_ACK;
	} else if (rsp.sw == APDU_SW_TOOLKIT_BUSY) {
		res->outcome = PCSCT_DL_BUSY;
	} else {
		res->outcome = PCSCT_DL_ERROR;
		if ((sw1 == 0x62 || sw1 == 0x63) && res->len == 0)
			return fetch_warning_data(card, res, err);
	}
	return 0;
}

int pcsct_download_sms_pp(struct pcsct_card *card, const struct cat_address *sc, const uint8_t *tpdu, size_t len,
			  struct pcsct_dl_result *res, struct sg_error *err)
{
	struct cat_buf env;

	if (cat_build_sms_pp_download(&env, sc, tpdu, len, err) < 0)
		return -1;
	return envelope(card, &env, res, err);
}

int pcsct_download_ussd(struct pcsct_card *card, uint8_t dcs, const uint8_t *data, size_t len,
			struct pcsct_dl_result *res, struct sg_error *err)
{
	struct cat_buf env;

	if (cat_build_ussd_download(&env, dcs, data, len, err) < 0)
		return -1;
	return envelope(card, &env, res, err);
}

int pcsct_ota_tpdus(const uint8_t *packet, size_t len, const struct sms_addr *from, bool concat16, uint16_t ref,
		    uint8_t (*tpdus)[SMS_TPDU_MAX], size_t *lens, size_t max, struct sg_error *err)
{
	struct sms_ota_part parts[SMS_CONCAT_MAX_PARTS];
	uint8_t scts[7];
	int n, i;

	n = sms_ota_split(packet, len, SMS_IEI_CPI, concat16, ref, parts,
			  max < SMS_CONCAT_MAX_PARTS ? max : SMS_CONCAT_MAX_PARTS, err);
	if (n < 0)
		return -1;
	sms_scts_from_time(time(NULL), scts);
	for (i = 0; i < n; i++)
		if (sms_ota_deliver_build(from, scts, parts[i].ud, parts[i].len, tpdus[i], SMS_TPDU_MAX, &lens[i],
					  err) < 0)
			return -1;
	return n;
}

int pcsct_download_report(const struct pcsct_dl_result *res, uint8_t pid, uint8_t dcs, uint8_t *out, size_t size,
			  size_t *out_len, bool *rp_error, struct sg_error *err)
{
	struct sms_deliver_report r;
	struct sms_udh h;
	struct sg_error uerr;

	memset(&r, 0, sizeof(r));
	r.is_error = res->outcome != PCSCT_DL_ACK;
	r.fcs = res->outcome == PCSCT_DL_BUSY ? SMS_FCS_SIM_BUSY : SMS_FCS_DATA_DOWNLOAD_ERROR;
	*rp_error = r.is_error;
	if (res->len && res->outcome != PCSCT_DL_BUSY) {
		r.has_pid = r.has_dcs = r.has_ud = true;
		r.pid = pid;
		r.dcs = dcs;
		if (sms_ud_set_octets(&r.ud, res->data, res->len, err) < 0)
			return -1;
		r.udhi = sms_udh_parse(res->data, res->len, &h, &uerr) == 0 && h.rpi;
	}
	if (size < SMS_TPDU_MAX)
		return sg_err(err, "report buffer too small");
	return sms_deliver_report_encode(&r, out, size, out_len, err);
}
