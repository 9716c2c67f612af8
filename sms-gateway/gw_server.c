/* The SMSC side of the gateway: the listening socket and the PDUs ESMEs (OTA servers) and lab handsets send:
 * binds checked against the config, submit_sm / data_sm accepted into the queue (only from a source address the
 * session may use), responses to our deliver_sm, enquire_link, unbind; anything malformed answered with the right
 * status or generic_nack and logged. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/socket.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include <smpp34.h>

#include "smsgw/gw.h"

#define CTR(i) rate_ctr_inc(rate_ctr_group_get_ctr(g_gw->ctrs, (i)))

static void reply_hdr(struct gw_conn *c, uint32_t cmd, uint32_t status, uint32_t seq)
{
	uint8_t b[SMPP_HDR_LEN];

	if (smpp_encode_hdr_only(cmd, status, seq, b, sizeof(b)) == SMPP_HDR_LEN)
		gw_conn_send(c, b, sizeof(b));
}

static void reply_sm_resp(struct gw_conn *c, uint32_t cmd, uint32_t status, uint32_t seq, const char *msgid)
{
	uint8_t b[128];
	int n = smpp_encode_sm_resp(cmd, status, seq, msgid, b, sizeof(b));

	if (n > 0)
		gw_conn_send(c, b, (size_t)n);
}

static void reply_bind_resp(struct gw_conn *c, uint32_t cmd, uint32_t status, uint32_t seq)
{
	uint8_t out[64];
	int n = smpp_encode_bind_resp(cmd, status, seq, g_gw->cfg.system_id, out, sizeof(out));

	if (n > 0)
		gw_conn_send(c, out, (size_t)n);
}

static uint32_t check_bind(struct gw *gw, const struct smpp_bind *b, bool *is_lab)
{
	struct gw_esme_cfg *e = gw_esme_cfg_find(gw, b->system_id);

	*is_lab = false;
	if (e)
		return strcmp(e->password, b->password) ? ESME_RINVPASWD : ESME_ROK;
	/* lab handsets: the system_id is their MSISDN, and a lab route must reach it */
	if (gw->cfg.lab_password[0] && b->system_id[0] && strspn(b->system_id, "0123456789") == strlen(b->system_id)) {
		struct gw_route *r = gw_route_for(gw, b->system_id);

		if (!r || r->type != GW_ROUTE_LAB)
			return ESME_RINVSYSID;
		*is_lab = true;
		return strcmp(gw->cfg.lab_password, b->password) ? ESME_RINVPASWD : ESME_ROK;
	}
	return ESME_RINVSYSID;
}

static void on_bind(struct gw_conn *c, const uint8_t *pdu, size_t len, const struct smpp_hdr *h)
{
	struct smpp_bind b;
	char why[160];
	uint32_t st;
	bool lab = false;

	if (c->bound) {
		st = ESME_RALYBND;
	} else {
		st = smpp_decode_bind(pdu, len, &b, why, sizeof(why));
		if (st == ESME_ROK)
			st = check_bind(g_gw, &b, &lab);
		else
			LOGP(DSMPP, LOGL_ERROR, "%s: bad %s: %s\n", c->peer, smpp_cmd_name(h->id), why);
	}
	if (st == ESME_ROK) {
		c->bound = true;
		c->bind_cmd = h->id;
		c->is_lab = lab;
		c->lab_range = lab && !strcmp(b.system_type, "range");
		snprintf(c->system_id, sizeof(c->system_id), "%s", b.system_id);
		LOGP(DSMPP, LOGL_NOTICE, "%s: %s as '%s'%s\n", c->peer, smpp_cmd_name(h->id), c->system_id,
		     c->lab_range ? " (lab handsets, range)" : lab ? " (lab handset)" : "");
		gw_dispatch_unpark(g_gw);
	} else {
		CTR(GW_CTR_BIND_FAIL);
		LOGP(DSMPP, LOGL_NOTICE, "%s: %s refused: %s\n", c->peer, smpp_cmd_name(h->id), smpp_status_name(st));
	}
	reply_bind_resp(c, h->id | SMPP_CMD_RESP, st, h->seq);
}

/* Refused before anything is queued or held for reassembly. */
static uint32_t check_source(struct gw_conn *c, const struct smpp_sm *sm, const struct smpp_hdr *h)
{
	char why[128], src[48], dst[48];
	uint32_t st = gw_src_check_session(g_gw, c, sm->src, why, sizeof(why));

	if (st != ESME_ROK) {
		CTR(GW_CTR_BAD_SOURCE);
		/* the addresses are the peer's bytes: quoted, so that they cannot forge log lines */
		LOGP(DSMPP, LOGL_NOTICE, "%s (%s): %s seq %u from source address %s to %s refused: %s -> %s\n", c->peer,
		     c->system_id, smpp_cmd_name(h->id), h->seq, osmo_quote_str_buf2(src, sizeof(src), sm->src, -1),
		     osmo_quote_str_buf2(dst, sizeof(dst), sm->dst, -1), why, smpp_status_name(st));
	}
	return st;
}

