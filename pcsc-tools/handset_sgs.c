/* handset-sim's radio towards a real MSC: the SGs interface of an LTE phone, with handset-sim playing the MME. It
 * attaches with the card's IMSI (SGsAP LOCATION-UPDATE-REQUEST, TMSI-REALLOCATION-COMPLETE), answers paging with
 * SERVICE-REQUEST, takes MT short messages from DOWNLINK-UNITDATA (CP/RP of TS 24.011) into the handset's own SMS
 * path (handset_sms_deliver: data download to the card, inbox) and sends MO SMS-SUBMITs (SEND SHORT MESSAGE, e.g.
 * the card's PoR) by UPLINK-UNITDATA. One SMS transaction at a time: an MO waits until the MT message being
 * delivered is acknowledged. The stream has no framing over the TCP shim osmo-msc runs with, so messages are sent
 * at least TX_GAP_MS apart (the MSC reads one message per read) and received ones are split by sgs_msg_len(). */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <osmocom/core/linuxlist.h>
#include <osmocom/core/socket.h>
#include <osmocom/gsm/protocol/gsm_04_11.h>
#include <osmocom/gsm/protocol/gsm_29_118.h>
#include <talloc.h>

#include "pcsct/handset.h"
#include "pcsct/sgs.h"
#include "simguard/hex.h"

#define HOUSEKEEPING_MS 1000
#define TX_GAP_MS	40
#define BACKOFF_MAX_S	30
#define LU_RETRY_S	10
#define TRANS_TIMEOUT_S 45 /* about TR1M / TC1M x retries of TS 24.011: the network went quiet */
#define MO_QUEUE	8
#define DEFAULT_SMSC	"1999" /* RP-DA: osmo-msc is the service centre whatever the number */

enum sgs_state {
	SGS_DOWN,     /* no connection to the MSC */
	SGS_IDLE,     /* connected, the UE not attached (no service, or detached) */
	SGS_LU_SENT,  /* LOCATION-UPDATE-REQUEST sent */
	SGS_ATTACHED, /* SGs-associated at the VLR */
	SGS_REJECTED, /* LOCATION-UPDATE-REJECT: retried after LU_RETRY_S */
};

static const char *const state_names[] = {"down", "idle", "location update sent", "associated", "rejected"};

struct sgs_trans {
	bool active;
	uint8_t ti, mr;
	time_t started;
};

struct handset_sgs {
	struct handset *hs;
	struct osmo_fd ofd;
	struct osmo_timer_list timer, tx_timer;
	struct llist_head tx; /* msgbs waiting for their turn */
	uint8_t rx[2048];
	size_t rx_len;
	enum sgs_state state;
	time_t retry_at, state_since;
	unsigned int backoff_s;
	struct sgs_mme ue;
	uint32_t tmsi;
	bool have_tmsi;

	/* the MT message being delivered, and the report the download left for its RP-ACK / RP-ERROR */
	struct sgs_trans mt;
	bool mt_acked_by_us; /* our RP-ACK/RP-ERROR sent, waiting for the network's CP-ACK */
	uint8_t report[SMS_TPDU_MAX];
	size_t report_len;
	bool have_report, report_error;

	struct sgs_trans mo;
	uint8_t next_ti, next_mr;
	struct {
		uint8_t tpdu[SMS_TPDU_MAX];
		size_t len;
	} queue[MO_QUEUE];
	unsigned int queued;
	unsigned int mt_count, mo_count, paged;
};

static void schedule(struct osmo_timer_list *t, unsigned int ms)
{
	osmo_timer_schedule(t, ms / 1000, (ms % 1000) * 1000);
}

static void set_state(struct handset_sgs *s, enum sgs_state st)
{
	if (s->state == st)
		return;
	s->state = st;
	s->state_since = time(NULL);
	handset_changed(s->hs);
}

/* Send queued messages one at a time, TX_GAP_MS apart. */
static void tx_cb(void *data)
{
	struct handset_sgs *s = data;
	struct msgb *msg;
	ssize_t n;

	if (s->ofd.fd < 0 || !(msg = msgb_dequeue(&s->tx)))
		return;
	n = write(s->ofd.fd, msgb_data(msg), msgb_length(msg));
	if (n != (ssize_t)msgb_length(msg))
		handset_event(s->hs, "SGs: sending %s failed: %s", sgsap_msg_type_name(msgb_data(msg)[0]),
			      n < 0 ? strerror(errno) : "short write");
	msgb_free(msg);
	schedule(&s->tx_timer, TX_GAP_MS);
}

