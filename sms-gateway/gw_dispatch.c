/* Moving queued messages to their next hop: pick the target (an ESME owning the address, a lab handset bound
 * with its MSISDN, or an upstream SMSC), respect each target's window and throttling, and settle each message on
 * the response: done, wait for a receipt, retry later, or failed. Unanswered messages of a closed connection go
 * back to the queue. */
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include <smpp34.h>

#include "smsgw/gw.h"

#define CTR(i) rate_ctr_inc(rate_ctr_group_get_ctr(gw->ctrs, (i)))
#define MAX_ATTEMPTS 20
#define BACKOFF_MAX 30

static void dispatch_cb(void *data);

void gw_dispatch_kick(struct gw *gw)
{
	if (!osmo_timer_pending(&gw->dispatch_timer))
		osmo_timer_schedule(&gw->dispatch_timer, 0, 0);
}

/* The connection a message goes out on now, or NULL when it has to wait. */
static struct gw_conn *target(struct gw *gw, const struct gw_msg *m, unsigned int *window)
{
	struct gw_esme_cfg *e;
	struct gw_route *r;

	*window = gw->cfg.window;
	if (m->to_esme[0])
		return gw_conn_find_bound(gw, m->to_esme, true);
	e = gw_esme_cfg_owner(gw, m->sm->dst);
	if (e)
		return gw_conn_find_bound(gw, e->system_id, true);
	r = gw_route_for(gw, m->sm->dst);
	if (!r)
		return NULL;
	if (r->type == GW_ROUTE_LAB) {
		/* a handset bound with its own number first, else a handset farm serving its range */
		struct gw_conn *c = gw_conn_find_bound(gw, m->sm->dst, true);

		return c ? c : gw_conn_find_lab_range(gw, m->sm->dst);
	}
	*window = r->window;
	if (!r->conn || !r->conn->bound || time(NULL) < r->throttled_until)
		return NULL;
	return r->conn;
}

/* Messages for a PC/SC route (not owned by an ESME, not receipts). */
static bool to_card(struct gw *gw, const struct gw_msg *m, struct gw_route **r)
{
	if (m->to_esme[0] || gw_esme_cfg_owner(gw, m->sm->dst))
		return false;
	*r = gw_route_for(gw, m->sm->dst);
	return *r && (*r)->type == GW_ROUTE_PCSC;
}

static int send_msg(struct gw *gw, struct gw_conn *c, struct gw_msg *m)
{
	uint8_t pdu[SMPP_MAX_PDU];
	char why[128];
	struct smpp_sm out = *m->sm;
	uint32_t cmd = c->role == GW_CONN_UPSTREAM ? SUBMIT_SM : DELIVER_SM;
	int n;

	m->seq = gw_conn_seq(c);
	if (cmd == SUBMIT_SM) {
		/* the SMSC's message ids are useless (osmo-msc: a constant); its receipts carry this 8-bit reference */
		out.has_umr = true;
		out.umr = (uint16_t)(m->id & 0xff);
	} else {
		out.regdel = 0;
	}
	n = smpp_encode_sm(cmd, m->seq, &out, pdu, sizeof(pdu), why, sizeof(why));
	if (n < 0) {
		LOGP(DROUTE, LOGL_ERROR, "message %lld: cannot encode: %s\n", (long long)m->id, why);
		return -1;
	}
	gw_conn_send(c, pdu, (size_t)n);
	llist_del(&m->list);
	gw->n_pending--;
	llist_add_tail(&m->inflight, &c->inflight);
	c->n_inflight++;
	gw->n_inflight++;
	m->conn = c;
	m->sent_at = time(NULL);
	m->attempts++;
	CTR(cmd == SUBMIT_SM ? GW_CTR_UPSTREAM_TX : GW_CTR_DELIVER_TX);
	return 0;
}

