/* The gateway as an ESME towards an upstream SMSC (osmo-msc or a production SMSC): connect and bind_transceiver
 * with exponential backoff, submit_sm responses settle queued messages, deliver_sm brings receipts (mapped back
 * to our ids) and MO messages (accepted into our queue before we answer). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/socket.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include <smpp34.h>

#include "smsgw/gw.h"

#define BACKOFF_MAX 30

static void reconnect_cb(void *data)
{
	struct gw_route *r = data;

	gw_upstream_start(g_gw, r);
}

void gw_upstream_closed(struct gw_route *r)
{
	r->conn = NULL;
	if (g_gw->shutting_down)
		return;
	if (!r->backoff)
		r->backoff = 1;
	LOGP(DUPSTREAM, LOGL_NOTICE, "%s: reconnecting to %s:%u in %u s\n", r->name, r->host, r->port, r->backoff);
	osmo_timer_schedule(&r->reconnect, r->backoff, 0);
	r->backoff = r->backoff ? OSMO_MIN(r->backoff * 2, BACKOFF_MAX) : 2;
}

void gw_upstream_start(struct gw *gw, struct gw_route *r)
{
	struct smpp_bind b = { .cmd = BIND_TRANSCEIVER };
	uint8_t pdu[128];
	char peer[96];
	int fd, n;

	osmo_timer_setup(&r->reconnect, reconnect_cb, r);
	fd = osmo_sock_init(AF_INET, SOCK_STREAM, IPPROTO_TCP, r->host, r->port,
			    OSMO_SOCK_F_CONNECT | OSMO_SOCK_F_NONBLOCK);
	if (fd < 0) {
		gw_upstream_closed(r);
		return;
	}
	snprintf(peer, sizeof(peer), "%s:%u", r->host, r->port);
	r->conn = gw_conn_alloc(gw, fd, GW_CONN_UPSTREAM, peer);
	if (!r->conn) {
		gw_upstream_closed(r);
		return;
	}
	r->conn->route = r;
	snprintf(r->conn->system_id, sizeof(r->conn->system_id), "%s", r->name);
	snprintf(b.system_id, sizeof(b.system_id), "%s", r->system_id);
	snprintf(b.password, sizeof(b.password), "%s", r->password);
	r->conn->bind_seq = gw_conn_seq(r->conn);
	n = smpp_encode_bind(r->conn->bind_seq, &b, pdu, sizeof(pdu));
	/* queued now, written once the non-blocking connect completes */
	if (n > 0)
		gw_conn_send(r->conn, pdu, (size_t)n);
}

static void reply(struct gw_conn *c, uint32_t cmd, uint32_t status, uint32_t seq)
{
	uint8_t b[64];
	int n = cmd == DELIVER_SM_RESP ? smpp_encode_sm_resp(cmd, status, seq, "", b, sizeof(b))
				       : smpp_encode_hdr_only(cmd, status, seq, b, sizeof(b));

	if (n > 0)
		gw_conn_send(c, b, (size_t)n);
}

static void on_bind_resp(struct gw_conn *c, const struct smpp_hdr *h)
{
	struct gw_route *r = c->route;

	if (h->seq != c->bind_seq || h->status != ESME_ROK) {
		LOGP(DUPSTREAM, LOGL_ERROR, "%s: bind refused: %s\n", r->name, smpp_status_name(h->status));
		c->closing = true;
		return;
	}
	c->bound = true;
	c->bind_cmd = BIND_TRANSCEIVER;
	r->backoff = 0;
	LOGP(DUPSTREAM, LOGL_NOTICE, "%s: bound to %s as '%s'\n", r->name, c->peer, r->system_id);
	gw_dispatch_unpark(g_gw);
}

static void on_deliver(struct gw_conn *c, const uint8_t *pdu, size_t len, const struct smpp_hdr *h)
{
	struct smpp_sm *sm = talloc(c, struct smpp_sm);
	char why[160], msgid[24], src[48];
	uint32_t st = smpp_decode_sm(pdu, len, sm, why, sizeof(why));

	if (st != ESME_ROK) {
		LOGP(DUPSTREAM, LOGL_ERROR, "%s: deliver_sm seq %u: %s\n", c->route->name, h->seq, why);
	} else if ((sm->esm_class & 0x3c) == SMPP34_DELIVERY_RECEIPT) {
		gw_receipt_from_upstream(g_gw, c->route, sm);
	} else if ((st = gw_src_check_upstream(c->route, sm->src, why, sizeof(why))) != ESME_ROK) {
		rate_ctr_inc(rate_ctr_group_get_ctr(g_gw->ctrs, GW_CTR_BAD_SOURCE));
		LOGP(DUPSTREAM, LOGL_NOTICE, "%s: MO from source address %s refused: %s -> %s\n", c->route->name,
		     osmo_quote_str_buf2(src, sizeof(src), sm->src, -1), why, smpp_status_name(st));
	} else {
		/* MO from a handset on the SMSC side (a PoR SMS-SUBMIT, say): into our queue, then acknowledge */
		st = gw_accept(g_gw, c->route->name, sm, msgid, sizeof(msgid));
		LOGP(DUPSTREAM, st == ESME_ROK ? LOGL_INFO : LOGL_NOTICE, "%s: MO %s -> %s: %s\n", c->route->name,
		     sm->src, sm->dst, smpp_status_name(st));
		if (st == ESME_RINVDSTADR)
			st = ESME_RX_P_APPN;
		else if (st != ESME_ROK)
			st = ESME_RX_T_APPN;
	}
	talloc_free(sm);
	reply(c, DELIVER_SM_RESP, st, h->seq);
}

void gw_upstream_pdu(struct gw_conn *c, const uint8_t *pdu, size_t len)
{
	struct smpp_hdr h;
	uint32_t st = gw_conn_check_pdu(c, pdu, len, &h);

	if (st != ESME_ROK) {
		if (h.id == SUBMIT_SM_RESP || h.id == GENERIC_NACK)
			gw_msg_resp(g_gw, c, h.seq, ESME_RSYSERR);
		else if (!(h.id & SMPP_CMD_RESP))
			reply(c, GENERIC_NACK, st, h.seq);
		return;
	}
	switch (h.id) {
	case BIND_TRANSCEIVER_RESP:
		on_bind_resp(c, &h);
		break;
	case SUBMIT_SM_RESP:
		gw_msg_resp(g_gw, c, h.seq, h.status);
		break;
	case GENERIC_NACK:
		/* osmo-msc's generic_nack carries a wrong sequence number; a match is only trusted if found */
		LOGP(DUPSTREAM, LOGL_NOTICE, "%s: generic_nack %s seq %u\n", c->route->name,
		     smpp_status_name(h.status), h.seq);
		gw_msg_resp(g_gw, c, h.seq, h.status ? h.status : ESME_RSYSERR);
		break;
	case DELIVER_SM:
		on_deliver(c, pdu, len, &h);
		break;
	case ENQUIRE_LINK:
		reply(c, ENQUIRE_LINK_RESP, ESME_ROK, h.seq);
		break;
	case UNBIND:
		reply(c, UNBIND_RESP, ESME_ROK, h.seq);
		c->bound = false;
		c->closing = true;
		break;
	case ALERT_NOTIFICATION:
	case ENQUIRE_LINK_RESP:
	case UNBIND_RESP:
		break;
	default:
		if (!(h.id & SMPP_CMD_RESP))
			reply(c, GENERIC_NACK, ESME_RINVCMDID, h.seq);
		break;
	}
}