static void send_msg(struct handset_sgs *s, struct msgb *msg, const char *what)
{
	if (!msg) {
		handset_event(s->hs, "SGs: %s not built (IMSI %s, MME name %s)", what, s->ue.imsi, s->ue.mme_name);
		return;
	}
	if (s->ofd.fd < 0) {
		msgb_free(msg);
		return;
	}
	msgb_enqueue(&s->tx, msg);
	if (!osmo_timer_pending(&s->tx_timer))
		tx_cb(s);
}

static void send_nas(struct handset_sgs *s, struct msgb *nas)
{
	send_msg(s, sgs_build_ul_unitdata(&s->ue, msgb_data(nas), msgb_length(nas)), "UPLINK-UNITDATA");
	msgb_free(nas);
}

static void link_down(struct handset_sgs *s, const char *why)
{
	struct msgb *msg;

	if (s->ofd.fd >= 0) {
		osmo_fd_unregister(&s->ofd);
		close(s->ofd.fd);
		s->ofd.fd = -1;
		handset_event(s->hs, "SGs link to %s:%u down: %s", s->hs->cfg.sgs_host, s->hs->cfg.sgs_port, why);
	}
	while ((msg = msgb_dequeue(&s->tx)))
		msgb_free(msg);
	osmo_timer_del(&s->tx_timer);
	s->rx_len = 0;
	s->mt.active = s->mo.active = false;
	s->backoff_s = s->backoff_s ? s->backoff_s * 2 : 1;
	if (s->backoff_s > BACKOFF_MAX_S)
		s->backoff_s = BACKOFF_MAX_S;
	s->retry_at = time(NULL) + s->backoff_s;
	set_state(s, SGS_DOWN);
}

/* Start the next queued MO message when no transaction is open. */
static void mo_next(struct handset_sgs *s)
{
	struct sg_error err;
	struct msgb *nas;
	const char *smsc = s->hs->cfg.smsc[0] ? s->hs->cfg.smsc : DEFAULT_SMSC;

	if (s->mt.active || s->mo.active || !s->queued || s->state != SGS_ATTACHED)
		return;
	s->mo.active = true;
	s->mo.ti = s->next_ti;
	s->next_ti = (uint8_t)((s->next_ti + 1) % 7);
	s->mo.mr = s->next_mr++;
	s->mo.started = time(NULL);
	nas = sms_build_rp_data(s->mo.ti, s->mo.mr, smsc, s->queue[0].tpdu, s->queue[0].len, &err);
	s->queued--;
	memmove(&s->queue[0], &s->queue[1], s->queued * sizeof(s->queue[0]));
	if (!nas) {
		handset_event(s->hs, "SGs: MO SMS not sent: %s", err.msg);
		s->mo.active = false;
		return;
	}
	handset_event(s->hs, "SGs: MO SMS sent (RP-DATA MR %u, TI %u)", s->mo.mr, s->mo.ti);
	send_nas(s, nas);
}

static void mt_done(struct handset_sgs *s)
{
	s->mt.active = false;
	s->mt_acked_by_us = false;
	mo_next(s);
}

