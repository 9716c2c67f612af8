/* SGsAP (TS 29.118) for the MME side and the UE's SMS CP/RP layers (TS 24.011): stream splitting, decoding of what
 * an MSC sends, building what an MME and a UE send. IE layouts come from libosmogsm (sgsap_ie_tlvdef, tlv_parse,
 * the gsm0411 header helpers); this file adds what an MME needs that libosmogsm (written for the MSC side) lacks. */
#include <string.h>

#include <osmocom/gsm/apn.h>
#include <osmocom/gsm/gsm0411_utils.h>
#include <osmocom/gsm/gsm29118.h>
#include <osmocom/gsm/gsm48.h>
#include <osmocom/gsm/gsm48_ie.h>
#include <osmocom/gsm/protocol/gsm_04_11.h>

#include "pcsct/sgs.h"

#define IE_END 0

/* The IEs of each message type the MME side may receive or send, in the order of TS 29.118 chapter 8. mandatory:
 * bit i set when ies[i] is mandatory; none may be passed over (the handlers read them without looking), and RESET
 * (names_either) needs one of its two names. to_mme: the VLR sends it (the others go MME -> VLR only). A tag may
 * appear twice in the list (LU-REQ: new and old LAI). */
struct sgs_layout {
	uint8_t type;
	bool to_mme;
	uint16_t mandatory;
	uint8_t ies[14];
};

#define FIRST(n) ((uint16_t)((1u << (n)) - 1)) /* the first n IEs are mandatory */

static const struct sgs_layout layouts[] = {
	{SGSAP_MSGT_PAGING_REQ,
	 true,
	 FIRST(3),
	 {SGSAP_IE_IMSI, SGSAP_IE_VLR_NAME, SGSAP_IE_SERVICE_INDICATOR, SGSAP_IE_TMSI, SGSAP_IE_CLI, SGSAP_IE_LAI,
	  SGSAP_IE_GLOBAL_CN_ID, SGSAP_IE_SS_CODE, SGSAP_IE_LCS_INDICATOR, SGSAP_IE_LCS_CLIENT_ID, SGSAP_IE_CHAN_NEEDED,
	  SGSAP_IE_EMLPP_PRIORITY, SGSAP_IE_ADDL_PAGING_INDICATORS, IE_END}},
	{SGSAP_MSGT_PAGING_REJ, false, FIRST(2), {SGSAP_IE_IMSI, SGSAP_IE_SGS_CAUSE, IE_END}},
	{SGSAP_MSGT_SERVICE_REQ,
	 false,
	 FIRST(2),
	 {SGSAP_IE_IMSI, SGSAP_IE_SERVICE_INDICATOR, SGSAP_IE_CLI, SGSAP_IE_UE_TIMEZONE, SGSAP_IE_MS_CLASSMARK2,
	  SGSAP_IE_TAI, SGSAP_IE_EUTRAN_CGI, SGSAP_IE_UE_EMM_MODE, IE_END}},
	{SGSAP_MSGT_DL_UD, true, FIRST(2), {SGSAP_IE_IMSI, SGSAP_IE_NAS_MSG_CONTAINER, IE_END}},
	{SGSAP_MSGT_UL_UD,
	 false,
	 FIRST(2),
	 {SGSAP_IE_IMSI, SGSAP_IE_NAS_MSG_CONTAINER, SGSAP_IE_IMEISV, SGSAP_IE_UE_TIMEZONE, SGSAP_IE_MS_CLASSMARK2,
	  SGSAP_IE_TAI, SGSAP_IE_EUTRAN_CGI, IE_END}},
	{SGSAP_MSGT_LOC_UPD_REQ,
	 false,
	 FIRST(4),
	 {SGSAP_IE_IMSI, SGSAP_IE_MME_NAME, SGSAP_IE_EPS_LU_TYPE, SGSAP_IE_LAI, SGSAP_IE_LAI, SGSAP_IE_TMSI_STATUS,
	  SGSAP_IE_IMEISV, SGSAP_IE_TAI, SGSAP_IE_EUTRAN_CGI, SGSAP_IE_TMSI_BASED_NRI_CONT, IE_END}},
	{SGSAP_MSGT_LOC_UPD_ACK, true, FIRST(2), {SGSAP_IE_IMSI, SGSAP_IE_LAI, SGSAP_IE_MOBILE_ID, IE_END}},
	{SGSAP_MSGT_LOC_UPD_REJ, true, FIRST(2), {SGSAP_IE_IMSI, SGSAP_IE_REJECT_CAUSE, SGSAP_IE_LAI, IE_END}},
	{SGSAP_MSGT_TMSI_REALL_CMPL, false, FIRST(1), {SGSAP_IE_IMSI, IE_END}},
	{SGSAP_MSGT_ALERT_REQ, true, FIRST(1), {SGSAP_IE_IMSI, IE_END}},
	{SGSAP_MSGT_ALERT_ACK, false, FIRST(1), {SGSAP_IE_IMSI, IE_END}},
	{SGSAP_MSGT_EPS_DET_ACK, true, FIRST(1), {SGSAP_IE_IMSI, IE_END}},
	{SGSAP_MSGT_IMSI_DET_IND,
	 false,
	 FIRST(3),
	 {SGSAP_IE_IMSI, SGSAP_IE_MME_NAME, SGSAP_IE_IMSI_DET_NONEPS_TYPE, IE_END}},
	{SGSAP_MSGT_IMSI_DET_ACK, true, FIRST(1), {SGSAP_IE_IMSI, IE_END}},
	/* RESET-INDICATION / -ACK carry either the MME name or the VLR name */
	{SGSAP_MSGT_RESET_IND, true, 0, {SGSAP_IE_MME_NAME, SGSAP_IE_VLR_NAME, IE_END}},
	{SGSAP_MSGT_RESET_ACK, true, 0, {SGSAP_IE_MME_NAME, SGSAP_IE_VLR_NAME, IE_END}},
	{SGSAP_MSGT_SERVICE_ABORT_REQ, true, FIRST(1), {SGSAP_IE_IMSI, IE_END}},
	{SGSAP_MSGT_MM_INFO_REQ, true, FIRST(2), {SGSAP_IE_IMSI, SGSAP_IE_MM_INFO, IE_END}},
	{SGSAP_MSGT_RELEASE_REQ, true, FIRST(1), {SGSAP_IE_IMSI, SGSAP_IE_SGS_CAUSE, IE_END}},
	/* the IMSI is optional (osmo-msc sends none when the message it refuses had none), and libosmogsm's
	 * gsm29118_create_status puts it after the cause instead of before (8.18): either place */
	{SGSAP_MSGT_STATUS,
	 true,
	 1u << 1,
	 {SGSAP_IE_IMSI, SGSAP_IE_SGS_CAUSE, SGSAP_IE_IMSI, SGSAP_IE_ERR_MSG, IE_END}},
};

