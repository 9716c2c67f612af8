/* Delivery receipts: ours (when a lab handset or ESME acknowledged, or a message failed for good) and the
 * upstream SMSC's, mapped back to our message id. osmo-msc's receipts carry its own row id, not the message_id it
 * returned, so we correlate on the handset address and the 8-bit user_message_reference we put in the submit. */
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/core/utils.h>

#include <smpp34.h>

#include "smsgw/gw.h"

#define CTR(i) rate_ctr_inc(rate_ctr_group_get_ctr(gw->ctrs, (i)))

enum { MSG_STATE_DELIVERED = 2, MSG_STATE_UNDELIVERABLE = 5 };

void gw_msg_new_receipt(struct gw *gw, const struct gw_msg *m, bool delivered, uint32_t err)
{
	struct gw_msg *r;
	struct smpp_sm *sm;
	char date[16], id[24];
	time_t now = time(NULL);
	struct tm tm;

	/* an MO from an SMSC asked for a receipt: that SMSC does its own */
	if (gw_route_by_name(gw, m->origin) && !gw_esme_cfg_find(gw, m->origin))
		return;
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%y%m%d%H%M", &tm);
	snprintf(id, sizeof(id), "%010" PRId64, m->parent);
	r = talloc_zero(gw, struct gw_msg);
	r->sm = sm = talloc(r, struct smpp_sm);
	smpp_sm_init(sm);
	INIT_LLIST_HEAD(&r->inflight);
	snprintf(r->origin, sizeof(r->origin), "%s", gw->cfg.system_id);
	snprintf(r->to_esme, sizeof(r->to_esme), "%s", m->origin);
	sm->src_ton = m->sm->dst_ton;
	sm->src_npi = m->sm->dst_npi;
	snprintf(sm->src, sizeof(sm->src), "%s", m->sm->dst);
	sm->dst_ton = m->sm->src_ton;
	sm->dst_npi = m->sm->src_npi;
	snprintf(sm->dst, sizeof(sm->dst), "%s", m->sm->src);
	sm->esm_class = SMPP34_DELIVERY_RECEIPT;
	sm->ud_len = (size_t)snprintf((char *)sm->ud, SMPP_SM_MAX,
				      "id:%s sub:001 dlvrd:%03d submit date:%s done date:%s stat:%s err:%03u text:", id,
				      delivered ? 1 : 0, date, date, delivered ? "DELIVRD" : "UNDELIV", err & 0x3ff);
	snprintf(sm->receipted_id, sizeof(sm->receipted_id), "%s", id);
	sm->message_state = delivered ? MSG_STATE_DELIVERED : MSG_STATE_UNDELIVERABLE;
	if (gw_store_insert(gw->store, r, 0) < 0) {
		talloc_free(r);
		return;
	}
	llist_add_tail(&r->list, &gw->pending);
	gw->n_pending++;
	CTR(GW_CTR_RECEIPT_TX);
	gw_dispatch_kick(gw);
}

void gw_receipt_from_upstream(struct gw *gw, struct gw_route *rt, const struct smpp_sm *sm)
{
	struct gw_msg *m, *found = NULL;
	char text[SMPP_SM_MAX + 1];
	bool delivered;

	memcpy(text, sm->ud, OSMO_MIN(sm->ud_len, sizeof(text) - 1));
	text[OSMO_MIN(sm->ud_len, sizeof(text) - 1)] = '\0';
	delivered = sm->message_state == MSG_STATE_DELIVERED || strstr(text, "stat:DELIVRD");
	/* oldest first: the list is in the order the SMSC accepted them */
	llist_for_each_entry(m, &gw->waiting, list) {
		if (strcmp(m->sm->dst, sm->src))
			continue;
		if (sm->has_umr && (sm->umr & 0xff) != (m->id & 0xff))
			continue;
		found = m;
		break;
	}
	if (!found) {
		LOGP(DUPSTREAM, LOGL_NOTICE, "%s: receipt from %s matches no message (%s)\n", rt->name, sm->src, text);
		return;
	}
	m = found;
	llist_del(&m->list);
	gw->n_waiting--;
	LOGP(DUPSTREAM, LOGL_INFO, "%s: receipt for message %lld (%s)\n", rt->name, (long long)m->id,
	     delivered ? "delivered" : "not delivered");
	if (!gw_msg_siblings_left(gw, m))
		gw_msg_new_receipt(gw, m, delivered, 0);
	gw_store_set_state(gw->store, m->id, delivered ? GW_MSG_DONE : GW_MSG_FAILED, m->attempts);
	talloc_free(m);
}
