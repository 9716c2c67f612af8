/* One SMPP TCP connection on the select loop: buffered reads cut into PDUs (framing errors answered with
 * generic_nack), buffered non-blocking writes, keep-alive, and teardown that puts unanswered messages back in
 * the queue. The queue is committed after every batch of PDUs read and before any write, so a response never
 * announces something that is not on disk. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include <smpp34.h>

#include "smsgw/gw.h"

#define RX_CAP (SMPP_MAX_PDU * 16)
#define KEEPALIVE_SECS 30

static int conn_cb(struct osmo_fd *ofd, unsigned int what);
static void keepalive_cb(void *data);

struct gw_conn *gw_conn_alloc(struct gw *gw, int fd, enum gw_conn_role role, const char *peer)
{
	struct gw_conn *c = talloc_zero(gw, struct gw_conn);

	c->role = role;
	snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->rx = talloc_size(c, RX_CAP);
	c->next_seq = 1;
	c->last_rx = time(NULL);
	INIT_LLIST_HEAD(&c->inflight);
	INIT_LLIST_HEAD(&c->backlog);
	osmo_fd_setup(&c->ofd, fd, OSMO_FD_READ, conn_cb, c, 0);
	if (osmo_fd_register(&c->ofd) < 0) {
		close(fd);
		talloc_free(c);
		return NULL;
	}
	osmo_timer_setup(&c->keepalive, keepalive_cb, c);
	osmo_timer_schedule(&c->keepalive, KEEPALIVE_SECS, 0);
	llist_add_tail(&c->list, &gw->conns);
	return c;
}

uint32_t gw_conn_seq(struct gw_conn *c)
{
	uint32_t s = c->next_seq++;

	if (c->next_seq > 0x7fffffff)
		c->next_seq = 1;
	return s;
}

void gw_conn_close(struct gw_conn *c, const char *why)
{
	struct gw_route *r = c->role == GW_CONN_UPSTREAM ? c->route : NULL;

	LOGP(c->role == GW_CONN_UPSTREAM ? DUPSTREAM : DSMPP, LOGL_NOTICE, "%s (%s): closing: %s\n", c->peer,
	     c->system_id[0] ? c->system_id : "unbound", why);
	gw_store_flush(g_gw->store);
	gw_conn_requeue(g_gw, c);
	osmo_timer_del(&c->keepalive);
	osmo_fd_unregister(&c->ofd);
	close(c->ofd.fd);
	llist_del(&c->list);
	talloc_free(c);
	if (r)
		gw_upstream_closed(r);
	gw_dispatch_kick(g_gw);
}

static int flush_tx(struct gw_conn *c)
{
	while (c->tx_off < c->tx_len) {
		ssize_t n = write(c->ofd.fd, c->tx + c->tx_off, c->tx_len - c->tx_off);

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0)
			return -1;
		c->tx_off += (size_t)n;
	}
	if (c->tx_off == c->tx_len) {
		c->tx_off = c->tx_len = 0;
		osmo_fd_write_disable(&c->ofd);
	} else {
		osmo_fd_write_enable(&c->ofd);
	}
	return 0;
}

int gw_conn_send(struct gw_conn *c, const uint8_t *pdu, size_t len)
{
	if (c->tx_off && c->tx_off == c->tx_len)
		c->tx_off = c->tx_len = 0;
	if (c->tx_len + len > c->tx_cap) {
		size_t cap = c->tx_cap ? c->tx_cap : 65536;

		/* compact before growing */
		if (c->tx_off) {
			memmove(c->tx, c->tx + c->tx_off, c->tx_len - c->tx_off);
			c->tx_len -= c->tx_off;
			c->tx_off = 0;
		}
		while (cap < c->tx_len + len)
			cap *= 2;
		if (cap > 64 * 1024 * 1024)
			return -1;
		if (cap != c->tx_cap) {
			c->tx = talloc_realloc_size(c, c->tx, cap);
			c->tx_cap = cap;
		}
	}
	memcpy(c->tx + c->tx_len, pdu, len);
	c->tx_len += len;
	c->tx_pdus++;
	/* written when the loop comes back to poll, after this pass's queue commit */
	osmo_fd_write_enable(&c->ofd);
	return 0;
}

uint32_t gw_conn_check_pdu(struct gw_conn *c, const uint8_t *pdu, size_t len, struct smpp_hdr *h)
{
	char why[160];
	uint32_t st;

	smpp_hdr_get(pdu, h);
	st = smpp_pdu_check(pdu, len, why, sizeof(why));
	if (st != ESME_ROK)
		LOGP(c->role == GW_CONN_UPSTREAM ? DUPSTREAM : DSMPP, LOGL_ERROR, "%s (%s): %s seq %u: %s -> %s\n",
		     c->peer, c->system_id[0] ? c->system_id : "unbound", smpp_cmd_name(h->id), h->seq, why,
		     smpp_status_name(st));
	return st;
}