static void settle(struct gw *gw, struct gw_msg *m, enum gw_msg_state st)
{
	m->state = st;
	gw_store_set_state(gw->store, m->id, st, m->attempts);
	if (st == GW_MSG_WAIT_RECEIPT) {
		llist_add_tail(&m->list, &gw->waiting);
		gw->n_waiting++;
		return;
	}
	talloc_free(m);
}

/* Parts the gateway split share a parent; the receipt goes out when the last one is through. */
bool gw_msg_siblings_left(struct gw *gw, const struct gw_msg *m)
{
	struct gw_msg *o;
	struct gw_conn *c;
	struct sms_udh h;
	struct sg_error err;

	if (!(m->sm->esm_class & SMPP34_UDHI_IND) || sms_udh_parse(m->sm->ud, m->sm->ud_len, &h, &err) < 0 ||
	    !h.has_concat)
		return false;
	llist_for_each_entry(o, &gw->pending, list)
		if (o != m && o->parent == m->parent)
			return true;
	llist_for_each_entry(o, &gw->waiting, list)
		if (o != m && o->parent == m->parent)
			return true;
	llist_for_each_entry(o, &gw->parked, list)
		if (o != m && o->parent == m->parent)
			return true;
	llist_for_each_entry(c, &gw->conns, list) {
		llist_for_each_entry(o, &c->inflight, inflight)
			if (o != m && o->parent == m->parent)
				return true;
		llist_for_each_entry(o, &c->backlog, list)
			if (o != m && o->parent == m->parent)
				return true;
	}
	return false;
}

/* Back into the queue in id order, so one destination's messages keep their order (OTA counters must arrive
 * increasing). Requeued messages are old, so the insertion point is found near the head. */
static void requeue(struct gw *gw, struct gw_msg *m, unsigned int delay)
{
	struct gw_msg *o;

	m->conn = NULL;
	m->next_try = time(NULL) + delay;
	llist_for_each_entry(o, &gw->pending, list) {
		if (o->id > m->id) {
			llist_add_tail(&m->list, &o->list);
			gw->n_pending++;
			return;
		}
	}
	llist_add_tail(&m->list, &gw->pending);
	gw->n_pending++;
}

static bool temporary(uint32_t st)
{
	return st == ESME_RSYSERR || st == ESME_RX_T_APPN || st == ESME_RDELIVERYFAILURE || st == ESME_RUNKNOWNERR;
}

/* The next hop's answer for message m (no longer pending nor in flight). */
static void settle_status(struct gw *gw, struct gw_msg *m, uint32_t status, struct gw_route *upstream,
			  const char *peer)
{
	if (status == ESME_ROK) {
		bool receipt = (m->sm->regdel & 0x03) == 0x01 && !m->to_esme[0];

		CTR(GW_CTR_DELIVERED);
		LOGP(DROUTE, LOGL_INFO, "message %lld -> %s: accepted by %s\n", (long long)m->id, m->sm->dst, peer);
		if (upstream && receipt) {
			settle(gw, m, GW_MSG_WAIT_RECEIPT);
			return;
		}
		if (receipt && !gw_msg_siblings_left(gw, m))
			gw_msg_new_receipt(gw, m, true, 0);
		settle(gw, m, GW_MSG_DONE);
		return;
	}
	if (status == ESME_RTHROTTLED || status == ESME_RMSGQFUL) {
		CTR(GW_CTR_THROTTLED);
		if (upstream)
			upstream->throttled_until = time(NULL) + 1;
		LOGP(DROUTE, LOGL_NOTICE, "message %lld: %s from %s, retry in 1 s\n", (long long)m->id,
		     smpp_status_name(status), peer);
		requeue(gw, m, 1);
		return;
	}
	if (temporary(status) && m->attempts < MAX_ATTEMPTS) {
		unsigned int delay = m->attempts < 5 ? 1u << m->attempts : BACKOFF_MAX;

		if (delay > BACKOFF_MAX)
			delay = BACKOFF_MAX;
		LOGP(DROUTE, LOGL_NOTICE, "message %lld: %s from %s, attempt %u, retry in %u s\n", (long long)m->id,
		     smpp_status_name(status), peer, m->attempts, delay);
		requeue(gw, m, delay);
		return;
	}
	CTR(GW_CTR_FAILED);
	LOGP(DROUTE, LOGL_ERROR, "message %lld -> %s: failed: %s from %s\n", (long long)m->id, m->sm->dst,
	     smpp_status_name(status), peer);
	if ((m->sm->regdel & 0x03) && !m->to_esme[0])
		gw_msg_new_receipt(gw, m, false, status);
	settle(gw, m, GW_MSG_FAILED);
}

