/* Proof of Receipt delivery of the receiving entity (TS 31.115 clauses 4.2 / 6.3, TS 102 225 clause 5.1.2): the
 * PoR an accepted command's SPI2 asks for goes into the ENVELOPE response data (for the SMS-DELIVER-REPORT or the
 * USSD response), or as an SMS-SUBMIT by SEND SHORT MESSAGE to the command's TP-OA (then the ENVELOPE answers a
 * short PoR with status 0B), or by SEND USSD. Security failures get an unsecured PoR in the ENVELOPE response, and
 * only when the card profile says so (error_por "unsecured"); never one made with the card's keys, never an SMS. */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/logging.h>

#include "uicc/card.h"
#include "uicc/ota_re.h"
#include "uicc/profile.h"

#define POR_MAX (SP_MAX_PACKET)
#define SMS_POR_PARTS_MAX 4

static bool por_wanted(uint8_t spi2, uint8_t status)
{
	switch (spi2 & SP_SPI2_POR_MASK) {
	case SP_SPI2_POR_ALWAYS:
		return true;
	case SP_SPI2_POR_ON_ERROR:
		return status != SP_STATUS_OK && status != SP_STATUS_RESP_BY_SUBMIT && status != SP_STATUS_RESP_BY_USSD;
	default:
		return false;
	}
}

/* The response data of an ENVELOPE carrying a PoR: SMS adds the 02 71 00 header the checksum covered. */
static size_t envelope_data(const struct ota_origin *o, const uint8_t *por, size_t n, uint8_t *rsp, size_t room)
{
	static const uint8_t rpi_udh[3] = { 0x02, SMS_IEI_RPI, 0x00 };
	size_t hdr = o->dialect == SP_DIALECT_SMS ? sizeof(rpi_udh) : 0;

	if (hdr + n > room)
		return 0;
	memcpy(rsp, rpi_udh, hdr);
	memcpy(rsp + hdr, por, n);
	return hdr + n;
}

/* Largest PoR that one ENVELOPE response can carry back: a DELIVER-REPORT's TP-UD (140 octets with the 02 71 00
 * header), or one USSD string. */
static size_t envelope_limit(const struct ota_origin *o)
{
	return o->dialect == SP_DIALECT_SMS ? SMS_UD_MAX - 3 : SP_USSD_SINGLE_MAX;
}