static void send_nack(struct gw_conn *c, uint32_t seq, uint32_t status)
{
	uint8_t b[SMPP_HDR_LEN];

	smpp_encode_hdr_only(GENERIC_NACK, status, seq, b, sizeof(b));
	gw_conn_send(c, b, sizeof(b));
	c->nacks++;
	rate_ctr_inc(rate_ctr_group_get_ctr(g_gw->ctrs, GW_CTR_NACK));
}

/* Cut complete PDUs out of the receive buffer. Returns -1 when the stream cannot be resynchronised. */
static int drain_rx(struct gw_conn *c)
{
	size_t off = 0;
	int rc = 0;

	while (c->rx_len - off >= SMPP_HDR_LEN) {
		struct smpp_hdr h;

		smpp_hdr_get(c->rx + off, &h);
		if (h.len < SMPP_HDR_LEN || h.len > SMPP_MAX_PDU) {
			/* no way to find the next PDU boundary: nack and drop the connection */
			LOGP(DSMPP, LOGL_ERROR, "%s: command_length %u out of range (16..%d), seq %u\n", c->peer, h.len,
			     SMPP_MAX_PDU, h.seq);
			send_nack(c, h.seq, ESME_RINVCMDLEN);
			rc = -1;
			break;
		}
		if (c->rx_len - off < h.len)
			break;
		c->rx_pdus++;
		if (c->role == GW_CONN_UPSTREAM)
			gw_upstream_pdu(c, c->rx + off, h.len);
		else
			gw_server_pdu(c, c->rx + off, h.len);
		off += h.len;
		if (c->closing)
			break;
	}
	memmove(c->rx, c->rx + off, c->rx_len - off);
	c->rx_len -= off;
	return rc;
}

static int conn_cb(struct osmo_fd *ofd, unsigned int what)
{
	struct gw_conn *c = ofd->data;

	if (what & OSMO_FD_READ) {
		ssize_t n = read(ofd->fd, c->rx + c->rx_len, RX_CAP - c->rx_len);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			gw_conn_close(c, n == 0 ? "peer closed the connection" : strerror(errno));
			return 0;
		}
		if (n > 0) {
			c->rx_len += (size_t)n;
			c->last_rx = time(NULL);
			if (drain_rx(c) < 0)
				c->closing = true;
			gw_store_flush(g_gw->store);
			gw_dispatch_kick(g_gw);
		}
	}
	if (flush_tx(c) < 0) {
		gw_conn_close(c, "write failed");
		return 0;
	}
	/* close after the last response (generic_nack, unbind_resp) went out */
	if (c->closing && c->tx_len == 0) {
		gw_conn_close(c, "closing after final response");
		return 0;
	}
	return 0;
}

static void keepalive_cb(void *data)
{
	struct gw_conn *c = data;
	uint8_t b[SMPP_HDR_LEN];

	if (time(NULL) - c->last_rx > 3 * KEEPALIVE_SECS) {
		gw_conn_close(c, "no traffic, peer presumed dead");
		return;
	}
	if (c->bound) {
		smpp_encode_hdr_only(ENQUIRE_LINK, 0, gw_conn_seq(c), b, sizeof(b));
		gw_conn_send(c, b, sizeof(b));
	}
	osmo_timer_schedule(&c->keepalive, KEEPALIVE_SECS, 0);
}

struct gw_conn *gw_conn_find_bound(struct gw *gw, const char *system_id, bool receiver)
{
	struct gw_conn *c, *best = NULL;

	llist_for_each_entry(c, &gw->conns, list) {
		if (c->role != GW_CONN_ESME || !c->bound || c->closing || strcmp(c->system_id, system_id))
			continue;
		if (receiver && c->bind_cmd == BIND_TRANSMITTER)
			continue;
		/* spread over several binds of one ESME: take the least loaded */
		if (!best || c->n_inflight < best->n_inflight)
			best = c;
	}
	return best;
}

struct gw_conn *gw_conn_find_lab_range(struct gw *gw, const char *msisdn)
{
	struct gw_conn *c, *best = NULL;

	llist_for_each_entry(c, &gw->conns, list) {
		if (!c->lab_range || !c->bound || c->closing || c->bind_cmd == BIND_TRANSMITTER ||
		    strncmp(c->system_id, msisdn, strlen(c->system_id)))
			continue;
		if (!best || strlen(c->system_id) > strlen(best->system_id))
			best = c;
	}
	return best;
}