void gw_msg_resp(struct gw *gw, struct gw_conn *c, uint32_t seq, uint32_t status)
{
	struct gw_msg *m, *found = NULL;

	llist_for_each_entry(m, &c->inflight, inflight) {
		if (m->seq == seq) {
			found = m;
			break;
		}
	}
	if (!found) {
		LOGP(DROUTE, LOGL_NOTICE, "%s: response to unknown seq %u\n", c->peer, seq);
		return;
	}
	m = found;
	llist_del(&m->inflight);
	c->n_inflight--;
	gw->n_inflight--;
	m->conn = NULL;
	settle_status(gw, m, status, c->role == GW_CONN_UPSTREAM ? c->route : NULL, c->system_id);
	gw_conn_drain_backlog(gw, c);
}

static unsigned int conn_window(struct gw *gw, const struct gw_conn *c)
{
	return c->role == GW_CONN_UPSTREAM ? c->route->window : gw->cfg.window;
}

void gw_conn_drain_backlog(struct gw *gw, struct gw_conn *c)
{
	unsigned int window = conn_window(gw, c);

	if (c->role == GW_CONN_UPSTREAM && time(NULL) < c->route->throttled_until)
		return;
	while (c->n_inflight < window && !llist_empty(&c->backlog)) {
		struct gw_msg *m = llist_first_entry(&c->backlog, struct gw_msg, list);

		if (send_msg(gw, c, m) < 0) {
			llist_del(&m->list);
			llist_add_tail(&m->list, &gw->parked);
		}
	}
}

void gw_conn_requeue(struct gw *gw, struct gw_conn *c)
{
	struct gw_msg *m, *tmp;

	/* the backlog is older than anything queued since for the same destinations */
	llist_splice_init(&c->backlog, &gw->pending);
	llist_for_each_entry_safe(m, tmp, &c->inflight, inflight) {
		llist_del(&m->inflight);
		c->n_inflight--;
		gw->n_inflight--;
		requeue(gw, m, 0);
	}
}

void gw_dispatch_unpark(struct gw *gw)
{
	struct gw_conn *c;

	/* parked and backlogged messages are older than anything queued for the same destination since: they go
	 * first (a destination may have moved to another connection, or its window opened) */
	llist_for_each_entry(c, &gw->conns, list)
		llist_splice_init(&c->backlog, &gw->pending);
	llist_splice_init(&gw->parked, &gw->pending);
	gw_dispatch_kick(gw);
}

/* Free window slots over every bound connection: a pass ends when they are used up. */
static unsigned int free_capacity(struct gw *gw, bool *cards)
{
	struct gw_conn *c;
	struct gw_route *r;
	unsigned int free = 0, window;
	time_t now = time(NULL);

	*cards = false;
	llist_for_each_entry(r, &gw->cfg.routes, list)
		*cards |= r->type == GW_ROUTE_PCSC;
	llist_for_each_entry(c, &gw->conns, list) {
		if (!c->bound || c->closing || c->bind_cmd == BIND_TRANSMITTER)
			continue;
		if (c->role == GW_CONN_UPSTREAM && now < c->route->throttled_until)
			continue;
		window = c->role == GW_CONN_UPSTREAM ? c->route->window : gw->cfg.window;
		free += window > c->n_inflight ? window - c->n_inflight : 0;
	}
	return free;
}

static void park(struct gw *gw, struct gw_msg *m)
{
	llist_del(&m->list);
	llist_add_tail(&m->list, &gw->parked);
}