static void on_submit(struct gw_conn *c, const uint8_t *pdu, size_t len, const struct smpp_hdr *h)
{
	uint32_t resp = h->id == DATA_SM ? DATA_SM_RESP : SUBMIT_SM_RESP;
	struct smpp_sm *sm = talloc(c, struct smpp_sm);
	char why[160], msgid[24] = "";
	uint32_t st;

	CTR(GW_CTR_SUBMIT_RX);
	if (!c->bound || c->bind_cmd == BIND_RECEIVER) {
		st = ESME_RINVBNDSTS;
		snprintf(why, sizeof(why), "%s", c->bound ? "bound as receiver" : "not bound");
	} else {
		st = smpp_decode_sm(pdu, len, sm, why, sizeof(why));
	}
	if (st == ESME_ROK)
		st = check_source(c, sm, h);
	else
		LOGP(DSMPP, LOGL_ERROR, "%s (%s): %s seq %u rejected: %s\n", c->peer, c->system_id,
		     smpp_cmd_name(h->id), h->seq, why);
	if (st == ESME_ROK)
		st = gw_accept(g_gw, c->system_id, sm, msgid, sizeof(msgid));
	if (st != ESME_ROK)
		CTR(GW_CTR_SUBMIT_REJ);
	talloc_free(sm);
	reply_sm_resp(c, resp, st, h->seq, msgid);
}

/* Our deliver_sm was not understood: requeue the message (it may go to a better-behaved bind later). */
static void on_response(struct gw_conn *c, const struct smpp_hdr *h)
{
	uint32_t req = h->id & ~SMPP_CMD_RESP;

	if (h->id == GENERIC_NACK)
		LOGP(DSMPP, LOGL_NOTICE, "%s (%s): generic_nack %s for our seq %u\n", c->peer, c->system_id,
		     smpp_status_name(h->status), h->seq);
	if (req == DELIVER_SM || req == DATA_SM || h->id == GENERIC_NACK)
		gw_msg_resp(g_gw, c, h->seq, h->id == GENERIC_NACK && h->status == ESME_ROK ? ESME_RSYSERR : h->status);
}

void gw_server_pdu(struct gw_conn *c, const uint8_t *pdu, size_t len)
{
	struct smpp_hdr h;
	uint32_t st = gw_conn_check_pdu(c, pdu, len, &h);

	if (st != ESME_ROK) {
		/* a request with a known id gets its own response carrying the error; the rest a generic_nack */
		if (h.id == SUBMIT_SM || h.id == DATA_SM)
			reply_sm_resp(c, h.id | SMPP_CMD_RESP, st, h.seq, NULL);
		else if (h.id == BIND_TRANSCEIVER || h.id == BIND_TRANSMITTER || h.id == BIND_RECEIVER)
			reply_bind_resp(c, h.id | SMPP_CMD_RESP, st, h.seq);
		else if (!(h.id & SMPP_CMD_RESP))
			reply_hdr(c, GENERIC_NACK, st, h.seq);
		CTR(GW_CTR_NACK);
		return;
	}
	switch (h.id) {
	case BIND_TRANSCEIVER:
	case BIND_TRANSMITTER:
	case BIND_RECEIVER:
		on_bind(c, pdu, len, &h);
		break;
	case SUBMIT_SM:
	case DATA_SM:
		on_submit(c, pdu, len, &h);
		break;
	case ENQUIRE_LINK:
		reply_hdr(c, ENQUIRE_LINK_RESP, ESME_ROK, h.seq);
		break;
	case UNBIND:
		reply_hdr(c, UNBIND_RESP, ESME_ROK, h.seq);
		LOGP(DSMPP, LOGL_NOTICE, "%s (%s): unbind\n", c->peer, c->system_id);
		c->bound = false;
		c->closing = true;
		break;
	case DELIVER_SM:
		/* only an SMSC sends deliver_sm */
		LOGP(DSMPP, LOGL_ERROR, "%s (%s): deliver_sm from an ESME, seq %u\n", c->peer, c->system_id, h.seq);
		reply_sm_resp(c, DELIVER_SM_RESP, ESME_RINVCMDID, h.seq, NULL);
		break;
	case ENQUIRE_LINK_RESP:
	case UNBIND_RESP:
		break;
	default:
		if (h.id & SMPP_CMD_RESP)
			on_response(c, &h);
		else
			reply_hdr(c, GENERIC_NACK, ESME_RINVCMDID, h.seq);
		break;
	}
}

static int listen_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char peer[64], host[48] = "?";
	int one = 1;
	int fd = accept4(ofd->fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return 0;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, host, sizeof(host));
	snprintf(peer, sizeof(peer), "%s:%u", host,
		 ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port) : 0);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (g_gw->shutting_down) {
		close(fd);
		return 0;
	}
	LOGP(DSMPP, LOGL_INFO, "%s: connected\n", peer);
	gw_conn_alloc(g_gw, fd, GW_CONN_ESME, peer);
	return 0;
}

int gw_server_start(struct gw *gw)
{
	int rc;

	osmo_fd_setup(&gw->listen, -1, OSMO_FD_READ, listen_cb, gw, 0);
	rc = osmo_sock_init_ofd(&gw->listen, AF_INET, SOCK_STREAM, IPPROTO_TCP, gw->cfg.listen_ip,
				gw->cfg.listen_port, OSMO_SOCK_F_BIND);
	if (rc < 0) {
		LOGP(DSMPP, LOGL_ERROR, "cannot listen on %s:%u\n", gw->cfg.listen_ip, gw->cfg.listen_port);
		return -1;
	}
	LOGP(DSMPP, LOGL_NOTICE, "SMPP listening on %s:%u\n", gw->cfg.listen_ip, gw->cfg.listen_port);
	return 0;
}
