/* The OTA receiving entity's entry points: the SMS-PP and USSD DATA DOWNLOAD envelopes are unpacked (device
 * identities, SMS-DELIVER, user data header with CPI and concatenation; USSD string), the command packet is
 * checked (ota_re_check.c), handed to the application of its TAR and answered (ota_re_por.c). */
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "simguard/apdu.h"
#include "simguard/tlv.h"
#include "uicc/card.h"
#include "uicc/ota_re.h"
#include "uicc/store.h"

/* Proactive commands an OTA command may need (a PoR by SEND SHORT MESSAGE, and the application's own): with less
 * room the toolkit is busy (9300) and the network delivers again later. */
#define OTA_QUEUE_ROOM_NEEDED 3

struct ota_re {
	struct uicc_card *card;
	struct cat_engine *cat;
	const struct ota_app *apps;
	size_t n_apps;
	struct ota_concat *concat;
	uint8_t next_ref;
};

struct ota_re *ota_re_alloc(void *ctx, struct uicc_card *card, struct cat_engine *cat, const struct ota_app *apps,
			    size_t n_apps)
{
	struct ota_re *re = talloc_zero(ctx, struct ota_re);

	if (!re)
		return NULL;
	*re = (struct ota_re){ .card = card, .cat = cat, .apps = apps, .n_apps = n_apps, .next_ref = 1 };
	re->concat = ota_concat_alloc(re);
	if (!re->concat) {
		talloc_free(re);
		return NULL;
	}
	return re;
}

void ota_re_reset(struct ota_re *re)
{
	ota_concat_reset(re->concat);
}

struct cat_engine *ota_re_cat(const struct ota_re *re)
{
	return re->cat;
}

struct uicc_card *ota_re_card(const struct ota_re *re)
{
	return re->card;
}

uint8_t ota_re_next_ref(struct ota_re *re)
{
	return re->next_ref++;
}

/* Check one whole command packet, run its application, answer. */
static uint16_t process_packet(struct ota_re *re, struct ota_origin *o, const uint8_t *pkt, size_t len, uint8_t *rsp,
			       size_t room, size_t *rsp_len)
{
	uint8_t plain[SP_MAX_PACKET];
	struct ota_reply reply;
	struct ota_check c;
	struct ota_msg msg;

	if (ota_re_check(re->card, re->apps, re->n_apps, pkt, len, o->dialect, &c, plain, sizeof(plain)) < 0) {
		OPENSSL_cleanse(plain, len); /* the packet's length is all that was written */
		*rsp_len = 0;
		return APDU_SW_TECHNICAL_PROBLEM;
	}
	o->hdr = c.cmd.hdr;
	o->kvn = c.kvn;
	*rsp_len = room;
	if (c.status != SP_STATUS_OK) {
		OPENSSL_cleanse(plain, len); /* the packet's length is all that was written */
		ota_por_security_failure(re->card, o, c.have_hdr, c.status, rsp, rsp_len);
		return APDU_SW_OK;
	}
	msg = (struct ota_msg){ .tar = c.tar, .origin = *o, .data = c.cmd.data, .len = c.cmd.data_len };
	memset(&reply, 0, sizeof(reply));
	LOGP(DOTA, LOGL_INFO, "command for %s (TAR %02X%02X%02X, counter %llu, %zu bytes)\n", c.app->name,
	     o->hdr.tar[0], o->hdr.tar[1], o->hdr.tar[2], (unsigned long long)o->hdr.cntr, c.cmd.data_len);
	c.app->handle(re->card, &msg, &reply);
	OPENSSL_cleanse(plain, len); /* the packet's length is all that was written */
	/* power lost while the application wrote: like a card that lost power, no PoR leaves */
	if (uicc_store_failed(uicc_card_store(re->card)))
		*rsp_len = 0;
	else
		ota_por_answer(re, o, &c.keys, &reply, rsp, rsp_len);
	sp_keys_cleanse(&c.keys);
	OPENSSL_cleanse(reply.data, reply.len);
	return uicc_store_failed(uicc_card_store(re->card)) ? APDU_SW_TECHNICAL_PROBLEM : APDU_SW_OK;
}

/* The objects of a download envelope: device identities (network -> UICC when present) and the one object
 * carrying the payload. Returns 0 or -1 (malformed: 6A80). */