static const struct sgs_layout *layout_of(uint8_t type)
{
	size_t i;

	for (i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++)
		if (layouts[i].type == type)
			return &layouts[i];
	return NULL;
}

bool sgs_msg_to_mme(uint8_t type)
{
	const struct sgs_layout *l = layout_of(type);

	return l && l->to_mme;
}

/* RESET-INDICATION / -ACK: their one mandatory IE is the MME name or the VLR name. */
static bool names_either(const struct sgs_layout *l)
{
	return l->type == SGSAP_MSGT_RESET_IND || l->type == SGSAP_MSGT_RESET_ACK;
}

/* Position of tag in the layout at or after from, or -1. */
static int ie_position(const struct sgs_layout *l, int from, uint8_t tag)
{
	int i;

	for (i = from; l->ies[i] != IE_END; i++)
		if (l->ies[i] == tag)
			return i;
	return -1;
}

/* The first mandatory position from from on, before to (-1: to the end), or -1. */
static int mandatory_from(const struct sgs_layout *l, int from, int to)
{
	int i;

	for (i = from; l->ies[i] != IE_END && (to < 0 || i < to); i++)
		if (l->mandatory & (1u << i))
			return i;
	return -1;
}

int sgs_msg_len(const uint8_t *buf, size_t len, struct sg_error *err)
{
	const struct sgs_layout *l;
	size_t off = 1;
	int pos = 0, n = 0, p, missing;

	if (len == 0)
		return 0;
	l = layout_of(buf[0]);
	if (!l)
		return sg_err(err, "SGsAP message type 0x%02X is not one the MME side takes", buf[0]);
	while (off < len && (p = ie_position(l, pos, buf[off])) >= 0) {
		if (mandatory_from(l, pos, p) >= 0)
			break; /* a mandatory IE passed over: named missing below */
		if (off + 2 > len || off + 2 + buf[off + 1] > len)
			return 0; /* the IE continues in bytes not yet received */
		off += 2 + buf[off + 1];
		pos = p + 1;
		n++;
	}
	missing = names_either(l) ? (n ? -1 : 0) : mandatory_from(l, pos, -1);
	if (missing >= 0 && off == len)
		return 0;
	if (missing >= 0)
		return sg_err(err, "SGsAP %s: mandatory IE %s missing", sgsap_msg_type_name(l->type),
			      sgsap_iei_name(l->ies[missing]));
	return (int)off;
}