static void dispatch_cb(void *data)
{
	struct gw *gw = data;
	struct gw_msg *m, *tmp;
	time_t now = time(NULL);
	unsigned int cards_done = 0;
	bool cards;
	unsigned int capacity = free_capacity(gw, &cards);

	llist_for_each_entry_safe(m, tmp, &gw->pending, list) {
		unsigned int window;
		struct gw_conn *c;
		struct gw_route *r;

		if (!capacity && (!cards || cards_done))
			break;
		/* housekeeping un-parks every second, which is when a backed-off message gets its next try */
		if (m->next_try > now) {
			park(gw, m);
			continue;
		}
		if (to_card(gw, m, &r)) {
			/* synchronous card I/O: one message per pass keeps the loop responsive */
			if (cards_done++)
				continue;
			llist_del(&m->list);
			gw->n_pending--;
			m->attempts++;
			settle_status(gw, m, gw_pcsc_deliver(gw, r, m), NULL, r->name);
			gw_dispatch_kick(gw);
			continue;
		}
		c = target(gw, m, &window);
		if (!c) {
			park(gw, m);
			continue;
		}
		if (c->n_inflight >= window) {
			/* waits on that connection: responses pull it from there, no rescan of the queue */
			llist_del(&m->list);
			llist_add_tail(&m->list, &c->backlog);
			continue;
		}
		send_msg(gw, c, m);
		capacity--;
	}
	gw_store_flush(gw->store);
}

static void housekeeping_cb(void *data)
{
	struct gw *gw = data;
	struct gw_conn *c, *tmp;
	time_t now = time(NULL);
	static unsigned int ticks;

	llist_for_each_entry_safe(c, tmp, &gw->conns, list) {
		struct gw_msg *m;

		llist_for_each_entry(m, &c->inflight, inflight) {
			if (now - m->sent_at >= GW_RESP_TIMEOUT) {
				LOGP(DROUTE, LOGL_NOTICE, "%s: no response to seq %u in %d s\n", c->peer, m->seq,
				     GW_RESP_TIMEOUT);
				gw_conn_close(c, "response timeout");
				break;
			}
		}
	}
	if (sms_reasm_expire(gw->reasm, now))
		LOGP(DROUTE, LOGL_NOTICE, "incomplete concatenated MO dropped after %u s\n", gw->cfg.reasm_timeout);
	if (++ticks % 60 == 0)
		gw_store_purge(gw->store, now - (time_t)gw->cfg.dup_window - 60);
	gw_dispatch_unpark(gw);
	osmo_timer_schedule(&gw->housekeeping, 1, 0);
}

static void load_one(void *data, struct gw_msg *m)
{
	struct gw *gw = data;

	if (m->state == GW_MSG_WAIT_RECEIPT) {
		llist_add_tail(&m->list, &gw->waiting);
		gw->n_waiting++;
	} else {
		llist_add_tail(&m->list, &gw->pending);
		gw->n_pending++;
	}
}

int gw_queue_load(struct gw *gw)
{
	struct sms_reasm_cfg rc = { .max_groups = 256, .max_bytes = SMPP_UD_MAX, .timeout = gw->cfg.reasm_timeout };
	int n;

	INIT_LLIST_HEAD(&gw->pending);
	INIT_LLIST_HEAD(&gw->parked);
	INIT_LLIST_HEAD(&gw->waiting);
	gw->reasm = sms_reasm_alloc(gw, &rc);
	osmo_timer_setup(&gw->dispatch_timer, dispatch_cb, gw);
	osmo_timer_setup(&gw->housekeeping, housekeeping_cb, gw);
	osmo_timer_schedule(&gw->housekeeping, 1, 0);
	n = gw_store_load(gw->store, load_one, gw);
	if (n > 0)
		LOGP(DQUEUE, LOGL_NOTICE, "%d messages from the queue database still to deliver\n", n);
	return n < 0 ? -1 : 0;
}
