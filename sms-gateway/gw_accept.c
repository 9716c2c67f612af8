/* Accepting a message into the queue: destination check, user data header check (a UDH that lies about its
 * length is refused), the one-time split of OTA packets longer than one SMS, reassembly of concatenated MO parts
 * addressed to an ESME, duplicate detection and the queue bound. */
#include <inttypes.h>
#include <string.h>

#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>
#include <osmocom/gsm/protocol/gsm_04_11.h>
#include <osmocom/gsm/gsm0411_utils.h>

#include <smpp34.h>

#include "smsgw/gw.h"

#define CTR(i) rate_ctr_inc(rate_ctr_group_get_ctr(gw->ctrs, (i)))
#define USSD_MAX 160

static bool origin_is_upstream(struct gw *gw, const char *origin)
{
	struct gw_route *r;

	llist_for_each_entry(r, &gw->cfg.routes, list)
		if (r->type == GW_ROUTE_UPSTREAM && !strcmp(r->name, origin))
			return true;
	return false;
}

/* Where would this go? 0 when somewhere, else the status to refuse with. */
static uint32_t check_destination(struct gw *gw, const char *origin, const struct smpp_sm *sm, bool *to_esme)
{
	struct gw_route *r;

	*to_esme = false;
	if (!sm->dst[0])
		return ESME_RINVDSTADR;
	if (gw_esme_cfg_owner(gw, sm->dst)) {
		*to_esme = true;
		return ESME_ROK;
	}
	r = gw_route_for(gw, sm->dst);
	if (!r)
		return ESME_RINVDSTADR;
	/* never hand an SMSC's MO back to an SMSC */
	if (r->type == GW_ROUTE_UPSTREAM && origin_is_upstream(gw, origin))
		return ESME_RINVDSTADR;
	return ESME_ROK;
}

static struct gw_msg *msg_new(struct gw *gw, const char *origin, const struct smpp_sm *sm)
{
	struct gw_msg *m = talloc_zero(gw, struct gw_msg);

	m->sm = talloc_memdup(m, sm, sizeof(*sm));
	snprintf(m->origin, sizeof(m->origin), "%s", origin);
	INIT_LLIST_HEAD(&m->inflight);
	m->state = GW_MSG_QUEUED;
	m->next_try = 0;
	return m;
}

/* Store and queue; on failure nothing stays behind. */
static int enqueue(struct gw *gw, struct gw_msg *m, uint64_t hash)
{
	if (gw_store_insert(gw->store, m, hash) < 0) {
		talloc_free(m);
		return -1;
	}
	llist_add_tail(&m->list, &gw->pending);
	gw->n_pending++;
	return 0;
}

static void format_id(int64_t id, char *msgid, size_t size)
{
	snprintf(msgid, size, "%010" PRId64, id);
}

/* Split an OTA packet that does not fit one SMS into parts, all queued under the first part's id. */
static uint32_t enqueue_split(struct gw *gw, const char *origin, const struct smpp_sm *sm, const struct sms_udh *h,
			      uint64_t hash, char *msgid, size_t msgid_size)
{
	struct sms_ota_part *parts = talloc_array(gw, struct sms_ota_part, 8);
	struct sg_error err;
	int64_t parent = 0;
	int n;

	n = sms_ota_split(sm->ud + h->udh_len, sm->ud_len - h->udh_len, h->cpi ? SMS_IEI_CPI : SMS_IEI_RPI, false,
			  gw->split_ref++, parts, 8, &err);
	if (n < 0) {
		LOGP(DROUTE, LOGL_ERROR, "%s -> %s: %s\n", origin, sm->dst, err.msg);
		talloc_free(parts);
		return ESME_RINVMSGLEN;
	}
	for (int i = 0; i < n; i++) {
		struct gw_msg *m = msg_new(gw, origin, sm);

		memcpy(m->sm->ud, parts[i].ud, parts[i].len);
		m->sm->ud_len = parts[i].len;
		m->sm->use_payload = false;
		m->parent = parent;
		if (enqueue(gw, m, i == 0 ? hash : 0) < 0) {
			talloc_free(parts);
			return ESME_RSYSERR;
		}
		if (i == 0)
			parent = m->id;
	}
	talloc_free(parts);
	CTR(GW_CTR_SPLIT);
	LOGP(DROUTE, LOGL_INFO, "%s -> %s: %zu-byte OTA packet split into %d SMS\n", origin, sm->dst,
	     sm->ud_len - h->udh_len, n);
	format_id(parent, msgid, msgid_size);
	return ESME_ROK;
}