/* Fixed lengths of the IEs this side reads (TS 29.118 chapter 9). */
static int check_ie_lengths(const struct sgs_msg *m, struct sg_error *err)
{
	static const struct {
		uint8_t iei, min, max;
	} lim[] = {
		{SGSAP_IE_IMSI, 4, 8},
		{SGSAP_IE_LAI, 5, 5},
		{SGSAP_IE_SERVICE_INDICATOR, 1, 1},
		{SGSAP_IE_SGS_CAUSE, 1, 1},
		{SGSAP_IE_REJECT_CAUSE, 1, 1},
		{SGSAP_IE_MOBILE_ID, 1, 8},
		{SGSAP_IE_NAS_MSG_CONTAINER, 2, 251},
		{SGSAP_IE_MME_NAME, 1, SGS_MME_NAME_MAX},
		{SGSAP_IE_VLR_NAME, 1, 255},
	};
	size_t i;

	for (i = 0; i < sizeof(lim) / sizeof(lim[0]); i++) {
		unsigned int n = TLVP_PRESENT(&m->ies, lim[i].iei) ? TLVP_LEN(&m->ies, lim[i].iei) : lim[i].min;

		if (n < lim[i].min || n > lim[i].max)
			return sg_err(err, "SGsAP %s: IE %s of %u bytes (%u..%u allowed)", sgsap_msg_type_name(m->type),
				      sgsap_iei_name(lim[i].iei), n, lim[i].min, lim[i].max);
	}
	return 0;
}

int sgs_msg_decode(const uint8_t *buf, size_t len, struct sgs_msg *m, struct sg_error *err)
{
	struct osmo_mobile_identity mi;

	memset(m, 0, sizeof(*m));
	if (len < 1)
		return sg_err(err, "empty SGsAP message");
	m->type = buf[0];
	if (tlv_parse(&m->ies, &sgsap_ie_tlvdef, buf + 1, len - 1, 0, 0) < 0)
		return sg_err(err, "SGsAP %s: IEs do not parse", sgsap_msg_type_name(m->type));
	if (check_ie_lengths(m, err) < 0)
		return -1;
	if (!TLVP_PRESENT(&m->ies, SGSAP_IE_IMSI))
		return 0;
	if (osmo_mobile_identity_decode(&mi, TLVP_VAL(&m->ies, SGSAP_IE_IMSI), TLVP_LEN(&m->ies, SGSAP_IE_IMSI),
					false) < 0 ||
	    mi.type != GSM_MI_TYPE_IMSI)
		return sg_err(err, "SGsAP %s: the IMSI IE holds no IMSI", sgsap_msg_type_name(m->type));
	snprintf(m->imsi, sizeof(m->imsi), "%s", mi.imsi);
	return 0;
}

int sgs_msg_new_tmsi(const struct sgs_msg *m, uint32_t *tmsi)
{
	struct osmo_mobile_identity mi;

	if (!TLVP_PRESENT(&m->ies, SGSAP_IE_MOBILE_ID) ||
	    osmo_mobile_identity_decode(&mi, TLVP_VAL(&m->ies, SGSAP_IE_MOBILE_ID),
					TLVP_LEN(&m->ies, SGSAP_IE_MOBILE_ID), false) < 0 ||
	    mi.type != GSM_MI_TYPE_TMSI)
		return 0;
	*tmsi = mi.tmsi;
	return 1;
}

/* A new message with the IMSI IE, NULL for an IMSI that does not encode. */
static struct msgb *start(uint8_t type, const struct sgs_mme *ue)
{
	struct osmo_mobile_identity mi = {.type = GSM_MI_TYPE_IMSI};
	uint8_t buf[GSM48_MI_SIZE];
	struct msgb *msg;
	int n;

	if (strlen(ue->imsi) < 6 || strspn(ue->imsi, "0123456789") != strlen(ue->imsi))
		return NULL;
	snprintf(mi.imsi, sizeof(mi.imsi), "%s", ue->imsi);
	n = osmo_mobile_identity_encode_buf(buf, sizeof(buf), &mi, false);
	if (n <= 0)
		return NULL;
	msg = gsm29118_msgb_alloc();
	msgb_v_put(msg, type);
	msgb_tlv_put(msg, SGSAP_IE_IMSI, (uint8_t)n, buf);
	return msg;
}

