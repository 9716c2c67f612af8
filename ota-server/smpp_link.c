/* The ota-server's SMPP link to the SMSC (sms-gateway or any SMSC) as an ESME (bind_transceiver), on the
 * sms-gateway's client library: a window of outstanding submit_sm, each answered into the engine; deliver_sm in
 * (delivery receipts, PoRs and handset-change reports from cards) handed to the engine and answered after the
 * store committed; reconnect with backoff. */
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>
#include <osmocom/core/logging.h>
#include <smpp34.h>

#include "smsgw/smpp_client.h"
#include "api_internal.h"
#include "smpp_link.h"

#define RESP_TIMEOUT_MS 10000

struct pending {
	bool used;
	uint32_t seq;
	int64_t sent_ms;
	struct osv_outgoing o;
};

struct osv_smpp_link {
	struct osv_server *srv;
	struct smpp_client *c;
	struct event *ev;
	int64_t next_connect_ms;
	int backoff_ms;
	struct pending *win;
	int n_win;
	unsigned long submitted, refused, mo, receipts;
};

struct osv_smpp_link *osv_smpp_link_new(struct osv_server *srv)
{
	struct osv_smpp_link *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->srv = srv;
	l->win = calloc((size_t)srv->cfg.window, sizeof(*l->win));
	if (!l->win) {
		free(l);
		return NULL;
	}
	l->backoff_ms = 1000;
	return l;
}

/* Everything still in the window goes back to the engine as "not sent": it will go again, fresh counter. */
static void drop_window(struct osv_smpp_link *l, const char *why)
{
	struct sg_error err;

	for (int i = 0; i < l->srv->cfg.window; i++) {
		if (!l->win[i].used)
			continue;
		if (osv_engine_submitted(l->srv->store, &l->srv->cfg.engine, &l->win[i].o, false, "", why,
					 osv_now(), &err) < 0)
			LOGP(DOSMPP, LOGL_ERROR, "store: %s\n", err.msg);
		l->win[i].used = false;
	}
	l->n_win = 0;
}

static void disconnect(struct osv_smpp_link *l, const char *why)
{
	LOGP(DOSMPP, LOGL_NOTICE, "SMPP link to %s:%u down: %s\n", l->srv->cfg.smpp_host, l->srv->cfg.smpp_port, why);
	if (l->ev)
		event_free(l->ev);
	l->ev = NULL;
	smpp_client_close(l->c);
	l->c = NULL;
	drop_window(l, why);
}

void osv_smpp_link_free(struct osv_smpp_link *l)
{
	if (!l)
		return;
	if (l->c) {
		smpp_client_unbind(l->c, 500);
		disconnect(l, "shutdown");
	}
	free(l->win);
	free(l);
}

bool osv_smpp_ready(const struct osv_smpp_link *l)
{
	return l->c != NULL;
}

int osv_smpp_free_slots(const struct osv_smpp_link *l)
{
	return l->c ? l->srv->cfg.window - l->n_win : 0;
}

static struct pending *find_seq(struct osv_smpp_link *l, uint32_t seq)
{
	for (int i = 0; i < l->srv->cfg.window; i++)
		if (l->win[i].used && l->win[i].seq == seq)
			return &l->win[i];
	return NULL;
}

static void on_submit_resp(struct osv_smpp_link *l, const uint8_t *pdu, size_t len, const struct smpp_hdr *h)
{
	struct pending *p = find_seq(l, h->seq);
	char msgid[65] = "";
	struct sg_error err;

	if (!p)
		return;
	if (h->id != GENERIC_NACK)
		smpp_decode_resp_msgid(pdu, len, msgid, sizeof(msgid));
	if (h->status == ESME_ROK)
		l->submitted++;
	else
		l->refused++;
	LOGP(DOSMPP, h->status ? LOGL_NOTICE : LOGL_DEBUG, "%s %lld: %s %s\n",
	     p->o.notification_id ? "notification" : "command",
	     (long long)(p->o.notification_id ? p->o.notification_id : p->o.command_id), smpp_status_name(h->status),
	     msgid);
	if (osv_engine_submitted(l->srv->store, &l->srv->cfg.engine, &p->o, h->status == ESME_ROK, msgid,
				 smpp_status_name(h->status), osv_now(), &err) < 0)
		LOGP(DOSMPP, LOGL_ERROR, "store: %s\n", err.msg);
	p->used = false;
	l->n_win--;
	osv_server_poke(l->srv);
}