/* The UDH for the reassembled message: the first part's IEs without the concatenation IE, prefixed by their
 * length, so that the reassembler's output is directly UDHL || IEs || data. */
static size_t first_part_prefix(const struct sms_udh *h, uint8_t *out)
{
	size_t n = 1;

	for (unsigned int i = 0; i < h->n_ies; i++) {
		const struct sms_udh_ie *ie = &h->ies[i];

		if (ie->iei == SMS_IEI_CONCAT8 || ie->iei == SMS_IEI_CONCAT16)
			continue;
		out[n++] = ie->iei;
		out[n++] = ie->len;
		memcpy(out + n, ie->val, ie->len);
		n += ie->len;
	}
	out[0] = (uint8_t)(n - 1);
	return n;
}

static uint32_t enqueue_one(struct gw *gw, const char *origin, const struct smpp_sm *sm, uint64_t hash,
			    char *msgid, size_t msgid_size)
{
	struct gw_msg *m = msg_new(gw, origin, sm);

	if (enqueue(gw, m, hash) < 0)
		return ESME_RSYSERR;
	format_id(m->id, msgid, msgid_size);
	return ESME_ROK;
}

uint32_t gw_mo_part(struct gw *gw, const char *origin, struct smpp_sm *sm, char *msgid, size_t msgid_size)
{
	struct sms_udh h;
	struct sg_error err;
	uint8_t payload[SMS_UD_MAX + 1], *out = NULL;
	size_t plen = 0, out_len = 0;
	enum sms_reasm_result res;
	uint32_t st;

	if (sms_udh_parse(sm->ud, sm->ud_len, &h, &err) < 0 || sm->ud_len > SMS_UD_MAX)
		return ESME_RINVMSGLEN;
	if (h.concat_seq == 1)
		plen = first_part_prefix(&h, payload);
	memcpy(payload + plen, sm->ud + h.udh_len, sm->ud_len - h.udh_len);
	plen += sm->ud_len - h.udh_len;
	res = sms_reasm_add(gw->reasm, origin, h.concat16, h.concat_ref, h.concat_total, h.concat_seq, payload, plen,
			    time(NULL), gw, &out, &out_len, &err);
	switch (res) {
	case SMS_REASM_PENDING:
	case SMS_REASM_DUPLICATE:
		msgid[0] = '\0';
		LOGP(DROUTE, LOGL_INFO, "%s -> %s: part %u/%u ref %u %s\n", origin, sm->dst, h.concat_seq,
		     h.concat_total, h.concat_ref, res == SMS_REASM_DUPLICATE ? "duplicate, ignored" : "held");
		return ESME_ROK;
	case SMS_REASM_COMPLETE:
		break;
	case SMS_REASM_FULL:
		LOGP(DROUTE, LOGL_ERROR, "%s -> %s: %s\n", origin, sm->dst, err.msg);
		return ESME_RMSGQFUL;
	default:
		LOGP(DROUTE, LOGL_ERROR, "%s -> %s: %s\n", origin, sm->dst, err.msg);
		return ESME_RINVMSGLEN;
	}
	if (out_len > SMPP_UD_MAX) {
		talloc_free(out);
		return ESME_RINVMSGLEN;
	}
	CTR(GW_CTR_REASM);
	/* an empty header (only the concatenation IE was there) disappears with UDHI */
	if (out[0] == 0) {
		memcpy(sm->ud, out + 1, out_len - 1);
		sm->ud_len = out_len - 1;
		sm->esm_class &= (uint8_t)~SMPP34_UDHI_IND;
	} else {
		memcpy(sm->ud, out, out_len);
		sm->ud_len = out_len;
	}
	talloc_free(out);
	sm->use_payload = sm->ud_len > SMS_UD_MAX;
	st = enqueue_one(gw, origin, sm, gw_sm_hash(sm), msgid, msgid_size);
	LOGP(DROUTE, LOGL_INFO, "%s -> %s: %u parts reassembled into %zu bytes\n", origin, sm->dst, h.concat_total,
	     sm->ud_len);
	return st;
}