static int put_mme_name(struct msgb *msg, const struct sgs_mme *ue)
{
	uint8_t name[SGS_MME_NAME_MAX + 1];
	int n = osmo_apn_from_str(name, sizeof(name), ue->mme_name);

	if (!ue->mme_name[0] || n <= 1 || n > SGS_MME_NAME_MAX)
		return -1;
	msgb_tlv_put(msg, SGSAP_IE_MME_NAME, (uint8_t)n, name);
	return 0;
}

static struct msgb *start_with_name(uint8_t type, const struct sgs_mme *ue)
{
	struct msgb *msg = start(type, ue);

	if (msg && put_mme_name(msg, ue) < 0) {
		msgb_free(msg);
		return NULL;
	}
	return msg;
}

struct msgb *sgs_build_lu_req(const struct sgs_mme *ue)
{
	struct osmo_location_area_id lai = {
		.plmn = {.mcc = ue->mcc, .mnc = ue->mnc, .mnc_3_digits = ue->mnc_3_digits},
		.lac = ue->lac,
	};
	struct gsm48_loc_area_id lai48;
	uint8_t lu_type = SGSAP_EPS_LUT_IMSI_ATTACH;
	struct msgb *msg = start_with_name(SGSAP_MSGT_LOC_UPD_REQ, ue);

	if (!msg)
		return NULL;
	msgb_tlv_put(msg, SGSAP_IE_EPS_LU_TYPE, 1, &lu_type);
	gsm48_generate_lai2(&lai48, &lai);
	msgb_tlv_put(msg, SGSAP_IE_LAI, sizeof(lai48), (const uint8_t *)&lai48);
	return msg;
}

struct msgb *sgs_build_tmsi_realloc_complete(const struct sgs_mme *ue)
{
	return start(SGSAP_MSGT_TMSI_REALL_CMPL, ue);
}

struct msgb *sgs_build_service_req(const struct sgs_mme *ue, uint8_t service_indicator)
{
	uint8_t emm_idle = 0; /* UE EMM mode: EMM-IDLE (it was paged) */
	struct msgb *msg = start(SGSAP_MSGT_SERVICE_REQ, ue);

	if (!msg)
		return NULL;
	msgb_tlv_put(msg, SGSAP_IE_SERVICE_INDICATOR, 1, &service_indicator);
	msgb_tlv_put(msg, SGSAP_IE_UE_EMM_MODE, 1, &emm_idle);
	return msg;
}

struct msgb *sgs_build_paging_reject(const struct sgs_mme *ue, uint8_t sgs_cause)
{
	struct msgb *msg = start(SGSAP_MSGT_PAGING_REJ, ue);

	if (msg)
		msgb_tlv_put(msg, SGSAP_IE_SGS_CAUSE, 1, &sgs_cause);
	return msg;
}

struct msgb *sgs_build_imsi_detach(const struct sgs_mme *ue, uint8_t noneps_type)
{
	struct msgb *msg = start_with_name(SGSAP_MSGT_IMSI_DET_IND, ue);

	if (msg)
		msgb_tlv_put(msg, SGSAP_IE_IMSI_DET_NONEPS_TYPE, 1, &noneps_type);
	return msg;
}

struct msgb *sgs_build_reset_ack(const struct sgs_mme *ue)
{
	struct msgb *msg = gsm29118_msgb_alloc();

	msgb_v_put(msg, SGSAP_MSGT_RESET_ACK);
	if (put_mme_name(msg, ue) < 0) {
		msgb_free(msg);
		return NULL;
	}
	return msg;
}

struct msgb *sgs_build_alert_ack(const struct sgs_mme *ue)
{
	return start(SGSAP_MSGT_ALERT_ACK, ue);
}

struct msgb *sgs_build_status(const struct sgs_mme *ue, uint8_t sgs_cause, const uint8_t *erroneous, size_t len)
{
	struct msgb *msg;