/* Deliver an RP-DATA's SMS-DELIVER through the handset's SMS path, then answer it with RP-ACK or RP-ERROR. */
static void mt_rp_data(struct handset_sgs *s, const struct sms_cp *cp, const struct sms_rp *rp)
{
	struct handset *hs = s->hs;
	struct sg_error err;
	uint8_t cause = 0;
	int rc;

	if (s->mt.active && cp->ti == s->mt.ti && rp->mr == s->mt.mr) {
		/* the network repeated its CP-DATA (our CP-ACK crossed it): acknowledge, do not deliver twice */
		send_nas(s, sms_build_cp_ack(true, cp->ti));
		return;
	}
	s->mt.active = true;
	s->mt.ti = cp->ti;
	s->mt.mr = rp->mr;
	s->mt.started = time(NULL);
	s->have_report = false;
	send_nas(s, sms_build_cp_ack(true, cp->ti));
	s->mt_count++;
	handset_event(hs, "SGs: MT SMS from service centre %s (RP-DATA MR %u, %zu bytes)", rp->oa, rp->mr, rp->ud_len);
	rc = handset_sms_deliver(hs, rp->ud, rp->ud_len, &err);
	if (rc < 0) {
		handset_event(hs, "SGs: MT SMS refused: %s", err.msg);
		cause = GSM411_RP_CAUSE_PROTOCOL_ERR;
	} else if (s->have_report && s->report_error) {
		cause = GSM411_RP_CAUSE_PROTOCOL_ERR;
	} else if (!s->have_report && hs->card_state != HS_CARD_READY && hs->card_state != HS_CARD_PIN_NEEDED) {
		cause = GSM411_RP_CAUSE_PROTOCOL_ERR; /* a data download the card could not take: let the SMSC retry */
	}
	send_nas(s, sms_build_rp_report(true, s->mt.ti, s->mt.mr, cause, s->have_report ? s->report : NULL,
					s->have_report ? s->report_len : 0));
	s->mt_acked_by_us = true;
	handset_event(hs, "SGs: %s for MR %u", cause ? "RP-ERROR" : "RP-ACK", s->mt.mr);
}

static void mo_rp_answer(struct handset_sgs *s, const struct sms_cp *cp, const struct sms_rp *rp)
{
	send_nas(s, sms_build_cp_ack(false, cp->ti));
	if (rp->type == GSM411_MT_RP_ACK_MT) {
		s->mo_count++;
		handset_event(s->hs, "SGs: MO SMS MR %u accepted (RP-ACK)", rp->mr);
	} else {
		handset_event(s->hs, "SGs: MO SMS MR %u refused: RP-ERROR cause %u", rp->mr, rp->cause);
	}
	s->mo.active = false;
	mo_next(s);
}

/* A NAS message in a DOWNLINK-UNITDATA: CP-DATA with RP-DATA (MT) or the answer to our MO, CP-ACK, CP-ERROR. */
static void on_nas(struct handset_sgs *s, const uint8_t *nas, size_t len)
{
	struct sms_cp cp;
	struct sms_rp rp;
	struct sg_error err;
	char hex[64];

	if (sms_cp_decode(nas, len, &cp, &err) < 0 ||
	    (cp.type == GSM411_MT_CP_DATA && sms_rp_decode(cp.rp, cp.rp_len, &rp, &err) < 0)) {
		handset_event(s->hs, "SGs: NAS %s... ignored: %s",
			      sg_hex_encode(nas, len < 24 ? len : 24, hex, sizeof(hex)), err.msg);
		return;
	}
	/* ti_flag clear: the network started the transaction (MT); set: it answers ours (MO) */
	if (cp.type == GSM411_MT_CP_DATA && !cp.ti_flag && rp.type == GSM411_MT_RP_DATA_MT)
		mt_rp_data(s, &cp, &rp);
	else if (cp.type == GSM411_MT_CP_DATA && cp.ti_flag && s->mo.active && cp.ti == s->mo.ti &&
		 (rp.type == GSM411_MT_RP_ACK_MT || rp.type == GSM411_MT_RP_ERROR_MT))
		mo_rp_answer(s, &cp, &rp);
	else if (cp.type == GSM411_MT_CP_ACK && !cp.ti_flag && s->mt.active && cp.ti == s->mt.ti && s->mt_acked_by_us)
		mt_done(s);
	else if (cp.type == GSM411_MT_CP_ACK && cp.ti_flag && s->mo.active && cp.ti == s->mo.ti)
		; /* our RP-DATA arrived; the RP-ACK follows */
	else if (cp.type == GSM411_MT_CP_ERROR)
		handset_event(s->hs, "SGs: CP-ERROR cause %u (TI %u)", cp.cause, cp.ti);
	else
		handset_event(s->hs, "SGs: NAS %s out of any transaction, ignored",
			      sg_hex_encode(nas, len < 24 ? len : 24, hex, sizeof(hex)));
}