static int build_por(const struct ota_origin *o, const struct sp_keys *keys, uint8_t status, const uint8_t *data,
		     size_t len, uint8_t *out, size_t *n)
{
	struct sg_error err;

	if (sp_response_build(&o->hdr, status, data, len, keys, o->dialect, false, out, POR_MAX, n, &err) < 0) {
		LOGP(DOTA, LOGL_ERROR, "PoR not built: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int ota_re_queue_sms(struct ota_re *re, const struct sms_addr *da, const uint8_t *ud, size_t ud_len,
		     enum cat_prio prio, cat_answer_cb cb, void *arg)
{
	struct sms_submit s = { .udhi = true, .vpf = SMS_VPF_NONE, .mr = 0, .da = *da,
				.pid = SMS_PID_SIM_DATA_DOWNLOAD, .dcs = SMS_DCS_8BIT_CLASS2 };
	uint8_t tpdu[SMS_TPDU_MAX];
	struct cat_send_sms p = { .tpdu = tpdu };
	struct cat_buf cmd;
	struct sg_error err;

	if (sms_ud_set_octets(&s.ud, ud, ud_len, &err) < 0 ||
	    sms_submit_encode(&s, tpdu, sizeof(tpdu), &p.tpdu_len, &err) < 0 || cat_build_send_sms(&cmd, 1, &p, &err) < 0) {
		LOGP(DOTA, LOGL_ERROR, "SEND SHORT MESSAGE not built: %s\n", err.msg);
		return -1;
	}
	return cat_engine_queue(ota_re_cat(re), &cmd, prio, cb, arg);
}

/* The PoR as SMS-SUBMIT(s) to the command's originator, concatenated when it does not fit one. */
static int send_by_sms(struct ota_re *re, const struct ota_origin *o, const uint8_t *por, size_t n)
{
	struct cat_engine *cat = ota_re_cat(re);
	struct sms_ota_part parts[SMS_POR_PARTS_MAX];
	struct sg_error err;
	int np;

	if (!o->has_oa || !cat_engine_supports(cat, CAT_CMD_SEND_SHORT_MESSAGE, 0))
		return -1;
	np = sms_ota_split(por, n, SMS_IEI_RPI, false, ota_re_next_ref(re), parts, SMS_POR_PARTS_MAX, &err);
	if (np < 0 || (size_t)np > cat_engine_room(cat))
		return -1;
	for (int i = 0; i < np; i++)
		if (ota_re_queue_sms(re, &o->oa, parts[i].ud, parts[i].len, CAT_PRIO_FIRST, NULL, NULL) < 0)
			return -1;
	return 0;
}

static int send_by_ussd(struct ota_re *re, const struct ota_origin *o, const uint8_t *por, size_t n)
{
	struct cat_buf cmd;
	struct sg_error err;

	if (cat_build_send_ussd(&cmd, 1, NULL, SMS_DCS_8BIT_CLASS2, por, n, &err) < 0) {
		LOGP(DOTA, LOGL_ERROR, "SEND USSD not built: %s\n", err.msg);
		return -1;
	}
	return cat_engine_queue(ota_re_cat(re), &cmd, CAT_PRIO_FIRST, NULL, NULL);
}

static int send_later(struct ota_re *re, const struct ota_origin *o, const uint8_t *por, size_t n)
{
	return o->dialect == SP_DIALECT_SMS ? send_by_sms(re, o, por, n) : send_by_ussd(re, o, por, n);
}

int ota_re_send_por(struct ota_re *re, const struct ota_origin *o, uint8_t status, const uint8_t *data, size_t len)
{
	uint8_t por[POR_MAX];
	struct sp_keys keys;
	size_t n;
	int rc;

	if (!por_wanted(o->hdr.spi[1], status))
		return 0;
	if (ota_re_keys(ota_re_card(re), o->kvn, &keys) < 0 && o->kvn)
		return -1;
	rc = build_por(o, &keys, status, data, len, por, &n);
	sp_keys_cleanse(&keys);
	if (rc == 0) {
		rc = send_later(re, o, por, n);
		OPENSSL_cleanse(por, n);
	}
	return rc;
}

/* The short PoR announcing that the real one follows by SMS-SUBMIT (0B) or USSD (0C). */
static void announce_later(const struct ota_origin *o, const struct sp_keys *keys, uint8_t *rsp, size_t *rsp_len,
			   size_t room)
{
	uint8_t status = o->dialect == SP_DIALECT_SMS ? SP_STATUS_RESP_BY_SUBMIT : SP_STATUS_RESP_BY_USSD;
	uint8_t por[64];
	size_t n;

	if ((o->hdr.spi[1] & SP_SPI2_POR_MASK) == SP_SPI2_POR_ALWAYS && build_por(o, keys, status, NULL, 0, por, &n) == 0)
		*rsp_len = envelope_data(o, por, n, rsp, room);
}

/* Build the PoR with as much of the data as fits one ENVELOPE response. */
static int build_fitting(const struct ota_origin *o, const struct sp_keys *keys, const struct ota_reply *reply,
			 uint8_t *por, size_t *n)
{
	size_t len = reply->len;

	for (;;) {
		if (build_por(o, keys, reply->status, reply->data, len, por, n) < 0)
			return -1;
		if (*n <= envelope_limit(o) || len == 0)
			return 0;
		LOGP(DOTA, LOGL_NOTICE, "PoR data cut to fit the ENVELOPE response\n");
		len--;
	}
}

void ota_por_answer(struct ota_re *re, const struct ota_origin *o, const struct sp_keys *keys,
		    const struct ota_reply *reply, uint8_t *rsp, size_t *rsp_len)
{
	bool by_submit = o->dialect == SP_DIALECT_SMS && (o->hdr.spi[1] & SP_SPI2_POR_SUBMIT);
	size_t room = *rsp_len, n;
	uint8_t por[POR_MAX];

	*rsp_len = 0;
	if (reply->deferred) {
		announce_later(o, keys, rsp, rsp_len, room);
		return;
	}
	if (!por_wanted(o->hdr.spi[1], reply->status) || build_por(o, keys, reply->status, reply->data, reply->len,
								   por, &n) < 0)
		return;
	/* SMS-SUBMIT when asked for, and when the PoR is too big for the DELIVER-REPORT */
	if ((by_submit || n > envelope_limit(o)) && send_later(re, o, por, n) == 0) {
		announce_later(o, keys, rsp, rsp_len, room);
	} else if (n <= envelope_limit(o) || build_fitting(o, keys, reply, por, &n) == 0) {
		*rsp_len = envelope_data(o, por, n, rsp, room);
	}
	OPENSSL_cleanse(por, n);
}

void ota_por_security_failure(struct uicc_card *card, const struct ota_origin *o, bool have_hdr, uint8_t status,
			      uint8_t *rsp, size_t *rsp_len)
{
	size_t room = *rsp_len, n;
	uint8_t por[64];
	struct sg_error err;

	*rsp_len = 0;
	if (!have_hdr || uicc_card_profile(card)->error_por != UICC_ERROR_POR_UNSECURED ||
	    !por_wanted(o->hdr.spi[1], status))
		return;
	if (sp_response_build(&o->hdr, status, NULL, 0, NULL, o->dialect, true, por, sizeof(por), &n, &err) < 0) {
		LOGP(DOTA, LOGL_ERROR, "unsecured PoR not built: %s\n", err.msg);
		return;
	}
	*rsp_len = envelope_data(o, por, n, rsp, room);
}