	if (ue) {
		msg = start(SGSAP_MSGT_STATUS, ue);
		if (!msg)
			return NULL;
	} else {
		msg = gsm29118_msgb_alloc();
		msgb_v_put(msg, SGSAP_MSGT_STATUS);
	}
	msgb_tlv_put(msg, SGSAP_IE_SGS_CAUSE, 1, &sgs_cause);
	/* the erroneous message as far as the IE holds it (a DOWNLINK-UNITDATA can be longer) */
	msgb_tlv_put(msg, SGSAP_IE_ERR_MSG, (uint8_t)(len > 255 ? 255 : len), erroneous);
	return msg;
}

struct msgb *sgs_build_ul_unitdata(const struct sgs_mme *ue, const uint8_t *nas, size_t nas_len)
{
	struct msgb *msg;

	if (nas_len < 2 || nas_len > 251)
		return NULL;
	msg = start(SGSAP_MSGT_UL_UD, ue);
	if (msg)
		msgb_tlv_put(msg, SGSAP_IE_NAS_MSG_CONTAINER, (uint8_t)nas_len, nas);
	return msg;
}

int sms_cp_decode(const uint8_t *nas, size_t len, struct sms_cp *cp, struct sg_error *err)
{
	memset(cp, 0, sizeof(*cp));
	if (len < 2)
		return sg_err(err, "NAS message of %zu bytes", len);
	if ((nas[0] & 0x0F) != GSM48_PDISC_SMS)
		return sg_err(err, "NAS protocol discriminator %u is not SMS (9)", nas[0] & 0x0F);
	cp->ti_flag = (nas[0] & 0x80) != 0;
	cp->ti = (nas[0] >> 4) & 0x07;
	cp->type = nas[1];
	switch (cp->type) {
	case GSM411_MT_CP_ACK:
		return 0;
	case GSM411_MT_CP_ERROR:
		if (len < 3)
			return sg_err(err, "CP-ERROR without a cause");
		cp->cause = nas[2];
		return 0;
	case GSM411_MT_CP_DATA:
		if (len < 3 || nas[2] < 2 || (size_t)nas[2] + 3 > len)
			return sg_err(err, "CP-DATA: RP length %u in %zu bytes", len < 3 ? 0 : nas[2], len);
		cp->rp = nas + 3;
		cp->rp_len = nas[2];
		return 0;
	default:
		return sg_err(err, "CP message type 0x%02X unknown", cp->type);
	}
}

/* An RP address (length, TON/NPI, BCD) at p; advances *off. */
static int rp_addr(const uint8_t *p, size_t len, size_t *off, char *out, size_t out_size, const char *what,
		   struct sg_error *err)
{
	size_t n;

	out[0] = '\0';
	if (*off >= len || *off + 1 + p[*off] > len)
		return sg_err(err, "RP %s address runs past the message", what);
	n = p[*off];
	if (n > SMS_RP_ADDR_OCTETS)
		return sg_err(err, "RP %s address of %zu bytes: %d at most (TON/NPI and %d digits, TS 24.011 8.2.5)",
			      what, n, SMS_RP_ADDR_OCTETS, SMS_RP_ADDR_MAX);
	if (n > 0 && gsm48_decode_bcd_number2(out, out_size, p + *off, n + 1, 1) < 0)
		return sg_err(err, "RP %s address does not decode", what);
	*off += 1 + n;
	return 0;
}

int sms_rp_addr_check(const char *digits, const char *what, struct sg_error *err)
{
	size_t n = strlen(digits);

	if (n == 0 || n > SMS_RP_ADDR_MAX)
		return sg_err(err,
			      "%s \"%.24s%s\": %zu digits, 1 to %d allowed (TON/NPI and 10 octets of BCD, TS 24.011 "
			      "8.2.5.2)",
			      what, digits, n > 24 ? "..." : "", n, SMS_RP_ADDR_MAX);
	if (strspn(digits, "0123456789") != n)
		return sg_err(err, "%s \"%.24s\": '%c' is not a digit", what, digits,
			      digits[strspn(digits, "0123456789")]);
	return 0;
}

/* RP-User-Data: a length and the TPDU (RP-DATA), or the same behind IEI 0x41 (optional in RP-ACK / RP-ERROR). */
static int rp_user_data(const uint8_t *p, size_t len, size_t off, bool tagged, struct sms_rp *m, struct sg_error *err)
{
	if (tagged) {
		if (off == len)
			return 0;
		if (p[off] != GSM411_IE_RP_USER_DATA)
			return sg_err(err, "RP IE 0x%02X unknown", p[off]);
		off++;
	}
	if (off >= len || p[off] == 0 || off + 1 + p[off] > len)
		return sg_err(err, "RP user data length does not match the message");
	m->ud = p + off + 1;
	m->ud_len = p[off];
	return 0;
}