static void on_lu_accept(struct handset_sgs *s, const struct sgs_msg *m)
{
	s->have_tmsi = sgs_msg_new_tmsi(m, &s->tmsi) == 1;
	if (s->have_tmsi)
		send_msg(s, sgs_build_tmsi_realloc_complete(&s->ue), "TMSI-REALLOCATION-COMPLETE");
	set_state(s, SGS_ATTACHED);
	if (s->have_tmsi)
		handset_event(s->hs, "SGs: attached as IMSI %s, TMSI 0x%08X", s->ue.imsi, s->tmsi);
	else
		handset_event(s->hs, "SGs: attached as IMSI %s", s->ue.imsi);
	mo_next(s);
}

static void on_paging(struct handset_sgs *s, const struct sgs_msg *m)
{
	uint8_t si = *TLVP_VAL(&m->ies, SGSAP_IE_SERVICE_INDICATOR);

	s->paged++;
	if (s->state != SGS_ATTACHED) {
		send_msg(s, sgs_build_paging_reject(&s->ue, SGSAP_SGS_CAUSE_IMSI_DET_NON_EPS), "PAGING-REJECT");
		return;
	}
	handset_event(s->hs, "SGs: paged for %s", sgsap_service_ind_name(si));
	send_msg(s, sgs_build_service_req(&s->ue, si), "SERVICE-REQUEST");
}

#define S(st)	  (1u << (st))
#define CONNECTED (S(SGS_IDLE) | S(SGS_LU_SENT) | S(SGS_ATTACHED) | S(SGS_REJECTED))

/* The states in which each message the VLR sends is expected, as an osmo_fsm's permitted events: an MME's SGs-NULL
 * (TS 29.118 4.2.2) is our idle and rejected, LA-UPDATE-REQUESTED our location update sent, SGs-ASSOCIATED our
 * associated. A LOCATION-UPDATE-ACCEPT / -REJECT answers only our pending request, an IMSI-DETACH-ACK our detach;
 * a paging while not associated is answered PAGING-REJECT (5.1.3); SMS only flows while associated. */
static const struct {
	uint8_t type;
	uint32_t states;
} expected_in[] = {
	{SGSAP_MSGT_LOC_UPD_ACK, S(SGS_LU_SENT)},
	{SGSAP_MSGT_LOC_UPD_REJ, S(SGS_LU_SENT)},
	{SGSAP_MSGT_PAGING_REQ, CONNECTED},
	{SGSAP_MSGT_DL_UD, S(SGS_ATTACHED)},
	{SGSAP_MSGT_SERVICE_ABORT_REQ, S(SGS_ATTACHED)},
	{SGSAP_MSGT_IMSI_DET_ACK, S(SGS_IDLE)},
	{SGSAP_MSGT_ALERT_REQ, CONNECTED},
	{SGSAP_MSGT_RESET_IND, CONNECTED},
	{SGSAP_MSGT_MM_INFO_REQ, CONNECTED},
	{SGSAP_MSGT_RELEASE_REQ, CONNECTED},
	{SGSAP_MSGT_STATUS, CONNECTED},
	/* EPS-DETACH-ACK, RESET-ACK: never, this MME sends no EPS detach or RESET-INDICATION */
};

/* 0 when the message is expected in the current state, else the SGs cause it is refused with (TS 29.118 7.3): a
 * message type the VLR does not send is unknown in this direction, others are not compatible with the state. */
static uint8_t refusal(const struct handset_sgs *s, uint8_t type)
{
	size_t i;

	if (!sgs_msg_to_mme(type))
		return SGSAP_SGS_CAUSE_MSG_UNKNOWN;
	for (i = 0; i < sizeof(expected_in) / sizeof(expected_in[0]); i++)
		if (expected_in[i].type == type)
			return expected_in[i].states & S(s->state) ? 0 : SGSAP_SGS_CAUSE_MSG_INCOMP_STATE;
	return SGSAP_SGS_CAUSE_MSG_INCOMP_STATE;
}

/* Ignored, logged, and answered SGsAP-STATUS with the message (never a STATUS for a STATUS: no ping-pong). */
static void refuse(struct handset_sgs *s, const struct sgs_msg *m, const uint8_t *buf, size_t len, uint8_t cause)
{
	handset_event(s->hs, "SGs: %s ignored in state %s: %s", sgsap_msg_type_name(m->type), state_names[s->state],
		      sgsap_sgs_cause_name(cause));
	if (m->type != SGSAP_MSGT_STATUS)
		send_msg(s, sgs_build_status(m->imsi[0] ? &s->ue : NULL, cause, buf, len), "STATUS");
}

