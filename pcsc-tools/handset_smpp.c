/* handset-sim's radio, in a lab without radio: the lab route of sms-gateway. The handset binds as a transceiver
 * with its MSISDN as system_id, takes deliver_sm (SMS and USSD) and sends its MO as submit_sm. The socket is
 * watched by the select loop; a housekeeping timer re-establishes the link with backoff when it drops. */
#include <string.h>
#include <time.h>

#include <smpp34.h>

#include "pcsct/handset.h"
#include "pcsct/sms_smpp.h"
#include "simguard/hex.h"
#include "smsgw/smpp_client.h"

#define HOUSEKEEPING_MS	   1000
#define CONNECT_TIMEOUT_MS 2000
#define BACKOFF_MAX_S	   30

static void schedule(struct handset *hs, unsigned int ms)
{
	osmo_timer_schedule(&hs->smpp_timer, ms / 1000, (ms % 1000) * 1000);
}

static void link_down(struct handset *hs, const char *reason)
{
	char why[160];

	/* the reason may live in the client about to be freed */
	snprintf(why, sizeof(why), "%s", reason);
	if (hs->smpp_ofd.fd >= 0) {
		osmo_fd_unregister(&hs->smpp_ofd);
		hs->smpp_ofd.fd = -1;
	}
	if (hs->smpp) {
		smpp_client_close(hs->smpp);
		hs->smpp = NULL;
	}
	if (hs->smpp_bound)
		handset_event(hs, "SMPP link down: %s", why);
	hs->smpp_bound = false;
	hs->smpp_backoff_s = hs->smpp_backoff_s ? hs->smpp_backoff_s * 2 : 1;
	if (hs->smpp_backoff_s > BACKOFF_MAX_S)
		hs->smpp_backoff_s = BACKOFF_MAX_S;
	hs->smpp_retry_at = time(NULL) + hs->smpp_backoff_s;
	handset_changed(hs);
}

static void poll_link(struct handset *hs);

static int smpp_readable(struct osmo_fd *ofd, unsigned int what)
{
	poll_link(ofd->data);
	return 0;
}

static void try_connect(struct handset *hs)
{
	char why[128];
	long st;

	hs->smpp = smpp_client_connect(hs->cfg.smpp_host, hs->cfg.smpp_port, CONNECT_TIMEOUT_MS, why, sizeof(why));
	if (!hs->smpp) {
		link_down(hs, why);
		return;
	}
	st = smpp_client_bind(hs->smpp, BIND_TRANSCEIVER, hs->cfg.msisdn, hs->cfg.smpp_password, CONNECT_TIMEOUT_MS);
	if (st != ESME_ROK) {
		handset_event(hs, "SMPP bind as %s refused: %s", hs->cfg.msisdn,
			      st < 0 ? smpp_client_error(hs->smpp) : smpp_status_name((uint32_t)st));
		link_down(hs, "bind refused");
		return;
	}
	hs->smpp_bound = true;
	hs->smpp_backoff_s = 0;
	osmo_fd_setup(&hs->smpp_ofd, smpp_client_fd(hs->smpp), OSMO_FD_READ, smpp_readable, hs, 0);
	osmo_fd_register(&hs->smpp_ofd);
	handset_event(hs, "SMPP bound to %s:%u as %s", hs->cfg.smpp_host, hs->cfg.smpp_port, hs->cfg.msisdn);
	handset_changed(hs);
}

/* A deliver_sm carrying an SMS: rebuild the SMS-DELIVER the radio would have brought. */
static uint32_t mt_sms(struct handset *hs, const struct smpp_sm *sm)
{
	uint8_t tpdu[SMS_TPDU_MAX];
	struct sg_error err;
	size_t len;

	if (pcsct_sm_to_deliver(sm, tpdu, sizeof(tpdu), &len, &err) < 0 ||
	    handset_sms_deliver(hs, tpdu, len, &err) < 0) {
		handset_event(hs, "deliver_sm from %s refused: %s", sm->src, err.msg);
		return ESME_RINVMSGLEN;
	}
	return hs->card_state == HS_CARD_ERROR ? ESME_RX_T_APPN : ESME_ROK;
}