int sms_rp_decode(const uint8_t *rp, size_t len, struct sms_rp *m, struct sg_error *err)
{
	size_t off = 2;

	memset(m, 0, sizeof(*m));
	if (len < 2)
		return sg_err(err, "RP message of %zu bytes", len);
	m->type = rp[0] & 0x07;
	m->mr = rp[1];
	switch (m->type) {
	case GSM411_MT_RP_DATA_MT:
	case GSM411_MT_RP_DATA_MO:
		if (rp_addr(rp, len, &off, m->oa, sizeof(m->oa), "originator", err) < 0 ||
		    rp_addr(rp, len, &off, m->da, sizeof(m->da), "destination", err) < 0)
			return -1;
		return rp_user_data(rp, len, off, false, m, err);
	case GSM411_MT_RP_ACK_MT:
	case GSM411_MT_RP_ACK_MO:
		return rp_user_data(rp, len, off, true, m, err);
	case GSM411_MT_RP_ERROR_MT:
	case GSM411_MT_RP_ERROR_MO:
		if (off >= len || rp[off] < 1 || off + 1 + rp[off] > len)
			return sg_err(err, "RP-ERROR: cause length does not match the message");
		m->cause = rp[off + 1] & 0x7F;
		off += 1 + rp[off];
		return rp_user_data(rp, len, off, true, m, err);
	case GSM411_MT_RP_SMMA_MO:
		return 0;
	default:
		return sg_err(err, "RP message type %u unknown", m->type);
	}
}

static uint8_t cp_ti(bool ti_flag, uint8_t ti)
{
	return (uint8_t)((ti_flag ? 0x08 : 0) | (ti & 0x07));
}

struct msgb *sms_build_cp_ack(bool ti_flag, uint8_t ti)
{
	struct msgb *msg = gsm411_msgb_alloc();

	gsm411_push_cp_header(msg, GSM48_PDISC_SMS, cp_ti(ti_flag, ti), GSM411_MT_CP_ACK);
	return msg;
}

struct msgb *sms_build_rp_report(bool ti_flag, uint8_t ti, uint8_t mr, uint8_t cause, const uint8_t *report,
				 size_t report_len)
{
	struct msgb *msg = gsm411_msgb_alloc();

	if (cause) {
		msgb_v_put(msg, 1);
		msgb_v_put(msg, cause);
	}
	if (report_len && report_len <= 164)
		msgb_tlv_put(msg, GSM411_IE_RP_USER_DATA, (uint8_t)report_len, report);
	gsm411_push_rp_header(msg, cause ? GSM411_MT_RP_ERROR_MO : GSM411_MT_RP_ACK_MO, mr);
	gsm411_push_cp_header(msg, GSM48_PDISC_SMS, cp_ti(ti_flag, ti), GSM411_MT_CP_DATA);
	return msg;
}

struct msgb *sms_build_rp_data(uint8_t ti, uint8_t mr, const char *smsc, const uint8_t *tpdu, size_t tpdu_len,
			       struct sg_error *err)
{
	struct msgb *msg;
	uint8_t da[1 + SMS_RP_ADDR_OCTETS];
	int n;

	if (tpdu_len < 1 || tpdu_len > 164) {
		sg_err(err, "SMS-SUBMIT of %zu bytes does not fit an RP-DATA", tpdu_len);
		return NULL;
	}
	if (sms_rp_addr_check(smsc, "service centre address", err) < 0)
		return NULL;
	/* the length octet counts TON/NPI and the BCD octets: SMS_RP_ADDR_OCTETS at most, as checked above */
	n = gsm48_encode_bcd_number(da, SMS_RP_ADDR_OCTETS, 1, smsc);
	if (n < 2) {
		sg_err(err, "service centre address \"%s\" does not encode", smsc);
		return NULL;
	}
	da[1] = 0x91; /* international, ISDN */
	msg = gsm411_msgb_alloc();
	msgb_v_put(msg, 0); /* RP-OA: empty MS->network */
	memcpy(msgb_put(msg, n), da, n);
	msgb_lv_put(msg, (uint8_t)tpdu_len, tpdu);
	gsm411_push_rp_header(msg, GSM411_MT_RP_DATA_MO, mr);
	gsm411_push_cp_header(msg, GSM48_PDISC_SMS, cp_ti(false, ti), GSM411_MT_CP_DATA);
	return msg;
}