/* GSM 7-bit text travels in SMPP one septet per octet and is packed for the air: 160 septets fit one SMS, the
 * header's octets taking their septets (with fill bits) from them. */
static bool text_fits(const struct smpp_sm *sm, const struct sms_udh *h)
{
	return gsm338_get_sms_alphabet(sm->dcs) == DCS_7BIT_DEFAULT &&
	       (h->udh_len * 8 + 6) / 7 + (sm->ud_len - h->udh_len) <= SMS_UD_MAX * 8 / 7;
}

static uint32_t check_user_data(const struct smpp_sm *sm, struct sms_udh *h, bool *split)
{
	struct sg_error err;

	*split = false;
	memset(h, 0, sizeof(*h));
	if (sm->ussd_op >= 0)
		return sm->ud_len <= USSD_MAX ? ESME_ROK : ESME_RINVMSGLEN;
	if (sm->esm_class & SMPP34_UDHI_IND) {
		if (sms_udh_parse(sm->ud, sm->ud_len, h, &err) < 0) {
			LOGP(DROUTE, LOGL_ERROR, "%s -> %s: %s\n", sm->src, sm->dst, err.msg);
			return ESME_RINVMSGLEN;
		}
	}
	if (sm->ud_len <= SMS_UD_MAX || text_fits(sm, h))
		return ESME_ROK;
	/* longer than one SMS: only an OTA packet with a bare CPI/RPI header may be split, and only here */
	if (h->n_ies == 1 && (h->cpi || h->rpi) && sms_dcs_is_8bit(sm->dcs)) {
		*split = true;
		return ESME_ROK;
	}
	LOGP(DROUTE, LOGL_ERROR, "%s -> %s: %zu bytes of user data do not fit one SMS and are not an OTA packet\n",
	     sm->src, sm->dst, sm->ud_len);
	return ESME_RINVMSGLEN;
}

uint32_t gw_accept(struct gw *gw, const char *origin, struct smpp_sm *sm, char *msgid, size_t msgid_size)
{
	struct sms_udh h;
	uint64_t hash;
	int64_t dup;
	uint32_t st;
	bool to_esme, split;

	st = check_destination(gw, origin, sm, &to_esme);
	if (st != ESME_ROK) {
		LOGP(DROUTE, LOGL_NOTICE, "%s: no route to '%s'\n", origin, sm->dst);
		return st;
	}
	st = check_user_data(sm, &h, &split);
	if (st != ESME_ROK)
		return st;
	if (gw->n_pending + gw->n_waiting + gw->n_inflight >= gw->cfg.max_pending) {
		LOGP(DQUEUE, LOGL_NOTICE, "%s: queue full (%u messages)\n", origin, gw->cfg.max_pending);
		return ESME_RMSGQFUL;
	}
	if (h.has_concat && to_esme)
		return gw_mo_part(gw, origin, sm, msgid, msgid_size);
	hash = gw_sm_hash(sm);
	if (gw->cfg.dup_window) {
		dup = gw_store_find_dup(gw->store, origin, hash, sm, time(NULL) - gw->cfg.dup_window);
		if (dup) {
			CTR(GW_CTR_DUPLICATE);
			format_id(dup, msgid, msgid_size);
			LOGP(DQUEUE, LOGL_NOTICE, "%s -> %s: duplicate of message %s, not queued again\n", origin,
			     sm->dst, msgid);
			return ESME_ROK;
		}
	}
	if (split)
		return enqueue_split(gw, origin, sm, &h, hash, msgid, msgid_size);
	return enqueue_one(gw, origin, sm, hash, msgid, msgid_size);
}
