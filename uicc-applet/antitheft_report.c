/* Handset change detection and the reports the card sends on its own (specs/antitheft-protocol.md §6, §9): the
 * IMEI asked at each power-up is compared with the recorded one; a change becomes a secured command packet made by
 * the card (its own report counter, committed first), kept in the card image until the terminal confirms the SEND
 * SHORT MESSAGE that carries it. */
#include <string.h>

#include <openssl/crypto.h>
#include <osmocom/core/logging.h>

#include "uicc/antitheft.h"
#include "uicc/card.h"
#include "uicc/profile.h"
#include "uicc/toolkit.h"

static bool in_flight(const struct antitheft *at, uint64_t id)
{
	for (size_t i = 0; i < at->n_in_flight; i++)
		if (at->in_flight[i] == id)
			return true;
	return false;
}

static void forget_in_flight(struct antitheft *at, uint64_t id)
{
	for (size_t i = 0; i < at->n_in_flight; i++) {
		if (at->in_flight[i] == id) {
			at->in_flight[i] = at->in_flight[--at->n_in_flight];
			return;
		}
	}
}

/* Ask for location status events while reports wait, so service coming back sends them. */
static void watch_service(struct antitheft *at, bool on)
{
	static const uint8_t location_status = CAT_EVT_LOCATION_STATUS;
	struct cat_buf cmd;

	if (at->watching_service == on || !cat_engine_supports_event(at->cat, CAT_EVT_LOCATION_STATUS) ||
	    cat_build_set_up_event_list(&cmd, 1, &location_status, on ? 1 : 0, NULL) < 0 ||
	    cat_engine_queue(at->cat, &cmd, CAT_PRIO_NORMAL, NULL, NULL) < 0)
		return;
	at->watching_service = on;
}

/* The terminal answered the SEND SHORT MESSAGE of one report: sent reports leave the card image. */
static void report_sent(struct uicc_card *card, void *arg, const struct cat_answer *ans)
{
	struct antitheft *at = uicc_toolkit_antitheft(card);
	uint64_t id = (uint64_t)(uintptr_t)arg;
	struct antitheft_state *s;

	if (!at)
		return;
	forget_in_flight(at, id);
	if (ans->dropped || !cat_result_is_success(ans->general)) {
		LOGP(DAPPLET, LOGL_NOTICE, "report %llu not sent (%s), kept for later\n", (unsigned long long)id,
		     ans->dropped ? "power lost" : cat_result_name(ans->general));
		return;
	}
	s = &at->st;
	for (size_t i = 0; i < s->n_outbox; i++) {
		if (s->outbox[i].id == id) {
			memmove(&s->outbox[i], &s->outbox[i + 1], (s->n_outbox - i - 1) * sizeof(s->outbox[0]));
			s->n_outbox--;
			antitheft_commit(at);
			if (!s->n_outbox)
				watch_service(at, false);
			return;
		}
	}
}

static bool report_address(const struct antitheft *at, struct sms_addr *da)
{
	if (at->st.has_server) {
		*da = at->st.server;
		return true;
	}
	if (at->cfg.has_report_address) {
		*da = at->cfg.report_address;
		return true;
	}
	return false;
}

void antitheft_flush_outbox(struct antitheft *at)
{
	struct sms_addr da;

	if (!at->st.n_outbox) {
		watch_service(at, false);
		return;
	}
	watch_service(at, true);
	if (!report_address(at, &da))
		return;
	for (size_t i = 0; i < at->st.n_outbox; i++) {
		const struct antitheft_outbox_entry *e = &at->st.outbox[i];
		if (in_flight(at, e->id) || at->n_in_flight >= ANTITHEFT_OUTBOX_MAX)
			continue;
		if (ota_re_queue_sms(at->re, &da, e->ud, e->ud_len, CAT_PRIO_NORMAL, report_sent, (void *)(uintptr_t)e->id) < 0)
			return;
		at->in_flight[at->n_in_flight++] = e->id;
	}
}

/* The anti-theft TAR and the keyset reports are secured with: the one of the last authentic command, else the
 * first keyset the TAR allows that the applet's policy accepts. */