static void on_message(struct handset_sgs *s, const uint8_t *buf, size_t len)
{
	struct sgs_msg m;
	struct sg_error err;
	uint8_t cause;

	if (sgs_msg_decode(buf, len, &m, &err) < 0) {
		handset_event(s->hs, "SGs: %s", err.msg);
		return;
	}
	if (m.imsi[0] && strcmp(m.imsi, s->ue.imsi) != 0) {
		handset_event(s->hs, "SGs: %s for IMSI %s, not ours", sgsap_msg_type_name(m.type), m.imsi);
		return;
	}
	cause = refusal(s, m.type);
	if (cause) {
		refuse(s, &m, buf, len, cause);
		return;
	}
	switch (m.type) {
	case SGSAP_MSGT_LOC_UPD_ACK:
		on_lu_accept(s, &m);
		break;
	case SGSAP_MSGT_LOC_UPD_REJ:
		handset_event(s->hs, "SGs: location update rejected, cause %u",
			      *TLVP_VAL(&m.ies, SGSAP_IE_REJECT_CAUSE));
		s->retry_at = time(NULL) + LU_RETRY_S;
		set_state(s, SGS_REJECTED);
		break;
	case SGSAP_MSGT_PAGING_REQ:
		on_paging(s, &m);
		break;
	case SGSAP_MSGT_DL_UD:
		on_nas(s, TLVP_VAL(&m.ies, SGSAP_IE_NAS_MSG_CONTAINER), TLVP_LEN(&m.ies, SGSAP_IE_NAS_MSG_CONTAINER));
		break;
	case SGSAP_MSGT_RESET_IND:
		/* the VLR lost its state: acknowledge, attach again */
		send_msg(s, sgs_build_reset_ack(&s->ue), "RESET-ACK");
		set_state(s, SGS_IDLE);
		break;
	case SGSAP_MSGT_ALERT_REQ:
		send_msg(s, sgs_build_alert_ack(&s->ue), "ALERT-ACK");
		break;
	case SGSAP_MSGT_IMSI_DET_ACK:
		handset_event(s->hs, "SGs: detached");
		break;
	case SGSAP_MSGT_STATUS:
		handset_event(s->hs, "SGs: STATUS from the MSC, cause %s",
			      TLVP_PRESENT(&m.ies, SGSAP_IE_SGS_CAUSE)
				      ? get_value_string(sgsap_sgs_cause_names, *TLVP_VAL(&m.ies, SGSAP_IE_SGS_CAUSE))
				      : "none");
		break;
	default: /* RELEASE-REQUEST, MM-INFORMATION-REQUEST, SERVICE-ABORT-REQUEST: nothing to do for SMS */
		break;
	}
}

static int sgs_readable(struct osmo_fd *ofd, unsigned int what)
{
	struct handset_sgs *s = ofd->data;
	struct sg_error err;
	ssize_t n = read(ofd->fd, s->rx + s->rx_len, sizeof(s->rx) - s->rx_len);
	int len = 0;

	if (n <= 0) {
		link_down(s, n == 0 ? "closed by the MSC" : strerror(errno));
		return 0;
	}
	s->rx_len += (size_t)n;
	while (s->ofd.fd >= 0 && (len = sgs_msg_len(s->rx, s->rx_len, &err)) > 0) {
		on_message(s, s->rx, (size_t)len);
		s->rx_len -= (size_t)len;
		memmove(s->rx, s->rx + len, s->rx_len);
	}
	if (s->ofd.fd >= 0 && (len < 0 || s->rx_len == sizeof(s->rx)))
		link_down(s, len < 0 ? err.msg : "receive buffer full");
	return 0;
}

static void fill_ue(struct handset_sgs *s)
{
	const struct handset *hs = s->hs;
	const struct cat_location *l = &hs->cfg.me.loc;

	snprintf(s->ue.imsi, sizeof(s->ue.imsi), "%s", hs->usim.imsi);
	s->ue.mcc = l->mcc;
	s->ue.mnc = l->mnc;
	s->ue.mnc_3_digits = l->mnc_3_digits;
	s->ue.lac = l->lac;
	if (hs->cfg.sgs_mme_name[0])
		snprintf(s->ue.mme_name, sizeof(s->ue.mme_name), "%s", hs->cfg.sgs_mme_name);
	else
		snprintf(s->ue.mme_name, sizeof(s->ue.mme_name),
			 "mmec01.mmegi0001.mme.epc.mnc%03u.mcc%03u.3gppnetwork.org", l->mnc % 1000, l->mcc % 1000);
}