static int unpack_envelope(const uint8_t *env, size_t len, uint8_t ber_tag, uint16_t payload_tag, struct sg_tlv *payload)
{
	struct sg_tlv_reader r;
	struct sg_tlv tpl, devs;
	struct sg_error err;

	sg_tlv_reader_init(&r, env, len);
	if (sg_ber_tlv_next(&r, &tpl, &err) != 1 || tpl.tag != ber_tag || r.pos != len) {
		LOGP(DOTA, LOGL_NOTICE, "envelope %02X malformed\n", ber_tag);
		return -1;
	}
	if (sg_ctlv_find(tpl.val, tpl.len, CAT_TAG_DEVICE_IDS, &devs, &err) == 1 &&
	    (devs.len != 2 || devs.val[0] != CAT_DEV_NETWORK || devs.val[1] != CAT_DEV_UICC)) {
		LOGP(DOTA, LOGL_NOTICE, "envelope %02X: device identities are not network -> UICC\n", ber_tag);
		return -1;
	}
	if (sg_ctlv_find(tpl.val, tpl.len, payload_tag, payload, &err) != 1) {
		LOGP(DOTA, LOGL_NOTICE, "envelope %02X without %s\n", ber_tag, cat_tag_name(payload_tag));
		return -1;
	}
	return 0;
}

static time_t card_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* A concatenated part: stored until its packet is complete. */
static uint16_t concat_part(struct ota_re *re, struct ota_origin *o, const struct sms_deliver *d,
			    const struct sms_udh *h, uint8_t *rsp, size_t room, size_t *rsp_len)
{
	void *tmp = talloc_new(re);
	enum sms_reasm_result res;
	struct sg_error err;
	uint8_t *pkt;
	size_t len;
	bool cpi = false;
	uint16_t sw = APDU_SW_OK;

	res = ota_concat_add(re->concat, d, h, card_time(), tmp, &pkt, &len, &cpi, &err);
	*rsp_len = 0;
	if (res == SMS_REASM_ERROR || res == SMS_REASM_FULL)
		LOGP(DOTA, LOGL_NOTICE, "concatenated part %u/%u dropped: %s\n", h->concat_seq, h->concat_total,
		     res == SMS_REASM_FULL ? "no room" : err.msg);
	else if (res == SMS_REASM_COMPLETE && cpi)
		sw = process_packet(re, o, pkt, len, rsp, room, rsp_len);
	else if (res == SMS_REASM_COMPLETE)
		LOGP(DOTA, LOGL_NOTICE, "concatenated data download without CPI ignored\n");
	talloc_free(tmp);
	return sw;
}

uint16_t ota_re_sms_pp(struct ota_re *re, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	struct ota_origin o = { .dialect = SP_DIALECT_SMS, .has_oa = true };
	struct sms_deliver d;
	struct sms_udh h;
	struct sg_tlv tpdu;
	struct sg_error err;
	size_t room = *rsp_len;

	*rsp_len = 0;
	if (unpack_envelope(env, len, CAT_ENV_SMS_PP_DOWNLOAD, CAT_TAG_SMS_TPDU, &tpdu) < 0)
		return APDU_SW_WRONG_DATA;
	if (sms_deliver_decode(tpdu.val, tpdu.len, &d, &err) < 0) {
		LOGP(DOTA, LOGL_NOTICE, "SMS-PP download: %s\n", err.msg);
		return APDU_SW_WRONG_DATA;
	}
	if (!d.udhi || sms_udh_parse(d.ud.ud, d.ud.ud_len, &h, &err) < 0) {
		LOGP(DOTA, LOGL_NOTICE, "SMS-PP download without a valid user data header: ignored\n");
		return APDU_SW_OK;
	}
	if (!h.cpi && !h.has_concat) {
		LOGP(DOTA, LOGL_NOTICE, "SMS-PP download without CPI: ignored\n");
		return APDU_SW_OK;
	}
	if (cat_engine_room(re->cat) < OTA_QUEUE_ROOM_NEEDED)
		return APDU_SW_TOOLKIT_BUSY;
	o.oa = d.oa;
	if (h.has_concat)
		return concat_part(re, &o, &d, &h, rsp, room, rsp_len);
	return process_packet(re, &o, d.ud.ud + h.udh_len, d.ud.ud_len - h.udh_len, rsp, room, rsp_len);
}

uint16_t ota_re_ussd(struct ota_re *re, const uint8_t *env, size_t len, uint8_t *rsp, size_t *rsp_len)
{
	struct ota_origin o = { .dialect = SP_DIALECT_USSD };
	struct sg_tlv ussd;
	size_t room = *rsp_len;

	*rsp_len = 0;
	if (unpack_envelope(env, len, CAT_ENV_USSD_DOWNLOAD, CAT_TAG_USSD_STRING, &ussd) < 0 || ussd.len < 1)
		return APDU_SW_WRONG_DATA;
	if (!sms_dcs_is_class2_8bit(ussd.val[0])) {
		LOGP(DOTA, LOGL_NOTICE, "USSD download with DCS %02X (not 8-bit class 2): ignored\n", ussd.val[0]);
		return APDU_SW_OK;
	}
	if (cat_engine_room(re->cat) < OTA_QUEUE_ROOM_NEEDED)
		return APDU_SW_TOOLKIT_BUSY;
	return process_packet(re, &o, ussd.val + 1, ussd.len - 1, rsp, room, rsp_len);
}
