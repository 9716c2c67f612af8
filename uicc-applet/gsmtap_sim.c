/* GSMTAP SIM (type 4) messages of the card's traffic, as SIMtrace produces them: each command and its response in
 * one message (sub-type APDU), so Wireshark's gsm_sim dissector can decode SELECTs, FETCHed proactive commands,
 * ENVELOPEs and so on. */
#include <osmocom/core/gsmtap.h>
#include <osmocom/core/gsmtap_util.h>
#include <osmocom/core/logging.h>
#include <osmocom/core/talloc.h>

#include "simguard/apdu.h"
#include "uicc/card.h"
#include "gsmtap_sim.h"

struct gsmtap_sim {
	struct gsmtap_inst *gti;
};

static int gsmtap_sim_destructor(struct gsmtap_sim *g)
{
	gsmtap_source_free(g->gti);
	return 0;
}

struct gsmtap_sim *gsmtap_sim_open(void *ctx, const char *host)
{
	struct gsmtap_sim *g = talloc_zero(ctx, struct gsmtap_sim);

	g->gti = gsmtap_source_init(host, GSMTAP_UDP_PORT, 0);
	if (!g->gti) {
		LOGP(DUICC, LOGL_ERROR, "GSMTAP: cannot open a sink at %s\n", host);
		talloc_free(g);
		return NULL;
	}
	talloc_set_destructor(g, gsmtap_sim_destructor);
	/* With nobody listening on a local port, ICMP "port unreachable" makes the next send() on the connected UDP
	 * socket fail: a local sink swallows the packets (tshark still sees them on the interface). Another
	 * instance may already own that port, which is just as good. */
	gsmtap_source_add_sink(g->gti);
	return g;
}

void gsmtap_sim_close(struct gsmtap_sim *g)
{
	talloc_free(g);
}

size_t gsmtap_sim_tpdu_len(const uint8_t *cmd, size_t len)
{
	struct apdu a;

	if (apdu_parse(cmd, len, &a, NULL) < 0 || a.extended)
		return len;
	return a.apdu_case == APDU_CASE_4 ? len - 1 : len;
}

void gsmtap_sim_trace(void *priv, struct uicc_card *card, const uint8_t *cmd, size_t cmd_len, const uint8_t *rsp,
		      size_t rsp_len, const uint8_t *atr, size_t atr_len)
{
	struct gsmtap_sim *g = priv;
	uint8_t msg[2 * UICC_RSP_MAX + 16];
	size_t n;

	if (!g)
		return;
	/* Wireshark's GSMTAP dissector hands every SIM sub-type to the APDU dissector, so an ATR would show up as
	 * a bogus APDU: power events are left out of the trace */
	if (atr || !cmd)
		return;
	n = uicc_card_trace_redact(card, cmd, gsmtap_sim_tpdu_len(cmd, cmd_len), rsp, rsp_len, msg, sizeof(msg));
	/* A case-2 command refused with a bare SW: Wireshark's gsm_sim dissector would look for P3 bytes of data
	 * and call the packet malformed, so the trace shows P3 = 00 there (specs/uicc-card.md) */
	if (cmd_len == 5 && rsp_len == 2 && n == 7)
		msg[4] = 0x00;
	/* a send refused because of an earlier ICMP error is retried once */
	if (gsmtap_send_ex(g->gti, GSMTAP_TYPE_SIM, 0, 0, GSMTAP_SIM_APDU, 0, 0, 0, 0, msg, n) < 0)
		gsmtap_send_ex(g->gti, GSMTAP_TYPE_SIM, 0, 0, GSMTAP_SIM_APDU, 0, 0, 0, 0, msg, n);
}