/* SGs runs on SCTP (TS 29.118 chapter 7); a kernel without SCTP gets TCP, as osmo-msc does through the
 * sctp2tcp shim there, unless the configuration names one. A one-to-one SCTP socket keeps each write one message,
 * so the same code serves both. */
static int sgs_transport(const char *configured)
{
	int fd;

	if (configured)
		return strcmp(configured, "tcp") == 0 ? IPPROTO_TCP : IPPROTO_SCTP;
	fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0)
		return IPPROTO_TCP;
	close(fd);
	return IPPROTO_SCTP;
}

static void try_connect(struct handset_sgs *s)
{
	int proto = sgs_transport(s->hs->cfg.sgs_proto);
	int fd = osmo_sock_init(AF_INET, SOCK_STREAM, (uint8_t)proto, s->hs->cfg.sgs_host, s->hs->cfg.sgs_port,
				OSMO_SOCK_F_CONNECT);

	if (fd < 0) {
		link_down(s, "connect failed");
		return;
	}
	fill_ue(s);
	osmo_fd_setup(&s->ofd, fd, OSMO_FD_READ, sgs_readable, s, 0);
	osmo_fd_register(&s->ofd);
	s->backoff_s = 0;
	handset_event(s->hs, "SGs link to %s:%u up over %s (MME %s)", s->hs->cfg.sgs_host, s->hs->cfg.sgs_port,
		      proto == IPPROTO_SCTP ? "SCTP" : "TCP", s->ue.mme_name);
	set_state(s, SGS_IDLE);
}

static bool busy(const struct handset_sgs *s)
{
	return s->mt.active || s->mo.active || s->queued || !llist_empty(&s->tx);
}

/* Attach when the handset has normal service, detach when it lost it (once nothing is in flight). */
static void follow_service(struct handset_sgs *s)
{
	bool service = s->hs->me.service == PCSCT_SVC_NORMAL && s->hs->usim.imsi[0];
	time_t now = time(NULL);

	if (service && (s->state == SGS_IDLE || (s->state == SGS_REJECTED && now >= s->retry_at) ||
			(s->state == SGS_LU_SENT && now - s->state_since >= LU_RETRY_S))) {
		fill_ue(s);
		send_msg(s, sgs_build_lu_req(&s->ue), "LOCATION-UPDATE-REQUEST");
		set_state(s, SGS_LU_SENT);
	} else if (!service && s->state == SGS_ATTACHED && !busy(s)) {
		send_msg(s, sgs_build_imsi_detach(&s->ue, SGSAP_ID_NONEPS_T_EXPLICIT_UE_NONEPS),
			 "IMSI-DETACH-INDICATION");
		handset_event(s->hs, "SGs: no service, IMSI detach");
		set_state(s, SGS_IDLE);
	}
}

/* A transaction the network stopped answering is abandoned, so the next one can go. */
static void expire_transactions(struct handset_sgs *s)
{
	time_t now = time(NULL);

	if (s->mt.active && now - s->mt.started > TRANS_TIMEOUT_S) {
		handset_event(s->hs, "SGs: MT transaction TI %u abandoned: no CP-ACK", s->mt.ti);
		mt_done(s);
	}
	if (s->mo.active && now - s->mo.started > TRANS_TIMEOUT_S) {
		handset_event(s->hs, "SGs: MO SMS MR %u abandoned: no RP-ACK", s->mo.mr);
		s->mo.active = false;
		mo_next(s);
	}
}

static void housekeeping(void *data)
{
	struct handset_sgs *s = data;

	if (s->state == SGS_DOWN && time(NULL) >= s->retry_at)
		try_connect(s);
	if (s->state != SGS_DOWN) {
		follow_service(s);
		expire_transactions(s);
	}
	if (!s->hs->cfg.smpp_port)
		handset_sms_expire(s->hs);
	if (!s->hs->shutdown)
		schedule(&s->timer, HOUSEKEEPING_MS);
}