static void on_deliver(struct handset *hs, const uint8_t *pdu, size_t len, uint32_t seq)
{
	struct smpp_sm sm;
	struct sg_error err;
	char why[128];
	uint32_t st = smpp_pdu_check(pdu, len, why, sizeof(why));

	if (st == ESME_ROK)
		st = smpp_decode_sm(pdu, len, &sm, why, sizeof(why));
	if (st != ESME_ROK) {
		handset_event(hs, "bad deliver_sm: %s", why);
	} else if (sm.ussd_op >= 0) {
		st = handset_ussd_deliver(hs, sm.src, sm.ussd_op, sm.dcs, sm.ud, sm.ud_len, &err) < 0 ? ESME_RX_T_APPN
												      : ESME_ROK;
	} else {
		st = mt_sms(hs, &sm);
	}
	if (hs->smpp)
		smpp_client_send_resp(hs->smpp, DELIVER_SM_RESP, st, seq, NULL);
}

static void poll_link(struct handset *hs)
{
	uint8_t pdu[SMPP_MAX_PDU];
	struct smpp_hdr h;
	int n;

	while (hs->smpp && (n = smpp_client_recv(hs->smpp, pdu, sizeof(pdu), 0)) != 0) {
		if (n < 0) {
			link_down(hs, smpp_client_error(hs->smpp));
			return;
		}
		smpp_hdr_get(pdu, &h);
		if (h.id == DELIVER_SM) {
			on_deliver(hs, pdu, (size_t)n, h.seq);
		} else if (h.id == UNBIND) {
			smpp_client_send_resp(hs->smpp, UNBIND_RESP, ESME_ROK, h.seq, NULL);
			link_down(hs, "unbound by the gateway");
			return;
		} else if (h.id == SUBMIT_SM_RESP && h.status != ESME_ROK) {
			handset_event(hs, "MO refused by the gateway: %s", smpp_status_name(h.status));
		}
	}
}

static void smpp_cb(void *data)
{
	struct handset *hs = data;

	if (!hs->smpp && time(NULL) >= hs->smpp_retry_at)
		try_connect(hs);
	poll_link(hs);
	handset_sms_expire(hs);
	if (!hs->shutdown)
		schedule(hs, HOUSEKEEPING_MS);
}

void handset_smpp_start(struct handset *hs)
{
	hs->smpp_ofd.fd = -1;
	osmo_timer_setup(&hs->smpp_timer, smpp_cb, hs);
	if (hs->cfg.smpp_port)
		schedule(hs, 0);
}

void handset_smpp_stop(struct handset *hs)
{
	osmo_timer_del(&hs->smpp_timer);
	if (hs->smpp_ofd.fd >= 0) {
		osmo_fd_unregister(&hs->smpp_ofd);
		hs->smpp_ofd.fd = -1;
	}
	if (hs->smpp && hs->smpp_bound)
		smpp_client_unbind(hs->smpp, 500);
	if (hs->smpp)
		smpp_client_close(hs->smpp);
	hs->smpp = NULL;
	hs->smpp_bound = false;
}

int handset_smpp_submit(struct handset *hs, const struct sms_addr *dst, uint8_t pid, uint8_t dcs, bool udhi,
			const uint8_t *ud, size_t len, int ussd_op, struct sg_error *err)
{
	struct smpp_sm sm;
	uint32_t seq;
	char hex[2 * SMPP_UD_MAX + 1];
	bool sent = false;

	if (pcsct_mo_sm(&sm, hs->cfg.msisdn, dst, pid, dcs, udhi, ud, len, ussd_op, err) < 0)
		return -1;
	if (!hs->smpp || !hs->smpp_bound)
		sg_err(err, "no network link (SMPP not bound)");
	else if (smpp_client_send_sm(hs->smpp, SUBMIT_SM, &sm, &seq) < 0)
		sg_err(err, "%s", smpp_client_error(hs->smpp));
	else
		sent = true;
	json_array_append_new(hs->mo_log, json_pack("{s:s,s:i,s:i,s:i,s:s,s:b}", "to", dst->digits, "pid", pid, "dcs",
						    dcs, "ussd_op", ussd_op, "ud",
						    sg_hex_encode(ud, len, hex, sizeof(hex)), "sent", sent));
	while (json_array_size(hs->mo_log) > 20)
		json_array_remove(hs->mo_log, 0);
	handset_changed(hs);
	if (!sent)
		return -1;
	handset_event(hs, "MO to %s sent (%zu bytes%s)", dst->digits, len, ussd_op >= 0 ? ", USSD" : "");
	return 0;
}