static const struct uicc_keyset *report_keyset(const struct antitheft *at, const struct uicc_profile_tar **tar)
{
	const struct uicc_profile *p = uicc_card_profile(at->card);
	const struct uicc_keyset *ks;

	*tar = NULL;
	for (size_t i = 0; i < p->n_tars && !*tar; i++)
		if (p->tars[i].app && strcmp(p->tars[i].app, "antitheft") == 0)
			*tar = &p->tars[i];
	if (!*tar)
		return NULL;
	ks = at->st.server_kvn ? uicc_profile_keyset(p, at->st.server_kvn) : NULL;
	if (ks && antitheft_policy(0x16, ks->kic_alg, ks->kid_alg))
		return ks;
	for (size_t i = 0; i < p->n_keysets; i++) {
		ks = &p->keysets[i];
		if ((!(*tar)->kvn_mask || ((*tar)->kvn_mask & (1u << ks->kvn))) &&
		    antitheft_policy(0x16, ks->kic_alg, ks->kid_alg))
			return ks;
	}
	return NULL;
}

/* Secure a handset-change report and keep it in the card image (with its counter) before anything is sent. */
static int queue_report(struct antitheft *at, const char *old_imei, const char *new_imei)
{
	struct antitheft_state *s = &at->st;
	const struct uicc_profile_tar *tar;
	const struct uicc_keyset *ks = report_keyset(at, &tar);
	struct antitheft_outbox_entry *e;
	struct sp_cmd_hdr hdr = { .spi = { 0x16, 0x00 } };
	struct ota_reply data;
	struct sp_keys keys;
	struct sg_error err;
	uint8_t state = antitheft_state_code(at);
	size_t n;
	int rc;

	if (!ks || ota_re_keys(at->card, ks->kvn, &keys) < 0) {
		LOGP(DAPPLET, LOGL_ERROR, "no keyset for reports: handset change not reported\n");
		return -1;
	}
	if (s->n_outbox == ANTITHEFT_OUTBOX_MAX) /* the oldest goes: the newest says where the card is now */
		memmove(&s->outbox[0], &s->outbox[1], --s->n_outbox * sizeof(s->outbox[0]));
	hdr.kic = (uint8_t)(ks->kvn << 4 | ks->kic_alg);
	hdr.kid = (uint8_t)(ks->kvn << 4 | ks->kid_alg);
	memcpy(hdr.tar, tar->tar, 3);
	hdr.cntr = ++s->report_cntr;
	memset(&data, 0, sizeof(data));
	memcpy(data.data, "HSCH", 4);
	for (int i = 0; i < 4; i++)
		data.data[4 + i] = (uint8_t)(hdr.cntr >> (24 - 8 * i));
	data.len = 8;
	antitheft_result_tlv(&data, 0x92, new_imei, strlen(new_imei));
	antitheft_result_tlv(&data, 0x98, old_imei, strlen(old_imei));
	antitheft_result_tlv(&data, 0x90, &state, 1);
	e = &s->outbox[s->n_outbox];
	e->ud[0] = 0x02;
	e->ud[1] = SMS_IEI_CPI;
	e->ud[2] = 0x00;
	rc = sp_command_build(&hdr, data.data, data.len, &keys, SP_DIALECT_SMS, e->ud + 3, sizeof(e->ud) - 3, &n, &err);
	sp_keys_cleanse(&keys);
	if (rc < 0) {
		LOGP(DAPPLET, LOGL_ERROR, "report not secured: %s\n", err.msg);
		return -1;
	}
	e->id = hdr.cntr;
	e->ud_len = n + 3;
	s->n_outbox++;
	return 0;
}

static void imei_answer(struct uicc_card *card, void *arg, const struct cat_answer *ans)
{
	struct antitheft *at = uicc_toolkit_antitheft(card);
	struct antitheft_state *s;
	char imei[16];

	if (!at || ans->dropped || !cat_result_is_success(ans->general))
		return;
	antitheft_tr_imei(ans, imei);
	s = &at->st;
	if (!imei[0] || strcmp(imei, s->imei) == 0)
		return;
	if (s->imei[0]) {
		LOGP(DAPPLET, LOGL_NOTICE, "handset changed: IMEI %s, was %s\n", imei, s->imei);
		queue_report(at, s->imei, imei);
	}
	memcpy(s->imei, imei, sizeof(imei));
	if (antitheft_commit(at) == 0)
		antitheft_flush_outbox(at);
}

void antitheft_check_imei(struct antitheft *at)
{
	struct cat_buf cmd;

	if (cat_engine_supports(at->cat, CAT_CMD_PROVIDE_LOCAL_INFO, CAT_PLI_IMEI) &&
	    cat_build_provide_local_info(&cmd, 1, CAT_PLI_IMEI, NULL) == 0)
		cat_engine_queue(at->cat, &cmd, CAT_PRIO_NORMAL, imei_answer, NULL);
}