void handset_sgs_start(struct handset *hs)
{
	struct handset_sgs *s;

	if (!hs->cfg.sgs_port)
		return;
	s = talloc_zero(hs->ctx, struct handset_sgs);
	s->hs = hs;
	s->ofd.fd = -1;
	INIT_LLIST_HEAD(&s->tx);
	osmo_timer_setup(&s->timer, housekeeping, s);
	osmo_timer_setup(&s->tx_timer, tx_cb, s);
	hs->sgs = s;
	schedule(&s->timer, 0);
}

void handset_sgs_stop(struct handset *hs)
{
	struct handset_sgs *s = hs->sgs;
	struct msgb *msg;

	if (!s)
		return;
	osmo_timer_del(&s->timer);
	if (s->state == SGS_ATTACHED && s->ofd.fd >= 0) {
		/* switched off: the MME tells the VLR at once (no pacing left to wait for) */
		msg = sgs_build_imsi_detach(&s->ue, SGSAP_ID_NONEPS_T_COMBINED_UE_EPS_NONEPS);
		if (msg && write(s->ofd.fd, msgb_data(msg), msgb_length(msg)) < 0)
			handset_event(hs, "SGs: IMSI detach not sent: %s", strerror(errno));
		msgb_free(msg);
	}
	link_down(s, "switched off");
	hs->sgs = NULL;
	talloc_free(s);
}

/* The MO log of the state file, in the lab route's terms (to, PID, DCS, user data) plus the bearer. */
static void mo_log(struct handset *hs, const uint8_t *tpdu, size_t len, bool sent)
{
	struct sms_submit sub;
	struct sg_error err;
	char hex[2 * SMS_TPDU_MAX + 1];

	if (sms_submit_decode(tpdu, len, &sub, &err) < 0)
		return;
	json_array_append_new(hs->mo_log,
			      json_pack("{s:s,s:s,s:i,s:i,s:s,s:b}", "bearer", "sgs", "to", sub.da.digits, "pid",
					sub.pid, "dcs", sub.dcs, "ud",
					sg_hex_encode(sub.ud.ud, sub.ud.ud_len, hex, sizeof(hex)), "sent", sent));
	while (json_array_size(hs->mo_log) > 20)
		json_array_remove(hs->mo_log, 0);
	handset_changed(hs);
}

uint8_t handset_sgs_submit(struct handset *hs, const uint8_t *tpdu, size_t len, uint8_t *addl)
{
	struct handset_sgs *s = hs->sgs;
	bool queued = s && s->state == SGS_ATTACHED && s->queued < MO_QUEUE && len <= SMS_TPDU_MAX;

	*addl = 0x00; /* no specific cause */
	if (queued) {
		memcpy(s->queue[s->queued].tpdu, tpdu, len);
		s->queue[s->queued++].len = len;
	}
	mo_log(hs, tpdu, len, queued);
	if (!queued) {
		handset_event(hs, "SGs: MO SMS not sent: %s",
			      !s || s->state != SGS_ATTACHED ? "not attached" : "too many waiting");
		return CAT_RES_NETWORK_UNABLE;
	}
	mo_next(s);
	return CAT_RES_OK;
}

void handset_sgs_report(struct handset *hs, const uint8_t *report, size_t len, bool rp_error)
{
	struct handset_sgs *s = hs->sgs;

	/* concatenated parts: the last part's report (the one with the PoR) is the one that counts */
	if (!s || !s->mt.active || len > sizeof(s->report))
		return;
	memcpy(s->report, report, len);
	s->report_len = len;
	s->report_error = rp_error;
	s->have_report = true;
}

json_t *handset_sgs_json(const struct handset *hs)
{
	const struct handset_sgs *s = hs->sgs;
	char tmsi[12] = "";

	if (!s)
		return json_null();
	if (s->have_tmsi)
		snprintf(tmsi, sizeof(tmsi), "%08X", s->tmsi);
	return json_pack("{s:s,s:b,s:s,s:s,s:s,s:i,s:i,s:i,s:i}", "state", state_names[s->state], "associated",
			 s->state == SGS_ATTACHED, "imsi", s->ue.imsi, "tmsi", tmsi, "mme_name", s->ue.mme_name,
			 "paged", s->paged, "mt", s->mt_count, "mo", s->mo_count, "mo_waiting", s->queued);
}