/* deliver_sm answers wait until the batch they arrived in is committed. */
struct held_resp {
	uint32_t seq, status;
};

/* A receipt or a message from a card. Answered ROK only once the store took it (the caller commits first); a
 * store failure asks the SMSC to try again later. */
static uint32_t on_deliver(struct osv_smpp_link *l, const uint8_t *pdu, size_t len)
{
	struct smpp_sm sm;
	char why[160], what[256];
	struct sg_error err;
	uint32_t st = smpp_pdu_check(pdu, len, why, sizeof(why));
	bool quiet;
	int rc = 0;

	if (st == ESME_ROK)
		st = smpp_decode_sm(pdu, len, &sm, why, sizeof(why));
	if (st != ESME_ROK) {
		LOGP(DOSMPP, LOGL_NOTICE, "deliver_sm refused: %s\n", why);
	} else if (sm.esm_class & SMPP34_DELIVERY_RECEIPT) {
		l->receipts++;
		rc = osv_engine_receipt(l->srv->store, sm.receipted_id, sm.message_state, osv_now(), &err);
	} else {
		l->mo++;
		rc = osv_engine_mo(l->srv->store, &l->srv->cfg.engine, sm.src, sm.ud, sm.ud_len, sm.ussd_op >= 0,
				   osv_now(), what, sizeof(what), &err);
		/* Past the first event counted beyond a card's security audit limit, one debug line each. */
		quiet = osv_secflood_quiet(l->srv->cfg.engine.secflood);
		LOGP(DOTA, rc > 0 ? LOGL_INFO : quiet ? LOGL_DEBUG : LOGL_NOTICE, "%s\n", what);
	}
	if (rc < 0) {
		LOGP(DOSMPP, LOGL_ERROR, "store: %s\n", err.msg);
		st = ESME_RX_T_APPN;
	}
	osv_server_poke(l->srv);
	return st;
}

/* Everything that arrived together is handled in one transaction (one disk sync for a burst of responses,
 * receipts and PoRs); the deliver_sm answers go out after the commit. */
#define READ_BURST 128

static void on_readable(evutil_socket_t fd, short what, void *arg)
{
	struct osv_smpp_link *l = arg;
	struct held_resp held[READ_BURST];
	uint8_t buf[SMPP_MAX_PDU];
	struct sg_error err;
	int n, nheld = 0;
	bool ok;

	ok = osv_store_begin(l->srv->store, &err) == 0;
	osv_secflood_begin(l->srv->cfg.engine.secflood);
	while (l->c && nheld < READ_BURST && (n = smpp_client_recv(l->c, buf, sizeof(buf), 0)) != 0) {
		struct smpp_hdr h;

		if (n < 0) {
			disconnect(l, smpp_client_error(l->c));
			break;
		}
		smpp_hdr_get(buf, &h);
		if (h.id == SUBMIT_SM_RESP || h.id == GENERIC_NACK) {
			on_submit_resp(l, buf, (size_t)n, &h);
		} else if (h.id == DELIVER_SM) {
			held[nheld].seq = h.seq;
			held[nheld++].status = ok ? on_deliver(l, buf, (size_t)n) : ESME_RX_T_APPN;
		} else if (h.id == UNBIND) {
			smpp_client_send_resp(l->c, UNBIND_RESP, ESME_ROK, h.seq, NULL);
			disconnect(l, "the SMSC unbound");
		}
	}
	if (ok && osv_store_commit(l->srv->store, &err) < 0) {
		LOGP(DOSMPP, LOGL_ERROR, "store: %s\n", err.msg);
		ok = false;
	}
	osv_secflood_end(l->srv->cfg.engine.secflood, ok);
	for (int i = 0; i < nheld && l->c; i++)
		smpp_client_send_resp(l->c, DELIVER_SM_RESP, ok ? held[i].status : ESME_RX_T_APPN, held[i].seq, "");
	/* More may wait in the client's buffer, where the socket's readiness no longer shows it. */
	if (nheld == READ_BURST && l->ev)
		event_active(l->ev, EV_READ, 0);
}

