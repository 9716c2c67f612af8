/* handset-farm's radio: one SMPP transceiver bind to sms-gateway for the whole range. The bind is a lab handset
 * bind (system_id digits, the lab password) with system_type "range": the gateway then hands this session every
 * message for a number under system_id that no handset bound with its own number takes (specs/sms-gateway.md).
 * deliver_sm are served one after the other, each answered after its card is done; PoRs and other MO go out as
 * submit_sm on the same link, pipelined (their responses are only counted). */
#include <string.h>

#include <smpp34.h>

#include "pcsct/handset_farm.h"
#include "smsgw/smpp_client.h"

#define RECV_SLICE_MS 200

int farm_link_up(struct farm *f, int timeout_ms, struct sg_error *err)
{
	struct smpp_bind b = {.cmd = BIND_TRANSCEIVER};
	char why[128];
	long st;

	f->link = smpp_client_connect(f->cfg.smpp_host, f->cfg.smpp_port, timeout_ms, why, sizeof(why));
	if (!f->link)
		return sg_err(err, "%s", why);
	snprintf(b.system_id, sizeof(b.system_id), "%s", f->cfg.range);
	snprintf(b.password, sizeof(b.password), "%s", f->cfg.smpp_password);
	snprintf(b.system_type, sizeof(b.system_type), "range");
	st = smpp_client_bind_as(f->link, &b, timeout_ms);
	if (st == ESME_ROK)
		return 0;
	if (st < 0)
		sg_err(err, "bind: %s", smpp_client_error(f->link));
	else
		sg_err(err, "bind refused: %s", smpp_status_name((uint32_t)st));
	smpp_client_close(f->link);
	f->link = NULL;
	return -1;
}

int farm_send_mo(struct farm *f, const struct smpp_sm *sm, struct sg_error *err)
{
	uint32_t seq;

	if (!f->link)
		return sg_err(err, "no network link (SMPP not bound)");
	if (smpp_client_send_sm(f->link, SUBMIT_SM, sm, &seq) < 0)
		return sg_err(err, "%s", smpp_client_error(f->link));
	return 0;
}

static void on_deliver(struct farm *f, const uint8_t *pdu, size_t len, uint32_t seq)
{
	struct smpp_sm sm;
	char why[128];
	uint32_t st = smpp_pdu_check(pdu, len, why, sizeof(why));

	if (st == ESME_ROK)
		st = smpp_decode_sm(pdu, len, &sm, why, sizeof(why));
	if (st == ESME_ROK)
		st = farm_deliver(f, &sm);
	else
		fprintf(stderr, "bad deliver_sm: %s\n", why);
	if (f->link)
		smpp_client_send_resp(f->link, DELIVER_SM_RESP, st, seq, NULL);
}

int farm_link_serve(struct farm *f, volatile int *stop, struct sg_error *err)
{
	uint8_t pdu[SMPP_MAX_PDU];
	struct smpp_hdr h;
	int n;

	while (!*stop) {
		if (f->stats_req && *f->stats_req) {
			*f->stats_req = 0;
			farm_stats_print(f, stdout);
		}
		n = smpp_client_recv(f->link, pdu, sizeof(pdu), RECV_SLICE_MS);
		if (n < 0)
			return sg_err(err, "%s", smpp_client_error(f->link));
		if (n == 0)
			continue;
		smpp_hdr_get(pdu, &h);
		if (h.id == DELIVER_SM) {
			on_deliver(f, pdu, (size_t)n, h.seq);
		} else if (h.id == UNBIND) {
			smpp_client_send_resp(f->link, UNBIND_RESP, ESME_ROK, h.seq, NULL);
			return sg_err(err, "unbound by the gateway");
		} else if ((h.id == SUBMIT_SM_RESP || h.id == GENERIC_NACK) && h.status != ESME_ROK) {
			f->st.mo_failed++;
			if (f->verbose)
				fprintf(stderr, "MO refused by the gateway: %s\n", smpp_status_name(h.status));
		}
	}
	smpp_client_unbind(f->link, 500);
	return 0;
}

void farm_link_down(struct farm *f)
{
	if (f->link)
		smpp_client_close(f->link);
	f->link = NULL;
}

void farm_stats_print(const struct farm *f, FILE *out)
{
	const struct farm_stats *s = &f->st;

	fprintf(out,
		"{\"handsets\": %lu, \"cards\": %lu, \"mt\": %lu, \"refused\": %lu, \"downloads\": %lu, \"mo\": %lu,"
		" \"mo_failed\": %lu, \"proactive\": %lu, \"ordinary\": %lu}\n",
		f->cfg.count, s->cards, s->mt, s->refused, s->downloads, s->mo, s->mo_failed, s->proactive,
		s->ordinary);
	fflush(out);
}