static void try_connect(struct osv_smpp_link *l, int64_t now_ms)
{
	const struct osv_server_cfg *cfg = &l->srv->cfg;
	char why[160];
	long st;

	l->next_connect_ms = now_ms + l->backoff_ms;
	l->backoff_ms = l->backoff_ms * 2 > 30000 ? 30000 : l->backoff_ms * 2;
	l->c = smpp_client_connect(cfg->smpp_host, cfg->smpp_port, 500, why, sizeof(why));
	if (!l->c) {
		LOGP(DOSMPP, LOGL_INFO, "SMPP connect %s:%u: %s\n", cfg->smpp_host, cfg->smpp_port, why);
		return;
	}
	st = smpp_client_bind(l->c, BIND_TRANSCEIVER, cfg->system_id, cfg->password, 2000);
	if (st != ESME_ROK) {
		LOGP(DOSMPP, LOGL_NOTICE, "SMPP bind as %s: %s\n", cfg->system_id,
		     st < 0 ? smpp_client_error(l->c) : smpp_status_name((uint32_t)st));
		smpp_client_close(l->c);
		l->c = NULL;
		return;
	}
	l->backoff_ms = 1000;
	l->ev = event_new(l->srv->base, smpp_client_fd(l->c), EV_READ | EV_PERSIST, on_readable, l);
	event_add(l->ev, NULL);
	LOGP(DOSMPP, LOGL_NOTICE, "SMPP bound to %s:%u as %s\n", cfg->smpp_host, cfg->smpp_port, cfg->system_id);
	osv_server_poke(l->srv);
}

void osv_smpp_tick(struct osv_smpp_link *l, int64_t now_ms)
{
	if (!l->c) {
		if (now_ms >= l->next_connect_ms)
			try_connect(l, now_ms);
		return;
	}
	for (int i = 0; i < l->srv->cfg.window; i++)
		if (l->win[i].used && now_ms - l->win[i].sent_ms > RESP_TIMEOUT_MS) {
			disconnect(l, "no submit_sm_resp within 10 s");
			return;
		}
}

int osv_smpp_send(struct osv_smpp_link *l, const struct osv_outgoing *o, int64_t now_ms)
{
	struct pending *p = NULL;
	struct smpp_sm sm;

	for (int i = 0; i < l->srv->cfg.window && !p; i++)
		if (!l->win[i].used)
			p = &l->win[i];
	if (!l->c || !p)
		return -1;
	smpp_sm_init(&sm);
	sm.src_ton = 0;
	sm.src_npi = 1;
	snprintf(sm.src, sizeof(sm.src), "%s", l->srv->cfg.source_addr);
	sm.dst_ton = 1;
	sm.dst_npi = 1;
	snprintf(sm.dst, sizeof(sm.dst), "%s", o->msisdn);
	if (o->notification_id) {
		/* a text SMS (or one part of one) to a person: GSM default alphabet or UCS-2, receipt asked for */
		sm.pid = 0x00;
		sm.dcs = o->dcs;
		sm.regdel = 1;
		sm.esm_class = o->udhi ? 0x40 : 0x00;
	} else {
		/* a secured packet for the card: SIM data download, UDHI (02 70 00), receipt asked for */
		sm.pid = 0x7F;
		sm.dcs = 0xF6;
		sm.regdel = 1;
		sm.esm_class = o->dialect == SP_DIALECT_SMS ? 0x40 : 0x00;
		if (o->dialect == SP_DIALECT_USSD)
			sm.ussd_op = 2;
	}
	memcpy(sm.ud, o->ud, o->ud_len);
	sm.ud_len = o->ud_len;
	sm.use_payload = o->ud_len > SMPP_SM_MAX;
	if (smpp_client_send_sm(l->c, SUBMIT_SM, &sm, &p->seq) < 0) {
		disconnect(l, smpp_client_error(l->c));
		return -1;
	}
	p->used = true;
	p->sent_ms = now_ms;
	p->o = *o;
	l->n_win++;
	return 0;
}

void osv_smpp_stats(const struct osv_smpp_link *l, char *buf, size_t size)
{
	snprintf(buf, size, "%s, window %d/%d, submitted %lu, refused %lu, MO %lu, receipts %lu",
		 l->c ? "bound" : "down", l->n_win, l->srv->cfg.window, l->submitted, l->refused, l->mo, l->receipts);
}
